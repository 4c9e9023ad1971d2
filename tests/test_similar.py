"""Similar municipalities: the distance on made-up features, the known cases on the packaged
structural data (Oslo's nearest are the big cities; tiny islands find each other), the peer
group ``similar`` everywhere, and ``kostra similar``."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from kostra import workbench
from kostra.analysis.similar import (
    DEFAULT_WEIGHTS,
    similar_municipalities,
    structural_features,
    used_weights,
)
from kostra.cli import app
from kostra.errors import KostraError
from kostra.geography import municipalities, peer_group, population

ISLANDS = {"1151": "Utsira", "1835": "Træna", "1856": "Røst", "4633": "Fedje"}
OTHER_ISLANDS = {"1144", "1857"}  # Kvitsøy, Værøy


def test_distance_on_made_up_features() -> None:
    features = pl.DataFrame(
        {
            "region": ["a", "b", "c", "d"],
            "log_population": [1.0, 2.0, 4.0, None],
            "centrality": [1.0, 1.0, 1.0, 1.0],  # no spread: carries no information
            "kostra_group": ["G1", "G2", "G1", "G1"],
        }
    )
    weights = {"log_population": 1.0, "centrality": 1.0, "kostra_group": 1.0}
    result = similar_municipalities(features, "a", n=3, weights=weights)
    spread = float(pl.Series([1.0, 2.0, 4.0]).std(ddof=0))  # type: ignore[arg-type]
    z = {"b": 1.0 / spread, "c": 3.0 / spread}
    total = 3.0  # every weight, the distance scaled to it where a feature is not usable
    expected = {
        # b: population differs, other group (2 = the expected square of a z difference)
        "b": math.sqrt((z["b"] ** 2 + 2.0) * total / 2.0),
        "c": math.sqrt(z["c"] ** 2 * total / 2.0),
        # d: no population: only the group (same) is known, scaled to the whole weight
        "d": 0.0,
    }
    got = dict(result.select("region", "distance").iter_rows())
    assert got == pytest.approx(expected)
    assert result["region"].to_list() == ["d", "b", "c"]
    assert result["rank"].to_list() == [1, 2, 3]
    with pytest.raises(KeyError):
        similar_municipalities(features, "x")


def test_structural_features_keep_missing_missing() -> None:
    people = pl.DataFrame(
        {
            "region": ["a"] * 6 + ["b"] * 2,
            "year": [2024, 2024, 2024, 2024, 2024, 2019, 2024, 2019],
            "age_group": ["total", "0-5", "6-15", "67-79", "80+", "total", "total", "total"],
            "population": [1000.0, 60.0, 120.0, 100.0, 50.0, 900.0, 500.0, None],
        }
    )
    facts = pl.DataFrame(
        {
            "code": ["a", "b"],
            "centrality": [2, 6],
            "robek_2024": [False, True],
            "area_km2": [10.0, 0.0],
        }
    )
    need = pl.DataFrame(
        {"region": ["a", "b"], "sector": ["total", "total"], "need_index": [1.0, 1.2]}
    )
    groups = pl.DataFrame({"code": ["a", "b"], "kostra_group": ["EKG01", "EKG16"]})
    income = pl.DataFrame({"region": ["a"], "value": [60000.0]})
    frame = structural_features(people, facts, need, groups, year=2024, free_income=income).sort(
        "region"
    )
    a, b = frame.row(0, named=True), frame.row(1, named=True)
    assert a["share_0_5"] == pytest.approx(0.06)
    assert a["growth_5y"] == pytest.approx(1000 / 900 - 1)
    assert a["log_density"] == pytest.approx(math.log(100.0))
    assert a["free_income_per_capita"] == 60000.0
    # b: no age groups, no earlier count, zero area: missing, never 0
    for name in ("share_0_5", "growth_5y", "log_density", "log_area", "free_income_per_capita"):
        assert b[name] is None
    assert b["robek"] == "true"
    assert "free_income_per_capita" in used_weights(frame)["feature"].to_list()


@pytest.fixture(scope="module")
def features() -> pl.DataFrame:
    return workbench.similarity_features(2024, db=Path("none.duckdb"))


def _nearest(features: pl.DataFrame, code: str, n: int) -> list[str]:
    return similar_municipalities(features, code, n=n)["region"].to_list()


def test_oslos_nearest_are_the_largest_cities(features: pl.DataFrame) -> None:
    people = population(2024, borders=2024).sort("population", descending=True)
    largest = set(people["region"].to_list()[1:11])  # the ten largest after Oslo
    assert set(_nearest(features, "0301", 5)) <= largest


@pytest.mark.parametrize("code", sorted(ISLANDS))
def test_tiny_island_municipalities_find_each_other(features: pl.DataFrame, code: str) -> None:
    islands = (set(ISLANDS) | OTHER_ISLANDS) - {code}
    nearest = _nearest(features, code, 8)
    assert len(set(nearest) & islands) >= 3, (ISLANDS[code], nearest)


def test_weights_cover_every_structural_feature(features: pl.DataFrame) -> None:
    weights = used_weights(features)
    assert set(weights["feature"]) == set(DEFAULT_WEIGHTS) - {"free_income_per_capita"}
    assert weights["share"].sum() == pytest.approx(1.0)


def test_similar_is_a_peer_group(features: pl.DataFrame) -> None:
    group = peer_group("similar", 2024, municipality="Bærum")
    assert group.kind == "similar"
    assert group.members[0] == "3201"
    assert group.members[1:] == _nearest(features, "3201", 10)
    # 2019: Bærum's own code then, and the codes that became its similar 2024 units
    before = peer_group("similar", 2019, municipality="Bærum")
    assert before.members[0] == "0219"
    assert "0220" in before.members  # Asker before the 2020 merger
    assert set(before.members) <= set(municipalities(2019)["code"].to_list())
    with pytest.raises(KostraError, match="depends on a municipality"):
        peer_group("similar", 2024, municipality="")


def test_cli_similar_and_peers_similar(tmp_db: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["similar", "Bærum", "--year", "2024", "--n", "5"])
    assert table.exit_code == 0, table.output
    assert "Kommuner som ligner Bærum (2024)" in table.output
    assert "Asker" in table.output
    assert "Vekter" in table.output
    assert "innbyggere (log)" in table.output
    csv = runner.invoke(app, ["--lang", "en", "similar", "Træna", "-n", "3", "-f", "csv"])
    assert csv.exit_code == 0, csv.output
    frame = pl.read_csv(csv.stdout.encode(), schema_overrides={"code": pl.Utf8})
    assert frame["rank"].to_list() == [1, 2, 3]
    assert "1856" in frame["code"].to_list()  # Røst
    assert frame["distance"].is_sorted()
    bad = runner.invoke(app, ["similar", "Bærum", "--n", "0"])
    assert bad.exit_code != 0
    profile = runner.invoke(app, ["profile", "Træna", "-p", "similar", "-s", "skole", "-f", "csv"])
    assert profile.exit_code == 0, profile.output
    shown = pl.read_csv(profile.stdout.encode(), schema_overrides={"kommunenr": pl.Utf8})
    assert len(set(shown["kommunenr"])) == 11
    assert "1856" in set(shown["kommunenr"])


def _free_income_warehouse(path: Path, *, synthetic: bool) -> dict[str, float]:
    from kostra.frames import OBSERVATION_SCHEMA
    from kostra.warehouse import VintageInfo, Warehouse

    codes = municipalities(2024)["code"].to_list()
    # made-up figures, different for every municipality (a test of the plumbing, not of SSB)
    values = {code: 50000.0 + 37.0 * (int(code) % 997) for code in codes}
    frame = pl.DataFrame(
        {
            "table_id": ["12134"] * len(codes),
            "contents_code": ["KOSAG110000"] * len(codes),
            "region": codes,
            "year": [2024] * len(codes),
            "dims": [""] * len(codes),
            "value": [values[c] for c in codes],
            "status": [None] * len(codes),
        },
        schema=OBSERVATION_SCHEMA,
    )
    source = "sample" if synthetic else "file"
    with Warehouse.open(path) as warehouse:
        warehouse.load(frame, VintageInfo(source=source, table_id="12134"))
    return values


def test_free_income_is_used_when_real_figures_are_fetched(tmp_path: Path) -> None:
    real = tmp_path / "real.duckdb"
    values = _free_income_warehouse(real, synthetic=False)
    features = workbench.similarity_features(2024, db=real)
    got = dict(features.select("region", "free_income_per_capita").iter_rows())
    assert got["3201"] == pytest.approx(values["3201"])
    assert "free_income_per_capita" in used_weights(features)["feature"].to_list()
    result = workbench.similar("Bærum", 2024, db=real)
    assert not any("frie inntekter er ikke med" in t for t in result.note_texts("nb"))
    # synthetic figures in the warehouse are not used
    sample = tmp_path / "sample.duckdb"
    _free_income_warehouse(sample, synthetic=True)
    assert "free_income_per_capita" not in workbench.similarity_features(2024, db=sample).columns
