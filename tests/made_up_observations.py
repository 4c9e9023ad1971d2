"""Made-up observations of every catalog series for the ASSS municipalities and Asker, codes
valid in each year, with one suppressed cell: handed to the API in place of the shipped sample."""

from __future__ import annotations

import numpy as np
import polars as pl

from kostra import geography
from kostra.catalog import load_catalog
from kostra.frames import encode_dims

TARGETS = ["0301", "4601", "5001", "1103", "3201", "4204", "3301", "3107", "1108", "5501"]
TARGETS += ["3203", "3205"]


def made_up_observations(table_ids: list[str], years: list[int]) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    frames = []
    for ref in load_catalog().series():
        if ref.table_id not in table_ids:
            continue
        for year in years:
            links = geography.mapping(year, 2024).filter(pl.col("to_code").is_in(TARGETS))
            codes = sorted(links["from_code"].unique().to_list())
            values = rng.uniform(50, 150, len(codes))
            frames.append(
                pl.DataFrame(
                    {
                        "table_id": ref.table_id,
                        "contents_code": ref.contents_code,
                        "region": codes,
                        "year": year,
                        "dims": encode_dims(ref.dims),
                        "value": values,
                        "status": None,
                    },
                    schema_overrides={"year": pl.Int32, "status": pl.Utf8},
                )
            )
    frame = pl.concat(frames)
    # one suppressed cell, as SSB would
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(":")).alias("status"),
    )
    return frame.with_columns(pl.lit(True).alias("synthetic"))
