"""``kostra fetch --classifications``: SSB's KOSTRA grouping (Klass 112) into the Klass cache.

The analyses read the cached answers offline through :mod:`kostra.geography.kostra_groups`;
a year Klass has no grouping for is reported and the other years are still fetched.
"""

from __future__ import annotations

from rich.console import Console

from kostra.cli._app import state
from kostra.errors import KostraError, SourceError
from kostra.i18n import text
from kostra.i18n.said import say
from kostra.sources.klass import KlassClient, KlassNotFoundError

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
            say("error.cli.classifications.tables"),
            hint=say("error.cli.classifications.tables.hint"),
        )
    wanted = parse_years(years) if years else list(range(FIRST_YEAR, _data.LAST_YEAR + 1))
    console = Console(stderr=True, highlight=False)
    lang = state.settings.text_lang
    client = _client()
    found = 0
    for year in wanted:
        try:
            frame = client.kostra_groups(year, refresh=True)
        except KlassNotFoundError:
            # other failures (unreachable, a broken answer) propagate: every year would fail
            console.print(text("cli.classifications.none_for_year", lang, year=year))
            continue
        found += 1
        groups = frame["kostra_group"].n_unique()
        console.print(
            text("cli.classifications.stored", lang, year=year, n=frame.height, groups=groups)
        )
    clear_cache()
    if not found:
        raise SourceError(
            say("error.cli.classifications.none"),
            hint=say("error.cli.classifications.none.hint"),
        )
