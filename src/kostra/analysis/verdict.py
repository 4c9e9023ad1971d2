"""A verdict per sector, as an analyst writes it: one sentence, 3–5 observations, and the reason
behind the Kommunebarometer rank.

Pure: typed figures in (:class:`SectorFigures`), statements out (:class:`SectorVerdict`). Each
:class:`Statement` carries the rule id that wrote it, the numbers it read and its words in
bokmål and English, so a slide, a report line and a web page can all trace a sentence back to the
figures. Thresholds are :class:`VerdictRules` defaults [D]; every sentence states the numbers it
rests on and no rule says more than the comparison with its threshold.

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
from kostra.analysis._barometer.text import quantifier, quantifier_nb
from kostra.analysis.findings import fmt
from kostra.i18n import sector_name as i18n_sector_name

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
    """One sentence: the rule that wrote it, the numbers it read, its words in nb and en."""

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

    ``index`` is the profile index (peer average = 100); ``unit_nb``/``unit_en`` are printed
    after numbers (" %", " kr" …); ``relevant``: used by the production index or the barometer.
    """

    indicator_id: str
    name_nb: str
    name_en: str
    value: float | None
    peer_average: float | None = None
    index: float | None = None
    previous_value: float | None = None
    series_break: bool = False
    unit_nb: str = ""
    unit_en: str = ""
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


def _n(value: float, decimals: int | None = None) -> tuple[str, str]:
    return fmt(value, "nb", decimals), fmt(value, "en", decimals)


# --- the verdict sentence ----------------------------------------------------------------------

