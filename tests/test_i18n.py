"""kostra.i18n: one number format for every surface, CLDR's separators, one minus rule."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from kostra import i18n
from kostra.analysis.findings import fmt
from kostra.cli._output import format_number, format_signed
from kostra.cli._results import with_unit
from kostra.i18n import LANGS, MINUS, Locale
from kostra.report import locale as report_locale
from kostra.web.views import number_text, signed_text

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "expected"),
    [
        ("nb", -1234.5, 1, f"{MINUS}1{NBSP}234,5"),
        ("nn", -1234.5, 1, f"{MINUS}1{NBSP}234,5"),
        ("en", -1234.5, 1, f"{MINUS}1,234.5"),
        ("nb", 1234567, None, f"1{NBSP}234{NBSP}567"),
        ("en", 1234567, None, "1,234,567"),
        ("nb", 0.71, None, "0,7"),
        ("nb", -0.71, 2, f"{MINUS}0,71"),
        ("nb", 5398.396772390033, None, f"5{NBSP}398"),
        ("nb", -0.04, 1, "0,0"),
        ("en", 99.95, None, "100.0"),
        ("nn", 12, None, "12"),
    ],
)
def test_number_in_each_language(
    lang: str, value: float, decimals: int | None, expected: str
) -> None:
    assert i18n.number(value, lang, decimals) == expected


def test_missing_and_non_numbers() -> None:
    assert i18n.number(None, "nb") == "–"
    assert i18n.number(float("nan"), "en") == "–"
    assert i18n.number(None, "nb", missing="") == ""
    assert i18n.number("..", "nb") == ".."
    assert i18n.number(True, "nb") == "True"


@pytest.mark.parametrize(
    ("lang", "value", "decimals", "expected"),
    [
        ("nb", -0.71, 2, f"{MINUS}0,71"),
        ("nb", 1.6, 1, "+1,6"),
        ("nn", -1.6, 1, f"{MINUS}1,6"),
        ("en", 1234.0, 0, "+1,234"),
        ("nb", 0.04, 1, "0,0"),
        ("nb", -0.04, 1, "0,0"),
        ("en", 0, 0, "0"),
    ],
)
def test_signed(lang: str, value: float, decimals: int, expected: str) -> None:
    assert i18n.signed(value, lang, decimals) == expected


def test_percent_kroner_and_dates() -> None:
    assert i18n.percent(12.5, "nb") == f"12,5{NBSP}%"
    assert i18n.percent(12.5, "nn") == f"12,5{NBSP}%"
    assert i18n.percent(12.5, "en") == "12.5%"
    assert i18n.kroner(-1234.4, "nb") == f"{MINUS}1{NBSP}234{NBSP}kr"
    assert i18n.kroner(1234, "en") == f"NOK{NBSP}1,234"
    assert i18n.when(date(2025, 3, 15), "nb") == "15. mars 2025"
    assert i18n.when(date(2025, 3, 15), "en") == "15 March 2025"
    assert i18n.when(datetime(2025, 6, 15, 8, 0), "nn") == "15. juni 2025 08:00"
    assert i18n.when(None, "nb") == "–"


@pytest.mark.parametrize(
    ("unit", "lang", "expected"),
    [
        ("prosent", "nb", f"{MINUS}3,2{NBSP}%"),
        ("prosent", "en", f"{MINUS}3.2%"),
        ("kr", "nn", f"{MINUS}3,2{NBSP}kr"),
        ("kr", "en", f"{MINUS}NOK{NBSP}3.2"),
        ("timer", "nn", f"{MINUS}3,2{NBSP}timar"),
        ("timer", "en", f"{MINUS}3.2{NBSP}hours"),
        ("antall", "en", f"{MINUS}3.2"),
        ("km²", "nb", f"{MINUS}3,2{NBSP}km²"),
        (None, "nb", f"{MINUS}3,2"),
    ],
)
def test_a_figure_with_its_unit_is_printed_one_way(
    unit: str | None, lang: str, expected: str
) -> None:
    """The report's findings and verdicts, the deck and the CLI's tables all print a figure
    with its unit through i18n.amount: CLDR's percent and kroner patterns, the reader's unit."""
    assert i18n.amount(i18n.number(-3.2, lang, 1), unit, lang) == expected
    assert i18n.amount(i18n.number(-3.2, lang, 1), "prosent", lang) == i18n.percent(-3.2, lang, 1)
    assert i18n.amount(i18n.number(-3.2, lang, 1), "kr", lang) == i18n.kroner(-3.2, lang, 1)
    assert with_unit(i18n.number(-3.2, lang, 1), unit, lang) == expected
    assert i18n.amount("", "kr", lang) == ""


def test_locale_object_is_the_functions() -> None:
    nn = Locale("nn")
    assert nn.number(-1234.5, 1) == i18n.number(-1234.5, "nn", 1)
    assert nn.signed(2.25, 2) == "+2,25"
    assert nn.percent(3) == f"3{NBSP}%"
    assert nn.kroner(10) == f"10{NBSP}kr"
    assert nn.date(date(2024, 1, 2)) == "2. januar 2024"
    assert nn.vega_locale()["time"]["days"][1] == "måndag"


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(min_value=0, max_value=3),
    st.sampled_from(LANGS),
)
def test_same_text_on_every_surface(value: float, decimals: int, lang: str) -> None:
    """CLI, findings, report and web print one figure the same way."""
    expected = i18n.number(value, lang, decimals)
    assert format_number(value, lang, decimals) == expected
    assert fmt(value, lang, decimals) == expected
    assert report_locale.number(value, lang, decimals) == expected
    assert number_text(value, lang, decimals) == expected
    change = i18n.signed(value, lang, decimals)
    assert format_signed(value, lang, decimals) == change
    assert report_locale.signed(value, lang, decimals) == change
    assert signed_text(value, lang, decimals) == change


@given(
    st.decimals(min_value=-1e7, max_value=1e7, places=4, allow_nan=False),
    st.integers(min_value=0, max_value=2),
    st.sampled_from(LANGS),
)
def test_agrees_with_babel_except_the_minus_sign(value: object, decimals: int, lang: str) -> None:
    """The separators and digits are CLDR's as Babel prints them; only the sign differs."""
    figure = float(str(value))
    ours = i18n.number(figure, lang, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    cldr = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}[lang]
    babel = format_decimal(figure, format=pattern, locale=cldr, decimal_quantization=True)
    expected = babel.replace("-", MINUS)
    if expected.strip(MINUS + "0.,\u00a0") == "":
        expected = expected.removeprefix(MINUS)  # one rule: no sign on a figure shown as zero
    # Babel rounds an exact decimal tie half-even on the decimal text, Python on the float
    tie = abs(abs(figure) * 10**decimals % 1 - 0.5) < 1e-6
    if not tie:
        assert ours == expected


def test_vega_locale_matches_the_text() -> None:
    """The charts' axes use the same separators and minus sign as the text."""
    for lang in LANGS:
        locale = i18n.vega_locale(lang)["number"]
        sample = i18n.number(-1234.5, lang, 1)
        assert sample == f"{locale['minus']}1{locale['thousands']}234{locale['decimal']}5"
    assert i18n.vega_locale("nn")["time"]["months"][0] == "januar"
    assert i18n.axis_format([12.5, -3.0]) == ",.4~f"
    assert i18n.axis_format([160_000.0]) == ",.0f"
