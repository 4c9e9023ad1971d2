"""SSB's full historical-code grid: codes listed in years they did not exist are not applicable.

Every real KOSTRA table lists every region code of its lifetime in every year, with "." where the
code did not exist (issue #10.2). These tests build that grid from the sample and check that the
analysis gives the same figures over it as over the grid trimmed to each year's valid codes, on
2024 borders and on the year's own borders.
"""

from __future__ import annotations

from functools import cache

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kostra import api
from kostra.analysis.barometer import rank_municipalities
from kostra.analysis.indicators import evaluate
from kostra.catalog import load_catalog
from kostra.errors import KostraError
from kostra.geography import drop_not_applicable, harmonise, municipalities, population
from kostra.geography.grid import not_valid_pairs
from kostra.sample import sample_observations

YEARS = [2019, 2020]


def test_placeholders_go_and_real_missing_cells_stay() -> None:
    frame = pl.DataFrame(
        {
            # Asker 0220 ended in 2019, Asker 3025 began in 2020, Østfold EKA01 ended in 2019.
            "region": ["0220", "0220", "3025", "3025", "EKA01", "EKA01", "EAK", "0220", "3025"],
            "year": [2019, 2021, 2019, 2021, 2019, 2022, 2022, 2019, 2018],
            "value": [1.0, None, None, 2.0, None, None, None, None, None],
            "status": [None, ".", ".", None, "..", ".", "..", ":", ":"],
        }
    )
    kept = drop_not_applicable(frame)
    assert kept.rows() == [
        ("0220", 2019, 1.0, None),
        ("3025", 2021, 2.0, None),
        ("EKA01", 2019, None, ".."),  # missing in a year the county existed: stays missing
        ("EAK", 2022, None, ".."),
        ("0220", 2019, None, ":"),  # confidential in a year the code existed: stays
        ("3025", 2018, None, ":"),  # a symbol SSB does not put there is not explained away
    ]


def test_a_number_under_a_code_that_did_not_exist_is_kept_for_harmonise_to_refuse() -> None:
    frame = pl.DataFrame({"region": ["3025"], "year": [2015], "value": [5.0]})
    assert drop_not_applicable(frame).height == 1
    with pytest.raises(KostraError, match="not valid in their year: 3025"):
        harmonise(frame, 2024, sum_columns=["value"])


def test_not_valid_pairs_are_exactly_the_codes_outside_their_years() -> None:
    pairs = not_valid_pairs()
    for year in (2015, 2020, 2024):
        valid = set(municipalities(year)["code"].to_list())
        listed = set(pairs.filter(pl.col("year") == year)["region"].to_list())
        assert not valid & listed
        assert "0220" in listed if year >= 2020 else "3025" in listed


