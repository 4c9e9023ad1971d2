"""``scripts/build_sample.py`` reads unpublished populations as null, never as 0 people."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def build_sample() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_sample", REPO / "scripts" / "build_sample.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_sample"] = module
    spec.loader.exec_module(module)
    return module


def test_age_group_with_a_null_age_has_no_total(build_sample: ModuleType) -> None:
    frame = pl.DataFrame(
        {
            "year": [2016] * 6,
            "region": ["0706"] * 3 + ["0301"] * 3,
            "age": [0, 1, 2] * 2,
            "population": [None, None, None, 5, None, 7],
        },
        schema={"year": pl.Int32, "region": pl.Utf8, "age": pl.Int8, "population": pl.Int32},
    )
    got = (
        frame.group_by("region")
        .agg(build_sample._age_sum(frame, "0"), build_sample._age_sum(frame, "1-2"))
        .sort("region")
    )
    # all-null and partly null groups are null (Polars alone would give 0 and 7)
    assert got.rows() == [("0301", 5, None), ("0706", None, None)]


def test_only_the_null_codes_are_patched(build_sample: ModuleType, shared_dir: Path) -> None:
    raw = pl.read_parquet(build_sample.GEOGRAPHY / "population_original_borders.parquet")
    null_years = (
        raw.filter(pl.col("year").is_in(build_sample.YEARS))
        .group_by("year", "region")
        .agg(pl.col("population").is_null().any().alias("gap"))
        .filter("gap")
    )
    gaps = set(null_years.select("year", "region").iter_rows())
    assert gaps == {(y, c) for y in (2015, 2016) for c in ("0706", "0719", "0720")}
    geo = build_sample.Geo(shared_dir)
    for year, code in gaps:
        share = build_sample.POPULATION_GAPS[code]
        expected = geo.pop24[(year, "3907")]["total"] * share
        assert geo.pop_orig[(year, code)]["total"] == pytest.approx(expected)
    # every other municipality keeps its published population
    oslo = raw.filter((pl.col("year") == 2016) & (pl.col("region") == "0301"))
    assert geo.pop_orig[(2016, "0301")]["total"] == oslo["population"].sum()


def test_a_null_code_without_a_share_stops_the_build(
    build_sample: ModuleType, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_sample, "POPULATION_GAPS", {"0706": 0.722, "0719": 0.092})
    with pytest.raises(SystemExit, match="0720 has null population"):
        build_sample.Geo(shared_dir)
