"""The FastAPI application: security headers, error pages, static files and the routes.

:func:`create_app` builds the app for one warehouse (or the shipped sample); ``kostra serve``
runs it with uvicorn on 127.0.0.1. The app only reads: every figure comes through
:class:`~kostra.web.data.WebData`, which caches per year and warehouse stamp.
"""

from __future__ import annotations

import gzip
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from kostra.errors import (
    DatabaseBusyError,
    DataNotFoundError,
    KostraError,
    UnknownMunicipalityError,
    WarehouseUnreadableError,
)
from kostra.i18n import Phrases
from kostra.web.borders import SeveralMunicipalitiesError
from kostra.web.data import ComputingError, NotFoundError, WebData
from kostra.web.labels import LANGS, label

log = logging.getLogger("kostra.web")

PACKAGE_DIR = Path(str(resources.files("kostra.web")))
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"

#: Host names a server bound to loopback answers to.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

#: Vega-Embed gets ``ast: true`` and Vega's expression interpreter, so no ``eval``; its
#: tooltips and the charts' own styles need inline styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """Pure ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in SECURITY_HEADERS if h[0] not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Pure ASGI middleware answering HEAD wherever GET answers: the request is routed as a
    GET, and the response's status and headers are sent without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


# an absolute path (POSIX or Windows) inside a message: a visitor learns nothing from it
_PATH = re.compile(r"(?:[A-Za-z]:\\|(?<![\w.:/])/)(?:[^\s'\"/\\:]+[/\\])+[^\s'\":]*")

UNAVAILABLE = Phrases("web_unavailable", ("message", "hint"))


def without_paths(text: str | None) -> str | None:
    """``text`` with every absolute file path replaced by "…"."""
    return None if text is None else _PATH.sub("…", text)


#: A request's year (``ar=``) in its query string.
_YEAR = re.compile(rb"(?:^|&)ar=([0-9]{4})(?:&|$)")


def _accepts_gzip(scope: Scope) -> bool:
    """Whether the request's ``Accept-Encoding`` takes gzip (not refused with ``q=0``)."""
    for name, value in scope.get("headers", ()):
        if name == b"accept-encoding":
            for item in value.lower().split(b","):
                coding, _, params = item.strip().partition(b";")
                if coding.strip() in (b"gzip", b"*"):
                    q = params.strip().removeprefix(b"q=")
                    return not params or q.strip(b" .0") != b""
    return False


def _identity(headers: list[Any], body: bytes) -> tuple[list[Any], bytes]:
    """A gzip answer as a client that does not take gzip gets it: the body decompressed."""
    plain = gzip.decompress(body)
    kept = [h for h in headers if h[0] not in (b"content-encoding", b"vary", b"content-length")]
    return [*kept, (b"content-length", str(len(plain)).encode())], plain


