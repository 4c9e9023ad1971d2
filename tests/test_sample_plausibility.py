"""The packaged sample looks like real KOSTRA output, indicator by indicator.

Every key figure of the catalog is evaluated on the sample exactly as the analyses do it
(``kostra.analysis.indicators.evaluate``, 2015–2025, harmonised to 2024 borders), and checked
against bounds a finance officer would find plausible. The sample is synthetic, but its
magnitudes must not give a ranking or a report built on it away: a rebuild of the sample that
breaks one of these bounds is a regression of ``scripts/build_sample.py``.

Bounds, by the catalog's ``unit`` (documented here, tested below):

* **Range** (:data:`UNIT_RANGES`, :data:`RANGE_OVERRIDES`): shares (``prosent``, ``per 100``)
  lie in [0, 100]; everything else is non-negative, except the financial ratios of table 12134
  and the VAR net share, which have their own signed ranges (SSB's municipal figures stay inside
  them; the widest real cases are long-term debt above 200 % of revenue and interest exposure
  around ±100 %).
* **Magnitude against the country** (:data:`RELATIVE_BOUNDS`) for rates that are not shares
  (kroner, FTEs, hours, visits, m², kWh, points, children per FTE): value / national value, the
  national value being Σ numerator / Σ denominator over the municipalities (the median where an
  indicator has no weights). Large municipalities (≥ 20 000 inhabitants) stay within 0.4–2.5 ×
  the country, middle-sized (5 000–20 000) within 0.25–4 ×, small (1 000–5 000) within 0.1–8 ×
  and tiny ones (< 1 000: Utsira, Kvitsøy, Modalen, Fedje, Træna, Røst, …) within 0.05–12 × —
  the spread of real KOSTRA, where administration and political bodies per inhabitant in Utsira
  run to 8–10 × the country and a kindergarten sector of a dozen children is near nothing.
  Figures over a target group of fewer than :data:`MIN_GROUP` persons are not bounded (Utsira's
  health-centre spending over its 4 children aged 0–5 is a real KOSTRA extreme).
* **Year-to-year change relative to the country** (:data:`YOY_RATE_BOUNDS`,
  :data:`YOY_SHARE_POINTS`): what moves with the country (price growth, the pandemic) is
  allowed; what is left, i.e. the municipality's own jump, stays small for large municipalities
  (rates within −30 %…+43 %, shares within ±12 percentage points) and moderate for middle-sized
  ones (rates ½–2 ×, shares ±35 points: a sub-count of a few hundred users still moves). Small
  municipalities jump in real KOSTRA too (a single placement in barnevern doubles a cost per
  child) and are not bounded; nor are Oslo (pinned to SSB's real values 2020–2025) and series
  breaks (a merger, Haram re-established in 2024).
* **Parts never exceed wholes**: net ≤ gross operating expenditure, a sector's NDU ≤ the total
  NDU, a function ≤ its sector, sub-counts ≤ their counts, owned ≤ total area; amounts and
  counts that cannot be negative are not.

Population classes use the inhabitants on 1 January of the year on 2024 borders.
"""

from __future__ import annotations

import polars as pl
import pytest

from kostra.analysis.indicators import evaluate
from kostra.catalog import load_catalog
from kostra.geography import population
from kostra.sample import sample_observations

YEARS = list(range(2015, 2026))
MUNICIPAL = pl.col("region").str.contains(r"^\d{4}$")

UNIT_RANGES: dict[str, tuple[float, float | None]] = {
    "prosent": (0.0, 100.0),
    "per 100": (0.0, 100.0),
}
"""Range by unit; units not listed are non-negative without an upper bound."""

RANGE_OVERRIDES: dict[str, tuple[float, float]] = {
    "netto_driftsresultat": (-25.0, 25.0),
    "arbeidskapital": (-40.0, 80.0),
    "netto_renteeksponering": (-100.0, 150.0),
    "aarets_merforbruk": (-15.0, 15.0),
    "langsiktig_gjeld": (0.0, 350.0),
    "var_netto_andel_av_brutto": (-60.0, 30.0),
    "grunnskolepoeng": (20.0, 60.0),
    "gruppestorrelse_2": (3.0, 30.0),
    "barn_per_aarsverk_grunnbemanning": (2.0, 12.0),
}
"""Indicators whose plausible range is not their unit's (signed ratios, bounded scales)."""

