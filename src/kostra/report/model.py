"""The report's input: one typed model, built by :func:`kostra.report.build.build_report_data`.

Everything the report shows comes from a :class:`ReportData`: rendering, charts and findings
never reach the warehouse or the analysis modules themselves. Values are in the indicator's
unit; ``None`` means missing (with SSB's status symbol where there is one), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from kostra.catalog.models import BarometerSector, Indicator, Sector
from kostra.workbench import KeyFigureTable

#: The nine sectors of the report, in the order ASSS reports present them.
REPORT_SECTORS: tuple[Sector, ...] = (
    Sector.GRUNNSKOLE,
    Sector.BARNEHAGE,
    Sector.BARNEVERN,
    Sector.PLEIE_OG_OMSORG,
    Sector.SOSIALE_TJENESTER,
    Sector.KOMMUNEHELSE,
    Sector.KULTUR_OG_FRITID,
    Sector.ADMINISTRASJON,
    Sector.EIENDOM,
)

#: The Kommunebarometer sector that ranks each report sector; ``None``: not ranked.
BAROMETER_SECTOR: dict[Sector, BarometerSector | None] = {
    Sector.GRUNNSKOLE: BarometerSector.GRUNNSKOLE,
    Sector.BARNEHAGE: BarometerSector.BARNEHAGE,
    Sector.BARNEVERN: BarometerSector.BARNEVERN,
    Sector.PLEIE_OG_OMSORG: BarometerSector.PLEIE_OG_OMSORG,
    Sector.SOSIALE_TJENESTER: BarometerSector.SOSIAL,
    Sector.KOMMUNEHELSE: BarometerSector.HELSE,
    Sector.KULTUR_OG_FRITID: BarometerSector.KULTUR,
    Sector.ADMINISTRASJON: None,
    Sector.EIENDOM: None,
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Model):
    """A municipality (or aggregate) as the report names it."""

    code: str = Field(pattern=r"^[0-9A-Z]{2,6}$")
    name: str


class PeerGroupInfo(_Model):
    """The comparison group of the report year, plus municipalities added with ``--compare``."""

    key: str
    name: str
    members: tuple[Place, ...]
    compare: tuple[Place, ...] = ()
    averaging_note_nb: str = ""
    averaging_note_en: str = ""


class TableStamp(_Model):
    """One SSB table behind the report and SSB's update stamp for it."""

    table_id: str
    updated: datetime | None = None
    preliminary: bool | None = None


class VintageInfo(_Model):
    """Which publication of the figures the report uses."""

    preliminary: bool
    tables: tuple[TableStamp, ...] = ()
    fetched: datetime | None = None
    sources: tuple[str, ...] = ("Statistisk sentralbyrå (SSB), KOSTRA",)
    #: the report year's figures: ``real`` (SSB's), ``sample`` (the synthetic sample) or
    #: ``mixed``; with the tables of each kind (see :mod:`kostra.results.provenance`)
    origin: Literal["real", "sample", "mixed"] = "real"
    real_tables: tuple[str, ...] = ()
    sample_tables: tuple[str, ...] = ()


class ProfileRow(_Model):
    """One key figure of the service profile in the report year (index: peer average = 100)."""

    indicator_id: str
    value: float | None
    status: str | None = None
    peer_average: float | None = None
    index: float | None = None
    peer_rank: int | None = None
    n_peers: int | None = None
    peer_min: float | None = None
    peer_max: float | None = None
    previous_value: float | None = None
    series_break: bool = False
    preliminary: bool = False
    #: the small-number rule (:data:`kostra.analysis.method.SMALL_NUMBERS`): too few
    #: inhabitants in the figure's base for an index (``S``), or an index beyond the caps (``!``)
    small_base: bool = False
    beyond_cap: bool = False


class HistoryPoint(_Model):
    """The municipality's value and the peer average of one key figure in one year."""

    indicator_id: str
    year: int
    value: float | None
    peer_average: float | None = None
    status: str | None = None
    series_break: bool = False


