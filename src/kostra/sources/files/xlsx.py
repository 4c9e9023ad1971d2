"""XLSX/XLSM downloads: the statbank Excel layout and a simple long layout."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from kostra.errors import InputFileError
from kostra.frames import STATUS_SYMBOLS
from kostra.i18n.said import say
from kostra.sources.files._common import (
    _TITLE,
    _YEAR_CELL,
    _footer_stamp,
    _Parsed,
)
from kostra.sources.files._table import (
    _from_table,
)

# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path) -> _Parsed:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheet = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
    except Exception as error:  # fastexcel raises its own exception types
        # fastexcel's own text names the absolute path and its internals: say it plainly.
        raise InputFileError(
            say("error.files.xlsx_unreadable", name=path.name),
            hint=say("error.files.xlsx_unreadable.hint"),
        ) from error
    rows: list[list[str | None]] = [
        [None if cell is None or not str(cell).strip() else str(cell).strip() for cell in row]
        for row in sheet.rows()
    ]
    if not rows:
        raise InputFileError(say("error.files.sheet_empty", name=path.name))
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
        raise InputFileError(say("error.files.sheet_no_table", name=path.name))
    # The table ends at the first row with exactly one filled cell (footnotes, "Sist endret:",
    # time stamps follow) or at blank rows with no table row after them; a blank row inside the
    # data (SSB's downloads have them) is skipped, not taken for the end.
    kept = [start]
    end = start + 1
    while end < len(rows) and filled[end] != 1:
        if filled[end] == 0:
            after = end
            while after < len(rows) and filled[after] == 0:
                after += 1
            if after >= len(rows) or filled[after] <= 1:
                break
            end = after
        kept.append(end)
        end += 1
    used = [j for j in range(len(rows[0])) if any(rows[i][j] is not None for i in kept)]
    block = [[rows[i][j] for j in used] for i in kept]
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
        raise InputFileError(say("error.files.no_data_rows", name=path.name))
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
        parsed.updated = _footer_stamp([row[0] or "" for row in rows[end:]])
    return parsed


def _first_value_column(block: list[list[str | None]]) -> int:
    """Index of the first column whose data cells (the bottom rows) are all numbers or symbols."""
    sample = block[1:][-50:]  # the first row is always a heading
    for j in range(len(block[0])):
        cells = [cell for row in sample if (cell := row[j]) is not None]
        if cells and all(_is_number_or_symbol(cell) for cell in cells):
            return j
    raise InputFileError(say("error.files.sheet_no_numbers"), hint=say("error.files.codes.hint"))


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
