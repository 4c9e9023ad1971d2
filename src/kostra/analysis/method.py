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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from kostra import i18n
from kostra.analysis._barometer.text import lower_first
from kostra.catalog.models import Averaging, Catalog, Indicator, PopulationRef

ReadyRatios = Literal["simple", "weighted"]
READY_RATIOS: tuple[str, ...] = ("simple", "weighted")
DEFAULT_READY_RATIOS: ReadyRatios = "simple"
"""ASSS's rule: SSB's ready-made ratios are averaged unweighted and marked ``*``."""

AveragingRule = Literal["sum_over_sum", "simple_mean", "population_weighted", "series_weighted"]

AVERAGE_MARK = "*"


#: A value filled into a message: the same text in every language, or made per language
#: (a figure through :func:`kostra.i18n.number`, a sector's name, a plural count).
Value = str | Callable[[str], str]


class Text:
    """A fact's wording in bokmål, English and nynorsk: a catalog message (:meth:`message`),
    looked up when read so that importing the rules does not read the catalogs, or wording
    passed in from elsewhere (``Text(nb, en, nn)``)."""

    __slots__ = ("_given", "_key", "_values")

    def __init__(self, nb: str, en: str, nn: str | None = None) -> None:
        self._given = (nb, en, nn)
        self._key: str | None = None
        self._values: dict[str, Value] = {}

    @classmethod
    def message(cls, key: str, /, **values: Value) -> Text:
        """The catalog message ``key`` with its ``{placeholders}`` filled from ``values``."""
        made = cls("", "")
        made._key = key
        made._values = values
        return made

    def text(self, lang: str = "nb") -> str:
        """The wording in ``lang`` (``nb``, ``nn`` or ``en``; nynorsk falls back to bokmål)."""
        if self._key is not None:
            filled = {k: v if isinstance(v, str) else v(lang) for k, v in self._values.items()}
            return i18n.text(self._key, lang, **filled)
        nb, en, nn = self._given
        if lang == "en":
            return en
        if lang == "nn" and nn is not None:
            return nn
        return nb

    @property
    def nb(self) -> str:
        """The bokmål wording."""
        return self.text("nb")

    @property
    def en(self) -> str:
        """The English wording."""
        return self.text("en")

    @property
    def nn(self) -> str | None:
        """The nynorsk wording (``None`` when wording passed in has none)."""
        return self.text("nn") if self._key is not None else self._given[2]

    def _words(self) -> tuple[str, str, str | None]:
        return (self.nb, self.en, self.nn)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and self._words() == other._words()

    def __hash__(self) -> int:
        return hash(self._words())

    def __reduce__(self) -> tuple[type[Text], tuple[str, str, str | None]]:
        # pickled as its words: the values a message is filled with may be local functions
        return (Text, self._words())

    def __repr__(self) -> str:
        if self._key is not None:
            return f"Text.message({self._key!r})"
        return f"Text{self._given!r}"


def _figure(value: float, decimals: int = 0) -> Callable[[str], str]:
    """``value`` as a reader of each language writes it (``1 234`` / ``1,234``)."""
    return lambda lang: i18n.number(value, lang, decimals)


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


def _population_weight(ref: PopulationRef) -> str:
    """The inhabitants a sum or weight counts, as a source reference in the same form as a
    series' ("SSB 07459 1-5": table 07459, the KOSTRA age group), not as words of a language."""
    return f"SSB 07459 {ref.age_group}"


def _weight_text(indicator: Indicator, rule: AveragingRule) -> str | None:
    if rule == "sum_over_sum":
        assert indicator.formula is not None
        den = indicator.formula.denominator
        if isinstance(den, PopulationRef):
            return _population_weight(den)
        return "SSB " + ", ".join(sorted({f"{r.table_id} {r.contents_code}" for r in den}))
    if rule == "population_weighted":
        assert isinstance(indicator.weight_by, PopulationRef)
        return _population_weight(indicator.weight_by)
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
    computes), ``averaging_rule``, ``average_weight`` (what the sums or weights count, as
    source references: ``SSB 07459 1-5`` for inhabitants aged 1–5, ``SSB 12362 KOS…``),
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
        return Text.message("method.averaging.simple", mark=AVERAGE_MARK)
    return Text.message("method.averaging.weighted", mark=AVERAGE_MARK)


AVERAGE_LEGEND = Text.message("method.average_legend", mark=AVERAGE_MARK)
DIFFERENCE_TEXT = Text.message("method.difference")

KS_DEVIATIONS: tuple[Text, ...] = (
    Text.message("method.ks.school_contribution"),
    Text.message("method.ks.pension"),
    Text.message("method.ks.depreciation"),
    Text.message("method.ks.weights"),
)
"""Where our reconstruction of the ASSS/KS production, resource-use and efficiency figures
still differs from KS's method (for the report's method section)."""

EFFICIENCY_DEFINITION = Text.message("method.efficiency")


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
        return Text.message(
            "method.small_numbers",
            min_base=_figure(self.min_base),
            index_cap=_figure(self.index_cap),
            index_floor=_figure(self.index_floor),
            change_cap=_figure(self.change_cap),
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


def production_weights_text(
    weights: pl.DataFrame, catalog: Catalog | Iterable[Indicator] = ()
) -> Text:
    """The production weights in words: per sector (by its name), equal weights and how many
    indicators, or each indicator's name and weight. ``catalog`` gives the indicators' names
    (an indicator it lacks is named by its id)."""
    indicators = catalog.indicators if isinstance(catalog, Catalog) else catalog
    names = {i.id: (i.name_nb, i.name_en) for i in indicators}
    sectors: list[tuple[str, list[str], list[float]]] = [
        (str(sector), part["indicator_id"].to_list(), part["weight"].to_list())
        for (sector,), part in weights.group_by("sector", maintain_order=True)
    ]

    def name(ident: str, lang: str) -> str:
        nb, en = names.get(ident, (ident, ident))
        return lower_first(en if lang == "en" else nb)

    def sector_part(sector: str, ids: list[str], values: list[float], lang: str) -> str:
        where = i18n.sector_name(sector, lang)
        if len(set(values)) == 1:
            count = i18n.plural("method.weights.indicators", len(values), lang)
            return i18n.text("method.weights.equal", lang, sector=where, count=count)
        listed = ", ".join(
            i18n.text(
                "method.weights.weight",
                lang,
                name=name(ident, lang),
                weight=i18n.number(value, lang, 0 if value.is_integer() else None),
            )
            for ident, value in zip(ids, values, strict=True)
        )
        return i18n.text("method.weights.listed", lang, sector=where, weights=listed)

    def listing(lang: str) -> str:
        return "; ".join(sector_part(*parts, lang) for parts in sectors)

    return Text.message("method.weights", sectors=listing)


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
    catalog = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
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
        extra=(production_weights_text(weights, catalog),),
    )
