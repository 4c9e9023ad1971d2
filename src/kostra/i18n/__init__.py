"""One place for kostra's words and numbers: :class:`Locale` formats figures and dates (CLDR
through Babel, one minus rule) and looks up texts in the gettext catalogs
(:mod:`kostra.i18n.messages`) for bokmål, nynorsk and English.

Every surface goes through this package: the CLI tables, the findings, the report, the web
pages, the slides and the charts' Vega locale. See :mod:`kostra.i18n.formats` for the number
rules (the true minus sign U+2212 in every language).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kostra.i18n.formats import (
    LANGS,
    MINUS,
    MISSING,
    auto_decimals,
    axis_format,
    kroner,
    kroner_text,
    listing,
    number,
    percent,
    percent_text,
    signed,
    vega_locale,
    when,
)
from kostra.i18n.messages import (
    N_,
    Phrase,
    Phrases,
    Words,
    amount,
    peer_group_name,
    plural,
    sector_name,
    text,
    unit_name,
)

__all__ = [
    "LANGS",
    "MINUS",
    "MISSING",
    "N_",
    "Locale",
    "Phrase",
    "Phrases",
    "Words",
    "amount",
    "auto_decimals",
    "axis_format",
    "kroner",
    "kroner_text",
    "listing",
    "number",
    "peer_group_name",
    "percent",
    "percent_text",
    "plural",
    "sector_name",
    "signed",
    "text",
    "unit_name",
    "vega_locale",
    "when",
]


@dataclass(frozen=True)
class Locale:
    """A language's formatters in one object: ``Locale("nn").number(-1234.5)`` is ``−1 234,5``."""

    lang: str

    def number(self, value: object, decimals: int | None = None, *, missing: str = MISSING) -> str:
        """See :func:`kostra.i18n.formats.number`."""
        return number(value, self.lang, decimals, missing=missing)

    def signed(self, value: object, decimals: int | None = None, *, missing: str = MISSING) -> str:
        """See :func:`kostra.i18n.formats.signed`."""
        return signed(value, self.lang, decimals, missing=missing)

    def percent(self, value: object, decimals: int | None = None) -> str:
        """See :func:`kostra.i18n.formats.percent`."""
        return percent(value, self.lang, decimals)

    def kroner(self, value: object, decimals: int = 0) -> str:
        """See :func:`kostra.i18n.formats.kroner`."""
        return kroner(value, self.lang, decimals)

    def date(self, moment: date | datetime | None) -> str:
        """See :func:`kostra.i18n.formats.when`."""
        return when(moment, self.lang)

    def text(self, key: str, **values: object) -> str:
        """See :func:`kostra.i18n.messages.text`."""
        return text(key, self.lang, **values)

    def plural(self, key: str, n: int, **values: object) -> str:
        """See :func:`kostra.i18n.messages.plural`."""
        return plural(key, n, self.lang, **values)

    def vega_locale(self) -> dict[str, Any]:
        """See :func:`kostra.i18n.formats.vega_locale`."""
        return vega_locale(self.lang)