SIGNED = {k for k, (low, _) in RANGE_OVERRIDES.items() if low < 0}

RATE_UNITS = {"kr", "årsverk", "timer", "besøk", "utlån", "m²", "kWh", "poeng", "elever", "barn"}
"""Units whose magnitude is compared with the country (shares and absolute counts are not)."""

SIZE_CLASSES: list[tuple[str, float, float]] = [
    ("large", 20_000, float("inf")),
    ("middle", 5_000, 20_000),
    ("small", 1_000, 5_000),
    ("tiny", 0, 1_000),
]
RELATIVE_BOUNDS = {
    "large": (0.4, 2.5),
    "middle": (0.25, 4.0),
    "small": (0.1, 8.0),
    "tiny": (0.05, 12.0),
}
MIN_GROUP = 10
YOY_RATE_BOUNDS = {"large": (0.7, 1.43), "middle": (0.5, 2.0)}
YOY_SHARE_POINTS = {"large": 12.0, "middle": 35.0}
RESTORED = ["1580"]
"""Haram, re-established in 2024: before it, its 2024-border series is old Ålesund's part."""


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return sample_observations()


@pytest.fixture(scope="module")
def evaluated(sample: pl.DataFrame) -> pl.DataFrame:
    """Every indicator, municipality and year, with its unit, size class and national level."""
    catalog = load_catalog()
    groups = sorted(
        {"total"}
        | {
            ref.age_group
            for indicator in catalog.indicators
            for ref in (
                indicator.formula.denominator if indicator.formula else None,
                indicator.weight_by,
            )
            if ref is not None and hasattr(ref, "age_group")
        }
    )
    people = population([*YEARS, YEARS[-1] + 1], age_group=groups)
    result = evaluate(sample, people, catalog, years=YEARS, borders=2024).filter(
        MUNICIPAL, pl.col("value").is_not_null()
    )
    units = {indicator.id: indicator.unit for indicator in catalog.indicators}
    inhabitants = population(YEARS, age_group="total", borders=2024).select(
        "region", pl.col("year").cast(pl.Int32), pl.col("population").alias("inhabitants")
    )
    size = pl.lit("tiny")
    for name, low, high in reversed(SIZE_CLASSES):
        size = pl.when(pl.col("inhabitants") >= low).then(pl.lit(name)).otherwise(size)
        del high
    national = result.group_by("indicator_id", "year").agg(
        pl.when(pl.col("numerator").is_not_null().all() & (pl.col("denominator").sum() > 0))
        .then(pl.col("numerator").sum() / pl.col("denominator").sum())
        .otherwise(pl.col("value").median())
        .alias("national")
    )
    return (
        result.join(inhabitants, on=["region", "year"], how="left")
        .join(national, on=["indicator_id", "year"])
        .with_columns(
            pl.col("indicator_id").replace_strict(units).alias("unit"),
            size.alias("size"),
            (pl.col("value") / pl.col("national")).alias("relative"),
        )
        .sort("indicator_id", "region", "year")
    )


def _show(frame: pl.DataFrame, *columns: str) -> str:
    cols = ["indicator_id", "region", "year", "value", *columns]
    return str(frame.select(cols).head(12))


def test_every_indicator_is_evaluated_on_the_sample(evaluated: pl.DataFrame) -> None:
    catalog = load_catalog()
    seen = set(evaluated["indicator_id"].unique())
    assert {i.id for i in catalog.indicators} <= seen
    per_year = evaluated.group_by("indicator_id", "year").len()
    assert int(per_year["len"].min()) > 200  # type: ignore[arg-type]  # ≥ 200 of 357 in a year


def test_values_within_their_unit_range(evaluated: pl.DataFrame) -> None:
    bounds = [
        (iid, *RANGE_OVERRIDES.get(iid, UNIT_RANGES.get(unit, (0.0, None))))
        for iid, unit in evaluated.select("indicator_id", "unit").unique().iter_rows()
    ]
    limits = pl.DataFrame(
        bounds, schema=["indicator_id", "low", "high"], orient="row"
    ).with_columns(pl.col("low", "high").cast(pl.Float64))
    checked = evaluated.join(limits, on="indicator_id")
    bad = checked.filter(
        (pl.col("value") < pl.col("low") - 1e-9) | (pl.col("value") > pl.col("high") + 1e-9)
    )
    assert bad.height == 0, _show(bad.sort("value"), "low", "high")


