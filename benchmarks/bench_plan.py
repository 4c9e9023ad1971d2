"""Request plans: our number of requests vs the optimum ceil(cells / limit) vs pxwebpy's.

pxwebpy (stefur/pxwebpy 0.6) splits a selection with the pure function
``pxweb._internal.functions.split_value_codes(value_codes, max_cells)``: take the variable with
most values, cut it into pieces of ``max_cells // (cells of the other variables)`` (at least 1),
recurse on each piece. We call that function itself on the same selections, so its numbers are
pxwebpy's own, not a re-implementation. Our planner is :func:`kostra.sources._ssb.planner.plan`.

Selections are shaped like the tables kostra fetches (07459 population; KOSTRA tables with
``KOKkommuneregion0000``, ``KOKfunksjon0000``, ``KOKart0000``, ``ContentsCode``, ``Tid``), one
of about five million cells, and a few awkward shapes, under SSB's limit (800 000 cells) and
SCB's (150 000, pxwebpy's home). Prints one table; asserts nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from kostra.sources._ssb.planner import cells, plan

SSB = 800_000
SCB = 150_000

# name, {variable: number of codes}, cell limit
SELECTIONS: list[tuple[str, dict[str, int], int]] = [
    ("07459 2024 regions, 2015–2025", {"Region": 373, "Kjonn": 2, "Alder": 106, "Tid": 11}, SSB),
    ("07459 all codes 1986–2025 (≈5 M)", {"Region": 600, "Kjonn": 2, "Alder": 106, "Tid": 40}, SSB),
    (
        "12362 expenses, 60 functions × 12 arts",
        {
            "KOKkommuneregion0000": 873,
            "KOKfunksjon0000": 60,
            "KOKart0000": 12,
            "ContentsCode": 2,
            "Tid": 11,
        },
        SSB,
    ),
    (
        "12362 one art",
        {"KOKkommuneregion0000": 873, "KOKfunksjon0000": 60, "ContentsCode": 2, "Tid": 11},
        SSB,
    ),
    ("12134 key figures", {"KOKkommuneregion0000": 873, "ContentsCode": 9, "Tid": 11}, SSB),
    (
        "11906 floor area by ownership",
        {"KOKkommuneregion0000": 873, "KOKeieform0000": 12, "ContentsCode": 1, "Tid": 11},
        SSB,
    ),
    ("cube 130³", {"A": 130, "B": 130, "C": 130}, SSB),
    ("3 × 10 at limit 4 (toy)", {"A": 3, "B": 10}, 4),
    ("07459 2015–2025 at SCB's limit", {"Region": 373, "Kjonn": 2, "Alder": 106, "Tid": 11}, SCB),
    ("07459 ≈5 M at SCB's limit", {"Region": 600, "Kjonn": 2, "Alder": 106, "Tid": 40}, SCB),
    (
        "12362 at SCB's limit",
        {"KOKkommuneregion0000": 873, "KOKfunksjon0000": 60, "ContentsCode": 2, "Tid": 11},
        SCB,
    ),
    ("awkward 97 × 89 × 7 × 3", {"A": 97, "B": 89, "C": 7, "D": 3}, 20_000),
    ("awkward 450 × 45 × 3 × 11 × 50", {"A": 450, "B": 45, "C": 3, "D": 11, "E": 50}, SSB),
]


def _codes(sizes: dict[str, int]) -> dict[str, list[str]]:
    return {name: [f"{name[:3]}{i:05d}" for i in range(n)] for name, n in sizes.items()}


def pxwebpy_requests(selection: dict[str, list[str]], limit: int) -> int | None:
    """Requests pxwebpy's own splitting makes; None when pxwebpy is not installed."""
    try:
        from pxweb._internal.functions import split_value_codes
    except ImportError:
        return None
    return len(split_value_codes(selection, limit))


def main(argv: Sequence[str] | None = None) -> None:
    """Print the comparison table."""
    header = (
        f"{'selection':40} {'cells':>11} {'limit':>8} {'optimum':>8} {'ours':>6} "
        f"{'pxwebpy':>8} {'ours/opt':>9} {'ours/px':>8} {'plan ms':>8}"
    )
    print(header)
    print("-" * len(header))
    total_ours = total_px = total_opt = 0
    at_optimum = never_worse = 0
    for name, sizes, limit in SELECTIONS:
        selection = _codes(sizes)
        n_cells = cells(selection)
        optimum = math.ceil(n_cells / limit)
        start = time.perf_counter()
        chunks = plan(selection, limit)
        elapsed = (time.perf_counter() - start) * 1000
        assert sum(cells(c) for c in chunks) == n_cells
        ours = len(chunks)
        theirs = pxwebpy_requests(selection, limit)
        total_ours += ours
        total_opt += optimum
        at_optimum += ours == optimum
        if theirs is not None:
            total_px += theirs
            never_worse += ours <= theirs
        px_text = "n/a" if theirs is None else str(theirs)
        ratio_px = "n/a" if theirs is None else f"{ours / theirs:.2f}"
        print(
            f"{name:40} {n_cells:>11,} {limit:>8,} {optimum:>8} {ours:>6} {px_text:>8} "
            f"{ours / optimum:>9.2f} {ratio_px:>8} {elapsed:>8.1f}"
        )
    print("-" * len(header))
    print(
        f"{'total':40} {'':>11} {'':>8} {total_opt:>8} {total_ours:>6} {total_px:>8} "
        f"{total_ours / total_opt:>9.2f} {total_ours / max(1, total_px):>8.2f}"
    )
    print(
        f"ours at the optimum in {at_optimum}/{len(SELECTIONS)} selections; "
        f"never more than pxwebpy in {never_worse}/{len(SELECTIONS)}."
    )


if __name__ == "__main__":
    main()
