"""Helpers shared by the analysis modules: status symbols, peer groupings, group averages.

A *grouping* is a frame ``group, region`` (optionally ``year`` when membership changes over
time): each group is one peer set, and a region may belong to several groups (Bærum to its
county and to ASSS). Every analysis computes against all groups of a grouping at once, so one
municipality's profile and every municipality's profile are the same code path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import polars as pl

# SSB's symbols, most informative first: when several inputs of one figure are missing, the
# figure carries the first of these found among them (confidential beats "not available").
STATUS_PRIORITY: tuple[str, ...] = (":", "...", "..", ".", "-", "....")
MISSING_STATUS = ".."  # an input we have no row for at all: "data not available"
NOT_APPLICABLE_STATUS = "."  # a figure that cannot be formed (zero denominator, merged ready ratio)

PANDEMIC_YEARS: tuple[int, ...] = (2020, 2021)
OSLO = "0301"

GROUPING_SCHEMA: dict[str, pl.DataType] = {"group": pl.Utf8(), "region": pl.Utf8()}


def first_status(column: str = "status") -> pl.Expr:
    """Aggregation: the highest-priority status symbol among the group's rows (null if none)."""
    rank = (
        pl.col(column)
        .replace_strict(
            {symbol: index for index, symbol in enumerate(STATUS_PRIORITY)},
            default=len(STATUS_PRIORITY),
            return_dtype=pl.Int32,
        )
        .fill_null(len(STATUS_PRIORITY) + 1)
    )
    return pl.col(column).sort_by(rank).first()


def grouping(groups: Mapping[str, Iterable[str]]) -> pl.DataFrame:
    """A grouping frame from ``{"asss": ["0301", ...], ...}``."""
    rows = [(name, code) for name, codes in groups.items() for code in codes]
    return pl.DataFrame(rows, schema=GROUPING_SCHEMA, orient="row").unique(maintain_order=True)


def single_group(name: str, members: Iterable[str]) -> pl.DataFrame:
    """A grouping with one group."""
    return grouping({name: list(members)})


def conform_grouping(groups: pl.DataFrame) -> pl.DataFrame:
    """Check and cast a grouping frame; ``year`` is kept when present."""
    missing = [c for c in ("group", "region") if c not in groups.columns]
    if missing:
        raise ValueError(f"grouping frame lacks columns {missing}")
    columns = [pl.col("group").cast(pl.Utf8), pl.col("region").cast(pl.Utf8)]
    if "year" in groups.columns:
        columns.append(pl.col("year").cast(pl.Int32))
    return groups.select(columns).unique()


def join_grouping(frame: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Attach every group each row's region belongs to (rows outside every group drop out)."""
    keys = ["region", "year"] if "year" in groups.columns else ["region"]
    return frame.join(groups, on=keys, how="inner")


def safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator``, null when the denominator is null or zero."""
    return pl.when(denominator.is_not_null() & (denominator != 0)).then(numerator / denominator)
