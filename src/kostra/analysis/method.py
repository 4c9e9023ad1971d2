"""The method facts: what the analyses compute, as data, so that method text cannot drift.

Every surface that explains a method (the report's "Metode og forutsetninger", the web's notes,
the CLI's legends) builds its words from :func:`method_facts`, and the analysis functions read
their rules from the same functions here (:func:`peer_averaging`, :func:`averaging_table`).

Peer averages (ASSS, "Gjennomsnittsberegninger i ASSS-analysene"):

* a figure with numerator and denominator in the catalog (a formula) is averaged as
  Σ numerator / Σ denominator over the peers with data ("sum over sum");
* SSB's ready-made ratios (a ``source`` in the catalog) are averaged as the simple, unweighted
  mean of the municipalities' ratios and marked ``*`` (as ASSS marks them), by default
  (``ready_ratios="simple"``); ``ready_ratios="weighted"`` weights them by the catalog's
  ``weight_by`` (inhabitants of the figure's age group, or a series) instead;
* a ready ratio the catalog marks ``average = "simple"`` is always a simple mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from kostra.catalog.models import Averaging, Catalog, Indicator, PopulationRef

ReadyRatios = Literal["simple", "weighted"]
READY_RATIOS: tuple[str, ...] = ("simple", "weighted")
DEFAULT_READY_RATIOS: ReadyRatios = "simple"
"""ASSS's rule: SSB's ready-made ratios are averaged unweighted and marked ``*``."""

AveragingRule = Literal["sum_over_sum", "simple_mean", "population_weighted", "series_weighted"]

AVERAGE_MARK = "*"


@dataclass(frozen=True)
class Text:
    """A fact's wording in bokmål, English and nynorsk."""

    nb: str
    en: str
    nn: str | None = None

    def text(self, lang: str = "nb") -> str:
        """The wording in ``lang`` (``nb``, ``nn`` or ``en``; nynorsk falls back to bokmål)."""
        if lang == "en":
            return self.en
        if lang == "nn" and self.nn is not None:
            return self.nn
        return self.nb


def check_ready_ratios(ready_ratios: str) -> ReadyRatios:
    """``ready_ratios`` if it is a known rule; ``ValueError`` otherwise."""
    if ready_ratios == "simple":
        return "simple"
    if ready_ratios == "weighted":
        return "weighted"
    raise ValueError(f"ready_ratios must be one of {READY_RATIOS}, not {ready_ratios!r}")


def peer_averaging(
    indicator: Indicator, ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS
) -> Averaging:
    """How the peer average of ``indicator`` is formed: ``weighted`` (Σ a / Σ b) or ``simple``.

    Formulas follow the catalog (sum over sum); a ready ratio is a simple mean unless
    ``ready_ratios="weighted"`` and the catalog gives it a weight.
    """
    check_ready_ratios(ready_ratios)
    if indicator.formula is not None:
        return indicator.average
    if ready_ratios == "weighted" and indicator.average == "weighted":
        return "weighted"
    return "simple"


def averaging_rule(
    indicator: Indicator, ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS
) -> AveragingRule:
    """The rule's name: ``sum_over_sum``, ``simple_mean``, ``population_weighted`` or
    ``series_weighted``."""
    if peer_averaging(indicator, ready_ratios) == "simple":
        return "simple_mean"
    if indicator.formula is not None:
        return "sum_over_sum"
    return (
        "population_weighted"
        if isinstance(indicator.weight_by, PopulationRef)
        else ("series_weighted")
    )


def _weight_text(indicator: Indicator, rule: AveragingRule) -> str | None:
    if rule == "sum_over_sum":
        assert indicator.formula is not None
        den = indicator.formula.denominator
        if isinstance(den, PopulationRef):
            return f"innbyggere {den.age_group}"
        return "SSB " + ", ".join(sorted({f"{r.table_id} {r.contents_code}" for r in den}))
    if rule == "population_weighted":
        assert isinstance(indicator.weight_by, PopulationRef)
        return f"innbyggere {indicator.weight_by.age_group}"
    if rule == "series_weighted":
        ref = indicator.weight_by
        assert ref is not None
        assert not isinstance(ref, PopulationRef)
        return f"SSB {ref.table_id} {ref.contents_code}"
    return None


AVERAGING_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.Utf8(),
    "ready_ratio": pl.Boolean(),
    "average": pl.Utf8(),
    "averaging_rule": pl.Utf8(),
    "average_weight": pl.Utf8(),
    "average_marked": pl.Boolean(),
    "comparison": pl.Utf8(),
    "counts_inhabitants": pl.Boolean(),
}


