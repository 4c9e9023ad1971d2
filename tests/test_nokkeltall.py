"""SSB's KOSTRA nøkkeltall view: columns, SSB's aggregates where present and our computation by
SSB's rule where not (the profile's one average), the CLI in every format."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kostra import api, workbench
from kostra.analysis.kostra_view import LEVEL_UNITS, Aggregate, kostra_view
from kostra.catalog import load_catalog
from kostra.cli import app

YEAR = 2024


@pytest.fixture(scope="module")
def data() -> api.AnalysisData:
    return api.load_data([YEAR - 1, YEAR], db=Path("none.duckdb"))


@pytest.fixture(scope="module")
def baerum(data: api.AnalysisData) -> api.Result:
    return workbench.nokkeltall("Bærum", YEAR, compare=["Bergen"], data=data)


def test_columns_in_ssbs_order(baerum: api.Result) -> None:
    columns = baerum.frames["columns"]
    assert columns["column"].to_list() == [
        "self",
        "kostra_group",
        "county",
        "country",
        "country_ex_oslo",
        "compare:4601",
    ]
    assert columns["region"].to_list() == ["3201", "EKG12", "EKA32", "EAK", "EAKUO", "4601"]
    assert columns["label_nb"].to_list()[:5] == [
        "Bærum",
        "KOSTRA-gruppe 12",
        "Akershus",
        "Landet",
        "Landet uten Oslo",
    ]
    assert columns["label_en"][1] == "KOSTRA group 12"
    view = baerum.frames["view"]
    # one row per key figure and column, the municipality first
    assert view.group_by("indicator_id").len()["len"].unique().to_list() == [6]
    assert view["column"][0] == "self"


def test_kostra_group_is_computed_with_the_profiles_average(
    baerum: api.Result, data: api.AnalysisData
) -> None:
    # the sample has no EKG aggregates: the group's figure is computed from its 11 members
    group = baerum.frames["view"].filter(pl.col("column") == "kostra_group")
    assert set(group["basis"].drop_nulls()) == {"computed"}
    assert group["n_members"].max() == 11
    # one truth: the same number as the service profile's average against the KOSTRA group
    profile = api.profile("Bærum", YEAR, peers="kostra_group", data=data)
    own = profile.frames["table"].filter(pl.col("role") == "self")
    both = group.join(own.select("indicator_id", "peer_average"), on="indicator_id")
    # counts and areas are totals, as in SSB's aggregates, not the profile's mean
    ratios = both.filter(~pl.col("unit").is_in(list(LEVEL_UNITS)))
    assert ratios.height > 50
    assert both.height > ratios.height
    diff = (ratios["value"] - ratios["peer_average"]).abs().max()
    assert diff is not None
    assert float(str(diff)) < 1e-6


def test_ssbs_aggregates_are_used_where_present(baerum: api.Result) -> None:
    view = baerum.frames["view"]
    country = view.filter(pl.col("column") == "country")
    assert (country["basis"] == "ssb").sum() > 50  # the sample carries EAK
    assert (
        country.filter(pl.col("basis") == "ssb")["n_members"].null_count()
        == country.filter(pl.col("basis") == "ssb").height
    )


def test_computed_country_agrees_with_ssbs_where_both_exist(data: api.AnalysisData) -> None:
    catalog = load_catalog()
    frame = api.evaluated(data, catalog, [YEAR - 1, YEAR], borders=YEAR)
    _, everyone = api.peers_on_borders("country", YEAR, "3201", borders=YEAR)
    columns = [Aggregate("country", "EAK", tuple(everyone))]
    with_ssb = kostra_view(frame, catalog, "3201", columns, year=YEAR)
    ours = kostra_view(frame.filter(pl.col("region") != "EAK"), catalog, "3201", columns, year=YEAR)
    pick = pl.col("column") == "country"
    both = with_ssb.filter(pick).join(
        ours.filter(pick).select("indicator_id", pl.col("value").alias("ours"), "basis"),
        on="indicator_id",
        suffix="_ours",
    )
    assert set(both["basis_ours"].drop_nulls()) == {"computed"}
    relative = ((both["value"] / both["ours"]) - 1).abs()
    # the sample's EAK is summed from its municipalities as SSB does: the rule reproduces it
    # exactly for formulas, and up to SSB's rounding of published ratios for the rest
    formulas = [i.id for i in catalog.indicators if i.formula is not None]
    exact = relative.filter(both["indicator_id"].is_in(formulas))
    assert exact.len() > 30
    assert float(str(exact.median())) < 1e-9
    assert float(str(relative.median())) < 1e-3
    counts = both.filter(pl.col("unit") == "antall")
    assert counts.height
    assert ((counts["value"] / counts["ours"] - 1).abs() < 0.01).all()


def test_a_year_without_a_grouping_leaves_the_column_out(data: api.AnalysisData) -> None:
    result = workbench.nokkeltall("Utsira", 2019, data=api.load_data([2018, 2019]))
    assert "kostra_group" not in result.frames["columns"]["column"].to_list()
    assert any("kostra fetch --classifications" in t for t in result.note_texts("nb"))


def test_cli_table_csv_and_xlsx(tmp_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(
        app, ["nokkeltall", "Bærum", "--year", "2024", "--compare", "Bergen", "-s", "skole"]
    )
    assert table.exit_code == 0, table.output
    assert "KOSTRA-nøkkeltall: Bærum 2024" in table.output
    for text in ("Grunnskole", "Bergen", "*", "SSBs eget tall"):
        assert text in table.output
    assert "EKSEMPELDATA" in table.output
    csv = runner.invoke(app, ["nokkeltall", "Bærum", "-c", "Bergen,Asker", "-f", "csv"])
    assert csv.exit_code == 0, csv.output
    frame = pl.read_csv(csv.stdout.encode())
    assert {"Bærum", "KOSTRA-gruppe 12", "KOSTRA-gruppe 12 (grunnlag)", "Bergen", "Asker"} <= set(
        frame.columns
    )
    assert set(frame["KOSTRA-gruppe 12 (grunnlag)"].drop_nulls()) == {"beregnet"}
    assert set(frame["Landet (grunnlag)"].drop_nulls()) <= {"SSB", "beregnet"}
    assert frame["syntetisk"].all()
    target = tmp_path / "nokkeltall.xlsx"
    xlsx = runner.invoke(
        app, ["--lang", "en", "nokkeltall", "3201", "-f", "xlsx", "-o", str(target)]
    )
    assert xlsx.exit_code == 0, xlsx.output
    sheet = pl.read_excel(target)
    assert "KOSTRA group 12 (basis)" in sheet.columns
