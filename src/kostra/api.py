"""High-level Python API: warehouse (or the shipped sample) → analysis, for one municipality.

Used by the CLI, the report and the web app::

    from kostra import api
    result = api.profile("Bærum", 2024, peers="asss", compare=["Asker"])
    result.frames["table"]        # key figures of Bærum, the peers and Asker
    result.synthetic              # True when the numbers are the synthetic sample
    result.banner("nb")           # "Eksempeldata (syntetiske tall) – ikke SSB-statistikk"

Data: the warehouse's newest vintages (real data beats the sample there); tables the warehouse
lacks come from the synthetic sample shipped in the package, so everything works offline.
Every result says whether any number in it is synthetic (``synthetic``, ``banner``).

Borders: the figures of a year are compared on that year's municipality borders and with that
year's peer members by default (``borders="year"``), which is what SSB, ASSS and the
municipalities publish; earlier years of a series are harmonised to those borders.
``borders="newest"`` harmonises everything to the newest borders (:data:`NEWEST_BORDERS`, the
borders of the need indices and of the maps) and is for time series and maps; an ``int`` fixes
the borders' year. :func:`borders_for` turns a choice into the year of the borders, every result
carries it (``Result.borders``, ``Result.borders_rule``) and a note says which was used.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import polars as pl

from kostra import i18n
from kostra.analysis._common import OSLO, single_group
from kostra.analysis.indicators import evaluate
from kostra.analysis.method import (
    DEFAULT_READY_RATIOS,
    DIFFERENCE_TEXT,
    MethodFacts,
    ReadyRatios,
    Text,
    averaging_text,
    check_ready_ratios,
)
from kostra.analysis.method import method_facts as analysis_method_facts
from kostra.analysis.need import (
    NEED_INDEX_BORDERS,
    NEED_INDEX_QUALITY,
    need_corrected_costs,
    need_index_on_borders,
    sector_spending,
)
from kostra.analysis.production import (
    COST_KEY_WEIGHTS_2026,
    PRODUCTION_SECTORS,
    production_indices,
)
from kostra.analysis.profile import indicator_info, peer_profile, service_profile
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog, Indicator, PopulationRef
from kostra.errors import DataNotFoundError, KostraError
from kostra.errors import shown as quoted
from kostra.i18n import N_, Phrase, sector_name
from kostra.i18n import number as i18n_number
from kostra.i18n.said import Said, say, say_plural

NEWEST_BORDERS = 2024
"""The newest municipality borders (2024 reform; nothing changed in 2025–2026)."""
BORDERS = NEWEST_BORDERS
"""Kept for callers that want the newest borders explicitly (maps, long time series)."""
BordersChoice = Literal["year", "newest"] | int
"""``"year"``: the report year's borders (default); ``"newest"``: :data:`NEWEST_BORDERS`."""
BORDERS_CHOICES: tuple[str, ...] = ("year", "newest")
FIRST_YEAR = 2015
SAMPLE_BANNER = Phrase("sample_banner")
MIXED_BANNER = Phrase("mixed_banner")
"""The warning of a result whose figures are partly SSB's and partly the sample's."""


@dataclass(frozen=True)
class AnalysisData:
    """Observations and population an analysis reads, and where they came from.

    ``observations``: the long observation frame (with ``synthetic``/``preliminary`` columns
    when read from the warehouse); ``population``: ``region, year, age_group, population`` on
    the codes valid in each year; ``source``: ``warehouse``, ``sample``, ``warehouse+sample`` or
    ``given``; ``synthetic``: whether any observation is synthetic.
    """

    observations: pl.DataFrame
    population: pl.DataFrame
    source: str
    synthetic: bool

    @classmethod
    def from_frames(
        cls,
        observations: pl.DataFrame,
        population: pl.DataFrame,
        *,
        synthetic: bool | None = None,
    ) -> AnalysisData:
        """Wrap frames the caller already has (tests, the benchmark, the web app's cache)."""
        if synthetic is None:
            synthetic = bool(
                "synthetic" in observations.columns and observations["synthetic"].any()
            )
        return cls(observations, population, "given", synthetic)


@dataclass(frozen=True)
class Note:
    """An assumption or fallback to state beside a result, in bokmål, English and nynorsk
    (``nn`` None: nynorsk reads the bokmål). The notes kostra writes are catalog messages
    (``note.*``, made by :meth:`said`)."""

    nb: str
    en: str
    nn: str | None = None

    @classmethod
    def said(cls, words: Said) -> Note:
        """The note of a text in the three languages (:func:`kostra.i18n.said.say`)."""
        return cls(words.nb, words.en, words.nn)

    @property
    def words(self) -> Said:
        """The note as a :class:`~kostra.i18n.said.Said`, to fill a larger message."""
        return Said(self.nb, self.text("nn"), self.en)

    def text(self, lang: str = "nb") -> str:
        """The note in ``lang`` (``nb``, ``nn`` or ``en``)."""
        if lang == "en":
            return self.en
        if lang == "nn" and self.nn is not None:
            return self.nn
        return self.nb