def averaging_table(
    catalog: Catalog | Iterable[Indicator], ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS
) -> pl.DataFrame:
    """Per indicator: ``ready_ratio``, ``average`` (``weighted``/``simple``, what the profile
    computes), ``averaging_rule``, ``average_weight`` (what the sums or weights count),
    ``average_marked`` (a simple mean of a ready ratio: shown with ``*``), ``comparison``
    (``index`` or ``difference``) and ``counts_inhabitants`` (the ``denominator`` is the
    inhabitants of the age group: the base of the small-number rule)."""
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    rows = []
    for indicator in indicators:
        rule = averaging_rule(indicator, ready_ratios)
        ready = indicator.source is not None
        rows.append(
            (
                indicator.id,
                ready,
                peer_averaging(indicator, ready_ratios),
                rule,
                _weight_text(indicator, rule),
                average_marked(indicator, ready_ratios),
                indicator.comparison,
                counts_inhabitants(indicator),
            )
        )
    return pl.DataFrame(rows, schema=AVERAGING_SCHEMA, orient="row")


def average_marked(indicator: Indicator, ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS) -> bool:
    """Whether the indicator's peer average is a simple mean of SSB's ready ratio (shown with
    ``*``): :func:`averaging_table`'s ``average_marked`` for one indicator."""
    return indicator.source is not None and averaging_rule(indicator, ready_ratios) == "simple_mean"


def averaging_text(ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS) -> Text:
    """The averaging rule in words, exactly as :func:`peer_averaging` applies it."""
    if check_ready_ratios(ready_ratios) == "simple":
        return Text(
            "snittet er sum teller / sum nevner over kommunene med tall der teller og nevner "
            f"finnes; SSBs ferdige forholdstall er enkelt (uvektet) snitt, merket {AVERAGE_MARK}",
            "the average is the sum of numerators / sum of denominators over the municipalities "
            "with figures where both exist; SSB's ready-made ratios are a simple (unweighted) "
            f"mean, marked {AVERAGE_MARK}",
            "snittet er sum teljar / sum nemnar over kommunane med tal der både teljar og "
            f"nemnar finst; dei ferdige forholdstala frå SSB er enkelt (uvekta) snitt, merkte "
            f"{AVERAGE_MARK}",
        )
    return Text(
        "snittet er sum teller / sum nevner over kommunene med tall der teller og nevner finnes; "
        "SSBs ferdige forholdstall er veid med innbyggerne i aldersgruppen (eller katalogens "
        "vektserie); forholdstall uten vekt er enkelt snitt, merket "
        f"{AVERAGE_MARK}",
        "the average is the sum of numerators / sum of denominators over the municipalities "
        "with figures where both exist; SSB's ready-made ratios are weighted by the inhabitants "
        "of the age group (or the catalog's weight series); ratios without a weight are a simple "
        f"mean, marked {AVERAGE_MARK}",
        "snittet er sum teljar / sum nemnar over kommunane med tal der både teljar og nemnar "
        "finst; dei ferdige forholdstala frå SSB er vekta med innbyggjarane i aldersgruppa "
        "(eller vektserien i katalogen); forholdstal utan vekt er enkelt snitt, merkte "
        f"{AVERAGE_MARK}",
    )


AVERAGE_LEGEND = Text(
    f"{AVERAGE_MARK} enkelt (uvektet) snitt av kommunenes ferdige forholdstall fra SSB, som i ASSS",
    f"{AVERAGE_MARK} simple (unweighted) mean of the municipalities' ready-made SSB ratios, "
    "as ASSS computes it",
    f"{AVERAGE_MARK} enkelt (uvekta) snitt av dei ferdige forholdstala til kommunane frå SSB, "
    "som i ASSS",
)
DIFFERENCE_TEXT = Text(
    "tall med fortegn eller nær null (resultat, fond, netto i prosent av brutto o.l.) "
    "sammenlignes som differanse (prosentpoeng, kroner), ikke som indeks",
    "signed and near-zero figures (results, funds, net in per cent of gross and the like) "
    "are compared as differences (percentage points, NOK), never as an index",
    "tal med forteikn eller nær null (resultat, fond, netto i prosent av brutto o.l.) "
    "blir samanlikna som skilnad (prosentpoeng, kroner), ikkje som indeks",
)

