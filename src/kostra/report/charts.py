"""The report's charts as Vega-Lite specifications (plain dicts).

Every function is pure: plain rows in, a spec dict out, with the alt text in the spec's
``description`` (Vega writes it as the SVG's ``aria-label``; :func:`alt_text` reads it back) and
the number/time locale in ``config.locale`` (decimal comma and no-break-space thousands in
bokmål), so the same spec renders alike in the browser, in vl-convert and in the web app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kostra.i18n import axis_format
from kostra.report.locale import number, sector_name, t, vega_locale

if TYPE_CHECKING:
    from kostra.report.model import BarometerSectorRow


def vegalite_version() -> str:
    """The Vega-Lite version (``major.minor``) vl-convert converts with and bundles for the HTML
    report by default: its newest."""
    import vl_convert

    return str(vl_convert.get_vegalite_versions()[-1])


#: The specs declare the Vega-Lite version that draws them, so Vega-Embed does not warn.
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{vegalite_version()}.json"
OWN_COLOR = "#1f4e79"
PEER_COLOR = "#d9822b"
OTHER_COLOR = "#b8bec6"
MISSING_COLOR = "#e4e4e4"
# One font, no fallback list and no label limits: measuring text for truncation and font
# fallback is what makes a static conversion slow; labels are shortened here instead.
FONT = "DejaVu Sans"
LABEL_CHARS = 46
STRIP_BINS = 40
STRIP_TICKS = 6
WIDTH = 500

Spec = dict[str, Any]

#: Marks hidden from assistive technology: the chart's text alternative is its ``description``
#: (the key message and the figures), read as one image; Vega's per-mark containers would
#: otherwise be unnamed graphics symbols (WCAG 1.1.1).
MARK_ARIA: Spec = {"aria": False}


@dataclass
class Chart:
    """A chart of the report: its anchor id, Vega-Lite spec and alt text."""

    id: str
    spec: dict[str, Any]
    caption: str = ""
    wide: bool = False
    #: drawn as a PNG in the PDF (maps: many small shapes, no text worth selecting)
    raster: bool = False

    @property
    def alt(self) -> str:
        """The chart's alt text."""
        return alt_text(self.spec)


