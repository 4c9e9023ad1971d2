"""The map of Norway's municipalities: one spec builder for the web, the report and the deck.

:func:`map_chart` draws every municipality coloured by a figure: a diverging scheme centred on
zero for signed figures (those the catalog compares as differences: results, fund shares), a
sequential one otherwise, and a reversed sequential one for ranks (1, the best, darkest). The
legend states the unit and the source (SSB table, year, borders). The smallest municipalities by
area (Kvitsøy, Utsira, Fedje …) get a circle at their centroid, and an inset shows the Oslo area,
so no municipality is too small to find and hover. With ``zoom`` the main view's projection
follows three parameters (``map_zoom``, ``map_dx``, ``map_dy``) that the web's script drives
from the wheel, drag and buttons. :func:`barometer_map` and :func:`indicator_map` are the maps of
a report's data, shared by the web overview, the report and the deck.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kostra.report.charts import PEER_COLOR, Spec, _base, _js, _number_format
from kostra.report.geo import (
    GEO_BORDERS_YEAR,
    GEO_OBJECT,
    centroids,
    municipality_areas,
    smallest_municipalities,
)
from kostra.report.locale import number, t

if TYPE_CHECKING:
    from kostra.catalog.models import Indicator
    from kostra.report.model import ReportData

__all__ = [
    "INSET_BOX",
    "SMALL_COUNT",
    "TOPOLOGY_DATASET",
    "ZOOM_PARAMS",
    "MapMeasure",
    "barometer_map",
    "colour_scale",
    "indicator_map",
    "indicator_measure",
    "inset_codes",
    "legend_title",
    "map_chart",
    "rank_measure",
    "with_topology_url",
]

#: the dataset name the boundaries go under in a spec's top-level ``datasets``
TOPOLOGY_DATASET = "kommuner"
#: how many of the smallest municipalities by area get a circle marker (all under 20 km²)
SMALL_COUNT = 6
#: the inset's box (west, south, east, north in degrees): Oslo and its nearest neighbours,
#: the densest cluster of municipalities
INSET_BOX = (10.3, 59.6, 11.25, 60.1)
#: the parameters that zoom (a factor, 1 = all of Norway) and pan (pixels) the main view
ZOOM_PARAMS = ("map_zoom", "map_dx", "map_dy")
OWN_OUTLINE = "#c0392b"
#: municipalities without a value: darker than any scheme's light end, and said in the legend
NO_VALUE_COLOR = "#9a9a9a"
#: the longest line of the legend's title, in characters
LEGEND_CHARS = 34
#: pixels between the map's frame and the outermost shape
MARGIN = 8
DIVERGING_SCHEME = "blueorange"
SEQUENTIAL_SCHEME = {"name": "blues", "extent": [0.12, 1.0]}
#: share of values left out at each end when the colour domain is chosen: a few extreme
#: municipalities would otherwise wash out everyone else (they keep the end colour)
TAIL = 0.02


@dataclass(frozen=True)
class MapMeasure:
    """What a map shows: the figure's name, unit, SSB tables and how it is coloured."""

    name: str
    unit: str = ""
    tables: tuple[str, ...] = ()
    rank: bool = False
    #: a figure whose sign is its meaning (compared as a difference): diverging around 0
    signed: bool = False
    #: the figures are the synthetic sample, not SSB's
    synthetic: bool = False


def indicator_measure(indicator: Indicator, lang: str, *, synthetic: bool = False) -> MapMeasure:
    """The map measure of a catalog key figure in ``lang``."""
    from kostra.catalog.models import Formula, SeriesRef
    from kostra.report.render import unit_label

    refs: list[SeriesRef] = []
    if indicator.source is not None:
        refs.append(indicator.source)
    if isinstance(indicator.formula, Formula):
        refs.extend(indicator.formula.numerator)
        if isinstance(indicator.formula.denominator, list):
            refs.extend(indicator.formula.denominator)
    return MapMeasure(
        name=indicator.name_en if lang == "en" else indicator.name_nb,
        unit=unit_label(indicator.unit, lang),
        tables=tuple(dict.fromkeys(r.table_id for r in refs)),
        signed=indicator.comparison == "difference",
        synthetic=synthetic,
    )


def rank_measure(lang: str) -> MapMeasure:
    """The barometer's total rank as a map measure."""
    return MapMeasure(name=t("barometer_rank", lang), rank=True)


