"""Shared budget and checks of the fuzz suites (``test_fuzz_*.py``).

The default budget is small and derandomised, so the suites run in a few seconds in CI and the
same examples every time. ``KOSTRA_FUZZ_EXAMPLES=500`` sets the number of examples per test and
turns on the long runs marked ``slow`` (random examples each run).
"""

from __future__ import annotations

import hashlib
import os
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("KOSTRA_FUZZ_EXAMPLES", "0") or 0)

MEMORY_GROWTH_BOUND = 1536 * 2**20
"""How much the test process's peak memory may grow over one fuzz test (bytes)."""

long_run = pytest.mark.skipif(
    EXAMPLES == 0, reason="the long fuzz run: set KOSTRA_FUZZ_EXAMPLES (e.g. 500) to run it"
)


def budget(fast: int) -> settings:
    """Hypothesis settings: ``fast`` derandomised examples, or ``KOSTRA_FUZZ_EXAMPLES``."""
    return settings(
        max_examples=EXAMPLES or fast,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )


def long_budget() -> settings:
    """Hypothesis settings of the long run: ``KOSTRA_FUZZ_EXAMPLES`` random examples."""
    return settings(
        max_examples=max(EXAMPLES, 1),
        derandomize=False,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def peak_memory() -> int:
    """The process's peak resident memory so far, in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def digest(path: Path) -> str:
    """The SHA-256 of a warehouse file and its write-ahead log ("" when absent)."""
    sha = hashlib.sha256()
    for part in (path, path.with_name(path.name + ".wal")):
        if part.exists():
            sha.update(part.read_bytes())
    return sha.hexdigest()


def check_cli_result(result: object) -> tuple[int, str]:
    """Assert the rule every command keeps: exit 0 or 2, no traceback, and an error of at most
    a few short lines. Returns (exit code, output)."""
    exit_code = getattr(result, "exit_code")  # noqa: B009 (typer's Result)
    output = str(getattr(result, "output"))  # noqa: B009
    exception = getattr(result, "exception")  # noqa: B009
    if exception is not None and not isinstance(exception, SystemExit):
        raise exception
    assert "Traceback" not in output
    assert exit_code in (0, 2), output[-2000:]
    if exit_code == 2:
        lines = output.strip().splitlines()
        assert len(lines) <= 3, output[-2000:]
        assert len(output) <= 2500, output[:500]
    return exit_code, output
