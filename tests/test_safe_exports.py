"""Exports cannot attack a spreadsheet (issue 13.12): every CSV and XLSX escapes formula text.

Text from outside the project (an imported file's title, a ``--label``, names) that starts with
``= + - @``, a tab or a carriage return is written with a leading ``'`` (OWASP), through the one
function ``kostra.exports.safe_cells``; numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from kostra.cli import main
from kostra.cli._output import safe_cells

HYPERLINK = '=HYPERLINK("http://evil","klikk")'
DDE = "=cmd|' /C calc'!A0"
_UNSAFE = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^-([0-9]+([.,][0-9]+)?)?$")


def unsafe_cells(frame: pl.DataFrame) -> list[str]:
    """Text cells a spreadsheet would take for a formula (checked independently of the code)."""
    found = []
    for name, dtype in frame.schema.items():
        if dtype != pl.Utf8:
            continue
        for cell in frame.get_column(name).drop_nulls().to_list():
            if _UNSAFE.match(cell) and not _PLAIN_NUMBER.match(cell):
                found.append(cell)
    return found


def read_export(path: Path) -> list[pl.DataFrame]:
    """Every sheet of an XLSX, or the CSV, with every cell as text."""
    if path.suffix == ".xlsx":
        sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0, has_header=False)
        return list(sheets.values())
    data = path.read_bytes()
    if data.startswith("\ufeff".encode()):  # Norwegian Excel's CSV: BOM and ';'
        text = data.decode("utf-8-sig").encode()
        return [pl.read_csv(text, infer_schema=False, has_header=False, separator=";")]
    return [pl.read_csv(path, infer_schema=False, has_header=False)]


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_safe_cells_escapes_text_only() -> None:
    frame = pl.DataFrame(
        {
            "text": [HYPERLINK, DDE, "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\tx", "\rx"],
            "plain": ["Oslo", "-", "-12", "-3,5", "a=b", " =1", None],
            "number": [-1.5, -2.0, 3.0, None, -5.0, 0.0, 1.0],
        }
    ).with_columns(pl.col("plain").cast(pl.Categorical).alias("category"))
    safe = safe_cells(frame.with_columns(pl.lit(1).alias("=Oslo")))
    assert safe.columns == [*frame.columns, "'=Oslo"]
    assert safe["text"].to_list() == ["'" + cell for cell in frame["text"].to_list()]
    assert safe["plain"].to_list() == frame["plain"].to_list()
    assert safe["category"].to_list() == frame["plain"].to_list()
    assert safe["number"].to_list() == frame["number"].to_list()
    assert safe.schema["number"] == pl.Float64
    assert not unsafe_cells(safe)


@pytest.fixture
def imported(tmp_db: Path, tmp_path: Path) -> Path:
    """A warehouse holding a JSON-stat file whose title is a DDE formula, with a formula label."""
    doc = {
        "version": "2.0",
        "class": "dataset",
        "label": DDE,
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [2, 1, 1],
        "role": {"geo": ["Region"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "Region": {"category": {"index": ["0301", "3201"]}},
            "ContentsCode": {"category": {"index": ["Personer1"]}},
            "Tid": {"category": {"index": ["2024"]}},
        },
        "value": [-5, 7],
    }
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert _run(["import", str(path), "--table", "07459", "--label", HYPERLINK]) == 0
    return tmp_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("command", [["db", "vintages"], ["db", "info"]])
def test_db_exports_escape_imported_labels_and_titles(
    imported: Path, tmp_path: Path, fmt: str, command: list[str]
) -> None:
    out = tmp_path / f"out.{fmt}"
    assert _run([*command, "--format", fmt, "-o", str(out)]) == 0
    cells = [cell for sheet in read_export(out) for col in sheet.iter_columns() for cell in col]
    if command == ["db", "vintages"]:
        assert "'" + HYPERLINK in cells
    assert "'" + DDE in cells
    for sheet in read_export(out):
        assert not unsafe_cells(sheet)


@pytest.fixture
def formula_names(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Municipality and county names that start like formulas, in every command's data."""
    from kostra.geography import _data

    original = _data.municipality_years

    def poisoned() -> pl.DataFrame:
        return original().with_columns(
            ("=" + pl.col("name")).alias("name"), ("@" + pl.col("county_name")).alias("county_name")
        )

    def clear_caches() -> None:
        import sys

        for name, module in list(sys.modules.items()):
            if not name.startswith("kostra.") or module is None:
                continue
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and value is not original:
                    value.cache_clear()

    clear_caches()
    monkeypatch.setattr(_data, "municipality_years", poisoned)
    yield
    monkeypatch.undo()
    clear_caches()


COMMANDS = {
    "municipalities": ["municipalities"],
    "peers": ["peers", "0301"],
    "population": ["population", "0301"],
    "profile": ["profile", "0301", "--year", "2024"],
    "costs": ["costs", "0301", "--year", "2024"],
    "indices": ["indices", "0301", "--year", "2024"],
    "barometer": ["barometer", "--year", "2024"],
    "barometer explain": ["barometer", "explain", "0301", "--year", "2024"],
    "nokkeltall": ["nokkeltall", "0301", "--year", "2024"],
    "catalog": ["catalog"],
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(COMMANDS))
@pytest.mark.usefixtures("tmp_db", "formula_names")
def test_every_cli_export_escapes_formula_text(tmp_path: Path, name: str, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    assert _run([*COMMANDS[name], "--format", fmt, "-o", str(out)]) == 0
    sheets = read_export(out)
    for sheet in sheets:
        assert not unsafe_cells(sheet)
    text = "\n".join(str(cell) for s in sheets for col in s.iter_columns() for cell in col)
    if name not in ("catalog", "barometer explain"):  # those list no municipality names
        assert "'=" in text or "'@" in text, "the poisoned names should reach this export"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_downloads_escape_formula_text(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kostra.web import routes

    rows = [{"kommune": HYPERLINK, "tittel": DDE, "verdi": -3.5, "tekst": "-"}]
    response = routes._respond({"rows": rows, "synthetic": False, "lang": "nb"}, fmt, "x")
    body = response.body
    if fmt == "csv":
        # Norwegian Excel's CSV: a byte-order mark, ';' and a decimal comma
        text = bytes(body).decode("utf-8-sig")
        frame = pl.read_csv(text.encode(), infer_schema=False, separator=";")
        assert frame.row(0) == ("'" + HYPERLINK, "'" + DDE, "-3,5", "-")
    else:
        frame = pl.read_excel(body, infer_schema_length=0)
        assert frame.row(0)[:2] == ("'" + HYPERLINK, "'" + DDE)
    assert not unsafe_cells(frame)
