"""A verdict per sector, as an analyst writes it: one sentence, 3–5 observations, and the reason
behind the Kommunebarometer rank.

Pure: typed figures in (:class:`SectorFigures`), statements out (:class:`SectorVerdict`). Each
:class:`Statement` carries the rule id that wrote it, the numbers it read and its words in
bokmål, nynorsk and English, so a slide, a report line and a web page can all trace a sentence
back to the figures. The words are messages ``verdict.*`` of the gettext catalogs
(:mod:`kostra.i18n`; one message per direction, plural forms where a count is printed); the
table below quotes the bokmål. Thresholds are :class:`VerdictRules` defaults [D]; every sentence
states the numbers it rests on and no rule says more than the comparison with its threshold.

Levels: an index (reference = 100) is *high* at ≥ 100 + ``level_points`` (5), *low* at ≤ 100 −
``level_points``, otherwise *average*. The cost of a sector is the production analysis' gross
cost index when it has one, otherwise 100 × the need-corrected resource-use index (net spending
per need-corrected inhabitant against the peers); neither: no cost level.

=====  ==============================================  =========================================
id     fires when                                      sentence (nb)
=====  ==============================================  =========================================
V0     no production index, no cost level and no key   "For lite data til en samlet vurdering"
       figure with a profile index
V1     production high and cost low                    "En effektiv <sektor> med høy produksjon
                                                       og lave kostnader"
V2     production low and cost high                    "Lav produksjon og høye kostnader: lav
                                                       score på effektivitetsindeksen"
V3     efficiency low (other combinations)             "Lav score på effektivitetsindeksen"
V4     efficiency high (other combinations)            "Høy score på effektivitetsindeksen"
V5     efficiency average, or no efficiency index      "Produksjon og kostnader på nivå med
                                                       snittet" (levels named as they are)
V6     no production index, a cost level               "Høye/lave/gjennomsnittlige kostnader
                                                       etter behovskorrigering"
V7     no production index, no cost level, key         "Ingen produksjons- eller kostnadsindeks
       figures with a profile index                    for <sektor>" (a av n nøkkeltall ≥
                                                       ``observation_level_pct`` over snittet, b
                                                       under)
VC     the efficiency (else the cost) index moved ≥    appended: "; effektiviteten økte fra a
       ``change_points`` (3) since last year, no       til b"
       series break
O1     a key figure's profile index is ≥               "Høy/Lav <nøkkeltall> (v mot snitt s)"
       ``observation_level_pct`` (10) from 100
O2     a key figure moved ≥ ``observation_change_pct`` "Økning/Nedgang i <nøkkeltall> (fra a
       (5 %) since last year, no series break          til b)"
O3     need-corrected spending differs ≥               "Høye/Lave utgifter etter
       ``cost_pct`` (5 %) from the peers'              behovskorrigering (d kr per innbygger
                                                       over/under snittet)"
O4     fewer than ``min_observations`` (3) above:      "<nøkkeltall> på nivå med snittet (v mot
       the key figures closest to the threshold        s)"
R0     the barometer does not rank the sector          "Kommunebarometeret rangerer ikke <sektor>"
R1     a rank with graded indicators                   "Nr. r av n. Høye/Lave plasseringer pga.
                                                       <indikator> (karakter g av 6)"
R2     a rank without graded indicators                "Nr. r av n (ingen karakterer å forklare
                                                       plasseringen med)"
R3     no barometer computed for the year              "Kommunebarometeret er ikke beregnet"
R4     the barometer ranks the sector, but not the     "Ikke rangert i Kommunebarometeret
       municipality this year                          (<sektor>) i år: for få nøkkeltall"
=====  ==============================================  =========================================

Observations are ordered by size (index points, per cent change, per cent of spending) times
``relevance`` (1.5) for key figures the production index or the barometer uses; a figure gets at
most one observation (its largest), and at most ``max_observations`` (5) are kept. The barometer
reason names the ``reasons`` (2) graded indicators whose effect (weight × (grade − 3.5)) is
largest in the direction of the rank: pulling up in the upper half of the ranking, down in the
lower half (both directions when exactly in the middle).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kostra.analysis._barometer.text import lower_first as _lower_first
from kostra.analysis._barometer.text import quantifier
from kostra.analysis.findings import fmt
from kostra.i18n import N_, amount, kroner_text, listing, percent_text
from kostra.i18n import sector_name as i18n_sector_name
from kostra.i18n.said import Said, say, say_plural
from kostra.i18n.said import sector as sector_words

Level = Literal["high", "average", "low"]
Lang = Literal["nb", "nn", "en"]


@dataclass(frozen=True)
class VerdictRules:
    """Thresholds of the verdict rules (documented defaults [D], see the module docstring)."""

    level_points: float = 5.0
    change_points: float = 3.0
    observation_level_pct: float = 10.0
    observation_change_pct: float = 5.0
    cost_pct: float = 5.0
    relevance: float = 1.5
    min_observations: int = 3
    max_observations: int = 5
    reasons: int = 2


@dataclass(frozen=True)
class Statement:
    """One sentence: the rule that wrote it, the numbers it read, its words in nb, en and nn."""

    rule_id: str
    text_nb: str
    text_en: str
    numbers: Mapping[str, float] = field(default_factory=dict)
    indicator_id: str | None = None
    size: float = 0.0
    #: the figures the sentence rests on, printed after it ("(produksjon 99, kostnad 92 …)")
    detail_nb: str = ""
    detail_en: str = ""
    #: the sentence and its figures in nynorsk (None: as in bokmål, e.g. a key figure's name)
    text_nn: str | None = None
    detail_nn: str | None = None

    def text(self, lang: str) -> str:
        """The sentence in ``lang`` ("nb", "nn" or "en")."""
        if lang == "en":
            return self.text_en
        if lang == "nn" and self.text_nn is not None:
            return self.text_nn
        return self.text_nb

    def detail(self, lang: str) -> str:
        """The figures behind the sentence in ``lang`` (may be empty)."""
        if lang == "en":
            return self.detail_en
        if lang == "nn" and self.detail_nn is not None:
            return self.detail_nn
        return self.detail_nb

    def full(self, lang: str) -> str:
        """The sentence followed by its figures."""
        detail = self.detail(lang)
        return f"{self.text(lang)} {detail}" if detail else self.text(lang)


@dataclass(frozen=True)
class KeyFigure:
    """A key figure of the sector in the report year: value, peer average, last year's value.

    ``index`` is the profile index (peer average = 100); ``unit`` is the catalog's unit
    ("prosent", "kr", "timer"), printed with each number as its language writes it
    (:func:`kostra.i18n.amount`); ``relevant``: used by the production index or the barometer.
    """

    indicator_id: str
    name_nb: str
    name_en: str
    value: float | None
    peer_average: float | None = None
    index: float | None = None
    previous_value: float | None = None
    series_break: bool = False
    unit: str = ""
    relevant: bool = False


@dataclass(frozen=True)
class Indices:
    """A sector's production, cost and efficiency indices (reference = 100) in one year."""

    production: float | None = None
    cost: float | None = None
    efficiency: float | None = None


