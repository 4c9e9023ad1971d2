"""Findings in words: documented rules that turn analysis results into neutral sentences.

Every finding is a structured object (:class:`Finding`): the rule that produced it, the indicator
or sector it is about, the numbers it used, the sentence in bokmål, nynorsk and English, and the
anchor id of the figure or table in the report the numbers come from. A sentence shows only numbers
that are in ``Finding.numbers`` (``Finding.shown`` pairs each number in the text with its key), so a
test can trace every sentence back to the analysis results. No rule writes a sentence without a
number. The sentences are messages ``finding.*`` of the gettext catalogs (:mod:`kostra.i18n`),
one message per direction ("over"/"under" are two sentences), with plural forms where a count is
printed; the table below quotes the bokmål.

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
from kostra.i18n import N_, amount, number, peer_group_name, percent_text
from kostra.i18n.messages import PERCENT_UNITS
from kostra.i18n.said import Said, Value, same, say, say_plural
from kostra.i18n.said import sector as sector_words

#: The rules, in the order of the method section; each has one line of text there, the
#: message ``rule.<id>`` of :mod:`kostra.i18n`.
RULE_IDS = ("P1", "P2", "T1", "C1", "C2", "E1", "E2", "E3", "B1", "B2", "B3", "M1")


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
    caveat_nn: str | None = None
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
        if lang == "en":
            return self.caveat_en
        return self.caveat_nn if lang == "nn" and self.caveat_nn else self.caveat_nb


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

    def num(self, key: str, value: float, decimals: int | None = None) -> Said:
        """Record ``value`` under ``key`` and return it as each language prints it (nynorsk
        prints its numbers as bokmål does)."""
        self.numbers[key] = float(value)
        printed = Said.each(lambda lang: fmt(value, lang, decimals))
        self.shown.append((key, printed.nb, printed.en))
        return printed

    def finding(self, rule_id: str, anchor: str, said: Said, **kwargs: Any) -> Finding:
        return Finding(
            rule_id=rule_id,
            anchor=anchor,
            text_nb=said.nb,
            text_en=said.en,
            text_nn=said.nn,
            numbers=dict(self.numbers),
            shown=tuple(self.shown),
            **kwargs,
        )


def _with_unit(number: Said, indicator: Indicator) -> Said:
    """A printed number with the key figure's unit as each language writes it."""
    return Said.each(lambda lang: amount(number[lang], indicator.unit, lang))


def _percent(number: Said) -> Said:
    return Said.each(lambda lang: percent_text(number[lang], lang))


def is_percentage(indicator: Indicator) -> bool:
    """Whether the key figure is a share in per cent (compared in percentage points)."""
    return indicator.unit.strip().lower() in PERCENT_UNITS


def _names(indicator: Indicator, *, lower: bool = False) -> Said:
    """A key figure's name: SSB's bokmål name in both Norwegian texts (SSB publishes no
    nynorsk names), the English name in English."""
    if lower:
        return Said.each(
            lambda lang: _lower_start(indicator.name_en if lang == "en" else indicator.name_nb)
        )
    return Said(indicator.name_nb, indicator.name_nb, indicator.name_en)


def _lower_start(name: str) -> str:
    return name[:1].lower() + name[1:]


def _peer(context: FindingContext) -> Said:
    """The peer group's name: a standard group's in each language, any other as it is."""
    return Said.each(lambda lang: peer_group_name(context.peer_name, lang))