def test_rates_are_of_the_national_magnitude(evaluated: pl.DataFrame) -> None:
    rates = evaluated.filter(pl.col("unit").is_in(list(RATE_UNITS)), pl.col("national") > 0)
    assert rates["indicator_id"].n_unique() >= 60
    for size, (low, high) in RELATIVE_BOUNDS.items():
        group = rates.filter(pl.col("size") == size)
        assert group.height > 1000
        bad = group.filter(
            ~pl.col("relative").is_between(low, high),
            pl.col("denominator").is_null() | (pl.col("denominator") >= MIN_GROUP),
        )
        assert bad.height == 0, f"{size}: outside {low}–{high} × the country\n" + _show(
            bad.sort("relative"), "relative", "inhabitants"
        )


def _changes(evaluated: pl.DataFrame) -> pl.DataFrame:
    """Consecutive years of one municipality, same size class in both."""
    previous = evaluated.select(
        "indicator_id",
        "region",
        (pl.col("year") + 1).alias("year"),
        pl.col("value").alias("value_before"),
        pl.col("national").alias("national_before"),
        pl.col("relative").alias("relative_before"),
        pl.col("size").alias("size_before"),
    )
    # Oslo carries SSB's real values 2020–2025, jumps included; across a series break (Haram
    # re-established in 2024) the "change" compares two different municipalities.
    return evaluated.join(previous, on=["indicator_id", "region", "year"]).filter(
        pl.col("size") == pl.col("size_before"),
        pl.col("region") != "0301",
        ~pl.col("series_break"),
        ~pl.col("region").is_in(RESTORED),
    )


def test_rates_do_not_jump_from_year_to_year(evaluated: pl.DataFrame) -> None:
    changes = _changes(
        evaluated.filter(pl.col("unit").is_in(list(RATE_UNITS)), pl.col("national") > 0)
    ).with_columns((pl.col("relative") / pl.col("relative_before")).alias("own_change"))
    for size, (low, high) in YOY_RATE_BOUNDS.items():
        group = changes.filter(pl.col("size") == size, pl.col("relative_before") > 0)
        assert group.height > 1000
        bad = group.filter(~pl.col("own_change").is_between(low, high))
        assert bad.height == 0, f"{size}: own change outside {low}–{high}\n" + _show(
            bad.sort("own_change"), "value_before", "own_change", "inhabitants"
        )


def test_shares_do_not_jump_from_year_to_year(evaluated: pl.DataFrame) -> None:
    shares = evaluated.filter(
        pl.col("unit").is_in(list(UNIT_RANGES)) | pl.col("indicator_id").is_in(list(SIGNED))
    )
    changes = _changes(shares).with_columns(
        (
            (pl.col("value") - pl.col("national"))
            - (pl.col("value_before") - pl.col("national_before"))
        )
        .abs()
        .alias("own_points")
    )
    for size, points in YOY_SHARE_POINTS.items():
        group = changes.filter(pl.col("size") == size)
        assert group.height > 1000
        bad = group.filter(pl.col("own_points") > points)
        assert bad.height == 0, f"{size}: own change above {points} points\n" + _show(
            bad.sort("own_points", descending=True), "value_before", "own_points"
        )


PART_WHOLE_INDICATORS = [
    ("ndu_administrasjon_120_per_innbygger", "ndu_administrasjon_per_innbygger"),
    ("ndu_politisk_styring_per_innbygger", "ndu_administrasjon_per_innbygger"),
    ("ndu_folkebibliotek_per_innbygger", "ndu_kultur_og_fritid_per_innbygger"),
    ("ndu_idrett_per_innbygger", "ndu_kultur_og_fritid_per_innbygger"),
    ("ndu_diagnose_behandling_per_innbygger", "ndu_kommunehelse_per_innbygger"),
    ("bdu_kommunehelse_232_233_241_per_innbygger", "bdu_kommunehelse_per_innbygger"),
    ("ndu_okonomisk_sosialhjelp_per_innb_18_66", "ndu_sosiale_tjenester_per_innb_18_66"),
    ("ndu_hjemmetjenester_per_innb_67", "ndu_pleie_og_omsorg_per_innb_67"),
    ("ndu_skolelokaler_per_innb_6_15", "ndu_grunnskole_per_innb_6_15"),
]


