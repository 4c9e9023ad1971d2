"""A municipality at a glance (as SSB's Kommunefakta): population and age structure, area and
density, the expenditure-need index, the headline finances beside the county and the country,
and the barometer's headline rank.

Every figure comes from the function the other surfaces use: the population from
:func:`kostra.geography.population` (SSB's table 07459, packaged), area, centrality and ROBEK
from the packaged facts :func:`kostra.workbench.similar` reads, the need index from
:func:`kostra.api.need_index_for_borders` (in the need year
:func:`kostra.analysis.need.choose_need_year` picks), the finances from
:func:`kostra.workbench.nokkeltall_from` (the ``kostra nokkeltall`` view), and the ranks from
:func:`kostra.results.barometer.headline`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import polars as pl

from kostra import api, workbench
from kostra.analysis import barometer as barometer_analysis
from kostra.analysis.need import choose_need_year
from kostra.catalog.models import Catalog
from kostra.errors import KostraError
from kostra.results import barometer as barometer_results

#: The age groups shown (KOSTRA's usual ones), youngest first.
AGE_GROUPS: tuple[str, ...] = ("0-5", "6-15", "16-66", "67-79", "80+")
#: The headline finances: SSB's key figures of the economy, in this order.
FINANCE_FIGURES: tuple[str, ...] = (
    "netto_driftsresultat",
    "frie_inntekter_per_innbygger",
    "netto_lanegjeld_per_innbygger",
    "ndu_totalt_per_innbygger",
)
#: The columns of the nøkkeltall view the finances show.
FINANCE_COLUMNS: tuple[str, ...] = ("self", "county", "country")


@dataclass(frozen=True)
class AgeGroup:
    """Inhabitants of one age group and their share, beside the country's share."""

    age_group: str
    population: float | None
    share: float | None
    country_share: float | None


@dataclass(frozen=True)
class Ranks:
    """The barometer's headline: the income-adjusted rank (as Kommunal Rapport publishes it),
    the unadjusted rank and its interval, out of ``n_ranked``."""

    rank_income_adjusted: int | None
    rank: int | None
    rank_low: int | None
    rank_high: int | None
    n_ranked: int | None
    score: float | None
    method_nb: str
    method_en: str
    method_nn: str = ""

    def method(self, lang: str) -> str:
        """The method's name in ``lang`` (nynorsk reads bokmål where it has none)."""
        if lang == "en":
            return self.method_en
        return self.method_nn if lang == "nn" and self.method_nn else self.method_nb


@dataclass(frozen=True)
class MunicipalityFacts:
    """One municipality at a glance in ``year`` (on the 2024 borders of the packaged facts)."""

    code: str
    name: str
    county: str
    year: int
    population_date: int
    population: float | None
    population_before: float | None
    ages: tuple[AgeGroup, ...]
    area_km2: float | None
    centrality: int | None
    robek: bool | None
    kostra_group: str | None
    need_year: int | None
    need_index: float | None
    finances: workbench.KeyFigureTable
    ranks: Ranks | None

    @property
    def density(self) -> float | None:
        """Inhabitants per km² of land and fresh water."""
        if self.population is None or not self.area_km2:
            return None
        return self.population / self.area_km2

    @property
    def growth(self) -> float | None:
        """Change in inhabitants over the year before ``population_date``, as a share."""
        if self.population is None or not self.population_before:
            return None
        return self.population / self.population_before - 1


def population_date(year: int) -> int:
    """The 1 January whose population describes ``year``: the next one (the end of the
    accounting year, the denominator of SSB's per-inhabitant figures) where it is packaged."""
    geography = importlib.import_module("kostra.geography")
    try:
        geography.municipalities(year + 1)
    except KostraError:
        return year
    return year + 1


def _ages(code: str, on: int, borders: int) -> tuple[list[AgeGroup], float | None, float | None]:
    geography = importlib.import_module("kostra.geography")
    frame: pl.DataFrame = geography.population(
        [on - 1, on], age_group=["total", *AGE_GROUPS], borders=borders, aggregates=True
    ).filter(pl.col("region").is_in([code, "EAK"]))

    def value(region: str, year: int, group: str) -> float | None:
        found = frame.filter(
            (pl.col("region") == region) & (pl.col("year") == year) & (pl.col("age_group") == group)
        )["population"]
        return float(found[0]) if found.len() and found[0] is not None else None

    total, country = value(code, on, "total"), value("EAK", on, "total")
    ages = []
    for group in AGE_GROUPS:
        own, all_of = value(code, on, group), value("EAK", on, group)
        ages.append(
            AgeGroup(
                group,
                own,
                own / total if own is not None and total else None,
                all_of / country if all_of is not None and country else None,
            )
        )
    return ages, total, value(code, on - 1, "total")


