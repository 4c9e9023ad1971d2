"""Excel that opens right (issue #15.1): CSV as Norwegian Excel reads it (``;``, decimal
comma, BOM) or plain, and XLSX with typed cells, readable sheet names, a frozen header row, a
filter and a number format per unit."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from kostra.cli import main
from kostra.exports import (
    BOM,
    CsvStyle,
    csv_bytes,
    number_format,
    rounded,
    sheet_name,
    xlsx_bytes,
)


@pytest.fixture(autouse=True)
def default_csv_style(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's own default CSV style (conftest's ``plain_csv`` sets plain for other tests)."""
    monkeypatch.delenv("KOSTRA_CSV_STYLE", raising=False)


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def read_as_norwegian_excel(data: bytes) -> list[dict[str, object]]:
    """A CSV read as Excel with Norwegian regional settings reads a double-clicked file: UTF-8
    by its BOM, ';' between fields, a field like "-1234,5" a number, anything else text."""
    assert data.startswith(BOM.encode("utf-8")), "no BOM: Excel would guess the encoding"
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    out = []
    for row in rows:
        out.append(
            {
                name: float(cell.replace(",", "."))
                if re.fullmatch(r"-?[0-9]+(,[0-9]+)?", cell)
                else cell
                for name, cell in row.items()
            }
        )
    return out


# -- the writer ---------------------------------------------------------------------------------


def test_sheet_names_are_what_excel_accepts() -> None:
    used: set[str] = set()
    assert sheet_name("Vann, avløp og renovasjon", used) == "Vann, avløp og renovasjon"
    assert sheet_name("a/b [c]: d*e?f\\g", used) == "a b c d e f g"
    long = sheet_name("Netto driftsutgifter per innbygger til pleie og omsorg", used)
    assert long == "Netto driftsutgifter per"  # cut where a word ends
    assert sheet_name("Primary and lower secondary school") == "Primary and lower secondary"
    assert len(sheet_name("x" * 40)) == 31
    again = sheet_name("Netto driftsutgifter per innbygger til pleie og omsorg", used)
    assert again != long
    assert len(again) <= 31
    assert sheet_name("VANN, AVLØP OG RENOVASJON", used) != "VANN, AVLØP OG RENOVASJON"
    assert sheet_name("'History'") != "History"
    assert sheet_name("") == "kostra"


def test_rounding_follows_the_unit() -> None:
    frame = pl.DataFrame(
        {
            "enhet": ["kr", "prosent", "antall", "kr"],
            "verdi": [5398.396772390033, 45.3456, 0.0123456, -12.7],
            "behovsindeks": [1.02345, 0.98766, 1.0, 1.12],
            "endring %": [1.2345, -0.06, 10.0, None],
            "NDU per innb.": [5398.4, 12.7, 1000.4, 1.6],
        }
    )
    out = rounded(frame)
    assert out["verdi"].to_list() == [5398.0, 45.3, 0.0123456, -13.0]
    assert out["behovsindeks"].to_list() == [1.02345, 0.98766, 1.0, 1.12]
    noise = rounded(pl.DataFrame({"x": [5398.396772390033, 0.123456789]}))["x"].to_list()
    assert noise == [5398.397, 0.1234568]  # seven significant digits
    assert out["endring %"].to_list() == [1.2, -0.1, 10.0, None]
    assert out["NDU per innb."].to_list() == [5398.0, 13.0, 1000.0, 2.0]


def test_csv_styles() -> None:
    frame = pl.DataFrame({"navn": ["Bærum", "=1+1"], "verdi": [-123.4, 2.0], "år": [2024, 2025]})
    excel = csv_bytes(frame, CsvStyle.EXCEL)
    assert excel.decode("utf-8").splitlines() == [
        "\ufeffnavn;verdi;år",
        "Bærum;-123,4;2024",
        "'=1+1;2;2025",
    ]
    plain = csv_bytes(frame, CsvStyle.PLAIN).decode("utf-8")
    assert plain.splitlines() == ["navn,verdi,år", "Bærum,-123.4,2024", "'=1+1,2,2025"]


def test_number_formats_per_unit() -> None:
    assert number_format("år", pl.Series([2024, 2025])) == "0"
    assert number_format("year", pl.Series([2024.0])) == "0"
    assert number_format("innbyggere", pl.Series([1234, 5])) == "#,##0"
    assert number_format("netto driftsutgifter (kr)", pl.Series([5398.0])) == "#,##0"
    assert number_format("endring %", pl.Series([1.2])) == "#,##0.0"
    assert number_format("behovsindeks", pl.Series([1.023, 0.988])) == "#,##0.000"
    assert number_format("kommune", pl.Series(["Oslo"])) is None


# -- the CLI ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_xlsx(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("xlsx") / "profil.xlsx"
    assert _run(["profile", "Bærum", "--year", "2024", "-f", "xlsx", "-o", str(out)]) == 0
    return openpyxl.load_workbook(out)


def test_xlsx_sheets_are_named_by_sector_names(profile_xlsx: openpyxl.Workbook) -> None:
    names = profile_xlsx.sheetnames
    assert names[0] == "Om"
    assert "Miljø og ressurser" in names
    assert "Pleie og omsorg" in names
    for name in names:
        assert len(name) <= 31
        assert "_" not in name
        assert not re.search(r"[\[\]:*?/\\]", name)


