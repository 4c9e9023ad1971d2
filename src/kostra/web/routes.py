"""Pages (HTML) and the JSON API. Every parameter is validated before it reaches the data:
municipalities through the CLI's name resolution, years against the years with figures,
sectors and key figures against the catalog; nothing of a request becomes a path or SQL.

Page URLs: ``/kommune/{code or name}``, ``/kommune/{code}/{sector}``, ``/rangering``,
``/sammenlign?k=…``, ``/kart``. The API under ``/api/`` serves the same numbers (``format=json``,
``csv`` or ``xlsx``); the state of a page (year ``ar``, peer group ``gruppe``, language
``lang``, key figure ``indikator`` …) is in its URL, so a view can be shared.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import polars as pl
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kostra.report.locale import number, sector_name
from kostra.report.model import REPORT_SECTORS
from kostra.web import views
from kostra.web.data import (
    BAROMETER_RANK,
    PEER_CHOICES,
    RANKING_SORTS,
    SECTOR_IDS,
    SIZE_CLASSES,
    NotFoundError,
    WebData,
)
from kostra.web.labels import label

api = APIRouter(prefix="/api", tags=["api"])
pages = APIRouter(include_in_schema=False)

MAX_COMPARE = 10

Lang = Literal["nb", "en"]
Fmt = Literal["json", "csv", "xlsx"]
PeerKey = Literal["standard", "asss", "county", "country", "country_ex_oslo", "kostra_group"]
SectorId = Literal[
    "grunnskole",
    "barnehage",
    "barnevern",
    "pleie_og_omsorg",
    "sosiale_tjenester",
    "kommunehelse",
    "kultur_og_fritid",
    "administrasjon",
    "eiendom",
]
assert set(SectorId.__args__) == set(SECTOR_IDS)  # type: ignore[attr-defined]
assert set(PeerKey.__args__) == set(PEER_CHOICES)  # type: ignore[attr-defined]

Year = Annotated[
    int | None, Query(alias="ar", ge=1900, le=2100, description="Year (default: the newest)")
]
LangQ = Annotated[Lang, Query(description="Language: nb (default) or en")]
Peers = Annotated[PeerKey, Query(alias="gruppe", description="Peer group")]
Municipality = Annotated[
    str, Path(min_length=1, max_length=80, description="Municipality code or name")
]
Measure = Annotated[
    str,
    Query(
        alias="indikator",
        pattern=r"^[a-z0-9_]{1,64}$",
        description="Key figure id (see /api/indikatorer) or 'barometer' for the total rank",
    ),
]
FmtQ = Annotated[Fmt, Query(alias="format", description="json, csv or xlsx")]


def _web(request: Request) -> WebData:
    web: WebData = request.app.state.web
    return web


# -- downloads ----------------------------------------------------------------------------------


def _table(rows: Sequence[Mapping[str, Any]], synthetic: bool, lang: str) -> pl.DataFrame:
    flat = [
        {k: (json.dumps(v) if isinstance(v, list | dict) else v) for k, v in r.items()}
        for r in rows
    ]
    frame = pl.DataFrame(flat, infer_schema_length=None) if flat else pl.DataFrame()
    if synthetic:
        # a download travels without the page: the sample warning goes with every row
        frame = frame.with_columns(
            pl.lit(label("synthetic_value", lang)).alias(label("data_source", lang).lower())
        )
    return frame


def _respond(content: dict[str, Any], fmt: str, filename: str) -> Response:
    if fmt == "json":
        return JSONResponse(content)
    frame = _table(content.get("rows", []), bool(content.get("synthetic")), content["lang"])
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in filename)
    if fmt == "csv":
        return Response(
            frame.write_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{safe}.csv"'},
        )
    buffer = io.BytesIO()
    frame.write_excel(buffer, worksheet="kostra")
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{safe}.xlsx"'},
    )


# -- JSON API -----------------------------------------------------------------------------------


@api.get("/ar", summary="Years with figures")
def api_years(request: Request) -> dict[str, Any]:
    """The years with figures and the default (newest) year."""
    web = _web(request)
    return {"years": web.years(), "default": web.default_year(), "synthetic": web.synthetic}


@api.get("/indikatorer", summary="Key figures of the catalog")
def api_indicators(request: Request, lang: LangQ = "nb") -> dict[str, Any]:
    """Every key figure: id, sector, name, unit, direction."""
    web = _web(request)
    return {
        "indicators": [
            {
                "id": ind.id,
                "sector": ind.sector.value,
                "name": views.indicator_name(ind, lang),
                "unit": ind.unit,
                "direction": ind.direction,
            }
            for ind in web.indicators()
        ]
    }


@api.get("/kommuner", summary="Type-ahead search of municipalities")
def api_search(
    request: Request,
    q: Annotated[str, Query(max_length=80)] = "",
    limit: Annotated[int, Query(ge=1, le=400)] = 10,
) -> dict[str, Any]:
    """Municipalities whose name or code starts with (then contains) ``q``, matched like the
    CLI (case and Norwegian letters folded); all of them when ``q`` is empty."""
    web = _web(request)
    found = web.search(q, limit=limit) if q.strip() else web.places()[:limit]
    return {"municipalities": [{"code": p.code, "name": p.name, "county": p.county} for p in found]}


@api.get("/finn", summary="Resolve a name or code as the CLI does")
def api_resolve(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=80)], year: Year = None
) -> dict[str, Any]:
    """The municipality ``q`` means (404 with suggestions when none)."""
    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(q, year)
    return {"code": place.code, "name": place.name, "county": place.county}


@api.get("/kommune/{kommune}", summary="Overview of a municipality")
def api_overview(
    request: Request,
    kommune: Municipality,
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
    fmt: FmtQ = "json",
) -> Response:
    """Summary findings, production/efficiency, barometer rank with interval, need-corrected
    costs; ``rows``: one per sector (what the CSV/XLSX holds)."""
    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(kommune, year)
    content = views.overview(web.view(place.code, year, gruppe), lang)
    return _respond(content, fmt, f"kostra_{place.code}_{year}_oversikt")


@api.get("/kommune/{kommune}/{sektor}", summary="One sector of a municipality")
def api_sector(
    request: Request,
    kommune: Municipality,
    sektor: SectorId,
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
    fmt: FmtQ = "json",
) -> Response:
    """Service profile against the peers (``rows``), history, need-corrected cost, barometer."""
    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(kommune, year)
    content = views.sector(web.view(place.code, year, gruppe), sektor, lang)
    return _respond(content, fmt, f"kostra_{place.code}_{year}_{sektor}")


def _filters(
    web: WebData,
    year: int,
    measure: str,
    q: str,
    fylke: str | None,
    kostragruppe: str | None,
    storrelse: str | None,
    sort: str,
    retning: str,
) -> pl.DataFrame:
    return web.ranking(
        year,
        measure,
        query=q,
        county=fylke or None,
        kostra_group=kostragruppe or None,
        size=storrelse or None,
        sort=sort,
        descending=retning == "synkende",
    )


County = Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="County code")]
Group = Annotated[str | None, Query(max_length=80, description="KOSTRA group")]
Size = Annotated[
    Literal["small", "medium", "large", "city"] | None, Query(description="Size class")
]
SortKey = Literal["place", "value", "name", "code", "population", "county_name", "rank"]
assert set(SortKey.__args__) == set(RANKING_SORTS)  # type: ignore[attr-defined]
Sort = Annotated[SortKey, Query(description="Sort column")]
Direction = Annotated[Literal["stigende", "synkende"], Query(description="Sort direction")]


@api.get("/rangering", summary="Ranking of every municipality")
def api_ranking(
    request: Request,
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    q: Annotated[str, Query(max_length=80)] = "",
    fylke: County = None,
    kostragruppe: Group = None,
    storrelse: Size = None,
    sort: Sort = "place",
    retning: Direction = "stigende",
    lang: LangQ = "nb",
    fmt: FmtQ = "json",
) -> Response:
    """Every municipality's value of a key figure (or barometer rank), filtered and sorted."""
    web = _web(request)
    year = web.check_year(year)
    frame = _filters(web, year, indikator, q, fylke, kostragruppe, storrelse, sort, retning)
    content = views.ranking(web, frame, year, indikator, lang)
    return _respond(content, fmt, f"kostra_rangering_{indikator}_{year}")


