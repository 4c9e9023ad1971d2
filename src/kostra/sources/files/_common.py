"""Shared pieces of the file readers: metadata, parsed cells, name rules, text decoding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from kostra.errors import InputFileError
from kostra.i18n.said import say

FileFormat = Literal["csv", "xlsx", "px", "json-stat"]

POPULATION_TABLE = "07459"
POPULATION_CONTENTS = "Personer1"

_TABLE_ID = re.compile(r"^[0-9A-Za-z]{5}$")
_TITLE = re.compile(r"^\s*([0-9]{5})\s*:\s*(.*)$")
_YEAR_SUFFIX = re.compile(r"^(?P<content>.*?)[\s_]*(?P<year>(?:18|19|20|21)\d{2})$")
_YEAR_PREFIX = re.compile(r"^(?P<year>(?:18|19|20|21)\d{2})[\s_]+(?P<content>.+)$")
_YEAR_CELL = re.compile(r"^((?:18|19|20|21)\d{2})(?:\s*-\s*\1)?$")
_AGE = re.compile(
    r"^(?P<age>\d{1,3})\s*(?:years?|år)?\s*"
    r"(?P<open>\+|or older|or more|eller eldre|og eldre|og over)?$",
    re.IGNORECASE,
)
_CODE_DASH_LABEL = re.compile(r"^(?P<code>\S+)\s+-\s+(?P<label>.*)$")

_REGION_NAMES = frozenset(
    {
        "region",
        "kommune",
        "kommuner",
        "municipality",
        "fylke",
        "county",
        "kokkommuneregion0000",
        "kokfylkesregion0000",
        "kokbydelsregion0000",
    }
)
_YEAR_NAMES = frozenset({"år", "year", "tid", "time", "årstall"})
_CONTENTS_NAMES = frozenset(
    {"statistikkvariabel", "contents", "contentscode", "statistical variable", "innhold"}
)
_VALUE_NAMES = frozenset({"value", "values", "verdi", "verdier", "data"})
_KNOWN_DIMS = {
    "age": "Alder",
    "alder": "Alder",
    "sex": "Kjonn",
    "kjønn": "Kjonn",
    "kjonn": "Kjonn",
}
_PERSON_LABELS = frozenset({"persons", "personer", "population", "befolkning", "personer1"})
_SEX_CODES = {
    "both sexes": "0",
    "begge kjønn": "0",
    "males": "1",
    "male": "1",
    "menn": "1",
    "mann": "1",
    "females": "2",
    "female": "2",
    "kvinner": "2",
    "kvinne": "2",
}


@dataclass(frozen=True)
class FileMetadata:
    """What a file said about itself, and what was inferred.

    ``table_source`` says where the table id came from: ``"argument"``, ``"file"`` or
    ``"heuristic"``. ``notes`` explains anything inferred or tolerated.
    """

    path: Path
    format: FileFormat
    table_id: str
    title: str | None = None
    updated: str | None = None
    encoding: str | None = None
    n_rows: int = 0
    table_source: Literal["argument", "file", "heuristic"] = "file"
    notes: tuple[str, ...] = ()


@dataclass
class _Parsed:
    """A file's cells before the table id is settled: a long frame and what the file said."""

    frame: pl.DataFrame  # region, year, contents (code or label), value, status, dims columns
    dim_ids: list[str]
    table_id: str | None = None
    title: str | None = None
    updated: str | None = None
    encoding: str | None = None
    contents_are_labels: bool = False
    notes: list[str] = field(default_factory=list)


def _decode(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 when the bytes are valid UTF-8, else the declared
    code page (PX) or ISO-8859-1, the two encodings SSB's downloads come in."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = declared or "iso-8859-1"
    try:
        return raw.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError):
        return raw.decode("iso-8859-1"), "iso-8859-1"


def _split_fields(line: str, sep: str) -> list[str]:
    """Fields of one CSV line (quotes honoured), for sniffing only."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            fields.append("".join(current))
            current = []
            continue
        current.append(char)
    fields.append("".join(current))
    return [f.strip().strip('"').strip() for f in fields]


def _sniff_separator(line: str) -> str:
    counts = {sep: len(_split_fields(line, sep)) - 1 for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise InputFileError(
            say("error.files.no_separator"), hint=say("error.files.no_separator.hint")
        )
    return best


_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2})$")
_CHANGED = re.compile(r"^(sist endret|last (?:changed|updated|modified))", re.IGNORECASE)


def _footer_stamp(lines: list[str]) -> str | None:
    """SSB's "Sist endret:" time stamp ("20240617 08:00") below a download, in ISO 8601."""
    seen_heading = False
    for line in lines:
        text = line.strip().strip('"').strip()
        if _CHANGED.match(text):
            seen_heading = True
            continue
        found = _STAMP.match(text)
        if seen_heading and found:
            return f"{found[1]}-{found[2]}-{found[3]}T{found[4]}:{found[5]}:00"
    return None
