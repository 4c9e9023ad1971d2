"""CLI conventions (issue #14.5): one default year said in the output, one name per option
across commands (old spellings kept, hidden, with a note), help without ``<bool>``, and every
``kostra …`` command of the README parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from typer._click.exceptions import UsageError
from typer.testing import CliRunner

from kostra import api
from kostra.cli import COMMANDS, app
from kostra.cli._errors import hoist_lang
from kostra.frames import OBSERVATION_SCHEMA
from kostra.warehouse import VintageInfo, Warehouse

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _run(*argv: str) -> Any:
    return runner.invoke(app, list(argv))


# -- every README command parses ----------------------------------------------------------------


def _readme_commands() -> list[str]:
    """Every ``kostra …`` command line in the README's shell blocks (comments dropped, a
    line joined with ``&&`` split)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and words[0] == "kostra":
                    found.append(shlex.join(words))
    return found


def _parse(argv: list[str]) -> None:
    """Parse ``kostra argv`` down to its command as the CLI would, without running it: an
    unknown command or option, or a value of the wrong type, raises click's usage error."""
    command: Any = typer.main.get_command(app)
    ctx = command.make_context("kostra", hoist_lang(argv))
    while hasattr(command, "commands"):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            return
        name, command, args = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, args, parent=ctx)


README_COMMANDS = _readme_commands()


def test_the_readme_shows_every_everyday_command() -> None:
    heads = {shlex.split(c)[1] for c in README_COMMANDS}
    for name in ("report", "profile", "barometer", "serve", "fetch", "import"):
        assert name in heads
    assert any(" -f xlsx " in f" {c} " for c in README_COMMANDS)  # the export section
    # the first lines stay the two commands for a fresh machine
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[3].startswith("python -m pip install -e . && kostra report Bærum")
    assert lines[4] == "./scripts/test"


@pytest.mark.parametrize("line", README_COMMANDS)
def test_every_readme_command_parses(line: str) -> None:
    _parse(shlex.split(line)[1:])


@pytest.mark.parametrize(
    "argv",
    [
        ["profile", "Bærum", "--no-such-option"],
        ["profile", "Bærum", "--year", "abc"],
        ["nosuch"],
        ["barometer", "explain"],  # the municipality is missing
    ],
)
def test_the_parse_check_catches_a_wrong_command(argv: list[str]) -> None:
    with pytest.raises(UsageError):  # NoSuchOption, BadParameter, MissingParameter
        _parse(argv)


# -- readable help ------------------------------------------------------------------------------


def _leaf_commands() -> list[list[str]]:
    paths: list[list[str]] = []
    root: Any = typer.main.get_command(app)
    ctx = root.make_context("kostra", ["profile"])
    for name in COMMANDS:
        command = root.get_command(ctx, name)
        paths.append([name])
        paths += [[name, sub] for sub in getattr(command, "commands", {})]
    return paths


@pytest.mark.parametrize("path", _leaf_commands(), ids=" ".join)
def test_help_shows_no_python_types(path: list[str]) -> None:
    result = _run(*path, "--help")
    assert result.exit_code == 0, result.output
    for shown in ("<bool>", "<str>]", "<int>", "<list[str]>", "<path>"):
        # arguments keep Typer's type column; options have a readable metavar or none
        options = result.output.split("Options", 1)[-1]
        assert shown not in options, (path, shown)


def test_a_flag_has_no_metavar_and_an_option_its_name() -> None:
    text = _run("profile", "--help").output
    assert re.search(r"--exclude-oslo\s+Leave Oslo", text)
    assert re.search(r"--year\s+-y\s+YEAR", text)
    assert re.search(r"--peers\s+-p\s+GROUP", text)


# -- one name per option ------------------------------------------------------------------------


