"""Kommunebarometer-style ranking: grades 1–6, sector and total ranks, explanations, uncertainty.

Pure functions: an indicator-value frame (``indicator_id, region, year, value``, as
:func:`kostra.analysis.indicators.evaluate` returns it) and the catalog in, frames out.

Method (``methodology.md`` §6; [C] confirmed, [D] our documented default, a parameter here):

* Every barometer indicator of the catalog (``Indicator.barometer`` set, direction not neutral) is
  graded 1–6 for every municipality of a year [C]. ``current`` method (from 2019) [C/D]: 3.5 at the
  national mean μ, 6 at the "best" cut-off b, 1 at the "worst" w, linear on each side,
  ``g = 3.5 + 2.5 (x−μ)/(b−μ)`` above μ and ``g = 3.5 − 2.5 (μ−x)/(μ−w)`` below, clipped to
  [1, 6]; ``pre2019``: ``g = 1 + 5 (x−w)/(b−w)``, clipped. Lower-is-better indicators are graded
  on −x (mirrored). Cut-offs [D]: :class:`ScoringParams` — by default the mean of the best and of
  the worst 10 % of municipalities after trimming 2 % at each end; μ unweighted.
* Sector score: weighted mean of the grades, indicator weights from the catalog, renormalised over
  the indicators a municipality has [C]; ranked only with data for at least 60 % of the sector's
  weight among the indicators graded that year [C: 60 % of indicators; D: measured by weight].
* Total: sector scores weighted by the sector weights of ``data/barometer_weights.toml``
  (published 2019–2021 weights) [C], renormalised over the sectors a municipality is ranked in,
  ranked with at least 60 % of the sector weight [D]. Income adjustment [D]: OLS of the total on
  free income per inhabitant across ranked municipalities of the year; residual + mean is ranked.
* Ties [D]: scores are rounded to ``ScoringParams.tie_decimals`` decimals before ranking;
  equal rounded scores share the best place of the group and the next place skips
  ("min"/competition ranking: 1, 2, 2, 4). Otherwise ranks run 1..N without gaps.
* Uncertainty (not in the published barometer) [D]: :func:`rank_intervals` resamples the indicator
  weights (Dirichlet around the defaults), the sector weights, the cut-offs (trimming and tail
  share) and optional measurement noise, all as array operations, and reports the 5–95 % range of
  each municipality's place.

Only municipalities (four-digit region codes) are graded; aggregates such as ``EAK`` are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from kostra import i18n
from kostra.analysis._barometer import kernel, text
from kostra.analysis._barometer.model import (  # re-exported: the API of this module
    MAX_RESAMPLES,
    MUNICIPALITY,
    TOTAL,
    BarometerConfig,
    BarometerItem,
    BarometerResult,
    CutoffRule,
    MeanRule,
    Method,
    ResamplingParams,
    ScoringParams,
    SectorInfo,
    _resolve_items,
    barometer_items,
    check_resamples,
    income_indicator_id,
    kostnadsniva_items,
    load_config,
)
from kostra.catalog.models import BarometerSector, Catalog

__all__ = [
    "MAX_RESAMPLES",
    "TOTAL",
    "BarometerConfig",
    "BarometerItem",
    "BarometerResult",
    "CutoffRule",
    "Explanation",
    "MeanRule",
    "Method",
    "ResamplingParams",
    "ScoringParams",
    "SectorInfo",
    "barometer_items",
    "breaks_on_borders",
    "check_resamples",
    "explain",
    "income_indicator_id",
    "index_regions_from_history",
    "kostnadsniva_items",
    "load_config",
    "need_correct",
    "predecessors_from_history",
    "rank_changes",
    "rank_intervals",
    "rank_municipalities",
    "ranking_table",
]


def need_correct(
    values: pl.DataFrame,
    catalog: Catalog,
    need_index: pl.DataFrame,
    *,
    need_year: int | None = None,
    need_year_offset: int = 1,
    index_regions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Divide the kostnadsnivå indicators' values by their sector's expenditure-need index.

    Kommunebarometeret's kostnadsnivå [C] is NDU per inhabitant / the sector's need index for the
    year after the accounting year (``need_year_offset``; the nearest available year otherwise,
    as :func:`kostra.analysis.need.choose_need_year` chooses). The catalog's indicators in the
    kostnadsnivå barometer sector hold NDU per inhabitant; their catalog ``sector`` names the
    need-index sector. ``need_index``: ``need_year, region, sector, need_index``.
    ``index_regions`` (``region, year, index_region``) maps codes of earlier years to the codes
    the index is published for (e.g. a renumbered municipality to its 2024 code) [D: a
    municipality that went wholly into a later one takes that one's index]; without it codes are
    matched as they are. A value without an index becomes null: it is not graded, never guessed.
    Other indicators pass through unchanged. Returns ``values`` with the same columns.
    """
    from kostra.analysis.need import choose_need_year

    sectors = {
        i.id: i.sector.value
        for i in catalog.indicators
        if i.barometer is not None and i.barometer.sector == BarometerSector.KOSTNADSNIVA
    }
    if not sectors:
        return values
    target = pl.col("indicator_id").is_in(list(sectors))
    rows = values.filter(target)
    if rows.height == 0:
        return values
    index = need_index.select(
        pl.col("need_year").cast(pl.Int32),
        pl.col("region").cast(pl.Utf8).alias("_index_region"),
        pl.col("sector").cast(pl.Utf8).alias("_need_sector"),
        pl.col("need_index").cast(pl.Float64).alias("_need_index"),
    )
    chosen = choose_need_year(
        rows.get_column("year").unique().to_list(),
        index.get_column("need_year").unique().to_list(),
        need_year=need_year,
        need_year_offset=need_year_offset,
    ).select(pl.col("year").cast(pl.Int32).alias("_year"), "need_year")
    year_dtype = values.schema["year"]
    keyed = rows.with_columns(
        pl.col("year").cast(pl.Int32).alias("_year"),
        pl.col("indicator_id").replace_strict(sectors, return_dtype=pl.Utf8).alias("_need_sector"),
    )
    if index_regions is not None:
        links = index_regions.select(
            pl.col("region").cast(pl.Utf8),
            pl.col("year").cast(pl.Int32).alias("_year"),
            pl.col("index_region").cast(pl.Utf8).alias("_index_region"),
        ).unique(["region", "_year"], keep="first")
        keyed = keyed.join(links, on=["region", "_year"], how="left").with_columns(
            pl.col("_index_region").fill_null(pl.col("region"))
        )
    else:
        keyed = keyed.with_columns(pl.col("region").alias("_index_region"))
    corrected = (
        keyed.join(chosen, on="_year", how="left")
        .join(index, on=["need_year", "_index_region", "_need_sector"], how="left")
        .with_columns(
            pl.when(pl.col("_need_index") > 0)
            .then(pl.col("value") / pl.col("_need_index"))
            .otherwise(None)
            .alias("value")
        )
    )
    if "status" in values.columns:
        # No index: the figure cannot be formed, SSB's "." ("not applicable"), never a number.
        corrected = corrected.with_columns(
            pl.when(pl.col("value").is_null() & pl.col("status").is_null())
            .then(pl.lit("."))
            .otherwise(pl.col("status"))
            .alias("status")
        )
    # numerator/denominator no longer describe the corrected value: drop them, not mislead.
    stale = [c for c in ("numerator", "denominator") if c in values.columns]
    corrected = (
        corrected.with_columns([pl.lit(None, values.schema[c]).alias(c) for c in stale])
        .select(values.columns)
        .with_columns(pl.col("year").cast(year_dtype))
    )
    return pl.concat([values.filter(~target), corrected], how="vertical_relaxed")


