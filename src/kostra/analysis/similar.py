"""Similar municipalities (Kolada's "liknande kommuner"): the nearest by structure.

Each municipality is described by structural features it cannot change in the short run
(:func:`structural_features`): population size, age structure and growth, area and density,
SSB's centrality class and KOSTRA group, the expenditure-need index and its sector parts, ROBEK
status, and free income per inhabitant when real figures are at hand. Numeric features are
standardised over all municipalities (z-scores); the distance between two municipalities is

    d = sqrt( Σ_k w_k (z_ik − z_jk)²  +  Σ_c w_c · 2 · [cat_ic ≠ cat_jc] )

over the numeric features ``k`` both have (rescaled to the full weight when some are missing)
and the categorical features ``c`` (a different KOSTRA group or ROBEK status counts as much as
an average difference of a standardised feature, whose expected square is 2). The weights are
:data:`DEFAULT_WEIGHTS`, shown beside every result. Pure: frames in, frames out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import polars as pl

from kostra.i18n import Words

#: Numeric features: name → weight. Log scales for size (Oslo is not 100 Utsiras apart).
NUMERIC_WEIGHTS: dict[str, float] = {
    "log_population": 3.0,
    "share_0_5": 0.5,
    "share_6_15": 0.5,
    "share_67_79": 0.5,
    "share_80_plus": 1.0,
    "growth_5y": 1.0,
    "log_density": 1.5,
    "log_area": 0.5,
    "centrality": 2.0,
    "need_index": 1.5,
    "need_grunnskole": 0.25,
    "need_barnehage": 0.25,
    "need_pleie_og_omsorg": 0.25,
    "need_barnevern": 0.25,
    "need_sosiale_tjenester": 0.25,
    "need_kommunehelse": 0.25,
    "need_administrasjon": 0.25,
    "free_income_per_capita": 1.0,
}
#: Categorical features: name → weight.
CATEGORICAL_WEIGHTS: dict[str, float] = {"kostra_group": 1.0, "robek": 0.25}
DEFAULT_WEIGHTS: dict[str, float] = {**NUMERIC_WEIGHTS, **CATEGORICAL_WEIGHTS}

#: The features' names: messages ``similar.feature.<feature>`` of :mod:`kostra.i18n`.
FEATURE_LABELS = Words(
    "similar.feature",
    (
        "log_population",
        "share_0_5",
        "share_6_15",
        "share_67_79",
        "share_80_plus",
        "growth_5y",
        "log_density",
        "log_area",
        "centrality",
        "need_index",
        "need_grunnskole",
        "need_barnehage",
        "need_pleie_og_omsorg",
        "need_barnevern",
        "need_sosiale_tjenester",
        "need_kommunehelse",
        "need_administrasjon",
        "free_income_per_capita",
        "kostra_group",
        "robek",
    ),
)

_AGE_SHARES = {
    "share_0_5": "0-5",
    "share_6_15": "6-15",
    "share_67_79": "67-79",
    "share_80_plus": "80+",
}

SIMILAR_COLUMNS: tuple[str, ...] = ("rank", "region", "distance")


def structural_features(
    population: pl.DataFrame,
    facts: pl.DataFrame,
    need_index: pl.DataFrame,
    groups: pl.DataFrame,
    *,
    year: int,
    growth_years: int = 5,
    free_income: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per municipality: ``region`` and the features of :data:`DEFAULT_WEIGHTS`,
    plus ``population``, ``area_km2`` and ``density`` in plain units for display.

    ``population``: ``region, year, age_group, population`` for ``year`` and
    ``year - growth_years`` (age groups total, 0-5, 6-15, 67-79, 80+), all on one set of
    borders; ``facts``: ``code, centrality, robek_2024, area_km2`` on the same codes;
    ``need_index``: ``region, sector, need_index`` of one need year (``total`` and sectors);
    ``groups``: ``code, kostra_group``; ``free_income`` (optional): ``region, value``.
    Missing inputs stay missing (null), never 0.
    """
    now = population.filter(pl.col("year") == year)
    total = now.filter(pl.col("age_group") == "total").select(
        "region", pl.col("population").alias("population")
    )
    before = population.filter(
        (pl.col("year") == year - growth_years) & (pl.col("age_group") == "total")
    ).select("region", pl.col("population").alias("_before"))
    frame = total.join(before, on="region", how="left")
    for name, group in _AGE_SHARES.items():
        part = now.filter(pl.col("age_group") == group).select(
            "region", pl.col("population").alias(f"_{name}")
        )
        frame = frame.join(part, on="region", how="left").with_columns(
            (pl.col(f"_{name}") / pl.col("population")).alias(name)
        )
    needs = need_index.with_columns(
        pl.when(pl.col("sector") == "total")
        .then(pl.lit("need_index"))
        .otherwise(pl.lit("need_") + pl.col("sector"))
        .alias("feature")
    ).filter(pl.col("feature").is_in(list(NUMERIC_WEIGHTS)))
    wide_needs = needs.pivot(on="feature", index="region", values="need_index")
    frame = (
        frame.join(
            facts.select(
                pl.col("code").alias("region"),
                pl.col("centrality").cast(pl.Float64),
                pl.col("robek_2024").cast(pl.Utf8).alias("robek"),
                "area_km2",
            ),
            on="region",
            how="left",
        )
        .join(wide_needs, on="region", how="left")
        .join(
            groups.select(pl.col("code").alias("region"), "kostra_group"),
            on="region",
            how="left",
        )
        .with_columns(
            pl.when(pl.col("area_km2") > 0)
            .then(pl.col("population") / pl.col("area_km2"))
            .alias("density"),
            pl.when(pl.col("population") > 0)
            .then(pl.col("population").log())
            .alias("log_population"),
            pl.when(pl.col("area_km2") > 0).then(pl.col("area_km2").log()).alias("log_area"),
            pl.when(pl.col("_before") > 0)
            .then(pl.col("population") / pl.col("_before") - 1.0)
            .alias("growth_5y"),
        )
        .with_columns(
            pl.when(pl.col("density") > 0).then(pl.col("density").log()).alias("log_density")
        )
    )
    if free_income is not None and free_income.height:
        frame = frame.join(
            free_income.select("region", pl.col("value").alias("free_income_per_capita")),
            on="region",
            how="left",
        )
    numeric = [name for name in NUMERIC_WEIGHTS if name in frame.columns]
    for name in NUMERIC_WEIGHTS:
        if name not in frame.columns and name != "free_income_per_capita":
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
            numeric.append(name)
    keep = ["region", "population", "area_km2", "density", *numeric, *CATEGORICAL_WEIGHTS]
    return frame.select(keep).sort("region")


