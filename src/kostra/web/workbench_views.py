"""The analyst's workbench pages as plain rows: SSB's KOSTRA nøkkeltall view, the
municipality facts (Kommunefakta-style), the ranking of one barometer sector and the key-figure
search.

As in :mod:`kostra.web.views`, every function returns a JSON-ready dict that the API serves,
the CSV/XLSX download writes (``rows``) and the template renders, so they cannot disagree. The
figures come from the functions the CLI uses: :func:`kostra.workbench.nokkeltall_from`,
:func:`kostra.workbench.municipality_facts`, :mod:`kostra.results.barometer` and
:func:`kostra.catalog.search.search_indicators`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from kostra import workbench
from kostra.catalog.models import series_of
from kostra.errors import shown
from kostra.i18n.said import say
from kostra.report import charts
from kostra.report.locale import vega_locale
from kostra.results import barometer as barometer_results
from kostra.results.provenance import REAL
from kostra.web.data import (
    DEFAULT_BORDERS,
    MunicipalityView,
    NotFoundError,
    WebData,
)
from kostra.web.labels import label
from kostra.web.views import _meta, _rows, banner


def nokkeltall(
    web: WebData, view: MunicipalityView, compare: Sequence[str], lang: str
) -> dict[str, Any]:
    """SSB's KOSTRA view of the view's municipality in its year (the year's figures the web
    computed, on the web's borders), with ``compare`` municipalities as extra columns."""
    data = view.data.in_language(lang)
    evaluated, synthetic, source = web.key_figures(data.year, view.borders)
    result = workbench.nokkeltall_from(
        evaluated,
        web.catalog,
        data.municipality.code,
        data.year,
        borders=data.borders,
        borders_rule=data.borders_rule,
        compare=compare,
        synthetic=synthetic,
        source=source,
    )
    table = workbench.key_figure_table(result)
    return {**_meta(view, lang), **workbench.nokkeltall_payload(table, lang)}


# -- one barometer sector's ranking ---------------------------------------------------------------

#: Columns a sector ranking sorts by besides its indicators' scores.
SECTOR_SORTS = ("rank", "name", "code", "county_name", "population", "score", "coverage")


def barometer_sectors(
    web: WebData, year: int, lang: str, borders: str = DEFAULT_BORDERS
) -> list[dict[str, str]]:
    """The barometer's sectors ranked in ``year`` (``id``, ``name``), in the method's order."""
    ranking = web.barometer(year, borders)
    if ranking is None:
        return []
    ranked = set(ranking.sectors.filter(pl.col("year") == year)["sector"].unique().to_list())
    return [
        {"id": s.id.value, "name": s.name(lang)}
        for s in ranking.config.sectors
        if s.id.value in ranked
    ]


def sector_ranking(
    web: WebData,
    year: int,
    sector: str,
    lang: str,
    *,
    sort: str = "rank",
    descending: bool = False,
    borders: str = DEFAULT_BORDERS,
) -> dict[str, Any]:
    """Every municipality's rank and score in one barometer sector in ``year``
    (:func:`kostra.results.barometer.rank`, as ``kostra barometer --sector``), its rank
    interval, and the score (1–6) of each of the sector's indicators as columns (``rows``),
    sorted by ``sort`` (missing last)."""
    year_view = web.year_view(year, borders)
    ranking = web.barometer(year, borders)
    sectors = {s["id"]: s["name"] for s in barometer_sectors(web, year, lang, borders)}
    if ranking is None or sector not in sectors:
        raise NotFoundError(
            say("error.web.barometer_sector", sector=shown(sector), year=year),
            hint=say("error.web.choose_one.hint", choices=", ".join(sectors)),
        )
    items = [i for i in ranking.items if i.sector.value == sector]
    indicator_ids = [i.indicator_id for i in items]
    if sort not in (*SECTOR_SORTS, *indicator_ids):
        raise NotFoundError(
            say("error.web.sort", sort=shown(sort)),
            hint=say("error.web.sort.hint", choices=", ".join((*SECTOR_SORTS, *indicator_ids))),
        )
    ranks = ranking.sectors.filter((pl.col("year") == year) & (pl.col("sector") == sector))
    grades = ranking.indicators.filter(
        (pl.col("year") == year) & (pl.col("sector") == sector)
    ).pivot(on="indicator_id", index="region", values="score", aggregate_function="first")
    missing = [i for i in indicator_ids if i not in grades.columns]
    grades = grades.with_columns(pl.lit(None, dtype=pl.Float64).alias(i) for i in missing)
    frame = year_view.municipalities.select("code", "name", "county_name", "population").join(
        ranks.select("region", "rank", "n_ranked", "score", "coverage"),
        left_on="code",
        right_on="region",
        how="left",
    )
    intervals = web.intervals(year, borders)
    if intervals is not None:
        frame = frame.join(
            intervals.filter((pl.col("year") == year) & (pl.col("sector") == sector)).select(
                "region", "rank_low", "rank_high"
            ),
            left_on="code",
            right_on="region",
            how="left",
        )
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=pl.Int32).alias("rank_low"),
            pl.lit(None, dtype=pl.Int32).alias("rank_high"),
        )
    frame = frame.join(
        grades.select("region", *indicator_ids), left_on="code", right_on="region", how="left"
    ).sort(sort, "code", descending=[descending, False], nulls_last=True, maintain_order=True)
    return {
        "year": year,
        "borders": year_view.borders,
        "sector": {"id": sector, "name": sectors[sector]},
        "method": barometer_results.method_name(web.catalog, lang),
        "indicators": [
            {"id": i.indicator_id, "name": i.name(lang), "unit": i.unit, "weight": i.weight}
            for i in items
        ],
        "sort": sort,
        "descending": descending,
        "synthetic": web.synthetic,
        "banner": banner(web.synthetic, lang),
        "lang": lang,
        "count": frame.height,
        "rows": _rows(frame),
    }