def shared_datasets(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with inline data that several layers share (the same object, e.g. a map's
    boundaries in its fill and outline layers) moved to the top-level ``datasets`` once.

    The map's boundaries are most of its spec: inlined three times they triple the HTML report's
    map payload and what vl-convert parses. ``spec`` itself is not changed.
    """
    layers = spec.get("layer")
    if not isinstance(layers, list):
        return spec
    counts: dict[int, int] = {}
    for layer in layers:
        values = layer.get("data", {}).get("values") if isinstance(layer, dict) else None
        if isinstance(values, dict | list):
            counts[id(values)] = counts.get(id(values), 0) + 1
    if not any(n > 1 for n in counts.values()):
        return spec
    datasets: dict[str, Any] = dict(spec.get("datasets", {}))
    names: dict[int, str] = {}
    new_layers = []
    for layer in layers:
        values = layer.get("data", {}).get("values") if isinstance(layer, dict) else None
        if values is None or counts.get(id(values), 0) < 2:
            new_layers.append(layer)
            continue
        if id(values) not in names:
            names[id(values)] = f"shared-{len(datasets) + 1}"
            datasets[names[id(values)]] = values
        data = {k: v for k, v in layer["data"].items() if k != "values"}
        new_layers.append({**layer, "data": {**data, "name": names[id(values)]}})
    return {**spec, "datasets": datasets, "layer": new_layers}


def _base(lang: str, description: str, *, title: str | None = None, width: int = WIDTH) -> Spec:
    spec: Spec = {
        "$schema": SCHEMA,
        "description": description,
        "width": width,
        "config": {
            "locale": vega_locale(lang),
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 10, "titleFontSize": 11, "labelLimit": 0},
            "legend": {
                "labelFontSize": 10,
                "titleFontSize": 11,
                "orient": "bottom",
                "labelLimit": 0,
            },
            "title": {"fontSize": 12, "anchor": "start", "subtitleFontSize": 10},
            "mark": dict(MARK_ARIA),
        },
    }
    if title:
        spec["title"] = title
    return spec


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis (axis labels)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def alt_text(spec: Mapping[str, Any]) -> str:
    """The chart's alt text (its ``description``)."""
    return str(spec.get("description", ""))


def profile_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    municipality: str,
    sector: str,
    year: int,
    peer_name: str,
    width: int = WIDTH,
) -> Spec:
    """Service profile: one bar per key figure from 100 to its index, with a rule at 100.

    ``rows``: ``label`` (key-figure name), ``index`` (peer average = 100; None = missing).
    """
    shown = [r for r in rows if r.get("index") is not None]
    labels: list[str] = []
    for r in shown:
        label = short(r["label"])
        # two names cut to the same text would share one bar
        while label in labels:
            label += "​"
        labels.append(label)
    data = [
        {"label": label, "index": r["index"], "text": number(r["index"], lang, 0)}
        for label, r in zip(labels, shown, strict=True)
    ]
    details = "; ".join(f"{r['label']}: {d['text']}" for r, d in zip(shown, data, strict=True))
    description = t(
        "chart_profile_alt",
        lang,
        name=municipality,
        sector=sector,
        year=year,
        peer=peer_name,
        details=details,
    )
    spec = _base(lang, description, width=width)
    spec["height"] = {"step": 22}
    spec["data"] = {"values": data}
    indices = [d["index"] for d in data] + [100.0]
    low, high = min(indices), max(indices)
    pad = max(5.0, (high - low) * 0.12)
    domain = [max(0.0, low - pad), high + pad]
    y = {"field": "label", "type": "nominal", "sort": None, "title": None}
    x = {"field": "index", "type": "quantitative"}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "height": 14},
            "encoding": {
                "y": y,
                "x": {**x, "title": t("index", lang), "scale": {"domain": domain, "nice": False}},
                "x2": {"datum": 100},
                "color": {
                    "condition": {"test": "datum.index >= 100", "value": PEER_COLOR},
                    "value": OWN_COLOR,
                },
                "tooltip": [
                    {"field": "label", "title": t("indicator", lang)},
                    {"field": "index", "format": ",.0f", "title": t("index", lang)},
                ],
            },
        },
        {
            # the label sits outside the bar's free end: right of it above 100, left below
            "mark": {
                "type": "text",
                "fontSize": 10,
                "align": {"expr": "datum.index >= 100 ? 'left' : 'right'"},
                "dx": {"expr": "datum.index >= 100 ? 4 : -4"},
            },
            "encoding": {"y": y, "x": x, "text": {"field": "text"}},
        },
        {
            "mark": {"type": "rule", "color": "#333", "strokeDash": [4, 2]},
            "encoding": {"x": {"datum": 100}},
        },
    ]
    return spec


def series_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    indicator: str,
    unit: str,
    municipality: str,
    peer_name: str,
    pandemic_years: Sequence[int] = (2020, 2021),
    break_years: Sequence[int] = (),
    width: int = 240,
) -> Spec:
    """Time series of one key figure: the municipality against the peer average.

    ``points``: ``year``, ``value``, ``peer_average`` (None = missing, drawn as a gap). Pandemic
    years are shaded and series breaks drawn as dashed rules.
    """
    own = municipality
    peers = t("peer_average", lang, peer=peer_name)
    data: list[dict[str, Any]] = []
    for p in points:
        data.append({"year": int(p["year"]), "series": own, "value": p.get("value")})
        data.append({"year": int(p["year"]), "series": peers, "value": p.get("peer_average")})
    years = sorted({int(p["year"]) for p in points}) or [0]
    last = max(years)
    last_point = next((p for p in points if int(p["year"]) == last), {})
    details = (
        f"{last}: {own} {number(last_point.get('value'), lang)} {unit}, "
        f"{peers} {number(last_point.get('peer_average'), lang)} {unit}."
    )
    description = t(
        "chart_series_alt",
        lang,
        indicator=indicator,
        name=municipality,
        peer=peer_name,
        first=min(years),
        last=last,
        details=details,
    )
    spec = _base(lang, description, title=indicator, width=width)
    spec["title"] = {"text": indicator, "subtitle": unit, "fontSize": 11}
    spec["height"] = 120
    x = {
        "field": "year",
        "type": "ordinal",
        "title": None,
        "axis": {"labelAngle": 0, "labelExpr": "datum.value"},
    }
    layers: list[Spec] = []
    shaded = [{"year": y} for y in pandemic_years if y in years]
    if shaded:
        layers.append(
            {
                "data": {"values": shaded},
                "mark": {"type": "bar", "color": "#eeeeee", "width": {"band": 1}},
                "encoding": {"x": {**x, "scale": {"domain": years}}},
            }
        )
    breaks = [{"year": y} for y in break_years if y in years]
    if breaks:
        layers.append(
            {
                "data": {"values": breaks},
                "mark": {"type": "rule", "color": "#a33", "strokeDash": [3, 3]},
                "encoding": {"x": {**x, "scale": {"domain": years}}},
            }
        )
        layers.append(
            {
                "data": {"values": breaks},
                "mark": {
                    "type": "text",
                    "color": "#a33",
                    "fontSize": 9,
                    "align": "left",
                    "dx": 3,
                    "y": 0,
                    "baseline": "top",
                    "text": t("break_label", lang),
                },
                "encoding": {"x": {**x, "scale": {"domain": years}}},
            }
        )
    color = {
        "field": "series",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [own, peers], "range": [OWN_COLOR, PEER_COLOR]},
    }
    layers.append(
        {
            "data": {"values": data},
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {**x, "scale": {"domain": years}},
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": None,
                    "scale": {"zero": False},
                    "axis": {"format": _number_format(data)},
                },
                # the peer average dashed with square points: not told apart by colour alone
                "color": color,
                "strokeDash": {
                    **color,
                    "scale": {"domain": [own, peers], "range": [[1, 0], [4, 2]]},
                },
                "shape": {
                    **color,
                    "scale": {"domain": [own, peers], "range": ["circle", "square"]},
                },
                "tooltip": [
                    {"field": "series", "title": " "},
                    {"field": "year", "title": t("year", lang)},
                    {"field": "value", "format": ",.1f", "title": t("value", lang)},
                ],
            },
        }
    )
    spec["layer"] = layers
    return spec


