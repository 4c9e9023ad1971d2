"""The long observation frame: the one shape every source produces and the warehouse stores.

One row per cell of an SSB table::

    table_id       Utf8     SSB table id, always 5 characters ("07459", "12362")
    contents_code  Utf8     SSB ContentsCode ("KOSbelop0000", "Personer1")
    region         Utf8     region code as SSB uses it in the API: "0301", "3201", "EAK",
                            "EAKUO", "EKA32", "EKG08"; never an int, no "K-" prefix
    year           Int32    the year of Tid ("2024" -> 2024)
    dims           Utf8     the table's other dimensions, canonical: "Alder=005;Kjonn=1"
                            (sorted by dimension id, "=" and ";" separated), "" when none
    value          Float64  null when SSB gives no number
    status         Utf8     SSB's status symbol (".", "..", "...", ":", "-") or null

Missing is missing: a suppressed cell has value null and its symbol in ``status``; it is
never turned into 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    "table_id": pl.Utf8(),
    "contents_code": pl.Utf8(),
    "region": pl.Utf8(),
    "year": pl.Int32(),
    "dims": pl.Utf8(),
    "value": pl.Float64(),
    "status": pl.Utf8(),
}
OBSERVATION_COLUMNS: tuple[str, ...] = tuple(OBSERVATION_SCHEMA)
STATUS_SYMBOLS: frozenset[str] = frozenset({".", "..", "...", "....", ":", "-"})


def encode_dims(dims: Mapping[str, str]) -> str:
    """Canonical text for a cell's extra dimensions: sorted ``id=code`` pairs joined by ``;``."""
    return ";".join(f"{key}={dims[key]}" for key in sorted(dims))


def decode_dims(text: str) -> dict[str, str]:
    """Inverse of :func:`encode_dims`."""
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";"))


def empty_observations() -> pl.DataFrame:
    """An observation frame with no rows."""
    return pl.DataFrame(schema=OBSERVATION_SCHEMA)


def conform_observations(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast ``frame`` to the observation schema, in column order; raise if a column is absent."""
    missing = [name for name in OBSERVATION_COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"observation frame lacks columns {missing}")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in OBSERVATION_SCHEMA.items()])
