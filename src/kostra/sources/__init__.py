"""Where observations come from: a small registry of sources, name → reader.

Each :class:`Source` names the module and the entry point that reads it; the module is imported
only when the source is used, so ``import kostra.sources`` stays cheap and free of cycles.
Register a new source by adding one entry to :data:`SOURCES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kostra.errors import SourceError

__all__ = ["SOURCES", "Source", "get_source"]


@dataclass(frozen=True)
class Source:
    """One data source: ``reader`` in ``module`` is its entry point."""

    name: str
    description: str
    module: str
    reader: str

    def load(self) -> Callable[..., Any]:
        """The entry point, imported on first use."""
        entry: Callable[..., Any] = getattr(importlib.import_module(self.module), self.reader)
        return entry


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "file",
            "statbank downloads people already have: CSV, XLSX, PX, JSON-stat",
            "kostra.sources.files",
            "read_file",
        ),
        Source(
            "jsonstat",
            "JSON-stat 2.0 documents (bytes, text or parsed) decoded to a long frame",
            "kostra.sources.jsonstat",
            "decode",
        ),
        Source(
            "klass",
            "SSB Klass: municipality codes, code changes, KOSTRA groups",
            "kostra.sources.klass",
            "KlassClient",
        ),
    )
}


def get_source(name: str) -> Source:
    """The registered source called ``name``; unknown names raise a :class:`SourceError`."""
    from kostra.i18n.said import say

    try:
        return SOURCES[name.casefold()]
    except KeyError:
        raise SourceError(
            say("error.sources.unknown", name=repr(name)),
            hint=say("error.sources.unknown.hint", names=", ".join(sorted(SOURCES))),
        ) from None
