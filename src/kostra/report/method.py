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

from kostra import api, i18n
from kostra.analysis._barometer import model as barometer_model
from kostra.analysis._barometer.income import income_label
from kostra.analysis.method import AVERAGE_MARK, MethodFacts, Text, Value
from kostra.analysis.production import PRODUCTION_SECTORS
from kostra.report.geo import GEO_BORDERS_YEAR
from kostra.report.model import Assumption

#: the order of ``Text``'s wordings
_ORDER = ("nb", "en", "nn")

#: the averaging rules in the order the report names them, and the message of each
RULE_WORDS: Mapping[str, str] = {
    "sum_over_sum": i18n.N_("method.rule.sum_over_sum"),
    "simple_mean": i18n.N_("method.rule.simple_mean"),
    "population_weighted": i18n.N_("method.rule.population_weighted"),
    "series_weighted": i18n.N_("method.rule.series_weighted"),
}


def rule_words(rule: str, lang: str) -> str:
    """An averaging rule's name as the report prints it in ``lang`` ("sum teller / sum
    nevner", "enkelt snitt *")."""
    return i18n.text(RULE_WORDS[rule], lang, mark=AVERAGE_MARK)


def _note(key: str, /, **values: Value) -> api.Note:
    """The catalog message ``key`` as a note in the three languages."""
    words = Text.message(key, **values)
    return api.Note(words.nb, words.en, words.text("nn"))


def own_computation() -> api.Note:
    """That the production and efficiency figures are ours, not KS's."""
    return _note("method.report.own_computation")


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
    return ", ".join(
        f"{i18n.sector_name(sector, lang)} {i18n.number(weight, lang, 4)}"
        for sector, weight in weights.items()
    )


def method_assumptions(facts: MethodFacts, group: ReportGroup) -> list[Assumption]:
    """The method rows of the report, each stating a fact of ``facts`` or of ``group``."""
    counts = rule_counts(facts)
    differences = facts.averages.filter(facts.averages["comparison"] == "difference").height
    the_reference = _note("method.report.reference")
    the_average_of = _note("method.report.average_of")
    profile_reference = api.reference_note(
        group.peers_name,
        group.members,
        group.code,
        group.name,
        include_self=group.profile_include_self,
        exclude_oslo=False,
        what=the_reference,
        how=the_average_of,
    )
    costs_reference = api.reference_note(
        group.peers_name,
        group.members,
        group.code,
        group.name,
        include_self=group.costs_include_self,
        exclude_oslo=group.costs_exclude_oslo,
        what=the_reference,
    )
    as_ks = group.costs_include_self and not group.costs_exclude_oslo
    if group.production_reference == "country":
        production_reference = _note("method.report.reference_country")
    else:
        peers = api.reference_note(
            group.peers_name,
            group.members,
            group.code,
            group.name,
            include_self=True,
            exclude_oslo=False,
            what=_note("method.report.reference_100"),
            how=the_average_of,
        )
        production_reference = _note("method.report.reference_peers", reference=peers.text)
    weights = used_sector_weights(facts)
    small = facts.small_numbers
    production_text = facts.extra[0] if facts.extra else None
    own = own_computation()

    def rules(lang: str) -> str:
        return ", ".join(
            f"{i18n.number(n, lang, 0)} {rule_words(rule, lang)}" for rule, n in counts.items()
        )

    def figure(value: float) -> Value:
        return lambda lang: i18n.number(value, lang, 0)

    peer_average = _note(
        "method.report.peer_average",
        averaging=facts.averaging.text,
        reference=profile_reference.text,
    )
    costs_text = _note(
        "method.report.costs_average_as_ks" if as_ks else "method.report.costs_average_unlike_ks"
    )
    production_value = _note(
        "method.report.production_value",
        reference=production_reference.text,
        weights=lambda lang: _weights_text(weights, lang),
    )
    production = _note(
        "method.report.production",
        own=own.text,
        weights=production_text.text if production_text else "",
    )
    deviations = _note("method.report.ks_deviations")
    small_value = _note(
        "method.report.small_numbers_value",
        min_base=figure(small.min_base),
        index_cap=figure(small.index_cap),
        index_floor=figure(small.index_floor),
        change_cap=figure(small.change_cap),
    )
    small_text = small.text()
    return [
        Assumption(
            key="peer_average",
            value=rules("nb"),
            value_en=rules("en"),
            value_nn=rules("nn"),
            text_nb=peer_average.nb,
            text_en=peer_average.en,
            text_nn=peer_average.text("nn"),
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
            value=i18n.plural("method.report.figures", differences, "nb"),
            value_en=i18n.plural("method.report.figures", differences, "en"),
            value_nn=i18n.plural("method.report.figures", differences, "nn"),
            text_nb=_capital(facts.difference.nb),
            text_en=_capital(facts.difference.en),
            text_nn=_capital(facts.difference.text("nn")),
        ),
        Assumption(
            key="costs_average",
            value=costs_reference.nb,
            value_en=costs_reference.en,
            value_nn=costs_reference.text("nn"),
            text_nb=costs_text.nb,
            text_en=costs_text.en,
            text_nn=costs_text.text("nn"),
        ),
        Assumption(
            key="production",
            value=production_value.nb,
            value_en=production_value.en,
            value_nn=production_value.text("nn"),
            text_nb=production.nb,
            text_en=production.en,
            text_nn=production.text("nn"),
        ),
        Assumption(
            key="efficiency",
            value=own.nb,
            value_en=own.en,
            value_nn=own.text("nn"),
            text_nb=_capital(facts.efficiency.nb),
            text_en=_capital(facts.efficiency.en),
            text_nn=_capital(facts.efficiency.text("nn")),
        ),
        Assumption(
            # the key the slides' caveats ask for
            key="no_pension",
            value="; ".join(d.nb for d in facts.ks_deviations),
            value_en="; ".join(d.en for d in facts.ks_deviations),
            value_nn="; ".join(d.text("nn") for d in facts.ks_deviations),
            text_nb=deviations.nb,
            text_en=deviations.en,
            text_nn=deviations.text("nn"),
        ),
        Assumption(
            key="small_numbers",
            value=small_value.nb,
            value_en=small_value.en,
            value_nn=small_value.text("nn"),
            text_nb=_capital(small_text.nb),
            text_en=_capital(small_text.en),
            text_nn=_capital(small_text.text("nn")),
        ),
    ]


