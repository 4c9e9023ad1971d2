"""The web app's background warmer of municipality views (kostra.web.data.WebData)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kostra.web import WebData


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    data = WebData(tmp_path_factory.mktemp("warm") / "none.duckdb", resamples=20, warm_views=True)
    data.year_view(data.default_year())
    return data


def test_warmer_computes_the_most_populous_views_first(web: WebData) -> None:
    year = web.default_year()
    assert web.start_warming(limit=3)
    assert web._warm_thread is not None
    web._warm_thread.join(120)
    assert not web.warming()
    largest = (
        web.year_view(year)
        .municipalities.sort("population", descending=True, nulls_last=True)["code"]
        .to_list()[:4]
    )
    stamp = web.stamp()
    keys = [key for key in web._views._items if isinstance(key, tuple)]
    cached = {key[3] for key in keys if key[:3] == ("view", stamp, year)}
    assert cached == set(largest[:3])
    # a warmed view is what a request would have computed
    warmed = web.view(largest[0], year)
    fresh = web._compute_view_now(web.year_view(year), largest[0], "standard")
    assert warmed.data.model_dump(exclude={"profile", "history"}) == fresh.data.model_dump(
        exclude={"profile", "history"}
    )
    assert [f.text_nb for f in warmed.findings] == [f.text_nb for f in fresh.findings]


def test_warmer_stops_when_told(web: WebData) -> None:
    web._views.clear()
    web._requests = 1  # a request computing: the warmer waits for it
    try:
        assert web.start_warming(limit=50)
        assert not web.start_warming()  # one warmer at a time
        web.stop_warming(timeout=10)
        assert not web.warming()
        assert not web._views._items
    finally:
        web._requests = 0


def test_warming_off_by_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOSTRA_WEB_WARM_VIEWS", "0")
    assert not WebData(tmp_path / "none.duckdb").start_warming()
    assert not WebData(tmp_path / "none.duckdb", warm_views=False).start_warming()
