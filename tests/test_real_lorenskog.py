"""Real data (issue 10.6): the Lørenskog workbook's national, Oslo and need-corrected series
against what kostra computes from the same inputs.

``../shared/data/kostra_real_fragments/Lorenskog_KOSTRA_2025_nokkeltall.xlsx`` holds SSB's
KOSTRA key figures (preliminary 2025, as of 16 March 2026) for Landet, Landet uten Oslo, Oslo
and Lørenskog, and a sheet computing need-corrected NDU per inhabitant with the 2026 sector
indices. Checked here:

* the country is the sum-over-sum average of Oslo and the country without Oslo, weighted by the
  inhabitants of the figure's age group on 1 January t+1 from kostra's packaged population,
  computed by kostra's own ``peer_profile`` (the ASSS averaging rule on SSB's own aggregates);
* the workbook's Lørenskog sector indices (DKI, Grønt hefte 2026) are kostra's packaged 2026
  indices, and ``need_corrected_costs`` gives the workbook's need-corrected figures;
* our NDU grunnskole per inhabitant 6–15 (functions 202+213+215+222+223) is 2.1–2.5 % above
  SSB's 12255 KOSregnind20000 (the note in ``grunnskole.toml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kostra import api, geography
from kostra.analysis._common import single_group
from kostra.analysis.need import need_corrected_costs
from kostra.analysis.profile import peer_profile
from kostra.catalog import load_catalog

WORKBOOK = "data/kostra_real_fragments/Lorenskog_KOSTRA_2025_nokkeltall.xlsx"
YEARS = list(range(2020, 2026))
LORENSKOG = "3222"

#: workbook series (sheet, title) → (catalog indicator, age group of its denominator)
PER_INHABITANT = {
    ("Grunnskole", "Netto driftsutgifter til grunnskole per innbygger 6-15 år (kr)"): (
        "ndu_grunnskole_ssb_per_innb_6_15",
        "6-15",
    ),
    ("Barnehage", "Netto driftsutgifter barnehage per innb. 1-5 år (kr)"): (
        "ndu_barnehage_ssb_per_innb_1_5",
        "1-5",
    ),
    ("Kultur", "Netto driftsutgifter kultur per innbygger (kr)"): (
        "ndu_kultur_ssb_per_innbygger",
        "total",
    ),
}
SECTORS = {
    "Grunnskole": "grunnskole",
    "Pleie og omsorg": "pleie_og_omsorg",
    "Barnehage": "barnehage",
    "Barnevern": "barnevern",
    "Sosiale tjenester": "sosiale_tjenester",
    "Kommunehelse": "kommunehelse",
    "Administrasjon og landbruk": "administrasjon",
}


@pytest.fixture(scope="module")
def book(shared_dir: Path) -> Any:
    path = shared_dir / WORKBOOK
    if not path.exists():
        pytest.skip(f"{WORKBOOK} is not in ../shared")
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(path, data_only=True, read_only=True)


def _series(book: Any, sheet: str, title: str) -> dict[str, dict[int, float]]:
    """``{region label: {year: value}}`` of one titled block of a sector sheet."""
    rows = list(book[sheet].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title)
    header = [str(c) if c is not None else "" for c in rows[start + 1]]
    out: dict[str, dict[int, float]] = {name: {} for name in header[1:] if name}
    for row in rows[start + 2 :]:
        if row[0] is None or not str(row[0]).isdigit():
            break
        for name, cell in zip(header[1:], row[1:], strict=False):
            if name and isinstance(cell, int | float):
                out[name][int(str(row[0]))] = float(cell)
    return out


def _inhabitants(age_group: str) -> pl.DataFrame:
    """Oslo and the country without Oslo on 1 January t+1 (the KOSTRA denominator of year t)."""
    people = geography.population(
        [y + 1 for y in YEARS], age_group=age_group, borders=api.NEWEST_BORDERS
    ).filter(pl.col("region").str.contains(r"^\d{4}$"))
    land = people.group_by("year").agg(pl.col("population").sum().alias("land"))
    oslo = people.filter(pl.col("region") == "0301").select("year", pl.col("population"))
    return land.join(oslo, on="year").select(
        (pl.col("year") - 1).alias("year"),
        pl.col("population").alias("0301"),
        (pl.col("land") - pl.col("population")).alias("EAKUO"),
    )


@pytest.mark.parametrize(("sheet", "title"), list(PER_INHABITANT))
def test_the_country_is_the_sum_over_sum_of_oslo_and_the_rest(
    book: Any, sheet: str, title: str
) -> None:
    catalog = load_catalog()
    indicator, age_group = PER_INHABITANT[(sheet, title)]
    series = _series(book, sheet, title)
    people = _inhabitants(age_group)
    rows = []
    for year in YEARS:
        counts = people.filter(pl.col("year") == year).row(0, named=True)
        for label, region in (("Oslo", "0301"), ("Landet u/Oslo", "EAKUO")):
            value = series[label].get(year)
            if value is None:
                continue
            rows.append((indicator, region, year, value, value * counts[region], counts[region]))
    evaluated = pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.Utf8,
            "region": pl.Utf8,
            "year": pl.Int32,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    ).with_columns(
        pl.lit(None, dtype=pl.Utf8).alias("status"),
        pl.lit(False).alias("series_break"),
        pl.lit(False).alias("preliminary"),
    )
    # SSB's per-inhabitant figures are a sum over sum: weighted, as the catalog's formulas
    result = peer_profile(
        evaluated,
        [catalog.get(indicator)],
        single_group("landet", ["0301", "EAKUO"]),
        ready_ratios="weighted",
    ).filter(pl.col("region") == "0301")
    checked = 0
    for row in result.iter_rows(named=True):
        published = series["Landet"][row["year"]]
        assert row["peer_average"] == pytest.approx(published, rel=0.002), (title, row["year"])
        checked += 1
    assert checked >= 5


def test_lorenskog_need_indices_are_the_packaged_2026_indices(book: Any) -> None:
    rows = list(book["Kostnadsnivå (ENH)"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Sektor")
    dki = {}
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        dki[SECTORS[str(row[0])]] = float(row[1])
    packaged = api.packaged_need_index().filter(
        (pl.col("need_year") == 2026) & (pl.col("region") == LORENSKOG)
    )
    ours = dict(zip(packaged["sector"], packaged["need_index"], strict=True))
    assert set(dki) <= set(ours)
    for sector, value in dki.items():
        assert ours[sector] == pytest.approx(value, abs=5e-4), sector


def _kostnadsniva(book: Any) -> dict[tuple[str, str], dict[int, float]]:
    rows = list(book["Kostnadsnivå (ENH)"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Sektor" and r[1] == "Region")
    years = [int(str(c)) for c in rows[start][2:]]
    out: dict[tuple[str, str], dict[int, float]] = {}
    sector = ""
    for row in rows[start + 1 :]:
        if row[1] is None:
            break
        sector = str(row[0]) if row[0] else sector
        values = {y: float(v) for y, v in zip(years, row[2:], strict=True) if v is not None}
        out[(sector, str(row[1]))] = values
    return out


def test_need_corrected_costs_give_the_workbooks_figures(book: Any) -> None:
    """K = NDU / N / I: from the same NDU and the packaged 2026 index, kostra gives the
    workbook's need-corrected Lørenskog figures, and its resource index the ratio to Landet."""
    figures = _kostnadsniva(book)
    sector, name = "grunnskole", "Grunnskole"
    index = api.packaged_need_index().filter(pl.col("need_year") == 2026)
    own_index = index.filter((pl.col("region") == LORENSKOG) & (pl.col("sector") == sector))[
        "need_index"
    ][0]
    inhabitants = 50_000.0  # cancels: the workbook gives per-inhabitant figures
    lorenskog = figures[(name, "Lørenskog")]
    land = figures[(name, "Landet")]
    rows = []
    for year, corrected in lorenskog.items():
        rows.append((LORENSKOG, year, sector, corrected * own_index * inhabitants, inhabitants))
        rows.append(("EAK", year, sector, land[year] * 5_600_000.0, 5_600_000.0))
    spending = pl.DataFrame(
        rows,
        schema={
            "region": pl.Utf8,
            "year": pl.Int32,
            "sector": pl.Utf8,
            "amount": pl.Float64,
            "population": pl.Float64,
        },
        orient="row",
    )
    out = need_corrected_costs(
        spending, index, single_group("g", [LORENSKOG]), need_year=2026, welfare_sectors=[sector]
    ).filter(pl.col("sector") == sector)
    for row in out.iter_rows(named=True):
        assert row["need_corrected_per_capita"] == pytest.approx(lorenskog[row["year"]])
        assert row["resource_index"] == pytest.approx(
            100 * lorenskog[row["year"]] / land[row["year"]]
        )
        assert row["need_index_quality"] == "good"
    assert out.height == len(lorenskog)


def test_our_grunnskole_ndu_is_not_ssbs_12255_figure(book: Any) -> None:
    """The grunnskole.toml note: functions 202+213+215+222+223 per 6–15 are 2.1–2.5 % above
    SSB's KOSregnind20000 for the country, every year 2020–2025 (167 143 vs 163 131 in 2025)."""
    figures = _kostnadsniva(book)
    land = figures[("Grunnskole", "Landet")]
    ssb = _series(
        book, "Grunnskole", "Netto driftsutgifter til grunnskole per innbygger 6-15 år (kr)"
    )["Landet"]
    total = _inhabitants("total")
    young = _inhabitants("6-15")
    for year in YEARS:
        n_total = total.filter(pl.col("year") == year).select(pl.sum_horizontal("0301", "EAKUO"))
        n_young = young.filter(pl.col("year") == year).select(pl.sum_horizontal("0301", "EAKUO"))
        ours = land[year] * n_total.item() / n_young.item()
        gap = ours / ssb[year] - 1
        assert 0.02 < gap < 0.026, (year, ours, ssb[year])
        if year == 2025:
            assert round(ours) == pytest.approx(167_143, abs=2)