@dataclass(frozen=True)
class Driver:
    """A graded barometer indicator: its grade (1–6) and effect = weight × (grade − 3.5)."""

    indicator_id: str
    name_nb: str
    name_en: str
    grade: float | None
    effect: float | None
    direction: str = "neutral"


@dataclass(frozen=True)
class BarometerPlace:
    """The sector's Kommunebarometer rank (``None``: the barometer does not rank the sector)."""

    rank: int | None
    n_ranked: int | None
    drivers: tuple[Driver, ...] = ()
    #: false when no barometer was computed for the year at all (rule R3)
    available: bool = True
    #: the share of the sector's indicator weight with data (the barometer ranks from a minimum)
    coverage: float | None = None


@dataclass(frozen=True)
class SectorFigures:
    """Everything the verdict of one sector reads.

    ``indices``/``previous``: production, cost and efficiency this year and last year (cost
    from the production analysis); ``resource_use``: need-corrected spending per inhabitant
    against the peers' (1 = the same), the cost level when there is no production index;
    ``need_difference_pct``: need-corrected spending above (+) / below (−) the peers in per
    cent of the need-expected spending; ``series_break``: the sector's series crosses a merger
    between last year and this year; ``barometer``: ``None`` when the barometer does not rank
    the sector.
    """

    sector: str
    indices: Indices = Indices()
    previous: Indices | None = None
    resource_use: float | None = None
    need_difference_pct: float | None = None
    need_difference_kr: float | None = None
    key_figures: tuple[KeyFigure, ...] = ()
    barometer: BarometerPlace | None = None
    series_break: bool = False