KS_DEVIATIONS: tuple[Text, ...] = (
    Text(
        "ingen skolebidragsindikator i grunnskolens produksjonsindeks (KS bruker "
        "Utdanningsdirektoratets skolebidrag; vi har bare grunnskolepoeng fra KOSTRA)",
        "no school-contribution indicator in grunnskole's production index (KS uses the "
        "Directorate for Education's skolebidrag; we only have KOSTRA's grunnskolepoeng)",
        "ingen skulebidragsindikator i produksjonsindeksen for grunnskulen (KS brukar "
        "skulebidraget frå Utdanningsdirektoratet; vi har berre grunnskulepoeng frå KOSTRA)",
    ),
    Text(
        "ingen korreksjon for pensjon og arbeidsgiveravgift (KS korrigerer ressursbruken for "
        "ulik pensjonskostnad og arbeidsgiveravgift)",
        "no pension or employer's-tax correction (KS corrects resource use for differing "
        "pension cost and employer's tax)",
        "ingen korreksjon for pensjon og arbeidsgjevaravgift (KS korrigerer ressursbruken for "
        "ulik pensjonskostnad og arbeidsgjevaravgift)",
    ),
    Text(
        "ingen fradrag for avskrivninger i netto driftsutgifter (KS trekker dem fra)",
        "no depreciation subtracted from net operating expenditure (KS subtracts it)",
        "ingen frådrag for avskrivingar i netto driftsutgifter (KS trekkjer dei frå)",
    ),
    Text(
        "indikatorene og vektene i produksjonsindeksene er katalogens egne; KS publiserer ikke "
        "sine vekter i lesbar form",
        "the production indices' indicators and weights are the catalog's own; KS does not "
        "publish its weights in readable form",
        "indikatorane og vektene i produksjonsindeksane er dei eigne til katalogen; KS "
        "publiserer ikkje vektene sine i lesbar form",
    ),
)
"""Where our reconstruction of the ASSS/KS production, resource-use and efficiency figures
still differs from KS's method (for the report's method section)."""

EFFICIENCY_DEFINITION = Text(
    "effektivitet = 100 × produksjonsindeks / ressursbruksindeks (brutto driftsutgifter per "
    "behovskorrigert innbygger mot referansen); samlet: samlet produksjon / samlet ressursbruk, "
    "begge veid med de samme faste sektorvektene over sektorene der begge finnes",
    "efficiency = 100 × production index / resource-use index (gross operating expenditure per "
    "need-corrected inhabitant against the reference); in total: total production / total "
    "resource use, both weighted with the same fixed sector weights over the sectors where "
    "both exist",
    "effektivitet = 100 × produksjonsindeks / ressursbruksindeks (brutto driftsutgifter per "
    "behovskorrigert innbyggjar mot referansen); samla: samla produksjon / samla ressursbruk, "
    "begge vekta med dei same faste sektorvektene over sektorane der begge finst",
)


@dataclass(frozen=True)
class SmallNumbers:
    """The small-number rule, in the spirit of SSB's suppression of figures on few units.

    * ``min_base``: a figure whose own base (the inhabitants of its age group: the denominator
      of a per-inhabitant formula, the weight of a population-weighted ready ratio; the
      need-corrected target group of a production coverage indicator) is below this count gets
      no index and no percentage change (``small_base``); the value itself is shown, as SSB
      publishes it.
    * ``index_cap`` / ``index_floor``: an index above the cap or below the floor is shown but
      flagged (``beyond_cap``), as is a percentage change beyond ±``change_cap`` % and a
      resource-use indicator beyond ``index_cap / 100`` or below ``index_floor / 100``.
    """

    min_base: float = 50.0
    index_cap: float = 300.0
    index_floor: float = 100.0 / 3.0
    change_cap: float = 100.0

    def text(self) -> Text:
        """The rule in words, with its numbers."""
        return Text(
            f"små tall: har en kommune færre enn {self.min_base:.0f} innbyggere i tallets "
            "aldersgruppe (eller i målgruppen for en dekningsgrad), vises verdien, men ikke "
            f"indeks eller prosentvis endring; indekser over {self.index_cap:.0f} eller under "
            f"{self.index_floor:.0f} og endringer over ±{self.change_cap:.0f} % er merket",
            f"small numbers: where a municipality has fewer than {self.min_base:.0f} inhabitants "
            "in the figure's age group (or in a coverage figure's target group), the value is "
            f"shown but no index or percentage change; indices above {self.index_cap:.0f} or "
            f"below {self.index_floor:.0f} and changes beyond ±{self.change_cap:.0f} % are flagged",
            f"små tal: har ein kommune færre enn {self.min_base:.0f} innbyggjarar i aldersgruppa "
            "til talet (eller i målgruppa for ein dekningsgrad), blir verdien vist, men ikkje "
            f"indeks eller endring i prosent; indeksar over {self.index_cap:.0f} eller under "
            f"{self.index_floor:.0f} og endringar over ±{self.change_cap:.0f} % er merkte",
        )

    def beyond(self, index: pl.Expr) -> pl.Expr:
        """An index (average = 100) outside ``[index_floor, index_cap]`` (false when null)."""
        return ((index > self.index_cap) | (index < self.index_floor)).fill_null(False)


