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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kostra.analysis.findings import fmt
from kostra.analysis.verdict import SectorVerdict, Statement, VerdictRules, level, sector_name

_ORDINAL_NB = ("best", "nest best", "tredje best")
_ORDINAL_NB_LOW = ("svakest", "nest svakest", "tredje svakest")
_ORDINAL_EN = ("the best", "the second best", "the third best")
_ORDINAL_EN_LOW = ("the weakest", "the second weakest", "the third weakest")
_ORDINAL_NN = ("best", "nest best", "tredje best")
_ORDINAL_NN_LOW = ("svakast", "nest svakast", "tredje svakast")


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


def _n(value: float) -> tuple[str, str]:
    return fmt(value, "nb", 0), fmt(value, "en", 0)


def total_rank(rank: int | None, n_ranked: int | None) -> Statement | None:
    """Rule S0: the barometer total rank."""
    if rank is None or not n_ranked:
        return None
    r, n = _n(rank), _n(n_ranked)
    return Statement(
        "S0",
        f"Nr. {r[0]} av {n[0]} i Kommunebarometeret",
        f"Rank {r[1]} of {n[1]} in the Kommunebarometer",
        {"rank": rank, "n_ranked": n_ranked},
    )


def _names(names: Sequence[str], conjunction: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


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
    p_nb, p_en = _n(place)
    s_nb, s_en = _n(size)
    from_low = size - place
    if place <= 3 and place <= from_low:
        word_nb, word_en = _ORDINAL_NB[place - 1], _ORDINAL_EN[place - 1]
        word_nn = _ORDINAL_NN[place - 1]
    elif from_low < 3:
        word_nb, word_en = _ORDINAL_NB_LOW[from_low], _ORDINAL_EN_LOW[from_low]
        word_nn = _ORDINAL_NN_LOW[from_low]
    else:
        word_nb, word_en, word_nn = f"nr. {p_nb}", f"number {p_en}", f"nr. {p_nb}"
    extra = [c.name for c in compare]
    where_nb = _names([f"{peer_name}-kommunene", *extra], "og")
    where_en = _names([f"the {peer_name} municipalities", *extra], "and")
    where_nn = _names([f"{peer_name}-kommunane", *extra], "og")
    return Statement(
        "S1",
        f"{own.name} er {word_nb} blant {where_nb} i Kommunebarometeret",
        f"{own.name} is {word_en} among {where_en} in the Kommunebarometer",
        {"place": place, "group_size": size, "rank": own.rank},
        detail_nb=f"(nr. {p_nb} av {s_nb})",
        detail_en=f"({p_en} of {s_en})",
        text_nn=f"{own.name} er {word_nn} blant {where_nn} i Kommunebarometeret",
    )


def rank_range(sectors: Sequence[SectorRank]) -> Statement | None:
    """Rule S2: the best and the weakest sector rank."""
    ranked = sorted((s for s in sectors if s.rank is not None), key=lambda s: s.rank or 0)
    if len(ranked) < 2:
        return None
    best, worst = ranked[0], ranked[-1]
    assert best.rank is not None
    assert worst.rank is not None
    b, w = _n(best.rank), _n(worst.rank)
    return Statement(
        "S2",
        f"Sektorplasseringene går fra nummer {b[0]} ({sector_name(best.sector, 'nb')}) til "
        f"nummer {w[0]} ({sector_name(worst.sector, 'nb')})",
        f"Sector ranks range from {b[1]} ({sector_name(best.sector, 'en')}) to {w[1]} "
        f"({sector_name(worst.sector, 'en')})",
        {"best_rank": best.rank, "worst_rank": worst.rank, "sectors": len(ranked)},
        text_nn=f"Sektorplasseringane går frå nummer {b[0]} ({sector_name(best.sector, 'nn')}) "
        f"til nummer {w[0]} ({sector_name(worst.sector, 'nn')})",
    )


_LEVEL_NB = {"high": "over snittet", "average": "på nivå med snittet", "low": "under snittet"}
_LEVEL_EN = {"high": "above the average", "average": "at the average", "low": "below the average"}


def overall_position(
    production_total: float | None,
    efficiency_total: float | None,
    rules: VerdictRules | None = None,
) -> Statement | None:
    """Rule S3: the total production and efficiency indices against the reference."""
    rules = rules or VerdictRules()
    parts_nb, parts_en, numbers = [], [], {}
    # the levels read the same in nynorsk ("over snittet"): only the frame differs
    for key, value, nb, en in (
        ("production_total", production_total, "produksjon", "production"),
        ("efficiency_total", efficiency_total, "effektivitet", "efficiency"),
    ):
        position = level(value, rules)
        if position is None or value is None:
            continue
        numbers[key] = value
        v = _n(value)
        parts_nb.append(f"{nb} {_LEVEL_NB[position]} ({v[0]})")
        parts_en.append(f"{en} {_LEVEL_EN[position]} ({v[1]})")
    if not parts_nb:
        return None
    return Statement(
        "S3",
        f"Samlet {' og '.join(parts_nb)}",
        f"Overall {' and '.join(parts_en)}",
        numbers,
        detail_nb="(snitt = 100)",
        detail_en="(average = 100)",
        text_nn=f"Samla {' og '.join(parts_nb)}",
    )


def efficient_sectors(verdicts: Sequence[SectorVerdict]) -> Statement | None:
    """Rule S4: the sectors with high production and low costs (verdict rule V1)."""
    if not verdicts:
        return None
    chosen = [v.sector for v in verdicts if v.high_production_low_cost]
    if not chosen:
        return Statement(
            "S4",
            "Ingen sektor har både høy produksjon og lave kostnader",
            "No sector combines high production with low costs",
            {"sectors": 0},
            text_nn="Ingen sektor har både høg produksjon og låge kostnader",
        )
    return Statement(
        "S4",
        "Høy produksjon og lave kostnader: " + _names([sector_name(s, "nb") for s in chosen], "og"),
        "High production and low costs: " + _names([sector_name(s, "en") for s in chosen], "and"),
        {"sectors": len(chosen)},
        text_nn="Høg produksjon og låge kostnader: "
        + _names([sector_name(s, "nn") for s in chosen], "og"),
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
            out.append(
                Statement(
                    "Y3",
                    f"{municipality} fikk nytt kommunenummer i {c.year}; tallene er "
                    "sammenlignbare over skiftet",
                    f"{municipality} got a new municipality number in {c.year}; the figures "
                    "are comparable across the change",
                    {"year": c.year},
                    text_nn=f"{municipality} fekk nytt kommunenummer i {c.year}; tala kan "
                    "samanliknast over skiftet",
                )
            )
            continue
        old = _names(list(c.old_names), "og")
        # the report's words for municipal changes
        verb_nb = "ble dannet ved sammenslåing av" if c.kind == "merger" else "ble skilt ut fra"
        verb_en = "was formed by merging" if c.kind == "merger" else "was split from"
        verb_nn = "vart oppretta ved samanslåing av" if c.kind == "merger" else "vart skilt ut frå"
        out.append(
            Statement(
                "Y1",
                f"{c.name} {verb_nb} {old} i {c.year}: endret demografi og tjenestebehov, og "
                "brudd i tidsseriene",
                f"{c.name} {verb_en} {_names(list(c.old_names), 'and')} in {c.year}: a changed "
                "population and service needs, and breaks in the series",
                {"year": c.year, "units": len(c.old_names)},
                text_nn=f"{c.name} {verb_nn} {old} i {c.year}: endra demografi og "
                "tenestebehov, og brot i tidsseriane",
            )
        )
    others = [c for c in shown if c.role != "self" and c.kind != "renumbering"]
    if others:
        listed_nb = "; ".join(f"{c.name} ({c.year}: {', '.join(c.old_names)})" for c in others)
        out.append(
            Statement(
                "Y2",
                f"Sammenslåinger blant sammenligningskommunene: {listed_nb}. Snittene "
                "sammenligner derfor med kommuner i endring",
                f"Mergers among the comparison municipalities: {listed_nb}. The averages "
                "therefore compare with municipalities in change",
                {"mergers": len(others)},
                text_nn=f"Samanslåingar blant samanlikningskommunane: {listed_nb}. Snitta "
                "samanliknar difor med kommunar i endring",
            )
        )
    pandemic = [y for y in pandemic_years if first <= y <= year]
    if pandemic:
        years_nb = _names([str(y) for y in pandemic], "og")
        years_en = _names([str(y) for y in pandemic], "and")
        out.append(
            Statement(
                "Y4",
                f"Koronapandemien: {years_nb} er med i årene som vises; tjenester og utgifter "
                f"kan avvike fra trenden {'disse årene' if len(pandemic) > 1 else 'det året'}",
                f"The pandemic: {years_en} {'are' if len(pandemic) > 1 else 'is'} among the "
                f"years shown; services and spending may depart from the trend in "
                f"{'those years' if len(pandemic) > 1 else 'that year'}",
                {"pandemic_years": len(pandemic)},
                text_nn=f"Koronapandemien: {years_nb} er med i åra som er viste; tenester og "
                "utgifter kan vike av frå trenden "
                + ("desse åra" if len(pandemic) > 1 else "det året"),
            )
        )
    if not out:
        out.append(
            Statement(
                "Y0",
                f"Ingen kommunesammenslåinger eller pandemiår i {first}–{year} berører "
                f"{municipality} eller sammenligningsgruppen",
                f"No mergers or pandemic years in {first}–{year} touch {municipality} or its "
                "comparison group",
                {"first": first, "year": year},
                text_nn=f"Ingen kommunesamanslåingar eller pandemiår i {first}–{year} gjeld "
                f"{municipality} eller samanlikningsgruppa",
            )
        )
    return out
