"""Benchmark: reading the newest vintage of every table from the warehouse (issue 12.4).

``Warehouse.observations()`` (default ``vintage="newest"``) against the query it used before:
one SQL statement choosing each cell's newest vintage with ``QUALIFY row_number()`` over every
cell, then ``ORDER BY`` the key. Tables with one eligible vintage are now read with a plain
filtered scan of rows stored in key order; only tables with several vintages take the window.

Two warehouses from the shipped synthetic sample (about 1.1 million observations, 24 tables):
one vintage per table, and the same with every table loaded a second time with changed values
(two vintages each, the worst case for the new path). Both results are checked equal, then the
best-of-N wall and CPU (all threads) times and the ratio old/new are printed, plus the bare
scan (``SELECT * FROM observations``) as the floor.
Run: ``python benchmarks/bench_warehouse.py`` or ``python benchmarks/run.py warehouse``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from kostra.frames import OBSERVATION_COLUMNS
from kostra.sample import load_sample, sample_observations
from kostra.warehouse import VintageInfo, Warehouse

# The query observations() ran for every read before issue 12.4, kept here as the baseline.
_BEFORE = f"""
    WITH eligible AS (
        SELECT * FROM vintages v
        WHERE NOT v.synthetic OR NOT EXISTS (
            SELECT 1 FROM vintages r WHERE r.table_id = v.table_id AND NOT r.synthetic)
    )
    SELECT {", ".join(f"o.{c}" for c in OBSERVATION_COLUMNS)}, o.vintage_id, e.synthetic,
           e.preliminary
    FROM observations o JOIN eligible e USING (vintage_id)
    QUALIFY row_number() OVER (PARTITION BY o.table_id, o.contents_code, o.region, o.year,
        o.dims ORDER BY o.vintage_id DESC) = 1
    ORDER BY o.table_id, o.contents_code, o.region, o.year, o.dims
"""


def before(wh: Warehouse) -> pl.DataFrame:
    """The old single-statement read."""
    frame = wh.conn.sql(_BEFORE).pl()
    return frame.with_columns(
        pl.col("year").cast(pl.Int32),
        pl.col("vintage_id").cast(pl.Int64),
        pl.col("synthetic").cast(pl.Boolean),
        pl.col("preliminary").cast(pl.Boolean),
    )


def best(runs: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """Best wall and best CPU time of ``runs`` calls, and the last result."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def measure(wh: Warehouse, label: str, runs: int) -> None:
    """Print old, new and bare-scan times for one warehouse; check old and new agree."""
    scan = best(runs, lambda: wh.conn.sql("SELECT * FROM observations").pl())
    old = best(runs, lambda: before(wh))
    new = best(runs, wh.observations)
    if not old[2].equals(new[2]):
        raise SystemExit(f"{label}: the new read differs from the old one")
    print(f"\n{label}: {new[2].height:,} rows returned")
    print(f"  {'':28} {'wall s':>8} {'CPU s':>8}")
    for name, figures in (
        ("before (window + ORDER BY)", old),
        ("now (observations())", new),
        ("bare scan (floor)", scan),
    ):
        print(f"  {name:28} {figures[0]:8.3f} {figures[1]:8.3f}")
    print(
        f"  ratio before/now: wall {old[0] / new[0]:.1f}×, CPU {old[1] / new[1]:.1f}×; "
        f"now/bare scan: CPU {new[1] / scan[1]:.1f}×"
    )


def main(argv: list[str] | None = None) -> None:
    """Build the two warehouses in a temporary directory and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="best of this many (default 3)")
    args = parser.parse_args(argv)
    print(__doc__.split("\n\n")[0])
    print(f"best of {args.runs}, on the shipped synthetic sample")
    with tempfile.TemporaryDirectory() as tmp, Warehouse.open(Path(tmp) / "one.duckdb") as wh:
        load_sample(wh)
        measure(wh, "one vintage per table", args.runs)
        changed = sample_observations().drop("synthetic", "preliminary", strict=False)
        changed = changed.with_columns(pl.col("value") + 1)
        for table, rows in changed.partition_by("table_id", as_dict=True).items():
            wh.load(rows, VintageInfo(source="sample", table_id=str(table[0])))
        measure(wh, "two vintages per table", args.runs)


if __name__ == "__main__":
    main()
