"""Hand-computed checks of ``kostra.analysis.indicators.evaluate`` on made-up frames."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.analysis.indicators import evaluate
from kostra.catalog.models import Catalog, Formula, Indicator, PopulationRef, SeriesRef
from kostra.frames import OBSERVATION_SCHEMA

ACC = "12362"


def _ref(function: str, scale: float = 1000.0) -> SeriesRef:
    return SeriesRef(
        table_id=ACC,
        contents_code="KOSbelop0000",
        dims={"KOKart0000": "AGD2", "KOKfunksjon0000": function},
        scale=scale,
    )


def _catalog() -> Catalog:
    per_capita = Indicator(
        id="ndu_skole_per_innb",
        sector="grunnskole",
        name_nb="NDU skole per innbygger",
        name_en="Net opex school per inhabitant",
        unit="kr",
        formula=Formula(numerator=[_ref("202"), _ref("213")], denominator=PopulationRef()),
        direction="neutral",
        average="weighted",
    )
    per_pupil = Indicator(
        id="ndu_per_elev",
        sector="grunnskole",
        name_nb="NDU per elev",
        name_en="Net opex per pupil",
        unit="kr",
        formula=Formula(
            numerator=[_ref("202")],
            denominator=[SeriesRef(table_id="12255", contents_code="Elever")],
        ),
        direction="neutral",
        average="weighted",
    )
    share = Indicator(
        id="andel_spes",
        sector="grunnskole",
        name_nb="Andel spesialundervisning",
        name_en="Share special education",
        unit="prosent",
        source=SeriesRef(table_id="12255", contents_code="Andel"),
        weight_by=PopulationRef(age_group="6-15", offset=0),
        direction="lower_better",
        average="weighted",
    )
    score = Indicator(
        id="grunnskolepoeng",
        sector="grunnskole",
        name_nb="Grunnskolepoeng",
        name_en="Lower secondary points",
        unit="poeng",
        source=SeriesRef(table_id="12255", contents_code="Poeng"),
        direction="higher_better",
        average="simple",
    )
    return Catalog(indicators=(per_capita, per_pupil, share, score))


Obs = tuple[str, str, str, int, str, float | None, str | None]


def _obs(rows: Sequence[Obs]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=OBSERVATION_SCHEMA, orient="row")


def _acc(
    region: str, year: int, function: str, value: float | None, status: str | None = None
) -> Obs:
    return (
        ACC,
        "KOSbelop0000",
        region,
        year,
        f"KOKart0000=AGD2;KOKfunksjon0000={function}",
        value,
        status,
    )


def _pop(rows: Sequence[tuple[str, int, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "region": pl.Utf8,
            "year": pl.Int32,
            "age_group": pl.Utf8,
            "population": pl.Float64,
        },
        orient="row",
    )


def _row(frame: pl.DataFrame, indicator: str, region: str, year: int) -> dict[str, object]:
    rows = frame.filter(
        (pl.col("indicator_id") == indicator)
        & (pl.col("region") == region)
        & (pl.col("year") == year)
    ).to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


def test_formula_sums_numerators_and_uses_population_of_next_january() -> None:
    obs = _obs([_acc("1001", 2023, "202", 100.0), _acc("1001", 2023, "213", 50.0)])
    pop = _pop([("1001", 2023, "total", 999.0), ("1001", 2024, "total", 300.0)])
    out = evaluate(obs, pop, _catalog())
    row = _row(out, "ndu_skole_per_innb", "1001", 2023)
    assert row["numerator"] == pytest.approx(150_000.0)
    assert row["denominator"] == pytest.approx(300.0)
    assert row["value"] == pytest.approx(500.0)
    assert row["status"] is None
    assert row["series_break"] is False


def test_suppressed_input_gives_null_with_its_symbol_never_zero() -> None:
    obs = _obs([_acc("1001", 2023, "202", None, ":"), _acc("1001", 2023, "213", 50.0)])
    pop = _pop([("1001", 2024, "total", 300.0)])
    row = _row(evaluate(obs, pop, _catalog()), "ndu_skole_per_innb", "1001", 2023)
    assert row["value"] is None
    assert row["status"] == ":"
    assert row["numerator"] is None


def test_absent_series_or_population_gives_not_available() -> None:
    obs = _obs(
        [
            _acc("1001", 2023, "202", 100.0),
            _acc("1002", 2023, "202", 10.0),
            _acc("1002", 2023, "213", 10.0),
        ]
    )
    pop = _pop([("1001", 2024, "total", 300.0)])
    out = evaluate(obs, pop, _catalog())
    assert _row(out, "ndu_skole_per_innb", "1001", 2023)["status"] == ".."
    missing_pop = _row(out, "ndu_skole_per_innb", "1002", 2023)
    assert missing_pop["value"] is None
    assert missing_pop["status"] == ".."


def test_series_denominator_and_ready_ratios() -> None:
    obs = _obs(
        [
            _acc("1001", 2023, "202", 120.0),
            ("12255", "Elever", "1001", 2023, "", 60.0, None),
            ("12255", "Andel", "1001", 2023, "", 8.0, None),
            ("12255", "Poeng", "1001", 2023, "", 41.5, None),
        ]
    )
    pop = _pop([("1001", 2023, "6-15", 70.0), ("1001", 2024, "total", 500.0)])
    out = evaluate(obs, pop, _catalog())
    per_pupil = _row(out, "ndu_per_elev", "1001", 2023)
    assert per_pupil["value"] == pytest.approx(2000.0)
    assert per_pupil["denominator"] == pytest.approx(60.0)
    share = _row(out, "andel_spes", "1001", 2023)
    assert share["value"] == pytest.approx(8.0)
    assert share["numerator"] == pytest.approx(8.0 * 70.0)
    assert share["denominator"] == pytest.approx(70.0)
    score = _row(out, "grunnskolepoeng", "1001", 2023)
    assert score["value"] == pytest.approx(41.5)
    assert score["numerator"] is None


def test_years_limit_the_result() -> None:
    obs = _obs([_acc("1001", y, f, 1.0) for y in (2022, 2023) for f in ("202", "213")])
    pop = _pop([("1001", y, "total", 10.0) for y in (2023, 2024)])
    out = evaluate(obs, pop, _catalog(), years=[2023])
    assert out["year"].unique().to_list() == [2023]


# A minimal harmoniser with the agreed interface: (from region, year) -> (to region, weight).
_MAP = {
    # two municipalities merged into 2001 in 2020
    ("1001", 2019): [("2001", 1.0)],
    ("1002", 2019): [("2001", 1.0)],
    # 1003 split 60/40 into 2003 and 2004
    ("1003", 2019): [("2003", 0.6), ("2004", 0.4)],
    # renumbered
    ("1005", 2019): [("2005", 1.0)],
}


def fake_harmonise(
    frame: pl.DataFrame, to_year: int, *, sum_columns: Sequence[str], **_: object
) -> pl.DataFrame:
    rows = [(r, y, t, w) for (r, y), targets in _MAP.items() for t, w in targets]
    mapping = pl.DataFrame(
        rows,
        schema={"region": pl.Utf8, "year": pl.Int32, "_to": pl.Utf8, "_w": pl.Float64},
        orient="row",
    )
    keys = [c for c in frame.columns if c not in sum_columns and c != "region"]
    joined = frame.join(mapping, on=["region", "year"], how="left").with_columns(
        pl.coalesce("_to", "region").alias("_to"), pl.col("_w").fill_null(1.0)
    )
    counts = mapping.group_by("_to", "year").agg(
        ((pl.len() > 1) | (pl.col("_w") < 1).any()).alias("series_break")
    )
    out = (
        joined.group_by([*keys, "_to"])
        .agg([(pl.col(c) * pl.col("_w")).sum() for c in sum_columns])
        .rename({"_to": "region"})
    )
    return out.join(
        counts.rename({"_to": "region"}), on=["region", "year"], how="left"
    ).with_columns(pl.col("series_break").fill_null(False))


def test_harmonise_merger_sums_and_recomputes_ratios() -> None:
    obs = _obs(
        [
            _acc("1001", 2019, "202", 100.0),
            _acc("1001", 2019, "213", 0.0),
            _acc("1002", 2019, "202", 300.0),
            _acc("1002", 2019, "213", 0.0),
            ("12255", "Andel", "1001", 2019, "", 10.0, None),
            ("12255", "Andel", "1002", 2019, "", 20.0, None),
            ("12255", "Poeng", "1001", 2019, "", 40.0, None),
            ("12255", "Poeng", "1002", 2019, "", 42.0, None),
        ]
    )
    pop = _pop(
        [
            ("1001", 2019, "6-15", 10.0),
            ("1002", 2019, "6-15", 30.0),
            ("1001", 2019, "total", 100.0),
            ("1002", 2019, "total", 300.0),
            ("2001", 2020, "total", 400.0),
        ]
    )
    out = evaluate(obs, pop, _catalog(), borders=2024, harmonise=fake_harmonise)
    per_capita = _row(out, "ndu_skole_per_innb", "2001", 2019)
    assert per_capita["numerator"] == pytest.approx(400_000.0)
    assert per_capita["value"] == pytest.approx(1000.0)
    assert per_capita["series_break"] is True
    # weighted by 6-15 population on 1 January 2019 (offset 0): (10·10 + 20·30) / 40
    assert _row(out, "andel_spes", "2001", 2019)["value"] == pytest.approx(17.5)
    ready = _row(out, "grunnskolepoeng", "2001", 2019)
    assert ready["value"] is None
    assert ready["status"] == "."


def test_harmonise_split_keeps_ratios_and_splits_amounts() -> None:
    obs = _obs(
        [
            _acc("1003", 2019, "202", 100.0),
            _acc("1003", 2019, "213", 0.0),
            ("12255", "Poeng", "1003", 2019, "", 40.0, None),
        ]
    )
    pop = _pop(
        [
            ("1003", 2019, "total", 100.0),
            ("2003", 2020, "total", 50.0),
            ("2004", 2020, "total", 50.0),
        ]
    )
    out = evaluate(obs, pop, _catalog(), borders=2024, harmonise=fake_harmonise)
    part = _row(out, "ndu_skole_per_innb", "2003", 2019)
    assert part["numerator"] == pytest.approx(60_000.0)
    assert part["value"] == pytest.approx(1200.0)
    assert part["series_break"] is True
    assert _row(out, "grunnskolepoeng", "2004", 2019)["value"] == pytest.approx(40.0)


@settings(max_examples=30, deadline=None)
@given(
    amount=st.floats(min_value=0, max_value=1e6),
    share=st.floats(min_value=0, max_value=100),
    score=st.floats(min_value=0, max_value=60),
    people=st.floats(min_value=1, max_value=1e5),
)
def test_unchanged_regions_give_the_same_result_harmonised_or_not(
    amount: float, share: float, score: float, people: float
) -> None:
    rows = []
    pop_rows = []
    for region in ("1005", "2005", "1001", "1002", "1009"):
        rows += [
            _acc(region, 2019, "202", amount),
            _acc(region, 2019, "213", amount / 2),
            ("12255", "Andel", region, 2019, "", share, None),
            ("12255", "Poeng", region, 2019, "", score, None),
            ("12255", "Elever", region, 2019, "", people / 10, None),
        ]
        pop_rows += [(region, 2019, "6-15", people / 8), (region, 2020, "total", people)]
    obs = _obs(rows)
    pop = _pop(pop_rows)
    keys = ["indicator_id", "region", "year"]
    plain = evaluate(obs, pop, _catalog()).filter(pl.col("region") == "1009").sort(keys)
    moved = evaluate(obs, pop, _catalog(), borders=2024, harmonise=fake_harmonise)
    moved = moved.filter(pl.col("region") == "1009").sort(keys)
    assert plain.equals(moved)


def test_real_harmonisation_across_the_2020_and_2024_reforms() -> None:
    rows: list[Obs] = []
    pop_rows = []
    for region, amount in (("0219", 10.0), ("0226", 1.0), ("0227", 2.0), ("0231", 3.0)):
        rows += [_acc(region, 2019, "202", amount), _acc(region, 2019, "213", 0.0)]
        rows += [("12255", "Poeng", region, 2019, "", 40.0, None)]
        pop_rows += [(region, 2019, "total", 100.0), (region, 2019, "6-15", 10.0)]
    rows += [_acc("0301", 2019, "202", 7.0), _acc("0301", 2019, "213", 1.0)]
    rows += [_acc("3024", 2023, "202", 20.0), _acc("3024", 2023, "213", 0.0)]
    pop_rows += [("0301", 2019, "total", 50.0), ("0301", 2020, "total", 80.0)]
    pop_rows += [("3024", 2023, "total", 100.0), ("3201", 2024, "total", 200.0)]
    pop_rows += [("3024", 2020, "total", 1.0), ("3030", 2020, "total", 600.0)]
    obs, pop = _obs(rows), _pop(pop_rows)
    out = evaluate(obs, pop, _catalog(), borders=2024)
    merged = _row(out, "ndu_skole_per_innb", "3205", 2019)
    assert merged["numerator"] == pytest.approx(6000.0)
    assert merged["denominator"] == pytest.approx(600.0)
    assert merged["series_break"] is True
    assert _row(out, "grunnskolepoeng", "3205", 2019)["value"] is None
    renumbered = _row(out, "ndu_skole_per_innb", "3201", 2023)
    assert renumbered["value"] == pytest.approx(100.0)
    assert renumbered["series_break"] is False
    assert _row(out, "grunnskolepoeng", "3201", 2019)["value"] == pytest.approx(40.0)
    keys = ["indicator_id", "region", "year"]
    plain = evaluate(obs, pop, _catalog()).filter(pl.col("region") == "0301").sort(keys)
    moved = out.filter(pl.col("region") == "0301").sort(keys)
    assert plain.equals(moved)
    assert _row(out, "ndu_skole_per_innb", "0301", 2019)["value"] == pytest.approx(100.0)
    assert _row(out, "ndu_per_elev", "0301", 2019)["status"] == ".."


def test_own_codes_at_a_reform_use_the_population_of_their_area_next_january() -> None:
    # Accounting year 2019 on 2019 codes: Asker (0220) merged into 3025 on 1.1.2020, Bærum
    # (0219) was renumbered 3024. Accounting year 2023: Bærum 3024 became 3201 on 1.1.2024.
    # Population from the packaged data (own codes, 1 January 2019, 2020, 2023 and 2024).
    from kostra.geography import population

    obs = _obs(
        [
            _acc("0220", 2019, "202", 62_023.0),
            _acc("0220", 2019, "213", 0.0),
            _acc("0219", 2019, "202", 1_277_310.0),
            _acc("0219", 2019, "213", 0.0),
            _acc("3024", 2023, "202", 130_921.0),
            _acc("3024", 2023, "213", 130_921.0),
        ]
    )
    pop = population([2019, 2020, 2023, 2024])
    out = evaluate(obs, pop, _catalog())
    # 3024 on 1.1.2020 had 127 731 inhabitants: 1 277 310 000 kr / 127 731 = 10 000 kr.
    bærum = _row(out, "ndu_skole_per_innb", "0219", 2019)
    assert bærum["denominator"] == pytest.approx(127_731.0)
    assert bærum["value"] == pytest.approx(10_000.0)
    # 3201 on 1.1.2024: 130 921 inhabitants; 2 × 130 921 000 kr / 130 921 = 2 000 kr.
    later = _row(out, "ndu_skole_per_innb", "3024", 2023)
    assert later["denominator"] == pytest.approx(130_921.0)
    assert later["value"] == pytest.approx(2_000.0)
    # Asker's share of 3025 (94 441 on 1.1.2020) by its 2019 share 61 523 / 93 679.
    asker = _row(out, "ndu_skole_per_innb", "0220", 2019)
    assert asker["denominator"] == pytest.approx(94_441 * 61_523 / 93_679)
    assert asker["value"] == pytest.approx(62_023_000.0 / (94_441 * 61_523 / 93_679))
    assert asker["status"] is None


def test_country_and_county_per_inhabitant_on_the_sample() -> None:
    # EAK per inhabitant = Σ numerators / Σ population over the municipalities, for every
    # formula indicator with a population denominator, on each year's own codes.
    from kostra.catalog import load_catalog
    from kostra.geography import population
    from kostra.sample import sample_observations

    catalog = load_catalog()
    per_inhabitant = [
        ind
        for ind in catalog.indicators
        if ind.formula is not None
        and isinstance(ind.formula.denominator, PopulationRef)
        and ind.formula.denominator.age_group == "total"
    ]
    assert len(per_inhabitant) >= 10
    years = [2019, 2023]
    tables = sorted({ref.table_id for ind in per_inhabitant for ref in ind.formula.numerator})  # type: ignore[union-attr]
    obs = sample_observations(tables).filter(pl.col("year").is_in(years))
    pop = population([2019, 2020, 2023, 2024], age_group="total")
    out = evaluate(obs, pop, per_inhabitant, years=years)
    municipal = out.filter(pl.col("region").str.contains(r"^\d{4}$"))
    checked = 0
    for ind in per_inhabitant:
        for year in years:
            country = _row(out, ind.id, "EAK", year)
            rows = municipal.filter((pl.col("indicator_id") == ind.id) & (pl.col("year") == year))
            if rows["value"].null_count() or country["value"] is None:
                continue
            assert country["denominator"] == pytest.approx(rows["denominator"].sum(), rel=1e-9)
            assert country["value"] == pytest.approx(
                rows["numerator"].sum() / rows["denominator"].sum(), rel=1e-6
            )
            checked += 1
    assert checked >= 10
    # Every per-inhabitant figure of the country and the counties has a value in 2019 and 2023.
    aggregates = out.filter(pl.col("region").str.contains(r"^EA|^EKA"))
    assert aggregates.height > 0
    assert aggregates["denominator"].null_count() == 0


def test_aggregates_on_2024_borders_keep_their_own_year_and_area() -> None:
    # Viken (EKA30) ended on 1.1.2024: its 2023 denominator is its area's population that day,
    # 1 310 774 (the 2023 Viken municipalities under their 2024 codes); the country had
    # 5 550 203. Municipal rows are harmonised to 2024 as before.
    from kostra.geography import population

    obs = _obs(
        [
            _acc("EKA30", 2023, "202", 1_310_774.0),
            _acc("EKA30", 2023, "213", 0.0),
            _acc("EAK", 2023, "202", 5_550_203.0),
            _acc("EAK", 2023, "213", 5_550_203.0),
        ]
    )
    out = evaluate(obs, population([2023, 2024]), _catalog(), borders=2024)
    viken = _row(out, "ndu_skole_per_innb", "EKA30", 2023)
    assert viken["denominator"] == pytest.approx(1_310_774.0)
    assert viken["value"] == pytest.approx(1_000.0)
    country = _row(out, "ndu_skole_per_innb", "EAK", 2023)
    assert country["denominator"] == pytest.approx(5_550_203.0)
    assert country["value"] == pytest.approx(2_000.0)


def test_aggregate_rows_given_in_a_made_up_frame_are_used_as_they_are() -> None:
    obs = _obs([_acc("EAK", 2023, "202", 100.0), _acc("EAK", 2023, "213", 50.0)])
    pop = _pop([("EAK", 2024, "total", 300.0)])
    row = _row(evaluate(obs, pop, _catalog()), "ndu_skole_per_innb", "EAK", 2023)
    assert row["denominator"] == pytest.approx(300.0)
    assert row["value"] == pytest.approx(500.0)


def test_borders_of_a_reform_year_use_the_next_january_of_their_own_area() -> None:
    # On the borders of 2019 the 2020 counts of merged units cannot be taken apart: accounting
    # year 2019 gets 1 January 2020 of its own area, the same as on its own codes (Asker's share
    # of 3025, 94 441 × 61 523 / 93 679), instead of failing.
    from kostra.geography import population

    obs = _obs([_acc("0220", 2019, "202", 62_023.0), _acc("0220", 2019, "213", 0.0)])
    pop = population([2019, 2020])
    on_2019 = _row(evaluate(obs, pop, _catalog(), borders=2019), "ndu_skole_per_innb", "0220", 2019)
    own = _row(evaluate(obs, pop, _catalog()), "ndu_skole_per_innb", "0220", 2019)
    assert on_2019["denominator"] == pytest.approx(94_441 * 61_523 / 93_679)
    assert on_2019["value"] == pytest.approx(own["value"])


def test_estimated_denominator_flags_the_predecessors_of_a_merger() -> None:
    # Accounting year 2019 without ``borders``: Asker 0220, Røyken 0627 and Hurum 0628 merged
    # into 3025 on 1.1.2020, so their inhabitants then are shares of 3025 (estimated); Bærum
    # 0219 was only renumbered (3024), an exact count. Series denominators are never estimated.
    from kostra.geography import accounting_year_population, population

    predecessors = ("0220", "0627", "0628")
    rows: list[Obs] = []
    for code in (*predecessors, "0219"):
        rows += [_acc(code, 2019, "202", 50_000.0), _acc(code, 2019, "213", 0.0)]
        rows += [("12255", "Elever", code, 2019, "", 5_000.0, None)]
    pop = population([2019, 2020])
    out = evaluate(_obs(rows), pop, _catalog())
    assert out.schema["estimated_denominator"] == pl.Boolean
    assert out["estimated_denominator"].null_count() == 0
    shares = accounting_year_population(pop, [2019]).filter(pl.col("age_group") == "total")
    for code in predecessors:
        row = _row(out, "ndu_skole_per_innb", code, 2019)
        assert row["estimated_denominator"] is True
        expected = shares.filter(pl.col("region") == code)
        assert expected["estimated"].to_list() == [True]
        assert row["denominator"] == pytest.approx(expected["population"][0])
        assert _row(out, "ndu_per_elev", code, 2019)["estimated_denominator"] is False
    assert _row(out, "ndu_skole_per_innb", "0219", 2019)["estimated_denominator"] is False


def test_estimated_denominator_is_false_without_a_denominator() -> None:
    # A null figure has no denominator to flag, even where the population is estimated.
    from kostra.geography import population

    obs = _obs([_acc("0220", 2019, "202", None, ":"), _acc("0220", 2019, "213", 0.0)])
    out = evaluate(obs, population([2019, 2020]), _catalog())
    asker = _row(out, "ndu_skole_per_innb", "0220", 2019)
    assert asker["value"] is None
    assert asker["denominator"] is None
    assert asker["estimated_denominator"] is False
