"""Split a selection into the fewest requests that each stay within the API's cell limit.

A request selects a *box*: a subset of codes per variable, and its size is the product of the
subset sizes. The planner cuts the selection guillotine-fashion: it splits one variable into
pieces of ``c`` codes (plus one remainder piece) and plans each piece on its own. Every piece
of the same shape costs the same, so the search runs over *shapes* (sorted size tuples), with
memoisation and branch-and-bound against the lower bound ``ceil(cells / limit)``.

Candidates for ``c`` on a variable of ``s`` codes: the largest piece that fits whole
(``limit // rest``, or 1: exactly pxwebpy's largest-dimension-first rule, tried first on the
largest variable so the plan is never worse than pxwebpy's), and near-even splits
``ceil(s / k)``. Uneven pieces with a remainder let a plan reach the optimum where a single cut
cannot (3×10 cells, limit 4: one cut needs 10 requests, this plan 8 = ceil(30 / 4)).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Selection = Mapping[str, Sequence[str]]
Chunk = dict[str, tuple[str, ...]]

#: Near-even split counts tried per variable; more widens the search, rarely the result.
_EVEN_SPLITS = 12
#: Shapes evaluated before the search falls back to the largest-dimension-first rule alone.
_BUDGET = 20_000


def cells(selection: Selection) -> int:
    """The number of cells a selection covers: the product of its code counts."""
    return math.prod(len(codes) for codes in selection.values())


@dataclass
class _Search:
    limit: int
    memo: dict[tuple[int, ...], tuple[int, tuple[int, int] | None]] = field(default_factory=dict)
    evaluated: int = 0

    def cost(self, shape: tuple[int, ...]) -> int:
        return self.solve(shape)[0]

    def solve(self, shape: tuple[int, ...]) -> tuple[int, tuple[int, int] | None]:
        shape = tuple(sorted((s for s in shape if s != 1), reverse=True))
        known = self.memo.get(shape)
        if known is not None:
            return known
        total = math.prod(shape)
        if total <= self.limit:
            result: tuple[int, tuple[int, int] | None] = (1, None)
            self.memo[shape] = result
            return result
        self.evaluated += 1
        lower = -(-total // self.limit)
        best = math.inf
        decision: tuple[int, int] | None = None
        sizes = sorted(set(shape), reverse=True)
        exhaustive = self.evaluated <= _BUDGET
        for rank, size in enumerate(sizes):
            rest = total // size
            candidates = [max(1, self.limit // rest)]
            if exhaustive:
                candidates += [-(-size // k) for k in range(2, min(size, _EVEN_SPLITS) + 1)]
            elif rank > 0:
                break
            seen: set[int] = set()
            for piece in candidates:
                if piece >= size or piece in seen:
                    continue
                seen.add(piece)
                whole, remainder = divmod(size, piece)
                sub = self.cost(_replace(shape, size, piece))
                if whole * sub >= best:
                    continue
                value = whole * sub
                if remainder:
                    value += self.cost(_replace(shape, size, remainder))
                if value < best:
                    best, decision = value, (size, piece)
                    if best == lower:
                        break
            if best == lower:
                break
        assert decision is not None
        result = (int(best), decision)
        self.memo[shape] = result
        return result


def _replace(shape: tuple[int, ...], size: int, new: int) -> tuple[int, ...]:
    at = shape.index(size)
    return (*shape[:at], new, *shape[at + 1 :])


def count_requests(sizes: Sequence[int], limit: int) -> int:
    """How many requests :func:`plan` needs for a selection of these code counts."""
    if limit < 1:
        raise ValueError("the cell limit must be at least 1")
    if any(s < 1 for s in sizes):
        raise ValueError("every variable needs at least one code")
    return _Search(limit).cost(tuple(sizes))


def plan(selection: Selection, limit: int) -> list[Chunk]:
    """Chunks that partition ``selection`` exactly, each with at most ``limit`` cells.

    Codes keep their order inside each chunk and chunks come in selection order. A selection
    of one cell per variable always fits (``limit >= 1``).
    """
    if limit < 1:
        raise ValueError("the cell limit must be at least 1")
    for name, codes in selection.items():
        if not codes:
            raise ValueError(f"variable {name!r} selects no codes")
        if len(set(codes)) != len(codes):
            raise ValueError(f"variable {name!r} repeats a code")
    search = _Search(limit)
    chunks: list[Chunk] = []
    _build({k: tuple(v) for k, v in selection.items()}, search, chunks)
    return chunks


def _build(selection: Chunk, search: _Search, out: list[Chunk]) -> None:
    sizes = tuple(len(codes) for codes in selection.values())
    _, decision = search.solve(sizes)
    if decision is None:
        out.append(selection)
        return
    size, piece = decision
    # Any variable of that size gives the same cost; the first in table order keeps chunks tidy.
    name = next(n for n, codes in selection.items() if len(codes) == size)
    codes = selection[name]
    for start in range(0, size, piece):
        _build({**selection, name: codes[start : start + piece]}, search, out)
