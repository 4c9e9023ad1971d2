"""Rendered reports: sections, numbers and findings checked against the report's data.

Four municipalities of different kinds, both languages: Bærum (ASSS member, renumbered 2024),
Utsira (the smallest), Sunnfjord (merged 2020) and Hole (renumbered 2024 only).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kostra.analysis.findings import Finding, FindingRules
from kostra.report import printing, render
from kostra.report.build import report_findings
from kostra.report.locale import SYNTHETIC_BANNER, number, sector_name, t
from kostra.report.model import REPORT_SECTORS, ReportData
from made_up_report import BAERUM, HOLE, SUNNFJORD, UTSIRA, make_report

REPO = Path(__file__).resolve().parents[1]
CASES = [BAERUM, UTSIRA, SUNNFJORD, HOLE]
LANGS = ["nb", "en"]


@pytest.fixture(scope="module", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The Vega bundle cache goes to a temporary directory, not the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("KOSTRA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    render.javascript_bundle.cache_clear()
    yield
    mp.undo()
    render.javascript_bundle.cache_clear()


_RENDERED: dict[tuple[str, str], tuple[ReportData, list[Finding], str]] = {}


def rendered(code: str, lang: str) -> tuple[ReportData, list[Finding], str]:
    if (code, lang) not in _RENDERED:
        data = make_report(code)
        found = report_findings(data)
        _RENDERED[code, lang] = (data, found, render.render_html(data, lang, findings=found))
    return _RENDERED[code, lang]


def _text(page: str) -> str:
    """Visible text of the HTML body without scripts, entities decoded."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", CASES)
def test_every_section_is_there(code: str, lang: str) -> None:
    data, _, page = rendered(code, lang)
    for anchor in ("front", "toc", "affects", "summary", "method", "missing", "barometer"):
        assert f'id="{anchor}"' in page, anchor
    text = _text(page)
    for key in ("affects", "summary", "method", "changes", "pandemic", "missing"):
        assert t(key, lang) in text, key
    for sector in REPORT_SECTORS:
        assert f'id="sector-{sector.value}"' in page
        assert sector_name(sector.value, lang, capital=True) in text
    assert data.municipality.name in text
    assert str(data.year) in text
    for member in data.peers.members:
        assert member.name in text


@pytest.mark.parametrize("lang", LANGS)
def test_synthetic_banner_on_sample_data_only(lang: str) -> None:
    _, _, page = rendered(BAERUM, lang)
    banner = SYNTHETIC_BANNER[lang]
    assert f'<div class="banner" role="note">{banner}</div>' in page
    assert f'@top-center {{ content: "{banner}"' in page  # every printed page
    real = render.render_html(make_report(BAERUM, synthetic=False), lang)
    assert banner not in real


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", CASES)
def test_profile_numbers_are_the_data(code: str, lang: str) -> None:
    data, _, page = rendered(code, lang)
    for row in data.profile:
        match = re.search(rf'<tr id="ind-{row.indicator_id}">(.*?)</tr>', page, re.DOTALL)
        assert match, row.indicator_id
        cells = [
            html.unescape(c.strip())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.DOTALL)
        ]
        if row.value is None:
            assert cells[1] == (row.status or "..")
        else:
            assert cells[1] == number(row.value, lang)
        assert cells[2] == number(row.peer_average, lang)
        assert cells[3] == number(row.index, lang, 0)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", CASES)
def test_every_finding_is_shown_and_links_to_its_source(code: str, lang: str) -> None:
    _, found, page = rendered(code, lang)
    assert found
    text = " ".join(_text(page).split())
    ids = set(re.findall(r'id="([^"]+)"', page))
    for finding in found:
        sentence = " ".join(finding.text(lang).split())
        assert sentence in text, sentence
        assert finding.anchor in ids, (finding.rule_id, finding.anchor)
        assert f'href="#{finding.anchor}"' in page
        caveat = finding.caveat(lang)
        if caveat:
            assert caveat in text


