"""Real data (issue 10.6 and 10.3): the statbank download of 13502, imported unchanged, gives
``kostra profile Bærum --year 2018 --sector barnehage`` the real value and an ASSS average over
the 2018 members on 2018 borders (Stavanger 81.7 as SSB published it, not 81.25 as on 2024
borders with Finnøy and Rennesøy)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from kostra.cli import main
from kostra.geography.peers import asss_members
from real_13502 import INDICATOR, REAL_13502, published_by_region


@pytest.fixture
def imported(
    shared_dir: Path, tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    path = shared_dir / REAL_13502
    if not path.is_file():
        pytest.skip(f"{REAL_13502} is not in ../shared")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")
    main(["import", str(path)])
    return path


def _profile_rows(capsys: pytest.CaptureFixture[str], *extra: str) -> pl.DataFrame:
    """The profile's rows of the indicator, as JSON: unrounded (spreadsheet exports round a
    per cent figure to one decimal, as SSB publishes it)."""
    capsys.readouterr()
    main(["profile", "Bærum", "--year", "2018", "--sector", "barnehage", "-f", "json", *extra])
    frame = pl.DataFrame(json.loads(capsys.readouterr().out), infer_schema_length=None)
    return frame.filter(pl.col("id") == INDICATOR)


def test_profile_2018_shows_the_real_value_and_the_2018_asss_average(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = published_by_region(imported, 2018)
    members = asss_members(2018)
    rows = _profile_rows(capsys)
    assert set(rows["kommunenr"].to_list()) == set(members)  # 2018 codes and members
    assert rows["kommunegrenser"].unique().to_list() == [2018]
    by_code = {r["kommunenr"]: r for r in rows.iter_rows(named=True)}
    for code in members:
        assert by_code[code]["verdi"] == pytest.approx(published[code]), code
    assert by_code["0219"]["rolle"] == "kommunen"
    assert by_code["1103"]["verdi"] == pytest.approx(81.7)  # Stavanger as SSB published it
    # SSB's ready ratio: the ASSS average is the simple mean over the 2018 members, marked *
    mean = sum(published[code] for code in members) / len(members)
    assert by_code["0219"]["snitt"] == pytest.approx(mean)
    assert by_code["0219"]["enkelt snitt (*)"] is True

    main(["profile", "Bærum", "--year", "2018", "--sector", "barnehage"])
    table = capsys.readouterr().out
    line = next(x for x in table.splitlines() if x.startswith("Andel barn 1–2 år"))
    assert "87,6" in line  # Bærum's real 2018 figure
    assert f"{mean:.1f}".replace(".", ",") + "*" in line
    assert "kommunegrenser og sammenligningskommuner fra 2018" in " ".join(table.split())


def test_newest_borders_merge_stavanger_and_say_so(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _profile_rows(capsys, "--borders", "newest")
    by_code = {r["kommunenr"]: r for r in rows.iter_rows(named=True)}
    assert "3201" in by_code  # Bærum on 2024 borders
    assert rows["kommunegrenser"].unique().to_list() == [2024]
    # Finnøy and Rennesøy joined Stavanger in 2020: on 2024 borders the 2018 figure is theirs too
    assert by_code["1103"]["verdi"] == pytest.approx(81.25, abs=0.01)
