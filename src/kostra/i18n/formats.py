"""Numbers, kroner, percentages and dates as CLDR (through Babel) writes them, with one minus rule.

Every surface (CLI tables, findings, the report, the web pages, the slides and the charts' Vega
locale) prints a figure through :func:`number` or :func:`signed`, so the same value reads the same
everywhere: ``-1234.5`` is ``−1 234,5`` in bokmål and nynorsk, ``−1,234.5`` in English.

The minus rule: a negative figure always starts with the true minus sign U+2212 (``−``), in
every language. CLDR's own number symbols for nb and nn name U+2212 as the minus sign, and
Norwegian typesetting uses it; Babel's ``format_decimal`` copies the hyphen-minus of the pattern
instead (``'-1\\xa0234,5'``), so we do not take its sign. The true minus is also what d3-format
(Vega's number formatter) prints, so chart axes agree with the text. Figures written for machines
(CSV, XLSX, JSON, Parquet) stay numbers and never pass through here.

A value that rounds to zero at the shown number of decimals prints without a sign (``0``, not
``−0``). The decimal separator, the grouping separator (a no-break space in nb/nn, a comma in
en) and the percent and currency patterns come from CLDR; the rounding is Python's correctly
rounded float formatting, which Babel's output matches for every value that is not an exact
decimal tie (see ``tests/test_i18n.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from babel import Locale as BabelLocale
from babel.dates import format_date, format_time

#: The languages kostra writes: bokmål, nynorsk and English.
LANGS = ("nb", "nn", "en")

#: The minus sign of every printed negative figure (see the module docstring).
MINUS = "\u2212"

#: What a missing figure prints as in running text and tables.
MISSING = "–"

#: The CLDR locale behind each language: English figures follow British usage (day before
#: month, "NOK" before the amount).
_CLDR = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}


@dataclass(frozen=True)
class NumberSymbols:
    """The parts of a CLDR locale a figure is printed with."""

    decimal: str
    group: str
    percent_prefix: str
    percent_suffix: str
    currency_prefix: str
    currency_suffix: str


def cldr_locale(lang: str) -> BabelLocale:
    """Babel's locale for ``lang`` (bokmål for a language kostra does not write)."""
    return BabelLocale.parse(_CLDR.get(lang, _CLDR["nb"]))


