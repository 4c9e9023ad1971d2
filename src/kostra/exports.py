"""Spreadsheet files that open right: CSV for Norwegian Excel (or plain CSV) and XLSX.

One writer for every surface that hands a table to a spreadsheet (the CLI's ``-f csv``/``-f xlsx``
and the web's downloads):

- **CSV**, two styles (:class:`CsvStyle`). ``excel``, the default in Norwegian: ``;`` between
  fields, a decimal comma, no thousands grouping, a UTF-8 byte-order mark; this is what Excel
  with Norwegian regional settings reads as numbers when the file is double-clicked. ``plain``,
  the default in English: ``,`` between fields, a decimal point, no BOM (RFC 4180, what pandas,
  R and Polars read by default). Negative numbers keep the ASCII hyphen-minus: Excel does not
  read U+2212 as a sign.
- **XLSX**: typed cells (numbers stay numbers), a bold frozen header row, an autofilter, column
  widths fitted to the content, a number format per column (:func:`number_format`: years
  without grouping, kroner without decimals, percentages with one) and sheet names Excel accepts
  (:func:`sheet_name`).
- **Decimals** (:func:`rounded`): no float is written with more digits than it means. A row with
  a ``unit`` column in kroner is rounded to whole kroner, in per cent to one decimal; other
  columns whose header says kroner ("(kr)", "NOK", "per innb.") are whole kroner, per cent
  columns have one decimal, and other figures keep seven significant digits.
- **Safety**: every text cell a spreadsheet would run as a formula is made inert first
  (:func:`safe_cells`, OWASP's rule).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any

import polars as pl

__all__ = [
    "BOM",
    "CsvStyle",
    "csv_bytes",
    "default_csv_style",
    "labelled",
    "number_format",
    "rounded",
    "safe_cells",
    "sheet_name",
    "write_sheet",
    "write_workbook",
    "xlsx_bytes",
]

BOM = "\ufeff"


class CsvStyle(StrEnum):
    """How a CSV file is written: for Norwegian Excel, or plain (see the module docstring)."""

    EXCEL = "excel"
    PLAIN = "plain"


def default_csv_style(lang: str) -> CsvStyle:
    """``excel`` in Norwegian (bokmål, nynorsk), ``plain`` in English."""
    return CsvStyle.PLAIN if lang == "en" else CsvStyle.EXCEL


# -- safe cells -------------------------------------------------------------------------------

# OWASP's CSV-injection rule: a text cell starting with one of these is read by spreadsheets
# as a formula (or a DDE call), so it gets a leading apostrophe. Plain numbers written as text
# ("-12", "-3,5") and SSB's status symbol "-" cannot be formulas and are left as they are.
_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^-([0-9]+([.,][0-9]+)?)?$"


def safe_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula made inert.

    The one rule for every CSV and XLSX that can carry text from outside the project (imported
    labels, titles, names): a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return is prefixed with ``'`` (OWASP's recommendation). Only text columns (Utf8, Enum,
    Categorical) are touched: numbers, negative ones included, stay numbers. Column names
    (the header row, which may hold a name or a label) follow the same rule.
    """
    names = pl.Series(frame.columns, dtype=pl.Utf8)
    risky = names.str.contains(_FORMULA_START) & ~names.str.contains(_PLAIN_NUMBER)
    if risky.any():
        frame = frame.rename({name: "'" + name for name in names.filter(risky)})
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.Utf8 or isinstance(dtype, pl.Enum | pl.Categorical)
    ]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(
            pl.col(name).cast(pl.Utf8).str.contains(_FORMULA_START)
            & ~pl.col(name).cast(pl.Utf8).str.contains(_PLAIN_NUMBER)
        )
        .then(pl.lit("'") + pl.col(name).cast(pl.Utf8))
        .otherwise(pl.col(name).cast(pl.Utf8))
        .alias(name)
        for name in text
    )


# -- decimals ---------------------------------------------------------------------------------

