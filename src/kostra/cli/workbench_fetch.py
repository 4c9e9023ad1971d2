"""``kostra fetch --classifications``: SSB's KOSTRA grouping (Klass 112) into the Klass cache.

The analyses read the cached answers offline through :mod:`kostra.geography.kostra_groups`;
a year Klass has no grouping for is reported and the other years are still fetched.
"""

from __future__ import annotations

from rich.console import Console

from kostra.cli._app import state
from kostra.cli._output import in_lang
from kostra.errors import KostraError, SourceError
from kostra.sources.klass import KlassClient

#: First year of KOSTRA figures the analyses read (the grouping of earlier years is not used).
FIRST_YEAR = 2015


def _client() -> KlassClient:
    """The Klass client of the user's settings (tests substitute a transport here)."""
    return KlassClient(state.settings)


def fetch_classifications(years: str | None, tables_given: bool) -> None:
    """Fetch and cache Klass 112 for each of ``years`` (default: 2015 to the newest year)."""
    from kostra.cli.fetch import parse_years
    from kostra.geography import _data
    from kostra.geography.kostra_groups import clear_cache

    if tables_given:
        raise KostraError(
            in_lang(
                "--classifications henter SSBs klassifikasjoner, ikke tabeller.",
                "--classifications fetches SSB's classifications, not tables.",
            ),
            hint=in_lang(
                "Kjør `kostra fetch --classifications` og tabellene hver for seg.",
                "Run `kostra fetch --classifications` and the tables separately.",
            ),
        )
    wanted = parse_years(years) if years else list(range(FIRST_YEAR, _data.LAST_YEAR + 1))
    console = Console(stderr=True, highlight=False)
    client = _client()
    found = 0
    for year in wanted:
        try:
            frame = client.kostra_groups(year, refresh=True)
        except SourceError as error:
            if "(404" not in error.message:
                raise  # unreachable or a broken answer: every other year would fail the same way
            console.print(
                in_lang(
                    f"{year}: Klass har ingen KOSTRA-gruppering for 1. januar {year}.",
                    f"{year}: Klass has no KOSTRA grouping for 1 January {year}.",
                )
            )
            continue
        found += 1
        groups = frame["kostra_group"].n_unique()
        console.print(
            in_lang(
                f"{year}: {frame.height} kommuner i {groups} KOSTRA-grupper (Klass 112) lagret "
                "i mellomlageret.",
                f"{year}: {frame.height} municipalities in {groups} KOSTRA groups (Klass 112) "
                "stored in the cache.",
            )
        )
    clear_cache()
    if not found:
        raise SourceError(
            in_lang(
                "Klass hadde ingen KOSTRA-gruppering for årene som ble bedt om.",
                "Klass had no KOSTRA grouping for the years asked for.",
            ),
            hint=in_lang(
                "For 2020–2025 bruker kostra SSBs gruppering fra 2020, som følger med pakken.",
                "For 2020–2025 kostra uses SSB's 2020 grouping, shipped with the package.",
            ),
        )
