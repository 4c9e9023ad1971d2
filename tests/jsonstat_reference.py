"""A plain JSON-stat 2.0 decoding written straight from the specification, cell by cell, and
the specification's JSON schema: what the decoder's tests compare it with."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path
from typing import Any

import polars as pl

DATA = Path(__file__).parent / "data"
SSB_SYMBOLS = [".", "..", "...", "....", ":", "-"]
SCHEMA = json.loads((DATA / "jsonstat-2.0-dataset.schema.json").read_text(encoding="utf-8"))


def reference_decode(doc: dict[str, Any]) -> pl.DataFrame:
    """A slow, plain decoding written straight from the JSON-stat 2.0 text, cell by cell."""
    ids = doc["id"]
    cats = []
    for dim_id in ids:
        category = doc["dimension"][dim_id]["category"]
        index = category.get("index")
        if index is None:
            codes = list(category["label"])
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = [code for code, _ in sorted(index.items(), key=lambda kv: kv[1])]
        cats.append(codes)
    value = doc["value"]
    status = doc.get("status")
    rows = []
    for flat, combo in enumerate(itertools.product(*cats)):
        v = value[flat] if isinstance(value, list) else value.get(str(flat))
        if status is None:
            s = None
        elif isinstance(status, str):
            s = status
        elif isinstance(status, list):
            s = status[0] if len(status) == 1 else status[flat]
        else:
            s = status.get(str(flat))
        if isinstance(value, dict):  # sparse: only the cells given a value or a status
            n_cells = math.prod(len(codes) for codes in cats)
            dense_status = isinstance(status, list) and not (len(status) == 1 and n_cells != 1)
            own_status = isinstance(status, dict) or dense_status
            if str(flat) not in value and not (own_status and s is not None):
                continue
        rows.append([*combo, None if v is None else float(v), s])
    schema = {**dict.fromkeys(ids, pl.Utf8), "value": pl.Float64, "status": pl.Utf8}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    # Codes as Enums of the categories in index order; status as an Enum of SSB's symbols in
    # their fixed order, then any other symbol of the document, sorted.
    symbols = set(frame.get_column("status").drop_nulls().to_list())
    status_enum = pl.Enum([*SSB_SYMBOLS, *sorted(symbols - set(SSB_SYMBOLS))])
    enums = {d: pl.Enum(codes) for d, codes in zip(ids, cats, strict=True)}
    return frame.cast({**enums, "status": status_enum})
