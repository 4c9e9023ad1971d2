"""The computed year beside the warehouse (kostra.results.store): the same numbers as computing
directly, a new key exactly when the warehouse content changes, atomic publication, and the web
answering from it while keeping the old one until the new one is complete."""

from __future__ import annotations

import json
import math
import time
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from kostra.catalog import load_catalog
from kostra.report.pipeline import ReportInputs, ReportSettings, prepare
from kostra.results import store as computed_store
from kostra.results.store import Store, content_key
from kostra.results.year import WEB_BORDERS, load_all, municipality_view
from kostra.warehouse import VintageInfo, Warehouse
from kostra.web import WebData, create_app, prerender

#: Oslo, two ASSS members (Bærum, Bergen) and one compared with its county (Molde).
CODES = ("0301", "3201", "4601", "1506")
SETTINGS = ReportSettings(resamples=20)
TABLE = "12134"


def _sample_table(factor: float) -> pl.DataFrame:
    path = Path(str(resources.files("kostra.data") / "sample" / "observations.parquet"))
    frame = pl.read_parquet(path).filter(pl.col("table_id") == TABLE)
    return frame.with_columns(pl.col("value") * factor)


def _load(db: Path, factor: float, label: str) -> None:
    with Warehouse.open(db) as warehouse:
        warehouse.load(
            _sample_table(factor), VintageInfo(source="file", table_id=TABLE, label=label)
        )


