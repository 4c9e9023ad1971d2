"""Benchmark: one council deck (``kostra slides``, issue 16) on the packaged sample.

With the year prepared (:func:`kostra.report.pipeline.prepare`, shared by every deck of the
year, measured once and reported beside), one deck is: ``report_data`` for the municipality
(its own figures, the previous year's production indices included), the verdicts and the deck
view, the map picture (vl-convert PNG) and the PPTX (python-pptx). Each is reported as wall and
CPU time and as a ratio to ``report_data`` (the municipality's computation); best of ``--runs``.

Goal: one deck < 2 s with the year prepared. Run: ``python benchmarks/run.py slides`` or
``python benchmarks/bench_slides.py [--runs N] [--year Y] [--municipality NAME]``. Nothing is
asserted; the machine is shared: read the ratios, and run benchmarks one at a time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kostra.render import render
from kostra.report import pipeline
from kostra.slides.build import deck_view, map_picture

GOAL = "goal: one deck < 2 s with the year prepared"
T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[T, float, float]:
    """Result, wall seconds and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def best(run: Callable[[], T], runs: int) -> tuple[T, float, float]:
    """The result and the fastest wall (with its CPU) of ``runs`` calls."""
    results = [timed(run) for _ in range(runs)]
    return min(results, key=lambda r: r[1])


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"  {label:<40} {wall:7.3f} s wall {cpu:7.3f} s CPU  {extra}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--municipality", default="Bærum")
    args = parser.parse_args(argv)
    print(GOAL)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "none.duckdb"  # no warehouse: the packaged sample is read
        inputs, w_prep, c_prep = timed(lambda: pipeline.prepare(args.year, db=db))
        line(f"prepare {args.year} (once per year)", w_prep, c_prep)
        print(f"one deck ({args.municipality} {args.year}, --compare Asker), best of {args.runs}:")
        data, w_data, c_data = best(
            lambda: pipeline.report_data(inputs, args.municipality, compare=["Asker"]), args.runs
        )
        line("report_data (the municipality's figures)", w_data, c_data, "ratio 1.00×")
        view, w_view, c_view = best(lambda: deck_view(data, "nb"), args.runs)
        line("verdicts + deck view", w_view, c_view, f"ratio {w_view / w_data:.2f}×")
        picture, w_map, c_map = best(lambda: map_picture(data, "nb"), args.runs)
        line("map picture (PNG)", w_map, c_map, f"ratio {w_map / w_data:.2f}×")
        full = deck_view(data, "nb", map_picture=picture)
        content, w_pptx, c_pptx = best(lambda: render("pptx", full), args.runs)
        line("PPTX (python-pptx)", w_pptx, c_pptx, f"ratio {w_pptx / w_data:.2f}×")
        total_w = w_data + w_view + w_map + w_pptx
        total_c = c_data + c_view + c_map + c_pptx
        line(
            "one deck, year prepared",
            total_w,
            total_c,
            f"ratio {total_w / w_data:.2f}×; {len(full.slides)} slides, {len(content) // 1024} KiB",
        )
        line("one deck with prepare", total_w + w_prep, total_c + c_prep)
        del view


if __name__ == "__main__":
    main()
