"""The CLI's one rule for user errors: exit 2, one or two lines, in the chosen language.

Every command runs inside :class:`KostraGroup.main`, so a :class:`~kostra.errors.KostraError`
raised anywhere, and each of click's usage errors, is printed here and nowhere else: the message
(in bokmål, nynorsk or English, from the catalogs), then the hint. ``--lang`` may stand before
or after the command name (it is moved to the front before parsing); ``KOSTRA_LANG`` sets the
default.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from kostra.errors import LANGS, KostraError, clip, shown

if TYPE_CHECKING:
    from kostra.exports import CsvStyle


def _error_classes() -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """(click errors, aborts, "no arguments: help") of Typer's own copy of click and, when
    something imported it, of click itself; looked up when needed, so ``kostra --help``
    imports nothing more."""
    # Typer ≥ 0.20 raises the errors of its own vendored copy of click, not click's.
    modules = [getattr(typer, "_click", None), sys.modules.get("click")]
    exceptions = [m.exceptions for m in modules if m is not None and hasattr(m, "exceptions")]
    errors = tuple(e.ClickException for e in exceptions)
    aborts = (typer.Abort, *(e.Abort for e in exceptions if hasattr(e, "Abort")))
    no_args = tuple(e.NoArgsIsHelpError for e in exceptions if hasattr(e, "NoArgsIsHelpError"))
    return errors, aborts, no_args


# click's and Typer's own wording of usage errors (English, as click writes them), and the
# catalog message that says the same in the user's language; the named groups fill it.
_USAGE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No such option: (?P<a>\S+)(?P<rest>.*)$", re.S), "no_such_option"),
    (re.compile(r"^No such command (?P<a>.+)\.$", re.S), "no_such_command"),
    (re.compile(r"^Missing command\.$"), "missing_command"),
    (re.compile(r"^Missing argument (?P<a>.+?)\.(?P<rest>.*)$", re.S), "missing_argument"),
    (re.compile(r"^Missing option (?P<a>.+?)\.(?P<rest>.*)$", re.S), "missing_option"),
    (re.compile(r"^Option (?P<a>\S+) requires an argument\.$"), "needs_value"),
    (re.compile(r"^Option (?P<a>\S+) requires (?P<n>\d+) arguments\.$"), "needs_values"),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<a>.*)\)$", re.S),
        "extra_argument",
    ),
    (re.compile(r"^Invalid value for (?P<a>.+?): (?P<rest>.*)$", re.S), "invalid_value_for"),
    (re.compile(r"^Invalid value: (?P<rest>.*)$", re.S), "invalid_value"),
]
# pydantic's and click's words inside a usage error, and the catalog message for them
_DETAIL: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be a valid integer.*$", re.S), "integer"),
    (re.compile(r"Input should be a valid number.*$", re.S), "number"),
    (re.compile(r"Input should be greater than or equal to (?P<n>\S+)"), "at_least"),
    (re.compile(r"Input should be less than or equal to (?P<n>\S+)"), "at_most"),
    (re.compile(r"Input should be greater than (?P<n>\S+)"), "greater_than"),
    (re.compile(r"Input should be less than (?P<n>\S+)"), "less_than"),
    (
        re.compile(r"(?:Value error, )?(?P<v>.+?) is not one of (?P<c>.+?)\.?$", re.S),
        "not_one_of",
    ),
    (re.compile(r"(?P<v>.+?) is not a valid integer\.?$", re.S), "not_integer"),
    (re.compile(r"(?P<v>.+?) is not a valid float\.?$", re.S), "not_number"),
    (re.compile(r"Did you mean (?P<a>.+?)\?"), "did_you_mean"),
    (re.compile(r"\(Possible options: (?P<a>.+?)\)"), "possible_options"),
]
# English keeps click's words: only pydantic's are made plainer
_DETAIL_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be a valid integer.*$", re.S), "integer"),
    (re.compile(r"(?:^|(?<=: ))Value error, "), ""),
]


def _words(key: str, lang: str, **values: str) -> str:
    """The catalog message ``error.cli.<key>`` in ``lang`` (the catalogs load only when an
    error is said: ``kostra --help`` does without them)."""
    from kostra.i18n import text

    return text(f"error.cli.{key}", lang, **values)


def prefix(lang: str) -> str:
    """The word before every error line ("Feil", "Error")."""
    return _words("prefix", lang)


def _substitute(rules: list[tuple[re.Pattern[str], str]], text: str, lang: str) -> str:
    for pattern, key in rules:
        text = pattern.sub(
            lambda m, k=key: _words(f"usage.{k}", lang, **m.groupdict()) if k else "",  # type: ignore[misc]
            text,
        )
    return text


#: Characters of a usage error kept before it is reworded: the lazy patterns above take time
#: quadratic in the length, and a pasted 100 000-character value must not take minutes.
USAGE_LIMIT = 2_000


def usage_text(message: str, lang: str) -> str:
    """click's wording of a usage error, in ``lang`` (a long one with its middle cut out)."""
    message = clip(message, USAGE_LIMIT)
    if lang == "en":
        return _substitute(_DETAIL_EN, message, lang)
    for pattern, key in _USAGE:
        match = pattern.match(message)
        if match:
            parts = {k: _substitute(_DETAIL, v or "", lang) for k, v in match.groupdict().items()}
            return _words(f"usage.{key}", lang, **parts)
    return _substitute(_DETAIL, message, lang)


