"""Pages (HTML) and the JSON API. Every parameter is validated before it reaches the data:
municipalities through the CLI's name resolution, years against the years with figures,
sectors and key figures against the catalog; nothing of a request becomes a path or SQL.

Page URLs: ``/kommune/{code or name}``, ``/kommune/{code}/{sector}``, ``/rangering``,
``/sammenlign?k=…``, ``/kart``. The API under ``/api/`` serves the same numbers (``format=json``,
``csv`` or ``xlsx``); the state of a page (year ``ar``, peer group ``gruppe``, language
``lang``, municipal borders ``grenser``, key figure ``indikator`` …) is in its URL, so a view can
be shared.

Borders (:mod:`kostra.web.borders`): a year is shown on its own municipal borders and peer
members by default (``grenser=aar``), as the CLI and the report; ``grenser=nyeste`` puts it on
today's. The map and time series are on today's borders whatever the choice. Every page says
which borders it is on, every API answer carries ``borders`` (the year of the borders) and every
download a ``kommunegrenser`` column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

import polars as pl
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kostra import api as kostra_api
from kostra.errors import KostraError
from kostra.i18n import plural, unit_name
from kostra.i18n.said import same, say, say_plural
from kostra.report.locale import sector_name
from kostra.report.model import REPORT_SECTORS
from kostra.web import downloads, views, workbench_views
from kostra.web.borders import DEFAULT_GRENSER, GRENSER, change_note
from kostra.web.data import (
    BAROMETER_RANK,
    PEER_CHOICES,
    RANKING_SORTS,
    SECTOR_IDS,
    SIZE_CLASSES,
    ComputingError,
    MunicipalityView,
    Place,
    WebData,
    borders_year,
)
from kostra.web.labels import label

api = APIRouter(prefix="/api", tags=["api"])
pages = APIRouter(include_in_schema=False)

MAX_COMPARE = 10

Lang = Literal["nb", "nn", "en"]
Fmt = Literal["json", "csv", "xlsx"]
PeerKey = Literal[
    "standard", "asss", "county", "country", "country_ex_oslo", "kostra_group", "similar"
]
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
LangQ = Annotated[Lang, Query(description="Language: nb (default), nn or en")]
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
GrenserKey = Literal["aar", "nyeste"]
assert set(GrenserKey.__args__) == set(GRENSER)  # type: ignore[attr-defined]
Grenser = Annotated[
    GrenserKey,
    Query(
        description="Municipal borders: aar (the year's own borders and peer members, the "
        "default, as SSB publishes) or nyeste (today's borders)"
    ),
]


def _web(request: Request) -> WebData:
    web: WebData = request.app.state.web
    return web


@dataclass(frozen=True)
class Ctx:
    """What every route starts from: the app's data, the checked year and the language."""

    request: Request
    web: WebData
    year: int
    lang: Lang
    #: the borders choice: ``"year"`` (the year's own, default) or ``"newest"``
    borders: str

    @property
    def borders_year(self) -> int:
        """The year of the municipal borders the figures are on."""
        return borders_year(self.year, self.borders)


def _ctx(request: Request, year: Year = None, lang: LangQ = "nb", grenser: Grenser = "aar") -> Ctx:
    web = _web(request)
    return Ctx(request, web, web.check_year(year), lang, GRENSER[grenser])


@dataclass(frozen=True)
class PlaceCtx(Ctx):
    """:class:`Ctx` of a municipality's page: the municipality resolved and the peer group."""

    place: Place
    peers: PeerKey

    def view(self) -> MunicipalityView:
        """The municipality's analyses in the year against the peer group (cached)."""
        return self.web.view(self.place.code, self.year, self.peers, self.borders)

    def series_view(self) -> MunicipalityView | None:
        """The same municipality on the newest borders, for time series, when the page is on
        older ones (``None``: the page's own view has them, or the unit was split since)."""
        series = self.web.series_borders(self.year)
        if series == self.borders or self.borders_year >= kostra_api.NEWEST_BORDERS:
            return None
        moved = kostra_api._to_borders(
            [self.place.code], self.borders_year, kostra_api.NEWEST_BORDERS
        )
        if len(moved) != 1:
            return None
        try:
            return self.web.view(moved[0], self.year, self.peers, series)
        except ComputingError:  # not computed yet: the page's own series, and it says so
            return None


