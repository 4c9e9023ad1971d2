"""SSB's full historical-code grid: which cells stand for a code that did not exist that year.

Every KOSTRA table SSB publishes (statbank downloads and PxWebApi v2 answers alike) lists every
region code of the table's lifetime for every year, with the symbol ``.`` ("category not
applicable") where the code was not in use: Asker 0220 in 2021, Asker 3025 in 2015, the county
EKA01 (Østfold) in 2022. kostra keeps such cells in the warehouse and the sample as SSB
delivers them, and the analysis leaves them out at its entry (:func:`drop_not_applicable`):
a code that did not exist in a year has no figure, neither an error nor a number.

Only *empty* cells of codes outside their validity, with SSB's ``.`` or no symbol, are dropped.
An empty cell (``.``, ``..``, ``:`` …) of a code that did exist that year is real missing data
and stays, with its symbol; so does another symbol than ``.`` on a code that did not exist (SSB
does not write one there, so it is kept rather than explained away). A number under a code that
did not exist is left in place for :func:`kostra.geography.harmonise` to refuse, because it
cannot belong to any municipality of that year.

Validity is that of 1 January of the year (the codes of accounting year t), for municipality
codes in the packaged code history and the county aggregates ``EKAnn``; other regions (``EAK``,
``EAKUO``, KOSTRA groups ``EKGnn``) and years outside the history are never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import polars as pl

from kostra.geography import _data

__all__ = ["drop_not_applicable", "not_valid_pairs"]

_FLAG = "__grid_not_valid"


@cache
def not_valid_pairs() -> pl.DataFrame:
    """``region, year`` of every known municipality or county code in a year it did not exist.

    Years are those of the packaged code history (2005–2026); counties appear as ``EKAnn``.
    """
    municipalities = _data.municipality_years().select(
        pl.col("code").alias("region"), pl.col("year").cast(pl.Int32)
    )
    counties = _data.counties().select(
        (pl.lit("EKA") + pl.col("county_code")).alias("region"), pl.col("year").cast(pl.Int32)
    )
    valid = pl.concat([municipalities, counties]).unique()
    years = pl.DataFrame(
        {"year": list(range(_data.FIRST_YEAR, _data.LAST_YEAR + 1))}, schema={"year": pl.Int32}
    )
    every = valid.select("region").unique().join(years, how="cross")
    return every.join(valid, on=["region", "year"], how="anti").sort("region", "year")


def drop_not_applicable(
    frame: pl.DataFrame,
    *,
    value_columns: Sequence[str] = ("value",),
    region_col: str = "region",
    year_col: str = "year",
    status_col: str = "status",
) -> pl.DataFrame:
    """``frame`` without the empty cells of codes that did not exist in their year.

    A row goes when its region is a known municipality or county code not valid on 1 January
    of its year, every column of ``value_columns`` is null and its status is ``.`` (SSB's
    "not applicable") or absent. Every other row is kept in its order: an empty cell of a code
    that did exist, and an empty cell with another symbol (``..``, ``:``), stay missing.
    """
    if frame.height == 0 or region_col not in frame.columns or year_col not in frame.columns:
        return frame
    present = [c for c in value_columns if c in frame.columns]
    empty = pl.all_horizontal([pl.col(c).is_null() for c in present]) if present else pl.lit(True)
    if status_col in frame.columns:
        # SSB's symbol for it is "."; another symbol there ("..", ":") is kept as missing.
        empty = empty & pl.col(status_col).cast(pl.Utf8).fill_null(".").eq(".")
    # Only empty cells can go: look those up, by row number, and keep every other row as is.
    candidates = (
        frame.lazy()
        .with_row_index(_FLAG)
        .filter(empty)
        .select(
            _FLAG,
            pl.col(region_col).cast(pl.Utf8).alias("region"),
            pl.col(year_col).cast(pl.Int32).alias("year"),
        )
        .join(not_valid_pairs().lazy(), on=["region", "year"], how="semi")
        .select(_FLAG)
        .collect()
    )
    if candidates.height == 0:
        return frame
    drop = candidates.get_column(_FLAG)
    return frame.with_row_index(_FLAG).filter(~pl.col(_FLAG).is_in(drop.implode())).drop(_FLAG)
