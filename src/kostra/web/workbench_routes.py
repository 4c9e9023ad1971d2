"""The workbench pages and their API answers: ``/kommune/{code}/nokkeltall`` (SSB's KOSTRA
view), ``/kommune/{code}/fakta`` (the municipality at a glance), ``/rangering/sektor/{sector}``
(one barometer sector's ranking with its score columns) and ``/sok`` (key-figure search).

The facts page is
:func:`kostra.facts.municipality_facts`. Registered before :mod:`kostra.web.routes`, whose
``/kommune/{code}/{sector}`` would otherwise take ``nokkeltall`` and ``fakta`` for sectors.
Parameters are checked as there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response

from kostra.web import workbench_views
from kostra.web.routes import (
    MAX_COMPARE,
    Context,
    Ctx,
    Direction,
    FmtQ,
    K,
    PageState,
    PlaceContext,
    _canonical,
    _codes,
    _render,
    _respond,
)

api = APIRouter(prefix="/api", tags=["api"])
pages = APIRouter(include_in_schema=False)


@api.get("/kommune/{kommune}/nokkeltall", summary="SSB's KOSTRA key-figure view")
def api_nokkeltall(
    ctx: PlaceContext,
    k: K = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    fmt: FmtQ = "json",
) -> Response:
    """The municipality beside its KOSTRA group, county, country and country without Oslo
    (and the municipalities ``k``), one column each; ``basis`` says whether an aggregate is
    SSB's own figure or computed by SSB's rule. ``rows``: one per key figure and column."""
    codes = [c for c in _codes(ctx.web, k, ctx.year, ctx.borders) if c != ctx.place.code]
    content = workbench_views.nokkeltall(ctx.web, ctx.view(), codes, ctx.lang)
    return _respond(content, fmt, f"kostra_{ctx.place.code}_{ctx.year}_nokkeltall")


@pages.get("/kommune/{kommune}/nokkeltall", response_class=HTMLResponse)
def nokkeltall_page(
    ctx: PlaceContext,
    k: K = [],  # noqa: B006
) -> Response:
    """SSB's KOSTRA view of a municipality, one table per sector."""
    redirect = _canonical(ctx.request, ctx.place.code, "/nokkeltall")
    if redirect is not None:
        return redirect
    codes = [c for c in _codes(ctx.web, k, ctx.year, ctx.borders) if c != ctx.place.code]
    content = workbench_views.nokkeltall(ctx.web, ctx.view(), codes, ctx.lang)
    state = PageState(ctx, peers=ctx.peers, code=ctx.place.code, extra={"k": codes or None})
    return _render(
        state,
        "nokkeltall.html.j2",
        content=content,
        current_page="nokkeltall",
        codes=codes,
        max_compare=MAX_COMPARE,
        api_path=f"/api/kommune/{ctx.place.code}/nokkeltall",
    )


@api.get("/kommune/{kommune}/fakta", summary="A municipality at a glance")
def api_facts(ctx: PlaceContext, fmt: FmtQ = "json") -> Response:
    """Population and age structure (07459), area and density, the expenditure-need index,
    the headline finances beside the county and the country, and the barometer's headline
    rank (kostra.facts); ``rows``: one per figure."""
    content = workbench_views.facts(ctx.web, ctx.view(), ctx.lang)
    return _respond(content, fmt, f"kostra_{ctx.place.code}_{ctx.year}_fakta")


@pages.get("/kommune/{kommune}/fakta", response_class=HTMLResponse)
def facts_page(ctx: PlaceContext) -> Response:
    """A municipality at a glance, as SSB's Kommunefakta."""
    redirect = _canonical(ctx.request, ctx.place.code, "/fakta")
    if redirect is not None:
        return redirect
    content = workbench_views.facts(ctx.web, ctx.view(), ctx.lang)
    return _render(
        PageState.of(ctx),
        "facts.html.j2",
        content=content,
        current_page="fakta",
        charts={"ages": workbench_views.age_chart(content, ctx.lang)},
        api_path=f"/api/kommune/{ctx.place.code}/fakta",
    )


BarometerSectorPath = Annotated[
    str, Path(pattern=r"^[a-z_]{1,40}$", description="Barometer sector (e.g. grunnskole)")
]
SectorSort = Annotated[
    str,
    Query(
        pattern=r"^[a-z0-9_]{1,64}$",
        description="Sort column: rank, name, code, county_name, population, score, coverage "
        "or one of the sector's indicator ids",
    ),
]


def _sector_ranking(ctx: Ctx, sektor: str, sort: str, retning: str) -> dict[str, Any]:
    return workbench_views.sector_ranking(
        ctx.web,
        ctx.year,
        sektor,
        ctx.lang,
        sort=sort,
        descending=retning == "synkende",
        borders=ctx.borders,
    )


@api.get("/rangering/sektor/{sektor}", summary="Ranking in one barometer sector")
def api_sector_ranking(
    ctx: Context,
    sektor: BarometerSectorPath,
    sort: SectorSort = "rank",
    retning: Direction = "stigende",
    fmt: FmtQ = "json",
) -> Response:
    """Every municipality's rank, score (1–6) and rank interval in the sector, with the score of
    each of the sector's indicators; sorted by ``sort``."""
    content = _sector_ranking(ctx, sektor, sort, retning)
    return _respond(content, fmt, f"kostra_rangering_{sektor}_{ctx.year}")


@pages.get("/rangering/sektor/{sektor}", response_class=HTMLResponse)
def sector_ranking_page(
    ctx: Context,
    sektor: BarometerSectorPath,
    sort: SectorSort = "rank",
    retning: Direction = "stigende",
) -> HTMLResponse:
    """One barometer sector's ranking: score columns, sortable by every column (links in the
    header; no JavaScript needed)."""
    content = _sector_ranking(ctx, sektor, sort, retning)
    extra = {
        "sort": None if sort == "rank" else sort,
        "retning": None if retning == "stigende" else retning,
    }
    return _render(
        PageState(ctx, extra=extra),
        "sector_ranking.html.j2",
        content=content,
        barometer_sectors=workbench_views.barometer_sectors(
            ctx.web, ctx.year, ctx.lang, ctx.borders
        ),
        api_path=f"/api/rangering/sektor/{sektor}",
    )


@pages.get("/sok", response_class=HTMLResponse)
def search_page(ctx: Context, q: Annotated[str, Query(max_length=80)] = "") -> HTMLResponse:
    """Search the key figures (names, SSB's labels, synonyms) and open one in the ranking,
    the map or the comparison; results grouped by sector. The same search answers
    ``/api/indikatorer?q=``."""
    content = workbench_views.search(ctx.web, q, ctx.lang)
    return _render(
        PageState(ctx, extra={"q": q or None}),
        "search.html.j2",
        content=content,
        api_path="/api/indikatorer",
    )
