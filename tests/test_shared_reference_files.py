"""Every real reference file in ``../shared/data`` is read by a test: each is checked against what
kostra packages or computes from it, so a rebuilt package that drifted from its source fails."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kostra.api import packaged_need_index, packaged_sector_weights
from kostra.geography import population
from kostra.geography._data import counties, municipality_years, transitions

_SECTORS = {
    "grunnskole": "grunnskole",
    "barnehage": "barnehage",
    "pleie": "pleie_og_omsorg",
    "kommunehelse": "kommunehelse",
    "barnevern": "barnevern",
    "sosial": "sosiale_tjenester",
    "administrasjon": "administrasjon",
}


def _path(shared_dir: Path, relative: str) -> Path:
    path = shared_dir / "data" / relative
    if not path.is_file():
        pytest.skip(f"data/{relative} is not in ../shared")
    return path


def _json(shared_dir: Path, relative: str) -> Any:
    return json.loads(_path(shared_dir, relative).read_text(encoding="utf-8"))


def _codes(year: int) -> set[str]:
    return set(municipality_years().filter(pl.col("year") == year)["code"].to_list())


def test_county_boundaries_are_the_2024_counties(shared_dir: Path) -> None:
    topo = _json(shared_dir, "geo/fylker_2024_S.topojson")
    (layer,) = topo["objects"].values()
    shown = {
        g["properties"]["fylkesnummer"]: g["properties"]["fylkesnavn"] for g in layer["geometries"]
    }
    packaged = counties().filter(pl.col("year") == 2024)
    assert set(shown) == set(packaged["county_code"].to_list())


def test_location_hierarchy_puts_each_2024_municipality_in_its_county(shared_dir: Path) -> None:
    path = _path(shared_dir, "reference/location_hierarchy_2024.csv")
    with path.open(encoding="utf-8") as stream:
        rows = [r for r in csv.DictReader(stream) if r["municip_code"].startswith("municip_nor")]
    theirs = {
        r["municip_code"].removeprefix("municip_nor"): r["county_code"].removeprefix("county_nor")
        for r in rows
    }
    ours = dict(
        municipality_years()
        .filter(pl.col("year") == 2024)
        .select("code", "county_code")
        .iter_rows()
    )
    assert theirs == ours


def test_code_changes_2024_are_in_the_packaged_history(shared_dir: Path) -> None:
    changes = _json(shared_dir, "reference/code_changes_2024.json")["endringer"]
    moved = set(
        transitions().filter(pl.col("year") == 2024).select("old_code", "new_code").iter_rows()
    )
    before, after = _codes(2023), _codes(2024)
    assert changes
    for new, entry in changes.items():
        assert new in after, new
        for old in entry["oldCodes"]:
            assert old["validTo"] == "2024-01-01"
            assert old["code"] in before
            assert (old["code"], new) in moved


def test_robek_2026_lists_municipalities_of_2026(shared_dir: Path) -> None:
    robek = _json(shared_dir, "reference/robek_2026.json")
    listed = [k["kommunenummer"] for k in robek["kommuner"]]
    assert listed
    assert len(set(listed)) == len(listed)
    assert set(listed) <= _codes(2026)
    assert all(k["hjemmel"] for k in robek["kommuner"])


def test_municipality_areas_cover_2025_with_ssbs_population(shared_dir: Path) -> None:
    path = _path(shared_dir, "reference/municipality_area_km2_2025.csv")
    frame = pl.read_csv(path, schema_overrides={"id": pl.Utf8})
    assert set(frame["id"].to_list()) == _codes(2025)
    assert frame["area"].min() > 0
    # "population on 1.1.2024": the packaged 07459 population of that day, municipality by
    # municipality (2024 and 2025 codes are the same)
    packaged = dict(
        population([2024], age_group="total").select("region", "population").iter_rows()
    )
    assert {r: float(p) for r, p in frame.select("id", "population").iter_rows()} == packaged


@pytest.mark.parametrize("year", [2025, 2026])
def test_cost_indices_are_the_packaged_need_indices(shared_dir: Path, year: int) -> None:
    sectors = _json(shared_dir, f"reference/cost_index_sectors_{year}.json")
    total = _json(shared_dir, f"reference/cost_index_total_{year}.json")
    packaged = packaged_need_index().filter(pl.col("need_year") == year)
    index = {(r, s): v for r, s, v in packaged.select("region", "sector", "need_index").iter_rows()}
    compared = 0
    for region, values in sectors["kommuner"].items():
        for theirs, ours in _SECTORS.items():
            if values.get(theirs) is not None:
                assert index[(region, ours)] == pytest.approx(values[theirs]), (region, ours)
                compared += 1
    assert compared > 300 * len(_SECTORS)
    for region, value in total["kommuner"].items():
        # a municipality with sector detail (Lørenskog) carries its total as "samlet"
        samlet = value["samlet"] if isinstance(value, dict) else value
        assert index[(region, "total")] == pytest.approx(samlet), region
    weights = {k: v for k, v in sectors["sektorvekter"].items() if not k.startswith("_")}
    assert packaged_sector_weights()[str(year)] == pytest.approx(
        {_SECTORS[k]: v for k, v in weights.items()}
    )


def test_redistricting_weights_split_each_original_unit_whole(shared_dir: Path) -> None:
    path = _path(shared_dir, "reference/redistricting_to_2024.csv")
    frame = pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("weighting").cast(pl.Float64), pl.col("calyear").cast(pl.Int32)
    )
    sums = frame.group_by("location_code_original", "calyear").agg(pl.col("weighting").sum())
    assert sums["weighting"].min() == pytest.approx(1.0)
    assert sums["weighting"].max() == pytest.approx(1.0)
    municipalities = frame.filter(pl.col("granularity_geo") == "municip")
    current = {c.removeprefix("municip_nor") for c in municipalities["location_code_current"]}
    assert current <= _codes(2024)


def test_location_names_name_the_2024_municipalities(shared_dir: Path) -> None:
    path = _path(shared_dir, "reference/location_names_2024.csv")
    with path.open(encoding="utf-8") as stream:
        names = {
            r["location_code"].removeprefix("municip_nor"): r["location_name"]
            for r in csv.DictReader(stream)
            if r["location_code"].startswith("municip_nor")
        }
    ours = dict(
        municipality_years().filter(pl.col("year") == 2024).select("code", "name").iter_rows()
    )
    assert set(ours) <= set(names)

    # kostra writes the names as Klass does: parallel names joined with " - " where the list
    # joins them with "-" ("Deatnu-Tana" -> "Deatnu - Tana"), homonyms told apart by county
    # ("Herøy (Nordland)"), and the statbank's own label where SSB names the code differently
    # ("Oslo-Oslove" -> "Oslo", "Trondheim" -> "Trondheim - Tråante", "Voss herad" -> "Voss").
    def tight(name: str) -> str:
        return name.split(" (")[0].replace(" - ", "-")

    differing = {code for code, name in ours.items() if tight(name) != names[code]}
    assert {"0301", "5001", "4621"} <= differing
    assert len(differing) <= 15, differing
    assert ours["5628"] == "Deatnu - Tana"
    assert ours["3436"] == "Nord-Fron"
    assert ours["1818"] == "Herøy (Nordland)"
    assert ours["5001"] == "Trondheim - Tråante"
    assert ours["0301"] == "Oslo"


def test_kostra_groups_file_matches_its_definitions(shared_dir: Path) -> None:
    members = _path(shared_dir, "reference/kostra_groups_2020grouping_2024codes.csv")
    definitions = _path(shared_dir, "reference/kostra_groups_2020grouping_definitions.csv")
    with members.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {r["kommunenummer_2024"] for r in rows} == _codes(2024)
    counted: dict[str, int] = defaultdict(int)
    for row in rows:
        counted[str(int(row["kostragruppe_kode"].removeprefix("EKG")))] += 1
    with definitions.open(encoding="utf-8") as stream:
        defined = {
            r["kostragruppe"].removeprefix("KOSTRA-gruppe "): int(r["antall_kommuner"])
            for r in csv.DictReader(stream)
        }
    assert set(counted) == set(defined)
    # Haram (2024) was re-established from Ålesund after SSB counted the groups: one more in
    # its group, every other group as SSB counted it
    differ = {g: (counted[g], defined[g]) for g in defined if counted[g] != defined[g]}
    assert len(differ) <= 1
    assert all(mine - theirs == 1 for mine, theirs in differ.values())
