"""Former municipality names ("Oppegård", "Ski") and the municipalities they are part of now.

The CLI's name resolution already reads old names (:func:`kostra.geography.resolve_municipality`
without a year); this index serves type-ahead searches, which match the start of a name.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from kostra.geography import _data
from kostra.geography.history import _check_year, mapping


@cache
def former_names(borders: int) -> pl.DataFrame:
    """Names no longer in use on ``borders``: ``name`` (as last written), ``code`` (the
    municipality on ``borders`` that holds most of the former unit), ``first``, ``last``
    (the years the name was in use)."""
    _check_year(borders)
    years = _data.municipality_years()
    current = set(years.filter(pl.col("year") == borders)["name"].to_list())
    spans = (
        years.filter(pl.col("year") < borders)
        .group_by("name", "code")
        .agg(pl.col("year").min().alias("first"), pl.col("year").max().alias("last"))
        .filter(~pl.col("name").is_in(list(current)))
    )
    rows = []
    for (last,), part in spans.group_by("last"):
        # the largest part of the unit on ``borders`` (one mapping per year, not per name)
        links = (
            mapping(int(str(last)), borders)
            .sort("weight", descending=True)
            .unique("from_code", keep="first")
        )
        moved = part.join(links, left_on="code", right_on="from_code", how="inner")
        rows += [
            (str(n), str(c), int(f), int(la))
            for n, c, f, la in moved.select("name", "to_code", "first", "last").iter_rows()
        ]
    return (
        pl.DataFrame(
            rows,
            schema={"name": pl.Utf8, "code": pl.Utf8, "first": pl.Int32, "last": pl.Int32},
            orient="row",
        )
        .sort("name", "last", descending=[False, True])
        .unique("name", keep="first", maintain_order=True)
    )
