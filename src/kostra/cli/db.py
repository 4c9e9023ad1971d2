"""``kostra db info`` and ``kostra db vintages``: what the local warehouse holds."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.cli._app import db_app, state
from kostra.cli._output import FormatOption, OutputFormat, OutputOption, format_number, write_frame
from kostra.errors import DatabaseBusyError
from kostra.warehouse import Warehouse

READ_WAIT_SECONDS = 30.0
"""How long ``db info`` and ``db vintages`` wait for a writer (a fetch or import) to finish."""

_TEXT = {
    "nb": {
        "missing": "Lageret {path} finnes ikke ennå.",
        "missing_hint": "Hent data med `kostra fetch` eller `kostra import FIL`.",
        "waiting": "En annen kostra-prosess skriver til lageret; venter på den "
        "(inntil {seconds} sekunder) …",
        "summary": "Lager {path}: {size}, skjemaversjon {version}, {vintages} årganger, "
        "{rows} observasjoner.",
        "tables": "Tabeller",
        "vintages": "Årganger (vintages)",
        "empty": "Lageret er tomt.",
        "no_table": "Ingen årganger av tabell {table}.",
        "preliminary_symbol": "F",
        "synthetic_symbol": "S",
        "legend": "F = foreløpige tall, S = syntetiske eksempeltall. "
        "Alle kolonner (hentet, tittel, hash): --format csv eller json.",
    },
    "en": {
        "missing": "The warehouse {path} does not exist yet.",
        "missing_hint": "Get data with `kostra fetch` or `kostra import FILE`.",
        "waiting": "Another kostra process is writing the warehouse; waiting for it "
        "(up to {seconds} seconds) …",
        "summary": "Warehouse {path}: {size}, schema version {version}, {vintages} vintages, "
        "{rows} observations.",
        "tables": "Tables",
        "vintages": "Vintages",
        "empty": "The warehouse is empty.",
        "no_table": "No vintages of table {table}.",
        "preliminary_symbol": "P",
        "synthetic_symbol": "S",
        "legend": "P = preliminary figures, S = synthetic sample figures. "
        "All columns (fetched, title, hash): --format csv or json.",
    },
}
_TABLE_HEADERS = {
    "nb": {
        "table_id": "tabell",
        "title": "tittel",
        "vintages": "årganger",
        "real_vintages": "ekte",
        "observations": "observasjoner",
        "newest_vintage": "nyeste",
        "last_fetched": "sist hentet (UTC)",
    },
    "en": {
        "table_id": "table",
        "title": "title",
        "vintages": "vintages",
        "real_vintages": "real",
        "observations": "observations",
        "newest_vintage": "newest",
        "last_fetched": "last fetched (UTC)",
    },
}
# Short headers for the terminal: 80 columns hold id, table, source, date, rows, flags and label.
_VINTAGE_HEADERS = {
    "nb": {
        "vintage_id": "id",
        "table_id": "tabell",
        "source": "kilde",
        "updated": "oppdatert",
        "n_rows": "rader",
        "flags": "merke",
        "label": "merknad",
    },
    "en": {
        "vintage_id": "id",
        "table_id": "table",
        "source": "source",
        "updated": "updated",
        "n_rows": "rows",
        "flags": "flags",
        "label": "label",
    },
}


def human_size(size: int, lang: str = "nb") -> str:
    """A byte count as people read it: "12,3 MB" in Norwegian, "12.3 MB" in English."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            decimals = 0 if unit == "B" else 1
            return f"{format_number(value, lang, decimals)} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _open(lang: str) -> Warehouse | None:
    path = state.settings.db
    if not path.exists():
        console = Console(stderr=True)
        console.print(_TEXT[lang]["missing"].format(path=path), highlight=False)
        console.print(_TEXT[lang]["missing_hint"], highlight=False)
        return None
    try:
        return Warehouse.open(path, read_only=True)
    except DatabaseBusyError:
        # DuckDB lets no reader in while another process writes: wait for it, bounded, and say
        # so, rather than fail at once (as the busy error's hint says).
        seconds = format_number(READ_WAIT_SECONDS, lang, 0)
        Console(stderr=True).print(_TEXT[lang]["waiting"].format(seconds=seconds), highlight=False)
        return Warehouse.open(path, read_only=True, wait=READ_WAIT_SECONDS)


def _readable_vintages(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The terminal layout of the vintages: short columns, the two flags as one symbol column
    (explained by the table's caption); fetch time, title and hash stay in csv/json."""
    words = _TEXT[lang]

    def symbol(name: str) -> pl.Expr:
        return pl.when(pl.col(name).fill_null(False)).then(pl.lit(words[f"{name}_symbol"]))

    shown = frame.select(
        "vintage_id",
        "table_id",
        "source",
        pl.col("updated").dt.strftime("%Y-%m-%d"),
        "n_rows",
        pl.concat_str(symbol("preliminary"), symbol("synthetic"), separator=" ", ignore_nulls=True)
        .fill_null("")
        .alias("flags"),
        "label",
    )
    return shown.rename(_VINTAGE_HEADERS[lang])


@db_app.command("info")
def info(fmt: FormatOption = OutputFormat.TABLE, output: OutputOption = None) -> None:
    """Show the warehouse file, its size, and the tables and vintages it holds."""
    lang = state.settings.text_lang
    warehouse = _open(lang)
    if warehouse is None:
        return
    with warehouse:
        summary = warehouse.info()
        vintages = warehouse.vintages()
    words = _TEXT[lang]
    caption = words["summary"].format(
        path=summary.path,
        size=human_size(summary.file_size, lang),
        version=summary.schema_version,
        vintages=format_number(summary.n_vintages, lang),
        rows=format_number(summary.n_observations, lang),
    )
    if fmt is not OutputFormat.TABLE:
        tables = summary.tables.with_columns(
            pl.lit(str(summary.path)).alias("file"),
            pl.lit(summary.file_size).alias("file_size"),
        )
        write_frame(tables, fmt, output, title="tables", lang=lang, caption=caption)
        return
    console = Console()
    console.print(caption, highlight=False)
    if summary.n_vintages == 0:
        console.print(words["empty"], highlight=False)
        return
    tables = summary.tables.with_columns(pl.col("last_fetched").dt.strftime("%Y-%m-%d %H:%M"))
    write_frame(tables.rename(_TABLE_HEADERS[lang]), fmt, output, title=words["tables"], lang=lang)
    if output is None:
        write_frame(
            _readable_vintages(vintages, lang),
            fmt,
            None,
            title=words["vintages"],
            lang=lang,
            caption=words["legend"],
        )


@db_app.command("vintages")
def vintages(
    table: Annotated[
        str | None, typer.Option("--table", "-t", help="Only this table (e.g. 07459).")
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """List every stored vintage (one per loaded extract), oldest first."""
    lang = state.settings.text_lang
    warehouse = _open(lang)
    if warehouse is None:
        return
    with warehouse:
        frame = warehouse.vintages(table)
    words = _TEXT[lang]
    if frame.is_empty() and fmt is OutputFormat.TABLE:
        message = words["no_table"].format(table=table) if table else words["empty"]
        Console().print(message, highlight=False)
        return
    if fmt is OutputFormat.TABLE:
        write_frame(
            _readable_vintages(frame, lang),
            fmt,
            output,
            title=words["vintages"],
            lang=lang,
            caption=words["legend"],
        )
    else:
        write_frame(frame, fmt, output, title="vintages", lang=lang)
