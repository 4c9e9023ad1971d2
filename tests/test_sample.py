"""The packaged sample: complete, labelled synthetic, consistent, calibrated, reproducible."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import openpyxl
import polars as pl
import pytest

from kostra.catalog import load_catalog, series_key
from kostra.errors import DataNotFoundError
from kostra.frames import OBSERVATION_SCHEMA, STATUS_SYMBOLS, encode_dims
from kostra.geography import harmonise, municipalities
from kostra.geography.grid import not_valid_pairs
from kostra.geography.population import population
from kostra.sample import (
    SAMPLE_NOTICE,
    load_sample,
    sample_metadata,
    sample_observations,
    sample_tables,
)
from kostra.warehouse import VintageInfo, Warehouse

REPO = Path(__file__).resolve().parents[1]
MUNICIPALITIES = {
    2015: 428, 2016: 428, 2017: 426, 2018: 422, 2019: 422,
    2020: 356, 2021: 356, 2022: 356, 2023: 356, 2024: 357, 2025: 357,
}  # fmt: skip
COUNTIES = {2015: 19, 2016: 19, 2017: 19, 2018: 18, 2019: 18, 2024: 15, 2025: 15}
GRUNNSKOLE = ["202", "213", "215", "222", "223"]
MUNICIPAL = pl.col("region").str.contains(r"^\d{4}$")


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return sample_observations()


def _series(frame: pl.DataFrame, table: str, code: str, dims: str = "") -> pl.DataFrame:
    return frame.filter(
        pl.col("table_id") == table, pl.col("contents_code") == code, pl.col("dims") == dims
    )


def test_labelled_synthetic_with_provenance() -> None:
    meta = sample_metadata()
    assert meta["synthetic"] is True
    assert isinstance(meta["seed"], int)
    assert meta["build_date"][:2] == "20"
    assert any("Lorenskog" in item for item in meta["inputs"])
    assert meta["rows"] == sample_observations().height
    assert "syntetiske" in SAMPLE_NOTICE["nb"]
    assert "synthetic" in SAMPLE_NOTICE["en"]


def test_schema_codes_and_size(sample: pl.DataFrame) -> None:
    assert dict(sample.schema) == OBSERVATION_SCHEMA
    assert sample["table_id"].str.len_chars().unique().to_list() == [5]
    regions = sample["region"].unique()
    assert "0301" in regions.to_list()
    assert "301" not in regions.to_list()
    assert regions.filter(~regions.str.contains(r"^(\d{4}|EAK|EAKUO|EKA\d{2})$")).len() == 0
    packaged = REPO / "src" / "kostra" / "data" / "sample" / "observations.parquet"
    assert packaged.stat().st_size < 15_000_000


def test_every_catalog_series_for_every_municipality_and_year(sample: pl.DataFrame) -> None:
    wanted = {
        (table, code, encode_dims(dict(dims)))
        for table, code, dims in (series_key(ref) for ref in load_catalog().series())
    }
    valid = _valid_in_year()
    counts = (
        sample.filter(MUNICIPAL)
        .group_by("table_id", "contents_code", "dims", "year")
        .agg(
            pl.col("region").n_unique().alias("n"),
            pl.len().alias("rows"),
            pl.col("region").filter(valid).n_unique().alias("valid"),
        )
    )
    present = {tuple(row) for row in counts.select("table_id", "contents_code", "dims").rows()}
    assert wanted <= present, sorted(wanted - present)[:5]
    assert counts.height == len(present) * len(MUNICIPALITIES)
    # SSB's grid: every code of 2015-2025 in every year, the codes of the year among them
    lifetime = len(set().union(*(municipalities(y)["code"].to_list() for y in MUNICIPALITIES)))
    assert counts["n"].unique().to_list() == [lifetime]
    assert counts["rows"].unique().to_list() == [lifetime]
    for year, expected in MUNICIPALITIES.items():
        per_year = counts.filter(pl.col("year") == year)
        assert per_year["valid"].unique().to_list() == [expected], year


def _valid_in_year() -> pl.Expr:
    """Rows of a code in a year it existed (municipalities of that year, counties, EAK/EAKUO)."""
    not_valid = not_valid_pairs()
    return ~pl.concat_str("region", pl.col("year").cast(pl.Utf8), separator="/").is_in(
        not_valid.select(pl.concat_str("region", pl.col("year").cast(pl.Utf8), separator="/"))
        .to_series()
        .implode()
    )


def test_codes_outside_their_years_are_listed_as_not_applicable(sample: pl.DataFrame) -> None:
    placeholders = sample.filter(~_valid_in_year())
    assert placeholders.height > sample.height // 3
    assert placeholders["value"].null_count() == placeholders.height
    assert placeholders["status"].unique().to_list() == ["."]
    asker = _series(sample, "12134", "KOSAGD230000").filter(pl.col("region") == "3025")
    assert asker.filter(pl.col("year") < 2020)["status"].to_list() == ["."] * 5
    assert asker.filter(pl.col("year").is_between(2020, 2023))["value"].null_count() == 0


def test_aggregates_of_each_year(sample: pl.DataFrame) -> None:
    one = _series(sample, "12134", "KOSAGD230000").filter(_valid_in_year())
    for year in MUNICIPALITIES:
        regions = set(one.filter(pl.col("year") == year, ~MUNICIPAL)["region"])
        assert {"EAK", "EAKUO"} <= regions
        counties = {r for r in regions if r.startswith("EKA")}
        assert len(counties) == COUNTIES.get(year, 11), year
    assert "EKA50" not in set(one.filter(pl.col("year") == 2017)["region"])
    assert "EKA55" in set(one.filter(pl.col("year") == 2024)["region"])


def test_missing_is_missing_with_a_symbol(sample: pl.DataFrame) -> None:
    assert set(sample["status"].drop_nulls().unique()) <= STATUS_SYMBOLS
    assert sample.filter(pl.col("value").is_null() & pl.col("status").is_null()).height == 0
    assert sample.filter(pl.col("value").is_not_null() & pl.col("status").is_not_null()).height == 0
    # "." also for services that do not exist, not only for codes outside their years
    symbols = set(sample.filter(MUNICIPAL, _valid_in_year())["status"].drop_nulls())
    assert {":", "..", "."} <= symbols
    small = _series(sample, "12870", "KOSbvbarnust0000").filter(pl.col("status") == ":")
    assert small.height > 0


def test_country_is_the_sum_of_municipalities_for_amounts(sample: pl.DataFrame) -> None:
    accounts = sample.filter(pl.col("table_id") == "12362")
    sums = (
        accounts.filter(MUNICIPAL)
        .group_by("contents_code", "dims", "year")
        .agg(pl.col("value").sum().alias("total"), (pl.col("region") != "0301").alias("x"))
    )
    country = accounts.filter(pl.col("region") == "EAK").join(
        sums, on=["contents_code", "dims", "year"]
    )
    assert country.height == sums.height
    assert (country["value"] - country["total"]).abs().max() == 0
    oslo = accounts.filter(pl.col("region") == "0301").select(
        "dims", "year", pl.col("value").alias("oslo")
    )
    without = (
        accounts.filter(pl.col("region").is_in(["EAK", "EAKUO"]))
        .pivot(on="region", index=["dims", "year"], values="value")
        .join(oslo, on=["dims", "year"])
    )
    assert (without["EAK"] - without["EAKUO"] - without["oslo"]).abs().max() == 0


def _workbook(shared: Path) -> dict[str, dict[str, dict[int, float]]]:
    path = shared / "data" / "kostra_real_fragments" / "Lorenskog_KOSTRA_2025_nokkeltall.xlsx"
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out: dict[str, dict[str, dict[int, float]]] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for i in range(len(rows) - 1):
            if rows[i + 1][0] != "År \\ Region":
                continue
            labels = rows[i + 1]
            table: dict[str, dict[int, float]] = {}
            for row in rows[i + 2 : i + 8]:
                for label, value in zip(labels[1:], row[1:], strict=False):
                    if isinstance(value, int | float) and label:
                        table.setdefault(str(label), {})[int(str(row[0]))] = float(value)
            out[str(rows[i][0])] = table
    return out


@pytest.mark.parametrize(
    ("table", "code", "title"),
    [
        ("12255", "KOSregnind20000", "Netto driftsutgifter til grunnskole per innbygger 6-15 år (kr)"),  # noqa: E501
        ("13502", "KOSutg020000", "Netto driftsutgifter barnehage per innb. 1-5 år (kr)"),
        ("13502", "KOSandel150000", "Andel barn 1-5 år i barnehage (%)"),
        ("12255", "KOSgrunnskolepoe0000", "Gjennomsnittlig grunnskolepoeng (poeng)"),
        ("12134", "KOSAGD230000", "Netto driftsresultat i % av brutto driftsinntekter (%)"),
        ("12134", "KOSAG110000", "Frie inntekter per innbygger (kr)"),
        ("12134", "KOSKG320000", "Langsiktig gjeld (ekskl. pensjonsforpl.) i % av br. driftsinnt. (%)"),  # noqa: E501
        ("13135", "KOSdriftinnb0000", "Netto driftsutgifter kultur per innbygger (kr)"),
        ("13135", "KOSmusikkandelba0000", "Barn 6-15 år i kulturskole (%)"),
        ("12209", "KOSlegeaarsv10000", "Avtalte legeårsverk per 10 000 innbyggere (årsverk)"),
    ],
)  # fmt: skip
def test_national_and_oslo_levels_match_ssb(
    sample: pl.DataFrame, shared_dir: Path, table: str, code: str, title: str
) -> None:
    real = _workbook(shared_dir)[title]
    ours = _series(sample, table, code)
    checked = 0
    for region, label in (("EAK", "Landet"), ("0301", "Oslo")):
        for year, value in real[label].items():
            got = ours.filter(pl.col("region") == region, pl.col("year") == year)["value"].item()
            assert got == pytest.approx(value, rel=0.005, abs=0.051), (region, year)
            checked += 1
    assert checked >= 10


def test_ready_ratio_agrees_with_its_numerator_and_denominator(sample: pl.DataFrame) -> None:
    """SSB's NDU grunnskole per inhabitant 6–15 equals 12362's NDU over 07459's population."""
    ndu = (
        sample.filter(
            pl.col("table_id") == "12362",
            pl.col("dims").is_in(
                [encode_dims({"KOKart0000": "AGD2", "KOKfunksjon0000": f}) for f in GRUNNSKOLE]
            ),
            pl.col("year") == 2024,
            MUNICIPAL,
        )
        .group_by("region")
        .agg(pl.col("value").sum().alias("ndu"))
    )
    people = population(2025, age_group="6-15").select("region", "population")
    ratio = _series(sample, "12255", "KOSregnind20000").filter(pl.col("year") == 2024)
    joined = ratio.join(ndu, on="region").join(people, on="region")
    assert joined.height == 357
    expected = (joined["ndu"] * 1000 / joined["population"]).round(0)
    assert (joined["value"] - expected).abs().max() <= 1.0


