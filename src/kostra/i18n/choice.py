"""Which language a report or deck is written in: the user's choice, else the municipality's
official written language (målform) when it is nynorsk, else the locale's.

The målform of each municipality is the ``written_language`` column of the packaged
``data/geography/municipality_facts_2024.parquet`` (Bokmål, Nynorsk or Nøytral, on 2024 codes,
which 2025 keeps; see docs/DATA.md). A code it does not hold (an older year's code) has none.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

#: The packaged målform names and the language kostra writes for them (Nøytral has none).
_WRITTEN = {"Nynorsk": "nn", "Bokmål": "nb"}


@cache
def _languages() -> dict[str, str]:
    import polars as pl

    source = resources.files("kostra") / "data" / "geography" / "municipality_facts_2024.parquet"
    with source.open("rb") as handle:
        frame = pl.read_parquet(handle, columns=["code", "written_language"])
    return {
        code: _WRITTEN[name]
        for code, name in frame.iter_rows()
        if name in _WRITTEN and code is not None
    }


def written_language(code: str) -> str | None:
    """``nn`` or ``nb`` for a municipality whose official written language is nynorsk or
    bokmål; None for a neutral one or a code the packaged table does not hold."""
    return _languages().get(code)


def document_lang(code: str | None, chosen: str | None, default: str) -> str:
    """The language of a report or deck about ``code``: ``chosen`` (``--lang`` or
    ``KOSTRA_LANG``) when given, else nynorsk for a nynorsk municipality, else ``default``
    (the locale's language, bokmål when it is neither Norwegian nor English)."""
    if chosen:
        return chosen
    if code is not None and written_language(code) == "nn":
        return "nn"
    return default
