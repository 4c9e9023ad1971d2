"""The analyst's workbench views for one municipality: SSB's KOSTRA nøkkeltall view and the
similar municipalities (Kolada's "liknande kommuner"), for the CLI, the web and the Python API.

Data as in :mod:`kostra.api` (the warehouse, the shipped sample for tables it lacks); the
computations are :func:`kostra.analysis.kostra_view.kostra_view` and
:func:`kostra.analysis.similar.similar_municipalities`.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from kostra import api
from kostra.analysis._common import OSLO
from kostra.analysis.indicators import evaluate
from kostra.analysis.kostra_view import Aggregate, kostra_view
from kostra.analysis.similar import (
    FEATURE_LABELS,
    similar_municipalities,
    structural_features,
    used_weights,
)
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog, series_of
from kostra.errors import KostraError
from kostra.i18n import Phrase
from kostra.i18n.said import say

#: The aggregate columns of SSB's view, in SSB's order.
AGGREGATES: tuple[str, ...] = ("kostra_group", "county", "country", "country_ex_oslo")
_COUNTRY = Phrase("nokkeltall.country")
_COUNTRY_EX_OSLO = Phrase("nokkeltall.country_ex_oslo")


def _aggregates(
    code: str, year: int, borders: int
) -> tuple[list[Aggregate], dict[str, tuple[str, str, str]], list[api.Note]]:
    """The aggregate columns of ``code`` (on ``borders``), their labels (nb, en, nn), and notes
    for columns left out (a year no KOSTRA grouping covers)."""
    geography = importlib.import_module("kostra.geography")
    aggregates: list[Aggregate] = []
    labels: dict[str, tuple[str, str, str]] = {}
    notes: list[api.Note] = []
    valid_year = min(year, borders)
    try:
        name, members = api.peers_on_borders("kostra_group", year, code, borders=borders)
    except KostraError:
        command = f"`kostra fetch --classifications --years {year}`"
        notes.append(api.Note.said(say("note.nokkeltall.no_group", year=year, command=command)))
    else:
        groups: pl.DataFrame = geography.kostra_groups(valid_year)
        region = groups.filter(pl.col("kostra_group_label") == name)["kostra_group"]
        ssb_code = str(region[0]) if region.len() else ""
        aggregates.append(Aggregate("kostra_group", ssb_code, tuple(members)))
        number = ssb_code.removeprefix("EKG").lstrip("0")
        english = f"KOSTRA group {number}" if name.startswith("KOSTRA-gruppe") else name
        labels["kostra_group"] = (name, english, name)
    county_name, members = api.peers_on_borders("county", year, code, borders=borders)
    towns: pl.DataFrame = geography.municipalities(borders)
    county_code = str(towns.filter(pl.col("code") == code)["county_code"][0])
    # SSB's county aggregate of the year itself only when the county is the same unit then
    same_county = year == borders or (
        geography.counties(year)
        .filter((pl.col("county_code") == county_code) & (pl.col("county_name") == county_name))
        .height
        > 0
    )
    aggregates.append(
        Aggregate("county", f"EKA{county_code}" if same_county else "", tuple(members))
    )
    labels["county"] = (county_name, county_name, county_name)
    everyone, without = _country(year, borders)
    aggregates.append(Aggregate("country", "EAK", everyone))
    labels["country"] = (_COUNTRY["nb"], _COUNTRY["en"], _COUNTRY["nn"])
    aggregates.append(Aggregate("country_ex_oslo", "EAKUO", without))
    labels["country_ex_oslo"] = (
        _COUNTRY_EX_OSLO["nb"],
        _COUNTRY_EX_OSLO["en"],
        _COUNTRY_EX_OSLO["nn"],
    )
    return aggregates, labels, notes


@functools.lru_cache(maxsize=16)
def _country(year: int, borders: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The members of the country and of the country without Oslo in ``year`` on ``borders``
    (the same for every municipality: kept, as a report of every municipality asks each time)."""
    _, everyone = api.peers_on_borders("country", year, OSLO, borders=borders)
    _, without = api.peers_on_borders("country_ex_oslo", year, OSLO, borders=borders)
    return tuple(everyone), tuple(without)


