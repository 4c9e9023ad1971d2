"""The ``kostra`` command line. Each area registers its commands in its own module.

A command's module (and the libraries it needs) is imported only when that command runs, so
``kostra --help`` starts at once: :data:`COMMANDS` names every top-level command, the
module(s) that register it on ``app`` and its one-line help, and the root group
(:class:`kostra.cli._app.LazyGroup`) loads a module when its command is invoked.

**To add a command:** write it in its module with ``@app.command("name")`` (or a sub-Typer
added with ``app.add_typer``) as before, and add one line to :data:`COMMANDS`. A test checks
that the table and the registered commands agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kostra.cli import _app as _registry

if TYPE_CHECKING:
    import typer

__all__ = ["COMMANDS", "app", "load_all", "main"]

#: Every top-level command: name -> (modules that register it, short help for ``--help``).
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "profile": (
        ("kostra.cli.analysis",),
        "Service profile: each key figure against the peer average (index, place, flags).",
    ),
    "costs": (
        ("kostra.cli.analysis",),
        "Need-corrected costs per sector and NOK spent more or less than the peers.",
    ),
    "indices": (
        ("kostra.cli.analysis",),
        "Production, resource and efficiency indices: % over or under the reference average.",
    ),
    "fetch": (
        ("kostra.cli.fetch",),
        "Fetch SSB tables into the warehouse; a table is stored only once all of it arrived.",
    ),
    "municipalities": (
        ("kostra.cli.geography",),
        "List the municipalities valid on 1 January of a year, with their counties.",
    ),
    "peers": (
        ("kostra.cli.geography",),
        "List the peer group of a municipality, with the codes valid that year.",
    ),
    "population": (
        ("kostra.cli.geography",),
        "Population on 1 January of a municipality, on fixed borders or those of each year.",
    ),
    "import": (
        ("kostra.cli.importing",),
        "Import files downloaded from SSB's statbank into the warehouse, one vintage per file.",
    ),
    "report": (
        ("kostra.cli.report",),
        "Write the yearly KOSTRA report (HTML that works offline, or PDF).",
    ),
    "serve": (
        ("kostra.cli.serve",),
        "Start the web dashboard: overview, sectors, ranking, comparison and map of every "
        "municipality, with a JSON API under /api/.",
    ),
    "slides": (
        ("kostra.cli.slides",),
        "Write the council deck: KOSTRA and the Kommunebarometer, one slide per sector.",
    ),
    "nokkeltall": (
        ("kostra.cli.workbench",),
        "SSB's KOSTRA view: the municipality beside its KOSTRA group, county, country and the "
        "country without Oslo.",
    ),
    "similar": (
        ("kostra.cli.workbench",),
        "The municipalities most similar in structure: size, age, growth, density, centrality, "
        "KOSTRA group, expenditure need, ROBEK.",
    ),
    "fakta": (
        ("kostra.cli.workbench",),
        "The municipality at a glance: population and age structure, area and density, the "
        "expenditure-need index, the headline finances",
    ),
    "db": (("kostra.cli.db",), "The local warehouse of fetched tables."),
    "barometer": (
        ("kostra.cli.barometer",),
        "Ranking by the Kommunebarometer method (own calculation), per sector and in total.",
    ),
    "catalog": (
        ("kostra.cli.catalog", "kostra.cli.catalog_verify"),
        "The indicator catalog: list its key figures, or verify its codes against SSB.",
    ),
}


def load_all() -> None:
    """Import every command module, registering every command on the Typer app."""
    import importlib

    for modules, _ in COMMANDS.values():
        for module in modules:
            importlib.import_module(module)


def __getattr__(name: str) -> Any:
    # ``kostra.cli.app`` (tests, CliRunner) is the whole application: every command loaded.
    if name == "app":
        load_all()
        app: typer.Typer = _registry.app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kostra`` command; user errors are printed by the app's one error
    handler (:class:`kostra.cli._errors.KostraGroup`): a message, a hint, exit code 2."""
    import sys

    # non-standalone: a successful command returns here (tests call main directly); an error
    # has already been printed and exited with its code
    result = _registry.app(args=argv, prog_name="kostra", standalone_mode=False)
    if isinstance(result, int) and not isinstance(result, bool) and result:
        sys.exit(result)