@cache
def symbols(lang: str) -> NumberSymbols:
    """CLDR's separators and the percent and kroner patterns for ``lang``, read once."""
    locale = cldr_locale(lang)
    system = locale.default_numbering_system
    raw = locale.number_symbols[system]
    percent = locale.percent_formats[None]
    currency = locale.currency_formats["standard"]
    kroner = locale.currency_symbols.get("NOK", "NOK")
    prefix = currency.prefix[0].replace("¤", kroner)
    suffix = currency.suffix[0].replace("¤", kroner)
    # CLDR's currencySpacing: a symbol that ends in a letter and touches a digit gets a
    # no-break space ("NOK 1,234", not "NOK1,234"); Babel leaves this rule out.
    if prefix and prefix[-1].isalpha():
        prefix += "\u00a0"
    if suffix and suffix[0].isalpha():
        suffix = "\u00a0" + suffix
    return NumberSymbols(
        decimal=raw["decimal"],
        group=raw["group"],
        percent_prefix=percent.prefix[0].replace("%", raw["percentSign"]),
        percent_suffix=percent.suffix[0].replace("%", raw["percentSign"]),
        currency_prefix=prefix,
        currency_suffix=suffix,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def auto_decimals(value: float | int) -> int:
    """The decimals a figure gets when the caller does not say: none for whole numbers and
    for figures of 100 or more, one below 100."""
    if isinstance(value, int):
        return 0
    return 0 if abs(value) >= 100 else 1


def _digits(magnitude: float, decimals: int, sym: NumberSymbols) -> str:
    """``magnitude`` (not negative) with ``decimals`` decimals and the locale's separators."""
    text = f"{magnitude:,.{decimals}f}"
    if sym.group == "," and sym.decimal == ".":
        return text
    return text.replace(",", "\x00").replace(".", sym.decimal).replace("\x00", sym.group)


def _rounds_to_zero(value: float, decimals: int) -> bool:
    return float(f"{abs(value):.{decimals}f}") == 0.0


def number(value: object, lang: str, decimals: int | None = None, *, missing: str = MISSING) -> str:
    """A figure as people in ``lang`` read it: ``−1 234,5`` (nb, nn), ``−1,234.5`` (en).

    ``decimals`` defaults to :func:`auto_decimals`. ``None`` and NaN print as ``missing``;
    anything that is not a number (a status symbol, a name) prints as it is.
    """
    if value is None:
        return missing
    if not _is_number(value):
        return str(value)
    figure = float(value)  # type: ignore[arg-type]
    if math.isnan(figure):
        return missing
    if math.isinf(figure):
        return ("" if figure > 0 else MINUS) + "∞"
    places = auto_decimals(value) if decimals is None else decimals  # type: ignore[arg-type]
    text = _digits(abs(figure), places, symbols(lang))
    if figure < 0 and not _rounds_to_zero(figure, places):
        return MINUS + text
    return text


def signed(value: object, lang: str, decimals: int | None = None, *, missing: str = MISSING) -> str:
    """A change or difference with its sign: ``+1,5``, ``−0,3``; ``0`` when it rounds to zero."""
    text = number(value, lang, decimals, missing=missing)
    if not _is_number(value) or text == missing or text.startswith(MINUS):
        return text
    figure = float(value)  # type: ignore[arg-type]
    places = auto_decimals(value) if decimals is None else decimals  # type: ignore[arg-type]
    if math.isnan(figure) or _rounds_to_zero(figure, places):
        return text
    return "+" + text


def percent(value: object, lang: str, decimals: int | None = None) -> str:
    """A figure in percent (``12.5`` is 12,5 %), with CLDR's percent pattern for ``lang``:
    ``12,5 %`` (nb, nn, with a no-break space), ``12.5%`` (en)."""
    text = number(value, lang, decimals)
    if not _is_number(value) or text == MISSING:
        return text
    return percent_text(text, lang)


def percent_text(text: str, lang: str) -> str:
    """A figure already printed (``12,5``, ``+3,2``) with CLDR's percent sign for ``lang``."""
    sym = symbols(lang)
    return f"{sym.percent_prefix}{text}{sym.percent_suffix}"


def kroner(value: object, lang: str, decimals: int = 0) -> str:
    """An amount in Norwegian kroner with CLDR's currency pattern: ``1 234 kr`` (nb, nn),
    ``NOK 1,234`` (en); the minus sign stands before the whole amount."""
    text = number(value, lang, decimals)
    if not _is_number(value) or text == MISSING:
        return text
    return kroner_text(text, lang)


def kroner_text(text: str, lang: str) -> str:
    """An amount already printed (``1 234``, ``−1 219``, ``+3 186``) with CLDR's kroner
    pattern for ``lang``: the sign stands before the whole amount (``−NOK 1,219``)."""
    sym = symbols(lang)
    sign = text[:1] if text[:1] in (MINUS, "+", "-") else ""
    return f"{sign}{sym.currency_prefix}{text[len(sign) :]}{sym.currency_suffix}"


def when(moment: date | datetime | None, lang: str) -> str:
    """A date (and the time, for a datetime) as CLDR's long format writes it:
    ``15. mars 2025 14:30`` (nb, nn), ``15 March 2025 14:30`` (en)."""
    if moment is None:
        return MISSING
    locale = cldr_locale(lang)
    day = moment.date() if isinstance(moment, datetime) else moment
    text = format_date(day, "long", locale=locale)
    if isinstance(moment, datetime):
        text += " " + format_time(moment, "HH:mm", locale=locale)
    return text


def listing(items: list[str], lang: str) -> str:
    """``A, B og C`` / ``A, B and C``: the words joined as ``lang`` writes a list."""
    if len(items) <= 1:
        return "".join(items)
    last = " and " if lang == "en" else " og "
    return ", ".join(items[:-1]) + last + items[-1]


def axis_format(values: list[float]) -> str:
    """The d3 format of a chart axis or legend over ``values``: whole numbers with the locale's
    grouping once values reach 1 000, else up to four decimals with trailing zeros trimmed.
    Never SI prefixes ("160k"): they are no Norwegian unit. The separators and the minus sign
    come from :func:`vega_locale`, so axis labels read like the text."""
    return ",.0f" if values and max(abs(v) for v in values) >= 1_000 else ",.4~f"


@cache
def vega_locale(lang: str) -> dict[str, Any]:
    """Vega's ``config.locale`` for ``lang``: d3-format's number locale from the same CLDR
    symbols and minus sign as :func:`number`, and a d3 time locale (vl-convert's nb-NO or
    en-GB; for nynorsk the nb-NO formats with CLDR's nynorsk month and day names)."""
    import vl_convert

    sym = symbols(lang)
    number_locale = {
        "decimal": sym.decimal,
        "thousands": sym.group,
        "grouping": [3],
        "currency": [sym.currency_prefix, sym.currency_suffix],
        "minus": MINUS,
    }
    time_locale = dict(vl_convert.get_time_format_locale("en-GB" if lang == "en" else "nb-NO"))
    if lang == "nn":
        dates = cldr_locale("nn")
        time_locale["months"] = [dates.months["format"]["wide"][m] for m in range(1, 13)]
        time_locale["shortMonths"] = [
            dates.months["format"]["abbreviated"][m] for m in range(1, 13)
        ]
        # d3 counts days from Sunday, CLDR from Monday (0)
        order = [6, 0, 1, 2, 3, 4, 5]
        time_locale["days"] = [dates.days["format"]["wide"][d] for d in order]
        time_locale["shortDays"] = [dates.days["format"]["abbreviated"][d] for d in order]
    return {"number": number_locale, "time": time_locale}
