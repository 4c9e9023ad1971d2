"""Every surface shows the same number: the CLI (the Typer app, CSV exports), the report's data,
the web API (FastAPI TestClient) agree on the barometer ranks, the service profile (value and
index), the need-corrected costs and the production/efficiency indices — for 20
municipalities × 3 years of the shipped sample.

One computed year is shared by the report and the web (``WebData.year_view``); the CLI reads the
same sample through ``kostra.api``. The loaded observations and the evaluated key figures are
memoised for the CLI runs (they are what every surface reads; the cache only saves recomputing
them per command), so the whole module stays within a couple of minutes.

Every surface computes a year on that year's own borders and peer members by default (the CLI's
``--borders year``, ``report_data``'s and the web's ``grenser=aar``), so the same municipality has
that year's code on each (Bærum 3024 in 2022 and 2023, 3201 in 2024). One case compares the
newest borders (``--borders newest``, ``grenser=nyeste``) on every surface too.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kostra import api
from kostra.catalog.models import BarometerSector
from kostra.cli import app as cli_app
from kostra.geography import mapping
from kostra.report.model import ReportData
from kostra.report.pipeline import report_data
from kostra.web import WebData, create_app

YEARS = (2022, 2023, 2024)
#: 12 ASSS members and 8 others (small, Sami names, merged in 2020), on the 2024 borders
ASSS = (
    "0301",
    "3201",
    "3203",
    "3205",
    "3301",
    "3107",
    "1103",
    "1108",
    "4204",
    "4601",
    "5001",
    "5501",
)
OTHERS = ("1151", "3101", "3103", "3403", "1804", "1508", "5610", "5041")
CODES = ASSS + OTHERS
TOLERANCE = 1e-6


def _peers(code: str) -> str:
    return "asss" if code in ASSS else "county"


def _code(code: str, year: int) -> str:
    """The code of year ``year`` of the municipality ``code`` of 2024 (its one predecessor)."""
    if year >= api.NEWEST_BORDERS:
        return code
    links = mapping(year, api.NEWEST_BORDERS).filter(pl.col("to_code") == code)
    found = links["from_code"].unique().to_list()
    assert len(found) == 1, (code, year, found)
    return str(found[0])


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return WebData(tmp_path_factory.mktemp("consistency") / "none.duckdb", resamples=20)


@pytest.fixture(scope="module")
def client(web: WebData) -> Iterator[TestClient]:
    with TestClient(create_app(web=web), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def cli(web: WebData) -> Iterator[CliRunner]:
    """A CLI over the same sample, loading and evaluating once per distinct request."""
    patch = pytest.MonkeyPatch()
    load, evaluated = api.load_data, api.evaluated
    data = web.data()

    @functools.cache
    def cached_evaluated(years: tuple[int, ...], borders: int) -> pl.DataFrame:
        return evaluated(data, web.catalog, years, borders=borders)

    def fake_load(years: Any, **_: Any) -> api.AnalysisData:
        return data

    def fake_evaluated(_data: Any, _catalog: Any, years: Any, *, borders: int = 2024) -> Any:
        return cached_evaluated(tuple(sorted(set(years))), borders)

    patch.setattr(api, "load_data", fake_load)
    patch.setattr(api, "evaluated", fake_evaluated)
    patch.setenv("KOSTRA_DB", str(web.db))
    yield CliRunner()
    patch.undo()
    assert api.load_data is load


def _csv(runner: CliRunner, *args: str) -> pl.DataFrame:
    """The command's table as exported; JSON, since spreadsheet files round each figure to
    the decimals it means (kroner whole, per cent to one decimal) and this compares unrounded."""
    out = runner.invoke(cli_app, ["--lang", "en", *args, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    # codes stay text; every other cell as the command wrote it
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


@pytest.fixture(scope="module")
def reports(web: WebData) -> dict[tuple[str, int], ReportData]:
    return {
        (code, year): report_data(web.year_view(year).inputs, _code(code, year), peers=_peers(code))
        for year in YEARS
        for code in CODES
    }


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _num(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


@pytest.mark.parametrize("year", YEARS)
def test_barometer_ranks_agree(
    year: int, cli: CliRunner, client: TestClient, reports: dict[tuple[str, int], ReportData]
) -> None:
    total = _csv(cli, "barometer", "--year", str(year))
    sector = _csv(cli, "barometer", "--year", str(year), "--sector", "grunnskole")
    by_code = {r["code"]: r for r in total.iter_rows(named=True)}
    grunnskole = {r["code"]: r for r in sector.iter_rows(named=True)}
    for base in CODES:
        data = reports[(base, year)].barometer
        code = _code(base, year)
        assert data is not None, code
        body = client.get(f"/api/kommune/{code}?ar={year}&gruppe={_peers(base)}").json()
        assert body["borders"] == year
        assert body["municipality"]["code"] == code
        web_b = body["barometer"]
        row = by_code[code]
        assert data.total_rank == web_b["total_rank"] == _int(row["rank"]), code
        adjusted = _int(row["rank income-adjusted"])
        assert data.income_adjusted_rank == web_b["income_adjusted_rank"] == adjusted, code
        # the headline is the income-adjusted rank on every surface
        assert web_b["headline_rank"] == data.headline_rank == adjusted, code
        ranking = client.get(f"/api/rangering?ar={year}&q={code}").json()["rows"]
        assert [r["place"] for r in ranking if r["code"] == code] == [adjusted], code
        own = data.sector(BarometerSector.GRUNNSKOLE)
        web_sector = next(s for s in web_b["sectors"] if s["sector"] == "grunnskole")
        assert own is not None
        assert own.rank == web_sector["rank"] == _int(grunnskole[code]["rank"]), code


@pytest.mark.parametrize("year", YEARS)
def test_profile_values_and_indices_agree(
    year: int, cli: CliRunner, client: TestClient, reports: dict[tuple[str, int], ReportData]
) -> None:
    for base in CODES:
        code = _code(base, year)
        exported = _csv(cli, "profile", code, "--year", str(year), "--peers", _peers(base)).filter(
            pl.col("role") == "municipality"
        )
        assert exported["municipality borders"].unique().to_list() == [year]
        cli_rows = {r["id"]: r for r in exported.iter_rows(named=True)}
        data = reports[(base, year)]
        compared = 0
        for row in data.profile:
            if row.indicator_id not in cli_rows:
                continue
            exported_row = cli_rows[row.indicator_id]
            assert _close(row.value, _num(exported_row["value"])), (code, row.indicator_id)
            assert _close(row.index, _num(exported_row["index"])), (code, row.indicator_id)
            compared += 1
        assert compared >= 0.8 * len(data.profile), (code, compared)
        body = client.get(f"/api/kommune/{code}/grunnskole?ar={year}&gruppe={_peers(base)}").json()
        for web_row in body["rows"]:
            exported_row = cli_rows[web_row["indicator_id"]]
            assert _close(web_row["value"], _num(exported_row["value"])), code
            assert _close(web_row["index"], _num(exported_row["index"])), code


@pytest.mark.parametrize("year", YEARS)
def test_costs_and_indices_agree(
    year: int, cli: CliRunner, client: TestClient, reports: dict[tuple[str, int], ReportData]
) -> None:
    for base in CODES:
        code, peers = _code(base, year), _peers(base)
        args = ("--year", str(year), "--peers", peers)
        costs = _csv(cli, "costs", code, *args).filter(pl.col("code") == code)
        indices = _csv(cli, "indices", code, *args).filter(pl.col("code") == code)
        data = reports[(base, year)]
        body = client.get(f"/api/kommune/{code}?ar={year}&gruppe={peers}").json()
        web_sectors = {s["sector"]: s for s in body["rows"]}
        cost_rows = {r["sector"]: r for r in costs.iter_rows(named=True)}
        for need in data.need_costs:
            exported = cost_rows[need.sector.value]
            web_row = web_sectors.get(need.sector.value)
            figure = _num(exported["need-corrected per inh."])
            assert _close(need.need_corrected, figure), (code, need.sector)
            assert _close(need.excess_nok, _num(exported["more/less spent (NOK)"])), code
            if web_row is not None:
                assert _close(web_row["need_corrected"], figure), (code, need.sector)
        index_rows = {r["sector"]: r for r in indices.iter_rows(named=True)}
        for prod in data.production:
            exported = index_rows[prod.sector.value]
            web_row = web_sectors.get(prod.sector.value)
            for key, header in (
                ("production_index", "production index"),
                ("efficiency_index", "efficiency index"),
            ):
                figure = _num(exported[header])
                assert _close(getattr(prod, key), figure), (code, prod.sector, key)
                if web_row is not None:
                    assert _close(web_row[key], figure), (code, prod.sector, key)


NEWEST_CASE = ("1103", 2022)


def test_the_newest_borders_agree_too(cli: CliRunner, client: TestClient, web: WebData) -> None:
    """One case on the newest borders: Stavanger 2022 as the 2024 unit on every surface."""
    code, year = NEWEST_CASE
    peers = _peers(code)
    args = ("--year", str(year), "--peers", peers, "--borders", "newest")
    exported = _csv(cli, "profile", code, *args).filter(pl.col("role") == "municipality")
    assert exported["municipality borders"].unique().to_list() == [api.NEWEST_BORDERS]
    cli_rows = {r["id"]: r for r in exported.iter_rows(named=True)}
    data = report_data(web.year_view(year, "newest").inputs, code, peers=peers)
    assert data.borders == api.NEWEST_BORDERS
    body = client.get(f"/api/kommune/{code}/grunnskole?ar={year}&gruppe={peers}&grenser=nyeste")
    answer = body.json()
    assert answer["borders"] == api.NEWEST_BORDERS
    compared = 0
    by_id = {row.indicator_id: row for row in data.profile}
    for web_row in answer["rows"]:
        exported_row = cli_rows[web_row["indicator_id"]]
        assert _close(web_row["value"], _num(exported_row["value"])), web_row["indicator_id"]
        assert _close(web_row["value"], by_id[web_row["indicator_id"]].value)
        compared += 1
    assert compared > 0
    total = _csv(cli, "barometer", "--year", str(year), "--borders", "newest")
    row = next(r for r in total.iter_rows(named=True) if r["code"] == code)
    overview = client.get(f"/api/kommune/{code}?ar={year}&gruppe={peers}&grenser=nyeste").json()
    assert overview["barometer"]["total_rank"] == _int(row["rank"])
    assert data.barometer is not None
    assert data.barometer.total_rank == _int(row["rank"])