def _codes(web: WebData, k: Sequence[str], year: int) -> list[str]:
    parts = list(dict.fromkeys(p.strip() for item in k for p in item.split(",") if p.strip()))
    # counted before resolving: a long list costs nothing but this error
    if len(parts) > MAX_COMPARE:
        raise NotFoundError(
            f"{len(parts)} municipalities given.",
            hint=f"Compare at most {MAX_COMPARE}.",
            nb=f"{len(parts)} kommuner er valgt.",
            hint_nb=f"Sammenlign høyst {MAX_COMPARE}.",
        )
    return list(dict.fromkeys(web.resolve(p, year).code for p in parts))


K = Annotated[
    list[str],
    Query(max_length=MAX_COMPARE * 2, description="Municipalities (codes or names), up to ten"),
]


@api.get("/sammenlign", summary="Compare up to ten municipalities on one key figure")
def api_compare(
    request: Request,
    k: K,
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    lang: LangQ = "nb",
    fmt: FmtQ = "json",
) -> Response:
    """The municipalities' values in the year (``rows``) and over the years (``series``)."""
    web = _web(request)
    year = web.check_year(year)
    codes = _codes(web, k, year)
    content = views.compare(web, codes, year, indikator, lang)
    return _respond(content, fmt, f"kostra_sammenligning_{indikator}_{year}")


