"""kostra's words: gettext message catalogs in bokmål, nynorsk and English, with plural forms.

The catalogs are ``locales/<lang>/LC_MESSAGES/kostra.po`` in this package. Message ids are
stable keys (``"title"``, ``"peer_members"``), not sentences, so a reworded bokmål text does not
orphan its translations; every key has a translation in all three languages (a test checks the
keys used in code and templates). The ``.po`` files are read with Babel at first use and compiled
in memory, so a fresh ``pip install -e .`` needs no compile step; the compiled form is kept in
the user cache directory (``KOSTRA_CACHE_DIR``) keyed by the ``.po`` file's content, since
parsing and compiling the three catalogs is a tenth of a second of every command's start.

Texts may hold ``{placeholders}``, filled by :func:`text` with :meth:`str.format`. A plural entry
has ``msgid_plural`` ``<key>_plural`` and one form per CLDR plural category of the language
(``nplurals=2`` for nb, nn and en): :func:`plural` picks the form for ``n``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import struct
import unicodedata
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path

from babel.support import NullTranslations, Translations

from kostra._cachefile import write_cached
from kostra.i18n.formats import LANGS, kroner_text, number, percent_text

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
    source = catalog_path(lang).read_bytes()
    folder = _cache_dir()
    name = f"kostra-{lang}-{hashlib.sha256(source).hexdigest()[:20]}.mo"
    compiled: Translations | None = None
    if folder is not None:
        # none yet, or damaged: compiled again below
        with contextlib.suppress(OSError, ValueError, IndexError, UnicodeDecodeError, struct.error):
            compiled = Translations(io.BytesIO((folder / name).read_bytes()), domain=DOMAIN)
    if compiled is None:
        data = _compile(source, lang)
        compiled = Translations(io.BytesIO(data), domain=DOMAIN)
        if folder is not None:
            write_cached(folder / name, data)
    if lang == "nn":
        compiled.add_fallback(translations("nb"))
    return compiled


def _cache_dir() -> Path | None:
    """The user cache directory, or ``None`` when the settings cannot be read (the words are
    still needed then: to say what is wrong with them)."""
    from kostra.settings import Settings

    try:
        return Path(Settings().cache_dir)
    except Exception:
        return None


def _compile(source: bytes, lang: str) -> bytes:
    """The ``.po`` text ``source`` compiled to a GNU ``.mo`` file's bytes."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source), locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


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


def _unit_key(unit: str) -> str:
    """The message id of a catalog unit: ``unit.arsverk`` for "årsverk", ``unit.m2`` for "m²"."""
    folded = unit.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return "unit." + "_".join(re.findall(r"[a-z0-9]+", folded))


def unit_name(unit: str, lang: str) -> str:
    """The key-figure catalog's unit (bokmål, as SSB writes it: "kr", "prosent", "årsverk") as
    a reader of ``lang`` reads it (message ``unit.<unit>``); a unit the catalogs do not hold
    is shown as it is ("%", "km²")."""
    key = _unit_key(unit)
    name = text(key, lang)
    return unit if name == key else name


#: Catalog units of shares: printed with the language's percent pattern.
PERCENT_UNITS = frozenset({"%", "prosent", "percent", "andel", "pct"})
#: Catalog units of amounts in kroner: printed with the language's currency pattern.
KRONER_UNITS = frozenset({"kr", "nok"})
#: Catalog units of counts: the number needs no unit after it in any language.
COUNT_UNITS = frozenset({"antall"})


def amount(text: str, unit: str | None, lang: str) -> str:
    """A figure already printed (``12,5``, ``−1 219``) with the key figure's catalog ``unit``
    as a reader of ``lang`` writes it: shares with CLDR's percent pattern (``12,5 %``,
    ``12.5%``), kroner with its currency pattern (``1 234 kr``, ``NOK 1,234``), a count bare,
    any other unit after a no-break space in the reader's words (``3,5 timar``)."""
    unit = (unit or "").strip()
    if not text:
        return text
    if unit.lower() in PERCENT_UNITS:
        return percent_text(text, lang)
    if unit.lower() in KRONER_UNITS:
        return kroner_text(text, lang)
    if not unit or unit.lower() in COUNT_UNITS:
        return text
    return f"{text}\u00a0{unit_name(unit, lang)}"


def N_(key: str) -> str:  # noqa: N802 (gettext's name for the marker)
    """``key`` itself: marks a message id passed on to be looked up later (gettext's
    convention), so the catalog test finds it."""
    return key


#: The standard peer groups' names as :func:`kostra.geography.peer_group` gives them (bokmål,
#: the data's language) and their messages: a page or report in another language names them in it.
_PEER_GROUP_NAMES = {
    "Landet": "peer_name.country",
    "Landet uten Oslo": "peer_name.country_ex_oslo",
    "Lignende kommuner": "peer_name.similar",
}


def peer_group_name(name: str, lang: str) -> str:
    """A peer group's name in ``lang``: the standard groups translated ("Landet uten Oslo" is
    "Norway excl. Oslo" in English), any other (ASSS, a county, a list) as it is."""
    key = _PEER_GROUP_NAMES.get(name)
    return name if key is None else text(key, lang)


def sector_name(sector: str, lang: str, *, capital: bool = False) -> str:
    """A sector's name in ``lang`` (message ``sector.<id>``), lower case as inside a sentence
    unless ``capital``; an unknown sector id prints as the id with spaces."""
    key = f"sector.{sector}"
    name = text(key, lang)
    if name == key:
        name = sector.replace("_", " ")
    return name[:1].upper() + name[1:] if capital else name


class _LangWords(Mapping[str, str]):
    """The messages of one :class:`Words` table in one language."""

    def __init__(self, table: Words, lang: str) -> None:
        self._table = table
        self._lang = lang

    def __getitem__(self, key: str) -> str:
        if key not in self._table.keys_:
            raise KeyError(key)
        return text(f"{self._table.prefix}.{key}", self._lang)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.keys_)

    def __len__(self) -> int:
        return len(self._table.keys_)


class Words(Mapping[str, Mapping[str, str]]):
    """A module's table of messages ``<prefix>.<key>``, read as ``words[lang][key]``.

    It replaces the ``{"nb": {...}, "en": {...}}`` dictionaries the CLI modules had, so the
    texts live in the catalogs (with nynorsk) while the code keeps its shape. The prefix and
    keys are literals, so the catalog test finds them without importing the module.
    """

    def __init__(self, prefix: str, keys: tuple[str, ...]) -> None:
        self.prefix = prefix
        self.keys_ = keys

    def __getitem__(self, lang: str) -> Mapping[str, str]:
        if lang not in LANGS:
            raise KeyError(lang)
        return _LangWords(self, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)


class Phrases(Mapping[str, tuple[str, ...]]):
    """Messages ``<prefix>.<key>`` in a fixed order, read as ``phrases[lang]`` (a tuple): the
    headers of a terminal table, say. Literal arguments, as for :class:`Words`."""

    def __init__(self, prefix: str, keys: tuple[str, ...]) -> None:
        self.prefix = prefix
        self.keys_ = keys

    def __getitem__(self, lang: str) -> tuple[str, ...]:
        if lang not in LANGS:
            raise KeyError(lang)
        return tuple(text(f"{self.prefix}.{key}", lang) for key in self.keys_)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)


class Phrase(Mapping[str, str]):
    """One message read as ``phrase[lang]``, where a module kept ``{"nb": ..., "en": ...}``."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __getitem__(self, lang: str) -> str:
        if lang not in LANGS:
            raise KeyError(lang)
        return text(self.key, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)
