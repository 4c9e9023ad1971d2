"""Summary sentences of a municipality's year (the deck's main findings) and the year context
(what disturbs the year's figures): pure rules, statements with rule ids and numbers in nb/en,
and the same sentences in nynorsk (``Statement.text_nn``).

=====  =================================================  ======================================
id     fires when                                         sentence (nb)
=====  =================================================  ======================================
S0     a barometer total rank exists                      "Nr. r av n i Kommunebarometeret"
S1     ≥ 2 of the municipality, its peers and the         "Nest best blant ASSS-kommunene og
       compared municipalities have a total rank          Asker (nr. 2 av 11)"
S2     ≥ 2 barometer sectors are ranked                   "Sektorplasseringene går fra nummer 4
                                                          (grunnskole) til nummer 302 (kultur)"
S3     a total production or efficiency index exists      "Samlet produksjon over snittet (109)
                                                          og effektivitet på nivå med snittet"
S4     sector verdicts were made                          "Høy produksjon og lave kostnader:
                                                          grunnskole, barnehage" / "Ingen sektor
                                                          har både høy produksjon og lave
                                                          kostnader"
Y1     a merger or split touches the municipality in      "Asker ble dannet ved sammenslåing av …
       the years shown                                    i 2020: … brudd i tidsseriene"
Y2     mergers touch peers or compared municipalities     "Sammenslåinger blant
                                                          sammenligningskommunene: …"
Y3     the municipality got a new number only             "Nytt kommunenummer i 2020; tallene er
                                                          sammenlignbare"
Y4     pandemic years lie in the years shown              "Koronapandemien: 2020 og 2021 er med"
Y0     none of the above                                  "Ingen sammenslåinger eller pandemiår"
=====  =================================================  ======================================

Levels of S3 use :class:`~kostra.analysis.verdict.VerdictRules` ``level_points`` (5): the same
"high/average/low" as the sector verdicts. Places in S1 are ordinal words up to the third from
either end ("best", "nest best", "tredje best", …, "svakest"), else "nr. p av n".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kostra import i18n
from kostra.analysis.method import Text
from kostra.analysis.verdict import SectorVerdict, Statement, VerdictRules, level

#: "best", "nest best", … as the place among the peers (S1), from either end.
_PLACES = i18n.Words(
    "overview.place",
    ("best", "second_best", "third_best", "weakest", "second_weakest", "third_weakest"),
)
_FROM_TOP = ("best", "second_best", "third_best")
_FROM_BOTTOM = ("weakest", "second_weakest", "third_weakest")
#: the subjects and levels of S3
_OVERALL = i18n.Words(
    "overview.overall",
    ("production", "efficiency", "level_high", "level_average", "level_low"),
)


def _statement(
    rule_id: str,
    words: Text,
    numbers: Mapping[str, float],
    detail: Text | None = None,
) -> Statement:
    """A statement whose sentence (and figures) are the catalog's words in nb, en and nn."""
    return Statement(
        rule_id,
        words.nb,
        words.en,
        numbers,
        detail_nb=detail.nb if detail else "",
        detail_en=detail.en if detail else "",
        text_nn=words.text("nn"),
        detail_nn=detail.text("nn") if detail else None,
    )


def _number(value: float) -> Callable[[str], str]:
    return lambda lang: i18n.number(float(value), lang, 0)


def _sector(sector: str) -> Callable[[str], str]:
    return lambda lang: i18n.sector_name(sector, lang)


def _listing(names: Sequence[str]) -> Callable[[str], str]:
    return lambda lang: i18n.listing(list(names), lang)


@dataclass(frozen=True)
class Ranked:
    """A municipality and its barometer total rank (``None``: not ranked)."""

    code: str
    name: str
    rank: int | None


@dataclass(frozen=True)
class SectorRank:
    """A barometer sector's rank."""

    sector: str
    rank: int | None
    n_ranked: int | None


@dataclass(frozen=True)
class Change:
    """A merger, split or renumbering in the code history (on the report's borders)."""

    kind: Literal["merger", "split", "renumbering"]
    year: int
    name: str
    old_names: tuple[str, ...]
    role: Literal["self", "peer", "compare"]


def total_rank(rank: int | None, n_ranked: int | None) -> Statement | None:
    """Rule S0: the barometer total rank."""
    if rank is None or not n_ranked:
        return None
    words = Text.message("overview.total_rank", rank=_number(rank), n=_number(n_ranked))
    return _statement("S0", words, {"rank": rank, "n_ranked": n_ranked})