@dataclass(frozen=True)
class SectorVerdict:
    """The verdict sentence, the chosen observations and the barometer reason of one sector."""

    sector: str
    verdict: Statement
    observations: tuple[Statement, ...]
    barometer: Statement
    production_level: Level | None = None
    cost_level: Level | None = None
    efficiency_level: Level | None = None

    @property
    def high_production_low_cost(self) -> bool:
        """Rule V1 fired: high production at low cost."""
        return self.verdict.rule_id == "V1"


def level(index: float | None, rules: VerdictRules) -> Level | None:
    """``high``/``average``/``low`` for an index against 100 (``None`` when missing)."""
    if index is None or index != index:
        return None
    if index >= 100.0 + rules.level_points:
        return "high"
    if index <= 100.0 - rules.level_points:
        return "low"
    return "average"


def sector_name(sector: str, lang: str) -> str:
    """The sector's name in ``lang`` (lower case, as inside a sentence)."""
    return i18n_sector_name(sector, lang)


def _n(value: float, decimals: int | None = None) -> Said:
    """A number as each language prints it (nynorsk as bokmål)."""
    return Said.each(lambda lang: fmt(value, lang, decimals))


def _statement(
    rule_id: str,
    said: Said,
    numbers: Mapping[str, float] | None = None,
    indicator_id: str | None = None,
    size: float = 0.0,
    detail: Said | None = None,
) -> Statement:
    return Statement(
        rule_id,
        said.nb,
        said.en,
        dict(numbers or {}),
        indicator_id,
        size,
        detail_nb=detail.nb if detail else "",
        detail_en=detail.en if detail else "",
        text_nn=said.nn,
        detail_nn=detail.nn if detail else None,
    )


def _percent(number: Said) -> Said:
    return Said.each(lambda lang: percent_text(number[lang], lang))


def _kroner(number: Said) -> Said:
    """An amount in kroner: "3 186 kr" (a no-break space), "NOK 3,186"."""
    return Said.each(lambda lang: kroner_text(number[lang], lang))


# --- the verdict sentence ----------------------------------------------------------------------

_PRODUCTION_LEVEL: dict[Level, str] = {
    "high": N_("verdict.level.production.high"),
    "average": N_("verdict.level.production.average"),
    "low": N_("verdict.level.production.low"),
}
_COST_LEVEL: dict[Level, str] = {
    "high": N_("verdict.level.cost.high"),
    "average": N_("verdict.level.cost.average"),
    "low": N_("verdict.level.cost.low"),
}
#: V6: the cost level after need correction when there is no production index
_COST_ONLY: dict[Level, str] = {
    "high": N_("verdict.v6.high"),
    "average": N_("verdict.v6.average"),
    "low": N_("verdict.v6.low"),
}


def _cost_index(figures: SectorFigures) -> tuple[float | None, str]:
    if figures.indices.cost is not None:
        return figures.indices.cost, "cost_index"
    if figures.resource_use is not None:
        return 100.0 * figures.resource_use, "resource_use_index"
    return None, ""