def _ranks(
    ranking: barometer_analysis.BarometerResult | None,
    intervals: pl.DataFrame | None,
    code: str,
    year: int,
    catalog: Catalog,
) -> Ranks | None:
    if ranking is None:
        return None
    head = barometer_results.headline(ranking, code, year)
    low = high = None
    if intervals is not None:
        row = intervals.filter(
            (pl.col("region") == code)
            & (pl.col("year") == year)
            & (pl.col("sector") == barometer_analysis.TOTAL)
        )
        if row.height:
            low, high = row["rank_low"][0], row["rank_high"][0]

    def whole(value: object) -> int | None:
        return None if value is None else int(str(value))

    score = head["score"]
    return Ranks(
        rank_income_adjusted=whole(head["rank_income_adjusted"]),
        rank=whole(head["rank"]),
        rank_low=whole(low),
        rank_high=whole(high),
        n_ranked=whole(head["n_ranked"]),
        score=None if score is None else float(str(score)),
        method_nb=barometer_results.method_name(catalog, "nb"),
        method_en=barometer_results.method_name(catalog, "en"),
        method_nn=barometer_results.method_name(catalog, "nn"),
    )


def municipality_facts(
    municipality: str,
    year: int,
    *,
    evaluated: pl.DataFrame,
    catalog: Catalog,
    borders: int = api.BORDERS,
    ranking: barometer_analysis.BarometerResult | None = None,
    intervals: pl.DataFrame | None = None,
    synthetic: bool = False,
) -> MunicipalityFacts:
    """The facts of ``municipality`` in ``year``. ``evaluated``: the year's key figures on
    ``borders`` (:func:`kostra.api.evaluated`, SSB's aggregates kept); ``ranking`` and
    ``intervals``: the year's barometer (:func:`kostra.results.barometer.rank` and
    ``intervals``), ``None`` to leave the ranks out."""
    code, name = api.resolve(municipality, year, borders=borders)
    geography = importlib.import_module("kostra.geography")
    places: pl.DataFrame = geography.municipalities(borders)
    county = places.filter(pl.col("code") == code)["county_name"]
    on = population_date(year)
    ages, total, before = _ages(code, on, borders)
    # area, centrality and ROBEK are packaged on the 2024 borders, as for `kostra similar`
    # (no municipality changed after the 2024 reform: later borders have the same codes)
    home = code if borders >= workbench.SIMILAR_BORDERS else None
    packaged = workbench.packaged_facts()
    facts = packaged.filter(pl.col("code") == home) if home is not None else packaged.clear()
    fact = facts.row(0, named=True) if facts.height else {}
    # the need year every need-corrected figure of the year uses (the next budget year's)
    needs = api.need_index_for_borders(borders)
    need_year = int(choose_need_year([year], needs["need_year"].unique().to_list())["need_year"][0])
    need = needs.filter(
        (pl.col("need_year") == need_year)
        & (pl.col("region") == code)
        & (pl.col("sector") == "total")
    )["need_index"]
    try:
        groups: pl.DataFrame = geography.kostra_groups(min(year, borders))
        group = groups.filter(pl.col("code") == code)["kostra_group_label"]
    except KostraError:  # a year no grouping covers: the group is missing, the rest stands
        group = pl.Series([], dtype=pl.Utf8)
    finances = workbench.nokkeltall_from(
        evaluated,
        catalog,
        code,
        year,
        borders=borders,
        sectors=["okonomi"],
        synthetic=synthetic,
    )
    table = workbench.key_figure_table(finances)
    keep = [n for n, c in enumerate(table.columns) if c.key in FINANCE_COLUMNS]
    rows = tuple(
        workbench.KeyFigureRow(
            r.indicator_id,
            r.sector,
            r.name_nb,
            r.name_en,
            r.unit,
            tuple(r.cells[n] for n in keep),
        )
        for figure in FINANCE_FIGURES
        for r in table.rows
        if r.indicator_id == figure
    )
    finance_table = workbench.KeyFigureTable(
        table.year,
        table.borders,
        tuple(table.columns[n] for n in keep),
        rows,
        table.notes,
    )
    return MunicipalityFacts(
        code=code,
        name=name,
        county=str(county[0]) if county.len() else "",
        year=year,
        population_date=on,
        population=total,
        population_before=before,
        ages=tuple(ages),
        area_km2=fact.get("area_km2"),
        centrality=fact.get("centrality"),
        robek=fact.get("robek_2024"),
        kostra_group=str(group[0]) if group.len() else None,
        need_year=need_year if need.len() else None,
        need_index=float(need[0]) if need.len() else None,
        finances=finance_table,
        ranks=_ranks(ranking, intervals, code, year, catalog),
    )
