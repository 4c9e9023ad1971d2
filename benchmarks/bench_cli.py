"""Benchmark: the CPU time of starting the command line (issue 12.5).

Each case runs in a fresh interpreter (``sys.executable -c ...``), best of N, and reports the
CPU time (user + system, from ``getrusage`` of the children) and its ratio to a bare
interpreter (``pass``): ``kostra --help`` (command modules loaded only when a command runs),
``kostra db --help`` (one command's module), and ``kostra --help`` with every command module
imported up front, as before the change (``kostra.cli.load_all()`` first).
Run: ``python benchmarks/bench_cli.py`` or ``python benchmarks/run.py cli``.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys

_HELP = "from kostra.cli import main; main(['--help'])"
CASES = {
    "bare interpreter (pass)": "pass",
    "kostra --help": _HELP,
    "kostra db --help": "from kostra.cli import main; main(['db', '--help'])",
    "kostra --help, every module up front": (
        "from kostra.cli import load_all, main; load_all(); main(['--help'])"
    ),
}
GOAL = "goal: kostra --help < 0.15 s of CPU (#12.5; it took 0.63 s, 67× a bare interpreter)"


def cpu_seconds(code: str, runs: int) -> float:
    """Best CPU time (user + system) of ``runs`` fresh interpreters running ``code``."""
    best = float("inf")
    env = {**os.environ, "COLUMNS": "100"}
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-c", code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
            env=env,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best = min(best, used)
    return best


def main(argv: list[str] | None = None) -> None:
    """Print each case's CPU time and its ratio to the bare interpreter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="best of this many (default 7)")
    args = parser.parse_args(argv)
    print(f"{__doc__.splitlines()[0]}\nbest of {args.runs} fresh interpreters each")
    times = {name: cpu_seconds(code, args.runs) for name, code in CASES.items()}
    bare = times["bare interpreter (pass)"]
    print(f"{'case':<40}{'CPU s':>8}{'× bare':>9}")
    for name, seconds in times.items():
        print(f"{name:<40}{seconds:>8.3f}{seconds / bare:>8.1f}×")
    before = times["kostra --help, every module up front"]
    print(f"kostra --help: {before / times['kostra --help']:.1f}× less CPU than loading everything")
    print(GOAL)


if __name__ == "__main__":
    main()