@dataclass(frozen=True)
class Result:
    """One analysis for one municipality: frames plus what a reader must be told.

    ``frames``: named result frames (see each function). ``notes``: assumptions and fallbacks to
    show ("Metode og forutsetninger"). ``synthetic``: the figures are (partly) sample data.
    ``borders``: the year of the municipality borders used; ``borders_rule``: ``year`` (the
    report year's own borders and members), ``newest`` or ``fixed`` (see :func:`borders_for`).
    ``reference``: exactly what an average "= 1,00"/"= 100" of the result is;
    ``ready_ratios``: how SSB's ready-made ratios were averaged (see :func:`method_facts`).
    """

    kind: str
    municipality: str
    name: str
    year: int
    peers_name: str
    peers: tuple[str, ...]
    compare: tuple[str, ...]
    borders: int
    synthetic: bool
    source: str
    frames: dict[str, pl.DataFrame]
    notes: tuple[Note, ...] = field(default=())
    borders_rule: str = "year"
    reference: Note | None = None
    ready_ratios: str = DEFAULT_READY_RATIOS
    #: indicator id (profile) or sector (costs, indices) → ``real``/``sample``/``mixed``: which
    #: figures are SSB's when real and sample tables are mixed (``kostra.results.provenance``)
    origins: dict[str, str] = field(default_factory=dict)

    def note_texts(self, lang: str = "nb") -> list[str]:
        """The notes in ``lang`` ("Metode og forutsetninger")."""
        return [note.text(lang) for note in self.notes]

    @property
    def mixed(self) -> bool:
        """Whether some figures are SSB's and others (partly) the sample's."""
        kinds = set(self.origins.values())
        return "real" in kinds and bool(kinds & {"sample", "mixed"})

    def origin(self, key: str | None) -> str | None:
        """``real``, ``sample`` or ``mixed`` for one figure (indicator id, or sector), or None
        when the result does not say (nothing is mixed, or the key is not a figure of it)."""
        return self.origins.get(key) if key is not None else None

    def banner(self, lang: str = "nb") -> str | None:
        """The visible sample-data warning, or None for real data. A result that mixes SSB's
        figures with the sample's says so instead of calling every figure synthetic."""
        if not self.synthetic:
            return None
        phrase = MIXED_BANNER if self.mixed else SAMPLE_BANNER
        return phrase.get(lang, phrase["en"])


def borders_for(year: int, borders: BordersChoice = "year") -> int:
    """The year of the municipality borders a result for ``year`` is computed on.

    ``"year"`` gives ``year`` itself (the borders and peer members of the report year, as SSB
    and ASSS publish them), ``"newest"`` gives :data:`NEWEST_BORDERS`, an ``int`` is used as is.
    """
    if borders == "year":
        return year
    if borders == "newest":
        return NEWEST_BORDERS
    if isinstance(borders, int) and not isinstance(borders, bool):
        return borders
    raise KostraError(
        say("error.api.borders", borders=repr(borders)), hint=say("error.api.borders.hint")
    )


def borders_rule(year: int, borders: BordersChoice) -> str:
    """``"year"`` when ``borders`` puts ``year`` on its own borders, else ``"newest"`` or
    ``"fixed"`` (an explicit year): what the notes and exports say was used."""
    resolved = borders_for(year, borders)
    if resolved == year:
        return "year"
    return "newest" if resolved == NEWEST_BORDERS else "fixed"


def borders_note(year: int, borders: int, *, first_year: int | None = None) -> Note:
    """The note every analysis carries: on which borders and with which members it compares.

    ``first_year``: the first year of a series shown with the result (its earlier years are
    harmonised to ``borders`` too).
    """
    series = first_year is not None and first_year < borders
    if borders == year and series:
        return Note.said(say("note.borders.year_series", year=year))
    if borders == year:
        return Note.said(say("note.borders.year", year=year))
    if borders > year:
        return Note.said(say("note.borders.later", year=year, borders=borders))
    return Note.said(say("note.borders.fixed", borders=borders))


# -- data -------------------------------------------------------------------------------------


def catalog_tables(catalog: Catalog) -> list[str]:
    """The SSB tables the catalog reads."""
    return sorted({ref.table_id for ref in catalog.series()})


def catalog_age_groups(catalog: Catalog) -> list[str]:
    """The population age groups the catalog's denominators and weights use (plus total)."""
    groups = {"total"}
    for indicator in catalog.indicators:
        den = indicator.formula.denominator if indicator.formula is not None else None
        for ref in (den, indicator.weight_by):
            if isinstance(ref, PopulationRef):
                groups.add(ref.age_group)
    return sorted(groups)


def _population(years: Iterable[int], age_groups: Sequence[str]) -> pl.DataFrame:
    geography = importlib.import_module("kostra.geography")
    wanted = sorted({y for year in years for y in (year, year + 1)})
    frame: pl.DataFrame = geography.population(wanted, age_group=list(age_groups))
    return frame


def _sample_observations(table_ids: Sequence[str], years: Sequence[int]) -> pl.DataFrame:
    """The shipped synthetic sample's rows for these tables and years (tables it lacks: none)."""
    sample = importlib.import_module("kostra.sample")
    known = set(sample.sample_tables())
    wanted = [t for t in table_ids if t in known]
    if not wanted:
        return pl.DataFrame()
    frame: pl.DataFrame = sample.sample_observations(wanted)
    return frame.filter(pl.col("year").is_in(list(years))).with_columns(
        pl.lit(True).alias("synthetic"), pl.lit(False).alias("preliminary")
    )