#: Options of the whole run that may stand before or after the command name.
GLOBAL_OPTIONS = ("--lang", "--csv-style")


def hoist_lang(args: Sequence[str]) -> list[str]:
    """``args`` with every ``--lang X`` / ``--lang=X`` (and ``--csv-style``, see
    :data:`GLOBAL_OPTIONS`) moved to the front, so the language is chosen before any command
    runs, wherever the user wrote it (not after ``--``)."""
    front: list[str] = []
    rest: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        item = items[i]
        if item == "--":
            rest.extend(items[i:])
            break
        if item in GLOBAL_OPTIONS and i + 1 < len(items):
            front.extend(items[i : i + 2])
            i += 2
            continue
        if item.startswith(tuple(f"{name}=" for name in GLOBAL_OPTIONS)):
            front.append(item)
        else:
            rest.append(item)
        i += 1
    return front + rest


def check_csv_style(value: str | None) -> CsvStyle | None:
    """``--csv-style`` (else ``$KOSTRA_CSV_STYLE``) as a :class:`kostra.exports.CsvStyle`;
    ``None`` when neither is given; a user error for another word."""
    from kostra.exports import CsvStyle
    from kostra.i18n.said import say

    where = "--csv-style"
    if value is None:
        value, where = os.environ.get("KOSTRA_CSV_STYLE") or None, "KOSTRA_CSV_STYLE"
    if value is None:
        return None
    try:
        return CsvStyle(value.strip().lower())
    except ValueError:
        raise KostraError(
            say("error.cli.csv_style", where=where, value=shown(value)),
            hint=say("error.cli.csv_style.hint"),
        ) from None


def chosen_lang(args: Sequence[str]) -> str:
    """The language of messages: the last valid ``--lang`` in ``args``, else ``KOSTRA_LANG``,
    else the locale's (:func:`kostra.settings.default_lang`)."""
    from kostra.langs import default_lang

    lang = os.environ.get("KOSTRA_LANG") or default_lang()
    for i, item in enumerate(args):
        if item == "--":
            break
        value = None
        if item == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif item.startswith("--lang="):
            value = item.partition("=")[2]
        if value is not None:
            lang = value
    return lang if lang in LANGS else "nb"


def check_lang(value: str, source: str) -> str:
    """``value`` if it names a language kostra writes (nb, nn, en); else a user error naming
    ``source``."""
    from kostra.settings import LANGS as WRITTEN

    if value in WRITTEN:
        return value
    from kostra.i18n.said import say

    raise KostraError(
        say("error.cli.lang", source=source, value=shown(value)),
        hint=say("error.cli.lang.hint"),
    )


def report(message: str, hint: str | None, lang: str) -> None:
    """Print one user error: the message on one line, the hint on the next."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, soft_wrap=True)
    # one line each, whatever a library put into the text
    message = " ".join(message.split())
    console.print(
        f"[bold red]{prefix(lang)}:[/] {escape(clip(message))}", highlight=False, soft_wrap=True
    )
    if hint:
        hint = " ".join(hint.split())
        console.print(escape(clip(hint, 1200)), highlight=False, soft_wrap=True)


def _command_path(error: Any) -> str:
    ctx = getattr(error, "ctx", None)
    return str(ctx.command_path) if ctx is not None else "kostra"


#: Lines said on stderr once a command has succeeded (the year chosen for the user, …); a
#: failed command prints only its error.
_NOTES: list[str] = []


def note_after_success(text: str) -> None:
    """Say ``text`` on stderr when the running command ends without an error."""
    _NOTES.append(text)


class KostraGroup(TyperGroup):
    """The ``kostra`` group: moves ``--lang`` to the front, then runs the command and prints
    any user error by the one rule (see the module docstring)."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = hoist_lang(sys.argv[1:] if args is None else args)
        lang = chosen_lang(argv)
        click_errors, aborts, no_args_help = _error_classes()
        _NOTES.clear()
        try:
            result = super().main(
                argv,
                prog_name=prog_name or "kostra",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except KostraError as error:
            report(error.text(lang), error.hint_text(lang), lang)
            code = 2
        except no_args_help as error:
            error.show()
            code = 2
        except click_errors as error:
            report(
                usage_text(error.format_message(), lang),
                _words("help_hint", lang, command=_command_path(error)),
                lang,
            )
            code = 2
        except aborts:
            print(_words("aborted", lang), file=sys.stderr)
            code = 1
        except KeyboardInterrupt:
            print(_words("interrupted", lang), file=sys.stderr)
            code = 130
        else:
            for line in _NOTES:
                print(line, file=sys.stderr)
            _NOTES.clear()
            if not standalone_mode:
                return result
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        _NOTES.clear()
        if not standalone_mode and code == 0:
            return None
        sys.exit(code)
