"""Checks of the words kostra writes (a helper module, not a test module): Norwegian words in
English text, bokmål words in nynorsk text, and the catalog message ids the package uses."""

from __future__ import annotations

import re
from pathlib import Path

from kostra.geography import municipalities
from kostra.i18n.messages import catalog_path

NORWEGIAN = frozenset(
    {
        "og",
        "ikke",
        "ikkje",
        "eller",
        "med",
        "fra",
        "frå",
        "uten",
        "utan",
        "av",
        "er",
        "til",
        "ingen",
        "kommune",
        "kommuner",
        "kommunen",
        "kommunene",
        "kommunar",
        "snitt",
        "snittet",
        "tall",
        "tallene",
        "tala",
        "nøkkeltall",
        "nøkkeltal",
        "innbyggere",
        "innbyggjarar",
        "antall",
        "talet",
        "mangler",
        "manglar",
        "sammenlignet",
        "samanlikna",
        "sammenligning",
        "samanlikning",
        "endring",
        "verdi",
        "plass",
        "enhet",
        "eining",
        "kilde",
        "kjelde",
        "kilder",
        "merknad",
        "merknader",
        "fylke",
        "landet",
        "beregnet",
        "berekna",
        "behovsindeks",
        "utgifter",
        "år",
        "året",
        "årene",
    }
)
#: Names that stay Norwegian in English text: institutions, publications and places.
PROPER_NAMES = (
    "Statistisk sentralbyrå",
    "Grønt hefte",
    "Kommunal Rapport",
    "Kommunebarometeret",
    "Kommunebarometer",
    "Kartverket",
)


def place_names() -> list[str]:
    frames = [municipalities(year) for year in (2020, 2024)]
    names: set[str] = set()
    for frame in frames:
        names.update(frame["name"].to_list())
        names.update(frame["county_name"].to_list())
    # longest first, so "Nordre Follo" goes before "Follo"
    return sorted(names, key=len, reverse=True)


def norwegian_words(text: str) -> list[str]:
    """The Norwegian words of ``text`` once proper names are taken out, sorted."""
    for name in (*PROPER_NAMES, *place_names()):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text)
    # an identifier (pleie_og_omsorg, a key figure's id) is code, not words
    words = re.findall(r"[\wÆØÅæøå]+", text)
    return sorted({w for w in words if w.lower() in NORWEGIAN})


BOKMAL_MARKERS = (
    "ikke",
    "kommuner",
    "kommunene",
    "beregnet",
    "beregning",
    "sammenlignet",
    "sammenligningsgruppe",
    "hva",
    "fra",
    "tall",
    "tallene",
    "også",
    "egen",
    "noe",
    "innbygger",
    "innbyggere",
    "tjenester",
    "høy",
    "lav",
    "mer",
    "flere",
    "hvert",
    "mangler",
    "skoler",
    "barnehager",
)


def bokmal_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-zÆØÅæøå]+", text)
    return sorted({w for w in words if w.lower() in BOKMAL_MARKERS})


SOURCE = Path(__file__).resolve().parents[1] / "src" / "kostra"

#: Calls that look a message up by a literal key: t("key", ...) in Python and t('key') in the
#: report template, label("key", ...) and L("key") for the web, text/plural from kostra.i18n,
#: N_("key"), the marker of a key looked up later, Text.message("key", ...), a method
#: fact's words (kostra.analysis.method), and say/say_plural("key", ...), the findings' and
#: verdicts' sentences in the three languages at once (kostra.i18n.said).
_CALL = re.compile(
    r"(?<![\w.])(?:t|L|N_|label|text|plural|i18n\.text|i18n\.plural|Text\.message|"
    r"say|say_plural)"
    r"\(\s*(['\"])([a-z][a-z0-9_.]*[a-z0-9])\1"
)


def used_keys() -> dict[str, set[str]]:
    """Message ids used with a literal key, and the files they are used in."""
    used: dict[str, set[str]] = {}
    files = [
        *SOURCE.rglob("*.py"),
        *SOURCE.rglob("*.j2"),
    ]
    for path in files:
        if path.relative_to(SOURCE).parts[0] == "i18n":
            continue
        for match in _CALL.finditer(path.read_text(encoding="utf-8")):
            used.setdefault(match.group(2), set()).add(path.name)
    return used


def without_names(text: str, names: list[str]) -> str:
    """``text`` without SSB's key-figure names (quoted as SSB writes them)."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ").replace(name[:1].lower() + name[1:], " ")
    return text


def catalog_ids(prefix: str) -> set[str]:
    text = catalog_path("nb").read_text(encoding="utf-8")
    return set(re.findall(rf'^msgid "({re.escape(prefix)}[^"]*)"', text, flags=re.MULTILINE))


def catalog_texts(lang: str) -> list[tuple[str, str]]:
    """Every message of the ``lang`` catalog as (id, text), plural forms each on their own,
    with ``{placeholders}`` and `code` spans blanked: the words a reader may see."""
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        forms = message.string if isinstance(message.string, tuple | list) else [message.string]
        out.extend((key, re.sub(r"\{[^}]*\}|`[^`]*`", " ", said or "")) for said in forms)
    return out
