"""Benchmark: the web dashboard as its users meet it, from a fresh start (issue 12).

``kostra serve`` runs as a real process (the command itself, ``--workers N`` when asked) over a
warehouse in a temporary folder that holds one vintage of one sample table (the other tables
come from the shipped sample, as on a fresh clone). Its computed year
(:mod:`kostra.results.store`) is built first with the web's answers rendered ahead, as a
builder leaves it after an import (``--store lazy``: the server starts the builder itself and
answers meanwhile). As soon as the server answers,
``--clients`` (50) concurrent clients (``httpx`` async, one connection each) request for
``--seconds`` (60):

- half of the requests are *first visits*: every municipality (all 357) × its overview and its
  nine sector pages, in a shuffled order, each opened once, until all have been;
- the other half is drawn from the rest of the realistic mix: the same pages against another
  peer group (``?gruppe=``) or an earlier year (``?ar=``), the ranking (filtered and sorted), the
  comparison, the map and the front page, the JSON API and CSV downloads of random
  municipalities, and the type-ahead search.

Nothing is warmed before the clients start. Reported: p50/p95/p99 latency, throughput and
errors overall and per kind, the server's resident memory (all its processes) every few
seconds and its growth from the first minute to the end, and the load average.

``--documents N``: N more clients download documents the whole run, one after another (a
random municipality's report as PDF or HTML, or its council deck), as people do from a shared
server before a council meeting; their latency is reported as ``document`` and left out of the
pages' figures and the goal, which then say what the other visitors met beside them.

``--import-at S``: S seconds into the run, a new vintage of the table is loaded into the
warehouse by another process (as ``kostra import`` would); reported are the load's duration,
the latency while it runs and after, and when the pages first show the new figures.

Targets (#12): p95 < 150 ms, p99 < 400 ms, no errors; also with an import running and with
``--workers 2``; memory growth < 10 % over 10 minutes (``--seconds 600``).
Run: ``python benchmarks/bench_web_load.py [--seconds 60] [--clients 50] [--workers 1]
[--import-at 20]`` (``--quick``: 10 clients for 15 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SECTORS = [
    "grunnskole",
    "barnehage",
    "barnevern",
    "pleie_og_omsorg",
    "sosiale_tjenester",
    "kommunehelse",
    "kultur_og_fritid",
    "administrasjon",
    "eiendom",
]
PEERS = ["asss", "county", "country", "country_ex_oslo", "kostra_group", "similar"]
#: the sample table loaded as the warehouse's vintage (and again by ``--import-at``)
TABLE = "12134"

SERVER = "from kostra.cli import main; main()"

_LOAD = """
import sys
from pathlib import Path
import polars as pl
from kostra.warehouse import VintageInfo, Warehouse

db, table, factor, label = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
frame = pl.read_parquet(sys.argv[5]).filter(pl.col("table_id") == table)
frame = frame.with_columns(pl.col("value") * factor)
with Warehouse.open(db) as warehouse:
    warehouse.load(frame, VintageInfo(source="file", table_id=table, label=label))
"""


def _sample_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("kostra.data") / "sample" / "observations.parquet"))


def _load_vintage(db: Path, factor: float, label: str) -> float:
    """Load the sample table into ``db`` (values × ``factor``) in another process; seconds."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _LOAD, str(db), TABLE, str(factor), label, str(_sample_path())],
        check=True,
    )
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _is_builder(pid: int) -> bool:
    try:
        return b"kostra.results.store" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _children() -> dict[int, list[int]]:
    """Every process's children, by parent pid (``/proc``; what cannot be read is left out)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return children


def _tree_rss(pid: int, *, builders: bool = False) -> int:
    """Resident bytes of ``pid`` and all its descendants (``/proc``; 0 where unreadable),
    without the computed year's builder processes (with ``builders``: only those): a builder
    is another job than answering, and its memory is freed when it ends."""
    children = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        if _is_builder(current) != builders:
            continue
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants but the
    computed year's builders (``/proc``; what has ended is not counted)."""
    clock = os.sysconf("SC_CLK_TCK")
    children = _children()
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        if _is_builder(current):
            continue
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / clock
        except (OSError, IndexError, ValueError):
            continue
    return total


