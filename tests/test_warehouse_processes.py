"""The warehouse across processes: a killed load changes nothing, a busy file says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from kostra.errors import DatabaseBusyError
from kostra.warehouse import VintageInfo, Warehouse


def _small() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "table_id": ["07459", "07459"],
            "contents_code": ["Personer1", "Personer1"],
            "region": ["0301", "0219"],
            "year": [2023, 2023],
            "dims": ["", ""],
            "value": [717710.0, None],
            "status": [None, ":"],
        },
        schema_overrides={"year": pl.Int32},
    )


def _snapshot(path: Path) -> tuple[list[tuple[object, ...]], pl.DataFrame]:
    with Warehouse.open(path, read_only=True) as wh:
        return wh.vintages().rows(), wh.observations()


_BIG_LOAD = """
import sys, time
from pathlib import Path
import numpy as np
import polars as pl
from kostra.warehouse import VintageInfo, Warehouse

path, marker, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
n = 2_000_000
big = pl.DataFrame({
    "table_id": "07459",
    "contents_code": "Personer1",
    "region": pl.Series(np.arange(n) % 2000).cast(pl.Utf8).str.zfill(4),
    "year": pl.Series(2000 + np.arange(n) // 2000, dtype=pl.Int32),
    "dims": "Alder=000",
    "value": np.arange(n, dtype=np.float64),
    "status": pl.Series([None] * n, dtype=pl.Utf8),
})

class Stalling(Warehouse):
    def _insert_observations(self, rows, vintage_id):
        if mode == "during-insert":
            marker.write_text("inserting")
            super()._insert_observations(rows, vintage_id)
        else:
            super()._insert_observations(rows, vintage_id)
            marker.write_text("inserted, not committed")
        time.sleep(120)

with Stalling.open(path) as wh:
    wh.load(big, VintageInfo(source="ssb", table_id="07459"))
"""

_HOLD = """
import sys, time
from pathlib import Path
from kostra.warehouse import Warehouse

path, marker, read_only = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "ro"
with Warehouse.open(path, read_only=read_only) as wh:
    wh.vintages()
    marker.write_text("holding")
    time.sleep(120)
"""


def _wait_for(marker: Path, child: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if child.poll() is not None:
            raise AssertionError(f"child exited early: {child.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("child never reached its marker")
        time.sleep(0.02)


@contextmanager
def _child(script: str, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.communicate()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["after-insert", "during-insert"])
def test_a_load_killed_mid_transaction_leaves_the_warehouse_unchanged(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "kostra.duckdb"
    with Warehouse.open(path) as wh:
        wh.load(_small(), VintageInfo(source="ssb", table_id="07459", title="before"))
    before = _snapshot(path)
    marker = tmp_path / "marker"
    with _child(_BIG_LOAD, str(path), str(marker), mode) as child:
        _wait_for(marker, child)
        if mode == "during-insert":
            time.sleep(0.05)  # the two-million-row insert is under way
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    after = _snapshot(path)
    assert after[0] == before[0]
    assert after[1].equals(before[1])
    # and the file is fully usable for writing again
    with Warehouse.open(path) as wh:
        assert (
            wh.load(
                _small().with_columns(pl.lit(2024, pl.Int32).alias("year")),
                VintageInfo(source="ssb", table_id="07459"),
            )
            == 2
        )
        assert wh.info().n_observations == 4


@pytest.mark.parametrize("read_only", [False, True])
def test_opening_while_another_process_writes_is_busy(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "kostra.duckdb"
    Warehouse.open(path).close()
    marker = tmp_path / "marker"
    with _child(_HOLD, str(path), str(marker), "rw") as child:
        _wait_for(marker, child)
        with pytest.raises(DatabaseBusyError) as caught:
            Warehouse.open(path, read_only=read_only)
        message = str(caught.value)
        assert message.startswith("database busy: another kostra process")
        assert "try again when it finishes" in message
        assert str(path) in message
        started = time.monotonic()
        with pytest.raises(DatabaseBusyError):
            Warehouse.open(path, read_only=read_only, wait=0.5)
        assert time.monotonic() - started >= 0.5
    # the writer is gone: the file opens and is intact
    with Warehouse.open(path) as wh:
        assert wh.vintages().is_empty()


def test_readers_share_and_a_writer_waits_for_them(tmp_path: Path) -> None:
    path = tmp_path / "kostra.duckdb"
    with Warehouse.open(path) as wh:
        wh.load(_small(), VintageInfo(source="ssb", table_id="07459"))
    marker = tmp_path / "marker"
    with _child(_HOLD, str(path), str(marker), "ro") as child:
        _wait_for(marker, child)
        with Warehouse.open(path, read_only=True) as wh:
            assert wh.observations().height == 2
        with pytest.raises(DatabaseBusyError, match="database busy"):
            Warehouse.open(path)


_HOLD_BRIEFLY = """
import sys, time
from pathlib import Path
from kostra.warehouse import Warehouse

path, marker = Path(sys.argv[1]), Path(sys.argv[2])
with Warehouse.open(path) as wh:
    marker.write_text("holding")
    time.sleep(float(sys.argv[3]))
"""


@pytest.mark.parametrize("command", [["db", "info"], ["db", "vintages", "--format", "csv"]])
def test_db_readers_wait_for_a_writer(
    tmp_db: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # Issue 13.9: `db info` and `db vintages` failed at once while a writer held the lock.
    from kostra.cli import main

    with Warehouse.open(tmp_db) as wh:
        wh.load(_small(), VintageInfo(source="ssb", table_id="07459"))
    marker = tmp_db.with_name("marker")
    with _child(_HOLD_BRIEFLY, str(tmp_db), str(marker), "2") as child:
        _wait_for(marker, child)
        started = time.monotonic()
        main(command)  # returns (no SystemExit) once the writer has gone
        assert time.monotonic() - started > 0.5
    out, err = capsys.readouterr()
    assert "venter på den" in err
    assert "07459" in out


def test_db_readers_wait_a_bounded_time(
    tmp_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.cli import db, main

    monkeypatch.setattr(db, "READ_WAIT_SECONDS", 0.5)
    Warehouse.open(tmp_db).close()
    marker = tmp_db.with_name("marker")
    with _child(_HOLD_BRIEFLY, str(tmp_db), str(marker), "60") as child:
        _wait_for(marker, child)
        with pytest.raises(SystemExit) as stop:
            main(["db", "info"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "venter på den" in err
    assert "Lageret er opptatt" in err
    assert "Traceback" not in err
