"""The computed year: every municipality's figures of a year, computed once and kept beside
the warehouse, keyed by what they were computed from.

A *computed year* holds what the pages and reports of one year show, for every municipality:
the year's municipality table (:func:`kostra.results.year.municipality_table`), the evaluated
key figures of its history window, and each municipality's report data and findings
(:func:`kostra.results.year.municipality_view`) against each peer-group choice. It lives in
``<warehouse>.computed/<key>/<year>/`` (Parquet files), where ``key`` is a hash of everything
the figures depend on (:func:`content_key`): the warehouse's vintages (their ids and content
hashes), the content of the catalog, of the shipped data and of the analysis code, the report
settings and the borders choice (never file times). Loading a new vintage changes the key, so
the next computed year is computed afresh; the old one stays readable until the new one is
ready.

Writes are atomic: a year is written into a temporary folder and renamed into place with its
standard peer groups (ASSS for its members, the county otherwise) complete; each further peer
group is written to a temporary file and renamed in. Readers therefore see a year whole or not
at all. One builder at a time works on a store (a lock file); :func:`build_in_background` starts
one in another process at the lowest CPU priority.

Why Parquet rather than DuckDB tables: measured in ``benchmarks/bench_computed_year.py`` (see
``benchmarks/README.md``); and only :mod:`kostra.warehouse` writes the warehouse database, so the
computed year, a cache any process may rebuild, stays out of it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pydantic_core
from pydantic import TypeAdapter

from kostra import api
from kostra.analysis._barometer import model as barometer_model
from kostra.analysis._barometer.model import BarometerResult, load_config
from kostra.analysis.findings import Finding
from kostra.catalog.models import Catalog
from kostra.errors import KostraError
from kostra.report.model import ReportData
from kostra.report.pipeline import ReportInputs, ReportSettings, default_peers
from kostra.results.year import (
    PEER_CHOICES,
    WEB_BORDERS,
    load_all,
    map_table,
    municipality_table,
    municipality_view,
    years_of,
)

log = logging.getLogger("kostra.results.store")

#: Bumped when the layout of the files changes.
STORE_FORMAT = 2
#: Peer choices stored as files; ``standard`` is read from ``asss`` or ``county``.
STORED_PEERS = tuple(p for p in PEER_CHOICES if p != "standard")
#: The peer groups a year is published with (the pages' default); the others follow.
FIRST_PEERS = ("asss", "county")
#: ReportData fields that are the same for every municipality of a year: kept once.
SHARED_FIELDS = ("distributions", "indicators")
#: Contents kept, the newest first: each borders choice is a content of its own, and readers
#: may still hold the one before the newest of each.
KEEP = 2 * len(api.BORDERS_CHOICES)
#: Years before the newest a builder computes too (standard peer groups), for the pages'
#: year chooser.
YEARS_BACK = 3
#: Computed years kept open in a process (each holds its key figures, about 25 MB): the
#: web's four years on both borders choices.
OPENED = 8
_OPENED: OrderedDict[tuple[str, int], ComputedYear] = OrderedDict()
_OPENED_LOCK = threading.Lock()


@functools.cache
def _findings() -> TypeAdapter[tuple[Finding, ...]]:
    # built at first use: a report that only reads the year's inputs never needs it
    return TypeAdapter(tuple[Finding, ...])


def store_root(db: Path) -> Path:
    """The folder of ``db``'s computed years: ``<db>.computed`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".computed")


#: (path, size, mtime) → sha256 of the file's content, so a key is computed from content while
#: each file is read once per process (the mtime only tells when to read it again).
_HASHES: dict[tuple[str, int, int], str] = {}


def _file_hash(path: Path) -> str:
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime_ns)
    found = _HASHES.get(memo)
    if found is None:
        found = hashlib.sha256(path.read_bytes()).hexdigest()
        _HASHES[memo] = found
    return found


#: Files of the figures' packages that do not change a figure: this module stores them (its
#: layout is :data:`STORE_FORMAT`).
_NOT_FIGURES = ("results/store.py",)