@api.get("/kart", summary="Values of every municipality for the map")
def api_map(
    request: Request,
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    lang: LangQ = "nb",
    fmt: FmtQ = "json",
) -> Response:
    """Every municipality's value (or barometer rank) on the 2024 borders."""
    web = _web(request)
    year = web.check_year(year)
    content = views.map_view(web, year, indikator, lang)
    return _respond(content, fmt, f"kostra_kart_{indikator}_{year}")


# -- pages --------------------------------------------------------------------------------------


class PageState:
    """A page's URL state and the helpers its template uses."""

    def __init__(
        self,
        request: Request,
        web: WebData,
        *,
        year: int,
        lang: str,
        peers: str = "standard",
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.request = request
        self.web = web
        self.year = year
        self.lang = lang
        self.peers = peers
        self.code = code
        self.extra = dict(extra or {})

    def query(self, **changes: Any) -> str:
        """The query string of this state with ``changes`` (defaults left out)."""
        values: dict[str, Any] = {
            "ar": self.year if self.year != self.web.default_year() else None,
            "gruppe": self.peers if self.peers != "standard" else None,
            "lang": self.lang if self.lang != "nb" else None,
            **self.extra,
        }
        values.update(changes)
        items: list[tuple[str, Any]] = []
        for key, value in values.items():
            if value is None or value == "":
                continue
            if isinstance(value, list | tuple):
                items.extend((key, v) for v in value)
            else:
                items.append((key, value))
        text = urlencode(items)
        return f"?{text}" if text else ""

    def url(self, path: str, **changes: Any) -> str:
        """``path`` with this state's query and ``changes``."""
        return path + self.query(**changes)

    def context(self, **values: Any) -> dict[str, Any]:
        lang = self.lang
        return {
            "lang": lang,
            "L": lambda key, **v: label(key, lang, **v),
            "num": lambda value, decimals=None: number(value, lang, decimals),
            "sector_name": lambda s: sector_name(s, lang, capital=True),
            "state": self,
            "years": self.web.years(),
            # KOSTRA groups need SSB's classification (Klass 112) cached; offline there is none
            "peer_choices": [
                p
                for p in PEER_CHOICES
                if p != "kostra_group" or self.web.kostra_groups_available(self.year)
            ],
            "sectors": [s.value for s in REPORT_SECTORS],
            "path": self.request.url.path,
            "other_lang": "en" if lang == "nb" else "nb",
            **values,
        }


def _render(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    html = request.app.state.templates.get_template(template).render(**context)
    return HTMLResponse(html)


def _canonical(request: Request, code: str, suffix: str = "") -> RedirectResponse | None:
    """A redirect to the code URL when the municipality was given by name."""
    given = request.path_params.get("kommune", "")
    if given == code:
        return None
    query = request.url.query
    target = f"/kommune/{quote(code)}{suffix}" + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=302)


@pages.get("/", response_class=HTMLResponse)
def front(request: Request, year: Year = None, lang: LangQ = "nb") -> HTMLResponse:
    """The front page: the chooser and the barometer map."""
    web = _web(request)
    year = web.check_year(year)
    state = PageState(request, web, year=year, lang=lang)
    content = views.map_view(web, year, BAROMETER_RANK, lang)
    return _render(
        request,
        "front.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            charts={"map": views.map_spec(content, lang)},
        ),
    )


