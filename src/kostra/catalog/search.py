"""Sector names as people type them, and a word search over the key figures.

:func:`resolve_sector` is the one place a sector given by a person becomes a sector id: the id
itself, its Norwegian name with or without æ/ø/å ("miljø", "miljo og ressurser"), or a common
short form ("skole", "pleie", "eldre"). Every command taking ``--sector`` uses it.

:func:`search_indicators` finds key figures by words in their names (both languages), id,
notes, SSB's own labels of the series they read (``catalog/data/ssb_labels.csv`` where it is
packaged) and a few synonyms analysts use (:data:`SYNONYMS`).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeVar

from kostra.catalog.models import Catalog, Indicator, Sector, series_of
from kostra.errors import KostraError
from kostra.i18n.said import Said, say

E = TypeVar("E", bound=StrEnum)

#: Words a person may use for a sector, folded (see :func:`fold`), to the sector ids they mean
#: in order of preference: the catalog's id first, then Kommunebarometeret's where it differs.
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "grunnskole": ("grunnskole",),
    "skole": ("grunnskole",),
    "skolen": ("grunnskole",),
    "grunnskolen": ("grunnskole",),
    "grunnskoleopplaering": ("grunnskole",),
    "barnehage": ("barnehage",),
    "barnehager": ("barnehage",),
    "bhg": ("barnehage",),
    "barnevern": ("barnevern",),
    "barnevernet": ("barnevern",),
    "pleie_og_omsorg": ("pleie_og_omsorg",),
    "pleie": ("pleie_og_omsorg",),
    "omsorg": ("pleie_og_omsorg",),
    "eldre": ("pleie_og_omsorg",),
    "eldreomsorg": ("pleie_og_omsorg",),
    "helse_og_omsorg": ("pleie_og_omsorg",),
    "pleie_omsorg": ("pleie_og_omsorg",),
    "sykehjem": ("pleie_og_omsorg",),
    "hjemmetjenester": ("pleie_og_omsorg",),
    "sosiale_tjenester": ("sosiale_tjenester", "sosial"),
    "sosial": ("sosiale_tjenester", "sosial"),
    "sosialtjenester": ("sosiale_tjenester", "sosial"),
    "sosialhjelp": ("sosiale_tjenester", "sosial"),
    "nav": ("sosiale_tjenester", "sosial"),
    "kommunehelse": ("kommunehelse", "helse"),
    "kommunehelsetjenesten": ("kommunehelse", "helse"),
    "helse": ("kommunehelse", "helse"),
    "helsetjenester": ("kommunehelse", "helse"),
    "kultur_og_fritid": ("kultur_og_fritid", "kultur"),
    "kultur": ("kultur_og_fritid", "kultur"),
    "fritid": ("kultur_og_fritid", "kultur"),
    "bibliotek": ("kultur_og_fritid", "kultur"),
    "administrasjon": ("administrasjon",),
    "adm": ("administrasjon",),
    "admin": ("administrasjon",),
    "administrasjon_og_styring": ("administrasjon",),
    "styring": ("administrasjon",),
    "eiendom": ("eiendom",),
    "eiendomsforvaltning": ("eiendom",),
    "bygg": ("eiendom",),
    "okonomi": ("okonomi",),
    "finans": ("okonomi",),
    "finanser": ("okonomi",),
    "miljo_og_ressurser": ("miljo_og_ressurser",),
    "miljo": ("miljo_og_ressurser",),
    "klima": ("miljo_og_ressurser",),
    "ressurser": ("miljo_og_ressurser",),
    "saksbehandling": ("saksbehandling",),
    "plan_og_byggesak": ("saksbehandling",),
    "byggesak": ("saksbehandling",),
    "plan": ("saksbehandling",),
    "vann_avlop_renovasjon": ("vann_avlop_renovasjon",),
    "vann_avlop_og_renovasjon": ("vann_avlop_renovasjon",),
    "var": ("vann_avlop_renovasjon",),
    "vann": ("vann_avlop_renovasjon",),
    "avlop": ("vann_avlop_renovasjon",),
    "renovasjon": ("vann_avlop_renovasjon",),
    "vann_og_avlop": ("vann_avlop_renovasjon",),
    "kostnadsniva": ("kostnadsniva",),
}

#: Words analysts search with that the key figures' names do not contain, folded, to words
#: that they do ("sykehjem" is in the names; "institusjon" finds it too).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ndu": ("netto driftsutgifter",),
    "bdu": ("brutto driftsutgifter",),
    "utgifter": ("driftsutgifter",),
    "kostnad": ("driftsutgifter", "utgift"),
    "kostnader": ("driftsutgifter", "utgift"),
    "penger": ("driftsutgifter", "inntekter"),
    "institusjon": ("sykehjem", "institusjon"),
    "eldre": ("80 ar", "67 ar", "sykehjem", "hjemmetjenester"),
    "laerer": ("laererarsverk", "elever per", "gruppestorrelse"),
    "larer": ("laererarsverk", "elever per", "gruppestorrelse"),
    "gjeld": ("lanegjeld", "gjeld"),
    "resultat": ("netto driftsresultat",),
    "fond": ("disposisjonsfond",),
    "reserver": ("disposisjonsfond",),
    "inntekt": ("inntekter",),
    "skatt": ("skatt", "frie inntekter"),
    "sosialhjelp": ("sosialhjelp", "okonomisk sosialhjelp"),
    "ventetid": ("saksbehandlingstid", "frist"),
    "legedekning": ("legeaarsverk", "legearsverk", "lege"),
    "lege": ("lege",),
    "helsesykepleier": ("helsesykepleier", "helsestasjon"),
    "bibliotek": ("bibliotek", "utlan"),
    "avfall": ("avfall", "renovasjon", "husholdningsavfall"),
    "gebyr": ("gebyr", "arsgebyr"),
}

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o"})


def fold(text: str) -> str:
    """Lower-case ASCII words joined by ``_``: "Miljø og ressurser" → "miljo_og_ressurser",
    "pleie- og omsorg" → "pleie_og_omsorg"."""
    text = text.strip().casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def resolve_sector(text: str, choices: type[E] = Sector) -> E:  # type: ignore[assignment]
    """The sector of ``choices`` (the catalog's :class:`Sector` by default, or
    Kommunebarometeret's sectors) that ``text`` names.

    Accepts the id, the Norwegian name with or without æ/ø/å, and common short forms
    ("skole", "pleie", "eldre", "miljø", "VAR"). Unknown words raise
    :class:`~kostra.errors.KostraError` with the closest sectors and every choice, in every
    language (the surface that shows it picks one).
    """

    key = fold(text)
    valid = {member.value: member for member in choices}
    if key in valid:
        return valid[key]
    for wanted in SECTOR_WORDS.get(key, ()):
        if wanted in valid:
            return valid[wanted]
    # "pleie_og" or "vann_avl": the start of one sector's name
    starts = {ids[0] for word, ids in SECTOR_WORDS.items() if word.startswith(key) and key}
    starts = {s for s in starts if s in valid}
    if len(starts) == 1:
        return valid[starts.pop()]
    words = [w for w, ids in SECTOR_WORDS.items() if any(i in valid for i in ids)]
    close = difflib.get_close_matches(key, sorted(set(words) | set(valid)), n=3, cutoff=0.7)
    suggested = list(
        dict.fromkeys(next(i for i in SECTOR_WORDS.get(c, (c,)) if i in valid) for c in close if c)
    )
    listed = ", ".join(valid)
    hint = say("error.sector.unknown.hint", choices=listed)
    if suggested:
        names: Said | str = suggested[0]
        for other in suggested[1:]:
            names = say("error.sector.or", first=names, second=other)
        hint = say("error.sector.unknown.hint_close", names=names, choices=listed)
    shown = text if len(text) <= 60 else text[:57] + "…"
    raise KostraError(say("error.sector.unknown", text=shown), hint=hint)


def resolve_sectors(texts: Iterable[str] | None) -> list[str] | None:
    """Sector ids of the catalog for ``--sector`` values (each may be a comma list); None
    when none are given."""
    if not texts:
        return None
    chosen: list[str] = [
        resolve_sector(part, Sector).value
        for text in texts
        for part in text.split(",")
        if part.strip()
    ]
    return list(dict.fromkeys(chosen)) or None


@cache
def ssb_labels() -> dict[tuple[str, str], str]:
    """SSB's label of each (table, ContentsCode) the catalog reads, from
    ``catalog/data/ssb_labels.csv`` when the package has it (empty otherwise)."""
    source = resources.files("kostra.catalog") / "data" / "ssb_labels.csv"
    if not source.is_file():
        return {}
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {(r["table_id"], r["contents_code"]): r["label_nb"] for r in rows if r.get("label_nb")}


def _texts(indicator: Indicator, labels: dict[tuple[str, str], str]) -> list[str]:
    """What a search looks through for one key figure: names, id, notes and SSB's labels."""
    texts = [indicator.name_nb, indicator.name_en, indicator.id.replace("_", " ")]
    texts += [
        t
        for t in (indicator.note, indicator.caveat_nb, indicator.caveat_en, indicator.caveat_nn)
        if t
    ]
    for ref in series_of(indicator):
        label = labels.get((ref.table_id, ref.contents_code))
        if label:
            texts.append(label)
        texts.append(f"{ref.table_id} {ref.contents_code}")
    return texts


def search_indicators(
    catalog: Catalog | Iterable[Indicator], words: str
) -> list[tuple[Indicator, float]]:
    """Key figures matching every word of ``words`` (folded; a word matches the start of a
    word in a figure's texts, or through :data:`SYNONYMS`), best first with a score.

    A sector word ("skole", "eldre") also matches every figure of that sector. Names weigh
    more than notes; the catalog's order breaks ties.
    """
    query = [w for w in fold(words).split("_") if w]
    if not query:
        return []
    labels = ssb_labels()
    found: list[tuple[Indicator, float, int]] = []
    indicators = catalog.indicators if isinstance(catalog, Catalog) else tuple(catalog)
    for position, indicator in enumerate(indicators):
        name_words = set(fold(f"{indicator.name_nb} {indicator.name_en}").split("_"))
        other = fold(" ".join(_texts(indicator, labels))).replace("_", " ")
        score = 0.0
        for word in query:
            alternatives = [word, *(fold(s).replace("_", " ") for s in SYNONYMS.get(word, ()))]
            sectors = SECTOR_WORDS.get(word, ())
            if any(w.startswith(word) for w in name_words):
                score += 3.0
            elif any(_has(other, alt) for alt in alternatives):
                score += 1.5 if any(_has(other, a) for a in alternatives[1:]) else 1.0
            elif indicator.sector.value in sectors:
                score += 0.5
            else:
                score = 0.0
                break
        if score:
            found.append((indicator, score, position))
    found.sort(key=lambda item: (-item[1], item[2]))
    return [(indicator, score) for indicator, score, _ in found]


def _has(text: str, phrase: str) -> bool:
    """``phrase`` in ``text`` at the start of a word (both folded, words split by spaces)."""
    return re.search(r"(?:^|\s)" + re.escape(phrase), text) is not None


def by_sector(found: list[tuple[Indicator, float]]) -> list[tuple[Indicator, float]]:
    """Search results grouped by sector: the sector of the best match first, and within a
    sector the best match first (the order ``kostra catalog --search`` prints)."""
    first: dict[str, int] = {}
    for number, (indicator, _) in enumerate(found):
        first.setdefault(indicator.sector.value, number)
    return sorted(found, key=lambda item: first[item[0].sector.value])