def _tree_hash(package: Path, subs: Sequence[str], names: Sequence[str] = ()) -> str:
    """One hash of the content of the files under ``subs`` and of ``names`` (paths relative to
    ``package`` included, so a moved file counts as a change)."""
    digest = hashlib.sha256()
    paths = [p for sub in subs for p in sorted((package / sub).rglob("*"))]
    paths += [package / name for name in names]
    for path in paths:
        if path.relative_to(package).as_posix() in _NOT_FIGURES:
            continue
        if path.is_file() and path.suffix not in (".pyc", ".j2", ".css", ".js"):
            digest.update(str(path.relative_to(package)).encode())
            digest.update(_file_hash(path).encode())
    return digest.hexdigest()


def content_fingerprint() -> dict[str, str]:
    """Hashes of the *content* of what the figures are computed from besides the warehouse:
    the catalog, the shipped data (sample, borders, population, classifications) and the
    analysis code. File times play no part: a checkout or a copy with the same content gives
    the same key, and any edit a different one."""
    package = Path(str(resources.files("kostra")))
    return {
        "catalog": _tree_hash(package, ("catalog",)),
        "data": _tree_hash(package, ("data", "geography")),
        "code": _tree_hash(
            package,
            ("analysis", "report", "results", "sources"),
            ("api.py", "frames.py", "warehouse.py"),
        ),
    }


def warehouse_fingerprint(db: Path) -> list[list[Any]]:
    """``[table_id, vintage_id, content_hash, n_rows]`` of every vintage in ``db`` (empty when
    there is no file: the sample alone). Raises the warehouse's errors (busy, unreadable)."""
    if not Path(db).is_file():
        return []
    from kostra.warehouse import Warehouse

    with Warehouse.open(db, read_only=True) as warehouse:
        vintages = warehouse.vintages()
    return [
        [str(t), int(v), str(h), int(n)]
        for t, v, h, n in vintages.select("table_id", "vintage_id", "content_hash", "n_rows")
        .sort("vintage_id")
        .iter_rows()
    ]


