"""``kostra report``: the yearly KOSTRA report of a municipality as HTML or PDF."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kostra.cli._app import app, state
from kostra.cli._options import (
    AllOption,
    BordersOption,
    CompareOption,
    LangOption,
    ReportMunicipalityArgument,
    ReportPeersOption,
    WriteGroupOption,
    YearOption,
    chosen_year,
    parse_borders,
)
from kostra.errors import KostraError
from kostra.i18n import N_, number, plural, text
from kostra.i18n.said import Said, same, say, say_plural
from kostra.report.batch import keep_out_of_collection, slug
from kostra.report.locale import SYNTHETIC_BANNER
from kostra.report.printing import start_chart_process
from kostra.report.render import ReportFormat, write_report

if TYPE_CHECKING:
    from kostra.api import BordersChoice
    from kostra.report.model import ReportData
    from kostra.report.pipeline import ReportInputs


def _lang(lang: str | None) -> str:
    from kostra.settings import LANGS

    chosen = lang or state.settings.lang
    if chosen not in LANGS:
        words = text("error.cli.report.lang", state.settings.text_lang)
        raise typer.BadParameter(words, param_hint="--lang")
    return chosen


def document_lang(code: str, lang: str | None) -> str:
    """The language of the document about ``code``: the user's choice (``--lang`` or
    ``KOSTRA_LANG``), else nynorsk for a nynorsk municipality, else the default
    (:func:`kostra.i18n.choice.document_lang`)."""
    from kostra.i18n.choice import document_lang as choose

    chosen = lang or (state.settings.lang if state.settings.lang_chosen else None)
    return choose(code, chosen, state.settings.lang)


@app.command("report")
def report_command(
    municipality: ReportMunicipalityArgument = None,
    year: YearOption = None,
    peers: ReportPeersOption = None,
    compare: CompareOption = None,
    lang: LangOption = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html (default) or pdf.")
    ] = ReportFormat.HTML,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write (default: NAME-YEAR.FORMAT); with --all a folder.",
        ),
    ] = None,
    all_: AllOption = False,
    group: WriteGroupOption = "asss",
    map_indicator: Annotated[
        str | None,
        typer.Option(
            "--map", metavar="ID", help="Also map this key figure (an id from `kostra catalog`)."
        ),
    ] = None,
    borders: BordersOption = "year",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="With --all: processes (default: the CPUs, at most 4).",
        ),
    ] = None,
) -> None:
    """Write the yearly KOSTRA report (HTML that works offline, or PDF)."""
    from kostra.report import pipeline

    language = _lang(lang)
    console = Console(stderr=True)
    if all_ == (municipality is not None):
        raise KostraError(
            say("error.cli.report.one_or_all"), hint=say("error.cli.report.one_or_all.hint")
        )
    year = year if year is not None else chosen_year(None)
    if fmt is ReportFormat.PDF and not all_:
        # its charts are converted by a second process from now on, beside the year's reading
        start_chart_process()
    inputs = prepare(year, language, console, parse_borders(borders))
    compare_list = list(compare or [])

    def write(data: ReportData, target: Path | None) -> Path:
        target = target or Path(f"{slug(data.municipality.name)}-{year}.{fmt.value}")
        write_report(data, target, fmt=fmt, lang=document_lang(data.municipality.code, lang))
        return target

    if not all_:
        assert municipality is not None
        data = pipeline.report_data(
            inputs, municipality, peers=peers, compare=compare_list, map_indicator=map_indicator
        )
        console.print(f"{write(data, output)}", highlight=False)
        return
    folder = output or Path(f"kostra-rapporter-{year}")
    from kostra.report import batch

    work = batch.Batch(
        year=year,
        db=state.settings.db,
        folder=folder,
        fmt=fmt.value,
        lang=language,
        peers=peers,
        compare=tuple(compare_list),
        map_indicator=map_indicator,
        settings=inputs.settings,
    )

    def write_all(members: list[str], advance: Callable[[str], None]) -> list[str]:
        # several processes share the work (kostra.report.batch)
        outcome = batch.write_reports(
            inputs,
            work,
            members,
            jobs=batch.jobs_for(len(members), fmt.value, jobs),
            names=lambda code: inputs.names.get(code, code),
            progress=advance,
        )
        return list(outcome.failures)

    write_for_group(
        inputs,
        group,
        folder,
        write_all,
        console,
        done_key=N_("cli.report.done"),
        failed_key=N_("cli.report.failed"),
        lang=language,
    )


def prepare(
    year: int, language: str, console: Console, borders: BordersChoice = "year"
) -> ReportInputs:
    """The year's figures for every report or deck of the run on ``borders``: read from the
    computed year beside the warehouse when it is current, otherwise computed (said while
    computing) and stored there for the next run; and the sample banner on stderr when they
    are synthetic."""
    from kostra.results.year_inputs import year_inputs

    with console.status(text("cli.report.computing", language)):
        inputs = year_inputs(state.settings.db, year, borders=borders)
    keep_out_of_collection()
    if inputs.data.synthetic:
        console.print(f"[bold red]{SYNTHETIC_BANNER[language]}[/]", highlight=False)
    return inputs


def write_for_group(
    inputs: ReportInputs,
    group: str,
    folder: Path,
    write_all: Callable[[list[str], Callable[[str], None]], list[str]],
    console: Console,
    *,
    done_key: str,
    failed_key: str,
    lang: str,
) -> None:
    """``--all``: one file per municipality of ``group`` into ``folder``, written by
    ``write_all(members, advance)`` (which calls ``advance(code)`` after each and returns the
    failures) under a progress bar; failures are listed at the end (a user error), the others
    are written."""
    from kostra import api

    year = inputs.year
    if group.strip().lower() in ("county", "fylke", "kostra_group", "kostragruppe", "kostra"):
        raise KostraError(
            say("error.cli.report.group", group=group), hint=say("error.cli.report.group.hint")
        )
    # the progress bar's module loads only for a batch (a single report has none)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    # the group kinds accepted here do not depend on a municipality; Oslo stands in
    name, members = api.peers_on_borders(group, year, "0301", borders=inputs.borders)
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(name, total=len(members))

        def advance(code: str) -> None:
            progress.update(task, description=f"{name}: {inputs.names.get(code, code)}")
            progress.advance(task)

        failures = write_all(list(members), advance)
    seconds = time.perf_counter() - started
    done = len(members) - len(failures)
    said = plural(done_key, done, lang, folder=folder, seconds=f"{seconds:.0f}")
    console.print(said, highlight=False)
    if failures:
        count = len(failures)
        listed = same("\n".join(failures))
        raise KostraError(
            say_plural(failed_key, count, Said.each(lambda lang: number(count, lang))),
            hint=listed,
        )


def write_each(
    members: list[str],
    advance: Callable[[str], None],
    write: Callable[[str], object],
    names: Callable[[str], str],
) -> list[str]:
    """Write one municipality after the other in this process (``write(code)``); the
    failures as "name (code): message"."""
    failures = []
    for code in members:
        try:
            write(code)
        except KostraError as error:
            failures.append(f"{names(code)} ({code}): {error.text(state.settings.text_lang)}")
        advance(code)
    return failures
