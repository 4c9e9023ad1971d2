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
from kostra.sources.files._common import (
    _CODE_DASH_LABEL,
    _CODES_HINT,
    _CODES_HINT_NB,
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
            f"{path.name} does not say which SSB table it is.",
            nb=f"{path.name} sier ikke hvilken tabell i statistikkbanken den er.",
            hint="Give the table id: kostra import FILE --table 12345.",
            hint_nb="Oppgi tabellnummeret: kostra import FIL --table 12345.",
        )
    frame = parsed.frame
    column = frame.get_column("contents")
    if column.null_count():
        if chosen == POPULATION_TABLE:
            column = column.fill_null(POPULATION_CONTENTS)
        else:
            raise InputFileError(
                f"{path.name}: the column headings do not say what the numbers are "
                "(no contents such as 'Persons 2020').",
                nb=f"{path.name}: kolonneoverskriftene sier ikke hva tallene er "
                "(ingen statistikkvariabel som «Personer 2020»).",
                hint=_CODES_HINT,
                hint_nb=_CODES_HINT_NB,
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
        raise InputFileError(
            f"{path.name}: {int(duplicates.sum())} rows repeat a cell, e.g. region "
            f"{example['region']} year {example['year']} {example['dims']}.",
            nb=f"{path.name}: {int(duplicates.sum())} rader gjentar en celle, f.eks. region "
            f"{example['region']} år {example['year']} {example['dims']}.",
            hint="Two labels may share a code; check the file for repeated rows.",
            hint_nb="To etiketter kan ha samme kode; se etter gjentatte rader i filen.",
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
            f"{name}: {bad.len()} cells hold a number that is not finite (e.g. {bad[0]}); "
            "nothing was stored.",
            nb=f"{name}: {bad.len()} celler har et tall som ikke er endelig (f.eks. {bad[0]}); "
            "ingenting ble lagret.",
            hint="Numbers such as 1e309, inf or NaN are not figures SSB publishes; "
            "correct the cells or download the table again.",
            hint_nb="Tall som 1e309, inf eller NaN publiserer ikke SSB; "
            "rett cellene eller last ned tabellen på nytt.",
        )
    years = frame.get_column("year").unique().sort()
    last = date.today().year + 1
    wrong = years.filter((years < _FIRST_YEAR) | (years > last)).to_list()
    if wrong:
        raise InputFileError(
            f"{name}: the year {wrong[0]} is impossible for a statistic "
            f"(years run from {_FIRST_YEAR} to {last}); nothing was stored.",
            nb=f"{name}: året {wrong[0]} er umulig for en statistikk "
            f"(årene går fra {_FIRST_YEAR} til {last}); ingenting ble lagret.",
            hint="Check the year columns or the year variable of the file.",
            hint_nb="Sjekk årskolonnene eller tidsvariabelen (Tid) i filen.",
        )
    unknown = unknown_regions(frame.get_column("region").unique(maintain_order=True).to_list())
    if unknown:
        shown = ", ".join(repr(code[:20]) for code in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        more_nb = f" og {len(unknown) - 5} til" if len(unknown) > 5 else ""
        raise InputFileError(
            f"{name}: unknown region codes {shown}{more}; nothing was stored.",
            nb=f"{name}: ukjente regionkoder {shown}{more_nb}; ingenting ble lagret.",
            hint="Region cells must start with an SSB region code, such as '0301 Oslo', "
            "'K-3024 Bærum', 'EAK Landet' or 'EKG13 KOSTRA-gruppe 13'.",
            hint_nb="Regionceller må begynne med en regionkode fra SSB, som '0301 Oslo', "
            "'K-3024 Bærum', 'EAK Landet' eller 'EKG13 KOSTRA-gruppe 13'.",
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
