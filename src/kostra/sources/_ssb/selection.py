"""PxWebApi 2.0 selection expressions, expanded against a variable's codes.

One implementation serves both sides: the client expands a user's selection before it plans
chunks, and the local test server expands what it receives. The grammar (pxtools user guide,
"Selection expressions"):

- ``*`` all codes; ``12*``, ``*2``, ``*4*`` wildcards (at most two ``*``); ``?`` exactly one
  character (``202?M12``);
- ``top(n[,offset])`` / ``bottom(n[,offset])``: the first / last n codes in metadata order;
  for the time variable ``top`` means the *latest* n periods;
- ``range(a,b)``, ``from(a)``, ``to(a)``: inclusive, in metadata order;
- ``[code]`` is a literal code (for codes that contain commas or look like expressions),
  ``[[x]]`` the literal ``[x]``.

Expressions are case-insensitive; the result is in metadata order without repeats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_FUNCTION = re.compile(r"^\s*(top|bottom|range|from|to)\s*\((.*)\)\s*$", re.IGNORECASE)


class SelectionError(ValueError):
    """A selection the API would reject; ``title`` is the PxWebApi problem title."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail


def split_value_list(text: str) -> list[str]:
    """Split a GET ``valueCodes[VAR]`` value on commas outside brackets and parentheses."""
    items: list[str] = []
    depth_round = depth_square = 0
    current: list[str] = []
    for char in text:
        if char == "[":
            depth_square += 1
        elif char == "]":
            depth_square = max(0, depth_square - 1)
        elif char == "(" and depth_square == 0:
            depth_round += 1
        elif char == ")" and depth_square == 0:
            depth_round = max(0, depth_round - 1)
        if char == "," and depth_round == 0 and depth_square == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def join_value_list(codes: Iterable[str]) -> str:
    """Inverse of :func:`split_value_list` for plain codes: bracket those that need it."""
    parts: list[str] = []
    for code in codes:
        if (
            "," in code
            or code.startswith("[")
            or "*" in code
            or "?" in code
            or _FUNCTION.match(code)
        ):
            parts.append(f"[{code}]")
        else:
            parts.append(code)
    return ",".join(parts)


def is_expression(item: str) -> bool:
    """Whether ``item`` is an expression rather than a plain code."""
    if item.startswith("[") and item.endswith("]"):
        return False
    return "*" in item or "?" in item or _FUNCTION.match(item) is not None


def expand(items: Sequence[str], codes: Sequence[str], *, is_time: bool = False) -> list[str]:
    """The codes ``items`` select from ``codes`` (metadata order), in metadata order.

    Raises :class:`SelectionError` for an illegal expression or a code that does not exist.
    """
    position = {code: i for i, code in enumerate(codes)}
    folded: dict[str, str] = {}
    for code in codes:
        folded.setdefault(code.casefold(), code)
    chosen: set[int] = set()
    for raw in items:
        item = raw.strip()
        if item.startswith("[") and item.endswith("]") and len(item) >= 2:
            chosen.add(_find(item[1:-1], position, folded))
            continue
        function = _FUNCTION.match(item)
        if function:
            chosen.update(_apply(function.group(1).lower(), function.group(2), codes, is_time))
            continue
        if "*" in item or "?" in item:
            if item.count("*") > 2:
                raise SelectionError("Illegal selection expression", f"{item!r} has over two *")
            pattern = re.compile(
                "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in item),
                re.IGNORECASE,
            )
            chosen.update(i for i, code in enumerate(codes) if pattern.fullmatch(code))
            continue
        chosen.add(_find(item, position, folded))
    return [codes[i] for i in sorted(chosen)]


def _find(code: str, position: dict[str, int], folded: dict[str, str]) -> int:
    if code in position:
        return position[code]
    match = folded.get(code.casefold())
    if match is None:
        raise SelectionError("Non-existent value", f"{code!r}")
    return position[match]


def _apply(name: str, args_text: str, codes: Sequence[str], is_time: bool) -> range | list[int]:
    args = [arg.strip() for arg in split_value_list(args_text)] if args_text.strip() else []
    count = len(codes)
    position = {code: i for i, code in enumerate(codes)}
    folded = {code.casefold(): code for code in codes}

    def locate(code: str) -> int:
        if code.startswith("[") and code.endswith("]"):
            code = code[1:-1]
        return _find(code, position, folded)

    if name in ("top", "bottom"):
        if not 1 <= len(args) <= 2 or not all(a.isdigit() for a in args):
            raise SelectionError("Illegal selection expression", f"{name}({args_text})")
        n = int(args[0])
        offset = int(args[1]) if len(args) == 2 else 0
        if n < 1:
            raise SelectionError("Illegal selection expression", f"{name}({args_text})")
        # For time, "top" is the newest periods; metadata lists time oldest first.
        from_end = (name == "top") == is_time
        if from_end:
            stop = max(0, count - offset)
            return range(max(0, stop - n), stop)
        start = min(count, offset)
        return range(start, min(count, start + n))
    if name == "range":
        if len(args) != 2:
            raise SelectionError("Illegal selection expression", f"range({args_text})")
        a, b = locate(args[0]), locate(args[1])
        return range(min(a, b), max(a, b) + 1)
    if len(args) != 1:
        raise SelectionError("Illegal selection expression", f"{name}({args_text})")
    at = locate(args[0])
    return range(at, count) if name == "from" else range(0, at + 1)