def _warehouse_observations(
    db: Path, table_ids: Sequence[str], years: Sequence[int]
) -> pl.DataFrame | None:
    if not db.exists():
        return None
    from kostra.warehouse import Warehouse

    with Warehouse.open(db, read_only=True, wait=5.0) as warehouse:
        frame = warehouse.observations(table_ids=list(table_ids), years=list(years))
    return frame if frame.height else None


def load_data(
    years: Iterable[int],
    *,
    db: Path | None = None,
    catalog: Catalog | None = None,
) -> AnalysisData:
    """Observations of the catalog's tables for ``years`` and the population they need.

    Reads the warehouse at ``db`` (default: the settings' path); each table it lacks comes from
    the synthetic sample. Raises :class:`~kostra.errors.DataNotFoundError` when neither has data.
    """
    from kostra.settings import Settings

    catalog = catalog or load_catalog()
    year_list = sorted(set(years))
    tables = catalog_tables(catalog)
    path = db if db is not None else Settings().db
    stored = _warehouse_observations(Path(path), tables, year_list)
    have = set(stored["table_id"].unique().to_list()) if stored is not None else set()
    missing = [t for t in tables if t not in have]
    parts = [stored] if stored is not None else []
    if missing:
        # a checkout without the sample module still reads what the warehouse has
        with contextlib.suppress(ModuleNotFoundError):
            parts.append(_sample_observations(missing, year_list))
    parts = [p for p in parts if p.height]
    if not parts:
        asked = _year_span(year_list) or "-"
        raise DataNotFoundError(
            say("error.api.no_figures_for", years=asked),
            hint=say("error.api.no_figures_for.hint"),
        )
    columns = ["table_id", "contents_code", "region", "year", "dims", "value", "status"]
    frames = [
        p.select(
            *columns,
            pl.col("synthetic").cast(pl.Boolean) if "synthetic" in p.columns else pl.lit(False),
            pl.col("preliminary").fill_null(False).cast(pl.Boolean)
            if "preliminary" in p.columns
            else pl.lit(False).alias("preliminary"),
        )
        for p in parts
    ]
    observations = pl.concat(frames, how="vertical_relaxed")
    # SSB's full grid: the cells of codes in years they did not exist are left out once here,
    # not in every evaluation of the same frame (evaluate drops them too when given them).
    geography = importlib.import_module("kostra.geography")
    observations = geography.drop_not_applicable(observations)
    source = "+".join(
        name
        for name, used in (("warehouse", stored is not None), ("sample", bool(missing)))
        if used
    )
    population = _population(year_list, catalog_age_groups(catalog))
    synthetic = bool(observations["synthetic"].any())
    return AnalysisData(observations, population, source, synthetic)


