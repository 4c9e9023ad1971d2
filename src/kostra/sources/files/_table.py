"""A table of strings (CSV body or sheet) to the long cell frame: roles, label codes, values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

from kostra.errors import InputFileError
from kostra.frames import STATUS_SYMBOLS
from kostra.i18n.said import same, say, say_plural
from kostra.sources.files._common import (
    _AGE,
    _CODE_DASH_LABEL,
    _CONTENTS_NAMES,
    _KNOWN_DIMS,
    _REGION_NAMES,
    _SEX_CODES,
    _TITLE,
    _VALUE_NAMES,
    _YEAR_NAMES,
    _YEAR_PREFIX,
    _YEAR_SUFFIX,
    _Parsed,
)

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
        raise InputFileError(say("error.files.header_no_rows", name=name))
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
                say("error.files.no_numbers", name=name, columns=", ".join(table.columns)),
                hint=say("error.files.codes.hint"),
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
            say("error.files.no_region", name=name, columns=", ".join(table.columns)),
            hint=say("error.files.no_region.hint"),
        )
    if len(regions) > 1:
        raise InputFileError(say("error.files.regions", name=name, column=regions[0].name))
    if not wide and not years:
        raise InputFileError(
            say("error.files.no_year", name=name), hint=say("error.files.no_year.hint")
        )
    if wide and (values or years):
        raise InputFileError(say("error.files.mixed_years", name=name))
    if len(contents) > 1 or len(years) > 1:
        raise InputFileError(say("error.files.contents_or_years", name=name))

    region_col = regions[0].name
    table, skipped = _drop_non_data_rows(
        table, region_col, [c.name for c in wide] or [c.name for c in values]
    )
    if table.height == 0:
        raise InputFileError(say("error.files.no_region_rows", name=name))
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
            raise InputFileError(say("error.files.contents_and_values", name=name))
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
        raise InputFileError(say("error.files.same_dimension", name=name, dims=str(dim_ids)))
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
        notes=[f"{skipped} rows without a region and a figure (notes, time stamps) were skipped"]
        if skipped
        else [],
    )


def _drop_non_data_rows(
    table: pl.DataFrame, region_col: str, value_cols: list[str]
) -> tuple[pl.DataFrame, int]:
    """Leave out rows that carry no figure and no region: SSB's footnotes, "Sist endret:" and
    time stamps ("20240617 08:00") below the data. A row with a figure is always kept, so an
    unknown region with numbers is refused later rather than dropped silently."""
    from kostra.sources.labels import unknown_regions

    if not value_cols:
        return table, 0
    blank = pl.all_horizontal(
        [pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in value_cols]
    )
    labels = table.get_column(region_col).drop_nulls().unique().to_list()
    regions = []
    for label in labels:
        code = _label_code("Region", label)
        if code is not None and not unknown_regions([code]):
            regions.append(label)
    is_region = pl.col(region_col).is_in(regions)
    kept = table.filter(~(blank & ~is_region.fill_null(False)))
    return kept, table.height - kept.height


def _years_from_cells(long: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    cells = long.get_column(column).str.strip_chars()
    year = cells.str.extract(r"^((?:18|19|20|21)\d{2})(?:\s*-\s*.*)?$", 1)
    bad = cells.filter(year.is_null()).unique(maintain_order=True)
    if bad.len():
        raise InputFileError(
            say("error.files.not_years", name=name, value=repr(bad[0])),
            hint=say("error.files.not_years.hint"),
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
    hits = sample.str.contains(r"^(?:K-)?(?:\d{2,6}|\d{2}-\d{2}|E[A-Z]{2,4}\d{0,2})(?:\s|$)").sum()
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
            say_plural(
                "error.files.bad_cells",
                bad.len(),
                same(str(bad.len())),
                name=name,
                examples=examples,
            ),
            hint=say("error.files.bad_cells.hint"),
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
            say("error.files.no_code", column=repr(column_name), label=repr(missing[0])),
            hint=say("error.files.codes.hint"),
        )
    if column.null_count():
        empty = column.null_count()
        raise InputFileError(
            say_plural("error.files.empty_cells", empty, same(str(empty)), column=repr(column_name))
        )
    # Labels that differ only in text ("0219 Bærum", "0219 Baerum") share a code; fine.
    return column.replace_strict(mapping, return_dtype=pl.Utf8)