def _net_gross_total_pairs() -> list[tuple[str, str]]:
    catalog = load_catalog()
    total = next(i.id for i in catalog.indicators if i.role == "total_net_opex")
    pairs = []
    for net in (i for i in catalog.indicators if i.role == "net_opex"):
        pairs.append((net.id, total))
        try:
            pairs.append((net.id, catalog.with_role(net.sector, "gross_opex").id))
        except KeyError:
            continue
    return pairs


@pytest.mark.parametrize(("part", "whole"), PART_WHOLE_INDICATORS + _net_gross_total_pairs())
def test_a_part_indicator_never_exceeds_its_whole(
    evaluated: pl.DataFrame, part: str, whole: str
) -> None:
    small = evaluated.filter(pl.col("indicator_id") == part)
    large = evaluated.filter(pl.col("indicator_id") == whole).select(
        "region", "year", pl.col("value").alias("whole")
    )
    joined = small.join(large, on=["region", "year"])
    assert joined.height > 3000
    bad = joined.filter(pl.col("value") > pl.col("whole") * (1 + 1e-9) + 1e-6)
    assert bad.height == 0, _show(bad, "whole")


def test_net_never_exceeds_gross_and_gross_is_never_negative(sample: pl.DataFrame) -> None:
    accounts = sample.filter(pl.col("table_id") == "12362", MUNICIPAL).with_columns(
        pl.col("dims").str.extract(r"KOKart0000=(\w+)").alias("art"),
        pl.col("dims").str.extract(r"KOKfunksjon0000=(\w+)").alias("function"),
    )
    wide = accounts.pivot(on="art", index=["region", "year", "function"], values="value")
    assert wide.height > 40_000
    assert wide.filter(pl.col("AGD10") < 0).height == 0
    assert wide.filter(pl.col("AGD2") > pl.col("AGD10")).height == 0


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (("12275", "KOSbvbarntiltaka0000"), ("12870", "KOSbvbarnust0000")),
        (("14019", "KOSlangtidhovedi0000"), ("14019", "KOSsoshjelptilf0000")),
        (("14019", "KOSsoshjelpbarn0000"), ("14019", "KOSsoshjelptilf0000")),
        (("11906", "eid"), ("11906", "samlet")),
    ],
)
def test_a_count_never_exceeds_its_whole(
    sample: pl.DataFrame, part: tuple[str, str], whole: tuple[str, str]
) -> None:
    def pick(table: str, what: str) -> pl.DataFrame:
        rows = sample.filter(pl.col("table_id") == table, MUNICIPAL)
        if table == "11906":
            rows = rows.filter(pl.col("dims").str.contains(f"KOKeieform0000={what}")).with_columns(
                pl.col("dims").str.extract(r"KOKfunksjon0000=(\w+)").alias("key")
            )
        else:
            rows = rows.filter(pl.col("contents_code") == what).with_columns(
                pl.lit("").alias("key")
            )
        return rows.select("region", "year", "key", "value")

    joined = pick(*part).join(pick(*whole), on=["region", "year", "key"], suffix="_whole")
    joined = joined.drop_nulls()
    assert joined.height > 3000
    assert joined.filter(pl.col("value") > pl.col("value_whole")).height == 0


def test_counts_and_amounts_are_never_negative(sample: pl.DataFrame) -> None:
    signed = pl.col("table_id").is_in(["12134"]) | (
        (pl.col("table_id") == "12362") & pl.col("dims").str.contains("AGD2")
    )
    bad = sample.filter(~signed, pl.col("value") < 0)
    assert bad.height == 0, str(bad.head(10))
    # NDU may be negative only where fees exceed costs (VAR 340–355, fee-financed services).
    net = sample.filter(
        pl.col("table_id") == "12362",
        pl.col("dims").str.contains("AGD2"),
        pl.col("value") < 0,
    ).with_columns(pl.col("dims").str.extract(r"KOKfunksjon0000=(\w+)").alias("function"))
    assert set(net["function"].unique()) <= {"340", "345", "350", "353", "354", "355", "190"}
