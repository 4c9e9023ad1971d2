"""The report's words, numbers and dates: thin names over :mod:`kostra.i18n`.

The words are messages of the gettext catalogs (``kostra/i18n/locales``), the numbers follow
:mod:`kostra.i18n.formats`; the report, the web pages and the slides all read them from here or
from :mod:`kostra.i18n` directly, so every surface says the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from kostra import i18n

LANGS = i18n.LANGS


class _Banner(Mapping[str, str]):
    """The synthetic-data banner per language (message ``synthetic_banner``)."""

    def __getitem__(self, lang: str) -> str:
        return i18n.text("synthetic_banner", lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGS)

    def __len__(self) -> int:
        return len(LANGS)


#: The synthetic-data banner, shown on every page when the figures are the shipped sample.
SYNTHETIC_BANNER: Mapping[str, str] = _Banner()


def t(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    return i18n.text(key, lang, **values)


def sector_name(sector: str, lang: str, *, capital: bool = False) -> str:
    """A sector's name in ``lang`` (:func:`kostra.i18n.sector_name`)."""
    return i18n.sector_name(sector, lang, capital=capital)


def number(value: float | int | None, lang: str, decimals: int | None = None) -> str:
    """A number as the report prints it (:func:`kostra.i18n.number`); missing is an en dash."""
    return i18n.number(value, lang, decimals)


def signed(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number with an explicit sign (+/−), for changes and differences."""
    return i18n.signed(value, lang, decimals)


def when(moment: date | datetime | None, lang: str) -> str:
    """A date (and time) as people in ``lang`` write it (:func:`kostra.i18n.when`)."""
    return i18n.when(moment, lang)


def vega_locale(lang: str) -> dict[str, Any]:
    """Vega's ``config.locale`` for ``lang`` (:func:`kostra.i18n.vega_locale`)."""
    return i18n.vega_locale(lang)


def _listing(items: list[str], lang: str) -> str:
    """ "A, B og C" / "A, B and C"."""
    return i18n.listing(items, lang)


def event_text(
    kind: str,
    year: int,
    name: str,
    code: str,
    old_names: tuple[str, ...] | list[str],
    old_codes: tuple[str, ...] | list[str],
    lang: str,
    *,
    continuing: bool = False,
) -> str:
    """One municipal change in words with the right verb: a municipality that keeps its name
    (or code) is "sammenslått med" the others, a new one is "dannet ved sammenslåing av" its
    parts, a split-off part is "skilt ut fra", a new number says the old one."""
    old = list(old_names or old_codes)
    values = {"year": year, "name": name, "code": code}
    if kind == "merger":
        if name in old:
            others = [o for o in old if o != name]
            return t("event_merged_with", lang, old=_listing(others, lang), **values)
        if continuing:
            # the municipality kept its code and took the others in (Stavanger 2020)
            return t("event_merged_with", lang, old=_listing(old, lang), **values)
        return t("event_formed_from", lang, old=_listing(old, lang), **values)
    if kind == "split" and name in old:
        # the part that keeps the name: divided, under a new number
        return t("event_divided", lang, old=", ".join(old_codes), **values)
    if kind == "split":
        return t("event_split_from", lang, old=_listing(old, lang), **values)
    return t("event_renumbered", lang, old=", ".join(old_codes), **values)
