"""Benchmark: the web dashboard under load on loopback (issue 7).

``kostra serve``'s app runs in its own process (uvicorn, one worker, on 127.0.0.1) over the
shipped synthetic sample. After a warm-up that opens every view of the mix once (its first-hit
time is reported too), 50 concurrent clients (``httpx`` async, one connection each) request views
drawn at random from a fixed mix for 30 s: overview and sector pages of 24 municipalities, the
ranking (filtered and sorted), comparisons, the map, the JSON API and CSV downloads.

Reported: p50/p95/p99 latency and throughput overall and per kind of view, errors, and the ratio
of the p95 to the time of computing the same view in-process (:class:`kostra.web.WebData` with
the year already prepared, per-municipality caches empty: what a page costs without the cache)
and to answering it in-process with warm caches (FastAPI's TestClient, no network; the app's
response cache then answers, so this is the floor one request costs without loopback and load).

Those figures are of *repeat* visits: every view of the mix is warmed first and the app keeps
whole responses. So the same run then measures *first* visits: ``--cold`` (100) overview and
sector pages of municipalities not in the mix (each one's analyses not computed yet, nothing of
it cached), shared out over the same clients at once, with their p50/p95 and the ratio of the p95
to computing the same views in-process one at a time.

Goal: p95 < 200 ms, no errors (the warm mix); the cold figures are reported beside it.
Run: ``python benchmarks/bench_web.py [--seconds 30] [--clients 50]`` or
``python benchmarks/run.py web``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

MUNICIPALITIES = [
    "0301", "4601", "5001", "1103", "3201", "3203", "4204", "1108", "3107", "3301",
    "5501", "1506", "3401", "4621", "1826", "5605", "4222", "1151", "3438", "1804",
    "5036", "3105", "4012", "4612",
]  # fmt: skip
SECTORS = ["grunnskole", "barnehage", "pleie_og_omsorg", "barnevern", "kommunehelse"]

SERVER = """
import sys, uvicorn
from kostra.web import WebData, create_app
web = WebData(sys.argv[1])
uvicorn.run(create_app(web=web, warm=True), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False)
"""


def view_mix() -> list[tuple[str, str]]:
    """(kind, URL) of every view the clients draw from."""
    mix: list[tuple[str, str]] = []
    for n, code in enumerate(MUNICIPALITIES):
        mix.append(("overview", f"/kommune/{code}"))
        mix.append(("sector", f"/kommune/{code}/{SECTORS[n % len(SECTORS)]}"))
        mix.append(("api", f"/api/kommune/{code}"))
    mix += [
        ("ranking", "/rangering"),
        ("ranking", "/rangering?storrelse=small&sort=name"),
        ("ranking", "/rangering?fylke=46&sort=population&retning=synkende"),
        ("ranking", "/rangering?q=ber"),
        ("compare", "/sammenlign?k=0301&k=4601&k=5001&k=1103"),
        ("compare", "/sammenlign?k=3201&k=3203&k=3301"),
        ("map", "/kart"),
        ("map", "/"),
        ("api", "/api/rangering?storrelse=city"),
        ("api", "/api/kart"),
        ("api", "/api/kommuner?q=os"),
        ("csv", "/api/kommune/0301?format=csv"),
        ("csv", "/api/rangering?format=csv"),
        ("csv", "/api/kommune/4601/grunnskole?format=csv"),
    ]
    return mix


def cold_views(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, URL) of ``count`` first visits: overview or sector pages of distinct municipalities
    that the mix never opens (so neither their analyses nor their pages are cached)."""
    from kostra.geography import municipalities

    codes = sorted(set(municipalities(2024)["code"].to_list()) - set(MUNICIPALITIES))
    chosen = random.Random(seed).sample(codes, min(count, len(codes)))
    out: list[tuple[str, str]] = []
    for n, code in enumerate(chosen):
        if n % 2:
            out.append(("sector", f"/kommune/{code}/{SECTORS[(n // 2) % len(SECTORS)]}"))
        else:
            out.append(("overview", f"/kommune/{code}"))
    return out


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


