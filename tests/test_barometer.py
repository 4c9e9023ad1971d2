"""Kommunebarometer ranking: hand-computed grades, the 60 % rule, weights, ties, explanations."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest

from kostra.analysis.barometer import (
    TOTAL,
    BarometerConfig,
    BarometerItem,
    ResamplingParams,
    ScoringParams,
    SectorInfo,
    explain,
    kostnadsniva_items,
    load_config,
    rank_changes,
    rank_intervals,
    rank_municipalities,
    ranking_table,
)
from kostra.catalog.models import BarometerSector

GS = BarometerSector.GRUNNSKOLE
BH = BarometerSector.BARNEHAGE
PLAIN = ScoringParams(trim=0.0, tail=0.2, min_regions=1)
CONFIG = BarometerConfig(
    sectors=(
        SectorInfo(GS, 0.75, "Grunnskole", "School"),
        SectorInfo(BH, 0.25, "Barnehage", "Kindergarten"),
    )
)


def item(
    indicator_id: str,
    sector: BarometerSector = GS,
    weight: float = 1.0,
    direction: str = "higher_better",
    name: str = "Andel ansatte med fagutdanning",
    name_en: str = "Share of staff with professional training",
) -> BarometerItem:
    return BarometerItem(indicator_id, sector, weight, direction, name, name_en)  # type: ignore[arg-type]


def frame(rows: dict[str, Sequence[float | None]], year: int = 2024) -> pl.DataFrame:
    """``{"indicator": [value per municipality 0101, 0102, ...]}`` as an indicator-value frame."""
    records = [
        (indicator_id, f"{101 + k:04d}", year, value)
        for indicator_id, values in rows.items()
        for k, value in enumerate(values)
    ]
    return pl.DataFrame(
        records,
        schema={"indicator_id": pl.Utf8, "region": pl.Utf8, "year": pl.Int32, "value": pl.Float64},
        orient="row",
    )


def scores(result_frame: pl.DataFrame, indicator_id: str) -> list[float]:
    return (
        result_frame.filter(pl.col("indicator_id") == indicator_id)
        .sort("region")
        .get_column("score")
        .to_list()
    )


# --------------------------------------------------------------------------- grading

ONE_TO_TEN = [float(v) for v in range(1, 11)]
SKEWED = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 30.0]


def test_current_method_by_hand() -> None:
    # μ = 5.5; tail 20 % of 10 = 2: worst = (1+2)/2 = 1.5, best = (9+10)/2 = 9.5.
    result = rank_municipalities(frame({"a": ONE_TO_TEN}), [item("a")], params=PLAIN, config=CONFIG)
    cut = result.cutoffs.row(0, named=True)
    assert (cut["mean"], cut["best"], cut["worst"], cut["n"]) == (5.5, 9.5, 1.5, 10)
    got = scores(result.indicators, "a")
    # x=1: 3.5 − 2.5·4.5/4 = 0.6875 → clipped to 1; x=3: 3.5 − 2.5·2.5/4 = 1.9375;
    # x=7: 3.5 + 2.5·1.5/4 = 4.4375; x=10: 3.5 + 2.5·4.5/4 = 6.3125 → clipped to 6.
    assert got[0] == 1.0
    assert got[2] == pytest.approx(1.9375)
    assert got[6] == pytest.approx(4.4375)
    assert got[9] == 6.0


def test_current_method_uses_the_mean_not_the_midpoint() -> None:
    # Skewed: μ = 7.5, worst = 1.5, best = (9+30)/2 = 19.5.
    result = rank_municipalities(frame({"a": SKEWED}), [item("a")], params=PLAIN, config=CONFIG)
    got = scores(result.indicators, "a")
    assert got[4] == pytest.approx(3.5 - 2.5 * 2.5 / 6.0)  # x = 5
    assert got[8] == pytest.approx(3.5 + 2.5 * 1.5 / 12.0)  # x = 9


def test_pre2019_method_by_hand() -> None:
    params = ScoringParams(method="pre2019", trim=0.0, tail=0.2, min_regions=1)
    result = rank_municipalities(frame({"a": SKEWED}), [item("a")], params=params, config=CONFIG)
    got = scores(result.indicators, "a")
    assert got[4] == pytest.approx(1 + 5 * (5 - 1.5) / 18.0)  # 1.9722
    assert got[8] == pytest.approx(1 + 5 * (9 - 1.5) / 18.0)  # 3.0833
    assert got[0] == 1.0  # 1 + 5·(−0.5)/18 < 1, clipped
    assert got[9] == 6.0


def test_lower_is_better_is_mirrored() -> None:
    values = frame({"up": ONE_TO_TEN, "down": [11.0 - v for v in ONE_TO_TEN]})
    items = [item("up"), item("down", direction="lower_better")]
    result = rank_municipalities(values, items, params=PLAIN, config=CONFIG)
    assert scores(result.indicators, "down") == pytest.approx(scores(result.indicators, "up"))
    cut = result.cutoffs.filter(pl.col("indicator_id") == "down").row(0, named=True)
    assert (cut["best"], cut["worst"]) == (1.5, 9.5)  # in the indicator's own units


def test_trimming_keeps_an_outlier_from_setting_the_cutoff() -> None:
    # trim 10 % of 10 = 1 at each end: cut-offs from 2..9; tail round(0.2·8) = 2.
    params = ScoringParams(trim=0.1, tail=0.2, min_regions=1)
    result = rank_municipalities(frame({"a": SKEWED}), [item("a")], params=params, config=CONFIG)
    cut = result.cutoffs.row(0, named=True)
    assert (cut["worst"], cut["best"], cut["mean"]) == (2.5, 8.5, 7.5)
    got = scores(result.indicators, "a")
    assert got[7] == pytest.approx(3.5 + 2.5 * 0.5 / 1.0)  # x = 8
    assert got[9] == 6.0


def test_quantile_cutoffs_match_numpy() -> None:
    params = ScoringParams(cutoff="quantile", trim=0.0, tail=0.2, min_regions=1)
    result = rank_municipalities(frame({"a": SKEWED}), [item("a")], params=params, config=CONFIG)
    cut = result.cutoffs.row(0, named=True)
    assert cut["worst"] == pytest.approx(np.quantile(SKEWED, 0.2))
    assert cut["best"] == pytest.approx(np.quantile(SKEWED, 0.8))


def test_population_weighted_mean() -> None:
    values = frame({"a": [0.0, 10.0, 20.0, 30.0]})
    population = pl.DataFrame(
        {"region": ["0101", "0102", "0103", "0104"], "year": [2024] * 4, "population": [3, 1, 0, 0]}
    )
    params = ScoringParams(mean="population", trim=0.0, tail=0.25, min_regions=1)
    result = rank_municipalities(
        values, [item("a")], params=params, config=CONFIG, population=population
    )
    assert result.cutoffs.item(0, "mean") == pytest.approx(2.5)  # (3·0 + 1·10) / 4
    partial = population.filter(pl.col("region") != "0101")
    result = rank_municipalities(
        values, [item("a")], params=params, config=CONFIG, population=partial
    )
    assert result.cutoffs.item(0, "mean") == pytest.approx(10.0)  # 0101 has no population


def test_constant_indicator_grades_everyone_35() -> None:
    result = rank_municipalities(frame({"a": [4.0] * 5}), [item("a")], params=PLAIN, config=CONFIG)
    assert scores(result.indicators, "a") == [3.5] * 5


def test_too_few_municipalities_are_not_graded() -> None:
    params = ScoringParams(min_regions=5, trim=0.0)
    values = frame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [1.0, 2.0, None, None, None]})
    result = rank_municipalities(values, [item("a"), item("b")], params=params, config=CONFIG)
    assert result.indicators.filter(pl.col("indicator_id") == "b")["score"].null_count() == 2
    # "b" is not part of the year's indicator set, so it does not lower anyone's coverage.
    assert (
        result.sectors.filter(pl.col("sector") == "grunnskole")["coverage"].to_list() == [1.0] * 5
    )


def test_aggregates_and_missing_values_are_ignored() -> None:
    values = pl.concat(
        [
            frame({"a": ONE_TO_TEN}),
            pl.DataFrame(
                {"indicator_id": ["a", "a"], "region": ["EAK", "0199"], "year": [2024, 2024]},
                schema={"indicator_id": pl.Utf8, "region": pl.Utf8, "year": pl.Int32},
            ).with_columns(pl.Series("value", [99.0, None], dtype=pl.Float64)),
        ]
    )
    result = rank_municipalities(values, [item("a")], params=PLAIN, config=CONFIG)
    assert result.cutoffs.item(0, "n") == 10
    assert "EAK" not in result.indicators["region"].to_list()
    assert "0199" not in result.sectors["region"].to_list()


# --------------------------------------------------------------------------- sectors, total


def test_sixty_percent_rule_and_renormalised_weights() -> None:
    # Sector weights 2 + 1 + 1 = 4. 0101 has only "a" (50 %): not ranked. 0102 has "a" and
    # "b" (75 %): ranked with score (2·g_a + g_b) / 3.
    values = frame(
        {
            "a": [1.0, 2.0, 3.0, 4.0, 5.0],
            "b": [None, 5.0, 4.0, 3.0, 2.0],
            "c": [None, None, 1.0, 2.0, 3.0],
        }
    )
    items = [item("a", weight=2.0), item("b"), item("c")]
    result = rank_municipalities(values, items, params=PLAIN, config=CONFIG)
    sector = result.sectors.filter(pl.col("sector") == "grunnskole").sort("region")
    first, second = sector.row(0, named=True), sector.row(1, named=True)
    assert first["coverage"] == 0.5
    assert not first["ranked"]
    assert first["rank"] is None
    assert second["coverage"] == 0.75
    g = result.indicators.filter(pl.col("region") == "0102").sort("indicator_id")
    g_a, g_b = g.get_column("score").to_list()
    assert second["score"] == pytest.approx((2 * g_a + g_b) / 3)
    assert second["ranked"]
    assert sector.get_column("n_ranked").unique().to_list() == [4]


def test_exactly_sixty_percent_is_enough() -> None:
    values = frame({"a": [1.0, 2.0, 3.0], "b": [None, 1.0, 2.0], "c": [1.0, 2.0, 3.0]})
    items = [item("a", weight=3.0), item("b", weight=2.0), item("c", weight=0.0 + 5.0)]
    values = values.filter(~((pl.col("indicator_id") == "c") & (pl.col("region") == "0101")))
    result = rank_municipalities(values, items, params=PLAIN, config=CONFIG)
    row = result.sectors.filter((pl.col("region") == "0101") & (pl.col("sector") == "grunnskole"))
    assert row.item(0, "coverage") == pytest.approx(0.3)
    assert not row.item(0, "ranked")
    values2 = frame({"a": [1.0, 2.0, 3.0], "b": [None, 1.0, 2.0]})
    result2 = rank_municipalities(
        values2, [item("a", weight=3.0), item("b", weight=2.0)], params=PLAIN, config=CONFIG
    )
    row2 = result2.sectors.filter((pl.col("region") == "0101") & (pl.col("sector") == "grunnskole"))
    assert row2.item(0, "coverage") == pytest.approx(0.6)
    assert row2.item(0, "ranked")


def test_ties_share_the_best_place_and_the_next_place_skips() -> None:
    result = rank_municipalities(
        frame({"a": [4.0, 3.0, 3.0, 1.0, 0.0]}), [item("a")], params=PLAIN, config=CONFIG
    )
    table = ranking_table(result, year=2024, sector="grunnskole").sort("region")
    assert table.get_column("rank").to_list() == [1, 2, 2, 4, 5]


def test_total_is_weighted_over_ranked_sectors() -> None:
    values = frame({"a": [1.0, 2.0, 3.0, 5.0], "k": [4.0, 1.0, None, 2.0]})
    items = [item("a"), item("k", sector=BH)]
    result = rank_municipalities(values, items, params=PLAIN, config=CONFIG)
    sectors = result.sectors.pivot(on="sector", index="region", values="score").sort("region")
    total = result.total.sort("region")
    expected = 0.75 * sectors["grunnskole"] + 0.25 * sectors["barnehage"]
    assert total["score"][0] == pytest.approx(expected[0])
    # 0103 has no barnehage: the total is its grunnskole score (75 % of the weight ≥ 60 %).
    assert total["score"][2] == pytest.approx(sectors["grunnskole"][2])
    assert total["coverage"][2] == pytest.approx(0.75)
    assert total["rank"].sort().to_list() == [1, 2, 3, 4]
    assert not total["income_adjusted"].any()


def test_income_adjustment_ranks_residual_plus_mean() -> None:
    values = frame({"a": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0]})
    income = pl.DataFrame(
        {
            "region": [f"{101 + k:04d}" for k in range(6)],
            "year": [2024] * 6,
            "income": [10.0, 20.0, 30.0, 40.0, 50.0, 30.0],
        }
    )
    result = rank_municipalities(values, [item("a")], params=PLAIN, config=CONFIG, income=income)
    total = result.total.sort("region")
    x = income["income"].to_numpy()
    y = total["score"].to_numpy()
    slope, intercept = np.polyfit(x, y, 1)
    expected = y - (intercept + slope * x) + y.mean()
    assert total["score_income_adjusted"].to_numpy() == pytest.approx(expected)
    assert total["income_adjusted"].all()
    rounded = np.round(expected, 3)
    ranks = [1 + int((rounded > r).sum()) for r in rounded]
    assert total["rank_income_adjusted"].to_list() == ranks
    # 0106 has a middling income and the top score: first after adjustment too.
    assert ranks[5] == 1


def test_all_years_are_ranked_independently() -> None:
    values = pl.concat(
        [frame({"a": ONE_TO_TEN}, year=2023), frame({"a": ONE_TO_TEN[::-1]}, year=2024)]
    )
    result = rank_municipalities(values, [item("a")], params=PLAIN, config=CONFIG)
    best = result.total.filter(pl.col("rank") == 1).sort("year")
    assert best.get_column("region").to_list() == ["0110", "0101"]


def test_default_config_has_the_published_weights() -> None:
    config = load_config()
    weights = {s.id.value: s.weight for s in config.sectors}
    assert len(weights) == 12
    assert math.isclose(sum(weights.values()), 1.0)
    assert weights["grunnskole"] == 0.20
    assert weights["kostnadsniva"] == 0.05
    assert config.income_source == ("12134", "KOSAG110000")
    kost = kostnadsniva_items(config)
    assert {i.direction for i in kost} == {"lower_better"}
    assert all(i.sector == BarometerSector.KOSTNADSNIVA for i in kost)


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="method"):
        ScoringParams(method="later")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tail"):
        ScoringParams(tail=0.0)
    assert "3,5 = landsgjennomsnittet" in ScoringParams().describe("nb")
    assert "10%" in ScoringParams().describe("en")  # CLDR's percent pattern of each language
    assert "10\u00a0%" in ScoringParams().describe("nb")


# --------------------------------------------------------------------------- explanations


def test_explain_contributions_sum_to_the_score_and_sentences_follow_direction() -> None:
    values = frame(
        {
            "staff": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "cost": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "size": [6.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        }
    )
    items = [
        item("staff", weight=2.0),
        item(
            "cost",
            direction="lower_better",
            name="Netto driftsutgifter per elev",
            name_en="Net operating expenditure per pupil",
        ),
        item("size", name="NDU per innbygger", name_en="NOE per inhabitant"),
    ]
    result = rank_municipalities(values, items, params=PLAIN, config=CONFIG)
    e = explain(result, "0102", "grunnskole", year=2024)
    rows = e.contributions
    assert rows["contribution"].sum() == pytest.approx(e.score)
    assert rows["weight_share"].sum() == pytest.approx(1.0)
    staff = rows.filter(pl.col("indicator_id") == "staff").row(0, named=True)
    assert staff["weight_share"] == pytest.approx(0.5)
    assert staff["potential_gain"] == pytest.approx(0.5 * (6 - staff["score"]))
    assert staff["sentence"] == "Lav andel ansatte med fagutdanning trekker ned"
    assert e.movers[0] == "staff"  # largest weight × distance to 6
    downs = [s for s in e.sentences if s.endswith("trekker ned")]
    assert e.sentences[: len(downs)] == tuple(downs)  # what pulls down comes first
    assert e.sentences[0] == "Lav andel ansatte med fagutdanning trekker ned"
    by_id = {r["indicator_id"]: r["sentence"] for r in rows.iter_rows(named=True)}
    assert by_id["cost"] == "Lave netto driftsutgifter per elev trekker opp"  # plural agrees
    assert by_id["size"] == "Høy NDU per innbygger trekker opp"  # acronym keeps its case
    assert e.gap_to_best == pytest.approx(e.sector_best_score - e.score)  # type: ignore[operator]
    english = explain(result, "0102", "grunnskole", year=2024, lang="en")
    assert "Low share of staff with professional training pulls down" in english.sentences
    assert e.place("nb").startswith(f"plass {e.rank} av 6")


def test_explain_total_lists_sectors() -> None:
    values = frame({"a": [1.0, 2.0, 3.0, 4.0], "k": [4.0, 1.0, 2.0, 3.0]})
    result = rank_municipalities(
        values, [item("a"), item("k", sector=BH)], params=PLAIN, config=CONFIG
    )
    e = explain(result, "0101", TOTAL)
    assert set(e.contributions["indicator_id"]) == {"grunnskole", "barnehage"}
    assert e.contributions["contribution"].sum() == pytest.approx(e.score)
    assert any(s == "Grunnskole trekker ned" for s in e.sentences)


# --------------------------------------------------------------------------- uncertainty


def _random_values(n_regions: int = 40, seed: int = 3) -> tuple[pl.DataFrame, list[BarometerItem]]:
    rng = np.random.default_rng(seed)
    items = [item(f"g{j}", weight=1.0 + j % 3) for j in range(5)]
    items += [item(f"b{j}", sector=BH, direction="lower_better") for j in range(4)]
    data = {i.indicator_id: rng.normal(10, 3, n_regions).tolist() for i in items}
    return frame(data), items


def test_rank_intervals_collapse_without_perturbation() -> None:
    values, items = _random_values()
    params = ScoringParams(min_regions=1)
    fixed = ResamplingParams(
        n_resamples=20,
        weight_concentration=1e12,
        sector_concentration=1e12,
        trim_range=(params.trim, params.trim),
        tail_range=(params.tail, params.tail),
        chunk=7,
    )
    out = rank_intervals(values, items, year=2024, params=params, resampling=fixed, config=CONFIG)
    ranked = out.filter(pl.col("rank").is_not_null())
    assert ranked.height == 40 * 3
    assert (ranked["rank_low"] == ranked["rank"]).all()
    assert (ranked["rank_high"] == ranked["rank"]).all()
    assert ranked.filter(pl.col("rank") == 3)["interval"].to_list()[0] == "3 (3–3)"


def test_rank_intervals_widen_with_resampling_and_noise() -> None:
    values, items = _random_values()
    population = pl.DataFrame(
        {
            "region": [f"{101 + k:04d}" for k in range(40)],
            "year": [2024] * 40,
            "population": [1000.0 if k % 2 else 50000.0 for k in range(40)],
        }
    )
    base = rank_intervals(
        values,
        items,
        year=2024,
        resampling=ResamplingParams(n_resamples=200, chunk=64),
        config=CONFIG,
        population=population,
    )
    assert (base["rank_low"] <= base["rank"]).all()
    assert (base["rank"] <= base["rank_high"]).all()
    assert base.filter(pl.col("region") == "0102")["small"].all()
    assert not base.filter(pl.col("region") == "0101")["small"].any()
    noise = values.select("indicator_id", "region", pl.lit(5.0).alias("se"))
    noisy = rank_intervals(
        values,
        items,
        year=2024,
        resampling=ResamplingParams(n_resamples=200, chunk=64),
        config=CONFIG,
        noise=noise,
    )
    width = (pl.col("rank_high") - pl.col("rank_low")).mean()
    assert noisy.select(width).item() > base.select(width).item()
    assert noisy["wide"].any()
    assert (noisy["volatile"] == (noisy["wide"] | noisy["small"].fill_null(False))).all()
    again = rank_intervals(
        values,
        items,
        year=2024,
        resampling=ResamplingParams(n_resamples=200, chunk=64),
        config=CONFIG,
        population=population,
    )
    assert again.equals(base)  # seeded


def test_explain_carries_the_interval() -> None:
    values, items = _random_values()
    result = rank_municipalities(values, items, config=CONFIG)
    intervals = rank_intervals(
        values, items, year=2024, resampling=ResamplingParams(n_resamples=50), config=CONFIG
    )
    e = explain(result, "0105", "grunnskole", intervals=intervals)
    assert e.interval is not None
    low, high = e.interval
    assert low <= (e.rank or 0) <= high
    assert e.place("en") == f"place {e.rank} of {e.n_ranked} ({low}–{high})"


# --------------------------------------------------------------------------- year over year


def test_rank_changes_with_merger_split_and_renumbering() -> None:
    ranks = pl.DataFrame(
        {
            "region": ["0219", "0220", "0301", "3024", "3025", "0301"],
            "year": [2019, 2019, 2019, 2020, 2020, 2020],
            "sector": ["grunnskole"] * 6,
            "rank": [5, 7, 9, 3, 1, 4],
        }
    )
    predecessors = pl.DataFrame(
        {
            "region": ["3024", "3025", "3025"],
            "year": [2020, 2020, 2020],
            "previous_region": ["0219", "0220", "0221"],
        }
    )
    out = rank_changes(ranks, predecessors=predecessors).filter(pl.col("year") == 2020)
    rows = {r["region"]: r for r in out.iter_rows(named=True)}
    assert rows["3024"]["previous_rank"] == 5  # renumbering: joined, no break
    assert rows["3024"]["change"] == 2
    assert not rows["3024"]["series_break"]
    assert rows["3025"]["previous_rank"] is None  # merger of 0220 and 0221
    assert rows["3025"]["series_break"]
    assert rows["0301"]["change"] == 5
    breaks = pl.DataFrame({"region": ["0301"], "year": [2020], "series_break": [True]})
    flagged = rank_changes(ranks, series_breaks=breaks).filter(pl.col("region") == "0301")
    assert flagged.filter(pl.col("year") == 2020)["series_break"].all()


def test_rank_changes_from_a_result() -> None:
    values = pl.concat(
        [frame({"a": ONE_TO_TEN}, year=2023), frame({"a": ONE_TO_TEN[::-1]}, year=2024)]
    )
    result = rank_municipalities(values, [item("a")], params=PLAIN, config=CONFIG)
    out = rank_changes(result).filter((pl.col("year") == 2024) & (pl.col("sector") == TOTAL))
    first = out.filter(pl.col("region") == "0101").row(0, named=True)
    assert (first["rank"], first["previous_rank"], first["change"]) == (1, 10, 9)


# --------------------------------------------------------------------------- kostnadsnivå


def test_need_correct_divides_kostnadsniva_by_next_years_index() -> None:
    from kostra.analysis.barometer import need_correct
    from kostra.catalog import load_catalog

    catalog = load_catalog()
    kost = next(
        i
        for i in catalog.for_barometer(BarometerSector.KOSTNADSNIVA)
        if i.sector.value == "grunnskole"
    )
    other = next(i for i in catalog.for_barometer(BarometerSector.GRUNNSKOLE))
    values = pl.DataFrame(
        {
            "indicator_id": [kost.id, kost.id, kost.id, other.id],
            "region": ["3201", "5501", "3024", "3201"],
            "year": [2024, 2025, 2023, 2024],
            "value": [20000.0, 18000.0, 19000.0, 41.5],
            "status": [None, None, None, None],
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )
    index = pl.DataFrame(
        {
            "need_year": [2025, 2026, 2025],
            "region": ["3201", "5501", "3201"],
            "sector": ["grunnskole", "grunnskole", "barnehage"],
            "need_index": [0.8, 1.2, 2.0],
        }
    )
    out = need_correct(values, catalog, index).sort("year", "region")
    got = {(r["region"], r["year"]): r for r in out.iter_rows(named=True)}
    assert got[("3201", 2024)]["value"] == pytest.approx(25000.0)  # 2024 → 2025 index
    assert got[("5501", 2025)]["value"] == pytest.approx(15000.0)  # 2025 → 2026 index
    assert got[("3024", 2023)]["value"] is None  # no index for the old code: not guessed
    assert got[("3024", 2023)]["status"] == "."
    assert out.filter(pl.col("indicator_id") == other.id)["value"].to_list() == [41.5]
    links = pl.DataFrame({"region": ["3024"], "year": [2023], "index_region": ["3201"]})
    mapped = need_correct(values, catalog, index, index_regions=links)
    old = mapped.filter(pl.col("region") == "3024")
    assert old["value"].to_list() == [pytest.approx(19000.0 / 0.8)]  # 2023 → 2024 → nearest 2025


def test_the_catalog_drives_items_kostnadsniva_and_income() -> None:
    from kostra.analysis.barometer import barometer_items, income_indicator_id
    from kostra.catalog import load_catalog

    catalog = load_catalog()
    items = barometer_items(catalog)
    assert items, "the catalog has barometer indicators"
    assert all(i.direction != "neutral" for i in items)
    assert {i.sector.value for i in items} <= {s.id.value for s in load_config().sectors}
    income_id = income_indicator_id(catalog)
    assert income_id is not None
    rng = np.random.default_rng(7)
    ids = [i.indicator_id for i in items] + [income_id]
    data = {indicator_id: rng.normal(100, 20, 30).tolist() for indicator_id in ids}
    result = rank_municipalities(frame(data), catalog)
    assert set(result.sectors["sector"].unique()) == {s.id.value for s in load_config().sectors}
    assert result.sectors["ranked"].all()
    # The kostnadsnivå sector is the catalog's, not the configuration's fallback.
    kost = result.indicators.filter(pl.col("sector") == "kostnadsniva")["indicator_id"].unique()
    assert set(kost) == {i.indicator_id for i in items if i.sector.value == "kostnadsniva"}
    assert result.total["income_adjusted"].all()
    assert income_id not in result.indicators["indicator_id"].to_list()


def test_code_history_links_for_rank_changes_and_need_index() -> None:
    from kostra.analysis.barometer import (
        breaks_on_borders,
        index_regions_from_history,
        predecessors_from_history,
    )

    links = predecessors_from_history([2020, 2024])
    baerum = links.filter((pl.col("region") == "3024") & (pl.col("year") == 2020))
    assert baerum.select("previous_region", "series_break").rows() == [("0219", False)]
    moss = links.filter((pl.col("region") == "3002") & (pl.col("year") == 2020))
    assert moss.height == 2  # Moss and Rygge merged
    assert moss["series_break"].all()
    ranks = pl.DataFrame(
        {
            "region": ["0219", "0104", "0136", "3024", "3002"],
            "year": [2019, 2019, 2019, 2020, 2020],
            "sector": [TOTAL] * 5,
            "rank": [3, 50, 60, 4, 40],
        }
    )
    changes = rank_changes(ranks, predecessors=links).filter(pl.col("year") == 2020)
    rows = {r["region"]: r for r in changes.iter_rows(named=True)}
    assert (rows["3024"]["previous_rank"], rows["3024"]["series_break"]) == (3, False)
    assert (rows["3002"]["previous_rank"], rows["3002"]["series_break"]) == (None, True)
    harmonised = breaks_on_borders([2019, 2020, 2021, 2024], 2024)
    by_year = harmonised.group_by("year").agg(pl.col("region"))
    regions = dict(zip(by_year["year"], by_year["region"], strict=True))
    assert "3201" not in regions[2020]  # Bærum was only renumbered
    assert "3103" in regions[2020]  # Moss (2024 code) = Moss + Rygge merged in 2020
    assert {"1508", "1580"} <= set(regions[2024])  # Ålesund and Haram split in 2024
    assert 2021 not in regions
    index_links = index_regions_from_history([2019, 2023], 2024)
    got = dict(
        zip(
            index_links.filter(pl.col("year") == 2019)["region"],
            index_links.filter(pl.col("year") == 2019)["index_region"],
            strict=True,
        )
    )
    assert got["0219"] == "3201"
    assert "1507" not in index_links.filter(pl.col("year") == 2023)["region"].to_list()  # split


@pytest.mark.parametrize(
    ("name", "direction", "score", "expected"),
    [
        ("Andel ansatte med fagutdanning", "higher_better", 2.0, "Lav andel"),
        ("Antall barn per årsverk", "lower_better", 2.0, "Høyt antall"),
        ("Netto driftsutgifter grunnskole per innbygger", "lower_better", 5.0, "Lave netto"),
        ("Gjennomsnittlige grunnskolepoeng", "higher_better", 5.5, "Høye gjennomsnittlige"),
        ("Sosialhjelpsmottakere per 100 innbyggere", "lower_better", 1.5, "Mange sosial"),
        ("Avtalte legeårsverk per 10 000 innbyggere", "higher_better", 1.5, "Få avtalte"),
        ("Årsgebyr for vannforsyning", "lower_better", 6.0, "Lavt årsgebyr"),
        ("Areal regulert til naturvern", "higher_better", 2.0, "Lite areal"),
        ("Gruppestørrelse 2", "lower_better", 2.0, "Høy gruppestørrelse"),
    ],
)
def test_sentences_agree_with_the_head_noun(
    name: str, direction: str, score: float, expected: str
) -> None:
    from kostra.analysis._barometer.text import sentence

    got = sentence(name, direction, score, "nb")
    assert got.startswith(expected)
    assert got.endswith("trekker ned" if score < 3.5 else "trekker opp")
    english = sentence(name, direction, score, "en")
    assert english.split()[0] in ("High", "Low")