def used_weights(
    features: pl.DataFrame, weights: Mapping[str, float] | None = None
) -> pl.DataFrame:
    """The weights a distance over ``features`` uses: ``feature, kind, weight, share`` (share
    of the total weight), features absent from ``features`` left out."""
    chosen = dict(weights or DEFAULT_WEIGHTS)
    rows = [
        (name, "categorical" if name in CATEGORICAL_WEIGHTS else "numeric", float(w))
        for name, w in chosen.items()
        if name in features.columns and w > 0
    ]
    total = sum(w for _, _, w in rows) or 1.0
    return pl.DataFrame(
        [(n, k, w, w / total) for n, k, w in rows],
        schema={"feature": pl.Utf8, "kind": pl.Utf8, "weight": pl.Float64, "share": pl.Float64},
        orient="row",
    )


def similar_municipalities(
    features: pl.DataFrame,
    municipality: str,
    *,
    n: int = 10,
    weights: Mapping[str, float] | None = None,
) -> pl.DataFrame:
    """The ``n`` municipalities nearest to ``municipality`` by the standardised weighted
    distance (module docstring): ``rank`` (1 = most similar), ``region``, ``distance``, and
    the display and feature columns of ``features``. The municipality itself is left out.

    Raises ``KeyError`` when ``municipality`` has no row in ``features``.
    """
    # imported here: the workbench and the report import this module for its labels, and a
    # report read from the computed year needs numpy nowhere else
    import numpy as np

    table = used_weights(features, weights)
    regions = features["region"].to_list()
    if municipality not in regions:
        raise KeyError(municipality)
    home = regions.index(municipality)
    numeric = table.filter(pl.col("kind") == "numeric")
    categorical = table.filter(pl.col("kind") == "categorical")
    total_weight = float(table["weight"].sum())
    squared = np.zeros(len(regions))
    used = np.zeros(len(regions))
    for name, weight in numeric.select("feature", "weight").iter_rows():
        values = features[name].cast(pl.Float64).to_numpy()
        finite = np.isfinite(values)
        if finite.sum() < 2:
            continue
        spread = float(np.std(values[finite]))
        if spread == 0 or not math.isfinite(float(values[home])):
            continue
        z = (values - float(np.mean(values[finite]))) / spread
        both = finite & np.isfinite(z[home])
        diff = np.where(both, z - z[home], 0.0)
        squared += weight * diff**2
        used += weight * both
    for name, weight in categorical.select("feature", "weight").iter_rows():
        values = features[name].to_list()
        mine = values[home]
        if mine is None:
            continue
        known = np.array([v is not None for v in values])
        differ = np.array([v is not None and v != mine for v in values], dtype=float)
        squared += weight * 2.0 * differ
        used += weight * known
    # missing features: the distance over the ones at hand, scaled to the full weight
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.sqrt(np.where(used > 0, squared * total_weight / used, np.nan))
    result = (
        features.with_columns(pl.Series("distance", distance))
        .filter((pl.col("region") != municipality) & pl.col("distance").is_not_nan())
        .sort("distance", "region")
        .head(n)
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int32))
    )
    return result.select(*SIMILAR_COLUMNS, *[c for c in features.columns if c != "region"])
