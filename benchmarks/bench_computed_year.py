"""Benchmark: where the computed year lives, Parquet files or DuckDB tables (issue 12.1).

Builds a computed year (:mod:`kostra.results.store`) of ``--codes`` (40) municipalities of the
shipped sample against the standard peer groups, then stores the same rows (code, report data
as JSON, findings) in a DuckDB table as well, and measures, best of ``--repeat`` rounds:

- writing the rows: one Parquet file with a row group per municipality (what the store writes)
  against a DuckDB table (one transaction);
- reading one municipality's row as a page does, in a process that has the file at hand:
  Parquet (open the file, read one row group) against DuckDB (a read-only connection kept open;
  and one opened per read, as a process must when another process may write);
- whether a reader can open the file while another process writes to it (DuckDB takes one
  lock for the file: a reader waits for the writer);
- the file sizes; and the whole read of a view (the row plus validating the report data) for
  scale.

Run: ``python benchmarks/bench_computed_year.py [--codes 40] [--repeat 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from kostra.report.pipeline import ReportSettings
from kostra.results.store import Store

_HOLD = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("BEGIN")
conn.execute("INSERT INTO views VALUES ('9999', 'x', NULL)")
print("holding", flush=True)
time.sleep(30)
"""


def _best(samples: list[float]) -> tuple[float, float]:
    return min(samples), statistics.median(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codes", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from kostra.geography import municipalities

    codes = sorted(municipalities(2024)["code"].to_list())[:: max(1, 357 // args.codes)][
        : args.codes
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "none.duckdb"
        start = time.perf_counter()
        computed = Store(db).build(settings=ReportSettings(resamples=50), peers=(), codes=codes)
        assert computed is not None
        build = time.perf_counter() - start
        print(
            f"computed year of {len(codes)} municipalities × asss/county views built in "
            f"{build:.1f} s (prepare of the year included)"
        )
        parquet = computed.path / "views-county.parquet"
        table = pq.read_table(parquet)
        rows = table.to_pylist()

        writes_pq, writes_db = [], []
        for n in range(3):
            target = Path(tmp) / f"copy{n}.parquet"
            t0 = time.perf_counter()
            with pq.ParquetWriter(target, table.schema, compression="zstd") as writer:
                for i in range(table.num_rows):
                    writer.write_table(table.slice(i, 1))
            writes_pq.append(time.perf_counter() - t0)
            duck = Path(tmp) / f"copy{n}.duckdb"
            t0 = time.perf_counter()
            with duckdb.connect(str(duck)) as conn:
                conn.execute("CREATE TABLE views (code VARCHAR PRIMARY KEY, data VARCHAR, f BLOB)")
                conn.executemany(
                    "INSERT INTO views VALUES (?, ?, ?)",
                    [(r["code"], r["data"], r["findings"]) for r in rows],
                )
            writes_db.append(time.perf_counter() - t0)
        duck = Path(tmp) / "copy0.duckdb"
        print(
            f"write {len(rows)} views: Parquet {min(writes_pq) * 1000:.0f} ms, "
            f"DuckDB {min(writes_db) * 1000:.0f} ms (best of 3); "
            f"sizes Parquet {parquet.stat().st_size / 2**20:.2f} MiB, "
            f"DuckDB {duck.stat().st_size / 2**20:.2f} MiB"
        )

        code_list = [r["code"] for r in rows]
        index = {c: n for n, c in enumerate(code_list)}
        read_pq, read_db, read_db_open, whole = [], [], [], []
        conn = duckdb.connect(str(duck), read_only=True)
        for n in range(args.repeat):
            code = code_list[n % len(code_list)]
            t0 = time.perf_counter()
            with pq.ParquetFile(parquet) as handle:
                handle.read_row_group(index[code], columns=["code", "data", "findings"])
            read_pq.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            conn.execute("SELECT data, f FROM views WHERE code = ?", [code]).fetchone()
            read_db.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            with duckdb.connect(str(duck), read_only=True) as fresh:
                fresh.execute("SELECT data, f FROM views WHERE code = ?", [code]).fetchone()
            read_db_open.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            computed.view(code, "county")
            whole.append(time.perf_counter() - t0)
        conn.close()
        for name, samples in (
            ("Parquet, one row group", read_pq),
            ("DuckDB, connection kept", read_db),
            ("DuckDB, connection per read", read_db_open),
            ("whole view (Parquet + validation)", whole),
        ):
            best, median = _best(samples)
            print(
                f"read one view: {name:<36} best {best * 1000:6.2f} ms, "
                f"median {median * 1000:6.2f} ms"
            )
        base = statistics.median(read_pq)
        print(
            f"ratio (median): DuckDB kept / Parquet {statistics.median(read_db) / base:.2f}, "
            f"DuckDB per read / Parquet {statistics.median(read_db_open) / base:.2f}"
        )

        holder = subprocess.Popen(
            [sys.executable, "-c", _HOLD, str(duck)], stdout=subprocess.PIPE, text=True
        )
        assert holder.stdout is not None
        if holder.stdout.readline().strip() != "holding":
            raise RuntimeError("the writer process did not start")
        try:
            with duckdb.connect(str(duck), read_only=True) as reader:
                reader.execute("SELECT count(*) FROM views").fetchone()
            blocked = "no"
        except duckdb.Error as error:
            blocked = f"yes ({type(error).__name__})"
        finally:
            holder.kill()
            holder.wait()
        print(f"a reader refused while another process writes the DuckDB file: {blocked}")


if __name__ == "__main__":
    main()
