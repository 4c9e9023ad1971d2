"""Service profile: averages, index, places, flags and options, checked against hand sums."""

from __future__ import annotations

from functools import partial

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.analysis import profile as _profile
from kostra.analysis._common import grouping
from kostra.analysis.indicators import RESULT_SCHEMA
from kostra.analysis.method import SmallNumbers
from kostra.catalog.models import Catalog, Formula, Indicator, PopulationRef, SeriesRef

# The made-up denominators here are tiny: these tests check the averages, so the small-number
# rule is off (tests/test_method.py checks the rule itself).
peer_profile = partial(_profile.peer_profile, small_numbers=SmallNumbers(min_base=0.0))
service_profile = partial(_profile.service_profile, small_numbers=SmallNumbers(min_base=0.0))

COST = Indicator(
    id="cost",
    sector="grunnskole",
    name_nb="Kostnad per elev",
    name_en="Cost per pupil",
    unit="kr",
    formula=Formula(
        numerator=[SeriesRef(table_id="12362", contents_code="A")], denominator=PopulationRef()
    ),
    direction="lower_better",
    average="weighted",
)
SCORE = Indicator(
    id="score",
    sector="grunnskole",
    name_nb="Poeng",
    name_en="Points",
    unit="poeng",
    source=SeriesRef(table_id="12255", contents_code="P"),
    direction="higher_better",
    average="simple",
)
CATALOG = Catalog(indicators=(COST, SCORE))


def _evaluated(rows: list[tuple[str, str, int, float | None, float | None, float | None]]):
    """Rows (indicator, region, year, value, numerator, denominator) as evaluate gives them."""
    return pl.DataFrame(
        [
            {
                "indicator_id": i,
                "region": r,
                "year": y,
                "value": v,
                "numerator": n,
                "denominator": d,
                "status": ":" if v is None else None,
                "series_break": False,
                "preliminary": False,
            }
            for i, r, y, v, n, d in rows
        ],
        schema=RESULT_SCHEMA,
    )


def _cost(region: str, year: int, num: float, den: float):
    return ("cost", region, year, num / den, num, den)


def _score(region: str, year: int, value: float | None):
    return ("score", region, year, value, None, None)


BASE = [
    _cost("A", 2024, 200, 10),
    _cost("B", 2024, 300, 20),
    _cost("C", 2024, 100, 10),
    _cost("0301", 2024, 500, 20),
    _cost("X", 2024, 60, 2),
    _cost("A", 2023, 160, 10),
    _score("A", 2024, 40),
    _score("B", 2024, 50),
    _score("C", 2024, 30),
    _score("0301", 2024, 20),
]


def _self(profile, indicator: str) -> dict[str, object]:
    rows = profile.key_figures.filter(pl.col("indicator_id") == indicator).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_weighted_average_index_places_and_change() -> None:
    profile = service_profile(_evaluated(BASE), CATALOG, "A", ["B", "C", "0301"], year=2024)
    row = _self(profile, "cost")
    assert row["peer_average"] == pytest.approx(1100 / 60)
    assert row["index"] == pytest.approx(100 * 20 / (1100 / 60))
    assert row["rank"] == 2  # 0301 has the highest cost
    assert row["rank_best"] == 3  # lower is better: C, B, A
    assert row["n_ranked"] == 4
    assert (row["peer_min"], row["peer_max"]) == (10.0, 25.0)
    assert row["change"] == pytest.approx(4.0)
    assert row["change_pct"] == pytest.approx(25.0)
    assert row["pandemic"] is False
    assert row["name_nb"] == "Kostnad per elev"


def test_simple_average_and_exclusions() -> None:
    profile = service_profile(_evaluated(BASE), CATALOG, "A", ["B", "C", "0301"], year=2024)
    score = _self(profile, "score")
    assert score["peer_average"] == pytest.approx(35.0)
    assert score["index"] == pytest.approx(100 * 40 / 35)
    assert score["rank"] == score["rank_best"] == 2
    no_oslo = service_profile(
        _evaluated(BASE), CATALOG, "A", ["B", "C", "0301"], year=2024, exclude_oslo=True
    )
    assert _self(no_oslo, "cost")["peer_average"] == pytest.approx(600 / 40)
    assert _self(no_oslo, "score")["peer_average"] == pytest.approx(40.0)
    assert _self(no_oslo, "score")["n_ranked"] == 4  # Oslo is still ranked and shown
    no_self = service_profile(
        _evaluated(BASE), CATALOG, "A", ["B", "C", "0301"], year=2024, include_self=False
    )
    assert _self(no_self, "cost")["peer_average"] == pytest.approx(900 / 50)
    assert _self(no_self, "score")["peer_average"] == pytest.approx(100 / 3)


