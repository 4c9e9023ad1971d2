"""Benchmark: the yearly KOSTRA report (issue 6) on the packaged sample.

Measures, each as a ratio to *computing the report's numbers alone*:

* one HTML report (``kostra report Bærum --year 2024``): compute = loading the data, evaluating
  the catalog for every municipality, the barometer with rank intervals (:func:`prepare`) and
  Bærum's own analyses (:func:`report_data`); render = findings, charts, HTML and the atomic
  write. Measured cold (Vega bundle not cached: a fresh install's first report) and warm;
* one PDF report (the same numbers, WeasyPrint with static SVG charts);
* all 357 HTML reports (``kostra report --all --group country``): compute = one
  :func:`prepare` plus :func:`report_data` per municipality; render per report. By default a
  subset of municipalities (every k-th code) is rendered and the total is **extrapolated** (said
  in the output); ``--full`` renders all 357.

Goals: one HTML < 3 s, one PDF < 10 s, all 357 HTML < 10 min on 2 cores, rendering ≤ 3× the
computation. Run: ``python benchmarks/run.py report`` or ``python benchmarks/bench_report.py
[--full] [--subset N]``. Wall and CPU time; nothing is asserted. The machine is shared: read the
ratios, and run benchmarks one at a time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kostra.report import pipeline, render
from kostra.report.render import ReportFormat, write_report

YEAR = 2024
ALL = 357
GOALS = "goals: HTML < 3 s, PDF < 10 s, 357 HTML < 10 min (2 cores), render ≤ 3× compute"
T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """Result, wall seconds and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"  {label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU  {extra}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--full", action="store_true", help="render all 357 HTML reports")
    parser.add_argument("--subset", type=int, default=24, help="reports rendered without --full")
    args = parser.parse_args(argv)
    print(GOALS)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        # a fresh cache directory: the first report builds the Vega bundle, as after install
        os.environ["KOSTRA_CACHE_DIR"] = str(out / "cache")
        render.javascript_bundle.cache_clear()
        db = out / "none.duckdb"  # no warehouse: the packaged sample is read

        print("one HTML report (Bærum 2024):")
        inputs, w_prep, c_prep = timed(lambda: pipeline.prepare(YEAR, db=db))
        data, w_data, c_data = timed(lambda: pipeline.report_data(inputs, "Bærum"))
        compute_w, compute_c = w_prep + w_data, c_prep + c_data
        line("compute (prepare + report_data)", compute_w, compute_c)
        _, w_cold, c_cold = timed(lambda: write_report(data, out / "cold.html"))
        line(
            "render HTML, cold (builds the Vega bundle)",
            w_cold,
            c_cold,
            f"ratio {w_cold / compute_w:.2f}×",
        )
        _, w_html, c_html = timed(lambda: write_report(data, out / "b.html"))
        line("render HTML, warm", w_html, c_html, f"ratio {w_html / compute_w:.2f}×")
        line("total one HTML report, cold", compute_w + w_cold, compute_c + c_cold)

        print("one PDF report (Bærum 2024):")
        _, w_pdf, c_pdf = timed(lambda: write_report(data, out / "b.pdf", fmt=ReportFormat.PDF))
        line("render PDF", w_pdf, c_pdf, f"ratio {w_pdf / compute_w:.2f}×")
        line("total one PDF report", compute_w + w_pdf, compute_c + c_pdf)

        codes = sorted(inputs.names)
        if args.full:
            chosen = codes
            label = f"all {len(codes)} HTML reports (measured)"
        else:
            step = max(1, len(codes) // max(1, args.subset))
            chosen = codes[::step][: args.subset]
            label = (
                f"{len(chosen)} of {len(codes)} HTML reports (every {step}th code), "
                f"EXTRAPOLATED to {len(codes)}"
            )
        print(label + ":")
        w_d = c_d = w_r = c_r = 0.0
        for code in chosen:
            one, w, c = timed(lambda code=code: pipeline.report_data(inputs, code))
            w_d, c_d = w_d + w, c_d + c
            _, w, c = timed(lambda one=one, code=code: write_report(one, out / f"{code}.html"))
            w_r, c_r = w_r + w, c_r + c
        n = len(chosen)
        per_compute = w_prep / len(codes) + w_d / n
        per_render = w_r / n
        line("shared prepare (once)", w_prep, c_prep)
        line("report_data per municipality (mean)", w_d / n, c_d / n)
        line(
            "render + write per report (mean)",
            per_render,
            c_r / n,
            f"ratio {per_render / per_compute:.2f}× (prepare shared over {len(codes)})",
        )
        scale = len(codes) / n
        total_w = w_prep + (w_d + w_r) * scale
        total_c = c_prep + (c_d + c_r) * scale
        word = "measured" if args.full else "extrapolated"
        line(
            f"all {len(codes)} HTML reports ({word})", total_w, total_c, f"= {total_w / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
