"""``kostra report`` end to end on the packaged sample (no warehouse, no network)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kostra.cli import main
from kostra.report import render
from kostra.report.locale import SYNTHETIC_BANNER


@pytest.fixture(autouse=True)
def _isolated(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No warehouse (the sample is used); the Vega bundle cache in a temporary folder."""
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    render.javascript_bundle.cache_clear()


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_report_for_a_named_municipality(tmp_path: Path) -> None:
    assert _run("report", "Bærum", "--year", "2024") == 0
    out = tmp_path / "baerum-2024.html"
    page = out.read_text(encoding="utf-8")
    assert SYNTHETIC_BANNER["nb"] in page
    assert "<h1>Bærum</h1>" in page
    assert "ASSS" in page
    assert not list(tmp_path.glob(".*.partial"))


def test_report_in_english_with_compare(tmp_path: Path) -> None:
    out = tmp_path / "x" / "utsira.html"
    code = _run(
        "report", "Utsira", "--year", "2023", "--compare", "Bærum", "--lang", "en", "-o", str(out)
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert SYNTHETIC_BANNER["en"] in page
    assert "Also compared with" in page
    assert re.search(r"<dd>Bærum</dd>", page)


def test_unknown_municipality_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("report", "Bærumm", "--year", "2024") == 2
    err = capsys.readouterr().err
    assert "Bærum" in err  # a suggestion, no traceback
    assert "Traceback" not in err


def test_municipality_or_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("report", "--year", "2024") == 2
    assert "--all" in capsys.readouterr().err


def test_all_reports_of_a_group(tmp_path: Path) -> None:
    assert _run("report", "--all", "--group", "asss", "--year", "2024", "-o", "out") == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(files) == 12
    assert "baerum-2024.html" in files
    assert "tromso-2024.html" in files


@pytest.mark.slow
def test_pdf_report(tmp_path: Path) -> None:
    assert _run("report", "Sunnfjord", "--year", "2024", "--format", "pdf") == 0
    assert (tmp_path / "sunnfjord-2024.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_report_from_a_warehouse_lists_its_tables(tmp_db: Path, tmp_path: Path) -> None:
    from kostra.sample import load_sample
    from kostra.warehouse import Warehouse

    with Warehouse.open(tmp_db) as warehouse:
        loaded = load_sample(warehouse)
    assert _run("--db", str(tmp_db), "report", "Asker", "--year", "2024", "-o", "a.html") == 0
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    stamps = re.search(r'<table class="stamps" id="tab-stamps">(.*?)</table>', page, re.DOTALL)
    assert stamps
    for table_id in loaded:
        assert f"<td>{table_id}</td>" in stamps[1]
    assert SYNTHETIC_BANNER["nb"] in page  # the sample stays synthetic in the warehouse
