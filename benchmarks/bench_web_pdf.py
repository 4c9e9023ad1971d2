"""Benchmark: what a PDF download costs the web's other visitors (issue 12).

A PDF report takes seconds of WeasyPrint layout, which is Python and holds the GIL, and
vl-convert holds it for each chart. Rendered in the server's process, every other request
waits behind it. This benchmark measures that: ``kostra serve`` runs as a real process over a
warehouse ``DB`` whose computed year is ready for the tree's code (``python -m
kostra.results.store DB --until-ready`` with that tree; one warehouse holds several trees'
computed years side by side), with a cache folder of its own. After the pages it uses are
warmed, a *probe* client asks for cheap pages (the front page, the year list, the ranking, a
municipality's page), one at a time, first for ``--quiet`` seconds alone, then while a second
client downloads the PDF reports of ``--pdfs`` municipalities one after the other (each a
different one, so none comes from the server's cache). Reported: the probe's latency (p50,
p95, p99, max) alone and during the downloads, and each download's time. With ``--idle`` the
downloads run with no probe beside them, on a server with nothing else to do.

With ``--before SRC`` the same is run first for another checkout's ``src`` (each tree's server
in turn, never both at once), and the ratios are printed. Nothing is asserted; the machine is
shared, so the load average is printed before and after. Run: ``python
benchmarks/bench_web_pdf.py DB [--before OTHER/src] [--pdfs 4] [--quiet 8] [--idle]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web_load import SERVER, _free_port, _percentile, _wait_up

#: The probe's pages: cheap answers a visitor asks for while someone downloads a PDF
PROBES = ("/", "/api/ar", "/rangering", "/kommune/3201")
#: Municipalities whose PDFs are downloaded (each once)
PDF_CODES = ("4601", "5001", "1103", "3107", "1806", "4204", "3905", "1506")


def _probe(client: httpx.Client, base: str, until: threading.Event, seconds: float) -> list[float]:
    """Latencies (s) of the probe's requests, one at a time, until ``until`` is set or
    ``seconds`` have passed."""
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    n = 0
    while not until.is_set() and time.perf_counter() < end:
        started = time.perf_counter()
        response = client.get(base + PROBES[n % len(PROBES)])
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"probe {PROBES[n % len(PROBES)]}: HTTP {response.status_code}")
        n += 1
    return latencies


def _summary(latencies: list[float]) -> str:
    ms = [x * 1000 for x in latencies]
    return (
        f"{len(ms):5d} requests  p50 {_percentile(ms, 0.5):7.1f} ms  p95 "
        f"{_percentile(ms, 0.95):7.1f} ms  p99 {_percentile(ms, 0.99):7.1f} ms  "
        f"max {max(ms):7.1f} ms"
    )


def measure(db: Path, src: Path, pdfs: int, quiet: float, idle: bool) -> dict[str, list[float]]:
    """One tree's server: the probe alone, then beside the PDF downloads (with ``idle``, the
    downloads alone)."""
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(src),
            "PYTHONUNBUFFERED": "1",
            "KOSTRA_CACHE_DIR": str(Path(folder) / "cache"),
        }
        command = [sys.executable, "-c", SERVER, "serve", "--db", str(db), "--port", str(port)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            _wait_up(base, server)
            with httpx.Client(timeout=300) as client:
                for path in (*PROBES, *(f"/kommune/{c}" for c in PDF_CODES[:pdfs])):
                    # the pages rendered once, then kept
                    if client.get(base + path).status_code != 200:
                        raise SystemExit(f"{path}: not answered (is DB's computed year ready?)")
                alone = _probe(client, base, threading.Event(), quiet)
                done = threading.Event()
                downloads: list[float] = []

                def download() -> None:
                    with httpx.Client(timeout=600) as downloader:
                        for code in PDF_CODES[:pdfs]:
                            started = time.perf_counter()
                            response = downloader.get(f"{base}/kommune/{code}/rapport.pdf")
                            downloads.append(time.perf_counter() - started)
                            if not response.content.startswith(b"%PDF"):
                                print(f"  {code}: HTTP {response.status_code}, not a PDF")
                    done.set()

                thread = threading.Thread(target=download)
                thread.start()
                beside = [] if idle else _probe(client, base, done, 3600.0)
                thread.join()
        finally:
            server.terminate()
            server.wait(30)
    return {"alone": alone, "beside": beside, "downloads": downloads}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path, help="a warehouse whose computed year is ready")
    parser.add_argument("--before", type=Path, default=None, help="another checkout's src")
    parser.add_argument("--pdfs", type=int, default=4, help=f"at most {len(PDF_CODES)}")
    parser.add_argument("--quiet", type=float, default=8.0, help="seconds of probe alone")
    parser.add_argument("--idle", action="store_true", help="the downloads with no probe beside")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    here = Path(__file__).resolve().parents[1] / "src"
    trees = {"after (this tree)": here}
    if args.before is not None:
        trees = {"before": args.before.resolve(), **trees}
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), end=", ")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results = {}
    for name, src in trees.items():
        pdfs = min(args.pdfs, len(PDF_CODES))
        results[name] = measure(args.db, src, pdfs, args.quiet, args.idle)
        got = results[name]
        print(f"{name}:")
        print(f"  probe alone          {_summary(got['alone'])}")
        if not args.idle:
            print(f"  probe beside PDFs    {_summary(got['beside'])}")
        print("  PDF downloads (s):   " + ", ".join(f"{x:.2f}" for x in got["downloads"]))
    if args.before is not None and args.idle:
        old, new = results["before"]["downloads"], results["after (this tree)"]["downloads"]
        print(f"  fastest download, before/after: {min(old) / min(new):.2f}x")
    elif args.before is not None:
        old, new = results["before"], results["after (this tree)"]
        for q, label in ((0.95, "p95"), (0.99, "p99")):
            ratio = _percentile(old["beside"], q) / _percentile(new["beside"], q)
            print(f"  probe {label} beside PDFs, before/after: {ratio:.1f}x")
        print(
            f"  probe max beside PDFs, before/after: {max(old['beside']) / max(new['beside']):.1f}x"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
