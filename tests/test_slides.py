"""``kostra slides``: decks read back with python-pptx, the summary and year-context rules, the
template's layouts chosen by placeholder type, and (slow) LibreOffice renders checked for text
outside its box."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu

from kostra.analysis.overview import (
    Change,
    Ranked,
    SectorRank,
    overall_position,
    peer_place,
    rank_range,
    year_context,
)
from kostra.cli import main
from kostra.errors import KostraError
from kostra.render import render
from kostra.render.pptx import choose_layout, fits, wrapped_lines
from kostra.report import pipeline
from kostra.report.model import ReportData
from kostra.report.render import render_html
from kostra.report.verdicts import report_verdicts
from kostra.slides.build import deck_view

SECTOR_TITLES_NB = (
    "Grunnskole",
    "Barnehage",
    "Barnevern",
    "Pleie og omsorg",
    "Sosiale tjenester",
    "Kommunehelse",
    "Kultur og fritid",
    "Administrasjon",
    "Eiendom",
)
TITLES_NB = (
    "KOSTRA-rapport 2020 og Kommunebarometeret",
    "Hva er KOSTRA og ASSS?",
    "KOSTRA-rapporten og Kommunebarometeret",
    "Tjenesteprofil, produksjonsindeks og effektivitetsindeks",
    "Hva påvirker årets tall?",
    "Hovedfunn",
    "Produksjon, kostnad og effektivitet per sektor",
    "Kommunebarometeret",
    *SECTOR_TITLES_NB,
)


@pytest.fixture(scope="module")
def inputs() -> pipeline.ReportInputs:
    return pipeline.prepare(2020)


@pytest.fixture(scope="module")
def baerum(inputs: pipeline.ReportInputs) -> ReportData:
    return pipeline.report_data(inputs, "Bærum", compare=["Asker"])


def _deck(data: ReportData, lang: str = "nb", template: Path | None = None) -> bytes:
    return render("pptx", deck_view(data, lang, map_picture=None), template)


def _titles(prs: Presentation) -> list[str]:  # type: ignore[valid-type]
    return [s.shapes.title.text_frame.text for s in prs.slides]  # type: ignore[attr-defined]


def _texts(slide: object) -> list[tuple[int, str]]:
    shapes = slide.shapes  # type: ignore[attr-defined]
    return sorted(
        (int(s.left), s.text_frame.text)
        for s in shapes
        if s.has_text_frame and s != shapes.title and s.text_frame.text
    )


def test_deck_titles_columns_charts_and_notes(baerum: ReportData) -> None:
    prs = Presentation(io.BytesIO(_deck(baerum)))
    assert tuple(_titles(prs)) == TITLES_NB
    slides = list(prs.slides)
    verdicts = report_verdicts(baerum)
    for slide, (sector, verdict) in zip(slides[-9:], verdicts.items(), strict=True):
        columns = _texts(slide)
        assert len(columns) == 2, sector
        (left_x, left), (right_x, right) = columns
        assert left_x < right_x
        assert left.startswith("KOSTRA-rapporten\n")
        assert verdict.verdict.text_nb in left
        for observation in verdict.observations:
            assert observation.text_nb in left
        assert 3 <= len(verdict.observations) <= 5
        assert right.startswith("Kommunebarometeret\n")
        assert verdict.barometer.text_nb in right
        notes = slide.notes_slide.notes_text_frame.text
        assert f"[{verdict.verdict.rule_id}]" in notes
        assert f"[{verdict.barometer.rule_id}]" in notes
    assert "rangerer ikke administrasjon" in _texts(slides[-2])[1][1]
    assert "rangerer ikke eiendom" in _texts(slides[-1])[1][1]
    for slide in slides:
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith("Kilder: ")
        assert "Datastatus: Eksempeldata" in notes


def test_native_charts_carry_the_report_figures(baerum: ReportData) -> None:
    prs = Presentation(io.BytesIO(_deck(baerum)))
    slides = list(prs.slides)
    charts = [s.chart for s in slides[6].shapes if s.has_chart]
    assert len(charts) == 1
    plot = charts[0].plots[0]
    rows = [r for r in baerum.production if r.production_index is not None]
    assert len(plot.categories) == len(rows)
    production, cost, efficiency = (list(s.values) for s in plot.series)
    assert production == pytest.approx([r.production_index for r in rows])
    assert cost == pytest.approx([r.cost_index for r in rows])
    assert efficiency == pytest.approx([r.efficiency_index for r in rows])
    group = next(s.chart for s in slides[5].shapes if s.has_chart)
    by_code = {r.code: r.value for r in baerum.barometer.all_ranks} if baerum.barometer else {}
    codes = [p.code for p in (*baerum.peers.members, *baerum.peers.compare)]
    assert list(group.plots[0].series[0].values) == sorted(
        by_code[c] for c in codes if by_code.get(c) is not None
    )
    assert "Asker" in list(group.plots[0].categories)
    own = list(group.plots[0].categories).index("Bærum")
    assert str(group.plots[0].series[0].points[own].format.fill.fore_color.rgb) == "C0504D"
    ranks = next(s.chart for s in slides[7].shapes if s.has_chart)
    assert baerum.barometer is not None
    expected = sorted(r.rank for r in baerum.barometer.sectors if r.rank is not None)
    assert list(ranks.plots[0].series[0].values) == expected
    school = next(s.chart for s in slides[8].shapes if s.has_chart)
    row = baerum.production_row(baerum.production[0].sector.__class__("grunnskole"))
    assert row is not None
    assert list(school.plots[0].series[-1].values) == pytest.approx(
        [row.production_index, row.cost_index, row.efficiency_index]
    )
    assert [s.name for s in school.plots[0].series] == ["2019", "2020"]
    # no pictures at all without the map
    assert not any(s.shape_type == 13 for slide in slides for s in slide.shapes)


def test_same_verdict_on_the_slide_in_the_report_and_on_the_web(baerum: ReportData) -> None:
    from kostra.web.data import MunicipalityView
    from kostra.web.views import sector

    verdict = report_verdicts(baerum)
    html = render_html(baerum, "nb")
    school = verdict[next(iter(verdict))]
    assert f'id="verdict-grunnskole" data-rule="{school.verdict.rule_id}"' in html
    assert f"<strong>{school.verdict.text_nb}</strong>" in html
    content = sector(MunicipalityView(baerum, (), (), "asss"), "grunnskole", "nb")
    assert content["verdict"]["text"] == school.verdict.text_nb
    assert content["verdict"]["rule"] == school.verdict.rule_id


def test_english_deck(baerum: ReportData) -> None:
    prs = Presentation(io.BytesIO(_deck(baerum, "en")))
    titles = _titles(prs)
    assert titles[:2] == [
        "KOSTRA report 2020 and the Kommunebarometer",
        "What are KOSTRA and ASSS?",
    ]
    assert titles[8] == "Primary and lower secondary school"
    notes = next(iter(prs.slides)).notes_slide.notes_text_frame.text
    assert notes.startswith("Sources: ")
    assert "Data status: Sample data" in notes


def _reordered_template(path: Path) -> Path:
    """A 4:3 template whose layouts are in reverse order and which has a slide of its own."""
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "Template's own slide"
    ids = prs.slide_master._element.find(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}sldLayoutIdLst"
    )
    children = list(ids)
    for child in children:
        ids.remove(child)
    for child in reversed(children):
        ids.append(child)
    prs.save(str(path))
    return path


def test_template_layouts_by_placeholder_type(baerum: ReportData, tmp_path: Path) -> None:
    template = _reordered_template(tmp_path / "profil.pptx")
    original = Presentation(str(template))
    assert original.slide_layouts[0].name != "Title Slide"  # the order really is changed
    assert choose_layout(original, "two").name == "Two Content"
    prs = Presentation(io.BytesIO(_deck(baerum, template=template)))
    assert tuple(_titles(prs)) == TITLES_NB  # the template's own slide is gone
    assert prs.slide_width == original.slide_width  # the template's size is kept
    layouts = [s.slide_layout.name for s in prs.slides]
    assert layouts[0] == "Title Slide"
    assert layouts[1] == "Title and Content"
    assert set(layouts[-9:]) == {"Two Content"}
    for slide in list(prs.slides)[-9:]:
        for shape in slide.shapes:
            assert int(shape.left) + int(shape.width) <= int(prs.slide_width)
            assert int(shape.top) + int(shape.height) <= int(prs.slide_height)


def test_template_errors_read_nynorsk(baerum: ReportData, tmp_path: Path) -> None:
    bad = tmp_path / "mal.pptx"
    bad.write_text("ikkje ein presentasjon")
    with pytest.raises(KostraError) as unreadable:
        _deck(baerum, "nn", template=bad)
    assert unreadable.value.text("nn") == f"Kan ikkje lese malen {bad}."
    assert (unreadable.value.hint_text("nn") or "").startswith(
        "Oppgi ei .pptx-fil lagra av PowerPoint eller LibreOffice ("
    )
    untitled = Presentation()
    for layout in list(untitled.slide_layouts):
        for placeholder in list(layout.placeholders):
            placeholder.element.getparent().remove(placeholder.element)
    with pytest.raises(KostraError) as no_title:
        choose_layout(untitled, "content")
    assert no_title.value.text("nn") == "Malen har ingen lysbiletoppsett med plass til tittel."
    assert no_title.value.hint_text("nn") == (
        "Bruk ein PowerPoint-mal der oppsetta har tittel (t.d. «Tittel og innhald»)."
    )


def test_text_fitting_estimate() -> None:
    assert wrapped_lines("a b c", 1000, 10) == 1
    assert wrapped_lines("word " * 40, 100, 10) > 10
    # a no-break space holds "NOK 6,012" together: it moves to the next line whole
    together = "x" * 16 + " NOK\u00a0123 " + "y" * 13  # 20 characters a line
    assert wrapped_lines(together, 60, 5) == 3
    assert wrapped_lines(together.replace("\u00a0", " "), 60, 5) == 2
    long = [("x " * 400, 1.0, False)]
    assert not fits(long, int(Emu(914400 * 3)), int(Emu(914400 * 1)), 12)
    assert fits([("kort", 1.0, True)], 914400 * 3, 914400, 18)


# --- summary and year context ---------------------------------------------------------------


def test_place_among_peers_and_compared() -> None:
    own = Ranked("3201", "Bærum", 30)
    peers = [Ranked("0301", "Oslo", 12), Ranked("1103", "Stavanger", 80), Ranked("x", "X", None)]
    place = peer_place(own, peers, [Ranked("3203", "Asker", 50)], "ASSS")
    assert place is not None
    assert place.text_nb == "Bærum er nest best blant ASSS-kommunene og Asker i Kommunebarometeret"
    assert place.text_en == (
        "Bærum is the second best among the ASSS municipalities and Asker in the Kommunebarometer"
    )
    assert place.detail_nb == "(nr. 2 av 4)"
    last = peer_place(Ranked("a", "A", 99), peers, [], "ASSS")
    assert last is not None
    assert last.text_nb.startswith("A er svakest blant")
    assert peer_place(Ranked("a", "A", None), peers, [], "ASSS") is None


def test_rank_range_and_overall_position() -> None:
    spread = rank_range(
        [SectorRank("grunnskole", 4, 357), SectorRank("kultur", 302, 355), SectorRank("x", None, 1)]
    )
    assert spread is not None
    assert spread.text_nb == (
        "Sektorplasseringene går fra nummer 4 (grunnskole) til nummer 302 (kultur)"
    )
    assert rank_range([SectorRank("grunnskole", 4, 357)]) is None
    overall = overall_position(108.9, 102.4)
    assert overall is not None
    assert overall.text_nb == (
        "Samlet produksjon over snittet (109) og effektivitet på nivå med snittet (102)"
    )
    assert overall_position(None, None) is None


def test_year_context_from_the_code_history() -> None:
    changes = [
        Change("renumbering", 2020, "Bærum", (), "self"),
        Change("merger", 2020, "Asker", ("Asker", "Røyken", "Hurum"), "compare"),
        Change("merger", 2012, "Old", ("A", "B"), "peer"),
    ]
    said = year_context("Bærum", changes, (2020, 2021), 2016, 2020)
    assert [s.rule_id for s in said] == ["Y3", "Y2", "Y4"]
    assert "Asker (2020: Asker, Røyken, Hurum)" in said[1].text_nb
    assert "Old" not in said[1].text_nb  # outside the years shown
    assert said[2].text_nb.startswith("Koronapandemien: 2020 er med")
    assert said[2].text_en.startswith("The pandemic: 2020 is among the years shown")
    merged = year_context(
        "Asker",
        [Change("merger", 2020, "Asker", ("Asker", "Røyken", "Hurum"), "self")],
        (2020, 2021),
        2019,
        2021,
    )
    assert merged[0].rule_id == "Y1"
    assert merged[0].text_nb.startswith(
        "Asker ble dannet ved sammenslåing av Asker, Røyken og Hurum i 2020"
    )
    assert merged[0].text_en.startswith("Asker was formed by merging Asker, Røyken and Hurum")
    assert merged[1].text_nb.startswith("Koronapandemien: 2020 og 2021")
    assert merged[1].text_en.endswith("depart from the trend in those years")
    quiet = year_context("Utsira", [], (2020, 2021), 2012, 2016)
    assert [s.rule_id for s in quiet] == ["Y0"]


# --- the command ------------------------------------------------------------------------------


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.fixture
def _isolated(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("_isolated")
def test_command_writes_a_deck_with_the_map(tmp_path: Path) -> None:
    assert _run("slides", "Utsira", "--year", "2020") == 0
    prs = Presentation(str(tmp_path / "utsira-2020.pptx"))
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 1  # the map, and nothing else as a picture
    assert "Rogaland" in _titles(prs)[1] or "Hva er KOSTRA" in _titles(prs)[1]
    assert not list(tmp_path.glob(".*.partial"))


@pytest.mark.slow
@pytest.mark.usefixtures("_isolated")
def test_command_all_writes_one_deck_per_member(tmp_path: Path) -> None:
    assert _run("slides", "--all", "--year", "2020", "--no-map", "--lang", "en", "-o", "decks") == 0
    decks = sorted(p.name for p in (tmp_path / "decks").glob("*.pptx"))
    assert len(decks) == 10  # the ASSS members
    assert "baerum-2020.pptx" in decks
    prs = Presentation(str(tmp_path / "decks" / "tromso-2020.pptx"))
    assert _titles(prs)[0] == "KOSTRA report 2020 and the Kommunebarometer"
    assert _run("slides", "--all", "--group", "county", "--year", "2020") == 2


@pytest.mark.usefixtures("_isolated")
def test_command_errors(tmp_path: Path) -> None:
    assert _run("slides", "--year", "2020") == 2
    assert _run("slides", "Utsira", "--year", "2020", "--template", "missing.pptx") == 2
    bad = tmp_path / "bad.pptx"
    bad.write_text("not a presentation")
    assert _run("slides", "Utsira", "--year", "2020", "--template", str(bad)) == 2
    assert not (tmp_path / "utsira-2020.pptx").exists()


# --- LibreOffice: nothing leaves its box ------------------------------------------------------

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def overflowing_words(pptx: Path, workdir: Path) -> list[tuple[int, str]]:
    """Words LibreOffice draws outside every text box, chart and picture of their slide
    (slide number, word). The PDF is in points, python-pptx boxes in EMU (12 700 per point)."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{workdir}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(workdir),
            str(pptx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = workdir / f"{pptx.stem}.pdf"
    layout = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    prs = Presentation(str(pptx))
    out: list[tuple[int, str]] = []
    tolerance = 2.0
    for number, (slide, page) in enumerate(zip(prs.slides, _PAGE.findall(layout), strict=True)):
        boxes = [
            (s.left / 12700, s.top / 12700, (s.left + s.width) / 12700, (s.top + s.height) / 12700)
            for s in slide.shapes
        ]
        for x0, y0, x1, y1, word in _WORD.findall(page):
            inside = any(
                float(x0) >= bx0 - tolerance
                and float(y0) >= by0 - tolerance
                and float(x1) <= bx1 + tolerance
                and float(y1) <= by1 + tolerance
                for bx0, by0, bx1, by1 in boxes
            )
            if not inside:
                out.append((number + 1, word))
    return out


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="needs LibreOffice (libreoffice-impress) and poppler-utils; scripts/test installs them",
)


