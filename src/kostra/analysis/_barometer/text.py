"""Sentences about an indicator, generated from its catalog name and direction.

Norwegian adjectives agree with the noun they describe ("lav andel", "lavt antall", "høye
utgifter", "mange mottakere"), so the quantifier is chosen from the head noun of the name by
general rules of the language, never per indicator: leading adjectives (plural endings such as
"gjennomsnittlige", "avtalte", "gjeldende") and the adverbs "netto"/"brutto" before a noun are
skipped; a plural head (a plural adjective before it, an -er/-ere ending, or an invariable
plural such as "barn") takes "høye/lave" for amounts and "mange/få" for things counted; a neuter
head takes "høyt/lavt" ("mye/lite" for an area). English adjectives do not inflect: High/Low.
"""

from __future__ import annotations

# Neuter nouns that head KOSTRA key-figure names ("antall", "årsgebyr", "driftsresultat").
_NEUTER = ("antall", "gebyr", "resultat", "netto", "brutto", "nivå", "forbruk", "tall")
# Neuter mass nouns measured as an amount of something: "mye/lite".
_MASS = ("areal",)
# Plural nouns that are amounts (high/low) rather than things counted (many/few).
_AMOUNTS = ("utgifter", "kostnader", "inntekter", "poeng", "gebyrer", "renter")
# Invariable plurals that begin names ("barn i familier …", "besøk", "utlån").
_PLURAL = ("barn", "besøk", "utlån", "årsverk")
_ADVERBS = ("netto", "brutto")
# Plural/definite adjective endings: "gjennomsnittlige", "avtalte", "gjeldende", "kommunale".
_ADJECTIVE_ENDINGS = ("lige", "ige", "te", "de", "ale", "ske")


def _head(words: list[str]) -> tuple[str, bool]:
    """The head noun of a name and whether an adjective in plural form precedes it."""
    plural_adjective = False
    position = 0
    while position < len(words) - 1:
        word = words[position]
        following = words[position + 1]
        if word in _ADVERBS and following not in ("i", "av", "for", "til"):
            position += 1
            continue
        if word.endswith(_ADJECTIVE_ENDINGS) and following.isalpha():
            plural_adjective = True
            position += 1
            continue
        break
    return words[position], plural_adjective


def quantifier_nb(name: str, high: bool) -> str:
    """ "Høy"/"Lav" agreeing with the head noun of ``name`` (capitalised)."""
    words = [w.strip(",.;:()").lower() for w in name.split()]
    if not words:
        return "Høy" if high else "Lav"
    head, plural_adjective = _head(words)
    ends_plural = head.endswith(("er", "ere")) and not head.endswith(_NEUTER)
    plural = plural_adjective or ends_plural or head in _PLURAL
    if plural and head.endswith(_AMOUNTS):
        word = "høye" if high else "lave"
    elif plural:
        word = "mange" if high else "få"
    elif head.endswith(_MASS):
        word = "mye" if high else "lite"
    elif head.endswith(_NEUTER):
        word = "høyt" if high else "lavt"
    else:
        word = "høy" if high else "lav"
    return word.capitalize()


#: The bokmål quantifiers in nynorsk ("høg andel", "høgt tal", "høge utgifter", "mykje areal").
_NYNORSK = {
    "høy": "høg",
    "lav": "låg",
    "høyt": "høgt",
    "lavt": "lågt",
    "høye": "høge",
    "lave": "låge",
    "mye": "mykje",
}


def quantifier(name: str, high: bool, lang: str) -> str:
    """:func:`quantifier_nb` in ``lang``: the same agreement in nynorsk ("Høg", "Høgt",
    "Høge", "Mange", "Mykje"), High/Low in English. ``name`` is the catalog's bokmål name."""
    if lang == "en":
        return "High" if high else "Low"
    word = quantifier_nb(name, high)
    if lang == "nn":
        word = _NYNORSK.get(word.lower(), word.lower()).capitalize()
    return word


def lower_first(name: str) -> str:
    """``"Andel ansatte"`` → ``"andel ansatte"``; acronyms (``"NDU per elev"``) keep their case."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def sentence(name: str, direction: str, score: float, lang: str) -> str:
    """Which way an indicator pulls the score: "Lav andel … trekker ned" / "Low share … pulls
    down". A grade below 3.5 pulls down; the value is high when the grade and the direction
    agree (a good grade on a lower-is-better indicator means a low value)."""
    high_value = (direction == "higher_better") == (score >= 3.5)
    pulls_down = score < 3.5
    if lang == "en":
        adjective = "High" if high_value else "Low"
        verb = "pulls down" if pulls_down else "pulls up"
    else:
        adjective = quantifier_nb(name, high_value)
        verb = "trekker ned" if pulls_down else "trekker opp"
    return f"{adjective} {lower_first(name)} {verb}"