def _normal(value: Any) -> Any:
    """``value`` with floats to 10 significant digits and lists of coded items in code order:
    two computations of the same year differ in the last bits of threaded sums and in the
    order of ties."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_normal(v) for v in value]
        if items and all(isinstance(v, dict) and "code" in v for v in items):
            items.sort(key=lambda v: (str(v["code"]), repr(v)))
        return items
    return value


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, computed_store.ComputedYear]:
    db = tmp_path_factory.mktemp("computed") / "warehouse.duckdb"
    _load(db, 1.0, "first")
    computed = Store(db).build(settings=SETTINGS, peers=("country",), codes=CODES)
    assert computed is not None
    return db, computed


@pytest.fixture(scope="module")
def inputs(built: tuple[Path, computed_store.ComputedYear]) -> ReportInputs:
    db, computed = built
    data = load_all(db, load_catalog())
    return prepare(computed.year, data=data, settings=SETTINGS, borders=WEB_BORDERS)


def test_stored_views_are_the_direct_computation(
    built: tuple[Path, computed_store.ComputedYear], inputs: ReportInputs
) -> None:
    _, computed = built
    assert computed.standard["3201"] == "asss"
    assert computed.standard["4601"] == "asss"
    assert computed.standard["1506"] == "county"
    for peers in ("standard", "country"):
        for code in CODES:
            found = computed.view(code, peers)
            assert found is not None, (code, peers)
            data, findings = found
            want, want_findings = municipality_view(inputs, code, peers)
            got_dump = data.model_dump(mode="json", exclude={"generated"})
            want_dump = want.model_dump(mode="json", exclude={"generated"})
            assert _normal(got_dump) == _normal(want_dump), (code, peers)
            assert [f.text_nb for f in findings] == [f.text_nb for f in want_findings]
    # peer groups not stored yet, and municipalities not in this store: no view
    assert computed.view("0301", "similar") is None
    assert computed.view("1103", "standard") is None
    assert computed.municipalities["code"].to_list() == sorted(computed.municipalities["code"])


def test_a_new_vintage_makes_a_new_key_and_new_numbers(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _load(db, 1.0, "first")
    store = Store(db)
    old = store.build(settings=SETTINGS, peers=(), codes=CODES[:2])
    assert old is not None
    assert content_key(db, SETTINGS, "year", codes=CODES[:2]) == old.key
    assert content_key(db, SETTINGS, "year") != old.key  # another set of municipalities
    assert content_key(db, ReportSettings(resamples=21), "year", codes=CODES[:2]) != old.key
    assert content_key(db, SETTINGS, "newest", codes=CODES[:2]) != old.key  # other borders
    _load(db, 1.5, "second")
    new_key = content_key(db, SETTINGS, "year", codes=CODES[:2])
    assert new_key != old.key
    assert store.year(new_key, old.year) is None  # not computed yet: nothing half-written
    new = store.build(settings=SETTINGS, peers=(), codes=CODES[:2])
    assert new is not None
    assert new.key == new_key

    def values(computed: computed_store.ComputedYear) -> list[float | None]:
        frame = computed.evaluated.filter(
            (pl.col("year") == computed.year) & pl.col("region").is_in(list(CODES[:2]))
        )
        return frame.sort("indicator_id", "region")["value"].to_list()

    before, after = values(old), values(new)
    assert before
    assert len(before) == len(after)
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    assert 0 < changed < len(before)  # the figures of the reloaded table, not the others
    # the old computed year is still readable beside the new one (readers may hold it)
    assert store.year(old.key, old.year) is not None


def test_a_failed_build_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "none.duckdb"
    store = Store(db)
    calls: list[str] = []

    def failing(inputs: Any, code: str, peers: str) -> Any:
        calls.append(code)
        if len(calls) > 2:
            raise RuntimeError("killed midway")
        return municipality_view(inputs, code, peers)

    monkeypatch.setattr(computed_store, "municipality_view", failing)
    with pytest.raises(RuntimeError):
        store.build(settings=SETTINGS, peers=(), codes=CODES[:2])
    key = content_key(db, SETTINGS, "year", codes=CODES[:2])
    assert store.content(key) is None
    leftovers = [p for p in store.root.rglob("*") if p.name.startswith(".tmp")]
    assert leftovers == []
    assert not any(p.name == "meta.json" for p in store.root.rglob("*"))


def test_the_web_answers_from_the_computed_year(
    built: tuple[Path, computed_store.ComputedYear], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, computed = built
    web = WebData(db, resamples=20, store=True, store_codes=CODES, warm_views=False)
    assert web.state() == ("store", computed.key)
    assert web.years()[-1] == computed.year

    def no_computing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed in the web process")

    monkeypatch.setattr("kostra.web.data.municipality_view", no_computing)
    monkeypatch.setattr("kostra.web.data.prepare", no_computing)
    view = web.view("3201", computed.year)
    stored = computed.view("3201", "standard")
    assert stored is not None
    assert view.data.model_dump(exclude={"generated"}) == stored[0].model_dump(
        exclude={"generated"}
    )
    with TestClient(create_app(web=web)) as client:
        for url in (
            "/kommune/3201",
            "/kommune/3201/grunnskole",
            "/kommune/1506/barnehage?peers=country",
            "/api/kommune/4601",
            "/rangering",
            "/kart",
            "/sammenlign?k=3201&k=0301",
            "/kommune/3201/nokkeltall",
            "/api/kommune/3201/nokkeltall",
            "/kommune/3201/fakta",
        ):
            assert client.get(url).status_code == 200, url
        # a year the builder has not reached: said at once, never computed in the request
        earlier = web.years()[-2]
        for url in (f"/kommune/3201?ar={earlier}", f"/api/kommune/3201?ar={earlier}"):
            answer = client.get(url)
            assert answer.status_code == 503, url
            assert int(answer.headers["Retry-After"]) > 0
        assert "beregnet" in client.get(f"/kommune/3201?ar={earlier}").text
        # a peer group not stored yet, likewise
        assert client.get("/kommune/3201?gruppe=similar").status_code == 503
        assert client.get("/kommune/3201?gruppe=country").status_code == 200


def test_pages_rendered_ahead_are_the_pages_the_server_renders(
    built: tuple[Path, computed_store.ComputedYear], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = built
    web = WebData(db, resamples=20, store=True, store_codes=CODES, warm_views=False)
    pages = web.prerendered()
    assert pages is not None
    assert pages.usable()
    ahead = pages.page("/kommune/3201/grunnskole")
    assert ahead is not None
    assert pages.page("/kommune/1103") is None  # not in this store
    live_web = WebData(db, resamples=20, store=True, store_codes=CODES, warm_views=False)
    monkeypatch.setattr(live_web, "prerendered", lambda *args: None)
    with TestClient(create_app(web=live_web)) as client:
        live = client.get("/kommune/3201/grunnskole")
    assert live.status_code == 200
    assert ahead[1] == live.content
    # the server answers from the file: with its templates gone the page still comes whole
    app = create_app(web=web)
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.templates = None
        answer = client.get("/kommune/3201/grunnskole")
        assert answer.status_code == 200
        assert answer.content == live.content
        assert answer.headers["content-type"].startswith("text/html")
        assert client.get("/kommune/3201/grunnskole?lang=en").status_code == 500  # rendered


def test_every_part_rendered_ahead_is_the_answer_the_server_renders(
    built: tuple[Path, computed_store.ComputedYear], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, computed = built
    earlier = Store(db).build(computed.year - 1, settings=SETTINGS, peers=(), codes=CODES)
    assert earlier is not None
    stored = prerender.render_ahead(
        db, computed.key, computed.year, earlier=[earlier.year], peers=("country", "similar")
    )
    assert stored > 0
    # a peer group the store does not hold is not rendered (its pages say it is computing)
    assert not (computed.path / prerender.part_file("gruppe-similar")).exists()
    web = WebData(db, resamples=20, store=True, store_codes=CODES, warm_views=False)
    live_web = WebData(db, resamples=20, store=True, store_codes=CODES, warm_views=False)
    monkeypatch.setattr(live_web, "prerendered", lambda *args: None)
    urls = [
        *prerender.targets("3201", prerender.API),
        *prerender.targets("1506", "gruppe-country"),
        *prerender.targets("0301", "", f"ar={earlier.year}"),
    ]
    assert "/api/kommune/3201/grunnskole?format=csv" in urls
    assert "/kommune/1506/barnehage?gruppe=country" in urls
    with (
        TestClient(create_app(web=live_web)) as live,
        TestClient(create_app(web=web)) as fast,
    ):
        for url in urls:
            want = live.get(url)
            assert want.status_code == 200, url
            got = fast.get(url)  # the client takes gzip: the stored body as it is
            assert got.status_code == 200, url
            assert got.headers.get("content-encoding") == "gzip", url
            assert got.content == want.content, url
            for name in ("content-type", "content-disposition", "content-security-policy"):
                assert got.headers.get(name) == want.headers.get(name), (url, name)
            plain = fast.get(url, headers={"accept-encoding": "identity"})
            assert "content-encoding" not in plain.headers, url
            assert plain.content == want.content, url
            assert int(plain.headers["content-length"]) == len(want.content), url
        # not rendered ahead (another query, a workbench page): rendered as always
        for url in ("/kommune/3201?gruppe=country&lang=en", "/kommune/3201/nokkeltall"):
            answer = fast.get(url)
            assert answer.status_code == 200, url
            assert "content-encoding" not in answer.headers, url


def test_pages_of_years_on_older_borders_are_rendered_ahead_with_their_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra import api
    from kostra.web.labels import label

    # every content here is built by this test, not by a builder process
    monkeypatch.setattr(WebData, "_start_builder", lambda *args, **kwargs: None)
    db = tmp_path / "none.duckdb"
    codes = ("0301", "4601")  # Oslo and Bergen: the same codes on the 2023 and 2024 borders
    store = Store(db)
    default = store.build(
        settings=SETTINGS,
        peers=(),
        codes=codes,
        years_back=2,
        all_years=True,
        until_ready=True,
        rendered=True,
    )
    assert default is not None
    older = default.year - 2
    assert api.borders_for(older, "year") < api.NEWEST_BORDERS <= default.year - 1
    # the builder computed the older year on the newest borders too (its pages' series) ...
    newest = content_key(db, SETTINGS, "newest", codes=codes)
    assert store.year(newest, older) is not None
    assert store.year(newest, default.year - 1) is None  # on the newest borders already
    # ... and rendered its pages ahead, saying which content their series came from
    folder = store.path(default.key, older)
    meta = pq.read_schema(folder / prerender.FILE).metadata[b"kostra"]
    assert json.loads(meta)["series"] == newest
    urls = [u for code in codes for u in prerender.targets(code, "", f"ar={older}")]
    page = f"/kommune/0301/grunnskole?ar={older}"
    assert page in urls

    def webs() -> tuple[WebData, WebData]:
        fast = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
        live = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
        live.prerendered = lambda *args: None  # type: ignore[method-assign]
        return fast, live

    fast_web, live_web = webs()
    with TestClient(create_app(web=fast_web)) as fast, TestClient(create_app(web=live_web)) as live:
        for url in urls:
            want = live.get(url)
            assert want.status_code == 200, url
            got = fast.get(url)
            assert got.headers.get("content-encoding") == "gzip", url  # from the file
            assert got.content == want.content, url
        assert label("web_series_borders", "nb", borders=api.NEWEST_BORDERS) in got.text
    # without that content (say, not computed yet) the stored pages are not served: the page
    # is rendered with the year's own series, and says so; once it is back, so are they
    aside = tmp_path / "aside"
    store.path(newest, older).rename(aside)
    fast_web, live_web = webs()
    with TestClient(create_app(web=fast_web)) as fast, TestClient(create_app(web=live_web)) as live:
        want = live.get(page)
        got = fast.get(page)
        assert "content-encoding" not in got.headers  # rendered, not the file
        assert got.content == want.content
        assert label("web_series_borders", "nb", borders=older) in got.text
        aside.rename(store.path(newest, older))
        again = fast.get(page)  # the page kept in memory was drawn without it: not sent
        assert again.headers.get("content-encoding") == "gzip"
        assert label("web_series_borders", "nb", borders=api.NEWEST_BORDERS) in again.text
    # nothing left to render: every part is in place with the same series
    assert (
        prerender.render_ahead(
            db, default.key, default.year, earlier=[older], codes=codes, series=newest
        )
        == 0
    )


def test_answers_rendered_ahead_of_an_old_vintage_are_not_served(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _load(db, 1.0, "first")
    codes = ("3201",)
    old = Store(db).build(settings=SETTINGS, peers=(), codes=codes)
    assert old is not None
    assert prerender.render_ahead(db, old.key, old.year, codes=codes) > 0
    web = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
    web.check_in_background = False
    url = "/api/kommune/3201"
    with TestClient(create_app(web=web)) as client:
        before = client.get(url)
        assert before.headers.get("content-encoding") == "gzip"  # from the file
        _load(db, 1.5, "second")
        new = Store(db).build(settings=SETTINGS, peers=(), codes=codes)
        assert new is not None
        assert new.key != old.key
        assert prerender.render_ahead(db, new.key, new.year, codes=codes) > 0
        web._next_checks.clear()
        web._stamp_until = 0.0
        assert web.state() == ("store", new.key)
        after = client.get(url)
        assert after.headers.get("content-encoding") == "gzip"
        assert after.content != before.content  # the new vintage's figures
    live_web = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
    live_web.prerendered = lambda *args: None  # type: ignore[method-assign]
    with TestClient(create_app(web=live_web)) as live:
        assert live.get(url).content == after.content
    web.stop_builders()


def test_the_key_is_the_content_not_file_times(
    built: tuple[Path, computed_store.ComputedYear],
) -> None:
    import os

    db, computed = built
    catalog = Path(str(resources.files("kostra") / "catalog"))
    some = next(p for p in sorted(catalog.rglob("*")) if p.is_file() and p.suffix != ".pyc")
    stat = some.stat()
    try:
        os.utime(some, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        assert content_key(db, SETTINGS, "year", codes=CODES) == computed.key
    finally:
        os.utime(some, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fingerprint = computed_store.content_fingerprint()
    assert set(fingerprint) == {"catalog", "data", "code"}


def test_the_web_keeps_the_old_computed_year_until_the_new_one_is_complete(
    tmp_path: Path,
) -> None:
    db = tmp_path / "warehouse.duckdb"
    _load(db, 1.0, "first")
    codes = CODES[:2]
    old = Store(db).build(settings=SETTINGS, peers=(), codes=codes)
    assert old is not None
    web = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
    assert web.state() == ("store", old.key)
    before = web.values(old.year, "barometer")
    _load(db, 1.5, "second")
    new_key = content_key(db, SETTINGS, "year", codes=codes)
    web._next_checks.clear()
    web._stamp_until = 0.0
    # the new content has no computed year yet: the request is answered from the old one at
    # once, and the look at the new one (starting its builder) is made beside it
    assert web.state() == ("store", old.key)
    assert web.values(old.year, "barometer").equals(before)
    deadline = time.monotonic() + 60
    while f"{new_key}/None" not in web._builders and time.monotonic() < deadline:
        time.sleep(0.1)
    builder = web._builders[f"{new_key}/None"]
    web.check_in_background = False  # from here on, step through the change in this thread
    # the builder runs at the lowest priority (slow on a busy machine): stop it, as the server
    # does when it stops, and compute the new year here instead
    web.stop_builders()
    assert builder.poll() is not None
    assert web.state() == ("store", old.key)
    assert Store(db).build(settings=SETTINGS, peers=(), codes=codes) is not None
    deadline = time.monotonic() + 60
    while web.state() != ("store", new_key) and time.monotonic() < deadline:
        web._next_checks.clear()
        web._stamp_until = 0.0
        time.sleep(0.2)
    assert web.state() == ("store", new_key)
    assert web.view("3201", old.year).data.vintage is not None
    assert not web.values(old.year, "barometer").equals(before)  # the new numbers
    # a server started now while a newer content is being built serves the newest ready one
    _load(db, 2.0, "third")
    fresh = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
    assert fresh.state() == ("store", new_key)
    fresh.stop_builders()


def test_a_server_with_nothing_computed_yet_says_so_at_once(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    _load(db, 1.0, "first")
    web = WebData(db, resamples=20, store=True, store_codes=CODES[:1], warm_views=False)
    try:
        with TestClient(create_app(web=web)) as client:
            for url in ("/kommune/3201", "/api/ar", "/rangering"):
                answer = client.get(url)
                assert answer.status_code == 503, url
                assert int(answer.headers["Retry-After"]) > 0
            assert web._builders  # and a builder computes it meanwhile
    finally:
        web.stop_builders()


def test_an_older_year_is_stored_on_its_borders_with_the_map_on_the_newest(
    tmp_path: Path,
) -> None:
    db = tmp_path / "none.duckdb"
    store = Store(db)
    codes = ("0301", "3024")  # Oslo and Bærum, as in 2023
    year = store.build(2023, settings=SETTINGS, peers=(), codes=codes)
    assert year is not None
    assert year.key == content_key(db, SETTINGS, "year", codes=codes)
    assert "3024" in year.municipalities["code"].to_list()
    assert "3201" not in year.municipalities["code"].to_list()
    assert year.map_municipalities is not None
    assert year.map_evaluated is not None
    assert "3201" in year.map_municipalities["code"].to_list()
    regions = set(year.map_evaluated["region"].unique().to_list())
    municipalities = {r for r in regions if r.isdigit()}  # beside SSB's aggregates (EAK …)
    assert municipalities == set(year.map_municipalities["code"].to_list()) & regions
    assert "3024" not in municipalities
    found = year.view("3024", "standard")
    assert found is not None
    assert found[0].borders == 2023
    # the other choice is a content of its own, built when asked for, beside the first
    newest = store.build(
        2023, settings=SETTINGS, peers=(), codes=("0301", "3201"), borders="newest"
    )
    assert newest is not None
    assert newest.key != year.key
    assert newest.map_municipalities is None  # on the map's borders already
    assert store.year(year.key, 2023) is not None
    web = WebData(db, resamples=20, store=True, store_codes=codes, warm_views=False)
    assert web.state() == ("store", year.key)  # the pages' default: the year's own borders
    view = web.year_view(2023)
    assert view.computed is not None
    assert view.borders == 2023
    on_map = web.values(2023, "barometer", on_map=True)
    assert "3201" in on_map["code"].to_list()


def test_a_server_starts_one_builder_and_ends_those_of_older_contents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    started: list[subprocess.Popen[bytes]] = []

    def sleeper(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        started.append(process)
        return process

    monkeypatch.setattr(computed_store, "build_in_background", sleeper)
    web = WebData(tmp_path / "none.duckdb", store=True, warm_views=False)
    try:
        web._start_builder("old")
        web._start_builder("old")  # running: not another
        assert len(started) == 1
        web._start_builder("new")  # the warehouse moved on: the old content's builder ends
        assert len(started) == 2
        assert started[0].wait(10) is not None
        assert started[1].poll() is None
        started[1].terminate()
        started[1].wait(10)
        web._start_builder("new")  # ended a moment ago: not again at once (no spawn loop)
        assert len(started) == 2
    finally:
        for process in started:
            process.kill()
            process.wait(10)


def test_workers_build_their_app_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.web.app import SERVE_DB_ENV, SERVE_LOOPBACK_ENV, app_from_environment

    monkeypatch.setenv(SERVE_DB_ENV, str(tmp_path / "none.duckdb"))
    monkeypatch.setenv(SERVE_LOOPBACK_ENV, "1")
    app = app_from_environment()
    web = app.state.web
    assert web.db == tmp_path / "none.duckdb"
    assert web.use_store