@pytest.mark.slow
@needs_libreoffice
def test_the_overflow_check_can_fail(tmp_path: Path) -> None:
    """A box with far too much text, written without fitting, is caught."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Overflow"
    box = slide.shapes.add_textbox(Emu(914400), Emu(2 * 914400), Emu(3 * 914400), Emu(914400 // 2))
    box.text_frame.word_wrap = True
    box.text_frame.text = "ord " * 200
    path = tmp_path / "overflow.pptx"
    prs.save(str(path))
    assert overflowing_words(path, tmp_path)


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize(
    ("municipality", "compare", "lang", "template"),
    [
        ("Bærum", "Asker", "nb", False),
        ("Utsira", None, "nb", False),
        ("Oslo", None, "nb", False),
        ("Bærum", None, "en", False),
        ("Bærum", "Asker", "en", True),  # a 4:3 template: narrower columns
    ],
)
def test_no_text_leaves_its_box_in_libreoffice(
    inputs: pipeline.ReportInputs,
    tmp_path: Path,
    municipality: str,
    compare: str | None,
    lang: str,
    template: bool,
) -> None:
    data = pipeline.report_data(inputs, municipality, compare=[compare] if compare else [])
    path = tmp_path / "deck.pptx"
    chosen = _reordered_template(tmp_path / "template.pptx") if template else None
    path.write_bytes(_deck(data, lang, template=chosen))
    assert overflowing_words(path, tmp_path) == []


# --- the web's download -----------------------------------------------------------------------


def test_web_offers_the_deck(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kostra.web import WebData, create_app

    web = WebData(tmp_path / "none.duckdb", resamples=20, warm_views=False)
    with TestClient(create_app(web=web), raise_server_exceptions=False) as client:
        page = client.get("/kommune/3201/grunnskole").text
        assert 'data-testid="download-pptx"' in page
        assert "Last ned presentasjon" in page
        assert re.search(r'<p class="verdict" data-rule="V\d"><strong>', page)
        answer = client.get("/kommune/3201/presentasjon.pptx?lang=en")
        assert answer.status_code == 200
        assert answer.headers["content-disposition"].endswith('_en.pptx"')
        prs = Presentation(io.BytesIO(answer.content))
        assert _titles(prs)[1] == "What are KOSTRA and ASSS?"
        assert client.get("/kommune/nowhere/presentasjon.pptx").status_code == 404