def peer_place(
    own: Ranked, peers: Sequence[Ranked], compare: Sequence[Ranked], peer_name: str
) -> Statement | None:
    """Rule S1: the place among the peers and the compared municipalities."""
    group = [own, *[p for p in peers if p.code != own.code], *compare]
    ranked = sorted((g for g in group if g.rank is not None), key=lambda g: g.rank or 0)
    if own.rank is None or len(ranked) < 2:
        return None
    place = 1 + sum(1 for g in ranked if (g.rank or 0) < own.rank)
    size = len(ranked)
    from_low = size - place

    def word(lang: str) -> str:
        if place <= 3 and place <= from_low:
            return _PLACES[lang][_FROM_TOP[place - 1]]
        if from_low < 3:
            return _PLACES[lang][_FROM_BOTTOM[from_low]]
        return i18n.text("overview.place_number", lang, n=i18n.number(place, lang, 0))

    extra = [c.name for c in compare]

    def where(lang: str) -> str:
        peers_words = i18n.text(
            "overview.peer_municipalities", lang, peers=i18n.peer_group_name(peer_name, lang)
        )
        return i18n.listing([peers_words, *extra], lang)

    words = Text.message("overview.peer_place", name=own.name, place=word, where=where)
    detail = Text.message("overview.peer_place_detail", place=_number(place), size=_number(size))
    return _statement("S1", words, {"place": place, "group_size": size, "rank": own.rank}, detail)


def rank_range(sectors: Sequence[SectorRank]) -> Statement | None:
    """Rule S2: the best and the weakest sector rank."""
    ranked = sorted((s for s in sectors if s.rank is not None), key=lambda s: s.rank or 0)
    if len(ranked) < 2:
        return None
    best, worst = ranked[0], ranked[-1]
    assert best.rank is not None
    assert worst.rank is not None
    words = Text.message(
        "overview.rank_range",
        best=_number(best.rank),
        best_sector=_sector(best.sector),
        worst=_number(worst.rank),
        worst_sector=_sector(worst.sector),
    )
    return _statement(
        "S2", words, {"best_rank": best.rank, "worst_rank": worst.rank, "sectors": len(ranked)}
    )


def overall_position(
    production_total: float | None,
    efficiency_total: float | None,
    rules: VerdictRules | None = None,
) -> Statement | None:
    """Rule S3: the total production and efficiency indices against the reference."""
    rules = rules or VerdictRules()
    parts: list[tuple[str, str, float]] = []
    numbers: dict[str, float] = {}
    for key, value, subject in (
        ("production_total", production_total, "production"),
        ("efficiency_total", efficiency_total, "efficiency"),
    ):
        position = level(value, rules)
        if position is None or value is None:
            continue
        numbers[key] = value
        parts.append((subject, f"level_{position}", value))
    if not parts:
        return None

    def said(lang: str) -> str:
        words = _OVERALL[lang]
        return i18n.listing(
            [f"{words[s]} {words[p]} ({i18n.number(v, lang, 0)})" for s, p, v in parts], lang
        )

    return _statement(
        "S3",
        Text.message("overview.overall", parts=said),
        numbers,
        Text.message("overview.average_100"),
    )


def efficient_sectors(verdicts: Sequence[SectorVerdict]) -> Statement | None:
    """Rule S4: the sectors with high production and low costs (verdict rule V1)."""
    if not verdicts:
        return None
    chosen = [v.sector for v in verdicts if v.high_production_low_cost]
    if not chosen:
        return _statement("S4", Text.message("overview.no_efficient_sector"), {"sectors": 0})

    def sectors(lang: str) -> str:
        return i18n.listing([i18n.sector_name(s, lang) for s in chosen], lang)

    return _statement(
        "S4", Text.message("overview.efficient_sectors", sectors=sectors), {"sectors": len(chosen)}
    )


def year_context(
    municipality: str,
    changes: Sequence[Change],
    pandemic_years: Sequence[int],
    first: int,
    year: int,
) -> list[Statement]:
    """Rules Y0–Y4: what disturbs the figures of ``first``–``year`` (the years shown)."""
    shown = [c for c in changes if first < c.year <= year]
    out: list[Statement] = []
    for c in shown:
        if c.role != "self":
            continue
        if c.kind == "renumbering":
            words = Text.message("overview.renumbered", name=municipality, year=str(c.year))
            out.append(_statement("Y3", words, {"year": c.year}))
            continue
        words = Text.message(
            "overview.merged" if c.kind == "merger" else "overview.split_from",
            name=c.name,
            old=_listing(c.old_names),
            year=str(c.year),
        )
        out.append(_statement("Y1", words, {"year": c.year, "units": len(c.old_names)}))
    others = [c for c in shown if c.role != "self" and c.kind != "renumbering"]
    if others:
        listed = "; ".join(f"{c.name} ({c.year}: {', '.join(c.old_names)})" for c in others)
        words = Text.message("overview.peer_mergers", listed=listed)
        out.append(_statement("Y2", words, {"mergers": len(others)}))
    pandemic = [y for y in pandemic_years if first <= y <= year]
    if pandemic:
        years = _listing([str(y) for y in pandemic])

        def pandemic_words(lang: str) -> str:
            return i18n.plural("overview.pandemic", len(pandemic), lang, years=years(lang))

        words = Text(pandemic_words("nb"), pandemic_words("en"), pandemic_words("nn"))
        out.append(_statement("Y4", words, {"pandemic_years": len(pandemic)}))
    if not out:
        words = Text.message(
            "overview.nothing", first=str(first), year=str(year), name=municipality
        )
        out.append(_statement("Y0", words, {"first": first, "year": year}))
    return out