def _options(path: list[str]) -> dict[str, set[str]]:
    """Option name -> its spellings (long and short) of the command at ``path``."""
    root: Any = typer.main.get_command(app)
    ctx = root.make_context("kostra", ["profile"])
    command: Any = root
    for name in path:
        command = command.get_command(ctx, name)
    return {
        p.opts[0]: set(p.opts)
        for p in command.params
        if p.param_type_name == "option" and not p.hidden
    }


@pytest.mark.parametrize(
    "path",
    [
        ["profile"],
        ["costs"],
        ["indices"],
        ["nokkeltall"],
        ["similar"],
        ["report"],
        ["slides"],
        ["barometer"],
        ["barometer", "explain"],
        ["municipalities"],
        ["peers"],
    ],
    ids=" ".join,
)
def test_shared_options_have_one_spelling(path: list[str]) -> None:
    spellings = {
        "--year": {"--year", "-y"},
        "--peers": {"--peers", "-p"},
        "--compare": {"--compare", "-c"},
        "--sector": {"--sector", "-s"},
        "--format": {"--format", "-f"},
        "--output": {"--output", "-o"},
        "--exclude-oslo": {"--exclude-oslo"},
        "--borders": {"--borders"},
    }
    options = _options(path)
    for name, wanted in spellings.items():
        if name in options:
            assert options[name] == wanted, (path, name)
    assert "--group" not in options or path[0] in ("report", "slides")  # --all --group


def test_the_old_peers_spelling_still_works_and_says_the_new_one() -> None:
    old = _run("peers", "Bærum", "--year", "2024", "--group", "county", "-f", "csv")
    new = _run("peers", "Bærum", "--year", "2024", "--peers", "county", "-f", "csv")
    assert old.exit_code == new.exit_code == 0, old.output
    assert old.stdout == new.stdout
    assert "Akershus" in new.stdout
    assert "--group heter nå --peers" in old.stderr
    assert "--group" not in _run("peers", "--help").output  # hidden


# -- one default year, said ---------------------------------------------------------------------


def _real_warehouse(path: Path, year: int) -> None:
    frame = pl.DataFrame(
        {
            "table_id": ["12134"],
            "contents_code": ["KOSAG110000"],
            "region": ["0301"],  # Oslo: the same code in every year
            "year": [year],
            "dims": [""],
            "value": [51000.0],
            "status": [None],
        },
        schema=OBSERVATION_SCHEMA,
    )
    with Warehouse.open(path) as warehouse:
        warehouse.load(frame, VintageInfo(source="file", table_id="12134"))


def test_the_default_year_is_the_newest_with_real_figures(tmp_path: Path) -> None:
    empty = tmp_path / "none.duckdb"
    sample_newest = api.years_with_data(db=empty)[-1]
    assert api.default_year(db=empty) == sample_newest
    real = tmp_path / "real.duckdb"
    _real_warehouse(real, 2021)
    # the sample has newer years, but real figures win: no made-up default
    assert sample_newest > 2021
    assert api.default_year(db=real) == 2021
    assert api.newest_year([2020, 2025], [2019, 2021]) == 2021
    assert api.newest_year([2020, 2025]) == 2025
    assert api.newest_year([]) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["municipalities", "-f", "csv"],
        ["peers", "Bærum", "-f", "csv"],
        ["profile", "Bærum", "-s", "barnehage", "-f", "csv"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_command_without_year_says_which_it_used(argv: list[str], tmp_db: Path) -> None:
    _real_warehouse(tmp_db, 2023)
    result = _run(*argv)
    assert result.exit_code == 0, result.output
    assert "År: 2023 (det nyeste året med tall" in result.stderr
    assert "År:" not in result.stdout  # a CSV on stdout stays clean
    given = _run(*argv, "--year", "2023")
    assert "År:" not in given.stderr
    assert given.stdout == result.stdout


def test_a_failed_command_prints_only_its_error(tmp_db: Path) -> None:
    result = _run("profile", "Bærumm")
    assert result.exit_code == 2
    assert result.stderr.startswith("Feil: ")
    assert "År:" not in result.stderr
