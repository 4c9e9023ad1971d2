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
or ``"code - label"`` cell gives its code.

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

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from kostra.errors import InputFileError, SourceError
from kostra.frames import STATUS_SYMBOLS, conform_observations

__all__ = ["POPULATION_TABLE", "FileMetadata", "PxFile", "parse_px", "read_file"]

FileFormat = Literal["csv", "xlsx", "px", "json-stat"]

POPULATION_TABLE = "07459"
POPULATION_CONTENTS = "Personer1"

_CODES_HINT = (
    "Download the table with codes shown (statbank: 'Vis koder' / 'Show codes'), "
    "or as PX or JSON-stat."
)
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


def read_file(
    path: Path | str, *, table_id: str | None = None
) -> tuple[pl.DataFrame, FileMetadata]:
    """Read a statbank download (CSV, XLSX, PX or JSON-stat) into an observation frame.

    See the module docstring for the formats, label rules and how the table id is found.
    Raises :class:`~kostra.errors.InputFileError` when the file cannot be read or understood.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"No such file: {path}.", hint="Check the path and try again.")
    if table_id is not None and not _TABLE_ID.match(table_id):
        raise InputFileError(
            f"{table_id!r} is not an SSB table id.", hint="Table ids have 5 digits, like 07459."
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
        return _finish(path, fmt, parsed, table_id)
    except InputFileError:
        raise
    except SourceError as error:
        raise InputFileError(f"{path.name}: {error.message}", hint=error.hint) from error
    except (pl.exceptions.PolarsError, ValueError, UnicodeError) as error:
        raise InputFileError(
            f"{path.name} could not be read as {fmt.upper()}: {error}",
            hint="Is it a complete statbank download? Try downloading it again.",
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
            f"{path.name} is an old Excel (.xls) file.", hint="Save it as .xlsx or download CSV."
        )
    return "csv"


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
            "The file has no separator (semicolon, tab or comma) in its header line.",
            hint="Is this a CSV download from SSB's statbank?",
        )
    return best


# --------------------------------------------------------------------------- CSV


def _read_csv(raw: bytes, *, name: str) -> _Parsed:
    text, encoding = _decode(raw)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # Skip the title block: SSB writes `"07459: Title"` and a blank line above the header.
    start = 0
    title: str | None = None
    file_table: str | None = None
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise InputFileError(f"{name} is empty.")
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
        raise InputFileError(f"{name} has a title but no table.")
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
        parsed.notes.append(f"{len(footer)} footnote lines after the table were skipped")
    return parsed


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path) -> _Parsed:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
    except Exception as error:  # fastexcel raises its own exception types
        raise InputFileError(
            f"{path.name} could not be read as an Excel workbook: {error}",
            hint="Save it again as .xlsx, or download the table as CSV.",
        ) from error
    rows: list[list[str | None]] = [
        [None if cell is None or not str(cell).strip() else str(cell).strip() for cell in row]
        for row in sheet.rows()
    ]
    if not rows:
        raise InputFileError(f"{path.name}: the first sheet is empty.")
    filled = [sum(cell is not None for cell in row) for row in rows]
    # Title rows: text in the first column only, above the table.
    start = 0
    title: str | None = None
    file_table: str | None = None
    while start < len(rows) and (
        filled[start] == 0 or (filled[start] == 1 and rows[start][0] is not None)
    ):
        text = rows[start][0]
        if text and title is None:
            match = _TITLE.match(text)
            file_table, title = (match.group(1), match.group(2)) if match else (None, text)
        start += 1
    if start >= len(rows):
        raise InputFileError(f"{path.name} has no table in its first sheet.")
    # The table ends at the first row with at most one filled cell: footnotes follow.
    end = start + 1
    while end < len(rows) and filled[end] > 1:
        end += 1
    used = [j for j in range(len(rows[0])) if any(row[j] is not None for row in rows[start:end])]
    block = [[row[j] for j in used] for row in rows[start:end]]
    first_value = _first_value_column(block)
    heading = 0
    while heading < len(block) - 1 and all(cell is None for cell in block[heading][:first_value]):
        heading += 1
    # A row of stub names over year columns closes the heading ("region", "alder", "2020" …).
    if heading and heading < len(block) - 1:
        candidate = block[heading][first_value:]
        years_above = any(
            cell is not None and _YEAR_CELL.match(cell) for row in block[:heading] for cell in row
        )
        if not years_above and all(
            cell is not None and _YEAR_CELL.match(cell) for cell in candidate
        ):
            heading += 1
    heading = max(heading, 1)
    headers = _xlsx_headers(block[:heading], first_value)
    data = block[heading:]
    if not data:
        raise InputFileError(f"{path.name} has headings but no data rows.")
    table = pl.DataFrame(
        {header: [row[j] for row in data] for j, header in enumerate(headers)},
        schema=dict.fromkeys(headers, pl.Utf8),
    )
    # Statbank Excel writes a stub label once and leaves the cells below it blank.
    table = table.with_columns(pl.col(headers[:first_value]).forward_fill())
    parsed = _from_table(table, name=path.name)
    parsed.title = parsed.title or title
    parsed.table_id = parsed.table_id or file_table
    if any(filled[end:]):
        parsed.notes.append("lines below the table were skipped as footnotes")
    return parsed


def _first_value_column(block: list[list[str | None]]) -> int:
    """Index of the first column whose data cells (the bottom rows) are all numbers or symbols."""
    sample = block[1:][-50:]  # the first row is always a heading
    for j in range(len(block[0])):
        cells = [cell for row in sample if (cell := row[j]) is not None]
        if cells and all(_is_number_or_symbol(cell) for cell in cells):
            return j
    raise InputFileError("No column of numbers was found in the sheet.", hint=_CODES_HINT)


def _is_number_or_symbol(text: str) -> bool:
    if text in STATUS_SYMBOLS:
        return True
    try:
        float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return False
    return True


def _xlsx_headers(heading: list[list[str | None]], first_value_col: int) -> list[str]:
    """Column names from the heading rows; a label spanning value columns is carried right."""
    n_cols = len(heading[0])
    parts: list[list[str]] = [[] for _ in range(n_cols)]
    for row in heading:
        carried: str | None = None
        for j in range(n_cols):
            value = row[j]
            if j >= first_value_col:
                carried = value if value is not None else carried
                value = carried
            if value is not None:
                parts[j].append(value)
    headers = [" ".join(pieces) if pieces else f"column {j + 1}" for j, pieces in enumerate(parts)]
    seen: dict[str, int] = {}
    unique = []
    for name in headers:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


# --------------------------------------------------------------------------- table of strings


@dataclass
class _Column:
    name: str
    role: Literal["region", "year", "contents", "value", "dim", "wide"]
    dim_id: str | None = None
    year: int | None = None
    content: str | None = None


def _header_id(header: str) -> tuple[str, str]:
    """(id, label) of a header; API CSV writes ``"Region - region"``."""
    match = _CODE_DASH_LABEL.match(header)
    if match and " " not in match.group("code"):
        return match.group("code"), match.group("label")
    return header, header


def _classify(table: pl.DataFrame) -> tuple[list[_Column], str | None, str | None]:
    """Each column's role, plus a table id and title found in a header (long value column)."""
    columns: list[_Column] = []
    table_id: str | None = None
    title: str | None = None
    names = [c.strip().strip('"').strip() for c in table.columns]
    has_year_column = any(
        _header_id(n)[0].casefold() in _YEAR_NAMES or n.casefold() in _YEAR_NAMES for n in names
    )
    for name in names:
        ident, _label = _header_id(name)
        key = ident.casefold()
        title_match = _TITLE.match(name)
        if key in _REGION_NAMES or name.casefold() in _REGION_NAMES:
            columns.append(_Column(name, "region", dim_id=ident))
        elif key in _YEAR_NAMES or name.casefold() in _YEAR_NAMES:
            columns.append(_Column(name, "year"))
        elif key in _CONTENTS_NAMES or name.casefold() in _CONTENTS_NAMES:
            columns.append(_Column(name, "contents"))
        elif title_match:
            table_id, title = title_match.group(1), title_match.group(2).strip() or None
            columns.append(_Column(name, "value"))
        elif key in _VALUE_NAMES:
            columns.append(_Column(name, "value"))
        elif not has_year_column and (_YEAR_SUFFIX.match(name) or _YEAR_PREFIX.match(name)):
            match = _YEAR_SUFFIX.match(name) or _YEAR_PREFIX.match(name)
            assert match is not None
            content = match.group("content").strip(" -_:")
            columns.append(
                _Column(name, "wide", year=int(match.group("year")), content=content or None)
            )
        elif key in _KNOWN_DIMS or name.casefold() in _KNOWN_DIMS:
            dim = _KNOWN_DIMS.get(key) or _KNOWN_DIMS[name.casefold()]
            columns.append(_Column(name, "dim", dim_id=dim))
        else:
            columns.append(_Column(name, "dim", dim_id=ident))
    return columns, table_id, title


def _from_table(table: pl.DataFrame, *, name: str) -> _Parsed:
    """A table of strings (CSV or sheet) to the long cell frame."""
    table = table.rename({c: c.strip().strip('"').strip() for c in table.columns})
    # A trailing separator makes an unnamed empty column; drop columns with no name and no data.
    empty = [
        c
        for c in table.columns
        if (not c or c.startswith("_duplicated_") or c.startswith("column "))
        and table.get_column(c).str.strip_chars().replace("", None).null_count() == table.height
    ]
    table = table.drop(empty)
    if table.height == 0:
        raise InputFileError(f"{name} has a header but no data rows.")
    columns, table_id, title = _classify(table)
    wide = [c for c in columns if c.role == "wide"]
    years = [c for c in columns if c.role == "year"]
    contents = [c for c in columns if c.role == "contents"]
    values = [c for c in columns if c.role == "value"]
    dims = [c for c in columns if c.role == "dim"]
    # In the long layout a content's numbers may sit in a column named after the content.
    if years and not values and not wide:
        numeric = [c for c in dims if _column_is_numeric(table.get_column(c.name))]
        if not numeric:
            raise InputFileError(
                f"{name}: no column of numbers was found (columns: {', '.join(table.columns)}).",
                hint=_CODES_HINT,
            )
        for column in numeric:
            column.role = "value"
            column.content = column.name
        values = numeric
        dims = [c for c in dims if c.role == "dim"]
    for column in dims:
        if column.name.startswith("column ") and _looks_like_ages(table.get_column(column.name)):
            column.dim_id = "Alder"  # an Excel stub without a heading
    regions = [c for c in columns if c.role == "region"]
    if not regions:
        guessed = [c for c in dims if _looks_like_regions(table.get_column(c.name))]
        if guessed:
            guessed[0].role = "region"
            regions = guessed[:1]
            dims = [c for c in dims if c.role == "dim"]
    if not regions:
        raise InputFileError(
            f"{name}: no region column (columns: {', '.join(table.columns)}).",
            hint="kostra stores figures by region; download the table with the region variable.",
        )
    if len(regions) > 1:
        raise InputFileError(f"{name}: more than one region column ({regions[0].name}, …).")
    if not wide and not years:
        raise InputFileError(
            f"{name}: no year found — neither a year column nor years in the column names.",
            hint="KOSTRA figures are annual; download the table with the year (Tid) variable.",
        )
    if wide and (values or years):
        raise InputFileError(f"{name}: mixes year columns and a year variable; cannot tell layout.")
    if len(contents) > 1 or len(years) > 1:
        raise InputFileError(f"{name}: more than one contents or year column.")

    region_col = regions[0].name
    keep = [region_col, *[c.name for c in dims], *[c.name for c in contents]]
    if wide:
        long = table.unpivot(
            index=keep, on=[c.name for c in wide], variable_name="_column", value_name="_raw"
        )
        lookup = pl.DataFrame(
            {
                "_column": [c.name for c in wide],
                "year": [c.year for c in wide],
                "_content": [c.content for c in wide],
            },
            schema={"_column": pl.Utf8, "year": pl.Int32, "_content": pl.Utf8},
        )
        long = long.join(lookup, on="_column", how="left")
    elif values and len(values) == 1 and contents:
        long = table.select(
            [*keep, years[0].name, pl.col(values[0].name).alias("_raw")]
        ).with_columns(pl.lit(None, pl.Utf8).alias("_content"))
        long = _years_from_cells(long, years[0].name, name)
    else:
        if contents:
            raise InputFileError(f"{name}: a contents column and several value columns.")
        long = table.unpivot(
            index=[*keep, years[0].name],
            on=[c.name for c in values],
            variable_name="_content",
            value_name="_raw",
        )
        long = _years_from_cells(long, years[0].name, name)
        # A generic value column ("value", or the table title) does not name a content.
        named = {c.name: c.content for c in values}
        long = long.with_columns(
            pl.col("_content").replace_strict(named, return_dtype=pl.Utf8).alias("_content")
        )
    if contents:
        long = long.with_columns(
            pl.coalesce(pl.col(contents[0].name), pl.col("_content")).alias("_content")
        )
    dim_ids = [c.dim_id or c.name for c in dims]
    if len(set(dim_ids)) != len(dim_ids):
        raise InputFileError(f"{name}: two columns name the same dimension ({dim_ids}).")
    region_codes = _codes(long.get_column(region_col), "Region", region_col)
    code_columns = [
        _codes(long.get_column(c.name), dim_id, c.name).alias(f"_dim_{dim_id}")
        for c, dim_id in zip(dims, dim_ids, strict=True)
    ]
    value, status = _values(long.get_column("_raw"), name)
    frame = pl.DataFrame(
        [
            region_codes.alias("region"),
            long.get_column("year").cast(pl.Int32).alias("year"),
            long.get_column("_content").alias("contents"),
            value,
            status,
            *code_columns,
        ]
    )
    return _Parsed(
        frame=frame,
        dim_ids=dim_ids,
        table_id=table_id,
        title=title,
        contents_are_labels=True,
    )


