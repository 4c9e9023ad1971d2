"""The report's "Metode og forutsetninger" rows about averages, references, production and
efficiency, worded from :func:`kostra.analysis.method.method_facts` (issue 11).

The facts (which averaging rule each figure gets, the catalog's production weights, the
efficiency definition, the small-number rule, the deviations from KS) come from the analysis
layer; only the words are made here, so the method text cannot drift from the code. The
reference groups are named exactly as the report's analyses use them (which municipalities,
whether the municipality itself and Oslo are in the average).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kostra import api
from kostra.analysis.method import AVERAGE_MARK, MethodFacts
from kostra.analysis.production import PRODUCTION_SECTORS
from kostra.report.model import Assumption

#: the averaging rules in the order and words the report names them
RULE_WORDS: Mapping[str, tuple[str, str, str]] = {
    "sum_over_sum": ("sum teller / sum nevner", "sum over sum", "sum teljar / sum nemnar"),
    "simple_mean": (
        f"enkelt snitt {AVERAGE_MARK}",
        f"simple mean {AVERAGE_MARK}",
        f"enkelt snitt {AVERAGE_MARK}",
    ),
    "population_weighted": (
        "veid med innbyggere",
        "weighted by inhabitants",
        "vekta med innbyggjarar",
    ),
    "series_weighted": ("veid med SSB-serie", "weighted by an SSB series", "vekta med SSB-serie"),
}

OWN_COMPUTATION = api.Note(
    "egen beregning etter ASSS/KS-metoden, ikke KS' egne tall",
    "our own computation after the ASSS/KS method, not KS's own figures",
    "eiga berekning etter ASSS/KS-metoden, ikkje tala til KS sjølv",
)


@dataclass(frozen=True)
class ReportGroup:
    """Who a report compares: the municipality, its peer group's name and members, and the
    report's choices of who enters each average."""

    code: str
    name: str
    peers_name: str
    members: Sequence[str]
    profile_include_self: bool = True
    costs_include_self: bool = True
    costs_exclude_oslo: bool = False
    production_reference: str = "peers"


def rule_counts(facts: MethodFacts) -> dict[str, int]:
    """How many of the catalog's figures each averaging rule covers (rules with none left out)."""
    counts = dict(facts.averages.group_by("averaging_rule").len().iter_rows())
    return {rule: int(counts[rule]) for rule in RULE_WORDS if counts.get(rule)}


def used_sector_weights(facts: MethodFacts) -> dict[str, float]:
    """The fixed sector weights that enter the production and efficiency totals."""
    return {s: float(w) for s, w in facts.sector_weights.items() if s in PRODUCTION_SECTORS}


def _weights_text(weights: Mapping[str, float], lang: str) -> str:
    parts = [f"{sector} {weight:.4f}" for sector, weight in weights.items()]
    text = ", ".join(parts)
    return text if lang == "en" else text.replace(".", ",")


