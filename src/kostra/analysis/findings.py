"""Findings in words: documented rules that turn analysis results into neutral sentences.

Every finding is a structured object (:class:`Finding`): the rule that produced it, the indicator
or sector it is about, the numbers it used, the sentence in bokmål and English, and the anchor id of
the figure or table in the report the numbers come from. A sentence shows only numbers that are in
``Finding.numbers`` (``Finding.shown`` pairs each number in the text with its key), so a test can
trace every sentence back to the analysis results. No rule writes a sentence without a number.

Rules (parameters in :class:`FindingRules`; every threshold is a documented default [D]):

==  ==============================================  ==============================================
id  fires when                                      sentence (the size is always stated)
==  ==============================================  ==============================================
P1  profile index ≥ 100 + t or ≤ 100 − t            "<key figure> er N % over/under <peer>-snittet
    (t = ``profile_threshold_pct`` = 10); only the  (value mot average)"; shares in per cent:
                                                    "N prosentpoeng over/under"; catalog caveat
                                                    attached; an index beyond the small-number
                                                    caps (over 300, under 33) is flagged in a
                                                    second sentence
    ``profile_max_per_sector`` (5) largest per
    sector (the profile table shows every index)
P2  highest or lowest value among ≥ 3 peers         "<key figure>: <kommune> har den høyeste/laveste
    with data (``extreme_min_peers``)               verdien blant de N kommunene i <peer> (value)"
T1  the report year, and the pandemic years among  "<key figure> i <år> var X % høyere/lavere enn
    the last ``trend_years`` (5) when
    ``trend_pandemic`` is set, lies
    > k robust SDs (k = ``trend_k`` = 3) and        utviklingen de 4 foregående årene tilsier
    ≥ ``trend_min_change`` (10 %) off the least-    (value mot forventet pred)"; robust SD =
    squares line through the ``trend_window`` (4)   1.4826 × median |residual|, floored at
    prior years; never across a series break        ``trend_floor`` (3 %) × mean of the prior
                                                    years; shares: "N prosentpoeng høyere/
                                                    lavere"; a change beyond ±``change_cap``
                                                    (100 %) is flagged in a second sentence
C1  a sector's need-corrected spending per          "Etter behovskorrigering brukte <kommune> X
    inhabitant differs from the peers' by ≥         mill. kr mer/mindre enn <peer>-snittet på
    ``need_threshold_pct`` (2 %) of the need-       <sektor> (d kr per innbygger)"
    expected spending
C2  excess spending exists for ≥ 1 sector           the total over sectors, in mill. kr
E1  sector production index ≥ ``index_threshold``   "Produksjonsindeksen for <sektor> er P – N poeng
    (3) points from 100                             over/under <referansen> (= 100)" (a dash:
                                                    "P, N" reads as a decimal); "på <referansen>"
                                                    when P rounds to 100
E2  sector efficiency index, same threshold         as E1, "Effektivitetsindeksen"
E3  total production / efficiency index exists      as E1, "samlet", named "egen beregning etter
                                                    ASSS/KS-metoden"
B1  a barometer total rank exists                   "Etter Kommunebarometer-metoden (egen
                                                    beregning, K av ca. 150 indikatorer) er
                                                    <kommune> nr. R av N justert for frie
                                                    inntekter (ujustert nr. U, usikkerhets-
                                                    intervall a–b), og nr. p av n i <peer>"
B2  ≥ 2 barometer sectors are ranked                best and weakest placed sector, rank, interval
B3  a ranked sector has graded indicators           the ``drivers_per_sector`` (2) indicators with
                                                    largest |effect| = weight × (grade − 3.5),
                                                    direction and grade
M1  key figures are missing for the municipality    "N nøkkeltall mangler for <kommune> i <år>"
==  ==============================================  ==============================================

The rule engine is pure: frames and the catalog in, findings out (inputs are described on
:func:`generate_findings`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from kostra.analysis._barometer.naming import PUBLISHED_INDICATORS
from kostra.analysis.method import SMALL_NUMBERS, SmallNumbers
from kostra.catalog.models import Catalog, Indicator
from kostra.i18n import number, sector_name

#: The rules, in the order of the method section; each has one line of text there, the
#: message ``rule.<id>`` of :mod:`kostra.i18n`.
RULE_IDS = ("P1", "P2", "T1", "C1", "C2", "E1", "E2", "E3", "B1", "B2", "B3", "M1")

_PERCENT_UNITS = frozenset({"%", "prosent", "percent", "andel", "pct"})
#: The catalog's units (bokmål) in English; a unit not listed is printed as the catalog has it.
UNITS_EN: dict[str, str] = {
    "timer": "hours",
    "poeng": "points",
    "elever": "pupils",
    "årsverk": "FTEs",
    "stillinger": "positions",
    "utlån": "loans",
    "besøk": "visits",
    "barn": "children",
    "antall": "",
    "dekar": "decares",
}


@dataclass(frozen=True)
class FindingRules:
    """Thresholds and parameters of the rules (all [D] defaults, named in the report's method)."""

    profile_threshold_pct: float = 10.0
    profile_max_per_sector: int = 5
    extreme_min_peers: int = 3
    trend_window: int = 4
    trend_years: int = 5
    trend_k: float = 3.0
    trend_floor: float = 0.03
    trend_min_change: float = 0.10
    trend_pandemic: bool = True
    pandemic_years: tuple[int, ...] = (2020, 2021)
    need_threshold_pct: float = 2.0
    index_threshold: float = 3.0
    drivers_per_sector: int = 2
    #: the small-number rule whose caps flag an index or a change (as the profile does)
    small_numbers: SmallNumbers = SMALL_NUMBERS


@dataclass(frozen=True)
class FindingContext:
    """Names a sentence needs: the municipality, the year, the peer group."""

    municipality: str
    year: int
    peer_name: str
    n_municipalities: int | None = None


@dataclass(frozen=True)
class Finding:
    """One sentence and the numbers behind it.

    ``numbers`` are the analysis results the rule read (full precision); ``shown`` lists, for
    each number printed in the sentences, the key in ``numbers`` and the text as printed in
    bokmål and English. ``size`` orders findings for the summary (larger first).
    """

    rule_id: str
    anchor: str
    text_nb: str
    text_en: str
    numbers: Mapping[str, float]
    shown: tuple[tuple[str, str, str], ...]
    indicator_id: str | None = None
    sector: str | None = None
    size: float = 0.0
    caveat_nb: str | None = None
    caveat_en: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the sentence in nynorsk (its numbers print as in bokmål)
    text_nn: str | None = None

    def text(self, lang: str) -> str:
        """The sentence in ``lang`` ("nb", "nn" or "en")."""
        if lang == "en":
            return self.text_en
        if lang == "nn" and self.text_nn is not None:
            return self.text_nn
        return self.text_nb

    def caveat(self, lang: str) -> str | None:
        """The catalog caveat of the finding's indicator in ``lang``, if any."""
        return self.caveat_en if lang == "en" else self.caveat_nb


def fmt(value: float, lang: str, decimals: int | None = None) -> str:
    """A number as every surface prints it (:func:`kostra.i18n.number`)."""
    return number(float(value), lang, decimals)


class _Sentence:
    """Collects numbers as they are printed, so the finding can list them in ``shown``."""

    def __init__(self) -> None:
        self.numbers: dict[str, float] = {}
        self.shown: list[tuple[str, str, str]] = []

    def use(self, key: str, value: float) -> None:
        self.numbers[key] = float(value)

    def num(self, key: str, value: float, decimals: int | None = None) -> tuple[str, str]:
        """Record ``value`` under ``key`` and return it printed in (nb, en)."""
        self.numbers[key] = float(value)
        nb, en = fmt(value, "nb", decimals), fmt(value, "en", decimals)
        self.shown.append((key, nb, en))
        return nb, en

    def finding(
        self, rule_id: str, anchor: str, nb: str, en: str, nn: str, **kwargs: Any
    ) -> Finding:
        return Finding(
            rule_id=rule_id,
            anchor=anchor,
            text_nb=nb,
            text_en=en,
            text_nn=nn,
            numbers=dict(self.numbers),
            shown=tuple(self.shown),
            **kwargs,
        )


def unit_suffix(indicator: Indicator, lang: str) -> str:
    """The unit as printed after a number: " %" for shares, " kr", or the catalog's unit."""
    unit = indicator.unit.strip()
    if unit.lower() in _PERCENT_UNITS:
        return " %" if lang == "en" else "\u00a0%"
    if unit.lower() in {"kr", "nok"}:
        return " NOK" if lang == "en" else "\u00a0kr"
    if lang == "en":
        unit = UNITS_EN.get(unit, unit)
    elif unit == "antall":
        unit = ""
    return f" {unit}" if unit else ""


def is_percentage(indicator: Indicator) -> bool:
    """Whether the key figure is a share in per cent (compared in percentage points)."""
    return indicator.unit.strip().lower() in _PERCENT_UNITS


def _sector_name(sector: str, lang: str) -> str:
    return sector_name(sector, lang)


def _ok(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _indicator(catalog: Catalog, indicator_id: str) -> Indicator | None:
    try:
        return catalog.get(indicator_id)
    except KeyError:
        return None


def _cap_flag(
    s: _Sentence, what: str, cap: float, *, change: bool, below: bool = False
) -> tuple[str, str, str]:
    """The flag of an index or a change beyond the small-number caps, as one more sentence in
    (nb, en, nn); its number is recorded like every other."""
    cap_nb, cap_en = s.num(what, cap, 0)
    if below:
        return (
            f" Indeksen er under {cap_nb} og er merket: små tall kan gi store utslag.",
            f" The index is below {cap_en} and is flagged: small numbers can swing widely.",
            f" Indeksen er under {cap_nb} og er merkt: små tal kan gi store utslag.",
        )
    if change:
        return (
            f" Endringen er større enn ±{cap_nb}\u00a0% og er merket: små tall kan gi store "
            "utslag.",
            f" The change exceeds ±{cap_en} % and is flagged: small numbers can swing widely.",
            f" Endringa er større enn ±{cap_nb}\u00a0% og er merkt: små tal kan gi store utslag.",
        )
    return (
        f" Indeksen er over {cap_nb} og er merket: små tall kan gi store utslag.",
        f" The index is above {cap_en} and is flagged: small numbers can swing widely.",
        f" Indeksen er over {cap_nb} og er merkt: små tal kan gi store utslag.",
    )


def _caveats(indicator: Indicator) -> dict[str, str | None]:
    return {"caveat_nb": indicator.caveat_nb, "caveat_en": indicator.caveat_en}


# --- profile rules -----------------------------------------------------------------------------


def profile_findings(
    profile: pl.DataFrame, catalog: Catalog, context: FindingContext, rules: FindingRules
) -> list[Finding]:
    """Rules P1 and P2 on the service profile of the report year."""
    found = _profile_candidates(profile, catalog, context, rules)
    # P1: only the largest deviations of each sector get a sentence
    kept: list[Finding] = []
    per_sector: dict[str | None, int] = {}
    ranked = sorted((f for f in found if f.rule_id == "P1"), key=lambda f: -f.size)
    allowed = set()
    for f in ranked:
        if per_sector.get(f.sector, 0) < rules.profile_max_per_sector:
            per_sector[f.sector] = per_sector.get(f.sector, 0) + 1
            allowed.add(id(f))
    for f in found:
        if f.rule_id != "P1" or id(f) in allowed:
            kept.append(f)
    return kept


def _profile_candidates(
    profile: pl.DataFrame, catalog: Catalog, context: FindingContext, rules: FindingRules
) -> list[Finding]:
    found: list[Finding] = []
    for row in profile.iter_rows(named=True):
        indicator = _indicator(catalog, row["indicator_id"])
        if indicator is None or not _ok(row["value"]):
            continue
        anchor = f"ind-{indicator.id}"
        index = row["index"]
        if (
            _ok(index)
            and _ok(row["peer_average"])
            and (abs(index - 100.0) >= rules.profile_threshold_pct)
        ):
            s = _Sentence()
            s.use("index", index)
            above = index > 100.0
            u_nb, u_en = unit_suffix(indicator, "nb"), unit_suffix(indicator, "en")
            if is_percentage(indicator):
                # shares are compared in percentage points: "6,6 prosentpoeng over", never
                # "64 % over" (16,9 % against 10,3 %)
                points = row["value"] - row["peer_average"]
                diff_nb, diff_en = s.num("difference_pp", abs(points), 1)
                what_nb, what_en = f"{diff_nb} prosentpoeng", f"{diff_en} percentage points"
                what_nn = what_nb
            else:
                diff_nb, diff_en = s.num("difference_pct", abs(index - 100.0), 0)
                what_nb, what_en = f"{diff_nb}\u00a0%", f"{diff_en} %"
                what_nn = what_nb
            val_nb, val_en = s.num("value", row["value"])
            avg_nb, avg_en = s.num("peer_average", row["peer_average"])
            nb = (
                f"{indicator.name_nb} er {what_nb} {'over' if above else 'under'} "
                f"{context.peer_name}-snittet ({val_nb}{u_nb} mot {avg_nb}{u_nb})."
            )
            en = (
                f"{indicator.name_en} is {what_en} {'above' if above else 'below'} the "
                f"{context.peer_name} average ({val_en}{u_en} against {avg_en}{u_en})."
            )
            nn = (
                f"{indicator.name_nb} er {what_nn} {'over' if above else 'under'} "
                f"{context.peer_name}-snittet ({val_nb}{u_nb} mot {avg_nb}{u_nb})."
            )
            caps = rules.small_numbers
            if not is_percentage(indicator) and index > caps.index_cap:
                flag = _cap_flag(s, "index_cap", caps.index_cap, change=False)
                nb, en, nn = nb + flag[0], en + flag[1], nn + flag[2]
            elif not is_percentage(indicator) and index < caps.index_floor:
                flag = _cap_flag(s, "index_floor", caps.index_floor, change=False, below=True)
                nb, en, nn = nb + flag[0], en + flag[1], nn + flag[2]
            found.append(
                s.finding(
                    "P1",
                    anchor,
                    nb,
                    en,
                    nn,
                    indicator_id=indicator.id,
                    sector=indicator.sector.value,
                    size=abs(index - 100.0),
                    **_caveats(indicator),
                )
            )
        n_peers, rank = row["n_peers"], row["peer_rank"]
        if (
            _ok(n_peers)
            and _ok(rank)
            and n_peers >= rules.extreme_min_peers
            and rank
            in (
                1,
                n_peers,
            )
        ):
            s = _Sentence()
            s.use("peer_rank", rank)
            n_nb, n_en = s.num("n_peers", n_peers, 0)
            val_nb, val_en = s.num("value", row["value"])
            u_nb, u_en = unit_suffix(indicator, "nb"), unit_suffix(indicator, "en")
            # peer_rank 1 is the highest value, whatever the direction: the sentence stays neutral
            top = rank == 1
            nb = (
                f"{indicator.name_nb}: {context.municipality} har den "
                f"{'høyeste' if top else 'laveste'} verdien blant de {n_nb} kommunene i "
                f"{context.peer_name} ({val_nb}{u_nb})."
            )
            en = (
                f"{indicator.name_en}: {context.municipality} has the "
                f"{'highest' if top else 'lowest'} value of the {n_en} municipalities in "
                f"{context.peer_name} ({val_en}{u_en})."
            )
            nn = (
                f"{indicator.name_nb}: {context.municipality} har den "
                f"{'høgaste' if top else 'lågaste'} verdien blant dei {n_nb} kommunane i "
                f"{context.peer_name} ({val_nb}{u_nb})."
            )
            found.append(
                s.finding(
                    "P2",
                    anchor,
                    nb,
                    en,
                    nn,
                    indicator_id=indicator.id,
                    sector=indicator.sector.value,
                    size=abs((index or 100.0) - 100.0),
                    **_caveats(indicator),
                )
            )
    return found


# --- trend rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendBreak:
    """A year whose value departs from the line through the prior years."""

    indicator_id: str
    year: int
    value: float
    expected: float
    deviation: float
    relative: float
    robust_sd: float


def _fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = 0.0 if sxx == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def trend_breaks(history: pl.DataFrame, rules: FindingRules, year: int) -> list[TrendBreak]:
    """The report year and, with ``trend_pandemic``, the pandemic years among the last
    ``trend_years``, where they break the municipality's own trend (rule T1).

    ``history``: ``indicator_id, year, value, series_break``. A year is tested when the
    ``trend_window`` years before it all have values and no series break lies between them.
    """
    found: list[TrendBreak] = []
    if history.is_empty():
        return found
    # one pass over the rows (not one frame per key figure): each key figure's points by year,
    # the key figures in the order they first appear
    series: dict[str, dict[int, tuple[Any, bool]]] = {}
    ordered = history.sort("year").select("indicator_id", "year", "value", "series_break")
    for key, row_year, row_value, row_break in ordered.iter_rows():
        series.setdefault(key, {})[int(row_year)] = (row_value, bool(row_break))
    for indicator_id, points in series.items():
        tested = [year]
        if rules.trend_pandemic:
            tested += [y for y in rules.pandemic_years if year - rules.trend_years < y < year]
        for test_year in sorted(tested):
            if test_year not in points or not _ok(points[test_year][0]):
                continue
            prior = [test_year - rules.trend_window + i for i in range(rules.trend_window)]
            if any(y not in points or not _ok(points[y][0]) for y in prior):
                continue
            # a break flagged on any year of the window or the tested year means the levels are
            # not comparable (merger), so no trend is claimed
            if any(points[y][1] for y in [*prior, test_year]):
                continue
            ys = [float(points[y][0]) for y in prior]
            intercept, slope = _fit_line([float(y) for y in prior], ys)
            residuals = sorted(
                abs(y - (intercept + slope * x)) for x, y in zip(prior, ys, strict=True)
            )
            mid = len(residuals) // 2
            median = (
                residuals[mid] if len(residuals) % 2 else (residuals[mid - 1] + residuals[mid]) / 2
            )
            mean_level = abs(sum(ys) / len(ys))
            robust_sd = max(1.4826 * median, rules.trend_floor * mean_level)
            expected = intercept + slope * test_year
            value = float(points[test_year][0])
            deviation = value - expected
            if robust_sd <= 0 or expected == 0:
                continue
            relative = deviation / abs(expected)
            if (
                abs(deviation) > rules.trend_k * robust_sd
                and abs(relative) >= rules.trend_min_change
            ):
                found.append(
                    TrendBreak(
                        str(indicator_id),
                        test_year,
                        value,
                        expected,
                        deviation,
                        relative,
                        robust_sd,
                    )
                )
    return found


def trend_findings(
    history: pl.DataFrame, catalog: Catalog, context: FindingContext, rules: FindingRules
) -> list[Finding]:
    """Rule T1: one finding per trend break."""
    found: list[Finding] = []
    for brk in trend_breaks(history, rules, context.year):
        indicator = _indicator(catalog, brk.indicator_id)
        if indicator is None:
            continue
        s = _Sentence()
        s.use("expected_exact", brk.expected)
        s.use("robust_sd", brk.robust_sd)
        s.use("year", brk.year)
        up = brk.deviation > 0
        if is_percentage(indicator):
            s.use("relative_pct", abs(brk.relative) * 100)  # what trend_min_change tests
            # a share off its trend in percentage points: "6,2 prosentpoeng høyere", never
            # "1 017 % høyere" (a change relative to a small share)
            size_nb, size_en = s.num("difference_pp", abs(brk.deviation), 1)
            what_nb, what_en = f"{size_nb} prosentpoeng", f"{size_en} percentage points"
        else:
            size_nb, size_en = s.num("relative_pct", abs(brk.relative) * 100, 0)
            what_nb, what_en = f"{size_nb}\u00a0%", f"{size_en} %"
        val_nb, val_en = s.num("value", brk.value)
        exp_nb, exp_en = s.num("expected", brk.expected)
        u_nb, u_en = unit_suffix(indicator, "nb"), unit_suffix(indicator, "en")
        pandemic_nb = " (pandemiår)" if brk.year in rules.pandemic_years else ""
        pandemic_en = " (a pandemic year)" if brk.year in rules.pandemic_years else ""
        nb = (
            f"{indicator.name_nb} i {brk.year}{pandemic_nb} var {what_nb} "
            f"{'høyere' if up else 'lavere'} enn utviklingen de {rules.trend_window} foregående "
            f"årene tilsier ({val_nb}{u_nb} mot forventet {exp_nb}{u_nb})."
        )
        en = (
            f"{indicator.name_en} in {brk.year}{pandemic_en} was {what_en} "
            f"{'higher' if up else 'lower'} than the trend of the {rules.trend_window} previous "
            f"years predicts ({val_en}{u_en} against {exp_en}{u_en} expected)."
        )
        nn = (
            f"{indicator.name_nb} i {brk.year}{pandemic_nb} var {what_nb} "
            f"{'høgare' if up else 'lågare'} enn utviklinga dei {rules.trend_window} "
            f"føregåande åra tilseier ({val_nb}{u_nb} mot venta {exp_nb}{u_nb})."
        )
        change_cap = rules.small_numbers.change_cap
        if not is_percentage(indicator) and abs(brk.relative) * 100 > change_cap:
            flag = _cap_flag(s, "change_cap", change_cap, change=True)
            nb, en, nn = nb + flag[0], en + flag[1], nn + flag[2]
        found.append(
            s.finding(
                "T1",
                f"trend-{indicator.id}-{brk.year}",
                nb,
                en,
                nn,
                indicator_id=indicator.id,
                sector=indicator.sector.value,
                size=abs(brk.relative) * 100,
                extra={"year": brk.year},
                **_caveats(indicator),
            )
        )
    return found


# --- need-corrected costs ----------------------------------------------------------------------


def need_findings(
    need: pl.DataFrame,
    context: FindingContext,
    rules: FindingRules,
    *,
    total_nok: float | None = None,
    total_sectors: int | None = None,
) -> list[Finding]:
    """Rules C1 (per sector) and C2 (total).

    ``need``: ``sector, expected, difference, excess_nok``: ``expected`` the need-expected
    spending per inhabitant (I × the country's), ``difference`` kr per inhabitant above (+) or
    below (−) the peers after need correction, ``excess_nok`` that difference × inhabitants.
    ``total_nok`` over ``total_sectors`` sectors is the analysis' own total (the welfare
    sectors); without it C2 sums the rows given.
    """
    found: list[Finding] = []
    total = 0.0
    counted = 0
    for row in need.iter_rows(named=True):
        excess = row["excess_nok"]
        if _ok(excess):
            total += excess
            counted += 1
        expected, difference = row["expected"], row["difference"]
        if not (_ok(expected) and _ok(difference) and _ok(excess)) or expected == 0:
            continue
        pct = 100.0 * difference / expected
        if abs(pct) < rules.need_threshold_pct:
            continue
        s = _Sentence()
        s.use("excess_nok", excess)
        s.use("expected", expected)
        s.use("difference_pct", pct)
        m_nb, m_en = s.num("excess_mnok", abs(excess) / 1e6, 0 if abs(excess) >= 1e7 else 1)
        d_nb, d_en = s.num("difference", abs(difference), 0)
        more = excess > 0
        sector = row["sector"]
        nb = (
            f"Etter behovskorrigering brukte {context.municipality} {m_nb} mill. kr "
            f"{'mer' if more else 'mindre'} enn {context.peer_name}-snittet på "
            f"{_sector_name(sector, 'nb')} ({d_nb} kr per innbygger)."
        )
        en = (
            f"After need correction, {context.municipality} spent NOK {m_en} million "
            f"{'more' if more else 'less'} than the {context.peer_name} average on "
            f"{_sector_name(sector, 'en')} (NOK {d_en} per inhabitant)."
        )
        nn = (
            f"Etter behovskorrigering brukte {context.municipality} {m_nb} mill. kr "
            f"{'meir' if more else 'mindre'} enn {context.peer_name}-snittet på "
            f"{_sector_name(sector, 'nn')} ({d_nb} kr per innbyggjar)."
        )
        found.append(s.finding("C1", f"need-{sector}", nb, en, nn, sector=sector, size=abs(pct)))
    if total_nok is not None and total_sectors:
        total, counted = total_nok, total_sectors
    if counted:
        s = _Sentence()
        s.use("excess_nok", total)
        m_nb, m_en = s.num("excess_mnok", abs(total) / 1e6, 0 if abs(total) >= 1e7 else 1)
        n_nb, n_en = s.num("sectors", counted, 0)
        more = total > 0
        nb = (
            f"Samlet for {n_nb} sektorer brukte {context.municipality} etter behovskorrigering "
            f"{m_nb} mill. kr {'mer' if more else 'mindre'} enn om utgiftene per innbygger "
            f"hadde vært som {context.peer_name}-snittet."
        )
        en = (
            f"Across {n_en} sectors, after need correction, {context.municipality} spent NOK "
            f"{m_en} million {'more' if more else 'less'} than at the {context.peer_name} "
            f"average spending per inhabitant."
        )
        nn = (
            f"Samla for {n_nb} sektorar brukte {context.municipality} etter behovskorrigering "
            f"{m_nb} mill. kr {'meir' if more else 'mindre'} enn om utgiftene per innbyggjar "
            f"hadde vore som {context.peer_name}-snittet."
        )
        found.append(s.finding("C2", "tab-need", nb, en, nn, size=1e9))
    return found


# --- production and efficiency -----------------------------------------------------------------


def _index_sentence(
    rule_id: str,
    key: str,
    value: float,
    anchor: str,
    sector: str | None,
    reference: tuple[str, str],
) -> Finding:
    s = _Sentence()
    v_nb, v_en = s.num(key, value, 0)
    shown = round(value)
    # the difference as printed from the printed index, so "109 – 9 poeng over" always adds up
    d_nb, d_en = s.num("difference", abs(shown - 100), 0)
    above = shown >= 100
    # our reconstruction, named as ours: never read as KS's own figures
    own_nb = " (egen beregning etter ASSS/KS-metoden)" if sector is None else ""
    own_en = " (own calculation after the ASSS/KS method)" if sector is None else ""
    own_nn = " (eiga berekning etter ASSS/KS-metoden)" if sector is None else ""
    kind_nb = {
        "production_index": f"Produksjonsindeksen{own_nb}",
        "efficiency_index": f"Effektivitetsindeksen{own_nb}",
    }
    kind_en = {
        "production_index": f"The production index{own_en}",
        "efficiency_index": f"The efficiency index{own_en}",
    }
    where_nb = f" for {_sector_name(sector, 'nb')}" if sector else " samlet"
    where_en = f" for {_sector_name(sector, 'en')}" if sector else " in total"
    where_nn = f" for {_sector_name(sector, 'nn')}" if sector else " samla"
    kind_nn = {
        "production_index": f"Produksjonsindeksen{own_nn}",
        "efficiency_index": f"Effektivitetsindeksen{own_nn}",
    }
    # a dash, never a comma, between the index and the difference: "109, 9 poeng" reads as 109,9
    if shown == 100:
        nb = f"{kind_nb[key]}{where_nb} er {v_nb} – på {reference[0]} (= 100)."
        en = f"{kind_en[key]}{where_en} is {v_en} – at {reference[1]} (= 100)."
        nn = f"{kind_nn[key]}{where_nn} er {v_nb} – på {reference[0]} (= 100)."
    else:
        nb = (
            f"{kind_nb[key]}{where_nb} er {v_nb} – {d_nb} poeng "
            f"{'over' if above else 'under'} {reference[0]} (= 100)."
        )
        en = (
            f"{kind_en[key]}{where_en} is {v_en} – {d_en} points "
            f"{'above' if above else 'below'} {reference[1]} (= 100)."
        )
        nn = (
            f"{kind_nn[key]}{where_nn} er {v_nb} – {d_nb} poeng "
            f"{'over' if above else 'under'} {reference[0]} (= 100)."
        )
    size = 1e9 - 1 if sector is None else abs(value - 100.0)  # totals lead the summary
    return s.finding(rule_id, anchor, nb, en, nn, sector=sector, size=size)


def production_findings(
    production: pl.DataFrame,
    context: FindingContext,
    rules: FindingRules,
    *,
    production_total: float | None = None,
    efficiency_total: float | None = None,
    reference_nb: str = "",
    reference_en: str = "",
) -> list[Finding]:
    """Rules E1, E2 (``production``: ``sector, production_index, efficiency_index``) and E3."""
    reference = (
        reference_nb or f"{context.peer_name}-snittet",
        reference_en or f"the {context.peer_name} average",
    )
    found: list[Finding] = []
    for row in production.iter_rows(named=True):
        for rule_id, key in (("E1", "production_index"), ("E2", "efficiency_index")):
            value: float | None = row.get(key)
            if value is not None and _ok(value) and abs(value - 100.0) >= rules.index_threshold:
                anchor = f"prod-{row['sector']}"
                found.append(_index_sentence(rule_id, key, value, anchor, row["sector"], reference))
    totals = (("production_index", production_total), ("efficiency_index", efficiency_total))
    for key, total in totals:
        if total is not None and _ok(total):
            found.append(_index_sentence("E3", key, total, "tab-production", None, reference))
    return found


# --- barometer ---------------------------------------------------------------------------------


def barometer_findings(
    total: Mapping[str, Any] | None,
    sectors: pl.DataFrame,
    drivers: pl.DataFrame,
    catalog: Catalog,
    context: FindingContext,
    rules: FindingRules,
) -> list[Finding]:
    """Rules B1–B3.

    ``total``: ``rank, rank_low, rank_high, n_ranked, peer_rank, n_peers`` and optionally
    ``rank_income_adjusted`` (the headline when given; ``rank`` and its interval beside it) and
    ``n_indicators`` (named in the method) — any may be None;
    ``sectors``: ``sector, rank, rank_low, rank_high, n_ranked``; ``drivers``: ``sector,
    indicator_id, value, grade, weight, effect``.
    """
    found: list[Finding] = []
    if total is not None and _ok(total.get("rank")) and _ok(total.get("n_ranked")):
        s = _Sentence()
        count = total.get("n_indicators")
        if count is not None and _ok(count):
            k_nb, k_en = s.num("n_indicators", count, 0)
            p_nb, p_en = s.num("published_indicators", PUBLISHED_INDICATORS, 0)
            method_nb = (
                f"Kommunebarometer-metoden (egen beregning, {k_nb} av ca. {p_nb} indikatorer)"
            )
            method_en = (
                f"the Kommunebarometer method (own calculation, {k_en} of about {p_en} indicators)"
            )
            method_nn = (
                f"Kommunebarometer-metoden (eiga berekning, {k_nb} av om lag {p_nb} indikatorar)"
            )
        else:
            method_nb = "Kommunebarometer-metoden (egen beregning)"
            method_en = "the Kommunebarometer method (own calculation)"
            method_nn = "Kommunebarometer-metoden (eiga berekning)"
        adjusted = total.get("rank_income_adjusted")
        if adjusted is not None and _ok(adjusted):
            a_nb, a_en = s.num("rank_income_adjusted", adjusted, 0)
            n_nb, n_en = s.num("n_ranked", total["n_ranked"], 0)
            r_nb, r_en = s.num("rank", total["rank"], 0)
            nb = (
                f"Etter {method_nb} er {context.municipality} nr. {a_nb} av {n_nb} kommuner "
                f"justert for frie inntekter (ujustert nr. {r_nb}"
            )
            en = (
                f"By {method_en}, {context.municipality} ranks {a_en} of {n_en} "
                f"municipalities adjusted for free income (unadjusted {r_en}"
            )
            nn = (
                f"Etter {method_nn} er {context.municipality} nr. {a_nb} av {n_nb} kommunar "
                f"justert for frie inntekter (ujustert nr. {r_nb}"
            )
            close_nb = close_en = ")"
            sep_nb, sep_en = ", usikkerhetsintervall ", ", uncertainty interval "
            sep_nn = ", usikkerheitsintervall "
        else:
            r_nb, r_en = s.num("rank", total["rank"], 0)
            n_nb, n_en = s.num("n_ranked", total["n_ranked"], 0)
            nb = f"Etter {method_nb} er {context.municipality} nr. {r_nb} av {n_nb} kommuner"
            en = f"By {method_en}, {context.municipality} ranks {r_en} of {n_en} municipalities"
            nn = f"Etter {method_nn} er {context.municipality} nr. {r_nb} av {n_nb} kommunar"
            close_nb = close_en = ")"
            sep_nb, sep_en = " (usikkerhetsintervall ", " (uncertainty interval "
            sep_nn = " (usikkerheitsintervall "
        if _ok(total.get("rank_low")) and _ok(total.get("rank_high")):
            lo_nb, lo_en = s.num("rank_low", total["rank_low"], 0)
            hi_nb, hi_en = s.num("rank_high", total["rank_high"], 0)
            nb += f"{sep_nb}{lo_nb}–{hi_nb}{close_nb}"
            en += f"{sep_en}{lo_en}–{hi_en}{close_en}"
            nn += f"{sep_nn}{lo_nb}–{hi_nb}{close_nb}"
        elif _ok(adjusted):
            nb += ")"
            en += ")"
            nn += ")"
        if _ok(total.get("peer_rank")) and _ok(total.get("n_peers")):
            p_nb, p_en = s.num("peer_rank", total["peer_rank"], 0)
            q_nb, q_en = s.num("n_peers", total["n_peers"], 0)
            nb += f", og nr. {p_nb} av {q_nb} i {context.peer_name}"
            en += f", and {p_en} of {q_en} in {context.peer_name}"
            nn += f", og nr. {p_nb} av {q_nb} i {context.peer_name}"
        found.append(s.finding("B1", "barometer", nb + ".", en + ".", nn + ".", size=1e9 - 2))
    ranked = sectors.filter(pl.col("rank").is_not_null()) if not sectors.is_empty() else sectors
    if ranked.height >= 2:
        ordered = ranked.sort("rank")
        for row, best in ((ordered.row(0, named=True), True), (ordered.row(-1, named=True), False)):
            s = _Sentence()
            r_nb, r_en = s.num("rank", row["rank"], 0)
            n_nb, n_en = s.num("n_ranked", row["n_ranked"], 0)
            interval_nb = interval_en = ""
            if _ok(row.get("rank_low")) and _ok(row.get("rank_high")):
                lo_nb, lo_en = s.num("rank_low", row["rank_low"], 0)
                hi_nb, hi_en = s.num("rank_high", row["rank_high"], 0)
                interval_nb, interval_en = (
                    f" (intervall {lo_nb}–{hi_nb})",
                    f" (interval {lo_en}–{hi_en})",
                )
            sector = row["sector"]
            nb = (
                f"{'Best' if best else 'Svakest'} plassert i barometeret er "
                f"{_sector_name(sector, 'nb')}: nr. {r_nb} av {n_nb}{interval_nb}."
            )
            en = (
                f"The {'best' if best else 'weakest'} placed barometer sector is "
                f"{_sector_name(sector, 'en')}: {r_en} of {n_en}{interval_en}."
            )
            nn = (
                f"{'Best' if best else 'Svakast'} plassert i barometeret er "
                f"{_sector_name(sector, 'nn')}: nr. {r_nb} av {n_nb}{interval_nb}."
            )
            found.append(s.finding("B2", f"bar-{sector}", nb, en, nn, sector=sector, size=1e9 - 3))
    if not drivers.is_empty():
        ranked_sectors = set(ranked["sector"].to_list()) if ranked.height else set()
        usable = drivers.filter(
            pl.col("effect").is_not_null()
            & pl.col("grade").is_not_null()
            & pl.col("sector").is_in(list(ranked_sectors))
        )
        for (sector,), part in usable.group_by(["sector"], maintain_order=True):
            top = part.with_columns(pl.col("effect").abs().alias("_size")).sort(
                "_size", descending=True
            )
            for row in top.head(rules.drivers_per_sector).iter_rows(named=True):
                indicator = _indicator(catalog, row["indicator_id"])
                if indicator is None:
                    continue
                s = _Sentence()
                s.use("effect", row["effect"])
                s.use("weight", row["weight"])
                g_nb, g_en = s.num("grade", row["grade"], 1)
                up = row["effect"] > 0
                nb = (
                    f"I barometersektoren {_sector_name(str(sector), 'nb')} trekker "
                    f"{indicator.name_nb[0].lower() + indicator.name_nb[1:]} "
                    f"{'opp' if up else 'ned'} (karakter {g_nb} av 6)."
                )
                en = (
                    f"In the barometer sector {_sector_name(str(sector), 'en')}, "
                    f"{indicator.name_en[0].lower() + indicator.name_en[1:]} pulls the score "
                    f"{'up' if up else 'down'} (grade {g_en} of 6)."
                )
                nn = (
                    f"I barometersektoren {_sector_name(str(sector), 'nn')} trekkjer "
                    f"{indicator.name_nb[0].lower() + indicator.name_nb[1:]} "
                    f"{'opp' if up else 'ned'} (karakter {g_nb} av 6)."
                )
                found.append(
                    s.finding(
                        "B3",
                        f"bar-{sector}",
                        nb,
                        en,
                        nn,
                        indicator_id=indicator.id,
                        sector=str(sector),
                        size=abs(row["effect"]),
                        **_caveats(indicator),
                    )
                )
    return found


# --- missing figures ---------------------------------------------------------------------------


def missing_findings(missing_count: int, context: FindingContext) -> list[Finding]:
    """Rule M1: how many key figures the municipality lacks in the report year."""
    if missing_count <= 0:
        return []
    s = _Sentence()
    n_nb, n_en = s.num("missing", missing_count, 0)
    nb = f"{n_nb} nøkkeltall mangler for {context.municipality} i {context.year}."
    en = f"{n_en} key figures are missing for {context.municipality} in {context.year}."
    nn = f"{n_nb} nøkkeltal manglar for {context.municipality} i {context.year}."
    return [s.finding("M1", "missing", nb, en, nn, size=float(missing_count))]


# --- all rules ---------------------------------------------------------------------------------


def generate_findings(
    *,
    catalog: Catalog,
    context: FindingContext,
    profile: pl.DataFrame,
    history: pl.DataFrame,
    need: pl.DataFrame | None = None,
    production: pl.DataFrame | None = None,
    production_total: float | None = None,
    efficiency_total: float | None = None,
    barometer_total: Mapping[str, Any] | None = None,
    barometer_sectors: pl.DataFrame | None = None,
    barometer_drivers: pl.DataFrame | None = None,
    missing_count: int = 0,
    excess_total: float | None = None,
    excess_sectors: int | None = None,
    rules: FindingRules | None = None,
    reference_nb: str = "",
    reference_en: str = "",
) -> list[Finding]:
    """Apply every rule; findings come back in rule order (see the module docstring).

    ``profile``: ``indicator_id, value, peer_average, index, peer_rank, n_peers`` (report year);
    ``history``: ``indicator_id, year, value, series_break`` (the municipality's own series).
    """
    rules = rules or FindingRules()
    found = profile_findings(profile, catalog, context, rules)
    found += trend_findings(history, catalog, context, rules)
    if need is not None and not need.is_empty():
        found += need_findings(
            need, context, rules, total_nok=excess_total, total_sectors=excess_sectors
        )
    if production is not None:
        found += production_findings(
            production,
            context,
            rules,
            production_total=production_total,
            efficiency_total=efficiency_total,
            reference_nb=reference_nb,
            reference_en=reference_en,
        )
    found += barometer_findings(
        barometer_total,
        barometer_sectors if barometer_sectors is not None else pl.DataFrame(),
        barometer_drivers if barometer_drivers is not None else pl.DataFrame(),
        catalog,
        context,
        rules,
    )
    found += missing_findings(missing_count, context)
    return found


def summary(findings: Sequence[Finding], limit: int = 8) -> list[Finding]:
    """The main findings: totals and barometer first, then the largest deviations."""
    return sorted(findings, key=lambda f: f.size, reverse=True)[:limit]