def _year_span(years: Sequence[int]) -> str:
    """Years as runs: "2015–2019, 2021"."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _stored_years(db: Path | None, catalog: Catalog | None) -> tuple[list[int], list[int]]:
    """(every year with figures, the years with SSB's own figures) in the warehouse at ``db``
    or the shipped sample, from :data:`FIRST_YEAR` up to the last year whose following
    1 January the packaged municipality history knows."""
    from kostra.geography._data import LAST_YEAR
    from kostra.settings import Settings

    tables = catalog_tables(catalog or load_catalog())
    path = Path(db if db is not None else Settings().db)
    found: set[int] = set()
    real: set[int] = set()
    if path.exists():
        from kostra.warehouse import Warehouse

        with Warehouse.open(path, read_only=True, wait=5.0) as warehouse:
            found.update(warehouse.years(tables))
            real.update(warehouse.years(tables, real_only=True))
    with contextlib.suppress(ModuleNotFoundError):
        sample = _sample_observations(tables, range(FIRST_YEAR, LAST_YEAR))
        if sample.height:
            found.update(int(y) for y in sample["year"].unique())

    def usable(years: set[int]) -> list[int]:
        return sorted(y for y in years if FIRST_YEAR <= y < LAST_YEAR)

    return usable(found), usable(real)


def years_with_data(*, db: Path | None = None, catalog: Catalog | None = None) -> list[int]:
    """The years an analysis can be run for, oldest first: those from :data:`FIRST_YEAR` with
    figures in the warehouse at ``db`` or the shipped sample, whose following 1 January the
    packaged municipality history knows (per-inhabitant figures and need indices of year t use
    the population of t + 1)."""
    return _stored_years(db, catalog)[0]


def newest_year(years: Iterable[int], real_years: Iterable[int] = ()) -> int | None:
    """The year every surface uses when the user gives none: the newest year with SSB's own
    figures (fetched or imported), or, with none stored, the newest year of ``years`` (the
    synthetic sample). A newer year that only the sample fills is never the default: it would
    show made-up figures to someone who has real ones. ``None`` when there are no years."""
    real = list(real_years)
    if real:
        return max(real)
    every = list(years)
    return max(every) if every else None


def default_year(*, db: Path | None = None, catalog: Catalog | None = None) -> int:
    """The year a command uses without ``--year`` (:func:`newest_year` of the warehouse at
    ``db`` and the sample); a user error when there are no figures at all."""
    years, real = _stored_years(db, catalog)
    chosen = newest_year(years, real)
    if chosen is None:
        raise DataNotFoundError(say("error.api.no_figures"), hint=say("error.api.no_figures.hint"))
    return chosen


def require_year(year: int, *, db: Path | None = None, catalog: Catalog | None = None) -> int:
    """``year`` if :func:`years_with_data` has it; else a user error that names the years
    that have figures."""
    years = years_with_data(db=db, catalog=catalog)
    if year in years:
        return year
    have = _year_span(years)
    if not years:
        raise DataNotFoundError(say("error.api.no_figures"), hint=say("error.api.no_figures.hint"))
    raise DataNotFoundError(
        say("error.api.no_figures_in_year", year=year, have=have),
        hint=say("error.api.no_figures_in_year.hint"),
    )


def evaluated(
    data: AnalysisData, catalog: Catalog, years: Iterable[int], *, borders: int = BORDERS
) -> pl.DataFrame:
    """The catalog's indicators for ``years`` on ``borders`` (see ``analysis.indicators``)."""
    return evaluate(data.observations, data.population, catalog, years=years, borders=borders)


# -- municipalities and peers -------------------------------------------------------------------


def _to_borders(codes: Iterable[str], year: int, borders: int) -> list[str]:
    """Codes valid in ``year`` moved to ``borders`` (a merged municipality → the new one)."""
    wanted = tuple(dict.fromkeys(codes))
    if year == borders:
        return list(wanted)
    return list(_moved(wanted, year, borders))


@functools.lru_cache(maxsize=4096)
def _moved(wanted: tuple[str, ...], year: int, borders: int) -> tuple[str, ...]:
    # kept: the code history is packaged data, and every report (every web page) of a year
    # asks for the same codes again; the mapping is composed step by step on each call
    geography = importlib.import_module("kostra.geography")
    links: pl.DataFrame = geography.mapping(year, borders)
    moved = links.filter(pl.col("from_code").is_in(list(wanted)))
    order = {code: i for i, code in enumerate(wanted)}
    moved = moved.with_columns(
        pl.col("from_code").replace_strict(order, return_dtype=pl.Int64).alias("_o")
    ).sort("_o")
    return tuple(dict.fromkeys(moved["to_code"].to_list()))


def resolve(municipality: str, year: int, *, borders: int = BORDERS) -> tuple[str, str]:
    """``(code on borders, name)`` of a municipality given by name or code in ``year``."""
    geography = importlib.import_module("kostra.geography")
    on_borders = geography.municipalities(borders).filter(pl.col("code") == municipality.strip())
    if on_borders.height:
        # a code of the borders' year is that unit, even where an earlier year knew it by another
        # code (1508 Ålesund on 2024 borders, asked about 2022 when it was part of 1507)
        return str(on_borders["code"][0]), str(on_borders["name"][0])
    valid_year = min(year, borders)
    try:
        found = geography.resolve_municipality(municipality, valid_year)
    except KostraError as error:
        try:  # a name of the borders' year, asked about an earlier year
            found = geography.resolve_municipality(municipality, borders)
        except KostraError:
            raise error from None
        valid_year = borders
    codes = _to_borders([found.code], valid_year, borders) if found.code else []
    if (
        len(codes) > 1
        or not geography.municipalities(borders)["code"].is_in(codes or [found.code]).any()
    ):
        # split, or gone by the borders' year: no one unit on the borders holds its figures
        from kostra.geography.municipalities import dissolved

        raise dissolved(found.code, borders, query=municipality)
    code = codes[0] if codes else found.code
    named = geography.municipalities(borders).filter(pl.col("code") == code)
    name = named["name"][0] if named.height else found.name
    return code, str(name)


def peers_on_borders(
    peers: str | Sequence[str], year: int, municipality: str, *, borders: int = BORDERS
) -> tuple[str, list[str]]:
    """A peer group's name and members in ``year``, as codes on ``borders``."""
    geography = importlib.import_module("kostra.geography")
    valid_year = min(year, borders)
    home = _from_borders(municipality, valid_year, borders)
    group = geography.peer_group(peers, valid_year, municipality=home)
    return str(group.name), _to_borders(group.members, valid_year, borders)


def _from_borders(code: str, year: int, borders: int) -> str:
    """One code valid in ``year`` that moves to ``code`` on ``borders`` (for peer lookups)."""
    if year == borders:
        return code
    geography = importlib.import_module("kostra.geography")
    links: pl.DataFrame = geography.mapping(year, borders)
    found = links.filter(pl.col("to_code") == code)["from_code"].to_list()
    return str(found[0]) if found else code


def names(codes: Iterable[str], *, borders: int = BORDERS) -> dict[str, str]:
    """Municipality names by code on ``borders``."""
    geography = importlib.import_module("kostra.geography")
    frame: pl.DataFrame = geography.municipalities(borders)
    wanted = set(codes)
    return {str(c): str(n) for c, n in frame.select("code", "name").iter_rows() if c in wanted}


def grouping(kind: str, years: Iterable[int], *, borders: int = BORDERS) -> pl.DataFrame:
    """Every municipality's peer group of ``kind`` as a grouping frame ``group, region, year``.

    ``kind``: ``county`` (group = county code on ``borders``), ``asss`` (membership by year),
    ``country``, ``country_ex_oslo`` or ``kostra_group`` (needs SSB's classification 112 from
    the Klass cache; offline this raises the geography module's error with its hint). Codes are
    on ``borders``.
    """
    geography = importlib.import_module("kostra.geography")
    year_list = sorted(set(years))
    towns: pl.DataFrame = geography.municipalities(borders)
    year_frame = pl.DataFrame({"year": year_list}, schema={"year": pl.Int32})
    if kind == "asss":
        rows = [
            ("asss", code, year)
            for year in year_list
            for code in _to_borders(
                geography.asss_members(min(year, borders)), min(year, borders), borders
            )
        ]
        return pl.DataFrame(
            rows, schema={"group": pl.Utf8, "region": pl.Utf8, "year": pl.Int32}, orient="row"
        )
    if kind == "county":
        static = towns.select(pl.col("county_code").alias("group"), pl.col("code").alias("region"))
    elif kind in ("country", "country_ex_oslo"):
        static = towns.select(pl.lit(kind).alias("group"), pl.col("code").alias("region"))
        if kind == "country_ex_oslo":
            static = static.filter(pl.col("region") != OSLO)
    elif kind == "kostra_group":
        labels = {
            code: geography.peer_group("kostra_group", borders, municipality=code).name
            for code in towns["code"].to_list()
        }
        static = pl.DataFrame({"group": list(labels.values()), "region": list(labels)})
    else:
        raise KostraError(
            say("error.api.peer_grouping", kind=repr(kind)),
            hint=say("error.api.peer_grouping.hint"),
        )
    return static.join(year_frame, how="cross")


def all_profiles(
    year: int | Sequence[int],
    *,
    peers: str = "county",
    include_self: bool = True,
    exclude_oslo: bool = False,
    borders: BordersChoice = "year",
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    data: AnalysisData | None = None,
    catalog: Catalog | None = None,
    db: Path | None = None,
) -> tuple[pl.DataFrame, AnalysisData]:
    """Every municipality's profile against its group of kind ``peers`` (the web ranking).

    Returns ``kostra.analysis.profile.PEER_PROFILE_COLUMNS`` plus ``region_name`` and
    ``synthetic`` for the year(s), and the data it was computed from. ``borders="year"`` puts
    every year on the borders of the last year asked for.
    """
    catalog = catalog or load_catalog()
    years = [year] if isinstance(year, int) else sorted(set(year))
    borders = borders_for(years[-1], borders)
    if data is None:
        data = load_data([years[0] - 1, *years], db=db, catalog=catalog)
    frame = evaluated(data, catalog, [years[0] - 1, *years], borders=borders)
    result = peer_profile(
        frame,
        catalog,
        grouping(peers, years, borders=borders),
        years=years,
        include_self=include_self,
        exclude_from_average=(OSLO,) if exclude_oslo else (),
        ready_ratios=ready_ratios,
    )
    labels = names(result["region"].unique().to_list(), borders=borders)
    return (
        result.with_columns(
            pl.col("region").replace_strict(labels, default=pl.col("region")).alias("region_name"),
            pl.lit(data.synthetic).alias("synthetic"),
        ),
        data,
    )


def method_facts(
    result: Result | None = None,
    *,
    catalog: Catalog | None = None,
    ready_ratios: ReadyRatios | None = None,
) -> MethodFacts:
    """The method facts of a result (or of the defaults): for the method section of every surface.

    One function, so that what a report, the web or a deck says about averages, weights, the
    reference group, efficiency, small numbers and the deviations from KS is what the code
    did: see :func:`kostra.analysis.method.method_facts`. ``reference`` is the result's.
    """
    rule = ready_ratios or (
        check_ready_ratios(result.ready_ratios) if result is not None else DEFAULT_READY_RATIOS
    )
    reference = None
    if result is not None and result.reference is not None:
        reference = Text(result.reference.nb, result.reference.en, result.reference.nn)
    return analysis_method_facts(catalog or load_catalog(), ready_ratios=rule, reference=reference)


# -- analyses -----------------------------------------------------------------------------------


def _prepare(
    municipality: str,
    year: int,
    peers: str | Sequence[str],
    years: Iterable[int],
    *,
    borders: int,
    data: AnalysisData | None,
    catalog: Catalog | None,
    db: Path | None,
) -> tuple[Catalog, AnalysisData, str, str, str, list[str]]:
    catalog = catalog or load_catalog()
    code, name = resolve(municipality, year, borders=borders)
    peers_name, members = peers_on_borders(peers, year, code, borders=borders)
    if data is None:
        data = load_data(years, db=db, catalog=catalog)
    return catalog, data, code, name, peers_name, members


def _frame_notes(data: AnalysisData) -> list[Note]:
    notes = []
    if data.synthetic:
        notes.append(Note(SAMPLE_BANNER["nb"], SAMPLE_BANNER["en"], SAMPLE_BANNER["nn"]))
    return notes


def profile(
    municipality: str,
    year: int,
    *,
    peers: str | Sequence[str] = "asss",
    compare: Sequence[str] = (),
    exclude_oslo: bool = False,
    include_self: bool = True,
    sectors: Sequence[str] | None = None,
    n_years: int = 4,
    borders: BordersChoice = "year",
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    data: AnalysisData | None = None,
    catalog: Catalog | None = None,
    db: Path | None = None,
) -> Result:
    """The service profile of ``municipality`` in ``year`` against ``peers``.

    ``borders``: ``"year"`` (default) compares on the borders and with the peer members of
    ``year``; ``"newest"`` harmonises to today's borders (see :func:`borders_for`).
    ``ready_ratios``: ``"simple"`` (default, as ASSS: SSB's ready-made ratios averaged
    unweighted, marked ``*``) or ``"weighted"`` (see :mod:`kostra.analysis.method`).

    ``frames["table"]``: one row per key figure and shown municipality (``role`` self / peer /
    compare) with value, peer average, index, places, min/max, change and flags;
    ``frames["series"]``: the same for the last ``n_years`` years; ``frames["indicators"]``:
    name, unit, sector, direction, averaging, caveat and source of each key figure.
    """
    rule = borders_rule(year, borders)
    borders = borders_for(year, borders)
    window = list(range(year - n_years, year + 1))
    catalog, data, code, name, peers_name, members = _prepare(
        municipality, year, peers, window, borders=borders, data=data, catalog=catalog, db=db
    )
    compare_codes = [resolve(c, year, borders=borders)[0] for c in compare]
    frame = evaluated(data, catalog, window, borders=borders)
    result = service_profile(
        frame,
        catalog,
        code,
        members,
        year=year,
        compare=compare_codes,
        include_self=include_self,
        exclude_oslo=exclude_oslo,
        sectors=sectors,
        n_years=n_years,
        ready_ratios=ready_ratios,
    )
    shown = {code, *result.peers, *result.compare}
    labels = names(shown, borders=borders)
    label = pl.col("region").replace_strict(labels, default=pl.col("region"))
    table = result.table.with_columns(label.alias("region_name"))
    series = result.series.with_columns(label.alias("region_name"))
    notes = _frame_notes(data)
    notes += [Note.said(say("note.profile.no_figures", name=name, year=year)) for _ in result.notes]
    averaging = averaging_text(ready_ratios)
    reference = reference_note(
        peers_name,
        list(result.peers),
        code,
        name,
        include_self=include_self,
        exclude_oslo=exclude_oslo,
        what=say("note.reference.profile"),
        how=say("note.reference.average_of"),
    )
    notes.append(reference)
    notes.append(Note(averaging.nb, averaging.en, averaging.nn))
    if table.filter(pl.col("comparison") == "difference").height:
        notes.append(Note(DIFFERENCE_TEXT.nb, DIFFERENCE_TEXT.en, DIFFERENCE_TEXT.nn))
    notes.append(Note.said(say("note.profile.pandemic")))
    notes.append(borders_note(year, borders, first_year=year - n_years + 1))
    return Result(
        kind="profile",
        municipality=code,
        name=name,
        year=year,
        peers_name=peers_name,
        peers=result.peers,
        # every municipality asked for with --compare, a peer member too (shown beside it)
        compare=tuple(dict.fromkeys(c for c in compare_codes if c != code)),
        borders=borders,
        synthetic=data.synthetic,
        source=data.source,
        frames={"table": table, "series": series, "indicators": indicator_sources(catalog)},
        origins=_origins(data, catalog, year),
        notes=tuple(notes),
        borders_rule=rule,
        reference=reference,
        ready_ratios=ready_ratios,
    )


def indicator_sources(catalog: Catalog) -> pl.DataFrame:
    """Per indicator: names, unit, sector, direction, averaging, caveats and SSB source text
    (``source`` in bokmål, ``source_nn`` and ``source_en``: a population denominator is words)."""
    columns: dict[str, list[str]] = {"source": [], "source_nn": [], "source_en": []}
    for indicator in catalog.indicators:
        for column, lang in (("source", "nb"), ("source_nn", "nn"), ("source_en", "en")):
            columns[column].append(_source_text(indicator, lang))
    return indicator_info(catalog).with_columns(
        pl.Series(column, values, dtype=pl.Utf8) for column, values in columns.items()
    )


def _source_text(indicator: Indicator, lang: str) -> str:
    """ "SSB 13502 KOSandel120000", or "SSB 12362 / innbyggere 1-5 (07459)" for a formula."""
    if indicator.source is not None:
        return f"SSB {indicator.source.table_id} {indicator.source.contents_code}"
    assert indicator.formula is not None
    tables = sorted({ref.table_id for ref in indicator.formula.numerator})
    den = indicator.formula.denominator
    if isinstance(den, PopulationRef):
        below = i18n.text("source.population", lang, ages=den.age_group)
    else:
        below = "SSB " + ", ".join(sorted({ref.table_id for ref in den}))
    return f"SSB {', '.join(tables)} / {below}"


@cache
def packaged_need_index() -> pl.DataFrame:
    """The packaged need indices: ``need_year, region, sector, need_index, basis``."""
    path = resources.files("kostra") / "data" / "need_index" / "need_index.parquet"
    with resources.as_file(path) as file:
        return pl.read_parquet(file)


@functools.lru_cache(maxsize=16)
def need_index_for_borders(borders: int) -> pl.DataFrame:
    """The packaged need indices on the municipality borders of ``borders`` (see
    :func:`kostra.analysis.need.need_index_on_borders`)."""
    index = packaged_need_index()
    if borders >= NEED_INDEX_BORDERS:
        return index
    geography = importlib.import_module("kostra.geography")
    return need_index_on_borders(index, geography.mapping(borders, NEED_INDEX_BORDERS))


@cache
def packaged_sector_weights() -> dict[str, dict[str, float]]:
    """The cost key's sector weights per budget year (``{"2026": {"grunnskole": ...}}``)."""
    path = resources.files("kostra") / "data" / "need_index" / "sector_weights.json"
    weights: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {year: dict(values) for year, values in weights["weights"].items()}


def reference_note(
    peers_name: str,
    members: Sequence[str],
    municipality: str,
    name: str,
    *,
    include_self: bool,
    exclude_oslo: bool,
    what: Note | Said,
    how: Note | Said | None = None,
) -> Note:
    """The exact reference of an average ("= 1,00"/"= 100"): which municipalities, how averaged.

    ``members``: the group's codes (the municipality among them or not); ``how``: the words for
    the averaging (message ``note.reference.unweighted_mean``, "uvektet snitt av", without it).
    """
    inside = [
        m for m in dict.fromkeys([municipality, *members]) if not (exclude_oslo and m == OSLO)
    ]
    if not include_self:
        inside = [m for m in inside if m != municipality]
    own = N_("note.reference.self_in") if include_self else N_("note.reference.self_out")
    parts = [say(own, name=name)]
    if OSLO in members and municipality != OSLO:
        oslo = N_("note.reference.oslo_out") if exclude_oslo else N_("note.reference.oslo_in")
        parts.append(say(oslo))
    from kostra.i18n import peer_group_name

    group = Said.each(lambda lang: peer_group_name(peers_name, lang))
    return Note.said(
        say_plural(
            "note.reference",
            len(inside),
            Said.each(lambda lang: i18n_number(len(inside), lang, 0)),
            what=what.words if isinstance(what, Note) else what,
            how=how.words
            if isinstance(how, Note)
            else how or say("note.reference.unweighted_mean"),
            group=group,
            parts=Said.each(lambda lang: ", ".join(part[lang] for part in parts)),
        )
    )


def need_year_notes(table: pl.DataFrame) -> list[Note]:
    """The need-index year used (and why), and a warning where its indices are of lower quality.

    ``table`` has ``need_year`` and ``need_year_fallback`` (costs and indices frames)."""
    notes = []
    chosen_years = table["need_year"].drop_nulls().unique().sort().to_list()
    chosen = ", ".join(map(str, chosen_years))
    if table["need_year_fallback"].any():
        notes.append(Note.said(say("note.need_year.fallback", years=chosen)))
    else:
        notes.append(Note.said(say("note.need_year.used", years=chosen)))
    lower = [y for y in chosen_years if NEED_INDEX_QUALITY.get(int(y)) == "lower"]
    if lower:
        years = ", ".join(map(str, lower))
        notes.append(Note.said(say("note.need_year.lower", years=years)))
    return notes


def costs(
    municipality: str,
    year: int,
    *,
    peers: str | Sequence[str] = "asss",
    need_year: int | None = None,
    include_self: bool = True,
    exclude_oslo: bool = False,
    borders: BordersChoice = "year",
    data: AnalysisData | None = None,
    catalog: Catalog | None = None,
    db: Path | None = None,
) -> Result:
    """Need-corrected costs of ``municipality`` and its peers in ``year``.

    ``frames["costs"]``: ``kostra.analysis.need.NEED_COLUMNS`` for the municipality and each
    peer, per sector and in total (``region_name`` added). Defaults follow KS: the resource-use
    indicator and the NOK more/less against the unweighted mean of every peer, the municipality
    and Oslo included; ``exclude_oslo`` and ``include_self=False`` give the variants, and the
    ``reference`` note names exactly which. ``need_year``: the need index's budget year
    (default: the year after ``year``); the notes say which was used and warn where it is of
    lower quality.
    """
    rule = borders_rule(year, borders)
    borders = borders_for(year, borders)
    catalog, data, code, name, peers_name, members = _prepare(
        municipality, year, peers, [year], borders=borders, data=data, catalog=catalog, db=db
    )
    frame = evaluated(data, catalog, [year], borders=borders)
    spending = sector_spending(frame, catalog)
    shown = [code, *[m for m in members if m != code]]
    group = single_group("peers", shown)
    result = need_corrected_costs(
        spending,
        need_index_for_borders(borders),
        group,
        need_year=need_year,
        include_self=include_self,
        exclude_from_average=(OSLO,) if exclude_oslo else (),
    ).filter(pl.col("year") == year)
    labels = names(shown, borders=borders)
    table = result.drop("group").with_columns(
        pl.col("region").replace_strict(labels, default=pl.col("region")).alias("region_name"),
        (pl.col("region") == code).alias("is_self"),
    )
    reference = reference_note(
        peers_name,
        shown,
        code,
        name,
        include_self=include_self,
        exclude_oslo=exclude_oslo,
        what=say("note.reference.costs"),
    )
    notes = _frame_notes(data)
    notes.append(Note.said(say("note.costs.need_corrected")))
    notes.append(reference)
    notes.append(Note.said(say("note.costs.more_less")))
    notes.append(Note.said(say("note.costs.no_correction")))
    notes.extend(need_year_notes(table))
    notes.append(borders_note(year, borders))
    return Result(
        kind="costs",
        municipality=code,
        name=name,
        year=year,
        peers_name=peers_name,
        peers=tuple(shown[1:]),
        compare=(),
        borders=borders,
        synthetic=data.synthetic,
        source=data.source,
        frames={"costs": table},
        origins=_origins(data, catalog, year, by_sector="costs"),
        notes=tuple(notes),
        borders_rule=rule,
        reference=reference,
    )


def indices(
    municipality: str,
    year: int,
    *,
    peers: str | Sequence[str] = "asss",
    reference: str = "peers",
    need_year: int | None = None,
    include_self: bool = True,
    exclude_oslo: bool = False,
    sector_weights: dict[str, float] | None = None,
    borders: BordersChoice = "year",
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    data: AnalysisData | None = None,
    catalog: Catalog | None = None,
    db: Path | None = None,
) -> Result:
    """Production, cost and efficiency indices of ``municipality`` and its peers in ``year``.

    ``reference="peers"`` (default) measures against the peer average, ``"country"`` against
    every municipality. ``frames["sectors"]``: ``kostra.analysis.production.SECTOR_COLUMNS``
    per member; ``frames["indicators"]``: the indicator-level ``x``, ``x_ref`` and ``z``.
    """
    rule = borders_rule(year, borders)
    borders = borders_for(year, borders)
    catalog, data, code, name, peers_name, members = _prepare(
        municipality, year, peers, [year], borders=borders, data=data, catalog=catalog, db=db
    )
    frame = evaluated(data, catalog, [year], borders=borders)
    net = sector_spending(frame, catalog)
    gross = sector_spending(frame, catalog, role="gross_opex")
    inhabitants = net.select("region", "year", "population").drop_nulls().unique(["region", "year"])
    shown = [code, *[m for m in members if m != code]]
    if reference == "country":
        geography = importlib.import_module("kostra.geography")
        everyone = geography.municipalities(borders)["code"].to_list()
        group = single_group("country", everyone)
        peers_name = str(geography.peer_group("country", borders).name)
    elif reference == "peers":
        group = single_group("peers", shown)
    else:
        raise KostraError(
            say("error.api.reference", reference=quoted(reference)),
            hint=say("error.api.reference.hint"),
        )
    result = production_indices(
        frame,
        catalog,
        group,
        inhabitants=inhabitants,
        need_index=need_index_for_borders(borders),
        gross_spending=gross,
        need_year=need_year,
        include_self=include_self,
        exclude_from_average=(OSLO,) if exclude_oslo else (),
        sector_weights=sector_weights or COST_KEY_WEIGHTS_2026,
        ready_ratios=ready_ratios,
        cost_average="unweighted" if reference == "peers" else "weighted",
    )
    labels = names(shown, borders=borders)
    label = pl.col("region").replace_strict(labels, default=pl.col("region"))
    sectors = (
        result.sectors.filter(pl.col("region").is_in(shown) & (pl.col("year") == year))
        .drop("group")
        .with_columns(label.alias("region_name"), (pl.col("region") == code).alias("is_self"))
    )
    detail = (
        result.indicators.filter(pl.col("region").is_in(shown) & (pl.col("year") == year))
        .drop("group")
        .with_columns(label.alias("region_name"))
    )
    weights = sector_weights or COST_KEY_WEIGHTS_2026
    facts = analysis_method_facts(catalog, ready_ratios=ready_ratios, sector_weights=weights)
    if reference == "peers":
        ref_note = reference_note(
            peers_name,
            shown,
            code,
            name,
            include_self=include_self,
            exclude_oslo=exclude_oslo,
            what=say("note.reference.indices"),
        )
    else:
        ref_note = Note.said(say("note.indices.country"))
    notes = _frame_notes(data)
    notes.append(Note.said(say("note.indices.own_computation")))
    notes.append(ref_note)
    extra = facts.extra[0]
    notes.append(
        Note.said(say("note.indices.production", extra=Said(extra.nb, extra.text("nn"), extra.en)))
    )
    notes.append(Note(facts.efficiency.nb, facts.efficiency.en, facts.efficiency.nn))
    used = {k: v for k, v in weights.items() if k in PRODUCTION_SECTORS}

    def sector_text(lang: str) -> str:
        return ", ".join(
            f"{sector_name(sector, lang)} {i18n_number(weight, lang, 4)}"
            for sector, weight in used.items()
        )

    notes.append(Note.said(say("note.indices.weights", weights=Said.each(sector_text))))
    notes.extend(
        Note.said(say("note.indices.ks_deviation", deviation=Said(d.nb, d.text("nn"), d.en)))
        for d in facts.ks_deviations
    )
    notes.extend(need_year_notes(sectors))
    notes.append(borders_note(year, borders))
    return Result(
        kind="indices",
        municipality=code,
        name=name,
        year=year,
        peers_name=peers_name,
        peers=tuple(shown[1:]),
        compare=(),
        borders=borders,
        synthetic=data.synthetic,
        source=data.source,
        frames={"sectors": sectors, "indicators": detail},
        origins=_origins(data, catalog, year, by_sector="indices"),
        notes=tuple(notes),
        borders_rule=rule,
        reference=ref_note,
        ready_ratios=ready_ratios,
    )


def _origins(
    data: AnalysisData,
    catalog: Catalog,
    year: int,
    *,
    by_sector: Literal["costs", "indices"] | None = None,
) -> dict[str, str]:
    """Which figures of ``year`` are SSB's, the sample's or mixed: per indicator, or per sector
    for the costs or the indices (what those figures read)."""
    from kostra.results import provenance

    figures = provenance.indicator_origins(
        catalog, provenance.series_origins(data.observations, year)
    )
    if by_sector is None:
        return figures
    sectors = provenance.sector_origins(catalog, figures, figures=by_sector)
    total = provenance.combine(sectors.values())
    return {**sectors, "total": total} if total is not None else sectors
