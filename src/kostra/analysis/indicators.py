"""Evaluate the catalog's key figures from the long observation frame.

:func:`evaluate` turns observations (``kostra.frames``) and 1 January population into one row
per indicator, region and year::

    indicator_id  Utf8     catalog id
    region        Utf8     region code on the requested borders
    year          Int32    accounting / statistics year t
    value         Float64  the key figure; null when an input is missing or suppressed
    numerator     Float64  Σ numerator series × scale (formulas), value × weight (weighted ready
                           ratios), null for ready ratios averaged simply
    denominator   Float64  Σ denominator series, inhabitants, or the weight
    status        Utf8     SSB symbol explaining a null value (never set on a number)
    series_break  Boolean  the region's series crosses a merger/split between t and ``borders``
    preliminary   Boolean  an input is preliminary (when the observations say so)
    estimated_denominator
                  Boolean  the inhabitants in ``denominator`` are estimated: a unit merged on
                           1 January t + offset, shared out by
                           :func:`kostra.geography.accounting_year_population`; false otherwise

Invariant: wherever ``numerator`` and ``denominator`` are given, ``value = numerator /
denominator``; the formula's ``scale`` and a population reference's ``per`` are folded into
the numerator, so a weighted peer average is always ``Σ numerator / Σ denominator``.

Harmonisation to ``borders`` (via :func:`kostra.geography.harmonise`):

* formulas: numerator and denominator amounts are summed over a merger's predecessors (split
  parts population-weighted) and the ratio is recomputed; a population denominator is taken on
  the target borders;
* ready ratios with ``weight_by``: recomputed as Σ(value × weight) / Σ weight over the
  predecessors, i.e. weighted by the weight series or the ``weight_by`` population (1 January
  t + offset; 1 January t where the code did not exist at t + offset, as at a reform);
* ready ratios without a weight cannot be combined: a merged region gets a null value with
  status ``"."`` and ``series_break`` set (methodology §7: shown only from the break on);
  renumbered regions and split parts keep their value.

A suppressed or absent input makes the figure null with the input's SSB symbol (``".."`` when
no row exists at all); it never becomes 0.

SSB's full grid is accepted as delivered: the empty cells of a code in a year it did not exist
(``"."`` for Asker 3025 in 2015) are not applicable and dropped on entry
(:func:`kostra.geography.drop_not_applicable`), so they give no row, on the observed codes and
on any ``borders`` alike; an empty cell of a code that did exist stays missing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from kostra.analysis._common import (
    MISSING_STATUS,
    NOT_APPLICABLE_STATUS,
    STATUS_PRIORITY,
)
from kostra.catalog.models import Catalog, Indicator, PopulationRef, SeriesRef
from kostra.frames import encode_dims

Harmoniser = Callable[..., pl.DataFrame]

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.Utf8(),
    "region": pl.Utf8(),
    "year": pl.Int32(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "status": pl.Utf8(),
    "series_break": pl.Boolean(),
    "preliminary": pl.Boolean(),
    "estimated_denominator": pl.Boolean(),
}

_EPS = 1e-9
_STATUS_COLUMNS = [f"_st{i}" for i in range(len(STATUS_PRIORITY))]
# ``_est``: the population denominator is an estimate (a unit merged on 1 January t + offset).
_SUM_COLUMNS = [
    "_num", "_den", "_val", "_nsrc", "_miss", "_wmiss", "_prelim", "_est", *_STATUS_COLUMNS
]  # fmt: skip


def _series_rows(number: int, role: str, refs: Iterable[SeriesRef]) -> list[dict[str, Any]]:
    return [
        {
            "indicator_id": number,
            "role": role,
            "table_id": ref.table_id,
            "contents_code": ref.contents_code,
            "dims": encode_dims(ref.dims),
            "scale": float(ref.scale),
        }
        for ref in refs
    ]


def _specs(indicators: Iterable[Indicator]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Three small frames describing what each indicator reads: series, population, kind."""
    series: list[dict[str, Any]] = []
    population: list[dict[str, Any]] = []
    kinds: list[dict[str, Any]] = []
    for number, ind in enumerate(indicators):
        n_num = n_den = 0
        factor = 1.0
        den_pop = wgt_pop = False
        if ind.formula is not None:
            kind = "formula"
            factor = ind.formula.scale
            series += _series_rows(number, "num", ind.formula.numerator)
            n_num = len(ind.formula.numerator)
            den = ind.formula.denominator
            if isinstance(den, PopulationRef):
                den_pop = True
                factor *= den.per
                population.append(
                    {
                        "indicator_id": number,
                        "role": "den",
                        "age_group": den.age_group,
                        "offset": den.offset,
                    }
                )
            else:
                series += _series_rows(number, "den", den)
                n_den = len(den)
        else:
            assert ind.source is not None
            series += _series_rows(number, "val", [ind.source])
            kind = "ready"
            if ind.weight_by is not None:
                kind = "weighted"
                if isinstance(ind.weight_by, PopulationRef):
                    wgt_pop = True
                    population.append(
                        {
                            "indicator_id": number,
                            "role": "wgt",
                            "age_group": ind.weight_by.age_group,
                            "offset": ind.weight_by.offset,
                        }
                    )
                else:
                    series += _series_rows(number, "wgt", [ind.weight_by])
        kinds.append(
            {
                "indicator_id": number,
                "kind": kind,
                "factor": factor,
                "n_num": n_num,
                "n_den": n_den,
                "den_pop": den_pop,
                "wgt_pop": wgt_pop,
            }
        )
    series_frame = pl.DataFrame(
        series,
        schema={
            "indicator_id": pl.Int32,
            "role": pl.Utf8,
            "table_id": pl.Utf8,
            "contents_code": pl.Utf8,
            "dims": pl.Utf8,
            "scale": pl.Float64,
        },
    )
    population_frame = pl.DataFrame(
        population,
        schema={
            "indicator_id": pl.Int32,
            "role": pl.Utf8,
            "age_group": pl.Utf8,
            "offset": pl.Int32,
        },
    )
    kind_frame = pl.DataFrame(
        kinds,
        schema={
            "indicator_id": pl.Int32,
            "kind": pl.Utf8,
            "factor": pl.Float64,
            "n_num": pl.Int32,
            "n_den": pl.Int32,
            "den_pop": pl.Boolean,
            "wgt_pop": pl.Boolean,
        },
    )
    return series_frame, population_frame, kind_frame


