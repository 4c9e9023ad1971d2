"""The web's document worker: reports and decks rendered in a process of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kostra.report import printing, render
from kostra.report.build import report_findings
from kostra.web.documents import DocumentWorker
from made_up_report import UTSIRA, make_report


@pytest.fixture
def worker() -> Iterator[DocumentWorker]:
    started = DocumentWorker()
    yield started
    started.close()


def test_the_worker_renders_elsewhere_and_is_kept(worker: DocumentWorker) -> None:
    child = worker.render(os.getpid)
    assert child != os.getpid()
    assert worker.render(os.getpid) == child


def test_the_worker_yields_to_the_server(worker: DocumentWorker) -> None:
    """Pages come first on a busy server: the worker runs at a lower priority."""
    from kostra.web.documents import NICENESS

    assert worker.render(os.nice, 0) == min(19, os.nice(0) + NICENESS)


def test_a_pdf_from_the_worker_equals_one_rendered_here(worker: DocumentWorker) -> None:
    """The worker's PDF (its charts converted by a chart process of its own) is the PDF this
    process makes from the print version."""
    data = make_report(UTSIRA)
    found = report_findings(data)
    here = printing.write_pdf(render.print_html(data, "en", findings=found))
    there = worker.render(render.render_pdf, data, "en", findings=found, charts_apart=True)
    assert there == here


def test_an_error_in_the_worker_is_raised_here(worker: DocumentWorker) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        worker.render(int, "not a number")


def test_a_worker_that_died_or_cannot_start_leaves_the_document_here(
    worker: DocumentWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slower for the others, but the download works; the next document starts a new worker."""
    from concurrent.futures.process import BrokenProcessPool

    first = worker.render(os.getpid)
    for process in list(worker._pool._processes.values()):
        process.kill()
        process.join()
    assert worker.render(os.getpid) == os.getpid()
    assert worker.render(os.getpid) not in (first, os.getpid())

    def unavailable(self: DocumentWorker) -> None:
        raise BrokenProcessPool("no worker")

    monkeypatch.setattr(DocumentWorker, "_executor", unavailable)
    assert worker.render(os.getpid) == os.getpid()