#: Significant digits a figure keeps when no unit says otherwise: float noise goes
#: (5398.396772390033), while parts still add up to their sum (a barometer score).
SIGNIFICANT = 7
#: Significant digits an XLSX number format shows of a column's typical value.
SHOWN_SIGNIFICANT = 4
#: Column names (English ids and the nb/nn/en headers) that hold the row's unit.
UNIT_COLUMNS = ("unit", "enhet", "eining")
#: Headers (ids, nb, nn and en) of the figure columns a row's unit applies to: the value and
#: what is compared with it, not an index or a place.
_IN_UNIT = re.compile(
    r"^(value|verdi|peer_average|snitt|average|peer_min|min|peer_max|maks|max|change|endring|"
    r"difference|differanse mot snitt|skilnad frå snittet|difference from average|"
    r"previous_value|verdi året før|"
    r"value the year before|best)$",
    re.I,
)
#: Decimals by unit, for rows whose unit column names one.
UNIT_DECIMALS = {"kr": 0, "kroner": 0, "nok": 0, "prosent": 1, "%": 1, "percent": 1}
#: Headers (any language) of columns that count years: no thousands grouping ("2024").
_YEAR = re.compile(r"^(year|år|need year|behovsår|borders|kommunegrenser|need_year)$", re.I)
#: Headers of columns that are percentages or per cent changes: one decimal.
_PERCENT = re.compile(r"(%|_pct$|prosent|per cent|percent)", re.I)
#: Headers of columns in kroner (per inhabitant too): whole kroner.
_KRONER = re.compile(
    r"(\(kr\)|\bkr\b|\bnok\b|_nok$|per innb|per inh|per_capita|kroner|net_opex$)", re.I
)


def _significant(column: str) -> pl.Expr:
    """``column`` rounded to :data:`SIGNIFICANT` digits, never cutting a whole number."""
    value = pl.col(column)
    magnitude = value.abs().log10().floor().fill_nan(0).fill_null(0)
    digits = (SIGNIFICANT - 1 - magnitude).clip(0, 9)
    # digits = 0 for |x| >= 1000: a whole number, not 123 500 for 123 456
    scale = pl.lit(10.0).pow(
        pl.when(value == 0).then(pl.lit(0.0)).otherwise(digits.cast(pl.Float64))
    )
    return ((value * scale).round() / scale).alias(column)


