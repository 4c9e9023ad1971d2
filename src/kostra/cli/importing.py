"""``kostra import FILE``: store a statbank download (CSV, XLSX, PX, JSON-stat) in the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.cli._app import app, state
from kostra.cli._options import ComputeOption
from kostra.cli._output import format_number
from kostra.i18n import Words
from kostra.sources.files import FileMetadata, read_file
from kostra.warehouse import VintageInfo, Warehouse

_TEXT = Words(
    "cli.import",
    (
        "stored",
        "same",
        "missing",
        "heuristic",
        "db",
    ),
)


def _years(frame: pl.DataFrame) -> str:
    years = sorted(frame["year"].unique().to_list())
    if not years:
        return "-"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


@app.command("import")
def import_files(
    files: Annotated[
        list[Path],
        typer.Argument(help="Statbank download(s): .csv, .xlsx, .px or JSON-stat .json."),
    ],
    table: Annotated[
        str | None,
        typer.Option("--table", "-t", help="SSB table id, when the file does not say (07459)."),
    ] = None,
    preliminary: Annotated[
        bool | None,
        typer.Option(
            "--preliminary/--final",
            help="Mark the figures as SSB's preliminary or final ones (default: not known).",
        ),
    ] = None,
    label: Annotated[
        str | None, typer.Option("--label", help="A note stored with the vintage.")
    ] = None,
    contents: Annotated[
        list[str] | None,
        typer.Option(
            "--contents",
            help="ContentsCode for a content label SSB's known labels do not cover: CODE, or "
            "'LABEL=CODE' (repeatable).",
        ),
    ] = None,
    compute: ComputeOption = True,
) -> None:
    """Import files downloaded from SSB's statbank into the warehouse, one vintage per file.

    Every file is read and checked before anything is written, and all are stored in one
    transaction: if one fails, nothing is stored.
    """
    lang = state.settings.text_lang
    words = _TEXT[lang]
    extracts: list[tuple[pl.DataFrame, FileMetadata]] = [
        read_file(path, table_id=table, contents=contents or (), cache_dir=state.settings.cache_dir)
        for path in files
    ]
    infos = [
        VintageInfo(
            source="file",
            table_id=meta.table_id,
            title=meta.title,
            updated=meta.updated,
            query={
                "file": meta.path.name,
                "path": str(meta.path.resolve()),
                "format": meta.format,
                "encoding": meta.encoding,
                "table_from": meta.table_source,
                "notes": list(meta.notes),
            },
            preliminary=preliminary,
            label=label or meta.path.name,
        )
        for _, meta in extracts
    ]
    with Warehouse.open(state.settings.db) as warehouse:
        known = set(warehouse.vintages()["vintage_id"].to_list())
        ids = warehouse.load_many(
            [(frame, info) for (frame, _), info in zip(extracts, infos, strict=True)]
        )
    console = Console()
    console.print(words["db"].format(path=state.settings.db), highlight=False)
    for (frame, meta), vintage_id in zip(extracts, ids, strict=True):
        if vintage_id in known:
            console.print(
                words["same"].format(file=meta.path.name, vintage=vintage_id, table=meta.table_id),
                highlight=False,
            )
            continue
        n_missing = frame["value"].null_count()
        console.print(
            words["stored"].format(
                rows=format_number(frame.height, lang),
                file=meta.path.name,
                table=meta.table_id,
                vintage=vintage_id,
                years=_years(frame),
                regions=format_number(frame["region"].n_unique(), lang),
                missing=words["missing"].format(n=format_number(n_missing, lang))
                if n_missing
                else "",
            ),
            highlight=False,
        )
        if meta.table_source == "heuristic":
            console.print(words["heuristic"].format(table=meta.table_id), highlight=False)
    if compute and any(vintage_id not in known for vintage_id in ids):
        from kostra.cli._computed import compute_year

        compute_year(Console(stderr=True))
