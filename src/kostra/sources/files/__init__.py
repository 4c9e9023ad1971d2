"""Import of files people already have: statbank downloads as CSV, XLSX, PX or JSON-stat.

:func:`read_file` turns one file into an observation frame (:mod:`kostra.frames`) and a
:class:`FileMetadata`. Everything is vectorised with Polars; label-to-code translation runs once
per distinct label, never per row, so a 250 000-cell statbank export reads in well under a second.

What is understood
------------------
* **CSV** as SSB's statbank and API produce it: separator ``;``, tab or ``,`` (sniffed from the
  header line, outside quotes), UTF-8 (with or without BOM) or ISO-8859-1 (used when the bytes are
  not valid UTF-8), LF or CRLF, quoted or not, an optional title line ``"07459: Population, by
  region, …"`` and blank line before the header, footnotes after a blank line at the end.
  Layouts: *wide*, one column per year (``"Persons 2020"``, ``"2019 Personer"``, ``"2020"``), or
  *long*, with a year column (``år``/``year``/``Tid``) and one value column per content, or a
  contents column (``statistikkvariabel``/``contents``) and one value column.
* **XLSX**: the statbank Excel layout (title row, one or two heading rows such as ``Persons`` over
  ``2020 2021``, stub labels written only where they change, footnotes below) and a simple long
  layout (one header row, one row per cell) — the same column rules as CSV apply afterwards.
* **PX** (PC-Axis): ``STUB``/``HEADING``/``VALUES``/``CODES``/``VARIABLECODE``, ``KEYS`` rows,
  quoted and continued strings, and data symbols (``"..."`` etc.) kept as status with a null value.
* **JSON-stat 2.0**: decoded by :mod:`kostra.sources.jsonstat`.

Labels to codes
---------------
Region cells ``"0219 Bærum"``, ``"K-3024 Bærum"`` and ``"0301 - Oslo"`` become ``0219``, ``3024``
and ``0301`` (the ``K-`` prefix SSB uses in merged-municipality code lists is dropped, as the API
codes are stored); a region written without a code is refused. Ages ``"0 years"``, ``"1 year"``,
``"17 år"`` become ``Alder=000``, ``Alder=001``, ``Alder=017``; ``"105 years or older"`` /
``"105 år eller eldre"`` becomes ``Alder=105+``, SSB's code for the open top group. Sex labels
become SSB's ``Kjonn`` codes (``0`` both, ``1`` males, ``2`` females). Any other ``"code label"``
or ``"code - label"`` cell gives its code. Region labels keep SSB's suffixes out of the code
(``"0219 Bærum (-2019)"``, ``"5005 Namsos (2018-2019)"``, ``"5001 Trondheim - Tråante"``,
``"EAK Landet"``, ``"EKG13 KOSTRA-gruppe 13"``); a code SSB does not use is refused
(:func:`kostra.sources.labels.unknown_regions`).

Content labels (a download with labels only) become ContentsCodes through SSB's own label text:
the metadata a fetch kept, then ``catalog/data/ssb_labels.csv``
(:func:`kostra.sources.labels.match_contents`); ``contents`` (``--contents``) covers the rest.
A label that matches nothing is refused with the table's closest known labels.

Rows that are not data
----------------------
Title rows, blank rows (also inside the data), footnotes, "Sist endret:" and its time stamp
(``"20240617 08:00"``, kept as the file's ``updated``) are skipped: a row counts as data when it
has a region or a figure. Years before 1900 or after next year, non-finite numbers (``1e309``,
``NaN``) and unknown regions are refused; nothing half-read is returned.

Table id
--------
In order: the ``table_id`` argument; the file's own (title line ``07459: …``, PX ``MATRIX`` or
``TABLEID``, JSON-stat ``extension.px.tableid``/``matrix`` or a label starting ``07459:``); and one
heuristic — a file whose only content is persons (``Persons``/``Personer``) counted by region and
single-year age (optionally sex) is SSB's population table **07459**, whose ContentsCode for
persons is ``Personer1``. Anything else needs ``table_id``.

Every problem raises :class:`~kostra.errors.InputFileError` saying what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from kostra.errors import InputFileError, SourceError
from kostra.i18n.said import say
from kostra.sources.files._common import (
    _TABLE_ID,
    POPULATION_TABLE,
    FileFormat,
    FileMetadata,
)
from kostra.sources.files._frame import _finish
from kostra.sources.files._jsonstat import _read_jsonstat
from kostra.sources.files.csv import _read_csv
from kostra.sources.files.px import PxFile, _px_to_parsed, parse_px
from kostra.sources.files.xlsx import _read_xlsx

__all__ = ["POPULATION_TABLE", "FileMetadata", "PxFile", "parse_px", "read_file"]


def read_file(
    path: Path | str,
    *,
    table_id: str | None = None,
    contents: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> tuple[pl.DataFrame, FileMetadata]:
    """Read a statbank download (CSV, XLSX, PX or JSON-stat) into an observation frame.

    See the module docstring for the formats, label rules and how the table id is found.
    ``contents`` are the user's ``--contents`` values (``CODE`` or ``LABEL=CODE``) for content
    labels SSB's label text does not cover; ``cache_dir`` is where a fetch kept table metadata
    (its labels are used when present). Raises :class:`~kostra.errors.InputFileError` when the
    file cannot be read or understood; nothing is returned half-read.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFileError(
            say("error.files.directory", path=str(path)),
            hint=say("error.files.directory.hint"),
        )
    if not path.is_file():
        raise InputFileError(
            say("error.files.missing", path=str(path)), hint=say("error.files.missing.hint")
        )
    if table_id is not None and not _TABLE_ID.match(table_id):
        raise InputFileError(
            say("error.files.table_id", table=repr(table_id)),
            hint=say("error.files.table_id.hint"),
        )
    raw = path.read_bytes()
    fmt = _detect_format(path, raw)
    try:
        if fmt == "json-stat":
            return _read_jsonstat(path, raw, table_id)
        if fmt == "px":
            parsed = _px_to_parsed(parse_px(raw, name=path.name))
        elif fmt == "xlsx":
            parsed = _read_xlsx(path)
        else:
            parsed = _read_csv(raw, name=path.name)
        return _finish(path, fmt, parsed, table_id, contents=contents, cache_dir=cache_dir)
    except InputFileError:
        raise
    except SourceError as error:
        raise InputFileError(
            say("error.files.in_file", name=path.name, error=error.words()),
            hint=say("error.files.incomplete.hint"),
        ) from error
    except pl.exceptions.PolarsError as error:
        # Polars' own text talks about its internals (infer_schema_length …), not the file.
        raise InputFileError(
            say("error.files.not_one_table", name=path.name, format=fmt.upper()),
            hint=say("error.files.incomplete.hint"),
        ) from error
    except (ValueError, UnicodeError) as error:
        raise InputFileError(
            say("error.files.unreadable", name=path.name, format=fmt.upper(), why=str(error)[:200]),
            hint=say("error.files.incomplete.hint"),
        ) from error


# --------------------------------------------------------------------------- format and text


def _detect_format(path: Path, raw: bytes) -> FileFormat:
    suffix = path.suffix.lower()
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if raw[:2] == b"PK" or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".px" or re.search(rb"^\s*(CHARSET|AXIS-VERSION|MATRIX|STUB)\s*=", head, re.M):
        return "px"
    if suffix in (".json", ".jsonstat") or head.startswith(b"{"):
        return "json-stat"
    if suffix == ".xls":
        raise InputFileError(
            say("error.files.xls", name=path.name), hint=say("error.files.xls.hint")
        )
    return "csv"