def test_harmonise_accepts_a_weighted_mean_with_its_weight_joined_onto_placeholders() -> None:
    # The case: a ready ratio averaged with a population weight; the weight joined
    # onto SSB's "." row of Sandefjord 0710 in 2015 (a code of 2017–2019) kept it alive.
    trimmed = pl.DataFrame(
        {
            "region": ["0706", "0719", "0720"],
            "year": [2015, 2015, 2015],
            "value": [80.0, 70.0, 90.0],
            "weight": [100.0, 50.0, 50.0],
            "status": [None, None, None],
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )
    placeholder = pl.DataFrame(
        {"region": ["0710"], "year": [2015], "value": [None], "weight": [300.0], "status": ["."]},
        schema_overrides={"year": pl.Int32, "value": pl.Float64},
    )
    full = pl.concat([trimmed, placeholder])
    for frame in (full, full.drop("status")):
        out = harmonise(frame, 2024, sum_columns=[], weight_columns={"value": "weight"})
        expected = harmonise(
            trimmed.select(frame.columns), 2024, sum_columns=[], weight_columns={"value": "weight"}
        )
        assert_frame_equal(out.sort("region"), expected.sort("region"))
        assert out.filter(pl.col("region") == "3907")["value"].item() == pytest.approx(80.0)


# --------------------------------------------------------------------------- over the sample


def _grid(frame: pl.DataFrame) -> pl.DataFrame:
    """Each series on every region the table ever lists, every year; "." where absent."""
    series = frame.select("table_id", "contents_code", "dims").unique()
    regions = frame.select("table_id", "region").unique()
    years = frame.select("year").unique()
    cells = series.join(regions, on="table_id").join(years, how="cross")
    keys = ["table_id", "contents_code", "region", "year", "dims"]
    return (
        cells.join(frame, on=keys, how="left")
        .with_columns(
            pl.when(pl.col("value").is_null())
            .then(pl.col("status").fill_null("."))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        .select(frame.columns)
    )


def _trim(frame: pl.DataFrame) -> pl.DataFrame:
    """Only the codes valid in each year (what the sample used to hold)."""
    return frame.join(not_valid_pairs(), on=["region", "year"], how="anti")


@cache
def _frames() -> tuple[api.AnalysisData, api.AnalysisData]:
    catalog = load_catalog()
    observations = sample_observations(api.catalog_tables(catalog)).filter(
        pl.col("year").is_in(YEARS)
    )
    trimmed, full = _trim(observations), _grid(observations)
    # The full grid really holds SSB's placeholders: Asker 0220 in 2020, 3025 in 2019.
    listed = set(full.filter(pl.col("status") == ".").select("region", "year").rows())
    assert {("0220", 2020), ("3025", 2019), ("EKA01", 2020)} <= listed
    assert full.height > trimmed.height
    people = population(
        sorted({y for year in YEARS for y in (year, year + 1)}),
        age_group=api.catalog_age_groups(catalog),
    )
    return (
        api.AnalysisData.from_frames(trimmed, people, synthetic=True),
        api.AnalysisData.from_frames(full, people, synthetic=True),
    )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort([c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Int32)])


@pytest.mark.parametrize("borders", [None, 2019, 2020, 2024])
def test_evaluate_over_the_full_grid_equals_the_trimmed_grid(borders: int | None) -> None:
    trimmed, full = _frames()
    catalog = load_catalog()
    years = [2019] if borders == 2019 else YEARS
    a = evaluate(trimmed.observations, trimmed.population, catalog, years=years, borders=borders)
    b = evaluate(full.observations, full.population, catalog, years=years, borders=borders)
    assert a.height > 0
    assert_frame_equal(_sorted(a), _sorted(b))
    # no figure for a code in a year it did not exist, on any borders
    if borders is None:
        assert b.join(not_valid_pairs(), on=["region", "year"], how="semi").height == 0
    else:
        codes = set(b.filter(pl.col("region").str.contains(r"^\d{4}$"))["region"].to_list())
        assert codes <= set(municipalities(borders)["code"].to_list())


@pytest.mark.parametrize("borders", [2020, 2024])
def test_profile_costs_indices_and_barometer_agree_over_the_full_grid(borders: int) -> None:
    trimmed, full = _frames()
    a = api.profile("Bærum", 2020, peers="asss", n_years=1, borders=borders, data=trimmed)
    b = api.profile("Bærum", 2020, peers="asss", n_years=1, borders=borders, data=full)
    assert a.frames["table"].height > 0
    assert_frame_equal(_sorted(a.frames["table"]), _sorted(b.frames["table"]))
    assert_frame_equal(_sorted(a.frames["series"]), _sorted(b.frames["series"]))
    x = api.costs("Bærum", 2020, peers="asss", borders=borders, data=trimmed)
    y = api.costs("Bærum", 2020, peers="asss", borders=borders, data=full)
    assert_frame_equal(_sorted(x.frames["costs"]), _sorted(y.frames["costs"]))
    x = api.indices("Bærum", 2020, peers="asss", borders=borders, data=trimmed)
    y = api.indices("Bærum", 2020, peers="asss", borders=borders, data=full)
    for name, frame in x.frames.items():
        assert_frame_equal(_sorted(frame), _sorted(y.frames[name]))
    catalog = load_catalog()
    ranked = [
        rank_municipalities(
            api.evaluated(data, catalog, [2020], borders=borders), catalog, years=[2020]
        )
        for data in (trimmed, full)
    ]
    assert ranked[0].total.height > 300
    assert_frame_equal(_sorted(ranked[0].total), _sorted(ranked[1].total))
    assert_frame_equal(_sorted(ranked[0].sectors), _sorted(ranked[1].sectors))
