"""The web's municipal borders (issue 10.3): a year's pages, API and downloads are on that
year's borders and peer members by default, as the CLI and the report; ``grenser=nyeste`` puts
them on today's; a code of another year's borders is followed through the code history; the map
and time series stay on the newest borders; and every page says which borders it uses."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kostra import api
from kostra.geography import municipalities
from kostra.geography.peers import asss_members
from kostra.web import WebData, create_app
from kostra.web.labels import label
from real_13502 import INDICATOR, REAL_13502, published_by_region

SAMPLE_YEARS = (2022, 2023, 2024)
#: Bærum: 0219 until 2019, 3024 in 2020–2023, 3201 from 2024.
BAERUM = {2018: "0219", 2022: "3024", 2023: "3024", 2024: "3201"}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return WebData(tmp_path_factory.mktemp("borders") / "none.duckdb", resamples=10)


@pytest.fixture(scope="module")
def client(web: WebData) -> Iterator[TestClient]:
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def _note(html: str) -> str:
    found = re.findall(r'data-testid="borders-note">(.*?)</p>', html, re.S)
    assert len(found) == 1, "the page states its borders once"
    return found[0]


@pytest.mark.parametrize("year", SAMPLE_YEARS)
def test_a_year_is_on_its_own_borders_by_default(client: TestClient, year: int) -> None:
    body = client.get(f"/api/kommune/3201?ar={year}").json()
    assert body["borders"] == year
    assert body["borders_rule"] == "year"
    assert body["municipality"]["code"] == BAERUM[year]  # the code Bærum had that year
    ranking = client.get(f"/api/rangering?ar={year}").json()
    valid = set(municipalities(year)["code"].to_list())
    assert ranking["borders"] == year
    assert {r["code"] for r in ranking["rows"]} == valid  # that year's municipalities
    found = client.get(f"/api/kommuner?ar={year}&q=Bærum").json()["municipalities"]
    assert [m["code"] for m in found] == [BAERUM[year]]
    # the headline rank on the page's API is the ranking's place of the same municipality
    web_rank = body["barometer"]["income_adjusted_rank"]
    assert web_rank == next(
        r["place"]
        for r in client.get(f"/api/rangering?ar={year}&q={BAERUM[year]}").json()["rows"]
        if r["code"] == BAERUM[year]
    )


def test_grenser_chooses_the_newest_borders(client: TestClient) -> None:
    body = client.get("/api/kommune/3024?ar=2023&grenser=nyeste").json()
    assert body["borders"] == api.NEWEST_BORDERS
    assert body["municipality"]["code"] == "3201"
    page = client.get("/kommune/3024?ar=2023&grenser=nyeste", follow_redirects=False)
    assert page.status_code == 302
    assert page.headers["location"] == "/kommune/3201?ar=2023&grenser=nyeste"
    shown = client.get(page.headers["location"])
    assert _note(shown.text) == label("web_borders_note", "nb", borders=2024)
    # the choice is carried through the page's links
    assert 'href="/kommune/3201/grunnskole?ar=2023&amp;grenser=nyeste"' in shown.text
    # the download says on which borders its figures are
    table = client.get("/api/kommune/3201?ar=2023&grenser=nyeste&format=csv&lang=en").text
    rows = list(csv.DictReader(io.StringIO(table.lstrip("\ufeff"))))
    assert {r["municipality borders"] for r in rows} == {"2024"}
    default = client.get("/api/kommune/3024?ar=2023&format=csv").text
    rows = list(csv.DictReader(io.StringIO(default.lstrip("\ufeff")), delimiter=";"))
    assert {r["kommunegrenser"] for r in rows} == {"2023"}


@pytest.mark.parametrize("bad", ["newest", "2018", "x" * 90])
def test_a_bad_borders_choice_is_a_clear_error(client: TestClient, bad: str) -> None:
    page = client.get(f"/kommune/3201?grenser={bad}")
    assert page.status_code == 422
    assert "grenser" in page.text
    assert "aar" in page.text
    assert "nyeste" in page.text
    answer = client.get(f"/api/rangering?grenser={bad}")
    assert answer.status_code == 422
    assert "grenser" in answer.json()["detail"]


def test_an_older_year_follows_the_code_history(client: TestClient, web: WebData) -> None:
    if 2018 not in web.years():
        pytest.skip("the sample has no 2018")
    moved = client.get("/kommune/3201?ar=2018", follow_redirects=False)
    assert moved.status_code == 302
    assert moved.headers["location"] == "/kommune/0219?ar=2018"
    page = client.get("/kommune/0219?ar=2018&lang=nn")
    assert page.status_code == 200
    note = re.search(r'data-testid="borders-change">(.*?)<a', page.text, re.S)
    assert note is not None
    assert "0219" in note.group(1)
    assert "3201" in note.group(1)
    assert _note(page.text) == "Tal på kommunegrensene frå 2018"
    # Stavanger kept its code but was smaller: the page says it merged since
    stavanger = client.get("/kommune/1103?ar=2018&lang=en").text
    merged = re.search(r'data-testid="borders-change">(.*?)<', stavanger, re.S)
    assert merged is not None
    assert "Finnøy (1141)" in merged.group(1)
    assert "Rennesøy (1142)" in merged.group(1)
    # Ålesund 2024 in 2018: the Ålesund of then; Lillestrøm: the three it was formed from
    alesund = client.get("/kommune/1508?ar=2018", follow_redirects=False)
    assert alesund.headers["location"] == "/kommune/1504?ar=2018"
    several = client.get("/kommune/3205?ar=2018")
    assert several.status_code == 404
    for code in ("0226", "0227", "0231"):
        assert f'href="/kommune/{code}?ar=2018"' in several.text
    assert "Lillestrøm (3205)" in several.text
    nynorsk = client.get("/kommune/3205?ar=2018&lang=nn")
    assert nynorsk.status_code == 404
    assert "Lillestrøm (3205) fanst ikkje i 2018" in nynorsk.text
    assert "fantes ikke" not in nynorsk.text


def test_the_map_and_series_stay_on_the_newest_borders(client: TestClient) -> None:
    body = client.get("/api/kart?ar=2023").json()
    assert body["borders"] == api.NEWEST_BORDERS
    assert "3201" in {r["code"] for r in body["rows"]}
    assert "3024" not in {r["code"] for r in body["rows"]}
    sector = client.get("/api/kommune/3024/grunnskole?ar=2023").json()
    assert sector["borders"] == 2023
    assert sector["series_borders"] == api.NEWEST_BORDERS
    assert sector["series_municipality"]["code"] == "3201"
    page = client.get("/kommune/3024/grunnskole?ar=2023").text
    assert label("web_series_borders", "nb", borders=2024) in page
    indicator = sector["rows"][0]["indicator_id"]
    compared = client.get(f"/api/sammenlign?ar=2023&k=3024&k=1103&indikator={indicator}").json()
    assert [r["code"] for r in compared["rows"]] == ["3024", "1103"]
    assert compared["series_borders"] == api.NEWEST_BORDERS
    assert {p["code"] for p in compared["series"]} == {"3201", "1103"}


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_page_states_its_borders(client: TestClient, web: WebData, lang: str) -> None:
    year = web.default_year()
    code = BAERUM[2024] if year >= 2024 else BAERUM.get(year, "0301")
    pages = [
        "/",
        f"/kommune/{code}",
        f"/kommune/{code}/grunnskole",
        f"/kommune/{code}/fakta",
        f"/kommune/{code}/nokkeltall",
        "/rangering",
        "/rangering/sektor/grunnskole",
        f"/sammenlign?k={code}",
        "/kart",
        "/sok?q=lærer",
    ]
    for path in pages:
        joiner = "&" if "?" in path else "?"
        page = client.get(path + (f"{joiner}lang={lang}" if lang != "nb" else ""))
        assert page.status_code == 200, (path, page.text[:300])
        # the map's pages are on the map's borders, the others on the year's own
        on = api.NEWEST_BORDERS if path in ("/", "/kart") else api.borders_for(year, "year")
        expected = label("web_borders_note", lang, borders=on)
        assert _note(page.text) == expected, path
    older = client.get(f"/kommune/{BAERUM[2023]}?ar=2023&lang={lang}")
    assert _note(older.text) == label("web_borders_note", lang, borders=2023)
    on_map = client.get(f"/kart?ar=2023&lang={lang}")
    assert _note(on_map.text) == label("web_borders_note", lang, borders=2024)


# -- real data: the statbank download of 13502 -----------------------------------------------------


@pytest.fixture
def real_client(
    shared_dir: Path, tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    from kostra.cli import main

    path = shared_dir / REAL_13502
    if not path.is_file():
        pytest.skip(f"{REAL_13502} is not in ../shared")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    main(["import", str(path)])
    with TestClient(
        create_app(web=WebData(tmp_db, resamples=5)), raise_server_exceptions=False
    ) as c:
        yield c


def test_real_2018_is_what_ssbpublished(real_client: TestClient, shared_dir: Path) -> None:
    published = published_by_region(shared_dir / REAL_13502, 2018)
    members = asss_members(2018)
    body = real_client.get("/api/kommune/1103/barnehage?ar=2018&gruppe=asss").json()
    assert body["borders"] == 2018
    row = next(r for r in body["rows"] if r["indicator_id"] == INDICATOR)
    assert row["value"] == pytest.approx(81.7)  # Stavanger as SSB published it
    assert row["value"] == pytest.approx(published["1103"])
    assert sorted(m["code"] for m in body["peers"]["members"]) == sorted(members)
    mean = sum(published[code] for code in members) / len(members)
    assert row["peer_average"] == pytest.approx(mean)
    baerum = real_client.get("/api/kommune/3201/barnehage?ar=2018&gruppe=asss").json()
    assert baerum["municipality"]["code"] == "0219"
    value = next(r for r in baerum["rows"] if r["indicator_id"] == INDICATOR)["value"]
    assert value == pytest.approx(published["0219"])
    # on today's borders Stavanger 2018 includes Finnøy and Rennesøy: not SSB's 2018 figure
    newest = real_client.get("/api/kommune/1103/barnehage?ar=2018&gruppe=asss&grenser=nyeste")
    row = next(r for r in newest.json()["rows"] if r["indicator_id"] == INDICATOR)
    assert newest.json()["borders"] == api.NEWEST_BORDERS
    assert row["value"] != pytest.approx(published["1103"])