def _number_format(data: Sequence[Mapping[str, Any]]) -> str:
    """Axis/legend format for these values (:func:`kostra.i18n.axis_format`)."""
    return axis_format([d["value"] for d in data if d.get("value") is not None])


@dataclass(frozen=True)
class StripLayout:
    """What every municipality's rank strip of one key figure shares: the municipalities with
    a value (input order), each one's place counted from the highest value, the value range, the
    density bins and the axis format. Build it once with :func:`strip_layout` and pass it to
    :func:`rank_strip_chart` for each municipality (the report draws 18 strips per report)."""

    rows: tuple[Mapping[str, Any], ...]
    places: Mapping[str, int]
    names: Mapping[str, str]
    low: float
    high: float
    bins: tuple[Mapping[str, Any], ...]
    number_format: str


def strip_layout(values: Sequence[Mapping[str, Any]]) -> StripLayout:
    """The shared part of :func:`rank_strip_chart` for ``values`` (``code``, ``name``,
    ``value``)."""
    names: dict[str, str] = {}
    for v in values:
        names.setdefault(v["code"], v["name"])
    rows = tuple(
        {"code": v["code"], "name": v["name"], "value": v["value"]}
        for v in values
        if v.get("value") is not None
    )
    # Equal values share the best place (1, 2, 2, 4), so a tie reads the same in every run
    # whatever order the year's rows come in.
    places: dict[str, int] = {}
    place = 0
    previous: float | None = None
    for n, r in enumerate(sorted(rows, key=lambda r: (-r["value"], r["code"])), 1):
        if r["value"] != previous:
            place, previous = n, r["value"]
        places.setdefault(r["code"], place)
    numbers: list[float] = [float(r["value"]) for r in rows]
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    # every municipality as a shaded band of STRIP_BINS bins (a density strip), the peers and
    # the municipality as ticks on top: 40 marks instead of 357 keeps print output light
    width_bin = (high - low) / STRIP_BINS or 1.0
    counts = [0] * STRIP_BINS
    for number_ in numbers:
        counts[min(int((number_ - low) / width_bin), STRIP_BINS - 1)] += 1
    bins = tuple(
        {"x0": low + i * width_bin, "x1": low + (i + 1) * width_bin, "count": n}
        for i, n in enumerate(counts)
        if n
    )
    return StripLayout(rows, places, names, low, high, bins, _number_format(rows))


def rank_strip_chart(
    values: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    code: str,
    peers: Sequence[str],
    indicator: str,
    unit: str,
    year: int,
    width: int = WIDTH,
    layout: StripLayout | None = None,
) -> Spec:
    """Every municipality's value on one axis; the municipality and its peers highlighted.

    ``values``: ``code``, ``name``, ``value``. The rank counts from the highest value (1),
    whatever the catalog's direction: the chart shows position, not judgement. ``layout``:
    :func:`strip_layout` of the same ``values``, when several strips of them are drawn
    (``values`` is then not read again).
    """
    if layout is None:
        layout = strip_layout(values)
    peer_set = set(peers) - {code}
    own_label = layout.names.get(code, code)
    other = t("other_label", lang)
    peer_label = t("peer_label", lang)  # looked up once, not once per marked row
    rows = layout.rows
    marked = [
        {**r, "group": own_label if r["code"] == code else peer_label}
        for r in rows
        if r["code"] == code or r["code"] in peer_set
    ]
    rank = layout.places.get(code)
    own_value = next((r["value"] for r in marked if r["code"] == code), None)
    description = t(
        "chart_strip_alt",
        lang,
        indicator=indicator,
        n=len(rows),
        year=year,
        name=own_label,
        rank=rank if rank is not None else "–",
        value=f"{number(own_value, lang)} {unit}".strip(),
    )
    spec = _base(lang, description, width=width)
    spec["title"] = {"text": indicator, "subtitle": unit, "fontSize": 11}
    spec["height"] = 40
    # a handful of ticks: every tick label is text a static conversion measures and draws
    x_axis = {"format": layout.number_format, "tickCount": STRIP_TICKS}
    x_scale = {"domain": [layout.low, layout.high], "zero": False, "nice": False}
    spec["layer"] = [
        {
            "data": {"values": list(layout.bins)},
            "mark": {"type": "rect", "color": OTHER_COLOR},
            "encoding": {
                "x": {
                    "field": "x0",
                    "type": "quantitative",
                    "title": None,
                    "scale": x_scale,
                    "axis": x_axis,
                },
                "x2": {"field": "x1"},
                "opacity": {
                    "field": "count",
                    "type": "quantitative",
                    "legend": None,
                    "scale": {"range": [0.25, 1.0]},
                },
                "tooltip": [{"field": "count", "title": other}],
            },
        },
        {
            "data": {"values": marked},
            "mark": {"type": "tick", "thickness": 2, "size": 30},
            "encoding": {
                "x": {"field": "value", "type": "quantitative", "scale": x_scale},
                "color": {
                    "field": "group",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": [own_label, t("peer_label", lang), other],
                        "range": [OWN_COLOR, PEER_COLOR, OTHER_COLOR],
                    },
                },
                "strokeWidth": {
                    "condition": {"test": f"datum.code === {_js(code)}", "value": 4},
                    "value": 2,
                },
                # the municipality's tick spans the strip, the peers' half of it: told apart
                # by length as well as colour
                "size": {
                    "condition": {"test": f"datum.code === {_js(code)}", "value": 40},
                    "value": 20,
                },
                "tooltip": [
                    {"field": "name", "title": t("region", lang)},
                    {"field": "value", "format": ",.1f", "title": t("value", lang)},
                ],
            },
        },
    ]
    return spec


def need_cost_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    municipality: str,
    peer_name: str,
    year: int,
    width: int = WIDTH,
) -> Spec:
    """Need-corrected spending above (+) or below (−) the peer average per sector, NOK million.

    ``rows``: ``sector`` (label), ``excess_mnok``.
    """
    data = [
        {
            "sector": r["sector"],
            "excess_mnok": r["excess_mnok"],
            "sign": "+" if r["excess_mnok"] >= 0 else "-",
            "text": number(r["excess_mnok"], lang, 0 if abs(r["excess_mnok"]) >= 10 else 1),
        }
        for r in rows
        if r.get("excess_mnok") is not None
    ]
    details = "; ".join(f"{d['sector']}: {d['text']}" for d in data)
    description = t(
        "chart_need_alt", lang, name=municipality, peer=peer_name, year=year, details=details
    )
    spec = _base(lang, description, width=width)
    spec["height"] = {"step": 22}
    spec["data"] = {"values": data}
    y = {"field": "sector", "type": "nominal", "sort": None, "title": None}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "height": 14},
            "encoding": {
                "y": y,
                "x": {"field": "excess_mnok", "type": "quantitative", "title": t("mnok", lang)},
                "color": {
                    "field": "sign",
                    "type": "nominal",
                    "legend": None,
                    "scale": {"domain": ["+", "-"], "range": [PEER_COLOR, OWN_COLOR]},
                },
                "tooltip": [
                    {"field": "sector", "title": t("sector", lang)},
                    {"field": "excess_mnok", "format": ",.1f", "title": t("mnok", lang)},
                ],
            },
        },
        {
            "mark": {"type": "text", "dx": 4, "align": "left", "fontSize": 10},
            "encoding": {
                "y": y,
                "x": {"datum": 0},
                "text": {"field": "text"},
            },
        },
        {"mark": {"type": "rule", "color": "#333"}, "encoding": {"x": {"datum": 0}}},
    ]
    return spec


