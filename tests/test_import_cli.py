"""``kostra import FILE``: one vintage per file, all or nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_main import run_main
from kostra.warehouse import Warehouse

NBSP = "\u00a0"


run = run_main


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def export(shared_dir: Path) -> Path:
    return shared_dir / "data/ssb_statbank_exports/Personer2023.csv"


def test_import_a_statbank_export(
    tmp_db: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["import", str(export)], capsys)
    assert code == 0, err
    assert f"Lagret 38{NBSP}054 observasjoner fra Personer2023.csv som tabell 07459" in out
    assert "årgang 1" in out
    assert "2023; 359 regioner" in out
    with Warehouse.open(tmp_db, read_only=True) as wh:
        vintage = wh.vintages().row(0, named=True)
        stored = wh.observations()
    assert vintage["source"] == "file"
    assert vintage["table_id"] == "07459"
    assert vintage["preliminary"] is None
    assert vintage["label"] == "Personer2023.csv"
    assert vintage["title"] == "Population, by region, age, contents and year"
    assert json.loads(vintage["query"])["format"] == "csv"
    assert stored.height == 38_054
    assert stored.filter(stored["region"] == "0301")["value"].sum() == 709_037
    # the same file again stores nothing new
    code, out, _err = run(["import", str(export)], capsys)
    assert code == 0
    assert "samme innhold som årgang 1" in out
    with Warehouse.open(tmp_db, read_only=True) as wh:
        assert wh.vintages().height == 1


def test_options_are_stored(tmp_db: Path, export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["--lang", "en", "import", str(export), "--table", "07459", "--final", "--label", "x"],
        capsys,
    )
    assert code == 0, err
    assert "Stored 38,054 observations" in out
    with Warehouse.open(tmp_db, read_only=True) as wh:
        vintage = wh.vintages().row(0, named=True)
    assert vintage["preliminary"] is False
    assert vintage["label"] == "x"
    assert json.loads(vintage["query"])["table_from"] == "argument"


def test_heuristic_table_id_is_announced(
    tmp_db: Path, shared_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_dir / "data/ssb_statbank_exports/Personer2019.csv"
    code, out, _err = run(["import", str(path), "--preliminary"], capsys)
    assert code == 0
    assert "Tabell 07459 ble antatt" in out


def test_a_bad_file_stores_nothing(
    tmp_db: Path, tmp_path: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("region;alder;Persons 2020\n0301 Oslo;0 år;mange\n", encoding="utf-8")
    code, _out, err = run(["import", str(export), str(bad)], capsys)
    assert code == 2
    assert "Feil:" in err  # bokmål by default
    assert "bad.csv" in err
    assert "1 celle er verken tall eller SSB-symbol " in err
    assert "Traceback" not in err
    assert not tmp_db.exists()  # the good file was not stored either


_HOLD = """
import sys, time
from pathlib import Path
from kostra.warehouse import Warehouse
with Warehouse.open(sys.argv[1]) as wh:
    Path(sys.argv[2]).write_text("holding")
    time.sleep(120)
"""


def test_import_while_another_process_writes(
    tmp_db: Path, tmp_path: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_db), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the lock holder died"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        code, _out, err = run(["import", str(export)], capsys)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert code == 2
    assert "Lageret er opptatt" in err
    with Warehouse.open(tmp_db, read_only=True) as wh:
        assert wh.vintages().is_empty()
