"""Fuzz of the file readers (CSV, XLSX, PX, JSON-stat) through the public ``read_file`` and
``kostra import``: statbank-shaped files with hostile cells (``1e309``, ``inf``, status
symbols, formulas, huge declared grids) and plain garbage. A file is either read into a frame
with finite values or refused with a :class:`~kostra.errors.KostraError`; ``kostra import``
exits 0 or 2, and after a refusal the warehouse is byte for byte as it was."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import polars as pl
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
from kostra.cli import app
from kostra.errors import KostraError
from kostra.sources.files import read_file

CELLS = st.one_of(
    st.sampled_from(
        [
            "1",
            "0",
            "-3,5",
            "12 345",
            "1e309",
            "-1e309",
            "inf",
            "nan",
            "NaN",
            ".",
            "..",
            "...",
            ":",
            "-",
            "",
            " ",
            "=1+1",
            "@SUM(A1)",
            "+1",
            "\t1",
            "1,2,3",
            '"',
            "0301",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)
REGIONS = st.one_of(
    st.sampled_from(["0301 Oslo", "3201 Bærum", "K-3201 Bærum", "EAK Landet", "9999 Ingen"]),
    st.text(max_size=15),
)
YEARS = st.one_of(st.integers(1990, 2030), st.integers(-(10**6), 10**6)).map(str)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    sep = draw(st.sampled_from([";", ",", "\t"]))
    years = draw(st.lists(YEARS, min_size=1, max_size=4))
    header = ["region", "alder", *[f"Personer {y}" for y in years]]
    if draw(st.booleans()):
        header = draw(st.lists(st.text(max_size=15), min_size=1, max_size=6))
    rows = draw(
        st.lists(
            st.lists(st.one_of(REGIONS, CELLS), min_size=1, max_size=len(header) + 1),
            max_size=8,
        )
    )
    text = "\n".join(sep.join(row) for row in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@st.composite
def jsonstat_files(draw: st.DrawFn) -> bytes:
    ids = draw(
        st.lists(
            st.sampled_from(["Region", "Tid", "ContentsCode", "Alder", "X"]),
            min_size=0,
            max_size=4,
            unique=True,
        )
    )
    sizes = [draw(st.one_of(st.integers(0, 4), st.integers(0, 10**7))) for _ in ids]
    dimension = {}
    for dim, size in zip(ids, sizes, strict=True):
        n = min(size, 4)
        codes = [draw(st.text(min_size=1, max_size=6)) for _ in range(n)]
        index = {c: i for i, c in enumerate(codes)}
        labels = {c: c for c in codes}
        dimension[dim] = {"label": dim, "category": {"index": index, "label": labels}}
    cells = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False), st.integers())
    value: object = draw(
        st.one_of(
            st.lists(cells, max_size=20),
            st.dictionaries(st.integers(0, 10**9).map(str), cells, max_size=5),
            st.text(max_size=5),
        )
    )
    document: dict[str, object] = {
        "version": draw(st.sampled_from(["2.0", "1.0", "x"])),
        "class": draw(st.sampled_from(["dataset", "collection", "bundle"])),
        "label": draw(st.text(max_size=30)),
        "id": ids,
        "size": sizes,
        "dimension": dimension,
        "value": value,
    }
    if draw(st.booleans()):
        symbols = st.sampled_from([".", "..", ":"])
        keys = st.integers(0, 30).map(str)
        document["status"] = draw(st.dictionaries(keys, symbols, max_size=3))
    raw = json.dumps(document).encode()
    if draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]  # truncated
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + raw


@st.composite
def px_files(draw: st.DrawFn) -> bytes:
    stub = draw(st.sampled_from(["Region", "region", '"Region"', ""]))
    values = draw(st.lists(st.text(max_size=8).map(lambda t: f'"{t}"'), min_size=0, max_size=4))
    years = draw(st.lists(YEARS.map(lambda t: f'"{t}"'), min_size=0, max_size=3))
    data = draw(st.lists(CELLS.map(lambda c: c if c and c[0].isdigit() else f'"{c}"'), max_size=15))
    lines = [
        'CHARSET="ANSI";',
        f'MATRIX="{draw(st.text(max_size=8))}";',
        f'TITLE="{draw(st.text(max_size=20))}";',
        'CONTENTS="Personer";',
        f"STUB={stub};",
        'HEADING="tid";',
        f'VALUES("{stub.strip(chr(34))}")={",".join(values)};',
        f'VALUES("tid")={",".join(years)};',
        "DATA=",
        " ".join(data) + ";",
    ]
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    return "\n".join(lines).encode(draw(st.sampled_from(["latin-1", "utf-8"])), errors="replace")


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return b"PK\x03\x04" + draw(st.binary(max_size=200))
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    rows = draw(st.lists(st.lists(st.one_of(REGIONS, CELLS, YEARS), max_size=5), max_size=8))
    for row in rows:
        # control characters cannot be stored in a workbook at all
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FILES = st.one_of(
    st.tuples(st.just(".csv"), csv_files()),
    st.tuples(st.just(".json"), jsonstat_files()),
    st.tuples(st.just(".px"), px_files()),
    st.tuples(st.just(".xlsx"), xlsx_files()),
    st.tuples(st.sampled_from([".csv", ".json", ".px", ".txt"]), st.binary(max_size=300)),
)
TABLES = st.one_of(st.none(), st.sampled_from(["07459", "12362", "x", "0745", "074590"]))


def _read(tmp_path: Path, suffix: str, raw: bytes, table: str | None) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(raw)
    try:
        frame, _meta = read_file(path, table_id=table)
    except KostraError:
        return  # a user error: said, not crashed
    values = frame["value"].drop_nulls()
    assert values.dtype == pl.Float64
    assert all(math.isfinite(v) for v in values.to_list())
    assert frame["region"].dtype == pl.Utf8  # codes are strings


def test_read_file_fuzz(tmp_path: Path) -> None:
    start = peak_memory()

    @budget(60)
    @given(file=FILES, table=TABLES)
    def run(file: tuple[str, bytes], table: str | None) -> None:
        _read(tmp_path, file[0], file[1], table)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND


def test_import_fuzz_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    from kostra.sample import load_sample, sample_tables
    from kostra.warehouse import Warehouse

    db = tmp_path / "kostra.duckdb"
    with Warehouse.open(db) as warehouse:
        load_sample(warehouse, table_ids=sample_tables()[:1])
    runner = CliRunner()

    @budget(8)
    @given(file=FILES, table=TABLES)
    def run(file: tuple[str, bytes], table: str | None) -> None:
        path = tmp_path / f"import{file[0]}"
        path.write_bytes(file[1])
        before = digest(db)
        argv = ["--db", str(db), "import", str(path)]
        result = runner.invoke(app, argv + (["--table", table] if table else []))
        code, _ = check_cli_result(result)
        if code == 2:
            assert digest(db) == before

    run()


@pytest.mark.slow
@long_run
def test_read_file_fuzz_long(tmp_path: Path) -> None:
    start = peak_memory()

    @long_budget()
    @given(file=FILES, table=TABLES)
    def run(file: tuple[str, bytes], table: str | None) -> None:
        _read(tmp_path, file[0], file[1], table)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND
