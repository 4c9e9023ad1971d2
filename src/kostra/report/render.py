"""Rendering a :class:`ReportData` to a self-contained HTML file or a PDF.

HTML: interactive charts through Vega-Embed, with the Vega, Vega-Lite and Vega-Embed JavaScript
inlined from vl-convert's bundle (no CDN: the file works offline). PDF: the same template in
print mode, charts converted to static SVG by vl-convert, laid out by WeasyPrint with page
numbers, a table of contents and a banner on every page when the data are synthetic.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from kostra import i18n
from kostra._cachefile import write_cached
from kostra.analysis._barometer.income import income_label
from kostra.analysis.findings import RULE_IDS, Finding, FindingRules, summary
from kostra.analysis.method import AVERAGE_LEGEND, DIFFERENCE_TEXT, SMALL_NUMBERS
from kostra.analysis.verdict import SectorVerdict
from kostra.catalog.models import Indicator
from kostra.errors import KostraError
from kostra.i18n.said import say
from kostra.report import charts, maps
from kostra.report.build import report_findings
from kostra.report.charts import Chart, shared_datasets
from kostra.report.geo import report_topology
from kostra.report.locale import (
    SYNTHETIC_BANNER,
    event_text,
    number,
    sector_name,
    signed,
    t,
    when,
)
from kostra.report.model import (
    BAROMETER_SECTOR,
    REPORT_SECTORS,
    Distribution,
    HistoryPoint,
    ReportData,
)
from kostra.report.printing import (
    ChartProcess,
    data_url,
    image_tag,
    start_chart_process,
    static_image,
    take_chart_process,
    write_pdf,
)
from kostra.report.verdicts import report_verdicts

#: Key figures per sector drawn as time series (the first ones of the catalog with data).
SERIES_PER_SECTOR = 3
#: The PDF draws fewer small charts per sector than the HTML (print space, and every static
#: chart costs conversion and drawing time): the first series and strips of each sector. One
#: series, the sector's headline (first as the HTML orders them), saves 0.2–0.45 s per PDF.
PRINT_SERIES_PER_SECTOR = 1
PRINT_STRIPS_PER_SECTOR = 1
#: Half the width of the PDF's profile bars in index points (the centre line is 100), at least
#: this and at most :data:`PROFILE_BAR_MAX`; bars beyond the cap are cut and marked.
PROFILE_BAR_MIN = 20.0
PROFILE_BAR_MAX = 100.0


class ReportFormat(StrEnum):
    """Formats ``kostra report`` writes."""

    HTML = "html"
    PDF = "pdf"


@dataclass
class SectorView:
    """What one sector section shows."""

    sector: str
    name: str
    rows: list[dict[str, Any]]
    caveats: list[tuple[list[str], str]]
    #: (key figure names, sentence) of the key figures whose SSB codes are not confirmed
    unconfirmed: list[tuple[list[str], str]]
    profile_chart: Chart | None
    series: list[Chart]
    strips: list[Chart]
    need: Any
    production: Any
    barometer_sector: str | None
    barometer: Any
    findings: list[Finding]
    trends: list[Finding]
    drivers: list[dict[str, Any]] = field(default_factory=list)
    #: index points from the centre line to either end of the PDF's profile bars
    bar_half: float = PROFILE_BAR_MIN
    #: the sector's one-line verdict (:mod:`kostra.analysis.verdict`), the same as on the
    #: slides and the web sector page
    verdict: SectorVerdict | None = None

    @property
    def series_grid(self) -> Chart | None:
        """The PDF's time series as one static figure: the first ones as the HTML orders them.

        A single series is drawn as it is (a grid of one only adds a wrapper); more than one
        become one combined figure, two per row.
        """
        if not self.series:
            return None
        chosen = [c.spec for c in self.series[:PRINT_SERIES_PER_SECTOR]]
        if len(chosen) == 1:
            return Chart(f"fig-series-{self.sector}", chosen[0])
        return Chart(f"fig-series-{self.sector}", charts.combine(chosen, columns=2), wide=True)

    @property
    def strip_stack(self) -> Chart | None:
        """The rank strips as one figure (the PDF's static image)."""
        if not self.strips:
            return None
        chosen = [c.spec for c in self.strips[:PRINT_STRIPS_PER_SECTOR]]
        return Chart(f"fig-strips-{self.sector}", charts.combine(chosen))


def _indicator_rows(data: ReportData, sector: Any, lang: str) -> list[dict[str, Any]]:
    # at first use: the verification module brings SSB's metadata model, which nothing else
    # of a report needs
    from kostra.catalog.verify import unconfirmed_sentence

    rows = []
    for compared in data.compared_profile(sector):
        row, ind, difference = compared.row, compared.indicator, compared.difference
        rows.append(
            {
                "id": ind.id,
                "name": ind.name_en if lang == "en" else ind.name_nb,
                "unit": unit_label(ind.unit, lang),
                "row": row,
                "caveat": ind.caveat(lang),
                # the key figure's SSB codes are not confirmed yet (marked §, said below)
                "unconfirmed": unconfirmed_sentence(ind, lang),
                "change": None
                if row.value is None or row.previous_value is None
                else row.value - row.previous_value,
                "direction": ind.direction,
                "marked": compared.average_marked,
                # signed figures are compared as a difference (percentage points, kroner)
                "difference": difference,
                "difference_unit": DIFFERENCE_UNITS[ind.unit][lang == "en"]
                if ind.unit in DIFFERENCE_UNITS
                else unit_label(ind.unit, lang),
            }
        )
    return rows


#: the unit of a difference: percentages differ in percentage points
DIFFERENCE_UNITS: dict[str, tuple[str, str]] = {
    "prosent": ("prosentpoeng", "percentage points"),
    "kr": ("kr", "NOK"),
}


def bar_half(indices: Sequence[float | None]) -> float:
    """Index points from 100 to either end of a sector's profile bars: the largest deviation
    rounded up to ten, within :data:`PROFILE_BAR_MIN` and :data:`PROFILE_BAR_MAX` (one outlier
    must not flatten every other bar of the sector)."""
    largest = max((abs(i - 100.0) for i in indices if i is not None), default=0.0)
    return min(PROFILE_BAR_MAX, max(PROFILE_BAR_MIN, 10.0 * -(-largest // 10.0)))


#: The words of a bar's text for assistive technology and of its tone, per language.
_BAR_WORDS = i18n.Words(
    "report.bar", ("good", "bad", "neutral", "above", "below", "equal", "missing", "index")
)


def profile_bar(index: float | None, direction: str, half: float, lang: str) -> dict[str, Any]:
    """A PDF profile-table bar: where it starts and how wide it is (per cent of the cell, the
    centre line at 50 %), its tone (``good``, ``bad`` or ``neutral`` by the catalog's direction)
    and its text for assistive technology (the index and its deviation in words).

    A bar longer than ``half`` is cut at the cell's edge and marked ``clipped``.
    """
    words = _BAR_WORDS[lang]
    if index is None:
        return {
            "left": 50.0,
            "width": 0.0,
            "tone": "none",
            "clipped": False,
            "label": words["missing"],
        }
    deviation = index - 100.0
    rounded = round(deviation)
    if direction == "neutral" or rounded == 0:
        tone = "neutral"
    elif (deviation > 0) == (direction == "higher_better"):
        tone = "good"
    else:
        tone = "bad"
    share = min(abs(deviation) / half, 1.0) * 50.0
    left = 50.0 if deviation >= 0 else 50.0 - share
    if rounded == 0:
        where = words["equal"]
    else:
        side = words["above"] if deviation > 0 else words["below"]
        where = side.format(n=number(abs(deviation), lang, 0))
    label = words["index"].format(index=number(index, lang, 0), where=where)
    if tone != "neutral" or direction == "neutral":
        label += f", {words[tone]}"
    return {
        "left": round(left, 2),
        "width": round(share, 2),
        "tone": tone,
        "clipped": abs(deviation) > half,
        "label": label,
    }


def profile_bar_legend(half: float, peer: str, lang: str) -> str:
    """The note under a PDF profile table: what the bars mean and their scale."""
    return i18n.text("report.bar_legend", lang, peer=peer, points=number(half, lang, 0))


def unit_label(unit: str, lang: str) -> str:
    """The catalog's unit as a table or chart label in ``lang``."""
    return i18n.unit_name(unit, lang)


def _name(ind: Indicator, lang: str) -> str:
    return ind.name_en if lang == "en" else ind.name_nb


_REPORT_SECTOR_OF: dict[str, str] = {
    **{s.value: s.value for s in REPORT_SECTORS},
    **{b.value: s.value for s, b in BAROMETER_SECTOR.items() if b is not None},
}


def placement(finding: Finding) -> str | None:
    """The report sector whose section shows ``finding`` (barometer sectors mapped to report
    sectors: helse → kommunehelse ...); None for findings about the whole municipality or a
    barometer sector without a report section (økonomi, kostnadsnivå ...)."""
    return _REPORT_SECTOR_OF.get(finding.sector) if finding.sector else None


def _sector_view(
    data: ReportData,
    sector: Any,
    lang: str,
    findings: Sequence[Finding],
    history: Mapping[str, Sequence[HistoryPoint]] | None = None,
) -> SectorView:
    """What one sector's section shows (``history``: :func:`_history_by_indicator` of the
    report, grouped once for all its sectors)."""
    rows = _indicator_rows(data, sector, lang)
    label = sector_name(sector.value, lang)
    half = bar_half([r["row"].index for r in rows])
    for r in rows:
        r["bar"] = profile_bar(r["row"].index, r["direction"], half, lang)
    profile_rows = [{"label": r["name"], "index": r["row"].index} for r in rows]
    profile_chart = None
    if any(r["index"] is not None for r in profile_rows):
        profile_chart = Chart(
            f"fig-profile-{sector.value}",
            charts.profile_chart(
                profile_rows,
                lang=lang,
                municipality=data.municipality.name,
                sector=label,
                year=data.year,
                peer_name=data.peers.name,
            ),
            t("profile_caption", lang, peer=data.peers.name),
            wide=True,
        )
    if history is None:
        history = _history_by_indicator(data.history)
    series: list[Chart] = []
    for r in rows:
        if len(series) >= SERIES_PER_SECTOR:
            break
        points = [p.model_dump() for p in history.get(r["id"], ()) if p.year > data.year - 6]
        if sum(p["value"] is not None for p in points) < 2:
            continue
        # ``series_break`` marks the years before a merger; the break lies after the last one
        breaks = [p["year"] + 1 for p in points if p["series_break"]]
        series.append(
            Chart(
                f"fig-series-{r['id']}",
                charts.series_chart(
                    points,
                    lang=lang,
                    indicator=r["name"],
                    unit=r["unit"],
                    municipality=data.municipality.name,
                    peer_name=data.peers.name,
                    pandemic_years=data.pandemic_years,
                    break_years=[max(breaks)] if breaks else [],
                ),
            )
        )
    strips: list[Chart] = []
    peer_codes = [p.code for p in (*data.peers.members, *data.peers.compare)]
    for r in rows:
        dist = data.distribution(r["id"])
        if dist is None:
            continue
        strips.append(
            Chart(
                f"fig-strip-{r['id']}",
                charts.rank_strip_chart(
                    (),
                    lang=lang,
                    code=data.municipality.code,
                    peers=peer_codes,
                    indicator=r["name"],
                    unit=r["unit"],
                    year=data.year,
                    layout=_strip_layout(dist),
                ),
                wide=True,
            )
        )
    bsector = BAROMETER_SECTOR.get(sector)
    brow = data.barometer.sector(bsector) if data.barometer is not None and bsector else None
    drivers = []
    if brow is not None:
        ordered = sorted(brow.drivers, key=lambda d: -abs(d.effect or 0.0))
        for d in ordered:
            try:
                ind = data.indicator(d.indicator_id)
                dname, unit = _name(ind, lang), unit_label(ind.unit, lang)
            except KeyError:
                dname, unit = d.indicator_id, ""
            drivers.append({"name": dname, "unit": unit, "driver": d})
    own = [f for f in findings if placement(f) == sector.value and f.rule_id != "T1"]
    trends = [f for f in findings if placement(f) == sector.value and f.rule_id == "T1"]
    grouped: dict[str, list[str]] = {}
    for r in rows:
        if r["caveat"]:
            grouped.setdefault(r["caveat"], []).append(r["name"])
    caveats = [(names, caveat) for caveat, names in grouped.items()]
    unchecked: dict[str, list[str]] = {}
    for r in rows:
        if r["unconfirmed"]:
            unchecked.setdefault(r["unconfirmed"], []).append(r["name"])
    unconfirmed = [(names, sentence) for sentence, names in unchecked.items()]
    return SectorView(
        sector=sector.value,
        name=label,
        rows=rows,
        caveats=caveats,
        unconfirmed=unconfirmed,
        profile_chart=profile_chart,
        series=series,
        strips=strips,
        need=data.need_cost(sector),
        production=data.production_row(sector),
        barometer_sector=bsector.value if bsector else None,
        barometer=brow,
        findings=own,
        trends=trends,
        drivers=drivers,
        bar_half=half,
    )


#: values derived from an object the reports of a year share (the year's distributions and
#: ranks, the map's boundaries: the same objects in every report), by the object's identity;
#: the object is kept with its value, so its id cannot be reused while the entry lives
_BY_IDENTITY: dict[tuple[str, int], tuple[object, Any]] = {}
_BY_IDENTITY_MAX = 256


def _by_identity(kind: str, source: object, make: Callable[[], Any]) -> Any:
    key = (kind, id(source))
    hit = _BY_IDENTITY.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    value = make()
    if len(_BY_IDENTITY) >= _BY_IDENTITY_MAX:
        _BY_IDENTITY.clear()
    _BY_IDENTITY[key] = (source, value)
    return value


def _history_by_indicator(history: Sequence[HistoryPoint]) -> dict[str, list[HistoryPoint]]:
    """The report's history points per key figure."""
    grouped: dict[str, list[HistoryPoint]] = {}
    for point in history:
        grouped.setdefault(point.indicator_id, []).append(point)
    return grouped


def _strip_layout(dist: Distribution) -> charts.StripLayout:
    """The rank strip's shared part of a distribution, built once per distribution."""
    return _by_identity(  # type: ignore[no-any-return]
        "strip",
        dist,
        lambda: charts.strip_layout(
            [{"code": v.code, "name": v.name, "value": v.value} for v in dist.values]
        ),
    )


@lru_cache(maxsize=1)
def _topology() -> dict[str, Any]:
    # one parsed copy for every map of the process: the specs only read it
    return report_topology()


def _summary_charts(data: ReportData, lang: str) -> dict[str, Chart]:
    out: dict[str, Chart] = {}
    need_rows = [
        {
            "sector": sector_name(r.sector.value, lang, capital=True),
            "excess_mnok": r.excess_nok / 1e6,
        }
        for r in data.need_costs
        if r.excess_nok is not None
    ]
    if need_rows:
        out["need"] = Chart(
            "fig-need",
            charts.need_cost_chart(
                need_rows,
                lang=lang,
                municipality=data.municipality.name,
                peer_name=data.peers.name,
                year=data.year,
            ),
            wide=True,
        )
    barometer = data.barometer
    if barometer is not None:
        brows = charts.barometer_rows(barometer.sectors, lang)
        if brows:
            out["barometer"] = Chart(
                "fig-barometer",
                charts.barometer_chart(
                    brows, lang=lang, municipality=data.municipality.name, year=data.year
                ),
                wide=True,
            )
        spec = maps.barometer_map(data, lang, topology=_topology())
        if spec is not None:
            out["map"] = Chart("fig-map", spec, raster=True)
    if data.map_indicator is not None:
        spec = maps.indicator_map(data, data.map_indicator, lang, topology=_topology())
        if spec is not None:
            out["map_indicator"] = Chart("fig-map-indicator", spec, raster=True)
    return out


def _assumptions(data: ReportData, rules: FindingRules, lang: str) -> list[tuple[str, str]]:
    rows = [(a.text(lang), a.setting(lang)) for a in data.assumptions]

    def pct(value: float) -> str:
        return i18n.percent(value, lang, 0)

    settings = [
        ("setting.profile_threshold", pct(rules.profile_threshold_pct)),
        ("setting.profile_max", str(rules.profile_max_per_sector)),
        ("setting.trend_window", str(rules.trend_window)),
        (
            "setting.trend_k",
            f"{number(rules.trend_k, lang, 1)}; {pct(100 * rules.trend_floor)}",
        ),
        ("setting.trend_min_change", pct(100 * rules.trend_min_change)),
        ("setting.need_threshold", pct(rules.need_threshold_pct)),
        ("setting.index_threshold", i18n.plural("points", round(rules.index_threshold), lang)),
    ]
    rows += [(t(key, lang), value) for key, value in settings]
    years = ", ".join(str(y) for y in data.pandemic_years)
    rows.append((t("pandemic", lang), years))
    return rows


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """The report template compiled once per installation, not once per process.

    Compiling ``report.html.j2`` costs a fresh process about half a second; loading the
    compiled code back a few milliseconds. Kept in the user cache directory
    (``KOSTRA_CACHE_DIR``), keyed by the template's name and checked against its source by
    Jinja, written atomically by Jinja; a cache that cannot be written or read only costs time.
    """

    def __init__(self) -> None:
        super().__init__(directory="", pattern="kostra-template-%s.cache")

    def _get_cache_filename(self, bucket: jinja2.bccache.Bucket) -> str:
        from kostra.settings import Settings

        return os.path.join(Settings().cache_dir, self.pattern % (bucket.key,))

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self._get_cache_filename(bucket)).parent.mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a read-only cache directory only costs time


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("kostra.report", "templates"),
    bytecode_cache=_TemplateCache(),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _static(name: str) -> str:
    return (resources.files("kostra.report") / "static" / name).read_text(encoding="utf-8")


def _context(
    data: ReportData,
    lang: str,
    mode: str,
    findings: Sequence[Finding] | None,
    rules: FindingRules,
    chart_renderer: Callable[[Chart], str] | None,
) -> dict[str, Any]:
    data = data.in_language(lang)
    found = list(findings) if findings is not None else report_findings(data, rules)
    main = summary(found)
    verdicts = report_verdicts(data)
    history = _history_by_indicator(data.history)
    sectors = [_sector_view(data, s, lang, found, history) for s in REPORT_SECTORS]
    for view, member in zip(sectors, REPORT_SECTORS, strict=True):
        view.verdict = verdicts[member]
    summary_charts = _summary_charts(data, lang)
    barometer_rows = []
    if data.barometer is not None:
        barometer_rows = sorted(data.barometer.sectors, key=lambda s: (s.rank is None, s.rank or 0))
    all_charts: list[Chart] = list(summary_charts.values())
    for view in sectors:
        if view.profile_chart:
            all_charts.append(view.profile_chart)
        all_charts.extend(view.series)
        all_charts.extend(view.strips)
    events = sorted(data.events, key=lambda e: (e.year, e.role != "self", e.name))
    rule_ids = sorted({f.rule_id for f in found})
    rule_rows = [
        (rule_id, t(f"rule.{rule_id}", lang)) for rule_id in rule_ids if rule_id in RULE_IDS
    ]
    return {
        "d": data,
        "lang": lang,
        "mode": mode,
        "t": lambda key, **kw: t(key, lang, **kw),
        "num": lambda v, decimals=None: number(v, lang, decimals),
        "signed": lambda v, decimals=0: signed(v, lang, decimals),
        "sector_name": lambda s, capital=False: sector_name(str(s), lang, capital=capital),
        "event_text": lambda e: event_text(
            e.kind, e.year, e.name, e.code, e.old_names, e.old_codes, lang, continuing=e.continuing
        ),
        "when": lambda m: when(m, lang),
        "ind_name": lambda i: _name(data.indicator(i), lang),
        "findings": found,
        "main_findings": main,
        "other_findings": [f for f in found if placement(f) is None and f not in main],
        "sectors": sectors,
        "charts": summary_charts,
        "barometer_rows": barometer_rows,
        "income_label": income_label(
            data.barometer.income_basis if data.barometer else "raw", lang
        ),
        "assumptions": _assumptions(data, rules, lang),
        "average_legend": AVERAGE_LEGEND.text(lang),
        "difference_legend": DIFFERENCE_TEXT.text(lang),
        "small_numbers_legend": SMALL_NUMBERS.text().text(lang),
        "events": events,
        "break_events": [e for e in events if e.series_break],
        "rule_ids": rule_ids,
        "rule_rows": rule_rows,
        "banner": SYNTHETIC_BANNER[lang] if data.synthetic else None,
        "css": _static("report.css"),
        "chart": chart_renderer or (lambda c: ""),
        "specs_json": _specs_json(all_charts) if mode == "html" else "",
        "vega_js": javascript_bundle() if mode == "html" else "",
        "generated": data.generated or date.today(),
        "peer_codes": {p.code for p in data.peers.members},
        "bar_legend": lambda half: profile_bar_legend(half, data.peers.name, lang),
        "bar_header": i18n.text("report.bar_header", lang),
    }


def _specs_json(all_charts: Sequence[Chart]) -> str:
    specs: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for chart in all_charts:
        spec = shared_datasets(chart.spec)
        datasets = spec.get("datasets")
        if isinstance(datasets, dict) and datasets:
            # a dataset shared by every report (the map's boundaries, most of the JSON) is
            # serialised once per process and spliced in
            replaced = {}
            for name, value in datasets.items():
                token = f"@@kostra-dataset-{len(texts)}@@"
                texts[json.dumps(token)] = _json_text(value)
                replaced[name] = token
            spec = {**spec, "datasets": replaced}
        specs[chart.id] = spec
    text = json.dumps(specs, ensure_ascii=False)
    for token, value_text in texts.items():
        text = text.replace(token, value_text, 1)
    # keep "</script>" in a label from closing the script element
    return text.replace("</", "<\\/")


def _json_text(value: object) -> str:
    """``value`` as JSON, serialised once per object (see :func:`_by_identity`)."""
    text: str = _by_identity("json", value, lambda: json.dumps(value, ensure_ascii=False))
    return text


def _html_chart(chart: Chart) -> str:
    label = _attr(chart.alt)
    return f'<div class="vega" data-chart="{chart.id}" role="img" aria-label="{label}"></div>'


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def render_html(
    data: ReportData,
    lang: str = "nb",
    *,
    findings: Sequence[Finding] | None = None,
    rules: FindingRules | None = None,
) -> str:
    """The report as one self-contained HTML document (works offline)."""
    context = _context(data, lang, "html", findings, rules or FindingRules(), _html_chart)
    return _TEMPLATES.get_template("report.html.j2").render(**context)


def _print_template(
    data: ReportData,
    lang: str,
    findings: Sequence[Finding] | None,
    rules: FindingRules | None,
) -> tuple[str, ChartProcess | None]:
    started = take_chart_process()

    def renderer(chart: Chart) -> str:
        if started is None:
            return image_tag(chart, data_url(chart, static_image(chart, lang)))
        return started(chart, lang)

    context = _context(data, lang, "pdf", findings, rules or FindingRules(), renderer)
    return _TEMPLATES.get_template("report.html.j2").render(**context), started


def print_html(
    data: ReportData,
    lang: str = "nb",
    *,
    findings: Sequence[Finding] | None = None,
    rules: FindingRules | None = None,
) -> str:
    """The report's print version: static SVG charts, no JavaScript (WeasyPrint's input)."""
    html, started = _print_template(data, lang, findings, rules)
    return html if started is None else started.fill(html)


def render_pdf(
    data: ReportData,
    lang: str = "nb",
    *,
    findings: Sequence[Finding] | None = None,
    rules: FindingRules | None = None,
    charts_apart: bool = False,
) -> bytes:
    """The report as a tagged PDF (WeasyPrint, PDF/UA-1): page numbers, table of contents,
    static charts with their text alternatives, the report's language and title.

    ``charts_apart``: the charts converted by a second process while WeasyPrint lays the pages
    out (:mod:`kostra.report.printing`), for a process that renders one PDF now; a command
    starts that process itself, earlier (:func:`~kostra.report.printing.start_chart_process`).
    """
    if charts_apart:
        start_chart_process()
    html, started = _print_template(data, lang, findings, rules)
    return write_pdf(html, started)


def write_report(
    data: ReportData,
    output: Path,
    *,
    fmt: ReportFormat = ReportFormat.HTML,
    lang: str = "nb",
    rules: FindingRules | None = None,
) -> Path:
    """Render and write the report atomically (a temporary file renamed into place)."""
    output = Path(output)
    if fmt is ReportFormat.PDF:
        content: bytes = render_pdf(data, lang, rules=rules)
    else:
        content = render_html(data, lang, rules=rules).encode("utf-8")
    _atomic_write_bytes(output, content)
    return output


def _atomic_write_bytes(output: Path, content: bytes) -> None:
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KostraError(
            say("error.report.cannot_create_folder", path=str(output.parent)),
            hint=say("error.report.reason", reason=str(error)),
        ) from error
    temporary = output.with_name(f".{output.name}.partial")
    try:
        temporary.write_bytes(content)
        temporary.replace(output)
    except OSError as error:
        raise KostraError(
            say("error.report.cannot_write", path=str(output)),
            hint=say("error.report.reason", reason=str(error)),
        ) from error
    finally:
        temporary.unlink(missing_ok=True)


_BUNDLE_SNIPPET = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"


@lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (from vl-convert), cached on disk.

    Building the bundle takes vl-convert about 1.2 s; reading it back about 0.06 s. It is kept
    in the user cache directory (``KOSTRA_CACHE_DIR``), keyed by vl-convert's version and the
    Vega-Lite version of :data:`kostra.report.charts.SCHEMA`, written atomically (a temporary
    file of its own renamed into place, so parallel reports do not collide); a damaged cache
    file is rebuilt.
    """
    import vl_convert

    from kostra.settings import Settings

    version = charts.vegalite_version()
    key = f"vega-bundle-{getattr(vl_convert, '__version__', 'unknown')}-vl{version}.js"
    cache = Path(Settings().cache_dir) / key
    try:
        text = cache.read_text(encoding="utf-8")
        if "window.vegaEmbed" in text[-500:]:
            return _script_safe(text)
    except OSError:
        pass
    text = vl_convert.javascript_bundle(_BUNDLE_SNIPPET, vl_version=version)
    write_cached(cache, text)
    return _script_safe(text)


def _script_safe(text: str) -> str:
    """JavaScript safe to inline in a ``<script>`` element."""
    return text.replace("</script", "<\\/script")
