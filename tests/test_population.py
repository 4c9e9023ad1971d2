"""Population: 2024 borders and own borders, KOSTRA age groups, sex, accounting-year shift."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from kostra.errors import KostraError
from kostra.geography import (
    KOSTRA_AGE_GROUPS,
    population,
    population_for_accounting_year,
)

SPLIT_BY_WEIGHT = {"1508", "1580", "1806", "1875", "5055", "5056", "5059"}


def _value(frame: pl.DataFrame, region: str, year: int, group: str = "total") -> float | None:
    row = frame.filter(
        (pl.col("region") == region) & (pl.col("year") == year) & (pl.col("age_group") == group)
    )
    assert row.height == 1, row
    value = row["population"][0]
    return None if value is None else float(value)


def test_shape_and_2024_borders() -> None:
    frame = population([2019, 2024], borders=2024)
    assert frame.columns == ["region", "year", "age_group", "population"]
    assert frame.schema["region"] == pl.Utf8
    assert frame.filter(pl.col("year") == 2019).height == 357
    assert _value(frame, "3201", 2019) == 126841
    assert "0219" not in frame["region"].to_list()


def test_own_borders() -> None:
    frame = population([2019, 2022, 2024])
    assert _value(frame, "0219", 2019) == 126841
    assert _value(frame, "3024", 2022) is not None
    assert frame.filter(pl.col("year") == 2019).height == 422
    assert frame.filter(pl.col("year") == 2022).height == 356
    # Codes the statbank downloads lack are missing, not zero.
    assert _value(population(2010), "0706", 2010) is None


def test_country_totals_agree_between_bases_from_2017() -> None:
    # The own-border downloads are complete from 2017; totals differ only by the reference's
    # rounding of weighted split cells (a few dozen people in five million).
    own = population(list(range(2017, 2027))).group_by("year").agg(pl.col("population").sum())
    fixed = (
        population(list(range(2017, 2027)), borders=2024)
        .group_by("year")
        .agg(pl.col("population").sum().alias("fixed"))
    )
    both = own.join(fixed, on="year")
    assert ((both["population"] - both["fixed"]).abs() <= 40).all()


def test_other_borders_by_harmonisation() -> None:
    frame = population([2015, 2019], borders=2020)
    assert _value(frame, "4204", 2019) == _value(population(2020 - 1), "1001", 2019) + _value(
        population(2019), "1017", 2019
    ) + _value(population(2019), "1018", 2019)
    with pytest.raises(KostraError):
        population(2022, borders=2019)  # merged units cannot be taken apart


def test_kostra_age_groups_match_ssb_reference_file(shared_dir: Path) -> None:
    reference = pl.read_csv(
        shared_dir / "data" / "reference" / "population_kostra_agegroups_2005_2026.csv",
        schema_overrides={"code": pl.Utf8},
    ).filter(pl.col("granularity_geo") == "municip")
    assert set(KOSTRA_AGE_GROUPS) == set(reference.columns[5:])
    ours = population(
        list(range(2005, 2027)), age_group=["total", *KOSTRA_AGE_GROUPS], borders=2024
    )
    wide = ours.pivot(on="age_group", index=["region", "year"], values="population")
    both = reference.join(
        wide, left_on=["code", "calyear"], right_on=["region", "year"], suffix="_ours"
    )
    # The reference, like SSB, has no 2005 figures for Vindafjord and Aure (merged 2006).
    assert both.height == reference.height == 357 * 22 - 2
    # Exact, except where the reference split a unit by weights before 2024: the group file
    # rounded each weighted group, the single-age file each weighted female/male age cell, so
    # they may differ by up to one person per single age in the group.
    # 1508 and 1580 before 2024 are re-split by kostra (see DATA.md): compared combined below.
    alesund = pl.col("code").is_in(["1508", "1580"]) & (pl.col("calyear") < 2024)
    combined = (
        both.filter(alesund)
        .group_by("calyear")
        .agg(
            pl.col(c).sum()
            for c in both.columns
            if c not in {"granularity_geo", "code", "calyear", "location_name"}
        )
    )
    both = both.filter(~alesund)
    for label in ["total", *KOSTRA_AGE_GROUPS]:
        lo, hi = KOSTRA_AGE_GROUPS.get(label, (0, 105))
        diff = (combined[label] - combined[f"{label}_ours"]).abs()
        assert (diff <= 2 * (hi - lo + 1)).all(), label
    weighted = pl.col("code").is_in(list(SPLIT_BY_WEIGHT)) & (pl.col("calyear") < 2024)
    for label in ["total", *KOSTRA_AGE_GROUPS]:
        lo, hi = KOSTRA_AGE_GROUPS.get(label, (0, 105))
        diff = (pl.col(label) - pl.col(f"{label}_ours")).abs()
        assert both.filter(~weighted & (diff > 0)).height == 0, label
        assert both.filter(weighted & (diff > hi - lo + 1)).height == 0, label


def test_haram_before_2024_is_old_haram_not_half_of_alesund() -> None:
    # The reference gives 1580 half of old Ålesund (~33 000); Haram had ~9 000 people.
    fixed = population(list(range(2005, 2020)), borders=2024).filter(pl.col("region") == "1580")
    own = population(list(range(2005, 2020))).filter(pl.col("region") == "1534")
    both = fixed.join(own, on=["year", "age_group"], suffix="_own")
    assert both.height == 15
    # Equal up to the rounding of the reference's weighted female/male cells (≤ 1 per age).
    assert ((both["population"] - both["population_own"]).abs() <= 106).all()
    assert (both["population"] < 10_000).all()
    # 2020–2023: Haram's share of 1507 is its share on 1 January 2024 (~0.138).
    later = population([2023], borders=2024).filter(pl.col("region").is_in(["1508", "1580"]))
    haram = later.filter(pl.col("region") == "1580")["population"][0]
    assert haram / later["population"].sum() == pytest.approx(0.1379, abs=0.001)


def test_sex_on_2024_borders() -> None:
    women = _value(population(2024, borders=2024, sex="female"), "0301", 2024)
    men = _value(population(2024, borders=2024, sex="male"), "0301", 2024)
    total = _value(population(2024, borders=2024), "0301", 2024)
    assert women is not None
    assert men is not None
    assert women + men == total
    with pytest.raises(KostraError, match="2024 borders"):
        population(2019, sex="female")


def test_single_ages_and_unknown_group() -> None:
    single = population(2024, age_group="single", borders=2024).filter(pl.col("region") == "0301")
    assert single.height == 106
    assert single["population"].sum() == _value(population(2024, borders=2024), "0301", 2024)
    with pytest.raises(KostraError, match="Unknown age group"):
        population(2024, age_group="teenagers")


def test_population_errors_read_nynorsk() -> None:
    with pytest.raises(KostraError) as unknown:
        population(2024, age_group="tenåringar")
    assert unknown.value.text("nn") == "Ukjend aldersgruppe 'tenåringar'."
    assert unknown.value.text("nb") == "Ukjent aldersgruppe 'tenåringar'."
    assert (unknown.value.hint_text("nn") or "").startswith(
        "Bruk 'total', 'single' eller ei KOSTRA-gruppe: 0, 1-5,"
    )
    with pytest.raises(KostraError) as by_sex:
        population_for_accounting_year(2019, sex="male")
    assert by_sex.value.text("nn") == "Folketal etter kjønn følgjer berre med på 2024-grenser."
    assert by_sex.value.hint_text("nn") == "Oppgi borders=2024, eller be om begge kjønna."
    assert by_sex.value.hint_text("en") == "Give borders=2024, or ask for both sexes."


def test_accounting_year_uses_next_first_of_january() -> None:
    shifted = population_for_accounting_year([2019, 2023], borders=2024)
    assert _value(shifted, "3201", 2019) == _value(population(2020, borders=2024), "3201", 2020)
    # On the accounting year's own borders: 1.1.2020 of 3024 is the denominator of 0219 in 2019.
    own = population_for_accounting_year(2019)
    assert _value(own, "0219", 2019) == _value(population(2020), "3024", 2020)
    # Ålesund (1507) in 2023 gets the sum of the 2024 parts Ålesund and Haram.
    later = population_for_accounting_year(2023)
    parts = population(2024)
    assert _value(later, "1507", 2023) == _value(parts, "1508", 2024) + _value(parts, "1580", 2024)
    assert population_for_accounting_year(2026).height == 0


def test_accounting_year_across_the_2024_renumbering_is_exact() -> None:
    # Bærum was 3024 in 2023 and 3201 from 1.1.2024: the 2023 denominator is 3201 on 1.1.2024.
    later = population_for_accounting_year(2023)
    assert _value(later, "3024", 2023) == 130_921
    assert not later.filter(pl.col("region") == "3024")["estimated"].item()
    # Every code valid in 2023 gets a count; only Ålesund's split is summed back, exactly.
    assert later.height == 356
    assert later["population"].null_count() == 0
    assert not later["estimated"].any()
    assert later["population"].sum() == population(2024)["population"].sum()


def test_accounting_year_of_units_merged_next_january_is_their_share() -> None:
    # Asker (0220), Røyken (0627) and Hurum (0628) became Asker (3025) on 1.1.2020, which had
    # 94 441 inhabitants; on 1.1.2019 they had 61 523, 22 635 and 9 521 (sum 93 679). SSB's
    # count of the old units on 1.1.2020 is not published: each gets its 2019 share.
    own = population_for_accounting_year(2019)
    assert _value(own, "0220", 2019) == pytest.approx(94_441 * 61_523 / 93_679)
    assert _value(own, "0627", 2019) == pytest.approx(94_441 * 22_635 / 93_679)
    assert _value(own, "0628", 2019) == pytest.approx(94_441 * 9_521 / 93_679)
    asker = own.filter(pl.col("region").is_in(["0220", "0627", "0628"]))
    assert asker["estimated"].all()
    assert asker["population"].sum() == pytest.approx(94_441)
    # Haram (1534) merged into Ålesund on 1.1.2020: a share of 1507, no longer missing.
    haram = _value(own, "1534", 2019)
    assert haram == pytest.approx(66_258 * 9_383 / (47_998 + 2_250 + 4_764 + 9_383 + 1_238))
    # Unchanged municipalities are exact, and every 2019 code has a count.
    assert not own.filter(pl.col("region") == "0301")["estimated"].item()
    assert own.height == 422
    assert own["population"].null_count() == 0
    assert own["population"].sum() == pytest.approx(population(2020)["population"].sum())


def test_accounting_year_by_age_group_shares_each_group() -> None:
    own = population_for_accounting_year(2019, age_group=["total", "6-15"])
    before = population(2019, age_group="6-15")
    after = population(2020, age_group="6-15")
    olds = ["0220", "0627", "0628"]
    total_2019 = sum(_value(before, code, 2019, "6-15") or 0.0 for code in olds)
    for code in olds:
        expected = (_value(after, "3025", 2020, "6-15") or 0.0) * (
            (_value(before, code, 2019, "6-15") or 0.0) / total_2019
        )
        assert _value(own, code, 2019, "6-15") == pytest.approx(expected)


def test_aggregates_are_sums_of_municipalities() -> None:
    frame = population([2019, 2020, 2024], aggregates=True)
    for year, counties in ((2019, 18), (2020, 11), (2024, 15)):
        rows = frame.filter(pl.col("year") == year)
        municipal = rows.filter(pl.col("region").str.contains(r"^\d{4}$"))
        assert _value(rows, "EAK", year) == municipal["population"].sum()
        assert _value(rows, "EAKUO", year) == municipal["population"].sum() - _value(
            rows, "0301", year
        )
        county_rows = rows.filter(pl.col("region").str.starts_with("EKA"))
        assert county_rows.height == counties
        assert county_rows["population"].sum() == municipal["population"].sum()
    # SSB's published country totals on 1 January.
    assert _value(frame, "EAK", 2020) == 5_367_580
    assert _value(frame, "EAK", 2024) == 5_550_203
    # Oslo is a county of its own; Viken (30) existed 2020–2023 only.
    assert _value(frame, "EKA03", 2024) == _value(frame, "0301", 2024)
    assert _value(frame, "EKA30", 2020) is not None
    assert frame.filter((pl.col("region") == "EKA30") & (pl.col("year") == 2024)).height == 0
    # Without aggregates=True only municipalities come back.
    assert population(2019).filter(~pl.col("region").str.contains(r"^\d{4}$")).height == 0


def test_aggregates_bridge_the_codes_missing_from_the_downloads() -> None:
    # 0706, 0719 and 0720 are null in 2016, but together they are today's 3907 (2024-border
    # reference): Vestfold and the country are exact, SSB's 5 213 985 on 1.1.2016.
    frame = population([2005, 2016], aggregates=True)
    assert _value(frame, "0706", 2016) is None
    assert _value(frame, "EAK", 2016) == 5_213_985
    vestfold = frame.filter((pl.col("year") == 2016) & pl.col("region").str.contains(r"^07\d\d$"))
    sandefjord = _value(population(2016, borders=2024), "3907", 2016)
    assert sandefjord is not None
    assert vestfold["population"].null_count() == 3
    known = vestfold["population"].drop_nulls().sum()
    assert _value(frame, "EKA07", 2016) == known + sandefjord
    # 2005: Vindafjord/Ølen and Aure/Tustna have no figures anywhere: missing stays missing.
    assert _value(frame, "EAK", 2005) is None
    assert _value(frame, "EKA11", 2005) is None
    assert _value(frame, "EKA07", 2005) is not None


def test_merged_area_filled_exactly_on_later_borders() -> None:
    # On the borders of 2017–2023 Sandefjord (0710, 3804) is one code that is today's 3907 whole:
    # its 2005–2016 population is the reference's, not null.
    reference = population(list(range(2005, 2017)), borders=2024).filter(pl.col("region") == "3907")
    for borders, code in ((2017, "0710"), (2020, "3804")):
        frame = population(list(range(2005, 2017)), borders=borders).filter(
            pl.col("region") == code
        )
        both = frame.join(reference, on=["year", "age_group"])
        assert both.height == 12
        assert (both["population"] == both["population_right"]).all()
    # On their own borders the three old codes stay null (no exact split exists).
    assert (
        population(2016)
        .filter(pl.col("region").is_in(["0706", "0719", "0720"]))["population"]
        .null_count()
        == 3
    )