def content_key(
    db: Path,
    settings: ReportSettings,
    borders: str,
    *,
    vintages: list[list[Any]] | None = None,
    codes: Sequence[str] | None = None,
) -> str:
    """The key of the figures computed from ``db``'s current content with ``settings`` on
    ``borders`` (of the municipalities ``codes``; ``None``: all): equal exactly when the
    inputs are."""
    import kostra

    parts = {
        "format": STORE_FORMAT,
        "version": kostra.__version__,
        **content_fingerprint(),
        "vintages": warehouse_fingerprint(db) if vintages is None else vintages,
        "settings": asdict(settings),
        "borders": borders,
        "codes": None if codes is None else sorted(codes),
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class ComputedYear:
    """One complete computed year on disk (read-only), opened by :meth:`Store.year`."""

    path: Path
    year: int
    key: str
    #: the year's municipality table (see :func:`kostra.results.year.municipality_table`)
    municipalities: pl.DataFrame
    #: the evaluated key figures of the history window (``kostra.api.evaluated``)
    evaluated: pl.DataFrame
    #: the year's table and key figures on the map's borders when the year is on older ones
    #: (:func:`kostra.results.year.map_table`); ``None``: the two above are on them already
    map_municipalities: pl.DataFrame | None
    map_evaluated: pl.DataFrame | None
    #: code → peer key of its standard group (``asss`` or ``county``)
    standard: dict[str, str]
    #: code → its row group in each views file (codes in order)
    rows: dict[str, int]
    synthetic: bool
    _shared: dict[str, Any]
    _typed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, key: str) -> ComputedYear:
        """The computed year in ``path`` (a published year folder)."""
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        shared = json.loads((path / "shared.json").read_text(encoding="utf-8"))
        on_map = (path / "map-municipalities.parquet").is_file()
        return cls(
            path=path,
            year=int(meta["year"]),
            key=key,
            municipalities=pl.read_parquet(path / "municipalities.parquet"),
            evaluated=pl.read_parquet(path / "evaluated.parquet"),
            map_municipalities=pl.read_parquet(path / "map-municipalities.parquet")
            if on_map
            else None,
            map_evaluated=pl.read_parquet(path / "map-evaluated.parquet") if on_map else None,
            standard=dict(meta["standard"]),
            rows={code: n for n, code in enumerate(meta["codes"])},
            synthetic=bool(meta["synthetic"]),
            _shared=shared,
        )

    def barometer(self, catalog: Catalog) -> BarometerResult | None:
        """The barometer's ranking of the year (its frames of this year only), or ``None``
        when the catalog ranks nothing."""
        if not (self.path / "barometer-total.parquet").is_file():
            return None
        frames = {
            name: pl.read_parquet(self.path / f"barometer-{name}.parquet")
            for name in BAROMETER_FRAMES
        }
        config = load_config()
        # the items as rank_municipalities resolves them from the same catalog
        items = barometer_model._resolve_items(catalog, config)
        return BarometerResult(
            indicators=frames["indicators"],
            cutoffs=frames["cutoffs"],
            sectors=frames["sectors"],
            total=frames["total"],
            items=items,
            config=config,
        )

    def intervals(self) -> pl.DataFrame | None:
        """The barometer's rank intervals of the year, or ``None``."""
        path = self.path / "barometer-intervals.parquet"
        return pl.read_parquet(path) if path.is_file() else None

    def has(self, peers: str) -> bool:
        """Whether the views against ``peers`` are stored (``standard``: always)."""
        if peers == "standard":
            return True
        return (self.path / f"views-{peers}.parquet").is_file()

    def view(self, code: str, peers: str) -> tuple[ReportData, tuple[Finding, ...]] | None:
        """``code``'s report data and findings against ``peers``; ``None`` when this year has
        no such view (peer group not stored yet, or not available for the municipality)."""
        if peers == "standard":
            peers = self.standard.get(code, "")
            if not peers:
                return None
        path = self.path / f"views-{peers}.parquet"
        if not path.is_file():
            return None
        index = self.rows.get(code)
        if index is None:
            return None
        import pyarrow.parquet as pq  # the web's reads; a report's inputs are read by Polars

        # the footer (one row group per municipality) parsed once per file, not per page
        metadata = self._typed.get(f"metadata-{peers}")
        if metadata is None:
            metadata = self._typed[f"metadata-{peers}"] = pq.read_metadata(path)
        with pq.ParquetFile(path, metadata=metadata) as handle:
            row = handle.read_row_group(index, columns=["code", "data", "findings"]).to_pylist()[0]
        if row["data"] is None or row["code"] != code:
            return None
        data = json.loads(row["data"])
        for name in SHARED_FIELDS:
            if name not in data:
                data[name] = self._shared_field(name)
        return ReportData.model_validate(data), _findings().validate_json(row["findings"])

    def _shared_field(self, name: str) -> Any:
        """A shared field, validated once: a model instance is not validated again, so each
        view validates only its own fields."""
        typed = self._typed
        if name not in typed:
            annotation = ReportData.model_fields[name].annotation
            typed[name] = TypeAdapter(annotation).validate_python(self._shared[name])
        return typed[name]