@pages.get("/finn")
def find(
    request: Request,
    q: Annotated[str, Query(max_length=80)] = "",
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
    fra: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """The chooser's form target: resolve the name and open the municipality's overview; with
    no name, reopen the page the form was on (``fra``, one of this app's own page paths) in the
    chosen year, peer group and language."""
    web = _web(request)
    year = web.check_year(year)
    state = PageState(request, web, year=year, lang=lang, peers=gruppe)
    if not q.strip():
        target = fra if fra is not None and _OWN_PAGE.fullmatch(fra) else "/"
        return RedirectResponse(state.url(target), status_code=302)
    place = web.resolve(q, year)
    return RedirectResponse(state.url(f"/kommune/{place.code}"), status_code=302)


#: The pages ``/finn`` may send a visitor back to: never another host or an arbitrary path.
_OWN_PAGE = re.compile(r"/(kommune/[0-9]{4}(/[a-z_]{1,40})?|rangering|sammenlign|kart)?")


@pages.get("/kommune/{kommune}/rapport.{ext}")
def report(
    request: Request,
    kommune: Municipality,
    ext: Literal["pdf", "html"],
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
) -> Response:
    """The full report of the municipality (kostra.report) as PDF or HTML."""
    from kostra.report.render import render_html, render_pdf

    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(kommune, year)
    view = web.view(place.code, year, gruppe)
    name = f"kostra_{place.code}_{year}_{lang}"
    if ext == "pdf":
        body: bytes | str = web.rendered(
            ("pdf", place.code, year, gruppe, lang),
            lambda: render_pdf(view.data, lang, findings=view.findings),
        )
        media = "application/pdf"
    else:
        body = web.rendered(
            ("html", place.code, year, gruppe, lang),
            lambda: render_html(view.data, lang, findings=view.findings),
        )
        media = "text/html; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}.{ext}"'},
    )


@pages.get("/kommune/{kommune}", response_class=HTMLResponse)
def overview_page(
    request: Request,
    kommune: Municipality,
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
) -> Response:
    """A municipality's overview."""
    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(kommune, year)
    redirect = _canonical(request, place.code)
    if redirect is not None:
        return redirect
    view = web.view(place.code, year, gruppe)
    state = PageState(request, web, year=year, lang=lang, peers=gruppe, code=place.code)
    content = views.overview(view, lang)
    return _render(
        request,
        "overview.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            charts=views.overview_charts(view, lang),
            api_path=f"/api/kommune/{place.code}",
        ),
    )


@pages.get("/kommune/{kommune}/{sektor}", response_class=HTMLResponse)
def sector_page(
    request: Request,
    kommune: Municipality,
    sektor: SectorId,
    year: Year = None,
    gruppe: Peers = "standard",
    lang: LangQ = "nb",
) -> Response:
    """One sector of a municipality."""
    web = _web(request)
    year = web.check_year(year)
    place = web.resolve(kommune, year)
    redirect = _canonical(request, place.code, f"/{sektor}")
    if redirect is not None:
        return redirect
    view = web.view(place.code, year, gruppe)
    state = PageState(request, web, year=year, lang=lang, peers=gruppe, code=place.code)
    content = views.sector(view, sektor, lang)
    return _render(
        request,
        "sector.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            charts=views.sector_charts(view.data, content, lang),
            api_path=f"/api/kommune/{place.code}/{sektor}",
        ),
    )


def _measures(web: WebData, lang: str) -> list[tuple[str, str, str]]:
    """(id, name, sector name) of every measure a ranking or map can show."""
    out = [(BAROMETER_RANK, label("barometer_rank", lang), "")]
    for ind in web.indicators():
        out.append((ind.id, views.indicator_name(ind, lang), sector_name(ind.sector.value, lang)))
    return out