def _population_for(
    keys: pl.DataFrame, pop_spec: pl.DataFrame, population: pl.DataFrame, role: str
) -> pl.DataFrame:
    """Population of each key's age group on 1 January t + offset, falling back to t.

    The fallback matters only for weights on original codes: at a reform (t = 2019, 2023) the
    codes of year t do not exist on 1 January t + 1.
    """
    spec = pop_spec.filter(pl.col("role") == role)
    wanted = keys.join(spec.drop("role"), on="indicator_id", how="inner")
    pop = population.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32).alias("_pop_year"),
        pl.col("age_group").cast(pl.Utf8),
        pl.col("population").cast(pl.Float64),
    )
    ahead = wanted.with_columns((pl.col("year") + pl.col("offset")).alias("_pop_year")).join(
        pop, on=["region", "_pop_year", "age_group"], how="left"
    )
    same = (
        wanted.with_columns(pl.col("year").alias("_pop_year"))
        .join(pop, on=["region", "_pop_year", "age_group"], how="left")
        .select("indicator_id", "region", "year", pl.col("population").alias("_fallback"))
    )
    return ahead.join(same, on=["indicator_id", "region", "year"], how="left").select(
        "indicator_id",
        "region",
        "year",
        pl.col("population").alias("_pop"),
        pl.col("_fallback"),
    )


