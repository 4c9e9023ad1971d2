"""The barometer of a year: ONE computation that the CLI, the report, the web, the API, the
exports and the slides all call, with the same defaults.

The barometer is our own reconstruction of Kommunal Rapport's method ("Kommunebarometer-metoden,
egen beregning"); see :mod:`kostra.analysis.barometer` for the grading. What every surface
shares, and what used to differ between them:

* kostnadsnivå is graded on need-corrected costs (NDU per inhabitant / the sector's need index,
  :func:`kostra.analysis.barometer.need_correct`) — never on raw NDU;
* the income-adjusted rank, the headline as Kommunal Rapport publishes it, is adjusted for free
  income per inhabitant corrected for expenditure need (:mod:`kostra.analysis._barometer.income`,
  our approximation, labelled as such by :func:`income_label`);
* the population (total, on the same borders) flags small municipalities.

Use::

    from kostra.results import barometer as rb
    inputs = rb.load_inputs([2023, 2024])              # warehouse + sample, 2024 borders
    result = rb.rank(inputs)                            # BarometerResult, every year of inputs
    rb.headline(result, "3201", 2024)                   # {"rank_income_adjusted": …, "rank": …}
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from kostra import api
from kostra.analysis._barometer import naming
from kostra.analysis._barometer.income import corrected_income, income_label
from kostra.analysis._barometer.model import (
    TOTAL,
    BarometerResult,
    ResamplingParams,
    ScoringParams,
    barometer_items,
    income_indicator_id,
    load_config,
)
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog

__all__ = [
    "DEFAULT_RESAMPLES",
    "PUBLISHED_INDICATORS",
    "BarometerInputs",
    "barometer_income",
    "headline",
    "income_basis",
    "income_label",
    "indicator_counts",
    "intervals",
    "load_inputs",
    "method_name",
    "prepare_inputs",
    "rank",
]

#: Resamples behind the rank intervals of the report and the web (the CLI's ``--resamples``).
DEFAULT_RESAMPLES = 200
PUBLISHED_INDICATORS = naming.PUBLISHED_INDICATORS


@dataclass(frozen=True)
class BarometerInputs:
    """What a ranking reads: indicator values (kostnadsnivå need-corrected), population, the
    income of the adjustment and their provenance.

    ``income``: ``region, year, income[, income_basis]``; ``None``: the catalog's raw free income
    from ``values`` (made-up inputs in tests).
    """

    values: pl.DataFrame
    population: pl.DataFrame
    catalog: Catalog
    synthetic: bool
    source: str
    borders: int
    income: pl.DataFrame | None = None


def _need_index(need_index: pl.DataFrame | None) -> pl.DataFrame:
    if need_index is not None:
        return need_index
    return api.packaged_need_index()


def barometer_income(
    evaluated: pl.DataFrame, catalog: Catalog, *, need_index: pl.DataFrame | None = None
) -> pl.DataFrame | None:
    """The income the adjusted rank is adjusted for (:mod:`kostra.analysis._barometer.income`)."""
    income_id = income_indicator_id(catalog, load_config())
    if income_id is None:
        return None
    raw = evaluated.filter(pl.col("indicator_id") == income_id).select(
        "region", "year", pl.col("value").alias("income")
    )
    return corrected_income(raw.drop_nulls("income"), _need_index(need_index))


def prepare_inputs(
    evaluated: pl.DataFrame,
    catalog: Catalog,
    *,
    years: Sequence[int],
    borders: int,
    synthetic: bool,
    source: str,
    need_index: pl.DataFrame | None = None,
    population: pl.DataFrame | None = None,
) -> BarometerInputs:
    """The ranking's inputs from evaluated key figures (``kostra.api.evaluated``) of ``years``
    on ``borders`` (the need indices default to the packaged ones moved to ``borders``)."""
    index = need_index if need_index is not None else api.need_index_for_borders(borders)
    from kostra.analysis.barometer import need_correct

    rows = evaluated.filter(pl.col("year").is_in(list(years)))
    values = need_correct(rows, catalog, index)
    if population is None:
        geography = importlib.import_module("kostra.geography")
        population = geography.population(list(years), age_group="total", borders=borders)
    income = barometer_income(rows, catalog, need_index=index)
    return BarometerInputs(values, population, catalog, synthetic, source, borders, income)


def load_inputs(
    years: Sequence[int],
    *,
    db: Path | None = None,
    borders: int | None = None,
    data: api.AnalysisData | None = None,
    catalog: Catalog | None = None,
) -> BarometerInputs:
    """:func:`prepare_inputs` from the warehouse (tables it lacks from the shipped sample)."""
    borders = api.BORDERS if borders is None else borders
    catalog = catalog or load_catalog()
    analysis_data = data if data is not None else api.load_data(years, db=db, catalog=catalog)
    evaluated = api.evaluated(analysis_data, catalog, years, borders=borders)
    return prepare_inputs(
        evaluated,
        catalog,
        years=years,
        borders=borders,
        synthetic=analysis_data.synthetic,
        source=analysis_data.source,
    )


def rank(inputs: BarometerInputs, params: ScoringParams | None = None) -> BarometerResult:
    """Every municipality's sector and total ranks for every year of ``inputs``."""
    # the ranking's computation (numpy) is imported where a ranking is computed: a report that
    # reads a stored ranking needs only the model
    from kostra.analysis.barometer import rank_municipalities

    return rank_municipalities(
        inputs.values,
        inputs.catalog,
        params=params,
        population=inputs.population,
        income=inputs.income,
    )


