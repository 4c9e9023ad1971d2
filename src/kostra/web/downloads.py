"""The web's CSV and XLSX downloads: the rows of an API answer as a spreadsheet in the page's
language, written by :mod:`kostra.exports` (the CLI's writer: Norwegian Excel CSV under nb/nn,
plain CSV under en, typed XLSX, safe cells, sensible decimals).

Column headers are the interface's words (:data:`HEADERS`), not the JSON API's snake_case keys;
the JSON keeps its keys. A header says its unit where it has one ("(kr)", "%"), and that is
also what the writer rounds by: whole kroner, one decimal on per cent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from kostra.exports import csv_bytes, default_csv_style, labelled, rounded, xlsx_bytes

#: Download headers: API key -> (bokmål, English). Nynorsk uses bokmål's until translated.
HEADERS: dict[str, tuple[str, str]] = {
    # municipalities
    "place": ("plass", "place"),
    "code": ("kommunenr", "code"),
    "name": ("navn", "name"),
    "county_code": ("fylkesnr", "county code"),
    "county_name": ("fylke", "county"),
    "population": ("innbyggere", "inhabitants"),
    "size": ("størrelse", "size"),
    "kostra_group": ("KOSTRA-gruppe", "KOSTRA group"),
    "value": ("verdi", "value"),
    "status": ("status", "status"),
    "rank": ("plass i barometeret", "barometer rank"),
    "rank_low": ("plass, lavest", "rank, lowest"),
    "rank_high": ("plass, høyest", "rank, highest"),
    "n_ranked": ("antall rangert", "number ranked"),
    "rank_income_adjusted": ("plass, inntektsjustert", "rank, income-adjusted"),
    # overview: one row per sector
    "sector": ("sektor-id", "sector id"),
    "sector_name": ("sektor", "sector"),
    "production_index": ("produksjonsindeks", "production index"),
    "cost_index": ("kostnadsindeks", "cost index"),
    "efficiency_index": ("effektivitetsindeks", "efficiency index"),
    "net_opex_per_inhabitant": (
        "netto driftsutgifter per innb. (kr)",
        "net operating expenditure per inh. (NOK)",
    ),
    "need_index": ("behovsindeks", "need index"),
    "need_corrected": ("behovskorrigert per innb. (kr)", "need-corrected per inh. (NOK)"),
    "difference_per_inhabitant": ("avvik per innb. (kr)", "difference per inh. (NOK)"),
    "excess_nok": ("mer-/mindreutgift (kr)", "spent more/less (NOK)"),
    "origin": ("datagrunnlag for tallet", "data behind the figure"),
    "unconfirmed": ("kode ikke kontrollert mot SSB", "code not checked against SSB"),
    "barometer_rank": ("plass i barometeret", "barometer rank"),
    "barometer_rank_low": ("plass, lavest", "rank, lowest"),
    "barometer_rank_high": ("plass, høyest", "rank, highest"),
    "barometer_n_ranked": ("antall rangert", "number ranked"),
    # sector: one row per key figure
    "indicator_id": ("nøkkeltall-id", "key figure id"),
    "unit": ("enhet", "unit"),
    "direction": ("retning", "direction"),
    "peer_average": ("snitt", "average"),
    "index": ("indeks (snitt = 100)", "index (average = 100)"),
    "comparison": ("sammenligning", "comparison"),
    "difference": ("differanse mot snitt", "difference from average"),
    "average_marked": ("enkelt snitt (*)", "simple mean (*)"),
    "peer_rank": ("plass blant sammenligningskommunene", "place among the peers"),
    "n_peers": ("antall sammenligningskommuner", "number of peers"),
    "peer_min": ("min", "min"),
    "peer_max": ("maks", "max"),
    "previous_value": ("verdi året før", "value the year before"),
    "series_break": ("brudd i tidsserien", "series break"),
    "caveat": ("merknad", "caveat"),
    "year": ("år", "year"),
    # every download: the year of the municipal borders its figures are on (as the CLI's)
    "borders": ("kommunegrenser", "municipality borders"),
    # the KOSTRA view (nøkkeltall): one row per key figure and column
    "column": ("kolonne-id", "column id"),
    "label": ("betegnelse", "label"),
    "region": ("regionkode", "region code"),
    "basis": ("grunnlag", "basis"),
    "n_members": ("antall kommuner", "number of municipalities"),
    # the municipality at a glance (fakta)
    "figure": ("tall-id", "figure id"),
    "country": ("landet", "the country"),
    # a sector's barometer ranking
    "score": ("poeng", "score"),
    "coverage": ("dekning", "coverage"),
}


def header(key: str, lang: str) -> str:
    """The download header of API key ``key`` in ``lang``; a key without one reads as words."""
    words = HEADERS.get(key)
    if words is None:
        return key.replace("_", " ")
    return words[1] if lang == "en" else words[0]


def frame(
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    *,
    data_column: tuple[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """The rows as a frame with headers in ``lang``; lists and objects as JSON text, and
    ``data_column`` (header, value) added to every row (the sample warning travels with it).
    ``names`` heads the columns named by a key figure's id (a sector ranking's grades) with
    the key figure's name."""
    flat = [
        {k: (json.dumps(v) if isinstance(v, list | dict) else v) for k, v in r.items()}
        for r in rows
    ]
    table = pl.DataFrame(flat, infer_schema_length=None) if flat else pl.DataFrame()
    if data_column is not None:
        table = table.with_columns(pl.lit(data_column[1]).alias(data_column[0]))
    extra = names or {}
    headers: dict[str, str] = {}
    for key in table.columns:
        text = extra[key] if key in extra else header(key, lang)
        # two keys with the same words (a key figure named like a column) stay two columns
        headers[key] = f"{text} ({key})" if text in headers.values() else text
    return labelled(table, headers)


def indicator_names(content: Mapping[str, Any]) -> dict[str, str]:
    """Key figure id -> name, of the key figures an answer lists (``indicators``)."""
    listed = content.get("indicators")
    if not isinstance(listed, list):
        return {}
    return {
        str(item["id"]): str(item["name"])
        for item in listed
        if isinstance(item, Mapping) and item.get("id") and item.get("name")
    }


def unit_of(content: Mapping[str, Any]) -> str | None:
    """The unit of a page's ``value`` column (a ranking, a map or a comparison of one key
    figure), if the answer names one."""
    measure = content.get("measure")
    if isinstance(measure, Mapping):
        unit = measure.get("unit")
        return str(unit) if unit else None
    return None


def csv_download(table: pl.DataFrame, lang: str, unit: str | None = None) -> bytes:
    """The CSV bytes of a download in the language's style."""
    return csv_bytes(_with_unit(table, lang, unit), default_csv_style(lang))


def xlsx_download(table: pl.DataFrame, title: str, lang: str, unit: str | None = None) -> bytes:
    """The XLSX bytes of a download: one sheet called ``title``."""
    return xlsx_bytes([(title, _with_unit(table, lang, unit))])


def _with_unit(table: pl.DataFrame, lang: str, unit: str | None) -> pl.DataFrame:
    """The value column rounded by the page's unit (kroner whole, per cent one decimal)."""
    value = header("value", lang)
    if unit is None or value not in table.columns:
        return table
    return rounded(table, units={value: unit})
