"""``kostra catalog verify``: every catalog table id and code checked against SSB's metadata."""

from __future__ import annotations

from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from kostra.catalog import load_catalog
from kostra.catalog.verify import PROBLEM_STATUSES, describe, verify_catalog
from kostra.cli._app import state
from kostra.cli._output import FormatOption, OutputFormat, OutputOption, write_frame
from kostra.cli.catalog import catalog_app
from kostra.errors import SourceError
from kostra.i18n import Words
from kostra.sources._ssb.metadata import TableMetadata, parse_metadata
from kostra.sources.labels import fetched_from, read_cached_metadata, same_api

_TEXT = Words(
    "cli.verify",
    (
        "title",
        "summary",
        "offline",
        "none",
        "foreign",
        "exit",
    ),
)


class _Metadata:
    """Live metadata while the server answers, the fetch cache's copy after it stops."""

    def __init__(self, base_url: str | None, *, offline: bool) -> None:
        from kostra.sources.ssb import SsbClient

        self.settings = state.settings
        self.client = None if offline else SsbClient(base_url, settings=self.settings)
        self.url = self.client.base_url if self.client else (base_url or self.settings.base_url)
        self.unreachable = offline
        #: tables whose kept metadata came from another API than ``url``
        self.foreign: list[str] = []

    def __call__(self, table_id: str) -> tuple[TableMetadata | None, str]:
        from kostra.sources.ssb import SsbRequestError, SsbUnreachableError

        if self.client is not None and not self.unreachable:
            try:
                return self.client.metadata(table_id), "live"
            except SsbRequestError as error:
                if error.status == 404:
                    return None, "missing"
                raise
            except SsbUnreachableError:
                self.unreachable = True
        document = read_cached_metadata(self.settings.cache_dir, table_id)
        if document is None:
            return None, "none"
        source = fetched_from(document)
        if source is None or not same_api(source, self.url):
            # kept from another API (a local server, a mirror) or without saying which:
            # it cannot confirm a code for this one
            self.foreign.append(table_id)
            return None, "other_api"
        try:
            return parse_metadata(document, table_id), "cache"
        except SourceError:
            return None, "none"

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


@catalog_app.command("verify")
def verify_command(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="PxWebApi 2.0 base URL (default: SSB's, or $KOSTRA_BASE_URL)."
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Use only metadata kept by earlier fetches; no network."),
    ] = False,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Show every code, not only the wrong ones.")
    ] = False,
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Check every catalog table id, ContentsCode and dimension value against SSB's metadata.

    Live where the server answers, else from the metadata earlier fetches kept. Files
    (--format csv/json/xlsx/parquet, -o FILE) hold every code with its status; the terminal
    shows the wrong and renamed ones with SSB's closest labels. Exits 1 when a code is wrong.
    """
    lang = state.settings.text_lang
    text = _TEXT.get(lang, _TEXT["nb"])
    source = _Metadata(base_url, offline=offline)
    try:
        report = verify_catalog(load_catalog(), source)
    finally:
        source.close()
    problems = report.filter(pl.col("status").is_in(sorted(PROBLEM_STATUSES)))
    unchecked = report.filter(pl.col("status") == "unchecked")
    summary = text["summary"].format(
        n=report.height,
        tables=report["table_id"].n_unique(),
        ok=report.filter(pl.col("status") == "ok").height,
        problems=problems.height,
        unchecked=unchecked.height,
    )
    console = Console(stderr=True)
    if source.unreachable and not offline:
        console.print(text["offline"].format(url=source.url), highlight=False)
    if source.foreign:
        message = text["foreign"].format(url=source.url, tables=", ".join(source.foreign))
        console.print(message, highlight=False)
    if unchecked.height == report.height:
        console.print(text["none"], highlight=False)
    if fmt is OutputFormat.TABLE:
        shown = report if all_rows else problems
        lines = [describe(row, lang) for row in shown.iter_rows(named=True)]
        target = Console(file=output.open("w", encoding="utf-8")) if output else Console()
        target.print(f"[bold]{text['title']}[/]", highlight=False)
        for line in lines:
            target.print(f"  {line}", highlight=False, soft_wrap=True)
        target.print(summary, highlight=False)
        if output:
            target.file.close()
    else:
        write_frame(report, fmt, output, title=text["title"], lang=lang, caption=summary)
        console.print(summary, highlight=False)
    if problems.height:
        console.print(text["exit"], highlight=False)
        raise SystemExit(1)


__all__ = ["verify_command"]
