"""The adapter from the analysis results to :class:`~kostra.report.model.ReportData`.

:func:`build_report_data` takes the analysis outputs as frames, by column name, so the report
depends on the analysis modules' columns only (documented on each argument), not on their code:

* ``profile`` — :func:`kostra.analysis.profile.service_profile`'s ``series`` (or
  ``peer_profile``): ``indicator_id, region, year, value, status, peer_average, index, rank,
  n_ranked, peer_min, peer_max, previous_value, series_break, preliminary`` (``role`` optional);
* ``evaluated`` — :func:`kostra.analysis.indicators.evaluate`: ``indicator_id, region, year,
  value`` for every municipality (rank strips and maps), on the report year's borders;
* ``need`` — :func:`kostra.analysis.need.need_corrected_costs` rows of the municipality:
  ``sector, net_opex_per_capita, need_index, need_corrected_per_capita, expected_per_capita,
  difference_per_capita, peer_difference_per_capita, resource_index, resource_use_index,
  excess_spending`` (NOK);
* ``production`` — ``sector, production_index, cost_index, efficiency_index``; a row with
  ``sector == "total"`` carries the totals;
* ``barometer_total`` — every municipality's total: ``region, year, rank, n_ranked`` and
  optionally ``score, rank_low, rank_high, rank_income_adjusted`` (``rank_intervals`` rows of
  the total joined with ``rank_municipalities``' income-adjusted rank); the interval belongs to
  ``rank``, the income-adjusted rank is shown beside it;
* ``barometer_sectors`` — ``region, year, sector, rank, n_ranked`` and optionally ``score,
  coverage, rank_low, rank_high``;
* ``barometer_drivers`` — the municipality's graded indicators: ``sector, indicator_id, value,
  score`` (grade 1–6) and ``weight_share`` or ``weight``.

Any frame may be ``None`` (the analysis is not available); the report then says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
from pydantic import TypeAdapter

from kostra.analysis._barometer import naming as barometer_naming
from kostra.analysis._barometer.model import barometer_items
from kostra.analysis.findings import Finding, FindingContext, FindingRules, generate_findings
from kostra.analysis.need import WELFARE_SECTORS
from kostra.catalog.models import Catalog, Indicator, Sector
from kostra.errors import KostraError
from kostra.i18n.said import say
from kostra.report.locale import t
from kostra.report.model import (
    REPORT_SECTORS,
    Assumption,
    BarometerInfo,
    BarometerSectorRow,
    ChangeEvent,
    Distribution,
    Driver,
    HistoryPoint,
    MissingFigure,
    NeedCostRow,
    PeerGroupInfo,
    Place,
    ProductionRow,
    ProfileRow,
    RegionValue,
    ReportData,
    VintageInfo,
)

#: How many key figures per sector get a rank strip (the first ones of the catalog with data).
STRIPS_PER_SECTOR = 2
TOTAL = "total"


def _col(row: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in row and row[name] is not None:
            return row[name]
    return None


def _float(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _own_rows(frame: pl.DataFrame, code: str) -> pl.DataFrame:
    if "role" in frame.columns:
        return frame.filter(pl.col("role") == "self")
    return frame.filter(pl.col("region") == code)


# the rows of a frame validated in one call (several times faster than one model at a time)
_PROFILE_ROWS = TypeAdapter(list[ProfileRow])
_HISTORY_POINTS = TypeAdapter(list[HistoryPoint])


def _first(frame: pl.DataFrame, name: str, dtype: pl.DataType, *sources: str) -> pl.Expr:
    """The first of the ``sources`` columns with a value in each row, as ``dtype`` named
    ``name`` (as :func:`_col`); null when the frame has none of them."""
    present = [pl.col(c) for c in sources if c in frame.columns]
    if not present:
        return pl.lit(None, dtype=dtype).alias(name)
    return pl.coalesce(present).cast(dtype).alias(name)


def _number(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A float column as :func:`_float` reads it: NaN is missing; null if the frame lacks it."""
    if name not in frame.columns:
        return pl.lit(None, dtype=pl.Float64).alias(name)
    return pl.col(name).cast(pl.Float64).fill_nan(None).alias(name)