class RegionValue(_Model):
    """One municipality's value (or rank) in the report year, for strips and maps."""

    code: str
    name: str
    value: float | None


class Distribution(_Model):
    """All municipalities' values of one key figure in the report year (harmonised borders)."""

    indicator_id: str
    values: tuple[RegionValue, ...]


class MapLayer(_Model):
    """The report year's figures on the map's borders, when the report is on other borders.

    The map is drawn on the newest borders only (:data:`kostra.report.geo.GEO_BORDERS_YEAR`), so
    a report on the borders of an earlier year carries its map's values computed again on the
    newest borders: ``code`` and ``peers`` are the municipality and its peers there (a
    municipality split since has more than one code), ``ranks`` the barometer's ranks and
    ``distributions`` the mapped key figures.
    """

    borders: int
    codes: tuple[str, ...]
    peers: tuple[str, ...] = ()
    ranks: tuple[RegionValue, ...] = ()
    distributions: tuple[Distribution, ...] = ()


class NeedCostRow(_Model):
    """Need-corrected net operating expenditure of one sector (methodology §4).

    ``need_corrected`` = (NDU / N) / I, kr per inhabitant; ``expected`` = I × the country's NDU
    per inhabitant; ``difference`` = (D − D_peers), kr per inhabitant spent above (+) or below
    (−) the peers after need correction; ``excess_nok`` = difference × N; ``resource_index``
    100 × r against the country, ``resource_use_index`` the ASSS-style r / mean(r_peers).
    """

    sector: Sector
    net_opex_per_inhabitant: float | None
    need_index: float | None
    need_corrected: float | None
    expected: float | None = None
    difference: float | None = None
    resource_index: float | None = None
    resource_use_index: float | None = None
    excess_nok: float | None = None


class ProductionRow(_Model):
    """A sector's production, gross-expenditure and efficiency indices (reference = 100)."""

    sector: Sector
    production_index: float | None
    cost_index: float | None = None
    efficiency_index: float | None = None
    #: an index or the resource use beyond the small-number caps (shown, marked ``!``)
    beyond_cap: bool = False


class Driver(_Model):
    """An indicator that moves a barometer sector score: its grade (1–6) and weight."""

    indicator_id: str
    value: float | None
    grade: float | None
    weight: float
    effect: float | None = Field(
        default=None, description="weight × (grade − 3.5): points above/below an average sector"
    )


class BarometerSectorRow(_Model):
    """The municipality's place in one Kommunebarometer sector."""

    sector: BarometerSector
    rank: int | None
    rank_low: int | None = None
    rank_high: int | None = None
    n_ranked: int | None = None
    score: float | None = None
    coverage: float | None = None
    drivers: tuple[Driver, ...] = ()
    #: graded indicators of the sector in our reconstruction
    n_indicators: int | None = None


class BarometerInfo(_Model):
    """Total and sector ranks by the Kommunebarometer method (our own calculation), with
    uncertainty intervals.

    The headline is the income-adjusted rank (:attr:`headline_rank`), as Kommunal Rapport
    publishes it; the unadjusted ``total_rank`` (whose interval ``total_rank_low``–``high`` is)
    stands beside it. ``peer_rank`` is the place of the headline rank in the peer group.
    """

    total_rank: int | None
    total_rank_low: int | None = None
    total_rank_high: int | None = None
    income_adjusted_rank: int | None = None
    n_ranked: int
    score: float | None = None
    peer_rank: int | None = None
    n_peers: int | None = None
    sectors: tuple[BarometerSectorRow, ...] = ()
    all_ranks: tuple[RegionValue, ...] = ()
    interval_level: float = 0.9
    #: graded indicators in our reconstruction (Kommunal Rapport has about 150)
    n_indicators: int | None = None
    #: what the adjusted rank is adjusted for: ``corrected``, ``mixed`` or ``raw`` free income
    income_basis: str = "raw"

    @property
    def headline_rank(self) -> int | None:
        """The income-adjusted rank when there is one, else the unadjusted rank."""
        return (
            self.income_adjusted_rank if self.income_adjusted_rank is not None else self.total_rank
        )

    def sector(self, sector: BarometerSector) -> BarometerSectorRow | None:
        """The row of ``sector``, if the barometer has one."""
        return next((row for row in self.sectors if row.sector == sector), None)


