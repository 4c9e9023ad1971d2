"""The report on the report year's borders and peer members (the default), and on the newest
borders with ``--borders newest``: a 2019 report of Bærum (0219 then, 3201 now) on the packaged
sample, its ASSS members of 2019, the map on the 2024 borders, and every output saying which
borders it used."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from kostra import api, geography
from kostra.cli import main
from kostra.report import pipeline, render
from kostra.report.model import ReportData

YEAR = 2019
#: few resamples: the intervals are not what these tests check
SETTINGS = pipeline.ReportSettings(resamples=10)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    mp = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("borders")
    mp.setenv("KOSTRA_CACHE_DIR", str(path / "cache"))
    render.javascript_bundle.cache_clear()
    yield path
    mp.undo()
    render.javascript_bundle.cache_clear()


@pytest.fixture(scope="module")
def on_year(folder: Path) -> pipeline.ReportInputs:
    return pipeline.prepare(YEAR, db=folder / "none.duckdb", settings=SETTINGS)


@pytest.fixture(scope="module")
def on_newest(folder: Path, on_year: pipeline.ReportInputs) -> pipeline.ReportInputs:
    return pipeline.prepare(
        YEAR, data=on_year.data, catalog=on_year.catalog, settings=SETTINGS, borders="newest"
    )


@pytest.fixture(scope="module")
def baerum_year(on_year: pipeline.ReportInputs) -> ReportData:
    return pipeline.report_data(on_year, "Bærum")


@pytest.fixture(scope="module")
def baerum_newest(on_newest: pipeline.ReportInputs) -> ReportData:
    return pipeline.report_data(on_newest, "Bærum")


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_sample_has_pre_2020_codes(on_year: pipeline.ReportInputs) -> None:
    assert YEAR in api.years_with_data()
    assert on_year.borders == YEAR
    assert on_year.borders_rule == "year"
    codes = set(on_year.evaluated.filter(pl.col("year") == YEAR)["region"].unique().to_list())
    assert "0219" in codes
    assert "3201" not in codes
    assert "3024" not in codes


def test_2019_report_on_2019_borders_with_the_2019_members(baerum_year: ReportData) -> None:
    data = baerum_year
    assert data.municipality.code == "0219"
    assert (data.borders, data.borders_rule) == (YEAR, "year")
    assert data.peers.key == "asss"
    members = {p.code for p in data.peers.members}
    assert members == set(geography.asss_members(YEAR))
    # Asker joined ASSS with the 2020 merger: not a member in 2019
    assert "0220" not in members
    assert "3025" not in members
    assert "3203" not in members
    assert all(code in set(geography.municipalities(YEAR)["code"]) for code in members)
    row = next(a for a in data.assumptions if a.key == "borders")
    assert row.value.startswith("2019")
    assert "2019" in row.text_nb


def test_the_report_is_the_cli_profile_of_the_year(
    baerum_year: ReportData, on_year: pipeline.ReportInputs
) -> None:
    """The same figure in the report and in `kostra profile Bærum --year 2019` (year borders)."""
    result = api.profile("Bærum", YEAR, peers="asss", data=on_year.data)
    assert result.municipality == "0219"
    assert result.borders == YEAR
    own = result.frames["table"].filter(pl.col("role") == "self")
    by_id = {r["indicator_id"]: r for r in own.iter_rows(named=True)}
    compared = 0
    for row in baerum_year.profile:
        source = by_id.get(row.indicator_id)
        if source is None or row.value is None:
            continue
        assert row.value == pytest.approx(source["value"], rel=1e-9), row.indicator_id
        if row.index is not None:
            assert row.index == pytest.approx(source["index"], rel=1e-9), row.indicator_id
        compared += 1
    assert compared >= 10
    costs = api.costs("Bærum", YEAR, peers="asss", data=on_year.data).frames["costs"]
    own_costs = {
        r["sector"]: r["need_corrected_per_capita"]
        for r in costs.filter(pl.col("region") == "0219").iter_rows(named=True)
    }
    for need in baerum_year.need_costs:
        expected = own_costs[need.sector.value]
        assert need.need_corrected == pytest.approx(expected, rel=1e-9), need.sector


def test_the_map_is_on_the_newest_borders(baerum_year: ReportData) -> None:
    layer = baerum_year.map_layer
    assert layer is not None
    assert layer.borders == api.NEWEST_BORDERS
    newest = set(geography.municipalities(api.NEWEST_BORDERS)["code"])
    assert layer.codes == ("3201",)
    assert {v.code for v in baerum_year.map_values()} <= newest
    assert len(baerum_year.map_values()) > 300
    code, peers = baerum_year.map_outline()
    assert code == "3201"
    assert set(peers) <= newest
    # the rank strips stay on the report's borders
    strip = baerum_year.distributions[0]
    assert "0219" in {v.code for v in strip.values}


def test_the_report_says_which_borders(baerum_year: ReportData, tmp_path: Path) -> None:
    page = render.render_html(baerum_year, "nb")
    facts = _text(re.search(r'<dd id="borders">(.*?)</dd>', page, re.S).group(1))  # type: ignore[union-attr]
    assert "sammenligningskommunene i 2019" in facts
    assert "tegnet på 2024-grensene" in facts
    assert "Tegnet på 2024-grenser med verdier harmonisert fra 2019." in page  # the map
    english = _text(render.render_html(baerum_year, "en"))
    assert "The borders and peer members of 2019" in english


def test_2019_report_on_the_newest_borders(baerum_newest: ReportData) -> None:
    data = baerum_newest
    assert data.municipality.code == "3201"
    assert (data.borders, data.borders_rule) == (api.NEWEST_BORDERS, "newest")
    assert data.map_layer is None
    members = {p.code for p in data.peers.members}
    # the 2019 members, moved to today's borders
    moved = set(api._to_borders(geography.asss_members(YEAR), YEAR, api.NEWEST_BORDERS))
    assert members == moved
    facts = _text(render.render_html(data, "nb"))
    assert "regnet om til kommunegrensene i 2024 (ikke grensene i 2019" in facts


def test_a_code_of_a_later_year_is_the_municipality_of_the_year(
    on_year: pipeline.ReportInputs,
) -> None:
    assert pipeline.report_data(on_year, "3201").municipality.code == "0219"


def test_cli_report_borders_option(folder: Path, tmp_path: Path) -> None:
    def run(*args: str) -> int:
        try:
            main(["--db", str(folder / "none.duckdb"), *args])
        except SystemExit as exit_:
            return int(exit_.code or 0)
        return 0

    target = tmp_path / "b.html"
    assert run("report", "Bærum", "--year", "2023", "--borders", "newest", "-o", str(target)) == 0
    text = _text(target.read_text(encoding="utf-8"))
    assert "regnet om til kommunegrensene i 2024 (ikke grensene i 2023" in text
    assert "Bærum (3201)" in text
    assert run("report", "Bærum", "--year", "2023", "--borders", "today") == 2


def test_the_deck_says_which_borders(baerum_year: ReportData, baerum_newest: ReportData) -> None:
    """`kostra slides` goes through the same pipeline: its speaker notes name the borders."""
    from kostra.slides.build import deck_view

    def notes(data: ReportData) -> str:
        deck = deck_view(data, "nb")
        return " ".join(s.notes.text("nb") for s in deck.slides if hasattr(s, "notes"))

    year_notes = notes(baerum_year)
    assert "kommunegrenser og sammenligningskommuner fra 2019" in year_notes
    assert "2019 (rapportåret)" in year_notes
    assert "2024 (nyeste)" in notes(baerum_newest)


def test_barometer_cli_borders_option(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`kostra barometer` ranks a year on its own borders by default, like every analysis."""

    def footer(*args: str) -> str:
        code = 0
        try:
            main(["--db", str(folder / "none.duckdb"), "--lang", "en", "barometer", *args])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        assert code == 0
        return capsys.readouterr().out

    assert "Municipalities on 2019 borders." in footer("--year", "2019", "--top", "3")
    newest = footer("--year", "2019", "--top", "3", "--borders", "newest")
    assert "Municipalities on 2024 borders." in newest