def index_regions_from_history(years: Iterable[int], to_year: int) -> pl.DataFrame:
    """``region, year, index_region``: each code of ``years`` that went wholly into one code of
    ``to_year`` (renumbered, or merged into it), from :func:`kostra.geography.mapping`.

    Split parts are left out: a need index cannot be shared out. For :func:`need_correct`.
    """
    from kostra.geography import mapping

    frames = [
        mapping(year, to_year)
        .filter(pl.col("to_code").is_not_null() & (pl.col("weight") >= 1.0 - 1e-9))
        .select(
            pl.col("from_code").alias("region"),
            pl.lit(year, pl.Int32).alias("year"),
            pl.col("to_code").alias("index_region"),
        )
        for year in sorted(set(years))
        if year != to_year
    ]
    schema = {"region": pl.Utf8, "year": pl.Int32, "index_region": pl.Utf8}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


# --------------------------------------------------------------------------- array building


@dataclass(frozen=True)
class _Cube:
    years: list[int]
    regions: list[str]
    items: tuple[BarometerItem, ...]
    sectors: list[str]
    values: kernel.Float  # (Y, M, I)
    exists: kernel.Bool  # (Y, M): the region has any value that year
    population: kernel.Float | None  # (Y, M)


def _population_frame(population: pl.DataFrame) -> pl.DataFrame:
    frame = population
    if "age_group" in frame.columns:
        frame = frame.filter(pl.col("age_group") == "total")
    return frame.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        pl.col("population").cast(pl.Float64),
    ).unique(["region", "year"], keep="first")


def _codes(column: pl.Series, categories: list[str]) -> kernel.Int:
    """Positions of ``column``'s strings in ``categories`` (all present, no duplicates)."""
    return np.asarray(column.cast(pl.Enum(categories)).to_physical().to_numpy(), dtype=np.int64)


def _build_cube(
    values: pl.DataFrame,
    items: tuple[BarometerItem, ...],
    config: BarometerConfig,
    years: Sequence[int] | None,
    population: pl.DataFrame | None,
) -> _Cube:
    missing = [c for c in ("indicator_id", "region", "year", "value") if c not in values.columns]
    if missing:
        raise ValueError(f"indicator-value frame lacks columns {missing}")
    ids = [i.indicator_id for i in items]
    frame = values.select(
        pl.col("indicator_id").cast(pl.Utf8),
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
    ).filter(
        pl.col("indicator_id").is_in(ids)
        & pl.col("region").str.contains(MUNICIPALITY.pattern)
        & pl.col("value").is_not_null()
        & pl.col("value").is_finite()
    )
    if years is not None:
        frame = frame.filter(pl.col("year").is_in([int(y) for y in years]))
    year_list = sorted(frame.get_column("year").unique().to_list())
    region_list = sorted(frame.get_column("region").unique().to_list())
    shape = (len(year_list), len(region_list), len(ids))
    cube = np.full(shape, np.nan)
    if frame.height:
        yi = np.searchsorted(np.array(year_list), frame.get_column("year").to_numpy())
        mi = _codes(frame.get_column("region"), region_list)
        ii = _codes(frame.get_column("indicator_id"), ids)
        flat = (yi * shape[1] + mi) * shape[2] + ii
        if np.bincount(flat, minlength=cube.size).max() > 1:
            raise ValueError(
                "indicator-value frame has more than one value per indicator/region/year"
            )
        cube.ravel()[flat] = frame.get_column("value").to_numpy()
    exists = ~np.isnan(cube).all(axis=-1)
    pop: kernel.Float | None = None
    if population is not None:
        people = _population_frame(population).filter(
            pl.col("region").is_in(region_list) & pl.col("year").is_in(year_list)
        )
        pop = np.full(shape[:2], np.nan)
        if people.height:
            py = np.searchsorted(np.array(year_list), people.get_column("year").to_numpy())
            pm = _codes(people.get_column("region"), region_list)
            pop[py, pm] = people.get_column("population").fill_null(np.nan).to_numpy()
    sectors = [s.id.value for s in config.sectors]
    return _Cube(year_list, region_list, items, sectors, cube, exists, pop)


def _orient(items: Sequence[BarometerItem]) -> kernel.Float:
    return np.array([1.0 if i.direction == "higher_better" else -1.0 for i in items])


def _slices(items: Sequence[BarometerItem], sectors: list[str]) -> tuple[kernel.Int, kernel.Int]:
    """Where each sector's (contiguous) indicators start, and that sector's column."""
    column = np.array([sectors.index(i.sector.value) for i in items], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]]) if column.size else column
    return starts.astype(np.int64), column[starts]