def nokkeltall(
    municipality: str,
    year: int,
    *,
    compare: Sequence[str] = (),
    sectors: Sequence[str] | None = None,
    borders: api.BordersChoice = "year",
    data: api.AnalysisData | None = None,
    catalog: Catalog | None = None,
    db: Path | None = None,
) -> api.Result:
    """SSB's KOSTRA nøkkeltall view of ``municipality`` in ``year``.

    ``frames["view"]``: :data:`kostra.analysis.kostra_view.VIEW_COLUMNS`, one row per key
    figure and column; ``frames["columns"]``: ``column, region, label_nb, label_en, kind,
    label_nn``
    (``self``, ``aggregate``, ``compare``) in the order shown.
    """
    on = api.borders_for(year, borders)
    catalog = catalog or load_catalog()
    window = [year - 1, year]
    if data is None:
        data = api.load_data(window, db=db, catalog=catalog)
    frame = api.evaluated(data, catalog, window, borders=on)
    return nokkeltall_from(
        frame,
        catalog,
        municipality,
        year,
        borders=on,
        borders_rule=api.borders_rule(year, borders),
        compare=compare,
        sectors=sectors,
        synthetic=data.synthetic,
        source=data.source,
    )


def nokkeltall_from(
    evaluated: pl.DataFrame,
    catalog: Catalog,
    municipality: str,
    year: int,
    *,
    borders: int,
    borders_rule: str = "year",
    compare: Sequence[str] = (),
    sectors: Sequence[str] | None = None,
    synthetic: bool = False,
    source: str = "",
    memo: MutableMapping[tuple[Any, ...], pl.DataFrame] | None = None,
) -> api.Result:
    """:func:`nokkeltall` from figures already evaluated on ``borders`` (the year and the year
    before at least; SSB's aggregate regions kept): the report and the web call this with
    the year they computed, so every surface shows the same view. ``memo``: see
    :func:`kostra.analysis.kostra_view.kostra_view` (a batch of reports shares it)."""
    on = borders
    code, name = api.resolve(municipality, year, borders=on)
    compare_codes = list(
        dict.fromkeys(c for c in (api.resolve(x, year, borders=on)[0] for x in compare))
    )
    aggregates, labels, notes = _aggregates(code, year, on)
    view = kostra_view(
        evaluated,
        catalog,
        code,
        aggregates,
        year=year,
        compare=compare_codes,
        sectors=sectors,
        memo=memo,
    )
    shown = api.names([code, *compare_codes], borders=on)
    rows = [("self", code, name, name, "self", name)]
    rows += [
        (a.key, a.region, *labels[a.key][:2], "aggregate", labels[a.key][2]) for a in aggregates
    ]
    rows += [
        (f"compare:{c}", c, shown.get(c, c), shown.get(c, c), "compare", shown.get(c, c))
        for c in compare_codes
    ]
    columns = pl.DataFrame(
        rows,
        schema=["column", "region", "label_nb", "label_en", "kind", "label_nn"],
        orient="row",
    )
    all_notes = [
        api.Note(api.SAMPLE_BANNER["nb"], api.SAMPLE_BANNER["en"], api.SAMPLE_BANNER["nn"])
    ] * synthetic
    all_notes += notes
    # what the aggregate columns are: said under the view on every surface
    all_notes.append(api.Note.said(say("note.nokkeltall.basis")))
    all_notes.append(api.borders_note(year, on))
    group_name = labels.get("kostra_group", ("", ""))[0]
    return api.Result(
        kind="nokkeltall",
        municipality=code,
        name=name,
        year=year,
        peers_name=group_name,
        peers=tuple(a.key for a in aggregates),
        compare=tuple(compare_codes),
        borders=on,
        synthetic=synthetic,
        source=source,
        frames={"view": view, "columns": columns},
        notes=tuple(all_notes),
        borders_rule=borders_rule,
    )


@dataclass(frozen=True)
class KeyFigureColumn:
    """One column of the nøkkeltall view: ``key`` (``self``, ``kostra_group``, ``county``,
    ``country``, ``country_ex_oslo``, ``compare:<code>``), SSB's region code, its label in
    both languages and ``kind`` (``self``, ``aggregate``, ``compare``)."""

    key: str
    region: str
    label_nb: str
    label_en: str
    kind: str
    label_nn: str = ""

    def label(self, lang: str) -> str:
        """The column's heading in ``lang``."""
        if lang == "nn" and self.label_nn:
            return self.label_nn
        return self.label_en if lang == "en" else self.label_nb


