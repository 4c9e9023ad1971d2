"""Nynorsk: a report and the web pages written in nynorsk, and nynorsk as the default language
of a report or deck for a municipality whose official written language is nynorsk."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kostra.catalog import load_catalog
from kostra.cli import app, main
from kostra.i18n.choice import document_lang, written_language
from kostra.report import render
from kostra.report.build import report_findings
from kostra.report.model import ReportData
from kostra.settings import Settings, default_lang
from language_checks import BOKMAL_MARKERS, bokmal_words, catalog_texts
from made_up_report import BAERUM, SUNNFJORD, make_report

#: Bokmål forms that nynorsk never uses ("ikke", "kommuner", "beregnet" …), as whole words.
#: Nynorsk words the report and pages must use.
NYNORSK_WORDS = ("ikkje", "kommunar", "samanlikna", "frå", "tal")


def _visible(page: str) -> str:
    """The text a reader sees: no scripts or styles, tags dropped, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _without_ssb_labels(text: str, data: ReportData) -> str:
    """``text`` without SSB's own key-figure names and the catalog's notes on them: SSB
    publishes them in bokmål and English only, and the report quotes them as they are."""
    labels = set()
    for indicator in data.indicators:
        labels.add(indicator.name_nb)
        if indicator.caveat_nb:
            labels.add(indicator.caveat_nb)
    for label in sorted(labels, key=len, reverse=True):
        text = text.replace(label, " ")
        text = text.replace(label[:1].lower() + label[1:], " ")
    return text


@pytest.fixture(scope="module")
def nynorsk_report() -> tuple[ReportData, str]:
    data = make_report(SUNNFJORD)
    page = render.render_html(data, "nn", findings=report_findings(data))
    return data, page


def test_report_in_nynorsk_has_no_bokmal(nynorsk_report: tuple[ReportData, str]) -> None:
    data, page = nynorsk_report
    assert '<html lang="nn">' in page
    text = _without_ssb_labels(_visible(page), data)
    assert bokmal_words(text) == []
    words = set(re.findall(r"\w+", text.lower()))
    for word in NYNORSK_WORDS:
        assert word in words, word


def test_report_in_nynorsk_keeps_numbers_norwegian(
    nynorsk_report: tuple[ReportData, str],
) -> None:
    _, page = nynorsk_report
    text = _visible(page)
    assert "Samanlikningsgruppe" in text
    assert re.search(r"\d,\d", text)  # a decimal comma, as in bokmål


@pytest.fixture(scope="module")
def client(interval_client: TestClient) -> TestClient:
    return interval_client


@pytest.mark.parametrize(
    "url",
    [
        "/?lang=nn",
        f"/kommune/{SUNNFJORD}?lang=nn",
        f"/kommune/{SUNNFJORD}/grunnskole?lang=nn",
        "/rangering?lang=nn",
        "/kart?lang=nn",
        f"/sammenlign?lang=nn&k={SUNNFJORD}",
        f"/kommune/{SUNNFJORD}/nokkeltall?lang=nn",
        f"/kommune/{SUNNFJORD}/fakta?lang=nn",
        "/rangering/sektor/grunnskole?lang=nn",
        "/sok?q=lærar&lang=nn",
    ],
)
def test_web_pages_in_nynorsk(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    page = response.text
    assert '<html lang="nn">' in page
    # names of key figures are SSB's (bokmål); the page's own words are nynorsk
    assert bokmal_words(_strip_catalog_names(_visible(page))) == []


def _strip_catalog_names(text: str) -> str:
    for indicator in sorted(load_catalog().indicators, key=lambda i: -len(i.name_nb)):
        text = text.replace(indicator.name_nb, " ")
        if indicator.caveat_nb:
            text = text.replace(indicator.caveat_nb, " ")
    return text


@pytest.mark.parametrize("path", [f"/api/kommune/{SUNNFJORD}", "/api/rangering"])
def test_web_downloads_in_nynorsk_have_nynorsk_headers(client: TestClient, path: str) -> None:
    csv = client.get(path, params={"lang": "nn", "format": "csv"})
    assert csv.status_code == 200, csv.text
    header = csv.content.decode("utf-8-sig").splitlines()[0]
    assert bokmal_words(header) == []
    nb = client.get(path, params={"format": "csv"}).content.decode("utf-8-sig").splitlines()[0]
    assert header != nb  # the same columns, in the other written language
    assert header.count(";") == nb.count(";")
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(path, params={"lang": "nn", "format": "xlsx"}).content)
    )
    cells = [c.value for c in next(workbook.active.iter_rows(max_row=1))]
    assert ";".join(str(c) for c in cells) == header.replace('"', "")


def test_web_language_switch_offers_the_other_two(client: TestClient) -> None:
    page = client.get(f"/kommune/{SUNNFJORD}?lang=nn").text
    assert 'hreflang="en"' in page
    assert 'hreflang="nb"' in page
    assert 'hreflang="nn"' not in page


def test_malform_decides_the_default_language() -> None:
    assert written_language(SUNNFJORD) == "nn"
    assert written_language(BAERUM) == "nb"
    assert written_language("0301") is None  # Oslo is neutral
    assert document_lang(SUNNFJORD, None, "nb") == "nn"
    assert document_lang(SUNNFJORD, "en", "nb") == "en"  # the user's choice wins
    assert document_lang(BAERUM, None, "en") == "en"
    assert document_lang("0301", None, "nb") == "nb"