class ChangeEvent(_Model):
    """A merger, split or renumbering touching the municipality or a peer."""

    kind: Literal["merger", "split", "renumbering"]
    year: int
    code: str
    name: str
    old_codes: tuple[str, ...]
    old_names: tuple[str, ...] = ()
    role: Literal["self", "peer", "compare"]
    series_break: bool
    #: the municipality existed under this code before the change (it took the others in)
    continuing: bool = False


class MissingFigure(_Model):
    """A figure SSB does not give (suppressed or not reported), with its status symbol."""

    indicator_id: str
    code: str
    name: str
    status: str | None


class Assumption(_Model):
    """A documented default ([D]) the numbers depend on, named in the method section."""

    key: str
    value: str
    text_nb: str
    text_en: str
    value_en: str | None = None
    text_nn: str | None = None
    value_nn: str | None = None

    def text(self, lang: str) -> str:
        """The assumption in words in ``lang`` (nynorsk falls back to bokmål)."""
        if lang == "en":
            return self.text_en
        return self.text_nn if lang == "nn" and self.text_nn is not None else self.text_nb

    def setting(self, lang: str) -> str:
        """The chosen value as the report prints it in ``lang``."""
        if lang == "nn" and self.value_nn is not None:
            return self.value_nn
        return self.value_en if lang == "en" and self.value_en is not None else self.value


@dataclass(frozen=True)
class ComparedRow:
    """A profile row with its indicator and how it is compared (see
    :meth:`ReportData.compared_profile`)."""

    row: ProfileRow
    indicator: Indicator
    average_marked: bool
    difference: float | None


