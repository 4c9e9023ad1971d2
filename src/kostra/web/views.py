"""The numbers of each page as plain rows, and the page's charts as Vega-Lite specs.

Every view function returns a JSON-ready dict: the JSON API serves it as is, the CSV/XLSX
downloads write its ``rows``, and the templates render the same dict. So a page, its download
and its API answer cannot disagree. Charts come from :mod:`kostra.report.charts` (the report's
specs, with the Norwegian number locale), built from the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

from kostra import api
from kostra.analysis._barometer.income import income_label
from kostra.analysis._barometer.naming import PUBLISHED_INDICATORS
from kostra.analysis.method import AVERAGE_LEGEND, DIFFERENCE_TEXT, SMALL_NUMBERS
from kostra.analysis.verdict import sector_verdict
from kostra.catalog.models import Indicator
from kostra.catalog.verify import unconfirmed_sentence
from kostra.report import charts, maps
from kostra.report.geo import (
    GEO_BORDERS_YEAR,
    municipality_areas,
    municipality_topology,
    smallest_municipalities,
)
from kostra.report.locale import SYNTHETIC_BANNER, number, sector_name, signed, t, vega_locale
from kostra.report.model import BAROMETER_SECTOR, REPORT_SECTORS, ReportData
from kostra.report.verdicts import sector_figures
from kostra.web.data import (
    BAROMETER_RANK,
    DEFAULT_BORDERS,
    ComputingError,
    MunicipalityView,
    WebData,
    YearView,
    borders_year,
)

#: Where the pages load the municipality boundaries from (one cached file instead of a megabyte
#: of TopoJSON inside every page).
TOPOLOGY_URL = "/geo/kommuner_2024.topojson"

#: Time series drawn per sector page (the first key figures with at least two values).
SERIES_PER_SECTOR = 6


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None (missing stays missing, never 0)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def number_text(value: float | int | None, lang: str, decimals: int | None = None) -> str:
    """A number as the pages print it: the one format of :func:`kostra.i18n.number`."""
    return number(value, lang, decimals)


def signed_text(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """A difference with its sign (+/−): which side of the peers a figure is on, at a glance."""
    return signed(None if value is None else float(value), lang, decimals)


def indicator_name(indicator: Indicator, lang: str) -> str:
    """The key figure's name in ``lang``."""
    return indicator.name_en if lang == "en" else indicator.name_nb


@cache
def _topology() -> dict[str, Any]:
    """The boundaries, parsed once: the specs only carry them until :func:`topology_by_url`."""
    return municipality_topology()


@cache
def topology_bytes() -> bytes:
    """The packaged TopoJSON file as served at :data:`TOPOLOGY_URL`."""
    path = resources.files("kostra") / "data" / "geo" / "kommuner_2024.topojson"
    return path.read_bytes()


