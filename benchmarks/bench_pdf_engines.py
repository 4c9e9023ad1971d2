"""Benchmark: the PDF engine's own share of one PDF report, WeasyPrint beside Chromium (#12).

The PDF goal (< 3 s as a command) is not met with WeasyPrint, and the remaining choice is a
product decision: another engine, or a shorter print version. This benchmark gives that
decision its figures. Both engines get the same print HTML (Bærum 2024 from the packaged
sample, ASSS, bokmål, charts already in it as images), written to a file first:

* **WeasyPrint** (the engine ``kostra`` uses): a fresh interpreter imports it, lays the pages
  out and writes the PDF/UA-1 file, as a command does after its template;
* **Chromium** through Playwright (``page.pdf``, tagged, with an outline), when Playwright and
  a Chromium (``--chromium PATH``, default Debian's ``/usr/bin/chromium``) are installed: a
  fresh interpreter launches the browser, prints once and closes it, as a command would.

Each run is a fresh process timed by ``os.wait4`` (wall, and CPU of the process and every
process it waited for: Chromium's own processes included), alternating engine by engine.
Then, in one process each, the same print repeated warm (a server's worker could keep its
engine loaded): the best of ``--runs``.

What each engine's PDF holds is checked with pypdf, since speed alone decides nothing: pages,
tagged (``/MarkInfo``), a PDF/UA identification in the metadata, and whether the table of
contents has its page numbers (the print CSS writes them with ``target-counter()``, which
Chromium does not implement). Nothing is asserted. Run: ``python
benchmarks/bench_pdf_engines.py [--runs N] [--chromium PATH]`` or ``python benchmarks/run.py
pdf_engines``.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import YEAR, load

CHROMIUM = Path("/usr/bin/chromium")

WEASYPRINT = """
import sys, time
html = open(sys.argv[1], encoding="utf-8").read()
import weasyprint
PDF_VARIANT = sys.argv[4]
runs = int(sys.argv[3])
best = None
for _ in range(runs):
    started, cpu = time.perf_counter(), time.process_time()
    pdf = weasyprint.HTML(string=html, base_url=".").write_pdf(pdf_variant=PDF_VARIANT)
    took = (time.perf_counter() - started, time.process_time() - cpu)
    best = took if best is None or took < best else best
open(sys.argv[2], "wb").write(pdf)
print(*best)
"""

CHROMIUM_PRINT = """
import sys, time
html = open(sys.argv[1], encoding="utf-8").read()
from playwright.sync_api import sync_playwright
runs = int(sys.argv[3])
best = None
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path=sys.argv[4], headless=True, args=["--no-sandbox"]
    )
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        page = browser.new_page()
        page.set_content(html, wait_until="load")
        pdf = page.pdf(
            format="A4", print_background=True, prefer_css_page_size=True,
            tagged=True, outline=True,
        )
        page.close()
        took = (time.perf_counter() - started, time.process_time() - cpu)
        best = took if best is None or took < best else best
    browser.close()
open(sys.argv[2], "wb").write(pdf)
print(*best)
"""


def fresh(code: str, args: list[str]) -> tuple[float, float, str]:
    """Run ``code`` in a fresh interpreter: wall and CPU seconds (its waited-for processes
    included) and what it printed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    out, errors = process.stdout.read(), process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(errors.decode(errors="replace"))
    return wall, usage.ru_utime + usage.ru_stime, out.decode().strip()


def print_html(folder: Path) -> Path:
    """The print HTML of Bærum's report (ASSS, bokmål) from the packaged sample, written to a
    file in ``folder``, where the computed year and the caches are kept too."""
    from kostra.report import pipeline, render
    from kostra.results.year_inputs import year_inputs

    # a cache of this run's own, given back after: ``run.py`` runs other benchmarks after this
    before = os.environ.get("KOSTRA_CACHE_DIR")
    os.environ["KOSTRA_CACHE_DIR"] = str(folder / "cache")
    try:
        data = pipeline.report_data(year_inputs(folder / "none.duckdb", YEAR), "Bærum")
        target = folder / "print.html"
        target.write_text(render.print_html(data, "nb"), encoding="utf-8")
    finally:
        if before is None:
            del os.environ["KOSTRA_CACHE_DIR"]
        else:
            os.environ["KOSTRA_CACHE_DIR"] = before
    return target


def contents(pdf: bytes) -> str:
    """Pages, tags, PDF/UA identification and the table of contents' page numbers."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    marked = bool(root.get("/MarkInfo", {}).get("/Marked", False))
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode(errors="replace") if metadata else ""
    toc = next((text for p in reader.pages if "Innhold" in (text := p.extract_text())), "")
    numbered = len(re.findall(r"(?m)(?:Grunnskole|Barnehage|Eiendom)\W*\d+\s*$", toc))
    return (
        f"{len(reader.pages)} pages, tagged {'yes' if marked else 'no'}, PDF/UA id "
        f"{'yes' if 'pdfuaid' in xmp else 'no'}, table of contents' page numbers "
        f"{'yes' if numbered == 3 else 'no'}, {len(pdf) / 1e6:.2f} MB"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per engine")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM, help="a Chromium binary")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    engines = {"WeasyPrint": WEASYPRINT}
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("  Chromium: skipped (Playwright is not installed: pip install -e '.[test]')")
    else:
        if args.chromium.exists():
            engines["Chromium"] = CHROMIUM_PRINT
        else:
            print(f"  Chromium: skipped ({args.chromium} is absent)")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {load()}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        html = print_html(folder)
        from kostra.report.printing import PDF_VARIANT

        extra = {"WeasyPrint": PDF_VARIANT, "Chromium": str(args.chromium)}
        print(f"print HTML: {html.stat().st_size / 1e6:.2f} MB (Bærum {YEAR}, ASSS, nb)")
        measured: dict[str, list[tuple[float, float]]] = {engine: [] for engine in engines}
        for _ in range(args.runs):
            for engine, code in engines.items():
                wall, cpu, _ = fresh(code, [str(html), str(folder / "out.pdf"), "1", extra[engine]])
                measured[engine].append((wall, cpu))
        print("a fresh process: start the engine, one PDF, stop (wall / CPU incl. its processes):")
        for engine, values in measured.items():
            walls = [w for w, _ in values]
            print(
                f"  {engine:<11} best {min(walls):5.2f} s wall (median "
                f"{statistics.median(walls):5.2f} s), {min(c for _, c in values):5.2f} s CPU"
            )
        if len(engines) == 2:
            weasy, chrome = (min(w for w, _ in measured[e]) for e in engines)
            print(f"  ratio WeasyPrint/Chromium, best wall: {weasy / chrome:.2f}x")
        print(f"warm, the engine loaded (best of {args.runs} in one process; its own CPU only):")
        for engine, code in engines.items():
            target = folder / f"{engine}.pdf"
            _, _, best = fresh(code, [str(html), str(target), str(args.runs), extra[engine]])
            wall, cpu = (float(x) for x in best.split())
            print(f"  {engine:<11} {wall:5.2f} s wall, {cpu:5.2f} s CPU in Python")
            print(f"  {'':<11} {contents(target.read_bytes())}")
    print(load())


if __name__ == "__main__":
    main()