def _years_from_cells(long: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    cells = long.get_column(column).str.strip_chars()
    year = cells.str.extract(r"^((?:18|19|20|21)\d{2})(?:\s*-\s*.*)?$", 1)
    bad = cells.filter(year.is_null()).unique(maintain_order=True)
    if bad.len():
        raise InputFileError(
            f"{name}: time values such as {bad[0]!r} are not years.",
            hint="KOSTRA figures are annual; download an annual table.",
        )
    return long.with_columns(year.cast(pl.Int32).alias("year"))


def _column_is_numeric(column: pl.Series) -> bool:
    text = column.drop_nulls().str.strip_chars()
    if text.len() == 0:
        return False
    parsed = _parse_numbers(text)
    return bool((parsed.is_not_null() | text.is_in(STATUS_SYMBOLS)).all())


def _looks_like_regions(column: pl.Series) -> bool:
    sample = column.drop_nulls().unique().head(200)
    if sample.len() == 0:
        return False
    hits = sample.str.contains(r"^(?:K-)?\d{2,4}(?:\s|$)").sum()
    return bool(hits >= 0.8 * sample.len())


def _looks_like_ages(column: pl.Series) -> bool:
    sample = column.drop_nulls().unique().head(200)
    return bool(sample.len()) and all(_AGE.match(v) for v in sample.to_list())


def _parse_numbers(text: pl.Series) -> pl.Series:
    """Numbers written by SSB or a spreadsheet: decimal point or comma, no thousands marks except
    (no-break) spaces."""
    cleaned = text.str.replace_all(r"[\s\u00a0\u202f]", "")
    cleaned = (
        pl.DataFrame({"t": cleaned})
        .select(
            pl.when(pl.col("t").str.contains(r"^[+-]?\d+,\d+$"))
            .then(pl.col("t").str.replace(",", ".", literal=True))
            .otherwise(pl.col("t"))
        )
        .to_series()
    )
    return cleaned.cast(pl.Float64, strict=False)


def _values(raw: pl.Series, name: str) -> tuple[pl.Series, pl.Series]:
    """(value, status): numbers, or null with SSB's symbol kept; anything else is an error."""
    text = raw.str.strip_chars().str.strip_chars('"')
    is_symbol = text.is_in(STATUS_SYMBOLS)
    numbers = _parse_numbers(text)
    blank = text.is_null() | (text == "")
    bad = text.filter(~is_symbol & numbers.is_null() & ~blank)
    if bad.len():
        examples = ", ".join(repr(v) for v in bad.unique().head(3).to_list())
        raise InputFileError(
            f"{name}: {bad.len()} cells are neither numbers nor SSB symbols (e.g. {examples}).",
            hint="Cells must hold numbers or one of . .. ... : - (SSB's status symbols).",
        )
    value = pl.Series("value", numbers).set(is_symbol, None)
    status = pl.Series("status", text).set(~is_symbol.fill_null(False), None)
    return value, status.cast(pl.Utf8)


def _label_code(dim_id: str, label: str) -> str | None:
    """SSB's code for one cell label of dimension ``dim_id``, or None when it carries none."""
    text = label.strip().strip('"').strip()
    dash = _CODE_DASH_LABEL.match(text)
    if dash and " " not in dash.group("code"):
        text_code = dash.group("code")
        return text_code[2:] if dim_id == "Region" and text_code.startswith("K-") else text_code
    if dim_id == "Region":
        prefixed = text.startswith("K-")
        if prefixed:
            text = text[2:]
        token = text.split(maxsplit=1)[0] if text else ""
        if prefixed or _code_like(token):
            return token or None
        return None
    if dim_id == "Alder":
        age = _AGE.match(text)
        if age:
            code = f"{int(age.group('age')):03d}"
            return code + "+" if age.group("open") else code
    if dim_id == "Kjonn":
        sex = _SEX_CODES.get(text.casefold())
        if sex is not None:
            return sex
    token = text.split(maxsplit=1)[0] if text else ""
    if _code_like(token):
        return token
    if text and not re.search(r"\s", text):
        return text
    return None


def _code_like(token: str) -> bool:
    """Looks like an SSB code: has a digit ("0301", "EKG08") or is upper case ("EAK")."""
    return bool(token) and (
        any(ch.isdigit() for ch in token) or (token.isupper() and token.isalpha())
    )


def _codes(column: pl.Series, dim_id: str, column_name: str) -> pl.Series:
    """Codes for a column of labels, translated once per distinct label."""
    labels = column.unique().drop_nulls().to_list()
    mapping = {label: _label_code(dim_id, label) for label in labels}
    missing = [label for label, code in mapping.items() if code is None]
    if missing:
        raise InputFileError(
            f"Column {column_name!r}: no code in labels such as {missing[0]!r}.",
            hint=_CODES_HINT,
        )
    if column.null_count():
        raise InputFileError(f"Column {column_name!r} has {column.null_count()} empty cells.")
    # Labels that differ only in text ("0219 Bærum", "0219 Baerum") share a code; fine.
    return column.replace_strict(mapping, return_dtype=pl.Utf8)


# --------------------------------------------------------------------------- PX


@dataclass(frozen=True)
class PxFile:
    """A parsed PX file: keywords of the default language and the cells as a long frame.

    ``frame`` has one Utf8 column of codes per variable (named by ``VARIABLECODE`` or the
    variable name), ``value`` (Float64) and ``status`` (Utf8 symbol or null).
    """

    keywords: dict[str, list[str]]
    variables: list[str]
    variable_ids: dict[str, str]
    frame: pl.DataFrame
    encoding: str

    def keyword(self, name: str, sub: str | None = None) -> str | None:
        """The first value of ``NAME`` or ``NAME("sub")``, if present."""
        values = self.keywords.get(name if sub is None else f'{name}("{sub}")')
        return values[0] if values else None


_PX_TOKEN = re.compile(r'"[^"]*"|;|[^";]+', re.S)
_PX_KEY = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9_-]+)(?:\[(?P<lang>[^\]]+)\])?(?:\((?P<sub>.*?)\))?\s*=\s*(?P<value>.*)$",
    re.S,
)