@dataclass(frozen=True)
class KeyFigureCell:
    """One figure of one column: ``basis`` is ``ssb`` (SSB's aggregate), ``computed`` (ours,
    by SSB's rule, over ``n_members``) or ``municipality``; a missing figure keeps SSB's
    ``status``."""

    value: float | None
    status: str | None
    basis: str | None
    n_members: int | None


@dataclass(frozen=True)
class KeyFigureRow:
    """One key figure across the view's columns (cells in the columns' order)."""

    indicator_id: str
    sector: str
    name_nb: str
    name_en: str
    unit: str
    cells: tuple[KeyFigureCell, ...]

    def name(self, lang: str) -> str:
        """The key figure's name in ``lang``."""
        return self.name_en if lang == "en" else self.name_nb


@dataclass(frozen=True)
class KeyFigureTable:
    """:func:`nokkeltall` as a typed view for the report and the web pages."""

    year: int
    borders: int
    columns: tuple[KeyFigureColumn, ...]
    rows: tuple[KeyFigureRow, ...]
    notes: tuple[api.Note, ...]

    def sectors(self) -> list[tuple[str, list[KeyFigureRow]]]:
        """The rows grouped by sector, in catalog order."""
        grouped: dict[str, list[KeyFigureRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.sector, []).append(row)
        return list(grouped.items())

    @property
    def computed(self) -> bool:
        """Whether any aggregate figure is computed by kostra (not SSB's own)."""
        return any(c.basis == "computed" for r in self.rows for c in r.cells)


def key_figure_table(result: api.Result) -> KeyFigureTable:
    """The typed view of a :func:`nokkeltall` result (the sample banner left to the page)."""
    columns = tuple(
        KeyFigureColumn(str(k), str(r or ""), str(nb), str(en), str(kind), str(nn))
        for k, r, nb, en, kind, nn in result.frames["columns"]
        .select("column", "region", "label_nb", "label_en", "kind", "label_nn")
        .iter_rows()
    )
    order = {c.key: n for n, c in enumerate(columns)}
    cells: dict[str, list[KeyFigureCell | None]] = {}
    heads: dict[str, tuple[str, str, str, str]] = {}
    # one pass over the view (rows come grouped by key figure, in catalog order)
    for ind, sector, nb, en, unit, column, value, status, basis, n in (
        result.frames["view"]
        .select(
            "indicator_id",
            "sector",
            "name_nb",
            "name_en",
            "unit",
            "column",
            "value",
            "status",
            "basis",
            "n_members",
        )
        .iter_rows()
    ):
        if ind not in cells:
            cells[ind] = [None] * len(columns)
            heads[ind] = (str(sector), str(nb), str(en), str(unit))
        cells[ind][order[column]] = KeyFigureCell(
            value=None if value is None or not math.isfinite(value) else float(value),
            status=status,
            basis=basis,
            n_members=n,
        )
    missing = KeyFigureCell(None, "..", None, None)
    rows = [
        KeyFigureRow(ind, *heads[ind], tuple(c or missing for c in found))
        for ind, found in cells.items()
    ]
    banner = api.SAMPLE_BANNER["nb"]
    notes = tuple(n for n in result.notes if n.nb != banner)
    return KeyFigureTable(result.year, result.borders, columns, tuple(rows), notes)


def nokkeltall_payload(table: KeyFigureTable, lang: str) -> dict[str, Any]:
    """The view as plain data for the web and its API: ``columns`` (``key, region, label,
    kind``), ``sectors`` (``sector, rows``) and ``rows``: one per key figure and column
    (what the CSV/XLSX download holds), and ``notes``."""
    columns = [
        {"key": c.key, "region": c.region, "label": c.label(lang), "kind": c.kind}
        for c in table.columns
    ]
    flat: list[dict[str, Any]] = []
    sectors = []
    for sector, rows in table.sectors():
        shown = []
        for row in rows:
            cells = [
                {
                    "value": cell.value,
                    "status": cell.status,
                    "basis": cell.basis,
                    "n_members": cell.n_members,
                }
                for cell in row.cells
            ]
            shown.append(
                {
                    "indicator_id": row.indicator_id,
                    "name": row.name(lang),
                    "unit": row.unit,
                    "cells": cells,
                }
            )
            for column, cell in zip(table.columns, cells, strict=True):
                flat.append(
                    {
                        "indicator_id": row.indicator_id,
                        "sector": sector,
                        "name": row.name(lang),
                        "unit": row.unit,
                        "column": column.key,
                        "region": column.region,
                        "label": column.label(lang),
                        **cell,
                    }
                )
        sectors.append({"sector": sector, "rows": shown})
    return {
        "year": table.year,
        "borders": table.borders,
        "columns": columns,
        "sectors": sectors,
        "rows": flat,
        "notes": [n.text(lang) for n in table.notes],
    }


# -- similar municipalities --------------------------------------------------------------------

SIMILAR_BORDERS = 2024
"""The borders the structural data is packaged on (area, centrality, KOSTRA groups, need index);
similarity is computed between the municipalities of these borders."""
_FREE_INCOME = "frie_inntekter_per_innbygger"
_AGE_GROUPS = ["total", "0-5", "6-15", "67-79", "80+"]


def _need_year(year: int) -> int:
    """The packaged need-index year nearest to ``year + 1`` (the accounts convention)."""
    years = sorted({int(y) for y in api.packaged_need_index()["need_year"].to_list()})
    return min(years, key=lambda y: (abs(y - (year + 1)), y))


@functools.cache
def packaged_facts() -> pl.DataFrame:
    """The packaged centrality, ROBEK 2024, area and written language per 2024 code."""
    source = resources.files("kostra") / "data" / "geography" / "municipality_facts_2024.parquet"
    with resources.as_file(source) as path:
        return pl.read_parquet(path)


def _free_income(year: int, db: Path, catalog: Catalog) -> pl.DataFrame | None:
    """Real free income per inhabitant in ``year`` on the similarity borders, when the
    warehouse at ``db`` holds SSB's table for it (synthetic sample figures are not used)."""
    from kostra.warehouse import Warehouse

    indicator = catalog.get(_FREE_INCOME)
    tables = sorted({ref.table_id for ref in series_of(indicator)})
    with Warehouse.open(db, read_only=True, wait=5.0) as warehouse:
        observations = warehouse.observations(table_ids=tables, years=[year])
    if "synthetic" in observations.columns:
        observations = observations.filter(~pl.col("synthetic").fill_null(False))
    if observations.height == 0:
        return None
    geography = importlib.import_module("kostra.geography")
    population = geography.population([year, year + 1], age_group=["total"])
    frame = evaluate(observations, population, [indicator], years=[year], borders=SIMILAR_BORDERS)
    values = frame.filter(pl.col("value").is_not_null()).select("region", "value")
    return values if values.height else None


@functools.lru_cache(maxsize=8)
def _features(year: int, db: str | None, stamp: float) -> pl.DataFrame:
    """Structural features of every municipality for ``year`` (``stamp``: the warehouse file's
    modification time, so that a new fetch of free income is seen)."""
    del stamp
    geography = importlib.import_module("kostra.geography")
    # population on 1 January of the year (within the packaged 2005–2026), growth over 5 years
    on = min(max(year, 2010), 2026)
    population = geography.population([on - 5, on], age_group=_AGE_GROUPS, borders=SIMILAR_BORDERS)
    need = api.packaged_need_index().filter(pl.col("need_year") == _need_year(year))
    groups = geography.kostra_groups(SIMILAR_BORDERS)
    free = _free_income(year, Path(db), load_catalog()) if db is not None else None
    return structural_features(
        population, packaged_facts(), need, groups, year=on, free_income=free
    )


def similarity_features(year: int, *, db: Path | None = None) -> pl.DataFrame:
    """:func:`kostra.analysis.similar.structural_features` of every municipality (2024
    borders) for ``year``, at the latest 2024 (the year of the packaged structural data, so
    that every surface finds the same neighbours for a later year whatever borders it reads);
    free income is included when the warehouse holds real figures."""
    from kostra.settings import Settings

    year = min(year, SIMILAR_BORDERS)

    path = Path(db if db is not None else Settings().db)
    if path.exists():
        return _features(year, str(path), path.stat().st_mtime)
    return _features(year, None, 0.0)


def _on_similarity_borders(code: str, year: int) -> str:
    """The 2024 unit holding most of ``code`` (valid in ``year``)."""
    if year == SIMILAR_BORDERS:
        return code
    geography = importlib.import_module("kostra.geography")
    links: pl.DataFrame = geography.mapping(year, SIMILAR_BORDERS)
    found = links.filter(pl.col("from_code") == code).sort("weight", descending=True)
    return str(found["to_code"][0]) if found.height else code


def similar_members(code: str, year: int, *, n: int = 10, db: Path | None = None) -> list[str]:
    """``code`` (valid in ``year``) and the codes valid in ``year`` of its ``n`` most similar
    municipalities; before 2024 a similar 2024 unit counts with every code that became it."""
    home = _on_similarity_borders(code, year)
    features = similarity_features(year, db=db)
    try:
        nearest = similar_municipalities(features, home, n=n)["region"].to_list()
    except KeyError:
        raise KostraError(
            say("error.workbench.no_structure_in_year", code=code, year=year),
            hint=say("error.workbench.no_structure_in_year.hint"),
        ) from None
    if year == SIMILAR_BORDERS:
        return [code, *nearest]
    geography = importlib.import_module("kostra.geography")
    links = (
        geography.mapping(year, SIMILAR_BORDERS)
        .sort("weight", descending=True)
        .unique("from_code", keep="first")
    )
    wanted = set(nearest)
    before = [str(c) for c, t in links.select("from_code", "to_code").iter_rows() if t in wanted]
    return [code, *sorted(c for c in before if c != code)]


def similar(
    municipality: str,
    year: int,
    *,
    n: int = 10,
    db: Path | None = None,
) -> api.Result:
    """The ``n`` municipalities most similar to ``municipality`` in structure, on the 2024
    borders (see :mod:`kostra.analysis.similar`).

    ``frames["similar"]``: ``rank, region, region_name, distance`` and the features;
    ``frames["self"]``: the municipality's own features; ``frames["weights"]``: ``feature,
    label_nb, label_en, label_nn, kind, weight, share``.
    """
    code, name = api.resolve(municipality, year, borders=SIMILAR_BORDERS)
    features = similarity_features(year, db=db)
    try:
        nearest = similar_municipalities(features, code, n=n)
    except KeyError:
        raise KostraError(
            say("error.workbench.no_structure", name=name, code=code),
            hint=say("error.workbench.no_structure.hint"),
        ) from None
    basis = min(year, SIMILAR_BORDERS)
    need_year = _need_year(basis)
    labels = api.names(features["region"].to_list(), borders=SIMILAR_BORDERS)
    named = pl.col("region").replace_strict(labels, default=pl.col("region")).alias("region_name")
    nearest = nearest.with_columns(named).select(
        "rank", "region", "region_name", pl.exclude("rank", "region", "region_name")
    )
    own = features.filter(pl.col("region") == code).with_columns(named)
    weights = used_weights(features).with_columns(
        pl.col("feature").replace_strict(dict(FEATURE_LABELS[lang])).alias(f"label_{lang}")
        for lang in ("nb", "en", "nn")
    )
    notes = [
        api.Note.said(say("note.similar.distance", basis=basis, need_year=need_year)),
        api.Note.said(say("note.similar.fixed")),
    ]
    if "free_income_per_capita" not in features.columns:
        notes.append(api.Note.said(say("note.similar.no_income")))
    return api.Result(
        kind="similar",
        municipality=code,
        name=name,
        year=year,
        peers_name="",
        peers=tuple(nearest["region"].to_list()),
        compare=(),
        borders=SIMILAR_BORDERS,
        synthetic=False,
        source="packaged",
        frames={"similar": nearest, "self": own, "weights": weights},
        notes=tuple(notes),
    )


def similar_payload(
    code: str, year: int, lang: str, *, n: int = 10, db: Path | None = None
) -> dict[str, Any]:
    """:func:`similar` as plain data for the web: ``municipality``, ``year``, ``similar``
    (``rank, code, name, distance, population, density, centrality, kostra_group,
    need_index``), ``weights`` (``feature, label, weight, share``) and ``notes``."""
    result = similar(code, year, n=n, db=db)
    label = f"label_{lang}" if lang in ("nb", "en", "nn") else "label_nb"
    rows = [
        {
            "rank": row["rank"],
            "code": row["region"],
            "name": row["region_name"],
            "distance": row["distance"],
            "population": row["population"],
            "density": row["density"],
            "centrality": row["centrality"],
            "kostra_group": row["kostra_group"],
            "need_index": row["need_index"],
        }
        for row in result.frames["similar"].iter_rows(named=True)
    ]
    weights = [
        {"feature": f, "label": text, "weight": w, "share": s}
        for f, text, w, s in result.frames["weights"]
        .select("feature", label, "weight", "share")
        .iter_rows()
    ]
    return {
        "municipality": {"code": result.municipality, "name": result.name},
        "year": year,
        "similar": rows,
        "weights": weights,
        "notes": result.note_texts(lang),
    }