def _accounting_population(
    keys: pl.DataFrame, pop_spec: pl.DataFrame, population: pl.DataFrame, geography: Any
) -> pl.DataFrame:
    """Denominator population of each key: 1 January t + offset on the borders of year t.

    A code of year t that no longer exists on 1 January t + 1 (merged or renumbered at a
    reform) gets the population of its area on that date, as SSB does; see
    :func:`kostra.geography.accounting_year_population` for the estimate used for mergers.
    """
    spec = pop_spec.filter(pl.col("role") == "den")
    wanted = keys.join(spec.drop("role"), on="indicator_id", how="inner")
    schema = {
        "indicator_id": pl.Int32,
        "region": pl.Utf8,
        "year": pl.Int32,
        "den_population": pl.Float64,
        "den_estimated": pl.Boolean,
    }
    if wanted.height == 0:
        return pl.DataFrame(schema=schema)
    regions = wanted["region"].unique().implode()
    parts = []
    for offset in sorted(wanted["offset"].unique().to_list()):
        these = wanted.filter(pl.col("offset") == offset)
        shifted = geography.accounting_year_population(
            population, these["year"].unique().to_list(), offset=int(offset)
        ).filter(pl.col("region").is_in(regions))
        parts.append(
            these.join(
                shifted.select("region", "year", "age_group", "population", "estimated"),
                on=["region", "year", "age_group"],
                how="left",
            ).select(
                pl.col("indicator_id").cast(pl.Int32),
                "region",
                pl.col("year").cast(pl.Int32),
                pl.col("population").cast(pl.Float64).alias("den_population"),
                pl.col("estimated").fill_null(False).alias("den_estimated"),
            )
        )
    return pl.concat(parts)


def _unmovable(population: pl.DataFrame, borders: int, geography: Any) -> pl.DataFrame:
    """``region, year`` of population rows after ``borders`` whose unit was formed by a merger
    since then (e.g. 2020 counts on the borders of 2019)."""
    parts = []
    for year in sorted(population["year"].unique().to_list()):
        if year <= borders or year > 2026:
            continue
        links: pl.DataFrame = geography.mapping(int(year), borders)
        parts.append(
            links.filter(pl.col("to_code").is_null()).select(
                pl.col("from_code").alias("region"), pl.lit(year, dtype=pl.Int32).alias("year")
            )
        )
    if not parts:
        return pl.DataFrame(schema={"region": pl.Utf8, "year": pl.Int32})
    return pl.concat(parts)


def _late_population(
    keys: pl.DataFrame,
    pop_spec: pl.DataFrame,
    population: pl.DataFrame,
    borders: int,
    geography: Any,
    harmonise: Harmoniser,
) -> pl.DataFrame:
    """Denominators of accounting years t with t + offset after ``borders``: 1 January t + offset
    on the borders of t (:func:`_accounting_population`), then moved to ``borders`` like the
    observations of year t."""
    spec = pop_spec.filter(pl.col("role") == "den")
    wanted = keys.join(spec.drop("role"), on="indicator_id", how="inner").filter(
        (pl.col("year") + pl.col("offset") > borders) & pl.col("region").str.contains(r"^\d{4}$")
    )
    schema = {
        "indicator_id": pl.Int32,
        "region": pl.Utf8,
        "year": pl.Int32,
        "den_population": pl.Float64,
        "den_estimated": pl.Boolean,
    }
    parts = [pl.DataFrame(schema=schema)]
    for offset in sorted(wanted["offset"].unique().to_list()):
        these = wanted.filter(pl.col("offset") == offset)
        shifted = geography.accounting_year_population(
            population, these["year"].unique().to_list(), offset=int(offset)
        ).filter(pl.col("region").str.contains(r"^\d{4}$"))
        moved = harmonise(
            shifted.select(
                "region",
                "year",
                "age_group",
                "population",
                pl.col("estimated").cast(pl.Float64).alias("_est"),
            ),
            borders,
            sum_columns=["population", "_est"],
        )
        parts.append(
            these.join(
                moved.select("region", "year", "age_group", "population", "_est"),
                on=["region", "year", "age_group"],
                how="left",
            ).select(
                pl.col("indicator_id").cast(pl.Int32),
                "region",
                pl.col("year").cast(pl.Int32),
                pl.col("population").cast(pl.Float64).alias("den_population"),
                (pl.col("_est").fill_null(0.0) > _EPS).alias("den_estimated"),
            )
        )
    return pl.concat(parts)


