"""Build ``src/kostra/data/need_index/`` from the income system's published need indices.

Inputs (read-only, ``../shared/data/reference/``): ``cost_index_sectors_{2025,2026}.json``
(sector indices per municipality, 352 municipalities, Grønt hefte table E-k × sector cost keys)
and ``cost_index_total_{2025,2026}.json`` (total index, table A-k, 355 municipalities).

Outputs:

* ``need_index.parquet``: ``need_year, region, sector, need_index, basis`` — one row per
  budget year, 2024-border municipality code and sector (catalog sector names, plus ``total``).
  ``basis`` is ``sector`` (the sector index), ``total_table`` (the total from table A-k) or
  ``total_uniform`` (no sector index published for the municipality: its A-k total is used for
  every sector, as the carrier of the data does).
* ``sector_weights.json``: the cost key's sector weights per budget year.

Run: ``python scripts/build_need_index.py [SHARED_DIR]``. Deterministic; no network.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "kostra" / "data" / "need_index"
SECTORS = {
    "grunnskole": "grunnskole",
    "barnehage": "barnehage",
    "pleie": "pleie_og_omsorg",
    "kommunehelse": "kommunehelse",
    "barnevern": "barnevern",
    "sosial": "sosiale_tjenester",
    "administrasjon": "administrasjon",
}


def build(shared: Path) -> None:
    reference = shared / "data" / "reference"
    rows: list[dict[str, object]] = []
    weights: dict[str, dict[str, float]] = {}
    sources: dict[str, dict[str, str]] = {}
    for year in (2025, 2026):
        sectors = json.loads((reference / f"cost_index_sectors_{year}.json").read_text("utf-8"))
        total = json.loads((reference / f"cost_index_total_{year}.json").read_text("utf-8"))
        for code, entry in sectors["kommuner"].items():
            for key, sector in SECTORS.items():
                rows.append(
                    {
                        "need_year": year,
                        "region": code,
                        "sector": sector,
                        "need_index": float(entry[key]),
                        "basis": "sector",
                    }
                )
        for code, value in total["kommuner"].items():
            value = value["samlet"] if isinstance(value, dict) else value
            rows.append(
                {
                    "need_year": year,
                    "region": code,
                    "sector": "total",
                    "need_index": float(value),
                    "basis": "total_table",
                }
            )
            if code not in sectors["kommuner"]:
                for sector in SECTORS.values():
                    rows.append(
                        {
                            "need_year": year,
                            "region": code,
                            "sector": sector,
                            "need_index": float(value),
                            "basis": "total_uniform",
                        }
                    )
        # A municipality with sector indices but no A-k total: the carrier's reconstructed total.
        for code, entry in sectors["kommuner"].items():
            if code not in total["kommuner"]:
                rows.append(
                    {
                        "need_year": year,
                        "region": code,
                        "sector": "total",
                        "need_index": float(entry["samlet"]),
                        "basis": "total_sectors",
                    }
                )
        weights[str(year)] = {
            SECTORS[key]: float(value)
            for key, value in sectors["sektorvekter"].items()
            if key in SECTORS
        }
        sources[str(year)] = {"sectors": sectors["kilde"], "total": total["kilde"]}
    frame = (
        pl.DataFrame(
            rows,
            schema={
                "need_year": pl.Int32,
                "region": pl.Utf8,
                "sector": pl.Utf8,
                "need_index": pl.Float64,
                "basis": pl.Utf8,
            },
        )
        .unique(["need_year", "region", "sector"], keep="first", maintain_order=True)
        .sort("need_year", "region", "sector")
    )
    OUT.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(OUT / "need_index.parquet", compression="zstd", statistics=False)
    (OUT / "sector_weights.json").write_text(
        json.dumps({"weights": weights, "sources": sources}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {frame.height} rows to {OUT / 'need_index.parquet'}")


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared")
