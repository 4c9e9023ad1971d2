"""The workbench pages on the web (FastAPI TestClient over the shipped sample): SSB's KOSTRA
nøkkeltall view, the municipality facts, the sector ranking and the key-figure search; each
page's numbers checked against the function the CLI uses."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import polars as pl
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
    rows = list(csv.DictReader(io.StringIO(download.text)))
    body = _json(client, "/api/kommune/3201/nokkeltall")
    assert len(rows) == len(body["rows"])
    assert {r["column"] for r in rows} == {
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
    csv_text = client.get("/api/rangering/sektor/barnehage?format=csv").text
    assert csv_text.splitlines()[0].startswith("code,name,county_name,population,rank")
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
