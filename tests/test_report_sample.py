"""Reports on the packaged synthetic sample, through the real analyses: the numbers in the
report are the analysis results, and every finding traces back to them."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from kostra import api
from kostra.analysis.findings import FindingRules
from kostra.report import pipeline, render
from kostra.report.build import report_findings
from kostra.report.locale import SYNTHETIC_BANNER, number, sector_name, t
from kostra.report.model import REPORT_SECTORS, ReportData
from test_report_render import _text, _trace

CASES = {"Bærum": "3201", "Utsira": "1151", "Sunnfjord": "4647", "Hole": "3310"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pipeline.ReportInputs]:
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("sample")
    mp.setenv("KOSTRA_CACHE_DIR", str(folder / "cache"))
    render.javascript_bundle.cache_clear()
    yield pipeline.prepare(2024, db=folder / "none.duckdb")
    mp.undo()
    render.javascript_bundle.cache_clear()


_DATA: dict[str, ReportData] = {}


def data_for(inputs: pipeline.ReportInputs, name: str) -> ReportData:
    if name not in _DATA:
        _DATA[name] = pipeline.report_data(inputs, name)
    return _DATA[name]


def test_sample_is_flagged_synthetic(inputs: pipeline.ReportInputs) -> None:
    assert inputs.data.synthetic
    assert "sample" in inputs.data.source


@pytest.mark.parametrize("name", list(CASES))
def test_profile_is_the_analysis_result(inputs: pipeline.ReportInputs, name: str) -> None:
    data = data_for(inputs, name)
    assert data.municipality.code == CASES[name]
    result = api.profile(name, 2024, peers=data.peers.key, data=inputs.data)
    own = result.frames["table"].filter(pl.col("role") == "self")
    by_id = {r["indicator_id"]: r for r in own.iter_rows(named=True)}
    compared = 0
    for row in data.profile:
        source = by_id[row.indicator_id]
        assert row.value == pytest.approx(source["value"], nan_ok=True)
        assert row.peer_average == pytest.approx(source["peer_average"])
        assert row.index == pytest.approx(source["index"])
        assert row.peer_rank == source["rank"]
        compared += 1
    assert compared > 40


@pytest.mark.parametrize("name", list(CASES))
def test_need_and_barometer_are_the_analysis_results(
    inputs: pipeline.ReportInputs, name: str
) -> None:
    data = data_for(inputs, name)
    code = CASES[name]
    assert inputs.intervals is not None
    total = inputs.intervals.filter((pl.col("region") == code) & (pl.col("sector") == "total"))
    assert data.barometer is not None
    assert data.barometer.total_rank == total["rank"][0]
    assert data.barometer.total_rank_low == total["rank_low"][0]
    costs = api.costs(name, 2024, peers=data.peers.key, data=inputs.data).frames["costs"]
    own = costs.filter(pl.col("is_self"))
    for row in data.need_costs:
        source = own.filter(pl.col("sector") == row.sector.value).row(0, named=True)
        assert row.excess_nok == pytest.approx(source["excess_spending"], nan_ok=True)
        assert row.need_corrected == pytest.approx(source["need_corrected_per_capita"])
    total = own.filter(pl.col("sector") == "total")["excess_spending"][0]
    if total is not None:
        assert data.excess_total() == pytest.approx(total)


def test_merged_and_renumbered_municipalities(inputs: pipeline.ReportInputs) -> None:
    sunnfjord = data_for(inputs, "Sunnfjord")
    merger = [e for e in sunnfjord.events if e.role == "self"]
    assert [(e.kind, e.year, e.series_break) for e in merger] == [("merger", 2020, True)]
    assert "Førde" in merger[0].old_names
    hole = data_for(inputs, "Hole")
    own = [(e.kind, e.year, e.series_break) for e in hole.events if e.role == "self"]
    assert ("renumbering", 2024, False) in own
    assert all(kind == "renumbering" for kind, _, _ in own)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("name", list(CASES))
def test_report_sections_numbers_and_findings(
    inputs: pipeline.ReportInputs, name: str, lang: str
) -> None:
    data = data_for(inputs, name)
    found = report_findings(data)
    page = render.render_html(data, lang, findings=found)
    text = " ".join(_text(page).split())
    assert SYNTHETIC_BANNER[lang] in page
    for key in ("affects", "summary", "method"):
        assert t(key, lang) in text
    for sector in REPORT_SECTORS:
        assert f'id="sector-{sector.value}"' in page
    rules = FindingRules()
    ids = set(re.findall(r'id="([^"]+)"', page))
    for finding in found:
        _trace(data, finding, rules)
        assert " ".join(finding.text(lang).split()) in text
        assert finding.anchor in ids
    # a few numbers as the tables print them
    for row in [r for r in data.profile if r.value is not None][:10]:
        assert " ".join(number(row.value, lang).split()) in text


def test_write_html_and_pdf_for_a_person_to_look_at(
    inputs: pipeline.ReportInputs, tmp_path: Path
) -> None:
    data = data_for(inputs, "Bærum")
    html_file = render.write_report(data, tmp_path / "baerum.html")
    assert html_file.stat().st_size > 500_000  # the Vega bundle is inside


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_pdf_on_the_sample_has_every_section_and_page_images(
    inputs: pipeline.ReportInputs, tmp_path: Path, lang: str
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    data = data_for(inputs, "Bærum")
    out = render.write_report(data, tmp_path / "b.pdf", fmt=render.ReportFormat.PDF, lang=lang)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for key in ("toc", "affects", "summary", "method", "barometer_total", "production", "need"):
        assert " ".join(t(key, lang).split()) in flat, key
    for sector in REPORT_SECTORS:
        assert sector_name(sector.value, lang, capital=True) in flat
    for finding in report_findings(data)[:20]:
        # sentences wrap across lines in the PDF, also at a hyphen ("ASSS-|snittet"), which
        # pdftotext then drops; compare without whitespace and hyphens
        assert "".join(finding.text(lang).replace("-", "").split()) in "".join(
            flat.replace("-", "").split()
        )
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "8",
            str(out),
            str(artifacts / f"sample-baerum-{lang}"),
        ],
        check=True,
    )
    assert list(artifacts.glob(f"sample-baerum-{lang}-*.png"))