def _status(frame: pl.DataFrame) -> pl.Expr:
    """SSB's status symbol where the value is missing (none where there is a value)."""
    if "status" not in frame.columns:
        return pl.lit(None, dtype=pl.Utf8).alias("status")
    return pl.when(pl.col("value").is_null()).then(pl.col("status")).alias("status")


def _flag(frame: pl.DataFrame, name: str, *sources: str) -> pl.Expr:
    """True where any of the ``sources`` columns is true (missing columns and nulls: false)."""
    present = [pl.col(c).fill_null(False) for c in sources if c in frame.columns]
    if not present:
        return pl.lit(False).alias(name)
    return pl.any_horizontal(present).alias(name)


def _profile(frame: pl.DataFrame, code: str, year: int, ids: set[str]) -> list[ProfileRow]:
    own = _own_rows(frame, code).filter(
        (pl.col("year") == year) & pl.col("indicator_id").is_in(list(ids))
    )
    rows = own.select(
        pl.col("indicator_id").cast(pl.Utf8),
        _number(own, "value"),
        _status(own),
        _number(own, "peer_average"),
        _number(own, "index"),
        _first(own, "peer_rank", pl.Int64(), "rank", "peer_rank"),
        _first(own, "n_peers", pl.Int64(), "n_ranked", "n_peers"),
        _number(own, "peer_min"),
        _number(own, "peer_max"),
        _number(own, "previous_value"),
        _flag(own, "series_break", "series_break", "peer_series_break"),
        _flag(own, "preliminary", "preliminary"),
        _flag(own, "small_base", "small_base"),
        _flag(own, "beyond_cap", "beyond_cap"),
    )
    return _PROFILE_ROWS.validate_python(rows.to_dicts())


def _history(
    profile: pl.DataFrame,
    evaluated: pl.DataFrame | None,
    code: str,
    year: int,
    ids: set[str],
    shared: YearShared | None = None,
) -> list[HistoryPoint]:
    """The profile's years, extended backwards with the municipality's own evaluated values.

    The trend rule needs the years before the profile's 4-year window; peer averages exist only
    for the profile's years (a profile row replaces the evaluated row of the same key figure
    and year).
    """
    own = _own_rows(profile, code).filter(
        (pl.col("year") <= year) & pl.col("indicator_id").is_in(list(ids))
    )
    own_rows = shared.region_rows(code) if shared is not None else None
    if own_rows is not None:
        evaluated = own_rows  # the municipality's rows only: the region filter below is cheap
    parts = []
    if evaluated is not None:
        earlier = evaluated.filter(
            (pl.col("region") == code)
            & (pl.col("year") <= year)
            & pl.col("indicator_id").is_in(list(ids))
        )
        parts.append(_history_frame(earlier, with_average=False))
    parts.append(_history_frame(own, with_average=True))
    points = (
        pl.concat(parts)
        .unique(["indicator_id", "year"], keep="last", maintain_order=True)
        .sort("indicator_id", "year")
    )
    return _HISTORY_POINTS.validate_python(points.to_dicts())


def _history_frame(frame: pl.DataFrame, *, with_average: bool) -> pl.DataFrame:
    return frame.select(
        pl.col("indicator_id").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        _number(frame, "value"),
        _number(frame, "peer_average")
        if with_average
        else pl.lit(None, dtype=pl.Float64).alias("peer_average"),
        _status(frame),
        _flag(frame, "series_break", "series_break"),
    )


#: Regions :meth:`YearShared.region_rows` filters one by one before it splits the frame by
#: region once (a batch of reports reads them all).
REGION_FILTERS = 4


