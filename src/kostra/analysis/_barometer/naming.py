"""How our ranking is named: as ours, with the share of Kommunal Rapport's indicators it uses.

The ranking reconstructs Kommunal Rapport's Kommunebarometeret from the KOSTRA figures we have;
it is not Kommunal Rapport's ranking and never called "Kommunebarometeret" as if it were. Every
surface names it with :func:`method_name` ("Kommunebarometer-metoden (egen beregning, N av ca.
150 indikatorer)") and shows the indicators used per sector (:func:`indicator_counts`).
"""

from __future__ import annotations

from collections.abc import Iterable

from kostra import i18n

#: Kommunal Rapport's barometer has about this many indicators (Kommunebarometeret 2024).
PUBLISHED_INDICATORS = 150
TOTAL = "total"


def indicator_counts(sectors: Iterable[str]) -> dict[str, int]:
    """Graded indicators per barometer sector (one sector id per graded indicator) and
    ``total``."""
    counts: dict[str, int] = {}
    for sector in sectors:
        counts[sector] = counts.get(sector, 0) + 1
    counts[TOTAL] = sum(counts.values())
    return counts


def method_name(n_indicators: int, lang: str = "nb") -> str:
    """ "Kommunebarometer-metoden (egen beregning, N av ca. 150 indikatorer)"."""
    return i18n.plural(
        "barometer.method_name",
        PUBLISHED_INDICATORS,
        lang,
        used=i18n.number(n_indicators, lang, 0),
    )


def sector_count_text(n_indicators: int, lang: str = "nb") -> str:
    """ "5 indikatorer" / "1 indicator": the count shown beside a sector's rank."""
    return i18n.plural("barometer.indicators", n_indicators, lang)
