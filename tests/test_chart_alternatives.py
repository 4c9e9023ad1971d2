"""Every chart of the web pages and the HTML report has a text alternative (WCAG 1.1.1): the
spec's ``description``, read as the chart's accessible name, with the figures in it; the marks
themselves are hidden from assistive technology so the chart reads as one image."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kostra.report.locale import number
from kostra.web import WebData, create_app

PAGES = [
    "/",
    "/kommune/3201",
    "/kommune/3201/grunnskole",
    "/kommune/3201?lang=en",
    "/kart",
    "/sammenlign?k=0301&k=Bergen&k=Tromsø",
]

_CHART = re.compile(
    r'<div id="([^"]+)" class="vega" role="img" aria-label="([^"]*)"[^>]*></div>\s*'
    r'<script type="application/json" class="vega-spec" data-target="\1">(.*?)</script>',
    re.DOTALL,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("web") / "none.duckdb"
    with TestClient(create_app(web=WebData(db, resamples=50))) as c:
        yield c


def page_charts(client: TestClient, path: str) -> list[tuple[str, dict[str, Any]]]:
    """The charts of a page: each container's accessible name and its Vega-Lite spec."""
    response = client.get(path)
    assert response.status_code == 200, path
    found = _CHART.findall(response.text)
    # every chart container of the page is one the pattern read
    assert len(found) == response.text.count('class="vega-spec"'), path
    return [(html.unescape(label), json.loads(spec)) for _, label, spec in found]


def _marks_hidden(spec: dict[str, Any]) -> bool:
    return spec.get("config", {}).get("mark", {}).get("aria") is False


@pytest.mark.parametrize("path", PAGES)
def test_web_charts_are_named_by_their_description(client: TestClient, path: str) -> None:
    charts = page_charts(client, path)
    assert charts, path
    for label, spec in charts:
        assert label.strip(), path
        assert label == spec["description"]
        assert _marks_hidden(spec), spec["description"]


def test_compare_charts_say_the_figures(client: TestClient) -> None:
    api = client.get("/api/sammenlign?k=0301&k=Bergen&k=Tromsø&indikator=andel_ndu_administrasjon")
    assert api.status_code == 200
    rows = [r for r in api.json()["rows"] if r["value"] is not None]
    assert len(rows) == 3
    charts = page_charts(
        client, "/sammenlign?k=0301&k=Bergen&k=Tromsø&indikator=andel_ndu_administrasjon"
    )
    bar, series = charts[0][0], charts[1][0]
    for r in rows:
        assert f"{r['name']} {number(r['value'], 'nb')}" in bar
        assert r["name"] in series


def test_report_charts_have_descriptions_and_hidden_marks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.report import render
    from made_up_report import BAERUM, make_report

    # the Vega bundle cache goes to a temporary directory, not the user's cache
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path))
    render.javascript_bundle.cache_clear()
    try:
        page = render.render_html(make_report(BAERUM), "nb")
    finally:
        render.javascript_bundle.cache_clear()
    block = re.search(
        r'<script type="application/json" id="kostra-specs">(.*?)</script>', page, re.S
    )
    assert block is not None
    specs = json.loads(block[1])
    labels = dict(
        re.findall(r'<div class="vega" data-chart="([^"]+)" role="img" aria-label="([^"]*)"', page)
    )
    assert len(specs) > 5
    assert set(labels) == set(specs)
    for chart_id, spec in specs.items():
        assert spec["description"].strip(), chart_id
        assert html.unescape(labels[chart_id]) == spec["description"]
        assert _marks_hidden(spec), chart_id