def _verdict(
    figures: SectorFigures, rules: VerdictRules
) -> tuple[Statement, Level | None, Level | None, Level | None]:
    idx = figures.indices
    p, e = level(idx.production, rules), level(idx.efficiency, rules)
    cost, cost_key = _cost_index(figures)
    c = level(cost, rules)
    numbers: dict[str, float] = {}
    if idx.production is not None:
        numbers["production_index"] = idx.production
    if cost is not None:
        numbers[cost_key] = cost
    if idx.efficiency is not None:
        numbers["efficiency_index"] = idx.efficiency
    name = sector_words(figures.sector)
    indexed = [k.index for k in figures.key_figures if k.index is not None and k.value is not None]
    if p is None and c is None and indexed:
        limit = rules.observation_level_pct
        above = sum(1 for i in indexed if i >= 100.0 + limit)
        below = sum(1 for i in indexed if i <= 100.0 - limit)
        numbers = {"key_figures": len(indexed), "above": above, "below": below}
        detail = say_plural(
            "verdict.v7.detail",
            len(indexed),
            _n(len(indexed), 0),
            above=_n(above, 0),
            below=_n(below, 0),
            limit=_percent(_n(limit, 0)),
        )
        said = say("verdict.v7", sector=name)
        return _statement("V7", said, numbers, detail=detail), None, None, None
    if p is None and c is None:
        return _statement("V0", say("verdict.v0", sector=name)), None, None, None
    note = _index_note(idx.production, cost, idx.efficiency)
    if p is None:
        assert c is not None
        said = say(_COST_ONLY[c])
        rule = "V6"
    elif p == "high" and c == "low":
        rule = "V1"
        said = say("verdict.v1", sector=name)
    elif p == "low" and c == "high":
        rule = "V2"
        said = say("verdict.v2")
    elif e in ("low", "high"):
        rule = "V3" if e == "low" else "V4"
        key = N_("verdict.v3") if e == "low" else N_("verdict.v4")
        said = say(key, levels=_qualifier(p, c))
    else:
        rule = "V5"
        if p == "average" and c == "average":
            said = say("verdict.v5.average")
        elif p == "average" and c is None:
            said = say("verdict.v5.production_average")
        else:
            said = _qualifier(p, c).capital()
        if e == "average":
            said = say("verdict.v5.efficiency_average", verdict=said)
    change = _change(figures, rules, said)
    if change is not None:
        said = change[0]
        numbers.update(change[1])
    return _statement(rule, said, numbers, detail=note), p, c, e


def _qualifier(p: Level, c: Level | None) -> Said:
    """The production and cost levels in words ("høy produksjon og lave kostnader")."""
    production = say(_PRODUCTION_LEVEL[p])
    if c is None:
        return production
    return say("verdict.levels.both", production=production, cost=say(_COST_LEVEL[c]))


def _index_note(production: float | None, cost: float | None, efficiency: float | None) -> Said:
    """The indices behind the verdict: "(produksjon 112, kostnad 90, effektivitet 124; snitt =
    100)"."""
    parts = [
        say(key, value=_n(value, 0))
        for value, key in (
            (production, N_("verdict.note.production")),
            (cost, N_("verdict.note.cost")),
            (efficiency, N_("verdict.note.efficiency")),
        )
        if value is not None
    ]
    figures = Said.each(lambda lang: ", ".join(part[lang] for part in parts))
    return say("verdict.note", figures=figures)