def _membership(items: Sequence[BarometerItem], sectors: list[str]) -> kernel.Float:
    member = np.zeros((len(items), len(sectors)))
    for column, item in enumerate(items):
        member[column, sectors.index(item.sector.value)] = 1.0
    return member


@dataclass(frozen=True)
class _Scored:
    grades: kernel.Float  # (B, M, I)
    cut: kernel.Cutoffs  # oriented units
    sector_score: kernel.Float  # (B, M, S)
    sector_coverage: kernel.Float
    sector_rank: kernel.Float  # (B, M, S)
    total_score: kernel.Float  # (B, M)
    total_coverage: kernel.Float
    total_rank: kernel.Float  # (B, M)


def _score_batch(
    oriented: kernel.Float,
    *,
    params: ScoringParams,
    weights: kernel.Float,
    slices: tuple[kernel.Int, kernel.Int],
    sector_weights: kernel.Float,
    population: kernel.Float | None,
    tail: kernel.Float | float,
    trim: kernel.Float | float,
    presorted: tuple[kernel.Float, kernel.Float, kernel.Int] | None = None,
) -> _Scored:
    """Grades, sector and total scores and ranks for a batch of ``(B, M, I)`` oriented values."""
    pop = population if params.mean == "population" else None
    cut = kernel.cutoffs(
        oriented,
        tail=tail,
        trim=trim,
        cutoff=params.cutoff,
        population=pop,
        min_regions=params.min_regions,
        presorted=presorted,
    )
    grades = kernel.grade(oriented, cut, params.method)
    present = (~np.isnan(cut.mean)).astype(np.float64)  # (B, I)
    starts, columns = slices
    n_sectors = sector_weights.shape[-1]
    score, coverage = kernel.sector_scores(grades, weights, starts, columns, n_sectors, present)
    eps = 1e-9
    ranked = (coverage >= params.min_coverage - eps) & np.isfinite(score)
    ranks = np.swapaxes(
        kernel.rank_min(
            np.swapaxes(score, -1, -2), np.swapaxes(ranked, -1, -2), params.tie_decimals
        ),
        -1,
        -2,
    )
    total, total_cov = kernel.combine(score, ranked, sector_weights)
    total_ranked = (total_cov >= params.min_coverage - eps) & np.isfinite(total)
    total_rank = kernel.rank_min(total, total_ranked, params.tie_decimals)
    return _Scored(grades, cut, score, coverage, ranks, total, total_cov, total_rank)


def _sector_weight_vector(config: BarometerConfig) -> kernel.Float:
    return np.array([s.weight for s in config.sectors], dtype=np.float64)


# --------------------------------------------------------------------------- ranking


def rank_municipalities(
    values: pl.DataFrame,
    catalog: Catalog | Sequence[BarometerItem],
    *,
    params: ScoringParams | None = None,
    config: BarometerConfig | None = None,
    population: pl.DataFrame | None = None,
    income: pl.DataFrame | None = None,
    years: Sequence[int] | None = None,
) -> BarometerResult:
    """Grade every barometer indicator, then rank every municipality per sector and in total.

    ``values``: ``indicator_id, region, year, value`` (other columns ignored). ``catalog``: the
    indicator catalog (its barometer indicators are used; kostnadsnivå falls back to
    :func:`kostnadsniva_items` when the catalog has none) or explicit :class:`BarometerItem` s.
    ``population``: ``region, year, population`` (needed for ``ScoringParams(mean="population")``).
    ``income``: ``region, year, income`` free income per inhabitant; when omitted and ``catalog``
    is a catalog, the income indicator found by :func:`income_indicator_id` is taken from
    ``values``. Every year present in ``values`` (or ``years``) is ranked, all years as one array.
    """
    params = params or ScoringParams()
    config = config or load_config()
    items = _resolve_items(catalog, config)
    if params.mean == "population" and population is None:
        raise ValueError("ScoringParams(mean='population') needs a population frame")
    cube = _build_cube(values, items, config, years, population)
    weights = np.array([i.weight for i in items])
    sign = _orient(items)
    scored = _score_batch(
        cube.values * sign,
        params=params,
        weights=weights,
        slices=_slices(items, cube.sectors),
        sector_weights=_sector_weight_vector(config),
        population=cube.population,
        tail=params.tail,
        trim=params.trim,
    )
    if income is None and isinstance(catalog, Catalog):
        income_id = income_indicator_id(catalog, config)
        if income_id is not None:
            income = values.filter(pl.col("indicator_id") == income_id).select(
                "region", "year", pl.col("value").alias("income")
            )
    return BarometerResult(
        indicators=_indicator_frame(cube, scored, sign),
        cutoffs=_cutoff_frame(cube, scored, sign),
        sectors=_sector_frame(cube, scored),
        total=_total_frame(cube, scored, income),
        items=items,
        config=config,
        params=params,
    )


