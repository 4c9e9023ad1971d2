"""The options several commands share, defined once: one name, short form and help each.

Every command that takes a year, a municipality, a peer group, municipalities to show beside,
sectors, borders or the Oslo choice takes them from here, so ``--peers`` means the same and is
spelled the same in ``profile``, ``report``, ``slides``, ``barometer`` and ``peers``.

**The year.** Without ``--year`` every command uses :func:`kostra.api.default_year` (the newest
year with SSB's figures in the warehouse, else the sample's newest) and says so on stderr
(:func:`chosen_year`), so a CSV on stdout stays clean.

**Renamed options** keep their old spelling as a hidden option (:func:`deprecated`) that still
works and says which name to use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from kostra.errors import KostraError, shown

if TYPE_CHECKING:
    from kostra.api import BordersChoice

__all__ = [
    "AllOption",
    "BordersOption",
    "CompareOption",
    "ExcludeOsloOption",
    "ExcludeSelfOption",
    "LangOption",
    "MunicipalityArgument",
    "PeersOption",
    "ReportMunicipalityArgument",
    "ReportPeersOption",
    "SectorOption",
    "WriteGroupOption",
    "YearOption",
    "chosen_year",
    "deprecated",
    "deprecated_option",
    "parse_borders",
    "say_default_year",
]

#: What ``--peers`` accepts, in every command's help.
PEER_CHOICES = "asss, county, kostra_group, similar, country, country_ex_oslo, or a comma list"

MunicipalityArgument = Annotated[
    str,
    typer.Argument(metavar="MUNICIPALITY", help="Municipality name or code, e.g. Bærum or 3201."),
]
ReportMunicipalityArgument = Annotated[
    str | None,
    typer.Argument(metavar="MUNICIPALITY", help="Municipality name or code (not with --all)."),
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        "-y",
        metavar="YEAR",
        help="Year of the figures (default: the newest year with figures; the output says which).",
    ),
]
PeersOption = Annotated[
    str,
    typer.Option("--peers", "-p", metavar="GROUP", help=f"Peer group: {PEER_CHOICES} of names."),
]
ReportPeersOption = Annotated[
    str | None,
    typer.Option(
        "--peers",
        "-p",
        metavar="GROUP",
        help=f"Peer group: {PEER_CHOICES} of names (default: ASSS for its members, otherwise "
        "the county).",
    ),
]
CompareOption = Annotated[
    list[str] | None,
    typer.Option(
        "--compare",
        "-c",
        metavar="NAME",
        help="Also show this municipality, outside the average (repeatable).",
    ),
]
SectorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help="Only this sector, e.g. skole or pleie (repeatable).",
    ),
]
BordersOption = Annotated[
    str,
    typer.Option(
        "--borders",
        metavar="year|newest",
        help="year: the year's own municipality borders and peer members (as SSB and ASSS "
        "publish); newest: harmonised to today's borders (for time series).",
    ),
]
ExcludeOsloOption = Annotated[
    bool, typer.Option("--exclude-oslo", help="Leave Oslo out of the peer average.")
]
ExcludeSelfOption = Annotated[
    bool,
    typer.Option(
        "--exclude-self", help="Leave the municipality out of the average (the other members')."
    ),
]
ComputeOption = Annotated[
    bool,
    typer.Option(
        "--compute/--no-compute",
        help="Then compute the newest year for the reports (default; KOSTRA_COMPUTE_YEAR).",
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", metavar="nb|en", help="nb (default, or $KOSTRA_LANG) or en."),
]
AllOption = Annotated[
    bool, typer.Option("--all", help="One file per municipality of --group, in a folder.")
]
WriteGroupOption = Annotated[
    str,
    typer.Option(
        "--group",
        metavar="GROUP",
        help="With --all: the municipalities to write for: asss (default), country, "
        "country_ex_oslo or a comma list of names.",
    ),
]

T = TypeVar("T")


def deprecated(old: str, new: str, value: T | None, current: T) -> T:
    """``current``, or the value given with the old spelling ``old`` of option ``new`` (said
    on stderr: the old name still works, for now)."""
    if value is None:
        return current
    from rich.console import Console

    from kostra.cli._app import state
    from kostra.i18n import text

    lang = state.settings.text_lang
    Console(stderr=True, highlight=False).print(
        text("cli.deprecated_option", lang, old=old, new=new)
    )
    return value


def deprecated_option(old: str, *short: str) -> Any:
    """A hidden option under the old name ``old`` (and short forms): see :func:`deprecated`."""
    return typer.Option(old, *short, hidden=True)


def chosen_year(year: int | None, *, quiet: bool = False) -> int:
    """``year`` if there are figures for it (a user error naming the years that have some
    otherwise); without one the default year, said on stderr unless ``quiet``."""
    from kostra import api
    from kostra.cli._app import state

    if year is not None:
        return api.require_year(year, db=state.settings.db)
    chosen = api.default_year(db=state.settings.db)
    if not quiet:
        say_default_year(chosen)
    return chosen


def say_default_year(year: int) -> None:
    """Say on stderr, once the command has succeeded, the year used because none was given."""
    from kostra.cli._app import state
    from kostra.cli._errors import note_after_success
    from kostra.i18n import text

    note_after_success(text("cli.default_year", state.settings.text_lang, year=year))


def parse_borders(choice: str) -> BordersChoice:
    """``--borders``: ``year`` or ``newest`` (a user error otherwise)."""
    chosen = choice.strip().lower()
    if chosen == "year":
        return "year"
    if chosen == "newest":
        return "newest"
    from kostra.i18n.said import say

    raise KostraError(
        say("error.cli.borders", choice=shown(choice)), hint=say("error.cli.borders.hint")
    )
