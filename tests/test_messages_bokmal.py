"""Every user error has bokmål words (issue 13.8): bokmål is the default language, so an error
raised with English text only would reach a Norwegian user in English.

The source is read with ``ast``: each construction of :class:`~kostra.errors.KostraError` or a
subclass must pass ``nb=`` (and ``hint_nb=`` beside ``hint=``), or choose its words by the
language itself (``… if lang == "nb" else …``, ``in_lang(…)``), or be one of the subclasses that
write both languages in their own ``__init__``. A few CLI runs in the default language check
what a user really reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kostra.cli import main

SRC = Path(__file__).resolve().parents[1] / "src" / "kostra"

# Constructions allowed to stay English only, each with its reason. Keep it short.
EXCEPTIONS: dict[str, str] = {
    # pydantic's own words for a bad query parameter, shown under the page's bokmål title
    "kostra/web/app.py": "RequestValidationError detail",
}


def _error_classes(trees: dict[Path, ast.Module]) -> tuple[set[str], set[str]]:
    """(names of KostraError and its subclasses, those that write both languages themselves:
    their ``__init__`` takes no ``message``)."""
    bases: dict[str, list[str]] = {}
    inits: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        # keyword-only words (message=say(…)) replace the class's own
                        inits[node.name] = [a.arg for a in item.args.args]
    errors = {"KostraError"}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name not in errors and errors.intersection(parents):
                errors.add(name)
                changed = True
    bilingual = {name for name in errors if name in inits and "message" not in inits[name]}
    return errors, bilingual


_PICKERS = ("in_lang", "_t")
"""Functions that return the words of the language at hand (``in_lang``, a command's ``_t``)."""


def _chooses_language(node: ast.expr | None) -> bool:
    """Words picked by the language at hand: ``a if lang == "nb" else b``, ``in_lang(…)``."""
    if node is None:
        return False
    if _in_every_language(node):
        return True
    for part in ast.walk(node):
        if isinstance(part, ast.IfExp) and "lang" in ast.unparse(part.test):
            return True
        if isinstance(part, ast.Call) and ast.unparse(part.func).split(".")[-1] in _PICKERS:
            return True
        if isinstance(part, ast.Call) and _looks_up_in_lang(part):
            return True
    return False


_SAYERS = ("say", "say_plural")
"""Catalog messages in every language at once (:mod:`kostra.i18n.said`)."""


def _in_every_language(node: ast.expr) -> bool:
    """``say("error.…", …)``, or a choice between such messages."""
    if isinstance(node, ast.IfExp):
        return _in_every_language(node.body) and _in_every_language(node.orelse)
    return isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in _SAYERS


_LOOKUPS = ("text", "plural")
"""Catalog lookups (:mod:`kostra.i18n`): in the language they are given."""


def _looks_up_in_lang(call: ast.Call) -> bool:
    """A catalog message in the language at hand: ``text("key", lang, …)``."""
    if ast.unparse(call.func).split(".")[-1] not in _LOOKUPS:
        return False
    return any(isinstance(a, ast.Name) and "lang" in a.id for a in call.args)


def _has_bokmal(call: ast.Call) -> bool:
    """The construction gives bokmål words for its message and for its hint, if any."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    message = call.args[0] if call.args else keywords.get("message")
    message_ok = "nb" in keywords or _chooses_language(message)
    hint = keywords.get("hint")
    hint_ok = (
        hint is None
        or (isinstance(hint, ast.Constant) and hint.value is None)
        or "hint_nb" in keywords
        or _chooses_language(hint)
        # a hint built beforehand, beside a message that picks its language the same way
        or (isinstance(hint, ast.Name) and _chooses_language(message))
    )
    return message_ok and hint_ok


def english_only_errors() -> list[str]:
    """``path:line Class`` of each error constructed without bokmål words."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SRC.rglob("*.py")}
    errors, bilingual = _error_classes(trees)
    found: list[str] = []
    for path, tree in sorted(trees.items()):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in errors or name in bilingual:
                continue
            bokmal = _has_bokmal(node)
            where = f"{path.relative_to(SRC.parent)}:{node.lineno} {name}"
            if not bokmal and str(path.relative_to(SRC.parent)) not in EXCEPTIONS:
                found.append(where)
    return found


def test_every_user_error_has_bokmal_words() -> None:
    assert english_only_errors() == []


def test_the_scan_tells_english_only_from_bilingual() -> None:
    cases = {
        "KostraError('x', hint='y')": False,
        "KostraError('x')": False,
        "KostraError('x', nb='x', hint='y')": False,
        "KostraError('x', nb='x')": True,
        "KostraError('x', nb='x', hint='y', hint_nb='y')": True,
        "KostraError('a' if lang == 'nb' else 'b', hint=None)": True,
        "KostraError(in_lang('a', 'b') + name, hint=hint)": True,
        "KostraError('a' + name, hint=hint)": False,
        "KostraError(text('key', lang), hint=text('key_hint', lang))": True,
        "KostraError(plural('key', n, lang), hint=text('key_hint', 'en'))": False,
        "KostraError(text('key', 'en'))": False,
        "KostraError(say('error.key', n=1), hint=say('error.key.hint'))": True,
        "KostraError(say('error.a') if n else say('error.b'))": True,
        "KostraError(say('error.a'), hint='English only')": False,
    }
    for source, expected in cases.items():
        call = ast.parse(source, mode="eval").body
        assert isinstance(call, ast.Call)
        assert _has_bokmal(call) is expected, source


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def nb_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KOSTRA_LANG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KOSTRA_DB", str(tmp_path / "k.duckdb"))
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def test_import_of_an_unknown_label_answers_in_bokmal(
    nb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = nb_home / "ukjent.csv"
    path.write_text("region;år;Noe helt ukjent\n0301 Oslo;2020;5\n", encoding="utf-8")
    code, text = _run(["import", str(path), "-t", "12362"], capsys)
    assert code == 2
    assert "innholdsetiketten 'Noe helt ukjent' er ikke blant SSBs etiketter" in text
    assert "Ingenting ble lagret" in text
    assert "Oppgi koden" in text
    assert "is not one of" not in text


def test_a_broken_xlsx_is_one_clean_line_without_its_path(
    nb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 13.14: fastexcel's own text carried the absolute path and its internals
    path = nb_home / "ødelagt.xlsx"
    path.write_bytes(b"PK\x03\x04 not a workbook")
    code, text = _run(["import", str(path)], capsys)
    assert code == 2
    assert text.splitlines()[0] == (
        "Feil: ødelagt.xlsx kunne ikke leses som en Excel-arbeidsbok (.xlsx)."
    )
    assert str(nb_home) not in text
    code, text = _run(["--lang", "en", "import", str(path)], capsys)
    assert code == 2
    assert (
        text.splitlines()[0]
        == "Error: ødelagt.xlsx could not be read as an Excel workbook (.xlsx)."
    )
    assert str(nb_home) not in text


def test_fetch_with_a_bad_base_url_answers_in_bokmal(
    nb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(["fetch", "--tables", "07459", "--base-url", "ftp://eksempel/api"], capsys)
    assert code == 2
    assert text.startswith("Feil: Ikke en brukbar API-adresse: 'ftp://eksempel/api'")
    assert "Lokale filer leses inn med `kostra import FIL`" in text
    assert "Not a usable" not in text


def test_fetch_with_bad_table_ids_answers_in_bokmal(
    nb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(["fetch", "--tables", "abc"], capsys)
    assert code == 2
    assert "Ikke tabellnumre i statistikkbanken" in text
    assert "fem sifre" in text


def test_catalog_verify_offline_with_nothing_cached_answers_in_bokmal(
    nb_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _run(["catalog", "verify", "--offline"], capsys)
    assert code == 0
    assert "ikke kontrollert" in text
    assert "Uten nett" in text
    assert "not checked" not in text
