"""What the web app shows, computed once and cached in the process.

The expensive part of every view is shared by all municipalities of a year: loading the
observations, evaluating every key figure for every municipality and ranking the barometer with
intervals (:func:`kostra.report.pipeline.prepare`, several seconds). It is computed once per year
and kept; one municipality's view (:func:`kostra.report.pipeline.report_data` slicing the year's
shared figures, about 0.05 s, 0.07 s with its findings on the sample) is cached per (year,
municipality, peer group). After startup a low-priority background thread computes every
municipality's standard view of the newest year (:meth:`WebData.start_warming`), so most first
visits find theirs ready. Every cache key starts with the warehouse *stamp*
(the file's size and modification time), so loading new figures with ``kostra fetch`` makes the
next request compute afresh instead of serving stale numbers.

With ``store=True`` (``kostra serve``) the pages are answered from the *computed year* beside the
warehouse (:mod:`kostra.results.store`): every municipality's view read from a file, so no
request waits for another's computation, and several server processes share one computed year.
The cache keys then start with its content key. When the warehouse changes, a builder process
computes the new year while the old one is still served; the pages switch once it is complete.

The web app never writes: the warehouse is opened read-only by :func:`kostra.api.load_data`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import functools
import importlib
import logging
import os
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from kostra import api
from kostra.analysis import barometer as barometer_analysis
from kostra.analysis.findings import Finding, summary
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog, Indicator
from kostra.errors import (
    DatabaseBusyError,
    DataNotFoundError,
    KostraError,
    UnknownMunicipalityError,
    WarehouseUnreadableError,
    shown,
)
from kostra.i18n.said import Said, same, say, say_plural
from kostra.report.model import REPORT_SECTORS, ReportData
from kostra.report.pipeline import ReportInputs, ReportSettings, prepare
from kostra.results import store as computed_store
from kostra.results.barometer import DEFAULT_RESAMPLES
from kostra.results.year import (
    PEER_CHOICES,
    SIZE_CLASSES,
    WEB_BORDERS,
    load_all,
    map_table,
    municipality_table,
    municipality_view,
    years_of,
)
from kostra.web.documents import DocumentWorker

BORDERS = api.BORDERS
#: The borders choices of the pages (``api.BordersChoice`` without a fixed year).
BORDERS_CHOICES: tuple[str, ...] = api.BORDERS_CHOICES
#: The pages' default: :data:`kostra.results.year.WEB_BORDERS` (the year's own borders).
DEFAULT_BORDERS: str = str(WEB_BORDERS)
__all__ = [
    "PEER_CHOICES",
    "SIZE_CLASSES",
    "ComputingError",
    "MunicipalityView",
    "NotFoundError",
    "WebData",
]
SECTOR_IDS = tuple(s.value for s in REPORT_SECTORS)
#: Municipality views computed at the same time (more only take turns at the GIL).
COMPUTE_SLOTS = 2
#: Pseudo-indicator for ranking and map: the barometer's total rank.
BAROMETER_RANK = "barometer"
#: Most municipality views the background warmer computes (the newest year, standard peers).
WARM_LIMIT = 400
#: Setting ``KOSTRA_WEB_WARM_VIEWS=0`` turns the background warmer off (tests, small machines).
WARM_ENV = "KOSTRA_WEB_WARM_VIEWS"
#: Seconds between looks at a changed warehouse while the old computed year is served.
RECHECK_SECONDS = 1.0
#: Seconds before a builder that ended at once (another was at work) is started again.
BUILDER_RETRY = 10.0
#: Municipality views kept in a process answering from the computed year.
VIEWS_FROM_STORE = 64
#: Seconds between looks at the warehouse file's size and time while serving a computed year.
STAMP_SECONDS = 0.5
#: Seconds a client is asked to wait (``Retry-After``) for figures being computed.
RETRY_AFTER = 30

log = logging.getLogger("kostra.web")

T = TypeVar("T")


class NotFoundError(KostraError):
    """A year, sector or indicator the app does not have (shown as a 404); its words are
    catalog messages (``say("error.web.…")``) in every language a page is written in."""

    def __init__(self, message: Said, *, hint: Said | None = None) -> None:
        super().__init__(message, hint=hint)

    def texts(self, lang: str) -> tuple[str, str | None]:
        """``(message, hint)`` in ``lang``."""
        return self.text(lang), self.hint_text(lang)


class ComputingError(KostraError):
    """The figures asked for are being computed in the background (a year or peer group the
    computed year does not hold yet): answered at once with 503 and ``Retry-After``, never by
    computing them inside a request."""

    def __init__(self, what: Said | str, *, retry_after: int = RETRY_AFTER) -> None:
        """``what``: the figures' year, or a year and peer group (the same in every language),
        or the warehouse (:func:`this_warehouse`)."""
        super().__init__(
            say("error.web.computing", what=what),
            hint=say_plural("error.web.computing.hint", retry_after, same(str(retry_after))),
        )
        self.retry_after = retry_after


def this_warehouse() -> Said:
    """The words "this warehouse" for :class:`ComputingError`."""
    return say("error.web.this_warehouse")


def check_borders(borders: str) -> str:
    """``borders`` when it is one of :data:`BORDERS_CHOICES`; otherwise a clear error."""
    if borders not in BORDERS_CHOICES:
        raise NotFoundError(
            say("error.web.borders", borders=shown(borders)),
            hint=say("error.web.choose_one.hint", choices=", ".join(BORDERS_CHOICES)),
        )
    return borders


def borders_year(year: int, borders: str) -> int:
    """The year of the borders ``year``'s figures are on with the choice ``borders``."""
    return api.borders_for(year, "newest" if check_borders(borders) == "newest" else "year")


