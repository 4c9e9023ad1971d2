"""A standard peer group is named in the reader's language (issue 15: English output without
Norwegian): "Landet uten Oslo" is "Norway excl. Oslo" in an English report, deck and page, and
"Landet utan Oslo" in nynorsk; ASSS and county names stay as they are."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kostra.i18n import peer_group_name
from kostra.report.pipeline import report_data
from kostra.report.render import render_html
from kostra.slides.build import deck_view
from kostra.web import WebData


def test_standard_names_translate_and_others_stay() -> None:
    assert peer_group_name("Landet uten Oslo", "en") == "Norway excl. Oslo"
    assert peer_group_name("Landet uten Oslo", "nn") == "Landet utan Oslo"
    assert peer_group_name("Lignende kommuner", "en") == "Similar municipalities"
    assert peer_group_name("Landet", "en") == "Norway"
    assert peer_group_name("ASSS", "en") == "ASSS"
    assert peer_group_name("Vestland", "en") == "Vestland"


def test_report_and_deck_name_the_group_in_their_language(sample_web: WebData) -> None:
    data = report_data(sample_web.year_view(2024).inputs, "3201", peers="country_ex_oslo")
    english = render_html(data, lang="en")
    assert "compared with Norway excl. Oslo" in " ".join(english.split())
    nynorsk = render_html(data, lang="nn")
    assert "Landet utan Oslo" in nynorsk
    deck = deck_view(data, "en")
    words = " ".join(str(slide) for slide in deck.slides)
    assert "Norway excl. Oslo" in words
    assert "Landet uten Oslo (" not in words


def test_web_page_names_the_group_in_its_language(sample_client: TestClient) -> None:
    page = sample_client.get("/kommune/3201?ar=2024&gruppe=country_ex_oslo&lang=en").text
    assert "Norway excl. Oslo" in page
    api = sample_client.get("/api/kommune/3201?ar=2024&gruppe=country_ex_oslo&lang=en").json()
    assert api["peers"]["name"] == "Norway excl. Oslo"
