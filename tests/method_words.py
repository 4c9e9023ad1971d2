"""Reading the production-weights note back (``method_facts(...).extra[0]``): what it says of
each sector, and what it must say of the structured weights, by the names readers know."""

from __future__ import annotations

import re

import polars as pl

from kostra.analysis._barometer.text import lower_first
from kostra.catalog import Catalog
from kostra.i18n import sector_name

#: How the production-weights note says a weight and equal weights, per language.
_WEIGHT_WORD = {"nb": "vekt", "nn": "vekt", "en": "weight"}
_EQUAL = {
    "nb": r"like vekter \((\d+) indikator(?:er)?\)",
    "nn": r"like vekter \((\d+) indikator(?:ar)?\)",
    "en": r"equal weights \((\d+) indicators?\)",
}


def weights_claimed(words: str, lang: str) -> dict[str, int | dict[str, float]]:
    """What a production-weights note says, read back: per sector name, the number of
    indicators with equal weights, or each indicator's name and weight."""
    claims: dict[str, int | dict[str, float]] = {}
    listing = words.split(": ", 1)[1]  # after "vekter innen sektor (katalogens): "
    for part in listing.split("; "):
        sector, said = part.split(": ", 1)
        equal = re.fullmatch(_EQUAL[lang], said)
        if equal is not None:
            claims[sector] = int(equal.group(1))
            continue
        pairs = re.findall(rf"(?:^|, )(.+?) \({_WEIGHT_WORD[lang]} ([\d,.]+)\)", said)
        assert ", ".join(f"{n} ({_WEIGHT_WORD[lang]} {w})" for n, w in pairs) == said, said
        claims[sector] = {n: float(w.replace(",", ".")) for n, w in pairs}
    return claims


def weights_expected(
    weights: pl.DataFrame, catalog: Catalog, lang: str
) -> dict[str, int | dict[str, float]]:
    """What the note must say of ``weights`` (``production_weights``): the sectors and the
    indicators by the names a reader of ``lang`` knows, never by their ids."""
    expected: dict[str, int | dict[str, float]] = {}
    for (sector,), part in weights.group_by("sector", maintain_order=True):
        name = sector_name(str(sector), lang)
        if part["weight"].n_unique() == 1:
            expected[name] = part.height
        else:
            expected[name] = {
                lower_first(catalog.get(i).name_en if lang == "en" else catalog.get(i).name_nb): w
                for i, w in part.select("indicator_id", "weight").iter_rows()
            }
    return expected
