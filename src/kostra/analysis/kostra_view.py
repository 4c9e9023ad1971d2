"""SSB's KOSTRA nøkkeltall view: a municipality beside its KOSTRA group, county, country and
country without Oslo (and any municipalities shown beside), one column each.

The aggregate columns use SSB's own aggregate (region ``EKGnn``, ``EKAnn``, ``EAK``,
``EAKUO``) where the evaluated figures hold a value for it, and are otherwise computed from the
members by the peer average of :func:`kostra.analysis.profile.peer_profile` — the one average
every profile uses: Σ numerator / Σ denominator over the members with figures for the catalog's
weighted key figures (SSB's rule for its aggregates: the group's figure is formed from the
summed numerator and denominator of its municipalities, a weighted average), and the plain mean
of the values for the few figures the catalog averages simply (ours: SSB's numerator and
denominator are not at hand there). Counts and areas (units in :data:`LEVEL_UNITS`, ready
figures averaged simply) are totals in SSB's aggregates: there the computed figure is the sum
over the members with figures. ``basis`` says which: ``ssb``, ``computed`` or, for the
municipality columns, ``municipality``.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from kostra.analysis._common import grouping
from kostra.analysis.profile import indicator_info, peer_profile
from kostra.catalog.models import Catalog, Indicator

#: Units of key figures that are levels, not ratios: SSB's aggregate of them is a total.
LEVEL_UNITS: tuple[str, ...] = ("antall", "dekar")

VIEW_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "sector",
    "name_nb",
    "name_en",
    "unit",
    "column",
    "region",
    "value",
    "status",
    "basis",
    "n_members",
)


@dataclass(frozen=True)
class Aggregate:
    """One aggregate column: its key (``kostra_group``…), SSB's region code for it and its
    members (codes on the borders of the evaluated frame)."""

    key: str
    region: str
    members: tuple[str, ...]


def kostra_view(
    evaluated: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    municipality: str,
    aggregates: Sequence[Aggregate],
    *,
    year: int,
    compare: Sequence[str] = (),
    sectors: Iterable[str] | None = None,
    memo: MutableMapping[tuple[Any, ...], pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """The view in long form, :data:`VIEW_COLUMNS`: one row per key figure (the catalog's profile
    figures, in catalog order) and column (``self``, each aggregate's key, then ``compare:<code>``).

    ``evaluated`` is :func:`kostra.analysis.indicators.evaluate`'s frame (aggregate regions
    included where observed). ``n_members`` is the number of members whose figures entered a
    computed average (null for SSB's own aggregates and for municipalities).

    ``memo`` keeps the aggregates' columns between calls on the same ``evaluated`` frame (the
    caller's promise): every municipality of a county, and all of them for the country, share
    them, so a batch of reports computes each aggregate's averages once.
    """
    info = indicator_info(catalog).filter(pl.col("in_profile"))
    if sectors is not None:
        info = info.filter(pl.col("sector").is_in(list(sectors)))
    ids = info["indicator_id"].implode()
    shown = (year, tuple(info["indicator_id"].to_list()))
    this_year = None if memo is None else memo.get(("rows", *shown))
    if this_year is None:
        this_year = evaluated.filter((pl.col("year") == year) & pl.col("indicator_id").is_in(ids))
        if memo is not None:
            memo[("rows", *shown)] = this_year
    keys = info.select("indicator_id", "order")

    def memo_key(aggregate: Aggregate) -> tuple[Any, ...]:
        return ("aggregate", *shown, aggregate.key, aggregate.region, aggregate.members)

    kept = {a.key: memo[memo_key(a)] for a in aggregates if memo and memo_key(a) in memo}

    def values(region: str, column: str, basis: str) -> pl.DataFrame:
        rows = this_year.filter(pl.col("region") == region)
        rows = rows.select("indicator_id", "value", "status")
        return keys.join(rows, on="indicator_id", how="left").select(
            "indicator_id",
            "order",
            pl.lit(column).alias("column"),
            pl.lit(region).alias("region"),
            pl.col("value"),
            # a figure with no row at all: SSB's "data not available"
            pl.when(pl.col("value").is_null())
            .then(pl.col("status").fill_null(".."))
            .alias("status"),
            pl.lit(basis).alias("basis"),
            pl.lit(None, dtype=pl.Int32).alias("n_members"),
        )

    parts = [values(municipality, "self", "municipality")]
    missing = [a for a in aggregates if a.key not in kept]
    own_values = {a.key: values(a.region, a.key, "ssb") for a in missing}
    # only the figures SSB's aggregate lacks are computed: where SSB's figures are fetched
    # (the country, the counties) the members' averages would be thrown away
    wanted = {
        a.key: set(own_values[a.key].filter(pl.col("value").is_null())["indicator_id"])
        for a in missing
    }
    computed = [a for a in missing if wanted[a.key]]
    averages = pl.DataFrame(
        schema={
            "group": pl.Utf8,
            "indicator_id": pl.Utf8,
            "peer_average": pl.Float64,
            "n_average": pl.Int64,
        }
    )
    if computed:
        groups = grouping({a.key: list(a.members) for a in computed})
        members = {code for a in computed for code in a.members}
        needed = sorted(set().union(*(wanted[a.key] for a in computed)))
        subset = evaluated.filter(
            pl.col("region").is_in(members)
            & pl.col("indicator_id").is_in(needed)
            & pl.col("year").is_between(year - 1, year)
        )
        chosen = set(needed)
        indicators = [i for i in _indicators(catalog) if i.id in chosen]
        averages = (
            peer_profile(subset, indicators, groups, years=[year], include_self=True)
            .group_by("group", "indicator_id")
            .agg(pl.col("peer_average").first(), pl.col("n_average").first())
        )
        levels = [i.id for i in indicators if i.unit in LEVEL_UNITS and i.average == "simple"]
        if levels:
            totals = (
                subset.filter((pl.col("year") == year) & pl.col("indicator_id").is_in(levels))
                .join(groups, on="region", how="inner")
                .group_by("group", "indicator_id")
                .agg(
                    pl.col("value").sum().alias("_total"),
                    pl.col("value").count().cast(pl.Int32).alias("_n"),
                )
                .filter(pl.col("_n") > 0)
            )
            averages = (
                averages.join(totals, on=["group", "indicator_id"], how="left")
                .with_columns(
                    pl.coalesce("_total", "peer_average").alias("peer_average"),
                    pl.coalesce("_n", "n_average").alias("n_average"),
                )
                .drop("_total", "_n")
            )
    for aggregate in aggregates:
        if aggregate.key in kept:
            parts.append(kept[aggregate.key])
            continue
        own = own_values[aggregate.key]
        ours = averages.filter(pl.col("group") == aggregate.key).select(
            "indicator_id", pl.col("peer_average").alias("_avg"), "n_average"
        )
        use_ssb = pl.col("value").is_not_null()
        part = own.join(ours, on="indicator_id", how="left").select(
            "indicator_id",
            "order",
            "column",
            "region",
            pl.when(use_ssb).then(pl.col("value")).otherwise(pl.col("_avg")).alias("value"),
            pl.when(use_ssb | pl.col("_avg").is_not_null())
            .then(pl.lit(None, dtype=pl.Utf8))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.when(use_ssb)
            .then(pl.lit("ssb"))
            .when(pl.col("_avg").is_not_null())
            .then(pl.lit("computed"))
            .otherwise(pl.lit(None, dtype=pl.Utf8))
            .alias("basis"),
            pl.when(~use_ssb & pl.col("_avg").is_not_null())
            .then(pl.col("n_average"))
            .cast(pl.Int32)
            .alias("n_members"),
        )
        if memo is not None:
            memo[memo_key(aggregate)] = part
        parts.append(part)
    for code in dict.fromkeys(c for c in compare if c != municipality):
        parts.append(values(code, f"compare:{code}", "municipality"))
    names = info.select("indicator_id", "sector", "name_nb", "name_en", "unit")
    position = {part["column"][0]: i for i, part in enumerate(parts) if part.height}
    return (
        pl.concat(parts, how="vertical_relaxed")
        .join(names, on="indicator_id", how="left")
        .with_columns(pl.col("column").replace_strict(position, default=0).alias("_c"))
        .sort("order", "_c")
        .select(VIEW_COLUMNS)
    )


def _indicators(catalog: Catalog | Iterable[Indicator]) -> list[Indicator]:
    return list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
