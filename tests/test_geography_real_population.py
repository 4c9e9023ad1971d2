"""THE real-data test: SSB's raw statbank downloads (old borders) summed to 2024 borders with
``harmonise`` match the reference population (2024 borders) for every year and municipality.

The raw files are parsed here independently of the build script. Tolerances, and why:

* 1508 Ålesund and 1580 Haram before 2024 are an artificial half-and-half split of old Ålesund in
  the reference (see MANIFEST): they are compared combined;
* where a split is weighted (Snillfjord 2020 → Heim/Hitra/Orkland 0.35/0.35/0.30, Tysfjord 2020 →
  Narvik/Hamarøy 0.5/0.5, and the combined Ålesund/Haram), the reference rounded each weighted
  female and male cell to whole persons; per single age that is at most 0.5 per split share
  (1.0 for the two halves of Ålesund), so the tolerance is 0.5 per age for those and 1.0 for the
  combined Ålesund; everywhere else the match is exact;
* the downloads lack nine old codes (Sandefjord, Andebu, Stokke to 2016; Kristiansund/Frei
  1503/1556 to 2007; Mosvik/Inderøy 1723/1729 to 2011; Harstad/Bjarkøy 1901/1915 to 2012), and
  have zeros for the 2006 mergers in 2005: the merged 2024 unit is then missing (null), never a
  smaller sum; the test checks exactly those are null and nothing else.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import polars as pl
import pytest

from kostra.geography import harmonise, population

pytestmark = pytest.mark.slow

SPLIT_WEIGHTED = {"1806", "1875", "5055", "5056", "5059"}
EXPECTED_NULL = {
    "3907": range(2005, 2017),
    "1505": range(2005, 2008),
    "5053": range(2005, 2012),
    "5503": range(2005, 2013),
    "1160": range(2005, 2006),
    "1576": range(2005, 2006),
}


def _read_download(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    lines = [line for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip('"').startswith("region"))
    delimiter = max(("\t", ";", ","), key=lines[start].count)
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter))
    years = [int(re.sub(r"\D", "", column)) for column in rows[0][2:]]
    records = []
    for row in rows[1:]:
        code = re.match(r"^(?:K-)?(\d{4}) ", row[0])
        if code is None:
            continue
        age = int(row[1].split()[0])
        for year, cell in zip(years, row[2:], strict=True):
            records.append((code.group(1), year, age, int(cell)))
    return pl.DataFrame(
        records,
        schema={"region": pl.Utf8, "year": pl.Int32, "age": pl.Int32, "value": pl.Int64},
        orient="row",
    )


@pytest.fixture(scope="module")
def raw_old_borders(shared_dir: Path) -> pl.DataFrame:
    files = sorted((shared_dir / "data" / "ssb_statbank_exports").glob("Personer*.csv"))
    frame = pl.concat([_read_download(path) for path in files])
    # A download over several years lists every code of the span, with zeros where a code was
    # not valid; those rows are not observations of that year.
    valid = (
        frame.group_by("region", "year")
        .agg(pl.col("value").sum().alias("total"))
        .filter(pl.col("total") > 0)
    )
    return frame.join(valid, on=["region", "year"], how="semi")


@pytest.fixture(scope="module")
def reference(shared_dir: Path) -> pl.DataFrame:
    path = shared_dir / "data" / "reference" / "population_by_age_sex_2005_2026.parquet"
    return (
        pl.read_parquet(path)
        .filter((pl.col("granularity_geo") == "municip") & (pl.col("sex") == "total"))
        .select(
            pl.col("code").alias("region"),
            pl.col("calyear").cast(pl.Int32).alias("year"),
            pl.col("age").cast(pl.Int32),
            pl.col("pop_jan1_n").alias("expected"),
        )
        .filter(pl.col("year") <= 2023)
    )


def _combine_alesund(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    region = (
        pl.when(pl.col("region").is_in(["1508", "1580"]))
        .then(pl.lit("1508+1580"))
        .otherwise(pl.col("region"))
    )
    return (
        frame.with_columns(region.alias("region"))
        .group_by("region", "year", "age")
        .agg(
            pl.when(pl.col(column).is_null().any())
            .then(None)
            .otherwise(pl.col(column).sum())
            .alias(column)
        )
    )


def test_raw_downloads_harmonised_to_2024_match_reference(
    raw_old_borders: pl.DataFrame, reference: pl.DataFrame
) -> None:
    harmonised = harmonise(raw_old_borders, 2024, sum_columns=["value"])
    assert harmonised.filter(pl.col("region").is_in(["0219", "3024"])).height == 0
    ours = _combine_alesund(harmonised, "value")
    theirs = _combine_alesund(reference, "expected")
    both = ours.join(theirs, on=["region", "year", "age"], how="full", coalesce=True)

    assert sorted(both["year"].unique().to_list()) == list(range(2005, 2024))
    # Missing is missing: where a predecessor is absent from the downloads the 2024 unit has no
    # value (absent or null), never a partial sum. The 2006 mergers are absent in 2005 from the
    # reference too.
    present = set(
        both.filter(pl.col("value").is_not_null()).select("region", "year").unique().iter_rows()
    )
    in_reference = set(
        both.filter(pl.col("expected").is_not_null()).select("region", "year").unique().iter_rows()
    )
    expected_null = {(r, y) for r, years in EXPECTED_NULL.items() for y in years}
    assert in_reference - present == expected_null - {("1160", 2005), ("1576", 2005)}
    assert present <= in_reference
    assert all(len({r for r, y in present if y == year}) >= 350 for year in range(2005, 2024))

    compared = both.filter(pl.col("value").is_not_null())
    assert compared["expected"].null_count() == 0
    tolerance = (
        pl.when(pl.col("region") == "1508+1580")
        .then(1.0)
        .when(pl.col("region").is_in(list(SPLIT_WEIGHTED)))
        .then(0.5)
        .otherwise(0.0)
    )
    off = compared.filter((pl.col("value") - pl.col("expected")).abs() > tolerance + 1e-9)
    assert off.height == 0, off.head(10)
    # The whole country agrees to the person wherever all municipalities are present.
    exact_years = compared.filter(~pl.col("region").is_in(list(EXPECTED_NULL)))
    assert exact_years.height > 700_000


def test_haram_is_restored_not_split(raw_old_borders: pl.DataFrame) -> None:
    # Haram (1534) was merged into Ålesund in 2020 and re-established on its old borders in 2024:
    # before 2020 it maps whole to 1580, without split weights.
    frame = raw_old_borders.filter(pl.col("year") <= 2019)
    harmonised = harmonise(frame, 2024, sum_columns=["value"]).filter(pl.col("region") == "1580")
    old = frame.filter(pl.col("region") == "1534")
    both = harmonised.join(old, on=["year", "age"], suffix="_old")
    assert both.height == old.height == 15 * 106
    assert (both["value"] == both["value_old"]).all()
    assert both["series_break"].all()


def test_bærum_is_one_series_without_break(raw_old_borders: pl.DataFrame) -> None:
    frame = raw_old_borders.filter(pl.col("region").is_in(["0219", "3024"]))
    harmonised = harmonise(frame, 2024, sum_columns=["value"])
    assert set(harmonised["region"].to_list()) == {"3201"}
    assert not harmonised["series_break"].any()
    assert harmonised["value"].null_count() == 0
    assert harmonised["value"].sum() == frame["value"].sum()


def test_packaged_own_border_population_is_the_downloads_and_null_where_absent(
    raw_old_borders: pl.DataFrame,
) -> None:
    # Every packaged cell 2005–2023 is the download's to the person; the nine codes the downloads
    # lack (and the four codes of the 2006 mergers in 2005) are null, never 0. The downloads'
    # zero rows under a code in years it was not valid (0710 Sandefjord in 2005–2016: the export
    # does not move the old codes' history there) are not read as people.
    packaged = population(list(range(2005, 2024)), age_group="single").select(
        "region", "year", pl.col("age_group").cast(pl.Int32).alias("age"), "population"
    )
    both = packaged.join(raw_old_borders, on=["region", "year", "age"], how="full", coalesce=True)
    assert both.filter(pl.col("population").is_not_null() & pl.col("value").is_null()).height == 0
    assert both.filter(pl.col("value").is_not_null() & pl.col("population").is_null()).height == 0
    compared = both.filter(pl.col("value").is_not_null())
    assert (compared["population"] == compared["value"].cast(pl.Float64)).all()
    null_units = set(
        both.filter(pl.col("population").is_null()).select("region", "year").unique().iter_rows()
    )
    absent = {
        **{code: range(2005, 2017) for code in ("0706", "0719", "0720")},
        **{code: range(2005, 2008) for code in ("1503", "1556")},
        **{code: range(2005, 2012) for code in ("1723", "1729")},
        **{code: range(2005, 2013) for code in ("1901", "1915")},
        **{code: range(2005, 2006) for code in ("1154", "1159", "1569", "1572")},
    }
    assert null_units == {(code, year) for code, years in absent.items() for year in years}
    # (Polars sums nulls to 0: a reader that sums single ages without a null check sees zeros.)
    totals = packaged.group_by("region", "year").agg(
        pl.col("population").sum(), pl.col("population").is_null().any().alias("gap")
    )
    assert totals.filter((pl.col("population") == 0) & ~pl.col("gap")).height == 0


def test_country_and_counties_match_the_reference_every_year(shared_dir: Path) -> None:
    # The country and county rows of kostra.geography.population (own borders, sums of the
    # downloads, the absent codes bridged by their 2024 unit) against the reference's own
    # national figure and, from 2024, its counties: exact up to the reference's rounding of
    # weighted split cells (a few dozen people in five million), for every year 2006–2026.
    path = shared_dir / "data" / "reference" / "population_by_age_sex_2005_2026.parquet"
    reference = (
        pl.read_parquet(path)
        .filter(pl.col("sex") == "total")
        .filter(pl.col("granularity_geo").is_in(["nation", "county"]))
        .group_by("granularity_geo", "code", "calyear")
        .agg(pl.col("pop_jan1_n").sum().alias("expected"))
    )
    ours = population(list(range(2005, 2027)), aggregates=True)
    nation = reference.filter(pl.col("granularity_geo") == "nation").select(
        pl.col("calyear").cast(pl.Int32).alias("year"), "expected"
    )
    country = ours.filter(pl.col("region") == "EAK").join(nation, on="year", how="left")
    assert country.height == 22
    # 2005: the four codes of the 2006 mergers have no figures anywhere.
    assert country.filter(pl.col("year") == 2005)["population"].item() is None
    later = country.filter(pl.col("year") > 2005)
    assert later["population"].null_count() == 0
    assert ((later["population"] - later["expected"]).abs() <= 40).all(), later
    counties = reference.filter(
        (pl.col("granularity_geo") == "county") & (pl.col("calyear") >= 2024)
    ).select(
        ("EKA" + pl.col("code")).alias("region"),
        pl.col("calyear").cast(pl.Int32).alias("year"),
        "expected",
    )
    joined = ours.join(counties, on=["region", "year"])
    assert joined.height == 15 * 3
    assert (joined["population"] == joined["expected"]).all()