def evaluate(
    observations: pl.DataFrame,
    population: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    *,
    years: Iterable[int] | None = None,
    borders: int | None = None,
    harmonise: Harmoniser | None = None,
) -> pl.DataFrame:
    """Evaluate every indicator of ``catalog`` for every region and year in ``observations``.

    ``observations`` is the long observation frame (extra columns such as ``preliminary`` are
    used when present). ``population`` is ``region, year, age_group, population`` (1 January)
    on the codes valid in each year, as ``kostra.geography.population(years)`` gives it.
    ``years`` limits the result (``None``: every year observed). ``borders`` moves the result to
    that year's municipality borders (``None``: codes as observed, no harmonisation).
    ``harmonise`` defaults to :func:`kostra.geography.harmonise`; tests may pass their own.
    See the module docstring for the result's columns and the harmonisation rules.
    """
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    series_spec, pop_spec, kind_spec = _specs(indicators)
    year_list = sorted(set(years)) if years is not None else None

    obs = observations
    if year_list is not None:
        obs = obs.filter(pl.col("year").is_in(year_list))
    prelim = (
        pl.col("preliminary").fill_null(False).cast(pl.Boolean)
        if "preliminary" in obs.columns
        else pl.lit(False)
    )
    obs = obs.select(
        pl.col("table_id").cast(pl.Utf8),
        pl.col("contents_code").cast(pl.Utf8),
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("dims").cast(pl.Utf8).fill_null(""),
        pl.col("value").cast(pl.Float64),
        pl.col("status").cast(pl.Utf8),
        prelim.alias("preliminary"),
    )
    # Imported late: geography loads its packaged code tables on first use.
    geography = importlib.import_module("kostra.geography")
    # SSB lists every code of a table's lifetime in every year, "." where it did not exist:
    # such cells are not applicable, not missing, and leave no row (docs/DATA.md, "Full grid").
    obs = geography.drop_not_applicable(obs)
    rank_of = {symbol: index for index, symbol in enumerate(STATUS_PRIORITY)}
    parts = (
        obs.lazy().join(series_spec.lazy(), on=["table_id", "contents_code", "dims"], how="inner")
    ).select(
        "indicator_id",
        "role",
        # Categorical while grouping ~10⁶ rows: integer hashing instead of strings
        pl.col("region").cast(pl.Categorical()),
        "year",
        (pl.col("value") * pl.col("scale")).alias("value"),
        # the priority of a missing input's symbol (absent symbol: "not available")
        pl.when(pl.col("value").is_null())
        .then(
            pl.col("status")
            .fill_null(MISSING_STATUS)
            .replace_strict(rank_of, default=rank_of[MISSING_STATUS], return_dtype=pl.Int8)
        )
        .alias("_rank"),
        "preliminary",
    )

    def role(name: str) -> list[pl.Expr]:
        sel = pl.col("role") == name
        return [
            pl.when(sel).then(pl.col("value")).sum().alias(f"{name}_total"),
            sel.sum().cast(pl.Int32).alias(f"{name}_n"),
            (sel & pl.col("value").is_null()).sum().cast(pl.Int32).alias(f"{name}_null"),
        ]

    # One pass over the joined rows: every role's sum, count and missing count per key.
    wide = (
        parts.group_by("indicator_id", "region", "year")
        .agg(
            *role("num"),
            *role("den"),
            *role("val"),
            *role("wgt"),
            pl.col("_rank").min().alias("_rank"),
            pl.col("preliminary").any().alias("preliminary"),
        )
        .with_columns(
            *[
                pl.when((pl.col(f"{name}_n") > 0) & (pl.col(f"{name}_null") == 0))
                .then(pl.col(f"{name}_total"))
                .alias(f"{name}_total")
                for name in ("num", "den", "val", "wgt")
            ],
            pl.col("_rank")
            .replace_strict(
                {index: symbol for symbol, index in rank_of.items()},
                default=None,
                return_dtype=pl.Utf8,
            )
            .alias("in_status"),
        )
        .drop("_rank")
        .with_columns(pl.col("region").cast(pl.Utf8))
        .join(kind_spec.lazy(), on="indicator_id", how="left")
        .collect()
    )
    # A key exists only where a numerator or ready value was observed: a region with only a
    # denominator has nothing to show.
    wide = wide.filter((pl.col("num_n") > 0) | (pl.col("val_n") > 0))

    keys = wide.select("indicator_id", "region", "year")
    # The country, the country without Oslo and the counties are sums of the municipalities
    # where the frame does not give them.
    population = geography.with_aggregates(population)
    pop_orig = population.filter(pl.col("region").is_in(keys["region"].unique().implode()))
    weights = _population_for(keys, pop_spec, pop_orig, "wgt")
    wide = wide.join(weights, on=["indicator_id", "region", "year"], how="left").with_columns(
        pl.when(pl.col("wgt_pop"))
        .then(pl.coalesce("_pop", "_fallback"))
        .otherwise(pl.col("wgt_total"))
        .alias("weight")
    )
    wide = wide.drop("_pop", "_fallback")
    if borders is None:
        dens = _accounting_population(keys, pop_spec, population, geography)
        wide = wide.join(dens, on=["indicator_id", "region", "year"], how="left")
    else:
        wide = wide.with_columns(
            pl.lit(None, dtype=pl.Float64).alias("den_population"),
            pl.lit(False).alias("den_estimated"),
        )

    num_ok = (pl.col("num_n") == pl.col("n_num")) & (pl.col("num_null") == 0)
    den_series_ok = (pl.col("den_n") == pl.col("n_den")) & (pl.col("den_null") == 0)
    val_ok = (pl.col("val_n") > 0) & (pl.col("val_null") == 0)
    formula = pl.col("kind") == "formula"
    # With ``borders`` the population denominator is joined after harmonisation (target codes).
    den_ok = (
        pl.when(pl.col("den_pop"))
        .then(pl.col("den_population").is_not_null() | pl.lit(borders is not None))
        .otherwise(den_series_ok)
    )
    denominator = pl.when(pl.col("den_pop")).then("den_population").otherwise("den_total")
    missing = pl.when(formula).then(~(num_ok & den_ok)).otherwise(~val_ok)
    # The status of a missing figure: the inputs' symbol, or ".." when an input row is absent.
    status = pl.when(missing).then(pl.coalesce("in_status", pl.lit(MISSING_STATUS)))
    numerator = pl.col("factor") * pl.col("num_total")
    pre = wide.with_columns(
        pl.when(formula)
        .then(numerator)
        .when(pl.col("kind") == "weighted")
        .then(pl.col("val_total") * pl.col("weight"))
        .otherwise(pl.col("val_total"))
        .alias("_num"),
        pl.when(formula)
        .then(denominator)
        .when(pl.col("kind") == "weighted")
        .then(pl.col("weight"))
        .otherwise(pl.lit(1.0))
        .alias("_den"),
        pl.when(formula)
        .then(pl.when(denominator.is_not_null() & (denominator != 0)).then(numerator / denominator))
        .otherwise(pl.col("val_total"))
        .alias("_val"),
        missing.cast(pl.Float64).alias("_miss"),
        ((pl.col("kind") == "weighted") & pl.col("weight").is_null())
        .cast(pl.Float64)
        .alias("_wmiss"),
        pl.col("preliminary").cast(pl.Float64).alias("_prelim"),
        (formula & pl.col("den_pop") & pl.col("den_estimated"))
        .fill_null(False)
        .cast(pl.Float64)
        .alias("_est"),
        pl.lit(1.0).alias("_nsrc"),
        *[
            (status == symbol).fill_null(False).cast(pl.Float64).alias(column)
            for symbol, column in zip(STATUS_PRIORITY, _STATUS_COLUMNS, strict=True)
        ],
    ).select("indicator_id", "region", "year", "kind", "den_pop", *_SUM_COLUMNS)
    # Sums over a merger's predecessors must not silently skip nulls: the flags above say what
    # was missing, so null amounts can safely become 0 for the summation only.
    pre = pre.with_columns(pl.col(c).fill_null(0.0) for c in ("_num", "_den", "_val"))

    if borders is None:
        moved = pre.with_columns(pl.lit(False).alias("series_break"))
    else:
        if harmonise is None:
            harmonise = geography.harmonise
        moved = harmonise(
            pre.drop("kind", "den_pop"),
            borders,
            sum_columns=_SUM_COLUMNS,
        )
        moved = moved.join(kind_spec.select("indicator_id", "kind", "den_pop"), on="indicator_id")
        # harmonise nulls every sum of a target whose predecessor has no row: not available
        incomplete = pl.col("_nsrc").is_null()
        missing_column = _STATUS_COLUMNS[STATUS_PRIORITY.index(MISSING_STATUS)]
        moved = moved.with_columns(
            pl.when(incomplete).then(1.0).otherwise(pl.col("_miss")).alias("_miss"),
            pl.when(incomplete).then(1.0).otherwise(pl.col(missing_column)).alias(missing_column),
            pl.col("_nsrc").fill_null(1.0),
            *[
                pl.col(c).fill_null(0.0)
                for c in _SUM_COLUMNS
                if c not in ("_nsrc", "_miss", missing_column)
            ],
        )
        pop_frame = population.select(
            pl.col("region").cast(pl.Utf8),
            pl.col("year").cast(pl.Int32),
            pl.col("age_group").cast(pl.Utf8),
            pl.col("population").cast(pl.Float64),
        )
        # A unit formed by a merger after ``borders`` cannot be taken back to its parts: its
        # count is left out here, and the accounting years that need it get the population of
        # their own area instead (below).
        stuck = _unmovable(pop_frame, borders, geography)
        pop_target = harmonise(
            pop_frame.join(stuck, on=["region", "year"], how="anti"),
            borders,
            sum_columns=["population"],
        ).select("region", "year", "age_group", "population")
        target_keys = moved.select("indicator_id", "region", "year")
        dens = _population_for(target_keys, pop_spec, pop_target, "den").select(
            "indicator_id",
            "region",
            "year",
            pl.col("_pop").alias("den_population"),
            pl.lit(False).alias("den_estimated"),
        )
        # Aggregate regions keep the codes of their year: their denominator is the population
        # of 1 January t + offset of the year-t area (the counties of 2023 on 1 January 2024).
        aggregate_keys = target_keys.filter(~pl.col("region").str.contains(r"^\d{4}$"))
        if aggregate_keys.height:
            shifted = _accounting_population(aggregate_keys, pop_spec, population, geography)
            dens = (
                dens.join(shifted, on=["indicator_id", "region", "year"], how="left")
                .with_columns(
                    pl.coalesce("den_population_right", "den_population").alias("den_population"),
                    pl.when(pl.col("den_population_right").is_not_null())
                    .then(pl.col("den_estimated_right"))
                    .otherwise(pl.col("den_estimated"))
                    .alias("den_estimated"),
                )
                .drop("den_population_right", "den_estimated_right")
            )
        if stuck.height:
            late = _late_population(
                dens.filter(pl.col("den_population").is_null()).select(
                    "indicator_id", "region", "year"
                ),
                pop_spec,
                pop_frame,
                borders,
                geography,
                harmonise,
            )
            dens = (
                dens.join(late, on=["indicator_id", "region", "year"], how="left")
                .with_columns(
                    pl.coalesce("den_population", "den_population_right").alias("den_population"),
                    pl.when(pl.col("den_population").is_null())
                    .then(pl.col("den_estimated_right").fill_null(False))
                    .otherwise(pl.col("den_estimated"))
                    .alias("den_estimated"),
                )
                .drop("den_population_right", "den_estimated_right")
            )
        absent = (pl.col("den_pop") & pl.col("den_population").is_null()).cast(pl.Float64)
        moved = moved.join(dens, on=["indicator_id", "region", "year"], how="left").with_columns(
            pl.when(pl.col("den_pop"))
            .then(pl.col("den_population"))
            .otherwise(pl.col("_den"))
            .alias("_den"),
            (pl.col("_miss") + absent).alias("_miss"),
            (pl.col(missing_column) + absent).alias(missing_column),
            ((pl.col("kind") == "formula") & pl.col("den_pop") & pl.col("den_estimated"))
            .fill_null(False)
            .cast(pl.Float64)
            .alias("_est"),
        )
        moved = moved.drop("den_population", "den_estimated")
    return _finish(moved, year_list, [ind.id for ind in indicators])


