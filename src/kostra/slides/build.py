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


def _w(lang: str, nb: str, en: str, nn: str | None = None) -> str:
    """The words in ``lang``: English, nynorsk (bokmål where none is given) or bokmål."""
    if lang == "en":
        return en
    return nn if lang == "nn" and nn is not None else nb


def _line(statement: Statement, lang: str) -> Line:
    return Line(statement.text(lang), statement.detail(lang), statement.rule_id)


def _rule(statement: Statement, lang: str) -> str:
    numbers = ", ".join(f"{k} = {v:.8g}" for k, v in statement.numbers.items())
    return f"[{statement.rule_id}] {statement.full(lang)}" + (f" ({numbers})" if numbers else "")


def _status(data: ReportData, lang: str) -> str:
    if data.synthetic:
        return _w(
            lang,
            "Eksempeldata: syntetiske KOSTRA-tall laget av kostra, ikke SSB-statistikk. Ingen "
            "KOSTRA-tall i presentasjonen er ekte; befolkningen, kommunestrukturen og "
            "utgiftsbehovsindeksene (Grønt hefte) er reelle.",
            "Sample data: synthetic KOSTRA figures made by kostra, not SSB statistics. No KOSTRA "
            "figure in the deck is real; the population, the municipal structure and the "
            "expenditure-need indices (Grønt hefte) are real.",
            "Eksempeldata: syntetiske KOSTRA-tal laga av kostra, ikkje SSB-statistikk. Ingen "
            "KOSTRA-tal i presentasjonen er ekte; folketalet, kommunestrukturen og "
            "utgiftsbehovsindeksane (Grønt hefte) er reelle.",
        )
    if data.vintage.preliminary:
        return _w(
            lang,
            f"Foreløpige KOSTRA-tall for {data.year} (SSB 15. mars); reviderte tall kommer 15. "
            "juni.",
            f"Preliminary KOSTRA figures for {data.year} (SSB, 15 March); revised figures follow "
            "on 15 June.",
            f"Førebelse KOSTRA-tal for {data.year} (SSB 15. mars); reviderte tal kjem 15. juni.",
        )
    return _w(
        lang,
        f"Reviderte KOSTRA-tall for {data.year} (SSB 15. juni).",
        f"Revised KOSTRA figures for {data.year} (SSB, 15 June).",
        f"Reviderte KOSTRA-tal for {data.year} (SSB 15. juni).",
    )


