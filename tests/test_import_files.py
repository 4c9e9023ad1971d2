"""Reading statbank downloads: the real raw exports, CSV dialects, XLSX, PX and JSON-stat."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from kostra.errors import InputFileError
from kostra.frames import OBSERVATION_SCHEMA
from kostra.sources.files import parse_px, read_file

EXPORTS = {
    # file: (rows, regions, years, encoding)
    "Personer2005-2009.csv": (252_280, 476, list(range(2005, 2010)), "iso-8859-1"),
    "Personer2010-2014.csv": (252_280, 476, list(range(2010, 2015)), "iso-8859-1"),
    "Personer2015-2018.csv": (201_824, 476, list(range(2015, 2019)), "iso-8859-1"),
    "Personer2019.csv": (44_838, 423, [2019], "utf-8"),
    "Personer2020.csv": (38_054, 359, [2020], "iso-8859-1"),
    "Personer2021.csv": (38_054, 359, [2021], "iso-8859-1"),
    "Personer2022.csv": (38_054, 359, [2022], "iso-8859-1"),
    "Personer2023.csv": (38_054, 359, [2023], "iso-8859-1"),
}


@pytest.fixture(scope="module")
def reference_population(shared_dir: Path) -> pl.DataFrame:
    """Total population by municipality and year from the clean reference file."""
    ref = pl.read_parquet(shared_dir / "data/reference/population_by_age_sex_2005_2026.parquet")
    return (
        ref.filter((pl.col("granularity_geo") == "municip") & (pl.col("sex") == "total"))
        .group_by("code", "calyear")
        .agg(pl.col("pop_jan1_n").sum())
    )


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_real_statbank_exports(
    shared_dir: Path, reference_population: pl.DataFrame, name: str
) -> None:
    rows, regions, years, encoding = EXPORTS[name]
    frame, meta = read_file(shared_dir / "data/ssb_statbank_exports" / name)
    assert frame.schema == pl.Schema(OBSERVATION_SCHEMA)
    assert frame.height == meta.n_rows == rows
    assert frame["region"].n_unique() == regions
    assert sorted(frame["year"].unique().to_list()) == years
    assert meta.table_id == "07459"
    assert meta.encoding == encoding
    assert set(frame["table_id"]) == {"07459"}
    assert set(frame["contents_code"]) == {"Personer1"}
    # 106 single-year ages, coded as SSB does: 000 … 104 and 105+ for "105 years or older"
    ages = sorted(frame["dims"].unique().to_list())
    assert len(ages) == 106
    assert ages[0] == "Alder=000"
    assert ages[-1] == "Alder=105+"
    assert "Alder=017" in ages
    # codes are strings with their leading zeros; no "K-" prefixes and no labels
    assert frame["region"].str.contains(r"^(\d{4}|21-22|23|Rest)$").all()
    assert frame["value"].null_count() == 0
    assert frame["status"].null_count() == frame.height
    if years[0] < 2020:
        assert "0301" in set(frame["region"])
        halden = frame.filter((pl.col("region") == "0101") & (pl.col("dims") == "Alder=000")).sort(
            "year"
        )
        assert halden["value"][0] == {2005: 314, 2010: 308, 2015: 306, 2019: 245}[years[0]]
    else:
        assert {"0301", "3001", "3024"} <= set(frame["region"])
        assert not frame["region"].str.starts_with("K-").any()
    # Oslo never changed its borders: its totals equal the reference population
    oslo = (
        frame.filter(pl.col("region") == "0301")
        .group_by("year")
        .agg(pl.col("value").sum())
        .join(
            reference_population.filter(pl.col("code") == "0301"),
            left_on="year",
            right_on=pl.col("calyear").cast(pl.Int32),
        )
    )
    assert oslo.height == len(years)
    assert (oslo["value"] == oslo["pop_jan1_n"]).all()


def test_bærum_keeps_its_own_code_each_year(shared_dir: Path) -> None:
    exports = shared_dir / "data/ssb_statbank_exports"
    old, _ = read_file(exports / "Personer2019.csv")
    new, _ = read_file(exports / "Personer2020.csv")
    assert old.filter(pl.col("region") == "0219")["value"].sum() == 126_841
    assert new.filter(pl.col("region") == "3024").height == 106
    assert old.filter(pl.col("region") == "3024").is_empty()


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_latin1_crlf_with_symbols_and_decimal_comma(tmp_path: Path) -> None:
    text = (
        '"12362: Netto driftsutgifter, konsern"\r\n\r\n'
        '"region";"statistikkvariabel";"2022";"2023"\r\n'
        '"0219 Bærum";"KOSbelop0000";"12,5";".."\r\n'
        '"K-3024 Bærum";"KOSbelop0000";":";"1 234,75"\r\n'
        '"EAK Landet";"KOSbelop0000";"-";"7"\r\n'
        "\r\n"
        '"Symbolforklaring: .. = tall mangler"\r\n'
    )
    frame, meta = read_file(_write(tmp_path, "kostra.csv", text, "iso-8859-1"))
    assert meta.table_id == "12362"
    assert meta.title == "Netto driftsutgifter, konsern"
    assert meta.encoding == "iso-8859-1"
    assert meta.table_source == "file"
    assert any("footnote" in note for note in meta.notes)
    rows = {(r["region"], r["year"]): (r["value"], r["status"]) for r in frame.to_dicts()}
    assert rows == {
        ("0219", 2022): (12.5, None),
        ("0219", 2023): (None, ".."),
        ("3024", 2022): (None, ":"),
        ("3024", 2023): (1234.75, None),
        ("EAK", 2022): (None, "-"),
        ("EAK", 2023): (7.0, None),
    }
    assert set(frame["contents_code"]) == {"KOSbelop0000"}
    assert set(frame["dims"]) == {""}


def test_utf8_bom_and_year_first_headers(tmp_path: Path) -> None:
    text = (
        "\ufeffregion\talder\t2019 Personer\t2020 Personer\n0301 Oslo\t105 år eller eldre\t3\t4\n"
    )
    frame, meta = read_file(_write(tmp_path, "p.txt", text))
    assert meta.encoding == "utf-8-sig"
    assert meta.table_id == "07459"
    assert meta.table_source == "heuristic"
    assert frame.select("region", "year", "dims", "value").rows() == [
        ("0301", 2019, "Alder=105+", 3.0),
        ("0301", 2020, "Alder=105+", 4.0),
    ]


def test_long_layout_with_a_title_header_as_value_column(tmp_path: Path) -> None:
    text = (
        '"region","alder","år","statistikkvariabel","07459: Befolkning, etter region"\n'
        '"0301 Oslo","0 år","2024","Personer","8000"\n'
        '"0301 Oslo","1 år","2024","Personer","7800"\n'
    )
    frame, meta = read_file(_write(tmp_path, "long.csv", text))
    assert meta.table_id == "07459"
    assert frame.select("contents_code", "region", "year", "dims", "value").rows() == [
        ("Personer1", "0301", 2024, "Alder=000", 8000.0),
        ("Personer1", "0301", 2024, "Alder=001", 7800.0),
    ]


def test_codes_and_texts_dialect_of_the_api(tmp_path: Path) -> None:
    text = (
        '"Region - region";"Kjonn - kjønn";"Tid - år";"Personer1 - Personer"\r\n'
        '"3201 - Bærum";"1 - Menn";"2024 - 2024";64000\r\n'
        '"3201 - Bærum";"2 - Kvinner";"2024 - 2024";65000\r\n'
    )
    frame, meta = read_file(_write(tmp_path, "api.csv", text), table_id="06913")
    assert meta.table_source == "argument"
    assert frame.select("table_id", "contents_code", "region", "dims", "value").rows() == [
        ("06913", "Personer1", "3201", "Kjonn=1", 64000.0),
        ("06913", "Personer1", "3201", "Kjonn=2", 65000.0),
    ]


def test_api_csv_with_weeks_is_not_annual(shared_dir: Path) -> None:
    path = shared_dir / "reference/pxwebapi/examples/ssb-v2-notebooks/03024_data_GET_lang-no.csv"
    with pytest.raises(InputFileError, match=r"'2025U\d\d - 2025U\d\d' are not years"):
        read_file(path, table_id="03024")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("region;2020\n", "no data rows"),
        ("kommune;Persons 2020\nOslo;3\n", "no code in labels such as 'Oslo'"),
        ("alder;Persons 2020\n0 år;3\n", "no region column"),
        (
            "region;alder;Persons 2020\n0301 Oslo;0 år;tre\n",
            "1 cell is neither a number nor an SSB symbol",
        ),
        ("region;alder;verdi\n0301 Oslo;0 år;3\n", "no year"),
        ("region;Netto 2020\n0301 Oslo;3\n", "does not say which SSB table"),
        ("region;alder;Persons 2020\n0301 Oslo;0 år;3\n0301 Oslo;0 years;4\n", "repeat a cell"),
        ("just some text\n", "title but no table"),
    ],
)
def test_malformed_csv_says_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputFileError, match=message):
        read_file(_write(tmp_path, "bad.csv", text))


def test_table_id_argument_is_checked(tmp_path: Path) -> None:
    path = _write(tmp_path, "p.csv", "region;alder;Persons 2020\n0301 Oslo;0 år;3\n")
    with pytest.raises(InputFileError, match="not an SSB table id"):
        read_file(path, table_id="7459")
    with pytest.raises(InputFileError, match="No such file"):
        read_file(tmp_path / "missing.csv")


# --------------------------------------------------------------------------- XLSX


def _excel(path: Path, rows: list[list[object]]) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("07459")
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is not None:
                sheet.write(i, j, cell)
    workbook.close()
    return path


def test_statbank_excel_layout_matches_the_csv(shared_dir: Path, tmp_path: Path) -> None:
    csv_frame, _ = read_file(shared_dir / "data/ssb_statbank_exports/Personer2015-2018.csv")
    part = csv_frame.filter(pl.col("region").is_in(["0101", "0219"])).sort("region", "dims")
    wide = part.pivot(on="year", index=["region", "dims"], values="value").sort("region", "dims")
    names = {"0101": "Halden", "0219": "Bærum"}
    rows: list[list[object]] = [
        ["07459: Befolkning, etter region, alder, statistikkvariabel og år"],
        [],
        [None, None, "Personer"],
        [None, None, "2015", "2016", "2017", "2018"],
    ]
    previous = None
    for record in wide.iter_rows(named=True):
        region = record["region"]
        age = int(record["dims"].removeprefix("Alder=").rstrip("+"))
        label = f"{age} år" + (" eller eldre" if record["dims"].endswith("+") else "")
        rows.append(
            [
                None if region == previous else f"{region} {names[region]}",
                label,
                *(record[str(y)] for y in range(2015, 2019)),
            ]
        )
        previous = region
    rows += [[], ["Kilde: Statistisk sentralbyrå"]]
    frame, meta = read_file(_excel(tmp_path / "07459.xlsx", rows))
    assert meta.format == "xlsx"
    assert meta.table_id == "07459"
    assert meta.table_source == "file"
    assert frame.sort("region", "dims", "year").equals(part.sort("region", "dims", "year"))


def test_simple_long_excel(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["region", "statistikkvariabel", "år", "verdi"],
        ["0301", "KOSbelop0000", "2023", 10.5],
        ["0301", "KOSbelop0000", "2024", ".."],
        ["EKG13", "KOSbelop0000", "2024", 9],
    ]
    frame, meta = read_file(_excel(tmp_path / "long.xlsx", rows), table_id="12362")
    assert meta.table_source == "argument"
    assert frame.select("region", "year", "value", "status").rows() == [
        ("0301", 2023, 10.5, None),
        ("0301", 2024, None, ".."),
        ("EKG13", 2024, 9.0, None),
    ]


def test_a_broken_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError, match="Excel"):
        read_file(path)


# --------------------------------------------------------------------------- PX


def test_real_px_file_parses(shared_dir: Path) -> None:
    path = shared_dir / "reference/pxwebapi/examples/pxwebapi-server-expected/tab4_fewcells.px"
    px = parse_px(path.read_bytes())
    assert px.encoding == "utf-8"  # says iso-8859-1 in CODEPAGE, but the bytes are UTF-8
    assert px.variable_ids == {
        "sector": "SECTOR",
        "greenhouse gas": "GREENHOUSEGAS",
        "contents": "ContentsCode",
        "year": "TIME",
    }
    assert px.frame.rows() == [("7.0", "CO2", "Emission", "2017", 445.0, None)]
    assert px.keyword("MATRIX") == "TAB004"
    assert px.keyword("LAST-UPDATED", "Substance") == "20230525 15:42"
    assert px.keyword("CONTACT", "Substance").startswith("Test Testsson, SCB")  # type: ignore[union-attr]
    # a table without regions cannot become observations, and the error says so
    with pytest.raises(InputFileError, match="no region"):
        read_file(path, table_id="00004")


PX_07459 = """CHARSET="ANSI";
AXIS-VERSION="2010";
CODEPAGE="iso-8859-1";
LANGUAGE="no";
MATRIX="07459";
TITLE="Befolkning, etter region, alder, statistikkvariabel og år. Lang tittel som "
"fortsetter på neste linje";
CONTENTS="Befolkning";
STUB="region","alder";
HEADING="statistikkvariabel","år";
CONTVARIABLE="statistikkvariabel";
VARIABLECODE("region")="Region";
VALUES("region")="Halden","Bærum";
CODES("region")="3001","3024";
VARIABLECODE("alder")="Alder";
VALUES("alder")="0 år","105 år eller eldre";
CODES("alder")="000","105+";
VARIABLECODE("statistikkvariabel")="ContentsCode";
VALUES("statistikkvariabel")="Personer";
CODES("statistikkvariabel")="Personer1";
VARIABLECODE("år")="Tid";
VALUES("år")="2023","2024";
TIMEVAL("år")=TLIST(A1),"2023","2024";
DATASYMBOL3="...";
LAST-UPDATED("Personer")="20240221 08:00";
TITLE[en]="Population";
DATA=
236 240
".." 2
1250 "-"
":" 30 ;
"""


def test_px_with_codes_symbols_and_continued_strings(tmp_path: Path) -> None:
    path = _write(tmp_path, "07459.px", PX_07459, "iso-8859-1")
    frame, meta = read_file(path)
    assert meta.format == "px"
    assert meta.table_id == "07459"
    assert meta.encoding == "iso-8859-1"
    assert meta.title is not None
    assert meta.title.endswith("fortsetter på neste linje")
    assert meta.updated == "2024-02-21T08:00:00"
    assert frame.select("region", "year", "dims", "value", "status").rows() == [
        ("3001", 2023, "Alder=000", 236.0, None),
        ("3001", 2024, "Alder=000", 240.0, None),
        ("3001", 2023, "Alder=105+", None, ".."),
        ("3001", 2024, "Alder=105+", 2.0, None),
        ("3024", 2023, "Alder=000", 1250.0, None),
        ("3024", 2024, "Alder=000", None, "-"),
        ("3024", 2023, "Alder=105+", None, ":"),
        ("3024", 2024, "Alder=105+", 30.0, None),
    ]
    assert set(frame["contents_code"]) == {"Personer1"}


def test_px_keys_rows(tmp_path: Path) -> None:
    text = PX_07459.replace(
        'VARIABLECODE("alder")',
        'KEYS("region")=VALUES;\nKEYS("alder")=CODES;\nVARIABLECODE("alder")',
    )
    data_at = text.index("DATA=")
    text = text[:data_at] + 'DATA=\n"Bærum","105+",":",30\n"Halden","000",236,240;\n'
    frame, _ = read_file(_write(tmp_path, "keys.px", text, "iso-8859-1"))
    assert frame.select("region", "year", "dims", "value", "status").rows() == [
        ("3024", 2023, "Alder=105+", None, ":"),
        ("3024", 2024, "Alder=105+", 30.0, None),
        ("3001", 2023, "Alder=000", 236.0, None),
        ("3001", 2024, "Alder=000", 240.0, None),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace('":" 30 ;', ";"), "DATA has 6 cells"),
        (lambda t: t.replace("DATA=", "DOTA="), "no DATA"),
        (lambda t: t.replace("1250", "mange"), "1 DATA cell is neither a number nor a data symbol"),
        (lambda t: t.replace('CODES("region")="3001","3024";', 'CODES("region")="3001";'), "CODES"),
        (
            lambda t: t.replace(
                'VALUES("år")="2023","2024"', 'VALUES("år")="2023K1","2023K2"'
            ).replace('"2023","2024";', '"2023K1","2023K2";'),
            "not annual",
        ),
    ],
)
def test_malformed_px(tmp_path: Path, change: object, message: str) -> None:
    text = change(PX_07459)  # type: ignore[operator]
    with pytest.raises(InputFileError, match=message):
        read_file(_write(tmp_path, "bad.px", text, "iso-8859-1"))


# --------------------------------------------------------------------------- JSON-stat


def test_jsonstat_file(tmp_path: Path) -> None:
    from kostra.sources import jsonstat

    cells = pl.DataFrame(
        {
            "Region": ["K-3024", "K-3024", "0301", "0301"],
            "ContentsCode": ["Personer1"] * 4,
            "Tid": ["2022", "2023", "2022", "2023"],
            "value": [127731.0, None, 699827.0, 709037.0],
            "status": [None, "..", None, None],
        }
    )
    document = jsonstat.encode(
        cells,
        dimensions=["Region", "ContentsCode", "Tid"],
        label="07459: Befolkning",
        updated="2024-02-21T07:00:00Z",
        extension={"px": {"tableid": "07459"}},
        role={"geo": ["Region"], "metric": ["ContentsCode"], "time": ["Tid"]},
    )
    path = tmp_path / "07459.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    frame, meta = read_file(path)
    assert meta.format == "json-stat"
    assert meta.table_id == "07459"
    assert meta.updated == "2024-02-21T07:00:00Z"
    assert frame.sort("region", "year").select("region", "year", "value", "status").rows() == [
        ("0301", 2022, 699827.0, None),
        ("0301", 2023, 709037.0, None),
        ("3024", 2022, 127731.0, None),
        ("3024", 2023, None, ".."),
    ]
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": "2.0", "class": "dataset", "id": ["a"]', encoding="utf-8")
    with pytest.raises(InputFileError):
        read_file(broken, table_id="07459")


def test_excel_with_stub_names_under_the_contents_heading(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["07459: Befolkning"],
        [None, None, "Personer"],
        ["region", "alder", "2023", "2024"],
        ["K-3024 Bærum", "0 år", 1250, 1300],
        [None, "1 år", 1400, ".."],
        ["K-3001 Halden", "0 år", 236, 240],
        [None, "1 år", 276, 250],
        ["Kilde: SSB"],
    ]
    frame, meta = read_file(_excel(tmp_path / "b.xlsx", rows))
    assert meta.table_id == "07459"
    assert set(frame["contents_code"]) == {"Personer1"}
    got = frame.sort("region", "dims", "year").select("region", "year", "dims", "value", "status")
    assert got.rows() == [
        ("3001", 2023, "Alder=000", 236.0, None),
        ("3001", 2024, "Alder=000", 240.0, None),
        ("3001", 2023, "Alder=001", 276.0, None),
        ("3001", 2024, "Alder=001", 250.0, None),
        ("3024", 2023, "Alder=000", 1250.0, None),
        ("3024", 2024, "Alder=000", 1300.0, None),
        ("3024", 2023, "Alder=001", 1400.0, None),
        ("3024", 2024, "Alder=001", None, ".."),
    ]


def test_long_layout_with_a_generic_value_column(tmp_path: Path) -> None:
    text = "region;alder;år;verdi\n0301 Oslo;0 år;2024;8000\n"
    path = _write(tmp_path, "generic.csv", text)
    with pytest.raises(InputFileError, match="does not say which SSB table"):
        read_file(path)
    frame, _ = read_file(path, table_id="07459")
    assert frame.select("contents_code", "region", "year", "dims", "value").rows() == [
        ("Personer1", "0301", 2024, "Alder=000", 8000.0)
    ]
    with pytest.raises(InputFileError, match="do not say what the numbers are"):
        read_file(path, table_id="12362")


def test_a_blank_line_inside_the_data_does_not_cut_it(tmp_path: Path) -> None:
    text = (
        "region;alder;Persons 2020\n0301 Oslo;0 år;3\n\n0219 Bærum;0 år;4\n\n"
        '"Footnote: figures as of 1 January"\n'
    )
    frame, meta = read_file(_write(tmp_path, "gap.csv", text))
    assert frame["region"].to_list() == ["0301", "0219"]
    assert any("footnote" in note for note in meta.notes)
