"""The dense grid's code columns: built from runs, they are the positions of the row-major grid."""

from __future__ import annotations

import numpy as np
import pytest

from kostra.sources import jsonstat


@pytest.mark.parametrize(
    ("inner", "size"),
    [(1, 5), (3, 7), (2000, 400), (70_000, 3), (1, 70_000), (1 << 16, 2), (1, 1), (5, 1)],
)
def test_dense_code_positions_are_the_grid_positions(inner: int, size: int) -> None:
    # the runs give what dividing each flat index would: (i // inner) % size
    runs = jsonstat._DenseRuns(inner, size)
    n = inner * size * 3
    starts = {0, 1, max(inner - 1, 0), 12_345 % n, *range(0, min(n, 300_000), 1 << 16)}
    for first in sorted(starts):
        last = min(first + (1 << 16), n)
        expected = (np.arange(first, last) // inner) % size
        assert np.array_equal(runs.positions(first, last), expected)
