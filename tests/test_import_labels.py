"""Statbank downloads with labels only: SSB's label text to ContentsCodes, region labels, the rows
that are not data, and the refusals that store nothing (issue #10.1, #13.4, #13.14)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from cli_main import run_main
from kostra.errors import InputFileError
from kostra.geography.peers import asss_members
from kostra.sources.files import read_file
from kostra.sources.labels import (
    closest_labels,
    known_contents,
    metadata_path,
    normalise_label,
    unknown_regions,
)
from kostra.warehouse import Warehouse

REAL_13502 = "data/kostra_real_fragments/13502_barnehage_andel_1_2_ar_2015_2023.xlsm"
LABEL_12 = "Andel barn 1-2 år i barnehage, i forhold til innbyggere 1-2 år (prosent)"
LABEL_15 = "Andel barn 1-5 år i barnehage, i forhold til innbyggere 1-5 år (prosent)"
YEARS = list(range(2015, 2024))


run = run_main


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))


def _stored(db: Path) -> tuple[int, int]:
    """(vintages, observations) in the warehouse; (0, 0) when it was never created."""
    if not db.exists():
        return 0, 0
    with Warehouse.open(db, read_only=True) as wh:
        return wh.vintages().height, wh.observations().height


# --------------------------------------------------------------------------- the real download


@pytest.fixture
def real_13502(shared_dir: Path) -> Path:
    path = shared_dir / REAL_13502
    if not path.is_file():
        pytest.skip(f"{REAL_13502} is not in ../shared")
    return path


def _workbook_values(path: Path) -> dict[tuple[str, int], float | str]:
    """(region label's code, year) → cell, read with openpyxl, independent of our reader."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(row for row in rows if row[1] == "2015")
    columns = {int(str(cell)): j for j, cell in enumerate(header) if cell and str(cell).isdigit()}
    cells: dict[tuple[str, int], float | str] = {}
    for row in rows:
        label = row[0]
        if not isinstance(label, str) or not label[:4].isdigit() or row[1] is None:
            continue
        code = label.split()[0]
        for year, j in columns.items():
            cells[(code, year)] = row[j]
    return cells


@pytest.mark.parametrize("table_args", [[], ["-t", "13502"]])
def test_real_13502_imports_unchanged(
    real_13502: Path, tmp_db: Path, table_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = real_13502.read_bytes()
    code, out, err = run(["import", str(real_13502), *table_args], capsys)
    assert code == 0, err
    assert real_13502.read_bytes() == before  # read, never touched
    assert "tabell 13502" in out
    with Warehouse.open(tmp_db, read_only=True) as wh:
        vintage = wh.vintages().row(0, named=True)
        stored = wh.observations()
    assert str(vintage["updated"]).startswith(
        "2024-06-17"
    )  # the "Sist endret" stamp below the data
    assert stored["contents_code"].unique().to_list() == ["KOSandel120000"]
    assert sorted(stored["year"].unique().to_list()) == YEARS
    expected = _workbook_values(real_13502)
    # every region row of the file, none of the footnotes or the time stamp "20240617 08:00"
    assert set(stored["region"].unique().to_list()) == {code for code, _ in expected}
    assert not stored.filter(pl.col("region").str.len_chars() > 5).height
    assert stored.height == len(expected)
    by_cell = {(r["region"], r["year"]): r for r in stored.iter_rows(named=True)}

    def check(code_: str, year: int) -> None:
        cell = expected[(code_, year)]
        row = by_cell[(code_, year)]
        if isinstance(cell, str):  # SSB's symbol, no number: "." the code did not exist
            assert row["value"] is None
            assert row["status"] == cell
        else:
            assert row["value"] == pytest.approx(float(cell), abs=1e-12)
            assert row["status"] is None

    # Bærum: 0219 until 2019, 3024 from 2020
    assert by_cell[("0219", 2018)]["value"] == expected[("0219", 2018)]
    assert by_cell[("3024", 2020)]["value"] == expected[("3024", 2020)]
    check("3024", 2018)
    check("0219", 2020)
    for year in (2018, 2020):
        for member in asss_members(year):
            check(member, year)
    for cell in expected:
        check(*cell)


def test_real_13502_read_file_api(real_13502: Path) -> None:
    frame, meta = read_file(real_13502)
    assert meta.table_id == "13502"
    assert meta.table_source == "file"
    assert frame.filter(pl.col("region") == "5001", pl.col("year") == 2023).height == 1
    # "5005 Namsos (2018-2019)" keeps its code; its other years carry SSB's "."
    namsos = frame.filter(pl.col("region") == "5005").sort("year")
    assert namsos.filter(pl.col("value").is_not_null())["year"].to_list() == [2018, 2019]
    assert set(namsos.filter(pl.col("value").is_null())["status"].to_list()) == {"."}


# --------------------------------------------------------------------------- label-only dialects


REGION_LABELS = {
    "0219 Bærum (-2019)": "0219",
    "5005 Namsos (2018-2019)": "5005",
    "5001 Trondheim - Tråante": "5001",
    "K-3024 Bærum": "3024",
    "EAK Landet": "EAK",
    "EKG13 KOSTRA-gruppe 13": "EKG13",
}


def _statbank_csv(path: Path, *, label: str = LABEL_15, cell: str = "81,5") -> Path:
    lines = [
        '"13502: Utvalgte nøkkeltall for barnehager, etter region, statistikkvariabel og år"',
        "",
        '"region";"statistikkvariabel";"2018";"2019"',
    ]
    for text in REGION_LABELS:
        lines.append(f'"{text}";"{label}";"{cell}";"."')
    lines += ["", '"Sist endret:"', f'"{label}:"', '"20240617 08:00"', '"Kilde:"']
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def _statbank_xlsx(path: Path, *, blank_row: bool = True) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["13502: Utvalgte nøkkeltall for barnehager, etter region, statistikkvariabel"])
    sheet.append([])
    sheet.append([None, LABEL_12])
    sheet.append([None, "2018", "2019"])
    for k, text in enumerate(REGION_LABELS):
        if blank_row and k == 3:
            sheet.append([])
        sheet.append([text, 80.5 + k, "."])
    sheet.append([])
    sheet.append(["Sist endret:"])
    sheet.append([f"{LABEL_12}:"])
    sheet.append(["20240617 08:00"])
    book.save(path)
    return path


def test_label_only_csv_maps_labels_and_skips_notes(tmp_path: Path) -> None:
    frame, meta = read_file(_statbank_csv(tmp_path / "13502.csv"))
    assert meta.table_id == "13502"
    assert meta.updated == "2024-06-17T08:00:00"
    assert frame["contents_code"].unique().to_list() == ["KOSandel150000"]
    assert set(frame["region"].to_list()) == set(REGION_LABELS.values())
    assert frame.filter(pl.col("year") == 2018)["value"].to_list() == [81.5] * 6
    assert set(frame.filter(pl.col("year") == 2019)["status"].to_list()) == {"."}


def test_label_only_xlsx_keeps_rows_after_a_blank_row(tmp_path: Path) -> None:
    frame, meta = read_file(_statbank_xlsx(tmp_path / "13502.xlsx"))
    assert meta.updated == "2024-06-17T08:00:00"
    assert frame["contents_code"].unique().to_list() == ["KOSandel120000"]
    assert set(frame["region"].to_list()) == set(REGION_LABELS.values())
    by_region = dict(frame.filter(pl.col("year") == 2018).select("region", "value").iter_rows())
    assert by_region == {code: 80.5 + k for k, code in enumerate(REGION_LABELS.values())}


def test_a_csv_converted_with_full_width_footer_rows_stores_no_time_stamp(tmp_path: Path) -> None:
    # a spreadsheet saved as CSV keeps every row as wide as the table: the footnotes and the
    # "20240617 08:00" stamp then look like data rows with empty cells
    path = tmp_path / "13502.csv"
    body = [
        '"13502: Utvalgte nøkkeltall for barnehager";;;',
        ";;;",
        '"region";"statistikkvariabel";"2018";"2019"',
        f'"0219 Bærum (-2019)";"{LABEL_12}";87,6;88,1',
        f'"K-3024 Bærum";"{LABEL_12}";.;.',
        ";;;",
        "Sist endret:;;;",
        "20240617 08:00;;;",
        "Statistisk sentralbyrå;;;",
    ]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    frame, _meta = read_file(path, table_id="13502")
    assert sorted(frame["region"].unique().to_list()) == ["0219", "3024"]
    assert frame.height == 4


# --------------------------------------------------------------------------- refusals


def test_unmatched_label_names_it_and_its_neighbours(tmp_path: Path) -> None:
    path = _statbank_csv(tmp_path / "x.csv", label="Andel barn 1-4 år i barnehage (prosent)")
    with pytest.raises(InputFileError) as caught:
        read_file(path)
    message = caught.value.message
    assert "'Andel barn 1-4 år i barnehage (prosent)'" in message
    assert "KOSandel150000" in message
    assert LABEL_15 in message
    assert "--contents" in (caught.value.hint or "")
    assert "Vis koder" in (caught.value.hint or "")


def test_contents_option_continues_and_nothing_is_stored_before(
    tmp_path: Path, tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _statbank_csv(tmp_path / "x.csv", label="Et nytt nøkkeltall (prosent)")
    code, _out, err = run(["import", str(path)], capsys)
    assert code == 2
    assert "Et nytt nøkkeltall (prosent)" in err
    assert "Traceback" not in err
    assert _stored(tmp_db) == (0, 0)
    code, _out, err = run(["import", str(path), "--contents", "KOSnytt0000"], capsys)
    assert code == 0, err
    with Warehouse.open(tmp_db, read_only=True) as wh:
        assert wh.observations()["contents_code"].unique().to_list() == ["KOSnytt0000"]
    pair = "Et nytt nøkkeltall (prosent)=KOSandet0000"
    frame, _ = read_file(path, contents=[pair])
    assert frame["contents_code"].unique().to_list() == ["KOSandet0000"]


def test_labels_of_fetched_metadata_are_used(tmp_path: Path) -> None:
    label = "Et nøkkeltall bare metadata kjenner (prosent)"
    cache = tmp_path / "fetch-cache"
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "13502: Utvalgte nøkkeltall for barnehager",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [1, 1, 1],
        "role": {"metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {"0301": 0}}},
            "ContentsCode": {
                "category": {"index": {"KOSmeta0000": 0}, "label": {"KOSmeta0000": label}}
            },
            "Tid": {"category": {"index": {"2018": 0}}},
        },
    }
    metadata_path(cache, "13502").parent.mkdir(parents=True)
    metadata_path(cache, "13502").write_text(json.dumps(document), encoding="utf-8")
    assert known_contents("13502", cache)["KOSmeta0000"] == label
    path = _statbank_csv(tmp_path / "m.csv", label=label)
    with pytest.raises(InputFileError):
        read_file(path)  # without the fetched metadata the label is unknown
    frame, _ = read_file(path, cache_dir=cache)
    assert frame["contents_code"].unique().to_list() == ["KOSmeta0000"]


def _long_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ['"region";"år";"KOSandel150000"'] + [f'"{r}";"{y}";"{v}"' for r, y, v in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (
            [("0301 Oslo", "2020", "1"), ("9876 Nowhere", "2020", "2")],
            "ukjente regionkoder '9876'",
        ),
        ([("0301 Oslo", "1850", "1")], "året 1850 er umulig"),
        ([("0301 Oslo", str(date.today().year + 2), "1")], "er umulig"),
        ([("0301 Oslo", "2020", "1e309")], "ikke er endelig"),
        ([("0301 Oslo", "2020", "-1e400")], "ikke er endelig"),
        ([("0301 Oslo", "2020", "NaN")], "ikke er endelig"),
    ],
)
def test_bad_region_year_or_number_is_refused_and_nothing_stored(
    tmp_path: Path,
    tmp_db: Path,
    capsys: pytest.CaptureFixture[str],
    rows: list[tuple[str, str, str]],
    words: str,
) -> None:
    good = _long_csv(tmp_path / "good.csv", [("0301 Oslo", "2019", "5")])
    assert run(["import", str(good), "-t", "13502"], capsys)[0] == 0
    before = _stored(tmp_db)
    bad = _long_csv(tmp_path / "bad.csv", rows)
    code, _out, err = run(["import", str(good), str(bad), "-t", "13502"], capsys)
    assert code == 2
    assert words in " ".join(err.split())
    assert "Traceback" not in err
    assert _stored(tmp_db) == before


