"""The Typer application and the options every command shares."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kostra.cli._errors import KostraGroup, check_csv_style, check_lang

if TYPE_CHECKING:
    from kostra.exports import CsvStyle
    from kostra.settings import Settings


class LazyGroup(TyperGroup):
    """The root ``kostra`` group: lists every command of :data:`kostra.cli.COMMANDS` without
    importing it, and imports a command's module(s) only when that command is looked up to run
    (or to show its own help). The root help is click's plain layout, which needs neither the
    command modules nor Rich."""

    def _table(self) -> dict[str, tuple[tuple[str, ...], str]]:
        from kostra.cli import COMMANDS

        return COMMANDS

    def list_commands(self, ctx: Any) -> list[str]:
        """The table's commands in its order, then any other registered one."""
        names = list(self._table())
        return names + [name for name in super().list_commands(ctx) if name not in names]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command, its module(s) imported and registered on ``app`` first if need be."""
        loaded: set[str] = self.__dict__.setdefault("_loaded", set())
        entry = self._table().get(cmd_name)
        if entry is not None and cmd_name not in loaded:
            for module in entry[0]:
                importlib.import_module(module)
            # The group Typer builds from ``app`` now holds the command with all its
            # subcommands (a sub-Typer such as ``db`` may get them from several modules).
            command = typer.main.get_group(app).commands.get(cmd_name)
            if command is not None:
                readable_help(command, ctx)
                self.commands[cmd_name] = command
            loaded.add(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """click's plain help (TyperGroup's Rich panels would load Rich and every command)."""
        super(TyperGroup, self).format_help(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands and their short help from the table, not from the loaded modules."""
        from typer._click.utils import make_default_short_help

        table = self._table()
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = []
        for name in names:
            if name in table:
                rows.append((name, make_default_short_help(table[name][1], limit)))
            elif (command := self.commands.get(name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def readable_help(command: Any, ctx: Any) -> None:
    """Give ``command`` (and a group's subcommands) help a person reads at once.

    Typer's help shows a type for every option: ``<bool>`` beside a flag, which takes no
    value, and ``<str>``/``<list[str]>`` beside the others. A flag (``--help`` too) gets no
    metavar; an option without its own gets its name in capitals, as argparse and click do
    (``--need-year NEED-YEAR``); an option with fixed choices keeps them (``<table|csv|…>``).
    """
    params = list(command.params)
    help_option = command.get_help_option(ctx)
    if help_option is not None:
        params.append(help_option)
    for param in params:
        if param.param_type_name != "option" or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
        elif param.name and not getattr(param.type_descriptor, "is_choice", False):
            param.metavar = param.name.upper().replace("_", "-")
    for sub in getattr(command, "commands", {}).values():
        readable_help(sub, ctx)


class RootGroup(LazyGroup, KostraGroup):
    """The root ``kostra`` group: commands loaded lazily (:class:`LazyGroup`), user errors
    printed by the one rule (:class:`kostra.cli._errors.KostraGroup`)."""


app = typer.Typer(
    name="kostra",
    cls=RootGroup,
    help="KOSTRA benchmarking: fetch SSB's figures, compare municipalities, write reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The local warehouse of fetched tables.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class State:
    """Options given before the command name, shared by every command.

    The settings are read when first used, not at import: pydantic-settings alone costs more
    than the rest of ``kostra --help``."""

    _settings: Settings | None = None
    #: ``--csv-style`` (or ``$KOSTRA_CSV_STYLE``); ``None``: the language's default
    csv_style: CsvStyle | None = None

    @property
    def settings(self) -> Settings:
        """The settings of this run (the environment's, with the global options applied)."""
        if self._settings is None:
            from kostra.settings import Settings

            self._settings = Settings()
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value


state = State()


@app.callback()
def _global_options(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", metavar="FILE", help="Warehouse file (default: user data dir, or $KOSTRA_DB)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="nb|nn|en",
            help="Output language: nb, nn or en (default: $KOSTRA_LANG, else the locale's, "
            "else nb); before or after the command name. Reports are written in nynorsk for a "
            "nynorsk municipality unless chosen otherwise; error messages are in bokmål for nn.",
        ),
    ] = None,
    csv_style: Annotated[
        str | None,
        typer.Option(
            "--csv-style",
            metavar="excel|plain",
            help="CSV for Excel (';', decimal comma, byte-order mark; the default in nb) or "
            "plain (',', decimal point; the default in en), or $KOSTRA_CSV_STYLE; before or "
            "after the command name.",
        ),
    ] = None,
) -> None:
    from kostra.settings import Settings

    settings = Settings()
    updates: dict[str, object] = {}
    if db is not None:
        updates["db"] = db
    if lang is not None:
        updates["lang"] = check_lang(lang, "--lang")
    else:
        check_lang(settings.lang, "KOSTRA_LANG")
    state.settings = settings.model_copy(update=updates)
    state.csv_style = check_csv_style(csv_style)