@functools.cache
def _places_on(borders: int) -> tuple[Place, ...]:
    """The municipalities on the borders of the year ``borders``, by code."""
    geography = importlib.import_module("kostra.geography")
    frame: pl.DataFrame = geography.municipalities(borders)
    return tuple(
        Place(str(c), str(n), str(k))
        for c, n, k in frame.select("code", "name", "county_name").iter_rows()
    )


class _Cache:
    """A small LRU cache whose misses are computed once even under concurrent requests."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                value: T = self._items[key]
                return value
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # the other requests for the same key wait for the first one
            with self._lock:
                cached: T | None = self._items.get(key)
                if cached is not None:
                    return cached
            value = compute()
            with self._lock:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
                self._key_locks.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` (computed again on the next :meth:`get`)."""
        with self._lock:
            self._items.pop(key, None)


@dataclass(frozen=True)
class Place:
    """A municipality on a year's borders, as the choosers and tables name it."""

    code: str
    name: str
    county: str


@dataclass(frozen=True)
class YearView:
    """Everything of one year that every page shares."""

    year: int
    #: one row per municipality on the year's borders (:attr:`borders`): code, name,
    #: county_code, county_name, population, size, kostra_group, rank, rank_low, rank_high,
    #: n_ranked, score, rank_income_adjusted
    municipalities: pl.DataFrame
    #: the evaluated key figures of the history window
    evaluated: pl.DataFrame
    #: the year of the borders the figures are on, and the choice that gave it
    #: (``"year"`` or ``"newest"``)
    borders: int = BORDERS
    choice: str = DEFAULT_BORDERS
    #: the same on the map's (newest) borders when :attr:`borders` is older (the map is drawn
    #: on those only); ``None``: the frames above are on them
    map_municipalities: pl.DataFrame | None = None
    map_evaluated: pl.DataFrame | None = None
    #: the year's shared inputs when computed in this process (``None``: from the store)
    inputs: ReportInputs | None = None
    #: the computed year the views are read from (``None``: computed in this process)
    computed: computed_store.ComputedYear | None = None


@dataclass(frozen=True)
class _Source:
    """Where the pages' figures come from: a computed year's content (``key``) or, without
    one, this process computing from the warehouse as it was at ``stamp``."""

    stamp: tuple[int, int]
    key: str | None = None
    years: tuple[int, ...] = ()
    synthetic: bool = False
    #: years with SSB's own figures (``None``: not said by an older computed year)
    real_years: tuple[int, ...] | None = None
    #: where the figures came from (``kostra.api.AnalysisData.source``)
    source: str = ""
    #: the key of the warehouse's current content (``key`` is an older one while it is built)
    wanted: str | None = None

    @classmethod
    def of(cls, stamp: tuple[int, int], key: str, content: dict[str, Any], wanted: str) -> _Source:
        real = content.get("real_years")
        return cls(
            stamp,
            key,
            tuple(int(y) for y in content["years"]),
            bool(content["synthetic"]),
            None if real is None else tuple(int(y) for y in real),
            str(content.get("source", "")),
            wanted,
        )


@dataclass(frozen=True)
class MunicipalityView:
    """One municipality's report data and findings for a year and peer group."""

    data: ReportData
    findings: tuple[Finding, ...]
    summary: tuple[Finding, ...]
    peers_key: str
    #: the borders choice it was computed with (``"year"`` or ``"newest"``)
    borders: str = DEFAULT_BORDERS