async def _load(
    base: str, mix: list[tuple[str, str]], clients: int, seconds: float
) -> tuple[dict[str, list[float]], int, list[str], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    count = 0
    stop = time.perf_counter() + seconds

    async def client(seed: int) -> None:
        nonlocal count
        rng = random.Random(seed)
        async with httpx.AsyncClient(base_url=base, timeout=30) as session:
            while time.perf_counter() < stop:
                kind, url = rng.choice(mix)
                start = time.perf_counter()
                try:
                    response = await session.get(url)
                    await response.aread()
                    ok = response.status_code == 200
                    if not ok:
                        errors.append(f"{response.status_code} {url}")
                except httpx.HTTPError as error:
                    ok = False
                    errors.append(f"{type(error).__name__} {url}")
                elapsed = time.perf_counter() - start
                if ok:
                    latencies[kind].append(elapsed)
                count += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies, count, errors, time.perf_counter() - began


async def _first_visits(
    base: str, views: list[tuple[str, str]], clients: int
) -> tuple[dict[str, list[float]], list[str], float]:
    """Every view of ``views`` requested once, the clients taking the next one in turn (all
    start together, as a crowd arriving after a restart would)."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in views:
        queue.put_nowait(item)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=300) as session:
            while not queue.empty():
                kind, url = queue.get_nowait()
                start = time.perf_counter()
                try:
                    response = await session.get(url)
                    await response.aread()
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {url}")
                        continue
                except httpx.HTTPError as error:
                    errors.append(f"{type(error).__name__} {url}")
                    continue
                latencies[kind].append(time.perf_counter() - start)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began


def in_process(
    mix: list[tuple[str, str]], db: Path, first: list[tuple[str, str]]
) -> tuple[dict[str, float], dict[str, float], dict[str, list[float]]]:
    """Median seconds per kind: computing the view without the per-view caches, and answering
    it in-process (TestClient) with warm caches; and the seconds of each of the ``first``
    visits in-process, one at a time (the year prepared, nothing else cached)."""
    from fastapi.testclient import TestClient

    from kostra.web import WebData, create_app

    web = WebData(db)
    web.year_view(web.default_year())
    cold: dict[str, list[float]] = defaultdict(list)
    warm: dict[str, list[float]] = defaultdict(list)
    with TestClient(create_app(web=web)) as client:
        for kind, url in mix:
            web._views.clear()
            web._values.clear()
            start = time.perf_counter()
            assert client.get(url).status_code == 200, url
            cold[kind].append(time.perf_counter() - start)
        for _ in range(3):
            for kind, url in mix:
                start = time.perf_counter()
                client.get(url)
                warm[kind].append(time.perf_counter() - start)
        alone: dict[str, list[float]] = defaultdict(list)
        for kind, url in first:
            start = time.perf_counter()
            assert client.get(url).status_code == 200, url
            alone[kind].append(time.perf_counter() - start)
    return (
        {k: statistics.median(v) for k, v in cold.items()},
        {k: statistics.median(v) for k, v in warm.items()},
        alone,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--cold", type=int, default=100, help="first visits measured after")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    mix = view_mix()
    first_views = cold_views(args.cold)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "none.duckdb"  # no warehouse: the shipped sample
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        server = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)], env=env)
        try:
            start = time.perf_counter()
            while True:
                try:
                    if httpx.get(base + "/api/ar", timeout=60).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.perf_counter() - start > 180:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            first: dict[str, list[float]] = defaultdict(list)
            with httpx.Client(base_url=base, timeout=120) as session:
                for kind, url in mix:  # the first visit of each view (year already prepared)
                    t0 = time.perf_counter()
                    response = session.get(url)
                    first[kind].append(time.perf_counter() - t0)
                    if response.status_code != 200:
                        raise RuntimeError(f"{url}: {response.status_code}")
            print(
                f"server up and the year prepared in {time.perf_counter() - start:.1f} s; "
                f"{len(mix)} views in the mix, {args.clients} clients for {args.seconds:.0f} s"
            )
            latencies, count, errors, wall = asyncio.run(
                _load(base, mix, args.clients, args.seconds)
            )
            first_seen, first_errors, first_wall = asyncio.run(
                _first_visits(base, first_views, args.clients)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        cold, warm, alone = in_process(mix, db, first_views)
    every = [x for values in latencies.values() for x in values]
    p50, p95, p99 = (_percentile(every, q) for q in (0.5, 0.95, 0.99))
    print(
        f"requests {count}, errors {len(errors)}, throughput {count / wall:.0f} req/s "
        f"over {wall:.1f} s"
    )
    print(f"latency p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    header = (
        f"{'view':<9} {'n':>6} {'p50 ms':>7} {'p95 ms':>7} {'first ms':>9} "
        f"{'in-proc cold ms':>15} {'p95/cold':>9} {'in-proc warm ms':>15} {'p95/warm':>9}"
    )
    print(header)
    for kind in sorted(latencies):
        head, kp95 = _kind_row(kind, latencies[kind])
        print(
            f"{head} {statistics.median(first[kind]) * 1000:>9.1f} "
            f"{cold[kind] * 1000:>15.1f} {kp95 / cold[kind]:>9.2f} "
            f"{warm[kind] * 1000:>15.1f} {kp95 / warm[kind]:>9.1f}"
        )
    if errors:
        print("first errors:", ", ".join(errors[:5]))
    verdict = "met" if p95 < 0.2 and not errors else "NOT met"
    print(f"goal p95 < 200 ms and no errors (repeat visits): {verdict}")
    _report_first_visits(first_seen, first_errors, first_wall, alone, args.clients)


def _kind_row(kind: str, values: list[float]) -> tuple[str, float]:
    """The start of a kind's table row (kind, n, p50, p95 in ms) and its p95 in seconds."""
    p95 = _percentile(values, 0.95)
    text = f"{kind:<9} {len(values):>6} {_percentile(values, 0.5) * 1000:>7.1f} {p95 * 1000:>7.1f}"
    return text, p95


def _report_first_visits(
    seen: dict[str, list[float]],
    errors: list[str],
    wall: float,
    alone: dict[str, list[float]],
    clients: int,
) -> None:
    """The cold figures: first visits under load against the same views computed alone."""
    every = [x for values in seen.values() for x in values]
    every_alone = [x for values in alone.values() for x in values]
    n = len(every) + len(errors)
    print(
        f"first visits: {n} distinct views over {clients} clients at once in {wall:.1f} s, "
        f"errors {len(errors)}"
    )
    cold_p95 = _percentile(every, 0.95)
    alone_median = statistics.median(every_alone)
    print(
        f"first-visit latency p50 {_percentile(every, 0.5) * 1000:.0f} ms, "
        f"p95 {cold_p95 * 1000:.0f} ms; computed in-process one at a time: "
        f"median {alone_median * 1000:.0f} ms, p95 {_percentile(every_alone, 0.95) * 1000:.0f} ms; "
        f"p95/in-process {cold_p95 / alone_median:.1f}"
    )
    print(
        f"{'first':<9} {'n':>6} {'p50 ms':>7} {'p95 ms':>7} {'in-proc ms':>10} {'p95/in-proc':>11}"
    )
    for kind in sorted(seen):
        head, kp95 = _kind_row(kind, seen[kind])
        own = statistics.median(alone[kind])
        print(f"{head} {own * 1000:>10.0f} {kp95 / own:>11.1f}")
    if errors:
        print("first-visit errors:", ", ".join(errors[:5]))
    verdict = "met" if cold_p95 < 0.2 and not errors else "NOT met"
    print(f"first visits p95 < 200 ms: {verdict}")


if __name__ == "__main__":
    main()
