"""The final observation frame: table id, contents codes, dims text, duplicate check."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import polars as pl

from kostra.errors import InputFileError
from kostra.frames import conform_observations
from kostra.sources.files._common import (
    _CODE_DASH_LABEL,
    _CODES_HINT,
    _PERSON_LABELS,
    POPULATION_CONTENTS,
    POPULATION_TABLE,
    FileFormat,
    FileMetadata,
    _Parsed,
)
from kostra.sources.files._table import _code_like

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