def legend_title(measure: MapMeasure, lang: str, year: int) -> list[str]:
    """The legend's title lines: the unit, the source (SSB tables, year) and the borders, each
    wrapped at :data:`LEGEND_CHARS` so the legend stays as narrow as the inset above it."""
    unit = t("map_rank_legend", lang) if measure.rank else measure.unit or t("value", lang)
    tables = ", ".join(measure.tables)
    if measure.rank or not tables:
        source = t("map_source_rank", lang, year=year)
    elif measure.synthetic:
        source = t("map_source_sample", lang, tables=tables, year=year)
    else:
        source = t("map_source", lang, tables=tables, year=year)
    lines = [
        unit[0].upper() + unit[1:],
        source,
        t("map_borders", lang, year=GEO_BORDERS_YEAR),
        t("map_no_value", lang),
    ]
    return [part for line in lines for part in textwrap.wrap(line, LEGEND_CHARS)]


def _quantile(ordered: Sequence[float], share: float) -> float:
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) that cuts ``span`` into about five parts."""
    raw = span / 5 if span > 0 else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def colour_scale(values: Sequence[float | None], measure: MapMeasure) -> Spec:
    """The colour scale: diverging around 0 for signed figures, sequential otherwise (reversed
    for ranks). The domain leaves out the outer :data:`TAIL` of values at each end and is then
    widened to round numbers, so the legend's end labels read as such."""
    if measure.rank:
        return {"scheme": SEQUENTIAL_SCHEME, "reverse": True}
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return {"scheme": DIVERGING_SCHEME if measure.signed else SEQUENTIAL_SCHEME}
    low, high = _quantile(ordered, TAIL), _quantile(ordered, 1 - TAIL)
    if measure.signed:
        half = max(-low, high)
        step = _nice_step(half)
        half = round(math.ceil(half / step) * step, 12) if half > 0 else 1.0
        return {
            "scheme": DIVERGING_SCHEME,
            "domain": [-half, half],
            "domainMid": 0,
            "clamp": True,
        }
    step = _nice_step(high - low)
    low = round(math.floor(low / step) * step, 12)
    high = round(math.ceil(high / step) * step, 12)
    if high <= low:
        high = low + step
    return {"scheme": SEQUENTIAL_SCHEME, "domain": [low, high], "clamp": True, "zero": False}


def _shown(value: float | None, status: str | None, measure: MapMeasure, lang: str) -> str:
    """A value as the tooltip says it: the number with its unit, or why it is missing."""
    if value is None:
        missing = t("missing_value", lang)
        return f"{missing} ({status})" if status else missing
    if measure.rank:
        return number(int(value), lang)
    return f"{number(value, lang)} {measure.unit}".strip()


def inset_codes() -> list[str]:
    """The municipalities the inset shows: those whose centroid lies in :data:`INSET_BOX`."""
    west, south, east, north = INSET_BOX
    return sorted(
        c for c, (x, y) in centroids().items() if west <= x <= east and south <= y <= north
    )


