"""Benchmark: the CPU one web request costs, per kind of the realistic mix, in process (#12.2).

The load benchmark (``bench_web_load.py``) gives latencies that, with 50 clients that never
pause on a shared machine, are mostly the queue: its throughput is set by the mean CPU time of
a request. This one measures that CPU time directly, so other processes' load does not enter:
``kostra serve``'s app (:func:`kostra.web.create_app` over a warehouse whose computed year is
built, fresh caches, no builder started) answers the same mix of requests as the load
benchmark (:class:`bench_web_load.Mix`, same seed: first visits of every municipality's pages
half of the time, the rest other peer groups, earlier years, ranking, comparison, map, JSON
API, CSV and search), one at a time through its ASGI interface (no sockets, no client), as
gzip-accepting clients send them. Reported per kind: the count and the mean and p95 of the
process CPU time (user + system of every thread, :func:`time.process_time`) of a request,
each kind's share of the total, and the mean over the mix (``1 / mean`` is the most requests
per second one core could answer). ``--profile KIND`` prints cProfile's top functions of the
requests of that kind (the app's sync routes then run in the calling thread, where cProfile
sees them).

Run: ``python benchmarks/bench_web_cpu.py DB [--requests 3000]``, ``DB`` a warehouse whose
computed year is ready (e.g. ``bench_web_load.py --keep DIR`` leaves ``DIR/warehouse.duckdb``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web_load import Mix


async def _call(app: Any, url: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """``GET url`` through the app's ASGI interface, following a redirect as the load
    benchmark's clients do: (status, body bytes)."""
    parts = urlsplit(url)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }
    status = 0
    size = 0
    location = ""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, size, location
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message.get("headers", []):
                if name == b"location":
                    location = value.decode()
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))

    await app(scope, receive, send)
    if status in (301, 302, 303, 307, 308) and location.startswith("/"):
        return await _call(app, location, headers)
    return status, size


def _inline_threadpool() -> None:
    """Run FastAPI's sync routes and dependencies in the calling thread instead of its
    threadpool (``--profile``: cProfile only sees the thread it was enabled in)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    async def inline(func: Any, *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    for module in (fastapi.routing, fastapi.dependencies.utils):
        module.run_in_threadpool = inline  # type: ignore[attr-defined]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", default=None, help="a kind to profile (cProfile)")
    parser.add_argument("--profile-out", type=Path, default=None, help="write the profile here")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("KOSTRA_WEB_WARM_VIEWS", "0")
    if args.profile:
        _inline_threadpool()  # cProfile sees only its own thread: the routes run in it
    from kostra.geography import municipalities
    from kostra.web import WebData, create_app

    web = WebData(args.db, store=True, warm_views=False)
    from kostra.results.store import content_key

    key = content_key(args.db, web.settings, "year")
    if web.store.content(key) is None:
        raise SystemExit(f"no computed year of the warehouse's content beside {args.db}")
    web.pin(key)  # this content only: no builder is started for other years
    newest = content_key(args.db, web.settings, "newest")
    if web.store.content(newest) is not None:
        # the earlier years' time series on the newest borders, as the builder left them
        with contextlib.suppress(TypeError):  # a WebData.pin without borders (older code)
            web.pin(newest, "newest")
    app = create_app(web=web)
    codes = sorted(municipalities(2024)["code"].to_list())
    mix = Mix(codes, web.years()[-4:])
    rng = random.Random(args.seed)
    headers = [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip, deflate")]
    cpu: dict[str, list[float]] = defaultdict(list)
    bad: dict[str, int] = defaultdict(int)
    profiler = cProfile.Profile() if args.profile else None
    print(f"load average before: {os.getloadavg()[0]:.2f}; {args.requests} requests")

    async def run() -> None:
        for _ in range(args.requests):
            kind, url = mix.draw(rng)
            if kind == "api" and "format=csv" in url:
                kind = "csv"
            watched = profiler is not None and kind == args.profile
            if watched:
                profiler.enable()  # type: ignore[union-attr]
            start = time.process_time()
            status, _ = await _call(app, url, headers)
            cpu[kind].append(time.process_time() - start)
            if watched:
                profiler.disable()  # type: ignore[union-attr]
            if status != 200:
                bad[f"{kind} {status}"] += 1

    wall = time.perf_counter()
    asyncio.run(run())
    wall = time.perf_counter() - wall
    total = sum(sum(v) for v in cpu.values())
    count = sum(len(v) for v in cpu.values())
    print(f"{'kind':<10} {'n':>6} {'mean ms':>8} {'p95 ms':>8} {'share':>6}")
    for kind in sorted(cpu, key=lambda k: -sum(cpu[k])):
        values = cpu[kind]
        print(
            f"{kind:<10} {len(values):>6} {sum(values) / len(values) * 1000:>8.2f} "
            f"{_percentile(values, 0.95) * 1000:>8.2f} {sum(values) / total * 100:>5.1f}%"
        )
    mean = total / count
    print(
        f"mix: {count} requests, mean CPU {mean * 1000:.2f} ms per request "
        f"(at most {1 / mean:.0f} req/s per core); wall {wall:.1f} s"
    )
    if bad:
        print("not 200:", ", ".join(f"{k} {n}" for k, n in sorted(bad.items())))
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        if args.profile_out is not None:
            profiler.dump_stats(args.profile_out)


if __name__ == "__main__":
    main()
