"""From a :class:`~kostra.report.model.ReportData` to the council deck's :class:`DeckView`.

Every figure comes from the report's data (the pipeline's ``report_data``): the verdicts from
:func:`kostra.report.verdicts.report_verdicts`, the summary and the year context from
:mod:`kostra.analysis.overview`. This module only chooses and words; it computes no figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kostra.analysis.overview import (
    Change,
    Ranked,
    SectorRank,
    efficient_sectors,
    overall_position,
    peer_place,
    rank_range,
    total_rank,
    year_context,
)
from kostra.analysis.verdict import SectorVerdict, Statement, VerdictRules
from kostra.i18n import text
from kostra.i18n.said import say
from kostra.report.locale import SYNTHETIC_BANNER, sector_name
from kostra.report.model import BAROMETER_SECTOR, REPORT_SECTORS, ReportData
from kostra.report.verdicts import report_verdicts
from kostra.slides.model import (
    ChartView,
    DeckView,
    Line,
    Notes,
    SectorSlide,
    Series,
    Slide,
    TextSlide,
    TitleSlide,
)

#: Years shown in the deck's context (the report's time series: the report year and 4 before).
YEARS_SHOWN = 5


def _line(statement: Statement, lang: str) -> Line:
    return Line(statement.text(lang), statement.detail(lang), statement.rule_id)


def _rule(statement: Statement, lang: str) -> str:
    numbers = ", ".join(f"{k} = {v:.8g}" for k, v in statement.numbers.items())
    return f"[{statement.rule_id}] {statement.full(lang)}" + (f" ({numbers})" if numbers else "")


def _status(data: ReportData, lang: str) -> str:
    if data.synthetic:
        return text("deck.status.sample", lang)
    if data.vintage.preliminary:
        return text("deck.status.preliminary", lang, year=data.year)
    return text("deck.status.revised", lang, year=data.year)


def _caveats(data: ReportData, lang: str, keys: Sequence[str]) -> tuple[str, ...]:
    out = []
    for a in data.assumptions:
        if a.key in keys:
            out.append(f"{a.text(lang)}: {a.setting(lang)}")
    return tuple(out)


class _Deck:
    def __init__(self, data: ReportData, lang: str, rules: VerdictRules) -> None:
        self.data, self.lang, self.rules = data, lang, rules
        self.sources = data.vintage.sources
        self.status = _status(data, lang)
        self.verdicts = report_verdicts(data, rules)
        compare = [p.name for p in data.peers.compare]
        self.group = data.peers.name + (f" + {', '.join(compare)}" if compare else "")

    def notes(self, caveat_keys: Sequence[str] = (), rules: Sequence[str] = ()) -> Notes:
        return Notes(
            self.sources, self.status, _caveats(self.data, self.lang, caveat_keys), tuple(rules)
        )

    # --- the explaining slides ------------------------------------------------------------

    def title(self) -> TitleSlide:
        d = self.data
        return TitleSlide(
            title=text("deck.title.title", self.lang, year=d.year),
            subtitle=text(
                "deck.title.subtitle", self.lang, name=d.municipality.name, group=self.group
            ),
            notes=self.notes(["default_peers"]),
            banner=SYNTHETIC_BANNER[self.lang] if d.synthetic else None,
        )

    def kostra(self) -> TextSlide:
        d = self.data
        members = ", ".join(p.name for p in d.peers.members)
        lines = [
            text("deck.kostra.what", self.lang),
            text("deck.kostra.published", self.lang),
            text("deck.kostra.asss", self.lang),
            text("deck.kostra.peers", self.lang, year=d.year, group=d.peers.name, members=members),
        ]
        if d.peers.compare:
            names = ", ".join(p.name for p in d.peers.compare)
            lines.append(text("deck.kostra.compare", self.lang, names=names))
        return TextSlide(
            title=text("deck.kostra.title", self.lang),
            lines=tuple(Line(x) for x in lines),
            notes=self.notes(["default_peers", "borders"]),
        )

    def products(self) -> TextSlide:
        d = self.data
        return TextSlide(
            title=text("deck.products.title", self.lang),
            lines=(
                Line(
                    text(
                        "deck.products.report",
                        self.lang,
                        name=d.municipality.name,
                        group=self.group,
                    )
                ),
                Line(text("deck.products.indices", self.lang)),
                Line(text("deck.products.barometer", self.lang)),
            ),
            notes=self.notes(["barometer", "intervals"]),
        )

    def concepts(self) -> TextSlide:
        reference = text("deck.concepts.reference_peers", self.lang)
        if self.data.production_reference == "country":
            reference = text("deck.concepts.reference_country", self.lang)
        return TextSlide(
            title=text("deck.concepts.title", self.lang),
            lines=(
                Line(text("deck.concepts.profile", self.lang)),
                Line(text("deck.concepts.production", self.lang, reference=reference)),
                Line(text("deck.concepts.cost", self.lang)),
                Line(text("deck.concepts.efficiency", self.lang)),
            ),
            notes=self.notes(["production", "need_year", "no_pension"]),
        )

    def context(self) -> TextSlide:
        d = self.data
        first = d.year - YEARS_SHOWN + 1
        changes = [Change(e.kind, e.year, e.name, e.old_names, e.role) for e in d.events]
        statements = year_context(d.municipality.name, changes, d.pandemic_years, first, d.year)
        return TextSlide(
            title=text("deck.context.title", self.lang),
            lines=tuple(_line(s, self.lang) for s in statements),
            notes=self.notes(["borders"], [_rule(s, self.lang) for s in statements]),
        )

    # --- the findings --------------------------------------------------------------------

    def findings(self) -> TextSlide:
        d = self.data
        statements: list[Statement] = []
        chart: ChartView | None = None
        barometer = d.barometer
        if barometer is not None:
            found = total_rank(barometer.total_rank, barometer.n_ranked)
            if found is not None:
                statements.append(found)
            by_code = {r.code: r.value for r in barometer.all_ranks}

            def ranked(code: str, name: str) -> Ranked:
                value = by_code.get(code)
                return Ranked(code, name, int(value) if value is not None else None)

            own = ranked(d.municipality.code, d.municipality.name)
            peers = [ranked(p.code, p.name) for p in d.peers.members if p.code != own.code]
            compared = [ranked(p.code, p.name) for p in d.peers.compare]
            group = [own, *peers, *compared]
            place = peer_place(own, peers, compared, d.peers.name)
            if place is not None:
                statements.append(place)
                shown = sorted((g for g in group if g.rank is not None), key=lambda g: g.rank or 0)
                chart = ChartView(
                    kind="bar",
                    title=text("deck.findings.rank_chart", self.lang),
                    categories=tuple(g.name for g in shown),
                    series=(
                        Series(
                            text("deck.rank", self.lang),
                            tuple(float(g.rank or 0) for g in shown),
                        ),
                    ),
                    reversed_axis=True,
                    highlight=own.name,
                )
            spread = rank_range(
                [SectorRank(s.sector.value, s.rank, s.n_ranked) for s in barometer.sectors]
            )
            if spread is not None:
                statements.append(spread)
        overall = overall_position(d.production_total, d.efficiency_total, self.rules)
        if overall is not None:
            statements.append(overall)
        efficient = efficient_sectors(list(self.verdicts.values()))
        if efficient is not None:
            statements.append(efficient)
        if not statements:
            none = say("deck.findings.none")
            statements.append(Statement("S9", none.nb, none.en, text_nn=none.nn))
        return TextSlide(
            title=text("deck.findings.title", self.lang),
            lines=tuple(_line(s, self.lang) for s in statements),
            chart=chart,
            text_share=0.5,
            notes=self.notes(
                ["barometer", "intervals", "production"], [_rule(s, self.lang) for s in statements]
            ),
        )

    def production(self) -> TextSlide | None:
        d = self.data
        rows = [r for r in d.production if r.production_index is not None]
        if not rows:
            return None
        chart = ChartView(
            kind="column",
            title=text("deck.index_chart", self.lang),
            categories=tuple(sector_name(r.sector.value, self.lang, capital=True) for r in rows),
            series=(
                Series(
                    text("deck.production", self.lang),
                    tuple(r.production_index for r in rows),
                ),
                Series(text("deck.cost", self.lang), tuple(r.cost_index for r in rows)),
                Series(
                    text("deck.efficiency", self.lang),
                    tuple(r.efficiency_index for r in rows),
                ),
            ),
        )
        overall = overall_position(d.production_total, d.efficiency_total, self.rules)
        lines = (_line(overall, self.lang),) if overall is not None else ()
        return TextSlide(
            title=text("deck.production.title", self.lang),
            lines=lines,
            chart=chart,
            notes=self.notes(
                ["production", "need_year"],
                [_rule(overall, self.lang)] if overall is not None else [],
            ),
        )

    def barometer(self, picture: bytes | None) -> TextSlide | None:
        barometer = self.data.barometer
        if barometer is None:
            return None
        rows = sorted(
            (s for s in barometer.sectors if s.rank is not None), key=lambda s: s.rank or 0
        )
        chart = None
        if rows:
            chart = ChartView(
                kind="bar",
                title=text("deck.barometer.chart", self.lang),
                categories=tuple(
                    sector_name(s.sector.value, self.lang, capital=True) for s in rows
                ),
                series=(
                    Series(
                        text("deck.rank", self.lang),
                        tuple(float(s.rank) if s.rank else None for s in rows),
                    ),
                ),
                reversed_axis=True,
            )
        found = total_rank(barometer.total_rank, barometer.n_ranked)
        lines = (_line(found, self.lang),) if found is not None else ()
        return TextSlide(
            title=text("deck.barometer.title", self.lang),
            lines=lines,
            chart=chart,
            picture=picture,
            picture_caption=text("deck.barometer.map_credit", self.lang),
            notes=self.notes(
                ["barometer", "intervals"], [_rule(found, self.lang)] if found is not None else []
            ),
        )

    def sector(self, verdict: SectorVerdict) -> SectorSlide:
        d = self.data
        member = next(s for s in REPORT_SECTORS if s.value == verdict.sector)
        row = d.production_row(member)
        before = next((r for r in d.production_previous if r.sector == member), None)
        chart = None
        if row is not None and row.production_index is not None:
            rows = (
                [(str(d.year - 1), before), (str(d.year), row)] if before else [(str(d.year), row)]
            )
            chart = ChartView(
                kind="column",
                title=text("deck.index_chart", self.lang),
                categories=(
                    text("deck.production", self.lang),
                    text("deck.cost", self.lang),
                    text("deck.efficiency", self.lang),
                ),
                series=tuple(
                    Series(label, (r.production_index, r.cost_index, r.efficiency_index))
                    for label, r in rows
                    if r is not None
                ),
            )
        statements = [verdict.verdict, *verdict.observations, verdict.barometer]
        caveats = list(_caveats(d, self.lang, ["production", "costs_average"]))
        for kf in d.sector_profile(member):
            indicator = d.indicator(kf.indicator_id)
            caveat = indicator.caveat(self.lang)
            if caveat and any(s.indicator_id == kf.indicator_id for s in statements):
                name = indicator.name_en if self.lang == "en" else indicator.name_nb
                caveats.append(f"{name}: {caveat}")
        if BAROMETER_SECTOR.get(member) is not None:
            caveats += _caveats(d, self.lang, ["barometer"])
        return SectorSlide(
            sector=verdict.sector,
            title=sector_name(verdict.sector, self.lang, capital=True),
            left_heading=text("deck.sector.report_heading", self.lang),
            verdict=_line(verdict.verdict, self.lang),
            observations=tuple(_line(o, self.lang) for o in verdict.observations),
            right_heading=text("deck.barometer.title", self.lang),
            barometer=_line(verdict.barometer, self.lang),
            chart=chart,
            notes=self.notes(rules=[_rule(s, self.lang) for s in statements])
            if not caveats
            else Notes(
                self.sources,
                self.status,
                tuple(caveats),
                tuple(_rule(s, self.lang) for s in statements),
            ),
        )


def deck_view(
    data: ReportData,
    lang: str = "nb",
    *,
    map_picture: bytes | None = None,
    rules: VerdictRules | None = None,
) -> DeckView:
    """The deck of ``data`` in ``lang``; ``map_picture``: a PNG of the barometer map."""
    data = data.in_language(lang)
    deck = _Deck(data, lang, rules or VerdictRules())
    slides: list[Slide] = [
        deck.title(),
        deck.kostra(),
        deck.products(),
        deck.concepts(),
        deck.context(),
        deck.findings(),
    ]
    for optional in (deck.production(), deck.barometer(map_picture)):
        if optional is not None:
            slides.append(optional)
    slides += [deck.sector(v) for v in deck.verdicts.values()]
    return DeckView(
        municipality=data.municipality.name,
        code=data.municipality.code,
        year=data.year,
        lang=lang,
        synthetic=data.synthetic,
        slides=tuple(slides),
    )


def map_picture(data: ReportData, lang: str = "nb") -> bytes | None:
    """The barometer map as a PNG (the report's map, :func:`kostra.report.maps.barometer_map`;
    PPTX has no map chart)."""
    from kostra.report.geo import report_topology
    from kostra.report.maps import barometer_map
    from kostra.report.printing import PRINT_CONFIG, chart_png

    spec = barometer_map(data, lang, topology=report_topology())
    return None if spec is None else chart_png(spec, lang, config=PRINT_CONFIG)


def deck_pptx(
    data: object, lang: str, *, template: Path | None = None, with_map: bool = True
) -> bytes:
    """The deck of ``data`` (a ``ReportData``) as PPTX bytes, with the barometer map unless
    ``with_map`` is false: what ``kostra slides`` writes and the web's download serves."""
    from kostra.render import render

    if not isinstance(data, ReportData):
        raise TypeError(f"a ReportData is needed, not {type(data).__name__}")
    picture = map_picture(data, lang) if with_map else None
    return render("pptx", deck_view(data, lang, map_picture=picture), template)
