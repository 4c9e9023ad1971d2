"""The dense grid's code columns: built from runs, they are the positions of the row-major grid."""

from __future__ import annotations

import json

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


@pytest.mark.parametrize("sizes", [[0], [3, 0], [0, 2, 4]])
def test_an_empty_grid_decodes_to_no_rows(sizes: list[int]) -> None:
    # a dimension with no categories (found by the file fuzzer): no cells, no division by zero
    ids = [f"D{k}" for k in range(len(sizes))]
    dimension = {
        dim: {"category": {"index": {f"c{i}": i for i in range(n)}}}
        for dim, n in zip(ids, sizes, strict=True)
    }
    document = {"version": "2.0", "class": "dataset", "id": ids, "size": sizes}
    document |= {"dimension": dimension, "value": []}
    frame = jsonstat.decode(json.dumps(document).encode()).frame
    assert frame.height == 0
    assert frame.columns == [*ids, "value", "status"]