def barometer_rows(sectors: Iterable[BarometerSectorRow], lang: str) -> list[dict[str, Any]]:
    """The rows :func:`barometer_chart` takes: the ranked barometer sectors, best placed first,
    named in ``lang`` (the report and the web app draw the same chart)."""
    return [
        {
            "sector": sector_name(s.sector.value, lang, capital=True),
            "rank": s.rank,
            "rank_low": s.rank_low,
            "rank_high": s.rank_high,
            "n_ranked": s.n_ranked,
        }
        for s in sorted(sectors, key=lambda s: (s.rank is None, s.rank or 0))
        if s.rank is not None
    ]


def barometer_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    lang: str,
    municipality: str,
    year: int,
    width: int = WIDTH,
) -> Spec:
    """Rank per barometer sector (1 = best) with its uncertainty interval.

    ``rows``: ``sector`` (label), ``rank``, ``rank_low``, ``rank_high``, ``n_ranked``.
    """
    data = [dict(r) for r in rows if r.get("rank") is not None]
    details = "; ".join(
        f"{d['sector']}: {d['rank']}"
        + (f" ({d['rank_low']}–{d['rank_high']})" if d.get("rank_low") is not None else "")
        for d in data
    )
    description = t("chart_barometer_alt", lang, name=municipality, year=year, details=details)
    spec = _base(lang, description, width=width)
    spec["height"] = {"step": 20}
    spec["data"] = {"values": data}
    n_max = max((d.get("n_ranked") or 0 for d in data), default=0) or None
    y = {"field": "sector", "type": "nominal", "sort": None, "title": None}
    x_scale: Spec = {"reverse": False, "domainMin": 1}
    if n_max:
        x_scale["domain"] = [1, n_max]
    spec["layer"] = [
        {
            "mark": {"type": "rule", "color": OWN_COLOR, "strokeWidth": 2, "opacity": 0.5},
            "encoding": {
                "y": y,
                "x": {"field": "rank_low", "type": "quantitative"},
                "x2": {"field": "rank_high"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "color": OWN_COLOR, "size": 60},
            "encoding": {
                "y": y,
                "x": {
                    "field": "rank",
                    "type": "quantitative",
                    "title": t("rank", lang),
                    "scale": x_scale,
                },
                "tooltip": [
                    {"field": "sector", "title": t("sector", lang)},
                    {"field": "rank", "title": t("rank", lang)},
                    {"field": "rank_low", "title": t("interval", lang)},
                    {"field": "rank_high", "title": " "},
                ],
            },
        },
    ]
    return spec


def combine(specs: Sequence[Mapping[str, Any]], *, columns: int = 1) -> Spec:
    """Several chart specs as one grid (``columns`` per row), e.g. for one static image.

    Converting one combined spec costs about as much as converting one of its parts, so the PDF
    draws a sector's small charts as one figure. The alt text joins the parts' alt texts; scales
    and legends stay independent.
    """
    if not specs:
        raise ValueError("nothing to combine")
    parts = [
        {k: v for k, v in spec.items() if k not in ("$schema", "config", "description")}
        for spec in specs
    ]
    rows = [parts[i : i + columns] for i in range(0, len(parts), columns)]
    independent = {"color": "independent", "size": "independent", "x": "independent"}
    return {
        "$schema": SCHEMA,
        "description": " ".join(alt_text(spec) for spec in specs),
        "config": specs[0].get("config", {}),
        "spacing": 24,
        "vconcat": [row[0] if len(row) == 1 else {"hconcat": row, "spacing": 28} for row in rows],
        "resolve": {"scale": independent, "legend": {"color": "independent"}},
    }


def _js(text: str) -> str:
    """A JavaScript string literal for a Vega expression."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
