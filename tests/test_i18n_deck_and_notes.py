"""The council deck's words and the analyses' assumption notes come from the gettext catalogs:
nynorsk without bokmål, English without Norwegian, and the singular for a count of one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from kostra import api, workbench
from kostra.analysis.need import NEED_INDEX_QUALITY
from kostra.i18n import text
from kostra.i18n.said import say
from kostra.report.model import ReportData
from kostra.slides.build import deck_view
from kostra.slides.model import Line, SectorSlide, TextSlide, TitleSlide
from language_checks import bokmal_words, catalog_ids, norwegian_words, used_keys, without_names
from made_up_report import BAERUM, SUNNFJORD, make_report


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
        assert bokmal_words(without_names(line, _ssb_labels(report, "nn"))) == [], line


def test_deck_in_english_has_no_norwegian(report: ReportData) -> None:
    for line in deck_texts(report, "en"):
        assert norwegian_words(without_names(line, _ssb_labels(report, "en"))) == [], line


def test_deck_in_bokmal_reads_as_before(report: ReportData) -> None:
    said = deck_texts(report, "nb")
    assert "Hva er KOSTRA og ASSS?" in said
    assert "Ingen samlede tall for året" not in said  # the report has overall figures
    assert any(s.startswith("Kilder: ") and "\n\nDatastatus: " in s for s in said)
    # the word check can fail: bokmål fails both
    assert bokmal_words("Hva er KOSTRA og ASSS?") == ["Hva"]
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


@pytest.mark.parametrize("prefix", ["deck.", "note."])
def test_every_message_is_used(prefix: str) -> None:
    """The key scan sees every deck and note message: none left over, none hidden from it."""
    ids = catalog_ids(prefix)
    assert len(ids) > 30
    used = {key for key in used_keys() if key.startswith(prefix)}
    table = {f"deck.notes.{k}" for k in ("sources", "status", "caveats", "rules")}
    assert used | (table if prefix == "deck." else set()) == ids


# --- the assumption notes of the analyses -----------------------------------------------------


def every_note() -> list[api.Note]:
    """The notes of every analysis, with the borders, references and need years varied."""
    data = api.load_data([2017, 2018, 2023, 2024], db=Path("none.duckdb"))
    notes = [
        *api.profile("Bærum", 2024, compare=["Asker"], data=data).notes,
        *api.profile("Bærum", 2018, borders="newest", data=data).notes,
        *api.profile("Bærum", 2016, data=data).notes,  # a year without figures
        *api.profile("Utsira", 2024, peers="asss", include_self=False, data=data).notes,
        *api.costs("Bærum", 2024, exclude_oslo=True, data=data).notes,
        *api.costs("Bærum", 2024, borders=2020, data=data).notes,
        *api.indices("Bærum", 2024, data=data).notes,
        *api.indices("Bærum", 2024, reference="country", data=data).notes,
        *workbench.nokkeltall("Bærum", 2024, data=data).notes,
        *workbench.nokkeltall("Bærum", 2017, data=data).notes,
        *workbench.similar("Bærum", 2024, db=Path("none.duckdb")).notes,
        api.borders_note(2024, 2024),
    ]
    lower = [year for year, quality in NEED_INDEX_QUALITY.items() if quality == "lower"]
    table = pl.DataFrame({"need_year": lower[:1], "need_year_fallback": [True]})
    return notes + api.need_year_notes(table)


@pytest.fixture(scope="module")
def notes() -> list[api.Note]:
    return every_note()


def test_notes_in_nynorsk_have_no_bokmal(notes: list[api.Note]) -> None:
    for note in notes:
        assert note.nn is not None, note.nb
        assert bokmal_words(note.text("nn")) == [], note.text("nn")


def test_notes_in_english_have_no_norwegian(notes: list[api.Note]) -> None:
    for note in notes:
        assert norwegian_words(note.text("en")) == [], note.text("en")


def test_every_note_message_is_written(notes: list[api.Note]) -> None:
    """Each ``note.*`` message shows in at least one of the notes above (so the checks above
    read every one of them)."""
    said = {note.nb for note in notes}
    prefixes = {
        key: text(key, "nb").split("{")[0]
        for key in catalog_ids("note.")
        if not key.startswith("note.reference.")  # parts of note.reference, checked below
    }
    missing = sorted(k for k, p in prefixes.items() if not any(s.startswith(p) for s in said))
    assert missing == []
    nb = " ".join(said)
    for part in ("uten Oslo", "Oslo med", "Bærum med", "uten Utsira", "snittet av", "mot"):
        assert part in nb, part


def test_notes_read_in_bokmal_as_before() -> None:
    assert api.borders_note(2024, 2024).nb == (
        "kommunegrenser og sammenligningskommuner fra 2024 (som SSB og ASSS publiserer "
        "tallene for 2024)"
    )
    assert api.borders_note(2018, 2024).text("nn") == (
        "tala er rekna om til kommunegrensene i 2024 (ikkje grensene i 2018 som SSB "
        "publiserte); samanlikningskommunane er medlemmene i 2018 på 2024-grenser"
    )
    assert api.borders_note(2024, 2020).en == "figures on the 2020 municipality borders"


def test_a_reference_of_one_municipality_takes_the_singular() -> None:
    def reference(members: list[str]) -> api.Note:
        return api.reference_note(
            "ASSS",
            members,
            "3201",
            "Bærum",
            include_self=False,
            exclude_oslo=False,
            what=say("note.reference.profile"),
        )

    one, two = reference(["3201", "4601"]), reference(["3201", "4601", "1103"])
    assert one.nb == "indeks 100 er: uvektet snitt av ASSS (1 kommune; uten Bærum)"
    assert one.text("nn") == "indeks 100 er: uvekta snitt av ASSS (1 kommune; utan Bærum)"
    assert one.en == "index 100 is: unweighted mean of ASSS (1 municipality; without Bærum)"
    assert two.nb == "indeks 100 er: uvektet snitt av ASSS (2 kommuner; uten Bærum)"
    assert two.text("nn") == "indeks 100 er: uvekta snitt av ASSS (2 kommunar; utan Bærum)"
    assert two.en == "index 100 is: unweighted mean of ASSS (2 municipalities; without Bærum)"
