"""KOSTRA groups (SSB's "KOSTRA-grupper", Klass 112) for each year's municipality codes.

Two sources, the first that covers a year wins:

1. SSB's classification 112 as fetched by ``kostra fetch --classifications`` and cached by
   :mod:`kostra.sources.klass` (geography never goes online: only the cache is read);
2. the packaged 2020 grouping (``data/geography/kostra_groups_2020.json``), which SSB applies
   to the figures of 2020–2025. It lists the municipalities on 2024 codes; a year's own codes
   are mapped to them through the code history (a unit split later takes the group of its
   largest part: Ålesund 1507 of 2020–2023 is Ålesund 1508, not Haram 1580).

A year neither covers raises :class:`NoKostraGroupsError` naming the command that fetches it.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from kostra.errors import KostraError
from kostra.geography.history import _check_year, mapping
from kostra.i18n.said import say

PACKAGED_YEARS = (2020, 2025)
"""First and last data year the packaged 2020 grouping applies to."""
_CODES_YEAR = 2024

GROUPS_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.Utf8(),
    "kostra_group": pl.Utf8(),
    "kostra_group_label": pl.Utf8(),
    "source": pl.Utf8(),
}


class NoKostraGroupsError(KostraError):
    """No KOSTRA grouping is at hand for a year."""


@functools.cache
def _packaged() -> dict[str, Any]:
    source = resources.files("kostra") / "data" / "geography" / "kostra_groups_2020.json"
    document: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return document


def group_definitions() -> pl.DataFrame:
    """SSB's definitions of the 2020 groups: ``kostra_group`` (EKG01…), ``label``,
    ``population`` (interval), ``tied_costs``, ``free_income`` and ``n_published`` (the
    number of municipalities SSB published for the group)."""
    groups = _packaged()["groups"]
    return pl.DataFrame(
        [{"kostra_group": code, **values} for code, values in groups.items()],
        schema={
            "kostra_group": pl.Utf8,
            "label": pl.Utf8,
            "population": pl.Utf8,
            "tied_costs": pl.Utf8,
            "free_income": pl.Utf8,
            "n_published": pl.Int32,
        },
    )


def group_code(label_or_code: str) -> str | None:
    """SSB's region code of a group ("KOSTRA-gruppe 12", "12", "EKG12" → "EKG12")."""
    digits = re.findall(r"\d+", label_or_code)
    return f"EKG{int(digits[-1]):02d}" if digits else None


@functools.cache
def packaged_groups(year: int) -> pl.DataFrame:
    """The packaged 2020 grouping on the codes valid in ``year`` (2020–2025):
    ``code, kostra_group, kostra_group_label, source``."""
    _check_year(year)
    first, last = PACKAGED_YEARS
    if not first <= year <= last:
        raise _not_covered(year)
    document = _packaged()
    members: dict[str, str] = document["members"]
    labels = {code: values["label"] for code, values in document["groups"].items()}
    links = mapping(year, _CODES_YEAR) if year != _CODES_YEAR else None
    rows = []
    if links is None:
        rows = list(members.items())
    else:
        # the largest part of a unit split before 2024 carries its group
        largest = links.sort("weight", descending=True).unique("from_code", keep="first")
        for code, to_code in largest.select("from_code", "to_code").iter_rows():
            if to_code in members:
                rows.append((code, members[to_code]))
    return pl.DataFrame(
        [(code, group, labels[group], "packaged") for code, group in sorted(rows)],
        schema=GROUPS_SCHEMA,
        orient="row",
    )


def _not_covered(year: int) -> NoKostraGroupsError:
    first, last = PACKAGED_YEARS
    return NoKostraGroupsError(
        say("error.kostra_groups.not_covered", year=year, first=first, last=last),
        hint=say("error.kostra_groups.not_covered.hint", year=year),
    )


@functools.cache
def _from_klass_cache(year: int, cache_dir: str, klass_url: str) -> pl.DataFrame | None:
    """SSB's classification 112 for ``year`` if ``kostra fetch --classifications`` cached it."""
    folder = Path(cache_dir) / "klass"  # the Klass client's cache (kostra.sources.klass)
    if not folder.is_dir() or not any(folder.iterdir()):
        return None  # nothing cached: loading the HTTP client would find nothing either
    try:
        klass = importlib.import_module("kostra.sources.klass")
    except ImportError:
        return None
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("kostra.geography reads the Klass cache only", request=request)

    try:
        client = klass.KlassClient(transport=httpx.MockTransport(refuse))
        frame: pl.DataFrame = klass.kostra_groups(year, client=client)
    except (KostraError, AttributeError, TypeError):
        return None
    if frame.height == 0:
        return None
    label = "kostra_group_label" if "kostra_group_label" in frame.columns else "kostra_group"
    rows = []
    for code, group, name in frame.select("code", "kostra_group", label).iter_rows():
        text = str(name if name is not None else group)
        rows.append((str(code), group_code(str(group)) or str(group), text, "klass"))
    return pl.DataFrame(rows, schema=GROUPS_SCHEMA, orient="row")


def clear_cache() -> None:
    """Forget Klass answers read so far (after ``kostra fetch --classifications``)."""
    _from_klass_cache.cache_clear()


def kostra_groups(year: int) -> pl.DataFrame:
    """Every municipality's KOSTRA group in ``year`` on that year's codes:
    ``code, kostra_group`` (EKG01…), ``kostra_group_label``, ``source`` (``klass``: SSB's
    classification cached by ``kostra fetch --classifications``; ``packaged``: the 2020
    grouping shipped with kostra). Raises :class:`NoKostraGroupsError` when neither covers
    ``year``."""
    _check_year(year)
    from kostra.settings import Settings

    settings = Settings()
    cached = _from_klass_cache(year, str(settings.cache_dir), settings.klass_url)
    if cached is not None:
        return cached
    return packaged_groups(year)
