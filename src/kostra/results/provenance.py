"""Which figures are SSB's and which are the shipped sample's, figure by figure.

When the warehouse holds some real tables and the synthetic sample fills in the rest
(:func:`kostra.api.load_data`), a report or a table mixes real and made-up numbers. Every figure
then says which it is: ``real`` (every series it reads is SSB's), ``sample`` (every series is the
sample's) or ``mixed`` (some of each: a ratio of a real numerator over a sample denominator, or a
total over sectors of both kinds). Population (07459, packaged from SSB's own downloads) is real.
Pure functions: frames and the catalog in, dicts out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import polars as pl

from kostra.catalog.models import Catalog, Indicator, series_of
from kostra.i18n import Words

REAL = "real"
SAMPLE = "sample"
MIXED = "mixed"

#: How a figure's origin is written, per language (marks and legends use these words).
ORIGIN_TEXT = Words("origin", ("real", "sample", "mixed"))

SectorFigures = Literal["all", "costs", "indices"]
"""Which of a sector's figures an origin is for (see :func:`sector_origins`)."""


def combine(origins: Iterable[str | None]) -> str | None:
    """The origin of a figure made of parts of these origins (``None``: no parts)."""
    kinds = {o for o in origins if o is not None}
    if not kinds:
        return None
    if kinds == {REAL}:
        return REAL
    if kinds == {SAMPLE}:
        return SAMPLE
    return MIXED


def series_origins(
    observations: pl.DataFrame, year: int | None = None
) -> dict[tuple[str, str], str]:
    """``(table_id, contents_code) → origin`` of the observations (of ``year`` when given).

    Without a ``synthetic`` column every series is real."""
    frame = observations if year is None else observations.filter(pl.col("year") == year)
    if frame.height == 0:
        return {}
    if "synthetic" not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("synthetic"))
    grouped = frame.group_by("table_id", "contents_code").agg(
        pl.col("synthetic").fill_null(False).any().alias("any_sample"),
        pl.col("synthetic").fill_null(False).all().alias("all_sample"),
    )
    out: dict[tuple[str, str], str] = {}
    for row in grouped.iter_rows(named=True):
        key = (str(row["table_id"]), str(row["contents_code"]))
        out[key] = SAMPLE if row["all_sample"] else MIXED if row["any_sample"] else REAL
    return out


def indicator_origins(catalog: Catalog, series: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """``indicator_id → origin`` from the series each indicator reads (those with data)."""
    out: dict[str, str] = {}
    for indicator in catalog.indicators:
        found = combine(
            series.get((ref.table_id, ref.contents_code)) for ref in series_of(indicator)
        )
        if found is not None:
            out[indicator.id] = found
    return out


def table_origins(series: Mapping[tuple[str, str], str]) -> dict[str, str]:
    """``table_id → origin`` (a table partly real, partly sample is ``mixed``)."""
    by_table: dict[str, list[str]] = {}
    for (table, _code), origin in series.items():
        by_table.setdefault(table, []).append(origin)
    return {table: combine(kinds) or SAMPLE for table, kinds in sorted(by_table.items())}


def sector_origins(
    catalog: Catalog, indicators: Mapping[str, str], *, figures: SectorFigures = "all"
) -> dict[str, str]:
    """``sector → origin`` over the sector's indicators with data (totals over the sector).

    ``figures`` narrows the indicators to those a sector figure reads: ``costs`` the sector's
    net operating expenses (need-corrected costs; the need index is the ministry's, real),
    ``indices`` the production indicators and the gross operating expenses the production and
    efficiency indices read. A sector with none of those falls back to all its indicators.
    """
    by_sector: dict[str, list[str]] = {}
    used: dict[str, list[str]] = {}
    for indicator in catalog.indicators:
        if indicator.id not in indicators:
            continue
        origin = indicators[indicator.id]
        by_sector.setdefault(indicator.sector.value, []).append(origin)
        if _reads(indicator, figures):
            used.setdefault(indicator.sector.value, []).append(origin)
    return {
        sector: combine(used.get(sector) or kinds) or SAMPLE for sector, kinds in by_sector.items()
    }


def _reads(indicator: Indicator, figures: SectorFigures) -> bool:
    if figures == "costs":
        return indicator.role == "net_opex"
    if figures == "indices":
        return indicator.production is not None or indicator.role == "gross_opex"
    return True
