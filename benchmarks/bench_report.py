"""Benchmark: the yearly KOSTRA report as a user runs it (issue 12's report targets).

Every figure is measured in one run, each command in a fresh process on the packaged sample (no
warehouse), as ``kostra`` runs it; wall time, CPU time (user + system, the command's worker
processes included) and peak memory (maximum resident set size of the command's process) come
from ``os.wait4``:

* one HTML report, ``kostra report Bærum --year 2024``: first cold (a fresh cache directory,
  so the Vega bundle is built, the template compiled and the year computed), then with the
  computed-year store **absent** (removed before each run: the command computes the year and
  stores it) and **current** (the command reads the stored year);
* one PDF report, ``kostra report Bærum --year 2024 --format pdf``, store current;
* all 357 HTML reports, ``kostra report --all --group country --year 2024``, store current:
  every report written, end to end (nothing extrapolated), counted on disk;
* a fresh interpreter importing what the report command imports (the floor of any command).

Bytecode is written (into a folder of the run's own, ``PYTHONPYCACHEPREFIX``) and read as an
installed package reads it, even where the environment sets ``PYTHONDONTWRITEBYTECODE``; the
first, unmeasured import writes it.

Ratios are of the best runs measured side by side in the same run. Goals (#12): one HTML report
< 1.0 s wall as a command with a computed year, a PDF < 3 s, all 357 HTML reports < 45 s end to
end, peak memory of one report < 400 MB. Run: ``python benchmarks/run.py report`` or ``python
benchmarks/bench_report.py [--runs N] [--skip-all]``. Nothing is asserted; the machine is
shared, so the load average is printed before and after, and benchmarks run one at a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

YEAR = 2024
GOALS = (
    "goals (#12): HTML < 1.0 s wall as a command with a computed year, PDF < 3 s, "
    "357 HTML < 45 s end to end, peak memory of one report < 400 MB"
)


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


def pdf_parts(db: Path, runs: int) -> None:
    """Where one PDF's time goes, in this process with the year read from the store: the print
    HTML (vl-convert's charts and the template), WeasyPrint's layout and its drawing and
    writing, the pages, and the charts drawn alone (the same images on one page)."""
    import base64
    import re

    import weasyprint

    from kostra.report import pipeline, render
    from kostra.results.year_inputs import year_inputs

    data = pipeline.report_data(year_inputs(db, YEAR), "Bærum")
    render.render_pdf(data, "nb")  # warm-up: imports, fonts, caches
    parts: dict[str, list[float]] = {"print HTML": [], "layout": [], "draw and write": []}
    charts: list[float] = []
    pages = 0
    html = ""
    for _ in range(runs):
        cpu = time.process_time()
        html = render.print_html(data, "nb")
        parts["print HTML"].append(time.process_time() - cpu)
        cpu = time.process_time()
        document = weasyprint.HTML(string=html, base_url=".").render(pdf_variant="pdf/ua-1")
        parts["layout"].append(time.process_time() - cpu)
        cpu = time.process_time()
        document.write_pdf(pdf_variant="pdf/ua-1")
        parts["draw and write"].append(time.process_time() - cpu)
        pages = len(document.pages)
        images = re.findall(r'src="(data:image/[^;]+;base64,[^"]+)"', html)
        alone = "<html><body>" + "".join(f'<img src="{i}">' for i in images) + "</body></html>"
        cpu = time.process_time()
        weasyprint.HTML(string=alone).write_pdf()
        charts.append(time.process_time() - cpu)
    total = sum(min(v) for v in parts.values())
    for name, values in parts.items():
        print(f"  {name:<50} {min(values):7.2f} s CPU  {min(values) / total:5.0%}")
    kinds: dict[str, list[int]] = {}
    for kind, payload in re.findall(r"data:image/([a-z+]+);base64,([^\"]+)", html):
        kinds.setdefault(kind, []).append(len(base64.b64decode(payload)))
    found = ", ".join(f"{len(v)} {k} ({sum(v) / 1e6:.2f} MB)" for k, v in kinds.items())
    print(f"  {pages} pages; images: {found}")
    print(f"  the images alone on one page, laid out and drawn: {min(charts):.2f} s CPU")


def pdf_side_by_side(runs: int, before: Path | None) -> None:
    """One PDF as a command, ``kostra report Bærum --year 2024 --format pdf``, the computed year
    current (stored by an unmeasured HTML report first), for this tree and, with ``before``,
    for another checkout's ``src``, alternating run by run in fresh processes. Each tree has a
    warehouse path of its own: the computed year is keyed by the code that computed it."""
    here = Path(__file__).resolve().parents[1] / "src"
    trees = {"after (this tree)": here}
    if before is not None:
        trees = {"before": before.resolve(), **trees}
    print(GOALS)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {load()}")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        envs = {}
        for n, (name, src) in enumerate(trees.items()):
            env = {
                **os.environ,
                "PYTHONPATH": str(src),
                "KOSTRA_CACHE_DIR": str(out / f"cache{n}"),
                "KOSTRA_DB": str(out / f"none{n}.duckdb"),
                "COLUMNS": "100",
                "PYTHONPYCACHEPREFIX": str(out / f"pycache{n}"),
            }
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            report = ["report", "Bærum", "--year", str(YEAR)]
            command([*report, "-o", str(out / f"year{n}.html")], env)  # stores the year
            command([*report, "--format", "pdf", "-o", str(out / f"warm{n}.pdf")], env)
            envs[name] = env
        measured: dict[str, list[Run]] = {name: [] for name in trees}
        sizes: dict[str, int] = {}
        for _ in range(runs):
            for n, (name, env) in enumerate(envs.items()):
                target = out / f"r{n}.pdf"
                pdf = [*report, "--format", "pdf", "-o", str(target)]
                measured[name].append(command(pdf, env))
                sizes[name] = target.stat().st_size
        print("one PDF report as a command (computed year current):")
        for name, values in measured.items():
            runs_line(f"{name}, {sizes[name] / 1e6:.2f} MB", values)
        if before is not None:
            old, new = measured["before"], measured["after (this tree)"]
            print(
                f"  ratio before/after: {min(r.wall for r in old) / min(r.wall for r in new):.2f}x"
                f" wall, {min(r.cpu for r in old) / min(r.cpu for r in new):.2f}x CPU (best runs)"
            )
    print(load())


def main(argv: list[str] | None = None) -> None:
    """Measure the report commands and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each single report")
    parser.add_argument("--skip-all", action="store_true", help="skip the 357 reports")
    parser.add_argument(
        "--pdf-parts", action="store_true", help="only where one PDF's time goes (in process)"
    )
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="only the PDF command (computed year current), with --before side by side",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="SRC",
        help="with --pdf: another checkout's src folder, measured alternating with this one",
    )
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    if args.pdf:
        pdf_side_by_side(runs, args.before)
        return
    if args.pdf_parts:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["KOSTRA_CACHE_DIR"] = str(Path(folder) / "cache")
            print(f"one PDF's parts (best of {runs}), {load()}:")
            pdf_parts(Path(folder) / "none.duckdb", runs)
        return
    print(GOALS)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {load()}")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        db = out / "none.duckdb"  # no warehouse: the packaged sample
        store = db.with_name(db.name + ".computed")
        env = {
            **os.environ,
            "KOSTRA_CACHE_DIR": str(out / "cache"),  # fresh: the first report is cold
            "KOSTRA_DB": str(db),
            "COLUMNS": "100",
            # bytecode kept as an installed package keeps it (an environment that forbids
            # writing it would make every run compile kostra's modules again), in a folder of
            # this run's own so the checkout stays clean
            "PYTHONPYCACHEPREFIX": str(out / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # measured before anything else: a child's peak RSS starts from its parent's (Linux
        # carries the high-water mark across fork and exec), and this process stays small
        imports = (
            "import kostra.cli, kostra.cli.report, kostra.report.pipeline, kostra.report.render,"
            " kostra.results.year_inputs"
        )
        python(imports, env, "imports")  # writes the bytecode: not measured
        started = [python(imports, env, "imports") for _ in range(runs)]
        report = ["report", "Bærum", "--year", str(YEAR)]

        print("one HTML report as a command:")
        cold = command([*report, "-o", str(out / "cold.html")], env)
        line(
            "cold (Vega bundle, template, year computed)",
            cold.wall,
            cold.cpu,
            f"peak {cold.peak_mb:.0f} MB",
        )
        absent, current = [], []
        for _ in range(runs):  # side by side, alternating
            shutil.rmtree(store, ignore_errors=True)
            absent.append(command([*report, "-o", str(out / "a.html")], env))
            current.append(command([*report, "-o", str(out / "c.html")], env))
        runs_line("computed year absent (computed and stored)", absent)
        runs_line("computed year current (read)", current)
        best = min(current, key=lambda r: r.cpu)
        worst = min(absent, key=lambda r: r.cpu)
        print(
            f"  ratio absent/current: {worst.cpu / best.cpu:.1f}x CPU, "
            f"{min(r.wall for r in absent) / min(r.wall for r in current):.1f}x wall, "
            f"{max(r.peak_mb for r in absent) / max(r.peak_mb for r in current):.1f}x peak memory"
        )

        print("one PDF report as a command (computed year current):")
        pdf = [
            command([*report, "--format", "pdf", "-o", str(out / "b.pdf")], env)
            for _ in range(runs)
        ]
        runs_line("PDF", pdf)

        if not args.skip_all:
            print("all HTML reports as one command (--all --group country), year current:")
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
                f"peak {every.peak_mb:.0f} MB, {every.cpu / max(written, 1) * 1000:.0f} "
                "ms CPU per report",
            )
        runs_line("a fresh interpreter importing the report command", started)
    print(load())


if __name__ == "__main__":
    main()
