"""Fuzz of the web app's routes and query strings (Hypothesis over FastAPI's TestClient):
every page and API path with hostile path segments and parameters. No answer is a 5xx, none
carries a traceback or a file path, and the process's memory stays bounded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import MEMORY_GROWTH_BOUND, budget, long_budget, long_run, peak_memory
from kostra.web import WebData, create_app

SEGMENTS = st.one_of(
    st.sampled_from(
        ["3201", "0301", "1850", "Bærum", "9999", "..", "%2e%2e", "grunnskole", "x" * 300, ""]
    ),
    st.text(max_size=20),
)
PATHS = st.one_of(
    st.sampled_from(["/", "/api/ar", "/api/indikatorer", "/rangering", "/kart", "/finn"]),
    st.sampled_from(["/api/kommuner", "/api/finn", "/api/rangering", "/api/kart"]),
    st.sampled_from(["/sammenlign", "/api/sammenlign", "/static/", "/vendor/", "/openapi.json"]),
    SEGMENTS.map(lambda s: "/kommune/" + quote(s, safe="")),
    st.tuples(SEGMENTS, SEGMENTS).map(
        lambda t: f"/kommune/{quote(t[0], safe='')}/{quote(t[1], safe='')}"
    ),
    st.tuples(st.sampled_from(["/api/kommune/", "/kommune/"]), SEGMENTS).map(
        lambda t: t[0] + quote(t[1], safe="") + "/rapport.pdf"
    ),
    st.text(max_size=30).map(lambda s: "/" + quote(s)),
)
KEYS = st.sampled_from(
    [
        "ar",
        "lang",
        "gruppe",
        "indikator",
        "format",
        "k",
        "q",
        "limit",
        "sort",
        "retning",
        "fylke",
        "kostragruppe",
        "storrelse",
        "fra",
        "sektor",
    ]
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "2024",
            "2014",
            "-1",
            "99999999999999999999",
            "en",
            "nb",
            "csv",
            "xlsx",
            "asss",
            "3201",
            "<script>",
            "' OR 1=1 --",
            "https://evil",
            "NaN",
            "",
        ]
    ),
    st.text(max_size=25),
)
QUERIES = st.lists(st.tuples(KEYS, VALUES), max_size=12)
METHODS = st.sampled_from(["GET", "GET", "GET", "HEAD", "POST", "OPTIONS"])


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    web = WebData(tmp_path_factory.mktemp("fuzzweb") / "none.duckdb", resamples=10)
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def _visit(client: TestClient, method: str, path: str, query: list[tuple[str, str]]) -> None:
    url = path + ("?" + urlencode(query) if query else "")
    response = client.request(method, url)
    assert response.status_code < 500, (url, response.status_code, response.text[:300])
    body = response.text
    assert "Traceback" not in body
    if response.status_code >= 400:  # an error names no file and no database internals
        assert "/tmp/" not in body
        assert "duckdb" not in body.lower()
    if method == "HEAD":
        assert body == ""
    if response.status_code == 405:
        assert "allow" in response.headers


def test_web_fuzz(client: TestClient) -> None:
    start = peak_memory()

    @budget(25)
    @given(method=METHODS, path=PATHS, query=QUERIES)
    def run(method: str, path: str, query: list[tuple[str, str]]) -> None:
        _visit(client, method, path, query)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND


@pytest.mark.slow
@long_run
def test_web_fuzz_long(client: TestClient, tmp_path: Path) -> None:
    start = peak_memory()

    @long_budget()
    @given(method=METHODS, path=PATHS, query=QUERIES)
    def run(method: str, path: str, query: list[tuple[str, str]]) -> None:
        _visit(client, method, path, query)

    run()
    assert peak_memory() - start < MEMORY_GROWTH_BOUND