class WebData:
    """The figures behind every page, for one warehouse (or the shipped sample).

    ``db``: the warehouse file (``None``: the settings' default); tables it lacks come from the
    synthetic sample, so a fresh clone shows figures. ``resamples``: barometer rank-interval
    resamples per year. ``warm_views``: whether :meth:`start_warming` computes municipality
    views in the background (``None``: on unless the environment sets ``KOSTRA_WEB_WARM_VIEWS=0``).
    ``store``: answer from the computed year beside the warehouse
    (:mod:`kostra.results.store`), starting a builder process when it is missing or out of
    date, and keeping the old one until the new one is complete; ``store_codes`` limits it to
    some municipalities (tests).
    """

    def __init__(
        self,
        db: Path | None = None,
        *,
        resamples: int = DEFAULT_RESAMPLES,
        warm_views: bool | None = None,
        store: bool = False,
        store_codes: Sequence[str] | None = None,
    ) -> None:
        from kostra.settings import Settings

        self.db = Path(db) if db is not None else Path(Settings().db)
        self.settings = ReportSettings(resamples=resamples)
        self.use_store = store
        self.store = computed_store.Store(self.db)
        self.store_codes = tuple(store_codes) if store_codes is not None else None
        self._source_lock = threading.Lock()
        #: per borders choice (each is a content of its own): the current source of its figures,
        #: its content key per warehouse state and the time of the next look
        self._currents: dict[str, _Source] = {}
        self._pinned = False
        self._keys: dict[tuple[tuple[int, int], str], str] = {}
        self._next_checks: dict[str, float] = {}
        self._stamp = (0, 0)
        self._stamp_until = 0.0
        #: whether a changed warehouse is looked at beside the requests (off: in the request
        #: that notices it, as tests that step through a change want)
        self.check_in_background = store
        self._builders: dict[str, subprocess.Popen[bytes]] = {}
        self._builder_starts: dict[str, float] = {}
        self._builder_borders: dict[str, str] = {}
        self._inputs = _Cache(2)
        self._computed = _Cache(4)
        self._barometers = _Cache(8)
        self.catalog: Catalog = load_catalog()
        self._indicators = {ind.id: ind for ind in self.catalog.indicators}
        self._data = _Cache(1)  # one warehouse state at a time: an old one is dropped
        self._year_list = _Cache(2)  # every year and the real ones, of one warehouse state
        self._years = _Cache(4)
        # from the computed year a view is a 10–20 ms read, and most asked for (the default
        # pages) are rendered ahead: a few kept, not 512 of 1–2 MB each (the server's memory)
        self._views = _Cache(VIEWS_FROM_STORE if store else 512)
        self._values = _Cache(256)
        self._rendered = _Cache(16)
        #: the process the downloadable documents are rendered in
        self.documents = DocumentWorker()
        self._panels = _Cache(2048)
        self._resolved = _Cache(8192)
        # a view is CPU work under the GIL: two at a time (the machine's cores) finish a crowd of
        # first visits sooner than forty threads taking turns
        self._computing = threading.BoundedSemaphore(COMPUTE_SLOTS)
        if warm_views is None:
            warm_views = os.environ.get(WARM_ENV, "1").strip().lower() not in ("0", "false", "no")
        self.warm_views = warm_views
        self._warm_stop = threading.Event()
        self._warm_thread: threading.Thread | None = None
        #: view computations for requests in progress; the warmer waits while there are any
        self._requests = 0
        self._requests_idle = threading.Condition()

    # -- stamps and years ---------------------------------------------------------------------

    def stamp(self) -> tuple[int, int]:
        """The warehouse file's (size, mtime in ns); (0, 0) when there is none (sample only)."""
        try:
            stat = self.db.stat()
        except OSError:
            return (0, 0)
        return (stat.st_size, stat.st_mtime_ns)

    def state(self, borders: str = DEFAULT_BORDERS) -> Hashable:
        """What every cached result on ``borders`` is keyed by: the computed year's content
        key when the pages are answered from it, otherwise the warehouse stamp."""
        source = self._source(borders)
        return ("store", source.key) if source.key is not None else source.stamp

    def _source(self, borders: str = DEFAULT_BORDERS) -> _Source:
        """The current source of the figures on ``borders`` (each borders choice is a content
        of its own; see :class:`_Source`). With the store, a
        changed warehouse is fingerprinted (at most every :data:`RECHECK_SECONDS` while an
        older computed year is served): a ready computed year for its content is used at once;
        otherwise a builder is started and the old one is served until the new one is ready.
        A server that has just started serves the newest ready content on disk meanwhile, or
        the new content's first published year when there is none; with nothing published it
        answers :class:`ComputingError` (503)."""
        borders = check_borders(borders)
        current = self._currents.get(borders)
        if self._pinned:  # the pinned contents only: nothing looked at, no builder started
            if current is None:
                raise ComputingError(this_warehouse())
            return current
        if self.use_store and current is not None:
            # a stat() per request was 6 % of a busy server's time: the file is looked at
            # every STAMP_SECONDS (the switch to new figures waits for a builder anyway)
            now = time.monotonic()
            if now >= self._stamp_until:
                self._stamp, self._stamp_until = self.stamp(), now + STAMP_SECONDS
            stamp = self._stamp
        else:
            stamp = self.stamp()
        if current is not None and current.stamp == stamp and current.key == current.wanted:
            return current
        if not self.use_store:
            current = _Source(stamp)
            self._currents[borders] = current
            return current
        if current is not None and time.monotonic() < self._next_checks.get(borders, 0.0):
            return current
        if current is not None and self.check_in_background:
            # the look (a fingerprint of the warehouse, maybe ending one builder and starting
            # another) is made beside the requests: inline it stalled every request of the
            # event loop while the server noticed an import
            self._next_checks[borders] = time.monotonic() + RECHECK_SECONDS
            _CHECKER.submit(self._look, borders, stamp)
            return current
        return self._look(borders, stamp)

    def _look(self, borders: str, stamp: tuple[int, int]) -> _Source:
        """:meth:`_source`'s look at the warehouse and the store (see there)."""
        with self._source_lock:
            current = self._currents.get(borders)
            if current is not None and current.stamp == stamp and current.key == current.wanted:
                return current
            try:
                # one fingerprint per warehouse state: while a new content is built, the
                # look once a second is only for its content.json
                key = self._keys.get((stamp, borders)) or computed_store.content_key(
                    self.db, self.settings, borders, codes=self.store_codes
                )
                self._keys = {
                    k: v for k, v in self._keys.items() if k[0] == stamp and k[1] != borders
                }
                self._keys[(stamp, borders)] = key
            except (DatabaseBusyError, WarehouseUnreadableError):
                if current is not None:
                    self._next_checks[borders] = time.monotonic() + RECHECK_SECONDS
                    return current  # a writer is at work: the old figures meanwhile
                raise
            content = self.store.content(key)
            chosen: tuple[str, dict[str, Any]] | None = None
            if content is not None and content.get("ready", True):
                chosen = key, content
            elif current is None:  # just started: an older ready content, else what there is
                chosen = self.store.newest_ready(borders) or (
                    (key, content) if content is not None else None
                )
            if chosen is None or chosen[0] != key or not chosen[1].get("complete", True):
                # exits at once when another builder is at work
                self._start_builder(key, borders=borders)
            if chosen is None:
                self._next_checks[borders] = time.monotonic() + RECHECK_SECONDS
                if current is not None:
                    return current  # the old computed year until the new one is ready
                raise ComputingError(this_warehouse())
            found = _Source.of(stamp, chosen[0], chosen[1], key)
            if found.key != key:
                self._next_checks[borders] = time.monotonic() + RECHECK_SECONDS
            self._currents[borders] = found
            return found

    def pin(self, key: str, borders: str = DEFAULT_BORDERS) -> None:
        """Answer the figures on ``borders`` from the computed content ``key`` whatever the
        warehouse holds now (the builder rendering that content's pages ahead,
        :mod:`kostra.web.prerender`)."""
        content = self.store.content(key)
        if content is None:
            raise ComputingError(this_warehouse())
        self.use_store = True
        self._pinned = True
        self._currents[check_borders(borders)] = _Source.of(self.stamp(), key, content, key)

    def prerendered(self, year: int | None = None, part: str = "") -> Any:
        """The answers of ``part`` of ``year`` (``None``: the default year) rendered ahead
        (:class:`kostra.web.prerender.Pages`), or ``None`` (no computed year, or not such a
        year)."""
        source = self._source()
        if source.key is None:
            return None
        try:
            year = self.default_year() if year is None else year
            if year not in source.years:
                return None
            computed = self.year_view(year).computed
        except KostraError:
            return None
        if computed is None:
            return None
        from kostra.web.prerender import Pages

        # a page of a year on older borders draws its series from the newest borders'
        # content: the stored page is the live one only with the same content
        series = self.series_key(year)
        folder, key, rows = computed.path, computed.key, computed.rows
        return self.panel(
            ("pages", year, part, series),
            lambda: Pages(folder, key, year, rows, part, series),
        )

    def series_key(self, year: int) -> str | None:
        """The key of the newest borders' content ``year``'s time series are read from now,
        when the year is on older borders (``None``: on the newest, or no content holds the
        year yet: its pages then show the year's own series and say so)."""
        try:
            if self.series_borders(year) == DEFAULT_BORDERS:
                return None
            computed = self.year_view(year, self.series_borders(year)).computed
        except KostraError:
            return None
        return None if computed is None else computed.key

    def _start_builder(
        self, key: str, year: int | None = None, *, borders: str = DEFAULT_BORDERS
    ) -> None:
        """Start a builder process for the content ``key`` (on ``borders``) unless one is
        running. The builders this server started for an outdated content on the same
        borders are ended first: the warehouse's current content goes before the other years
        of an old one (whose builder would otherwise hold the store's lock for minutes)."""
        name = f"{key}/{year}"
        running = self._builders.get(name)
        if running is not None and running.poll() is None:
            return
        # one that ended at once found another builder at work (the other borders' content,
        # say): try again a little later, not on every request meanwhile
        started = self._builder_starts.get(name, -BUILDER_RETRY)
        if running is not None and time.monotonic() - started < BUILDER_RETRY:
            return
        self._builder_starts[name] = time.monotonic()
        for other, process in self._builders.items():
            same = self._builder_borders.get(other) == borders
            if other != name and same and process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
        self._builder_borders[name] = borders
        log.info("computing the year's figures for every municipality in the background")
        # started from one thread that lives as long as the server: Linux ends a builder when
        # the *thread* that started it ends (PR_SET_PDEATHSIG), and request threads come and go
        self._builders[f"{key}/{year}"] = _SPAWNER.submit(
            computed_store.build_in_background,
            self.db,
            year,
            resamples=self.settings.resamples,
            borders=borders,
            codes=self.store_codes,
        ).result()

    def stop_builders(self, timeout: float = 10.0) -> None:
        """End the builder processes and the document worker this app started (when the
        server stops)."""
        for process in self._builders.values():
            if process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout)
        self._builders.clear()
        self.documents.close()

    def data(self) -> api.AnalysisData:
        """Every year's observations (warehouse, then the sample), loaded once per stamp."""
        return self._data.get(("data", self.stamp()), lambda: load_all(self.db, self.catalog))

    def years(self) -> list[int]:
        """Years with figures, oldest first."""
        source = self._source()
        if source.key is not None:
            return list(source.years)
        return list(self._year_list.get(("years", source.stamp), lambda: years_of(self.data())))

    def default_year(self) -> int:
        """The year shown when none is asked for: :func:`kostra.api.newest_year`, the same
        rule as every CLI command (the newest year with SSB's own figures, else the sample's)."""

        def real() -> list[int]:
            observations = self.data().observations.filter(~pl.col("synthetic"))
            return [int(y) for y in observations["year"].unique() if int(y) >= api.FIRST_YEAR]

        years = self.years()
        source = self._source()
        if source.key is not None and source.real_years is not None:
            chosen = api.newest_year(years, source.real_years)
        else:
            real_years = self._year_list.get(("real_years", self.stamp()), real)
            chosen = api.newest_year(years, real_years)
        if chosen is None:
            raise DataNotFoundError(
                say("error.web.no_figures"), hint=say("error.web.no_figures.hint")
            )
        return chosen

    def check_year(self, year: int | None) -> int:
        """``year`` when the app has figures for it (``None``: the newest year)."""
        if year is None:
            return self.default_year()
        years = self.years()
        if year not in years:
            raise NotFoundError(
                say("error.web.year", year=year),
                hint=say("error.web.year.hint", first=years[0], last=years[-1]),
            )
        return year

    @property
    def synthetic(self) -> bool:
        """Whether any figure shown is from the synthetic sample."""
        source = self._source()
        if source.key is not None:
            return source.synthetic
        return self.data().synthetic

    # -- catalog ------------------------------------------------------------------------------

    def indicator(self, indicator_id: str) -> Indicator:
        """The catalog entry of ``indicator_id``; unknown ids raise :class:`NotFoundError`."""
        try:
            return self._indicators[indicator_id]
        except KeyError:
            raise NotFoundError(
                say("error.web.indicator", id=shown(indicator_id)),
                hint=say("error.web.indicator.hint"),
            ) from None

    def indicators(self) -> list[Indicator]:
        """The catalog's key figures in catalog order."""
        return list(self.catalog.indicators)

    # -- per year -----------------------------------------------------------------------------

    def year_view(self, year: int, borders: str = DEFAULT_BORDERS) -> YearView:
        """The shared analyses of ``year`` on ``borders`` (``"year"``: the year's own,
        ``"newest"``: today's): from the computed year when there is one, else computed once
        per warehouse stamp."""
        year = self.check_year(year)
        borders = check_borders(borders)
        state = self.state(borders)
        key = ("year", state, year, borders)
        return self._years.get(key, lambda: self._compute_year(state, year, borders))

    def _compute_year(self, state: Hashable, year: int, borders: str) -> YearView:
        on = borders_year(year, borders)
        if isinstance(state, tuple) and state[0] == "store":
            # never computed inside a request: another process builds it (a year takes
            # minutes of CPU, and a queue of requests behind it would time out)
            computed = self.store.year(str(state[1]), year)
            if computed is None:
                raise ComputingError(str(year))
            return YearView(
                year=year,
                municipalities=computed.municipalities,
                evaluated=computed.evaluated,
                borders=on,
                choice=borders,
                map_municipalities=computed.map_municipalities,
                map_evaluated=computed.map_evaluated,
                computed=computed,
            )
        inputs = self.inputs(year, borders)
        on_map = map_table(inputs)
        return YearView(
            year=year,
            municipalities=municipality_table(inputs),
            evaluated=inputs.evaluated,
            borders=on,
            choice=borders,
            map_municipalities=on_map[0] if on_map else None,
            map_evaluated=on_map[1] if on_map else None,
            inputs=inputs,
        )

    def barometer(
        self, year: int, borders: str = DEFAULT_BORDERS
    ) -> barometer_analysis.BarometerResult | None:
        """The barometer's ranking of ``year`` (from the computed year when there is one)."""
        year_view = self.year_view(year, borders)
        if year_view.computed is not None:
            computed = year_view.computed
            return self._barometers.get(
                ("ranking", computed.key, year), lambda: computed.barometer(self.catalog)
            )
        return (year_view.inputs or self.inputs(year, borders)).ranking

    def intervals(self, year: int, borders: str = DEFAULT_BORDERS) -> pl.DataFrame | None:
        """The barometer's rank intervals of ``year`` (every sector and the total)."""
        year_view = self.year_view(year, borders)
        if year_view.computed is not None:
            computed = year_view.computed
            return self._barometers.get(("intervals", computed.key, year), computed.intervals)
        return (year_view.inputs or self.inputs(year, borders)).intervals

    def key_figures(
        self, year: int, borders: str = DEFAULT_BORDERS
    ) -> tuple[pl.DataFrame, bool, str]:
        """The evaluated key figures of ``year``'s window on ``borders`` (SSB's aggregate
        regions kept), whether any is synthetic and where they came from: from the computed
        year when there is one (the nøkkeltall view reads it, never computing the year in a
        request)."""
        year_view = self.year_view(year, borders)
        if year_view.computed is not None:
            return year_view.evaluated, self.synthetic, self._source(borders).source
        inputs = year_view.inputs or self.inputs(year, borders)
        return inputs.evaluated, inputs.data.synthetic, inputs.data.source

    def inputs(self, year: int, borders: str = DEFAULT_BORDERS) -> ReportInputs:
        """The year's shared inputs on ``borders`` (:func:`kostra.report.pipeline.prepare`),
        once per stamp."""
        choice: api.BordersChoice = "newest" if check_borders(borders) == "newest" else "year"
        return self._inputs.get(
            ("inputs", self.stamp(), year, choice),
            lambda: prepare(
                year,
                data=self.data(),
                catalog=self.catalog,
                settings=self.settings,
                borders=choice,
            ),
        )

    def places(self, year: int | None = None, borders: str = DEFAULT_BORDERS) -> list[Place]:
        """The municipalities of ``year`` on ``borders`` (``None``: the newest borders), for
        the choosers and the search."""
        on = BORDERS if year is None else borders_year(year, borders)
        return list(_places_on(on))

    def resolve(self, text: str, year: int, borders: str = DEFAULT_BORDERS) -> Place:
        """The municipality a person means (the CLI's name resolution) among the
        municipalities of ``year`` on ``borders``; a code of another year's borders is followed
        through the code history (:func:`kostra.web.borders.place_on`).

        Unknown names raise :class:`~kostra.errors.UnknownMunicipalityError` with suggestions;
        a municipality that is several on these borders raises
        :class:`~kostra.web.borders.SeveralMunicipalitiesError` naming them.
        """
        text = text.strip()
        if not text or len(text) > 80:
            raise UnknownMunicipalityError(text[:80], [])
        on = borders_year(year, borders)
        # every page resolves its municipality: a name or code once per year, not per request
        key = ("resolve", text, year, on)
        return self._resolved.get(key, lambda: self._resolve(text, year, on))

    def _resolve(self, text: str, year: int, on: int) -> Place:
        from kostra.web.borders import place_on

        code = place_on(text, year, on)
        by_code = {p.code: p for p in _places_on(on)}
        if code not in by_code:
            raise UnknownMunicipalityError(text, [], year=year)
        return by_code[code]

    def search(
        self,
        text: str,
        limit: int = 10,
        *,
        year: int | None = None,
        borders: str = DEFAULT_BORDERS,
    ) -> list[Place]:
        """Municipalities of ``year`` on ``borders`` (``None``: the newest borders) whose name
        (or a part of a double name) or code starts with ``text``, then those containing it,
        then those a former name starting with it is part of then; matched the way the CLI
        matches names (case and Norwegian letters folded)."""
        geography = importlib.import_module("kostra.geography")
        query = geography.normalise_name(text.strip())
        if not query:
            return []
        on = BORDERS if year is None else borders_year(year, borders)
        places = _places_on(on)
        starts: list[Place] = []
        contains: list[Place] = []
        for place in places:
            if place.code.startswith(text.strip()):
                starts.append(place)
                continue
            name = geography.normalise_name(place.name)
            parts = [name, *name.replace("-", " ").split()]
            if any(part.startswith(query) for part in parts):
                starts.append(place)
            elif query in name:
                contains.append(place)
        # former names ("oppeg" → Nordre Follo), as the CLI resolves them
        former = importlib.import_module("kostra.geography.former_names").former_names(on)
        by_code = {p.code: p for p in places}
        for name, code in former.select("name", "code").iter_rows():
            holder = by_code.get(code)
            folded = geography.normalise_name(name)
            if holder is None or holder in starts or holder in contains:
                continue
            if any(part.startswith(query) for part in [folded, *folded.replace("-", " ").split()]):
                contains.append(holder)
        return (starts + contains)[:limit]

    # -- per municipality ---------------------------------------------------------------------

    def view(
        self, code: str, year: int, peers: str = "standard", borders: str = DEFAULT_BORDERS
    ) -> MunicipalityView:
        """One municipality's report data for ``year`` against ``peers`` on ``borders``
        (``code`` on those borders; cached)."""
        if peers not in PEER_CHOICES:
            raise NotFoundError(
                say("error.web.peers", peers=shown(peers)),
                hint=say("error.web.choose_one.hint", choices=", ".join(PEER_CHOICES)),
            )
        year_view = self.year_view(year, borders)
        key = ("view", self.state(borders), year_view.year, code, peers, borders)
        return self._views.get(key, lambda: self._read_view(year_view, code, peers))

    def _read_view(self, year_view: YearView, code: str, peers: str) -> MunicipalityView:
        """The view from the computed year (no waiting for anyone's computation), else
        computed here."""
        computed = year_view.computed
        if computed is not None:
            found = computed.view(code, peers)
            if found is not None:
                data, findings = found
                return MunicipalityView(
                    data=data.model_copy(update={"generated": dt.date.today()}),
                    findings=findings,
                    summary=tuple(summary(list(findings))),
                    peers_key=peers,
                    borders=year_view.choice,
                )
            if not computed.has(peers):
                raise ComputingError(f"{year_view.year} ({peers})")
            # the builder found no such group for this municipality: neither would we
            raise NotFoundError(
                say("error.web.peers_for", peers=peers, code=code, year=year_view.year),
                hint=say("error.web.peers_for.hint"),
            )
        return self._compute_view(year_view, code, peers)

    def _compute_view(self, year_view: YearView, code: str, peers: str) -> MunicipalityView:
        with self._requests_idle:
            self._requests += 1
        try:
            with self._computing:
                return self._compute_view_now(year_view, code, peers)
        finally:
            with self._requests_idle:
                self._requests -= 1
                self._requests_idle.notify_all()

    def _compute_view_now(self, year_view: YearView, code: str, peers: str) -> MunicipalityView:
        inputs = year_view.inputs or self.inputs(year_view.year, year_view.choice)
        data, found = municipality_view(inputs, code, peers)
        return MunicipalityView(
            data=data,
            findings=found,
            summary=tuple(summary(list(found))),
            peers_key=peers,
            borders=year_view.choice,
        )

    # -- background warming -------------------------------------------------------------------

    def start_warming(self, year: int | None = None, limit: int = WARM_LIMIT) -> bool:
        """Compute the standard view of up to ``limit`` municipalities of ``year`` (``None``: the
        newest) in one background thread, the most populous first, so most first visits find
        their view ready. The thread yields to requests: it computes only while no request is
        computing a view, at the lowest CPU priority. Returns whether a warmer was started
        (not when ``warm_views`` is off or one is running); :meth:`stop_warming` ends it."""
        if not self.warm_views or (self.use_store and self._source().key is not None):
            return False  # the computed year has every municipality's view already
        if self._warm_thread is not None and self._warm_thread.is_alive():
            return False
        self._warm_stop.clear()
        limit = min(limit, self._views.maxsize * 7 // 8)  # room for the other peer groups' views
        thread = threading.Thread(
            target=self._warm, args=(year, limit), name="kostra-warm-views", daemon=True
        )
        self._warm_thread = thread
        thread.start()
        return True

    def stop_warming(self, timeout: float | None = 5.0) -> None:
        """Stop the background warmer after the view it is computing."""
        self._warm_stop.set()
        thread = self._warm_thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def warming(self) -> bool:
        """Whether the background warmer is running."""
        return self._warm_thread is not None and self._warm_thread.is_alive()

    def _warm(self, year: int | None, limit: int) -> None:
        _lowest_priority()
        try:
            stamp = self.state()
            year_view = self.year_view(self.default_year() if year is None else year)
            order = year_view.municipalities.sort(
                "population", descending=True, nulls_last=True, maintain_order=True
            )["code"].to_list()
            done = 0
            for code in order[:limit]:
                if not self._wait_for_idle() or self.state() != stamp:
                    break
                key = ("view", stamp, year_view.year, code, "standard", DEFAULT_BORDERS)
                self._views.get(key, functools.partial(self._compute_warm, year_view, code))
                done += 1
            log.info("warmed %d municipality views of %d", done, year_view.year)
        except KostraError as error:  # a view the data cannot give is computed (and shown) later
            log.warning("stopped warming municipality views: %s", error)

    def _wait_for_idle(self) -> bool:
        """Wait until no request computes a view; ``False`` when told to stop."""
        with self._requests_idle:
            while self._requests and not self._warm_stop.is_set():
                self._requests_idle.wait(0.5)
        return not self._warm_stop.is_set()

    def _compute_warm(self, year_view: YearView, code: str) -> MunicipalityView:
        with self._computing:
            return self._compute_view_now(year_view, code, "standard")

    # -- all municipalities -------------------------------------------------------------------

    def values(
        self,
        year: int,
        measure: str,
        borders: str = DEFAULT_BORDERS,
        *,
        on_map: bool = False,
    ) -> pl.DataFrame:
        """``code, name, county_code, county_name, population, size, kostra_group, value,
        status, place`` for every municipality of ``year`` on ``borders`` (``on_map``: on the
        map's newest borders, whatever ``borders``): a key figure's value in ``year`` or, for
        ``measure == "barometer"``, the barometer's total rank. ``place`` counts from the best
        (direction-aware; the highest value for neutral figures)."""
        year_view = self.year_view(year, borders)
        if measure != BAROMETER_RANK:
            self.indicator(measure)
        on_map = on_map and year_view.map_municipalities is not None
        key = ("values", self.state(borders), year_view.year, measure, borders, on_map)
        return self._values.get(key, lambda: self._compute_values(year_view, measure, on_map))

    def _compute_values(self, year_view: YearView, measure: str, on_map: bool) -> pl.DataFrame:
        base = year_view.municipalities
        evaluated = year_view.evaluated
        if on_map and year_view.map_municipalities is not None:
            base = year_view.map_municipalities
            if year_view.map_evaluated is not None:
                evaluated = year_view.map_evaluated
        if measure == BAROMETER_RANK:
            # the headline: the income-adjusted rank (as Kommunal Rapport publishes it); the
            # unadjusted ``rank`` and its interval stay beside it in the rows
            headline = pl.coalesce(pl.col("rank_income_adjusted"), pl.col("rank"))
            return base.with_columns(
                headline.cast(pl.Float64).alias("value"),
                pl.lit(None, dtype=pl.Utf8).alias("status"),
                headline.alias("place"),
            )
        indicator = self._indicators[measure]
        evaluated = evaluated.filter(
            (pl.col("year") == year_view.year) & (pl.col("indicator_id") == measure)
        ).select("region", "value", "status")
        frame = base.join(evaluated, left_on="code", right_on="region", how="left")
        descending = indicator.direction != "lower_better"
        return frame.with_columns(
            pl.col("value").rank(method="min", descending=descending).cast(pl.Int64).alias("place")
        )

    def ranking(
        self,
        year: int,
        measure: str = BAROMETER_RANK,
        *,
        query: str = "",
        county: str | None = None,
        kostra_group: str | None = None,
        size: str | None = None,
        sort: str = "place",
        descending: bool = False,
        borders: str = DEFAULT_BORDERS,
    ) -> pl.DataFrame:
        """The ranking table: :meth:`values` filtered by name, county, KOSTRA group and size,
        sorted by ``sort`` (missing values last)."""
        frame = self.values(year, measure, borders)
        if query.strip():
            found = {p.code for p in self.search(query, limit=1000, year=year, borders=borders)}
            frame = frame.filter(pl.col("code").is_in(list(found)))
        if county:
            frame = frame.filter(pl.col("county_code") == county)
        if kostra_group:
            frame = frame.filter(pl.col("kostra_group") == kostra_group)
        if size:
            if size not in SIZE_CLASSES:
                raise NotFoundError(
                    say("error.web.size", size=shown(size)),
                    hint=say("error.web.choose_one.hint", choices=", ".join(SIZE_CLASSES)),
                )
            frame = frame.filter(pl.col("size") == size)
        if sort not in RANKING_SORTS:
            raise NotFoundError(
                say("error.web.sort", sort=shown(sort)),
                hint=say("error.web.sort.hint", choices=", ".join(RANKING_SORTS)),
            )
        return frame.sort(sort, descending=descending, nulls_last=True, maintain_order=True)

    def compare(
        self, codes: Sequence[str], year: int, measure: str, borders: str = DEFAULT_BORDERS
    ) -> pl.DataFrame:
        """:meth:`values` of ``codes`` (on ``borders``) in ``year``, in the order given (each
        once; a code not among them left out)."""
        frame = self.values(year, measure, borders)
        # the rows picked by position: one gather, not a filter, a join and a sort per request
        key = ("rows", self.state(borders), year, measure, borders)
        rows = self._values.get(
            key, lambda: {str(c): i for i, c in enumerate(frame["code"].to_list())}
        )
        picked = [rows[c] for c in dict.fromkeys(codes) if c in rows]
        return frame[pl.Series(picked, dtype=pl.UInt32)]

    def compare_series(
        self, codes: Sequence[str], year: int, measure: str, borders: str | None = None
    ) -> pl.DataFrame:
        """``code, year, value`` of ``codes`` for the history window up to ``year``, on
        ``borders`` (``None``: :meth:`series_borders`, the newest, so every year has the same
        units)."""
        if measure == BAROMETER_RANK:
            return pl.DataFrame(schema={"code": pl.Utf8, "year": pl.Int64, "value": pl.Float64})
        year_view = self.year_view(year, borders or self.series_borders(year))
        return (
            year_view.evaluated.filter(
                (pl.col("indicator_id") == measure) & pl.col("region").is_in(list(codes))
            )
            .select(pl.col("region").alias("code"), pl.col("year").cast(pl.Int64), "value")
            .sort("code", "year")
        )

    def series_borders(self, year: int) -> str:
        """The borders choice whose figures put ``year``'s time series on the newest borders:
        the default when the year's own borders are the newest (no second computation),
        otherwise ``"newest"``."""
        # no municipality changed after the newest borders: later years are on them too
        return DEFAULT_BORDERS if borders_year(year, DEFAULT_BORDERS) >= BORDERS else "newest"

    def kostra_groups_available(self, year: int, borders: str = DEFAULT_BORDERS) -> bool:
        """Whether the KOSTRA groups of ``year`` are at hand (SSB's Klass 112, cached)."""
        frame = self.year_view(year, borders).municipalities
        return bool(frame["kostra_group"].is_not_null().any())

    def panel(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A part of a page that depends only on ``key`` and the figures (e.g. the overview's
        similar municipalities), computed once per state instead of on every page view."""
        return self._panels.get(("panel", self.state(), key), compute)

    def rendered(self, key: Hashable, render: Callable[[], T]) -> T:
        """A rendered report (PDF bytes or HTML), kept for the next download of the same one."""
        return self._rendered.get(("rendered", self.state(), key), render)

    def clear(self) -> None:
        """Forget every cached result (tests, or after loading new figures); stops the
        background warmer."""
        self.stop_warming()
        for cache in (
            self._data,
            self._year_list,
            self._years,
            self._views,
            self._values,
            self._rendered,
            self._panels,
            self._resolved,
            self._inputs,
            self._computed,
            self._barometers,
        ):
            cache.clear()
        self._currents.clear()


#: The thread a serving process looks at a changed warehouse from (see :meth:`WebData._source`).
_CHECKER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kostra-checks")
#: The one thread builder processes are started from (see :meth:`WebData._start_builder`).
_SPAWNER = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kostra-builders")

RANKING_SORTS = ("place", "value", "name", "code", "population", "county_name", "rank", "score")


def _lowest_priority() -> None:
    """Give the calling thread the lowest CPU priority, where the system allows it (Linux: a
    thread id is a process id to ``setpriority``, so only this thread is niced)."""
    # not Linux, or not allowed: the warmer runs at normal priority, still one view at a time
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
