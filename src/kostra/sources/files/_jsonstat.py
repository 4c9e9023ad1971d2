"""JSON-stat 2.0 files, decoded by :mod:`kostra.sources.jsonstat`."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kostra.errors import InputFileError
from kostra.i18n.said import say
from kostra.sources.files._common import (
    _TABLE_ID,
    _TITLE,
    FileMetadata,
)
from kostra.sources.files._frame import check_cells

# --------------------------------------------------------------------------- JSON-stat


def _read_jsonstat(
    path: Path, raw: bytes, table_id: str | None
) -> tuple[pl.DataFrame, FileMetadata]:
    from kostra.sources import jsonstat  # imported lazily: only JSON files need it

    # A UTF-8 byte order mark is legal in a file (editors on Windows write one), not in JSON.
    dataset = jsonstat.decode(raw.removeprefix(b"\xef\xbb\xbf"))
    found: str | None = None
    px_ext = dataset.extension.get("px") if isinstance(dataset.extension, dict) else None
    if isinstance(px_ext, dict):
        for key in ("tableid", "matrix"):
            candidate = px_ext.get(key)
            if isinstance(candidate, str) and _TABLE_ID.match(candidate):
                found = candidate
                break
    if found is None and dataset.label:
        match = _TITLE.match(dataset.label)
        found = match.group(1) if match else None
    chosen = table_id or found
    if chosen is None:
        raise InputFileError(
            say("error.files.which_table", name=path.name), hint=say("error.files.which_table.hint")
        )
    frame = jsonstat.to_observations(dataset, chosen)
    check_cells(frame, path.name)
    return frame, FileMetadata(
        path=path,
        format="json-stat",
        table_id=chosen,
        title=dataset.label,
        updated=dataset.updated,
        encoding="utf-8",
        n_rows=frame.height,
        table_source="argument" if table_id else "file",
    )
