"""After ``kostra fetch`` and ``kostra import``: compute the year the reports read, under a
progress bar, so the first report after new data is as fast as every later one.

The year is the one ``kostra report`` uses without ``--year`` (:func:`kostra.api.default_year`),
on its own borders with the report's default settings; it is stored in the computed-year store
beside the warehouse (:func:`kostra.results.year_inputs.year_inputs`), keyed by the warehouse's
content, so the stored year of the data before the load is no longer read. ``KOSTRA_COMPUTE_YEAR=0``
(or ``--no-compute``) leaves it to the first report.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kostra.cli._app import state
from kostra.errors import KostraError
from kostra.i18n import Words

_TEXT = Words(
    "cli.computed",
    ("title", "load", "evaluate", "barometer", "map", "store", "done", "failed"),
)


def compute_year(console: Console, *, show_progress: bool = True) -> int | None:
    """Compute and store the default year's report inputs for the warehouse's current content
    (nothing when they are stored already); the year, or ``None`` when nothing was computed.
    A failure is said in one line and does not fail the load that came before."""
    settings = state.settings
    if not settings.compute_year:
        return None
    from kostra import api
    from kostra.report.pipeline import PREPARE_STEPS
    from kostra.results.year_inputs import stored, year_inputs

    text = _TEXT[settings.text_lang]
    year: int | None = None
    try:
        year = api.default_year(db=settings.db)
        if stored(settings.db, year):
            return None
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not show_progress,
        ) as progress:
            title = text["title"].format(year=year)
            task = progress.add_task(
                f"{title}: {text[PREPARE_STEPS[0]]}", total=len(PREPARE_STEPS) + 1
            )
            following = [*PREPARE_STEPS[1:], "store"]

            def advance(step: str) -> None:
                after = following[min(PREPARE_STEPS.index(step), len(following) - 1)]
                progress.update(task, advance=1, description=f"{title}: {text[after]}")

            year_inputs(settings.db, year, progress=advance)
            progress.update(task, advance=1)
    except KostraError as error:
        message = error.text(settings.text_lang)
        console.print(text["failed"].format(year=year or "", message=message), highlight=False)
        return None
    console.print(text["done"].format(year=year), highlight=False)
    return year