def _px_values(text: str) -> list[str]:
    """Values of one keyword: quoted strings (concatenated when continued on the next line,
    separated when comma-separated) or bare words such as ``YES``, ``0``, ``TLIST(A1)``."""
    values: list[str] = []
    pending: str | None = None
    expect_new = True
    for match in re.finditer(r'"([^"]*)"|(,)|([^",\s][^",]*)', text):
        quoted, comma, bare = match.groups()
        if comma is not None:
            if pending is not None:
                values.append(pending)
            pending = None
            expect_new = True
        elif quoted is not None:
            pending = quoted if (pending is None or expect_new) else pending + quoted
            expect_new = False
        elif bare is not None and bare.strip():
            if pending is not None:
                values.append(pending)
            pending = bare.strip()
            expect_new = False
    if pending is not None:
        values.append(pending)
    return values


def parse_px(raw: bytes, *, name: str = "PX file") -> PxFile:
    """Parse a PX (PC-Axis) file's keywords and data into a :class:`PxFile`.

    Only keywords of the default language (without ``[lang]``) are used. Data symbols (quoted
    dots and ``-``) become a null value with the symbol as status; PX's ``DATASYMBOLn`` tells
    which of SSB's symbols a run of n dots stands for when it names one.
    """
    probe = raw[:4096].decode("latin-1")
    declared = re.search(r'CODEPAGE\s*=\s*"([^"]+)"', probe)
    text, encoding = _decode(raw, declared.group(1) if declared else None)
    split = re.search(r"(?m)^\s*DATA\s*=", text)
    if split is None:
        raise InputFileError(f"{name} has no DATA= section; it is not a complete PX file.")
    header, data_text = text[: split.start()], text[split.end() :]
    keywords: dict[str, list[str]] = {}
    statement: list[str] = []
    for token in _PX_TOKEN.findall(header):
        if token == ";":
            _px_statement("".join(statement), keywords, name)
            statement = []
        else:
            statement.append(token)
    if "".join(statement).strip():
        raise InputFileError(
            f"{name}: keyword without ';' before DATA: {''.join(statement)[:60]!r}"
        )
    stub = keywords.get("STUB", [])
    heading = keywords.get("HEADING", [])
    variables = [*stub, *heading]
    if not variables:
        raise InputFileError(f"{name} has neither STUB nor HEADING.")
    codes: dict[str, list[str]] = {}
    variable_ids: dict[str, str] = {}
    for variable in variables:
        values = keywords.get(f'VALUES("{variable}")')
        if not values:
            raise InputFileError(f"{name}: variable {variable!r} has no VALUES.")
        var_codes = keywords.get(f'CODES("{variable}")', values)
        if len(var_codes) != len(values):
            raise InputFileError(
                f"{name}: variable {variable!r} has {len(values)} VALUES "
                f"but {len(var_codes)} CODES."
            )
        codes[variable] = var_codes
        ident = keywords.get(f'VARIABLECODE("{variable}")', [variable])[0]
        variable_ids[variable] = ident
    if len(set(variable_ids.values())) != len(variables):
        raise InputFileError(f"{name}: two variables share an id ({variable_ids}).")
    symbols = _px_symbols(keywords)
    tokens = re.findall(r'"[^"]*"|[^\s",;]+', data_text.split(";", 1)[0])
    cells = [t.strip('"') for t in tokens]
    keys_vars = [v for v in stub if f'KEYS("{v}")' in keywords]
    if keys_vars:
        frame = _px_keys_frame(cells, stub, heading, codes, keywords, symbols, name)
    else:
        sizes = [len(codes[v]) for v in variables]
        n_cells = math.prod(sizes)
        if len(cells) != n_cells:
            raise InputFileError(
                f"{name}: DATA has {len(cells)} cells, but the variables make {n_cells}.",
                hint="The file is truncated or its VALUES do not match its data.",
            )
        columns = _code_grid(variables, sizes, codes)
        value, status = _px_cells(pl.Series(cells, dtype=pl.Utf8), symbols, name)
        frame = pl.DataFrame([*columns, value, status])
    frame = frame.rename({v: variable_ids[v] for v in variables})
    return PxFile(
        keywords=keywords,
        variables=variables,
        variable_ids=variable_ids,
        frame=frame,
        encoding=encoding,
    )