def _ok(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _indicator(catalog: Catalog, indicator_id: str) -> Indicator | None:
    try:
        return catalog.get(indicator_id)
    except KeyError:
        return None


def _cap_flag(s: _Sentence, what: str, cap: float, *, change: bool, below: bool = False) -> Said:
    """The flag of an index or a change beyond the small-number caps, as one more sentence;
    its number is recorded like every other."""
    printed = s.num(what, cap, 0)
    if below:
        return say("finding.flag.index_below", cap=printed)
    if change:
        return say("finding.flag.change", cap=_percent(printed))
    return say("finding.flag.index_above", cap=printed)


def _caveats(indicator: Indicator) -> dict[str, str | None]:
    return {
        "caveat_nb": indicator.caveat_nb,
        "caveat_en": indicator.caveat_en,
        "caveat_nn": indicator.caveat_nn,
    }


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
            if is_percentage(indicator):
                # shares are compared in percentage points: "6,6 prosentpoeng over", never
                # "64 % over" (16,9 % against 10,3 %)
                points = row["value"] - row["peer_average"]
                size = say("finding.size.points", n=s.num("difference_pp", abs(points), 1))
            else:
                size = _percent(s.num("difference_pct", abs(index - 100.0), 0))
            value = _with_unit(s.num("value", row["value"]), indicator)
            average = _with_unit(s.num("peer_average", row["peer_average"]), indicator)
            said = say(
                N_("finding.p1.above") if above else N_("finding.p1.below"),
                indicator=_names(indicator),
                size=size,
                peer=_peer(context),
                value=value,
                average=average,
            )
            caps = rules.small_numbers
            if not is_percentage(indicator) and index > caps.index_cap:
                said = said.then(_cap_flag(s, "index_cap", caps.index_cap, change=False))
            elif not is_percentage(indicator) and index < caps.index_floor:
                flag = _cap_flag(s, "index_floor", caps.index_floor, change=False, below=True)
                said = said.then(flag)
            found.append(
                s.finding(
                    "P1",
                    anchor,
                    said,
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
            printed = s.num("n_peers", n_peers, 0)
            value = _with_unit(s.num("value", row["value"]), indicator)
            # peer_rank 1 is the highest value, whatever the direction: the sentence stays neutral
            said = say_plural(
                N_("finding.p2.highest") if rank == 1 else N_("finding.p2.lowest"),
                n_peers,
                printed,
                indicator=_names(indicator),
                municipality=context.municipality,
                peer=_peer(context),
                value=value,
            )
            found.append(
                s.finding(
                    "P2",
                    anchor,
                    said,
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
            size = say("finding.size.points", n=s.num("difference_pp", abs(brk.deviation), 1))
        else:
            size = _percent(s.num("relative_pct", abs(brk.relative) * 100, 0))
        value = _with_unit(s.num("value", brk.value), indicator)
        expected = _with_unit(s.num("expected", brk.expected), indicator)
        year = str(brk.year)  # a year, never with a thousands separator
        when = say("finding.t1.pandemic_year", year=year)
        if brk.year not in rules.pandemic_years:
            when = same(year)
        window = rules.trend_window
        said = say_plural(
            N_("finding.t1.higher") if up else N_("finding.t1.lower"),
            window,
            same(str(window)),
            indicator=_names(indicator),
            when=when,
            size=size,
            value=value,
            expected=expected,
        )
        change_cap = rules.small_numbers.change_cap
        if not is_percentage(indicator) and abs(brk.relative) * 100 > change_cap:
            said = said.then(_cap_flag(s, "change_cap", change_cap, change=True))
        found.append(
            s.finding(
                "T1",
                f"trend-{indicator.id}-{brk.year}",
                said,
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
        amount = s.num("excess_mnok", abs(excess) / 1e6, 0 if abs(excess) >= 1e7 else 1)
        per_inhabitant = s.num("difference", abs(difference), 0)
        sector = row["sector"]
        said = say(
            N_("finding.c1.more") if excess > 0 else N_("finding.c1.less"),
            municipality=context.municipality,
            amount=amount,
            peer=_peer(context),
            sector=sector_words(sector),
            difference=per_inhabitant,
        )
        found.append(s.finding("C1", f"need-{sector}", said, sector=sector, size=abs(pct)))
    if total_nok is not None and total_sectors:
        total, counted = total_nok, total_sectors
    if counted:
        s = _Sentence()
        s.use("excess_nok", total)
        amount = s.num("excess_mnok", abs(total) / 1e6, 0 if abs(total) >= 1e7 else 1)
        said = say_plural(
            N_("finding.c2.more") if total > 0 else N_("finding.c2.less"),
            counted,
            s.num("sectors", counted, 0),
            municipality=context.municipality,
            amount=amount,
            peer=_peer(context),
        )
        found.append(s.finding("C2", "tab-need", said, size=1e9))
    return found


# --- production and efficiency -----------------------------------------------------------------


def _index_sentence(
    rule_id: str,
    key: str,
    value: float,
    anchor: str,
    sector: str | None,
    reference: Said,
) -> Finding:
    s = _Sentence()
    printed = s.num(key, value, 0)
    shown = round(value)
    # the difference as printed from the printed index, so "109 – 9 poeng over" always adds up
    difference = abs(shown - 100)
    points = s.num("difference", difference, 0)
    # the totals are our reconstruction, named as ours: never read as KS's own figures
    if key == "production_index":
        index = (
            say("finding.index.production", sector=sector_words(sector))
            if sector
            else say("finding.index.production_total")
        )
    else:
        index = (
            say("finding.index.efficiency", sector=sector_words(sector))
            if sector
            else say("finding.index.efficiency_total")
        )
    # a dash, never a comma, between the index and the difference: "109, 9 poeng" reads as 109,9
    if shown == 100:
        said = say("finding.index.at", index=index, value=printed, reference=reference)
    else:
        said = say_plural(
            N_("finding.index.above") if shown > 100 else N_("finding.index.below"),
            difference,
            points,
            index=index,
            value=printed,
            reference=reference,
        )
    size = 1e9 - 1 if sector is None else abs(value - 100.0)  # totals lead the summary
    return s.finding(rule_id, anchor, said, sector=sector, size=size)


def production_findings(
    production: pl.DataFrame,
    context: FindingContext,
    rules: FindingRules,
    *,
    production_total: float | None = None,
    efficiency_total: float | None = None,
    reference_nb: str = "",
    reference_en: str = "",
    reference_nn: str = "",
) -> list[Finding]:
    """Rules E1, E2 (``production``: ``sector, production_index, efficiency_index``) and E3.

    The indices are against the peer group's average unless ``reference_nb``/``_en``/``_nn``
    name another reference (nynorsk falls back to bokmål).
    """
    reference = say("finding.peer_average", peer=_peer(context))
    if reference_nb or reference_en:
        reference = Said(
            reference_nb or reference.nb,
            reference_nn or reference_nb or reference.nn,
            reference_en or reference.en,
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
        found.append(_barometer_total(total, context))
    ranked = sectors.filter(pl.col("rank").is_not_null()) if not sectors.is_empty() else sectors
    if ranked.height >= 2:
        ordered = ranked.sort("rank")
        for row, best in ((ordered.row(0, named=True), True), (ordered.row(-1, named=True), False)):
            s = _Sentence()
            place = {
                "sector": sector_words(row["sector"]),
                "rank": s.num("rank", row["rank"], 0),
                "n": s.num("n_ranked", row["n_ranked"], 0),
            }
            if _ok(row.get("rank_low")) and _ok(row.get("rank_high")):
                place["low"] = s.num("rank_low", row["rank_low"], 0)
                place["high"] = s.num("rank_high", row["rank_high"], 0)
                key = N_("finding.b2.best_interval") if best else N_("finding.b2.weakest_interval")
            else:
                key = N_("finding.b2.best") if best else N_("finding.b2.weakest")
            sector = row["sector"]
            found.append(
                s.finding("B2", f"bar-{sector}", say(key, **place), sector=sector, size=1e9 - 3)
            )
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
                said = say(
                    N_("finding.b3.up") if row["effect"] > 0 else N_("finding.b3.down"),
                    sector=sector_words(str(sector)),
                    indicator=_names(indicator, lower=True),
                    grade=s.num("grade", row["grade"], 1),
                )
                found.append(
                    s.finding(
                        "B3",
                        f"bar-{sector}",
                        said,
                        indicator_id=indicator.id,
                        sector=str(sector),
                        size=abs(row["effect"]),
                        **_caveats(indicator),
                    )
                )
    return found


def _barometer_total(total: Mapping[str, Any], context: FindingContext) -> Finding:
    """Rule B1: the total rank, income-adjusted when given, its interval and the peer place."""
    s = _Sentence()
    count = total.get("n_indicators")
    if count is not None and _ok(count):
        used = s.num("n_indicators", count, 0)
        published = s.num("published_indicators", PUBLISHED_INDICATORS, 0)
        method = say_plural("finding.b1.method_counted", PUBLISHED_INDICATORS, published, used=used)
    else:
        method = say("finding.b1.method")
    ranking: dict[str, Value] = {"method": method, "municipality": context.municipality}
    adjusted = total.get("rank_income_adjusted")
    if adjusted is not None and _ok(adjusted):
        ranking["rank"] = s.num("rank_income_adjusted", adjusted, 0)
        ranking["unadjusted"] = s.num("rank", total["rank"], 0)
    else:
        ranking["rank"] = s.num("rank", total["rank"], 0)
    n_ranked = s.num("n_ranked", total["n_ranked"], 0)
    interval = _ok(total.get("rank_low")) and _ok(total.get("rank_high"))
    if interval:
        ranking["low"] = s.num("rank_low", total["rank_low"], 0)
        ranking["high"] = s.num("rank_high", total["rank_high"], 0)
    if "unadjusted" in ranking:
        key = N_("finding.b1.adjusted_interval") if interval else N_("finding.b1.adjusted")
    else:
        key = N_("finding.b1.rank_interval") if interval else N_("finding.b1.rank")
    said = say_plural(key, total["n_ranked"], n_ranked, **ranking)
    if _ok(total.get("peer_rank")) and _ok(total.get("n_peers")):
        peer_rank = s.num("peer_rank", total["peer_rank"], 0)
        n_peers = s.num("n_peers", total["n_peers"], 0)
        said = say(
            "finding.b1.with_peers",
            ranking=said,
            rank=peer_rank,
            n=n_peers,
            peer=_peer(context),
        )
    else:
        said = say("finding.b1.alone", ranking=said)
    return s.finding("B1", "barometer", said, size=1e9 - 2)


# --- missing figures ---------------------------------------------------------------------------


def missing_findings(missing_count: int, context: FindingContext) -> list[Finding]:
    """Rule M1: how many key figures the municipality lacks in the report year."""
    if missing_count <= 0:
        return []
    s = _Sentence()
    said = say_plural(
        "finding.m1",
        missing_count,
        s.num("missing", missing_count, 0),
        municipality=context.municipality,
        year=str(context.year),
    )
    return [s.finding("M1", "missing", said, size=float(missing_count))]


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
    reference_nn: str = "",
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
            reference_nn=reference_nn,
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
