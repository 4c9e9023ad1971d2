"""Real data from R: SSB's R package "Kostra" (rateData, testdata) and the 12210 course data set.

rateData (2015 property data) goes through ``scripts/ssb_r_package.py`` and the project's own
import path (:func:`kostra.sources.files.read_file`) into the catalog's eiendom formulas; the
key figures must equal what a hand computation from the RData file gives (issue #10.6).
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest

from kostra.analysis.indicators import evaluate
from kostra.catalog import Formula, Indicator, load_catalog
from kostra.geography import population
from kostra.sources.files import read_file

rdata = pytest.importorskip("rdata", reason="the rdata package reads R files (pip install rdata)")

R_PACKAGE = "data/kostra_real_fragments/ssb_kostra_r_package"
RDS = "data/kostra_real_fragments/12210_sosialhjelp_partial/kommunedata.rds"
REPO = Path(__file__).resolve().parents[1]


def _shared_file(shared_dir: Path, relative: str) -> Path:
    path = shared_dir / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in ../shared")
    return path


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ssb_r_package", REPO / "scripts/ssb_r_package.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read_rda(path: Path) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # R's data.table read as a data.frame
        parsed: dict[str, Any] = rdata.read_rda(str(path), default_encoding="latin1")
    return parsed


@pytest.fixture(scope="module")
def rate_data(shared_dir: Path) -> Path:
    return _shared_file(shared_dir, f"{R_PACKAGE}/rateData.RData")


def _restricted(indicator: Indicator, functions: set[str], ownership: str) -> Indicator:
    """The catalog's formula narrowed to the functions and ownership the file holds."""
    assert indicator.formula is not None

    def keep(refs: Any) -> Any:
        if not isinstance(refs, list):
            return refs
        kept = [
            r
            for r in refs
            if r.dims.get("KOKfunksjon0000") in functions
            and r.dims.get("KOKeieform0000", ownership) == ownership
        ]
        assert kept, indicator.id
        return kept

    formula = Formula(
        numerator=keep(indicator.formula.numerator),
        denominator=keep(indicator.formula.denominator),
        scale=indicator.formula.scale,
    )
    return indicator.model_copy(update={"formula": formula})


def test_rate_data_feeds_the_eiendom_key_figures(rate_data: Path, tmp_path: Path) -> None:
    script = _script()
    paths = script.write_csv(script.read_rate_data(rate_data), tmp_path)
    area, _ = read_file(paths[0])  # "11906: …" title line: the file names its table
    costs, meta = read_file(paths[1])
    assert meta.table_id == "12905"
    assert area["year"].unique().to_list() == [2015]
    pop = pl.read_csv(paths[2], separator=";", schema_overrides={"region": pl.Utf8}).select(
        "region",
        pl.col("year").cast(pl.Int32),
        pl.lit("total").alias("age_group"),
        pl.col("population").cast(pl.Float64),
    )
    catalog = load_catalog()
    indicators = [
        _restricted(catalog.get("areal_formalsbygg_per_innbygger"), {"381"}, "samlet"),
        _restricted(catalog.get("energiutgifter_per_m2"), {"381"}, "eid"),
        _restricted(catalog.get("vedlikehold_per_m2"), {"381"}, "eid"),
    ]
    result = evaluate(pl.concat([area, costs]), pop, indicators)
    ours = {
        (row["indicator_id"], row["region"]): row["value"] for row in result.iter_rows(named=True)
    }

    # by hand, straight from the R file
    raw = _read_rda(rate_data)["rateData"]["data"]
    stub = raw.columns[0]
    checked = 0
    for _, row in raw.iterrows():
        code = str(row[stub]).split()[0]
        inhabitants = float(row["Folkemengde.i.alt"]) or math.nan
        owned = float(row["Areal.på.eide.kommunale.idrettsbygg..konsern"]) or math.nan
        expected = {
            "areal_formalsbygg_per_innbygger": row["Samlet.areal.på.kommunale.idrettsbygg..konsern"]
            / inhabitants,
            "energiutgifter_per_m2": row["Energikostnader.til.kommunale.idrettsbygg..konsern"]
            * 1000
            / owned,
            "vedlikehold_per_m2": row[
                "Utgifter.til.vedlikeholdsaktiviteter..kommunale.idrettsbygg..konsern"
            ]
            * 1000
            / owned,
        }
        for indicator_id, value in expected.items():
            value = float(value)
            if not math.isfinite(value):  # NA in the file, or no area: no figure
                assert ours.get((indicator_id, code)) is None, (indicator_id, code)
                continue
            assert ours[(indicator_id, code)] == pytest.approx(value, rel=1e-12), (
                indicator_id,
                code,
            )
            checked += 1
    assert checked > 900  # three figures for most of the 428 municipalities
    # Halden's sports buildings in 2015: 950 000 kr of energy on 9 020 owned m²
    assert ours[("energiutgifter_per_m2", "0101")] == pytest.approx(950_000 / 9020)


def test_testdata_areas_agree_with_rate_data(rate_data: Path, shared_dir: Path) -> None:
    testdata = _read_rda(_shared_file(shared_dir, f"{R_PACKAGE}/testdata.RData"))["testdata"]
    rate = _read_rda(rate_data)["rateData"]["data"]
    stub = rate.columns[0]
    by_code = {str(r[stub]).split()[0]: r for _, r in rate.iterrows()}
    compared = same = 0
    for _, row in testdata.iterrows():
        code = str(row["Region"]).zfill(6)
        assert code.endswith("00"), code  # six-digit codes: municipality + "00"
        other = by_code.get(code[:4])
        if other is None:
            continue
        for function, column in (
            ("130", "Areal.på.eide.administrasjonslokaler...konsern"),
            ("381", "Areal.på.eide.kommunale.idrettsbygg..konsern"),
        ):
            mine, theirs = row[f"areal_{function}_eier_2015"], other[column]
            if math.isnan(mine) or math.isnan(theirs):
                continue
            compared += 1
            same += mine == theirs
    # testdata is another extract of the same statistic (the package tests its error checks on
    # it): the areas agree for the great majority of municipalities, not for every one
    assert compared > 600
    assert same / compared > 0.9


def test_12210_course_data_population_is_ssb_07459(shared_dir: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        raw = rdata.read_rds(str(_shared_file(shared_dir, RDS)), default_encoding="utf8")
    frame = pl.from_pandas(raw).with_columns(pl.col("year").cast(pl.Int32))
    assert {"shj_klienter", "shj_unge"} <= set(frame.columns)  # 12210's two client counts
    assert (frame["shj_unge"] <= frame["shj_klienter"]).all()  # clients 18–24 are a subset
    years = sorted(frame["year"].unique().to_list())
    assert years[0] == 2015
    packaged = population(years, age_group="total").rename({"region": "kommune_nr"})
    joined = frame.join(packaged, on=["kommune_nr", "year"], how="inner")
    assert joined.height == frame.height  # every municipality-year is a known code
    assert (joined["bef_totalt"].cast(pl.Float64) == joined["population"]).all()