SMALL_NUMBERS = SmallNumbers()


def counts_inhabitants(indicator: Indicator) -> bool:
    """Whether the indicator's ``denominator`` in the evaluated frame counts inhabitants of its
    age group (a per-inhabitant formula, or a ready ratio weighted by population)."""
    if indicator.formula is not None:
        return isinstance(indicator.formula.denominator, PopulationRef)
    return isinstance(indicator.weight_by, PopulationRef) and indicator.average == "weighted"


@dataclass(frozen=True)
class MethodFacts:
    """The facts a method section states, straight from the code's own rules.

    ``averages``: :func:`averaging_table`; ``production_weights``: per production indicator its
    sector, kind and catalog weight, and the weight's share of the sector (``weight_share``);
    ``sector_weights``: the fixed sector weights of the totals; ``ready_ratios``: the rule in
    force; ``reference``: which municipalities the averages cover (words); texts: the averaging
    rule, the legend of ``*``, the difference rule, the efficiency definition and the
    deviations from KS; ``small_numbers``: the small-number rule (its ``text()``).
    """

    ready_ratios: ReadyRatios
    averages: pl.DataFrame
    production_weights: pl.DataFrame
    sector_weights: Mapping[str, float]
    averaging: Text
    average_legend: Text
    difference: Text
    efficiency: Text
    ks_deviations: tuple[Text, ...]
    reference: Text | None = None
    extra: tuple[Text, ...] = field(default=())
    small_numbers: SmallNumbers = SMALL_NUMBERS


def production_weights(catalog: Catalog | Iterable[Indicator]) -> pl.DataFrame:
    """``sector, indicator_id, kind, weight, weight_share`` of every production indicator, as
    :func:`kostra.analysis.production.production_indices` uses them (weights renormalised to
    the sector's indicators with data)."""
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    rows = [
        (i.sector.value, i.id, i.production.kind, float(i.production.weight))
        for i in indicators
        if i.production is not None
    ]
    frame = pl.DataFrame(
        rows,
        schema={"sector": pl.Utf8, "indicator_id": pl.Utf8, "kind": pl.Utf8, "weight": pl.Float64},
        orient="row",
    )
    return frame.with_columns(
        (pl.col("weight") / pl.col("weight").sum().over("sector")).alias("weight_share")
    )


def production_weights_text(weights: pl.DataFrame) -> Text:
    """The production weights in words: equal within a sector, or each indicator's weight."""
    nb_parts, en_parts, nn_parts = [], [], []
    for (sector,), part in weights.group_by("sector", maintain_order=True):
        values = part["weight"].to_list()
        if len(set(values)) == 1:
            nb_parts.append(f"{sector}: like vekter ({len(values)} indikatorer)")
            en_parts.append(f"{sector}: equal weights ({len(values)} indicators)")
            nn_parts.append(f"{sector}: like vekter ({len(values)} indikatorar)")
        else:
            listed = ", ".join(
                f"{i} {w:g}" for i, w in zip(part["indicator_id"], values, strict=True)
            )
            nb_parts.append(f"{sector}: {listed}")
            en_parts.append(f"{sector}: {listed}")
            nn_parts.append(f"{sector}: {listed}")
    return Text(
        "vekter innen sektor (katalogens): " + "; ".join(nb_parts),
        "weights within sectors (the catalog's): " + "; ".join(en_parts),
        "vekter innan sektor (frå katalogen): " + "; ".join(nn_parts),
    )


def method_facts(
    catalog: Catalog | Iterable[Indicator],
    *,
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    sector_weights: Mapping[str, float] | None = None,
    reference: Text | None = None,
) -> MethodFacts:
    """The method facts of the analyses with these settings (one function for every surface).

    ``sector_weights`` default to the production totals' weights
    (:data:`kostra.analysis.production.COST_KEY_WEIGHTS_2026`).
    """
    if sector_weights is None:
        from kostra.analysis.production import COST_KEY_WEIGHTS_2026

        sector_weights = COST_KEY_WEIGHTS_2026
    weights = production_weights(catalog)
    return MethodFacts(
        ready_ratios=check_ready_ratios(ready_ratios),
        averages=averaging_table(catalog, ready_ratios),
        production_weights=weights,
        sector_weights=dict(sector_weights),
        averaging=averaging_text(ready_ratios),
        average_legend=AVERAGE_LEGEND,
        difference=DIFFERENCE_TEXT,
        efficiency=EFFICIENCY_DEFINITION,
        ks_deviations=KS_DEVIATIONS,
        reference=reference,
        extra=(production_weights_text(weights),),
    )
