"""``kostra profile``, ``kostra costs`` and ``kostra indices``: the ASSS-style analyses.

The commands only; how their results are shown and exported is :mod:`kostra.cli._results`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kostra import api
from kostra.analysis.method import (
    ReadyRatios,
    check_ready_ratios,
)
from kostra.cli._app import app, state
from kostra.cli._options import (
    BordersOption,
    CompareOption,
    ExcludeOsloOption,
    ExcludeSelfOption,
    MunicipalityArgument,
    PeersOption,
    SectorOption,
    YearOption,
    chosen_year,
    parse_borders,
)
from kostra.cli._output import (
    FormatOption,
    OutputFormat,
    OutputOption,
)
from kostra.cli._results import show
from kostra.errors import KostraError, shown
from kostra.i18n.said import say


def _sectors(sector: list[str] | None) -> list[str] | None:
    from kostra.catalog import resolve_sectors

    return resolve_sectors(sector)


def _ready_ratios(choice: str) -> ReadyRatios:
    """``--ready-ratios``: ``simple`` or ``weighted`` (a user error otherwise)."""
    try:
        return check_ready_ratios(choice.strip().lower())
    except ValueError:
        raise KostraError(
            say("error.cli.ready_ratios", choice=shown(choice)),
            hint=say("error.cli.ready_ratios.hint"),
        ) from None


@app.command("profile")
def profile_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    peers: PeersOption = "asss",
    compare: CompareOption = None,
    exclude_oslo: ExcludeOsloOption = False,
    exclude_self: ExcludeSelfOption = False,
    sector: SectorOption = None,
    borders: BordersOption = "year",
    ready_ratios: Annotated[
        str,
        typer.Option(
            "--ready-ratios",
            metavar="simple|weighted",
            help="simple: SSB's ready-made ratios averaged unweighted, marked * (as ASSS); "
            "weighted: weighted by the inhabitants of the age group.",
        ),
    ] = "simple",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Service profile: each key figure against the peer average (index, place, flags)."""
    result = api.profile(
        municipality,
        chosen_year(year),
        peers=peers,
        compare=compare or (),
        exclude_oslo=exclude_oslo,
        include_self=not exclude_self,
        sectors=_sectors(sector),
        borders=parse_borders(borders),
        ready_ratios=_ready_ratios(ready_ratios),
        db=state.settings.db,
    )
    show(result, fmt, output)


@app.command("costs")
def costs_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    peers: PeersOption = "asss",
    need_year: Annotated[
        int | None,
        typer.Option("--need-year", help="Need-index year (default: the year after --year)."),
    ] = None,
    exclude_oslo: ExcludeOsloOption = False,
    exclude_self: ExcludeSelfOption = False,
    borders: BordersOption = "year",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Need-corrected costs per sector and NOK spent more or less than the peers."""
    result = api.costs(
        municipality,
        chosen_year(year),
        peers=peers,
        need_year=need_year,
        include_self=not exclude_self,
        exclude_oslo=exclude_oslo,
        borders=parse_borders(borders),
        db=state.settings.db,
    )
    show(result, fmt, output)


@app.command("indices")
def indices_command(
    municipality: MunicipalityArgument,
    year: YearOption = None,
    peers: PeersOption = "asss",
    reference: Annotated[
        str,
        typer.Option(
            "--reference", metavar="peers|country", help="peers (the peer average) or country."
        ),
    ] = "peers",
    need_year: Annotated[
        int | None,
        typer.Option("--need-year", help="Need-index year (default: the year after --year)."),
    ] = None,
    exclude_oslo: ExcludeOsloOption = False,
    borders: BordersOption = "year",
    fmt: FormatOption = OutputFormat.TABLE,
    output: OutputOption = None,
) -> None:
    """Production, resource and efficiency indices: % over or under the reference average."""
    result = api.indices(
        municipality,
        chosen_year(year),
        peers=peers,
        reference=reference,
        need_year=need_year,
        exclude_oslo=exclude_oslo,
        borders=parse_borders(borders),
        db=state.settings.db,
    )
    show(result, fmt, output)
