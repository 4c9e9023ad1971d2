"""`kostra fetch` end to end against the local PxWebApi server: faults, 429 storms, kills."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from kostra.cli import main
from kostra.cli.fetch import parse_years
from kostra.errors import KostraError
from kostra.testing.pxweb_server import (
    Fault,
    FaultPlan,
    PxWebState,
    ServedTable,
    ServerOptions,
    sample_tables,
    serve,
    synthetic_table,
)
from kostra.warehouse import Warehouse

KEYS = ["contents_code", "region", "year", "dims"]


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _served_cube(table: ServedTable, years: list[int]) -> pl.DataFrame:
    """Every cell the server answers for the whole table in ``years`` (absent cells: '.')."""
    spec = table.spec
    frame = table.observations().filter(pl.col("year").is_in(years))
    grid: pl.DataFrame | None = None
    extra = [v for v in spec.variables if v.role is None]
    for variable in spec.variables:
        if variable.role == "time":
            column = pl.DataFrame({"year": [int(y) for y in variable.values if int(y) in years]})
        elif variable.role == "geo":
            column = pl.DataFrame({"region": list(variable.values)})
        elif variable.role == "metric":
            column = pl.DataFrame({"contents_code": list(variable.values)})
        else:
            column = pl.DataFrame({variable.code: list(variable.values)})
        grid = column if grid is None else grid.join(column, how="cross")
    assert grid is not None
    dims = (
        pl.concat_str(
            [pl.lit(f"{v.code}=") + pl.col(v.code) for v in sorted(extra, key=lambda v: v.code)],
            separator=";",
        )
        if extra
        else pl.lit("")
    )
    grid = grid.with_columns(dims.alias("dims"), pl.col("year").cast(pl.Int32)).select(KEYS)
    return grid.join(frame.select([*KEYS, "value", "status"]), on=KEYS, how="left").with_columns(
        pl.col("status").fill_null(pl.when(pl.col("value").is_null()).then(pl.lit(".")))
    )


def _assert_same_cells(stored: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert stored.height == expected.height
    joined = expected.join(stored, on=KEYS, how="full", coalesce=True, suffix="_stored")
    assert joined.height == expected.height
    assert joined["value"].eq_missing(joined["value_stored"]).all()
    assert joined["status"].eq_missing(joined["status_stored"]).all()


def test_parse_years() -> None:
    assert parse_years("2015-2017") == [2015, 2016, 2017]
    assert parse_years("2024") == [2024]
    assert parse_years("2015,2020-2021") == [2015, 2020, 2021]
    with pytest.raises(KostraError):
        parse_years("last year")


def test_fetch_with_faults_and_a_429_storm_stores_exactly_the_served_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    synthetic = synthetic_table(
        "99001",
        regions=[f"{i:04d}" for i in range(3001, 3031)],
        extra={"KOKfunksjon0000": ["201", "202", "211"]},
    )
    sample = sample_tables(["12134"])[0]
    faults = FaultPlan(
        [
            Fault("429", times=6, retry_after=1),  # the storm: every caller must wait
            Fault("503", times=2),
            Fault("drop", times=1),
            Fault("truncate", times=1),
            Fault("slow", times=2, delay=0.2),
        ]
    )
    # A tight server rate (20 calls / 2 s) on top of the storm.
    state = PxWebState(
        [synthetic, sample], ServerOptions(max_cells=1500, max_calls=20, time_window=2), faults
    )
    db = tmp_path / "kostra.duckdb"
    years = [2023, 2024]
    with serve([], state=state) as url:
        code = _run(
            [
                "--db",
                str(db),
                "fetch",
                "--tables",
                "99001,12134",
                "--years",
                "2023-2024",
                "--base-url",
                url,
                "--no-progress",
            ]
        )
    assert code == 0
    assert {kind for kind, _ in faults.injected} == {"429", "503", "drop", "truncate", "slow"}
    with Warehouse.open(db, read_only=True) as warehouse:
        vintages = warehouse.vintages()
        assert sorted(vintages["table_id"].to_list()) == ["12134", "99001"]
        assert set(vintages["source"].to_list()) == {"ssb"}
        for table in (synthetic, sample):
            stored = warehouse.observations(table_ids=[table.spec.table_id])
            _assert_same_cells(
                stored.select([*KEYS, "value", "status"]), _served_cube(table, years)
            )
    # the chunk cache is gone once the tables are loaded
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_a_killed_fetch_leaves_the_warehouse_unchanged_and_resumes_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    db = tmp_path / "kostra.duckdb"
    table = synthetic_table(
        "99002",
        regions=[f"{i:04d}" for i in range(3001, 3041)],
        extra={"KOKfunksjon0000": ["201", "202", "211", "213"]},
    )
    faults = FaultPlan([Fault("slow", times=None, delay=0.5)])
    state = PxWebState([table], ServerOptions(max_cells=200, max_calls=1000), faults)
    env = {**os.environ, "KOSTRA_CACHE_DIR": str(cache), "KOSTRA_DB": str(db)}
    with serve([], state=state) as url:
        args = ["fetch", "--tables", "99002", "--base-url", url, "--no-progress"]
        child = subprocess.Popen(
            [sys.executable, "-c", "from kostra.cli import main; main()", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(list(cache.rglob("*.json"))) < 3:
            assert child.poll() is None, "the fetch ended before it could be killed"
            assert time.monotonic() < deadline, "no chunks were cached"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        cached = len(list(cache.rglob("*.json")))
        if db.exists():
            with Warehouse.open(db, read_only=True) as warehouse:
                assert warehouse.vintages().height == 0

        faults.clear()
        time.sleep(1.0)  # the killed child's request in flight is still logged after its delay
        first_run = state.requests_to("/data")
        monkeypatch.setenv("KOSTRA_CACHE_DIR", str(cache))
        assert (
            _run(
                ["--db", str(db), "fetch", "--tables", "99002", "--base-url", url, "--no-progress"]
            )
            == 0
        )
        rerun = state.requests_to("/data") - first_run
    chunks = -(-(40 * 4 * 2 * 10) // 200)
    assert cached >= 3
    assert rerun == chunks - cached < chunks
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.vintages().height == 1
        stored = warehouse.observations(table_ids=["99002"]).select([*KEYS, "value", "status"])
    _assert_same_cells(stored, _served_cube(table, list(range(2015, 2025))))


def test_a_fatal_error_midway_writes_nothing_and_the_rerun_uses_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    db = tmp_path / "kostra.duckdb"
    table = synthetic_table("99003", regions=[f"{i:04d}" for i in range(3001, 3021)])
    faults = FaultPlan([Fault("404", times=None, skip=2)])  # the third data request fails
    state = PxWebState([table], ServerOptions(max_cells=100), faults)
    argv = ["--db", str(db), "fetch", "--tables", "99003", "--no-progress"]
    with serve([], state=state) as url:
        assert _run([*argv, "--base-url", url]) == 2
        assert "99003" in capsys.readouterr().err
        if db.exists():
            with Warehouse.open(db, read_only=True) as warehouse:
                assert warehouse.vintages().height == 0
        faults.clear()
        before = state.requests_to("/data")
        assert _run([*argv, "--base-url", url]) == 0
        rerun = state.requests_to("/data") - before
    assert rerun == 4 - 2  # 400 cells in 4 chunks of 100; two were cached
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.vintages().height == 1


def test_an_edited_or_damaged_cache_entry_is_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 13.13: a chunk-cache file edited to valid JSON with other values was loaded as data.
    import json

    cache = tmp_path / "cache"
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(cache))
    db = tmp_path / "kostra.duckdb"
    table = synthetic_table("99003", regions=[f"{i:04d}" for i in range(3001, 3021)])
    faults = FaultPlan([Fault("404", times=None, skip=2)])  # the third data request fails
    state = PxWebState([table], ServerOptions(max_cells=100), faults)
    argv = ["--db", str(db), "fetch", "--tables", "99003", "--no-progress"]
    with serve([], state=state) as url:
        assert _run([*argv, "--base-url", url]) == 2
        capsys.readouterr()
        edited, damaged = sorted(cache.rglob("*.json"))
        header, _, body = edited.read_bytes().partition(b"\n")
        document = json.loads(body)
        document["value"] = [None if v is None else 987654.0 for v in document["value"]]
        edited.write_bytes(header + b"\n" + json.dumps(document).encode())
        damaged.write_bytes(damaged.read_bytes().partition(b"\n")[2])  # digest line gone
        faults.clear()
        before = state.requests_to("/data")
        assert _run([*argv, "--base-url", url]) == 0
        rerun = state.requests_to("/data") - before
    assert rerun == 4  # nothing in the cache was trusted
    with Warehouse.open(db, read_only=True) as warehouse:
        stored = warehouse.observations()
    assert stored.height == 400
    assert 987654.0 not in stored["value"].to_list()
    expected = table.observations().select([*KEYS, "value"])
    joined = stored.join(expected, on=KEYS, how="inner", suffix="_served")
    assert joined.height == expected.height
    assert joined["value"].eq_missing(joined["value_served"]).all()


def test_dry_run_prints_the_plan_and_fetches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = PxWebState([synthetic_table("99004")], ServerOptions(max_cells=30))
    with serve([], state=state) as url:
        code = _run(
            [
                "--db",
                str(tmp_path / "k.duckdb"),
                "fetch",
                "--tables",
                "99004",
                "--years",
                "2020-2024",
                "--base-url",
                url,
                "--dry-run",
            ]
        )
    assert code == 0
    err = capsys.readouterr().err
    assert "99004" in err
    assert "Tørrkjøring" in err
    assert state.requests_to("/data") == 0
    assert not (tmp_path / "k.duckdb").exists()
    # 5 regions × 2 contents × 5 years = 50 cells, at most 30 per request: 2 requests
    assert "50" in err


def test_unreachable_server_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = _run(
        [
            "--db",
            str(tmp_path / "k.duckdb"),
            "fetch",
            "--tables",
            "07459",
            "--base-url",
            f"http://127.0.0.1:{port}/api/pxwebapi/v2",
            "--dry-run",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "Får ikke kontakt med" in err
    assert "--base-url" in err
    assert "kostra import" in err


@pytest.mark.parametrize(
    "base_url", ["file:///etc/passwd", "ftp://data.ssb.no/api", "data.ssb.no/api", "http://"]
)
def test_a_base_url_that_is_not_http_is_refused_at_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    base_url: str,
) -> None:
    # Issue 13.10: such addresses were retried six times as if the server were down.
    from kostra.sources import ssb

    def no_request(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a bad address must not be tried, let alone retried")

    monkeypatch.setattr(ssb.SsbClient, "_request", no_request)
    argv = ["--db", str(tmp_path / "k.duckdb"), "fetch", "--tables", "07459"]
    assert _run([*argv, "--base-url", base_url]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "det hentes bare fra http://- og https://-adresser" in err
    assert "Traceback" not in err
    assert not (tmp_path / "k.duckdb").exists()


def test_unknown_table_and_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve([synthetic_table("99005")]) as url:
        assert _run(["fetch", "--tables", "12345", "--base-url", url, "--dry-run"]) == 2
        assert "Non-existent table" in capsys.readouterr().err
        assert _run(["fetch", "--tables", "abc", "--base-url", url]) == 2
        assert _run(["fetch", "--base-url", url]) == 2


def test_client_search_table_codelist_and_progress_against_the_server(tmp_path: Path) -> None:
    from kostra.sources.ssb import SsbClient
    from kostra.testing.pxweb_server import ServedCodelist

    agg = ServedCodelist("agg_To", "To grupper", "Aggregation", {"G1": ["0301", "1103"]})
    table = synthetic_table("99006", codelists={"KOKkommuneregion0000": [agg]})
    others = [synthetic_table(f"9910{i}") for i in range(3)]
    state = PxWebState([table, *others], ServerOptions(max_cells=40, page_size=2))
    with serve([], state=state) as url, SsbClient(url, cache_dir=tmp_path, progress=True) as client:
        assert [t.id for t in client.search_tables(page_size=2)] == [
            "99006",
            "99100",
            "99101",
            "99102",
        ]
        assert [t.id for t in client.search_tables("99101")] == ["99101"]
        assert client.table("99006").last_period == "2024"
        metadata = client.metadata("99006")
        assert metadata.variable("kokkommuneregion0000").codelists[0].id == "agg_To"
        assert client.codelist("agg_To").value_map["G1"] == ("0301", "1103")
        plan = client.plan(
            "99006",
            {"KOKkommuneregion0000": ["G1"], "Tid": "range(2016,2019)"},
            codelists={"KOKkommuneregion0000": "agg_To"},
        )
        result = client.fetch(plan)
        assert plan.requests == 1
        assert result.frame["region"].unique().to_list() == ["G1"]
        whole = client.fetch(client.plan("99006"))
    served = table.observations()
    expected = served.filter(
        pl.col("region").is_in(["0301", "1103"]), year=2017, contents_code="KOSa0000"
    )
    got = result.frame.filter(year=2017, contents_code="KOSa0000")["value"][0]
    members = expected["value"].drop_nulls()
    assert got == (members.sum() if members.len() else None)
    assert whole.requests == 3  # 100 cells at most 40 per request
    _assert_same_cells(
        whole.frame.select([*KEYS, "value", "status"]), _served_cube(table, list(range(2015, 2025)))
    )


def test_preset_asss_plans_every_catalog_table(capsys: pytest.CaptureFixture[str]) -> None:
    from kostra.catalog import load_catalog
    from kostra.cli.fetch import preset_selections
    from kostra.testing.pxweb_server import population_table

    selections = preset_selections("asss")
    catalog_tables = {ref.table_id for ref in load_catalog().series()}
    assert set(selections) == catalog_tables | {"07459"}
    assert selections["07459"]["ContentsCode"] == ["Personer1"]
    tables = [population_table([2024, 2025]), *sample_tables(sorted(catalog_tables))]
    with serve(tables) as url:
        code = _run(
            [
                "--lang",
                "en",
                "fetch",
                "--preset",
                "asss",
                "--years",
                "2024",
                "--base-url",
                url,
                "--dry-run",
            ]
        )
    assert code == 0
    err = capsys.readouterr().err
    assert "Dry run" in err
    for table_id in selections:
        assert table_id in err
    with pytest.raises(KostraError, match="Unknown preset"):
        preset_selections("nope")


def test_municipalities_by_name_or_code_narrow_the_regions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    db = tmp_path / "kostra.duckdb"
    table = synthetic_table("99007")  # regions 0301, 1103, 4601, 5001, EAK
    argv = ["--db", str(db), "fetch", "--tables", "99007", "--municipalities", "Oslo,4601"]
    argv += ["--years", "2024", "--no-progress"]
    with serve([table]) as url:
        code = _run([*argv, "--base-url", url])
        assert code == 0
        capsys.readouterr()
        # The same figures again: the warehouse keeps the one vintage it has.
        assert _run([*argv, "--base-url", url]) == 0
    assert "uendret siden årgang 1" in capsys.readouterr().err
    with Warehouse.open(db, read_only=True) as warehouse:
        assert warehouse.vintages().height == 1
        stored = warehouse.observations(table_ids=["99007"])
    assert sorted(stored["region"].unique().to_list()) == ["0301", "4601"]
    assert stored["year"].unique().to_list() == [2024]
    assert stored.height == 2 * 2


def test_the_client_keeps_under_the_servers_call_rate(tmp_path: Path) -> None:
    from kostra.sources.ssb import SsbClient

    table = synthetic_table("99008", regions=[f"{i:04d}" for i in range(3001, 3013)])
    state = PxWebState([table], ServerOptions(max_cells=20, max_calls=5, time_window=1))
    with serve([], state=state) as url, SsbClient(url, cache_dir=tmp_path) as client:
        started = time.monotonic()
        result = client.fetch(client.plan("99008"))
        elapsed = time.monotonic() - started
    # 240 cells, 20 per request; a heavily loaded machine may retry a call that timed out
    assert result.requests >= 12
    assert [status for _, _, status in state.log].count(429) == 0
    # 1 metadata + 12 data calls at 5 per second: at least two full windows
    assert elapsed >= 2.0