def test_harmonised_series_are_coherent_across_the_2020_reform(sample: pl.DataFrame) -> None:
    """Summed to 2024 borders, a sector's NDU moves smoothly from 2019 to 2020."""
    net = sample.filter(
        pl.col("table_id") == "12362",
        pl.col("dims") == encode_dims({"KOKart0000": "AGD2", "KOKfunksjon0000": "202"}),
        pl.col("year").is_in([2019, 2020]),
        MUNICIPAL,
    ).select("region", "year", "value")
    moved = harmonise(net, 2024, sum_columns=["value"])
    wide = moved.pivot(on="year", index="region", values="value").drop_nulls()
    assert wide.height >= 350
    growth = wide["2020"] / wide["2019"]
    assert growth.min() > 0.75
    assert growth.max() < 1.35
    assert 1.0 < growth.median() < 1.1


def test_derived_aggregates_recomputed_from_components(sample: pl.DataFrame) -> None:
    belegg = _series(sample, "12293", "KOSbeleggomsorgs0000").filter(pl.col("region") == "EAK")
    residents = _series(sample, "12292", "KOSbeboersykehje0000").filter(pl.col("region") == "EAK")
    places = _series(sample, "11875", "KOSinstdispplass0000").filter(pl.col("region") == "EAK")
    joined = belegg.join(residents, on="year", suffix="_r").join(places, on="year", suffix="_p")
    expected = (100 * joined["value_r"] / joined["value_p"]).round(1)
    assert (joined["value"] - expected).abs().max() < 1e-9