def _place_ctx(
    ctx: Annotated[Ctx, Depends(_ctx)], kommune: Municipality, gruppe: Peers = "standard"
) -> PlaceCtx:
    place = ctx.web.resolve(kommune, ctx.year, ctx.borders)
    return PlaceCtx(ctx.request, ctx.web, ctx.year, ctx.lang, ctx.borders, place, gruppe)


#: The year and language of a request, checked.
Context = Annotated[Ctx, Depends(_ctx)]
#: The year, language, municipality and peer group of a request, checked and resolved.
PlaceContext = Annotated[PlaceCtx, Depends(_place_ctx)]


# -- downloads ----------------------------------------------------------------------------------


def _respond(content: dict[str, Any], fmt: str, filename: str) -> Response:
    """The answer as JSON, or its ``rows`` as a CSV or XLSX download in the page's language
    (:mod:`kostra.web.downloads`)."""
    if fmt == "json":
        return JSONResponse(content)
    lang = content["lang"]
    rows = content.get("rows", [])
    # a download travels without the page: the sample warning goes with every row; rows that
    # carry their own origin (real and sample tables mixed) say it row by row instead
    data_column = (
        (label("data_source", lang).lower(), label("synthetic_value", lang))
        if content.get("synthetic")
        and not (content.get("data_origin") == "mixed" and any(r.get("origin") for r in rows))
        else None
    )
    rows = [
        {**r, "origin": label(f"origin_{r['origin']}", lang)} if r.get("origin") else r
        for r in rows
    ]
    if "borders" in content:
        # a download travels without the page: the borders go with every row, as in the CLI's
        rows = [{**row, "borders": content["borders"]} for row in rows]
    table = downloads.frame(
        rows,
        lang,
        data_column=data_column,
        names=downloads.indicator_names(content),
    )
    unit = downloads.unit_of(content)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in filename)
    if fmt == "csv":
        return Response(
            downloads.csv_download(table, lang, unit),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{safe}.csv"'},
        )
    return Response(
        downloads.xlsx_download(table, _sheet_title(content, filename), lang, unit),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{safe}.xlsx"'},
    )


def _sheet_title(content: Mapping[str, Any], filename: str) -> str:
    """A readable sheet name: the key figure, the sector or the municipality of the page."""
    for key in ("measure", "sector", "municipality"):
        part = content.get(key)
        if isinstance(part, Mapping) and part.get("name"):
            return str(part["name"])
    return filename


# -- JSON API -----------------------------------------------------------------------------------


@api.get("/ar", summary="Years with figures")
def api_years(request: Request) -> dict[str, Any]:
    """The years with figures and the default (newest) year."""
    web = _web(request)
    return {"years": web.years(), "default": web.default_year(), "synthetic": web.synthetic}


@api.get("/indikatorer", summary="Key figures of the catalog")
def api_indicators(
    request: Request, lang: LangQ = "nb", q: Annotated[str, Query(max_length=80)] = ""
) -> dict[str, Any]:
    """Every key figure: id, sector, name, unit, direction; with ``q``, those matching its
    words (names, SSB labels, synonyms; the CLI's ``kostra catalog --search``), grouped by
    sector, best first."""
    web = _web(request)
    shown = list(web.indicators())
    if q.strip():
        from kostra.catalog.search import by_sector, search_indicators

        shown = [ind for ind, _ in by_sector(search_indicators(shown, q))]
    return {
        "indicators": [
            {
                "id": ind.id,
                "sector": ind.sector.value,
                "name": views.indicator_name(ind, lang),
                "unit": ind.unit,
                "direction": ind.direction,
            }
            for ind in shown
        ]
    }


