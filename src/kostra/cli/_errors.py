"""The CLI's one rule for user errors: exit 2, one or two lines, in the chosen language.

Every command runs inside :class:`KostraGroup.main`, so a :class:`~kostra.errors.KostraError`
raised anywhere, and each of click's usage errors, is printed here and nowhere else: the message
(in bokmål or English), then the hint. ``--lang`` may stand before or after the command name
(it is moved to the front before parsing); ``KOSTRA_LANG`` sets the default.
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


_PREFIX = {"nb": "Feil", "nn": "Feil", "en": "Error"}

_HELP_HINT = {
    "nb": "Se `{command} --help` for valgene.",
    "nn": "Sjå `{command} --help` for vala.",
    "en": "See `{command} --help` for the options.",
}

# click's and Typer's own wording of usage errors, and the same in bokmål
_USAGE_NB: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No such option: (?P<a>\S+)(?P<rest>.*)$", re.S), "Ukjent valg: {a}{rest}"),
    (re.compile(r"^No such command (?P<a>.+)\.$", re.S), "Ukjent kommando {a}."),
    (re.compile(r"^Missing command\.$"), "Kommando mangler."),
    (re.compile(r"^Missing argument (?P<a>.+?)\.(?P<rest>.*)$", re.S), "Mangler argumentet {a}."),
    (re.compile(r"^Missing option (?P<a>.+?)\.(?P<rest>.*)$", re.S), "Mangler valget {a}."),
    (
        re.compile(r"^Option (?P<a>\S+) requires an argument\.$"),
        "Valget {a} trenger en verdi.",
    ),
    (
        re.compile(r"^Option (?P<a>\S+) requires (?P<n>\d+) arguments\.$"),
        "Valget {a} trenger {n} verdier.",
    ),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<a>.*)\)$", re.S),
        "Uventet ekstra argument ({a}).",
    ),
    (
        re.compile(r"^Invalid value for (?P<a>.+?): (?P<rest>.*)$", re.S),
        "Ugyldig verdi for {a}: {rest}",
    ),
    (re.compile(r"^Invalid value: (?P<rest>.*)$", re.S), "Ugyldig verdi: {rest}"),
]
_DETAIL_NB: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Input should be a valid integer.*$", re.S),
        "må være et heltall.",
    ),
    (re.compile(r"Input should be a valid number.*$", re.S), "må være et tall."),
    (
        re.compile(r"Input should be greater than or equal to (?P<n>\S+)"),
        "må være minst {n}.",
    ),
    (re.compile(r"Input should be less than or equal to (?P<n>\S+)"), "kan være høyst {n}."),
    (re.compile(r"Input should be greater than (?P<n>\S+)"), "må være større enn {n}."),
    (re.compile(r"Input should be less than (?P<n>\S+)"), "må være mindre enn {n}."),
    (
        re.compile(r"(?:Value error, )?(?P<v>.+?) is not one of (?P<c>.+?)\.?$", re.S),
        "{v} er ikke en av {c}.",
    ),
    (re.compile(r"(?P<v>.+?) is not a valid integer\.?$", re.S), "{v} er ikke et heltall."),
    (re.compile(r"(?P<v>.+?) is not a valid float\.?$", re.S), "{v} er ikke et tall."),
    (re.compile(r"Did you mean (?P<a>.+?)\?"), "Mente du {a}?"),
    (re.compile(r"\(Possible options: (?P<a>.+?)\)"), "(mulige valg: {a})"),
]
_DETAIL_EN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be a valid integer.*$", re.S), "must be a whole number."),
    (re.compile(r"(?:^|(?<=: ))Value error, "), ""),
]


def _substitute(rules: list[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, template in rules:
        text = pattern.sub(lambda m, t=template: t.format(**m.groupdict()), text)  # type: ignore[misc]
    return text


#: Characters of a usage error kept before it is reworded: the lazy patterns above take time
#: quadratic in the length, and a pasted 100 000-character value must not take minutes.
USAGE_LIMIT = 2_000


def usage_text(message: str, lang: str) -> str:
    """click's wording of a usage error, in ``lang`` (a long one with its middle cut out)."""
    message = clip(message, USAGE_LIMIT)
    if lang == "en":
        return _substitute(_DETAIL_EN, message)
    for pattern, template in _USAGE_NB:
        match = pattern.match(message)
        if match:
            parts = {k: _substitute(_DETAIL_NB, v or "") for k, v in match.groupdict().items()}
            return template.format(**parts)
    return _substitute(_DETAIL_NB, message)


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

    where = "--csv-style"
    if value is None:
        value, where = os.environ.get("KOSTRA_CSV_STYLE") or None, "KOSTRA_CSV_STYLE"
    if value is None:
        return None
    try:
        return CsvStyle(value.strip().lower())
    except ValueError:
        raise KostraError(
            f"{where} {shown(value)}: choose excel or plain.",
            nb=f"{where} {shown(value)}: velg excel eller plain.",
            hint="excel: ';' and decimal comma (Norwegian Excel); plain: ',' and decimal point.",
            hint_nb="excel: ';' og desimalkomma (norsk Excel); plain: ',' og desimalpunktum.",
        ) from None


def chosen_lang(args: Sequence[str]) -> str:
    """The language of messages: the last valid ``--lang`` in ``args``, else ``KOSTRA_LANG``,
    else the locale's (:func:`kostra.settings.default_lang`); nynorsk reads bokmål messages."""
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
    from kostra.errors import shown

    raise KostraError(
        f"{source} {shown(value)} is not a language kostra speaks.",
        nb=f"{source} {shown(value)} er ikke et språk kostra kan.",
        hint="Choose nb (bokmål), nn (nynorsk) or en (English).",
        hint_nb="Velg nb (bokmål), nn (nynorsk) eller en (engelsk).",
    )


def report(message: str, hint: str | None, lang: str) -> None:
    """Print one user error: the message on one line, the hint on the next."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, soft_wrap=True)
    # one line each, whatever a library put into the text
    message = " ".join(message.split())
    console.print(
        f"[bold red]{_PREFIX[lang]}:[/] {escape(clip(message))}", highlight=False, soft_wrap=True
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
                _HELP_HINT[lang].format(command=_command_path(error)),
                lang,
            )
            code = 2
        except aborts:
            aborted = {"nb": "Avbrutt.", "nn": "Avbrote.", "en": "Aborted."}
            print(aborted[lang], file=sys.stderr)
            code = 1
        except KeyboardInterrupt:
            print(
                "Interrupted; nothing half-written was kept."
                if lang == "en"
                else "Avbrote; ingenting halvskrive vart teke vare på."
                if lang == "nn"
                else "Avbrutt; ingenting halvskrevet ble beholdt.",
                file=sys.stderr,
            )
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