@dataclass
class Mix:
    """The URLs the clients request: first visits in order, the rest drawn at random."""

    codes: list[str]
    years: list[int]
    seed: int = 1
    first: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        pages = [("first", f"/kommune/{code}") for code in self.codes]
        pages += [("first", f"/kommune/{c}/{s}") for c in self.codes for s in SECTORS]
        rng.shuffle(pages)
        self.first = pages

    def draw(self, rng: random.Random) -> tuple[str, str]:
        """The next request: a first visit half of the time while any is left."""
        if self.first and rng.random() < 0.5:
            return self.first.pop()
        code = rng.choice(self.codes)
        page = f"/kommune/{code}" + rng.choice(["", *(f"/{s}" for s in SECTORS)])
        roll = rng.random()
        if roll < 0.20:
            return "peers", f"{page}?gruppe={rng.choice(PEERS)}"
        if roll < 0.30 and len(self.years) > 1:
            return "year", f"{page}?ar={rng.choice(self.years[:-1])}"
        if roll < 0.45:
            return "ranking", rng.choice(
                [
                    "/rangering",
                    "/rangering?storrelse=small&sort=name",
                    "/rangering?fylke=46&sort=population&retning=synkende",
                    "/rangering?q=ber",
                    f"/rangering?fylke={code[:2]}",
                ]
            )
        if roll < 0.55:
            others = rng.sample(self.codes, rng.randint(1, 3))
            return "compare", "/sammenlign?" + "&".join(f"k={c}" for c in [code, *others])
        if roll < 0.62:
            return "map", rng.choice(["/kart", "/"])
        if roll < 0.80:
            return "api", rng.choice(
                [
                    f"/api/kommune/{code}",
                    f"/api/kommune/{code}/{rng.choice(SECTORS)}",
                    "/api/rangering?storrelse=city",
                    "/api/kart",
                    f"/api/kommuner?q={rng.choice(['os', 'ber', 'tr', 'sa'])}",
                ]
            )
        if roll < 0.92:
            return "csv", rng.choice(
                [
                    f"/api/kommune/{code}?format=csv",
                    f"/api/kommune/{code}/{rng.choice(SECTORS)}?format=csv",
                    "/api/rangering?format=csv",
                ]
            )
        return "page", page


@dataclass
class Result:
    latencies: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    errors: list[str] = field(default_factory=list)
    computing: list[tuple[float, float]] = field(default_factory=list)
    documents: list[tuple[float, float]] = field(default_factory=list)
    count: int = 0


DOCUMENTS = ("rapport.pdf", "rapport.html", "presentasjon.pptx")


async def _load(
    base: str, mix: Mix, clients: int, seconds: float, began: float, documents: int = 0
) -> Result:
    result = Result()
    stop = began + seconds

    async def downloader(seed: int) -> None:
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=base, timeout=300) as session:
            while time.perf_counter() < stop:
                url = f"/kommune/{rng.choice(mix.codes)}/{rng.choice(DOCUMENTS)}"
                start = time.perf_counter()
                try:
                    response = await session.get(url)
                    await response.aread()
                    if response.status_code == 200:
                        result.documents.append((start - began, time.perf_counter() - start))
                    else:
                        result.errors.append(f"{response.status_code} {url}")
                except httpx.HTTPError as error:
                    result.errors.append(f"{type(error).__name__} {url}")

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        # a page of an earlier year asked by today's code redirects to that year's: followed, as
        # a browser does
        async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=True) as session:
            while time.perf_counter() < stop:
                kind, url = mix.draw(rng)
                start = time.perf_counter()
                try:
                    response = await session.get(url)
                    await response.aread()
                    ok = response.status_code == 200
                    if response.status_code == 503 and "retry-after" in response.headers:
                        # figures still being computed, said at once: counted apart (and
                        # still failing the goal), with their latency
                        result.computing.append((start - began, time.perf_counter() - start))
                        result.errors.append(f"503 computing {url}")
                    elif not ok:
                        result.errors.append(f"{response.status_code} {url}")
                except httpx.HTTPError as error:
                    ok = False
                    result.errors.append(f"{type(error).__name__} {url}")
                if ok:
                    result.latencies[kind].append((start - began, time.perf_counter() - start))
                result.count += 1

    await asyncio.gather(
        *(client(n) for n in range(clients)),
        *(downloader(1000 + n) for n in range(documents)),
    )
    return result