def _trace(data: ReportData, finding: Finding, rules: FindingRules) -> None:
    """The numbers a finding used are the report data's numbers."""
    n = finding.numbers
    approx = pytest.approx
    if finding.rule_id in ("P1", "P2"):
        row = data.profile_row(finding.indicator_id or "")
        assert row is not None
        assert n["value"] == approx(row.value)
        if finding.rule_id == "P1":
            assert n["peer_average"] == approx(row.peer_average)
            assert n["index"] == approx(row.index)
            assert row.index is not None
            if "difference_pp" in n:  # a share: percentage points
                assert row.value is not None
                assert row.peer_average is not None
                assert n["difference_pp"] == approx(abs(row.value - row.peer_average))
            else:
                assert n["difference_pct"] == approx(abs(row.index - 100))
            assert abs(row.index - 100) >= rules.profile_threshold_pct
        else:
            assert n["peer_rank"] == row.peer_rank
            assert n["n_peers"] == row.n_peers
            assert row.peer_rank in (1, row.n_peers)
    elif finding.rule_id == "T1":
        year = int(n["year"])
        series = {p.year: p.value for p in data.history if p.indicator_id == finding.indicator_id}
        assert n["value"] == approx(series[year])
        prior = list(range(year - rules.trend_window, year))
        slope, intercept = np.polyfit(prior, [series[y] for y in prior], 1)
        assert n["expected"] == approx(intercept + slope * year, rel=1e-6)
        deviation = series[year] - n["expected"]
        assert abs(deviation) > rules.trend_k * n["robust_sd"]
        if "difference_pp" in n:  # a share: the distance from the trend in percentage points
            assert n["difference_pp"] == approx(abs(deviation))
    elif finding.rule_id == "C1":
        row = data.need_cost(finding.sector)  # type: ignore[arg-type]
        assert row is not None
        assert n["excess_nok"] == approx(row.excess_nok)
        assert n["difference"] == approx(abs(row.difference or 0))
        assert n["expected"] == approx(row.expected)
    elif finding.rule_id == "C2":
        assert n["excess_nok"] == approx(data.excess_total())
    elif finding.rule_id in ("E1", "E2"):
        row = data.production_row(finding.sector)  # type: ignore[arg-type]
        assert row is not None
        key = "production_index" if finding.rule_id == "E1" else "efficiency_index"
        assert n[key] == approx(getattr(row, key))
    elif finding.rule_id == "E3":
        key = "production_index" if "production_index" in n else "efficiency_index"
        total = data.production_total if key == "production_index" else data.efficiency_total
        assert n[key] == approx(total)
    elif finding.rule_id == "B1":
        assert data.barometer is not None
        assert n["rank"] == data.barometer.total_rank
        assert n.get("rank_income_adjusted") == data.barometer.income_adjusted_rank
        assert n.get("n_indicators") == data.barometer.n_indicators
        assert n["n_ranked"] == data.barometer.n_ranked
        assert n.get("rank_low") == data.barometer.total_rank_low
        assert n.get("peer_rank") == data.barometer.peer_rank
    elif finding.rule_id == "B2":
        assert data.barometer is not None
        row = data.barometer.sector(finding.sector)  # type: ignore[arg-type]
        assert row is not None
        assert n["rank"] == row.rank
        ranks = [s.rank for s in data.barometer.sectors if s.rank is not None]
        assert row.rank in (min(ranks), max(ranks))
    elif finding.rule_id == "B3":
        assert data.barometer is not None
        row = data.barometer.sector(finding.sector)  # type: ignore[arg-type]
        assert row is not None
        driver = next(d for d in row.drivers if d.indicator_id == finding.indicator_id)
        assert n["grade"] == approx(driver.grade)
        assert n["effect"] == approx(driver.effect)
    elif finding.rule_id == "M1":
        assert n["missing"] == len(data.own_missing())
    else:  # pragma: no cover - a new rule needs a trace here
        pytest.fail(f"no trace for rule {finding.rule_id}")


