"""The analyst's workbench views for one municipality: SSB's KOSTRA nøkkeltall view and the
similar municipalities (Kolada's "liknande kommuner"), for the CLI, the web and the Python API.

Data as in :mod:`kostra.api` (the warehouse, the shipped sample for tables it lacks); the
computations are :func:`kostra.analysis.kostra_view.kostra_view` and
:func:`kostra.analysis.similar.similar_municipalities`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from kostra import api
from kostra.analysis.kostra_view import Aggregate, kostra_view
from kostra.catalog import load_catalog
from kostra.catalog.models import Catalog
from kostra.errors import KostraError

#: The aggregate columns of SSB's view, in SSB's order.
AGGREGATES: tuple[str, ...] = ("kostra_group", "county", "country", "country_ex_oslo")
_COUNTRY = {"nb": "Landet", "en": "Norway"}
_COUNTRY_EX_OSLO = {"nb": "Landet uten Oslo", "en": "Norway excl. Oslo"}


def _aggregates(
    code: str, year: int, borders: int
) -> tuple[list[Aggregate], dict[str, tuple[str, str]], list[api.Note]]:
    """The aggregate columns of ``code`` (on ``borders``), their labels (nb, en), and notes
    for columns left out (a year no KOSTRA grouping covers)."""
    geography = importlib.import_module("kostra.geography")
    aggregates: list[Aggregate] = []
    labels: dict[str, tuple[str, str]] = {}
    notes: list[api.Note] = []
    valid_year = min(year, borders)
    try:
        name, members = api.peers_on_borders("kostra_group", year, code, borders=borders)
    except KostraError:
        command = f"`kostra fetch --classifications --years {year}`"
        notes.append(
            api.Note(
                f"ingen KOSTRA-gruppe for {year} (kostra har SSBs gruppering for 2020–2025; "
                f"hent SSBs klassifikasjon 112 med {command})",
                f"no KOSTRA group for {year} (kostra ships SSB's grouping for 2020–2025; "
                f"fetch SSB's classification 112 with {command})",
            )
        )
    else:
        groups: pl.DataFrame = geography.kostra_groups(valid_year)
        region = groups.filter(pl.col("kostra_group_label") == name)["kostra_group"]
        ssb_code = str(region[0]) if region.len() else ""
        aggregates.append(Aggregate("kostra_group", ssb_code, tuple(members)))
        number = ssb_code.removeprefix("EKG").lstrip("0")
        english = f"KOSTRA group {number}" if name.startswith("KOSTRA-gruppe") else name
        labels["kostra_group"] = (name, english)
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
    labels["county"] = (county_name, county_name)
    _, everyone = api.peers_on_borders("country", year, code, borders=borders)
    aggregates.append(Aggregate("country", "EAK", tuple(everyone)))
    labels["country"] = (_COUNTRY["nb"], _COUNTRY["en"])
    _, without = api.peers_on_borders("country_ex_oslo", year, code, borders=borders)
    aggregates.append(Aggregate("country_ex_oslo", "EAKUO", tuple(without)))
    labels["country_ex_oslo"] = (_COUNTRY_EX_OSLO["nb"], _COUNTRY_EX_OSLO["en"])
    return aggregates, labels, notes


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
    figure and column; ``frames["columns"]``: ``column, region, label_nb, label_en, kind``
    (``self``, ``aggregate``, ``compare``) in the order shown.
    """
    rule = api.borders_rule(year, borders)
    on = api.borders_for(year, borders)
    catalog = catalog or load_catalog()
    code, name = api.resolve(municipality, year, borders=on)
    compare_codes = list(
        dict.fromkeys(c for c in (api.resolve(x, year, borders=on)[0] for x in compare))
    )
    aggregates, labels, notes = _aggregates(code, year, on)
    window = [year - 1, year]
    if data is None:
        data = api.load_data(window, db=db, catalog=catalog)
    frame = api.evaluated(data, catalog, window, borders=on)
    view = kostra_view(
        frame, catalog, code, aggregates, year=year, compare=compare_codes, sectors=sectors
    )
    shown = api.names([code, *compare_codes], borders=on)
    rows = [("self", code, name, name, "self")]
    rows += [(a.key, a.region, labels[a.key][0], labels[a.key][1], "aggregate") for a in aggregates]
    rows += [
        (f"compare:{c}", c, shown.get(c, c), shown.get(c, c), "compare") for c in compare_codes
    ]
    columns = pl.DataFrame(
        rows, schema=["column", "region", "label_nb", "label_en", "kind"], orient="row"
    )
    all_notes = [api.Note(api.SAMPLE_BANNER["nb"], api.SAMPLE_BANNER["en"])] * data.synthetic
    all_notes += notes
    all_notes.append(
        api.Note(
            "KOSTRA-gruppe, fylke og landet: SSBs eget tall der det er hentet; ellers beregnet "
            "av kostra fra kommunenes tall etter SSBs regel (sum teller / sum nevner over "
            "kommunene med tall; enkelt snitt for tall katalogen ikke veier)",
            "KOSTRA group, county and country: SSB's own figure where fetched; otherwise "
            "computed by kostra from the municipalities' figures by SSB's rule (sum of "
            "numerators / sum of denominators over the municipalities with figures; a simple "
            "mean for figures the catalog does not weight)",
        )
    )
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
        synthetic=data.synthetic,
        source=data.source,
        frames={"view": view, "columns": columns},
        notes=tuple(all_notes),
        borders_rule=rule,
    )
