"""The small-number rule reaches every surface (issue 11.8): Utsira's report and web pages mark
an index on too few inhabitants (S, no index) and an index beyond the caps (!) with the rule in
words, and the download carries both flags; Bærum's pages have none of it."""

from __future__ import annotations

import io
import re

import polars as pl
import pytest
from fastapi.testclient import TestClient

from kostra.analysis.method import SMALL_NUMBERS
from kostra.report.model import ProfileRow
from kostra.report.pipeline import report_data
from kostra.report.render import render_html
from kostra.web import WebData

UTSIRA, BAERUM = "1151", "3201"


def test_report_marks_every_flagged_row_and_states_the_rule(sample_web: WebData) -> None:
    data = report_data(sample_web.year_view(2024).inputs, UTSIRA, peers="county")
    flagged = [r for r in data.profile if r.beyond_cap]
    small = [r for r in data.profile if r.small_base]
    assert flagged
    assert small
    assert all(r.index is None for r in small)  # no index on a tiny base
    caps = SMALL_NUMBERS

    def beyond(row: ProfileRow) -> bool:
        index, value, before = row.index, row.value, row.previous_value
        if index is not None and not caps.index_floor <= index <= caps.index_cap:
            return True
        change = None if not before or value is None else (value - before) / abs(before) * 100
        return change is not None and abs(change) > caps.change_cap

    assert all(beyond(r) for r in flagged)
    html = render_html(data, lang="nb")
    # every flagged row of a sector table carries its mark
    for row in flagged:
        cells = re.search(rf'<tr id="ind-{row.indicator_id}">(.*?)</tr>', html, flags=re.S)
        if cells is not None:
            assert "&nbsp;!" in cells.group(1), row.indicator_id
    for row in small:
        cells = re.search(rf'<tr id="ind-{row.indicator_id}">(.*?)</tr>', html, flags=re.S)
        if cells is not None:
            assert '<td class="n">S' in cells.group(1), row.indicator_id
    assert "S = ingen indeks: for få innbyggere" in html
    assert SMALL_NUMBERS.text().text("nb") in html
    english = render_html(data, lang="en")
    assert "S = no index: too few inhabitants" in english


def test_baerum_report_has_no_small_number_marks(sample_web: WebData) -> None:
    data = report_data(sample_web.year_view(2024).inputs, BAERUM, peers="asss")
    assert not any(r.small_base or r.beyond_cap for r in data.profile)
    assert "S = ingen indeks" not in render_html(data, lang="nb")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_web_sector_page_and_download_mark_and_explain(
    sample_client: TestClient, lang: str
) -> None:
    page = sample_client.get(f"/kommune/{UTSIRA}/pleie_og_omsorg?ar=2024&lang={lang}").text
    assert 'data-testid="small-base"' in page
    assert 'data-testid="small-numbers-legend"' in page
    rows = sample_client.get(f"/api/kommune/{UTSIRA}/pleie_og_omsorg?ar=2024&lang={lang}").json()
    small = [r for r in rows["rows"] if r["small_base"]]
    assert small
    assert all(r["index"] is None for r in small)
    download = sample_client.get(
        f"/api/kommune/{UTSIRA}/pleie_og_omsorg?ar=2024&format=xlsx&lang={lang}"
    )
    assert download.status_code == 200
    csv = sample_client.get(f"/api/kommune/{UTSIRA}/pleie_og_omsorg?ar=2024&format=csv&lang={lang}")
    table = pl.read_csv(
        io.BytesIO(csv.content), separator="," if lang == "en" else ";", infer_schema=False
    )
    marked = next(c for c in table.columns if c.endswith("(S)"))
    assert table[marked].str.to_lowercase().is_in(["true"]).sum() == len(small)
    assert (
        "small-numbers-legend"
        not in sample_client.get(f"/kommune/{BAERUM}/pleie_og_omsorg?ar=2024&lang={lang}").text
    )