# -- the municipality at a glance ---------------------------------------------------------------


def facts(web: WebData, view: MunicipalityView, lang: str) -> dict[str, Any]:
    """:func:`kostra.facts.municipality_facts` of the view's municipality in its year (the
    year's figures and barometer the web computed); ``rows``: one per figure, with the
    country's beside it where there is one (what the CSV/XLSX holds)."""
    from kostra.facts import municipality_facts

    data = view.data.in_language(lang)
    found = municipality_facts(
        data.municipality.code,
        data.year,
        evaluated=web.year_view(data.year, view.borders).evaluated,
        catalog=web.catalog,
        borders=data.borders,
        ranking=web.barometer(data.year, view.borders),
        intervals=web.intervals(data.year, view.borders),
        synthetic=web.synthetic,
    )
    finances = workbench.nokkeltall_payload(found.finances, lang)
    ranks = found.ranks
    words = {key: label(key, lang) for key in _FACT_WORDS}
    rows: list[dict[str, Any]] = [
        {
            "figure": "population",
            "label": words["population"],
            "value": found.population,
            "unit": "",
            "country": None,
            "origin": REAL,
        },
        {
            "figure": "growth",
            "label": words["facts_growth"],
            "value": None if found.growth is None else found.growth * 100,
            "unit": "%",
            "country": None,
            "origin": REAL,
        },
    ]
    for age in found.ages:
        rows.append(
            {
                "figure": f"share_{age.age_group}",
                "label": label("facts_age_share", lang, group=age.age_group),
                "value": None if age.share is None else age.share * 100,
                "unit": "%",
                "country": None if age.country_share is None else age.country_share * 100,
                "origin": REAL,
            }
        )
    rows += [
        {
            "figure": "area_km2",
            "label": words["facts_area"],
            "value": found.area_km2,
            "unit": "km²",
            "country": None,
            "origin": REAL,
        },
        {
            "figure": "density",
            "label": words["facts_density"],
            "value": found.density,
            "unit": label("facts_per_km2", lang),
            "country": None,
            "origin": REAL,
        },
        {
            "figure": "need_index",
            "label": words["facts_need_index"],
            "value": found.need_index,
            "unit": "",
            "country": 1.0 if found.need_index is not None else None,
            "origin": REAL,
        },
    ]
    country = next((n for n, c in enumerate(found.finances.columns) if c.key == "country"), None)
    for row in found.finances.rows:
        rows.append(
            {
                "figure": row.indicator_id,
                "label": row.name(lang),
                "value": row.cells[0].value,
                "unit": row.unit,
                "country": None if country is None else row.cells[country].value,
                "origin": data.origin(row.indicator_id) or data.data_origin,
            }
        )
    if ranks is not None:
        rows.append(
            {
                "figure": "barometer_rank",
                "label": words["barometer_total"],
                "value": ranks.rank_income_adjusted or ranks.rank,
                "unit": "",
                "country": None,
                "origin": data.data_origin,  # every key figure of the ranking
            }
        )
    return {
        **_meta(view, lang),
        "population": {
            "date": found.population_date,
            "total": found.population,
            "before": found.population_before,
            "growth": found.growth,
        },
        "ages": [
            {
                "age_group": a.age_group,
                "population": a.population,
                "share": a.share,
                "country_share": a.country_share,
            }
            for a in found.ages
        ],
        "area_km2": found.area_km2,
        "density": found.density,
        "centrality": found.centrality,
        "robek": found.robek,
        "kostra_group": found.kostra_group,
        "need_year": found.need_year,
        "need_index": found.need_index,
        "finances": finances,
        "ranks": None
        if ranks is None
        else {
            "headline_rank": ranks.rank_income_adjusted or ranks.rank,
            "income_adjusted": ranks.rank_income_adjusted is not None,
            "rank": ranks.rank,
            "rank_low": ranks.rank_low,
            "rank_high": ranks.rank_high,
            "n_ranked": ranks.n_ranked,
            "score": ranks.score,
            "method": ranks.method(lang),
        },
        "rows": rows,
    }


