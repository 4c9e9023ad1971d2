"""Shared fixtures. The network guard is loaded for every run by pyproject's ``-p`` option."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the checkout: real reference data, read-only."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    return SHARED


@pytest.fixture(autouse=True)
def plain_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI CSV in the plain style (``,``, decimal point): the tests that read a CSV as data
    read it with Polars' defaults. The Norwegian Excel style, the CLI's default in nb, is
    tested in ``tests/test_excel_exports.py`` (which removes this setting); the web's downloads
    do not read it."""
    monkeypatch.setenv("KOSTRA_CSV_STYLE", "plain")


@pytest.fixture
def tmp_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A warehouse path of the test's own; KOSTRA_DB points at it."""
    path = tmp_path / "kostra.duckdb"
    monkeypatch.setenv("KOSTRA_DB", str(path))
    return path


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kostra-cache")


@pytest.fixture(autouse=True)
def _own_cache_dir(_session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never write the developer's cache directory: metadata a test fetched from the
    local PxWebApi server and kept there would later be offered as SSB's. One directory per
    test session (and xdist worker), so the Vega bundle and map boundaries are built once;
    tests that need an empty cache set ``KOSTRA_CACHE_DIR`` themselves."""
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(_session_cache))


@pytest.fixture(autouse=True)
def _no_year_computed_on_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """``kostra fetch``/``import`` leave the year to the first report in tests (several seconds
    each); ``tests/test_report_store.py`` turns it on where it is tested."""
    monkeypatch.setenv("KOSTRA_COMPUTE_YEAR", "0")


@pytest.fixture(autouse=True)
def _bokmal_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the default language, bokmål, whatever the developer's locale:
    without ``KOSTRA_LANG`` kostra follows ``LC_ALL``/``LC_MESSAGES``/``LANG``."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="module")
def sample_web(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The web's data over the shipped sample (no warehouse), without rank intervals."""
    from kostra.web import WebData

    return WebData(tmp_path_factory.mktemp("sample-web") / "none.duckdb", resamples=0)


@pytest.fixture(scope="module")
def sample_client(sample_web: Any) -> Iterator[Any]:
    """A FastAPI test client of :func:`sample_web`."""
    from fastapi.testclient import TestClient

    from kostra.web import create_app

    with TestClient(create_app(web=sample_web)) as client:
        yield client


@pytest.fixture(scope="module")
def interval_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A test client of the web over the shipped sample, with rank intervals (50 resamples)
    and the default year's view computed, that answers a server error as a 500 page."""
    from fastapi.testclient import TestClient

    from kostra.web import WebData, create_app

    web = WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=50)
    web.year_view(web.default_year())
    with TestClient(create_app(web=web), raise_server_exceptions=False) as client:
        yield client