def test_default_language_follows_kostra_lang_then_the_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("KOSTRA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert default_lang() == "nb"
    monkeypatch.setenv("LANG", "nn_NO.UTF-8")
    assert default_lang() == "nn"
    assert Settings().lang == "nn"
    assert not Settings().lang_chosen
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert default_lang() == "en"
    monkeypatch.setenv("LC_ALL", "C")
    assert default_lang() == "nb"
    monkeypatch.setenv("KOSTRA_LANG", "nn")
    assert Settings().lang == "nn"
    assert Settings().lang_chosen
    assert Settings().text_lang == "nn"


def test_cli_takes_nn_and_writes_its_tables_in_nynorsk(tmp_db: object) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["--lang", "nn", "catalog", "--sector", "barnehage"])
    assert result.exit_code == 0, result.output
    assert "Nøkkeltal" in result.output
    assert "eining" in result.output
    assert "kjelde" in result.output
    wrong = runner.invoke(app, ["--lang", "se", "catalog"])
    assert wrong.exit_code == 2
    assert "nn (nynorsk)" in wrong.output


def test_report_command_writes_nynorsk_for_a_nynorsk_municipality(
    tmp_db: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KOSTRA_LANG", raising=False)
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    render.javascript_bundle.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["report", "Sunnfjord", "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert '<html lang="nn">' in (tmp_path / "sunnfjord-2024.html").read_text(encoding="utf-8")
    # the user's choice wins over the målform
    result = runner.invoke(
        app, ["--lang", "en", "report", "Sunnfjord", "-y", "2024", "-o", "x.html"]
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="en">' in (tmp_path / "x.html").read_text(encoding="utf-8")
    render.javascript_bundle.cache_clear()


def test_year_context_and_summary_sentences_in_nynorsk() -> None:
    """The overview's sentences (analysis.overview) have their own nynorsk, not bokmål."""
    from kostra.analysis.overview import (
        Change,
        Ranked,
        SectorRank,
        overall_position,
        peer_place,
        rank_range,
        year_context,
    )

    changes = [
        Change("merger", 2020, "Voss", ("Voss", "Granvin"), "self"),
        Change("merger", 2020, "Sunnfjord", ("Førde", "Jølster"), "peer"),
        Change("renumbering", 2024, "Voss", ("Voss",), "self"),
    ]
    statements = [
        *year_context("Voss", changes, [2020, 2021], 2016, 2024),
        *year_context("Voss", [], [], 2022, 2024),
        peer_place(
            Ranked("4621", "Voss", 10),
            [Ranked("4647", "Sunnfjord", 5), Ranked("4640", "Sogndal", 20)],
            [],
            "KOSTRA-gruppe 11",
        ),
        rank_range([SectorRank("grunnskole", 4, 356), SectorRank("sosiale_tjenester", 300, 356)]),
        overall_position(109.0, 92.0),
    ]
    assert len(statements) == 8
    for statement in statements:
        assert statement is not None
        assert statement.text_nn is not None, statement.rule_id
        assert bokmal_words(statement.text("nn")) == [], statement.text("nn")


@pytest.mark.parametrize("command", ["costs", "indices", "profile"])
def test_cli_assumptions_are_nynorsk(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the "Føresetnader" line: every note of the result in nynorsk, no bokmål left in it
    monkeypatch.setenv("COLUMNS", "400")
    capsys.readouterr()
    main(["--lang", "nn", command, "Bærum", "--year", "2024"])
    out = " ".join(capsys.readouterr().out.split())
    assumptions = out[out.index("Føresetnader:") :]
    for bokmal in ("måles", " uten ", "ADVARSEL", "lavere", "pandemiårene", "kommunene", "nevner"):
        assert bokmal not in assumptions, (command, bokmal)


def test_catalog_caveats_are_nynorsk_in_nynorsk_output(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    nynorsk_report: tuple[ReportData, str],
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    capsys.readouterr()
    main(["--lang", "nn", "profile", "Bærum", "--year", "2024", "--sector", "barnehage"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Kan gå over 100 når barn går i barnehage i ein annan kommune enn dei bur i." in out
    assert "i en annen kommune enn de bor i" not in out
    # the report's caveat of a made-up key figure, in the catalog's nynorsk
    _data, page = nynorsk_report
    assert "Skular med få elevar kan svinge mykje frå år til år." in page
    assert "Skoler med få elever" not in page


#: Bokmål forms that nynorsk writes otherwise (nn in brackets), beyond ``BOKMAL_MARKERS``.
_MORE_BOKMAL = (
    "hvis",  # viss
    "hvor",  # kvar
    "hvordan",  # korleis
    "noen",  # nokre, nokon
    "mye",  # mykje
    "uten",  # utan
    "ble",  # vart, blei
    "mens",  # medan
    "være",  # vere
    "bruker",  # brukar
    "brukere",  # brukarar
    "tjeneste",  # teneste
    "høyere",  # høgare
    "lavere",  # lågare
    "beregne",  # berekne
    "sammenligne",  # samanlikne
    "sammenligning",  # samanlikning
    "gjennomsnittlig",  # gjennomsnittleg
)


def test_the_whole_nynorsk_catalog_is_free_of_bokmal_forms() -> None:
    """Every nynorsk message, read as a whole (not only what one report shows)."""
    markers = {*BOKMAL_MARKERS, *_MORE_BOKMAL}
    found = []
    for key, said in catalog_texts("nn"):
        words = {w for w in re.findall(r"[A-Za-zÆØÅæøå]+", said) if w.lower() in markers}
        if words:
            found.append(f"{key}: {sorted(words)}")
    assert found == []