_FACT_WORDS = (
    "population",
    "facts_growth",
    "facts_area",
    "facts_density",
    "facts_need_index",
    "barometer_total",
)


def age_chart(content: dict[str, Any], lang: str) -> dict[str, Any]:
    """The age structure: the municipality's share of each age group beside the country's."""
    name = content["municipality"]["name"]
    country = label("peer_country", lang)
    values = []
    for age in content["ages"]:
        for who, share in ((name, age["share"]), (country, age["country_share"])):
            if share is not None:
                values.append({"age": age["age_group"], "who": who, "share": share})
    title = label("facts_age_title", lang, date=content["population"]["date"])
    return {
        "$schema": charts.SCHEMA,
        "description": f"{title}: {name} / {country}",
        "title": title,
        "width": 360,
        "height": 200,
        "config": {"locale": vega_locale(lang), "font": charts.FONT},
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "age",
                "type": "nominal",
                "sort": None,
                "title": label("facts_age", lang),
                "axis": {"labelAngle": 0},
            },
            "xOffset": {"field": "who", "sort": [name, country]},
            "y": {
                "field": "share",
                "type": "quantitative",
                "axis": {"format": ".0%"},
                "title": label("facts_share", lang),
            },
            "color": {
                "field": "who",
                "type": "nominal",
                "sort": [name, country],
                "scale": {"range": [charts.OWN_COLOR, "#9aa5b1"]},
                "title": None,
                "legend": {"orient": "top"},
            },
            "tooltip": [
                {"field": "who", "title": label("region", lang)},
                {"field": "age", "title": label("facts_age", lang)},
                {"field": "share", "format": ".1%", "title": label("facts_share", lang)},
            ],
        },
    }


# -- key-figure search --------------------------------------------------------------------------


def search(web: WebData, query: str, lang: str) -> dict[str, Any]:
    """Key figures matching ``query`` (names, SSB's labels, synonyms; the CLI's
    ``kostra catalog --search``), grouped by sector with the best match's sector first
    (``sectors``); ``rows``: one per key figure found, in that order."""
    from kostra.catalog.search import by_sector, search_indicators
    from kostra.report.locale import sector_name

    found = by_sector(search_indicators(web.indicators(), query)) if query.strip() else []
    rows = [
        {
            "id": ind.id,
            "sector": ind.sector.value,
            "sector_name": sector_name(ind.sector.value, lang, capital=True),
            "name": ind.name_en if lang == "en" else ind.name_nb,
            "unit": ind.unit,
            "score": score,
            "tables": sorted({ref.table_id for ref in series_of(ind)}),
        }
        for ind, score in found
    ]
    sectors: list[dict[str, Any]] = []
    for row in rows:
        if not sectors or sectors[-1]["sector"] != row["sector"]:
            sectors.append({"sector": row["sector"], "name": row["sector_name"], "rows": []})
        sectors[-1]["rows"].append(row)
    return {
        "query": query,
        "count": len(rows),
        "sectors": sectors,
        "rows": rows,
        "synthetic": web.synthetic,
        "banner": banner(web.synthetic, lang),
        "lang": lang,
    }