class YearShared:
    """What every municipality's report of one year shares, computed once and sliced per report.

    Built from the ``evaluated`` frame (all municipalities, every year of the window) and the
    barometer's every-municipality total of ``year``. The distributions (rank strips, maps) are
    the same rows for every municipality; building their :class:`RegionValue` rows was about half
    of a report's computation when done per report. Each key figure's distribution is built on
    first use and kept; concurrent first uses compute the same value, so no lock is needed.
    """

    def __init__(
        self,
        evaluated: pl.DataFrame | None,
        year: int,
        names: Mapping[str, str],
        barometer_total: pl.DataFrame | None = None,
    ) -> None:
        self.year = year
        self.names = dict(names)
        #: the frame it was built from (kept, not copied: the computed-year store writes it)
        self.evaluated = evaluated
        self._by_indicator: dict[str, pl.DataFrame] = {}
        self._by_region: dict[str, pl.DataFrame] = {}
        self._empty: pl.DataFrame | None = None
        if evaluated is not None:
            part = evaluated.filter(
                (pl.col("year") == year) & pl.col("region").is_in(list(self.names))
            ).select("indicator_id", "region", "value")
            # partition_by keeps the rows' order inside each part: the same order as a filter
            self._by_indicator = {
                str(key[0]): frame
                for key, frame in part.partition_by(
                    "indicator_id", as_dict=True, maintain_order=True
                ).items()
            }
            self._empty = evaluated.clear()
        self._by_region_source = evaluated
        self._region_reads = 0
        self._distributions: dict[str, Distribution | None] = {}
        self.barometer_total = barometer_total
        self.all_ranks: tuple[RegionValue, ...] = ()
        self.n_ranked = 0
        if barometer_total is not None:
            this_year = barometer_total.filter(pl.col("year") == year)
            self.n_ranked = int(this_year.filter(pl.col("rank").is_not_null()).height)
            # built from typed columns (code and name strings, value a float or None), so the
            # thousands of rows of every report skip pydantic's validation
            self.all_ranks = tuple(
                RegionValue.model_construct(
                    code=reg, name=self.names.get(reg, reg), value=_float(value)
                )
                for reg, value in this_year.select("region", "rank").iter_rows()
            )

    def region_rows(self, code: str) -> pl.DataFrame | None:
        """The evaluated rows of one municipality (every year), in the frame's order."""
        if self._empty is None or self._by_region_source is None:
            return None
        if not self._by_region:
            self._region_reads += 1
            if self._region_reads <= REGION_FILTERS:
                # one report reads one region: a filter is cheaper than splitting every region
                return self._by_region_source.filter(pl.col("region") == code)
            # partition_by keeps the rows' order inside each part: the same order as a filter
            self._by_region = {
                str(key[0]): frame
                for key, frame in self._by_region_source.partition_by(
                    "region", as_dict=True, maintain_order=True
                ).items()
            }
        return self._by_region.get(code, self._empty)

    def distribution(self, indicator_id: str) -> Distribution | None:
        """All municipalities' values of ``indicator_id`` in the year (``None``: no rows)."""
        if indicator_id in self._distributions:
            return self._distributions[indicator_id]
        part = self._by_indicator.get(indicator_id)
        found = None
        if part is not None and part.height:
            found = Distribution(
                indicator_id=indicator_id,
                values=tuple(
                    RegionValue.model_construct(
                        code=region, name=self.names.get(region, region), value=_float(v)
                    )
                    for _, region, v in part.iter_rows()
                ),
            )
        self._distributions[indicator_id] = found
        return found


def _strip_ids(
    indicators: Sequence[Indicator], profile: Sequence[ProfileRow], extra: Sequence[str] = ()
) -> list[str]:
    """The key figures that get a rank strip: the first ones per sector the municipality has."""
    with_value = {row.indicator_id for row in profile if row.value is not None}
    chosen: list[str] = []
    for sector in REPORT_SECTORS:
        ids = [i.id for i in indicators if i.sector == sector and i.id in with_value]
        chosen.extend(ids[:STRIPS_PER_SECTOR])
    chosen.extend(i for i in extra if i not in chosen)
    return chosen