def _box_feature() -> dict[str, Any]:
    """:data:`INSET_BOX` as a GeoJSON polygon wound clockwise (d3's exterior)."""
    west, south, east, north = INSET_BOX
    ring = [[west, south], [west, north], [east, north], [east, south], [west, south]]
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def map_chart(
    values: Sequence[Mapping[str, Any]],
    *,
    topology: Mapping[str, Any],
    lang: str,
    measure: MapMeasure,
    year: int,
    code: str = "",
    peers: Sequence[str] = (),
    municipality: str = "",
    width: int = 320,
    height: int = 420,
    zoom: bool = False,
) -> Spec:
    """Norway's municipalities coloured by ``measure``, with the municipality ``code`` (red) and
    its ``peers`` (orange) outlined, circles on the smallest municipalities and an inset of the
    Oslo area; ``zoom`` adds the zoom and pan parameters (:data:`ZOOM_PARAMS`).

    ``values``: ``code`` (on ``topology``'s borders, 2024), ``name``, ``value`` and optionally
    ``status`` (SSB's symbol when the value is missing). For a year before 2024 the values must
    already be harmonised to 2024 borders; the subtitle says so.
    """
    notes = [t("map_credit", lang)]
    if year < GEO_BORDERS_YEAR:
        notes.insert(0, t("harmonised_note", lang, year=year))
    small = smallest_municipalities(SMALL_COUNT)
    names = {str(v["code"]): str(v.get("name") or v["code"]) for v in values}
    small_note = t(
        "map_small_note", lang, n=len(small), names=", ".join(names.get(c, c) for c in small)
    )
    description = t(
        "chart_map_alt",
        lang,
        measure=f"{measure.name} ({measure.unit})" if measure.unit else measure.name,
        year=year,
        name=municipality or code,
        note=" ".join([*notes, small_note]),
    )
    spec = _base(lang, description, width=width)
    del spec["width"]
    spec["title"] = {
        "text": f"{measure.name[0].upper()}{measure.name[1:]}, {year}",
        "subtitle": notes,
    }
    rows = [
        {
            "code": str(v["code"]),
            "value": v.get("value"),
            "shown": _shown(v.get("value"), v.get("status"), measure, lang),
        }
        for v in values
    ]
    by_code = {r["code"]: r for r in rows}
    features = {"name": TOPOLOGY_DATASET, "format": {"type": "topojson", "feature": GEO_OBJECT}}
    spec["datasets"] = {TOPOLOGY_DATASET: topology}
    lookup = {
        "lookup": "properties.code",
        "from": {"data": {"values": rows}, "key": "code", "fields": ["value", "shown"]},
        "default": None,
    }
    color: Spec = {
        "field": "value",
        "type": "quantitative",
        "title": legend_title(measure, lang, year),
        "scale": colour_scale([v.get("value") for v in values], measure),
        "legend": {
            "format": ",.0f" if measure.rank else _number_format(rows),
            "orient": "none",
            "legendX": width + 24,
            "legendY": 0,
            "direction": "vertical",
            "gradientLength": 160,
            "titleLimit": 0,
            "titleFontWeight": "normal",
            "titleLineHeight": 14,
        },
    }
    fill: Spec = {"condition": {"test": "!isValid(datum.value)", "value": NO_VALUE_COLOR}, **color}
    tooltip = [
        {"field": "properties.name", "title": t("region", lang)},
        {"field": "shown", "title": measure.name},
    ]

    # only a zoomed view draws beyond its frame; clipping costs a static conversion time
    def shapes(only: Sequence[str] | None) -> Spec:
        keep = [{"filter": {"field": "properties.code", "oneOf": list(only)}}] if only else []
        return {
            "data": features,
            "transform": [*keep, lookup],
            # municipalities without a value stay on the map, in grey, instead of vanishing
            "mark": {
                "type": "geoshape",
                "stroke": "white",
                "strokeWidth": 0.15,
                "invalid": None,
                "clip": zoom,
            },
            "encoding": {"color": fill, "tooltip": tooltip},
        }

    def outline(codes: Sequence[str], stroke: str, stroke_width: float) -> Spec:
        return {
            "data": features,
            "transform": [{"filter": {"field": "properties.code", "oneOf": list(codes)}}],
            "mark": {
                "type": "geoshape",
                "filled": False,
                "stroke": stroke,
                "strokeWidth": stroke_width,
                "clip": zoom,
            },
        }

    points = centroids()
    markers = [
        {
            "code": c,
            "name": names.get(c, c),
            "lon": points[c][0],
            "lat": points[c][1],
            "area": municipality_areas()[c],
            "value": by_code.get(c, {}).get("value"),
            "shown": by_code.get(c, {}).get("shown", t("missing_value", lang)),
        }
        for c in small
        if c in points
    ]
    others = [p for p in dict.fromkeys(peers) if p != code]
    main_layers = [shapes(None)]
    if others:
        main_layers.append(outline(others, PEER_COLOR, 1.2))
    if code:
        main_layers.append(outline([code], OWN_OUTLINE, 2))
    main_layers.append(
        {
            "data": {"values": [_box_feature()]},
            "mark": {
                "type": "geoshape",
                "filled": False,
                "stroke": "#1d232a",
                "strokeWidth": 0.8,
                "strokeDash": [3, 2],
                "clip": zoom,
            },
        }
    )
    main_layers.append(
        {
            "data": {"values": markers},
            "mark": {"type": "circle", "size": 60, "opacity": 1, "clip": zoom},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "color": fill,
                "stroke": {
                    "condition": {"test": f"datum.code === {_js(code)}", "value": OWN_OUTLINE},
                    "value": "#1d232a",
                },
                "strokeWidth": {
                    "condition": {"test": f"datum.code === {_js(code)}", "value": 2.5},
                    "value": 1,
                },
                "tooltip": [
                    {"field": "name", "title": t("region", lang)},
                    {"field": "shown", "title": measure.name},
                ],
            },
        }
    )
    # the fit leaves a margin, so a circle on a coastal island is not cut at the edge
    pad = MARGIN
    projection: Spec = {
        "type": "transverseMercator",
        "rotate": [-15, -65],
        "extent": [[pad, pad], [width - pad, height - pad]],
    }
    if zoom:
        # the fitted box grows by the zoom factor around the view's centre moved by the pan,
        # so a point drawn at p at zoom 1 is drawn at centre + pan + zoom × (p − centre)
        zoom_name, dx, dy = ZOOM_PARAMS
        cx, cy, hx, hy = width / 2, height / 2, width / 2 - pad, height / 2 - pad
        x0, x1 = (f"{cx:g} + {dx} {sign} {zoom_name} * {hx:g}" for sign in "-+")
        y0, y1 = (f"{cy:g} + {dy} {sign} {zoom_name} * {hy:g}" for sign in "-+")
        projection["extent"] = {"expr": f"[[{x0}, {y0}], [{x1}, {y1}]]"}
        spec["params"] = [
            {"name": zoom_name, "value": 1},
            {"name": dx, "value": 0},
            {"name": dy, "value": 0},
        ]
    main: Spec = {
        "width": width,
        "height": height,
        "projection": projection,
        "layer": main_layers,
    }
    inset = inset_codes()
    inset_size = max(120, round(width * 0.42))
    inset_layers = [shapes(inset)]
    if others and set(others) & set(inset):
        inset_layers.append(outline([p for p in others if p in inset], PEER_COLOR, 1.2))
    if code in inset:
        inset_layers.append(outline([code], OWN_OUTLINE, 2))
    inset_view: Spec = {
        "title": {"text": t("map_inset_oslo", lang), "fontSize": 11, "fontWeight": "normal"},
        "width": inset_size,
        "height": inset_size,
        "projection": {"type": "transverseMercator", "rotate": [-15, -65]},
        "layer": inset_layers,
    }
    color["legend"]["legendY"] = inset_size + 36
    spec["hconcat"] = [main, inset_view]
    spec["spacing"] = 24
    spec["resolve"] = {"scale": {"color": "shared"}, "legend": {"color": "shared"}}
    return spec


