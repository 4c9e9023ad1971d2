"""The request planner and selection expressions (no HTTP)."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kostra.sources._ssb.planner import cells, count_requests, plan
from kostra.sources._ssb.selection import (
    SelectionError,
    expand,
    join_value_list,
    split_value_list,
)


def _selection(sizes: list[int]) -> dict[str, list[str]]:
    return {f"V{i}": [f"c{i}_{j}" for j in range(size)] for i, size in enumerate(sizes)}


def _pxwebpy_requests(selection: dict[str, list[str]], limit: int) -> int:
    from pxweb._internal.functions import split_value_codes

    return len(split_value_codes(selection, limit))


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=4),
    limit=st.integers(min_value=1, max_value=3000),
)
def test_chunks_partition_the_selection_and_each_fits(sizes: list[int], limit: int) -> None:
    selection = _selection(sizes)
    chunks = plan(selection, limit)
    seen: set[tuple[str, ...]] = set()
    for chunk in chunks:
        assert list(chunk) == list(selection)
        assert all(chunk[name] for name in chunk), "empty chunk"
        assert 1 <= cells(chunk) <= limit
        for cell in itertools.product(*chunk.values()):
            assert cell not in seen, "overlapping chunks"
            seen.add(cell)
    assert len(seen) == math.prod(sizes)
    assert len(chunks) == count_requests(sizes, limit)
    assert len(chunks) >= math.ceil(math.prod(sizes) / limit)
    assert len(chunks) <= _pxwebpy_requests(selection, limit)


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=5),
    limit=st.integers(min_value=50, max_value=900_000),
)
def test_large_plans_cover_every_cell_once_and_beat_pxwebpy(sizes: list[int], limit: int) -> None:
    assume(math.prod(sizes) <= 2000 * limit)
    selection = _selection(sizes)
    chunks = plan(selection, limit)
    assert all(1 <= cells(chunk) <= limit for chunk in chunks)
    # Boxes whose cells add up to the total and that each variable tiles without gaps
    # partition the selection when no two boxes overlap; overlap is checked pairwise.
    assert sum(cells(chunk) for chunk in chunks) == math.prod(sizes)
    if len(chunks) <= 300:
        boxes = [{k: set(v) for k, v in chunk.items()} for chunk in chunks]
        for a, b in itertools.combinations(boxes, 2):
            assert any(not (a[name] & b[name]) for name in a), "overlapping chunks"
    assert math.ceil(math.prod(sizes) / limit) <= len(chunks)
    assert len(chunks) <= _pxwebpy_requests(selection, limit)


def test_one_request_when_the_selection_fits() -> None:
    selection = _selection([10, 10])
    assert plan(selection, 100) == [{k: tuple(v) for k, v in selection.items()}]


def test_uneven_pieces_reach_the_optimum_where_a_single_cut_cannot() -> None:
    # 3 × 10 cells, limit 4: cutting the largest variable alone needs 10 requests.
    assert _pxwebpy_requests(_selection([3, 10]), 4) == 10
    assert len(plan(_selection([3, 10]), 4)) == 8


def test_five_million_cells_in_the_optimal_seven_requests() -> None:
    # 07459-like: region × age × sex × year
    assert count_requests([357, 106, 2, 66], 800_000) == 7


def test_largest_variable_is_split_first() -> None:
    chunks = plan(_selection([2, 1000]), 1000)
    assert {len(c["V0"]) for c in chunks} == {2}
    assert len(chunks) == 2


def test_plan_rejects_empty_and_repeated_codes() -> None:
    with pytest.raises(ValueError, match="no codes"):
        plan({"A": []}, 10)
    with pytest.raises(ValueError, match="repeats"):
        plan({"A": ["x", "x"]}, 10)


YEARS = [str(y) for y in range(2015, 2026)]
REGIONS = ["0301", "1103", "3201", "4601", "5001", "EAK", "EKA03"]


@pytest.mark.parametrize(
    ("items", "codes", "is_time", "expected"),
    [
        (["*"], REGIONS, False, REGIONS),
        (["3*"], REGIONS, False, ["3201"]),
        (["*01"], REGIONS, False, ["0301", "3201", "4601", "5001"]),
        (["*20*"], REGIONS, False, ["3201"]),
        (["????"], REGIONS, False, ["0301", "1103", "3201", "4601", "5001"]),
        (["202?"], YEARS, True, YEARS[5:]),
        (["top(2)"], YEARS, True, ["2024", "2025"]),
        (["top(2,1)"], YEARS, True, ["2023", "2024"]),
        (["bottom(2)"], YEARS, True, ["2015", "2016"]),
        (["TOP(2)"], REGIONS, False, ["0301", "1103"]),
        (["bottom(1)"], REGIONS, False, ["EKA03"]),
        (["from(2023)"], YEARS, True, ["2023", "2024", "2025"]),
        (["to(2016)"], YEARS, True, ["2015", "2016"]),
        (["range(2017,2019)"], YEARS, True, ["2017", "2018", "2019"]),
        (["2025", "range(2015,2016)", "2015"], YEARS, True, ["2015", "2016", "2025"]),
        (["eak"], REGIONS, False, ["EAK"]),
    ],
)
def test_expand(items: list[str], codes: list[str], is_time: bool, expected: list[str]) -> None:
    assert expand(items, codes, is_time=is_time) == expected


def test_expand_errors_name_the_problem() -> None:
    with pytest.raises(SelectionError) as missing:
        expand(["9999"], REGIONS)
    assert missing.value.title == "Non-existent value"
    with pytest.raises(SelectionError) as illegal:
        expand(["top(x)"], REGIONS)
    assert illegal.value.title == "Illegal selection expression"
    with pytest.raises(SelectionError):
        expand(["*0*1*"], REGIONS)


def test_value_lists_round_trip_with_brackets() -> None:
    codes = ["a,b", "top(1)", "[x]", "plain", "1*"]
    text = join_value_list(codes)
    assert split_value_list(text) == ["[a,b]", "[top(1)]", "[[x]]", "plain", "[1*]"]
    assert expand(split_value_list(text), codes) == codes
    assert split_value_list("top(5,1),0301") == ["top(5,1)", "0301"]
