"""Build the packaged KOSTRA grouping and municipality facts from ``../shared``.

Writes ``src/kostra/data/geography/kostra_groups_2020.json`` (SSB's 2020 KOSTRA grouping:
the 17 group definitions and every municipality's group on 2024 codes) and
``src/kostra/data/geography/municipality_facts_2024.parquet`` (code, SSB's centrality class,
ROBEK 2024, total area in km², written language). Provenance: docs/DATA.md, "KOSTRA groups,
centrality, ROBEK and area". Run from the repository root:
``python scripts/build_workbench_data.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "data" / "reference"
TARGET = ROOT / "src" / "kostra" / "data" / "geography"


def main() -> int:
    """Read the shared reference files, check them, write the package files."""
    groups = pl.read_csv(
        REFERENCE / "kostra_groups_2020grouping_2024codes.csv", infer_schema_length=0
    )
    definitions = pl.read_csv(
        REFERENCE / "kostra_groups_2020grouping_definitions.csv", infer_schema_length=0
    )
    area = pl.read_csv(REFERENCE / "municipality_area_km2_2025.csv", infer_schema_length=0)
    if groups.height != 357 or set(groups["kommunenummer_2024"]) != set(area["id"]):
        print("the grouping and the area file do not cover the same 357 municipalities")
        return 1
    members = dict(
        groups.select("kommunenummer_2024", "kostragruppe_kode")
        .sort("kommunenummer_2024")
        .iter_rows()
    )
    counts = groups["kostragruppe_kode"].value_counts()
    definition_rows = {}
    for row in definitions.iter_rows(named=True):
        number = int(re.sub(r"\D", "", row["kostragruppe"]))
        code = f"EKG{number:02d}"
        definition_rows[code] = {
            "label": f"KOSTRA-gruppe {number}",
            "population": row["folkemengde"],
            "tied_costs": row["bundekostnader"],
            "free_income": row["frie_disponible_inntekter"] or None,
            "n_published": int(row["antall_kommuner"]),
        }
    for code in counts["kostragruppe_kode"].to_list():
        if code not in definition_rows:
            print(f"group {code} has no definition")
            return 1
    document = {
        "grouping": "SSB KOSTRA-gruppering 2020 (Klass 112)",
        "years": [2020, 2025],
        "codes_year": 2024,
        "groups": dict(sorted(definition_rows.items())),
        "members": members,
    }
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "kostra_groups_2020.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    facts = (
        groups.select(
            pl.col("kommunenummer_2024").alias("code"),
            pl.col("sentralitet_ssb").cast(pl.Int8).alias("centrality"),
            (pl.col("robek_2024") == "robek").alias("robek_2024"),
        )
        .join(
            area.select(
                pl.col("id").alias("code"),
                pl.col("area").cast(pl.Float64).alias("area_km2"),
                pl.col("language").alias("written_language"),
            ),
            on="code",
            how="left",
        )
        .sort("code")
    )
    facts.write_parquet(TARGET / "municipality_facts_2024.parquet", compression="zstd")
    print(f"wrote {len(members)} group members and {facts.height} municipality facts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