def _caveats(data: ReportData, lang: str, keys: Sequence[str]) -> tuple[str, ...]:
    out = []
    for a in data.assumptions:
        if a.key in keys:
            text = a.text(lang)
            out.append(f"{text}: {a.setting(lang)}")
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

    def w(self, nb: str, en: str, nn: str | None = None) -> str:
        return _w(self.lang, nb, en, nn)

    # --- the explaining slides ------------------------------------------------------------

    def title(self) -> TitleSlide:
        d = self.data
        return TitleSlide(
            title=self.w(
                f"KOSTRA-rapport {d.year} og Kommunebarometeret",
                f"KOSTRA report {d.year} and the Kommunebarometer",
                f"KOSTRA-rapport {d.year} og Kommunebarometeret",
            ),
            subtitle=self.w(
                f"{d.municipality.name} sammenlignet med {self.group}",
                f"{d.municipality.name} compared with {self.group}",
                f"{d.municipality.name} samanlikna med {self.group}",
            ),
            notes=self.notes(["default_peers"]),
            banner=SYNTHETIC_BANNER[self.lang] if d.synthetic else None,
        )

    def kostra(self) -> TextSlide:
        d = self.data
        members = ", ".join(p.name for p in d.peers.members)
        lines = [
            self.w(
                "KOSTRA (KOmmune-STat-RApportering): SSBs statistikk over kommunenes "
                "tjenester, ressursbruk og økonomi",
                "KOSTRA (municipality–state reporting): Statistics Norway's figures on the "
                "municipalities' services, resources and finances",
                "KOSTRA (KOmmune-STat-RApportering): statistikken til SSB over tenestene, "
                "ressursbruken og økonomien i kommunane",
            ),
            self.w(
                "Foreløpige tall publiseres 15. mars, reviderte tall 15. juni",
                "Preliminary figures are published on 15 March, revised figures on 15 June",
                "Førebelse tal blir publiserte 15. mars, reviderte tal 15. juni",
            ),
            self.w(
                "ASSS: nettverk av de 10 største kommunene, med bistand fra KS, som "
                "sammenligner tjenester og ressursbruk",
                "ASSS: a network of the 10 largest municipalities, assisted by KS, comparing "
                "services and resources",
                "ASSS: nettverk av dei 10 største kommunane, med hjelp frå KS, som samanliknar "
                "tenester og ressursbruk",
            ),
            self.w(
                f"Sammenligningsgruppe i {d.year}: {d.peers.name} ({members})",
                f"Peer group in {d.year}: {d.peers.name} ({members})",
                f"Samanlikningsgruppe i {d.year}: {d.peers.name} ({members})",
            ),
        ]
        if d.peers.compare:
            names = ", ".join(p.name for p in d.peers.compare)
            lines.append(
                self.w(
                    f"Også sammenlignet med {names}",
                    f"Also compared with {names}",
                    f"Òg samanlikna med {names}",
                )
            )
        return TextSlide(
            title=self.w(
                "Hva er KOSTRA og ASSS?", "What are KOSTRA and ASSS?", "Kva er KOSTRA og ASSS?"
            ),
            lines=tuple(Line(x) for x in lines),
            notes=self.notes(["default_peers", "borders"]),
        )

    def products(self) -> TextSlide:
        d = self.data
        return TextSlide(
            title=self.w(
                "KOSTRA-rapporten og Kommunebarometeret",
                "The KOSTRA report and the Kommunebarometer",
                "KOSTRA-rapporten og Kommunebarometeret",
            ),
            lines=(
                Line(
                    self.w(
                        f"KOSTRA-rapporten: tjenesteprofilen til {d.municipality.name} mot "
                        f"{self.group}, sektor for sektor",
                        f"The KOSTRA report: the service profile of {d.municipality.name} against "
                        f"{self.group}, sector by sector",
                        f"KOSTRA-rapporten: tenesteprofilen til {d.municipality.name} mot "
                        f"{self.group}, sektor for sektor",
                    )
                ),
                Line(
                    self.w(
                        "Produksjons- og effektivitetsindekser for seks tjenesteområder",
                        "Production and efficiency indices for six services",
                        "Produksjons- og effektivitetsindeksar for seks tenesteområde",
                    )
                ),
                Line(
                    self.w(
                        "Kommunebarometeret: Kommunal Rapports rangering av alle kommuner. Tallene "
                        "her er kostras egen rekonstruksjon av metoden, ikke Kommunal Rapports "
                        "publiserte plasseringer",
                        "The Kommunebarometer: Kommunal Rapport's ranking of every municipality. "
                        "The ranks here are kostra's own reconstruction of the method, not "
                        "Kommunal Rapport's published ranks",
                        "Kommunebarometeret: rangeringa Kommunal Rapport gjer av alle kommunar. "
                        "Tala her er ein eigen rekonstruksjon av metoden i kostra, ikkje "
                        "plasseringane Kommunal Rapport publiserer",
                    )
                ),
            ),
            notes=self.notes(["barometer", "intervals"]),
        )

    def concepts(self) -> TextSlide:
        reference = self.w(
            "snittet i sammenligningsgruppen", "the peer average", "snittet i samanlikningsgruppa"
        )
        if self.data.production_reference == "country":
            reference = self.w("landsgjennomsnittet", "the national average", "landsgjennomsnittet")
        return TextSlide(
            title=self.w(
                "Tjenesteprofil, produksjonsindeks og effektivitetsindeks",
                "Service profile, production index and efficiency index",
                "Tenesteprofil, produksjonsindeks og effektivitetsindeks",
            ),
            lines=(
                Line(
                    self.w(
                        "Tjenesteprofil: hvert nøkkeltall som indeks mot snittet i "
                        "sammenligningsgruppen (snitt = 100)",
                        "Service profile: each key figure as an index against the peer average "
                        "(average = 100)",
                        "Tenesteprofil: kvart nøkkeltal som indeks mot snittet i "
                        "samanlikningsgruppa (snitt = 100)",
                    )
                ),
                Line(
                    self.w(
                        "Produksjonsindeks: dekningsgrader mot behovskorrigert målgruppe og "
                        f"kvalitetsindikatorer, vektet innen sektoren, mot {reference} (= 100)",
                        "Production index: coverage against the need-corrected target group and "
                        f"quality indicators, weighted within the sector, against {reference} "
                        "(= 100)",
                        "Produksjonsindeks: dekningsgrader mot behovskorrigert målgruppe og "
                        f"kvalitetsindikatorar, vekta innan sektoren, mot {reference} (= 100)",
                    )
                ),
                Line(
                    self.w(
                        "Kostnadsindeks: brutto driftsutgifter per behovskorrigert innbygger mot "
                        "referansen",
                        "Cost index: gross operating expenditure per need-corrected inhabitant "
                        "against the reference",
                        "Kostnadsindeks: brutto driftsutgifter per behovskorrigert innbyggjar mot "
                        "referansen",
                    )
                ),
                Line(
                    self.w(
                        "Effektivitetsindeks = 100 × produksjonsindeks / kostnadsindeks: over 100 "
                        "gir mer tjenester per krone enn referansen",
                        "Efficiency index = 100 × production index / cost index: above 100 means "
                        "more service per krone than the reference",
                        "Effektivitetsindeks = 100 × produksjonsindeks / kostnadsindeks: over 100 "
                        "gir meir tenester per krone enn referansen",
                    )
                ),
            ),
            notes=self.notes(["production", "need_year", "no_pension"]),
        )

    def context(self) -> TextSlide:
        d = self.data
        first = d.year - YEARS_SHOWN + 1
        changes = [Change(e.kind, e.year, e.name, e.old_names, e.role) for e in d.events]
        statements = year_context(d.municipality.name, changes, d.pandemic_years, first, d.year)
        return TextSlide(
            title=self.w(
                "Hva påvirker årets tall?",
                "What affects this year's figures?",
                "Kva påverkar tala i år?",
            ),
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
                    title=self.w(
                        "Plassering i Kommunebarometeret (1 = best)",
                        "Rank in the Kommunebarometer (1 = best)",
                        "Plassering i Kommunebarometeret (1 = best)",
                    ),
                    categories=tuple(g.name for g in shown),
                    series=(
                        Series(
                            self.w("Plassering", "Rank", "Plassering"),
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
            statements.append(
                Statement("S9", "Ingen samlede tall for året", "No overall figures for the year")
            )
        return TextSlide(
            title=self.w("Hovedfunn", "Main findings", "Hovudfunn"),
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
            title=self.w(
                "Indeks (referansen = 100)", "Index (reference = 100)", "Indeks (referansen = 100)"
            ),
            categories=tuple(sector_name(r.sector.value, self.lang, capital=True) for r in rows),
            series=(
                Series(
                    self.w("Produksjon", "Production", "Produksjon"),
                    tuple(r.production_index for r in rows),
                ),
                Series(self.w("Kostnad", "Cost", "Kostnad"), tuple(r.cost_index for r in rows)),
                Series(
                    self.w("Effektivitet", "Efficiency", "Effektivitet"),
                    tuple(r.efficiency_index for r in rows),
                ),
            ),
        )
        overall = overall_position(d.production_total, d.efficiency_total, self.rules)
        lines = (_line(overall, self.lang),) if overall is not None else ()
        return TextSlide(
            title=self.w(
                "Produksjon, kostnad og effektivitet per sektor",
                "Production, cost and efficiency per sector",
                "Produksjon, kostnad og effektivitet per sektor",
            ),
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
                title=self.w(
                    "Plassering per sektor (1 = best)",
                    "Rank per sector (1 = best)",
                    "Plassering per sektor (1 = best)",
                ),
                categories=tuple(
                    sector_name(s.sector.value, self.lang, capital=True) for s in rows
                ),
                series=(
                    Series(
                        self.w("Plassering", "Rank", "Plassering"),
                        tuple(float(s.rank) if s.rank else None for s in rows),
                    ),
                ),
                reversed_axis=True,
            )
        found = total_rank(barometer.total_rank, barometer.n_ranked)
        lines = (_line(found, self.lang),) if found is not None else ()
        return TextSlide(
            title=self.w("Kommunebarometeret", "The Kommunebarometer", "Kommunebarometeret"),
            lines=lines,
            chart=chart,
            picture=picture,
            picture_caption=self.w(
                "Kartgrunnlag: © Kartverket (CC BY 4.0)",
                "Map data: © Kartverket (CC BY 4.0)",
                "Kartgrunnlag: © Kartverket (CC BY 4.0)",
            ),
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
                title=self.w(
                    "Indeks (referansen = 100)",
                    "Index (reference = 100)",
                    "Indeks (referansen = 100)",
                ),
                categories=(
                    self.w("Produksjon", "Production", "Produksjon"),
                    self.w("Kostnad", "Cost", "Kostnad"),
                    self.w("Effektivitet", "Efficiency", "Effektivitet"),
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
            left_heading=self.w("KOSTRA-rapporten", "The KOSTRA report", "KOSTRA-rapporten"),
            verdict=_line(verdict.verdict, self.lang),
            observations=tuple(_line(o, self.lang) for o in verdict.observations),
            right_heading="Kommunebarometeret" if self.lang != "en" else "The Kommunebarometer",
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
    from kostra.report.render import PRINT_CONFIG, chart_png

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
