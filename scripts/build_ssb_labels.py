"""Build ``src/kostra/catalog/data/ssb_labels.csv``: SSB's label text per table and ContentsCode.

The import of statbank downloads that show labels only (``kostra import``) maps a content label
back to its ContentsCode through this file. Only labels that are SSB's verbatim text are kept:
rows of ``../shared/reference/ssb_kostra_codes.csv`` whose label the reference marks as a
description of its own ("beskr.", "inferert", "uverifisert", "(KB…", "ikke sett") are left out,
and a trailing bracketed remark ("[label fra PX-note]") is dropped. Table 13502's
KOSandel120000 comes from the real statbank download in
``../shared/data/kostra_real_fragments`` (its footnote "Intern referansekode: KOSandel120000"
under the variable's label), see ``../shared/data/MANIFEST.md``.

Run from the repository root: ``python scripts/build_ssb_labels.py``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference" / "ssb_kostra_codes.csv"
OUT = ROOT / "src" / "kostra" / "catalog" / "data" / "ssb_labels.csv"

# Markers of a label the reference wrote itself rather than copied from SSB.
_NOT_SSB = re.compile(
    r"beskr\.|inferert|uverifisert|ikke sett|\(KB|KB:|SSB-etikett|brukt mot|kan være avløst"
    r"|KUL[ -]|^\(|GSI|ikke SSB|…"
)
_REMARK = re.compile(r"\s*\[[^\]]*\]\s*$")

_FROM_FILES = [
    (
        "13502",
        "KOSandel120000",
        "Andel barn 1-2 år i barnehage, i forhold til innbyggere 1-2 år (prosent)",
        "statbank download 13502 (shared/data/kostra_real_fragments, 'Intern referansekode')",
    ),
]


def build() -> list[tuple[str, str, str, str]]:
    """The rows of the label file: (table_id, contents_code, label_nb, evidence)."""
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    with REFERENCE.open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["dimension_or_contents"] != "contents":
                continue
            table = row["table_id"].strip()
            if not re.fullmatch(r"\d{5}", table):
                continue
            label = _REMARK.sub("", row["label_nb"]).strip()
            if not label or _NOT_SSB.search(label):
                continue
            evidence = "ssb_kostra_codes.csv" + (
                " (confirmed)" if row["confirmed"] == "yes" else ""
            )
            rows[(table, row["code"])] = (table, row["code"], label, evidence)
    for table, code, label, evidence in _FROM_FILES:
        rows[(table, code)] = (table, code, label, evidence)
    return sorted(rows.values())


def main() -> None:
    """Write the label file."""
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["table_id", "contents_code", "label_nb", "evidence"])
        writer.writerows(rows)
    print(f"{len(rows)} labels written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
