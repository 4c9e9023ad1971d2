"""CSV downloads: SSB's statbank and API dialects (separators, encodings, title, footnotes)."""

from __future__ import annotations

import io
import re

import polars as pl

from kostra.errors import InputFileError
from kostra.i18n.said import say
from kostra.sources.files._common import (
    _TITLE,
    _decode,
    _footer_stamp,
    _Parsed,
    _sniff_separator,
    _split_fields,
)
from kostra.sources.files._table import (
    _from_table,
)

# --------------------------------------------------------------------------- CSV

_EMPTY_LINE = re.compile(r'^[\s;,\t"]*$')


def _read_csv(raw: bytes, *, name: str) -> _Parsed:
    text, encoding = _decode(raw)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A spreadsheet saved as CSV writes blank rows as separators only (";;;"): still blank.
    lines = ["" if _EMPTY_LINE.match(line) else line for line in lines]
    # Skip the title block: SSB writes `"07459: Title"` and a blank line above the header.
    start = 0
    title: str | None = None
    file_table: str | None = None
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise InputFileError(say("error.files.empty", name=name))
    first = lines[start]
    if max(len(_split_fields(first, sep)) for sep in (";", "\t", ",")) == 1 or (
        _TITLE.match(first.strip().strip('"'))
        and start + 1 < len(lines)
        and not lines[start + 1].strip()
    ):
        title_text = first.strip().strip('"').strip()
        match = _TITLE.match(title_text)
        if match:
            file_table, title = match.group(1), match.group(2).strip() or None
        else:
            title = title_text
        start += 1
        while start < len(lines) and not lines[start].strip():
            start += 1
    if start >= len(lines):
        raise InputFileError(say("error.files.title_only", name=name))
    sep = _sniff_separator(lines[start])
    width = len(_split_fields(lines[start], sep))
    # Data runs to the first blank line that is followed by something other than data rows
    # (SSB's footnotes); a blank line inside the data must not silently cut it short.
    kept: list[str] = []
    block_start = start
    end = start
    while True:
        while end < len(lines) and lines[end].strip():
            end += 1
        kept.extend(lines[block_start:end])
        after = end
        while after < len(lines) and not lines[after].strip():
            after += 1
        if after < len(lines) and len(_split_fields(lines[after], sep)) == width:
            block_start = end = after
            continue
        end = after
        break
    footer = [line for line in lines[end:] if line.strip()]
    body = "\n".join(kept) + "\n"
    table = pl.read_csv(
        io.BytesIO(body.encode("utf-8")),
        separator=sep,
        quote_char='"',
        infer_schema=False,
        has_header=True,
        truncate_ragged_lines=False,
    )
    parsed = _from_table(table, name=name)
    parsed.encoding = encoding
    parsed.title = parsed.title or title
    parsed.table_id = parsed.table_id or file_table
    if footer:
        parsed.updated = parsed.updated or _footer_stamp(
            [_split_fields(line, sep)[0] for line in footer]
        )
        parsed.notes.append(f"{len(footer)} footnote lines after the table were skipped")
    return parsed
