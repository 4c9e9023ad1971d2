"""Fuzz of the command line (Hypothesis over Typer's CliRunner): municipality names, years,
sectors, formats, numbers and stray options. Every run ends with exit code 0 or 2, no
traceback, a short error, bounded memory, and the warehouse byte for byte as it was.

The fast examples keep to inputs that fail or finish quickly (years without figures, resamples
outside the cap); the long run (``KOSTRA_FUZZ_EXAMPLES``, marked ``slow``) draws any year.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fuzzing import (
    MEMORY_GROWTH_BOUND,
    budget,
    check_cli_result,
    digest,
    long_budget,
    long_run,
    peak_memory,
)
from kostra.catalog.models import Sector
from kostra.cli import app

runner = CliRunner()

NAMES = st.one_of(
    st.sampled_from(
        ["Bærum", "0301", "Tysfjord", "1850", "K-0301", "Våler", "Bærumm", "", " ", "-", "--"]
    ),
    st.text(max_size=30),
    st.text(alphabet="aæøå0123456789-", min_size=200, max_size=3000),
)
BAD_YEARS = st.one_of(
    st.integers(-(10**12), 2014),
    st.integers(2026, 10**12),
    st.text(max_size=8),
).map(str)
ANY_YEARS = st.one_of(BAD_YEARS, st.integers(2015, 2025).map(str))
SECTORS = st.one_of(st.sampled_from([s.value for s in Sector]), st.text(max_size=20))
FORMATS = st.one_of(
    st.sampled_from(["table", "csv", "json", "xlsx", "parquet", "pdf", "html"]),
    st.text(max_size=12),
)
BAD_NUMBERS = st.one_of(
    st.integers(-(10**15), -1),
    st.integers(5001, 10**15),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "1.5", "", "0x10"]),
    st.text(max_size=10),
).map(str)
STRAY = st.lists(
    st.sampled_from(["--lang", "en", "nb", "xx", "--lang=en", "--bogus", "-f", "--"]), max_size=3
)


def commands(years: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.one_of(
        st.tuples(st.just("profile"), NAMES, st.just("--year"), years, st.just("-s"), SECTORS),
        st.tuples(st.just("costs"), NAMES, st.just("--year"), years),
        st.tuples(st.just("indices"), NAMES, st.just("-y"), years, st.just("--reference"), NAMES),
        st.tuples(st.just("report"), NAMES, st.just("--year"), years, st.just("-f"), FORMATS),
        st.tuples(st.just("municipalities"), st.just("--county"), NAMES, st.just("-y"), years),
        st.tuples(st.just("peers"), NAMES, st.just("--group"), NAMES),
        st.tuples(st.just("population"), NAMES, st.just("--borders"), NAMES),
        st.tuples(st.just("barometer"), st.just("--resamples"), BAD_NUMBERS),
        st.tuples(st.just("barometer"), st.just("explain"), NAMES, st.just("--year"), years),
        st.tuples(st.just("catalog"), st.just("--sector"), SECTORS, st.just("-f"), FORMATS),
        st.tuples(st.just("profile"), NAMES, st.just("-f"), FORMATS, st.just("-y"), years),
    ).map(list)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small warehouse (two tables of the sample) every example reads."""
    from kostra.sample import load_sample, sample_tables
    from kostra.warehouse import Warehouse

    path = tmp_path_factory.mktemp("fuzz") / "kostra.duckdb"
    with Warehouse.open(path) as opened:
        load_sample(opened, table_ids=sample_tables()[:2])
    return path


def _run(argv: list[str], stray: list[str], warehouse: Path) -> None:
    before = digest(warehouse)
    result = runner.invoke(app, ["--db", str(warehouse), *argv, *stray], env={"KOSTRA_LANG": "nb"})
    check_cli_result(result)
    assert digest(warehouse) == before


def test_cli_fuzz(warehouse: Path) -> None:
    start = peak_memory()

    @budget(15)
    @given(argv=commands(BAD_YEARS), stray=STRAY)
    def run(argv: list[str], stray: list[str]) -> None:
        _run(argv, stray, warehouse)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND


@pytest.mark.slow
@long_run
def test_cli_fuzz_long(warehouse: Path) -> None:
    start = peak_memory()

    @long_budget()
    @given(argv=commands(ANY_YEARS), stray=STRAY)
    def run(argv: list[str], stray: list[str]) -> None:
        _run(argv, stray, warehouse)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND
