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
                f"Catalog file {path.name} is not valid TOML: {error}",
                nb=f"Katalogfilen {path.name} er ikke gyldig TOML: {error}",
                hint="Fix the syntax of the file; each key figure is an [[indicator]] table.",
                hint_nb="Rett syntaksen i filen; hvert nøkkeltall er en [[indicator]]-tabell.",
            ) from error
        unknown = set(document) - {"indicator"}
        if unknown:
            raise CatalogError(
                f"Catalog file {path.name} has unexpected top-level keys {sorted(unknown)}.",
                nb=f"Katalogfilen {path.name} har uventede nøkler på øverste nivå "
                f"{sorted(unknown)}.",
                hint="Only [[indicator]] tables belong in a catalog file.",
                hint_nb="Bare [[indicator]]-tabeller hører hjemme i en katalogfil.",
            )
        for number, entry in enumerate(document.get("indicator", []), start=1):
            try:
                indicators.append(Indicator.model_validate(entry))
            except ValidationError as error:
                name = entry.get("id", f"entry {number}") if isinstance(entry, dict) else number
                raise CatalogError(
                    f"Catalog file {path.name}, indicator {name}: {error}",
                    nb=f"Katalogfilen {path.name}, nøkkeltall {name}: {error}",
                    hint="See docs/DATA.md, section Catalog, for the fields of an indicator.",
                    hint_nb="Se docs/DATA.md, avsnittet Catalog, for feltene i et nøkkeltall.",
                ) from error
    try:
        return Catalog(indicators=tuple(indicators))
    except ValidationError as error:
        raise CatalogError(
            f"The catalog is inconsistent: {error}",
            nb=f"Katalogen henger ikke sammen: {error}",
        ) from error


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
