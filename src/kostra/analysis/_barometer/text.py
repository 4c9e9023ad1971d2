"""Sentences about an indicator, generated from its catalog name and direction.

Norwegian adjectives agree with the noun they describe ("lav andel", "lavt antall", "høye
utgifter", "mange mottakere"), so the quantifier is chosen from the head noun of the name by
general rules of the language, never per indicator: leading adjectives (plural endings such as
"gjennomsnittlige", "avtalte", "gjeldende") and the adverbs "netto"/"brutto" before a noun are
skipped; a plural head (a plural adjective before it, an -er/-ere ending, or an invariable
plural such as "barn") takes "høye/lave" for amounts and "mange/få" for things counted; a neuter
head takes "høyt/lavt" ("mye/lite" for an area). English adjectives do not inflect: High/Low.

The class of the head noun is read from the catalog's bokmål name; the word of each class is a
catalog message (``barometer.quantifier.<class>_<high|low>``), so nynorsk says "høg andel",
"høgt tal", "høge utgifter", "mykje areal" and English "High"/"Low".
"""

from __future__ import annotations

from kostra import i18n
from kostra.i18n import Words

#: The quantifier of each agreement class of the head noun, high and low.
_QUANTIFIERS = Words(
    "barometer.quantifier",
    (
        "amounts_high",
        "amounts_low",
        "counted_high",
        "counted_low",
        "mass_high",
        "mass_low",
        "neuter_high",
        "neuter_low",
        "common_high",
        "common_low",
    ),
)

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


def agreement(name: str) -> str:
    """The agreement class of the head noun of ``name`` (the catalog's bokmål name):
    ``amounts`` (plural, an amount: "utgifter"), ``counted`` (plural, things counted),
    ``mass`` ("areal"), ``neuter`` ("antall") or ``common``."""
    words = [w.strip(",.;:()").lower() for w in name.split()]
    if not words:
        return "common"
    head, plural_adjective = _head(words)
    ends_plural = head.endswith(("er", "ere")) and not head.endswith(_NEUTER)
    plural = plural_adjective or ends_plural or head in _PLURAL
    if plural and head.endswith(_AMOUNTS):
        return "amounts"
    if plural:
        return "counted"
    if head.endswith(_MASS):
        return "mass"
    if head.endswith(_NEUTER):
        return "neuter"
    return "common"


def quantifier(name: str, high: bool, lang: str) -> str:
    """ "Høy"/"Lav" agreeing with the head noun of ``name`` (capitalised) in ``lang``: "Høye",
    "Mange", "Mye" in bokmål, "Høg", "Høgt", "Høge", "Mykje" in nynorsk, High/Low in English.
    ``name`` is the catalog's bokmål name."""
    word = _QUANTIFIERS[lang][f"{agreement(name)}_{'high' if high else 'low'}"]
    return word[:1].upper() + word[1:]


def quantifier_nb(name: str, high: bool) -> str:
    """:func:`quantifier` in bokmål."""
    return quantifier(name, high, "nb")


def lower_first(name: str) -> str:
    """``"Andel ansatte"`` → ``"andel ansatte"``; acronyms (``"NDU per elev"``) keep their case."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def pulls(what: str, down: bool, lang: str) -> str:
    """ "``what`` trekker ned/opp" in ``lang``."""
    key = "barometer.pulls_down" if down else "barometer.pulls_up"
    return i18n.text(key, lang, what=what)


def sentence(name: str, direction: str, score: float, lang: str) -> str:
    """Which way an indicator pulls the score: "Lav andel … trekker ned" / "Låg andel …
    trekkjer ned" / "Low share … pulls down". A grade below 3.5 pulls down; the value is high
    when the grade and the direction agree (a good grade on a lower-is-better indicator means
    a low value). ``name`` is the name shown; the agreement is read from it in Norwegian."""
    high_value = (direction == "higher_better") == (score >= 3.5)
    what = f"{quantifier(name, high_value, lang)} {lower_first(name)}"
    return pulls(what, score < 3.5, lang)