def topology_by_url(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (a :func:`kostra.report.maps.map_chart`) loading the boundaries from
    :data:`TOPOLOGY_URL` instead of carrying them."""
    return maps.with_topology_url(spec, TOPOLOGY_URL)


def banner(synthetic: bool, lang: str) -> str | None:
    """The sample-data banner, or None for real figures."""
    return SYNTHETIC_BANNER[lang] if synthetic else None


def _meta(view: MunicipalityView, lang: str) -> dict[str, Any]:
    data = view.data.in_language(lang)
    return {
        "municipality": {
            "code": data.municipality.code,
            "name": data.municipality.name,
            "county": data.county,
        },
        "year": data.year,
        # the year of the municipal borders every figure is on, and the rule that chose it
        "borders": data.borders,
        "borders_rule": data.borders_rule,
        "peers": {
            "key": view.peers_key,
            "name": data.peers.name,
            "members": [{"code": p.code, "name": p.name} for p in data.peers.members],
        },
        "synthetic": data.synthetic,
        "banner": banner(data.synthetic, lang),
        "lang": lang,
        # real/sample/mixed: when mixed, every figure below carries its own "origin"
        "data_origin": data.data_origin,
        "totals_mixed": data.totals_mixed,
    }


# -- overview -----------------------------------------------------------------------------------


def overview(view: MunicipalityView, lang: str) -> dict[str, Any]:
    """Summary findings, production/efficiency, barometer (total with interval, sectors ranked)
    and need-corrected costs of one municipality; ``rows`` is one row per sector."""
    data = view.data.in_language(lang)
    barometer = data.barometer
    sectors = []
    for sector in REPORT_SECTORS:
        prod = data.production_row(sector)
        need = data.need_cost(sector)
        bsector = BAROMETER_SECTOR.get(sector)
        brow = barometer.sector(bsector) if barometer is not None and bsector else None
        sectors.append(
            {
                "sector": sector.value,
                "sector_name": sector_name(sector.value, lang, capital=True),
                "production_index": _clean(prod.production_index) if prod else None,
                "cost_index": _clean(prod.cost_index) if prod else None,
                "efficiency_index": _clean(prod.efficiency_index) if prod else None,
                "net_opex_per_inhabitant": _clean(need.net_opex_per_inhabitant) if need else None,
                "need_index": _clean(need.need_index) if need else None,
                "need_corrected": _clean(need.need_corrected) if need else None,
                "difference_per_inhabitant": _clean(need.difference) if need else None,
                "excess_nok": _clean(need.excess_nok) if need else None,
                "origin": data.sector_origins.get(sector.value),
                "barometer_rank": brow.rank if brow else None,
                "barometer_rank_low": brow.rank_low if brow else None,
                "barometer_rank_high": brow.rank_high if brow else None,
                "barometer_n_ranked": brow.n_ranked if brow else None,
            }
        )
    barometer_info = None
    if barometer is not None:
        barometer_info = {
            # the headline is the income-adjusted rank, as Kommunal Rapport publishes it
            "headline_rank": barometer.headline_rank,
            "method": t(
                "barometer_method", lang, n=barometer.n_indicators, published=PUBLISHED_INDICATORS
            ),
            "n_indicators": barometer.n_indicators,
            "income_basis": barometer.income_basis,
            "income_label": income_label(barometer.income_basis, lang),
            "total_rank": barometer.total_rank,
            "total_rank_low": barometer.total_rank_low,
            "total_rank_high": barometer.total_rank_high,
            "n_ranked": barometer.n_ranked,
            "income_adjusted_rank": barometer.income_adjusted_rank,
            "score": _clean(barometer.score),
            "interval_level": barometer.interval_level,
            "sectors": sorted(
                (
                    {
                        "sector": s.sector.value,
                        "sector_name": sector_name(s.sector.value, lang, capital=True),
                        "rank": s.rank,
                        "rank_low": s.rank_low,
                        "rank_high": s.rank_high,
                        "n_ranked": s.n_ranked,
                        "score": _clean(s.score),
                        "n_indicators": s.n_indicators,
                    }
                    for s in barometer.sectors
                ),
                key=lambda s: (s["rank"] is None, s["rank"] or 0),
            ),
        }
    return {
        **_meta(view, lang),
        "findings": [
            {"rule": f.rule_id, "sector": f.sector, "text": f.text(lang)} for f in view.summary
        ],
        "production_total": _clean(data.production_total),
        "efficiency_total": _clean(data.efficiency_total),
        "production_reference": data.production_reference,
        "excess_total_nok": _clean(data.excess_total()),
        "need_index_year": data.need_index_year,
        "barometer": barometer_info,
        "rows": sectors,
    }


def overview_charts(view: MunicipalityView, lang: str) -> dict[str, dict[str, Any]]:
    """Need-corrected costs per sector, barometer sector ranks and the rank map."""
    data = view.data.in_language(lang)
    out: dict[str, dict[str, Any]] = {}
    need_rows = [
        {
            "sector": sector_name(r.sector.value, lang, capital=True),
            "excess_mnok": r.excess_nok / 1e6,
        }
        for r in data.need_costs
        if r.excess_nok is not None and math.isfinite(r.excess_nok)
    ]
    if need_rows:
        out["need"] = charts.need_cost_chart(
            need_rows,
            lang=lang,
            municipality=data.municipality.name,
            peer_name=data.peers.name,
            year=data.year,
            width=360,
        )
    barometer = data.barometer
    if barometer is not None:
        brows = charts.barometer_rows(barometer.sectors, lang)
        if brows:
            out["barometer"] = charts.barometer_chart(
                brows, lang=lang, municipality=data.municipality.name, year=data.year, width=360
            )
        spec = maps.barometer_map(
            data, lang, topology=_topology(), width=360, height=470, zoom=True
        )
        if spec is not None:
            out["map"] = topology_by_url(spec)
    return out


# -- sector -------------------------------------------------------------------------------------


def sector(view: MunicipalityView, sector_id: str, lang: str) -> dict[str, Any]:
    """One sector: the service profile against the peers (``rows``), the history, the
    need-corrected cost row and the barometer sector with the key figures that move it."""
    data = view.data.in_language(lang)
    member = next(s for s in REPORT_SECTORS if s.value == sector_id)
    rows = []
    for compared in data.compared_profile(member):
        row, ind, difference = compared.row, compared.indicator, compared.difference
        rows.append(
            {
                "indicator_id": ind.id,
                "name": indicator_name(ind, lang),
                "unit": ind.unit,
                "direction": ind.direction,
                "value": _clean(row.value),
                "status": row.status,
                "peer_average": _clean(row.peer_average),
                "index": _clean(row.index),
                "comparison": ind.comparison,
                "difference": _clean(difference),
                "average_marked": compared.average_marked,
                "peer_rank": row.peer_rank,
                "n_peers": row.n_peers,
                "peer_min": _clean(row.peer_min),
                "peer_max": _clean(row.peer_max),
                "previous_value": _clean(row.previous_value),
                "series_break": row.series_break,
                "caveat": ind.caveat(lang),
                "origin": data.origin(ind.id),
                # the key figure's SSB codes are not confirmed yet (None when they are)
                "unconfirmed": unconfirmed_sentence(ind, lang),
                # the small-number rule: no index on a tiny base (S), an index beyond the caps (!)
                "small_base": row.small_base,
                "beyond_cap": row.beyond_cap,
            }
        )
    ids = {r["indicator_id"] for r in rows}
    history = [
        {k: _clean(v) for k, v in p.model_dump().items()}
        for p in data.history
        if p.indicator_id in ids
    ]
    need = data.need_cost(member)
    bsector = BAROMETER_SECTOR.get(member)
    brow = data.barometer.sector(bsector) if data.barometer is not None and bsector else None
    drivers = []
    if brow is not None:
        for d in sorted(brow.drivers, key=lambda d: -abs(d.effect or 0.0)):
            try:
                ind = data.indicator(d.indicator_id)
                name, unit = indicator_name(ind, lang), ind.unit
            except KeyError:
                name, unit = d.indicator_id, ""
            drivers.append(
                {
                    "indicator_id": d.indicator_id,
                    "name": name,
                    "unit": unit,
                    "value": _clean(d.value),
                    "grade": _clean(d.grade),
                    "weight": _clean(d.weight),
                    "effect": _clean(d.effect),
                }
            )
    findings = [
        {"rule": f.rule_id, "text": f.text(lang)}
        for f in view.findings
        if f.sector in {sector_id, bsector.value if bsector else None}
    ]
    peer_years = sorted({p["year"] for p in history if p["peer_average"] is not None})
    verdict = sector_verdict(sector_figures(data, member))
    return {
        **_meta(view, lang),
        "sector": {"id": sector_id, "name": sector_name(sector_id, lang, capital=True)},
        "verdict": {
            "rule": verdict.verdict.rule_id,
            "text": verdict.verdict.text(lang),
            "detail": verdict.verdict.detail(lang),
            "observations": [
                {"rule": o.rule_id, "text": o.text(lang)} for o in verdict.observations
            ],
            "barometer": {"rule": verdict.barometer.rule_id, "text": verdict.barometer.text(lang)},
        },
        "rows": rows,
        "average_legend": AVERAGE_LEGEND.text(lang)
        if any(r["average_marked"] for r in rows)
        else None,
        "difference_legend": DIFFERENCE_TEXT.text(lang)
        if any(r["difference"] is not None for r in rows)
        else None,
        "small_numbers_legend": SMALL_NUMBERS.text().text(lang)
        if any(r["small_base"] or r["beyond_cap"] for r in rows)
        else None,
        "history": history,
        "peer_years": peer_years,
        "pandemic_years": list(data.pandemic_years),
        "findings": findings,
        "need": None
        if need is None
        else {k: _clean(v) for k, v in need.model_dump(mode="json").items()},
        "barometer": None
        if brow is None
        else {
            "sector": brow.sector.value,
            "rank": brow.rank,
            "rank_low": brow.rank_low,
            "rank_high": brow.rank_high,
            "n_ranked": brow.n_ranked,
            "score": _clean(brow.score),
            "coverage": _clean(brow.coverage),
            "drivers": drivers,
        },
    }


def sector_series(
    content: dict[str, Any], series_view: MunicipalityView | None, sector_id: str, lang: str
) -> dict[str, Any]:
    """``content`` (from :func:`sector`) with its time series (``history``, ``peer_years``)
    taken from ``series_view``, the same municipality on the newest borders, when the page is
    on older ones; ``series_borders`` says which borders the series are on."""
    if series_view is None:
        return {**content, "series_borders": content["borders"]}
    newest = sector(series_view, sector_id, lang)
    return {
        **content,
        "history": newest["history"],
        "peer_years": newest["peer_years"],
        "series_borders": newest["borders"],
        "series_municipality": newest["municipality"],
        "series_peers": newest["peers"]["name"],
    }


def sector_charts(data: ReportData, content: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The sector's profile chart, then a time series per key figure with data (the series'
    own municipality and peers when they are on other borders, see :func:`sector_series`)."""
    out: list[dict[str, Any]] = []
    label = content["sector"]["name"]
    profile_rows = [{"label": r["name"], "index": r["index"]} for r in content["rows"]]
    if any(r["index"] is not None for r in profile_rows):
        out.append(
            charts.profile_chart(
                profile_rows,
                lang=lang,
                municipality=data.municipality.name,
                sector=label,
                year=data.year,
                peer_name=data.peers.name,
                width=560,
            )
        )
    history: dict[str, list[dict[str, Any]]] = {}
    for point in content["history"]:
        history.setdefault(point["indicator_id"], []).append(point)
    drawn = 0
    for row in content["rows"]:
        points = history.get(row["indicator_id"], [])
        if drawn >= SERIES_PER_SECTOR or sum(p["value"] is not None for p in points) < 2:
            continue
        breaks = [p["year"] for p in points if p["series_break"]]
        spec = charts.series_chart(
            points,
            lang=lang,
            indicator=row["name"],
            unit=row["unit"],
            municipality=content.get("series_municipality", {}).get("name", data.municipality.name),
            peer_name=content.get("series_peers", data.peers.name),
            pandemic_years=data.pandemic_years,
            break_years=breaks[-1:],
            width=260,
        )
        out.append(spec)
        drawn += 1
    return out


# -- all municipalities -------------------------------------------------------------------------


def measure_label(web: WebData, measure: str, lang: str) -> str:
    """What ``measure`` is called on the page: a key figure's name or the barometer rank."""
    if measure == BAROMETER_RANK:
        return t("barometer_rank", lang)
    return indicator_name(web.indicator(measure), lang)


def measure_unit(web: WebData, measure: str) -> str:
    """The unit of ``measure`` ("" for the barometer rank)."""
    return "" if measure == BAROMETER_RANK else web.indicator(measure).unit


def _measure_meta(web: WebData, year: int, measure: str, lang: str, borders: int) -> dict[str, Any]:
    """What a page about every municipality says about itself: year, the year of the
    municipal borders its figures are on, measure, sample banner."""
    return {
        "year": year,
        "borders": borders,
        "measure": {
            "id": measure,
            "name": measure_label(web, measure, lang),
            "unit": measure_unit(web, measure),
        },
        "synthetic": web.synthetic,
        "banner": banner(web.synthetic, lang),
        "lang": lang,
    }


_RANK_COLUMNS = (
    "place",
    "code",
    "name",
    "county_code",
    "county_name",
    "population",
    "size",
    "kostra_group",
    "value",
    "status",
    "rank",
    "rank_low",
    "rank_high",
    "n_ranked",
    "rank_income_adjusted",
    "score",
)


def ranking(
    web: WebData,
    frame: pl.DataFrame,
    year: int,
    measure: str,
    lang: str,
    borders: str = DEFAULT_BORDERS,
) -> dict[str, Any]:
    """The ranking table (``rows``: one per municipality shown) on ``borders``."""
    return {
        **_measure_meta(web, year, measure, lang, borders_year(year, borders)),
        "count": frame.height,
        "rows": _rows(frame.select([c for c in _RANK_COLUMNS if c in frame.columns])),
    }


def map_view(
    web: WebData, year: int, measure: str, lang: str, borders: str = DEFAULT_BORDERS
) -> dict[str, Any]:
    """Every municipality's value (or barometer rank) for the map (``rows``), on the map's
    (newest) borders whatever ``borders`` the pages are on, with what the legend says: the
    unit, SSB's tables and whether the figure is signed."""
    frame = web.values(year, measure, borders, on_map=True)
    frame = frame.select("code", "name", "value", "status", "place")
    meta = _measure_meta(web, year, measure, lang, GEO_BORDERS_YEAR)
    if measure != BAROMETER_RANK:
        about = maps.indicator_measure(web.indicator(measure), lang, synthetic=web.synthetic)
        meta["measure"] |= {
            "unit_label": about.unit,
            "tables": list(about.tables),
            "signed": about.signed,
        }
    return {**meta, "rows": _rows(frame)}


def map_spec(
    content: Mapping[str, Any],
    lang: str,
    *,
    code: str = "",
    peers: Sequence[str] = (),
    width: int = 520,
    height: int = 700,
) -> dict[str, Any]:
    """The zoomable map of ``content`` (from :func:`map_view`), ``width`` × ``height`` pixels
    without the inset and legend beside it."""
    measure = content["measure"]
    if measure["id"] == BAROMETER_RANK:
        about = maps.rank_measure(lang)
    else:
        about = maps.MapMeasure(
            name=measure["name"],
            unit=measure["unit_label"],
            tables=tuple(measure.get("tables", ())),
            signed=bool(measure.get("signed")),
            synthetic=bool(content.get("synthetic")),
        )
    spec = maps.map_chart(
        content["rows"],
        topology=_topology(),
        lang=lang,
        measure=about,
        year=content["year"],
        code=code,
        peers=list(peers),
        width=width,
        height=height,
        zoom=True,
    )
    return topology_by_url(spec)


def map_about(content: Mapping[str, Any], lang: str, *, code: str = "") -> dict[str, Any]:
    """What the map shows in words and numbers, for readers who cannot see its colours: each
    municipality's value with its unit (``rows``, by rank), a summary, the smallest
    municipalities by area (the circles on the map) and the ``code`` municipality's line."""
    from kostra.web.labels import label

    measure = content["measure"]
    unit = "" if measure["id"] == BAROMETER_RANK else measure.get("unit_label", measure["unit"])

    def shown(row: Mapping[str, Any]) -> str:
        if row["value"] is None:
            return row.get("status") or "–"
        decimals = 0 if measure["id"] == BAROMETER_RANK else None
        return f"{number_text(row['value'], lang, decimals)} {unit}".strip()

    rows = sorted(
        ({**r, "shown": shown(r)} for r in content["rows"]),
        key=lambda r: (r["place"] is None, r["place"] or 0, r["name"]),
    )
    valued = [r for r in rows if r["value"] is not None]
    summary = ""
    if valued:
        ordered = sorted(r["value"] for r in valued)
        middle = len(ordered) // 2
        median = (
            ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        )
        summary = label(
            "map_summary",
            lang,
            first=valued[0]["name"],
            first_value=valued[0]["shown"],
            last=valued[-1]["name"],
            last_value=valued[-1]["shown"],
            median=shown({"value": median}),
            missing=len(rows) - len(valued),
        )
    areas = municipality_areas()
    by_code = {r["code"]: r for r in rows}
    smallest = [
        {
            "code": c,
            "name": by_code[c]["name"] if c in by_code else c,
            "area_km2": areas[c],
            "shown": by_code[c]["shown"] if c in by_code else "–",
        }
        for c in smallest_municipalities(maps.SMALL_COUNT)
    ]
    marked = None
    if code in by_code:
        row = by_code[code]
        marked = label(
            "map_marked",
            lang,
            name=row["name"],
            value=row["shown"],
            place=row["place"] if row["place"] is not None else "–",
            n=len(valued),
        )
    return {"rows": rows, "summary": summary, "smallest": smallest, "marked": marked}


def compare(
    web: WebData,
    codes: Sequence[str],
    year: int,
    measure: str,
    lang: str,
    borders: str = DEFAULT_BORDERS,
) -> dict[str, Any]:
    """Up to ten municipalities (codes on ``borders``) side by side on one key figure
    (``rows``), and their series over the years (``series``) on the newest borders, so every
    year has the same units (a municipality split since has none)."""
    on = borders_year(year, borders)
    frame = web.compare(codes, year, measure, borders)
    today: dict[str, str] = {}
    for code in codes:
        moved = api._to_borders([code], on, GEO_BORDERS_YEAR) if on < GEO_BORDERS_YEAR else [code]
        if len(moved) == 1:
            today[code] = moved[0]
    series_on = max(on, GEO_BORDERS_YEAR)
    try:
        series = web.compare_series(list(dict.fromkeys(today.values())), year, measure)
    except ComputingError:  # the newest borders not computed yet: the page's own, said so
        series = web.compare_series(codes, year, measure, borders)
        series_on = on
    names = api.names(series["code"].to_list(), borders=series_on) if series.height else {}
    series = series.with_columns(
        pl.col("code").replace_strict(names, default=None).alias("name")
    ).select("code", "name", "year", "value")
    return {
        **_measure_meta(web, year, measure, lang, on),
        "rows": _rows(
            frame.select("code", "name", "county_name", "population", "value", "status", "place")
        ),
        "series": _rows(series),
        "series_borders": series_on,
    }


def compare_charts(
    web: WebData, content: Mapping[str, Any], year_view: YearView, lang: str
) -> list[dict[str, Any]]:
    """A bar per municipality, their series over the years and their place among all."""
    out: list[dict[str, Any]] = []
    measure = content["measure"]
    rows = [r for r in content["rows"] if r["value"] is not None]
    if not rows:
        return out
    locale = vega_locale(lang)
    title = f"{measure['name']}, {content['year']}"
    unit = f" ({measure['unit']})" if measure["unit"] else ""
    # the text alternative carries the figures themselves, not only the chart's title
    values = "; ".join(f"{r['name']} {number(r['value'], lang)}" for r in rows)
    out.append(
        {
            "$schema": charts.SCHEMA,
            "description": f"{title}{unit}: {values}.",
            "title": title,
            "width": 460,
            "height": {"step": 22},
            "config": {"locale": locale, "font": charts.FONT, "mark": dict(charts.MARK_ARIA)},
            "data": {"values": [{"name": r["name"], "value": r["value"]} for r in rows]},
            "mark": {"type": "bar", "color": charts.OWN_COLOR},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "value", "type": "quantitative", "title": measure["unit"] or None},
                "tooltip": [
                    {"field": "name", "title": t("region", lang)},
                    {"field": "value", "format": ",.1f", "title": t("value", lang)},
                ],
            },
        }
    )
    series = [
        {"name": p.get("name") or p["code"], "year": p["year"], "value": p["value"]}
        for p in content["series"]
    ]
    if sum(p["value"] is not None for p in series) > len(rows):
        drawn = list(dict.fromkeys(p["name"] for p in series))
        years = sorted({p["year"] for p in series})
        out.append(
            {
                "$schema": charts.SCHEMA,
                "description": f"{measure['name']}{unit}, {years[0]}–{years[-1]}: "
                + "; ".join(
                    f"{name} "
                    + ", ".join(
                        f"{p['year']} {number(p['value'], lang)}"
                        for p in series
                        if p["name"] == name and p["value"] is not None
                    )
                    for name in drawn
                )
                + ".",
                "title": measure["name"],
                "width": 460,
                "height": 240,
                "config": {"locale": locale, "font": charts.FONT, "mark": dict(charts.MARK_ARIA)},
                "data": {"values": series},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": {"field": "year", "type": "ordinal", "title": t("year", lang)},
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": measure["unit"] or None,
                        "scale": {"zero": False},
                    },
                    # the point shape and the dash tell the lines apart without colour too
                    **{
                        channel: {
                            "field": "name",
                            "type": "nominal",
                            "title": None,
                            "scale": {"domain": drawn},
                        }
                        for channel in ("color", "shape", "strokeDash")
                    },
                    "tooltip": [
                        {"field": "name", "title": t("region", lang)},
                        {"field": "year", "title": t("year", lang)},
                        {"field": "value", "format": ",.1f", "title": t("value", lang)},
                    ],
                },
            }
        )
    if measure["id"] != BAROMETER_RANK:
        everyone = web.values(year_view.year, measure["id"], year_view.choice)
        everyone = everyone.select("code", "name", "value")
        out.append(
            charts.rank_strip_chart(
                _rows(everyone),
                lang=lang,
                code=rows[0]["code"],
                peers=[r["code"] for r in rows[1:]],
                indicator=measure["name"],
                unit=measure["unit"],
                year=content["year"],
                width=460,
            )
        )
    return out