def _px_statement(statement: str, keywords: dict[str, list[str]], name: str) -> None:
    if not statement.strip():
        return
    match = _PX_KEY.match(statement)
    if match is None:
        raise InputFileError(f"{name}: cannot read the PX line {statement.strip()[:60]!r}.")
    if match.group("lang"):
        return  # another language's text; the default language is enough
    key = match.group("name").upper()
    sub = match.group("sub")
    if sub is not None:
        subs = _px_values(sub)
        key = f"{key}({','.join(chr(34) + s + chr(34) for s in subs)})"
    keywords[key] = _px_values(match.group("value"))


def _px_symbols(keywords: dict[str, list[str]]) -> dict[str, str]:
    """Data tokens that mean "no number", mapped to the status symbol stored."""
    symbols: dict[str, str] = {}
    for n in range(1, 7):
        token = "." * n
        shown = (keywords.get(f"DATASYMBOL{n}") or [token])[0]
        if shown in STATUS_SYMBOLS:
            symbols[token] = shown
        elif token in STATUS_SYMBOLS:
            symbols[token] = token
        else:
            symbols[token] = ".."  # a symbol SSB does not use: "not available"
    nil = (keywords.get("DATASYMBOLNIL") or ["-"])[0]
    symbols["-"] = "-"
    symbols[nil] = "-" if nil not in STATUS_SYMBOLS else nil
    for symbol in STATUS_SYMBOLS:  # SSB also writes ":" (confidential) straight into DATA
        symbols.setdefault(symbol, symbol)
    return symbols


