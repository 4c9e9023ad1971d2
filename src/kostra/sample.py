"""The packaged sample: synthetic KOSTRA figures so that everything runs offline.

The sample (``kostra/data/sample/``) holds every series the indicator catalog refers to, for every
municipality valid in each year 2015–2025 on the codes valid that year, plus the country
(``EAK``), the country without Oslo (``EAKUO``) and the counties (``EKAnn``). It is stored as SSB
delivers its KOSTRA tables: every region code of 2015–2025 is listed in every year, with an
empty cell and ``"."`` (category not applicable) where the code did not exist; the analysis
leaves those cells out (:func:`kostra.geography.drop_not_applicable`). It is built by
``scripts/build_sample.py`` from real population, real need indices and SSB's real national and
Oslo levels 2020–2025, but the municipalities' numbers are invented: **it is not SSB's data**, and
every output made from it must say so (:data:`SAMPLE_NOTICE`).

* :func:`sample_observations` returns the observation frame (pure, no warehouse);
* :func:`load_sample` stores it in a warehouse, one vintage per table, with ``source='sample'``
  and ``synthetic=True``. The warehouse ignores a table's sample vintages as soon as the table
  has real data, so fetched figures always take precedence.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from kostra.errors import DataNotFoundError
from kostra.frames import conform_observations
from kostra.i18n.said import say

if TYPE_CHECKING:
    from kostra.warehouse import Warehouse

__all__ = [
    "SAMPLE_NOTICE",
    "load_sample",
    "sample_metadata",
    "sample_observations",
    "sample_tables",
]

SAMPLE_NOTICE: dict[str, str] = {
    "nb": "Eksempeldata: syntetiske tall laget av kostra, ikke SSBs KOSTRA-tall.",
    "en": "Sample data: synthetic figures made by kostra, not SSB's KOSTRA figures.",
}
"""The sentence every table, export, report or page built on the sample must show."""


def _sample_dir() -> Path:
    return Path(str(resources.files("kostra") / "data" / "sample"))


def _missing() -> DataNotFoundError:
    return DataNotFoundError(say("error.sample.missing"), hint=say("error.sample.missing.hint"))


@lru_cache(maxsize=1)
def sample_metadata() -> dict[str, Any]:
    """The sample's metadata: ``synthetic`` (always true), seed, build date, inputs, tables."""
    path = _sample_dir() / "metadata.json"
    if not path.is_file():
        raise _missing()
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _all_observations() -> pl.DataFrame:
    path = _sample_dir() / "observations.parquet"
    if not path.is_file():
        raise _missing()
    return conform_observations(pl.read_parquet(path))


def sample_tables() -> list[str]:
    """The SSB table ids the sample covers, sorted."""
    return sorted(sample_metadata()["tables"])


def sample_observations(table_ids: Iterable[str] | None = None) -> pl.DataFrame:
    """The sample as an observation frame (:mod:`kostra.frames`), optionally for some tables.

    Synthetic: never present these numbers without :data:`SAMPLE_NOTICE`.
    """
    frame = _all_observations()
    if table_ids is None:
        return frame
    wanted = list(dict.fromkeys(table_ids))
    unknown = sorted(set(wanted) - set(sample_tables()))
    if unknown:
        raise DataNotFoundError(
            say("error.sample.unknown_tables", tables=", ".join(unknown)),
            hint=say("error.sample.unknown_tables.hint", tables=", ".join(sample_tables())),
        )
    return frame.filter(pl.col("table_id").is_in(wanted))


def load_sample(warehouse: Warehouse, *, table_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Store the sample in ``warehouse``, one vintage per table; return ``{table_id: vintage}``.

    Vintages get ``source='sample'`` and ``synthetic=True``. Loading the same sample again
    stores nothing new (the warehouse recognises identical content). Real data of a table, once
    fetched, takes precedence over its sample vintage in every default read.
    """
    from kostra.warehouse import VintageInfo

    metadata = sample_metadata()
    frame = sample_observations(table_ids)
    vintages: dict[str, int] = {}
    for (table_id,), rows in frame.partition_by(
        "table_id", as_dict=True, maintain_order=True
    ).items():
        table = str(table_id)
        info = VintageInfo(
            source="sample",
            table_id=table,
            title=metadata["tables"].get(table, {}).get("title"),
            updated=metadata["build_date"],
            query={"sample": True, "seed": metadata["seed"]},
            synthetic=True,
            label=SAMPLE_NOTICE["en"],
        )
        vintages[table] = warehouse.load(rows, info)
    return vintages