def _change(
    figures: SectorFigures, rules: VerdictRules, verdict: Said
) -> tuple[Said, dict[str, float]] | None:
    """Rule VC: the efficiency (else cost) index moved at least ``change_points``; the verdict
    with the change appended."""
    if figures.previous is None or figures.series_break:
        return None
    for key, now, before, rose, fell in (
        (
            "efficiency",
            figures.indices.efficiency,
            figures.previous.efficiency,
            N_("verdict.change.efficiency_up"),
            N_("verdict.change.efficiency_down"),
        ),
        (
            "cost",
            figures.indices.cost,
            figures.previous.cost,
            N_("verdict.change.cost_up"),
            N_("verdict.change.cost_down"),
        ),
    ):
        if now is None or before is None:
            continue
        if abs(now - before) < rules.change_points:
            return None
        said = say(
            rose if now > before else fell,
            verdict=verdict,
            before=_n(before, 0),
            now=_n(now, 0),
        )
        return said, {f"previous_{key}_index": before}
    return None


# --- observations ------------------------------------------------------------------------------


def _with_unit(number: Said, kf: KeyFigure) -> Said:
    return Said.each(lambda lang: amount(number[lang], kf.unit, lang))


def _names(kf: KeyFigure, *, lower: bool = False) -> Said:
    """A key figure's name: SSB's bokmål name in both Norwegian texts, English in English."""
    if lower:
        return Said(_lower_first(kf.name_nb), _lower_first(kf.name_nb), _lower_first(kf.name_en))
    return Said(kf.name_nb, kf.name_nb, kf.name_en)


def _quantifier(name_nb: str, high: bool) -> Said:
    """ "Høy"/"Lav" agreeing with the head noun of the key figure's (bokmål) name, in each
    language ("Høge utgifter" in nynorsk, "High" in English)."""
    return Said.each(lambda lang: quantifier(name_nb, high, lang))


def _observations(figures: SectorFigures, rules: VerdictRules) -> list[Statement]:
    best: dict[str, Statement] = {}

    def offer(key: str, statement: Statement) -> None:
        if key not in best or statement.size > best[key].size:
            best[key] = statement

    near: list[Statement] = []
    for kf in figures.key_figures:
        if kf.value is None:
            continue
        weight = rules.relevance if kf.relevant else 1.0
        value = _with_unit(_n(kf.value), kf)
        if kf.index is not None and kf.peer_average is not None:
            deviation = kf.index - 100.0
            average = _with_unit(_n(kf.peer_average), kf)
            numbers = {"value": kf.value, "peer_average": kf.peer_average, "index": kf.index}
            detail = say("verdict.observation.detail", value=value, average=average)
            if abs(deviation) >= rules.observation_level_pct:
                said = say(
                    "verdict.o1",
                    quantifier=_quantifier(kf.name_nb, deviation > 0),
                    name=_names(kf, lower=True),
                    detail=detail,
                )
                offer(
                    kf.indicator_id,
                    _statement("O1", said, numbers, kf.indicator_id, abs(deviation) * weight),
                )
            else:
                said = say("verdict.o4", name=_names(kf), detail=detail)
                near.append(
                    _statement("O4", said, numbers, kf.indicator_id, abs(deviation) * weight)
                )
        before = kf.previous_value
        if before is not None and before != 0 and not kf.series_break:
            change = 100.0 * (kf.value - before) / abs(before)
            if abs(change) >= rules.observation_change_pct:
                said = say(
                    N_("verdict.o2.up") if change > 0 else N_("verdict.o2.down"),
                    name=_names(kf, lower=True),
                    before=_with_unit(_n(before), kf),
                    now=value,
                )
                numbers = {"value": kf.value, "previous_value": before, "change_pct": change}
                offer(
                    kf.indicator_id,
                    _statement("O2", said, numbers, kf.indicator_id, abs(change) * weight),
                )
    pct, kr = figures.need_difference_pct, figures.need_difference_kr
    if pct is not None and kr is not None and abs(pct) >= rules.cost_pct:
        said = say(
            N_("verdict.o3.more") if pct > 0 else N_("verdict.o3.less"),
            amount=_kroner(_n(abs(kr), 0)),
        )
        numbers = {"difference_pct": pct, "difference_kr": kr}
        best["_need"] = _statement("O3", said, numbers, None, abs(pct) * rules.relevance)
    chosen = sorted(best.values(), key=lambda s: -s.size)[: rules.max_observations]
    if len(chosen) < rules.min_observations:
        taken = {s.indicator_id for s in chosen}
        fill = sorted((s for s in near if s.indicator_id not in taken), key=lambda s: -s.size)
        chosen += fill[: rules.min_observations - len(chosen)]
    return chosen