def _finish(moved: pl.DataFrame, year_list: list[int] | None, ids: list[str]) -> pl.DataFrame:
    """Values, numerators and statuses after (possible) harmonisation."""
    single = pl.col("_nsrc") <= 1.0 + _EPS
    missing = pl.col("_miss") > _EPS
    kind = pl.col("kind")
    # A ready ratio merged without weights (or with a missing weight) cannot be formed.
    unmergeable = ~single & ((kind == "ready") | ((kind == "weighted") & (pl.col("_wmiss") > _EPS)))
    ratio = pl.when(pl.col("_den") != 0).then(pl.col("_num") / pl.col("_den"))
    value = (
        pl.when(missing | unmergeable)
        .then(None)
        .when(kind == "formula")
        .then(ratio)
        .when(single)
        .then(pl.col("_val") / pl.col("_nsrc"))
        .otherwise(ratio)
    )
    has_num = (kind != "ready") & ~missing & ~((kind == "weighted") & (pl.col("_wmiss") > _EPS))
    symbol = pl.coalesce(
        *[
            pl.when(pl.col(column) > _EPS).then(pl.lit(sym))
            for sym, column in zip(STATUS_PRIORITY, _STATUS_COLUMNS, strict=True)
        ]
    )
    out = moved.with_columns(value.alias("value")).with_columns(
        pl.when(has_num & pl.col("value").is_not_null()).then("_num").alias("numerator"),
        pl.when(has_num & pl.col("value").is_not_null()).then("_den").alias("denominator"),
        pl.when(pl.col("value").is_null())
        .then(pl.coalesce(symbol, pl.lit(NOT_APPLICABLE_STATUS)))
        .alias("status"),
        (pl.col("series_break").fill_null(False) | ~single).alias("series_break"),
        (pl.col("_prelim") > _EPS).alias("preliminary"),
    )
    out = out.with_columns(
        (pl.col("denominator").is_not_null() & (pl.col("_est") > _EPS)).alias(
            "estimated_denominator"
        )
    )
    if year_list is not None:
        out = out.filter(pl.col("year").is_in(year_list))
    # Rows come in no particular order: sorting half a million rows costs more than every
    # consumer's own selection.
    out = out.with_columns(
        pl.col("indicator_id").replace_strict(dict(enumerate(ids)), return_dtype=pl.Utf8)
    )
    return out.select([pl.col(name).cast(dtype) for name, dtype in RESULT_SCHEMA.items()])


def empty_result() -> pl.DataFrame:
    """An evaluated-indicator frame with no rows."""
    return pl.DataFrame(schema=RESULT_SCHEMA)
