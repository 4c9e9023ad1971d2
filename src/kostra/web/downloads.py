"""The web's CSV and XLSX downloads: the rows of an API answer as a spreadsheet in the page's
language, written by :mod:`kostra.exports` (the CLI's writer: Norwegian Excel CSV under nb/nn,
plain CSV under en, typed XLSX, safe cells, sensible decimals).

Column headers are the interface's words (:data:`HEADERS`, messages ``download.<key>`` of the
catalogs, so nynorsk pages download nynorsk headers), not the JSON API's snake_case keys;
the JSON keeps its keys. A header says its unit where it has one ("(kr)", "%"), and that is
also what the writer rounds by: whole kroner, one decimal on per cent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from kostra.exports import csv_bytes, default_csv_style, labelled, rounded, xlsx_bytes
from kostra.i18n import Words

#: Download headers per language: API key -> header.
HEADERS = Words(
    "download",
    (
        "place",
        "code",
        "name",
        "county_code",
        "county_name",
        "population",
        "size",
        "kostra_group",
        "value",
        "status",
        "rank",
        "rank_low",
        "rank_high",
        "n_ranked",
        "rank_income_adjusted",
        "sector",
        "sector_name",
        "production_index",
        "cost_index",
        "efficiency_index",
        "net_opex_per_inhabitant",
        "need_index",
        "need_corrected",
        "difference_per_inhabitant",
        "excess_nok",
        "origin",
        "unconfirmed",
        "small_base",
        "beyond_cap",
        "barometer_rank",
        "barometer_rank_low",
        "barometer_rank_high",
        "barometer_n_ranked",
        "indicator_id",
        "unit",
        "direction",
        "peer_average",
        "index",
        "comparison",
        "difference",
        "average_marked",
        "peer_rank",
        "n_peers",
        "peer_min",
        "peer_max",
        "previous_value",
        "series_break",
        "caveat",
        "year",
        "borders",
        "column",
        "label",
        "region",
        "basis",
        "n_members",
        "figure",
        "country",
        "score",
        "coverage",
    ),
)


def header(key: str, lang: str) -> str:
    """The download header of API key ``key`` in ``lang``; a key without one reads as words."""
    words = HEADERS.get(lang, HEADERS["nb"])
    return words.get(key) or key.replace("_", " ")


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