# --- the barometer reason ----------------------------------------------------------------------


def _barometer(figures: SectorFigures, rules: VerdictRules) -> Statement:
    name = sector_words(figures.sector)
    place = figures.barometer
    if place is None:
        return _statement("R0", say("verdict.r0", sector=name))
    if not place.available:
        return _statement("R3", say("verdict.r3"))
    if place.rank is None or place.n_ranked is None:
        covered: dict[str, float] = {}
        detail = None
        if place.coverage is not None:
            covered["coverage"] = place.coverage
            share = _percent(_n(100.0 * place.coverage, 0))
            detail = say("verdict.r4.detail", coverage=share)
        return _statement("R4", say("verdict.r4", sector=name), covered, detail=detail)
    rank, n_ranked = _n(place.rank, 0), _n(place.n_ranked, 0)
    numbers: dict[str, float] = {"rank": place.rank, "n_ranked": place.n_ranked}
    graded = [d for d in place.drivers if d.effect is not None and d.grade is not None]
    if not graded:
        return _statement("R2", say("verdict.r2", rank=rank, n=n_ranked), numbers)
    middle = (place.n_ranked + 1) / 2
    if place.rank < middle:
        wanted = [d for d in graded if (d.effect or 0) > 0]
    elif place.rank > middle:
        wanted = [d for d in graded if (d.effect or 0) < 0]
    else:
        wanted = graded
    wanted = wanted or graded
    top = sorted(wanted, key=lambda d: -abs(d.effect or 0.0))[: rules.reasons]
    reasons: list[Said] = []
    for n, d in enumerate(top):
        assert d.grade is not None
        assert d.effect is not None
        numbers[f"grade_{n}"] = d.grade
        numbers[f"effect_{n}"] = d.effect
        grade = _n(d.grade, 1)
        name_of = Said(_lower_first(d.name_nb), _lower_first(d.name_nb), _lower_first(d.name_en))
        if d.direction == "neutral":  # neutral indicators are named as they are
            reasons.append(say("verdict.r1.reason", name=name_of, grade=grade))
            continue
        # the value is high when the grade and the direction agree (a good grade on a
        # lower-is-better indicator means a low value)
        high = (d.direction == "higher_better") == (d.grade >= 3.5)
        quantified = _quantifier(d.name_nb, high)
        quantified = Said(quantified.nb.lower(), quantified.nn.lower(), quantified.en.lower())
        reasons.append(
            say("verdict.r1.reason_quantified", quantifier=quantified, name=name_of, grade=grade)
        )
    listed = Said.each(lambda lang: listing([r[lang] for r in reasons], lang))
    said = say(
        N_("verdict.r1.high") if place.rank < middle else N_("verdict.r1.low"),
        rank=rank,
        n=n_ranked,
        reasons=listed,
    )
    return _statement("R1", said, numbers, top[0].indicator_id)


def sector_verdict(figures: SectorFigures, rules: VerdictRules | None = None) -> SectorVerdict:
    """The verdict, observations and barometer reason of one sector (rules in the docstring)."""
    rules = rules or VerdictRules()
    verdict, p, c, e = _verdict(figures, rules)
    return SectorVerdict(
        sector=figures.sector,
        verdict=verdict,
        observations=tuple(_observations(figures, rules)),
        barometer=_barometer(figures, rules),
        production_level=p,
        cost_level=c,
        efficiency_level=e,
    )


def sector_verdicts(
    figures: Sequence[SectorFigures], rules: VerdictRules | None = None
) -> list[SectorVerdict]:
    """:func:`sector_verdict` for each sector, in the order given."""
    return [sector_verdict(f, rules) for f in figures]