def _distributions(
    evaluated: pl.DataFrame,
    indicators: Sequence[Indicator],
    profile: Sequence[ProfileRow],
    year: int,
    names: Mapping[str, str],
    extra: Sequence[str] = (),
    shared: YearShared | None = None,
) -> list[Distribution]:
    chosen = _strip_ids(indicators, profile, extra)
    if shared is not None:
        found = (shared.distribution(i) for i in chosen)
        return [d for d in found if d is not None]
    part = evaluated.filter(
        (pl.col("year") == year)
        & pl.col("indicator_id").is_in(chosen)
        & pl.col("region").is_in(list(names))
    ).select("indicator_id", "region", "value")
    grouped: dict[str, list[RegionValue]] = {i: [] for i in chosen}
    for indicator_id, region, value in part.iter_rows():
        grouped[indicator_id].append(
            RegionValue.model_construct(
                code=region, name=names.get(region, region), value=_float(value)
            )
        )
    return [Distribution(indicator_id=i, values=tuple(v)) for i, v in grouped.items() if v]


def _missing_others(
    frame: pl.DataFrame, code: str, year: int, ids: set[str], names: Mapping[str, str]
) -> list[MissingFigure]:
    """Figures the peers and compared municipalities lack in the report year."""
    if "region" not in frame.columns:
        return []
    others = frame.filter(
        (pl.col("year") == year)
        & (pl.col("region") != code)
        & pl.col("value").is_null()
        & pl.col("indicator_id").is_in(list(ids))
    ).sort("indicator_id", "region")
    status = others["status"] if "status" in others.columns else [None] * others.height
    return [
        MissingFigure(
            indicator_id=indicator_id, code=region, name=names.get(region, region), status=symbol
        )
        for indicator_id, region, symbol in zip(
            others["indicator_id"], others["region"], status, strict=True
        )
    ]


def _need_total(frame: pl.DataFrame) -> tuple[float | None, list[Sector]]:
    """The analysis' total row (NOK above/below the peers over the welfare sectors)."""
    total = frame.filter(pl.col("sector") == TOTAL)
    if total.is_empty():
        return None, []
    value = _float(total.row(0, named=True).get("excess_spending"))
    if value is None:
        return None, []
    return value, [Sector(s) for s in WELFARE_SECTORS]


def _need(frame: pl.DataFrame) -> list[NeedCostRow]:
    sectors = {s.value for s in REPORT_SECTORS}
    rows = []
    for r in frame.iter_rows(named=True):
        if r["sector"] not in sectors:
            continue
        own, peers = (
            _float(r.get("difference_per_capita")),
            _float(r.get("peer_difference_per_capita")),
        )
        difference = None if own is None or peers is None else own - peers
        rows.append(
            NeedCostRow(
                sector=r["sector"],
                net_opex_per_inhabitant=_float(r.get("net_opex_per_capita")),
                need_index=_float(r.get("need_index")),
                need_corrected=_float(r.get("need_corrected_per_capita")),
                expected=_float(r.get("expected_per_capita")),
                difference=difference,
                resource_index=_float(r.get("resource_index")),
                resource_use_index=_float(r.get("resource_use_index")),
                excess_nok=_float(r.get("excess_spending")),
            )
        )
    return rows