def test_subset_rebuild_is_identical(sample: pl.DataFrame, shared_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_sample", REPO / "scripts" / "build_sample.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    sys.modules["build_sample"] = module
    spec.loader.exec_module(module)
    tables = {"12134", "13502"}
    rebuilt = module.build(shared_dir, seed=sample_metadata()["seed"], tables=tables)
    packaged = sample.filter(pl.col("table_id").is_in(list(tables)))
    assert rebuilt.equals(packaged)
    other = module.build(shared_dir, seed=sample_metadata()["seed"] + 1, tables={"12134"})
    assert not other.equals(packaged.filter(pl.col("table_id") == "12134"))


def test_unknown_table_is_a_user_error() -> None:
    with pytest.raises(DataNotFoundError, match="99999") as unknown:
        sample_observations(["99999"])
    assert unknown.value.text("nn") == "Eksempeldataa har ikkje tabell 99999."
    assert (unknown.value.hint_text("nn") or "").startswith("Tabellar i eksempeldataa: ")
    assert "12362" in sample_tables()


def test_load_into_warehouse_as_synthetic_vintages(tmp_path: Path) -> None:
    with Warehouse.open(tmp_path / "w.duckdb") as wh:
        first = load_sample(wh, table_ids=["12134", "13502"])
        again = load_sample(wh, table_ids=["12134", "13502"])
        assert first == again
        vintages = wh.vintages()
        assert set(vintages["source"]) == {"sample"}
        assert vintages["synthetic"].all()
        stored = wh.observations(table_ids=["12134"])
        assert stored["synthetic"].all()
        assert stored.height == sample_observations(["12134"]).height
        real = pl.DataFrame(
            {
                "table_id": ["12134"],
                "contents_code": ["KOSAGD230000"],
                "region": ["EAK"],
                "year": [2025],
                "dims": [""],
                "value": [2.2],
                "status": [None],
            },
            schema=OBSERVATION_SCHEMA,
        )
        wh.load(real, VintageInfo(source="file", table_id="12134"))
        after = wh.observations(table_ids=["12134"])
        assert after.height == 1
        assert not after["synthetic"].any()
        assert wh.observations(table_ids=["13502"])["synthetic"].all()


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        (("12286", "KOSbvbarnus0000", ""), ("12870", "KOSbvbarnust0000", "")),
        (("12292", "KOSkjerne80aarov0000", ""), ("12292", "KOSkjernetotalt0000", "")),
        (("12292", "KOSbeboersykehje0000", ""), ("11875", "KOSinstdispplass0000", "")),
        (("14019", "KOSsoshjelp6mnd0000", ""), ("14019", "KOSsoshjelptilf0000", "")),
        (
            ("11906", "KOSareal0000", "KOKeieform0000=eid;KOKfunksjon0000=222"),
            ("11906", "KOSareal0000", "KOKeieform0000=samlet;KOKfunksjon0000=222"),
        ),
    ],
)
def test_a_part_never_exceeds_its_whole(
    sample: pl.DataFrame, part: tuple[str, str, str], whole: tuple[str, str, str]
) -> None:
    small = _series(sample, *part).select("region", "year", pl.col("value").alias("part"))
    large = _series(sample, *whole).select("region", "year", pl.col("value").alias("whole"))
    joined = small.join(large, on=["region", "year"]).drop_nulls()
    assert joined.height > 3000
    assert joined.filter(pl.col("part") > pl.col("whole")).height == 0