def _labels(flat: kernel.Int, cube: _Cube, extra: int) -> dict[str, pl.Series]:
    """Year and region columns for positions ``flat`` of a C-ordered ``(Y, M, extra)`` array."""
    per_year = len(cube.regions) * extra
    years = pl.Series("year", cube.years, dtype=pl.Int32)
    regions = pl.Series("region", cube.regions, dtype=pl.Utf8)
    return {
        "year": years.gather(flat // per_year),
        "region": regions.gather((flat // extra) % len(cube.regions)),
    }


def _indicator_frame(cube: _Cube, scored: _Scored, sign: kernel.Float) -> pl.DataFrame:
    del sign
    n_items = len(cube.items)
    flat = np.flatnonzero(~np.isnan(cube.values))
    labels = _labels(flat, cube, n_items)
    item = flat % n_items
    return pl.DataFrame(
        [
            pl.Series("indicator_id", [i.indicator_id for i in cube.items]).gather(item),
            pl.Series("sector", [i.sector.value for i in cube.items]).gather(item),
            labels["region"],
            labels["year"],
            pl.Series("value", cube.values.ravel()[flat], dtype=pl.Float64),
            pl.Series("score", scored.grades.ravel()[flat], dtype=pl.Float64, nan_to_null=True),
            pl.Series("weight", [i.weight for i in cube.items], dtype=pl.Float64).gather(item),
            pl.Series("direction", [i.direction for i in cube.items]).gather(item),
        ]
    )


def _cutoff_frame(cube: _Cube, scored: _Scored, sign: kernel.Float) -> pl.DataFrame:
    n_items = len(cube.items)
    years = np.repeat(np.array(cube.years, dtype=np.int64), n_items)
    ids = np.tile(np.array([i.indicator_id for i in cube.items], dtype=object), len(cube.years))
    sectors = np.tile(np.array([i.sector.value for i in cube.items], dtype=object), len(cube.years))
    directions = np.tile(np.array([i.direction for i in cube.items], dtype=object), len(cube.years))
    cut = scored.cut
    return pl.DataFrame(
        {
            "indicator_id": ids,
            "sector": sectors,
            "year": years,
            "direction": directions,
            "n": cut.n.ravel(),
            "mean": (cut.mean * sign).ravel(),
            "best": (cut.best * sign).ravel(),
            "worst": (cut.worst * sign).ravel(),
        },
        schema={
            "indicator_id": pl.Utf8,
            "sector": pl.Utf8,
            "year": pl.Int32,
            "direction": pl.Utf8,
            "n": pl.Int64,
            "mean": pl.Float64,
            "best": pl.Float64,
            "worst": pl.Float64,
        },
        nan_to_null=True,
    ).sort("year", "indicator_id")


def _n_ranked(ranks: kernel.Float, axis: int) -> kernel.Float:
    return np.asarray((~np.isnan(ranks)).sum(axis=axis, keepdims=True), dtype=np.float64)


def _sector_frame(cube: _Cube, scored: _Scored) -> pl.DataFrame:
    n_sectors = len(cube.sectors)
    flat = np.flatnonzero(np.repeat(cube.exists.ravel(), n_sectors))
    labels = _labels(flat, cube, n_sectors)
    ranks = scored.sector_rank
    counts = np.broadcast_to(_n_ranked(ranks, axis=-2), ranks.shape)
    frame = pl.DataFrame(
        [
            labels["region"],
            labels["year"],
            pl.Series("sector", cube.sectors, dtype=pl.Utf8).gather(flat % n_sectors),
            pl.Series("score", scored.sector_score.ravel()[flat], nan_to_null=True),
            pl.Series("coverage", scored.sector_coverage.ravel()[flat], nan_to_null=True),
            pl.Series("rank", ranks.ravel()[flat], nan_to_null=True),
            pl.Series("n_ranked", counts.ravel()[flat]),
        ]
    )
    return frame.select(
        "region",
        "year",
        "sector",
        "score",
        "coverage",
        pl.col("rank").is_not_null().alias("ranked"),
        pl.col("rank").cast(pl.Int32),
        pl.col("n_ranked").cast(pl.Int32),
    ).sort("year", "sector", "rank", "region", nulls_last=True)


def _income_adjust(
    total: kernel.Float, ranked: kernel.Bool, income: kernel.Float, decimals: int
) -> tuple[kernel.Float, kernel.Float, kernel.Bool]:
    """Per year (row): OLS of ``total`` on ``income`` over ranked rows with income.

    Returns residual + mean of the total, its ranks, and per year whether it could be done.
    """
    usable = ranked & np.isfinite(income)
    count = usable.sum(axis=-1, keepdims=True)
    safe_income = np.where(usable, income, 0.0)
    safe_total = np.where(usable, total, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_income = safe_income.sum(axis=-1, keepdims=True) / count
        mean_total = safe_total.sum(axis=-1, keepdims=True) / count
        dx = np.where(usable, income - mean_income, 0.0)
        dy = np.where(usable, total - mean_total, 0.0)
        sxx = (dx * dx).sum(axis=-1, keepdims=True)
        slope = np.where(sxx > 0, (dx * dy).sum(axis=-1, keepdims=True) / sxx, np.nan)
    # An adjustment needs at least three points and some spread in income.
    possible = (count[..., 0] >= 3) & np.isfinite(slope[..., 0])
    adjusted = np.where(usable & possible[..., None], total - slope * dx, np.nan)
    rank = kernel.rank_min(adjusted, np.isfinite(adjusted), decimals)
    return adjusted, rank, possible


def _income_matrix(cube: _Cube, income: pl.DataFrame | None) -> kernel.Float:
    matrix = np.full(cube.exists.shape, np.nan)
    if income is None or income.height == 0:
        return matrix
    source = (
        income.select(
            pl.col("region").cast(pl.Utf8),
            pl.col("year").cast(pl.Int64),
            pl.col("income").cast(pl.Float64),
        )
        .drop_nulls()
        .filter(pl.col("region").is_in(cube.regions) & pl.col("year").is_in(cube.years))
        .unique(["region", "year"], keep="first")
    )
    if source.height:
        yi = np.searchsorted(np.array(cube.years), source.get_column("year").to_numpy())
        mi = _codes(source.get_column("region"), cube.regions)
        matrix[yi, mi] = source.get_column("income").to_numpy()
    return matrix


def _total_frame(cube: _Cube, scored: _Scored, income: pl.DataFrame | None) -> pl.DataFrame:
    flat = np.flatnonzero(cube.exists.ravel())
    labels = _labels(flat, cube, 1)
    ranks = scored.total_rank
    counts = np.broadcast_to(_n_ranked(ranks, axis=-1), ranks.shape)
    income_matrix = _income_matrix(cube, income)
    adjusted, adjusted_rank, possible = _income_adjust(
        scored.total_score, ~np.isnan(ranks), income_matrix, 3
    )
    possible_cells = np.repeat(possible, len(cube.regions))
    frame = pl.DataFrame(
        [
            labels["region"],
            labels["year"],
            pl.Series("score", scored.total_score.ravel()[flat], nan_to_null=True),
            pl.Series("coverage", scored.total_coverage.ravel()[flat], nan_to_null=True),
            pl.Series("rank", ranks.ravel()[flat], nan_to_null=True),
            pl.Series("n_ranked", counts.ravel()[flat]),
            pl.Series("income", income_matrix.ravel()[flat], nan_to_null=True),
            pl.Series("score_income_adjusted", adjusted.ravel()[flat], nan_to_null=True),
            pl.Series("rank_income_adjusted", adjusted_rank.ravel()[flat], nan_to_null=True),
            pl.Series("income_adjusted", possible_cells[flat], dtype=pl.Boolean),
        ]
    )
    return frame.select(
        "region",
        "year",
        "score",
        "coverage",
        pl.col("rank").is_not_null().alias("ranked"),
        pl.col("rank").cast(pl.Int32),
        pl.col("n_ranked").cast(pl.Int32),
        "income",
        "score_income_adjusted",
        pl.col("rank_income_adjusted").cast(pl.Int32),
        "income_adjusted",
    ).sort("year", "rank", "region", nulls_last=True)


def ranking_table(
    result: BarometerResult,
    *,
    year: int,
    sector: str | None = None,
) -> pl.DataFrame:
    """One year's ranking, best first: ``region, sector, score, rank, n_ranked, coverage`` and,
    for the total (``sector=None``), ``rank_income_adjusted`` and ``income_adjusted``.
    Unranked municipalities come last with a null rank."""
    if sector is None or sector == TOTAL:
        frame = result.total.filter(pl.col("year") == year).with_columns(
            pl.lit(TOTAL).alias("sector")
        )
        columns = [
            "region",
            "sector",
            "score",
            "rank",
            "n_ranked",
            "coverage",
            "score_income_adjusted",
            "rank_income_adjusted",
            "income_adjusted",
        ]
    else:
        frame = result.sectors.filter((pl.col("year") == year) & (pl.col("sector") == sector))
        columns = ["region", "sector", "score", "rank", "n_ranked", "coverage"]
    return frame.select(columns).sort("rank", "region", nulls_last=True)


# --------------------------------------------------------------------------- explanations


@dataclass(frozen=True)
class Explanation:
    """Why a municipality has its place in a sector (or the total, ``sector="total"``).

    ``contributions`` has one row per indicator (per sector for the total): ``indicator_id,
    name, unit, direction, value, score, weight, weight_share, contribution, best, gap_to_best,
    potential_gain, sentence``. ``weight_share`` is the weight renormalised over what the
    municipality has, ``contribution = weight_share × score`` (they sum to the sector score),
    ``best`` the value graded 6 (the best cut-off), ``gap_to_best = best − value`` in the
    indicator's units, ``potential_gain = weight_share × (6 − score)`` the sector-score points the
    indicator would add at the top grade. ``movers`` are the ids with the largest potential gain;
    ``sentences`` say what pulls the score down, then what lifts it.
    """

    region: str
    year: int
    sector: str
    score: float | None
    rank: int | None
    n_ranked: int
    coverage: float
    sector_best_score: float | None
    gap_to_best: float | None
    contributions: pl.DataFrame
    movers: tuple[str, ...]
    sentences: tuple[str, ...]
    interval: tuple[int, int] | None = None

    def place(self, lang: str = "nb") -> str:
        """ "plass 14 av 356 (10–19)" / "place 14 of 356 (10–19)"; "ikke rangert" when unranked."""
        if self.rank is None:
            return i18n.text("barometer.not_ranked", lang)
        place = i18n.text(
            "barometer.place",
            lang,
            rank=i18n.number(self.rank, lang, 0),
            n=i18n.number(self.n_ranked, lang, 0),
        )
        if self.interval is None:
            return place
        low, high = (i18n.number(end, lang, 0) for end in self.interval)
        return f"{place} ({low}–{high})"


def explain(
    result: BarometerResult,
    region: str,
    sector: str,
    *,
    year: int | None = None,
    lang: str = "nb",
    top: int = 3,
    intervals: pl.DataFrame | None = None,
) -> Explanation:
    """Explain ``region``'s place in ``sector`` (``"total"`` for the total) in ``year``.

    ``year`` defaults to the newest ranked year. ``intervals`` (from :func:`rank_intervals`)
    adds the rank interval. ``movers`` are the ``top`` indicators that would move the score
    furthest (largest ``potential_gain``). ``sentences`` name up to ``top`` indicators pulling
    the score down (grade below 3.5, largest ``weight_share × (3.5 − score)`` first), then up to
    ``top − 1`` lifting it, generated from the catalog's names and directions ("Lav andel
    ansatte med fagutdanning trekker ned").
    """
    if year is None:
        year = int(result.total.get_column("year").max())  # type: ignore[arg-type]
    if sector == TOTAL:
        row = result.total.filter((pl.col("region") == region) & (pl.col("year") == year))
        parts = result.sectors.filter(
            (pl.col("region") == region) & (pl.col("year") == year) & pl.col("ranked")
        )
        info = {s.id.value: s for s in result.config.sectors}
        rows = pl.DataFrame(
            {
                "indicator_id": parts.get_column("sector"),
                "name": [info[s].name(lang) for s in parts.get_column("sector").to_list()],
                "unit": ["" for _ in range(parts.height)],
                "direction": ["higher_better" for _ in range(parts.height)],
                "value": parts.get_column("score"),
                "score": parts.get_column("score"),
                "weight": [info[s].weight for s in parts.get_column("sector").to_list()],
                "best": [6.0 for _ in range(parts.height)],
            },
            schema={
                "indicator_id": pl.Utf8,
                "name": pl.Utf8,
                "unit": pl.Utf8,
                "direction": pl.Utf8,
                "value": pl.Float64,
                "score": pl.Float64,
                "weight": pl.Float64,
                "best": pl.Float64,
            },
        )
        best_score = result.total.filter(pl.col("year") == year).get_column("score").max()
    else:
        row = result.sectors.filter(
            (pl.col("region") == region) & (pl.col("year") == year) & (pl.col("sector") == sector)
        )
        graded = result.indicators.filter(
            (pl.col("region") == region)
            & (pl.col("year") == year)
            & (pl.col("sector") == sector)
            & pl.col("score").is_not_null()
        )
        cut = result.cutoffs.filter(pl.col("year") == year).select("indicator_id", "best")
        graded = graded.join(cut, on="indicator_id", how="left")
        ids = graded.get_column("indicator_id").to_list()
        items = [result.item(i) for i in ids]
        rows = graded.select(
            "indicator_id",
            pl.Series("name", [i.name(lang) for i in items], dtype=pl.Utf8),
            pl.Series("unit", [i.unit for i in items], dtype=pl.Utf8),
            "direction",
            "value",
            "score",
            "weight",
            "best",
        )
        best_score = (
            result.sectors.filter((pl.col("year") == year) & (pl.col("sector") == sector))
            .get_column("score")
            .max()
        )
    if row.height == 0:
        raise KeyError(f"no barometer result for region {region} in {year}")
    record = row.row(0, named=True)
    total_weight = float(rows.get_column("weight").sum()) if rows.height else 0.0
    rows = rows.with_columns(
        (pl.col("weight") / total_weight if total_weight > 0 else pl.lit(None, pl.Float64)).alias(
            "weight_share"
        )
    ).with_columns(
        (pl.col("weight_share") * pl.col("score")).alias("contribution"),
        (pl.col("best") - pl.col("value")).alias("gap_to_best"),
        (pl.col("weight_share") * (6.0 - pl.col("score"))).alias("potential_gain"),
    )
    sentences_col = [
        text.sentence(name, direction, score, lang)
        for name, direction, score in zip(
            rows.get_column("name").to_list(),
            rows.get_column("direction").to_list(),
            rows.get_column("score").to_list(),
            strict=True,
        )
    ]
    if sector == TOTAL:
        # Sectors are not "high" or "low"; say which sectors pull the total up or down.
        sentences_col = [
            text.pulls(name, score < 3.5, lang)
            for name, score in zip(
                rows.get_column("name").to_list(), rows.get_column("score").to_list(), strict=True
            )
        ]
    rows = rows.with_columns(pl.Series("sentence", sentences_col, dtype=pl.Utf8)).sort(
        "potential_gain", "indicator_id", descending=[True, False]
    )
    movers = rows.head(top)
    # Sentences: what pulls the score below the average grade (3.5) most, then what lifts it
    # most, each weighed by its share of the sector: weight_share × |score − 3.5|.
    pull = pl.col("weight_share") * (pl.col("score") - 3.5)
    down = rows.filter(pl.col("score") < 3.5).sort(pull, "indicator_id").head(top)
    up = (
        rows.filter(pl.col("score") > 3.5)
        .sort(pull, "indicator_id", descending=[True, False])
        .head(max(top - 1, 1))
    )
    sentences = [*down.get_column("sentence").to_list(), *up.get_column("sentence").to_list()]
    interval = None
    if intervals is not None:
        match = intervals.filter(
            (pl.col("region") == region)
            & (pl.col("sector") == sector)
            & (pl.col("year") == year)
            & pl.col("rank_low").is_not_null()
        )
        if match.height:
            interval = (int(match.item(0, "rank_low")), int(match.item(0, "rank_high")))
    score = record["score"]
    return Explanation(
        region=region,
        year=year,
        sector=sector,
        score=score,
        rank=record["rank"],
        n_ranked=int(record["n_ranked"] or 0),
        coverage=float(record["coverage"] or 0.0),
        sector_best_score=best_score,  # type: ignore[arg-type]
        gap_to_best=None if score is None or best_score is None else best_score - score,
        contributions=rows,
        movers=tuple(movers.get_column("indicator_id").to_list()),
        sentences=tuple(sentences),
        interval=interval,
    )


# --------------------------------------------------------------------------- uncertainty


def _dirichlet_blocks(
    rng: np.random.Generator,
    base: kernel.Float,
    groups: kernel.Float,
    concentration: float,
    size: int,
) -> kernel.Float:
    """``size`` draws of weights, Dirichlet within each group (one-hot ``groups`` ``(n, G)``)
    around ``base``; each group keeps its total weight. Zero weights stay zero."""
    group_total = groups @ (base @ groups)  # (n,) each weight's group total
    with np.errstate(divide="ignore", invalid="ignore"):
        shape = np.where(base > 0, concentration * base / group_total, 0.0)
    draws = np.zeros((size, base.size))
    positive = shape > 0
    draws[:, positive] = rng.gamma(shape[positive], 1.0, size=(size, int(positive.sum())))
    sums = draws @ groups  # (size, G)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(positive, draws / (sums @ groups.T), 0.0)
    return np.asarray(share * group_total, dtype=np.float64)


def _quantile_sorted(ordered: kernel.Float, count: kernel.Int, q: float) -> kernel.Float:
    """Inverted-CDF quantile along axis 0 of NaN-last sorted ``ordered`` with ``count`` valid
    (NaN everywhere when there are no resamples at all: no interval, not an error)."""
    if ordered.shape[0] == 0:
        return np.full(ordered.shape[1:], np.nan)
    index = np.clip(np.ceil(q * count).astype(np.int64) - 1, 0, ordered.shape[0] - 1)
    value = np.take_along_axis(ordered, index[None], axis=0)[0]
    return np.where(count > 0, value, np.nan)


def rank_intervals(
    values: pl.DataFrame,
    catalog: Catalog | Sequence[BarometerItem],
    *,
    year: int,
    params: ScoringParams | None = None,
    resampling: ResamplingParams | None = None,
    config: BarometerConfig | None = None,
    population: pl.DataFrame | None = None,
    noise: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rank intervals for every municipality, sector and the total of one ``year``.

    Each resample draws indicator weights (Dirichlet within sectors), sector weights, a trimming
    and a tail share and, when ``noise`` (``indicator_id, region, se`` — a standard
    error in the indicator's units, optional ``year``) is given, a normal measurement error; then
    grades and ranks everything as arrays shaped ``resamples × municipalities × indicators``.

    Returns ``region, year, sector, rank, rank_low, rank_high, rank_median, share_ranked,
    n_ranked, interval, population, small, wide, volatile``: ``rank`` is the place with the
    default parameters, ``rank_low``–``rank_high`` the ``resampling.interval`` quantiles of the
    place over the resamples in which the municipality is ranked, ``interval`` the text
    "14 (10–19)", ``small`` under ``resampling.small_population`` inhabitants (null without a
    population frame), ``wide`` a range over ``wide_share`` of ``n_ranked``.
    """
    params = params or ScoringParams()
    resampling = resampling or ResamplingParams()
    config = config or load_config()
    items = _resolve_items(catalog, config)
    cube = _build_cube(values, items, config, [year], population)
    if not cube.years:
        raise ValueError(f"no barometer values for {year}")
    baseline = rank_municipalities(
        values, items, params=params, config=config, population=population, years=[year]
    )
    sign = _orient(items)
    oriented = cube.values * sign  # (1, M, I)
    weights = np.array([i.weight for i in items])
    membership = _membership(items, cube.sectors)
    slices = _slices(items, cube.sectors)
    sector_weights = _sector_weight_vector(config)
    rng = np.random.default_rng(resampling.seed)
    noise_matrix = _noise_matrix(noise, cube, year) if noise is not None else None
    presorted = kernel.presort(oriented) if noise_matrix is None else None
    n_regions, n_items = oriented.shape[1], oriented.shape[2]
    n_sectors = len(cube.sectors)
    ranks = np.empty((resampling.n_resamples, n_regions, n_sectors + 1), dtype=np.float64)
    for start in range(0, resampling.n_resamples, resampling.chunk):
        size = min(resampling.chunk, resampling.n_resamples - start)
        w = _dirichlet_blocks(rng, weights, membership, resampling.weight_concentration, size)
        omega = _dirichlet_blocks(
            rng,
            sector_weights,
            np.ones((n_sectors, 1)),
            resampling.sector_concentration,
            size,
        )
        trim = rng.uniform(*resampling.trim_range, size=(size, 1, 1))
        tail = rng.uniform(*resampling.tail_range, size=(size, 1, 1))
        batch = oriented
        if noise_matrix is not None:
            batch = oriented + noise_matrix * sign * rng.standard_normal((size, n_regions, n_items))
        scored = _score_batch(
            batch,
            params=params,
            weights=w,
            slices=slices,
            sector_weights=omega,
            population=cube.population,
            tail=tail,
            trim=trim,
            presorted=presorted,
        )
        ranks[start : start + size, :, :n_sectors] = scored.sector_rank
        ranks[start : start + size, :, n_sectors] = scored.total_rank
    ordered = np.sort(ranks, axis=0)  # NaN (unranked) last
    count = (~np.isnan(ranks)).sum(axis=0)
    low = _quantile_sorted(ordered, count, resampling.interval[0])
    high = _quantile_sorted(ordered, count, resampling.interval[1])
    median = _quantile_sorted(ordered, count, 0.5)
    # no resamples: no share ranked (null), not 0/0
    n = resampling.n_resamples
    share = count / n if n else np.full(count.shape, np.nan)
    labels = [*cube.sectors, TOTAL]
    n_labels = len(labels)
    keep = np.repeat(cube.exists[0], n_labels)
    frame = pl.DataFrame(
        {
            "region": np.repeat(np.array(cube.regions, dtype=object), n_labels)[keep],
            "sector": np.tile(np.array(labels, dtype=object), n_regions)[keep],
            "rank_low": low.ravel()[keep].astype(np.float64),
            "rank_high": high.ravel()[keep].astype(np.float64),
            "rank_median": median.ravel()[keep].astype(np.float64),
            "share_ranked": share.ravel()[keep],
        },
        schema={
            "region": pl.Utf8,
            "sector": pl.Utf8,
            "rank_low": pl.Float64,
            "rank_high": pl.Float64,
            "rank_median": pl.Float64,
            "share_ranked": pl.Float64,
        },
        nan_to_null=True,
    ).with_columns(pl.col("rank_low", "rank_high", "rank_median").cast(pl.Int32))
    base = pl.concat(
        [
            baseline.sectors.select("region", "sector", "rank", "n_ranked"),
            baseline.total.select("region", pl.lit(TOTAL).alias("sector"), "rank", "n_ranked"),
        ]
    )
    frame = frame.join(base, on=["region", "sector"], how="left")
    if population is not None:
        pops = _population_frame(population).filter(pl.col("year") == year).drop("year")
        frame = frame.join(pops, on="region", how="left")
    else:
        frame = frame.with_columns(pl.lit(None, pl.Float64).alias("population"))
    width = (pl.col("rank_high") - pl.col("rank_low")).cast(pl.Float64)
    frame = frame.with_columns(
        pl.lit(year, pl.Int32).alias("year"),
        (pl.col("population") < resampling.small_population).alias("small"),
        (width > resampling.wide_share * pl.col("n_ranked")).fill_null(False).alias("wide"),
        pl.when(pl.col("rank").is_not_null() & pl.col("rank_low").is_not_null())
        .then(
            pl.format(
                "{} ({}–{})",
                pl.col("rank"),
                pl.col("rank_low"),
                pl.col("rank_high"),
            )
        )
        .otherwise(None)
        .alias("interval"),
    ).with_columns((pl.col("small").fill_null(False) | pl.col("wide")).alias("volatile"))
    return frame.select(
        "region",
        "year",
        "sector",
        "rank",
        "rank_low",
        "rank_high",
        "rank_median",
        "share_ranked",
        "n_ranked",
        "interval",
        "population",
        "small",
        "wide",
        "volatile",
    ).sort("sector", "rank", "region", nulls_last=True)


def _noise_matrix(noise: pl.DataFrame, cube: _Cube, year: int) -> kernel.Float:
    """Standard errors ``(1, M, I)`` from ``indicator_id, region, se`` (0 where not given)."""
    frame = noise
    if "year" in frame.columns:
        frame = frame.filter(pl.col("year") == year)
    m_index = dict(zip(cube.regions, range(len(cube.regions)), strict=True))
    i_index = {item.indicator_id: i for i, item in enumerate(cube.items)}
    frame = frame.filter(
        pl.col("region").is_in(cube.regions) & pl.col("indicator_id").is_in(list(i_index))
    )
    matrix = np.zeros((1, len(cube.regions), len(cube.items)))
    if frame.height:
        mi = frame.get_column("region").replace_strict(m_index, return_dtype=pl.Int64).to_numpy()
        ii = (
            frame.get_column("indicator_id")
            .replace_strict(i_index, return_dtype=pl.Int64)
            .to_numpy()
        )
        matrix[0, mi, ii] = frame.get_column("se").cast(pl.Float64).fill_null(0.0).to_numpy()
    return matrix


# --------------------------------------------------------------------------- year over year


def predecessors_from_history(years: Iterable[int]) -> pl.DataFrame:
    """``region, year, previous_region, series_break`` linking each code of a year to its
    code(s) the year before, from :func:`kostra.geography.mapping` (for :func:`rank_changes`).

    Renumberings link without a break; mergers and splits are breaks.
    """
    from kostra.geography import mapping

    frames = [
        mapping(year - 1, year).select(
            pl.col("to_code").alias("region"),
            pl.lit(year, pl.Int32).alias("year"),
            pl.col("from_code").alias("previous_region"),
            "series_break",
        )
        for year in sorted(set(years))
    ]
    schema = {
        "region": pl.Utf8,
        "year": pl.Int32,
        "previous_region": pl.Utf8,
        "series_break": pl.Boolean,
    }
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def breaks_on_borders(years: Iterable[int], borders: int) -> pl.DataFrame:
    """``region, year, series_break``: regions of ``borders`` whose series breaks between
    ``year − 1`` and ``year`` because a merger or split took effect that year in any of the
    units they are made of (renumberings are no break). For figures harmonised to ``borders``.
    """
    from kostra.geography import mapping

    frames = []
    for year in sorted(set(years)):
        touched = (
            mapping(year - 1, year)
            .filter(pl.col("series_break") & pl.col("to_code").is_not_null())
            .get_column("to_code")
            .unique()
        )
        if touched.len() == 0:
            continue
        frames.append(
            mapping(year, borders)
            .filter(pl.col("from_code").is_in(touched.to_list()) & pl.col("to_code").is_not_null())
            .select(
                pl.col("to_code").alias("region"),
                pl.lit(year, pl.Int32).alias("year"),
                pl.lit(True).alias("series_break"),
            )
            .unique()
        )
    schema = {"region": pl.Utf8, "year": pl.Int32, "series_break": pl.Boolean}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def rank_changes(
    ranks: BarometerResult | pl.DataFrame,
    *,
    predecessors: pl.DataFrame | None = None,
    series_breaks: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rank changes from one year to the next, per region and sector (``total`` included).

    ``ranks``: a :class:`BarometerResult` or a frame ``region, year, sector, rank``.
    ``predecessors`` (``region, year, previous_region`` and optionally ``series_break``) maps a
    region of year t to its code(s) in t − 1; without it a region is compared with the same code.
    A region with several predecessors (a merger) gets no previous rank and a series break; a
    split part keeps its predecessor's rank, flagged. ``series_breaks`` (``region, year,
    series_break``: true when the region's series breaks between ``year − 1`` and ``year``, as
    :func:`breaks_on_borders` gives it for harmonised figures) adds breaks.

    Returns ``region, year, sector, rank, previous_rank, change, series_break``; ``change`` =
    previous_rank − rank, positive when the municipality moved up.
    """
    if isinstance(ranks, BarometerResult):
        frame = pl.concat(
            [
                ranks.sectors.select("region", "year", "sector", "rank"),
                ranks.total.select("region", "year", pl.lit(TOTAL).alias("sector"), "rank"),
            ]
        )
    else:
        frame = ranks.select("region", "year", "sector", "rank")
    frame = frame.with_columns(pl.col("year").cast(pl.Int32), pl.col("rank").cast(pl.Int32))
    keys = frame.select("region", "year").unique()
    if predecessors is None:
        links = keys.with_columns(
            pl.col("region").alias("previous_region"), pl.lit(False).alias("link_break")
        )
    else:
        links = predecessors.select(
            pl.col("region").cast(pl.Utf8),
            pl.col("year").cast(pl.Int32),
            pl.col("previous_region").cast(pl.Utf8),
            (
                pl.col("series_break").cast(pl.Boolean)
                if "series_break" in predecessors.columns
                else pl.lit(False)
            ).alias("link_break"),
        )
        unlinked = keys.join(links.select("region", "year"), on=["region", "year"], how="anti")
        links = pl.concat(
            [
                links,
                unlinked.with_columns(
                    pl.col("region").alias("previous_region"), pl.lit(False).alias("link_break")
                ),
            ]
        )
    previous = frame.select(
        pl.col("region").alias("previous_region"),
        (pl.col("year") + 1).cast(pl.Int32).alias("year"),
        "sector",
        pl.col("rank").alias("previous_rank"),
    )
    linked = (
        frame.join(links, on=["region", "year"], how="left")
        .join(previous, on=["previous_region", "year", "sector"], how="left")
        .group_by("region", "year", "sector", maintain_order=True)
        .agg(
            pl.col("rank").first(),
            pl.col("previous_rank").first(),
            pl.col("previous_region").n_unique().alias("_n_prev"),
            pl.col("link_break").any().alias("_break"),
        )
        .with_columns(
            pl.when(pl.col("_n_prev") > 1)
            .then(None)
            .otherwise(pl.col("previous_rank"))
            .alias("previous_rank"),
            ((pl.col("_n_prev") > 1) | pl.col("_break").fill_null(False)).alias("series_break"),
        )
    )
    if series_breaks is not None:
        breaks = (
            series_breaks.select(
                pl.col("region").cast(pl.Utf8),
                pl.col("year").cast(pl.Int32),
                pl.col("series_break").cast(pl.Boolean),
            )
            .group_by("region", "year")
            .agg(pl.col("series_break").any().alias("_known"))
        )
        linked = linked.join(breaks, on=["region", "year"], how="left").with_columns(
            (pl.col("series_break") | pl.col("_known").fill_null(False)).alias("series_break")
        )
    return (
        linked.with_columns(
            (pl.col("previous_rank") - pl.col("rank")).cast(pl.Int32).alias("change")
        )
        .select("region", "year", "sector", "rank", "previous_rank", "change", "series_break")
        .sort("year", "sector", "rank", "region", nulls_last=True)
    )
