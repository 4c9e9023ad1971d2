"""The CLI's one rule for user errors (issue #13 items 1, 2, 6, 7 and 8).

Every user error exits 2 with one or two lines in the chosen language (``--lang`` before or
after the command, ``KOSTRA_LANG``), the user's input shortened, and a hint that names a real
command. Runs on the shipped sample (an empty private warehouse).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kostra.analysis.barometer import MAX_RESAMPLES, ResamplingParams
from kostra.cli import app
from kostra.errors import KostraError
from language_checks import bokmal_words

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def run(*argv: str) -> tuple[int, str]:
    result = runner.invoke(app, list(argv))
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _private(tmp_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOSTRA_LANG", raising=False)


# -- 1: years without figures --------------------------------------------------------------


@pytest.mark.parametrize("year", ["2014", "2005", "0", "-1", "2026"])
def test_report_for_a_year_without_figures_names_the_years_that_have_them(year: str) -> None:
    code, out = run("report", "Bærum", "--year", year)
    assert code == 2
    assert f"ingen KOSTRA-tall for {year}" in out
    assert "2015–2025" in out  # the sample's years
    assert "2027" not in out  # not the need index's year


def test_analysis_commands_name_the_years_too() -> None:
    code, out = run("--lang", "en", "costs", "Bærum", "--year", "2026")
    assert code == 2
    assert "no KOSTRA figures for 2026; figures exist for 2015–2025" in out


# -- 2: bounded resamples ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["barometer", "--resamples", "10000000"], "10000000"),
        (["barometer", "--resamples", "100000"], "100000"),
        (["barometer", "--resamples", "-5"], "-5"),
        (["barometer", "explain", "Bærum", "--resamples", "5001"], "5001"),
    ],
)
def test_resamples_outside_the_cap_are_refused_before_any_work(argv: list[str], shown: str) -> None:
    code, out = run(*argv)
    assert code == 2
    assert f"{shown} trekninger er utenfor 0–{MAX_RESAMPLES}" in out


def test_the_cap_is_documented_and_enforced_in_the_api() -> None:
    code, out = run("barometer", "--help")
    assert code == 0
    assert str(MAX_RESAMPLES) in out
    with pytest.raises(KostraError, match="outside"):
        ResamplingParams(n_resamples=10_000_000)
    with pytest.raises(KostraError):
        ResamplingParams(n_resamples=-1)
    assert ResamplingParams(n_resamples=MAX_RESAMPLES).n_resamples == MAX_RESAMPLES


# -- 6: dissolved municipalities and unknown counties --------------------------------------


@pytest.mark.parametrize("command", ["profile", "costs", "indices", "peers", "report"])
@pytest.mark.parametrize("name", ["Tysfjord", "1850"])
def test_a_dissolved_municipality_is_refused_with_what_it_became(command: str, name: str) -> None:
    code, out = run(command, name)
    assert code == 2
    assert "finnes ikke i" in out
    assert "2005–2019" in out
    assert "Narvik (1806)" in out
    assert "Hamarøy - Hábmer (1875)" in out
    assert "er med i snittet" not in out


def test_a_dissolved_municipality_works_in_a_year_it_existed() -> None:
    # the figures are on the borders of the year asked for
    code, _ = run("profile", "Tysfjord", "--year", "2016", "-s", "barnehage")
    assert code == 0


def test_a_municipality_not_yet_formed_says_since_when_it_exists() -> None:
    code, out = run("--lang", "en", "profile", "Lillestrøm", "--year", "2019")
    assert code == 2
    assert "Lillestrøm (3205) does not exist in 2019: it existed 2020–2026." in out
    assert "`kostra municipalities --year 2020`" in out


def test_an_unknown_county_is_refused_with_the_close_ones() -> None:
    code, out = run("municipalities", "--county", "Nowhere")
    assert code == 2
    assert "Ingen fylker heter 'Nowhere'" in out
    assert "Vestland" in out
    code, out = run("--lang", "en", "municipalities", "--county", "Nordlnd")
    assert code == 2
    assert "Nordland - Nordlánnda" in out
    code, out = run("municipalities", "--county", "vestland")
    assert code == 0


# -- 7: hints name real commands -----------------------------------------------------------

_COMMAND = re.compile(r"`kostra((?: [a-z][a-z0-9_-]*)+)")
_HINT_COMMAND = re.compile(r"\bkostra((?: [a-z][a-z0-9_-]*)+)")


def _is_command(words: list[str]) -> bool:
    """Whether ``kostra <words…>`` starts with a command of the Typer app (a group must be
    followed by one of its commands; what follows a command is its arguments)."""
    command = typer.main.get_command(app)
    for word in words:
        commands = getattr(command, "commands", None)  # a group (Typer's own click or click's)
        if commands is None:
            return True
        found = commands.get(word)
        if found is None:
            return False
        command = found
    return getattr(command, "commands", None) is None or not command.no_args_is_help


def _top_level() -> set[str]:
    return set(getattr(typer.main.get_command(app), "commands", {}))


def _strings(node: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _catalog_hint_commands(path: Path) -> list[tuple[str, str]]:
    """(where, words) of every unquoted ``kostra …`` in the hints of a message catalog (the
    errors' hints are catalog messages ``error.….hint``)."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        if not (isinstance(message.id, str) and message.id.endswith("hint")):
            continue
        value = message.string if isinstance(message.string, str) else " ".join(message.string)
        found += [
            (f"{path.parent.parent.name} {message.id}", m[1])
            for m in _HINT_COMMAND.finditer(value)
            if m[1].split()[0] in _top_level()
        ]
    return found


def _named_commands() -> list[tuple[str, str]]:
    """(where, words) of every `kostra …` in the package's code, templates and the docs, and
    of every ``kostra …`` in a hint."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPO / "src" / "kostra").rglob("*")):
        if path.suffix not in (".py", ".j2", ".html", ".md", ".toml", ".po"):
            continue
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(REPO)), m[1]) for m in _COMMAND.finditer(text)]
        if path.suffix == ".po":
            found += _catalog_hint_commands(path)
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.keyword) and node.arg in ("hint", "hint_nb"):
                for value in _strings(node.value):
                    # unquoted: "kostra report Bærum …" is a command, "kostra stores …" prose
                    found += [
                        (f"{path.name} hint", m[1])
                        for m in _HINT_COMMAND.finditer(value)
                        if m[1].split()[0] in _top_level()
                    ]
    for doc in [
        REPO / "README.md",
        REPO / "CONTRIBUTING.md",
        *sorted((REPO / "docs").glob("*.md")),
    ]:
        if doc.exists():
            text = doc.read_text(encoding="utf-8")
            found += [(doc.name, m[1]) for m in _COMMAND.finditer(text)]
    return found


def test_every_command_named_in_a_hint_or_message_exists() -> None:
    named = _named_commands()
    assert len(named) > 20  # the scan sees the hints
    in_catalogs = [where for where, _ in named if " error." in where]
    assert len(in_catalogs) > 10, "the scan no longer sees the catalogs' hints"
    wrong = sorted(
        {f"{where}: kostra{words}" for where, words in named if not _is_command(words.split())}
    )
    assert sorted(wrong) == []


def test_the_check_catches_a_command_that_does_not_exist() -> None:
    assert not _is_command(["db", "sample"])
    assert not _is_command(["nosuch"])
    assert _is_command(["db", "info"])
    assert _is_command(["report", "Bærum", "--year"])


# -- 8: one language, --lang anywhere, short input -----------------------------------------

ERRORS = [
    ["profile", "Bærumm"],
    ["peers", "Tysfjord"],
    ["profile", "Tysfjord"],
    ["municipalities", "--county", "Nowhere"],
    ["report", "Bærum", "--year", "2014"],
    ["profile", "Bærum", "--no-such-option"],
    ["profile", "Bærum", "--year", "abc"],
    ["barometer", "--resamples", "-5"],
    ["population", "Bærum", "--borders", "x"],
    ["municipalities", "--year", "1900"],
    ["indices", "Bærum", "--reference", "galaxy"],
    ["population", "Bærum", "-a", "999"],
    ["barometer", "--method", "x"],
    ["report"],
]


@pytest.mark.parametrize("argv", ERRORS)
def test_errors_speak_the_chosen_language_in_at_most_two_lines(argv: list[str]) -> None:
    code_nb, nb = run(*argv)
    code_en, en = run(*argv, "--lang", "en")  # after the command
    assert code_nb == code_en == 2
    assert nb.startswith("Feil: ")
    assert en.startswith("Error: ")
    assert nb.removeprefix("Feil: ") != en.removeprefix("Error: ")
    assert len(nb.strip().splitlines()) <= 2
    assert len(en.strip().splitlines()) <= 2
    assert "`kostra" in nb.splitlines()[-1] or len(nb.splitlines()) == 2


def test_errors_in_the_catalogs_speak_nynorsk() -> None:
    code, out = run("--lang", "nn", "profile", "Bærumm")
    assert code == 2
    assert out.startswith("Feil: Ingen kommune heiter 'Bærumm' i 2025.")
    assert "Meinte du: Bærum (3201, Akershus)" in out
    code, out = run("profile", "Tysfjord", "--lang", "nn")
    assert code == 2
    assert "Tysfjord (1850) finst ikkje i 2025: kommunen fanst 2005–2019; frå 2020 er han" in out
    assert "Vel ein kommune som fanst i 2025" in out


@pytest.mark.parametrize(
    ("argv", "nynorsk", "bokmal"),
    [
        (["profile", "Bærum", "--no-such-option"], "Ukjent val: --no-such-option", "Ukjent valg"),
        (["profile"], "Manglar argumentet 'MUNICIPALITY'.", "Mangler argumentet"),
        (["profile", "Bærum", "--year", "abc"], "må vere eit heiltal.", "må være et heltall"),
        (["profile", "Bærum", "--format", "x"], "er ikkje ein av 'table'", "er ikke en av"),
        (["--csv-style", "x", "profile", "Bærum"], "--csv-style 'x': vel excel", "velg excel"),
    ],
)
def test_usage_errors_speak_nynorsk(argv: list[str], nynorsk: str, bokmal: str) -> None:
    code, out = run("--lang", "nn", *argv)
    assert code == 2
    assert out.startswith("Feil: ")
    assert nynorsk in out
    assert bokmal not in out
    assert "Sjå `kostra profile --help` for vala." in out or "--csv-style" in out
    assert bokmal in run(*argv)[1]


@pytest.mark.parametrize(
    ("argv", "nynorsk"),
    [
        (["municipalities", "--county", "Nowhere"], "Ingen fylke heiter 'Nowhere' i 2025."),
        (["municipalities", "--year", "1900"], "Året 1900 er utanfor"),
        (["barometer", "--method", "x"], "--method 'x': vel 'current' eller 'pre2019'."),
        (["population", "Bærum", "--borders", "x"], "er verken eit år eller 'own'."),
        (["report"], "Oppgje éin kommune, eller bruk --all for ei heil gruppe."),
        (["fetch", "--tables", "abc"], "Ikkje tabellnummer i statistikkbanken: abc."),
        (["fetch", "--tables", "07459", "--years", "x"], "Forstår ikkje åra 'x'."),
        (["costs", "Bærum", "--borders", "x"], "Ukjent --borders 'x'."),
        (["profile", "Bærum", "--format", "xlsx"], "--format xlsx skriv ei binærfil."),
    ],
)
def test_command_errors_speak_nynorsk(argv: list[str], nynorsk: str) -> None:
    code, out = run("--lang", "nn", *argv)
    assert code == 2
    assert out.startswith("Feil: ")
    assert nynorsk in out
    assert bokmal_words(out) == []


def test_every_usage_rewording_has_its_words_in_every_language() -> None:
    from kostra.cli import _errors
    from kostra.i18n.messages import has

    keys = [key for _, key in (*_errors._USAGE, *_errors._DETAIL, *_errors._DETAIL_EN) if key]
    assert len(keys) > 20
    for key in keys:
        assert has(f"error.cli.usage.{key}"), key
    for word in ("prefix", "help_hint", "aborted", "interrupted"):
        assert has(f"error.cli.{word}"), word
    assert _errors.usage_text("Missing command.", "nn") == "Kommando manglar."
    assert _errors.usage_text("Option --year requires an argument.", "nn") == (
        "Valet --year treng ein verdi."
    )


def test_lang_after_the_command_and_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("profile", "Bærumm", "--lang", "en")[1].startswith("Error: No municipality")
    assert run("profile", "Bærumm", "--lang=en")[1].startswith("Error: No municipality")
    monkeypatch.setenv("KOSTRA_LANG", "en")
    assert run("profile", "Bærumm")[1].startswith("Error: No municipality")
    assert run("--lang", "nb", "profile", "Bærumm")[1].startswith("Feil: Ingen kommune")
    monkeypatch.setenv("KOSTRA_LANG", "xx")
    code, out = run("profile", "Bærum")
    assert code == 2
    assert "KOSTRA_LANG 'xx'" in out


def test_a_long_input_is_shown_shortened() -> None:
    name = "a" * 100_000
    code, out = run("profile", name)
    assert code == 2
    assert len(out) < 400
    assert "(100000)" in out
    code, out = run("municipalities", "--county", "x" * 100_000)
    assert code == 2
    assert len(out) < 800
    code, out = run("profile", "Bærum", "--format", "y" * 100_000)
    assert code == 2
    assert len(out) < 800


def test_a_long_usage_error_is_cut_before_it_is_reworded() -> None:
    # the rewording's lazy patterns are quadratic in the length: a pasted value is cut first
    from kostra.cli._errors import USAGE_LIMIT, usage_text

    value = "y" * 100_000
    message = f"Invalid value for '--format' / '-f': '{value}' is not one of 'table', 'csv'."
    for lang in ("nb", "en"):
        said = usage_text(message, lang)
        assert len(said) < USAGE_LIMIT + 100  # rewording may add a few words
        assert "'table', 'csv'" in said
    assert "er ikke en av" in usage_text(message, "nb")
    pydantic_worded = message.replace(": '", ": Value error, '", 1)
    assert "Value error" not in usage_text(pydantic_worded, "en")


def test_main_keeps_the_same_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from kostra.cli import main

    with pytest.raises(SystemExit) as caught:
        main(["profile", "Tysfjord", "--lang", "en"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: Divtasvuodna - Tysfjord (1850) does not exist")
