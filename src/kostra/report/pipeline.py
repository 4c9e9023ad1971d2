"""From the warehouse (or the packaged sample) to a :class:`ReportData`: the analyses a report
needs, computed once per year and shared by every municipality's report.

:func:`prepare` loads the observations, evaluates every key figure for every municipality over
the history window, and ranks the barometer with intervals; then :func:`report_data` builds one
municipality's report input from those shared results (profile against its peers,
need-corrected costs, production and efficiency, code changes). ``--all`` calls :func:`prepare`
once and :func:`report_data` per municipality.

Borders (as :mod:`kostra.api`): by default the report year's own municipality borders and peer
members (``borders="year"``, what SSB and ASSS publish), the earlier years of the history window
harmonised to them; ``borders="newest"`` puts everything on today's borders. The map exists only
on the newest borders, so a report on older borders also computes the year's mapped figures
there (:class:`~kostra.report.model.MapLayer`), and the map says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from kostra import api, workbench
from kostra.analysis._barometer import model as barometer_model
from kostra.analysis._common import OSLO, PANDEMIC_YEARS, single_group
from kostra.analysis.method import Text, method_facts
from kostra.analysis.need import need_corrected_costs, sector_spending
from kostra.analysis.production import COST_KEY_WEIGHTS_2026, production_indices
from kostra.analysis.profile import service_profile
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog
from kostra.errors import KostraError
from kostra.i18n.said import say
from kostra.report.build import YearShared, build_report_data
from kostra.report.build import _production as production_rows
from kostra.report.geo import GEO_BORDERS_YEAR
from kostra.report.method import (
    ReportGroup,
    barometer_assumptions,
    borders_assumption,
    default_peers_assumption,
    method_assumptions,
    need_year_assumption,
)
from kostra.report.model import (
    Assumption,
    ChangeEvent,
    MapLayer,
    PeerGroupInfo,
    Place,
    ProductionRow,
    ReportData,
    TableStamp,
    VintageInfo,
)
from kostra.results import barometer as barometer_results
from kostra.results import provenance

#: The newest borders (``borders="newest"``; the map's borders).
BORDERS = api.BORDERS
#: The steps of :func:`prepare`, in order, as its ``progress`` names them.
PREPARE_STEPS = ("load", "evaluate", "barometer", "map")
#: Years of history before the report year: the trend rule tests the last 5 years against the
#: 4 years before each.
HISTORY_YEARS = 8


@dataclass(frozen=True)
class ReportSettings:
    """The analysis choices of a report; each is named in "Metode og forutsetninger" [D]."""

    history_years: int = HISTORY_YEARS
    resamples: int = barometer_results.DEFAULT_RESAMPLES
    production_reference: str = "peers"
    profile_include_self: bool = True
    costs_include_self: bool = True  # as KS and api.costs: every member, unweighted mean
    costs_exclude_oslo: bool = False


@dataclass(frozen=True)
class ReportInputs:
    """Everything shared by the reports of one year."""

    year: int
    catalog: Catalog
    data: api.AnalysisData
    evaluated: pl.DataFrame
    spending: pl.DataFrame
    gross: pl.DataFrame
    ranking: barometer_model.BarometerResult | None
    intervals: pl.DataFrame | None
    names: dict[str, str]
    vintage: VintageInfo
    settings: ReportSettings = field(default_factory=ReportSettings)
    #: the year's figures every report slices (distributions, rank strips, the barometer's
    #: every-municipality frames); ``None`` (inputs built by hand): :func:`report_data` builds it
    shared: YearShared | None = None
    #: the barometer's total (with intervals and the income-adjusted rank) and sector frames of
    #: the year, the same for every municipality
    barometer_total: pl.DataFrame | None = None
    barometer_sectors: pl.DataFrame | None = None
    #: code → county name on the report borders
    counties: dict[str, str] = field(default_factory=dict)
    #: the report year's rows of ``evaluated``, ``spending`` and ``gross`` and the inhabitants
    #: (``region, year, population``), sliced once for every report's costs and production
    year_slices: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = None
    #: what the barometer ranked (need-corrected values, the income of the adjustment)
    barometer_inputs: barometer_results.BarometerInputs | None = None
    #: indicator id → ``real``/``sample``/``mixed`` in the report year
    figure_origins: dict[str, str] = field(default_factory=dict)
    #: the year of the borders every figure is on, and the rule that chose it
    #: (``api.borders_rule``: ``year``, ``newest`` or ``fixed``)
    borders: int = BORDERS
    borders_rule: str = "newest"
    #: the year's figures on the map's (newest) borders when ``borders`` is older: evaluated
    #: key figures and the barometer's ranks of every municipality there
    map_shared: YearShared | None = None
    #: per peer group and year: the profile, need-corrected costs and production indices of the
    #: whole group, computed for its first report and sliced by every other member's (the
    #: averages are the group's, the same for each member); filled by :func:`report_data`
    group_results: dict[tuple[Any, ...], Any] = field(
        default_factory=dict, compare=False, repr=False
    )


def _vintage(
    data: api.AnalysisData, db: Path | None, year: int, tables: Sequence[str]
) -> VintageInfo:
    observations = data.observations
    this_year = observations.filter(pl.col("year") == year)
    preliminary = bool(
        "preliminary" in this_year.columns and this_year["preliminary"].fill_null(False).any()
    )
    stamps: list[TableStamp] = []
    sources = ["Statistisk sentralbyrå (SSB), KOSTRA (PxWebApi v2)"]
    if db is not None and Path(db).is_file() and "warehouse" in data.source:
        from kostra.warehouse import Warehouse

        with Warehouse.open(db, read_only=True) as warehouse:
            vintages = warehouse.vintages()
        newest = (
            vintages.filter(pl.col("table_id").is_in(list(tables)))
            .group_by("table_id")
            .agg(pl.all().sort_by("vintage_id").last())
        )
        for row in newest.sort("table_id").iter_rows(named=True):
            stamps.append(
                TableStamp(
                    table_id=row["table_id"],
                    updated=_datetime(row.get("updated")),
                    preliminary=row.get("preliminary"),
                )
            )
    if data.synthetic:
        sources.append("kostra: syntetiske eksempeldata / synthetic sample data")
    sources.append("KDD, Grønt hefte (utgiftsbehov)")
    tables_origin = provenance.table_origins(provenance.series_origins(observations, year))
    real = tuple(t for t, o in tables_origin.items() if o != provenance.SAMPLE)
    sample = tuple(t for t, o in tables_origin.items() if o != provenance.REAL)
    origin = provenance.combine(tables_origin.values()) or provenance.SAMPLE
    # a preliminary flag only describes SSB's figures: the sample has none to give
    return VintageInfo(
        preliminary=preliminary and bool(real),
        tables=tuple(stamps),
        fetched=None,
        sources=tuple(sources),
        origin=origin,
        real_tables=real,
        sample_tables=sample,
    )


def _datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def prepare(
    year: int,
    *,
    db: Path | None = None,
    data: api.AnalysisData | None = None,
    catalog: Catalog | None = None,
    settings: ReportSettings | None = None,
    borders: api.BordersChoice = "year",
    progress: Callable[[str], None] | None = None,
) -> ReportInputs:
    """Load and compute what every report of ``year`` shares (the expensive part, done once).

    ``borders``: ``"year"`` (default) computes on the report year's borders and peer members,
    ``"newest"`` on today's (see :func:`kostra.api.borders_for`). ``progress`` is called with
    each of :data:`PREPARE_STEPS` once it is done."""
    step = progress or (lambda _: None)
    settings = settings or ReportSettings()
    catalog = catalog or load_catalog()
    rule = api.borders_rule(year, borders)
    on = api.borders_for(year, borders)
    first = max(api.FIRST_YEAR, year - settings.history_years)
    years = list(range(first, year + 1))
    if data is None:
        api.require_year(year, db=db, catalog=catalog)
        data = api.load_data(years, db=db, catalog=catalog)
    step("load")
    evaluated = api.evaluated(data, catalog, years, borders=on)
    if evaluated.filter(pl.col("year") == year).is_empty():
        raise KostraError(
            say("error.report.no_key_figures", year=year),
            hint=say("error.report.no_key_figures.hint"),
        )
    spending = sector_spending(evaluated, catalog)
    gross = sector_spending(evaluated, catalog, role="gross_opex")
    this_year = evaluated.filter(pl.col("year") == year)
    step("evaluate")
    ranking = intervals = None
    barometer_inputs = None
    if catalog.for_barometer():
        # the same computation as `kostra barometer` (need-corrected kostnadsnivå, corrected
        # income): one function for every surface
        barometer_inputs = barometer_results.prepare_inputs(
            this_year,
            catalog,
            years=[year],
            borders=on,
            synthetic=data.synthetic,
            source=data.source,
        )
        ranking = barometer_results.rank(barometer_inputs)
        intervals = barometer_results.intervals(
            barometer_inputs, year, params=ranking.params, resamples=settings.resamples
        )
    step("barometer")
    geography = importlib.import_module("kostra.geography")
    municipalities: pl.DataFrame = geography.municipalities(on)
    names = {str(c): str(n) for c, n in municipalities.select("code", "name").iter_rows()}
    counties = {str(c): str(n) for c, n in municipalities.select("code", "county_name").iter_rows()}
    barometer_total, barometer_sectors = _barometer_frames(ranking, intervals, year)
    # later borders are the map's (nothing changed after the 2024 reform)
    map_shared = _map_shared(data, catalog, year) if on < GEO_BORDERS_YEAR else None
    step("map")
    return ReportInputs(
        year=year,
        catalog=catalog,
        data=data,
        evaluated=evaluated,
        spending=spending,
        gross=gross,
        ranking=ranking,
        intervals=intervals,
        names=names,
        vintage=_vintage(data, db, year, api.catalog_tables(catalog)),
        settings=settings,
        shared=YearShared(evaluated, year, names, barometer_total),
        barometer_total=barometer_total,
        barometer_sectors=barometer_sectors,
        counties=counties,
        year_slices=_year_slices(evaluated, spending, gross, year),
        barometer_inputs=barometer_inputs,
        figure_origins=provenance.indicator_origins(
            catalog, provenance.series_origins(data.observations, year)
        ),
        borders=on,
        borders_rule=rule,
        map_shared=map_shared,
    )


def _map_shared(data: api.AnalysisData, catalog: Catalog, year: int) -> YearShared:
    """The year's key figures and barometer ranks of every municipality on the map's borders
    (the same functions as the report's own figures, on other borders; no rank intervals)."""
    evaluated = api.evaluated(data, catalog, [year], borders=GEO_BORDERS_YEAR)
    total = None
    if catalog.for_barometer():
        inputs = barometer_results.prepare_inputs(
            evaluated,
            catalog,
            years=[year],
            borders=GEO_BORDERS_YEAR,
            synthetic=data.synthetic,
            source=data.source,
        )
        total = barometer_results.rank(inputs).total.filter(pl.col("year") == year)
    geography = importlib.import_module("kostra.geography")
    places: pl.DataFrame = geography.municipalities(GEO_BORDERS_YEAR)
    names = {str(c): str(n) for c, n in places.select("code", "name").iter_rows()}
    return YearShared(evaluated, year, names, total)


def _year_slices(
    evaluated: pl.DataFrame, spending: pl.DataFrame, gross: pl.DataFrame, year: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    net = spending.filter(pl.col("year") == year)
    inhabitants = net.select("region", "year", "population").drop_nulls().unique(["region", "year"])
    return (
        evaluated.filter(pl.col("year") == year),
        net,
        gross.filter(pl.col("year") == year),
        inhabitants,
    )


def _barometer_frames(
    ranking: barometer_model.BarometerResult | None, intervals: pl.DataFrame | None, year: int
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The barometer's total (intervals joined with the income-adjusted rank and the score) and
    its sectors, for every municipality of ``year``."""
    if intervals is None or ranking is None:
        return None, None
    this_year = intervals.filter(pl.col("year") == year)
    adjusted = ranking.total.filter(pl.col("year") == year).select(
        "region", "rank_income_adjusted", "score"
    )
    total = (
        this_year.filter(pl.col("sector") == barometer_model.TOTAL)
        .drop("sector")
        .join(adjusted, on="region", how="left")
    )
    return total, this_year.filter(pl.col("sector") != barometer_model.TOTAL)


def default_peers(code: str, year: int, borders: int = BORDERS) -> str:
    """ASSS for its members (of ``year``, as codes on ``borders``), otherwise the
    municipality's county [D]."""
    members = set(api.peers_on_borders("asss", year, code, borders=borders)[1])
    return "asss" if code in members else "county"


@dataclass(frozen=True)
class _Change:
    year: int
    code: str
    name: str
    kind: str
    #: the new code on the report's borders (the municipality it became)
    mapped: tuple[str, ...]
    old_codes: tuple[str, ...]
    old_names: tuple[str, ...]
    continuing: bool = False


@lru_cache(maxsize=64)
def _codes_of(year: int) -> frozenset[str]:
    """The municipality codes valid on 1 January of ``year``."""
    geography = importlib.import_module("kostra.geography")
    try:
        frame: pl.DataFrame = geography.municipalities(year)
    except KostraError:
        return frozenset()
    return frozenset(str(c) for c in frame["code"].to_list())


@lru_cache(maxsize=16)
def _changes(first: int, year: int, borders: int = BORDERS) -> tuple[_Change, ...]:
    """Every merger, split and renumbering after ``first`` up to ``year``, the new codes moved to
    ``borders`` (the packaged code history: the same for every report of the year, so read and
    grouped once)."""
    geography = importlib.import_module("kostra.geography")
    history: pl.DataFrame = geography.code_history().filter(
        (pl.col("year") > first) & (pl.col("year") <= year)
    )
    changes: list[_Change] = []
    # each change year's links to the report borders, composed once (as api._to_borders)
    links: dict[int, dict[str, list[str]]] = {}
    # grouped in Python, in the order the groups first appear: a few hundred groups, each a
    # Polars call or three when split by group_by (a tenth of a second of a report's start)
    groups: dict[tuple[int, str], list[tuple[Any, ...]]] = {}
    columns = ("year", "new_code", "new_name", "kind", "old_code", "old_name")
    for row in history.select(columns).iter_rows():
        groups.setdefault((int(row[0]), str(row[1])), []).append(row)
    for (change_year, new_code), part in groups.items():
        if change_year >= borders:
            mapped = [str(new_code)]
        else:
            if int(change_year) not in links:
                step: dict[str, list[str]] = {}
                frame: pl.DataFrame = geography.mapping(int(change_year), borders)
                for source, target in frame.select("from_code", "to_code").iter_rows():
                    step.setdefault(str(source), []).append(target)
                links[int(change_year)] = step
            mapped = list(dict.fromkeys(links[int(change_year)].get(str(new_code), [])))
        kinds = {row[3] for row in part}
        kind = "merger" if "merger" in kinds else "split" if "split" in kinds else "renumbering"
        # by old code, a missing one first (as Polars sorts), ties in their order
        old = sorted(part, key=lambda row: (row[4] is not None, row[4] or ""))
        changes.append(
            _Change(
                year=int(change_year),
                code=str(new_code),
                name=str(part[0][2] or new_code),
                kind=kind,
                mapped=tuple(mapped),
                old_codes=tuple(str(row[4]) for row in old),
                old_names=tuple(str(row[5]) for row in old if row[5] is not None),
                continuing=str(new_code) in _codes_of(int(change_year) - 1),
            )
        )
    return tuple(changes)


def _events(
    code: str,
    peers: Sequence[str],
    compare: Sequence[str],
    first: int,
    year: int,
    borders: int = BORDERS,
) -> list[ChangeEvent]:
    """Mergers, splits and renumberings after ``first`` up to ``year`` that touch the
    municipality, its peers or the compared municipalities (codes on ``borders``)."""
    roles = dict.fromkeys(compare, "compare") | dict.fromkeys(peers, "peer") | {code: "self"}
    events: list[ChangeEvent] = []
    for change in _changes(first, year, borders):
        target = next((c for c in change.mapped if c in roles), None)
        if target is None:
            continue
        if change.kind == "renumbering" and roles[target] != "self":
            continue  # a peer's new number changes nothing in its figures
        events.append(
            ChangeEvent(
                kind=change.kind,
                year=change.year,
                code=change.code,
                name=change.name,
                old_codes=change.old_codes,
                old_names=change.old_names if change.kind != "renumbering" else (),
                role=roles[target],
                series_break=change.kind != "renumbering",
                continuing=change.continuing,
            )
        )
    return events


def _assumptions(
    inputs: ReportInputs, need_year: int | None, fallback: bool, group: ReportGroup
) -> list[Assumption]:
    s = inputs.settings
    income = barometer_results.income_basis(inputs.barometer_inputs, inputs.year)
    # the method's facts come from the analysis layer (the rules the code applies), only the
    # words from the report: see kostra.report.method
    facts = inputs.group_results.get(("method_facts",))
    if facts is None:  # the catalog's rules: the same for every report of the year
        facts = method_facts(inputs.catalog, sector_weights=COST_KEY_WEIGHTS_2026)
        _remember(inputs, ("method_facts",), facts)
    method_rows = method_assumptions(facts, group)
    first = max(api.FIRST_YEAR, inputs.year - s.history_years)
    method_name = barometer_results.method_name
    return [
        *method_rows[:4],
        need_year_assumption(need_year, fallback),
        *method_rows[4:],
        *barometer_assumptions(
            barometer_model.ScoringParams(),
            income,
            Text(*(method_name(inputs.catalog, lang) for lang in ("nb", "en", "nn"))),
            s.resamples,
        ),
        borders_assumption(inputs.year, inputs.borders, inputs.borders_rule, first),
        default_peers_assumption(),
    ]


def report_data(
    inputs: ReportInputs,
    municipality: str,
    *,
    peers: str | Sequence[str] | None = None,
    compare: Sequence[str] = (),
    map_indicator: str | None = None,
) -> ReportData:
    """One municipality's :class:`ReportData` from the shared inputs of the year
    (``map_indicator``: also map this key figure for every municipality)."""
    year, on = inputs.year, inputs.borders
    code, name = api.resolve(municipality, year, borders=on)
    if code not in inputs.names:
        raise KostraError(
            say("error.report.not_on_borders", name=name, code=code, year=on),
            hint=say("error.report.not_on_borders.hint", year=on),
        )
    peer_key = peers if peers is not None else default_peers(code, year, on)
    peers_name, members = api.peers_on_borders(peer_key, year, code, borders=on)
    compare_codes = [api.resolve(c, year, borders=on)[0] for c in compare]
    compare_codes = [c for c in dict.fromkeys(compare_codes) if c != code and c not in members]
    s = inputs.settings
    group_codes = [code, *[m for m in members if m != code]]
    profile = _profile_series(inputs, code, group_codes, compare_codes)
    slices = inputs.year_slices or _year_slices(
        inputs.evaluated, inputs.spending, inputs.gross, year
    )
    need = _need(inputs, code, group_codes, slices[1])
    need_years = need["need_year"].drop_nulls().unique().to_list()
    need_year = int(need_years[0]) if need_years else None
    fallback = bool(need["need_year_fallback"].fill_null(False).any())
    production_frame = _production(inputs, code, group_codes, slices)
    drivers = None
    barometer_total, barometer_sectors = inputs.barometer_total, inputs.barometer_sectors
    shared = inputs.shared
    if shared is None:  # inputs built without prepare()
        barometer_total, barometer_sectors = _barometer_frames(
            inputs.ranking, inputs.intervals, year
        )
    if barometer_total is not None and inputs.ranking is not None:
        drivers = _drivers(inputs.ranking.indicators, code, year)
    first = max(api.FIRST_YEAR, year - s.history_years)
    peer_places = tuple(Place(code=m, name=inputs.names.get(m, m)) for m in group_codes)
    return build_report_data(
        municipality=Place(code=code, name=name),
        year=year,
        peers=PeerGroupInfo(
            key=peer_key if isinstance(peer_key, str) else "custom",
            name=peers_name,
            members=peer_places,
            compare=tuple(Place(code=c, name=inputs.names.get(c, c)) for c in compare_codes),
        ),
        catalog=inputs.catalog,
        profile=profile,
        evaluated=inputs.evaluated,
        need=need,
        need_index_year=need_year,
        production=production_frame,
        production_reference=s.production_reference,
        barometer_total=barometer_total,
        barometer_sectors=barometer_sectors,
        barometer_drivers=drivers,
        barometer_income_basis=barometer_results.income_basis(inputs.barometer_inputs, year),
        vintage=inputs.vintage,
        synthetic=inputs.data.synthetic,
        names=inputs.names,
        events=_events(code, members, compare_codes, first, year, on),
        assumptions=_assumptions(
            inputs,
            need_year,
            fallback,
            ReportGroup(
                code=code,
                name=name,
                peers_name=peers_name,
                members=group_codes,
                profile_include_self=s.profile_include_self,
                costs_include_self=s.costs_include_self,
                costs_exclude_oslo=s.costs_exclude_oslo,
                production_reference=s.production_reference,
            ),
        ),
        county=inputs.counties.get(code) if inputs.counties else _county(code, on),
        pandemic_years=PANDEMIC_YEARS,
        map_indicator=map_indicator,
        shared=shared,
    ).model_copy(
        update={
            "generated": date.today(),
            "production_previous": _previous_production(inputs, code, group_codes),
            "figure_origins": inputs.figure_origins,
            "sector_origins": provenance.sector_origins(inputs.catalog, inputs.figure_origins),
            "cost_origins": provenance.sector_origins(
                inputs.catalog, inputs.figure_origins, figures="costs"
            ),
            "index_origins": provenance.sector_origins(
                inputs.catalog, inputs.figure_origins, figures="indices"
            ),
            "borders": on,
            "borders_rule": inputs.borders_rule,
            "map_layer": _map_layer(inputs, code, group_codes, map_indicator),
            "nokkeltall": _nokkeltall(inputs, code, compare),
        }
    )


def _nokkeltall(
    inputs: ReportInputs, code: str, compare: Sequence[str]
) -> workbench.KeyFigureTable:
    """SSB's KOSTRA view of ``code`` from the year's figures: the ``kostra nokkeltall``
    function on the report's borders, with every municipality the report was asked to
    compare (peers included: in this view they are columns of their own)."""
    # the year's rows are all the view reads (the aggregates are the year's averages)
    year_rows = inputs.year_slices[0] if inputs.year_slices is not None else inputs.evaluated
    # the aggregates' columns (country, county, KOSTRA group) are the same for every member:
    # kept with the year's inputs, for these same rows (over half of a batch's report data)
    memo = inputs.group_results.get(("nokkeltall",))
    if memo is None:
        memo = {}
        _remember(inputs, ("nokkeltall",), memo)
    result = workbench.nokkeltall_from(
        year_rows,
        inputs.catalog,
        code,
        inputs.year,
        borders=inputs.borders,
        borders_rule=inputs.borders_rule,
        compare=compare,
        synthetic=inputs.data.synthetic,
        source=inputs.data.source,
        memo=memo,
    )
    return workbench.key_figure_table(result)


def _map_layer(
    inputs: ReportInputs, code: str, group_codes: Sequence[str], map_indicator: str | None
) -> MapLayer | None:
    """The map's values and outlines on the newest borders, for a report on older ones."""
    shared = inputs.map_shared
    if shared is None:
        return None
    on = inputs.borders
    codes = api._to_borders([code], on, GEO_BORDERS_YEAR)
    peers = [c for c in api._to_borders(group_codes, on, GEO_BORDERS_YEAR) if c not in codes]
    found = shared.distribution(map_indicator) if map_indicator is not None else None
    return MapLayer(
        borders=GEO_BORDERS_YEAR,
        codes=tuple(codes),
        peers=tuple(peers),
        ranks=shared.all_ranks,
        distributions=(found,) if found is not None else (),
    )


def _previous_production(
    inputs: ReportInputs, code: str, group_codes: list[str]
) -> tuple[ProductionRow, ...]:
    """The sectors' indices of the year before the report year (same function, same group)."""
    before = inputs.year - 1
    key = ("slices", before)
    slices = inputs.group_results.get(key)
    if slices is None:  # the same for every report of the year: sliced once
        slices = _year_slices(inputs.evaluated, inputs.spending, inputs.gross, before)
        _remember(inputs, key, slices)
    if slices[0].is_empty():
        return ()
    previous = replace(inputs, year=before, year_slices=None)
    rows, _, _ = production_rows(_production(previous, code, group_codes, slices))
    return tuple(rows)


def _county(code: str, borders: int = BORDERS) -> str | None:
    geography = importlib.import_module("kostra.geography")
    frame: pl.DataFrame = geography.municipalities(borders).filter(pl.col("code") == code)
    return str(frame["county_name"][0]) if frame.height else None


#: Entries :attr:`ReportInputs.group_results` keeps: a long-running server sees peer groups
#: chosen by hand too, so the kept results are dropped (and recomputed on use) past this many.
GROUP_RESULTS_MAX = 256


def _remember(inputs: ReportInputs, key: tuple[Any, ...], value: Any) -> None:
    if len(inputs.group_results) >= GROUP_RESULTS_MAX:
        inputs.group_results.clear()
    inputs.group_results[key] = value


def _group_key(code: str, group_codes: Sequence[str], include_self: bool) -> tuple[Any, ...]:
    """A peer group as a cache key: its members (a set: every member's report has the same
    group) and, when a member is left out of its own average, that member."""
    return (frozenset(group_codes), None if include_self else code)


def _profile_series(
    inputs: ReportInputs, code: str, group_codes: list[str], compare_codes: list[str]
) -> pl.DataFrame:
    """The service profile's 5-year ``series`` of ``code`` against its group.

    :func:`service_profile` computes every member's rows against the group's averages: the
    same rows for each member of the group, only ``role`` (``self``) differs. So the group's
    frame is computed once per group and year and its ``role`` set for each member.
    """
    s = inputs.settings
    key = (
        "profile",
        inputs.year,
        *_group_key(code, group_codes, s.profile_include_self),
        frozenset(compare_codes),
    )
    series: pl.DataFrame | None = inputs.group_results.get(key)
    if series is None:
        series = service_profile(
            inputs.evaluated,
            inputs.catalog,
            code,
            group_codes,
            year=inputs.year,
            compare=compare_codes,
            include_self=s.profile_include_self,
            n_years=5,
        ).series
        _remember(inputs, key, series)
        return series
    # the rows' order within a member is (catalog order, year) whichever member is "self"
    role = (
        pl.when(pl.col("region") == code)
        .then(pl.lit("self"))
        .when(pl.col("region").is_in(compare_codes))
        .then(pl.lit("compare"))
        .otherwise(pl.lit("peer"))
    )
    return series.with_columns(role.alias("role"))


def _need(
    inputs: ReportInputs, code: str, group_codes: list[str], net: pl.DataFrame
) -> pl.DataFrame:
    """Need-corrected costs of ``code`` in the report year, from its group's (computed once
    per group: every member of the group against the same averages)."""
    s = inputs.settings
    key = ("need", inputs.year, *_group_key(code, group_codes, s.costs_include_self))
    frame: pl.DataFrame | None = inputs.group_results.get(key)
    if frame is None:
        frame = need_corrected_costs(
            net,
            api.need_index_for_borders(inputs.borders),
            single_group("peers", group_codes),
            include_self=s.costs_include_self,
            exclude_from_average=(OSLO,) if s.costs_exclude_oslo else (),
        )
        _remember(inputs, key, frame)
    return frame.filter((pl.col("region") == code) & (pl.col("year") == inputs.year))


def _production(
    inputs: ReportInputs,
    code: str,
    group_codes: list[str],
    slices: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> pl.DataFrame:
    year = inputs.year
    country = inputs.settings.production_reference == "country"
    key = ("production", year, "country" if country else frozenset(group_codes))
    sectors: pl.DataFrame | None = inputs.group_results.get(key)
    if sectors is None:
        sectors = _group_production(inputs, group_codes, slices)
        _remember(inputs, key, sectors)
    return sectors.filter((pl.col("region") == code) & (pl.col("year") == year))


def _group_production(
    inputs: ReportInputs,
    group_codes: list[str],
    slices: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> pl.DataFrame:
    """The production and efficiency indices of every member of the group (or the country)."""
    evaluated, _, gross, inhabitants = slices
    if inputs.settings.production_reference == "country":
        group = single_group("country", list(inputs.names))
    else:
        group = single_group("peers", group_codes)
    result = production_indices(
        evaluated,
        inputs.catalog,
        group,
        inhabitants=inhabitants,
        need_index=api.need_index_for_borders(inputs.borders),
        gross_spending=gross,
        sector_weights=COST_KEY_WEIGHTS_2026,
        # as api.indices: KS's unweighted peer mean, the country as a sum over sum
        cost_average="weighted"
        if inputs.settings.production_reference == "country"
        else "unweighted",
    )
    return result.sectors


def _drivers(indicators: pl.DataFrame, code: str, year: int) -> pl.DataFrame:
    """The municipality's graded indicators with their weight share inside the sector."""
    own = indicators.filter(
        (pl.col("region") == code) & (pl.col("year") == year) & pl.col("score").is_not_null()
    )
    return own.with_columns(
        (pl.col("weight") / pl.col("weight").sum().over("sector")).alias("weight_share")
    ).select("sector", "indicator_id", "value", "score", "weight_share")


def build_for(
    municipality: str,
    year: int,
    *,
    peers: str | Sequence[str] | None = None,
    compare: Sequence[str] = (),
    db: Path | None = None,
    settings: ReportSettings | None = None,
    borders: api.BordersChoice = "year",
) -> ReportData:
    """One report's data, computing the year's shared inputs on the way."""
    inputs = prepare(year, db=db, settings=settings, borders=borders)
    return report_data(inputs, municipality, peers=peers, compare=compare)