_LEVEL_WORDS: dict[str, dict[Level, tuple[str, str, str]]] = {
    "production": {
        "high": ("høy produksjon", "high production", "høg produksjon"),
        "average": (
            "produksjon på nivå med snittet",
            "average production",
            "produksjon på nivå med snittet",
        ),
        "low": ("lav produksjon", "low production", "låg produksjon"),
    },
    "cost": {
        "high": ("høye kostnader", "high costs", "høge kostnader"),
        "average": (
            "kostnader på nivå med snittet",
            "average costs",
            "kostnader på nivå med snittet",
        ),
        "low": ("lave kostnader", "low costs", "låge kostnader"),
    },
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
    name_nb, name_en = sector_name(figures.sector, "nb"), sector_name(figures.sector, "en")
    name_nn = sector_name(figures.sector, "nn")
    indexed = [k.index for k in figures.key_figures if k.index is not None and k.value is not None]
    if p is None and c is None and indexed:
        limit = rules.observation_level_pct
        above = sum(1 for i in indexed if i >= 100.0 + limit)
        below = sum(1 for i in indexed if i <= 100.0 - limit)
        numbers = {"key_figures": len(indexed), "above": above, "below": below}
        t_nb, t_en = _n(limit, 0)
        return (
            Statement(
                "V7",
                f"Ingen produksjons- eller kostnadsindeks for {name_nb}",
                f"No production or cost index for {name_en}",
                numbers,
                detail_nb=f"({above} av {len(indexed)} nøkkeltall over snittet, {below} under; "
                f"grense ±{t_nb}\u00a0%)",
                detail_en=f"({above} of {len(indexed)} key figures above the average, {below} "
                f"below; limit ±{t_en} %)",
                text_nn=f"Ingen produksjons- eller kostnadsindeks for {name_nn}",
                detail_nn=f"({above} av {len(indexed)} nøkkeltal over snittet, {below} under; "
                f"grense ±{t_nb}\u00a0%)",
            ),
            None,
            None,
            None,
        )
    if p is None and c is None:
        return (
            Statement(
                "V0",
                f"For lite data til en samlet vurdering av {name_nb}",
                f"Too little data for an overall verdict on {name_en}",
                text_nn=f"For lite data til ei samla vurdering av {name_nn}",
            ),
            None,
            None,
            None,
        )
    figures_nb, figures_en = _index_note(idx.production, cost, idx.efficiency)
    if p is None:
        assert c is not None
        assert cost is not None
        words = {
            "high": ("Høye", "High", "Høge"),
            "average": ("Gjennomsnittlige", "Average", "Gjennomsnittlege"),
            "low": ("Lave", "Low", "Låge"),
        }[c]
        nb = f"{words[0]} kostnader etter behovskorrigering"
        en = f"{words[1]} costs after need correction"
        nn = f"{words[2]} kostnader etter behovskorrigering"
        rule = "V6"
    elif p == "high" and c == "low":
        rule = "V1"
        nb = f"En effektiv {name_nb} med høy produksjon og lave kostnader"
        en = f"An efficient {name_en} service with high production and low costs"
        # a noun phrase: the adjective would have to agree with the sector's gender
        nn = f"Høg effektivitet i {name_nn}: høg produksjon og låge kostnader"
    elif p == "low" and c == "high":
        rule = "V2"
        nb = "Lav produksjon og høye kostnader: lav score på effektivitetsindeksen"
        en = "Low production and high costs: a low score on the efficiency index"
        nn = "Låg produksjon og høge kostnader: låg skår på effektivitetsindeksen"
    elif e in ("low", "high"):
        rule = "V3" if e == "low" else "V4"
        nb = f"{'Lav' if e == 'low' else 'Høy'} score på effektivitetsindeksen"
        en = f"A {e} score on the efficiency index"
        nn = f"{'Låg' if e == 'low' else 'Høg'} skår på effektivitetsindeksen"
        qualifier = _qualifier(p, c)
        if qualifier[0]:
            nb += f": {qualifier[0]}"
            en += f": {qualifier[1]}"
            nn += f": {qualifier[2]}"
    else:
        rule = "V5"
        qualifier = _qualifier(p, c)
        if p == "average" and c in ("average", None):
            nb = nn = "Produksjon på nivå med snittet"
            en = "Production at the average"
            if c == "average":
                nb, en = (
                    "Produksjon og kostnader på nivå med snittet",
                    "Average production and costs",
                )
                nn = nb
        else:
            nb = qualifier[0][:1].upper() + qualifier[0][1:]
            en = qualifier[1][:1].upper() + qualifier[1][1:]
            nn = qualifier[2][:1].upper() + qualifier[2][1:]
        if e == "average":
            nb += "; effektiviteten er på nivå med snittet"
            en += "; efficiency at the average"
            nn += "; effektiviteten er på nivå med snittet"
    change = _change(figures, rules)
    if change is not None:
        nb += change[0]
        en += change[1]
        nn += change[3]
        numbers.update(change[2])
    return (
        Statement(rule, nb, en, numbers, detail_nb=figures_nb, detail_en=figures_en, text_nn=nn),
        p,
        c,
        e,
    )


def _qualifier(p: Level | None, c: Level | None) -> tuple[str, str, str]:
    parts = [(_LEVEL_WORDS["production"][p]) if p else None, _LEVEL_WORDS["cost"][c] if c else None]
    present = [x for x in parts if x is not None]
    if not present:
        return ("", "", "")
    return (
        " og ".join(x[0] for x in present),
        " and ".join(x[1] for x in present),
        " og ".join(x[2] for x in present),
    )


def _index_note(
    production: float | None, cost: float | None, efficiency: float | None
) -> tuple[str, str]:
    parts_nb, parts_en = [], []
    for value, nb, en in (
        (production, "produksjon", "production"),
        (cost, "kostnad", "cost"),
        (efficiency, "effektivitet", "efficiency"),
    ):
        if value is not None:
            v_nb, v_en = _n(value, 0)
            parts_nb.append(f"{nb} {v_nb}")
            parts_en.append(f"{en} {v_en}")
    return f"({', '.join(parts_nb)}; snitt = 100)", f"({', '.join(parts_en)}; average = 100)"


def _change(
    figures: SectorFigures, rules: VerdictRules
) -> tuple[str, str, dict[str, float], str] | None:
    """Rule VC: the efficiency (else cost) index moved at least ``change_points``."""
    if figures.previous is None or figures.series_break:
        return None
    for key, now, before, nb_word, en_word in (
        (
            "efficiency",
            figures.indices.efficiency,
            figures.previous.efficiency,
            "effektiviteten",
            "efficiency",
        ),
        ("cost", figures.indices.cost, figures.previous.cost, "kostnadsindeksen", "the cost index"),
    ):
        if now is None or before is None:
            continue
        if abs(now - before) < rules.change_points:
            return None
        up = now > before
        b_nb, b_en = _n(before, 0)
        a_nb, a_en = _n(now, 0)
        return (
            f"; {nb_word} {'økte' if up else 'falt'} fra {b_nb} til {a_nb}",
            f"; {en_word} {'rose' if up else 'fell'} from {b_en} to {a_en}",
            {f"previous_{key}_index": before},
            f"; {nb_word} {'auka' if up else 'fall'} frå {b_nb} til {a_nb}",
        )
    return None


# --- observations ------------------------------------------------------------------------------


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
        name_nb, name_en = _lower_first(kf.name_nb), _lower_first(kf.name_en)
        v_nb, v_en = _n(kf.value)
        if kf.index is not None and kf.peer_average is not None:
            deviation = kf.index - 100.0
            a_nb, a_en = _n(kf.peer_average)
            numbers = {"value": kf.value, "peer_average": kf.peer_average, "index": kf.index}
            detail_nb = f"({v_nb}{kf.unit_nb} mot snitt {a_nb}{kf.unit_nb})"
            detail_en = f"({v_en}{kf.unit_en} against average {a_en}{kf.unit_en})"
            if abs(deviation) >= rules.observation_level_pct:
                high = deviation > 0
                offer(
                    kf.indicator_id,
                    Statement(
                        "O1",
                        f"{quantifier_nb(kf.name_nb, high)} {name_nb} {detail_nb}",
                        f"{'High' if high else 'Low'} {name_en} {detail_en}",
                        numbers,
                        kf.indicator_id,
                        abs(deviation) * weight,
                        text_nn=f"{quantifier(kf.name_nb, high, 'nn')} {name_nb} {detail_nb}",
                    ),
                )
            else:
                near.append(
                    Statement(
                        "O4",
                        f"{kf.name_nb} på nivå med snittet {detail_nb}",
                        f"{kf.name_en} close to the average {detail_en}",
                        numbers,
                        kf.indicator_id,
                        abs(deviation) * weight,
                    )
                )
        before = kf.previous_value
        if before is not None and before != 0 and not kf.series_break:
            change = 100.0 * (kf.value - before) / abs(before)
            if abs(change) >= rules.observation_change_pct:
                up = change > 0
                b_nb, b_en = _n(before)
                offer(
                    kf.indicator_id,
                    Statement(
                        "O2",
                        f"{'Økning' if up else 'Nedgang'} i {name_nb} "
                        f"(fra {b_nb}{kf.unit_nb} til {v_nb}{kf.unit_nb})",
                        f"{'An increase' if up else 'A decrease'} in {name_en} "
                        f"(from {b_en}{kf.unit_en} to {v_en}{kf.unit_en})",
                        {"value": kf.value, "previous_value": before, "change_pct": change},
                        kf.indicator_id,
                        abs(change) * weight,
                        text_nn=f"{'Auke' if up else 'Nedgang'} i {name_nb} "
                        f"(frå {b_nb}{kf.unit_nb} til {v_nb}{kf.unit_nb})",
                    ),
                )
    pct, kr = figures.need_difference_pct, figures.need_difference_kr
    if pct is not None and kr is not None and abs(pct) >= rules.cost_pct:
        more = pct > 0
        d_nb, d_en = _n(abs(kr), 0)
        best["_need"] = Statement(
            "O3",
            f"{'Høye' if more else 'Lave'} utgifter etter behovskorrigering "
            f"({d_nb}\u00a0kr per innbygger {'over' if more else 'under'} snittet)",
            f"{'High' if more else 'Low'} spending after need correction "
            f"(NOK {d_en} per inhabitant {'above' if more else 'below'} the average)",
            {"difference_pct": pct, "difference_kr": kr},
            None,
            abs(pct) * rules.relevance,
            text_nn=f"{'Høge' if more else 'Låge'} utgifter etter behovskorrigering "
            f"({d_nb}\u00a0kr per innbyggjar {'over' if more else 'under'} snittet)",
        )
    chosen = sorted(best.values(), key=lambda s: -s.size)[: rules.max_observations]
    if len(chosen) < rules.min_observations:
        taken = {s.indicator_id for s in chosen}
        fill = sorted((s for s in near if s.indicator_id not in taken), key=lambda s: -s.size)
        chosen += fill[: rules.min_observations - len(chosen)]
    return chosen


# --- the barometer reason ----------------------------------------------------------------------


def _barometer(figures: SectorFigures, rules: VerdictRules) -> Statement:
    name_nb, name_en = sector_name(figures.sector, "nb"), sector_name(figures.sector, "en")
    name_nn = sector_name(figures.sector, "nn")
    place = figures.barometer
    if place is None:
        return Statement(
            "R0",
            f"Kommunebarometeret rangerer ikke {name_nb}",
            f"The Kommunebarometer does not rank {name_en}",
            text_nn=f"Kommunebarometeret rangerer ikkje {name_nn}",
        )
    if not place.available:
        return Statement(
            "R3",
            "Kommunebarometeret er ikke beregnet for året",
            "The Kommunebarometer is not computed for the year",
            text_nn="Kommunebarometeret er ikkje berekna for året",
        )
    if place.rank is None or place.n_ranked is None:
        detail_nb = detail_en = detail_nn = ""
        covered: dict[str, float] = {}
        if place.coverage is not None:
            covered["coverage"] = place.coverage
            c_nb, c_en = _n(100.0 * place.coverage, 0)
            detail_nb = f"(nøkkeltall med data: {c_nb}\u00a0% av vekten)"
            detail_en = f"(key figures with data: {c_en} % of the weight)"
            detail_nn = f"(nøkkeltal med data: {c_nb}\u00a0% av vekta)"
        return Statement(
            "R4",
            f"Ikke rangert i Kommunebarometeret ({name_nb}) i år: for få nøkkeltall med data",
            f"Not ranked in the Kommunebarometer ({name_en}) this year: too few key figures "
            "with data",
            covered,
            detail_nb=detail_nb,
            detail_en=detail_en,
            text_nn=f"Ikkje rangert i Kommunebarometeret ({name_nn}) i år: for få nøkkeltal "
            "med data",
            detail_nn=detail_nn,
        )
    r_nb, r_en = _n(place.rank, 0)
    n_nb, n_en = _n(place.n_ranked, 0)
    numbers: dict[str, float] = {"rank": place.rank, "n_ranked": place.n_ranked}
    head_nb, head_en = f"Nr. {r_nb} av {n_nb}", f"Rank {r_en} of {n_en}"
    graded = [d for d in place.drivers if d.effect is not None and d.grade is not None]
    if not graded:
        return Statement(
            "R2",
            f"{head_nb} (ingen karakterer å forklare plasseringen med)",
            f"{head_en} (no grades to explain the rank with)",
            numbers,
            text_nn=f"{head_nb} (ingen karakterar å forklare plasseringa med)",
        )
    middle = (place.n_ranked + 1) / 2
    if place.rank < middle:
        wanted = [d for d in graded if (d.effect or 0) > 0]
    elif place.rank > middle:
        wanted = [d for d in graded if (d.effect or 0) < 0]
    else:
        wanted = graded
    wanted = wanted or graded
    top = sorted(wanted, key=lambda d: -abs(d.effect or 0.0))[: rules.reasons]
    upper = place.rank < middle
    parts_nb, parts_en, parts_nn = [], [], []
    for n, d in enumerate(top):
        assert d.grade is not None
        assert d.effect is not None
        numbers[f"grade_{n}"] = d.grade
        numbers[f"effect_{n}"] = d.effect
        g_nb, g_en = _n(d.grade, 1)
        # the value is high when the grade and the direction agree (a good grade on a
        # lower-is-better indicator means a low value); neutral indicators are named as they are
        high = (d.direction == "higher_better") == (d.grade >= 3.5)
        adjective_nb = "" if d.direction == "neutral" else quantifier_nb(d.name_nb, high).lower()
        adjective_en = "" if d.direction == "neutral" else ("high " if high else "low ")
        name_nb = f"{adjective_nb} {_lower_first(d.name_nb)}".strip()
        parts_nb.append(f"{name_nb} (karakter {g_nb} av 6)")
        parts_en.append(f"{adjective_en}{_lower_first(d.name_en)} (grade {g_en} of 6)")
        adjective_nn = "" if d.direction == "neutral" else quantifier(d.name_nb, high, "nn")
        name_nn = f"{adjective_nn.lower()} {_lower_first(d.name_nb)}".strip()
        parts_nn.append(f"{name_nn} (karakter {g_nb} av 6)")
    lead_nb = "Høy plassering" if upper else "Lav plassering"
    lead_en = "A high rank" if upper else "A low rank"
    lead_nn = "Høg plassering" if upper else "Låg plassering"
    return Statement(
        "R1",
        f"{head_nb}. {lead_nb} pga. {' og '.join(parts_nb)}",
        f"{head_en}. {lead_en} because of {' and '.join(parts_en)}",
        numbers,
        top[0].indicator_id,
        text_nn=f"{head_nb}. {lead_nn} på grunn av {' og '.join(parts_nn)}",
    )


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
