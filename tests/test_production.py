"""Production, cost and efficiency indices against hand-computed values (methodology §5)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.analysis._common import single_group
from kostra.analysis.indicators import RESULT_SCHEMA
from kostra.analysis.method import SmallNumbers
from kostra.analysis.production import production_indices
from kostra.catalog.models import (
    Catalog,
    Formula,
    Indicator,
    PopulationRef,
    ProductionUse,
    SeriesRef,
)


def _ind(id_: str, sector: str, kind: str, weight: float, direction: str, average: str):
    if average == "weighted":
        definition = {
            "formula": Formula(
                numerator=[SeriesRef(table_id="13502", contents_code=id_)],
                denominator=PopulationRef(age_group="1-5"),
            )
        }
    else:
        definition = {"source": SeriesRef(table_id="13502", contents_code=id_)}
    return Indicator(
        id=id_,
        sector=sector,
        name_nb=id_,
        name_en=id_,
        unit="x",
        direction=direction,
        average=average,
        production=ProductionUse(kind=kind, weight=weight),
        **definition,
    )


CATALOG = Catalog(
    indicators=(
        _ind("dekning", "barnehage", "coverage", 1.0, "higher_better", "weighted"),
        _ind("laerer", "barnehage", "quality", 1.0, "higher_better", "simple"),
        _ind("ventetid", "barnehage", "ratio", 2.0, "lower_better", "simple"),
        _ind("poeng", "grunnskole", "quality", 1.0, "higher_better", "simple"),
    )
)
GROUP = single_group("ref", ["1001", "1002"])
INHABITANTS = pl.DataFrame(
    {"region": ["1001", "1002"], "year": [2024, 2024], "population": [100.0, 100.0]}
)
NEED = pl.DataFrame(
    {
        "need_year": [2025] * 4,
        "region": ["1001", "1002"] * 2,
        "sector": ["barnehage", "barnehage", "grunnskole", "grunnskole"],
        "need_index": [1.2, 0.8, 1.0, 1.0],
    }
)
GROSS = pl.DataFrame(
    {
        "region": ["1001", "1002", "1001", "1002"],
        "year": [2024] * 4,
        "sector": ["barnehage", "barnehage", "grunnskole", "grunnskole"],
        "amount": [12000.0, 6000.0, 5000.0, 5000.0],
        "population": [100.0] * 4,
    }
)


def _evaluated(users: tuple[float, float] = (15.0, 8.0)) -> pl.DataFrame:
    rows = [
        ("dekning", "1001", users[0] / 15, users[0], 15.0),
        ("dekning", "1002", users[1] / 10, users[1], 10.0),
        ("laerer", "1001", 90.0, None, None),
        ("laerer", "1002", 60.0, None, None),
        ("ventetid", "1001", 10.0, None, None),
        ("ventetid", "1002", 30.0, None, None),
        ("poeng", "1001", 50.0, None, None),
        ("poeng", "1002", 50.0, None, None),
    ]
    return pl.DataFrame(
        [
            {
                "indicator_id": i,
                "region": r,
                "year": 2024,
                "value": v,
                "numerator": n,
                "denominator": d,
                "status": None,
                "series_break": False,
                "preliminary": False,
            }
            for i, r, v, n, d in rows
        ],
        schema=RESULT_SCHEMA,
    )


def _run(evaluated: pl.DataFrame, **options: object):
    # the made-up target groups are tiny: the small-number rule is tested on its own below
    options.setdefault("small_numbers", SmallNumbers(min_base=0.0))
    return production_indices(
        evaluated,
        CATALOG,
        GROUP,
        inhabitants=INHABITANTS,
        need_index=NEED,
        gross_spending=GROSS,
        sector_weights={"barnehage": 0.25, "grunnskole": 0.75},
        **options,
    )


def _sector(result, region: str, sector: str) -> dict[str, object]:
    rows = result.sectors.filter(
        (pl.col("region") == region) & (pl.col("sector") == sector)
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_indices_equal_hand_computation() -> None:
    result = _run(_evaluated(), cost_average="weighted")
    # need-corrected target groups: 0.125 × 100 × 1.2 = 15 and 0.125 × 100 × 0.8 = 10
    cover = result.indicators.filter(pl.col("indicator_id") == "dekning").sort("region")
    assert cover["x"].to_list() == pytest.approx([15 / 15, 8 / 10])
    assert cover["x_ref"].to_list() == pytest.approx([23 / 25, 23 / 25])
    z1 = [100 * 1.0 / 0.92, 100 * 90 / 75, 100 * 20 / 10]
    z2 = [100 * 0.8 / 0.92, 100 * 60 / 75, 100 * 20 / 30]
    p1 = (z1[0] + z1[1] + 2 * z1[2]) / 4
    p2 = (z2[0] + z2[1] + 2 * z2[2]) / 4
    c1 = 100 * (12000 / 120) / (18000 / 200)
    c2 = 100 * (6000 / 80) / (18000 / 200)
    one = _sector(result, "1001", "barnehage")
    assert one["production_index"] == pytest.approx(p1)
    assert one["cost_index"] == pytest.approx(c1)
    assert one["efficiency_index"] == pytest.approx(100 * p1 / c1)
    assert one["production_pct"] == pytest.approx(p1 - 100)
    assert one["n_indicators"] == 3
    assert one["n_available"] == 3
    assert one["need_year"] == 2025
    two = _sector(result, "1002", "barnehage")
    assert two["efficiency_index"] == pytest.approx(100 * p2 / c2)
    school = _sector(result, "1001", "grunnskole")
    assert school["production_index"] == pytest.approx(100.0)
    assert school["cost_index"] == pytest.approx(100.0)
    total = _sector(result, "1001", "total")
    p_total = 0.25 * p1 + 0.75 * 100
    c_total = 0.25 * c1 + 0.75 * 100
    assert total["production_index"] == pytest.approx(p_total)
    assert total["cost_index"] == pytest.approx(c_total)
    # one definition: total efficiency = total production / total resource use
    assert total["efficiency_index"] == pytest.approx(100 * p_total / c_total)
    assert total["production_pct"] == pytest.approx(p_total - 100)


def test_small_target_groups_get_no_index_and_caps_are_flagged() -> None:
    """Target groups of 15 and 10 need-corrected inhabitants: below the default base of 50."""
    result = _run(_evaluated(), small_numbers=SmallNumbers())
    cover = result.indicators.filter(pl.col("indicator_id") == "dekning")
    assert cover["small_base"].all()
    assert cover["z"].null_count() == cover.height
    assert cover["x_ref"].null_count() == 0  # still part of the reference
    one = _sector(result, "1001", "barnehage")
    assert one["n_available"] == 2  # renormalised over the other indicators
    capped = _run(_evaluated(), small_numbers=SmallNumbers(min_base=0.0, index_cap=110.0))
    flags = capped.sectors.filter(pl.col("production_index") > 110)["beyond_cap"]
    assert flags.len() > 0
    assert flags.all()


def test_cost_index_against_the_unweighted_mean_by_default() -> None:
    """KS's ASSS convention: each c = BDU / (N × I) against the unweighted mean of the c's."""
    result = _run(_evaluated())
    c1, c2 = 12000 / 120, 6000 / 80
    one = _sector(result, "1001", "barnehage")
    assert one["cost_index"] == pytest.approx(100 * c1 / ((c1 + c2) / 2))
    for row in result.sectors.filter(pl.col("sector") == "total").iter_rows(named=True):
        assert row["efficiency_index"] == pytest.approx(
            100 * row["production_index"] / row["cost_index"]
        )


def test_missing_indicator_renormalises_and_too_few_gives_null() -> None:
    evaluated = _evaluated().with_columns(
        pl.when((pl.col("indicator_id") == "ventetid") & (pl.col("region") == "1001"))
        .then(None)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    one = _sector(_run(evaluated), "1001", "barnehage")
    assert one["n_available"] == 2
    # ventetid's x_ref is now 1002's value alone; 1001 keeps dekning and laerer (weight 2 of 4)
    assert one["production_index"] == pytest.approx((100 / 0.92 + 120) / 2)
    strict = _sector(_run(evaluated, min_weight_share=0.75), "1001", "barnehage")
    assert strict["production_index"] is None
    assert strict["efficiency_index"] is None


@settings(max_examples=30, deadline=None)
@given(factor=st.floats(min_value=0.01, max_value=100))
def test_scaling_users_of_every_region_leaves_the_indices_unchanged(factor: float) -> None:
    base = _run(_evaluated()).sectors
    scaled = _run(_evaluated((15.0 * factor, 8.0 * factor))).sectors
    assert scaled["production_index"].to_list() == pytest.approx(
        base["production_index"].to_list(), rel=1e-9
    )
