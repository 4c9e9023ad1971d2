"""Writing a result frame the way the user asked: a Rich table, CSV, JSON, XLSX or Parquet."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from kostra import i18n
from kostra.errors import KostraError
from kostra.exports import CsvStyle, csv_bytes, default_csv_style, safe_cells, xlsx_bytes
from kostra.i18n.said import say

__all__ = ["safe_cells"]  # re-exported: the one formula-escaping rule (kostra.exports)


class OutputFormat(StrEnum):
    """Formats a command can write."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    XLSX = "xlsx"
    PARQUET = "parquet"


_BINARY = {OutputFormat.XLSX, OutputFormat.PARQUET}

#: The ``--format``/``-f`` and ``--output``/``-o`` options every listing command takes.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table, csv, json, xlsx or parquet. CSV opens right in Norwegian Excel (';', "
        "decimal comma); `--csv-style plain` writes ',' and decimal points.",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of the terminal."),
]


def format_number(value: object, lang: str = "nb", decimals: int | None = None) -> str:
    """A number as :func:`kostra.i18n.number` prints it; empty when missing."""
    return i18n.number(value, lang, decimals, missing="")


def format_signed(value: object, lang: str = "nb", decimals: int | None = None) -> str:
    """A change with its sign as :func:`kostra.i18n.signed` prints it; empty when missing."""
    return i18n.signed(value, lang, decimals, missing="")


#: Terminal width for a table written to a file with ``-o`` (no terminal to measure).
FILE_WIDTH = 120


@dataclass(frozen=True)
class Column:
    """A column of a terminal table: a number column (right-aligned, never broken inside a
    number) or a ``text`` column that wraps its words to fit the terminal; ``left`` aligns a
    short word column (a unit) to the left."""

    header: str
    text: bool = False
    left: bool = False


@dataclass(frozen=True)
class Section:
    """One table of a terminal report: an optional heading, rows of ready-formatted cells,
    and note lines printed under it (caveats, footnotes)."""

    heading: str | None
    columns: Sequence[Column]
    rows: Sequence[Sequence[str]]
    notes: Sequence[str] = field(default=())


def print_sections(
    sections: Sequence[Section],
    *,
    title: str,
    banner: str | None = None,
    preamble: Sequence[str] = (),
    footer: Sequence[str] = (),
    output: Path | None = None,
) -> None:
    """Print tables for a person to read at 80–120 columns, or write them as text to ``output``.

    A sample-data ``banner`` goes above the title and again under the tables, so that neither the
    top nor the bottom of a long listing can be read without it.
    """
    if output is None:
        console = Console(highlight=False)
    else:
        console = Console(file=io.StringIO(), width=FILE_WIDTH, highlight=False)
    if banner:
        console.print(Text(f"⚠ {banner.upper()}", style="bold red"))
    console.print(Text(title, style="bold"))
    for line in preamble:
        console.print(line)
    for section in sections:
        console.print()
        table = Table(
            title=section.heading,
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
            collapse_padding=True,
        )
        for column in section.columns:
            if column.text:
                table.add_column(column.header, justify="left", overflow="fold", min_width=12)
            else:
                # Rich breaks lines at no-break spaces too: a number must not wrap at all.
                table.add_column(
                    column.header, justify="left" if column.left else "right", no_wrap=True
                )
        for row in section.rows:
            # Text, not markup: a "[id]" or a name with brackets is printed as it is.
            table.add_row(*(Text(cell) for cell in row))
        console.print(table)
        for note in section.notes:
            console.print(Text(note, style="dim"))
    if footer or banner:
        console.print()
    for line in footer:
        console.print(line)
    if banner:
        console.print(Text(f"⚠ {banner}", style="bold red"))
    if output is not None:
        _atomic_write_text(output, console.file.getvalue())  # type: ignore[attr-defined]


def write_frame(
    frame: pl.DataFrame,
    fmt: OutputFormat,
    output: Path | None = None,
    *,
    title: str | None = None,
    lang: str = "nb",
    caption: str | None = None,
) -> None:
    """Write ``frame`` in ``fmt`` to ``output`` (stdout when None); a table goes to the terminal."""
    if fmt in _BINARY and output is None:
        raise binary_needs_file(fmt.value)
    if fmt is OutputFormat.TABLE:
        # Light rules and wrapped (not cut) text read best at 80 columns; numbers never wrap.
        table = Table(title=title, caption=caption, box=box.SIMPLE_HEAD, title_justify="left")
        for name in frame.columns:
            if frame.schema[name].is_numeric():
                table.add_column(name, justify="right", no_wrap=True)
            else:
                table.add_column(name, justify="left", overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*(Text(format_number(v, lang)) for v in row))
        if output is None:
            Console().print(table)
        else:
            console = Console(file=io.StringIO(), width=200)
            console.print(table)
            _atomic_write_text(output, console.file.getvalue())  # type: ignore[attr-defined]
        return
    if fmt is OutputFormat.CSV:
        style = csv_style(lang)
        data = csv_bytes(frame, style)
        if output is None:
            # a terminal or a pipe gets no byte-order mark; a file (-o) does, for Excel
            sys.stdout.write(data.decode("utf-8").removeprefix("\ufeff"))
            if caption:
                Console(stderr=True).print(caption)
        else:
            _atomic_write(output, lambda path: path.write_bytes(data))
        return
    if fmt is OutputFormat.JSON:
        text = frame.write_json()
    elif fmt is OutputFormat.XLSX:
        assert output is not None
        content = xlsx_bytes([(title or "kostra", frame)])
        _atomic_write(output, lambda path: path.write_bytes(content))
        return
    else:
        assert output is not None
        _atomic_write(output, lambda path: frame.write_parquet(path))
        return
    if output is None:
        sys.stdout.write(text)
        if caption:
            Console(stderr=True).print(caption)
    else:
        _atomic_write_text(output, text)


def csv_style(lang: str) -> CsvStyle:
    """The CSV style of this run: ``--csv-style`` (or ``$KOSTRA_CSV_STYLE``), else the
    language's default (Excel's in Norwegian, plain in English)."""
    from kostra.cli._app import state

    return state.csv_style or default_csv_style(lang)


def _atomic_write_text(output: Path, text: str) -> None:
    _atomic_write(output, lambda path: path.write_text(text, encoding="utf-8"))


def binary_needs_file(fmt: str) -> KostraError:
    """The error for a binary ``--format`` without ``-o FILE``."""
    return KostraError(
        say("error.cli.output.binary", fmt=fmt), hint=say("error.cli.output.binary.hint")
    )


def _atomic_write(output: Path, write: object) -> None:
    """Write to a temporary file beside ``output`` , then rename: no half-written file.

    A file that cannot be written (no such folder, no permission, a folder's name) is a user
    error with a hint, not a traceback.
    """
    output = Path(output)
    if output.is_dir():
        raise KostraError(
            say("error.cli.output.folder", output=str(output)),
            hint=say("error.cli.output.folder.hint"),
        )
    temporary = output.with_name(f".{output.name}.partial")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)  # type: ignore[operator]
        temporary.replace(output)
    except OSError as error:
        raise _unwritable(output, error) from error
    except Exception as error:
        # xlsxwriter wraps the OSError of a file it cannot create in its own exception
        if type(error).__name__ != "FileCreateError":
            raise
        raise _unwritable(output, error) from error
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _unwritable(output: Path, error: Exception) -> KostraError:
    reason = getattr(error, "strerror", None) or str(error)
    return KostraError(
        say("error.cli.output.unwritable", output=str(output), reason=reason),
        hint=say("error.cli.output.unwritable.hint"),
    )
