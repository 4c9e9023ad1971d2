"""The final observation frame: table id, contents codes, dims text, duplicate check."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

import polars as pl

from kostra.errors import InputFileError
from kostra.frames import conform_observations
from kostra.i18n.said import Said, same, say, say_plural
from kostra.sources.files._common import (
    _CODE_DASH_LABEL,
    _PERSON_LABELS,
    POPULATION_CONTENTS,
    POPULATION_TABLE,
    FileFormat,
    FileMetadata,
    _Parsed,
)
from kostra.sources.files._table import _code_like
from kostra.sources.labels import match_contents, unknown_regions

_FIRST_YEAR = 1900

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
    path: Path,
    fmt: FileFormat,
    parsed: _Parsed,
    table_id: str | None,
    *,
    contents: Sequence[str] = (),
    cache_dir: Path | None = None,
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
            say("error.files.which_table", name=path.name), hint=say("error.files.which_table.hint")
        )
    frame = parsed.frame
    column = frame.get_column("contents")
    if column.null_count():
        if chosen == POPULATION_TABLE:
            column = column.fill_null(POPULATION_CONTENTS)
        else:
            raise InputFileError(
                say("error.files.no_contents", name=path.name), hint=say("error.files.codes.hint")
            )
    codes = _contents_codes(
        column,
        chosen,
        parsed.contents_are_labels,
        path.name,
        given=contents,
        cache_dir=cache_dir,
    )
    dims = _dims_text(frame, parsed.dim_ids)
    out = pl.DataFrame(
        [
            pl.Series("table_id", [chosen] * frame.height, dtype=pl.Utf8),
            codes.alias("contents_code"),
            frame.get_column("region"),
            frame.get_column("year").cast(pl.Int32),
            dims.alias("dims"),
            frame.get_column("value").cast(pl.Float64),
            frame.get_column("status").cast(pl.Utf8),
        ]
    )
    out = conform_observations(out)
    check_cells(out, path.name)
    duplicates = out.select("contents_code", "region", "year", "dims").is_duplicated()
    if duplicates.any():
        example = out.filter(duplicates).row(0, named=True)
        repeated = int(duplicates.sum())
        raise InputFileError(
            say_plural(
                "error.files.repeated",
                repeated,
                same(str(repeated)),
                name=path.name,
                region=str(example["region"]),
                year=str(example["year"]),
                dims=str(example["dims"]),
            ),
            hint=say("error.files.repeated.hint"),
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


def _contents_codes(
    contents: pl.Series,
    table_id: str,
    labels: bool,
    name: str,
    *,
    given: Sequence[str] = (),
    cache_dir: Path | None = None,
) -> pl.Series:
    """ContentsCodes for a column of codes or labels; labels go through SSB's label text."""
    mapping: dict[str, str] = {}
    pending: list[str] = []
    for label in contents.unique().to_list():
        text = str(label).strip()
        dash = _CODE_DASH_LABEL.match(text)
        if dash and " " not in dash.group("code") and _code_like(dash.group("code")):
            mapping[label] = dash.group("code")
        elif table_id == POPULATION_TABLE and text.casefold() in _PERSON_LABELS:
            mapping[label] = POPULATION_CONTENTS
        elif not re.search(r"\s", text) and (not labels or _code_like(text)):
            mapping[label] = text
        else:
            pending.append(label)
    if pending:
        mapping.update(
            match_contents(pending, table_id, file_name=name, given=given, cache_dir=cache_dir)
        )
    return contents.replace_strict(mapping, return_dtype=pl.Utf8)


def check_cells(frame: pl.DataFrame, name: str) -> None:
    """Refuse what SSB never publishes: infinite or NaN numbers, impossible years, unknown
    region codes. Nothing is stored when this raises."""
    values = frame.get_column("value")
    bad = values.filter(values.is_not_null() & ~values.is_finite())
    if bad.len():
        raise InputFileError(
            say_plural(
                "error.files.not_finite",
                bad.len(),
                same(str(bad.len())),
                name=name,
                example=str(bad[0]),
            ),
            hint=say("error.files.not_finite.hint"),
        )
    years = frame.get_column("year").unique().sort()
    last = date.today().year + 1
    wrong = years.filter((years < _FIRST_YEAR) | (years > last)).to_list()
    if wrong:
        raise InputFileError(
            say(
                "error.files.impossible_year",
                name=name,
                year=wrong[0],
                first=_FIRST_YEAR,
                last=last,
            ),
            hint=say("error.files.impossible_year.hint"),
        )
    unknown = unknown_regions(frame.get_column("region").unique(maintain_order=True).to_list())
    if unknown:
        shown = ", ".join(repr(code[:20]) for code in unknown[:5])
        more: Said | str = say("error.files.more", n=len(unknown) - 5) if len(unknown) > 5 else ""
        raise InputFileError(
            say("error.files.unknown_regions", name=name, codes=shown, more=more),
            # SSB's own labels, the same in every language
            hint=say(
                "error.files.unknown_regions.hint",
                examples="'0301 Oslo', 'K-3024 Bærum', 'EAK Landet'",
                last="'EKG13 KOSTRA-gruppe 13'",
            ),
        )


def _dims_text(frame: pl.DataFrame, dim_ids: Iterable[str]) -> pl.Series:
    ordered = sorted(dim_ids)
    if not ordered:
        return pl.Series("dims", [""] * frame.height, dtype=pl.Utf8)
    return frame.select(
        pl.concat_str(
            [pl.lit(f"{d}=") + pl.col(f"_dim_{d}") for d in ordered], separator=";"
        ).alias("dims")
    ).to_series()
