"""One sentence in the three languages kostra writes (findings, verdicts, notes and user errors),
from the gettext catalogs.

A :class:`Said` holds a text in bokmål, nynorsk and English. :func:`say` looks a message up in
each language and fills its ``{placeholders}`` per language: a placeholder's value is either the
same in every language (a municipality's name, a year) or a :class:`Said` itself (a number
printed by :mod:`kostra.i18n`, a sector's name, a smaller message), so a sentence is built from
catalog messages only, with no word of one language glued into another. :func:`say_plural`
picks the plural form for a count and fills ``{n}`` with the count as the sentence prints it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kostra.i18n import sector_name, text
from kostra.i18n.messages import translations

LANGS = ("nb", "nn", "en")


@dataclass(frozen=True)
class Said:
    """A text in bokmål, nynorsk and English."""

    nb: str
    nn: str
    en: str

    def __getitem__(self, lang: str) -> str:
        if lang == "en":
            return self.en
        return self.nn if lang == "nn" else self.nb

    @classmethod
    def each(cls, make: Callable[[str], str]) -> Said:
        """``make(lang)`` for each language."""
        return cls(make("nb"), make("nn"), make("en"))

    def then(self, other: Said) -> Said:
        """This sentence followed by ``other`` (two sentences, a space between them)."""
        return Said.each(lambda lang: f"{self[lang]} {other[lang]}")

    def capital(self) -> Said:
        """The text with a capital first letter (a phrase that begins a sentence)."""
        return Said.each(lambda lang: self[lang][:1].upper() + self[lang][1:])


Value = str | int | Said


def same(value: str) -> Said:
    """A text that reads the same in every language (a key figure's name, a place)."""
    return Said(value, value, value)


def _values(values: dict[str, Value], lang: str) -> dict[str, object]:
    return {k: v[lang] if isinstance(v, Said) else v for k, v in values.items()}


def say(key: str, **values: Value) -> Said:
    """The message ``key`` in each language, its placeholders filled from ``values``."""
    return Said.each(lambda lang: text(key, lang, **_values(values, lang)))


def say_plural(key: str, n: int | float, printed: Said, **values: Value) -> Said:
    """The plural message ``key`` (``msgid_plural`` ``<key>_plural``) in the form each
    language takes for the count ``n``; ``{n}`` is ``printed``, the count as the sentence
    prints it (recorded among the finding's numbers)."""
    count = int(n) if float(n).is_integer() else 2  # a fraction is never "one" (CLDR: v ≠ 0)

    def form(lang: str) -> str:
        message = translations(lang).ngettext(key, f"{key}_plural", count)
        return message.format(n=printed[lang], **_values(values, lang))

    return Said.each(form)


def sector(sector_id: str) -> Said:
    """A sector's name in each language, lower case as inside a sentence."""
    return Said.each(lambda lang: sector_name(sector_id, lang))
