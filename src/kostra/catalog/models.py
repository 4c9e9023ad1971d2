"""The indicator catalog's schema: indicator definitions are data (TOML), validated here.

Adding an indicator is a data change: a new ``[[indicator]]`` entry in one of the
``catalog/data/*.toml`` files. Nothing in code names an indicator.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Sector(StrEnum):
    """Service areas of the KOSTRA analysis, plus the barometer-only ones."""

    GRUNNSKOLE = "grunnskole"
    BARNEHAGE = "barnehage"
    BARNEVERN = "barnevern"
    PLEIE_OG_OMSORG = "pleie_og_omsorg"
    SOSIALE_TJENESTER = "sosiale_tjenester"
    KOMMUNEHELSE = "kommunehelse"
    KULTUR_OG_FRITID = "kultur_og_fritid"
    ADMINISTRASJON = "administrasjon"
    EIENDOM = "eiendom"
    OKONOMI = "okonomi"
    MILJO_OG_RESSURSER = "miljo_og_ressurser"
    SAKSBEHANDLING = "saksbehandling"
    VANN_AVLOP_RENOVASJON = "vann_avlop_renovasjon"


class BarometerSector(StrEnum):
    """Kommunebarometeret's twelve sectors."""

    GRUNNSKOLE = "grunnskole"
    PLEIE_OG_OMSORG = "pleie_og_omsorg"
    BARNEVERN = "barnevern"
    BARNEHAGE = "barnehage"
    HELSE = "helse"
    SOSIAL = "sosial"
    KULTUR = "kultur"
    MILJO_OG_RESSURSER = "miljo_og_ressurser"
    SAKSBEHANDLING = "saksbehandling"
    VANN_AVLOP_RENOVASJON = "vann_avlop_renovasjon"
    OKONOMI = "okonomi"
    KOSTNADSNIVA = "kostnadsniva"


Direction = Literal["higher_better", "lower_better", "neutral"]
Averaging = Literal["weighted", "simple"]
Comparison = Literal["index", "difference"]
"""How a figure is compared with an average: ``index`` (100 × value / average) or
``difference`` (value − average, in the figure's unit: percentage points, kroner). Signed and
near-zero figures (results, fund shares, net in per cent of gross) are compared as differences:
an index of a figure that can be zero or negative means nothing."""
Role = Literal["net_opex", "gross_opex", "total_net_opex"]
"""What a helper series is for: a sector's NDU or BDU, or the municipality's total NDU."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SeriesRef(_Strict):
    """One series of an SSB table: a ContentsCode, optionally narrowed by other dimensions.

    ``dims`` fixes the table's other dimensions (``{"KOKfunksjon0000": "202", "KOKart0000":
    "AGD2"}``). ``scale`` converts SSB's unit to the indicator's (1000 for "1000 kr" -> kr).
    """

    table_id: str = Field(pattern=r"^\d{5}$")
    contents_code: str = Field(min_length=1)
    dims: dict[str, str] = Field(default_factory=dict)
    scale: float = 1.0


class PopulationRef(_Strict):
    """Inhabitants of a KOSTRA age group, from table 07459 on 1 January of year t + ``offset``.

    ``offset`` is 1 for accounting figures ("per innbygger" uses 1 January of t+1, as SSB does).
    """

    age_group: str = "total"
    offset: int = 1
    per: float = 1.0


class Formula(_Strict):
    """``scale × sum(numerator) / sum(denominator)``; a weighted peer average sums both sides."""

    numerator: list[SeriesRef] = Field(min_length=1)
    denominator: list[SeriesRef] | PopulationRef
    scale: float = 1.0


class ProductionUse(_Strict):
    """How an indicator enters its sector's production index.

    ``kind``: ``coverage`` values are users per need-corrected target group; ``quality`` and
    ``ratio`` enter raw. ``weight`` is the indicator's weight inside the sector (renormalised).
    """

    kind: Literal["coverage", "quality", "ratio"]
    weight: float = Field(gt=0)


class BarometerUse(_Strict):
    """An indicator's place in Kommunebarometeret: sector and weight inside it."""

    sector: BarometerSector
    weight: float = Field(gt=0)