@api.get("/kommuner", summary="Type-ahead search of municipalities")
def api_search(
    ctx: Context,
    q: Annotated[str, Query(max_length=80)] = "",
    limit: Annotated[int, Query(ge=1, le=400)] = 10,
) -> dict[str, Any]:
    """The municipalities of the year (``ar``) on its borders (``grenser``) whose name or code
    starts with (then contains) ``q``, matched like the CLI (case and Norwegian letters
    folded); all of them when ``q`` is empty."""
    web = ctx.web
    found = (
        web.search(q, limit=limit, year=ctx.year, borders=ctx.borders)
        if q.strip()
        else web.places(ctx.year, ctx.borders)[:limit]
    )
    return {
        "year": ctx.year,
        "borders": ctx.borders_year,
        "municipalities": [{"code": p.code, "name": p.name, "county": p.county} for p in found],
    }


@api.get("/finn", summary="Resolve a name or code as the CLI does")
def api_resolve(
    ctx: Context, q: Annotated[str, Query(min_length=1, max_length=80)]
) -> dict[str, Any]:
    """The municipality ``q`` means (404 with suggestions when none)."""
    place = ctx.web.resolve(q, ctx.year, ctx.borders)
    return {
        "code": place.code,
        "name": place.name,
        "county": place.county,
        "year": ctx.year,
        "borders": ctx.borders_year,
    }


@api.get("/lignende/{kommune}", summary="The municipalities most similar in structure")
def api_similar(ctx: PlaceContext) -> dict[str, Any]:
    """The ten nearest municipalities by structure (kostra.analysis.similar), with the weights."""
    from kostra import workbench

    return workbench.similar_payload(ctx.place.code, ctx.year, ctx.lang, db=ctx.web.db)


@api.get("/kommune/{kommune}", summary="Overview of a municipality")
def api_overview(ctx: PlaceContext, fmt: FmtQ = "json") -> Response:
    """Summary findings, production/efficiency, barometer rank with interval, need-corrected
    costs; ``rows``: one per sector (what the CSV/XLSX holds)."""
    content = views.overview(ctx.view(), ctx.lang)
    return _respond(content, fmt, f"kostra_{ctx.place.code}_{ctx.year}_oversikt")


@api.get("/kommune/{kommune}/{sektor}", summary="One sector of a municipality")
def api_sector(ctx: PlaceContext, sektor: SectorId, fmt: FmtQ = "json") -> Response:
    """Service profile against the peers (``rows``), history (on the newest borders,
    ``series_borders``), need-corrected cost, barometer."""
    content = _sector_content(ctx, sektor)
    return _respond(content, fmt, f"kostra_{ctx.place.code}_{ctx.year}_{sektor}")


def _sector_content(ctx: PlaceCtx, sektor: str) -> dict[str, Any]:
    """A sector of the municipality, its time series on the newest borders."""
    content = views.sector(ctx.view(), sektor, ctx.lang)
    return views.sector_series(content, ctx.series_view(), sektor, ctx.lang)


County = Annotated[str | None, Query(pattern=r"^[0-9]{2}$", description="County code")]
Group = Annotated[str | None, Query(max_length=80, description="KOSTRA group")]
Size = Annotated[
    Literal["small", "medium", "large", "city"] | None, Query(description="Size class")
]
SortKey = Literal["place", "value", "name", "code", "population", "county_name", "rank", "score"]
assert set(SortKey.__args__) == set(RANKING_SORTS)  # type: ignore[attr-defined]
Sort = Annotated[SortKey, Query(description="Sort column")]
Direction = Annotated[Literal["stigende", "synkende"], Query(description="Sort direction")]