def rounded(frame: pl.DataFrame, units: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``frame`` with its float columns rounded as the module docstring says (a copy);
    ``units`` names the unit of whole columns (a ranking's value column)."""
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    if not floats:
        return frame
    unit = next((c for c in frame.columns if c.lower() in UNIT_COLUMNS), None)
    out = []
    for name in floats:
        expression = _significant(name)
        column_unit = (units or {}).get(name, "").lower()
        if column_unit in UNIT_DECIMALS:
            expression = pl.col(name).round(UNIT_DECIMALS[column_unit])
        elif _KRONER.search(name):
            expression = pl.col(name).round(0)
        elif _PERCENT.search(name):
            expression = pl.col(name).round(1)
        elif unit is not None and frame.schema[unit] == pl.Utf8 and _IN_UNIT.match(name):
            # the unit applies to the row's figure columns, not to an index or a place
            for word, decimals in UNIT_DECIMALS.items():
                expression = (
                    pl.when(pl.col(unit).str.to_lowercase() == word)
                    .then(pl.col(name).round(decimals))
                    .otherwise(expression)
                )
        out.append(expression.alias(name))
    return frame.with_columns(out)


# -- CSV --------------------------------------------------------------------------------------


def _plain_numbers(frame: pl.DataFrame, decimal: str) -> pl.DataFrame:
    """Float columns as the shortest text that reads back as the same number, with
    ``decimal`` as the decimal mark and without a trailing ".0" ("5398", not "5398.0"). A
    column that would need an exponent stays a float column (the CSV writer's own form)."""
    out = []
    for name, dtype in frame.schema.items():
        if not dtype.is_float():
            continue
        text = frame[name].cast(pl.Utf8)
        if text.str.contains("[eE]|inf|NaN").any():
            continue
        text = text.str.replace(r"\.0$", "")
        if decimal != ".":
            text = text.str.replace(".", decimal, literal=True)
        out.append(text.alias(name))
    return frame.with_columns(out) if out else frame


def csv_bytes(frame: pl.DataFrame, style: CsvStyle) -> bytes:
    """``frame`` as a CSV file in ``style``: safe cells, sensible decimals (UTF-8)."""
    ready = safe_cells(rounded(frame))
    if style is CsvStyle.EXCEL:
        text = _plain_numbers(ready, ",").write_csv(separator=";")
        return (BOM + text).encode("utf-8")
    return _plain_numbers(ready, ".").write_csv().encode("utf-8")


# -- XLSX -------------------------------------------------------------------------------------

#: Characters Excel refuses in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str | None, used: set[str] | None = None) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``, no leading or
    trailing apostrophe, not "History", and unlike every name in ``used`` (Excel compares them
    without case); ``used`` gets the new name."""
    name = _SHEET_FORBIDDEN.sub(" ", title or "")
    name = " ".join(name.split()).strip("'")
    if len(name) > 31:
        # cut at a word where one ends late enough: "… lower secondary", not "… secondary sch"
        cut = name[:32].rsplit(" ", 1)[0] if " " in name[16:32] else name[:31]
        name = cut.rstrip(" ,;-")
    name = name.strip() or "kostra"
    if name.lower() == "history":
        name = "History (kostra)"
    taken = {u.lower() for u in used or ()}
    base, number = name, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        number += 1
    if used is not None:
        used.add(name)
    return name


def _decimals(values: pl.Series) -> int:
    """How many decimals the typical (median) value of a rounded column shows (0–3)."""
    finite = values.drop_nulls().drop_nans().abs()
    finite = finite.filter(finite > 0)
    if finite.len() == 0:
        return 0
    typical = float(finite.median())  # type: ignore[arg-type]
    return int(min(3, max(0, SHOWN_SIGNIFICANT - 1 - math.floor(math.log10(typical)))))


def number_format(name: str, values: pl.Series, *, mixed_units: bool = False) -> str | None:
    """The Excel number format of a numeric column (``None`` for text).

    A year: ``0`` (2024, not 2 024); another whole number: ``#,##0`` (Excel shows the user's own
    thousands separator); a percentage: ``0.0``; a column whose rows have different units (a
    profile's values): ``General``, each cell as rounded; else as many decimals as its typical
    value has (kroner in thousands: none; an index near 1: three)."""
    dtype = values.dtype
    if not dtype.is_numeric():
        return None
    if _YEAR.match(name.strip()):
        return "0"
    if dtype.is_integer() or _KRONER.search(name):
        return "#,##0"
    if _PERCENT.search(name):
        return "#,##0.0"
    if mixed_units:
        return "General"
    decimals = _decimals(values)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def write_sheet(
    frame: pl.DataFrame,
    workbook: Any,
    sheet: str,
) -> None:
    """Write ``frame`` to a new sheet ``sheet`` of the xlsxwriter ``workbook``: safe cells,
    rounded numbers, a number format per column, bold frozen header, autofilter, fitted widths."""
    ready = safe_cells(rounded(frame))
    unit = next((c for c in ready.columns if c.lower() in UNIT_COLUMNS), None)
    mixed = unit is not None and ready[unit].drop_nulls().n_unique() > 1
    formats = {}
    for name in ready.columns:
        fmt = number_format(name, ready[name], mixed_units=mixed and bool(_IN_UNIT.match(name)))
        if fmt is not None:
            formats[name] = fmt
    ready.write_excel(
        workbook,
        worksheet=sheet,
        column_formats=formats,  # type: ignore[arg-type]
        header_format={"bold": True, "text_wrap": True, "valign": "top"},
        autofilter=True,
        autofit=True,
        freeze_panes=(1, 0),
        include_header=True,
    )


def xlsx_bytes(
    sheets: Sequence[tuple[str, pl.DataFrame]],
    *,
    about: Sequence[str] = (),
    about_name: str = "Om",
) -> bytes:
    """An XLSX file: an optional first sheet ``about_name`` with the lines ``about`` (title,
    sample warning, notes), then one sheet per (title, frame) of ``sheets``."""
    import io

    buffer = io.BytesIO()
    write_workbook(buffer, sheets, about=about, about_name=about_name)
    return buffer.getvalue()


def write_workbook(
    target: Any,
    sheets: Sequence[tuple[str, pl.DataFrame]],
    *,
    about: Sequence[str] = (),
    about_name: str = "Om",
    warn: Callable[[str], bool] = lambda line: line.startswith("⚠"),
) -> None:
    """Write the workbook of :func:`xlsx_bytes` to ``target`` (a path or a binary file)."""
    import xlsxwriter

    used: set[str] = set()
    with xlsxwriter.Workbook(target, {"in_memory": True}) as workbook:
        if about:
            sheet = workbook.add_worksheet(sheet_name(about_name, used))
            bold = workbook.add_format({"bold": True})
            red = workbook.add_format({"bold": True, "font_color": "#B00020"})
            for row, line in enumerate(about):
                # write_string: write() would store a line starting with "=" as a formula
                sheet.write_string(row, 0, line, red if warn(line) else bold)
            sheet.set_column(0, 0, 100)
        for title, frame in sheets:
            write_sheet(frame, workbook, sheet_name(title, used))


def labelled(frame: pl.DataFrame, labels: Mapping[str, str]) -> pl.DataFrame:
    """``frame`` with the columns ``labels`` names renamed (the others as they are)."""
    return frame.rename({c: labels[c] for c in frame.columns if c in labels})
