"""SSB's statbank download of 13502 in ``../shared`` (see its MANIFEST), read with openpyxl,
not with kostra's reader: what the real-data tests compare kostra's numbers with."""

from __future__ import annotations

from pathlib import Path

import openpyxl

REAL_13502 = "data/kostra_real_fragments/13502_barnehage_andel_1_2_ar_2015_2023.xlsm"
INDICATOR = "andel_barn_1_2_i_barnehage"


def published_by_region(path: Path, year: int) -> dict[str, float]:
    """The file's numbers of ``year`` by region code, read with openpyxl (not our reader)."""
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(row for row in rows if row[1] == "2015")
    column = next(j for j, cell in enumerate(header) if str(cell) == str(year))
    out = {}
    for row in rows:
        label = row[0]
        if isinstance(label, str) and label[:4].isdigit() and isinstance(row[column], int | float):
            out[label[:4]] = float(row[column])
    return out