def _assumption(key: str, value: Text, text: Text) -> Assumption:
    """A row whose setting and words are catalog messages, in the three languages."""
    return Assumption(
        key=key,
        value=value.nb,
        value_en=value.en,
        value_nn=value.text("nn"),
        text_nb=text.nb,
        text_en=text.en,
        text_nn=text.text("nn"),
    )


def need_year_assumption(need_year: int | None, fallback: bool) -> Assumption:
    """The expenditure-need year the costs are corrected with (and whether it is the nearest
    year available rather than the budget year after the accounts)."""
    year = str(need_year)
    value = (
        Text.message("method.report.need_year_nearest", year=year) if fallback else Text(year, year)
    )
    return _assumption("need_year", value, Text.message("method.report.need_year"))


#: the borders rules as the report names them (``inputs.borders_rule``)
_BORDERS_RULES = i18n.Words("method.report.borders_rule", ("year", "newest", "chosen"))


def borders_assumption(year: int, borders: int, rule: str, first_year: int) -> Assumption:
    """The borders row: which borders and members (the words of ``api.borders_note``, which
    every CLI and API result carries too), the series harmonised to them, and the map on the
    newest borders."""
    note = api.borders_note(year, borders, first_year=first_year)

    def said(lang: str) -> str:
        words = i18n.text("method.report.borders", lang, note=note.text(lang))
        if borders < GEO_BORDERS_YEAR:
            maps = i18n.text("method.report.borders_map", lang, year=str(GEO_BORDERS_YEAR))
            words = f"{words}; {maps}"
        return words

    def setting(lang: str) -> str:
        chosen = _BORDERS_RULES[lang][rule if rule in ("year", "newest") else "chosen"]
        return f"{borders} ({chosen})"

    return _assumption(
        "borders",
        Text(setting("nb"), setting("en"), setting("nn")),
        Text(said("nb"), said("en"), said("nn")),
    )


def barometer_assumptions(
    scoring: barometer_model.ScoringParams, income: str, method_name: Text, resamples: int
) -> list[Assumption]:
    """The barometer rows: the scoring, the income of the adjusted rank, the ranking named as
    ours (``method_name``), and the rank intervals' resamples."""
    value = Text.message(
        "method.report.barometer_value",
        scoring=scoring.describe,
        income=lambda lang: income_label(income, lang),
    )
    text = Text.message("method.report.barometer", method=method_name.text)
    draws = Text(*(i18n.plural("method.report.resamples", resamples, lang) for lang in _ORDER))
    return [
        _assumption("barometer", value, text),
        _assumption("intervals", draws, Text.message("method.report.intervals")),
    ]


def default_peers_assumption() -> Assumption:
    """Which peer group a report compares with when none is chosen."""
    return _assumption(
        "default_peers",
        Text.message("method.report.default_peers_value"),
        Text.message("method.report.default_peers"),
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
