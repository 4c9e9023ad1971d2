"""The web app under bad conditions (issue #13 item 11): HEAD, a damaged warehouse, too many
municipalities to compare, a wrong Host header, and ``kostra serve`` on a busy port or an
unreadable warehouse."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kostra.cli import app as cli_app
from kostra.web import WebData, create_app
from kostra.web.app import CONTENT_SECURITY_POLICY, LOOPBACK_HOSTS, without_paths


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    web = WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=10)
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    path = tmp_path / "kostra.duckdb"
    path.write_bytes(b"not a database " * 1000)
    return path


@pytest.mark.parametrize(
    "url", ["/", "/api/ar", "/api/indikatorer", "/kommune/3201", "/rangering", "/static/app.css"]
)
def test_head_answers_wherever_get_does(client: TestClient, url: str) -> None:
    got = client.get(url)
    head = client.head(url)
    assert got.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", ["/", "/api/ar"])
def test_other_methods_get_405_with_allow(client: TestClient, url: str) -> None:
    response = client.post(url)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_head_of_a_missing_page_is_404(client: TestClient) -> None:
    assert client.head("/kommune/9999").status_code == 404


@pytest.mark.parametrize("url", ["/api/sammenlign", "/sammenlign"])
def test_too_many_municipalities_to_compare_is_422(client: TestClient, url: str) -> None:
    codes = ["0301", "1103", "4601", "5001", "3201", "4204", "3301", "3107", "1108", "5501"]
    query = "&".join(f"k={c}" for c in [*codes, "3203"])
    response = client.get(f"{url}?{query}")
    assert response.status_code == 422
    if url.startswith("/api/"):
        assert "11" in response.json()["error"]


def test_a_damaged_warehouse_answers_503_without_paths_or_raw_errors(damaged: Path) -> None:
    web = WebData(damaged, resamples=10)
    with TestClient(create_app(web=web), raise_server_exceptions=False) as fresh:
        for url in ["/", "/api/ar", "/kommune/3201", "/api/kommune/3201", "/rangering"]:
            response = fresh.get(url)
            assert response.status_code == 503, url
            text = response.text
            assert str(damaged.parent) not in text
            assert "duckdb" not in text.lower()
            assert "IO Error" not in text
        body = fresh.get("/api/ar").json()
        assert body["error"] == "Tallene kan ikke leses nå."
        assert fresh.get("/api/ar?lang=en").json()["error"].startswith("The figures cannot")


def test_paths_are_taken_out_of_any_message() -> None:
    assert without_paths("Cannot open /srv/data/kostra.duckdb: bad") == "Cannot open …: bad"
    assert without_paths("see https://data.ssb.no/api/v2 and 1/2") == (
        "see https://data.ssb.no/api/v2 and 1/2"
    )


def test_a_refused_host_still_gets_the_security_headers(tmp_path: Path) -> None:
    web = WebData(tmp_path / "none.duckdb", resamples=10)
    application = create_app(web=web, allowed_hosts=LOOPBACK_HOSTS)
    with TestClient(application, base_url="http://evil.example") as fresh:
        response = fresh.get("/api/ar")
    assert response.status_code == 400
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"


def test_serve_refuses_a_busy_port(tmp_db: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"Port {port} på 127.0.0.1 er allerede i bruk" in result.output
    assert "kostra: http" not in result.output  # no address printed before failing


def test_serve_refuses_a_warehouse_it_cannot_read(damaged: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(damaged), "--lang", "en"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: Cannot open the warehouse")
    assert "kostra: http" not in result.output
