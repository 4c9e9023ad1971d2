"""The web map page (/kart) and its API answer: large zoomable map, legend with unit and source,
diverging colours for signed figures, small municipalities findable, a table beside the map."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kostra.report import maps
from kostra.web import WebData, create_app


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    """The app's data over the shipped sample (no warehouse file), newest year prepared."""
    data = WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=50)
    data.year_view(data.default_year())
    return data


@pytest.fixture(scope="module")
def client(web: WebData) -> Iterator[TestClient]:
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def _spec(html: str, target: str = "chart-map") -> dict[str, Any]:
    found = re.search(
        rf'<script type="application/json" class="vega-spec" data-target="{target}">(.*?)</script>',
        html,
        re.DOTALL,
    )
    assert found, f"no chart {target}"
    spec: dict[str, Any] = json.loads(found[1])
    return spec


def _colour(spec: dict[str, Any]) -> dict[str, Any]:
    colour: dict[str, Any] = spec["hconcat"][0]["layer"][0]["encoding"]["color"]
    return colour


def test_map_page_is_large_zoomable_and_says_unit_and_source(client: TestClient) -> None:
    page = client.get("/kart")
    assert page.status_code == 200
    spec = _spec(page.text)
    main = spec["hconcat"][0]
    assert main["width"] >= 500
    assert main["height"] >= 650
    assert [p["name"] for p in spec["params"]] == list(maps.ZOOM_PARAMS)
    assert 'class="map-tools" data-map="chart-map"' in page.text
    title = _colour(spec)["title"]
    assert title[0] == "Plass (1 = best)"
    assert " ".join(title[1:]).startswith("Kilde: egen beregning fra SSBs KOSTRA-tall")
    assert "Kommunegrenser 2024 © Kartverket" in title
    # the boundaries come from the cached file, not inside the page
    assert "datasets" not in spec
    assert '"url": "/geo/kommuner_2024.topojson"' in json.dumps(spec)


def test_signed_figure_map_is_diverging_around_zero(client: TestClient, web: WebData) -> None:
    page = client.get("/kart?indikator=netto_driftsresultat")
    assert page.status_code == 200
    colour = _colour(_spec(page.text))
    assert colour["scale"]["scheme"] == maps.DIVERGING_SCHEME
    assert colour["scale"]["domainMid"] == 0
    assert colour["title"][0] == "Prosent"
    # the shipped sample is synthetic: the legend says so and names SSB's table
    assert web.synthetic
    source = " ".join(colour["title"][1:3])
    assert source == f"Kilde: syntetiske eksempeltall (SSB-tabell 12134), {web.default_year()}"
    cost = client.get("/kart?indikator=" + _unsigned_kroner(web))
    assert _colour(_spec(cost.text))["scale"]["scheme"] == maps.SEQUENTIAL_SCHEME


def _unsigned_kroner(web: WebData) -> str:
    return next(i.id for i in web.indicators() if i.comparison == "index" and i.unit == "kr")


def test_map_api_states_unit_tables_and_sign(client: TestClient) -> None:
    body = client.get("/api/kart?indikator=netto_driftsresultat").json()
    assert body["measure"]["tables"] == ["12134"]
    assert body["measure"]["signed"] is True
    assert body["measure"]["unit_label"] == "prosent"
    english = client.get("/api/kart?indikator=netto_driftsresultat&lang=en").json()
    assert english["measure"]["unit_label"] == "per cent"


def test_smallest_municipalities_listed_and_marked(client: TestClient) -> None:
    page = client.get("/kart?k=Utsira")
    assert page.status_code == 200
    smallest = page.text.split('data-testid="map-smallest"')[1].split("</table>")[0]
    names = re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', smallest)
    assert names[:2] == ["Kvitsøy", "Utsira"]
    assert "k=1151" in smallest  # each opens the map with that municipality marked
    assert re.search(r'data-testid="map-marked">Utsira: [^<]*plass \d+ av \d+', page.text)
    assert 'value="Utsira"' in page.text
    spec = _spec(page.text)
    markers = spec["hconcat"][0]["layer"][-1]
    assert {m["name"] for m in markers["data"]["values"]} >= {"Kvitsøy", "Utsira"}
    assert "'1151'" in markers["encoding"]["stroke"]["condition"]["test"]
    outline = spec["hconcat"][0]["layer"][1]["transform"][0]["filter"]["oneOf"]
    assert outline == ["1151"]


def test_unknown_municipality_to_mark_is_a_clear_error(client: TestClient) -> None:
    page = client.get("/kart?k=Atlantis")
    assert page.status_code == 404
    assert "Atlantis" in page.text


def test_every_value_in_words_beside_the_map(client: TestClient, web: WebData) -> None:
    page = client.get("/kart?indikator=netto_driftsresultat")
    table = page.text.split('data-testid="map-table"')[1].split("</table>")[0]
    rows = re.findall(r"<tr><td class=\"num\">", table)
    assert len(rows) == len(web.places())
    values = web.values(web.default_year(), "netto_driftsresultat")
    first = values.sort("place").row(0, named=True)
    summary = re.search(r'data-testid="map-summary">([^<]+)<', page.text)
    assert summary
    assert f"Plass 1 er {first['name']} (" in summary[1]
    assert "prosent" in summary[1]
    assert "Medianen er" in summary[1]


def test_overview_map_zooms_and_marks_the_municipality(client: TestClient) -> None:
    page = client.get("/kommune/1151")
    assert page.status_code == 200
    spec = _spec(page.text)
    assert [p["name"] for p in spec["params"]] == list(maps.ZOOM_PARAMS)
    assert 'class="map-tools" data-map="chart-map"' in page.text
    own = spec["hconcat"][0]["layer"][2]["transform"][0]["filter"]["oneOf"]
    assert own == ["1151"]
