"""One year's figures for every municipality: the table every page lists, and one
municipality's report data and findings from the year's shared analyses.

:func:`municipality_table` is the year's row per municipality (population, size class, KOSTRA
group, the barometer's rank with its interval); :func:`municipality_view` slices one
municipality's :class:`~kostra.report.model.ReportData` and findings out of
:func:`kostra.report.pipeline.prepare`'s inputs. The web computes them in process, and
:mod:`kostra.results.store` computes them once for every municipality and keeps them beside the
warehouse.
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import polars as pl

from kostra import api
from kostra.analysis._barometer import model as barometer_model
from kostra.analysis.findings import Finding
from kostra.catalog.models import Catalog
from kostra.errors import KostraError
from kostra.report.build import report_findings
from kostra.report.geo import GEO_BORDERS_YEAR
from kostra.report.model import ReportData
from kostra.report.pipeline import ReportInputs, report_data

BORDERS = api.BORDERS
#: The borders the web and its computed year put a year on by default: the year's own borders
#: and peer members, as the CLI, the report and the slides (and as SSB and ASSS publish). The
#: map is drawn on the newest borders whatever the choice (:func:`map_table`).
WEB_BORDERS: api.BordersChoice = "year"
#: Size classes of the ranking filter: inhabitants on 1 January, lower bound inclusive.
SIZE_CLASSES: dict[str, tuple[int, int | None]] = {
    "small": (0, 5_000),
    "medium": (5_000, 20_000),
    "large": (20_000, 100_000),
    "city": (100_000, None),
}
#: Peer-group choices of the pages; ``standard`` is the report's default (ASSS for its
#: members, otherwise the county).
PEER_CHOICES = (
    "standard",
    "asss",
    "county",
    "country",
    "country_ex_oslo",
    "kostra_group",
    "similar",
)


def last_population_year() -> int:
    """The newest year whose following 1 January the packaged population knows (the
    per-inhabitant figures of year t divide by the population of 1 January t + 1)."""
    geography = importlib.import_module("kostra.geography")
    year = dt.date.today().year + 1
    while year > api.FIRST_YEAR:
        try:
            geography.municipalities(year)
            return year - 1
        except KostraError:
            year -= 1
    return api.FIRST_YEAR


def load_all(db: Path, catalog: Catalog) -> api.AnalysisData:
    """Every year's observations (the warehouse ``db``, then the sample for what it lacks)."""
    years = range(api.FIRST_YEAR, last_population_year() + 1)
    return api.load_data(years, db=db, catalog=catalog)


def years_of(data: api.AnalysisData) -> list[int]:
    """The years ``data`` has figures for, oldest first."""
    found = data.observations["year"].unique().sort().to_list()
    return [int(y) for y in found if int(y) >= api.FIRST_YEAR]


def municipality_table(inputs: ReportInputs) -> pl.DataFrame:
    """One row per municipality on the report borders (``inputs.borders``), by code: ``code,
    name, county_code, county_name, population, size, kostra_group, rank, n_ranked, score,
    rank_income_adjusted, rank_low, rank_high`` of ``inputs.year``."""
    year = inputs.year
    frame = _places(year, inputs.borders)
    if inputs.ranking is not None and inputs.intervals is not None:
        total = inputs.ranking.total.filter(pl.col("year") == year).select(
            "region", "rank", "n_ranked", "score", "rank_income_adjusted"
        )
        interval = inputs.intervals.filter(
            (pl.col("year") == year) & (pl.col("sector") == barometer_model.TOTAL)
        ).select("region", "rank_low", "rank_high")
        frame = frame.join(total, left_on="code", right_on="region", how="left").join(
            interval, left_on="code", right_on="region", how="left"
        )
    else:
        frame = _no_ranks(frame)
    return frame.sort("code")


def map_table(inputs: ReportInputs) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """The year's municipality table and evaluated key figures on the map's (newest) borders,
    when ``inputs`` are on older ones (``None``: :func:`municipality_table` and
    ``inputs.evaluated`` are on the map's borders already). The barometer's ranks there have no
    intervals (``rank_low``, ``rank_high`` missing), as in the report's map."""
    shared = inputs.map_shared
    if shared is None or shared.evaluated is None:
        return None
    year = inputs.year
    frame = _places(year, GEO_BORDERS_YEAR)
    if shared.barometer_total is not None:
        total = shared.barometer_total.filter(pl.col("year") == year).select(
            "region", "rank", "n_ranked", "score", "rank_income_adjusted"
        )
        frame = frame.join(total, left_on="code", right_on="region", how="left").with_columns(
            pl.lit(None, dtype=pl.Int64).alias("rank_low"),
            pl.lit(None, dtype=pl.Int64).alias("rank_high"),
        )
    else:
        frame = _no_ranks(frame)
    return frame.sort("code"), shared.evaluated


def _places(year: int, borders: int) -> pl.DataFrame:
    """``code, name, county_code, county_name, population, size, kostra_group`` of the
    municipalities on ``borders`` (inhabitants on 1 January of ``year`` on those borders)."""
    geography = importlib.import_module("kostra.geography")
    places: pl.DataFrame = geography.municipalities(borders)
    population: pl.DataFrame = geography.population([year], borders=borders)
    frame = places.join(
        population.select("region", pl.col("population").cast(pl.Float64)),
        left_on="code",
        right_on="region",
        how="left",
    )
    frame = frame.with_columns(_size_expr().alias("size"))
    return frame.with_columns(
        pl.Series("kostra_group", _kostra_groups(places, min(year, borders)), dtype=pl.Utf8)
    )


def _no_ranks(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        *(
            pl.lit(None, dtype=pl.Int64).alias(c)
            for c in ("rank", "n_ranked", "rank_income_adjusted", "rank_low", "rank_high")
        ),
        pl.lit(None, dtype=pl.Float64).alias("score"),
    )


def municipality_view(
    inputs: ReportInputs, code: str, peers: str = "standard"
) -> tuple[ReportData, tuple[Finding, ...]]:
    """One municipality's report data against ``peers`` (a :data:`PEER_CHOICES` key) and its
    findings, from the year's shared inputs."""
    data = report_data(inputs, code, peers=None if peers == "standard" else peers)
    return data, tuple(report_findings(data))


def _size_expr() -> pl.Expr:
    expr = pl.lit(None, dtype=pl.Utf8)
    for name, (low, high) in reversed(SIZE_CLASSES.items()):
        cond = pl.col("population") >= low
        if high is not None:
            cond = cond & (pl.col("population") < high)
        expr = pl.when(cond).then(pl.lit(name)).otherwise(expr)
    return expr


def _kostra_groups(places: pl.DataFrame, year: int) -> list[str | None]:
    """Each municipality's KOSTRA group name in ``year`` (the year of ``places``' borders or
    before), or None throughout when Klass 112 is not cached (offline: the filter is then
    hidden)."""
    geography = importlib.import_module("kostra.geography")
    codes = places["code"].to_list()
    valid_year = year
    try:
        geography.peer_group("kostra_group", valid_year, municipality=codes[0])
    except KostraError:
        return [None] * len(codes)
    groups: list[str | None] = []
    for code in codes:
        try:
            groups.append(
                str(geography.peer_group("kostra_group", valid_year, municipality=code).name)
            )
        except KostraError:
            groups.append(None)
    return groups
