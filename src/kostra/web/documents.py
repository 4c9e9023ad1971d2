"""The web's downloadable documents (report PDF and HTML, council deck) rendered in a process of
their own.

Rendering one takes from a few hundred milliseconds (the HTML report) to seconds (the PDF:
WeasyPrint's layout is Python), nearly all of it holding the GIL, and vl-convert holds it for
each chart. Rendered in the server's process, every other request would wait behind it (a
visitor's page then took up to a second while someone downloaded a PDF, measured in
``benchmarks/bench_web_pdf.py``).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: How much the worker (and the chart process it starts) yields to the server's own process
#: (``nice``): on a busy server the pages' requests come first, as a page is waited for in
#: milliseconds and a download in seconds. Not the lowest priority the computed year's builder
#: takes, so a download still moves when the server is busy. Measured with one client
#: downloading beside the 50-client mix (``benchmarks/bench_web_load.py --documents 1``): the
#: others' p95 and p99 1.9× lower; the slowest download 1.5–1.8× slower, and PDFs beside one
#: busy client (``bench_web_pdf.py``) 1.4× slower; on an idle server (``bench_web_pdf.py
#: --idle``) no measurable change (fastest download 0.97–0.98× before/after).
NICENESS = 10


def _yield_to_the_server() -> None:
    # where that is not allowed, the worker keeps the server's priority
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


class DocumentWorker:
    """A process that renders the web's documents, one at a time, started (``spawn``: the
    server has threads) at the first document and kept for the next, at a lower priority than
    the server (:data:`NICENESS`). If it cannot be started or dies, the document is rendered
    in the server's process: slower for the others, but the download works; the next document
    starts a new worker."""

    #: Documents a worker renders before it is replaced (its memory then starts afresh)
    TASKS_PER_WORKER = 50

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: Any = None

    def render(self, render: Callable[..., T], *arguments: Any, **options: Any) -> T:
        """``render(*arguments, **options)`` in the worker (``render`` a module-level function,
        its arguments and result picklable); here if the worker is not available."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            future = self._executor().submit(render, *arguments, **options)
        except (BrokenProcessPool, OSError, RuntimeError):
            self.close()
            return render(*arguments, **options)
        try:
            result: T = future.result()
        except BrokenProcessPool:
            self.close()
            return render(*arguments, **options)
        return result

    def _executor(self) -> Any:
        with self._lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=self.TASKS_PER_WORKER,
                    initializer=_yield_to_the_server,
                )
            return self._pool

    def close(self) -> None:
        """Stop the worker (after the document it is rendering, if any); a new one starts at
        the next document."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
