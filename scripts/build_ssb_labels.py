"""Build ``src/kostra/catalog/data/ssb_labels.csv``: SSB's label text per table and ContentsCode.

The import of statbank downloads that show labels only (``kostra import``) maps a content label
back to its ContentsCode through this file. Only labels that are SSB's verbatim text are kept:
rows of ``../shared/reference/ssb_kostra_codes.csv`` whose label the reference marks as a
description of its own ("beskr.", "inferert", "uverifisert", "(KB…", "ikke sett") are left out,
and a trailing bracketed remark ("[label fra PX-note]") is dropped. Table 13502's
KOSandel120000 comes from the real statbank download in
``../shared/data/kostra_real_fragments`` (its footnote "Intern referansekode: KOSandel120000"
under the variable's label), see ``../shared/data/MANIFEST.md``; a few more come from real SSB
answers kept in other public repositories (``_FROM_FILES``, provenance in docs/DATA.md).

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

# Each label here is linked to its code by the source itself (a real SSB answer, a real
# download, or a text that quotes SSB's label beside the code); docs/DATA.md lists them.
_KAPASITET = (
    "hmelberg/kapasitet data/normalized/municipal_capacity.csv @8c6036e (metric_label = "
    "ContentsCode label of SSB's API answer, scripts/fetch/ssb-kostra.mjs @9a6b24c)"
)
_FROM_FILES = [
    (
        "13502",
        "KOSandel120000",
        "Andel barn 1-2 år i barnehage, i forhold til innbyggere 1-2 år (prosent)",
        "statbank download 13502 (shared/data/kostra_real_fragments, 'Intern referansekode')",
    ),
    (
        "13526",
        "KOSplanernyereen0000",
        "Gjeldende overordnede planer nyere enn 5 år som angår naturmangfold, landskap, "
        "friluftsliv, folkehelse, universell utforming, kulturminner, klima og energi samt "
        "klimatilpasning som kommunen har utarbeidet i alt (antall)",
        "PxTools/PCAxis.Serializers PCAxis.Serializers/Util/Metaid/example.json @51e45da "
        "(SSB json-stat2 answer of 13526)",
    ),
    (
        "12134",
        "KOSAGD230000",
        # SSB's own spelling, without the s of "driftsresultat"
        "Netto driftresultat i prosent av brutto driftsinntekter",
        "ssb_kostra_codes.csv (SSB writes 'driftresultat') + KOSTRA reference checked against "
        "the live API 2026-09-20 (library file 68946170940, repository not identified)",
    ),
    ("12292", "KOSbeboersykehje0000", "Institusjon - sykehjemsbeboere (antall)", _KAPASITET),
    ("12292", "KOSkjernetotalt0000", "Hjemmetjenester - brukere i alt (antall)", _KAPASITET),
    (
        "12292",
        "KOSkjerne80aarov0000",
        "Hjemmetjenester - brukere 80 år og over (antall)",
        _KAPASITET,
    ),
    (
        "12292",
        "KOSaarsverkbruke0000",
        "Brukerrettede årsverk i omsorgstjenesten (antall)",
        _KAPASITET,
    ),
    (
        "12292",
        "KOSinstoppholdsd0000",
        "Institusjon - oppholdsdøgn totalt (antall)",
        _KAPASITET,
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