@pytest.mark.parametrize("code", CASES)
def test_every_finding_traces_to_the_analysis_numbers(code: str) -> None:
    data, found, _ = rendered(code, "nb")
    rules = FindingRules()
    for finding in found:
        _trace(data, finding, rules)
        for key, nb, en in finding.shown:
            assert nb in finding.text_nb, (key, nb)
            assert en in finding.text_en, (key, en)


def test_the_pandemic_drop_is_found_as_a_trend_break() -> None:
    _, found, _ = rendered(BAERUM, "nb")
    breaks = [f for f in found if f.rule_id == "T1" and f.indicator_id == "pleie_og_omsorg_1"]
    assert [int(f.numbers["year"]) for f in breaks] == [2020]
    assert breaks[0].numbers["relative_pct"] > 15


def test_merged_municipality_names_the_series_break() -> None:
    _data, found, page = rendered(SUNNFJORD, "nb")
    text = " ".join(_text(page).split())
    # a new municipality is formed from its parts ("sammenslåing fra" was wrong)
    assert (
        "2020: Sunnfjord (4647) – dannet ved sammenslåing av Førde, Naustdal, Jølster og Gaular."
        in text
    )
    assert "Brudd i tidsserien" in text
    # no trend is claimed across the merger
    assert not [f for f in found if f.rule_id == "T1" and f.numbers["year"] <= 2023]


def test_renumbered_municipality_has_no_break() -> None:
    _, _, page = rendered(HOLE, "en")
    text = " ".join(_text(page).split())
    assert "2024: Hole (3310) – new municipality number, formerly 3038." in text
    assert "Renumbering only: the series is joined without a break." in text


def test_small_municipality_missing_and_unranked() -> None:
    _data, found, page = rendered(UTSIRA, "nb")
    missing = re.search(r'id="missing".*?</table>', page, re.DOTALL)
    assert missing
    assert "<td>:</td>" in missing[0]
    assert any(f.rule_id == "M1" and f.numbers["missing"] == 1 for f in found)
    box = re.search(r'id="barbox-barnevern".*?</aside>', page, re.DOTALL)
    assert box
    assert "Utsira er ikke rangert i denne sektoren" in box[0]


@pytest.mark.parametrize("lang", LANGS)
def test_sectors_the_barometer_does_not_rank_say_so(lang: str) -> None:
    _, _, page = rendered(BAERUM, lang)
    for sector in ("administrasjon", "eiendom"):
        box = re.search(rf'id="barbox-{sector}".*?</aside>', page, re.DOTALL)
        assert box
        assert t("barometer_not_ranked", lang) in box[0]


@pytest.mark.parametrize("lang", LANGS)
def test_method_section_names_every_assumption(lang: str) -> None:
    data, found, page = rendered(BAERUM, lang)
    method = _text(page.split('id="method"', 1)[1])
    for assumption in data.assumptions:
        assert (assumption.text_en if lang == "en" else assumption.text_nb) in method
    assert method.count("[D]") >= 7
    for rule_id in {f.rule_id for f in found}:
        assert rule_id in method


def test_html_is_self_contained() -> None:
    _, _, page = rendered(BAERUM, "nb")
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)
    assert "window.vegaEmbed" in page
    specs = json.loads(
        re.search(
            r'<script type="application/json" id="kostra-specs">(.*?)</script>', page, re.DOTALL
        )[1]  # type: ignore[index]
    )
    divs = re.findall(r'data-chart="([^"]+)"', page)
    assert divs
    assert set(divs) == set(specs)
    for spec in specs.values():
        assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"
    assert "fig-map" in specs
    assert "Kartverket" in page


