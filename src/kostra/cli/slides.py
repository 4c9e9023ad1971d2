"""``kostra slides``: the council deck (an editable PowerPoint file) of a municipality's year.

The same arguments and defaults as ``kostra report`` (peers, ``--compare``, ``--lang``,
``--all --group``); the figures come from the same ``prepare``/``report_data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from kostra.cli._app import app
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
from kostra.cli.report import _lang, document_lang, prepare, write_each, write_for_group
from kostra.errors import KostraError
from kostra.i18n import N_
from kostra.i18n.said import say
from kostra.report.batch import slug

if TYPE_CHECKING:
    from kostra.report.model import ReportData


def write_deck(
    data: ReportData, output: Path, *, lang: str, template: Path | None, with_map: bool = True
) -> Path:
    """Build the deck of ``data`` and write it atomically to ``output``."""
    from kostra.report.render import _atomic_write_bytes
    from kostra.slides.build import deck_pptx

    content = deck_pptx(data, lang, template=template, with_map=with_map)
    _atomic_write_bytes(output, content)
    return output


@app.command("slides")
def slides_command(
    municipality: ReportMunicipalityArgument = None,
    year: YearOption = None,
    peers: ReportPeersOption = None,
    compare: CompareOption = None,
    lang: LangOption = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", metavar="FILE", help="A .pptx whose master and layouts the deck uses."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="File to write (default: NAME-YEAR.pptx); with --all a folder.",
        ),
    ] = None,
    all_: AllOption = False,
    group: WriteGroupOption = "asss",
    with_map: Annotated[
        bool, typer.Option("--map/--no-map", help="Draw the barometer map (a picture).")
    ] = True,
    borders: BordersOption = "year",
) -> None:
    """Write the council deck: KOSTRA and the Kommunebarometer, one slide per sector."""
    from kostra.report import pipeline

    language = _lang(lang)
    console = Console(stderr=True)
    if all_ == (municipality is not None):
        raise KostraError(
            say("error.cli.report.one_or_all"), hint=say("error.cli.slides.one_or_all.hint")
        )
    if template is not None and not template.is_file():
        raise KostraError(
            say("error.cli.slides.template", template=str(template)),
            hint=say("error.cli.slides.template.hint"),
        )
    year = year if year is not None else chosen_year(None)
    inputs = prepare(year, language, console, parse_borders(borders))
    compare_list = list(compare or [])

    def write(data: ReportData, target: Path | None) -> Path:
        target = target or Path(f"{slug(data.municipality.name)}-{year}.pptx")
        doc_lang = document_lang(data.municipality.code, lang)
        return write_deck(data, target, lang=doc_lang, template=template, with_map=with_map)

    if not all_:
        assert municipality is not None
        data = pipeline.report_data(inputs, municipality, peers=peers, compare=compare_list)
        console.print(f"{write(data, output)}", highlight=False)
        return
    folder = output or Path(f"kostra-presentasjoner-{year}")

    def write_one(code: str) -> Path:
        data = pipeline.report_data(inputs, code, peers=peers, compare=compare_list)
        return write(data, folder / f"{slug(data.municipality.name)}-{year}.pptx")

    write_for_group(
        inputs,
        group,
        folder,
        lambda members, advance: write_each(
            members, advance, write_one, lambda code: inputs.names.get(code, code)
        ),
        console,
        done_key=N_("cli.slides.done"),
        failed_key=N_("cli.slides.failed"),
        lang=language,
    )