# --------------------------------------------------------------------------- #13.14 messages


def test_a_directory_is_called_a_directory(
    tmp_path: Path, tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["import", str(tmp_path)], capsys)
    assert code == 2
    assert "er en mappe" in err
    assert "No such file" not in err
    assert _stored(tmp_db) == (0, 0)


def test_json_stat_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "13502: Utvalgte nøkkeltall for barnehager",
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [1, 1, 1],
        "role": {"metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "KOKkommuneregion0000": {"category": {"index": {"0301": 0}}},
            "ContentsCode": {"category": {"index": {"KOSandel150000": 0}}},
            "Tid": {"category": {"index": {"2020": 0}}},
        },
        "value": [92.5],
    }
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode("utf-8"))
    frame, meta = read_file(path)
    assert meta.table_id == "13502"
    assert frame["value"].to_list() == [92.5]


def test_a_broken_json_file_is_not_blamed_on_a_server(
    tmp_path: Path, tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"version": "2.0", "class": "dataset", "id": ["A"], "size": [3]}')
    code, _out, err = run(["import", str(path), "-t", "13502"], capsys)
    assert code == 2
    assert "server" not in err.casefold()
    assert _stored(tmp_db) == (0, 0)


def test_polars_internals_stay_out_of_import_errors(
    tmp_path: Path, tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quote.csv"  # an unclosed quote makes Polars suggest its own options
    path.write_text('"region";"år";"KOSx0000"\n"0301 Oslo;"2020";"1"\n', encoding="utf-8")
    code, _out, err = run(["import", str(path), "-t", "13502"], capsys)
    assert code == 2
    assert "infer_schema" not in err
    assert "truncate_ragged" not in err
    assert "quote.csv" in err
    assert _stored(tmp_db) == (0, 0)


# --------------------------------------------------------------------------- helpers


def test_normalised_labels_ignore_case_dashes_spaces_and_colon() -> None:
    assert normalise_label(" Andel barn 1–2 år  i barnehage: ") == normalise_label(
        "andel barn 1-2 år i barnehage"
    )


def test_closest_labels_rank_the_nearest_first() -> None:
    known = {"KOSandel150000": LABEL_15, "KOSutg020000": "Netto driftsutgifter (kr)"}
    assert closest_labels(LABEL_12, known, n=1) == [("KOSandel150000", LABEL_15)]


def test_region_codes_ssb_uses() -> None:
    ok = ["0301", "0219", "5005", "3024", "EAK", "EAKUO", "EKA30", "EKG13", "21-22", "Rest"]
    assert unknown_regions([*ok, "030101", "2111", "03"]) == []
    assert unknown_regions(["20240617", "9876", "EKGX", "Sist"]) == [
        "20240617",
        "9876",
        "EKGX",
        "Sist",
    ]