class ResponseCache:
    """Pure ASGI middleware keeping whole successful GET responses, keyed by the warehouse
    stamp, path and query string: a page or API answer already made is sent again without
    routing, computing or rendering. A municipality's pages and API answers that the builder
    rendered ahead (:mod:`kostra.web.prerender`) are read from its files the same way, their
    gzip bodies sent as they are to a client that takes gzip. Bounded by total bytes (least
    recently used out first); report downloads have their own cache and are not kept here."""

    def __init__(self, app: ASGIApp, web: WebData, *, max_bytes: int = 96 * 2**20) -> None:
        self.app = app
        self.web = web
        self.max_bytes = max_bytes
        #: key -> (status, headers, body, whether the body is gzip)
        self._items: OrderedDict[tuple[Any, ...], tuple[int, list[Any], bytes, bool]] = (
            OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every kept response."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or path.endswith((".pdf", ".html"))
            or path.startswith("/static/")
        ):
            await self.app(scope, receive, send)
            return
        try:
            query = scope.get("query_string", b"")
            # an answer of a year on older borders draws its time series from the newest
            # borders' content: kept apart per that content too
            year = _YEAR.search(query)
            series = self.web.series_key(int(year[1])) if year else None
            key = ((self.web.state(), series), path, query)
        except KostraError:  # nothing to answer from yet: the app says so (a 503)
            await self.app(scope, receive, send)
            return
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
        if hit is None and path.startswith(("/kommune/", "/api/kommune/")):
            hit = self._ahead(key)
        if hit is not None:
            status, headers, body, gzipped = hit
            if gzipped and not _accepts_gzip(scope):
                headers, body = _identity(headers, body)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False) and start.get("status") == 200:
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    def _ahead(self, key: tuple[Any, ...]) -> tuple[int, list[Any], bytes, bool] | None:
        """The answer as the builder rendered it ahead (:mod:`kostra.web.prerender`), if so;
        the municipality's other answers of the same part, read with it, are kept for their
        first requests."""
        from kostra.web.prerender import locate

        state, path, query = key
        where = locate(path, query.decode("latin-1"))
        if where is None:
            return None
        code, year, part, target = where
        pages = self.web.prerendered(year, part)
        if pages is None:
            return None
        wanted: tuple[int, list[Any], bytes, bool] | None = None
        found = pages.pages(code)
        with self._lock:
            for page, headers, body in found:
                item = (200, headers, body, True)
                if page == target:
                    wanted = item
                url, _, q = page.partition("?")
                kept = (state, url, q.encode("latin-1"))
                if kept not in self._items:
                    self._items[kept] = item
                    self._bytes += len(body)
            self._trim()
        return wanted

    def _trim(self) -> None:
        while self._bytes > self.max_bytes and self._items:
            _, (_, _, old, _) = self._items.popitem(last=False)
            self._bytes -= len(old)

    def _keep(self, key: tuple[Any, ...], start: Message, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return
        headers = list(start.get("headers", []))
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (200, headers, body, False)
            self._bytes += len(body)
            self._trim()


def templates() -> jinja2.Environment:
    """The page templates (autoescaped)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _lang_of(request: Request) -> str:
    lang = request.query_params.get("lang", "nb")
    return lang if lang in LANGS else "nb"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


#: The query parameters a suggested municipality's link keeps.
_KEPT = ("ar", "gruppe", "grenser", "lang")
_SUGGESTION = re.compile(r"^(?P<name>.*?) \((?P<code>\d{4})")


def _suggestion_links(error: UnknownMunicipalityError) -> list[dict[str, str]]:
    out = []
    for text in error.suggestions:
        match = _SUGGESTION.match(text)
        if match:
            out.append({"code": match["code"], "text": text})
    return out


def _texts(error: KostraError, lang: str) -> tuple[str, str | None]:
    """What to tell the visitor about ``error``, in ``lang`` where the web has the words."""
    if isinstance(error, SeveralMunicipalitiesError):
        return error.texts(lang)
    if isinstance(error, UnknownMunicipalityError):
        hint = None if error.suggestions else label("unknown_hint", lang)
        return label("unknown_municipality", lang, query=error.query), hint
    if isinstance(error, WarehouseUnreadableError):
        message, hint = UNAVAILABLE[lang]
        return message, hint
    return without_paths(error.text(lang)) or "", without_paths(error.hint_text(lang))


def create_app(
    db: Path | None = None,
    *,
    web: WebData | None = None,
    warm: bool = False,
    allowed_hosts: Sequence[str] | None = None,
    store: bool = False,
) -> FastAPI:
    """The web application for the warehouse ``db`` (default: the settings' path; tables it
    lacks come from the synthetic sample). ``warm`` computes the newest year in a background
    thread at startup, so the first visitor does not wait. ``allowed_hosts`` limits the
    ``Host`` header (a loopback server answers only to loopback names: no DNS rebinding).
    ``store``: answer from the computed year beside the warehouse (see
    :class:`~kostra.web.data.WebData`)."""
    from kostra.web import routes, workbench_routes

    web = web or WebData(db, store=store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:

            def compute() -> None:
                try:
                    web.year_view(web.default_year())
                    web.start_warming()  # then the municipality views, yielding to requests
                except KostraError as error:
                    log.warning("could not prepare the figures: %s", error)

            threading.Thread(target=compute, name="kostra-warm", daemon=True).start()
        try:
            yield
        finally:
            web.stop_builders()  # a builder never outlives its server

    app = FastAPI(
        lifespan=lifespan,
        title="kostra",
        summary="KOSTRA figures for every Norwegian municipality: profiles, costs, ranks.",
        version="1",
        docs_url=None,  # Swagger UI loads from a CDN: the app serves nothing from outside
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.web = web
    app.state.templates = templates()
    # the cache sits inside the headers middleware: a kept response gets the headers anew
    app.add_middleware(ResponseCache, web=web)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    # outside the host check, so its refusal carries the security headers too
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # first: /kommune/{code}/{sector} would take the workbench pages' paths for sectors
    app.include_router(workbench_routes.api)
    app.include_router(workbench_routes.pages)
    app.include_router(routes.api)
    app.include_router(routes.pages)

    def page_error(request: Request, status: int, title: str, error: KostraError | None) -> Any:
        lang = _lang_of(request)
        html = request.app.state.templates.get_template("error.html.j2").render(
            lang=lang,
            L=lambda key, **v: label(key, lang, **v),
            title=title,
            message=_texts(error, lang)[0] if error else title,
            hint=_texts(error, lang)[1] if error else None,
            suggestions=_suggestion_links(error)
            if isinstance(error, UnknownMunicipalityError)
            else [],
            # a suggestion opens in the year, borders and language asked for
            suggestion_query=urlencode(
                [(k, v) for k, v in request.query_params.multi_items() if k in _KEPT]
            ),
            status=status,
            path=request.url.path,
            nav=[],
            query="",
        )
        return HTMLResponse(html, status_code=status)

    def api_error(
        status: int, error: KostraError, lang: str, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        message, hint = _texts(error, lang)
        body: dict[str, Any] = {"error": message, "hint": hint}
        if isinstance(error, UnknownMunicipalityError):
            body["suggestions"] = _suggestion_links(error)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(KostraError)
    async def kostra_error(request: Request, error: KostraError) -> Response:
        if isinstance(error, ComputingError):
            # figures another process is computing: say so at once, and when to come back
            lang = _lang_of(request)
            retry = {"Retry-After": str(error.retry_after), "Cache-Control": "no-store"}
            if _is_api(request):
                return api_error(503, error, lang, headers=retry)
            page = page_error(request, 503, label("computing", lang), error)
            page.headers.update(retry)
            return page  # type: ignore[no-any-return]
        if isinstance(error, UnknownMunicipalityError | NotFoundError):
            status = 404
        elif isinstance(error, DataNotFoundError | DatabaseBusyError):
            status = 503
        else:
            status = 422
        if _is_api(request):
            return api_error(status, error, _lang_of(request))
        key = {404: "not_found", 422: "bad_request"}.get(status, "server_error")
        return page_error(request, status, label(key, _lang_of(request)), error)  # type: ignore[no-any-return]

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}"
            for e in error.errors()
        )
        if _is_api(request):
            return JSONResponse({"error": "invalid parameter", "detail": problems}, status_code=422)
        lang = _lang_of(request)
        return page_error(  # type: ignore[no-any-return]
            request, 422, label("bad_request", lang), KostraError(problems)
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})  # a 405 keeps its Allow
        if _is_api(request) or request.url.path.startswith("/static/"):
            return JSONResponse(
                {"error": str(error.detail)}, status_code=error.status_code, headers=headers
            )
        lang = _lang_of(request)
        key = "not_found" if error.status_code == 404 else "bad_request"
        page = page_error(request, error.status_code, label(key, lang), None)
        page.headers.update(headers)
        return page  # type: ignore[no-any-return]

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if _is_api(request):
            return JSONResponse({"error": "internal error"}, status_code=500)
        lang = _lang_of(request)
        return page_error(request, 500, label("server_error", lang), None)  # type: ignore[no-any-return]

    return app


#: Environment of :func:`app_from_environment`, set by ``kostra serve --workers N`` for its
#: worker processes.
SERVE_DB_ENV = "KOSTRA_SERVE_DB"
SERVE_LOOPBACK_ENV = "KOSTRA_SERVE_LOOPBACK"


def app_from_environment() -> FastAPI:
    """The app of one ``kostra serve`` worker process (uvicorn's factory): the warehouse in
    ``$KOSTRA_SERVE_DB``, loopback host names only when ``$KOSTRA_SERVE_LOOPBACK`` is 1; every
    worker answers from the same computed year."""
    import os

    loopback = os.environ.get(SERVE_LOOPBACK_ENV, "1") == "1"
    return create_app(
        Path(os.environ[SERVE_DB_ENV]),
        warm=True,
        store=True,
        allowed_hosts=LOOPBACK_HOSTS if loopback else None,
    )
