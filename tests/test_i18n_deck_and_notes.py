"""The council deck's words come from the gettext catalogs: nynorsk without bokmål, English
without Norwegian."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kostra.report.model import ReportData
from kostra.slides.build import deck_view
from kostra.slides.model import Line, SectorSlide, TextSlide, TitleSlide
from made_up_report import BAERUM, SUNNFJORD, make_report
from test_english_output import norwegian_words
from test_i18n_catalogs import _used_keys
from test_nynorsk import _bokmal_words
from test_sentences_languages import _catalog_ids, _without_names


def _lines(lines: tuple[Line, ...]) -> Iterator[str]:
    for line in lines:
        yield line.text
        yield line.detail


def deck_texts(data: ReportData, lang: str) -> list[str]:
    """Every text a slide or its speaker notes show, in ``lang``."""
    said: list[str] = []
    for slide in deck_view(data, lang).slides:
        said += [slide.title, slide.notes.text(lang)]
        if isinstance(slide, TitleSlide):
            said += [slide.subtitle, slide.banner or ""]
        if isinstance(slide, TextSlide):
            said += [*_lines(slide.lines), slide.picture_caption]
        if isinstance(slide, SectorSlide):
            said += [slide.left_heading, slide.right_heading]
            said += _lines((slide.verdict, *slide.observations, slide.barometer))
        chart = slide.chart if not isinstance(slide, TitleSlide) else None
        if chart is not None:
            said += [chart.title, *chart.categories, *(s.name for s in chart.series)]
    return [s for s in said if s]


def _ssb_labels(data: ReportData, lang: str) -> list[str]:
    """SSB's key-figure names and the catalog's notes on them, quoted as they are (bokmål and
    English only)."""
    labels = []
    for indicator in data.indicators:
        labels += [indicator.name_en, indicator.caveat_en or ""] if lang == "en" else []
        labels += [indicator.name_nb, indicator.caveat_nb or ""] if lang != "en" else []
    return [label for label in labels if label]


@pytest.fixture(scope="module", params=[BAERUM, SUNNFJORD])
def report(request: pytest.FixtureRequest) -> ReportData:
    return make_report(request.param)


def test_deck_in_nynorsk_has_no_bokmal(report: ReportData) -> None:
    said = deck_texts(report, "nn")
    assert len(said) > 60
    for line in said:
        assert _bokmal_words(_without_names(line, _ssb_labels(report, "nn"))) == [], line


def test_deck_in_english_has_no_norwegian(report: ReportData) -> None:
    for line in deck_texts(report, "en"):
        assert norwegian_words(_without_names(line, _ssb_labels(report, "en"))) == [], line


def test_deck_in_bokmal_reads_as_before(report: ReportData) -> None:
    said = deck_texts(report, "nb")
    assert "Hva er KOSTRA og ASSS?" in said
    assert "Ingen samlede tall for året" not in said  # the report has overall figures
    assert any(s.startswith("Kilder: ") and "\n\nDatastatus: " in s for s in said)
    # the word check can fail: bokmål fails both
    assert _bokmal_words("Hva er KOSTRA og ASSS?") == ["Hva"]
    assert norwegian_words("Hva er KOSTRA og ASSS?") == ["er", "og"]


def test_a_deck_without_overall_figures_says_so_in_each_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No barometer, no production index and no sector verdict: the findings slide says there
    are no overall figures (rule S9), in each language."""
    from kostra.slides import build

    monkeypatch.setattr(build, "report_verdicts", lambda data, rules: {})
    bare = make_report(BAERUM).model_copy(
        update={"barometer": None, "production_total": None, "efficiency_total": None}
    )
    expected = {
        "nb": "Ingen samlede tall for året",
        "nn": "Ingen samla tal for året",
        "en": "No overall figures for the year",
    }
    for lang, line in expected.items():
        (findings,) = [s for s in deck_view(bare, lang).slides if "[S9]" in s.notes.text(lang)]
        assert isinstance(findings, TextSlide)
        assert [(x.rule_id, x.text) for x in findings.lines] == [("S9", line)]


@pytest.mark.parametrize("prefix", ["deck."])
def test_every_message_is_used(prefix: str) -> None:
    """The key scan sees every deck and note message: none left over, none hidden from it."""
    ids = _catalog_ids(prefix)
    assert len(ids) > 30
    used = {key for key in _used_keys() if key.startswith(prefix)}
    table = {f"deck.notes.{k}" for k in ("sources", "status", "caveats", "rules")}
    assert used | table == ids