def _production(frame: pl.DataFrame) -> tuple[list[ProductionRow], float | None, float | None]:
    rows: list[ProductionRow] = []
    total_p = total_e = None
    sectors = {s.value for s in REPORT_SECTORS}
    for r in frame.iter_rows(named=True):
        if r["sector"] == TOTAL:
            total_p = _float(r.get("production_index"))
            total_e = _float(r.get("efficiency_index"))
        elif r["sector"] in sectors:
            rows.append(
                ProductionRow(
                    sector=r["sector"],
                    production_index=_float(r.get("production_index")),
                    cost_index=_float(r.get("cost_index")),
                    efficiency_index=_float(r.get("efficiency_index")),
                    beyond_cap=bool(r.get("beyond_cap")),
                )
            )
    return rows, total_p, total_e


def _barometer(
    total: pl.DataFrame,
    sectors: pl.DataFrame | None,
    drivers: pl.DataFrame | None,
    code: str,
    year: int,
    peer_codes: Sequence[str],
    names: Mapping[str, str],
    shared: YearShared | None = None,
) -> BarometerInfo | None:
    this_year = total.filter(pl.col("year") == year)
    own = this_year.filter(pl.col("region") == code)
    if own.is_empty():
        return None
    r = own.row(0, named=True)
    # the rank the intervals and the rank strip belong to: the unadjusted one
    rank_col = "rank"
    rank = _int(r.get(rank_col))
    # the place in the group follows the headline: the income-adjusted rank when there is one
    adjusted = _int(r.get("rank_income_adjusted"))
    peer_col = "rank_income_adjusted" if adjusted is not None else rank_col
    headline = adjusted if adjusted is not None else rank
    group = this_year.filter(
        pl.col("region").is_in([code, *peer_codes]) & pl.col(peer_col).is_not_null()
    )
    peer_rank = None
    if headline is not None and group.height:
        peer_rank = 1 + group.filter(pl.col(peer_col) < headline).height
    if shared is not None and shared.barometer_total is total:
        n_ranked, all_ranks = shared.n_ranked, shared.all_ranks
    else:
        n_ranked = int(this_year.filter(pl.col(rank_col).is_not_null()).height)
        all_ranks = tuple(
            RegionValue.model_construct(code=reg, name=names.get(reg, reg), value=_float(value))
            for reg, value in this_year.select("region", rank_col).iter_rows()
        )
    sector_rows: list[BarometerSectorRow] = []
    if sectors is not None:
        by_sector: dict[str, list[Driver]] = {}
        if drivers is not None:
            for d in drivers.iter_rows(named=True):
                weight = _float(_col(d, "weight_share", "weight")) or 0.0
                grade = _float(_col(d, "grade", "score"))
                by_sector.setdefault(d["sector"], []).append(
                    Driver(
                        indicator_id=d["indicator_id"],
                        value=_float(d.get("value")),
                        grade=grade,
                        weight=weight,
                        effect=None if grade is None else weight * (grade - 3.5),
                    )
                )
        own_sectors = sectors.filter((pl.col("year") == year) & (pl.col("region") == code))
        for s in own_sectors.iter_rows(named=True):
            sector_rows.append(
                BarometerSectorRow(
                    sector=s["sector"],
                    rank=_int(s.get("rank")),
                    rank_low=_int(s.get("rank_low")),
                    rank_high=_int(s.get("rank_high")),
                    n_ranked=_int(s.get("n_ranked")),
                    score=_float(s.get("score")),
                    coverage=_float(s.get("coverage")),
                    drivers=tuple(by_sector.get(s["sector"], ())),
                )
            )
    return BarometerInfo(
        total_rank=rank,
        total_rank_low=_int(r.get("rank_low")),
        total_rank_high=_int(r.get("rank_high")),
        income_adjusted_rank=_int(r.get("rank_income_adjusted")),
        n_ranked=n_ranked,
        score=_float(r.get("score")),
        peer_rank=peer_rank,
        n_peers=group.height or None,
        sectors=tuple(sector_rows),
        all_ranks=all_ranks,
    )