def intervals(
    inputs: BarometerInputs,
    year: int,
    *,
    params: ScoringParams | None = None,
    resamples: int = DEFAULT_RESAMPLES,
) -> pl.DataFrame:
    """Rank intervals of ``year`` (``kostra.analysis.barometer.rank_intervals``) from the same
    values as :func:`rank`."""
    from kostra.analysis.barometer import rank_intervals

    return rank_intervals(
        inputs.values,
        inputs.catalog,
        year=year,
        params=params,
        resampling=ResamplingParams(n_resamples=resamples),
        population=inputs.population,
    )


def income_basis(inputs: BarometerInputs | None, year: int) -> str:
    """``corrected``, ``raw`` or ``mixed``: what the adjusted rank of ``year`` is adjusted for."""
    income = inputs.income if inputs is not None else None
    if income is None or "income_basis" not in income.columns:
        return "raw"
    kinds = set(income.filter(pl.col("year") == year)["income_basis"].unique().to_list())
    if kinds == {"corrected"}:
        return "corrected"
    return "mixed" if "corrected" in kinds else "raw"


def indicator_counts(catalog: Catalog) -> dict[str, int]:
    """Graded indicators per barometer sector, and ``total``: how many of Kommunal Rapport's
    roughly :data:`PUBLISHED_INDICATORS` our reconstruction uses."""
    return naming.indicator_counts(item.sector.value for item in barometer_items(catalog))


def method_name(catalog: Catalog, lang: str = "nb") -> str:
    """ "Kommunebarometer-metoden (egen beregning, N av ca. 150 indikatorer)": our ranking,
    named as ours, wherever a rank is shown."""
    return naming.method_name(indicator_counts(catalog)[TOTAL], lang)


def headline(result: BarometerResult, region: str, year: int) -> dict[str, object]:
    """The headline figures of one municipality: the income-adjusted rank first (Kommunal
    Rapport's headline), the unadjusted rank beside it, both out of ``n_ranked``."""
    row = result.total.filter((pl.col("region") == region) & (pl.col("year") == year))
    if row.height == 0:
        return {"rank_income_adjusted": None, "rank": None, "n_ranked": None, "score": None}
    first = row.row(0, named=True)
    return {
        "rank_income_adjusted": first["rank_income_adjusted"],
        "rank": first["rank"],
        "n_ranked": first["n_ranked"],
        "score": first["score"],
    }
