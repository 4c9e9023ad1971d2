"""``kostra db info`` and ``kostra db vintages``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from cli_main import run_main
from kostra.cli.db import human_size
from kostra.warehouse import VintageInfo, Warehouse

run = run_main


def _frame(table_id: str, regions: list[str], year: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "table_id": table_id,
            "contents_code": "Personer1",
            "region": regions,
            "year": year,
            "dims": "",
            "value": [float(i) for i in range(len(regions))],
            "status": None,
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )


@pytest.fixture
def filled(tmp_db: Path) -> Path:
    with Warehouse.open(tmp_db) as wh:
        wh.load(
            _frame("07459", ["0301", "3201"], 2024),
            VintageInfo("ssb", "07459", title="Befolkning", updated="2025-02-20T07:00:00Z"),
        )
        wh.load(_frame("07459", ["0301", "3201", "4601"], 2025), VintageInfo("ssb", "07459"))
        wh.load(_frame("12362", ["0301"], 2024), VintageInfo("sample", "12362", label="demo"))
    return tmp_db


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_info_without_a_warehouse_creates_nothing(
    tmp_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(["db", "info"], capsys)
    assert code == 0
    assert "finnes ikke ennå" in err
    assert not tmp_db.exists()


def test_info_table(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["db", "info"], capsys)
    assert code == 0
    assert str(filled) in out
    assert "3 årganger" in out
    assert "6 observasjoner" in out
    assert "Befolkning" in out
    assert "07459" in out
    assert "12362" in out
    assert "demo" in out
    code, out, _err = run(["--lang", "en", "db", "info"], capsys)
    assert "3 vintages" in out
    assert "schema version 3" in out


def test_info_csv_and_json(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["db", "info", "--format", "csv"], capsys)
    assert code == 0
    tables = pl.read_csv(io.StringIO(out), schema_overrides={"table_id": pl.Utf8})
    assert tables["table_id"].to_list() == ["07459", "12362"]
    assert tables["observations"].to_list() == [5, 1]
    assert tables["vintages"].to_list() == [2, 1]
    assert tables["real_vintages"].to_list() == [2, 0]
    assert (tables["file_size"] > 0).all()
    assert "3 årganger" in err  # the summary goes to stderr, the data to stdout
    code, out, _err = run(["db", "info", "--format", "json"], capsys)
    records = json.loads(out)
    assert [r["table_id"] for r in records] == ["07459", "12362"]


def test_vintages(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["db", "vintages", "--table", "07459", "--format", "csv"], capsys)
    assert code == 0
    vintages = pl.read_csv(io.StringIO(out), schema_overrides={"table_id": pl.Utf8})
    assert vintages["vintage_id"].to_list() == [1, 2]
    assert vintages["table_id"].to_list() == ["07459", "07459"]
    assert vintages["n_rows"].to_list() == [2, 3]
    assert vintages["updated"][0].startswith("2025-02-20T07:00")
    code, out, _err = run(["db", "vintages"], capsys)
    assert "syntetisk" in out
    assert "sample" in out
    code, out, _err = run(["--lang", "en", "db", "vintages", "-t", "99999"], capsys)
    assert "No vintages of table 99999" in out


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_vintages_fit_80_columns(
    filled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with Warehouse.open(filled) as wh:
        wh.load(
            _frame("12362", ["0301", "3201"], 2025),
            VintageInfo(
                "file",
                "12362",
                title="Utgifter til tjenesteområdene, etter funksjon og art (K)",
                updated="2026-03-16T08:00:00Z",
                preliminary=True,
                label="foreløpige tall fra SSB 16. mars 2026, lastet ned for hånd",
            ),
        )
    for command in (["db", "vintages"], ["db", "info"]):
        code, out, _err = run(["--lang", lang, *command], capsys)
        assert code == 0
        assert max(len(line.rstrip()) for line in out.splitlines()) <= 80, command
        assert "…" not in out, command  # text wraps, nothing is cut
        text = " ".join(out.split())
        symbol = "F" if lang == "nb" else "P"
        assert f"{symbol} = " in text  # the legend of the flags
        assert "S = " in text
        rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:4].strip()}
        assert rows["4"][1:4] == ["12362", "file", "2026-03-16"]
        assert rows["4"][5] == symbol  # preliminary
        assert rows["3"][1:5] == ["12362", "sample", "1", "S"]  # synthetic, never updated
        assert rows["1"][1:5] == ["07459", "ssb", "2025-02-20", "2"]
        assert rows["1"][5:] == []  # neither flag: nothing to read, no "no"


def test_human_size() -> None:
    assert human_size(999) == "999 B"
    assert human_size(12_345_678) == "12,3 MB"
    assert human_size(12_345_678, "en") == "12.3 MB"
