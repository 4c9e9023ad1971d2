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
