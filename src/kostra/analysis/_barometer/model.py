"""The Kommunebarometer method's parameters, configuration, graded items and result type.

Kept apart from :mod:`kostra.analysis.barometer` (the ranking and its arrays) so that what only
reads a stored ranking (a report from the computed year) does not import numpy; that module
re-exports every name here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import polars as pl

from kostra import i18n
from kostra.catalog.models import BarometerSector, Catalog, Sector
from kostra.errors import KostraError
from kostra.i18n.said import say

Method = Literal["current", "pre2019"]
CutoffRule = Literal["tail_mean", "quantile"]
MeanRule = Literal["unweighted", "population"]
TOTAL = "total"
MUNICIPALITY = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class ScoringParams:
    """How indicators are graded and ranked; every default is a documented assumption [D].

    ``method``: ``"current"`` (3.5 = national mean, since 2019) or ``"pre2019"`` (3.5 halfway
    between the cut-offs). ``cutoff``: ``"tail_mean"`` — the best/worst cut-off is the mean of the
    best/worst ``tail`` share of municipalities — or ``"quantile"`` — the ``1−tail``/``tail``
    quantile. ``trim``: share dropped at each end before the cut-offs are taken, so that a few
    extreme small municipalities do not compress everyone else. ``mean``: μ unweighted over
    municipalities, or weighted by ``population``. ``min_coverage``: share of a sector's indicator
    weight a municipality needs data for to be ranked (also applied to the total over sector
    weights). ``tie_decimals``: scores equal to this many decimals tie. ``min_regions``: an
    indicator with fewer municipalities with data in a year is not graded that year.
    """

    method: Method = "current"
    cutoff: CutoffRule = "tail_mean"
    tail: float = 0.10
    trim: float = 0.02
    mean: MeanRule = "unweighted"
    min_coverage: float = 0.60
    tie_decimals: int = 3
    min_regions: int = 10

    def __post_init__(self) -> None:
        if self.method not in ("current", "pre2019"):
            raise ValueError(f"unknown method {self.method!r}")
        if self.cutoff not in ("tail_mean", "quantile"):
            raise ValueError(f"unknown cut-off rule {self.cutoff!r}")
        if self.mean not in ("unweighted", "population"):
            raise ValueError(f"unknown mean {self.mean!r}")
        if not 0 < self.tail <= 0.5:
            raise ValueError("tail must be in (0, 0.5]")
        if not 0 <= self.trim < 0.5 - 1e-12 or self.trim + self.tail > 1:
            raise ValueError("trim must be in [0, 0.5)")
        if not 0 <= self.min_coverage <= 1:
            raise ValueError("min_coverage must be in [0, 1]")

    def describe(self, lang: str = "nb") -> str:
        """One line naming the method and its assumptions, for "Metode og forutsetninger"."""
        words = _PARAMS[lang]
        return i18n.text(
            "barometer.scoring",
            lang,
            method=words["national_mean" if self.method == "current" else "midpoint"],
            mean=words["population" if self.mean == "population" else "unweighted"],
            cut=words["tail_mean" if self.cutoff == "tail_mean" else "quantile"],
            tail=i18n.percent(100 * self.tail, lang, 0),
            trim=i18n.percent(100 * self.trim, lang, 0),
            cover=i18n.percent(100 * self.min_coverage, lang, 0),
            decimals=i18n.plural("barometer.params.decimals", self.tie_decimals, lang),
        )


#: The words :meth:`ScoringParams.describe` chooses between.
_PARAMS = i18n.Words(
    "barometer.params",
    ("national_mean", "midpoint", "population", "unweighted", "tail_mean", "quantile"),
)


MAX_RESAMPLES = 5000
"""The most resamples :func:`rank_intervals` draws: the work grows with them (about 6 s and
70 MB per thousand for every municipality), and the interval's quantiles settle long before."""


def check_resamples(n: int) -> int:
    """``n`` if it is a number of resamples from 0 (none) to :data:`MAX_RESAMPLES`; otherwise
    a user error that names the bounds."""
    if 0 <= n <= MAX_RESAMPLES:
        return n
    raise KostraError(
        say("error.barometer.resamples", n=n, most=MAX_RESAMPLES),
        hint=say("error.barometer.resamples.hint", most=MAX_RESAMPLES),
    )