def with_topology_url(spec: Spec, url: str) -> Spec:
    """``spec`` (from :func:`map_chart`) loading the boundaries from ``url`` instead of carrying
    them (same format, same feature): the web serves the file once, cached."""
    spec = {k: v for k, v in spec.items() if k != "datasets"}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            data = node.get("data")
            out = {k: walk(v) for k, v in node.items() if k != "data"}
            if isinstance(data, dict) and data.get("name") == TOPOLOGY_DATASET:
                out["data"] = {"url": url, "format": data.get("format", {})}
            elif data is not None:
                out["data"] = walk(data)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: Spec = walk(spec)
    return result


def barometer_map(
    data: ReportData,
    lang: str,
    *,
    topology: Mapping[str, Any],
    width: int = 320,
    height: int = 420,
    zoom: bool = False,
) -> Spec | None:
    """The map of every municipality's barometer rank with ``data``'s municipality and peers
    outlined (None without ranks): the web overview's, the report's and the deck's map. A report
    on older borders brings its ranks on the map's borders (:meth:`ReportData.map_values`)."""
    ranks = data.map_values() if data.barometer is not None else ()
    if not ranks:
        return None
    code, peers = data.map_outline()
    return map_chart(
        [v.model_dump() for v in ranks],
        topology=topology,
        lang=lang,
        measure=rank_measure(lang),
        year=data.year,
        code=code,
        peers=peers,
        municipality=data.municipality.name,
        width=width,
        height=height,
        zoom=zoom,
    )


def indicator_map(
    data: ReportData,
    indicator_id: str,
    lang: str,
    *,
    topology: Mapping[str, Any],
    width: int = 320,
    height: int = 420,
) -> Spec | None:
    """The map of one key figure in every municipality (None when the report has no values),
    on the map's borders (:meth:`ReportData.map_values`)."""
    values = data.map_values(indicator_id)
    if not values:
        return None
    measure = indicator_measure(data.indicator(indicator_id), lang, synthetic=data.synthetic)
    code, peers = data.map_outline()
    return map_chart(
        [v.model_dump() for v in values],
        topology=topology,
        lang=lang,
        measure=measure,
        year=data.year,
        code=code,
        peers=peers,
        municipality=data.municipality.name,
        width=width,
        height=height,
    )