def test_xlsx_header_frozen_filtered_and_typed(profile_xlsx: openpyxl.Workbook) -> None:
    sheet = profile_xlsx["Barnehage"]
    assert sheet.freeze_panes == "A2"
    tables = list(sheet.tables.values())
    assert len(tables) == 1
    assert tables[0].autoFilter is not None
    assert tables[0].autoFilter.ref == tables[0].ref
    assert tables[0].ref.startswith("A1:")
    header = [cell.value for cell in sheet[1]]
    column = {name: index for index, name in enumerate(header)}
    first = next(iter(sheet.iter_rows(min_row=2, max_row=2)))
    year = first[column["år"]]
    assert year.value == 2024
    assert year.data_type == "n"
    assert year.number_format == "0"  # 2024, not 2 024
    code = first[column["kommunenr"]]
    assert code.value == "3201"
    assert code.data_type == "s"  # a code is text: "0301" keeps its zero
    value = first[column["verdi"]]
    assert value.data_type == "n"
    assert value.value == round(value.value)  # kroner per inhabitant: whole kroner
    assert first[column["endring %"]].number_format == "#,##0.0"
    assert first[column["plass"]].number_format == "#,##0"
    # widths fitted to the content: the name column is wider than the code column
    letter = openpyxl.utils.get_column_letter
    widths = sheet.column_dimensions
    assert widths[letter(column["nøkkeltall"] + 1)].width > widths[letter(column["år"] + 1)].width


def test_costs_xlsx_formats_kroner_and_need_index(tmp_path: Path) -> None:
    out = tmp_path / "utgifter.xlsx"
    assert _run(["costs", "Bærum", "--year", "2024", "-f", "xlsx", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    sheet = book["Administrasjon"]
    header = [cell.value for cell in sheet[1]]
    formats = {h: sheet.cell(row=2, column=i + 1).number_format for i, h in enumerate(header)}
    assert formats["NDU per innb."] == "#,##0"
    assert formats["netto driftsutgifter (kr)"] == "#,##0"
    assert formats["behovsindeks"] == "#,##0.000"
    assert formats["år"] == "0"
    assert formats["behovsår"] == "0"


def test_csv_reads_right_in_norwegian_excel(tmp_path: Path) -> None:
    out = tmp_path / "utgifter.csv"
    assert _run(["costs", "Bærum", "--year", "2024", "-f", "csv", "-o", str(out)]) == 0
    rows = read_as_norwegian_excel(out.read_bytes())
    as_json = tmp_path / "utgifter.json"
    assert _run(["costs", "Bærum", "--year", "2024", "-f", "json", "-o", str(as_json)]) == 0
    exact = json.loads(as_json.read_text(encoding="utf-8"))
    assert len(rows) == len(exact)
    for got, want in zip(rows, exact, strict=True):
        # Excel reads a code as a number (0301 -> 301), as with any CSV: the XLSX keeps it
        assert got["kommunenr"] == float(want["kommunenr"])
        assert got["år"] == want["år"]
        assert got["innbyggere"] == want["innbyggere"]
        if want["NDU per innb."] is not None:
            # whole kroner, the same figure
            assert got["NDU per innb."] == round(want["NDU per innb."])
        if want["behovsindeks"] is not None:
            assert got["behovsindeks"] == pytest.approx(want["behovsindeks"], abs=5e-4)
            assert isinstance(got["behovsindeks"], float)


def test_plain_csv_on_request_and_in_english(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    argv = ["costs", "Bærum", "--year", "2024", "-f", "csv", "-o", str(plain)]
    assert _run([*argv, "--csv-style", "plain"]) == 0
    data = plain.read_bytes()
    assert not data.startswith(BOM.encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert float(rows[0]["behovsindeks"]) > 0  # a decimal point
    english = tmp_path / "english.csv"
    assert _run(["--lang", "en", *argv[:-1], str(english)]) == 0
    assert not english.read_bytes().startswith(BOM.encode())
    assert english.read_text(encoding="utf-8").startswith("sector,code,")
    excel = tmp_path / "excel.csv"
    assert _run(["--lang", "en", "--csv-style", "excel", *argv[:-1], str(excel)]) == 0
    assert excel.read_bytes().startswith(BOM.encode())


def test_an_unknown_csv_style_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["municipalities", "--year", "2024", "-f", "csv", "--csv-style", "semi"]) == 2
    err = capsys.readouterr().err
    assert "velg excel eller plain" in err


def test_xlsx_bytes_has_an_about_sheet_and_safe_cells() -> None:
    frame = pl.DataFrame({"kommune": ["=HYPERLINK(1)"], "verdi": [1.5], "år": [2024]})
    data = xlsx_bytes([("Pleie og omsorg", frame)], about=["⚠ Eksempeldata", "=1+1"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Om", "Pleie og omsorg"]
    assert book["Om"]["A2"].value == "=1+1"
    assert book["Om"]["A2"].data_type == "s"  # text, not a formula
    assert book["Pleie og omsorg"]["A2"].value == "'=HYPERLINK(1)"