def _row(name: str, values: list[float]) -> str:
    return (
        f"{name:<14} {len(values):>6} {_percentile(values, 0.5) * 1000:>8.1f} "
        f"{_percentile(values, 0.95) * 1000:>8.1f} {_percentile(values, 0.99) * 1000:>8.1f} "
        f"{max(values, default=float('nan')) * 1000:>8.0f}"
    )


def _wait_up(base: str, server: subprocess.Popen[bytes], limit: float = 300) -> float:
    start = time.perf_counter()
    while True:
        try:
            if httpx.get(base + "/api/ar", timeout=60).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.perf_counter() - start > limit:
            raise RuntimeError("the server did not start")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--import-at", type=float, default=None, help="seconds into the run")
    parser.add_argument(
        "--documents", type=int, default=0, help="more clients downloading documents"
    )
    parser.add_argument(
        "--wait-new", type=float, default=900.0, help="seconds to wait for the new figures"
    )
    parser.add_argument("--quick", action="store_true", help="10 clients for 15 s")
    parser.add_argument("--keep", type=Path, default=None, help="warehouse folder to reuse")
    parser.add_argument(
        "--store",
        choices=("prebuilt", "lazy"),
        default="prebuilt",
        help="compute the year before the server starts (as after an import), or let the "
        "server start its builder while it computes pages itself",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.quick:
        args.seconds, args.clients = 15.0, 10
    from kostra.geography import municipalities

    codes = sorted(municipalities(2024)["code"].to_list())
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        db = folder / "warehouse.duckdb"
        if not db.exists():
            _load_vintage(db, 1.0, "first")
        if args.store == "prebuilt":
            start = time.perf_counter()
            # the ready part (the default year with every peer group, three years before it
            # with their standard ones) and the web's answers rendered ahead (the default
            # year's pages, JSON, CSV and other peer groups, the earlier years' pages); the
            # server's own builder adds the other years
            subprocess.run(
                [sys.executable, "-m", "kostra.results.store", str(db), "--until-rendered"],
                check=True,
            )
            print(f"computed year ready in {time.perf_counter() - start:.1f} s (before the start)")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-c", SERVER, "serve", "--db", str(db), "--port", str(port)]
        if args.workers > 1:
            command += ["--workers", str(args.workers)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        server = subprocess.Popen(command, env=env)
        rss: list[tuple[float, int]] = []
        builder_rss: list[int] = []
        stop = threading.Event()
        try:
            up = _wait_up(base, server)
            years = httpx.get(base + "/api/ar", timeout=60).json()["years"]
            mix = Mix(codes, [int(y) for y in years][-4:])
            print(
                f"server answering {up:.1f} s after its start; {args.clients} clients for "
                f"{args.seconds:.0f} s, {len(mix.first)} first visits queued, "
                f"workers {args.workers}, {args.documents} downloading documents"
            )
            began = time.perf_counter()

            def sample() -> None:
                while not stop.is_set():
                    rss.append((time.perf_counter() - began, _tree_rss(server.pid)))
                    builder_rss.append(_tree_rss(server.pid, builders=True))
                    stop.wait(2.0)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            loader: dict[str, float] = {}
            if args.import_at is not None:

                def load_later() -> None:
                    time.sleep(args.import_at)
                    loader["start"] = time.perf_counter() - began
                    loader["seconds"] = _load_vintage(db, 1.5, "second")
                    loader["end"] = time.perf_counter() - began

                threading.Thread(target=load_later, daemon=True).start()
            before = httpx.get(base + f"/api/kommune/{codes[0]}", timeout=120).text
            server_cpu, client_cpu = _tree_cpu(server.pid), time.process_time()
            result = asyncio.run(
                _load(base, mix, args.clients, args.seconds, began, args.documents)
            )
            wall = time.perf_counter() - began
            server_cpu = _tree_cpu(server.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            load_end = os.getloadavg()
            seen_new = None
            if args.import_at is not None:
                deadline = time.perf_counter() + args.wait_new
                while "end" not in loader and time.perf_counter() < deadline:
                    time.sleep(0.5)
                while time.perf_counter() < deadline:
                    now = httpx.get(base + f"/api/kommune/{codes[0]}", timeout=120).text
                    if now != before:
                        seen_new = time.perf_counter() - began
                        break
                    time.sleep(1.0)
        finally:
            stop.set()
            server.terminate()
            server.wait(timeout=60)
    every = [lat for values in result.latencies.values() for _, lat in values]
    print(
        f"requests {result.count}, errors {len(result.errors)}, "
        f"throughput {result.count / wall:.0f} req/s over {wall:.0f} s; "
        f"first visits left unvisited: {len(mix.first)}"
    )
    served = max(result.count, 1)
    print(
        f"CPU per request: server {server_cpu / served * 1000:.2f} ms ({server_cpu:.1f} s, "
        f"builders apart), clients {client_cpu / served * 1000:.2f} ms ({client_cpu:.1f} s)"
    )
    print(
        f"latency p50 {_percentile(every, 0.5) * 1000:.1f} ms, "
        f"p95 {_percentile(every, 0.95) * 1000:.1f} ms, "
        f"p99 {_percentile(every, 0.99) * 1000:.1f} ms"
    )
    print(f"{'kind':<14} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in sorted(result.latencies):
        print(_row(kind, [lat for _, lat in result.latencies[kind]]))
    if args.import_at is not None and "start" in loader:
        start, end = loader["start"], loader.get("end", float("inf"))
        during = [lat for v in result.latencies.values() for t, lat in v if start <= t <= end]
        after = [lat for v in result.latencies.values() for t, lat in v if t > end]
        took = loader.get("seconds", 0.0)
        print(f"import of a new vintage: {start:.1f}–{end:.1f} s ({took:.1f} s)")
        print(_row("during import", during))
        print(_row("after import", after))
        print(
            "new figures shown "
            + (
                f"{seen_new:.1f} s into the run"
                if seen_new is not None
                else f"NOT within {args.wait_new:.0f} s after the run"
            )
        )
    if result.computing:
        print(_row("503 computing", [lat for _, lat in result.computing]))
    if args.documents:
        print(_row("document", [lat for _, lat in result.documents]) + " (not in the above)")
    if result.errors:
        kinds: dict[str, int] = defaultdict(int)
        for error in result.errors:
            kinds[" ".join(error.split()[:-1])] += 1
        print("errors by kind:", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
        print("first errors:", ", ".join(result.errors[:5]))
    series = ", ".join(f"{t:.0f}s {b / 2**20:.0f}" for t, b in rss[:: max(1, len(rss) // 12)])
    print(f"server RSS MiB over time: {series}")
    if rss:
        settled = [b for t, b in rss if t >= min(60.0, args.seconds / 2)] or [rss[-1][1]]
        print(
            f"RSS first {rss[0][1] / 2**20:.0f} MiB, at {min(60.0, args.seconds / 2):.0f} s "
            f"{settled[0] / 2**20:.0f} MiB, end {rss[-1][1] / 2**20:.0f} MiB, "
            f"max {max(b for _, b in rss) / 2**20:.0f} MiB; growth since then "
            f"{(rss[-1][1] / settled[0] - 1) * 100:+.1f} %"
        )
    if any(builder_rss):
        print(
            f"a builder (lowest priority) ran beside the server in "
            f"{sum(1 for b in builder_rss if b) * 100 // len(builder_rss)} % of the samples, "
            f"at most {max(builder_rss) / 2**20:.0f} MiB (not counted above)"
        )
    print(f"load average at the end: {load_end[0]:.2f} {load_end[1]:.2f}")
    p95, p99 = _percentile(every, 0.95), _percentile(every, 0.99)
    verdict = "met" if p95 < 0.15 and p99 < 0.4 and not result.errors else "NOT met"
    print(f"goal p95 < 150 ms, p99 < 400 ms, no errors: {verdict}")


if __name__ == "__main__":
    main()
