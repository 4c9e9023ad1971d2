"""Every user error's words come from the catalogs (issues 13.8 and 15): bokmål is the default
language and a quarter of the municipalities write nynorsk, so an error raised with English text,
or with bokmål beside it, would reach those users in the wrong language.

The source is read with ``ast``: each construction of :class:`~kostra.errors.KostraError` or a
subclass must pass its message and hint as catalog messages (``say("error.…")``, an inner
error's ``.words()``), or be one of the subclasses that build their words in their own
``__init__``. A few CLI runs in the default language check what a user really reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cli_main import run_main

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


_SAYERS = ("say", "say_plural")
"""Catalog messages in every language at once (:mod:`kostra.i18n.said`)."""
_WRAPPED = ("words", "hint_words")
"""An inner error's words in every language (:meth:`kostra.errors.KostraError.words`)."""


def _from_the_catalogs(node: ast.expr | None) -> bool:
    """Words in every language: ``say("error.…", …)``, a choice between such messages, an inner
    error's ``.words()``, or words built beforehand (a name); no hint at all."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return True
    if isinstance(node, ast.IfExp):
        return _from_the_catalogs(node.body) and _from_the_catalogs(node.orelse)
    if isinstance(node, ast.Call):
        return ast.unparse(node.func).split(".")[-1] in (*_SAYERS, *_WRAPPED)
    return isinstance(node, ast.Name)


def _in_catalogs(call: ast.Call) -> bool:
    """The construction takes its message and hint from the catalogs: no English literal, no
    f-string, no bokmål written beside it (``nb=``/``hint_nb=``, which KostraError no longer
    takes)."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if "nb" in keywords or "hint_nb" in keywords:
        return False
    message = call.args[0] if call.args else keywords.get("message")
    return _from_the_catalogs(message) and _from_the_catalogs(keywords.get("hint"))


def errors_outside_catalogs() -> list[str]:
    """``path:line Class`` of each error whose words are not catalog messages."""
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
            bokmal = _in_catalogs(node)
            where = f"{path.relative_to(SRC.parent)}:{node.lineno} {name}"
            if not bokmal and str(path.relative_to(SRC.parent)) not in EXCEPTIONS:
                found.append(where)
    return found


def test_every_user_error_is_in_the_catalogs() -> None:
    assert errors_outside_catalogs() == []


def test_the_scan_tells_catalog_words_from_written_ones() -> None:
    cases = {
        "KostraError('x', hint='y')": False,
        "KostraError('x')": False,
        "KostraError(f'x {y}')": False,
        "KostraError('x', nb='x')": False,
        "KostraError(say('error.key', n=1), hint=say('error.key.hint'))": True,
        "KostraError(say('error.a') if n else say('error.b'))": True,
        "KostraError(say_plural('error.a', n, printed), hint=hint)": True,
        "KostraError(say('error.a'), hint='English only')": False,
        "KostraError(say('error.a', error=inner.words()), hint=inner.hint_words())": True,
        "KostraError(text('key', lang))": False,
    }
    for source, expected in cases.items():
        call = ast.parse(source, mode="eval").body
        assert isinstance(call, ast.Call)
        assert _in_catalogs(call) is expected, source


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, err = run_main(argv, capsys)
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