def _px_cells(cells: pl.Series, symbols: dict[str, str], name: str) -> tuple[pl.Series, pl.Series]:
    is_symbol = cells.is_in(list(symbols))
    numbers = cells.cast(pl.Float64, strict=False)
    bad = cells.filter(~is_symbol & numbers.is_null())
    if bad.len():
        raise InputFileError(
            f"{name}: {bad.len()} DATA cells are neither numbers nor data symbols "
            f"(e.g. {bad[0]!r})."
        )
    value = numbers.set(is_symbol, None).alias("value")
    status = cells.replace_strict(symbols, default=None, return_dtype=pl.Utf8).alias("status")
    return value, status


def _code_grid(
    variables: Sequence[str], sizes: Sequence[int], codes: dict[str, list[str]]
) -> list[pl.Series]:
    """One code column per variable for a full row-major cube (last variable fastest)."""
    n_cells = math.prod(sizes)
    columns = []
    for k, variable in enumerate(variables):
        inner = math.prod(sizes[k + 1 :])
        outer = math.prod(sizes[:k])
        positions = np.tile(np.repeat(np.arange(sizes[k], dtype=np.int64), inner), outer)
        series = pl.Series(variable, codes[variable], dtype=pl.Utf8)
        columns.append(series.gather(positions) if n_cells else series.clear())
    return columns


