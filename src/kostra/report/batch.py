"""Many reports of one year at once (``kostra report --all``), shared out over processes.

The reports of a year share one computed year (:func:`kostra.report.pipeline.prepare`, kept
in the computed-year store by :func:`kostra.results.year_inputs.year_inputs`); each report is
then a few tenths of a second of Python (slicing the year, findings, templating), so one process
keeps one core busy. :func:`write_reports` writes one share of the reports in this process from
the year it already has and gives the other shares to worker processes (started with ``spawn``:
Polars' thread pool does not survive ``fork``), each of which reads the same year from the store
(or computes it, the same function on the same data, when the store cannot be written) and
writes its share. Every report is written
atomically (:func:`kostra.report.render.write_report`); a worker that fails leaves its unwritten
reports to this process, so every report is written or named as failed.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kostra.errors import KostraError

if TYPE_CHECKING:  # the report modules load only when reports are written
    from kostra.report.pipeline import ReportInputs, ReportSettings

#: Most worker processes ``--all`` starts by default (the machine's CPUs, at most this many).
MAX_JOBS = 4
#: Reports a worker must have to be worth its start (importing and reading the stored year
#: costs a worker about a second, computing it several; an HTML report a tenth of a second, a
#: PDF a few seconds).
MIN_REPORTS_PER_JOB = {"html": 100, "pdf": 4}


def slug(name: str) -> str:
    """A file-name-safe form of a municipality name: "Bærum" -> "baerum"."""
    text = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "kommune"


def keep_out_of_collection() -> None:
    """Leave everything alive now (the modules, the catalog, the year's inputs: they live until
    the process ends) out of the garbage collector's full passes, which otherwise walk them
    again and again while reports are written (measured with ``--all``: 15 ms of collection per
    report, 8 ms after this)."""
    gc.freeze()


def default_jobs() -> int:
    """Processes ``--all`` uses without ``--jobs``: one per CPU, at most :data:`MAX_JOBS`."""
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


@dataclass(frozen=True)
class Batch:
    """What every report of the batch shares besides the year's figures."""

    year: int
    db: Path | None
    folder: Path
    #: ``html`` or ``pdf`` (:class:`kostra.report.render.ReportFormat`'s values)
    fmt: str
    lang: str
    peers: str | None = None
    compare: tuple[str, ...] = ()
    map_indicator: str | None = None
    settings: ReportSettings | None = None


@dataclass
class Outcome:
    """What became of the batch: the files written and the reports that failed."""

    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def file_name(name: str, year: int, fmt: str) -> str:
    """A report's file name: ``<slug of the name>-<year>.<format>``."""
    return f"{slug(name)}-{year}.{fmt}"


def _write_one(inputs: ReportInputs, batch: Batch, code: str) -> Path:
    from kostra.report import pipeline
    from kostra.report.render import ReportFormat, write_report

    data = pipeline.report_data(
        inputs,
        code,
        peers=batch.peers,
        compare=list(batch.compare),
        map_indicator=batch.map_indicator,
    )
    target = batch.folder / file_name(data.municipality.name, batch.year, batch.fmt)
    return write_report(data, target, fmt=ReportFormat(batch.fmt), lang=batch.lang)


def _worker(batch: Batch, borders: Any, codes: Sequence[str], messages: Any) -> None:
    """A worker process: read (or compute) the year, write ``codes``' reports, say how each
    went."""
    try:
        from kostra.results.year_inputs import year_inputs
        from kostra.settings import Settings

        # the year this process's parent stored before starting the workers (or computed here)
        inputs = year_inputs(
            batch.db or Settings().db, batch.year, settings=batch.settings, borders=borders
        )
    except Exception as error:  # reported back: this process writes the share instead
        messages.put(("gave-up", "", f"{type(error).__name__}: {error}"))
        return
    keep_out_of_collection()
    for code in codes:
        try:
            path = _write_one(inputs, batch, code)
        except KostraError as error:
            messages.put(("failed", code, error.text(batch.lang)))
        except Exception as error:
            messages.put(("gave-up", code, f"{type(error).__name__}: {error}"))
            return
        else:
            messages.put(("written", code, str(path)))


def jobs_for(count: int, fmt: str, jobs: int | None) -> int:
    """Processes for ``count`` reports: ``jobs`` (default :func:`default_jobs`), fewer when a
    share would be too small to pay for a worker's start."""
    wanted = default_jobs() if jobs is None else max(1, jobs)
    return max(1, min(wanted, count // MIN_REPORTS_PER_JOB[fmt]))


def write_reports(
    inputs: ReportInputs,
    batch: Batch,
    codes: Sequence[str],
    *,
    jobs: int = 1,
    names: Callable[[str], str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Write the report of each of ``codes`` into ``batch.folder``, over ``jobs`` processes.

    ``inputs`` is the year this process has; the first share is written from it while
    ``jobs - 1`` workers read the same year from the store and write the other shares. ``progress``
    is called with each code once its report is written or has failed; ``names`` names a code
    in failure messages.
    """
    name_of = names or (lambda code: code)
    outcome = Outcome()
    shares = [list(codes[i :: max(1, jobs)]) for i in range(max(1, jobs))]
    own, others = shares[0], [share for share in shares[1:] if share]
    pending: dict[str, None] = dict.fromkeys(code for share in others for code in share)
    context = multiprocessing.get_context("spawn")
    messages: Any = context.Queue() if others else None
    # the workers compute the same year: the same borders, chosen by the same rule
    borders = inputs.borders if inputs.borders_rule == "fixed" else inputs.borders_rule
    workers = [
        context.Process(target=_worker, args=(batch, borders, share, messages), daemon=True)
        for share in others
    ]
    for worker in workers:
        worker.start()

    def note(kind: str, code: str, text: str) -> None:
        pending.pop(code, None)
        if kind == "written":
            outcome.written.append(Path(text))
        else:
            outcome.failures.append(f"{name_of(code)} ({code}): {text}")
        if progress is not None:
            progress(code)

    def drain(block: bool) -> bool:
        """Take the workers' messages; False once they have all stopped."""
        try:
            kind, code, text = messages.get(timeout=0.5) if block else messages.get_nowait()
        except queue.Empty:
            return any(worker.is_alive() for worker in workers)
        if kind == "gave-up":
            return True  # the share's unwritten reports stay pending
        note(kind, code, text)
        return True

    def write_here(code: str) -> None:
        try:
            path = _write_one(inputs, batch, code)
        except KostraError as error:
            note("failed", code, error.text(batch.lang))
        else:
            note("written", code, str(path))

    try:
        for code in own:
            write_here(code)
            while messages is not None and not messages.empty():
                drain(False)
        while pending and messages is not None and drain(True):
            pass
        if messages is not None:
            while not messages.empty():
                drain(False)
        # reports a worker could not write (it failed to start or stopped) are written here
        for code in list(pending):
            write_here(code)
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
    return outcome