@dataclass(frozen=True)
class ResamplingParams:
    """What :func:`rank_intervals` perturbs, and how the result is flagged [D].

    Indicator weights inside each sector are drawn from a Dirichlet distribution centred on the
    catalog weights with concentration ``weight_concentration`` (larger = closer to the defaults;
    100 gives a weight of 0.1 a standard deviation of 0.03); sector weights likewise with
    ``sector_concentration``. Each resample draws one trimming share uniformly from ``trim_range``
    and one tail share from ``tail_range`` and grades every indicator with them (the cut-off
    rule is a choice of method, made once per ranking). ``interval`` gives the quantiles of the
    reported rank range. A municipality is flagged ``small`` under ``small_population``
    inhabitants and ``wide`` when its range spans more than ``wide_share`` of the ranked count
    (a quarter by default: in the dense middle of a ranking a few dozen places are normal).
    ``chunk`` resamples are processed per array block (memory bound, not a loop per municipality).
    """

    n_resamples: int = 1000
    weight_concentration: float = 100.0
    sector_concentration: float = 200.0
    trim_range: tuple[float, float] = (0.0, 0.05)
    tail_range: tuple[float, float] = (0.05, 0.15)
    interval: tuple[float, float] = (0.05, 0.95)
    small_population: int = 5000
    wide_share: float = 0.25
    seed: int = 0
    chunk: int = 100

    def __post_init__(self) -> None:
        check_resamples(self.n_resamples)


@dataclass(frozen=True)
class SectorInfo:
    """A barometer sector: its weight in the total and its names."""

    id: BarometerSector
    weight: float
    name_nb: str
    name_en: str

    def name(self, lang: str = "nb") -> str:
        """The sector's name in ``lang`` (bokmål and English from the configuration, nynorsk
        from the catalogs)."""
        if lang == "nn":
            return _SECTOR_NAMES["nn"][self.id.value]
        return self.name_en if lang == "en" else self.name_nb


#: The barometer sectors' names in the catalogs; bokmål and English say what
#: ``barometer_weights.toml`` says (a test holds them together), nynorsk is read from here.
_SECTOR_NAMES = i18n.Words(
    "barometer.sector",
    (
        "grunnskole",
        "pleie_og_omsorg",
        "barnevern",
        "barnehage",
        "helse",
        "sosial",
        "kultur",
        "miljo_og_ressurser",
        "saksbehandling",
        "vann_avlop_renovasjon",
        "okonomi",
        "kostnadsniva",
    ),
)


@dataclass(frozen=True)
class BarometerItem:
    """One graded indicator: its sector, weight inside the sector, direction and names."""

    indicator_id: str
    sector: BarometerSector
    weight: float
    direction: Literal["higher_better", "lower_better"]
    name_nb: str
    name_en: str
    unit: str = ""
    #: our own names have a nynorsk form; SSB's key-figure names are quoted in bokmål
    name_nn: str | None = None

    def name(self, lang: str = "nb") -> str:
        """The indicator's name in ``lang``."""
        if lang == "nn" and self.name_nn is not None:
            return self.name_nn
        return self.name_en if lang == "en" else self.name_nb


@dataclass(frozen=True)
class BarometerConfig:
    """Sector weights, the income series and the kostnadsnivå breakdown (data, not code)."""

    sectors: tuple[SectorInfo, ...]
    income_source: tuple[str, str] | None = None
    kostnadsniva: tuple[tuple[str, float, str, str], ...] = ()
    source: str = ""

    def sector(self, sector: str) -> SectorInfo:
        """The sector with this id; ``KeyError`` if there is none."""
        for info in self.sectors:
            if info.id == sector:
                return info
        raise KeyError(sector)

    def sector_name(self, sector: str, lang: str = "nb") -> str:
        """A sector's display name, ``total`` included."""
        if sector == TOTAL:
            return i18n.text("barometer.total", lang)
        return self.sector(sector).name(lang)


def load_config(path: Path | None = None) -> BarometerConfig:
    """Read the barometer configuration (default: the packaged ``data/barometer_weights.toml``)."""
    if path is None:
        text = resources.files("kostra").joinpath("data/barometer_weights.toml").read_text("utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    sectors = tuple(
        SectorInfo(
            id=BarometerSector(entry["id"]),
            weight=float(entry["weight"]),
            name_nb=str(entry["name_nb"]),
            name_en=str(entry["name_en"]),
        )
        for entry in raw["sector"]
    )
    if len({s.id for s in sectors}) != len(sectors):
        raise ValueError("a barometer sector is listed twice")
    if any(s.weight < 0 for s in sectors) or sum(s.weight for s in sectors) <= 0:
        raise ValueError("barometer sector weights must be non-negative with a positive sum")
    income = raw.get("income")
    income_source = (str(income["table_id"]), str(income["contents_code"])) if income else None
    kostnadsniva = tuple(
        (Sector(key).value, float(entry["weight"]), str(entry["name_nb"]), str(entry["name_en"]))
        for key, entry in raw.get("kostnadsniva", {}).items()
    )
    return BarometerConfig(
        sectors=sectors,
        income_source=income_source,
        kostnadsniva=kostnadsniva,
        source=str(raw.get("source", "")),
    )


