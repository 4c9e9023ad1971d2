"""Production and efficiency indices (produksjons- og effektivitetsindekser), methodology §5.

For every region of every reference group (peers, or the whole country as one group):

1. coverage indicators are measured against a need-corrected target group
   ``T* = T_land × N × I / N_land`` (``x = users / T*``); quality and ratio indicators enter raw;
2. ``z = 100 × x / x_ref`` (``100 × x_ref / x`` when lower is better) with ``x_ref`` the
   group's average (coverage: Σ users / Σ T*; others as the catalog's averaging says);
3. ``P_s = Σ_i w_i z_i / Σ_i w_i`` over the sector's indicators with data (catalog weights,
   renormalised); null when the available weight share is below ``min_weight_share`` [D];
4. ``C_s = 100 × c / c_ref`` with ``c = BDU / N / I`` the gross operating expenditure per
   need-corrected inhabitant: ``cost_average="unweighted"`` (KS's ASSS convention, the default
   against peers) takes ``c_ref`` as the unweighted mean of the group's ``c``;
   ``cost_average="weighted"`` takes ``Σ_ref BDU / Σ_ref N × I`` (for the country this is the
   methodology's ``(BDU/N) / (I × BDU_land/N_land)``, as Σ N × I = N_land);
5. ``E_s = 100 × P_s / C_s``;
6. totals over the sectors where both ``P_s`` and ``C_s`` exist (``in_total``), with fixed
   weights ω [D: the 2026 cost key's sector weights] renormalised over them:
   ``P = Σ ω_s P_s``, ``C = Σ ω_s C_s`` and ``E = 100 × P / C`` — one definition, so total
   efficiency is always total production over total resource use.

The ``*_pct`` columns give ``index − 100``: "% over (+) / under (−) the reference average".
Small numbers (:data:`kostra.analysis.method.SMALL_NUMBERS`): an indicator on a target group
(coverage) or age group of fewer than ``min_base`` inhabitants gets no ``z`` (``small_base``;
the sector renormalises over the rest); a sector or total whose production, cost or efficiency
index is beyond the caps is flagged ``beyond_cap``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from kostra.analysis._common import conform_grouping
from kostra.analysis.method import (
    DEFAULT_READY_RATIOS,
    SMALL_NUMBERS,
    ReadyRatios,
    SmallNumbers,
    counts_inhabitants,
    peer_averaging,
)
from kostra.analysis.need import choose_need_year
from kostra.catalog.models import Catalog, Indicator

PRODUCTION_SECTORS: tuple[str, ...] = (
    "barnehage",
    "grunnskole",
    "pleie_og_omsorg",
    "kommunehelse",
    "barnevern",
    "sosiale_tjenester",
)
# Grønt hefte 2026 sector weights of the cost key (methodology §4); renormalised over the
# production sectors present, so administrasjon's weight drops out.
COST_KEY_WEIGHTS_2026: Mapping[str, float] = {
    "grunnskole": 0.2299,
    "pleie_og_omsorg": 0.3532,
    "barnehage": 0.1597,
    "barnevern": 0.0422,
    "sosiale_tjenester": 0.0741,
    "kommunehelse": 0.0637,
    "administrasjon": 0.0772,
}
TOTAL = "total"

INDICATOR_COLUMNS: tuple[str, ...] = (
    "group",
    "region",
    "year",
    "sector",
    "indicator_id",
    "kind",
    "weight",
    "value",
    "x",
    "x_ref",
    "z",
    "small_base",
)
SECTOR_COLUMNS: tuple[str, ...] = (
    "group",
    "region",
    "year",
    "sector",
    "production_index",
    "cost_index",
    "efficiency_index",
    "production_pct",
    "cost_pct",
    "efficiency_pct",
    "n_indicators",
    "n_available",
    "need_index",
    "need_year",
    "need_year_fallback",
    "sector_weight",
    "in_total",
    "beyond_cap",
)


@dataclass(frozen=True)
class ProductionResult:
    """``indicators``: one row per group, region, year and indicator (:data:`INDICATOR_COLUMNS`);
    ``sectors``: per group, region, year and sector plus ``total`` (:data:`SECTOR_COLUMNS`)."""

    indicators: pl.DataFrame
    sectors: pl.DataFrame


def _production_spec(
    indicators: Iterable[Indicator],
    sectors: Sequence[str],
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
) -> pl.DataFrame:
    rows = [
        (
            i.id,
            i.sector.value,
            i.production.kind,
            float(i.production.weight),
            i.direction,
            peer_averaging(i, ready_ratios),
            counts_inhabitants(i),
        )
        for i in indicators
        if i.production is not None and i.sector.value in sectors
    ]
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.Utf8,
            "sector": pl.Utf8,
            "kind": pl.Utf8,
            "weight": pl.Float64,
            "direction": pl.Utf8,
            "average": pl.Utf8,
            "counts_inhabitants": pl.Boolean,
        },
        orient="row",
    )


def _reference(
    rows: pl.DataFrame,
    by: list[str],
    include_self: bool,
) -> pl.Expr:
    """Σa / Σb over the rows ``in_reference`` of each ``by`` group (leave-one-out if asked)."""
    sa = pl.col("_ra").sum().over(by)
    sb = pl.col("_rb").sum().over(by)
    n = pl.col("_rb").count().over(by)
    if not include_self:
        sa = sa - pl.col("_ra").fill_null(0.0)
        sb = sb - pl.col("_rb").fill_null(0.0)
        n = n - pl.col("_rb").is_not_null().cast(pl.UInt32)
    return pl.when((n > 0) & (sb != 0)).then(sa / sb)


def production_indices(
    evaluated: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    groups: pl.DataFrame,
    *,
    inhabitants: pl.DataFrame,
    need_index: pl.DataFrame,
    gross_spending: pl.DataFrame,
    need_year: int | None = None,
    need_year_offset: int = 1,
    include_self: bool = True,
    exclude_from_average: Sequence[str] = (),
    sectors: Sequence[str] = PRODUCTION_SECTORS,
    sector_weights: Mapping[str, float] = COST_KEY_WEIGHTS_2026,
    min_weight_share: float = 0.5,
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    cost_average: Literal["unweighted", "weighted"] = "unweighted",
    small_numbers: SmallNumbers = SMALL_NUMBERS,
) -> ProductionResult:
    """Production, cost and efficiency indices of every member of every group.

    ``evaluated``: :func:`~kostra.analysis.indicators.evaluate`'s frame on the need indices'
    borders (2024). ``inhabitants``: ``region, year, population`` (1 January t+1, the ``N`` of the
    per-inhabitant figures). ``need_index``: ``need_year, region, sector, need_index``.
    ``gross_spending``: ``region, year, sector, amount, population`` from
    :func:`kostra.analysis.need.sector_spending` with ``role="gross_opex"`` (NOK).
    ``groups``: the reference grouping (``include_self`` and ``exclude_from_average`` as in the
    profile; the reference group of the country is one group of every municipality).
    """
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    spec = _production_spec(indicators, sectors, ready_ratios)
    groups = conform_grouping(groups)
    group_keys = ["region", "year"] if "year" in groups.columns else ["region"]
    municipal = pl.col("region").str.contains(r"^\d{4}$")
    pop = inhabitants.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("population").cast(pl.Float64).alias("_n"),
    ).unique(["region", "year"])
    years = evaluated["year"].unique().to_list() + gross_spending["year"].unique().to_list()
    need = need_index.select(
        pl.col("need_year").cast(pl.Int32),
        pl.col("region").cast(pl.Utf8),
        pl.col("sector").cast(pl.Utf8),
        pl.col("need_index").cast(pl.Float64),
    )
    chosen = choose_need_year(
        years or [0],
        need["need_year"].unique().to_list(),
        need_year=need_year,
        need_year_offset=need_year_offset,
    ).select("year", "need_year", "need_year_fallback")

    data = (
        evaluated.filter(municipal)
        .join(spec, on="indicator_id", how="inner")
        .join(pop, on=["region", "year"], how="left")
        .join(chosen, on="year", how="left")
        .join(need, on=["need_year", "region", "sector"], how="left")
    )
    coverage = pl.col("kind") == "coverage"
    # The country's target group per inhabitant: only scales x, cancels in z.
    has_target = coverage & pl.col("denominator").is_not_null() & pl.col("_n").is_not_null()
    data = data.with_columns(
        (
            pl.col("denominator").filter(has_target).sum().over("indicator_id", "year")
            / pl.col("_n").filter(has_target).sum().over("indicator_id", "year")
        ).alias("_target_share")
    ).with_columns(
        pl.when(coverage)
        .then(pl.col("_target_share") * pl.col("_n") * pl.col("need_index"))
        .alias("_tstar")
    )
    weighted = pl.col("average") == "weighted"
    a = (
        pl.when(coverage)
        .then(pl.col("numerator"))
        .when(weighted)
        .then(pl.col("numerator"))
        .otherwise(pl.col("value"))
    )
    b = (
        pl.when(coverage)
        .then(pl.col("_tstar"))
        .when(weighted)
        .then(pl.col("denominator"))
        .otherwise(pl.lit(1.0))
    )
    data = data.with_columns(
        pl.when(pl.col("value").is_not_null()).then(a).alias("_a"),
        pl.when(pl.col("value").is_not_null()).then(b).alias("_b"),
    ).with_columns(
        pl.when(coverage)
        .then(pl.when(pl.col("_b") > 0).then(pl.col("_a") / pl.col("_b")))
        .otherwise(pl.col("value"))
        .alias("x")
    )
    rows = data.join(groups, on=group_keys, how="inner")
    usable = (
        ~pl.col("region").is_in(list(exclude_from_average))
        & pl.col("_a").is_not_null()
        & pl.col("_b").is_not_null()
        & pl.col("x").is_not_null()
    )
    rows = rows.with_columns(
        pl.when(usable).then(pl.col("_a")).alias("_ra"),
        pl.when(usable).then(pl.col("_b")).alias("_rb"),
    )
    # small numbers: a coverage on a tiny target group (or a figure on few inhabitants) still
    # enters the reference, but gets no index of its own
    base = (
        pl.when(coverage)
        .then(pl.col("_tstar"))
        .when(pl.col("counts_inhabitants"))
        .then(pl.col("denominator"))
    )
    rows = rows.with_columns(
        _reference(rows, ["group", "indicator_id", "year"], include_self).alias("x_ref"),
        (base < small_numbers.min_base).fill_null(False).alias("small_base"),
    )
    rows = rows.with_columns(
        pl.when((pl.col("x") > 0) & (pl.col("x_ref") > 0) & ~pl.col("small_base"))
        .then(
            pl.when(pl.col("direction") == "lower_better")
            .then(100.0 * pl.col("x_ref") / pl.col("x"))
            .otherwise(100.0 * pl.col("x") / pl.col("x_ref"))
        )
        .alias("z")
    )
    indicator_rows = rows.select(INDICATOR_COLUMNS).sort(
        "group", "region", "year", "sector", "indicator_id"
    )

    weight_all = spec.group_by("sector").agg(
        pl.col("weight").sum().alias("_w_all"), pl.len().cast(pl.Int32).alias("n_indicators")
    )
    has_z = pl.col("z").is_not_null()
    produced = (
        rows.group_by("group", "region", "year", "sector")
        .agg(
            (pl.col("weight") * pl.col("z")).filter(has_z).sum().alias("_wz"),
            pl.col("weight").filter(has_z).sum().alias("_w"),
            has_z.sum().cast(pl.Int32).alias("n_available"),
        )
        .join(weight_all, on="sector", how="left")
        .with_columns(
            pl.when((pl.col("_w") > 0) & (pl.col("_w") >= min_weight_share * pl.col("_w_all")))
            .then(pl.col("_wz") / pl.col("_w"))
            .alias("production_index")
        )
        .select(
            "group", "region", "year", "sector", "production_index", "n_indicators", "n_available"
        )
    )

    costs = (
        gross_spending.select(
            pl.col("region").cast(pl.Utf8),
            pl.col("year").cast(pl.Int32),
            pl.col("sector").cast(pl.Utf8),
            pl.col("amount").cast(pl.Float64),
            pl.col("population").cast(pl.Float64),
        )
        .filter(municipal & pl.col("sector").is_in(list(sectors)))
        .join(chosen, on="year", how="left")
        .join(need, on=["need_year", "region", "sector"], how="left")
        .join(groups, on=group_keys, how="inner")
        .with_columns((pl.col("population") * pl.col("need_index")).alias("_nb"))
    )
    cost_usable = (
        ~pl.col("region").is_in(list(exclude_from_average))
        & pl.col("amount").is_not_null()
        & pl.col("_nb").is_not_null()
    )
    if cost_average == "unweighted":
        own_cost = pl.when(pl.col("_nb") > 0).then(pl.col("amount") / pl.col("_nb"))
        costs = costs.with_columns(
            pl.when(cost_usable & own_cost.is_not_null()).then(own_cost).alias("_ra"),
            pl.when(cost_usable & own_cost.is_not_null()).then(pl.lit(1.0)).alias("_rb"),
        )
    elif cost_average == "weighted":
        costs = costs.with_columns(
            pl.when(cost_usable).then(pl.col("amount")).alias("_ra"),
            pl.when(cost_usable).then(pl.col("_nb")).alias("_rb"),
        )
    else:
        raise ValueError(f"unknown cost_average {cost_average!r}")
    costs = (
        costs.with_columns(
            _reference(costs, ["group", "year", "sector"], include_self).alias("_cref")
        )
        .with_columns(
            pl.when((pl.col("_nb") > 0) & (pl.col("_cref") > 0))
            .then(100.0 * pl.col("amount") / pl.col("_nb") / pl.col("_cref"))
            .alias("cost_index")
        )
        .select(
            "group",
            "region",
            "year",
            "sector",
            "cost_index",
            "need_index",
            "need_year",
            "need_year_fallback",
        )
    )

    keys = ["group", "region", "year", "sector"]
    per_sector = (
        produced.join(costs, on=keys, how="full", coalesce=True)
        .with_columns(
            pl.when(pl.col("cost_index") > 0)
            .then(100.0 * pl.col("production_index") / pl.col("cost_index"))
            .alias("efficiency_index"),
            pl.col("sector")
            .replace_strict(dict(sector_weights), default=None, return_dtype=pl.Float64)
            .alias("sector_weight"),
        )
        .with_columns(
            (
                pl.col("production_index").is_not_null()
                & pl.col("cost_index").is_not_null()
                & pl.col("sector_weight").is_not_null()
            ).alias("in_total")
        )
    )
    total = _totals(per_sector)
    result = pl.concat([per_sector.select(_WITHOUT_PCT), total.select(_WITHOUT_PCT)])
    result = result.with_columns(
        *[
            (pl.col(f"{name}_index") - 100.0).alias(f"{name}_pct")
            for name in ("production", "cost", "efficiency")
        ],
        pl.any_horizontal(
            small_numbers.beyond(pl.col(f"{name}_index"))
            for name in ("production", "cost", "efficiency")
        ).alias("beyond_cap"),
    ).select(SECTOR_COLUMNS)
    return ProductionResult(
        indicators=indicator_rows, sectors=result.sort("group", "region", "year", "sector")
    )


_WITHOUT_PCT = [c for c in SECTOR_COLUMNS if not c.endswith("_pct") and c != "beyond_cap"]


def _totals(per_sector: pl.DataFrame) -> pl.DataFrame:
    """Fixed-weight totals over the sectors ``in_total`` (both indices present; weights
    renormalised over them); total efficiency = 100 × total production / total cost."""

    def weighted(column: str) -> pl.Expr:
        present = pl.col("in_total")
        weight = pl.col("sector_weight").filter(present).sum()
        return pl.when(weight > 0).then(
            (pl.col(column) * pl.col("sector_weight")).filter(present).sum() / weight
        )

    return (
        per_sector.group_by("group", "region", "year")
        .agg(
            weighted("production_index").alias("production_index"),
            weighted("cost_index").alias("cost_index"),
            pl.col("n_indicators").filter(pl.col("in_total")).sum(),
            pl.col("n_available").filter(pl.col("in_total")).sum(),
            pl.col("need_year").first(),
            pl.col("need_year_fallback").any(),
        )
        .with_columns(
            pl.lit(TOTAL).alias("sector"),
            pl.when(pl.col("cost_index") > 0)
            .then(100.0 * pl.col("production_index") / pl.col("cost_index"))
            .alias("efficiency_index"),
            pl.lit(None, dtype=pl.Float64).alias("need_index"),
            pl.lit(None, dtype=pl.Float64).alias("sector_weight"),
            pl.lit(False).alias("in_total"),
        )
    )
