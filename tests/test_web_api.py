"""The web app's JSON API and pages through FastAPI's TestClient: every endpoint, the numbers
agreeing with the analysis, downloads, and bad input (unknown codes, wrong years, injection
strings, path traversal) answered with 404/422 and never a 500."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from kostra.analysis.method import AVERAGE_LEGEND, averaging_rule
from kostra.web import WebData, create_app
from kostra.web.app import CONTENT_SECURITY_POLICY
from kostra.web.data import ComputingError, _Cache, this_warehouse


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


@pytest.fixture(scope="module")
def year(web: WebData) -> int:
    return web.default_year()


def _json(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


# -- every endpoint ---------------------------------------------------------------------------


def test_years(client: TestClient, web: WebData) -> None:
    body = _json(client, "/api/ar")
    assert body["years"] == web.years()
    assert body["default"] == max(body["years"])
    assert body["synthetic"] is True


def test_indicators(client: TestClient, web: WebData) -> None:
    body = _json(client, "/api/indikatorer?lang=en")
    ids = [i["id"] for i in body["indicators"]]
    assert ids == [i.id for i in web.indicators()]
    first = web.indicators()[0]
    assert body["indicators"][0]["name"] == first.name_en


@pytest.mark.parametrize(
    ("query", "code"),
    [("baerum", "3201"), ("BÆRUM", "3201"), ("Bærum", "3201"), ("0301", "0301"), ("oslo", "0301")],
)
def test_search_and_resolve_like_the_cli(client: TestClient, query: str, code: str) -> None:
    from kostra.geography import resolve_municipality

    found = _json(client, f"/api/kommuner?q={query}")["municipalities"]
    assert found[0]["code"] == code
    resolved = _json(client, f"/api/finn?q={query}")
    assert resolved["code"] == resolve_municipality(query, 2024).code == code


def test_search_by_prefix_lists_several(client: TestClient) -> None:
    found = _json(client, "/api/kommuner?q=ber&limit=5")["municipalities"]
    assert 1 < len(found) <= 5
    assert all("ber" in m["name"].lower() or m["name"].lower().startswith("ber") for m in found)
    assert _json(client, "/api/kommuner?q=&limit=3")["municipalities"].__len__() == 3


def test_overview_agrees_with_the_report_data(client: TestClient, web: WebData, year: int) -> None:
    body = _json(client, "/api/kommune/Bærum")
    assert body["municipality"]["code"] == "3201"
    assert body["year"] == year
    assert body["synthetic"] is True
    assert body["banner"]
    view = web.view("3201", year)
    assert body["barometer"]["total_rank"] == view.data.barometer.total_rank  # type: ignore[union-attr]
    assert body["production_total"] == pytest.approx(view.data.production_total)
    assert [r["sector"] for r in body["rows"]][:2] == ["grunnskole", "barnehage"]
    low, high = body["barometer"]["total_rank_low"], body["barometer"]["total_rank_high"]
    assert low <= body["barometer"]["total_rank"] <= high
    assert body["findings"]
    assert all(f["text"] for f in body["findings"])
    # the ranking says the same rank
    ranking = _json(client, "/api/rangering?q=Bærum")["rows"]
    assert ranking[0]["rank"] == body["barometer"]["total_rank"]


def test_overview_peer_group_and_language(client: TestClient) -> None:
    asss = _json(client, "/api/kommune/3201?gruppe=asss")
    county = _json(client, "/api/kommune/3201?gruppe=county&lang=en")
    assert asss["peers"]["key"] == "asss"
    assert len(county["peers"]["members"]) != len(asss["peers"]["members"])
    assert county["banner"].startswith("Sample data")
    assert county["rows"][0]["sector_name"] == "Primary and lower secondary school"


def test_sector(client: TestClient, web: WebData, year: int) -> None:
    body = _json(client, "/api/kommune/3201/grunnskole")
    assert body["sector"]["id"] == "grunnskole"
    ids = {r["indicator_id"] for r in body["rows"]}
    assert ids
    assert all(web.indicator(i).sector.value == "grunnskole" for i in ids)
    row = next(r for r in body["rows"] if r["value"] is not None and r["peer_average"])
    assert row["index"] == pytest.approx(100 * row["value"] / row["peer_average"], rel=1e-6)
    assert {p["indicator_id"] for p in body["history"]} <= ids
    assert body["need"]["sector"] == "grunnskole"
    assert body["barometer"]["drivers"]


def test_sector_marks_simple_means_as_the_method_says(client: TestClient, web: WebData) -> None:
    body = _json(client, "/api/kommune/3201/grunnskole")
    for row in body["rows"]:
        indicator = web.indicator(row["indicator_id"])
        simple = indicator.formula is None and averaging_rule(indicator) == "simple_mean"
        assert row["average_marked"] == simple, row["indicator_id"]
        compared = row["value"] is not None and row["peer_average"] is not None
        shown = indicator.comparison == "difference" and compared
        assert (row["difference"] is not None) == shown, row["indicator_id"]
    assert any(r["average_marked"] for r in body["rows"])
    assert body["average_legend"] == AVERAGE_LEGEND.nb
    page = client.get("/kommune/3201/grunnskole")
    assert page.status_code == 200
    assert html.escape(AVERAGE_LEGEND.nb, quote=False) in page.text


def test_sector_without_barometer(client: TestClient) -> None:
    body = _json(client, "/api/kommune/3201/eiendom")
    assert body["barometer"] is None


def test_ranking_filters_and_sort(client: TestClient, web: WebData, year: int) -> None:
    everyone = _json(client, "/api/rangering")["rows"]
    assert len(everyone) == web.year_view(year).municipalities.height
    ranks = [r["place"] for r in everyone if r["place"] is not None]
    assert ranks == sorted(ranks)
    county = _json(client, "/api/rangering?fylke=03")["rows"]
    assert [r["code"] for r in county] == ["0301"]
    small = _json(client, "/api/rangering?storrelse=small&sort=population&retning=synkende")
    populations = [r["population"] for r in small["rows"]]
    assert populations == sorted(populations, reverse=True)
    assert max(populations) < 5000
    ind = web.indicators()[0]
    by_value = _json(client, f"/api/rangering?indikator={ind.id}&sort=value")["rows"]
    values = [r["value"] for r in by_value if r["value"] is not None]
    assert values == sorted(values)
    assert _json(client, "/api/rangering?q=ber")["rows"]


def test_compare(client: TestClient, web: WebData) -> None:
    ind = web.indicators()[0]
    body = _json(client, f"/api/sammenlign?k=0301&k=Bergen,Tromsø&indikator={ind.id}")
    assert next(r["name"] for r in body["rows"]).startswith("Oslo")
    assert len(body["rows"]) == 3
    assert {p["code"] for p in body["series"]} <= {r["code"] for r in body["rows"]}
    values = web.values(body["year"], ind.id)
    oslo = values.filter(values["code"] == "0301")["value"][0]
    assert body["rows"][0]["value"] == pytest.approx(oslo)


def test_map(client: TestClient, web: WebData) -> None:
    body = _json(client, "/api/kart")
    assert len(body["rows"]) == len(web.places())
    assert body["measure"]["id"] == "barometer"
    topology = client.get("/geo/kommuner_2024.topojson")
    assert topology.status_code == 200
    assert json.loads(topology.content)["type"] == "Topology"


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = _json(client, "/openapi.json")
    paths = set(spec["paths"])
    assert {
        "/api/ar",
        "/api/indikatorer",
        "/api/kommuner",
        "/api/finn",
        "/api/kommune/{kommune}",
        "/api/kommune/{kommune}/{sektor}",
        "/api/rangering",
        "/api/sammenlign",
        "/api/kart",
    } <= paths
    assert not any(p.startswith("/kommune") for p in paths)  # pages are not API
    assert client.get("/api/docs").status_code == 404  # Swagger UI would load from a CDN


# -- downloads --------------------------------------------------------------------------------


def _csv(response: Any) -> list[dict[str, str]]:
    """A download read as Norwegian Excel reads it: UTF-8 with a BOM, ';' between fields."""
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


_SNAKE = re.compile(r"^[a-z]+(_[a-z]+)+$")


def test_csv_and_xlsx_downloads(client: TestClient) -> None:
    response = client.get("/api/kommune/3201?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response)
    assert len(rows) == 9
    assert rows[0]["datagrunnlag"] == "syntetiske eksempeldata"
    english = client.get("/api/kommune/3201/barnehage?format=csv&lang=en")
    assert not english.content.startswith("\ufeff".encode())  # plain CSV in English
    assert "data" in next(csv.reader(io.StringIO(english.text)))
    xlsx = client.get("/api/rangering?format=xlsx&fylke=46")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "kommunenr" in header
    assert "plass i barometeret" in header
    assert sheet.max_row > 10
    assert sheet.freeze_panes == "A2"
    # named after the key figure shown, as Excel allows (no id, at most 31 characters)
    assert sheet.title != "kostra"
    assert len(sheet.title) <= 31
    assert not re.search(r"[\[\]:*?/\\_]", sheet.title)


@pytest.mark.parametrize(
    "url",
    [
        "/api/kommune/3201",
        "/api/kommune/3201/barnehage",
        "/api/rangering",
        "/api/kart",
        "/api/sammenlign?k=3201&k=0301",
        "/api/kommune/3201/nokkeltall",
        "/api/kommune/3201/fakta",
        "/api/rangering/sektor/grunnskole",
    ],
)
def test_download_headers_speak_the_page_language(client: TestClient, url: str) -> None:
    joiner = "&" if "?" in url else "?"
    nb = _csv(client.get(f"{url}{joiner}format=csv"))
    english = client.get(f"{url}{joiner}format=csv&lang=en")
    en = list(csv.DictReader(io.StringIO(english.text)))
    keys = set(_json(client, url)["rows"][0])
    for headers in (list(nb[0]), list(en[0])):
        assert not [h for h in headers if _SNAKE.match(h)], headers
    assert keys & set(nb[0]) <= {"status", "min"}, list(nb[0])  # Norwegian words, not keys
    assert len(nb[0]) == len(en[0])
    # no three decimals on kroner: a figure in kroner is whole
    for row in nb:
        for name, cell in row.items():
            if "(kr)" in name and cell:
                assert re.fullmatch(r"-?[0-9]+", cell), (name, cell)
            if re.fullmatch(r"-?[0-9]+[.,][0-9]+", cell or ""):
                assert "." not in cell, (name, cell)  # a decimal comma in Norwegian


def test_ranking_download_rounds_by_the_key_figures_unit(client: TestClient) -> None:
    indicators = _json(client, "/api/indikatorer")
    kroner = next(i["id"] for i in indicators["indicators"] if i.get("unit") == "kr")
    rows = _csv(client.get(f"/api/rangering?format=csv&indikator={kroner}"))
    values = [r["verdi"] for r in rows if r["verdi"]]
    assert values
    assert all(re.fullmatch(r"-?[0-9]+", v) for v in values), values[:5]


def test_report_downloads(client: TestClient) -> None:
    html = client.get("/kommune/3201/rapport.html?lang=en")
    assert html.status_code == 200
    assert "attachment" in html.headers["content-disposition"]
    assert "Bærum" in html.text
    assert client.get("/kommune/nowhere/rapport.html").status_code == 404
    assert client.get("/kommune/3201/rapport.exe").status_code in (404, 422)


def test_a_pdf_download_is_rendered_in_the_document_worker(
    client: TestClient, web: WebData
) -> None:
    """The web's PDFs are rendered in a process of their own (WeasyPrint's layout holds the GIL
    for seconds): the download is a PDF, and the worker stays for the next one."""
    pdf = client.get("/kommune/4601/rapport.pdf?lang=en")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert web.documents._pool is not None
    assert web.documents.render(os.getpid) != os.getpid()


# -- pages ------------------------------------------------------------------------------------


def test_pages_render_with_banner_and_headers(client: TestClient) -> None:
    for url in [
        "/",
        "/kommune/3201",
        "/kommune/3201/pleie_og_omsorg?lang=en&gruppe=county",
        "/rangering?storrelse=city&sort=name",
        "/sammenlign?k=0301&k=4601",
        "/sammenlign",
        "/kart?indikator=barometer",
        "/?lang=en",
        "/kommune/3201?lang=en",
        "/rangering?lang=en&fylke=46",
        "/sammenlign?k=0301&lang=en",
        "/kart?lang=en",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-testid="sample-banner"' in response.text, url
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
        assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
    assert client.get("/static/app.js").headers["x-content-type-options"] == "nosniff"


def test_kostra_group_offered_only_when_available(client: TestClient, web: WebData) -> None:
    page = client.get("/kommune/3201").text
    year = web.default_year()
    assert ('value="kostra_group"' in page) == web.kostra_groups_available(year)
    if not web.kostra_groups_available(year):
        response = client.get("/api/kommune/3201?gruppe=kostra_group")
        assert response.status_code == 422
        assert "Klass" in response.json()["error"]


def test_name_urls_redirect_to_the_code_and_keep_the_state(client: TestClient) -> None:
    response = client.get("/kommune/bærum/barnehage?lang=en", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/kommune/3201/barnehage?lang=en"
    found = client.get("/finn?q=Tromsø&gruppe=asss", follow_redirects=False)
    assert found.headers["location"] == "/kommune/5501?gruppe=asss"


@pytest.mark.parametrize(
    ("fra", "target"),
    [
        ("/kommune/3201/barnehage", "/kommune/3201/barnehage?gruppe=county"),
        ("/rangering", "/rangering?gruppe=county"),
        ("//evil.example/x", "/?gruppe=county"),
        ("https://evil.example", "/?gruppe=county"),
        ("/kommune/3201/../../etc", "/?gruppe=county"),
        ("/api/kommune/3201", "/?gruppe=county"),
    ],
)
def test_chooser_without_a_name_reopens_only_own_pages(
    client: TestClient, fra: str, target: str
) -> None:
    from urllib.parse import quote

    response = client.get(f"/finn?q=&gruppe=county&fra={quote(fra)}", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == target


def test_page_state_in_links(client: TestClient, web: WebData) -> None:
    older = web.years()[-2]
    text = client.get(f"/kommune/3201?ar={older}&gruppe=county&lang=en").text
    assert f'href="/kommune/3201/grunnskole?ar={older}&amp;gruppe=county&amp;lang=en"' in text
    assert f"/kommune/3201/rapport.pdf?ar={older}&amp;gruppe=county&amp;lang=en" in text


def test_vega_is_served_locally(client: TestClient) -> None:
    page = client.get("/kommune/3201").text
    assert "https://cdn" not in page
    assert "jsdelivr" not in page
    bundle = client.get("/vendor/vega.js")
    assert bundle.status_code == 200
    assert "vegaEmbed" in bundle.text


# -- bad input --------------------------------------------------------------------------------

INJECTIONS = [
    "'; DROP TABLE observations; --",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "x" * 81,
]


@pytest.mark.parametrize("text", ["9999", "Atlantis", *INJECTIONS])
def test_unknown_municipality_is_404_never_500(client: TestClient, text: str) -> None:
    from urllib.parse import quote

    for url in (
        f"/kommune/{quote(text, safe='')}",
        f"/kommune/{quote(text, safe='')}/grunnskole",
        f"/api/kommune/{quote(text, safe='')}",
        f"/api/finn?q={quote(text, safe='')}",
        f"/sammenlign?k={quote(text, safe='')}",
        f"/finn?q={quote(text, safe='')}",
    ):
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (404, 422), (url, response.status_code)
        if response.headers["content-type"].startswith("text/html"):
            assert "<script>alert" not in response.text  # echoed escaped, never as markup
        else:
            assert response.headers["content-type"] == "application/json"
        assert "root:" not in response.text


def test_unknown_page_suggests_municipalities(client: TestClient, web: WebData) -> None:
    response = client.get("/kommune/Berum")
    assert response.status_code == 404
    assert 'href="/kommune/3201"' in response.text
    assert "Ingen kommune passer til «Berum»" in response.text
    assert "Mente du" in response.text
    current = {p.code for p in web.places()}
    linked = set(re.findall(r'href="/kommune/([0-9]{4})"', response.text))
    assert linked
    assert linked <= current  # today's municipalities only, no merged-away names
    english = client.get("/kommune/Berum?lang=en")
    assert "No municipality matches “Berum”" in english.text
    assert "Did you mean" in english.text
    year = client.get("/api/kommune/3201?ar=2099&lang=en").json()
    assert year["error"] == "No figures for 2099."
    assert client.get("/kommune/3201?ar=2014").text.count("Ingen tall for 2014.") == 1
    body = client.get("/api/kommune/Berum").json()
    assert any(s["code"] == "3201" for s in body["suggestions"])


def test_error_pages_speak_nynorsk(client: TestClient) -> None:
    page = client.get("/kommune/3201?ar=2014&lang=nn")
    assert page.status_code == 404
    assert '<html lang="nn">' in page.text
    assert page.text.count("Ingen tal for 2014.") == 1
    assert "Vel eit år mellom" in page.text
    assert "Ingen tall for" not in page.text
    body = client.get("/api/kommune/3201?ar=2099&lang=nn").json()
    assert body["error"] == "Ingen tal for 2099."
    assert body["hint"].startswith("Vel eit år mellom ")
    many = ",".join(f"{n:04d}" for n in range(1, 13))
    compare = client.get(f"/api/sammenlign?k={many}&lang=nn").json()
    assert compare["error"] == "12 kommunar er valde."
    assert compare["hint"] == "Samanlikn høgst 10."
    computing = ComputingError(this_warehouse())
    assert computing.text("nn") == "Tala for dette lageret blir rekna ut."
    assert computing.hint_text("nn") == "Prøv igjen om 30 sekund."
    assert computing.hint_text("en") == "Try again in 30 seconds."


@pytest.mark.parametrize(
    "url",
    [
        "/api/kommune/3201?ar=1999",
        "/api/kommune/3201?ar=2099",
        "/kommune/3201?ar=2014",
        "/api/rangering?ar=1800",
        "/api/kommune/3201?ar=abc",
        "/api/kommune/3201?ar=2024;DROP",
        "/kommune/3201?ar=abc",
    ],
)
def test_wrong_year(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (404, 422)
    if url.startswith("/api/"):
        assert "error" in response.json()
    else:
        assert "<h1>" in response.text


ELEVEN = ["0301", "4601", "5001", "1103", "3201", "3203", "4204", "1108", "3107", "3301", "5501"]
#: Parameters the app must refuse: unknown values, injection strings, too many municipalities.
INVALID_PARAMETERS = [
    "/api/kommune/3201/rm -rf",
    "/kommune/3201/%3Cscript%3E",
    "/api/kommune/3201?gruppe=everyone",
    "/api/kommune/3201?lang=de",
    "/api/kommune/3201?format=exe",
    "/api/rangering?indikator=%27;DROP%20TABLE%20x;--",
    "/api/rangering?indikator=no_such_indicator",
    "/api/rangering?fylke=3%27%20OR%201=1",
    "/api/rangering?sort=code;DROP",
    "/api/rangering?storrelse=huge",
    "/api/kart?indikator=../../etc/passwd",
    "/api/sammenlign",
    "/api/sammenlign?k=" + ",".join(["x"] * 500),
    "/api/sammenlign?k=" + "&k=".join(ELEVEN),
]
#: Paths that try to leave the package's static folder.
TRAVERSALS = [
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fdata/sample/observations.parquet",
    "/static/%2e%2e/app.py",
    "/static/../templates/base.html.j2",
]


@pytest.mark.parametrize(
    ("url", "statuses", "leaks"),
    [
        *((url, (404, 422), ("<script>",)) for url in INVALID_PARAMETERS),
        # static files only from the package's static folder
        *((path, (404,), ("root:", "import")) for path in TRAVERSALS),
    ],
)
def test_bad_input_is_rejected(
    client: TestClient, url: str, statuses: tuple[int, ...], leaks: tuple[str, ...]
) -> None:
    response = client.get(url)
    assert response.status_code in statuses, (url, response.status_code, response.text[:200])
    for leak in leaks:
        assert leak not in response.text


@pytest.mark.parametrize(
    ("url", "status", "raw", "escaped"),
    [
        # the ranking's search field shows what was typed, escaped
        (
            "/rangering?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
            200,
            "<script>alert",
            "&#34;&gt;&lt;script&gt;",
        ),
        # the error page names what was typed, escaped
        ("/finn?q=%3Cimg%20src=x%20onerror=alert(1)%3E", 404, "<img", "&lt;img"),
    ],
)
def test_pages_escape_what_was_typed(
    client: TestClient, url: str, status: int, raw: str, escaped: str
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert raw not in response.text
    assert escaped in response.text


def test_busy_warehouse_is_503(web: WebData, monkeypatch: pytest.MonkeyPatch) -> None:
    from kostra.errors import DatabaseBusyError

    def busy() -> None:
        raise DatabaseBusyError("The warehouse is busy.", hint="Try again in a minute.")

    monkeypatch.setattr(web, "years", busy)
    with TestClient(create_app(web=web)) as fresh:
        response = fresh.get("/api/ar")
        assert response.status_code == 503
        assert response.json()["hint"] == "Try again in a minute."
        page = fresh.get("/rangering")
        assert page.status_code == 503
        assert "Noe gikk galt" in page.text


def test_only_get(client: TestClient) -> None:
    assert client.post("/api/kommune/3201").status_code == 405
    assert client.delete("/kommune/3201").status_code == 405


# -- caching ----------------------------------------------------------------------------------


def test_views_are_cached_until_the_warehouse_changes(web: WebData, year: int) -> None:
    first = web.view("0301", year)
    assert web.view("0301", year) is first
    stamp = web.stamp()
    web.db.write_bytes(b"")  # a new warehouse file: the stamp changes, the cache key with it
    try:
        assert web.stamp() != stamp
    finally:
        web.db.unlink()
    assert web.stamp() == stamp


def test_cache_computes_a_missing_key_once_under_concurrency() -> None:
    cache = _Cache(4)
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> int:
        gate.wait(1)
        calls.append(1)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", compute))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert results == [42] * 8
    assert len(calls) == 1
    for key in range(6):
        cache.get(key, lambda: 0)
    assert len(cache._items) == 4


# -- kostra serve ---------------------------------------------------------------------------


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    from kostra.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("KOSTRA_DB", str(tmp_path / "other.duckdb"))
    main(["serve", "--db", str(tmp_path / "w.duckdb"), "--port", "8123"])
    assert seen["host"] == "127.0.0.1"
    assert seen["port"] == 8123
    assert seen["app"].state.web.db == tmp_path / "w.duckdb"
    # every lookup of the process (and its builders) defaults to the served warehouse
    assert os.environ["KOSTRA_DB"] == str((tmp_path / "w.duckdb").resolve())
    with TestClient(seen["app"], base_url="http://127.0.0.1:8123") as local:
        assert local.get("/static/app.css").status_code == 200
    with TestClient(seen["app"], base_url="http://attacker.example") as rebound:
        assert rebound.get("/static/app.css").status_code == 400  # DNS rebinding refused


def test_response_cache_keeps_pages_with_their_headers(web: WebData) -> None:
    from kostra.web.app import ResponseCache

    app = create_app(web=web)
    with TestClient(app) as fresh:
        first = fresh.get("/api/kommune/3201/barnehage")
        again = fresh.get("/api/kommune/3201/barnehage")
        assert again.content == first.content
        assert again.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert fresh.get("/api/kommune/Atlantis").status_code == 404
        cache = next(m for m in _middlewares(app.middleware_stack) if isinstance(m, ResponseCache))
        keys = [key[1] for key in cache._items]
        assert keys == ["/api/kommune/3201/barnehage"]  # errors are never kept


def _middlewares(app: Any) -> Iterator[Any]:
    while app is not None:
        yield app
        app = getattr(app, "app", None)


def test_warehouse_is_read_only_and_new_loads_are_seen(tmp_path: Path) -> None:
    from kostra.sample import load_sample, sample_tables
    from kostra.warehouse import Warehouse

    path = tmp_path / "kostra.duckdb"
    tables = sample_tables()
    with Warehouse.open(path) as warehouse:
        load_sample(warehouse, table_ids=tables[:2])
    web = WebData(path, resamples=10)
    before = path.stat().st_mtime_ns
    with TestClient(create_app(web=web)) as fresh:
        body = fresh.get("/api/ar").json()
        assert body["synthetic"] is True
        first = web.data()
        assert first.source == "warehouse+sample"
        assert path.stat().st_mtime_ns == before  # the app never writes
        with Warehouse.open(path) as warehouse:  # `kostra fetch` in another process, say
            load_sample(warehouse, table_ids=tables[2:3])
        assert fresh.get("/api/ar").status_code == 200
        assert web.data() is not first  # a new warehouse stamp: figures read afresh


def test_numbers_as_norwegian_pages_print_them() -> None:
    from kostra.web import views

    assert views.number_text(-147.6, "nb", 1) == "\u2212147,6"
    assert views.number_text(19020.0, "nb", 0) == "19\u00a0020"
    assert views.signed_text(197.5, "nb", 1) == "+197,5"
    assert views.signed_text(-0.08, "nb", 2) == "\u22120,08"
    assert views.number_text(None, "nb") == "–"


def test_overview_says_which_side_of_the_peers(client: TestClient, web: WebData) -> None:
    content = _json(client, "/api/kommune/3201")
    excess = content["excess_total_nok"]
    page = client.get("/kommune/3201").text
    words = "mer enn snittet" if excess >= 0 else "mindre enn snittet"
    assert words in page
    negative = [r for r in content["rows"] if (r["excess_nok"] or 0) < 0]
    for row in negative:
        assert "\u2212" + f"{abs(row['excess_nok']) / 1e6:.1f}".replace(".", ",") in page
