"""The indicator catalog: key figures defined as data in ``catalog/data/*.toml``.

``load_catalog()`` reads and validates every TOML file of the package once per process.
Adding an indicator is a data change: a new ``[[indicator]]`` entry in one of the files.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from kostra.catalog.models import (
    BarometerSector,
    BarometerUse,
    Catalog,
    Formula,
    Indicator,
    PopulationRef,
    ProductionUse,
    Sector,
    SeriesRef,
    population_refs,
    series_key,
    series_of,
)
from kostra.catalog.search import (
    fold,
    resolve_sector,
    resolve_sectors,
    search_indicators,
)
from kostra.errors import KostraError
from kostra.i18n.said import say

__all__ = [
    "BarometerSector",
    "BarometerUse",
    "Catalog",
    "CatalogError",
    "Formula",
    "Indicator",
    "PopulationRef",
    "ProductionUse",
    "Sector",
    "SeriesRef",
    "fold",
    "load_catalog",
    "load_catalog_from",
    "population_refs",
    "resolve_sector",
    "resolve_sectors",
    "search_indicators",
    "series_key",
    "series_of",
]


class CatalogError(KostraError):
    """A catalog file that does not parse or does not validate."""


def load_catalog_from(paths: list[Path]) -> Catalog:
    """Read and validate the given TOML files as one catalog, in the order given.

    Raises :class:`CatalogError` naming the file and the offending entry.
    """
    indicators: list[Indicator] = []
    for path in paths:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(
                say("error.catalog.toml", name=path.name, error=str(error)),
                hint=say("error.catalog.toml.hint"),
            ) from error
        unknown = set(document) - {"indicator"}
        if unknown:
            raise CatalogError(
                say("error.catalog.top_level", name=path.name, keys=str(sorted(unknown))),
                hint=say("error.catalog.top_level.hint"),
            )
        for number, entry in enumerate(document.get("indicator", []), start=1):
            try:
                indicators.append(Indicator.model_validate(entry))
            except ValidationError as error:
                name = entry.get("id", f"entry {number}") if isinstance(entry, dict) else number
                raise CatalogError(
                    say("error.catalog.indicator", name=path.name, entry=name, error=str(error)),
                    hint=say("error.catalog.indicator.hint"),
                ) from error
    try:
        return Catalog(indicators=tuple(indicators))
    except ValidationError as error:
        raise CatalogError(say("error.catalog.inconsistent", error=str(error))) from error


def catalog_files() -> list[Path]:
    """The packaged catalog files, sorted by name."""
    folder = resources.files("kostra.catalog") / "data"
    return sorted(
        (Path(str(item)) for item in folder.iterdir() if item.name.endswith(".toml")),
        key=lambda path: path.name,
    )


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The packaged catalog, validated; read once per process (the result is immutable)."""
    return load_catalog_from(catalog_files())