def _px_keys_frame(
    cells: list[str],
    stub: list[str],
    heading: list[str],
    codes: dict[str, list[str]],
    keywords: dict[str, list[str]],
    symbols: dict[str, str],
    name: str,
) -> pl.DataFrame:
    """DATA in KEYS form: each line starts with the stub's keys, then one row of the heading.

    Rows left out of a KEYS file are not invented (PX allows leaving out all-zero rows; we store
    only what the file holds, rather than turning absence into zeros).
    """
    heading_sizes = [len(codes[v]) for v in heading]
    per_row = math.prod(heading_sizes)
    width = len(stub) + per_row
    if len(cells) % width:
        raise InputFileError(f"{name}: KEYS data rows do not have {width} fields each.")
    n_rows = len(cells) // width
    grid = np.array(cells, dtype=object).reshape(n_rows, width)
    key_columns = []
    for j, variable in enumerate(stub):
        keys = pl.Series(variable, grid[:, j].tolist(), dtype=pl.Utf8)
        if (keywords.get(f'KEYS("{variable}")') or ["CODES"])[0].upper() == "VALUES":
            mapping = dict(zip(keywords[f'VALUES("{variable}")'], codes[variable], strict=True))
            unknown = keys.filter(~keys.is_in(list(mapping))).unique()
            if unknown.len():
                raise InputFileError(f"{name}: unknown {variable} value {unknown[0]!r} in DATA.")
            keys = keys.replace_strict(mapping, return_dtype=pl.Utf8)
        elif not keys.is_in(codes[variable]).all():
            unknown = keys.filter(~keys.is_in(codes[variable])).unique()
            raise InputFileError(f"{name}: unknown {variable} code {unknown[0]!r} in DATA.")
        key_columns.append(keys.gather(np.repeat(np.arange(n_rows), per_row)))
    heading_columns = [
        series.gather(np.tile(np.arange(per_row), n_rows))
        for series in _code_grid(heading, heading_sizes, codes)
    ]
    raw = pl.Series(grid[:, len(stub) :].reshape(-1).tolist(), dtype=pl.Utf8)
    value, status = _px_cells(raw, symbols, name)
    return pl.DataFrame([*key_columns, *heading_columns, value, status])


def _px_to_parsed(px: PxFile) -> _Parsed:
    ids = list(px.variable_ids.values())
    lowered = {i.casefold(): i for i in ids}
    contvariable = px.keyword("CONTVARIABLE")
    contents = px.variable_ids.get(contvariable) if contvariable else lowered.get("contentscode")
    time_var = next(
        (px.variable_ids[v] for v in px.variables if f'TIMEVAL("{v}")' in px.keywords), None
    ) or next((lowered[n] for n in ("tid", "time", "år", "year") if n in lowered), None)
    region = next((lowered[n] for n in _REGION_NAMES if n in lowered), None)
    missing = [
        label for label, found in (("region", region), ("time (year)", time_var)) if found is None
    ]
    if missing:
        raise InputFileError(
            f"The PX file has no {' and no '.join(missing)} variable "
            f"(its variables are {', '.join(ids)}).",
            hint="kostra stores annual figures by region.",
        )
    assert region is not None
    assert time_var is not None
    frame = px.frame
    if contents is None:
        single = px.keyword("CONTENTS") or "value"
        frame = frame.with_columns(pl.lit(single).alias("_contents"))
        contents = "_contents"
    years = frame.get_column(time_var)
    if not years.str.contains(r"^\d{4}$").all():
        bad = years.filter(~years.str.contains(r"^\d{4}$"))[0]
        raise InputFileError(
            f"The PX file is not annual: time codes such as {bad!r} are not years.",
            hint="KOSTRA figures are annual; choose an annual table.",
        )
    others = [i for i in ids if i not in (contents, time_var, region)]
    out = frame.select(
        pl.col(region).str.strip_prefix("K-").alias("region"),
        pl.col(time_var).cast(pl.Int32).alias("year"),
        pl.col(contents).alias("contents"),
        pl.col("value"),
        pl.col("status"),
        *[pl.col(o).alias(f"_dim_{o}") for o in others],
    )
    matrix = px.keyword("MATRIX") or px.keyword("TABLEID")
    stamp = next((v[0] for k, v in px.keywords.items() if k.startswith("LAST-UPDATED") and v), None)
    # PX writes "20240221 08:00"; the warehouse wants ISO 8601
    found = re.match(r"^(\d{4})(\d{2})(\d{2})\s+(\d{2}):(\d{2})", stamp or "")
    updated = f"{found[1]}-{found[2]}-{found[3]}T{found[4]}:{found[5]}:00" if found else None
    return _Parsed(
        frame=out,
        dim_ids=others,
        table_id=matrix if matrix and _TABLE_ID.match(matrix) else None,
        title=px.keyword("TITLE") or px.keyword("CONTENTS"),
        updated=updated,
        encoding=px.encoding,
        contents_are_labels=contents == "_contents",
        notes=[]
        if not matrix or _TABLE_ID.match(matrix)
        else [f"MATRIX {matrix!r} is not an SSB id"],
    )


# --------------------------------------------------------------------------- JSON-stat