@dataclass(frozen=True)
class RankingFilters:
    """The ranking's search, filters and sort order, as given in the URL."""

    q: str
    fylke: str | None
    kostragruppe: str | None
    storrelse: str | None
    sort: str
    retning: str

    def frame(self, ctx: Ctx, measure: str) -> pl.DataFrame:
        """The ranking of ``measure`` in the context's year, filtered and sorted."""
        return ctx.web.ranking(
            ctx.year,
            measure,
            query=self.q,
            county=self.fylke or None,
            kostra_group=self.kostragruppe or None,
            size=self.storrelse or None,
            sort=self.sort,
            descending=self.retning == "synkende",
            borders=ctx.borders,
        )


def _ranking_filters(
    q: Annotated[str, Query(max_length=80)] = "",
    fylke: County = None,
    kostragruppe: Group = None,
    storrelse: Size = None,
    sort: Sort = "place",
    retning: Direction = "stigende",
) -> RankingFilters:
    return RankingFilters(q, fylke, kostragruppe, storrelse, sort, retning)


Filters = Annotated[RankingFilters, Depends(_ranking_filters)]


@api.get("/rangering", summary="Ranking of every municipality")
def api_ranking(
    ctx: Context, filters: Filters, indikator: Measure = BAROMETER_RANK, fmt: FmtQ = "json"
) -> Response:
    """Every municipality's value of a key figure (or barometer rank), filtered and sorted."""
    frame = filters.frame(ctx, indikator)
    content = views.ranking(ctx.web, frame, ctx.year, indikator, ctx.lang, ctx.borders)
    return _respond(content, fmt, f"kostra_rangering_{indikator}_{ctx.year}")


def _codes(web: WebData, k: Sequence[str], year: int, borders: str = "year") -> list[str]:
    parts = list(dict.fromkeys(p.strip() for item in k for p in item.split(",") if p.strip()))
    # counted before resolving: a long list costs nothing but this error
    if len(parts) > MAX_COMPARE:
        raise KostraError(
            say_plural("error.web.too_many", len(parts), same(str(len(parts)))),
            hint=say("error.web.too_many.hint", most=MAX_COMPARE),
        )
    return list(dict.fromkeys(web.resolve(p, year, borders).code for p in parts))


K = Annotated[
    list[str],
    Query(max_length=MAX_COMPARE * 2, description="Municipalities (codes or names), up to ten"),
]


@api.get("/sammenlign", summary="Compare up to ten municipalities on one key figure")
def api_compare(
    ctx: Context, k: K, indikator: Measure = BAROMETER_RANK, fmt: FmtQ = "json"
) -> Response:
    """The municipalities' values in the year (``rows``) and over the years (``series``)."""
    codes = _codes(ctx.web, k, ctx.year, ctx.borders)
    content = views.compare(ctx.web, codes, ctx.year, indikator, ctx.lang, ctx.borders)
    return _respond(content, fmt, f"kostra_sammenligning_{indikator}_{ctx.year}")


@api.get("/kart", summary="Values of every municipality for the map")
def api_map(ctx: Context, indikator: Measure = BAROMETER_RANK, fmt: FmtQ = "json") -> Response:
    """Every municipality's value (or barometer rank) on the 2024 borders (the map's, whatever
    ``grenser``)."""
    content = views.map_view(ctx.web, ctx.year, indikator, ctx.lang, ctx.borders)
    return _respond(content, fmt, f"kostra_kart_{indikator}_{ctx.year}")


# -- pages --------------------------------------------------------------------------------------


#: The borders choice → its ``grenser`` value.
_GRENSER_OF = {choice: key for key, choice in GRENSER.items()}