def barometer_items(catalog: Catalog) -> tuple[BarometerItem, ...]:
    """The catalog's graded indicators: those with a barometer use and a direction (not neutral)."""
    items = []
    for indicator in catalog.indicators:
        if indicator.barometer is None or indicator.direction == "neutral":
            continue
        items.append(
            BarometerItem(
                indicator_id=indicator.id,
                sector=indicator.barometer.sector,
                weight=indicator.barometer.weight,
                direction=indicator.direction,
                name_nb=indicator.name_nb,
                name_en=indicator.name_en,
                unit=indicator.unit,
            )
        )
    return tuple(items)


def kostnadsniva_items(config: BarometerConfig | None = None) -> tuple[BarometerItem, ...]:
    """The kostnadsnivå indicators of the configuration, ids ``kostnadsniva_<sector>``.

    Their values are the need-corrected net operating expenditure per inhabitant of each sector
    (``kostra.analysis.need``); lower is better.
    """
    config = config or load_config()
    return tuple(
        BarometerItem(
            indicator_id=f"kostnadsniva_{sector}",
            sector=BarometerSector.KOSTNADSNIVA,
            weight=weight,
            direction="lower_better",
            name_nb=name_nb,
            name_en=name_en,
            unit="kr",
            name_nn=i18n.text(
                "barometer.kostnadsniva_name", "nn", sector=i18n.sector_name(sector, "nn")
            ),
        )
        for sector, weight, name_nb, name_en in config.kostnadsniva
    )


def income_indicator_id(catalog: Catalog, config: BarometerConfig | None = None) -> str | None:
    """The id of the catalog indicator holding free income per inhabitant, found by its source."""
    config = config or load_config()
    if config.income_source is None:
        return None
    table_id, contents_code = config.income_source
    for indicator in catalog.indicators:
        source = indicator.source
        if source is not None and (source.table_id, source.contents_code) == (
            table_id,
            contents_code,
        ):
            return indicator.id
    return None


@dataclass(frozen=True)
class BarometerResult:
    """Everything a ranking produced.

    ``indicators`` (by year, region, then indicator in sector order): indicator_id, sector,
    region, year, value, score, weight, direction — one row per value graded or not (score null
    when the indicator has too few municipalities that year).
    ``cutoffs`` (by year, indicator): indicator_id, sector, year, direction, n, mean, best,
    worst (indicator units; best is the value graded 6, worst the value graded 1).
    ``sectors`` (by year, sector, rank): region, year, sector, score, coverage, ranked, rank,
    n_ranked. ``total`` (by year, rank): region, year, score, coverage, ranked, rank, n_ranked,
    income, score_income_adjusted, rank_income_adjusted, income_adjusted (true in years where the
    adjustment could be made; the adjusted columns are null otherwise).
    """

    indicators: pl.DataFrame
    cutoffs: pl.DataFrame
    sectors: pl.DataFrame
    total: pl.DataFrame
    items: tuple[BarometerItem, ...]
    config: BarometerConfig
    params: ScoringParams = field(default_factory=ScoringParams)

    def item(self, indicator_id: str) -> BarometerItem:
        """The graded indicator with this id."""
        for item in self.items:
            if item.indicator_id == indicator_id:
                return item
        raise KeyError(indicator_id)


def _resolve_items(
    catalog: Catalog | Sequence[BarometerItem], config: BarometerConfig
) -> tuple[BarometerItem, ...]:
    if isinstance(catalog, Catalog):
        items = barometer_items(catalog)
        if not any(i.sector == BarometerSector.KOSTNADSNIVA for i in items):
            items = items + kostnadsniva_items(config)
    else:
        items = tuple(catalog)
    order = {s.id: position for position, s in enumerate(config.sectors)}
    # Grouped by sector (in configuration order): the kernel sums each sector as one slice.
    items = tuple(sorted((i for i in items if i.sector in order), key=lambda i: order[i.sector]))
    if not items:
        raise ValueError("no barometer indicators: the catalog has none with a barometer sector")
    if len({i.indicator_id for i in items}) != len(items):
        raise ValueError("a barometer indicator is listed twice")
    return items
