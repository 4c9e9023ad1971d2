"""The ``kostra`` command line. Each area registers its commands in its own module."""

from __future__ import annotations

import sys

from rich.console import Console

# Importing a command module registers its commands on ``app``; one line per area.
from kostra.cli import analysis as _analysis  # noqa: F401
from kostra.cli import barometer as _barometer  # noqa: F401
from kostra.cli import catalog as _catalog  # noqa: F401
from kostra.cli import catalog_verify as _catalog_verify  # noqa: F401
from kostra.cli import db as _db  # noqa: F401
from kostra.cli import fetch as _fetch  # noqa: F401
from kostra.cli import geography as _geography  # noqa: F401
from kostra.cli import importing as _importing  # noqa: F401
from kostra.cli import report as _report  # noqa: F401
from kostra.cli import serve as _serve  # noqa: F401
from kostra.cli import slides as _slides  # noqa: F401
from kostra.cli import workbench as _workbench  # noqa: F401
from kostra.cli._app import app
from kostra.errors import KostraError

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kostra`` command: user errors print a message, no traceback."""
    try:
        app(args=argv, standalone_mode=False)
    except KostraError as error:
        console = Console(stderr=True)
        console.print(f"[bold red]Error:[/] {error.message}", highlight=False)
        if error.hint:
            console.print(error.hint, highlight=False)
        sys.exit(2)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        Console(stderr=True).print("Interrupted; nothing half-written was kept.")
        sys.exit(130)
    except Exception as error:  # click's usage errors arrive here in non-standalone mode
        import click
        import typer

        # Typer ≥ 0.20 raises the errors of its own vendored copy of click, not click's.
        typer_click = getattr(typer, "_click", click)
        if isinstance(error, click.exceptions.Abort | typer.Abort):
            sys.exit(1)
        if isinstance(error, click.ClickException | typer_click.exceptions.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise
