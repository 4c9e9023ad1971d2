"""Packaged geography tables, read once per process (built by scripts/build_geography_data.py)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

FIRST_YEAR = 2005
LAST_YEAR = 2026


def _read(name: str) -> pl.DataFrame:
    source = resources.files("kostra") / "data" / "geography" / f"{name}.parquet"
    with resources.as_file(source) as path:
        return pl.read_parquet(path)


@cache
def municipality_years() -> pl.DataFrame:
    """(year, code, name, county_code, county_name) for each municipality valid on 1 January."""
    return (
        _read("municipality_years")
        .join(counties(), on=["year", "county_code"], how="left")
        .sort("year", "code")
    )


@cache
def counties() -> pl.DataFrame:
    """(year, county_code, county_name)."""
    return _read("counties")


@cache
def transitions() -> pl.DataFrame:
    """(year, old_code, new_code, weight, kind): changes that took effect on 1 January of year."""
    return _read("transitions")


@cache
def restorations() -> pl.DataFrame:
    """(old_code, new_code, merged_year, split_year): units merged and later re-established on
    the same borders (Haram 1534 -> 1507 in 2020 -> 1580 in 2024)."""
    return _read("restorations")


@cache
def valid_codes(year: int) -> frozenset[str]:
    """Codes valid on 1 January of ``year``."""
    frame = municipality_years()
    return frozenset(frame.filter(pl.col("year") == year)["code"].to_list())


@cache
def all_codes() -> frozenset[str]:
    """Every municipality code valid in some year 2005–2026."""
    return frozenset(municipality_years()["code"].to_list())


@cache
def population_2024_borders() -> pl.DataFrame:
    """(year, region, sex, age, population) on 2024 borders, sex "female"/"male"."""
    return _read("population_2024_borders")


@cache
def population_original_borders() -> pl.DataFrame:
    """(year, region, age, population), both sexes, codes valid in each year; null where absent."""
    return _read("population_original_borders")


@cache
def peer_group_data() -> dict[str, Any]:
    """The peer group definitions in ``peer_groups.toml``."""
    source = resources.files("kostra") / "data" / "geography" / "peer_groups.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))
