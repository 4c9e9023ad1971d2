"""Every surface shows the same number: the CLI (the Typer app, CSV exports), the report's data,
the web API (FastAPI TestClient) agree on the barometer ranks, the service profile (value and
index), the need-corrected costs and the production/efficiency indices — for 20
municipalities × 3 years of the shipped sample.

One computed year is shared by the report and the web (``WebData.year_view``); the CLI reads the
same sample through ``kostra.api``. The loaded observations and the evaluated key figures are
memoised for the CLI runs (they are what every surface reads; the cache only saves recomputing
them per command), so the whole module stays within a couple of minutes.

The report and the web compute on the newest borders (2024) for every year; the CLI's default
is the year's own borders, so the CLI runs here say ``--borders newest`` (see the report of
surfaces: the report on the year's borders is still to come).
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
        (code, year): report_data(web.year_view(year).inputs, code, peers=_peers(code))
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
    newest = ("--borders", "newest")  # the web's borders (see the module docstring)
    total = _csv(cli, "barometer", "--year", str(year), *newest)
    sector = _csv(cli, "barometer", "--year", str(year), "--sector", "grunnskole", *newest)
    by_code = {r["code"]: r for r in total.iter_rows(named=True)}
    grunnskole = {r["code"]: r for r in sector.iter_rows(named=True)}
    for code in CODES:
        data = reports[(code, year)].barometer
        assert data is not None, code
        body = client.get(f"/api/kommune/{code}?ar={year}&gruppe={_peers(code)}").json()
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
    for code in CODES:
        exported = _csv(
            cli,
            "profile",
            code,
            "--year",
            str(year),
            "--peers",
            _peers(code),
            "--borders",
            "newest",
        ).filter(pl.col("role") == "municipality")
        cli_rows = {r["id"]: r for r in exported.iter_rows(named=True)}
        data = reports[(code, year)]
        compared = 0
        for row in data.profile:
            if row.indicator_id not in cli_rows:
                continue
            exported_row = cli_rows[row.indicator_id]
            assert _close(row.value, _num(exported_row["value"])), (code, row.indicator_id)
            assert _close(row.index, _num(exported_row["index"])), (code, row.indicator_id)
            compared += 1
        assert compared >= 0.8 * len(data.profile), (code, compared)
        body = client.get(f"/api/kommune/{code}/grunnskole?ar={year}&gruppe={_peers(code)}").json()
        for web_row in body["rows"]:
            exported_row = cli_rows[web_row["indicator_id"]]
            assert _close(web_row["value"], _num(exported_row["value"])), code
            assert _close(web_row["index"], _num(exported_row["index"])), code


@pytest.mark.parametrize("year", YEARS)
def test_costs_and_indices_agree(
    year: int, cli: CliRunner, client: TestClient, reports: dict[tuple[str, int], ReportData]
) -> None:
    for code in CODES:
        peers = _peers(code)
        args = ("--year", str(year), "--peers", peers, "--borders", "newest")
        costs = _csv(cli, "costs", code, *args).filter(pl.col("code") == code)
        indices = _csv(cli, "indices", code, *args).filter(pl.col("code") == code)
        data = reports[(code, year)]
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