def _read_jsonstat(
    path: Path, raw: bytes, table_id: str | None
) -> tuple[pl.DataFrame, FileMetadata]:
    from kostra.sources import jsonstat  # imported lazily: only JSON files need it

    dataset = jsonstat.decode(raw)
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
            f"{path.name} does not say which SSB table it is.",
            hint="Give the table id: kostra import FILE --table 12345.",
        )
    frame = jsonstat.to_observations(dataset, chosen)
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


# --------------------------------------------------------------------------- final frame


def _is_population(parsed: _Parsed) -> bool:
    """Persons by region and single-year age (and optionally sex): SSB table 07459."""
    if not set(parsed.dim_ids) <= {"Alder", "Kjonn"} or "Alder" not in parsed.dim_ids:
        return False
    labels = parsed.frame.get_column("contents").unique().drop_nulls().to_list()
    if not labels or any(str(label).casefold() not in _PERSON_LABELS for label in labels):
        return False
    ages = parsed.frame.get_column("_dim_Alder").unique()
    return bool(ages.str.contains(r"^\d{3}\+?$").all())


def _finish(
    path: Path, fmt: FileFormat, parsed: _Parsed, table_id: str | None
) -> tuple[pl.DataFrame, FileMetadata]:
    notes = list(parsed.notes)
    source: Literal["argument", "file", "heuristic"]
    if table_id is not None:
        chosen, source = table_id, "argument"
        if parsed.table_id and parsed.table_id != table_id:
            notes.append(f"the file says table {parsed.table_id}; {table_id} was used as asked")
    elif parsed.table_id is not None:
        chosen, source = parsed.table_id, "file"
    elif _is_population(parsed):
        chosen, source = POPULATION_TABLE, "heuristic"
        notes.append("persons by region and age: taken to be SSB table 07459")
    else:
        raise InputFileError(
            f"{path.name} does not say which SSB table it is.",
            hint="Give the table id: kostra import FILE --table 12345.",
        )
    frame = parsed.frame
    contents = frame.get_column("contents")
    if contents.null_count():
        if chosen == POPULATION_TABLE:
            contents = contents.fill_null(POPULATION_CONTENTS)
        else:
            raise InputFileError(
                f"{path.name}: the column headings do not say what the numbers are "
                "(no contents such as 'Persons 2020').",
                hint=_CODES_HINT,
            )
    contents = _contents_codes(contents, chosen, parsed.contents_are_labels, path.name)
    dims = _dims_text(frame, parsed.dim_ids)
    out = pl.DataFrame(
        [
            pl.Series("table_id", [chosen] * frame.height, dtype=pl.Utf8),
            contents.alias("contents_code"),
            frame.get_column("region"),
            frame.get_column("year").cast(pl.Int32),
            dims.alias("dims"),
            frame.get_column("value").cast(pl.Float64),
            frame.get_column("status").cast(pl.Utf8),
        ]
    )
    out = conform_observations(out)
    duplicates = out.select("contents_code", "region", "year", "dims").is_duplicated()
    if duplicates.any():
        example = out.filter(duplicates).row(0, named=True)
        raise InputFileError(
            f"{path.name}: {int(duplicates.sum())} rows repeat a cell, e.g. region "
            f"{example['region']} year {example['year']} {example['dims']}.",
            hint="Two labels may share a code; check the file for repeated rows.",
        )
    meta = FileMetadata(
        path=path,
        format=fmt,
        table_id=chosen,
        title=parsed.title,
        updated=parsed.updated,
        encoding=parsed.encoding,
        n_rows=out.height,
        table_source=source,
        notes=tuple(notes),
    )
    return out, meta


def _contents_codes(contents: pl.Series, table_id: str, labels: bool, name: str) -> pl.Series:
    mapping: dict[str, str] = {}
    for label in contents.unique().to_list():
        text = str(label).strip()
        dash = _CODE_DASH_LABEL.match(text)
        if dash and " " not in dash.group("code"):
            mapping[label] = dash.group("code")
        elif table_id == POPULATION_TABLE and text.casefold() in _PERSON_LABELS:
            mapping[label] = POPULATION_CONTENTS
        elif not re.search(r"\s", text) and (not labels or _code_like(text)):
            mapping[label] = text
        else:
            raise InputFileError(
                f"{name}: the contents {text!r} has no SSB ContentsCode in the file.",
                hint=_CODES_HINT,
            )
    return contents.replace_strict(mapping, return_dtype=pl.Utf8)


def _dims_text(frame: pl.DataFrame, dim_ids: Iterable[str]) -> pl.Series:
    ordered = sorted(dim_ids)
    if not ordered:
        return pl.Series("dims", [""] * frame.height, dtype=pl.Utf8)
    return frame.select(
        pl.concat_str(
            [pl.lit(f"{d}=") + pl.col(f"_dim_{d}") for d in ordered], separator=";"
        ).alias("dims")
    ).to_series()
