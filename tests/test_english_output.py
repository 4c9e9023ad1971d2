"""English output is English: the main web pages, the report and the CLI tables in ``en`` carry
no Norwegian words of their own.

The words below are common Norwegian (bokmål and nynorsk) that English never uses. Proper names
are taken out first: municipalities and counties, SSB's and others' names of things
(:data:`PROPER_NAMES`), and the names of peer groups as SSB writes them.
"""

from __future__ import annotations

import html
import re

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kostra.cli import app
from kostra.report import render
from kostra.report.build import report_findings
from language_checks import catalog_texts, norwegian_words
from made_up_report import BAERUM, make_report


#: Norwegian words, as whole words (case-insensitive), that an English text never holds.
def _visible(page: str) -> str:
    """The text a reader sees: no scripts or styles, tags dropped, entities decoded."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_check_finds_norwegian_and_spares_names() -> None:
    assert norwegian_words("Bærum og Asker: 3 kommuner uten tall") == [
        "kommuner",
        "og",
        "tall",
        "uten",
    ]
    assert norwegian_words("Source: Statistisk sentralbyrå, Grønt hefte; Nord-Fron") == []
    assert norwegian_words("Net operating expenditure per inhabitant in Bærum") == []
    assert norwegian_words("pleie_og_omsorg: equal weights") == []


@pytest.fixture(scope="module")
def client(interval_client: TestClient) -> TestClient:
    return interval_client


@pytest.mark.parametrize(
    "url",
    [
        "/?lang=en",
        f"/kommune/{BAERUM}?lang=en",
        f"/kommune/{BAERUM}/grunnskole?lang=en",
        f"/kommune/{BAERUM}/pleie_og_omsorg?lang=en",
        "/rangering?lang=en",
        "/rangering/sektor/grunnskole?lang=en",
        "/kart?lang=en",
        f"/sammenlign?lang=en&k={BAERUM}&k=0301",
        f"/kommune/{BAERUM}/nokkeltall?lang=en",
        f"/kommune/{BAERUM}/fakta?lang=en",
        "/sok?q=teacher&lang=en",
    ],
)
def test_web_pages_in_english_have_no_norwegian(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert '<html lang="en">' in response.text
    assert norwegian_words(_visible(response.text)) == []


@pytest.mark.parametrize("path", [f"/api/kommune/{BAERUM}", "/api/rangering"])
def test_web_downloads_in_english_have_english_headers(client: TestClient, path: str) -> None:
    response = client.get(path, params={"lang": "en", "format": "csv"})
    assert response.status_code == 200, response.text
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert norwegian_words(header.replace("_", " ")) == []


def test_report_in_english_has_no_norwegian() -> None:
    data = make_report(BAERUM)
    page = render.render_html(data, "en", findings=report_findings(data))
    assert '<html lang="en">' in page
    text = _visible(page)
    # the test data's key figures are named after their sector's id ("… pleie og omsorg 2")
    for indicator in sorted(data.indicators, key=lambda i: -len(i.name_en)):
        text = text.replace(indicator.name_en, " ")
        text = text.replace(indicator.name_en[:1].lower() + indicator.name_en[1:], " ")
    assert norwegian_words(text) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["catalog", "--sector", "barnehage"],
        ["municipalities", "--year", "2024", "--county", "Agder"],
        ["peers", "Bærum", "--year", "2024"],
        ["population", "Bærum", "--year", "2023", "--year", "2024"],
        ["profile", "Bærum", "--year", "2024", "--sector", "grunnskole"],
        ["costs", "Bærum", "--year", "2024"],
        ["indices", "Bærum", "--year", "2024"],
        ["nokkeltall", "Bærum", "--year", "2024"],
        ["fakta", "Bærum", "--year", "2024"],
        ["similar", "Bærum", "--year", "2024"],
        ["barometer", "--year", "2024"],
        ["db", "info"],
    ],
)
def test_cli_tables_in_english_have_no_norwegian(tmp_db: object, argv: list[str]) -> None:
    # wide enough that no name is cut ("Herøy (Møre og Romsdal)")
    result = CliRunner().invoke(app, ["--lang", "en", *argv], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert norwegian_words(result.output) == []


def test_cli_export_headers_in_english(tmp_db: object) -> None:
    result = CliRunner().invoke(
        app, ["--lang", "en", "profile", "Bærum", "--year", "2024", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    header = pl.read_csv(result.stdout.encode(), n_rows=1).columns
    assert norwegian_words(" ".join(header)) == []


def test_the_whole_english_catalog_is_free_of_norwegian_words() -> None:
    """Every English message, read as a whole (not only what one page shows); SSB's and the
    places' proper names are spared by the check."""
    found = [
        f"{key}: {words}" for key, said in catalog_texts("en") if (words := norwegian_words(said))
    ]
    assert found == []
