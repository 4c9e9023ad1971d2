"""``kostra slides``: the council deck (an editable PowerPoint file) of a municipality's year.

The same arguments and defaults as ``kostra report`` (peers, ``--compare``, ``--lang``,
``--all --group``); the figures come from the same ``prepare``/``report_data``.
"""

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
from kostra.cli.report import _lang, slug
from kostra.errors import KostraError
from kostra.report.locale import SYNTHETIC_BANNER


def write_deck(
    data: object, output: Path, *, lang: str, template: Path | None, with_map: bool = True
) -> Path:
    """Build the deck of ``data`` and write it atomically to ``output``."""
    from kostra.report.render import _atomic_write_bytes
    from kostra.slides.build import deck_pptx

    content = deck_pptx(data, lang, template=template, with_map=with_map)
    _atomic_write_bytes(output, content)
    return output


@app.command("slides")
def slides_command(
    municipality: Annotated[
        str | None, typer.Argument(help="Municipality name or code (not with --all).")
    ] = None,
    year: Annotated[
        int, typer.Option("--year", "-y", help="Accounting year of the deck.")
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
        typer.Option("--compare", help="Also compare with this municipality (repeatable)."),
    ] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="nb (default) or en.")] = None,
    template: Annotated[
        Path | None,
        typer.Option("--template", help="A .pptx whose master and layouts the deck uses."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: <name>-<year>.pptx); with --all a folder.",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="One deck per municipality of --group.")
    ] = False,
    group: Annotated[
        str, typer.Option("--group", help="With --all: asss (default), country or a peer kind.")
    ] = "asss",
    with_map: Annotated[
        bool, typer.Option("--map/--no-map", help="Draw the barometer map (a picture).")
    ] = True,
    borders: BordersOption = "year",
) -> None:
    """Write the council deck: KOSTRA and the Kommunebarometer, one slide per sector."""
    from kostra import api
    from kostra.report import pipeline

    language = _lang(lang)
    console = Console(stderr=True)
    if all_ == (municipality is not None):
        raise KostraError(
            "Name one municipality, or use --all for a whole group.",
            nb="Oppgi én kommune, eller bruk --all for en hel gruppe.",
            hint="kostra slides Bærum --year 2024   or   kostra slides --all --group asss",
            hint_nb="kostra slides Bærum --year 2024   eller   kostra slides --all --group asss",
        )
    if template is not None and not template.is_file():
        raise KostraError(
            f"No template file {template}.",
            nb=f"Finner ikke malfilen {template}.",
            hint="Give an existing .pptx file.",
            hint_nb="Oppgi en .pptx-fil som finnes.",
        )
    with console.status("Beregner tallene …" if language == "nb" else "Computing the figures …"):
        inputs = pipeline.prepare(year, db=state.settings.db, borders=_borders(borders))
    if inputs.data.synthetic:
        console.print(f"[bold red]{SYNTHETIC_BANNER[language]}[/]", highlight=False)
    compare_list = list(compare or [])
    if not all_:
        assert municipality is not None
        data = pipeline.report_data(inputs, municipality, peers=peers, compare=compare_list)
        target = output or Path(f"{slug(data.municipality.name)}-{year}.pptx")
        write_deck(data, target, lang=language, template=template, with_map=with_map)
        console.print(f"{target}", highlight=False)
        return
    if group.strip().lower() in ("county", "fylke", "kostra_group", "kostragruppe", "kostra"):
        raise KostraError(
            f"--all --group {group} depends on one municipality.",
            nb=f"--all --group {group} avhenger av én kommune.",
            hint="Use --group asss, country or country_ex_oslo, or a list of names.",
            hint_nb="Bruk --group asss, country eller country_ex_oslo, eller en liste med navn.",
        )
    name, members = api.peers_on_borders(group, year, "0301", borders=inputs.borders)
    folder = output or Path(f"kostra-presentasjoner-{year}")
    failures: list[str] = []
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(name, total=len(members))
        for code in members:
            label = inputs.names.get(code, code)
            progress.update(task, description=f"{name}: {label}")
            try:
                data = pipeline.report_data(inputs, code, peers=peers, compare=compare_list)
                target = folder / f"{slug(data.municipality.name)}-{year}.pptx"
                write_deck(data, target, lang=language, template=template, with_map=with_map)
            except KostraError as error:
                failures.append(f"{label} ({code}): {error.message}")
            progress.advance(task)
    done = len(members) - len(failures)
    words = "presentasjoner i" if language == "nb" else "decks in"
    seconds = time.perf_counter() - started
    console.print(f"{done} {words} {folder} ({seconds:.0f} s)", highlight=False)
    if failures:
        raise KostraError(
            f"{len(failures)} decks could not be written.",
            nb=f"{len(failures)} presentasjoner kunne ikke skrives.",
            hint="\n".join(failures),
            hint_nb="\n".join(failures),
        )