def method_assumptions(facts: MethodFacts, group: ReportGroup) -> list[Assumption]:
    """The method rows of the report, each stating a fact of ``facts`` or of ``group``."""
    counts = rule_counts(facts)
    differences = facts.averages.filter(facts.averages["comparison"] == "difference").height
    profile_reference = api.reference_note(
        group.peers_name,
        group.members,
        group.code,
        group.name,
        include_self=group.profile_include_self,
        exclude_oslo=False,
        what=api.Note("referansen", "the reference"),
        how=api.Note("snittet av", "the average of"),
    )
    costs_reference = api.reference_note(
        group.peers_name,
        group.members,
        group.code,
        group.name,
        include_self=group.costs_include_self,
        exclude_oslo=group.costs_exclude_oslo,
        what=api.Note("referansen", "the reference"),
    )
    as_ks = group.costs_include_self and not group.costs_exclude_oslo
    if group.production_reference == "country":
        production_reference = api.Note(
            "referansen (= 100): landet (alle kommuner; ressursbruk som sum over sum)",
            "the reference (= 100): the country (every municipality; resource use as a sum "
            "over sum)",
            "referansen (= 100): landet (alle kommunar; ressursbruk som sum over sum)",
        )
    else:
        production_reference = api.reference_note(
            group.peers_name,
            group.members,
            group.code,
            group.name,
            include_self=True,
            exclude_oslo=False,
            what=api.Note("referansen (= 100)", "the reference (= 100)"),
            how=api.Note("snittet av", "the average of"),
        )
        production_reference = api.Note(
            production_reference.nb + "; ressursbruken som uvektet snitt",
            production_reference.en + "; resource use as an unweighted mean",
            production_reference.text("nn") + "; ressursbruken som uvekta snitt",
        )
    weights = used_sector_weights(facts)
    small = facts.small_numbers
    production_text = facts.extra[0] if facts.extra else None
    return [
        Assumption(
            key="peer_average",
            value=", ".join(f"{n} {RULE_WORDS[r][0]}" for r, n in counts.items()),
            value_en=", ".join(f"{n} {RULE_WORDS[r][1]}" for r, n in counts.items()),
            text_nb="Snitt i tjenesteprofilen: " + facts.averaging.nb + "; " + profile_reference.nb,
            text_en="Profile averages: " + facts.averaging.en + "; " + profile_reference.en,
            value_nn=", ".join(f"{n} {RULE_WORDS[r][2]}" for r, n in counts.items()),
            text_nn="Snitt i tenesteprofilen: "
            + facts.averaging.text("nn")
            + "; "
            + profile_reference.text("nn"),
        ),
        Assumption(
            key="average_mark",
            value=AVERAGE_MARK,
            text_nb=facts.average_legend.nb,
            text_en=facts.average_legend.en,
            text_nn=facts.average_legend.text("nn"),
        ),
        Assumption(
            key="difference",
            value=f"{differences} tall",
            value_en=f"{differences} figures",
            text_nb=facts.difference.nb[:1].upper() + facts.difference.nb[1:],
            text_en=facts.difference.en[:1].upper() + facts.difference.en[1:],
            value_nn=f"{differences} tal",
            text_nn=_capital(facts.difference.text("nn")),
        ),
        Assumption(
            key="costs_average",
            value=costs_reference.nb,
            value_en=costs_reference.en,
            text_nb="Ressursbruk og mer-/mindreutgift måles mot det uvektede snittet av "
            "kommunene i gruppen"
            + (
                " (som KS: alle medlemmene)"
                if as_ks
                else " (avviker fra KS, som bruker alle medlemmene)"
            ),
            text_en="Resource use and NOK more/less are measured against the unweighted mean of "
            "the group's municipalities"
            + (" (as KS: every member)" if as_ks else " (unlike KS, which uses every member)"),
            value_nn=costs_reference.text("nn"),
            text_nn="Ressursbruk og meir-/mindreutgift blir målte mot det uvekta snittet av "
            "kommunane i gruppa"
            + (
                " (som KS: alle medlemmene)"
                if as_ks
                else " (avvik frå KS, som brukar alle medlemmene)"
            ),
        ),
        Assumption(
            key="production",
            value=production_reference.nb
            + "; faste sektorvekter fra kostnadsnøkkelen 2026 (renormalisert over sektorene "
            "med tall): " + _weights_text(weights, "nb"),
            value_en=production_reference.en
            + "; fixed sector weights of the 2026 cost key (renormalised over the sectors with "
            "figures): " + _weights_text(weights, "en"),
            text_nb="Produksjons- og effektivitetsindeks: "
            + OWN_COMPUTATION.nb
            + "; dekningsgrader mot behovskorrigert målgruppe; "
            + (production_text.nb if production_text else ""),
            text_en="Production and efficiency index: "
            + OWN_COMPUTATION.en
            + "; coverage against the need-corrected target group; "
            + (production_text.en if production_text else ""),
            value_nn=production_reference.text("nn")
            + "; faste sektorvekter frå kostnadsnøkkelen 2026 (renormaliserte over sektorane "
            "med tal): " + _weights_text(weights, "nn"),
            text_nn="Produksjons- og effektivitetsindeks: "
            + OWN_COMPUTATION.text("nn")
            + "; dekningsgrader mot behovskorrigert målgruppe; "
            + (production_text.text("nn") if production_text else ""),
        ),
        Assumption(
            key="efficiency",
            value=OWN_COMPUTATION.nb,
            value_en=OWN_COMPUTATION.en,
            text_nb=facts.efficiency.nb[:1].upper() + facts.efficiency.nb[1:],
            text_en=facts.efficiency.en[:1].upper() + facts.efficiency.en[1:],
            value_nn=OWN_COMPUTATION.text("nn"),
            text_nn=_capital(facts.efficiency.text("nn")),
        ),
        Assumption(
            # the key the slides' caveats ask for
            key="no_pension",
            value="; ".join(d.nb for d in facts.ks_deviations),
            value_en="; ".join(d.en for d in facts.ks_deviations),
            text_nb="Avvik fra KS' metode som gjenstår",
            text_en="Remaining deviations from KS's method",
            value_nn="; ".join(d.text("nn") for d in facts.ks_deviations),
            text_nn="Avvik frå metoden til KS som står att",
        ),
        Assumption(
            key="small_numbers",
            value=f"under {small.min_base:.0f} innbyggere; indeks over {small.index_cap:.0f} "
            f"eller under {small.index_floor:.0f}; endring over ±{small.change_cap:.0f} %",
            value_en=f"below {small.min_base:.0f} inhabitants; index above "
            f"{small.index_cap:.0f} or below {small.index_floor:.0f}; change beyond "
            f"±{small.change_cap:.0f} %",
            text_nb=small.text().nb[:1].upper() + small.text().nb[1:],
            text_en=small.text().en[:1].upper() + small.text().en[1:],
            value_nn=f"under {small.min_base:.0f} innbyggjarar; indeks over "
            f"{small.index_cap:.0f} eller under {small.index_floor:.0f}; endring over "
            f"±{small.change_cap:.0f} %",
            text_nn=_capital(small.text().text("nn")),
        ),
    ]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
