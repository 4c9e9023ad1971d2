"""Real and sample data side by side (issues 10.6 and 10.7): with SSB's statbank download of
13502 imported unchanged, ``kostra report Bærum --year 2020`` runs, uses the real figure and
marks it as SSB's, and still labels every figure from the sample as sample data; exports carry
the same origin per figure, and totals that mix the two say so."""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl
import pytest

from kostra.cli import main
from kostra.report.pipeline import prepare, report_data
from real_13502 import INDICATOR, REAL_13502, published_by_region

BAERUM_2020 = "3024"  # Bærum's code in 2020


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


def _published(path: Path, year: int, code: str) -> float:
    return published_by_region(path, year)[code]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_report_2020_uses_the_real_figure_and_marks_every_figure(
    imported: Path, tmp_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "baerum.html"
    main(["report", "Bærum", "--year", "2020", "-o", str(out)])
    text = _text(out.read_text(encoding="utf-8"))
    # the data-status line is true: mixed, naming the real table, never "Reviderte tall" alone
    assert "Blandet: SSB-tall fra tabell 13502; eksempeldata (syntetiske tall) for resten" in text
    assert "hvert tall er merket «SSB»" in text

    data = report_data(prepare(2020, db=tmp_db), "Bærum")
    assert data.vintage.origin == "mixed"
    assert data.vintage.real_tables == ("13502",)
    row = data.profile_row(INDICATOR)
    assert row is not None
    assert row.value == pytest.approx(_published(imported, 2020, BAERUM_2020))
    assert data.origin(INDICATOR) == "real"
    others = [r.indicator_id for r in data.profile if r.indicator_id != INDICATOR]
    assert others
    assert all(data.origin(i) == "sample" for i in others if data.origin(i))
    # the barnehage sector holds both kinds of key figures, but its costs and indices read
    # none of the real ones: they, and the totals over them, are sample data throughout
    assert data.sector_origins["barnehage"] == "mixed"
    assert data.cost_origins["barnehage"] == "sample"
    assert data.index_origins["barnehage"] == "sample"
    assert not data.cost_total_mixed
    assert not data.index_total_mixed
    assert "Totalen blander SSB-tall og eksempeldata." not in text
    cost_row = re.search(r'<tr id="need-barnehage">.*?</tr>', out.read_text(encoding="utf-8"), re.S)
    assert cost_row is not None
    assert "[eksempeldata]" in cost_row.group(0)
    # the real figure's row is marked as SSB's, a sample figure's as sample data
    page = out.read_text(encoding="utf-8")
    real_row = re.search(rf'<tr id="ind-{INDICATOR}">.*?</tr>', page, re.S)
    assert real_row is not None
    assert "[SSB]" in real_row.group(0)
    sample_row = re.search(rf'<tr id="ind-{others[0]}">.*?</tr>', page, re.S)
    assert sample_row is not None
    assert "[eksempeldata]" in sample_row.group(0)


def test_profile_export_names_each_figures_origin(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["profile", "Bærum", "--year", "2020", "--sector", "barnehage", "-f", "csv"])
    frame = pl.read_csv(io.StringIO(capsys.readouterr().out), infer_schema=False)
    origin = dict(zip(frame["id"].to_list(), frame["datagrunnlag"].to_list(), strict=True))
    assert origin[INDICATOR] == "SSB"
    assert {v for k, v in origin.items() if k != INDICATOR} == {"eksempeldata"}


def test_web_facts_download_says_each_rows_origin(imported: Path, tmp_db: Path) -> None:
    # packaged SSB figures (population, age shares, area, need index) are SSB's; the sample's
    # finances are sample data; the download says so row by row, not one blanket mark
    from fastapi.testclient import TestClient

    from kostra.web import WebData, create_app

    client = TestClient(create_app(web=WebData(tmp_db, resamples=0)))
    answer = client.get("/api/kommune/0301/fakta?ar=2023&format=csv")
    assert answer.status_code == 200, answer.text
    table = pl.read_csv(
        io.BytesIO(answer.content), separator=";", infer_schema=False, encoding="utf8-lossy"
    )
    origin = next(c for c in table.columns if c.startswith("datagrunnlag"))
    by_figure = dict(zip(table[table.columns[0]], table[origin], strict=True))
    assert by_figure["population"] == "SSB"
    assert by_figure["area_km2"] == "SSB"
    packaged = {"population", "growth", "area_km2", "density", "need_index"}
    finances = [v for k, v in by_figure.items() if k not in packaged and not k.startswith("share_")]
    assert finances
    assert set(finances) <= {"eksempeldata", "blandet"}
    assert all(not c.startswith("datagrunnlag") or c == origin for c in table.columns)


def test_profile_table_marks_the_sample_figures_beside_the_real_one(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["profile", "Bærum", "--year", "2020", "--sector", "barnehage"])
    out = capsys.readouterr().out
    # not "all sample": the banner says the figures are mixed, and the legend explains the mark
    assert "DELVIS EKSEMPELDATA" in out
    assert "EKSEMPELDATA (SYNTETISKE TALL)" not in out
    assert "E eksempeldata (syntetisk tall)" in out
    assert "Tall uten E er SSBs" in out
    lines = out.splitlines()
    real = next(i for i, line in enumerate(lines) if line.startswith("Andel barn 1–2 år"))
    assert not re.search(r"\sE$", lines[real])
    sample = next(i for i, line in enumerate(lines) if line.startswith("Netto driftsutgifter"))
    assert re.search(r"\sE$", lines[sample])


def test_profile_export_says_per_row_whether_it_is_synthetic(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(
        ["profile", "Bærum", "--year", "2020", "--sector", "barnehage", "-f", "csv", "--lang", "en"]
    )
    frame = pl.read_csv(io.StringIO(capsys.readouterr().out), infer_schema=False)
    synthetic = dict(zip(frame["id"].to_list(), frame["synthetic"].to_list(), strict=True))
    assert synthetic[INDICATOR] == "false"
    assert {v for k, v in synthetic.items() if k != INDICATOR} == {"true"}


def test_costs_read_no_real_figure_so_the_table_is_all_sample(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    main(["costs", "Bærum", "--year", "2020"])
    out = capsys.readouterr().out
    assert "EKSEMPELDATA (SYNTETISKE TALL)" in out
    assert "Tall uten E er SSBs" not in out