def build_report_data(
    *,
    municipality: Place,
    year: int,
    peers: PeerGroupInfo,
    catalog: Catalog,
    profile: pl.DataFrame,
    vintage: VintageInfo,
    synthetic: bool,
    names: Mapping[str, str],
    evaluated: pl.DataFrame | None = None,
    need: pl.DataFrame | None = None,
    need_index_year: int | None = None,
    production: pl.DataFrame | None = None,
    production_reference: str = "peers",
    barometer_total: pl.DataFrame | None = None,
    barometer_sectors: pl.DataFrame | None = None,
    barometer_drivers: pl.DataFrame | None = None,
    barometer_income_basis: str = "raw",
    events: Iterable[ChangeEvent] = (),
    assumptions: Iterable[Assumption] = (),
    county: str | None = None,
    pandemic_years: Sequence[int] = (2020, 2021),
    map_indicator: str | None = None,
    shared: YearShared | None = None,
) -> ReportData:
    """Assemble one municipality's :class:`ReportData` from the analysis frames.

    ``names`` maps every municipality code of the report year to its name (rank strips, maps).
    See the module docstring for each frame's columns. ``map_indicator`` adds a map of that key
    figure for every municipality beside the barometer map. ``shared``: the year's
    :class:`YearShared`, built from the same ``evaluated``, ``names`` and ``barometer_total``
    (every report of the year then slices it instead of rebuilding it).
    """
    if shared is not None and shared.year != year:
        raise ValueError(f"shared figures of {shared.year} given for a report of {year}")
    code = municipality.code
    indicators = [
        i
        for i in catalog.indicators
        if i.in_profile and getattr(i, "role", None) is None and i.sector in REPORT_SECTORS
    ]
    ids = {i.id for i in indicators}
    # the barometer's drivers are named even when they are not in the profile
    driver_ids = (
        set(barometer_drivers["indicator_id"].to_list()) if barometer_drivers is not None else set()
    )
    named = [*indicators, *(i for i in catalog.indicators if i.id in driver_ids - ids)]
    profile_rows = _profile(profile, code, year, ids)
    history = _history(profile, evaluated, code, year, ids, shared)
    if map_indicator is not None and map_indicator not in ids:
        known = ", ".join(sorted(ids)[:8])
        raise KostraError(
            say("error.report.map_indicator", indicator=repr(map_indicator)),
            hint=say("error.report.map_indicator.hint", known=known),
        )
    distributions = (
        _distributions(
            evaluated,
            indicators,
            profile_rows,
            year,
            names,
            extra=[map_indicator] if map_indicator else [],
            shared=shared,
        )
        if evaluated is not None
        else []
    )
    missing = [
        MissingFigure(
            indicator_id=row.indicator_id,
            code=code,
            name=municipality.name,
            status=row.status,
        )
        for row in profile_rows
        if row.value is None
    ]
    missing += _missing_others(profile, code, year, ids, names)
    total_nok, total_sectors = _need_total(need) if need is not None else (None, [])
    production_rows, production_total, efficiency_total = (
        _production(production) if production is not None else ([], None, None)
    )
    peer_codes = [p.code for p in peers.members if p.code != code]
    barometer = (
        _barometer(
            barometer_total,
            barometer_sectors,
            barometer_drivers,
            code,
            year,
            peer_codes,
            names,
            shared,
        )
        if barometer_total is not None
        else None
    )
    if barometer is not None:
        counts = barometer_naming.indicator_counts(
            item.sector.value for item in barometer_items(catalog)
        )
        barometer = barometer.model_copy(
            update={
                "n_indicators": counts["total"],
                "income_basis": barometer_income_basis,
                "sectors": tuple(
                    s.model_copy(update={"n_indicators": counts.get(s.sector.value, 0)})
                    for s in barometer.sectors
                ),
            }
        )
    return ReportData(
        municipality=municipality,
        county=county,
        year=year,
        peers=peers,
        vintage=vintage,
        synthetic=synthetic,
        indicators=tuple(named),
        profile=tuple(profile_rows),
        history=tuple(history),
        distributions=tuple(distributions),
        need_costs=tuple(_need(need)) if need is not None else (),
        excess_total_nok=total_nok,
        excess_total_sectors=tuple(total_sectors),
        need_index_year=need_index_year,
        production=tuple(production_rows),
        production_total=production_total,
        efficiency_total=efficiency_total,
        production_reference="country" if production_reference == "country" else "peers",
        barometer=barometer,
        events=tuple(events),
        missing=tuple(missing),
        assumptions=tuple(assumptions),
        pandemic_years=tuple(pandemic_years),
        map_indicator=map_indicator,
    )


