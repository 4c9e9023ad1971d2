"""The workbench pages on the web (FastAPI TestClient over the shipped sample): SSB's KOSTRA
nøkkeltall view, the municipality facts, the sector ranking and the key-figure search; each
page's numbers checked against the function the CLI uses."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from kostra import workbench
from kostra.web import WebData, create_app
from kostra.web.views import number_text


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return WebData(tmp_path_factory.mktemp("web") / "none.duckdb", resamples=20, warm_views=False)


@pytest.fixture(scope="module")
def client(web: WebData) -> Iterator[TestClient]:
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


def _json(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


# -- nøkkeltall ---------------------------------------------------------------------------------


def test_nokkeltall_api_is_the_clis_view(client: TestClient, web: WebData) -> None:
    year = web.default_year()
    body = _json(client, "/api/kommune/3201/nokkeltall?k=Bergen")
    assert [c["key"] for c in body["columns"]] == [
        "self",
        "kostra_group",
        "county",
        "country",
        "country_ex_oslo",
        "compare:4601",
    ]
    assert [c["label"] for c in body["columns"]][:2] == ["Bærum", "KOSTRA-gruppe 12"]
    # the same numbers as `kostra nokkeltall Bærum --compare Bergen` on the web's data
    cli = workbench.nokkeltall(
        "3201", year, compare=["4601"], borders="newest", data=web.data(), catalog=web.catalog
    ).frames["view"]
    rows = pl.DataFrame(body["rows"], infer_schema_length=None).select(
        "indicator_id", "column", "value", "basis", "n_members"
    )
    joined = rows.join(
        cli.select("indicator_id", "column", pl.col("value").alias("cli"), "basis"),
        on=["indicator_id", "column"],
        suffix="_cli",
    )
    assert joined.height == cli.height == len(body["rows"])
    assert (joined["basis"] == joined["basis_cli"]).all()
    both = joined.drop_nulls(["value", "cli"])
    assert both.height > 400
    assert ((both["value"] - both["cli"]).abs() < 1e-9).all()
    # the sample has no EKG aggregate: the group's figures are ours, over its 11 members
    group = rows.filter(pl.col("column") == "kostra_group").drop_nulls("value")
    assert set(group["basis"]) == {"computed"}
    assert group["n_members"].max() == 11
    assert (rows.filter(pl.col("column") == "country")["basis"] == "ssb").sum() > 50
    assert any("SSBs eget tall" in n for n in body["notes"])
    # grouped by sector, every key figure once
    assert sum(len(s["rows"]) for s in body["sectors"]) == rows["indicator_id"].n_unique()


def test_nokkeltall_page_and_download(client: TestClient) -> None:
    page = client.get("/kommune/3201/nokkeltall?k=4601")
    assert page.status_code == 200
    text = page.text
    for expected in ("KOSTRA-gruppe 12", "Landet uten Oslo", "Bergen", "nokkeltall-grunnskole"):
        assert expected in text
    assert 'data-testid="nokkeltall-legend"' in text
    assert 'aria-current="page">Nøkkeltall' in text
    # the page's CSV holds the API's rows
    download = client.get("/api/kommune/3201/nokkeltall?format=csv")
    assert download.status_code == 200
    assert download.headers["content-disposition"].endswith('_nokkeltall.csv"')
    # Norwegian Excel's CSV (BOM, ';'), headers in Norwegian
    text = download.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    body = _json(client, "/api/kommune/3201/nokkeltall")
    assert len(rows) == len(body["rows"])
    assert {r["kolonne-id"] for r in rows} == {
        "self",
        "kostra_group",
        "county",
        "country",
        "country_ex_oslo",
    }
    english = _json(client, "/api/kommune/3201/nokkeltall?lang=en")
    assert english["columns"][1]["label"] == "KOSTRA group 12"
    # by name: redirected to the code URL; an unknown name is a 404
    by_name = client.get("/kommune/Bærum/nokkeltall", follow_redirects=False)
    assert by_name.status_code == 302
    assert by_name.headers["location"] == "/kommune/3201/nokkeltall"
    assert client.get("/kommune/Atlantis/nokkeltall").status_code == 404
    assert client.get("/api/kommune/3201/nokkeltall?k=Atlantis").status_code == 404


# -- the ranking of one sector ------------------------------------------------------------------


def test_sector_ranking_is_the_clis_ranking(client: TestClient, web: WebData) -> None:
    from kostra.cli.barometer import ranking_frame

    year = web.default_year()
    body = _json(client, "/api/rangering/sektor/grunnskole")
    result = web.year_view(year).inputs.ranking
    assert result is not None
    cli, _ = ranking_frame(result, year=year, sector="grunnskole", names={})
    ours = pl.DataFrame(body["rows"], infer_schema_length=None)
    joined = ours.join(cli.select("region", "rank", "score"), left_on="code", right_on="region")
    assert joined.height == cli.height > 300
    assert (joined["rank"] == joined["rank_right"]).all()
    assert ((joined["score"] - joined["score_right"]).abs() < 1e-12).all()
    # best first by default, the unranked last
    ranks = ours["rank"].drop_nulls().to_list()
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    assert ours["rank"].to_list()[: len(ranks)] == ranks
    # a score column per indicator of the sector: the barometer's own grades
    ids = [i["id"] for i in body["indicators"]]
    assert "grunnskolepoeng" in ids
    grades = result.indicators.filter(
        (pl.col("year") == year) & (pl.col("indicator_id") == "grunnskolepoeng")
    ).select("region", "score")
    check = ours.join(grades, left_on="code", right_on="region").drop_nulls("score_right")
    assert check.height > 300
    assert ((check["grunnskolepoeng"] - check["score_right"]).abs() < 1e-12).all()


def test_sector_ranking_sorts_on_the_server(client: TestClient) -> None:
    down = _json(client, "/api/rangering/sektor/grunnskole?sort=grunnskolepoeng&retning=synkende")
    values = [r["grunnskolepoeng"] for r in down["rows"] if r["grunnskolepoeng"] is not None]
    assert values == sorted(values, reverse=True)
    assert down["rows"][-1]["grunnskolepoeng"] is None  # missing last
    by_name = _json(client, "/api/rangering/sektor/grunnskole?sort=name")
    names = [r["name"] for r in by_name["rows"]]
    assert names == sorted(names)
    page = client.get("/rangering/sektor/grunnskole?sort=population&retning=synkende")
    assert page.status_code == 200
    text = page.text
    # sort links in the header: the active column turns around, the others sort ascending
    assert "/rangering/sektor/grunnskole?sort=population" in text
    assert 'aria-sort="descending"' in text
    assert "/rangering/sektor/grunnskole?sort=grunnskolepoeng" in text
    assert 'data-testid="sector-ranking-table"' in text
    assert "Kommunebarometer-metoden (egen beregning" in text
    csv_text = client.get("/api/rangering/sektor/barnehage?format=csv").content.decode("utf-8-sig")
    header = csv_text.splitlines()[0]
    assert header.startswith("kommunenr;navn;fylke;innbyggere;plass i barometeret")
    assert "_" not in header  # key figures by name, not by id
    assert client.get("/rangering/sektor/atlantis").status_code == 404
    assert client.get("/api/rangering/sektor/grunnskole?sort=drop_table").status_code == 404
    assert client.get("/api/rangering/sektor/grunnskole?sort=a;b").status_code == 422
    # the total ranking links to every sector and has a score column
    total = client.get("/rangering").text
    assert 'data-testid="sector-rankings"' in total
    assert "/rangering/sektor/grunnskole" in total
    assert "Poeng (ujustert)" in total
    scored = _json(client, "/api/rangering?sort=score&retning=synkende")["rows"]
    scores = [r["score"] for r in scored if r["score"] is not None]
    assert scores == sorted(scores, reverse=True)


# -- the municipality at a glance ---------------------------------------------------------------


def test_facts_come_from_the_shared_functions(client: TestClient, web: WebData) -> None:
    import kostra.geography as geography
    from kostra.results import barometer as barometer_results

    year = web.default_year()
    body = _json(client, "/api/kommune/3201/fakta")
    people = body["population"]
    on = people["date"]
    assert on in (year, year + 1)
    # SSB's 07459 as the packaged population has it, on the web's 2024 borders
    frame = geography.population(
        [on - 1, on], age_group=["total", "0-5", "80+"], borders=2024
    ).filter(pl.col("region") == "3201")

    def of(when: int, group: str) -> float:
        found = frame.filter((pl.col("year") == when) & (pl.col("age_group") == group))
        return float(found["population"][0])

    assert people["total"] == of(on, "total")
    assert people["before"] == of(on - 1, "total")
    assert people["growth"] == pytest.approx(of(on, "total") / of(on - 1, "total") - 1)
    ages = {a["age_group"]: a for a in body["ages"]}
    assert list(ages) == ["0-5", "6-15", "16-66", "67-79", "80+"]
    assert ages["80+"]["population"] == of(on, "80+")
    assert ages["0-5"]["share"] == pytest.approx(of(on, "0-5") / of(on, "total"))
    assert sum(a["population"] for a in body["ages"]) == pytest.approx(people["total"])
    assert 0 < ages["80+"]["country_share"] < 0.1
    # area as `kostra similar` has it; density from the two
    packaged = workbench.packaged_facts().filter(pl.col("code") == "3201")
    assert body["area_km2"] == pytest.approx(float(packaged["area_km2"][0]))
    assert body["density"] == pytest.approx(people["total"] / body["area_km2"])
    assert body["kostra_group"] == "KOSTRA-gruppe 12"
    assert 0.5 < body["need_index"] < 1.5
    # the finances are the nøkkeltall view's rows: the same numbers on both pages
    view = _json(client, "/api/kommune/3201/nokkeltall")
    wanted = {"self", "county", "country"}
    nokkeltall = {
        (r["indicator_id"], r["column"]): r["value"] for r in view["rows"] if r["column"] in wanted
    }
    finance = {r["indicator_id"]: r for s in body["finances"]["sectors"] for r in s["rows"]}
    assert list(finance) == [
        "netto_driftsresultat",
        "frie_inntekter_per_innbygger",
        "netto_lanegjeld_per_innbygger",
        "ndu_totalt_per_innbygger",
    ]
    columns = [c["key"] for c in body["finances"]["columns"]]
    assert columns == ["self", "county", "country"]
    for figure, row in finance.items():
        for key, cell in zip(columns, row["cells"], strict=True):
            assert cell["value"] == nokkeltall[(figure, key)]
    # the headline rank: results.barometer.headline, as the overview and the CLI show it
    ranking = web.year_view(year).inputs.ranking
    assert ranking is not None
    head = barometer_results.headline(ranking, "3201", year)
    assert body["ranks"]["headline_rank"] == head["rank_income_adjusted"]
    assert body["ranks"]["rank"] == head["rank"]
    overview = _json(client, "/api/kommune/3201")
    assert body["ranks"]["headline_rank"] == overview["barometer"]["headline_rank"]


def test_facts_page_and_download(client: TestClient, web: WebData) -> None:
    page = client.get("/kommune/3201/fakta")
    assert page.status_code == 200
    text = page.text
    for testid in ("facts-population", "facts-area", "facts-need", "facts-rank", "facts-ages"):
        assert f'data-testid="{testid}"' in text
    assert "Bærum i tall" in text
    total = _json(client, "/api/kommune/3201/fakta")["population"]["total"]
    assert number_text(total, "nb", 0) in text
    assert 'aria-current="page">Fakta' in text
    assert "vega-spec" in text  # the age chart
    download = client.get("/api/kommune/3201/fakta?format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(download), delimiter=";"))  # Norwegian Excel's CSV
    figures = [r["tall-id"] for r in rows]
    assert figures[:2] == ["population", "growth"]
    assert "netto_lanegjeld_per_innbygger" in figures
    assert "barometer_rank" in figures
    english = _json(client, "/api/kommune/3201/fakta?lang=en")
    assert english["rows"][0]["label"] == "Inhabitants"
    # a year no KOSTRA grouping covers: the group is missing, the rest is there
    early = _json(client, f"/api/kommune/3201/fakta?ar={min(web.years())}")
    assert early["kostra_group"] is None
    assert early["population"]["total"] > 0
    assert client.get("/kommune/Bærum/fakta", follow_redirects=False).status_code == 302
    assert client.get("/api/kommune/9999/fakta").status_code == 404


# -- key-figure search --------------------------------------------------------------------------


def test_search_page_finds_key_figures_grouped_by_sector(client: TestClient, web: WebData) -> None:
    from kostra.catalog.search import by_sector, search_indicators

    page = client.get("/sok?q=lærer")
    assert page.status_code == 200
    text = page.text
    # the CLI's search (`kostra catalog --search lærer`): a synonym, no name holds the word
    expected = [ind for ind, _ in by_sector(search_indicators(web.indicators(), "lærer"))]
    assert expected
    ids = re.findall(r"indikator=([a-z0-9_]+)&amp;|indikator=([a-z0-9_]+)\"", text)
    shown = list(dict.fromkeys(a or b for a, b in ids))
    assert shown == [ind.id for ind in expected]
    assert 'data-testid="search-sector-grunnskole"' in text
    assert f"{len(expected)} nøkkeltall for «lærer»" in text
    # the API answers the same search in the same order
    api = _json(client, "/api/indikatorer?q=lærer")
    assert [i["id"] for i in api["indicators"]] == shown
    # grouped: each sector's results together
    sectors = [ind.sector.value for ind in expected]
    assert sectors == sorted(sectors, key=sectors.index)
    # a sector word in Norwegian without diacritics finds the sector's figures
    eldre = client.get("/sok?q=eldre&lang=en").text
    assert 'data-testid="search-sector-pleie_og_omsorg"' in eldre
    empty = client.get("/sok").text
    assert 'data-testid="search-count"' not in empty
    assert 'data-testid="indicator-search"' in empty
    assert client.get("/sok?q=" + "x" * 81).status_code == 422


def test_measure_list_is_grouped_by_sector(client: TestClient, web: WebData) -> None:
    text = client.get("/rangering").text
    start = text.index('data-testid="measure-select"')
    select = text[start : text.index("</select>", start)]
    groups = re.findall(r'<optgroup label="([^"]+)"', select)
    assert "Grunnskole" in groups
    assert "Pleie og omsorg" in groups
    assert len(groups) == len({ind.sector for ind in web.indicators()})
    # every key figure once, under its sector; the barometer rank first, outside the groups
    options = re.findall(r'<option value="([a-z0-9_]+)"', select)
    assert options[0] == "barometer"
    assert sorted(options[1:]) == sorted(ind.id for ind in web.indicators())
    school = select[select.index('label="Grunnskole"') :]
    school = school[: school.index("</optgroup>")]
    in_school = re.findall(r'<option value="([a-z0-9_]+)"', school)
    assert in_school == [ind.id for ind in web.indicators() if ind.sector.value == "grunnskole"]


def test_facts_cli_agrees_with_the_web(client: TestClient, tmp_db: Path) -> None:
    from typer.testing import CliRunner

    from kostra.cli import app

    result = CliRunner().invoke(app, ["fakta", "Bærum", "--year", "2024", "-f", "json"])
    assert result.exit_code == 0, result.output
    cli = pl.DataFrame(json.loads(result.stdout))
    assert cli.columns == ["tall", "verdi", "enhet", "landet"]
    values = dict(zip(cli["tall"], cli["verdi"], strict=True))
    web = _json(client, "/api/kommune/3201/fakta?ar=2024")
    # the same population (07459), finances (the nøkkeltall view) and ranks on every surface
    assert values["Innbyggere 1. januar 2025"] == web["population"]["total"]
    finance = {r["name"]: r["cells"][0]["value"] for r in web["finances"]["sectors"][0]["rows"]}
    assert len(finance) == 4
    for name, value in finance.items():
        assert values[name] == pytest.approx(value)
    assert values["Samlet plass, justert for frie inntekter"] == web["ranks"]["headline_rank"]
    assert values["Samlet plass, ujustert"] == web["ranks"]["rank"]
    assert values["Areal"] == pytest.approx(web["area_km2"])
    table = CliRunner().invoke(app, ["--lang", "en", "fakta", "3201", "--year", "2024"])
    assert table.exit_code == 0, table.output
    assert "Bærum in figures (2024)" in table.output
    assert "Expenditure-need index" in table.output
