"""kostra's words: gettext message catalogs in bokmål, nynorsk and English, with plural forms.

The catalogs are ``locales/<lang>/LC_MESSAGES/kostra.po`` in this package. Message ids are
stable keys (``"title"``, ``"peer_members"``), not sentences, so a reworded bokmål text does not
orphan its translations; every key has a translation in all three languages (a test checks the
keys used in code and templates). The ``.po`` files are read with Babel at first use and compiled
in memory, so a fresh ``pip install -e .`` needs no compile step.

Texts may hold ``{placeholders}``, filled by :func:`text` with :meth:`str.format`. A plural entry
has ``msgid_plural`` ``<key>_plural`` and one form per CLDR plural category of the language
(``nplurals=2`` for nb, nn and en): :func:`plural` picks the form for ``n``.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from kostra.i18n.formats import LANGS, number

DOMAIN = "kostra"


def catalog_path(lang: str) -> resources.abc.Traversable:
    """The ``.po`` file of ``lang`` inside the installed package."""
    return resources.files("kostra.i18n") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang`` (bokmål for a language kostra does not write).

    Nynorsk falls back to bokmål for a key it lacks, so a text added in bokmål shows in a
    Norwegian form rather than as its key until it is translated (the catalog test fails
    meanwhile).
    """
    lang = lang if lang in LANGS else "nb"
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = Translations(buffer, domain=DOMAIN)
    if lang == "nn":
        compiled.add_fallback(translations("nb"))
    return compiled


def has(key: str, lang: str = "nb") -> bool:
    """Whether ``key`` is a message id of the catalogs."""
    return translations(lang).gettext(key) != key


def text(key: str, lang: str, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``{placeholders}`` filled from ``values``."""
    message = translations(lang).gettext(key)
    return message.format(**values) if values else message


def plural(key: str, n: int, lang: str, **values: object) -> str:
    """The plural form of message ``key`` for ``n`` in ``lang`` (``{n}`` is filled in):
    ``plural("cells", 1, "nb")`` is "1 celle", ``plural("cells", 2, "nb")`` "2 celler"."""
    message = translations(lang).ngettext(key, f"{key}_plural", n)
    return message.format(n=number(n, lang), **values)


def sector_name(sector: str, lang: str, *, capital: bool = False) -> str:
    """A sector's name in ``lang`` (message ``sector.<id>``), lower case as inside a sentence
    unless ``capital``; an unknown sector id prints as the id with spaces."""
    key = f"sector.{sector}"
    name = text(key, lang)
    if name == key:
        name = sector.replace("_", " ")
    return name[:1].upper() + name[1:] if capital else name
