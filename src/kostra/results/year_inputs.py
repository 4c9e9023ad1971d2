"""The year's shared report inputs in the computed-year store: computed once, read by every
later report, deck and ``--all`` worker.

What :func:`kostra.report.pipeline.prepare` computes for every report of a year (the evaluated
key figures of the history window, sector spending, the barometer's ranks and rank intervals,
the map's figures on the newest borders, the vintages and the figures' origins) is most of a
report's cost: loading every observation, evaluating the catalog and resampling the barometer.
:func:`year_inputs` reads it from ``<warehouse>.computed/<key>/inputs-<year>/`` when it is there
for the same content key (:func:`kostra.results.store.content_key`: the warehouse's vintages,
the code, catalog and shipped data, the report settings and the borders rule), and otherwise
computes it and publishes it there (written into a temporary folder and renamed into place, so
a reader sees it whole or not at all); inputs of older vintages or code are then removed
(:func:`prune`). A store that cannot be written (a read-only warehouse folder) only costs the
speed: the year is then computed in this process.

Read back, the inputs are the same frames (Parquet keeps their types) and values, so every
report sliced from them is the report computed directly (``tests/test_report_store.py``). One
thing is not kept: ``ReportInputs.data`` holds where the observations came from and whether any
is synthetic, not the observations themselves (no report reads them once the year is computed;
their frames are empty, so a use would fail loudly rather than see nothing).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import polars as pl

from kostra import api
from kostra.analysis._barometer import model as barometer_model
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog
from kostra.report.build import YearShared
from kostra.report.model import VintageInfo
from kostra.report.pipeline import (
    ReportInputs,
    ReportSettings,
    _barometer_frames,
    _year_slices,
    prepare,
)
from kostra.results import barometer as barometer_results
from kostra.results.store import Store, content_fingerprint, content_key, warehouse_fingerprint

log = logging.getLogger("kostra.results.year_inputs")

#: The frames of :class:`ReportInputs` kept as Parquet files, by file name.
_FRAMES = ("evaluated", "spending", "gross")
_RANKING = ("indicators", "cutoffs", "sectors", "total")


#: The inputs' folders inside a content key's folder: ``inputs-<year>``.
PREFIX = "inputs-"


def folder_name(year: int) -> str:
    """The inputs' folder inside a content key's folder."""
    return f"{PREFIX}{year}"


def borders_key(borders: api.BordersChoice) -> str:
    """The borders part of the content key: the rule (``year``, ``newest``) or the year."""
    return str(borders)


def year_inputs(
    db: Path,
    year: int,
    *,
    settings: ReportSettings | None = None,
    borders: api.BordersChoice = "year",
    catalog: Catalog | None = None,
    progress: Callable[[str], None] | None = None,
    publish: bool = True,
) -> ReportInputs:
    """The shared inputs of ``year``'s reports on ``borders``: read from the store beside ``db``
    when they were computed from the warehouse's current content with the same settings,
    otherwise computed (``progress`` is called with each step's name, see
    :data:`kostra.report.pipeline.PREPARE_STEPS`) and, with ``publish``, stored for the next."""
    settings = settings or ReportSettings()
    catalog = catalog or load_catalog()
    store = Store(db)
    vintages = warehouse_fingerprint(db)
    key = content_key(db, settings, borders_key(borders), vintages=vintages)
    folder = store.root / key / folder_name(year)
    if (folder / "meta.json").is_file():
        try:
            return read(folder, catalog)
        except (OSError, ValueError, KeyError, pl.exceptions.PolarsError) as error:
            # a damaged folder is computed again (and replaced when it can be)
            log.warning("the stored inputs in %s cannot be read (%s)", folder, error)
    inputs = prepare(
        year, db=db, catalog=catalog, settings=settings, borders=borders, progress=progress
    )
    if publish:
        source = source_id(vintages)
        try:
            write_atomic(folder, inputs, source=source)
        except OSError as error:  # e.g. a read-only warehouse folder: computed, not kept
            log.info("the year's inputs were not stored in %s: %s", folder, error)
        else:
            prune(store.root, source)
    return inputs


def source_id(vintages: list[list[Any]]) -> str:
    """What stored inputs were computed from besides the settings: the warehouse's vintages
    and the content of the catalog, shipped data and code (``content_fingerprint``)."""
    text = json.dumps({"vintages": vintages, **content_fingerprint()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def prune(root: Path, source: str) -> None:
    """Remove the stored inputs computed from anything but ``source`` (older vintages or
    code): no report reads them again, and each is megabytes. Other settings and borders of
    the same source stay; the web's computed years (:mod:`kostra.results.store`) are its own
    builder's to prune. A reader of a removed folder that is still reading computes the year
    itself."""
    for meta in root.glob(f"*/{PREFIX}*/meta.json"):
        folder = meta.parent
        try:
            stored_source = json.loads(meta.read_text(encoding="utf-8")).get("computed_from")
        except (OSError, ValueError):
            continue
        if stored_source != source:
            shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(OSError):  # left when it holds anything else
                folder.parent.rmdir()


def stored(
    db: Path,
    year: int,
    *,
    settings: ReportSettings | None = None,
    borders: api.BordersChoice = "year",
) -> bool:
    """Whether ``year``'s inputs on ``borders`` are stored for the warehouse's current content."""
    key = content_key(
        db, settings or ReportSettings(), borders_key(borders), vintages=warehouse_fingerprint(db)
    )
    return (Store(db).root / key / folder_name(year) / "meta.json").is_file()


def write_atomic(folder: Path, inputs: ReportInputs, *, source: str = "") -> None:
    """Write ``inputs`` (computed from ``source``, see :func:`source_id`) into a temporary
    folder beside ``folder``, then rename it into place (when another process published the
    same content first, its folder is kept)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".tmp-{folder.name}-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        write(tmp, inputs, source=source)
        try:
            os.replace(tmp, folder)
        except OSError:
            if not (folder / "meta.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write(folder: Path, inputs: ReportInputs, *, source: str = "") -> None:
    """Write ``inputs`` into ``folder`` (Parquet frames and a ``meta.json`` written last)."""
    for name in _FRAMES:
        frame: pl.DataFrame = getattr(inputs, name)
        frame.write_parquet(folder / f"{name}.parquet", compression="zstd")
    ranking = inputs.ranking
    if ranking is not None:
        for name in _RANKING:
            frame = getattr(ranking, name)
            frame.write_parquet(folder / f"ranking-{name}.parquet", compression="zstd")
    if inputs.intervals is not None:
        inputs.intervals.write_parquet(folder / "intervals.parquet", compression="zstd")
    barometer = inputs.barometer_inputs
    if barometer is not None:
        barometer.values.write_parquet(folder / "barometer-values.parquet", compression="zstd")
        barometer.population.write_parquet(folder / "barometer-population.parquet")
        if barometer.income is not None:
            barometer.income.write_parquet(folder / "barometer-income.parquet")
    map_shared = inputs.map_shared
    if map_shared is not None:
        if map_shared.evaluated is None:  # prepare() always builds it from a frame
            raise ValueError("the map's figures have no frame to store")
        map_shared.evaluated.write_parquet(folder / "map-evaluated.parquet", compression="zstd")
        if map_shared.barometer_total is not None:
            map_shared.barometer_total.write_parquet(folder / "map-total.parquet")
    meta: dict[str, Any] = {
        "computed_from": source,
        "year": inputs.year,
        "settings": asdict(inputs.settings),
        "borders": inputs.borders,
        "borders_rule": inputs.borders_rule,
        "names": inputs.names,
        "counties": inputs.counties,
        "vintage": inputs.vintage.model_dump(mode="json"),
        "figure_origins": inputs.figure_origins,
        "source": inputs.data.source,
        "synthetic": inputs.data.synthetic,
        "params": asdict(ranking.params) if ranking is not None else None,
        "barometer": None
        if barometer is None
        else {
            "synthetic": barometer.synthetic,
            "source": barometer.source,
            "borders": barometer.borders,
        },
        "map_names": None if map_shared is None else map_shared.names,
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def read(folder: Path, catalog: Catalog) -> ReportInputs:
    """The inputs written by :func:`write` into ``folder`` (``catalog``: the one they were
    computed with, part of the content key)."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    year = int(meta["year"])
    frames = {name: pl.read_parquet(folder / f"{name}.parquet") for name in _FRAMES}
    evaluated, spending, gross = frames["evaluated"], frames["spending"], frames["gross"]
    ranking = None
    if meta["params"] is not None:
        config = barometer_model.load_config()
        parts = {n: pl.read_parquet(folder / f"ranking-{n}.parquet") for n in _RANKING}
        ranking = barometer_model.BarometerResult(
            indicators=parts["indicators"],
            cutoffs=parts["cutoffs"],
            sectors=parts["sectors"],
            total=parts["total"],
            # the items rank_municipalities resolves from the same catalog and configuration
            items=barometer_model._resolve_items(catalog, config),
            config=config,
            params=barometer_model.ScoringParams(**meta["params"]),
        )
    path = folder / "intervals.parquet"
    intervals = pl.read_parquet(path) if path.is_file() else None
    barometer_inputs = None
    if meta["barometer"] is not None:
        income = folder / "barometer-income.parquet"
        barometer_inputs = barometer_results.BarometerInputs(
            values=pl.read_parquet(folder / "barometer-values.parquet"),
            population=pl.read_parquet(folder / "barometer-population.parquet"),
            catalog=catalog,
            synthetic=bool(meta["barometer"]["synthetic"]),
            source=str(meta["barometer"]["source"]),
            borders=int(meta["barometer"]["borders"]),
            income=pl.read_parquet(income) if income.is_file() else None,
        )
    map_shared = None
    if meta["map_names"] is not None:
        total = folder / "map-total.parquet"
        map_shared = YearShared(
            pl.read_parquet(folder / "map-evaluated.parquet"),
            year,
            meta["map_names"],
            pl.read_parquet(total) if total.is_file() else None,
        )
    names: dict[str, str] = meta["names"]
    barometer_total, barometer_sectors = _barometer_frames(ranking, intervals, year)
    return ReportInputs(
        year=year,
        catalog=catalog,
        # the observations stay in the warehouse: only their source and kind are kept
        data=api.AnalysisData(
            pl.DataFrame(), pl.DataFrame(), str(meta["source"]), bool(meta["synthetic"])
        ),
        evaluated=evaluated,
        spending=spending,
        gross=gross,
        ranking=ranking,
        intervals=intervals,
        names=names,
        vintage=VintageInfo.model_validate(meta["vintage"]),
        settings=ReportSettings(**meta["settings"]),
        shared=YearShared(evaluated, year, names, barometer_total),
        barometer_total=barometer_total,
        barometer_sectors=barometer_sectors,
        counties=meta["counties"],
        year_slices=_year_slices(evaluated, spending, gross, year),
        barometer_inputs=barometer_inputs,
        figure_origins=meta["figure_origins"],
        borders=int(meta["borders"]),
        borders_rule=str(meta["borders_rule"]),
        map_shared=map_shared,
    )
