"""``kostra db info`` and ``kostra db vintages``: what the local warehouse holds."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.cli._app import db_app, state
from kostra.cli._output import FormatOption, OutputFormat, OutputOption, format_number, write_frame
from kostra.errors import DatabaseBusyError
from kostra.i18n import Words
from kostra.warehouse import Warehouse

READ_WAIT_SECONDS = 30.0
"""How long ``db info`` and ``db vintages`` wait for a writer (a fetch or import) to finish."""

_TEXT = Words(
    "cli.db",
    (
        "missing",
        "missing_hint",
        "waiting",
        "summary",
        "tables",
        "vintages",
        "empty",
        "no_table",
        "preliminary_symbol",
        "synthetic_symbol",
        "legend",
    ),
)
_TABLE_HEADERS = Words(
    "cli.db.col",
    (
        "table_id",
        "title",
        "vintages",
        "real_vintages",
        "observations",
        "newest_vintage",
        "last_fetched",
    ),
)
# Short headers for the terminal: 80 columns hold id, table, source, date, rows, flags and label.
_VINTAGE_HEADERS = Words(
    "cli.db.vintage_col",
    (
        "vintage_id",
        "table_id",
        "source",
        "updated",
        "n_rows",
        "flags",
        "label",
    ),
)


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