def test_compare_regions_are_shown_but_not_averaged_or_ranked() -> None:
    profile = service_profile(
        _evaluated(BASE), CATALOG, "A", ["B", "C", "0301"], year=2024, compare=["X"]
    )
    x = profile.table.filter((pl.col("region") == "X") & (pl.col("indicator_id") == "cost"))
    assert x["role"].to_list() == ["compare"]
    assert x["index"][0] == pytest.approx(100 * 30 / (1100 / 60))
    assert x["rank"][0] is None
    assert _self(profile, "cost")["peer_average"] == pytest.approx(1100 / 60)
    assert set(profile.table["role"]) == {"self", "peer", "compare"}


def test_suppressed_value_is_flagged_and_left_out_of_the_average() -> None:
    rows = [r for r in BASE if not (r[0] == "score" and r[1] == "C")] + [_score("C", 2024, None)]
    profile = service_profile(_evaluated(rows), CATALOG, "A", ["B", "C", "0301"], year=2024)
    assert _self(profile, "score")["peer_average"] == pytest.approx(110 / 3)
    c = profile.table.filter((pl.col("region") == "C") & (pl.col("indicator_id") == "score"))
    assert c["missing"].to_list() == [True]
    assert c["status"].to_list() == [":"]
    assert c["index"].to_list() == [None]


def test_series_covers_four_years_and_flags_pandemic() -> None:
    rows = [_cost("A", y, 100 + y - 2019, 10) for y in range(2019, 2025)]
    rows += [_cost("B", y, 100, 10) for y in range(2019, 2025)]
    profile = service_profile(_evaluated(rows), CATALOG, "A", ["B"], year=2024)
    series = profile.series.filter(pl.col("region") == "A")
    assert series["year"].to_list() == [2021, 2022, 2023, 2024]
    assert series["pandemic"].to_list() == [True, False, False, False]
    assert series["change"][0] == pytest.approx(0.1)  # 2021 against 2020, read from outside


def test_peer_profile_all_regions_leave_one_out() -> None:
    groups = grouping({"g1": ["A", "B", "C"], "g2": ["0301", "X"]})
    out = peer_profile(_evaluated(BASE), CATALOG, groups, years=[2024], include_self=False)
    a = out.filter((pl.col("region") == "A") & (pl.col("indicator_id") == "cost"))
    assert a["peer_average"][0] == pytest.approx(400 / 30)
    x = out.filter((pl.col("region") == "X") & (pl.col("indicator_id") == "cost"))
    assert x["peer_average"][0] == pytest.approx(25.0)
    assert x["n_average"][0] == 1
    assert out.filter(pl.col("group") == "g1")["region"].unique().sort().to_list() == [
        "A",
        "B",
        "C",
    ]


values = st.lists(st.floats(min_value=0.1, max_value=1e4), min_size=3, max_size=8)


@settings(max_examples=40, deadline=None)
@given(nums=values, dens=values, factor=st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_every_value_leaves_the_index_unchanged(
    nums: list[float], dens: list[float], factor: float
) -> None:
    size = min(len(nums), len(dens))
    regions = [f"R{i}" for i in range(size)]

    def frame(scale: float) -> pl.DataFrame:
        rows = [_cost(r, 2024, nums[i] * scale, dens[i]) for i, r in enumerate(regions)]
        rows += [_score(r, 2024, nums[i] * scale) for i, r in enumerate(regions)]
        return _evaluated(rows)

    base = service_profile(frame(1.0), CATALOG, "R0", regions[1:], year=2024).key_figures
    scaled = service_profile(frame(factor), CATALOG, "R0", regions[1:], year=2024).key_figures
    assert scaled["index"].to_list() == pytest.approx(base["index"].to_list(), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(nums=values, dens=values)
def test_a_municipality_equal_to_the_average_gets_100(nums: list[float], dens: list[float]) -> None:
    size = min(len(nums), len(dens))
    peers = [f"R{i}" for i in range(1, size)]
    ratio = sum(nums[1:size]) / sum(dens[1:size])
    mean = sum(nums[1:size]) / (size - 1)
    rows = [_cost(r, 2024, nums[i + 1], dens[i + 1]) for i, r in enumerate(peers)]
    rows += [_score(r, 2024, nums[i + 1]) for i, r in enumerate(peers)]
    rows += [_cost("R0", 2024, ratio * dens[0], dens[0]), _score("R0", 2024, mean)]
    for include_self in (True, False):
        figures = service_profile(
            _evaluated(rows), CATALOG, "R0", peers, year=2024, include_self=include_self
        ).key_figures
        assert figures["index"].to_list() == pytest.approx([100.0, 100.0], rel=1e-9)