def report_findings(data: ReportData, rules: FindingRules | None = None) -> list[Finding]:
    """The findings of ``data``, by the rules of :mod:`kostra.analysis.findings`."""
    context = FindingContext(
        municipality=data.municipality.name, year=data.year, peer_name=data.peers.name
    )
    need = pl.DataFrame(
        [r.model_dump() for r in data.need_costs],
        schema={
            "sector": pl.Utf8,
            "net_opex_per_inhabitant": pl.Float64,
            "need_index": pl.Float64,
            "need_corrected": pl.Float64,
            "expected": pl.Float64,
            "difference": pl.Float64,
            "resource_index": pl.Float64,
            "resource_use_index": pl.Float64,
            "excess_nok": pl.Float64,
        },
    )
    production = pl.DataFrame(
        [r.model_dump() for r in data.production],
        schema={
            "sector": pl.Utf8,
            "production_index": pl.Float64,
            "cost_index": pl.Float64,
            "efficiency_index": pl.Float64,
        },
    )
    barometer = data.barometer
    total = None
    sectors = pl.DataFrame()
    drivers = pl.DataFrame()
    if barometer is not None:
        total = {
            "rank": barometer.total_rank,
            "rank_low": barometer.total_rank_low,
            "rank_high": barometer.total_rank_high,
            "n_ranked": barometer.n_ranked,
            "peer_rank": barometer.peer_rank,
            "n_peers": barometer.n_peers,
            "rank_income_adjusted": barometer.income_adjusted_rank,
            "n_indicators": barometer.n_indicators,
        }
        sectors = pl.DataFrame(
            [
                {
                    "sector": s.sector.value,
                    "rank": s.rank,
                    "rank_low": s.rank_low,
                    "rank_high": s.rank_high,
                    "n_ranked": s.n_ranked,
                }
                for s in barometer.sectors
            ],
            schema={
                "sector": pl.Utf8,
                "rank": pl.Int64,
                "rank_low": pl.Int64,
                "rank_high": pl.Int64,
                "n_ranked": pl.Int64,
            },
        )
        drivers = pl.DataFrame(
            [
                {"sector": s.sector.value, **d.model_dump()}
                for s in barometer.sectors
                for d in s.drivers
            ],
            schema={
                "sector": pl.Utf8,
                "indicator_id": pl.Utf8,
                "value": pl.Float64,
                "grade": pl.Float64,
                "weight": pl.Float64,
                "effect": pl.Float64,
            },
        )
    reference = ("", "", "")
    if data.production_reference == "country":
        reference = (
            t("national_average", "nb"),
            t("national_average", "en"),
            t("national_average", "nn"),
        )
    return generate_findings(
        catalog=Catalog(indicators=data.indicators),
        context=context,
        profile=data.profile_frame(),
        history=data.history_frame(),
        need=need,
        production=production,
        production_total=data.production_total,
        efficiency_total=data.efficiency_total,
        barometer_total=total,
        barometer_sectors=sectors,
        barometer_drivers=drivers,
        missing_count=len(data.own_missing()),
        excess_total=data.excess_total_nok,
        excess_sectors=len(data.excess_total_sectors) or None,
        rules=rules,
        reference_nb=reference[0],
        reference_en=reference[1],
        reference_nn=reference[2],
    )