class Indicator(_Strict):
    """One key figure (nøkkeltall)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    sector: Sector
    name_nb: str
    name_en: str
    unit: str
    source: SeriesRef | None = None
    formula: Formula | None = None
    weight_by: SeriesRef | PopulationRef | None = None
    population_group: str | None = None
    direction: Direction
    average: Averaging
    comparison: Comparison = "index"
    in_profile: bool = True
    production: ProductionUse | None = None
    barometer: BarometerUse | None = None
    caveat_nb: str | None = None
    caveat_en: str | None = None
    caveat_nn: str | None = None
    source_confirmed: bool = False
    note: str | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _one_definition(self) -> Indicator:
        if (self.source is None) == (self.formula is None):
            raise ValueError(f"indicator {self.id}: give exactly one of 'source' or 'formula'")
        if self.average == "weighted" and self.formula is None and self.weight_by is None:
            raise ValueError(
                f"indicator {self.id}: a weighted average of a ready ratio needs 'weight_by'"
            )
        given = {self.caveat_nb is None, self.caveat_en is None, self.caveat_nn is None}
        if len(given) > 1:
            raise ValueError(
                f"indicator {self.id}: give the caveat in all three languages (nb, en, nn)"
            )
        return self

    def caveat(self, lang: str) -> str | None:
        """The caveat in ``lang`` (``nb``, ``nn`` or ``en``; bokmål for any other), or None."""
        if lang == "en":
            return self.caveat_en
        if lang == "nn":
            return self.caveat_nn
        return self.caveat_nb


class Catalog(_Strict):
    """All indicators, keyed by id."""

    indicators: tuple[Indicator, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        seen: set[str] = set()
        for indicator in self.indicators:
            if indicator.id in seen:
                raise ValueError(f"indicator id {indicator.id} is defined twice")
            seen.add(indicator.id)
        return self

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with this id; ``KeyError`` if there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def for_sector(self, sector: Sector) -> list[Indicator]:
        """The sector's indicators, in catalog order."""
        return [i for i in self.indicators if i.sector == sector]

    def with_role(self, sector: Sector, role: Role) -> Indicator:
        """The sector's helper series with this role (``net_opex`` / ``gross_opex``).

        ``KeyError`` if the sector has none: not every sector has a BDU series.
        """
        for indicator in self.indicators:
            if indicator.sector == sector and indicator.role == role:
                return indicator
        raise KeyError(f"{sector.value}:{role}")

    def for_barometer(self, sector: BarometerSector | None = None) -> list[Indicator]:
        """Indicators that enter Kommunebarometeret, optionally for one barometer sector."""
        return [
            i
            for i in self.indicators
            if i.barometer is not None and (sector is None or i.barometer.sector == sector)
        ]

    def for_production(self, sector: Sector) -> list[Indicator]:
        """The sector's indicators that enter its production index."""
        return [i for i in self.for_sector(sector) if i.production is not None]

    def series(self) -> list[SeriesRef]:
        """Every SSB series the catalog refers to (sources, formula sides, weights), unique."""
        seen: dict[tuple[str, str, tuple[tuple[str, str], ...]], SeriesRef] = {}
        for indicator in self.indicators:
            for ref in series_of(indicator):
                seen.setdefault(series_key(ref), ref)
        return list(seen.values())


def series_key(ref: SeriesRef) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A hashable identity of a series: table, contents code and sorted dims (scale ignored)."""
    return (ref.table_id, ref.contents_code, tuple(sorted(ref.dims.items())))


def series_of(indicator: Indicator) -> list[SeriesRef]:
    """The SSB series one indicator reads: its source, formula sides and ``weight_by``."""
    refs: list[SeriesRef] = []
    if indicator.source is not None:
        refs.append(indicator.source)
    if indicator.formula is not None:
        refs.extend(indicator.formula.numerator)
        if isinstance(indicator.formula.denominator, list):
            refs.extend(indicator.formula.denominator)
    if isinstance(indicator.weight_by, SeriesRef):
        refs.append(indicator.weight_by)
    return refs


def population_refs(indicator: Indicator) -> list[PopulationRef]:
    """The population groups one indicator reads (formula denominator or ``weight_by``)."""
    refs: list[PopulationRef] = []
    if indicator.formula is not None and isinstance(indicator.formula.denominator, PopulationRef):
        refs.append(indicator.formula.denominator)
    if isinstance(indicator.weight_by, PopulationRef):
        refs.append(indicator.weight_by)
    return refs