@pages.get("/rangering", response_class=HTMLResponse)
def ranking_page(
    request: Request,
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    q: Annotated[str, Query(max_length=80)] = "",
    fylke: County = None,
    kostragruppe: Group = None,
    storrelse: Size = None,
    sort: Sort = "place",
    retning: Direction = "stigende",
    lang: LangQ = "nb",
) -> HTMLResponse:
    """Every municipality, searchable, sortable and filtered by county, KOSTRA group, size."""
    web = _web(request)
    year = web.check_year(year)
    frame = _filters(web, year, indikator, q, fylke, kostragruppe, storrelse, sort, retning)
    content = views.ranking(web, frame, year, indikator, lang)
    extra = {
        "indikator": indikator if indikator != BAROMETER_RANK else None,
        "q": q or None,
        "fylke": fylke,
        "kostragruppe": kostragruppe,
        "storrelse": storrelse,
        "sort": sort if sort != "place" else None,
        "retning": retning if retning != "stigende" else None,
    }
    state = PageState(request, web, year=year, lang=lang, extra=extra)
    everyone = web.values(year, indikator)
    counties = sorted(
        {(c, n) for c, n in everyone.select("county_code", "county_name").iter_rows()}
    )
    groups = sorted({g for g in everyone["kostra_group"].to_list() if g})
    return _render(
        request,
        "ranking.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            measures=_measures(web, lang),
            measure=indikator,
            counties=counties,
            groups=groups,
            sizes=list(SIZE_CLASSES),
            filters={
                "q": q,
                "fylke": fylke or "",
                "kostragruppe": kostragruppe or "",
                "storrelse": storrelse or "",
                "sort": sort,
                "retning": retning,
            },
            api_path="/api/rangering",
        ),
    )


@pages.get("/sammenlign", response_class=HTMLResponse)
def compare_page(
    request: Request,
    k: K = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    lang: LangQ = "nb",
) -> HTMLResponse:
    """Up to ten municipalities side by side on one key figure."""
    web = _web(request)
    year = web.check_year(year)
    codes = _codes(web, k, year)
    content = views.compare(web, codes, year, indikator, lang)
    state = PageState(
        request,
        web,
        year=year,
        lang=lang,
        extra={"k": codes, "indikator": indikator if indikator != BAROMETER_RANK else None},
    )
    specs = views.compare_charts(web, content, web.year_view(year), lang) if codes else []
    return _render(
        request,
        "compare.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            measures=_measures(web, lang),
            measure=indikator,
            codes=codes,
            max_compare=MAX_COMPARE,
            charts=specs,
            api_path="/api/sammenlign",
        ),
    )


@pages.get("/kart", response_class=HTMLResponse)
def map_page(
    request: Request,
    year: Year = None,
    indikator: Measure = BAROMETER_RANK,
    lang: LangQ = "nb",
) -> HTMLResponse:
    """Norway's municipalities coloured by a key figure or the barometer rank."""
    web = _web(request)
    year = web.check_year(year)
    content = views.map_view(web, year, indikator, lang)
    state = PageState(
        request,
        web,
        year=year,
        lang=lang,
        extra={"indikator": indikator if indikator != BAROMETER_RANK else None},
    )
    return _render(
        request,
        "map.html.j2",
        state.context(
            content=content,
            banner=content["banner"],
            measures=_measures(web, lang),
            measure=indikator,
            charts={"map": views.map_spec(content, lang)},
            api_path="/api/kart",
        ),
    )


@pages.get(views.TOPOLOGY_URL)
def topology() -> Response:
    """The packaged municipality boundaries (2024, © Kartverket) the maps load."""
    return Response(
        views.topology_bytes(),
        media_type="application/json",
        headers={"cache-control": "public, max-age=86400"},
    )


@pages.get("/vendor/vega.js")
def vega_bundle() -> Response:
    """Vega, Vega-Lite and Vega-Embed from vl-convert (served locally: no CDN)."""
    from kostra.report.render import javascript_bundle

    return Response(
        javascript_bundle(),
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": "public, max-age=86400"},
    )
