"""The lazy command line (issue 12.5): ``kostra --help`` imports no command module, and the
static command table agrees with the commands the modules register."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import typer

from kostra.cli import COMMANDS, load_all, main


def _help_text(command: object) -> str:
    return " ".join(str(getattr(command, "help", "") or "").split())


def test_the_table_names_every_registered_command_with_its_own_help() -> None:
    import kostra.cli._app as registry

    load_all()
    registered = typer.main.get_group(registry.app).commands
    assert set(COMMANDS) == set(registered)
    for name, (_, short) in COMMANDS.items():
        real = _help_text(registered[name])
        assert real.startswith(" ".join(short.split()).rstrip(".")), name


def test_help_imports_no_command_module_nor_their_libraries() -> None:
    script = textwrap.dedent(
        """
        import sys
        from kostra.cli import main
        try:
            main(["--help"])
        except SystemExit:
            pass
        shared = ("kostra.cli._app", "kostra.cli._errors")  # the app and its error handler
        heavy = [m for m in sys.modules if m.startswith("kostra.cli.") and m not in shared]
        heavy += [m for m in ("polars", "duckdb", "rich", "pydantic", "kostra.settings")
                  if m in sys.modules]
        print("LOADED", heavy)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "LOADED []" in out
    for name in COMMANDS:
        assert f"  {name} " in out


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_still_answers_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = 0
    try:
        main([name, "--help"])  # help returns, or exits 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    assert code == 0
    out = capsys.readouterr().out
    assert "Usage" in out
    assert name in out


def test_global_options_before_a_lazily_loaded_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["--lang", "en", "municipalities", "--year", "2024", "--format", "csv"])
    out = capsys.readouterr().out
    assert out.startswith("code,municipality,county code,county")
    with pytest.raises(SystemExit) as stop:
        main(["no-such-command"])
    assert stop.value.code == 2