def test_english_report_uses_english_labels_and_numbers() -> None:
    data, _, page = rendered(BAERUM, "en")
    text = _text(page)
    assert "Main findings" in text
    assert "Hovedfunn" not in text
    row = next(r for r in data.profile if r.value is not None and r.value >= 1000)
    assert f"{row.value:,.0f}" in text


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(render, "render_html", broken)
    with pytest.raises(RuntimeError):
        render.write_report(make_report(BAERUM), out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def assert_accessible_pdf(path: Path, lang: str, title: str) -> None:
    """PDF/UA basics: tagged (MarkInfo /Marked, a structure tree whose figures all carry alt
    text, headings and table headers), the document language and a title viewers show."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog.get("/Lang") == lang
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert reader.metadata is not None
    assert reader.metadata.title == title
    kinds: dict[str, int] = {}
    missing_alt: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            kind = str(node.get("/S", ""))
            kinds[kind] = kinds.get(kind, 0) + 1
            if kind == "/Figure" and not str(node.get("/Alt", "")).strip():
                missing_alt.append(str(node.get("/K")))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(catalog["/StructTreeRoot"])
    assert kinds.get("/H1") == 1
    for kind in ("/H2", "/Figure", "/Table", "/TH", "/Link"):
        assert kinds.get(kind, 0) > 0, kind
    assert missing_alt == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(("code", "lang"), [(BAERUM, "nb"), (SUNNFJORD, "en")])
def test_pdf_has_every_section_and_page_images(code: str, lang: str, tmp_path: Path) -> None:
    data = make_report(code)
    out = render.write_report(data, tmp_path / "r.pdf", fmt=render.ReportFormat.PDF, lang=lang)
    title = f"{t('title', lang, year=data.year)} – {data.municipality.name}"
    assert_accessible_pdf(out, lang, title)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for key in ("toc", "affects", "summary", "method", "barometer_total", "production", "need"):
        assert t(key, lang) in flat, key
    for sector in REPORT_SECTORS:
        assert sector_name(sector.value, lang, capital=True) in flat
    assert SYNTHETIC_BANNER[lang] in flat
    pages = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(
                ["pdfinfo", str(out)], check=True, capture_output=True, text=True
            ).stdout,
        )[1]
    )  # type: ignore[index]
    # the banner is on every page
    assert flat.count(SYNTHETIC_BANNER[lang]) >= pages
    page_word = "Side" if lang == "nb" else "Page"
    assert f"{page_word} 2 / {pages}" in flat
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    prefix = artifacts / f"report-{code}-{lang}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "4", str(out), str(prefix)], check=True
    )
    assert list(artifacts.glob(f"report-{code}-{lang}-*.png"))


@pytest.mark.parametrize(
    ("index", "direction", "tone"),
    [
        (130.0, "higher_better", "good"),
        (70.0, "higher_better", "bad"),
        (130.0, "lower_better", "bad"),
        (70.0, "lower_better", "good"),
        (130.0, "neutral", "neutral"),
        (100.2, "higher_better", "neutral"),
    ],
)
def test_profile_bar_tone_follows_the_catalog_direction(
    index: float, direction: str, tone: str
) -> None:
    bar = render.profile_bar(index, direction, 40.0, "nb")
    assert bar["tone"] == tone
    assert number(index, "nb", 0) in bar["label"]


def test_profile_bars_and_their_legend_speak_nynorsk() -> None:
    bar = render.profile_bar(80.0, "higher_better", 40.0, "nn")
    assert bar["label"] == "Indeks 80: 20 under, ugunstig retning"
    assert render.profile_bar(None, "higher_better", 40.0, "nn")["label"] == "indeks manglar"
    legend = render.profile_bar_legend(40.0, "ASSS", "nn")
    assert legend.startswith("Søyler: indeksen mot snittet for ASSS (midtlinja = 100; ei halv")
    assert "nøkkeltallet" not in legend
    assert render.profile_bar_legend(40.0, "ASSS", "nb").startswith("Søyler: indeksen mot ASSS-")


def test_profile_bar_geometry_from_the_centre_line() -> None:
    above = render.profile_bar(120.0, "higher_better", 40.0, "en")
    assert (above["left"], above["width"], above["clipped"]) == (50.0, 25.0, False)
    assert above["label"] == "Index 120: 20 above, favourable direction"
    below = render.profile_bar(80.0, "higher_better", 40.0, "en")
    assert (below["left"], below["width"]) == (25.0, 25.0)
    assert below["label"] == "Index 80: 20 below, unfavourable direction"
    cut = render.profile_bar(300.0, "lower_better", 100.0, "nb")
    assert (cut["left"], cut["width"], cut["clipped"]) == (50.0, 50.0, True)
    missing = render.profile_bar(None, "higher_better", 40.0, "nb")
    assert missing["width"] == 0.0
    assert missing["label"] == "indeks mangler"
    assert render.bar_half([100.0, 87.0, 112.0, None]) == 20.0
    assert render.bar_half([100.0, 63.0]) == 40.0
    assert render.bar_half([500.0]) == render.PROFILE_BAR_MAX
    assert render.bar_half([None]) == render.PROFILE_BAR_MIN


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_draws_the_profile_as_table_bars(lang: str) -> None:
    """The print version shows each sector's profile as bars in its table (coloured by the
    catalog's direction, with a text label) instead of a chart; the HTML keeps the chart."""
    data, found, page = rendered(BAERUM, lang)
    printed = render.print_html(data, lang, findings=found)
    assert 'id="fig-profile-' not in printed
    assert 'id="fig-profile-' in page
    assert 'class="track"' not in page
    for row in data.profile:
        match = re.search(rf'<tr id="ind-{row.indicator_id}">(.*?)</tr>', printed, re.DOTALL)
        assert match, row.indicator_id
        cells = re.findall(r"<td[^>]*>(.*?)</td>", match[1], re.DOTALL)
        assert html.unescape(cells[3].strip()) == number(row.index, lang, 0)
        label = re.search(r'class="track" role="img" aria-label="([^"]*)"', cells[4])
        assert label, row.indicator_id
        direction = data.indicator(row.indicator_id).direction
        tone = re.search(r'class="fill (\w+)', cells[4])
        if row.index is None:
            assert tone is None
            continue
        assert number(row.index, lang, 0) in html.unescape(label[1])
        assert tone is not None
        if direction == "neutral" or round(row.index - 100) == 0:
            assert tone[1] == "neutral"
        else:
            good = (row.index > 100) == (direction == "higher_better")
            assert tone[1] == ("good" if good else "bad"), row.indicator_id
    assert printed.count('class="note bar-legend"') == sum(
        1 for s in REPORT_SECTORS if data.sector_profile(s)
    )


def test_map_of_a_chosen_key_figure() -> None:
    data = make_report(BAERUM, map_indicator="kultur_og_fritid_2")
    page = render.render_html(data, "nb")
    specs = json.loads(
        re.search(  # type: ignore[index]
            r'<script type="application/json" id="kostra-specs">(.*?)</script>', page, re.DOTALL
        )[1]
    )
    spec = specs["fig-map-indicator"]
    assert "antall per 1000 innbyggere, kultur og fritid 3" in spec["description"].lower()
    values = spec["hconcat"][0]["layer"][0]["transform"][-1]["from"]["data"]["values"]
    assert len(values) == 357


def test_specs_declare_and_follow_the_bundled_vega_lite() -> None:
    """Every chart of the HTML report, and the PDF's combined figures, declare the Vega-Lite
    version vl-convert bundles and converts with, and are valid under its schema."""
    import jsonschema
    import vl_convert
    from altair.vegalite import v6

    version = vl_convert.get_vegalite_versions()[-1]
    bundle = render.javascript_bundle()
    assert f'"{version}.' in bundle  # the bundle's Vega-Lite (e.g. "6.4.1")
    major = version.split(".")[0]
    # altair's copy of the schema stands in for the published one (tests are offline)
    assert v6.SCHEMA_VERSION.startswith(f"v{major}.")
    validator = jsonschema.Draft7Validator(v6.schema.core.load_schema())
    data, found, page = rendered(BAERUM, "nb")
    specs = json.loads(
        re.search(  # type: ignore[index]
            r'<script type="application/json" id="kostra-specs">(.*?)</script>', page, re.DOTALL
        )[1]
    )
    views = [render._sector_view(data, s, "nb", found) for s in REPORT_SECTORS]
    combined = [c.spec for v in views for c in (v.series_grid, v.strip_stack) if c is not None]
    assert len(specs) > 20
    assert combined
    for spec in [*specs.values(), *combined]:
        assert spec["$schema"] == f"https://vega.github.io/schema/vega-lite/v{version}.json"
        errors = list(validator.iter_errors(spec))
        assert not errors, (spec["description"][:60], errors[0].message[:200])


def test_pdf_draws_one_headline_series_per_sector_and_html_keeps_all() -> None:
    """The print version draws each sector's first time series (its headline, as the HTML
    orders them) and no other; the HTML keeps every series of the sector."""
    data, found, page = rendered(BAERUM, "nb")
    printed = render.print_html(data, "nb", findings=found)
    views = [render._sector_view(data, s, "nb", found) for s in REPORT_SECTORS]
    with_series = [v for v in views if v.series]
    assert with_series
    assert any(len(v.series) > 1 for v in with_series)
    for view in with_series:
        grid = view.series_grid
        assert grid is not None
        assert grid.spec == view.series[0].spec
        assert printed.count(f'id="fig-series-{view.sector}"') == 1
        for chart in view.series:
            assert f'id="{chart.id}"' in page
            assert f'id="{chart.id}"' not in printed


@pytest.mark.parametrize(
    ("kind", "name", "code", "old", "continuing", "expected"),
    [
        # kept its code and took the others in
        (
            "merger",
            "Stavanger",
            "1103",
            ("Finnøy", "Rennesøy"),
            True,
            "2020: Stavanger (1103) – sammenslått med Finnøy og Rennesøy.",
        ),
        # kept its name under a new code
        (
            "merger",
            "Drammen",
            "3005",
            ("Drammen", "Nedre Eiker", "Svelvik"),
            False,
            "2020: Drammen (3005) – sammenslått med Nedre Eiker og Svelvik.",
        ),
        # a new municipality
        (
            "merger",
            "Lillestrøm",
            "3030",
            ("Sørum", "Fet", "Skedsmo"),
            False,
            "2020: Lillestrøm (3030) – dannet ved sammenslåing av Sørum, Fet og Skedsmo.",
        ),
        (
            "split",
            "Haram",
            "1580",
            ("Ålesund",),
            False,
            "2020: Haram (1580) – skilt ut fra Ålesund.",
        ),
    ],
)
def test_merger_verbs(
    kind: str, name: str, code: str, old: tuple[str, ...], continuing: bool, expected: str
) -> None:
    from kostra.report.locale import event_text

    text = event_text(kind, 2020, name, code, old, ("x",) * len(old), "nb", continuing=continuing)
    assert text == expected
    assert "sammenslåing fra" not in text


def test_print_charts_from_the_chart_process_equal_those_converted_here() -> None:
    """A PDF command converts its charts in a second process (vl-convert holds the GIL, so a
    thread could not overlap them): the print version is the same, images and alt texts
    included, in document order, and the process is used once."""
    data, found, _ = rendered(BAERUM, "nb")
    here = render.print_html(data, "nb", findings=found)
    printing.start_chart_process()
    started = printing._STARTED
    assert started is not None
    there = render.print_html(data, "nb", findings=found)
    assert printing._STARTED is None
    assert started.returncode == 0
    assert there == here
    assert "@@kostra-image-" not in there
    assert len(started.answers) == there.count("<img ") > 20
    assert all(ok for ok, _ in started.answers)


def test_charts_the_chart_process_did_not_answer_are_converted_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chart process that died converts nothing: every chart is converted in this process,
    and a conversion error is raised here."""
    data, found, _ = rendered(BAERUM, "nb")
    here = render.print_html(data, "nb", findings=found)
    printing.start_chart_process()
    assert printing._STARTED is not None
    printing._STARTED.kill()
    assert render.print_html(data, "nb", findings=found) == here

    def broken(*_: Any, **__: Any) -> str:
        raise ValueError("vl-convert failed")

    printing.start_chart_process()
    assert printing._STARTED is not None
    printing._STARTED.kill()
    monkeypatch.setattr(printing, "chart_svg", broken)
    with pytest.raises(ValueError, match="vl-convert failed"):
        render.print_html(data, "nb", findings=found)


def _pdf_from_print_html(code: str, lang: str) -> bytes:
    data, found, _ = rendered(code, lang)
    return printing.write_pdf(render.print_html(data, lang, findings=found))


def test_a_pdf_laid_out_while_its_charts_convert_equals_one_from_the_print_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WeasyPrint lays the pages out while the chart process converts the charts, and takes each
    chart when the layout first needs it: the PDF is byte for byte the one made from the print
    version, where every chart was converted first (maps as PNG included)."""
    data, found, _ = rendered(BAERUM, "nb")
    expected = _pdf_from_print_html(BAERUM, "nb")
    asked: list[int] = []
    image = printing.ChartProcess.image

    def recorded(self: printing.ChartProcess, index: int) -> bytes:
        asked.append(index)
        return image(self, index)

    monkeypatch.setattr(printing.ChartProcess, "image", recorded)
    printing.start_chart_process()
    started = printing._STARTED
    assert started is not None
    fed: list[str] = []
    write = printing.write_pdf

    def watched(html_text: str, charts: printing.ChartProcess | None = None) -> bytes:
        fed.append(html_text)
        return write(html_text, charts)

    monkeypatch.setattr(render, "write_pdf", watched)
    assert render.render_pdf(data, "nb", findings=found) == expected
    # WeasyPrint was given the placeholders, not the images, and asked for every chart once
    assert "data:image" not in fed[0]
    assert sorted(asked) == list(range(len(started)))
    assert len(started) > 20
    assert started.returncode == 0


def test_a_chart_process_that_died_still_gives_the_same_pdf() -> None:
    """The charts a dead chart process did not convert are converted here, when WeasyPrint's
    layout asks for them."""
    data, found, _ = rendered(UTSIRA, "en")
    expected = _pdf_from_print_html(UTSIRA, "en")
    printing.start_chart_process()
    assert printing._STARTED is not None
    printing._STARTED.kill()
    assert render.render_pdf(data, "en", findings=found) == expected


def test_a_chart_weasyprint_cannot_read_shows_its_alt_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As for any unreadable ``<img>``, the chart's text alternative stands in its place: the
    PDF is made again from the print version, which WeasyPrint reads image by image."""
    pypdf = pytest.importorskip("pypdf")
    import io

    data, found, _ = rendered(BAERUM, "nb")
    monkeypatch.setattr(printing.ChartProcess, "image", lambda self, index: b"<not an image")
    printing.start_chart_process()
    started = printing._STARTED
    assert started is not None
    pdf = render.render_pdf(data, "nb", findings=found)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    first = re.sub(r"\s+", " ", started.chart(0).alt)
    assert first[:60] in re.sub(r"\s+", " ", text)


def test_a_pdf_with_its_charts_converted_apart_is_the_same() -> None:
    """``charts_apart`` (a server's document worker rendering one PDF) starts the chart process
    itself: the same PDF, and the process is used up."""
    data, found, _ = rendered(UTSIRA, "en")
    expected = _pdf_from_print_html(UTSIRA, "en")
    assert render.render_pdf(data, "en", findings=found, charts_apart=True) == expected
    assert printing._STARTED is None


def test_a_chart_process_started_and_not_used_is_kept() -> None:
    """Starting the chart process twice keeps the first (a second would be left waiting)."""
    printing.start_chart_process()
    first = printing._STARTED
    try:
        printing.start_chart_process()
        assert printing._STARTED is first
    finally:
        started = printing.take_chart_process()
        if started is not None:
            started.end()
