"""``kostra report``: the yearly KOSTRA report of a municipality as HTML or PDF."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kostra.cli._app import app, state
from kostra.cli.analysis import BordersOption, _borders
from kostra.errors import KostraError
from kostra.report.batch import slug
from kostra.report.locale import SYNTHETIC_BANNER
from kostra.report.render import ReportFormat, write_report


def _lang(lang: str | None) -> str:
    chosen = lang or state.settings.lang
    if chosen not in ("nb", "en"):
        raise typer.BadParameter("choose 'nb' or 'en'", param_hint="--lang")
    return chosen


@app.command("report")
def report_command(
    municipality: Annotated[
        str | None, typer.Argument(help="Municipality name or code (not with --all).")
    ] = None,
    year: Annotated[
        int, typer.Option("--year", "-y", help="Accounting year of the report.")
    ] = date.today().year - 1,
    peers: Annotated[
        str | None,
        typer.Option(
            "--peers",
            help="Peer group: asss, county, country, country_ex_oslo, kostra_group or a "
            "comma-separated list (default: ASSS for its members, otherwise the county).",
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", help="Also show this municipality (repeatable)."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="nb (default) or en.")] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html (default) or pdf.")
    ] = ReportFormat.HTML,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: <name>-<year>.<format>); with --all a folder.",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="One report per municipality of --group.")
    ] = False,
    group: Annotated[
        str, typer.Option("--group", help="With --all: asss (default), country or a peer kind.")
    ] = "asss",
    map_indicator: Annotated[
        str | None,
        typer.Option("--map", help="Also map this key figure (an id from `kostra catalog`)."),
    ] = None,
    borders: BordersOption = "year",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="With --all: processes (default: the CPUs, at most 4)."
        ),
    ] = None,
) -> None:
    """Write the yearly KOSTRA report (HTML that works offline, or PDF)."""
    from kostra.report import pipeline

    language = _lang(lang)
    console = Console(stderr=True)
    if all_ == (municipality is not None):
        raise KostraError(
            "Name one municipality, or use --all for a whole group.",
            nb="Oppgi én kommune, eller bruk --all for en hel gruppe.",
            hint="`kostra report Bærum --year 2024` or `kostra report --all --group asss`",
            hint_nb="`kostra report Bærum --year 2024` eller `kostra report --all --group asss`",
        )
    with console.status("Beregner tallene …" if language == "nb" else "Computing the figures …"):
        inputs = pipeline.prepare(year, db=state.settings.db, borders=_borders(borders))
    if inputs.data.synthetic:
        console.print(f"[bold red]{SYNTHETIC_BANNER[language]}[/]", highlight=False)
    compare_list = list(compare or [])
    if not all_:
        assert municipality is not None
        data = pipeline.report_data(
            inputs, municipality, peers=peers, compare=compare_list, map_indicator=map_indicator
        )
        target = output or Path(f"{slug(data.municipality.name)}-{year}.{fmt.value}")
        write_report(data, target, fmt=fmt, lang=language)
        console.print(f"{target}", highlight=False)
        return
    _write_all(
        inputs, group, peers, compare_list, fmt, language, output, console, map_indicator, jobs
    )


def _write_all(
    inputs: object,
    group: str,
    peers: str | None,
    compare: list[str],
    fmt: ReportFormat,
    language: str,
    output: Path | None,
    console: Console,
    map_indicator: str | None = None,
    jobs: int | None = None,
) -> None:
    from kostra import api
    from kostra.report import batch, pipeline

    assert isinstance(inputs, pipeline.ReportInputs)
    year = inputs.year
    if group.strip().lower() in ("county", "fylke", "kostra_group", "kostragruppe", "kostra"):
        raise KostraError(
            f"--all --group {group} depends on one municipality.",
            nb=f"--all --group {group} avhenger av én kommune.",
            hint="Use --group asss, country or country_ex_oslo, or a list of names.",
            hint_nb="Bruk --group asss, country eller country_ex_oslo, eller en liste med navn.",
        )
    # the group kinds accepted here do not depend on a municipality; Oslo stands in
    name, members = api.peers_on_borders(group, year, "0301", borders=inputs.borders)
    folder = output or Path(f"kostra-rapporter-{year}")
    started = time.perf_counter()
    work = batch.Batch(
        year=year,
        db=state.settings.db,
        folder=folder,
        fmt=fmt.value,
        lang=language,
        peers=peers,
        compare=tuple(compare),
        map_indicator=map_indicator,
        settings=inputs.settings,
    )
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

        outcome = batch.write_reports(
            inputs,
            work,
            members,
            jobs=batch.jobs_for(len(members), fmt.value, jobs),
            names=lambda code: inputs.names.get(code, code),
            progress=advance,
        )
    failures = outcome.failures
    seconds = time.perf_counter() - started
    done = len(members) - len(failures)
    words = "rapporter i" if language == "nb" else "reports in"
    console.print(f"{done} {words} {folder} ({seconds:.0f} s)", highlight=False)
    if failures:
        raise KostraError(
            f"{len(failures)} reports could not be written.",
            nb=f"{len(failures)} rapporter kunne ikke skrives.",
            hint="\n".join(failures),
            hint_nb="\n".join(failures),
        )