class PageState:
    """A page's URL state and the helpers its template uses."""

    def __init__(
        self,
        ctx: Ctx,
        *,
        peers: str = "standard",
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.request = ctx.request
        self.web = ctx.web
        self.year = ctx.year
        self.lang = ctx.lang
        self.borders = ctx.borders
        self.borders_year = ctx.borders_year
        self.peers = peers
        self.code = code
        self.extra = dict(extra or {})

    @classmethod
    def of(cls, ctx: PlaceCtx) -> PageState:
        """The state of a municipality's page."""
        return cls(ctx, peers=ctx.peers, code=ctx.place.code)

    def query(self, **changes: Any) -> str:
        """The query string of this state with ``changes`` (defaults left out)."""
        values: dict[str, Any] = {
            "ar": self.year if self.year != self.web.default_year() else None,
            "gruppe": self.peers if self.peers != "standard" else None,
            "lang": self.lang if self.lang != "nb" else None,
            "grenser": None
            if self.borders == GRENSER[DEFAULT_GRENSER]
            else _GRENSER_OF[self.borders],
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
        note = change_note(self.code, self.year, self.borders_year, lang) if self.code else None
        return {
            # the footer's line on the borders (a map page overrides it with the map's)
            "borders_note_year": self.borders_year,
            "borders_choice": _GRENSER_OF[self.borders],
            "newest_borders": kostra_api.NEWEST_BORDERS,
            "change_note": note,
            "lang": lang,
            "L": lambda key, **v: label(key, lang, **v),
            # plural forms: P("municipalities", 1) is "1 kommune", with 2 "2 kommuner"
            "P": lambda key, n, **v: plural(key, n, lang, **v),
            # a key figure's unit in the page's language: U("årsverk") is "FTEs" in English
            "U": lambda unit: unit_name(unit, lang),
            "num": lambda value, decimals=None: views.number_text(value, lang, decimals),
            "signed": lambda value, decimals=0: views.signed_text(value, lang, decimals),
            "sector_name": lambda s: sector_name(s, lang, capital=True),
            "state": self,
            "years": self.web.years(),
            # KOSTRA groups need SSB's classification (Klass 112) cached; offline there is none
            "peer_choices": [
                p
                for p in PEER_CHOICES
                if p != "kostra_group" or self.web.kostra_groups_available(self.year, self.borders)
            ],
            "sectors": [s.value for s in REPORT_SECTORS],
            "path": self.request.url.path,
            # English first: the one switch a reader of either Norwegian form looks for
            "other_langs": [other for other in ("en", "nb", "nn") if other != lang],
            **values,
        }


def _render(state: PageState, template: str, **values: Any) -> HTMLResponse:
    """``template`` rendered with the state's context, ``values`` and the content's banner."""
    content = values.get("content", {})
    context = state.context(banner=content.get("banner"), **values)
    html = state.request.app.state.templates.get_template(template).render(**context)
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
def front(ctx: Context) -> HTMLResponse:
    """The front page: the chooser and the barometer map."""
    content = views.map_view(ctx.web, ctx.year, BAROMETER_RANK, ctx.lang, ctx.borders)
    return _render(
        PageState(ctx),
        "front.html.j2",
        content=content,
        borders_note_year=content["borders"],
        charts={"map": views.map_spec(content, ctx.lang, width=440, height=600)},
    )


@pages.get("/finn")
def find(
    ctx: Context,
    q: Annotated[str, Query(max_length=80)] = "",
    gruppe: Peers = "standard",
    fra: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """The chooser's form target: resolve the name and open the municipality's overview; with
    no name, reopen the page the form was on (``fra``, one of this app's own page paths) in the
    chosen year, peer group and language."""
    state = PageState(ctx, peers=gruppe)
    if not q.strip():
        target = fra if fra is not None and _OWN_PAGE.fullmatch(fra) else "/"
        return RedirectResponse(state.url(target), status_code=302)
    place = ctx.web.resolve(q, ctx.year, ctx.borders)
    return RedirectResponse(state.url(f"/kommune/{place.code}"), status_code=302)


#: The pages ``/finn`` may send a visitor back to: never another host or an arbitrary path.
_OWN_PAGE = re.compile(
    r"/(kommune/[0-9]{4}(/[a-z_]{1,40})?|rangering(/sektor/[a-z_]{1,40})?|sammenlign|kart|sok)?"
)


@pages.get("/kommune/{kommune}/rapport.{ext}")
def report(ctx: PlaceContext, ext: Literal["pdf", "html"]) -> Response:
    """The full report of the municipality (kostra.report) as PDF or HTML."""
    from kostra.report.render import render_html, render_pdf

    view, lang = ctx.view(), ctx.lang
    name = f"kostra_{ctx.place.code}_{ctx.year}_{lang}"
    key = (ext, ctx.place.code, ctx.year, ctx.peers, ctx.borders, lang)
    # in the web's document worker: rendering holds the GIL, which every other request needs
    documents = ctx.web.documents
    if ext == "pdf":
        body: bytes | str = ctx.web.rendered(
            key,
            lambda: documents.render(
                render_pdf, view.data, lang, findings=view.findings, charts_apart=True
            ),
        )
        media = "application/pdf"
    else:
        body = ctx.web.rendered(
            key, lambda: documents.render(render_html, view.data, lang, findings=view.findings)
        )
        media = "text/html; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}.{ext}"'},
    )


@pages.get("/kommune/{kommune}/presentasjon.pptx")
def deck(ctx: PlaceContext) -> Response:
    """The council deck of the municipality (``kostra slides``) as an editable PowerPoint file."""
    from kostra.slides.build import deck_pptx

    view, lang = ctx.view(), ctx.lang
    key = ("pptx", ctx.place.code, ctx.year, ctx.peers, ctx.borders, lang)
    body = ctx.web.rendered(key, lambda: ctx.web.documents.render(deck_pptx, view.data, lang))
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        headers={
            "content-disposition": (
                f'attachment; filename="kostra_{ctx.place.code}_{ctx.year}_{lang}.pptx"'
            )
        },
    )


@pages.get("/kommune/{kommune}", response_class=HTMLResponse)
def overview_page(ctx: PlaceContext) -> Response:
    """A municipality's overview."""
    redirect = _canonical(ctx.request, ctx.place.code)
    if redirect is not None:
        return redirect
    view = ctx.view()
    return _render(
        PageState.of(ctx),
        "overview.html.j2",
        content=views.overview(view, ctx.lang),
        charts=views.overview_charts(view, ctx.lang),
        api_path=f"/api/kommune/{ctx.place.code}",
        similar=_similar_panel(ctx),
    )


def _similar_panel(ctx: PlaceCtx) -> dict[str, Any] | None:
    """The overview's similar-municipalities panel (None when there is no structural data)."""
    from kostra import workbench
    from kostra.errors import KostraError

    def compute() -> dict[str, Any] | None:
        try:
            return workbench.similar_payload(ctx.place.code, ctx.year, ctx.lang, db=ctx.web.db)
        except KostraError:
            return None

    return ctx.web.panel(("similar", ctx.place.code, ctx.year, ctx.lang), compute)


@pages.get("/kommune/{kommune}/{sektor}", response_class=HTMLResponse)
def sector_page(ctx: PlaceContext, sektor: SectorId) -> Response:
    """One sector of a municipality."""
    redirect = _canonical(ctx.request, ctx.place.code, f"/{sektor}")
    if redirect is not None:
        return redirect
    view = ctx.view()
    content = _sector_content(ctx, sektor)
    return _render(
        PageState.of(ctx),
        "sector.html.j2",
        content=content,
        charts=views.sector_charts(view.data, content, ctx.lang),
        api_path=f"/api/kommune/{ctx.place.code}/{sektor}",
    )


def _unless_default(value: str, default: str) -> str | None:
    """``value``, or None (left out of the shared URL) when it is the default."""
    return None if value == default else value


def _measures(web: WebData, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(sector name, [(id, name)]) of every measure a ranking or map can show, grouped by
    sector in catalog order; the barometer rank first, in a group without a name (made once
    per language: the catalog is the app's)."""

    def make() -> list[tuple[str, list[tuple[str, str]]]]:
        groups: dict[str, list[tuple[str, str]]] = {
            "": [(BAROMETER_RANK, label("barometer_rank", lang))]
        }
        for ind in web.indicators():
            name = sector_name(ind.sector.value, lang, capital=True)
            groups.setdefault(name, []).append((ind.id, views.indicator_name(ind, lang)))
        return list(groups.items())

    return web.panel(("measures", lang), make)


@pages.get("/rangering", response_class=HTMLResponse)
def ranking_page(
    ctx: Context, filters: Filters, indikator: Measure = BAROMETER_RANK
) -> HTMLResponse:
    """Every municipality, searchable, sortable and filtered by county, KOSTRA group, size."""
    web = ctx.web
    content = views.ranking(
        web, filters.frame(ctx, indikator), ctx.year, indikator, ctx.lang, ctx.borders
    )
    extra = {
        "indikator": _unless_default(indikator, BAROMETER_RANK),
        "q": filters.q or None,
        "fylke": filters.fylke,
        "kostragruppe": filters.kostragruppe,
        "storrelse": filters.storrelse,
        "sort": _unless_default(filters.sort, "place"),
        "retning": _unless_default(filters.retning, "stigende"),
    }
    everyone = web.values(ctx.year, indikator, ctx.borders)
    counties = sorted(
        {(c, n) for c, n in everyone.select("county_code", "county_name").iter_rows()}
    )
    groups = sorted({g for g in everyone["kostra_group"].to_list() if g})
    return _render(
        PageState(ctx, extra=extra),
        "ranking.html.j2",
        content=content,
        measures=_measures(web, ctx.lang),
        measure=indikator,
        counties=counties,
        groups=groups,
        sizes=list(SIZE_CLASSES),
        barometer_sectors=workbench_views.barometer_sectors(web, ctx.year, ctx.lang, ctx.borders),
        filters={
            "q": filters.q,
            "fylke": filters.fylke or "",
            "kostragruppe": filters.kostragruppe or "",
            "storrelse": filters.storrelse or "",
            "sort": filters.sort,
            "retning": filters.retning,
        },
        api_path="/api/rangering",
    )


@pages.get("/sammenlign", response_class=HTMLResponse)
def compare_page(
    ctx: Context,
    k: K = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    indikator: Measure = BAROMETER_RANK,
) -> HTMLResponse:
    """Up to ten municipalities side by side on one key figure."""
    web, year, lang = ctx.web, ctx.year, ctx.lang
    codes = _codes(web, k, year, ctx.borders)
    content = views.compare(web, codes, year, indikator, lang, ctx.borders)
    extra = {"k": codes, "indikator": _unless_default(indikator, BAROMETER_RANK)}
    year_view = web.year_view(year, ctx.borders)
    specs = views.compare_charts(web, content, year_view, lang) if codes else []
    return _render(
        PageState(ctx, extra=extra),
        "compare.html.j2",
        content=content,
        measures=_measures(web, lang),
        measure=indikator,
        codes=codes,
        max_compare=MAX_COMPARE,
        charts=specs,
        api_path="/api/sammenlign",
    )


@pages.get("/kart", response_class=HTMLResponse)
def map_page(
    ctx: Context,
    indikator: Measure = BAROMETER_RANK,
    k: Annotated[str | None, Query(max_length=80, description="A municipality to mark")] = None,
) -> HTMLResponse:
    """Norway's municipalities coloured by a key figure or the barometer rank; ``k`` outlines
    one municipality."""
    content = views.map_view(ctx.web, ctx.year, indikator, ctx.lang, ctx.borders)
    # the map is on the newest borders: the marked municipality is one of them
    place = ctx.web.resolve(k, ctx.year, "newest") if k and k.strip() else None
    code = place.code if place else ""
    extra = {"indikator": _unless_default(indikator, BAROMETER_RANK), "k": code or None}
    return _render(
        PageState(ctx, extra=extra),
        "map.html.j2",
        content=content,
        borders_note_year=content["borders"],
        measures=_measures(ctx.web, ctx.lang),
        measure=indikator,
        marked_name=place.name if place else "",
        charts={"map": views.map_spec(content, ctx.lang, code=code)},
        about=views.map_about(content, ctx.lang, code=code),
        api_path="/api/kart",
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