class Store:
    """The computed years of one warehouse, in :func:`store_root`."""

    def __init__(self, db: Path) -> None:
        self.db = Path(db)
        self.root = store_root(self.db)

    def path(self, key: str, year: int) -> Path:
        """Where the year of the content ``key`` is (or will be) published."""
        return self.root / key / str(year)

    def year(self, key: str, year: int) -> ComputedYear | None:
        """The published computed year, or ``None`` when it is not (yet) complete. A year
        opened before is the same object while its folder holds the same publication (its
        ``meta.json``, written once when the year appears whole): opening one reads its key
        figures, about 30 ms, and the web reads several years on two borders choices."""
        path = self.path(key, year)
        try:
            stamp = (path / "meta.json").stat().st_mtime_ns
        except OSError:
            return None
        memo = (str(path), stamp)
        with _OPENED_LOCK:
            found = _OPENED.get(memo)
            if found is not None:
                _OPENED.move_to_end(memo)
                return found
        found = ComputedYear.open(path, key)
        with _OPENED_LOCK:
            _OPENED[memo] = found
            while len(_OPENED) > OPENED:
                _OPENED.popitem(last=False)
        return found

    def content(self, key: str) -> dict[str, Any] | None:
        """What is known of the content ``key`` (its years, whether synthetic), once any of
        its years is published."""
        path = self.root / key / "content.json"
        if not path.is_file():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def newest_ready(self, borders: str = "") -> tuple[str, dict[str, Any]] | None:
        """The most recently described content on ``borders`` (``""``: the default) that is
        ready (any key): what a server that has just started serves while the builder computes
        its own content."""
        borders = borders or str(WEB_BORDERS)
        if not self.root.is_dir():
            return None
        found: list[tuple[int, str, dict[str, Any]]] = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            content = self.content(folder.name)
            if (
                content is not None
                and content.get("ready", True)
                and content.get("borders") == borders
            ):
                found.append(((folder / "content.json").stat().st_mtime_ns, folder.name, content))
        if not found:
            return None
        _, key, content = max(found)
        return key, content

    @contextlib.contextmanager
    def lock(self) -> Iterator[bool]:
        """Hold the builders' lock while the block runs; yields whether it was got (another
        builder holds it: ``False``, and nothing is built)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as handle:
            try:
                import fcntl

                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # not POSIX: builders are not serialised
                pass
            except OSError:
                yield False
                return
            yield True

    def build(
        self,
        year: int | None = None,
        *,
        settings: ReportSettings | None = None,
        borders: str = "",
        peers: Sequence[str] = STORED_PEERS,
        codes: Sequence[str] | None = None,
        years_back: int = 0,
        all_years: bool = False,
        until_ready: bool = False,
        rendered: bool = False,
    ) -> ComputedYear | None:
        """Compute ``year`` (``None``: the newest with figures) for every municipality (or
        only ``codes``, a smaller store for tests) and publish it with its standard peer
        groups; then add the other peer groups of ``peers`` one by one; then, when ``year`` is
        ``None``, the ``years_back`` years before it with their standard peer groups. That is
        the content's *ready* part: readers switch to it from an older content only now
        (``content.json`` says ``ready``). With ``all_years`` the builder goes on (unless
        ``until_ready``) with the rest rendered ahead for the web (:mod:`kostra.web.prerender`:
        the default year's JSON and CSV answers and its pages against the other peer groups,
        the pages of the earlier years, those on older borders after their years are computed
        on the newest borders for the pages' time series; also with ``until_ready`` when
        ``rendered``), then every
        other year's standard peer groups, then every earlier year's other peer groups, and
        marks the content ``complete``. Returns the first year,
        or ``None`` when another builder holds the lock."""
        settings = settings or ReportSettings()
        borders = borders or str(WEB_BORDERS)
        with self.lock() as got:
            if not got:
                return None
            vintages = warehouse_fingerprint(self.db)
            key = content_key(self.db, settings, borders, vintages=vintages, codes=codes)
            for stale in (self.root / key).glob(".tmp-*"):  # of a builder that was stopped
                shutil.rmtree(stale, ignore_errors=True)
            for stale in (self.root / key).glob("*/.tmp-*"):  # its views or pages half written
                stale.unlink(missing_ok=True)
            data, years = _load(self.db)
            # each borders choice is a content of its own: readers look for theirs
            about = {**_about(data, years), "borders": borders}
            # the pages' default year first (api.newest_year: a newer year only the sample
            # fills is not it)
            default = api.newest_year(years, about["real_years"]) or years[-1]
            wanted = default if year is None else year
            done = self._complete(key, wanted, peers, data, settings, borders, codes, about)
            if year is not None:
                return done
            if self.content(key) is not None and borders == str(WEB_BORDERS):
                _render_pages(self.db, key, wanted, codes)  # the pages' default borders
            before = [y for y in reversed(years) if y < wanted][:years_back]
            for other in before:
                self._complete(key, other, FIRST_PEERS, data, settings, borders, codes, about)
            self._describe(key, about, ready=True, complete=not all_years)
            if all_years and borders == str(WEB_BORDERS) and (rendered or not until_ready):
                # the pages of a year on older borders draw their time series from the newest
                # borders' content: its years computed first, so they are rendered ahead too
                series = self._series_years(key, before, data, settings, vintages, codes, about)
                # the answers the pages are asked for next, read instead of rendered
                _render_ahead(self.db, key, wanted, before, peers, codes, series)
            if all_years and not until_ready:
                rest = [y for y in reversed(years) if y != wanted]
                for other in rest:
                    self._complete(key, other, FIRST_PEERS, data, settings, borders, codes, about)
                for other in rest:
                    self._complete(key, other, peers, data, settings, borders, codes, about)
                self._describe(key, about, ready=True, complete=True)
            return done

    def _series_years(
        self,
        key: str,
        years: Sequence[int],
        data: Any,
        settings: ReportSettings,
        vintages: list[list[Any]],
        codes: Sequence[str] | None,
        about: dict[str, Any],
    ) -> str | None:
        """The ``years`` on older borders than the newest computed with their standard peer
        groups in the newest borders' content of the same warehouse content (what their pages'
        time series are read from); returns that content's key (``None``: no such year)."""
        older = [y for y in years if y not in _on_newest([y])]
        if not older:
            return None
        newest = content_key(self.db, settings, "newest", vintages=vintages, codes=codes)
        described = {**about, "borders": "newest"}
        for year in older:
            self._complete(newest, year, FIRST_PEERS, data, settings, "newest", codes, described)
        log.info("computed %s on the newest borders for the pages' series (%s)", older, newest)
        return newest

    def _complete(
        self,
        key: str,
        year: int,
        peers: Sequence[str],
        data: Any,
        settings: ReportSettings,
        borders: str,
        codes: Sequence[str] | None,
        about: dict[str, Any],
    ) -> ComputedYear:
        """``year`` published (with its standard peer groups) and its views against ``peers``
        added, computing only what is missing."""
        done = self.year(key, year)
        inputs = None
        if done is None:
            inputs = _prepare(year, data, settings, borders)
            done = self._publish(key, inputs, codes, about)
            self._prune(key)
        for choice in peers:
            if not done.has(choice):
                inputs = inputs or _prepare(year, data, settings, borders)
                self._write_views(done.path, inputs, choice, codes=list(done.rows))
        return done

    def _describe(self, key: str, about: dict[str, Any], *, ready: bool, complete: bool) -> None:
        """Write ``content.json``: what readers know of the content before opening a year."""
        text = json.dumps({**about, "ready": ready, "complete": complete})
        _write_atomic(self.root / key / "content.json", text.encode())

    def _publish(
        self,
        key: str,
        inputs: ReportInputs,
        only: Sequence[str] | None,
        about: dict[str, Any],
    ) -> ComputedYear:
        final = self.path(key, inputs.year)
        tmp = final.with_name(f".tmp-{final.name}-{os.getpid()}-{threading.get_ident()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            table = municipality_table(inputs)
            table.write_parquet(tmp / "municipalities.parquet")
            inputs.evaluated.write_parquet(tmp / "evaluated.parquet", compression="zstd")
            on_map = map_table(inputs)
            if on_map is not None:
                on_map[0].write_parquet(tmp / "map-municipalities.parquet")
                on_map[1].write_parquet(tmp / "map-evaluated.parquet", compression="zstd")
            _write_barometer(tmp, inputs)
            codes = sorted(inputs.names) if only is None else sorted(only)
            standard = {code: default_peers(code, inputs.year, inputs.borders) for code in codes}
            shared: dict[str, Any] = {}
            for choice in FIRST_PEERS:
                self._write_views(tmp, inputs, choice, codes=codes, shared=shared)
            (tmp / "shared.json").write_text(json.dumps(shared), encoding="utf-8")
            meta = {
                "year": inputs.year,
                "standard": standard,
                "codes": codes,
                "synthetic": inputs.data.synthetic,
                "db": str(self.db.name),
            }
            (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            os.replace(tmp, final)  # the year appears whole, or not at all
            if self.content(key) is None:  # a reader with no other content may use it now
                self._describe(key, about, ready=False, complete=False)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log.info("published the computed year %d (%s)", inputs.year, key)
        return ComputedYear.open(final, key)

    def _write_views(
        self,
        folder: Path,
        inputs: ReportInputs,
        peers: str,
        *,
        codes: Sequence[str],
        shared: dict[str, Any] | None = None,
    ) -> None:
        """Every municipality's view against ``peers`` into ``views-<peers>.parquet``, one
        row group per municipality (a page reads only its own)."""
        if shared is None:
            shared = json.loads((folder / "shared.json").read_text(encoding="utf-8"))
        import pyarrow as pa
        import pyarrow.parquet as pq

        target = folder / f"views-{peers}.parquet"
        tmp = target.with_name(f".tmp-{target.name}-{os.getpid()}")
        schema = pa.schema(
            [("code", pa.string()), ("data", pa.string()), ("findings", pa.binary())]
        )
        try:
            same: dict[str, Any] = {}
            with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
                for code in codes:
                    data_json, findings_json = _view_json(inputs, code, peers, shared, same)
                    writer.write_table(
                        pa.table(
                            {"code": [code], "data": [data_json], "findings": [findings_json]},
                            schema=schema,
                        )
                    )
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def _prune(self, key: str) -> None:
        """Remove all but the :data:`KEEP` newest contents (and abandoned temporary folders)."""
        contents = [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]
        contents.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in [p for p in contents if p.name != key][KEEP - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
        for stale in self.root.glob(".tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)


BAROMETER_FRAMES = ("indicators", "cutoffs", "sectors", "total")


def _write_barometer(folder: Path, inputs: ReportInputs) -> None:
    """The barometer's frames of the year (ranks, scores, cut-offs) and its rank intervals."""
    ranking, year = inputs.ranking, inputs.year
    if ranking is None:
        return
    for name in BAROMETER_FRAMES:
        frame: pl.DataFrame = getattr(ranking, name)
        frame.filter(pl.col("year") == year).write_parquet(folder / f"barometer-{name}.parquet")
    if inputs.intervals is not None:
        inputs.intervals.filter(pl.col("year") == year).write_parquet(
            folder / "barometer-intervals.parquet"
        )


def _view_json(
    inputs: ReportInputs,
    code: str,
    peers: str,
    shared: dict[str, Any],
    same: dict[str, Any] | None = None,
) -> tuple[str | None, bytes]:
    """One municipality's view as JSON, without the fields kept once in ``shared`` (the
    first municipality's values; a municipality whose values differ keeps its own).
    ``same`` keeps the objects found equal to ``shared``'s, so the next municipality's are
    compared as objects (the year's shared figures are the same objects) instead of dumped."""
    try:
        data, findings = municipality_view(inputs, code, peers)
    except KostraError as error:  # no such group for this municipality (e.g. offline Klass)
        log.info("no %s view of %s: %s", peers, code, error)
        return None, b"[]"
    same = {} if same is None else same
    left_out: set[str] = set()
    for name in SHARED_FIELDS:
        value = getattr(data, name)
        if name in same and value == same[name]:
            left_out.add(name)
            continue
        dumped = data.model_dump(mode="json", include={name})[name]
        if name not in shared:
            shared[name] = dumped
        if dumped == shared[name]:
            same[name] = value
            left_out.add(name)
    # Rust-side JSON of the python-mode dump: NaN stays NaN (as json.dumps wrote it), an
    # order of magnitude faster than json.dumps of the same dict
    body = data.model_dump(mode="json", exclude=left_out)
    text = pydantic_core.to_json(body, inf_nan_mode="constants").decode()
    return text, _findings().dump_json(findings)


def _about(data: api.AnalysisData, years: list[int]) -> dict[str, Any]:
    """What a reader needs before any year is open: the years with figures, those with SSB's
    own (the default year's rule, :func:`kostra.api.newest_year`), whether any is synthetic and
    where the figures came from."""
    observations = data.observations
    if "synthetic" in observations.columns:
        observations = observations.filter(~pl.col("synthetic"))
    real = sorted(int(y) for y in observations["year"].unique() if int(y) >= api.FIRST_YEAR)
    return {
        "years": years,
        "real_years": real,
        "synthetic": bool(data.synthetic),
        "source": str(data.source),
    }


def _load(db: Path) -> tuple[Any, list[int]]:
    from kostra.catalog import load_catalog

    data = load_all(db, load_catalog())
    return data, years_of(data)


def _prepare(year: int, data: Any, settings: ReportSettings, borders: str) -> ReportInputs:
    from kostra.report.pipeline import prepare

    choice: api.BordersChoice = int(borders) if borders.isdigit() else borders  # type: ignore[assignment]
    return prepare(year, data=data, settings=settings, borders=choice)


def _render_pages(db: Path, key: str, year: int, codes: Sequence[str] | None) -> None:
    """The web's pages of the year rendered ahead (:mod:`kostra.web.prerender`), unless they
    are: a first visit is then a file read in the server. A failure costs only that."""
    import importlib

    prerender = importlib.import_module("kostra.web.prerender")
    folder = Store(db).path(key, year)
    pages = prerender.Pages(folder, key, year, {})
    if pages.usable():
        return
    try:
        prerender.render_pages(db, key, year, codes)
    except Exception:
        log.exception("could not render the pages of %d ahead", year)


def _on_newest(years: Sequence[int]) -> list[int]:
    """The ``years`` whose own borders are the newest: a page of an older year draws its
    time series from the figures on the newest borders, another content (the newest
    borders'), so its page depends on that content too."""
    return [y for y in years if api.borders_for(y, "year") >= api.NEWEST_BORDERS]


def _render_ahead(
    db: Path,
    key: str,
    year: int,
    earlier: Sequence[int],
    peers: Sequence[str],
    codes: Sequence[str] | None,
    series: str | None = None,
) -> None:
    """The rest of the web's answers rendered ahead (:func:`kostra.web.prerender.render_ahead`;
    ``series``: the newest borders' content the pages of years on older borders draw their
    time series from); a failure costs only that."""
    import importlib

    prerender = importlib.import_module("kostra.web.prerender")
    try:
        prerender.render_ahead(
            db, key, year, earlier=earlier, peers=peers, codes=codes, series=series
        )
    except Exception:
        log.exception("could not render the answers of %d ahead", year)


def _write_atomic(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def build_in_background(
    db: Path,
    year: int | None = None,
    *,
    resamples: int,
    borders: str = "",
    codes: Sequence[str] | None = None,
    years_back: int = YEARS_BACK,
) -> subprocess.Popen[bytes]:
    """Start a builder for ``db``'s computed ``year`` (``None``: the newest, then
    ``years_back`` before it) in another process at the lowest CPU priority (it exits at once
    when another builder is at work)."""
    command = [
        sys.executable,
        "-m",
        "kostra.results.store",
        str(db),
        "--resamples",
        str(resamples),
    ]
    if year is not None:
        command += ["--year", str(year)]
    if borders:
        command += ["--borders", borders]
    if codes is not None:
        command += ["--codes", ",".join(codes)]
    command += ["--years-back", str(years_back)]
    kwargs: dict[str, Any] = {}
    if hasattr(os, "nice"):
        kwargs["preexec_fn"] = _as_background_child
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, **kwargs)


def _as_background_child() -> None:
    """In the builder before it starts: the lowest CPU priority, and (Linux) ended when the
    server that started it ends, so no builder outlives its server."""
    os.nice(19)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m kostra.results.store DB [--year Y] [--resamples N] [--borders B]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Compute a year into the store beside DB.")
    parser.add_argument("db", type=Path)
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--resamples", type=int, default=ReportSettings().resamples)
    parser.add_argument("--borders", default="")
    parser.add_argument("--codes", default=None, help="comma-separated municipalities (tests)")
    parser.add_argument("--years-back", type=int, default=YEARS_BACK)
    parser.add_argument(
        "--until-ready",
        action="store_true",
        help="stop once the content is ready (the newest year with every peer group and "
        "--years-back years before it), leaving the other years to a later builder",
    )
    parser.add_argument(
        "--until-rendered",
        action="store_true",
        help="with --until-ready: go on until the web's answers are rendered ahead (the "
        "default year's JSON, CSV and other peer groups' pages, the earlier years' pages)",
    )
    args = parser.parse_args(argv)
    # the warehouse built from is every lookup's default here (similar municipalities' features)
    os.environ["KOSTRA_DB"] = str(args.db.resolve())
    logging.basicConfig(level=logging.INFO, format="kostra builder: %(message)s")
    Store(args.db).build(
        args.year,
        settings=ReportSettings(resamples=args.resamples),
        borders=args.borders,
        codes=args.codes.split(",") if args.codes else None,
        years_back=args.years_back,
        all_years=args.year is None,
        until_ready=args.until_ready or args.until_rendered,
        rendered=args.until_rendered,
    )


if __name__ == "__main__":
    main()
