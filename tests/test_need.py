"""Need-corrected costs against hand-computed values (methodology §4)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.analysis._common import single_group
from kostra.analysis.need import choose_need_year, need_corrected_costs

SPEND = pl.DataFrame(
    [
        ("1001", 2024, "grunnskole", 4400.0, 20.0),
        ("1002", 2024, "grunnskole", 3000.0, 10.0),
        ("1003", 2024, "grunnskole", 1800.0, 10.0),
        ("0301", 2024, "grunnskole", 10000.0, 40.0),
        ("1001", 2024, "barnehage", 2000.0, 20.0),
        ("1002", 2024, "barnehage", 1000.0, 10.0),
        ("1003", 2024, "barnehage", 1200.0, 10.0),
        ("0301", 2024, "barnehage", 4000.0, 40.0),
    ],
    schema={
        "region": pl.Utf8,
        "year": pl.Int32,
        "sector": pl.Utf8,
        "amount": pl.Float64,
        "population": pl.Float64,
    },
    orient="row",
)
INDEX = pl.DataFrame(
    {
        "need_year": [2025] * 8,
        "region": ["1001", "1002", "1003", "0301"] * 2,
        "sector": ["grunnskole"] * 4 + ["barnehage"] * 4,
        "need_index": [1.1, 1.2, 1.0, 0.8, 1.0, 1.0, 1.0, 1.0],
    }
)
COUNTRY = pl.DataFrame(
    {
        "year": [2024, 2024],
        "sector": ["grunnskole", "barnehage"],
        "amount": [20000.0, 10000.0],
        "population": [100.0, 100.0],
    }
)
GROUP = single_group("asss", ["1001", "1002", "1003", "0301"])
SECTORS = ("grunnskole", "barnehage")


def _get(frame: pl.DataFrame, region: str, sector: str) -> dict[str, object]:
    rows = frame.filter((pl.col("region") == region) & (pl.col("sector") == sector)).to_dicts()
    assert len(rows) == 1
    return rows[0]


def _run(**options: object) -> pl.DataFrame:
    return need_corrected_costs(
        SPEND, INDEX, GROUP, country=COUNTRY, welfare_sectors=SECTORS, **options
    )


def test_need_correction_resource_indices_and_nok_difference() -> None:
    """The accounts variant: each against the others, Oslo out, population-weighted D."""
    out = _run(
        include_self=False, exclude_from_average=("0301",), excess_average="population_weighted"
    )
    a = _get(out, "1001", "grunnskole")
    assert a["net_opex_per_capita"] == pytest.approx(220.0)
    assert a["need_corrected_per_capita"] == pytest.approx(200.0)
    assert a["expected_per_capita"] == pytest.approx(220.0)
    assert a["resource_index"] == pytest.approx(100.0)
    assert a["resource_use_index"] == pytest.approx(1.0 / ((1.25 + 0.9) / 2))
    assert a["peer_difference_per_capita"] == pytest.approx(20.0)
    assert a["excess_spending"] == pytest.approx(-400.0)
    assert a["need_year"] == 2025
    assert a["need_year_fallback"] is False
    assert "lower quality" in a["note"]  # the 2025 indices, and nothing else to say
    b = _get(out, "1002", "grunnskole")
    assert b["resource_index"] == pytest.approx(125.0)
    assert b["excess_spending"] == pytest.approx((60 + 200 / 30) * 10)
    oslo = _get(out, "0301", "grunnskole")
    assert oslo["in_average"] is False
    assert oslo["resource_use_index"] == pytest.approx(1.5625 / 1.05)
    assert oslo["excess_spending"] == pytest.approx((90 - 10) * 40)


def test_resource_use_and_excess_as_ks_computes_them_by_default() -> None:
    """All members (self and Oslo included), unweighted mean of r: M = NDU × (1 − 1/RBI)."""
    out = _run()
    mean_r = (1.0 + 1.25 + 0.9 + 1.5625) / 4
    a = _get(out, "1001", "grunnskole")
    assert a["resource_use_index"] == pytest.approx(1.0 / mean_r)
    assert a["excess_spending"] == pytest.approx((1.0 - mean_r) * 220.0 * 20)
    assert a["in_average"] is True
    for row in out.filter(pl.col("sector") == "grunnskole").iter_rows(named=True):
        assert row["excess_spending"] == pytest.approx(
            row["net_opex"] * (1 - 1 / row["resource_use_index"])
        )
        assert row["in_total"] is True
    oslo = _get(out, "0301", "grunnskole")
    assert oslo["in_average"] is True


def test_total_sums_the_welfare_sectors() -> None:
    out = _run(
        include_self=False, exclude_from_average=("0301",), excess_average="population_weighted"
    )
    assert _get(out, "1001", "barnehage")["excess_spending"] == pytest.approx(-200.0)
    total = _get(out, "1001", "total")
    assert total["excess_spending"] == pytest.approx(-600.0)
    assert total["net_opex"] == pytest.approx(6400.0)
    assert total["note"] == "sum of barnehage, grunnskole"
    missing = need_corrected_costs(
        SPEND, INDEX, GROUP, country=COUNTRY, welfare_sectors=(*SECTORS, "barnevern")
    )
    partial = _get(missing, "1001", "total")
    # the total is the sum of the sectors it shows, and says what it leaves out
    assert partial["excess_spending"] == pytest.approx(
        missing.filter((pl.col("region") == "1001") & pl.col("in_total"))["excess_spending"].sum()
    )
    assert "no figures (left out): barnevern" in partial["note"]


def test_total_names_shown_sectors_it_does_not_include() -> None:
    out = need_corrected_costs(
        SPEND, INDEX, GROUP, country=COUNTRY, welfare_sectors=("grunnskole",)
    )
    total = _get(out, "1001", "total")
    assert _get(out, "1001", "barnehage")["in_total"] is False
    assert total["excess_spending"] == pytest.approx(
        _get(out, "1001", "grunnskole")["excess_spending"]
    )
    assert "not included: barnehage" in total["note"]


def test_lower_quality_need_index_is_flagged() -> None:
    out = _run()
    a = _get(out, "1001", "grunnskole")
    assert a["need_index_quality"] == "lower"  # the 2025 indices
    assert "lower quality" in a["note"]
    later = need_corrected_costs(
        SPEND,
        INDEX.with_columns(pl.lit(2026).alias("need_year")),
        GROUP,
        country=COUNTRY,
        welfare_sectors=SECTORS,
    )
    assert _get(later, "1001", "grunnskole")["need_index_quality"] == "good"


def test_resource_use_indicator_averages_one_over_the_peers() -> None:
    out = _run(include_self=True, exclude_from_average=())
    rbi = out.filter(pl.col("sector") == "grunnskole")["resource_use_index"]
    assert rbi.mean() == pytest.approx(1.0)


def test_need_year_fallback_and_missing_index_are_stated() -> None:
    early = SPEND.with_columns(pl.lit(2015, dtype=pl.Int32).alias("year"))
    country = COUNTRY.with_columns(pl.lit(2015).alias("year"))
    out = need_corrected_costs(early, INDEX, GROUP, country=country, welfare_sectors=SECTORS)
    a = _get(out, "1001", "grunnskole")
    assert a["need_year"] == 2025
    assert a["need_year_fallback"] is True
    assert "2025" in a["note"]
    assert "2016" in a["note"]
    no_index = need_corrected_costs(
        SPEND,
        INDEX.filter(pl.col("region") != "1003"),
        GROUP,
        country=COUNTRY,
        welfare_sectors=SECTORS,
    )
    c = _get(no_index, "1003", "grunnskole")
    assert c["need_corrected_per_capita"] is None
    assert "no need index" in c["note"]


def test_choose_need_year_prefers_the_nearest_later_year() -> None:
    chosen = choose_need_year([2023, 2024, 2025, 2030], [2025, 2026])
    assert chosen["need_year"].to_list() == [2025, 2025, 2026, 2026]
    assert chosen["need_year_fallback"].to_list() == [True, False, False, True]
    fixed = choose_need_year([2024], [2025, 2026], need_year=2026)
    assert fixed["need_year"].to_list() == [2026]


def test_country_level_defaults_to_the_sum_of_municipalities() -> None:
    out = need_corrected_costs(SPEND, INDEX, GROUP, welfare_sectors=SECTORS)
    # Σ amounts 19 200 over 80 inhabitants
    assert _get(out, "1001", "grunnskole")["expected_per_capita"] == pytest.approx(1.1 * 240.0)


@settings(max_examples=30, deadline=None)
@given(factor=st.floats(min_value=0.01, max_value=100))
def test_scaling_every_amount_leaves_the_resource_use_index_unchanged(factor: float) -> None:
    base = _run()
    scaled = need_corrected_costs(
        SPEND.with_columns(pl.col("amount") * factor),
        INDEX,
        GROUP,
        country=COUNTRY.with_columns(pl.col("amount") * factor),
        welfare_sectors=SECTORS,
    )
    for name in ("resource_use_index", "resource_index"):
        pairs = list(zip(scaled[name].to_list(), base[name].to_list(), strict=True))
        # Rows without an index (the welfare total) must stay without one when scaled.
        assert [s is None for s, _ in pairs] == [b is None for _, b in pairs]
        present = [(s, b) for s, b in pairs if b is not None]
        assert present
        assert [s for s, _ in present] == pytest.approx([b for _, b in present], rel=1e-9)
