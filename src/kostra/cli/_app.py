"""The Typer application and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kostra.settings import Settings

app = typer.Typer(
    name="kostra",
    help="KOSTRA benchmarking: fetch SSB's figures, compare municipalities, write reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The local warehouse of fetched tables.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class State:
    """Options given before the command name, shared by every command."""

    settings: Settings = Settings()


state = State()


@app.callback()
def _global_options(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Warehouse file (default: user data dir, or $KOSTRA_DB)."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Output language: nb (default) or en.")
    ] = None,
) -> None:
    settings = Settings()
    updates: dict[str, object] = {}
    if db is not None:
        updates["db"] = db
    if lang is not None:
        if lang not in ("nb", "en"):
            raise typer.BadParameter("choose 'nb' or 'en'", param_hint="--lang")
        updates["lang"] = lang
    state.settings = settings.model_copy(update=updates)
