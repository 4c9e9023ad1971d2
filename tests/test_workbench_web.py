"""The workbench on the web: the KOSTRA-gruppe choice (packaged grouping), the peer group
``similar`` and the similar-municipalities panel and API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kostra import workbench
from kostra.web import WebData, create_app


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=20, warm_views=False)


@pytest.fixture(scope="module")
def client(web: WebData) -> Iterator[TestClient]:
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def test_kostra_group_is_a_choice_and_a_view(client: TestClient, web: WebData) -> None:
    year = web.default_year()
    assert 2020 <= year <= 2025  # the years the packaged grouping covers
    page = client.get("/kommune/3201").text
    assert 'value="kostra_group"' in page
    assert 'value="similar"' in page
    body = client.get("/api/kommune/3201?gruppe=kostra_group").json()
    assert body["peers"]["name"] == "KOSTRA-gruppe 12"
    assert len(body["peers"]["members"]) == 11


def test_similar_api_panel_and_peer_group(client: TestClient, web: WebData) -> None:
    year = web.default_year()
    body = client.get("/api/lignende/Træna").json()
    assert body["municipality"] == {"code": "1835", "name": "Træna"}
    expected = workbench.similar("1835", year).frames["similar"]["region"].to_list()
    assert [row["code"] for row in body["similar"]] == expected
    assert "1856" in expected  # Røst
    shares = [w["share"] for w in body["weights"]]
    assert sum(shares) == pytest.approx(1.0)
    english = client.get("/api/lignende/1835?lang=en").json()
    assert english["weights"][0]["label"] == "inhabitants (log)"
    page = client.get("/kommune/1835").text
    assert 'data-testid="similar"' in page
    assert "Røst" in page
    assert "/kommune/1835?gruppe=similar" in page
    peers = client.get("/api/kommune/1835?gruppe=similar").json()["peers"]
    assert peers["name"] == "Lignende kommuner"
    assert {m["code"] for m in peers["members"]} == {"1835", *expected}
    assert client.get("/api/lignende/Atlantis").status_code == 404
