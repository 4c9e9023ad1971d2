"""A key figure whose SSB codes are not yet confirmed says so in words on every surface
(issue 10.5): the CLI's note, the report's § mark and legend, the web's § mark and note, the API
and the downloads' column, in bokmål, nynorsk and English."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from kostra.catalog import load_catalog
from kostra.catalog.models import Indicator, series_of
from kostra.catalog.verify import unconfirmed_sentence
from kostra.report.pipeline import report_data
from kostra.report.render import render_html
from kostra.web import WebData

SECTOR = "barnehage"


def _unconfirmed() -> list[Indicator]:
    return [
        i for i in load_catalog().indicators if not i.source_confirmed and i.sector.value == SECTOR
    ]


def test_the_sentence_in_every_language_names_the_tables() -> None:
    indicator = next(i for i in _unconfirmed() if len({r.table_id for r in series_of(i)}) == 1)
    (table,) = {ref.table_id for ref in series_of(indicator)}
    assert f"SSB-tabell {table} er ikke kontrollert mot SSB" in (
        unconfirmed_sentence(indicator, "nb") or ""
    )
    assert f"SSB-tabell {table} er ikkje kontrollerte mot SSB" in (
        unconfirmed_sentence(indicator, "nn") or ""
    )
    assert f"SSB table {table} have not been checked" in (
        unconfirmed_sentence(indicator, "en") or ""
    )
    confirmed = next(i for i in load_catalog().indicators if i.source_confirmed)
    assert unconfirmed_sentence(confirmed, "nb") is None


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_web_sector_page_api_and_download_say_it(sample_client: TestClient, lang: str) -> None:
    names = {i.id for i in _unconfirmed()}
    page = sample_client.get(f"/kommune/3201/{SECTOR}?ar=2024&lang={lang}").text
    assert 'data-testid="unconfirmed-mark"' in page
    sentence = unconfirmed_sentence(_unconfirmed()[0], lang) or ""
    assert 'data-testid="unconfirmed-note"' in page
    assert sentence.split(";")[0].replace("`", "") in page.replace("`", "")
    rows = sample_client.get(f"/api/kommune/3201/{SECTOR}?ar=2024&lang={lang}").json()["rows"]
    flagged = {r["indicator_id"] for r in rows if r["unconfirmed"]}
    assert flagged
    assert flagged <= names
    assert all(r["unconfirmed"] is None for r in rows if r["indicator_id"] not in names)
    download = sample_client.get(f"/api/kommune/3201/{SECTOR}?ar=2024&lang={lang}&format=csv")
    table = pl.read_csv(
        io.BytesIO(download.content), separator=";" if lang != "en" else ",", infer_schema=False
    )
    header = {"nb": "kode ikke kontrollert mot SSB", "en": "code not checked against SSB"}
    column = header.get(lang, header["nb"]) if lang != "nn" else None
    if column is None:  # nynorsk headers: the column whose cells hold the nynorsk sentence
        column = next(c for c in table.columns if (table[c].drop_nulls() == sentence).any())
    assert (table[column].drop_nulls() != "").sum() == len(flagged)


def test_report_marks_and_explains(sample_web: WebData, tmp_path: Path) -> None:
    data = report_data(sample_web.year_view(2024).inputs, "3201", peers="asss")
    html = render_html(data, lang="nb")
    names = [i.name_nb for i in _unconfirmed() if data.profile_row(i.id) is not None]
    assert names
    assert "&nbsp;§" in html
    assert 'class="caveat unconfirmed">§ ' in html
    assert "er ikke kontrollert mot SSB ennå" in html
