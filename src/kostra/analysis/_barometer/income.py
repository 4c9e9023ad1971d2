"""The income the barometer's income-adjusted rank is adjusted for.

Kommunal Rapport adjusts Kommunebarometeret for *korrigerte frie inntekter*: free income per
inhabitant corrected for the expenditure need (KDD, Kommuneproposisjonen, vedlegg "Korrigerte
inntekter", tabell 2.4). That figure is KDD's, not SSB's: no KOSTRA table (12134 "Utvalgte
nøkkeltall for kommuneregnskap" holds only the raw KOSAG110000 "Frie inntekter per innbygger")
carries it, so it cannot be fetched with a ContentsCode. Our own approximation
[D, labelled as ours wherever it is shown]: SSB's free income per inhabitant divided by the
municipality's total expenditure-need index (country = 1.00) of the budget year after the
accounting year (the nearest year available otherwise), the same need-year rule as kostnadsnivå.
KDD corrects only the part of free income that the cost key equalises; dividing the whole is a
simplification and is named so.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from kostra import i18n
from kostra.i18n import Phrase

#: ``need_index.sector`` of the total expenditure-need index.
TOTAL_NEED_SECTOR = "total"

#: How the income of the adjustment is described, per language (one text for every surface).
INCOME_BASIS: Mapping[str, Mapping[str, str]] = {
    "corrected": Phrase("barometer.income.corrected"),
    "raw": Phrase("barometer.income.raw"),
}


def corrected_income(income: pl.DataFrame, need_index: pl.DataFrame) -> pl.DataFrame:
    """``region, year, income, income_basis``: free income per inhabitant divided by the total
    need index of the budget year after ``year`` (nearest available on a gap).

    ``income``: ``region, year, income`` (SSB's free income per inhabitant). ``need_index``:
    ``need_year, region, sector, need_index`` with ``sector == "total"`` rows. Where a
    municipality has no total index the raw figure is kept and ``income_basis`` says ``raw``,
    so a ranking never silently mixes the two without saying so.
    """
    from kostra.analysis.need import choose_need_year

    schema = {"region": pl.Utf8, "year": pl.Int32, "income": pl.Float64, "income_basis": pl.Utf8}
    if income.height == 0:
        return pl.DataFrame(schema=schema)
    totals = need_index.filter(pl.col("sector") == TOTAL_NEED_SECTOR).select(
        pl.col("need_year").cast(pl.Int32),
        pl.col("region").cast(pl.Utf8),
        pl.col("need_index").cast(pl.Float64).alias("_index"),
    )
    frame = income.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("income").cast(pl.Float64),
    )
    if totals.height == 0:
        return frame.with_columns(pl.lit("raw").alias("income_basis"))
    chosen = choose_need_year(
        frame["year"].unique().to_list(), totals["need_year"].unique().to_list()
    ).select("year", "need_year")
    joined = frame.join(chosen, on="year", how="left").join(
        totals, on=["need_year", "region"], how="left"
    )
    usable = pl.col("_index").is_not_null() & (pl.col("_index") > 0)
    return joined.select(
        "region",
        "year",
        pl.when(usable)
        .then(pl.col("income") / pl.col("_index"))
        .otherwise(pl.col("income"))
        .alias("income"),
        pl.when(usable).then(pl.lit("corrected")).otherwise(pl.lit("raw")).alias("income_basis"),
    )


def income_label(basis: str, lang: str = "nb") -> str:
    """The words for the income of the adjustment, the same on every surface."""
    lang = lang if lang in i18n.LANGS else "nb"
    if basis == "mixed":
        return i18n.text("barometer.income.mixed", lang, corrected=INCOME_BASIS["corrected"][lang])
    return INCOME_BASIS.get(basis, INCOME_BASIS["raw"])[lang]
