"""``kostra municipalities``, ``peers`` and ``population`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from cli_main import run_main
from kostra.api import default_year


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_main(list(argv), capsys)


def test_population_baerum_2019_on_2024_borders(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "population", "Bærum", "--year", "2019")
    assert code == 0
    flat = " ".join(out.split())
    assert "3201" in out
    assert "126\u00a0841" in out  # Norwegian thousands separator
    assert "0219" in flat
    assert "kommunenummer 0219 i 2019" in flat
    assert "folkemengde" in out


def test_population_in_english_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--lang", "en", "population", "baerum", "-y", "2019", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows == [
        {
            "code": "3201",
            "municipality": "Bærum",
            "year": 2019,
            "age group": "total",
            "population": 126841,
        }
    ]
    assert "had municipality code 0219 in 2019" in " ".join(err.split())


def test_population_own_borders_and_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "population",
        "Bærum",
        "-y",
        "2019",
        "-y",
        "2022",
        "--borders",
        "own",
        "-a",
        "total",
        "-a",
        "67+",
        "-f",
        "csv",
    )
    assert code == 0
    frame = pl.read_csv(out.encode(), schema_overrides={"kommunenr": pl.Utf8})
    assert frame["kommunenr"].to_list() == ["0219", "0219", "3024", "3024"]
    assert frame["aldersgruppe"].to_list() == ["i alt", "67+", "i alt", "67+"]


def test_population_merged_unit_names_its_parts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "population", "Kristiansand", "-y", "2015")
    assert code == 0
    flat = " ".join(out.split())
    assert "1001 Kristiansand" in flat
    assert "1018 Søgne" in flat


def test_peers_baerum_lists_asss_members_valid_that_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "peers", "Bærum", "--year", "2019", "-f", "csv")
    assert code == 0
    frame = pl.read_csv(out.encode(), schema_overrides={"kommunenr": pl.Utf8})
    assert frame.height == 10
    assert {"0219", "0301", "1902", "5001"} <= set(frame["kommunenr"].to_list())
    code, out, _ = run(capsys, "peers", "Bærum")
    assert code == 0
    # without --year, the one default year every command uses (the newest with figures)
    assert f"ASSS {default_year()}: 12 kommuner" in out
    for member in ("3201", "3203", "3205", "5501", "0301"):
        assert member in out


def test_peers_other_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "peers", "Bærum", "-y", "2022", "--group", "county", "-f", "csv")
    assert code == 0
    assert len(out.strip().splitlines()) - 1 == 51  # Viken had 51 municipalities
    code, out, err = run(capsys, "peers", "Bærum", "-y", "2026", "--group", "kostra_group")
    assert code == 2  # the packaged grouping stops at 2025; Klass 112 is not cached
    assert "Klass" in err


def test_municipalities(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "kommuner.csv"
    code, _, _ = run(capsys, "municipalities", "--year", "2019", "-f", "csv", "-o", str(target))
    assert code == 0
    frame = pl.read_csv(target, schema_overrides={"kommunenr": pl.Utf8, "fylkesnr": pl.Utf8})
    assert frame.height == 422
    assert frame.columns == ["kommunenr", "kommune", "fylkesnr", "fylke"]
    code, out, _ = run(capsys, "--lang", "en", "municipalities", "--county", "Viken", "-y", "2021")
    assert code == 0
    assert "Bærum" in out
    assert "municipality" in out


def test_unknown_name_exits_2_with_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "population", "Bærumm", "-y", "2019")
    assert code == 2
    assert "Traceback" not in err
    assert "Bærum (3201" in " ".join(err.split())


def test_bad_year_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "municipalities", "--year", "1990")
    assert code == 2
    assert "2005" in err


def test_unwritable_output_is_a_user_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = run(
        capsys, "--lang", "en", "municipalities", "-f", "csv", "-o", str(blocker / "m.csv")
    )
    assert code == 2
    assert "Cannot write" in err
    assert "Choose a folder that exists" in " ".join(err.split())