class ReportData(_Model):
    """Everything one municipality's yearly report shows."""

    municipality: Place
    county: str | None = None
    year: int
    peers: PeerGroupInfo
    vintage: VintageInfo
    synthetic: bool
    indicators: tuple[Indicator, ...]
    profile: tuple[ProfileRow, ...]
    history: tuple[HistoryPoint, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    need_costs: tuple[NeedCostRow, ...] = ()
    excess_total_nok: float | None = None
    excess_total_sectors: tuple[Sector, ...] = ()
    need_index_year: int | None = None
    production: tuple[ProductionRow, ...] = ()
    production_total: float | None = None
    efficiency_total: float | None = None
    production_reference: Literal["peers", "country"] = "peers"
    #: the sectors' indices of the year before, against the same reference (the verdicts'
    #: change from last year); empty when that year is not in the computed window
    production_previous: tuple[ProductionRow, ...] = ()
    barometer: BarometerInfo | None = None
    events: tuple[ChangeEvent, ...] = ()
    missing: tuple[MissingFigure, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    pandemic_years: tuple[int, ...] = (2020, 2021)
    map_indicator: str | None = None
    generated: date | None = None
    #: indicator id → ``real``/``sample``/``mixed`` for the report year (marks when mixed)
    figure_origins: dict[str, str] = Field(default_factory=dict)
    #: sector → origin of all its figures (a sector's line that shows several kinds)
    sector_origins: dict[str, str] = Field(default_factory=dict)
    #: sector → origin of its need-corrected costs (its net operating expenses)
    cost_origins: dict[str, str] = Field(default_factory=dict)
    #: sector → origin of its production and efficiency indices
    index_origins: dict[str, str] = Field(default_factory=dict)
    #: the year of the municipality borders and peer members the figures are computed on (0
    #: when built: the report year), and the rule that chose it: ``year`` (the report year's
    #: own, as SSB and ASSS publish), ``newest`` (harmonised to today's borders) or ``fixed``
    borders: int = 0
    borders_rule: Literal["year", "newest", "fixed"] = "year"
    #: the map's values on the newest borders when ``borders`` is older (``None``: the map
    #: uses the report's own values)
    map_layer: MapLayer | None = None
    #: SSB's KOSTRA nøkkeltall view of the municipality on the report's borders (the
    #: ``kostra nokkeltall`` view, :func:`kostra.workbench.nokkeltall_from`); the HTML report's
    #: appendix
    nokkeltall: KeyFigureTable | None = None

    @model_validator(mode="after")
    def _borders_default(self) -> ReportData:
        # a report built without saying its borders is on the report year's own
        if not self.borders:
            object.__setattr__(self, "borders", self.year)
        return self

    def in_language(self, lang: str) -> ReportData:
        """This report's data with the names a reader sees in ``lang``: a standard peer group
        ("Landet uten Oslo") named in that language (:func:`kostra.i18n.peer_group_name`)."""
        from kostra.i18n import peer_group_name

        name = peer_group_name(self.peers.name, lang)
        if name == self.peers.name:
            return self
        return self.model_copy(update={"peers": self.peers.model_copy(update={"name": name})})

    def origin(self, indicator_id: str) -> str | None:
        """The origin of a key figure of the report year, if it has data."""
        return self.figure_origins.get(indicator_id)

    @property
    def totals_mixed(self) -> bool:
        """Whether totals over sectors add SSB figures and sample figures together."""
        return _adds_both(self.sector_origins)

    @property
    def cost_total_mixed(self) -> bool:
        """Whether the costs' total adds SSB figures and sample figures together."""
        return _adds_both(self.cost_origins or self.sector_origins)

    @property
    def index_total_mixed(self) -> bool:
        """Whether the indices' total adds SSB figures and sample figures together."""
        return _adds_both(self.index_origins or self.sector_origins)

    @property
    def data_origin(self) -> str:
        """``real``, ``sample`` or ``mixed``: a synthetic report whose vintage names no real
        table is sample data, whatever the vintage's default says."""
        if self.synthetic and self.vintage.origin == "real" and not self.vintage.real_tables:
            return "sample"
        return self.vintage.origin

    @property
    def mixed(self) -> bool:
        """Real and sample figures side by side: every figure is marked."""
        return self.data_origin == "mixed"

    # Lookups used by rendering and findings; cheap enough to recompute.
    def indicator(self, indicator_id: str) -> Indicator:
        """The catalog entry of ``indicator_id``; ``KeyError`` if the report does not carry it."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def profile_row(self, indicator_id: str) -> ProfileRow | None:
        """The profile row of ``indicator_id`` in the report year, if any."""
        return next((row for row in self.profile if row.indicator_id == indicator_id), None)

    def sector_profile(self, sector: Sector) -> list[ProfileRow]:
        """The sector's profile rows, in catalog order."""
        order = {ind.id: n for n, ind in enumerate(self.indicators) if ind.sector == sector}
        rows = [row for row in self.profile if row.indicator_id in order]
        return sorted(rows, key=lambda row: order[row.indicator_id])

    def compared_profile(self, sector: Sector) -> list[ComparedRow]:
        """The sector's profile rows with how each is compared to the peers: whether its average
        is a simple mean (marked ``*``, :func:`kostra.analysis.method.averaging_table`) and, for
        figures the catalog compares as a difference, value minus the peer average. The report,
        the web and the deck all read this, so they cannot disagree."""
        from kostra.analysis.method import average_marked

        profile = self.sector_profile(sector)
        indicators = [self.indicator(row.indicator_id) for row in profile]
        out = []
        for row, ind in zip(profile, indicators, strict=True):
            difference = None
            if ind.comparison == "difference" and None not in (row.value, row.peer_average):
                difference = float(row.value or 0.0) - float(row.peer_average or 0.0)
            out.append(ComparedRow(row, ind, average_marked(ind), difference))
        return out

    def need_cost(self, sector: Sector) -> NeedCostRow | None:
        """The sector's need-corrected cost row, if computed."""
        return next((row for row in self.need_costs if row.sector == sector), None)

    def production_row(self, sector: Sector) -> ProductionRow | None:
        """The sector's production/efficiency row, if computed."""
        return next((row for row in self.production if row.sector == sector), None)

    def distribution(self, indicator_id: str) -> Distribution | None:
        """All municipalities' values of ``indicator_id``, if the report carries them."""
        return next((d for d in self.distributions if d.indicator_id == indicator_id), None)

    def map_values(self, indicator_id: str | None = None) -> tuple[RegionValue, ...]:
        """Every municipality's barometer rank (``indicator_id`` ``None``) or value of a key
        figure, on the map's borders (the newest)."""
        layer = self.map_layer
        if indicator_id is None:
            if layer is not None:
                return layer.ranks
            return self.barometer.all_ranks if self.barometer is not None else ()
        if layer is not None:
            found = next((d for d in layer.distributions if d.indicator_id == indicator_id), None)
        else:
            found = self.distribution(indicator_id)
        return found.values if found is not None else ()

    @property
    def map_borders(self) -> int:
        """The year of the borders the maps are drawn on (the newest)."""
        return self.map_layer.borders if self.map_layer is not None else self.borders

    def map_outline(self) -> tuple[str, list[str]]:
        """The municipality's code and its peers' codes on the map's borders (outlined)."""
        layer = self.map_layer
        if layer is None or not layer.codes:
            return self.municipality.code, [p.code for p in self.peers.members]
        return layer.codes[0], [*layer.codes[1:], *layer.peers]

    def own_missing(self) -> list[MissingFigure]:
        """The municipality's own missing figures (the peers' are listed too)."""
        return [m for m in self.missing if m.code == self.municipality.code]

    def excess_total(self) -> float | None:
        """NOK spent more (+) or less (−) than the peers: the analysis' total over the welfare
        sectors when it gave one, else the sum over the sectors with a figure."""
        if self.excess_total_nok is not None:
            return self.excess_total_nok
        values = [row.excess_nok for row in self.need_costs if row.excess_nok is not None]
        return sum(values) if values else None

    # Frames for the analysis-side rule engine (``kostra.analysis.findings``).
    def profile_frame(self) -> pl.DataFrame:
        """The profile rows as a frame, with the catalog's sector, direction and unit."""
        meta = {ind.id: ind for ind in self.indicators}
        rows = [
            {
                **row.model_dump(),
                "sector": meta[row.indicator_id].sector.value,
                "direction": meta[row.indicator_id].direction,
            }
            for row in self.profile
            if row.indicator_id in meta
        ]
        return pl.DataFrame(rows, schema=_PROFILE_SCHEMA)

    def history_frame(self) -> pl.DataFrame:
        """The history points as a frame (indicator_id, year, value, peer_average, ...)."""
        return pl.DataFrame([p.model_dump() for p in self.history], schema=_HISTORY_SCHEMA)


_PROFILE_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.Utf8(),
    "value": pl.Float64(),
    "status": pl.Utf8(),
    "peer_average": pl.Float64(),
    "index": pl.Float64(),
    "peer_rank": pl.Int64(),
    "n_peers": pl.Int64(),
    "peer_min": pl.Float64(),
    "peer_max": pl.Float64(),
    "previous_value": pl.Float64(),
    "series_break": pl.Boolean(),
    "preliminary": pl.Boolean(),
    "sector": pl.Utf8(),
    "direction": pl.Utf8(),
}
_HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": pl.Utf8(),
    "year": pl.Int64(),
    "value": pl.Float64(),
    "peer_average": pl.Float64(),
    "status": pl.Utf8(),
    "series_break": pl.Boolean(),
}


def _adds_both(origins: dict[str, str]) -> bool:
    kinds = set(origins.values())
    return "mixed" in kinds or {"real", "sample"} <= kinds
