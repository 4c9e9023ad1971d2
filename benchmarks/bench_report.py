"""Benchmark: the yearly KOSTRA report as a user runs it (issue 12's report targets).

Every figure is measured in one run, each command in a fresh process on the packaged sample (no
warehouse), as ``kostra`` runs it; wall time, CPU time (user + system) and peak memory (maximum
resident set size) come from ``os.wait4`` of that process alone:

* one HTML report, ``kostra report Bærum --year 2024`` (cold: a fresh cache directory, so the
  first run builds the Vega bundle and compiles the template; then warm runs);
* one PDF report, ``kostra report Bærum --year 2024 --format pdf`` (warm);
* all 357 HTML reports, ``kostra report --all --group country --year 2024``: every report
  written, end to end (nothing extrapolated), counted on disk;
* in process, the parts of one command: computing the year (``report.pipeline.prepare``) and,
  with the year prepared, one HTML report's ``report_data`` + render + atomic write, and a fresh
  interpreter importing what the command imports. Their sum (start-up + one report without
  computing the year) is printed as DERIVED: what a command reading an already computed year
  costs beyond loading it.

Goals (#12): one HTML report < 1.0 s wall as a command with a computed year, a PDF < 3 s, all
357 HTML reports < 45 s end to end, peak memory of one report < 400 MB. Run:
``python benchmarks/run.py report`` or ``python benchmarks/bench_report.py [--runs N]
[--skip-all]``. Nothing is asserted; the machine is shared, so the load average is printed
before and after, and benchmarks run one at a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

YEAR = 2024
GOALS = (
    "goals (#12): HTML < 1.0 s wall as a command with a computed year, PDF < 3 s, "
    "357 HTML < 45 s end to end, peak memory of one report < 400 MB"
)
T = TypeVar("T")


@dataclass(frozen=True)
class Run:
    """One command's wall and CPU seconds and peak resident memory (MB)."""

    wall: float
    cpu: float
    peak_mb: float


def command(args: list[str], env: dict[str, str]) -> Run:
    """Run ``kostra args`` in a fresh interpreter; its own time and peak memory."""
    code = f"import sys; from kostra.cli import main; sys.argv = ['kostra', *{args!r}]; main()"
    return python(code, env, f"kostra {' '.join(args)}")


def python(code: str, env: dict[str, str], label: str) -> Run:
    """Run ``code`` in a fresh interpreter; its own time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stderr is not None
    errors = process.stderr.read()  # the progress display; read so the pipe never fills
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{label} failed:\n{errors.decode(errors='replace')}")
    # ru_maxrss is in kilobytes on Linux
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """Result, wall seconds and CPU seconds of one call in this process."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"  {label:<50} {wall:7.2f} s wall {cpu:7.2f} s CPU  {extra}", flush=True)


def runs_line(label: str, runs: list[Run]) -> None:
    walls = [r.wall for r in runs]
    line(
        f"{label} (best of {len(runs)})",
        min(walls),
        min(r.cpu for r in runs),
        f"median {statistics.median(walls):.2f} s, peak {max(r.peak_mb for r in runs):.0f} MB",
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} ({os.cpu_count()} CPUs)"


def main(argv: list[str] | None = None) -> None:
    """Measure the report commands and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="warm runs of each single report")
    parser.add_argument("--skip-all", action="store_true", help="skip the 357 reports")
    args = parser.parse_args(argv)
    print(GOALS)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {load()}")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        env = {
            **os.environ,
            "KOSTRA_CACHE_DIR": str(out / "cache"),  # fresh: the first report is cold
            "KOSTRA_DB": str(out / "none.duckdb"),  # no warehouse: the packaged sample
            "COLUMNS": "100",
        }
        report = ["report", "Bærum", "--year", str(YEAR)]

        print("one HTML report as a command (computes the year, then one report):")
        cold = command([*report, "-o", str(out / "cold.html")], env)
        line(
            "cold (builds the Vega bundle, compiles the template)",
            cold.wall,
            cold.cpu,
            f"peak {cold.peak_mb:.0f} MB",
        )
        html = [command([*report, "-o", str(out / "b.html")], env) for _ in range(args.runs)]
        runs_line("warm", html)

        print("one PDF report as a command:")
        pdf = [
            command([*report, "--format", "pdf", "-o", str(out / "b.pdf")], env)
            for _ in range(args.runs)
        ]
        runs_line("warm", pdf)

        if not args.skip_all:
            print("all HTML reports as one command (--all --group country), end to end:")
            folder_all = out / "all"
            every = command(
                [
                    "report",
                    "--all",
                    "--group",
                    "country",
                    "--year",
                    str(YEAR),
                    "-o",
                    str(folder_all),
                ],
                env,
            )
            written = len(list(folder_all.glob("*.html")))
            line(
                f"{written} reports written (measured)",
                every.wall,
                every.cpu,
                f"peak {every.peak_mb:.0f} MB, {every.wall / max(written, 1) * 1000:.0f} "
                "ms wall per report",
            )

        print("the parts of one command")
        # measured before this process computes anything: a child's peak RSS starts from its
        # parent's (Linux carries the high-water mark across fork and exec)
        imports = (
            "import kostra.cli, kostra.cli.report, kostra.report.pipeline, kostra.report.render"
        )
        started = [python(imports, env, "imports") for _ in range(max(1, args.runs))]
        runs_line("fresh interpreter importing the report command", started)
        os.environ.update({k: env[k] for k in ("KOSTRA_CACHE_DIR", "KOSTRA_DB")})
        from kostra.report import pipeline
        from kostra.report.render import write_report

        inputs, w_prep, c_prep = timed(lambda: pipeline.prepare(YEAR, db=out / "none.duckdb"))
        line("compute the year (prepare)", w_prep, c_prep)
        write_report(pipeline.report_data(inputs, "Asker"), out / "warm-up.html")
        best = (float("inf"), float("inf"))
        for _ in range(max(1, args.runs)):
            _, w, c = timed(
                lambda: write_report(pipeline.report_data(inputs, "Bærum"), out / "p.html")
            )
            best = (min(best[0], w), min(best[1], c))
        line(f"one HTML report, year prepared (best of {max(1, args.runs)})", *best)
        derived = min(r.wall for r in started) + best[0]
        print(
            f"  DERIVED (not measured as one command): start-up + one report with the year "
            f"computed = {derived:.2f} s wall, before loading the computed year"
        )
    print(load())


if __name__ == "__main__":
    main()
