"""A client for SSB's statbank API, PxWebApi 2.0 (``https://data.ssb.no/api/pxwebapi/v2``).

What it does beyond plain HTTP:

* reads ``/config`` for the cell limit and call rate, and keeps under the rate itself with a
  sliding-window limiter shared by every client of the same server in the process; a 429
  pauses every caller for the server's ``Retry-After``;
* retries 5xx answers, timeouts, dropped connections and truncated bodies with exponential
  backoff and jitter (bounded); 400/403/404 are not retried and become a :class:`SsbRequestError`
  naming the table and the selection, except "too many cells" (SSB documents 403, the reference
  server answers 400 with that title), which re-plans the chunk into smaller ones;
* expands selection expressions against the table's metadata and plans the fewest requests that
  each stay within the cell limit (:mod:`kostra.sources._ssb.planner`); a request goes as GET
  unless its URL would pass ~2000 characters, then as POST with a VariablesSelection body;
* caches each chunk's answer on disk until the whole table has arrived, so an interrupted fetch
  resumes; the warehouse gets one :meth:`~kostra.warehouse.Warehouse.load` per table, one vintage.

Example::

    with SsbClient() as client:
        plan = client.plan("07459", {"Region": ["0301"], "Tid": ["range(2015,2025)"]})
        results = client.fetch_into(warehouse, [plan])  # .vintage_id, .frame, .requests
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl

from kostra.errors import KostraError, SourceError
from kostra.frames import conform_observations, empty_observations
from kostra.i18n.said import Said, same, say, say_plural
from kostra.settings import Settings
from kostra.sources import jsonstat
from kostra.sources._ssb.cache import ChunkCache, stable_hash
from kostra.sources._ssb.metadata import (
    ApiConfig,
    Codelist,
    CodelistRef,
    TableInfo,
    TableMetadata,
    Variable,
    parse_metadata,
)
from kostra.sources._ssb.planner import Chunk, cells, count_requests
from kostra.sources._ssb.planner import plan as plan_chunks
from kostra.sources._ssb.ratelimit import Clock, RateLimiter, RetryPolicy, parse_retry_after
from kostra.sources._ssb.selection import (
    SelectionError,
    expand,
    is_expression,
    join_value_list,
    split_value_list,
)
from kostra.sources.labels import store_metadata

__all__ = [
    "ApiConfig",
    "Codelist",
    "CodelistRef",
    "FetchPlan",
    "FetchResult",
    "QueryTooLargeError",
    "RateLimiter",
    "RetryPolicy",
    "SsbClient",
    "SsbRequestError",
    "SsbUnreachableError",
    "TableInfo",
    "TableMetadata",
    "Variable",
    "count_requests",
]

#: Above this URL length SSB answers 404; the spec's remedy is POST.
MAX_URL_LENGTH = 2000
DATA_LANG = "no"
#: Fraction added to the server's time window by the client's limiter.
WINDOW_SLACK = 0.02
_RETRYABLE_STATUS = frozenset({500, 502, 503, 504})

SelectionInput = Mapping[str, Sequence[str] | str]


class SsbRequestError(SourceError):
    """The API refused a request (400/403/404 …); ``status`` and ``problem`` hold its answer."""

    def __init__(
        self,
        message: Said,
        *,
        status: int,
        problem: Mapping[str, Any],
        hint: Said | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.problem = dict(problem)


class QueryTooLargeError(SsbRequestError):
    """The server says a request selects too many cells (403 at SSB, 400 at the reference)."""


class SsbUnreachableError(SourceError):
    """No answer from the server after every retry."""


@dataclass(frozen=True)
class FetchPlan:
    """What a fetch of one table will request: the expanded selection and its chunks."""

    table_id: str
    metadata: TableMetadata
    selection: dict[str, tuple[str, ...]]
    codelists: dict[str, str]
    chunks: list[Chunk]
    query: dict[str, Any]
    query_hash: str

    @property
    def cells(self) -> int:
        """Cells the whole selection covers."""
        return cells(self.selection)

    @property
    def requests(self) -> int:
        """Requests the plan needs (before any re-planning or retries)."""
        return len(self.chunks)


@dataclass
class FetchResult:
    """One table, fully arrived: its observations and where they came from."""

    plan: FetchPlan
    frame: pl.DataFrame
    updated: str | None
    requests: int = 0
    cached_chunks: int = 0
    vintage_id: int | None = None


@dataclass
class _Stats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    replanned: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


def _summarise(selection: Mapping[str, Sequence[str]]) -> Said:
    """A selection in a few words: each variable's first codes and how many there are."""

    def words(lang: str) -> str:
        parts = []
        for name, codes in selection.items():
            shown = ",".join(codes[:3])
            if len(codes) > 3:
                shown += say("error.ssb.more_codes", n=len(codes))[lang]
            parts.append(f"{name}={shown}")
        return "; ".join(parts)

    return Said.each(words)


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        text = response.text.strip()
        return {"title": text[:200]} if text else {}
    return dict(body) if isinstance(body, Mapping) else {"title": str(body)[:200]}


def is_too_many_cells(status: int, problem: Mapping[str, Any]) -> bool:
    """Whether an error answer means "the query selects too many cells".

    SSB documents 403 for it; the reference PxWebApi answers 400 "Too many cells selected";
    the spec's example 403 says "exceeds the number of allowed". Judge by the text, and take a
    bare 403 from the data endpoint to mean the same.
    """
    text = " ".join(str(problem.get(key, "")) for key in ("title", "detail")).casefold()
    if "too many cells" in text or ("exceed" in text and "cell" in text):
        return True
    return status == 403 and not text.strip()


def _checked_base_url(base_url: str) -> str:
    """The base URL without a trailing slash, or a SourceError at once for anything but an
    http(s) URL with a host: another scheme (file://, ftp://) would otherwise fail as a
    transport error and be retried as if the server were down."""
    shown = base_url if len(base_url) <= 80 else base_url[:77] + "…"
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError) as error:
        raise SourceError(
            say("error.ssb.base_url", url=repr(shown), error=str(error)),
            hint=say("error.ssb.base_url.hint"),
        ) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SourceError(
            say("error.ssb.base_url_scheme", url=repr(shown)),
            hint=say("error.ssb.base_url_scheme.hint"),
        )
    return base_url.strip().rstrip("/")


class SsbClient:
    """A PxWebApi 2.0 client with planning, rate limiting, retries and a resumable chunk cache.

    ``base_url`` defaults to :attr:`Settings.base_url`; ``cache_dir`` to
    :attr:`Settings.cache_dir`. ``clock`` and ``rng`` are injectable so tests need not wait.
    ``progress`` shows a Rich progress bar for fetches of more than one request.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        settings: Settings | None = None,
        http: httpx.Client | None = None,
        cache_dir: Path | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rng: Callable[[], float] | None = None,
        timeout: float = 60.0,
        progress: bool = False,
        max_cells: int | None = None,
    ) -> None:
        settings = settings or Settings()
        self.base_url = _checked_base_url(base_url or settings.base_url)
        self.cache = ChunkCache(cache_dir or settings.cache_dir)
        self._own_http = http is None
        self.http = http or httpx.Client(
            timeout=httpx.Timeout(timeout), headers={"Accept": "application/json"}
        )
        self.retry = retry or RetryPolicy()
        self.rng = rng or random.random
        # SSB counts calls per IP address, so clients of one server in a process share a limiter.
        self.limiter = (
            RateLimiter(30, 60.0, clock=clock) if clock else shared_limiter(self.base_url)
        )
        self.progress = progress
        self._max_cells_override = max_cells
        # A server that refuses chunks the announced limit allows teaches a lower one.
        self._learned_cells: int | None = None
        self._config: ApiConfig | None = None
        self._metadata: dict[str, TableMetadata] = {}
        self._codelists: dict[str, Codelist] = {}
        self.stats = _Stats()

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the HTTP connection pool if this client opened it."""
        if self._own_http:
            self.http.close()

    def __enter__(self) -> SsbClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- HTTP --------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        what: Said,
        check: Callable[[bytes], None] | None = None,
        data_request: bool = False,
    ) -> bytes:
        """Send one request with rate limiting and retries; return the body of a 200.

        ``what`` says what was asked for, in the words of the errors. ``check`` validates the
        body (a truncated JSON document raises); a failing check is retried like a dropped
        connection.
        """
        url = self.base_url + path
        transient = 0
        limited = 0
        while True:
            self.limiter.acquire()
            self.stats.requests += 1
            self.stats.by_path[path] = self.stats.by_path.get(path, 0) + 1
            failure: Said | str
            try:
                response = self.http.request(method, url, params=params, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as error:
                failure = f"{type(error).__name__}: {error}"
                # Nothing listening is unlikely to heal within seconds: give up sooner.
                connect_budget = min(3, self.retry.attempts)
                if isinstance(error, httpx.ConnectError) and transient + 1 >= connect_budget:
                    raise SsbUnreachableError(
                        say(
                            "error.ssb.unreachable", url=self.base_url, what=what, error=str(error)
                        ),
                        hint=say("error.ssb.unreachable.hint"),
                    ) from error
            else:
                status = response.status_code
                if status == 200:
                    content = response.content
                    if check is None:
                        return content
                    try:
                        check(content)
                    except (SourceError, ValueError) as error:
                        words = error.words() if isinstance(error, KostraError) else str(error)
                        failure = say("error.ssb.unreadable_answer", error=words)
                    else:
                        return content
                elif status == 429:
                    limited += 1
                    self.stats.rate_limited += 1
                    wait = parse_retry_after(
                        response.headers.get("Retry-After"), default=self.limiter.window
                    )
                    if (
                        limited > self.retry.rate_limited_attempts
                        or wait > self.retry.max_retry_after
                    ):
                        raise SsbRequestError(
                            say("error.ssb.rate_limited", what=what),
                            status=429,
                            problem=_problem(response),
                            hint=say("error.ssb.rate_limited.hint"),
                        )
                    self.limiter.pause(wait)
                    continue
                elif status in _RETRYABLE_STATUS:
                    failure = f"HTTP {status}"
                else:
                    problem = _problem(response)
                    if data_request and status in (400, 403) and is_too_many_cells(status, problem):
                        raise QueryTooLargeError(
                            say("error.ssb.too_many_cells", what=what),
                            status=status,
                            problem=problem,
                        )
                    title = str(problem.get("title") or response.reason_phrase)
                    detail = problem.get("detail")
                    # SSB's own words for the problem, as it sent them
                    answer = f"{title}: {detail}" if detail and detail != title else title
                    hint = _hint_for(status)
                    raise SsbRequestError(
                        say("error.ssb.refused", status=status, answer=answer, what=what),
                        status=status,
                        problem=problem,
                        hint=hint,
                    )
            transient += 1
            self.stats.retries += 1
            if transient >= self.retry.attempts:
                raise SourceError(
                    say_plural(
                        "error.ssb.no_usable_answer",
                        transient,
                        same(str(transient)),
                        what=what,
                        failure=failure,
                    ),
                    hint=say("error.ssb.no_usable_answer.hint"),
                )
            self.limiter.clock.sleep(self.retry.backoff(transient, self.rng))

    def _get_json(self, path: str, params: Mapping[str, str], what: Said) -> Any:
        content = self._request("GET", path, params=params, what=what, check=_json_check)
        return json.loads(content)

    # -- configuration and metadata ----------------------------------------------------------

    def config(self) -> ApiConfig:
        """The server's ``/config`` (read once); the limiter adopts its call rate."""
        if self._config is None:
            doc = self._get_json("/config", {}, say("error.ssb.what.config"))
            self._config = ApiConfig.from_json(doc)
            # The server counts arrivals, we count departures: a little slack absorbs jitter.
            window = self._config.time_window * (1 + WINDOW_SLACK)
            self.limiter.configure(self._config.max_calls, window)
        return self._config

    @property
    def max_cells(self) -> int:
        """The cell limit per request: ``/config``'s ``maxDataCells`` unless overridden."""
        return self._max_cells_override or self.config().max_data_cells

    def search_tables(
        self,
        query: str | None = None,
        *,
        lang: str = DATA_LANG,
        page_size: int = 100,
        max_pages: int | None = None,
        past_days: int | None = None,
        include_discontinued: bool = False,
    ) -> list[TableInfo]:
        """Tables matching ``query`` (SSB's search syntax, e.g. ``title:07459``), every page."""
        self.config()
        found: list[TableInfo] = []
        page = 1
        while True:
            params = {"lang": lang, "pageSize": str(page_size), "pageNumber": str(page)}
            if query:
                params["query"] = query
            if past_days:
                params["pastDays"] = str(past_days)
            if include_discontinued:
                params["includeDiscontinued"] = "true"
            doc = self._get_json("/tables", params, say("error.ssb.what.search", query=repr(query)))
            found.extend(TableInfo.from_json(t) for t in doc.get("tables") or [])
            info = doc.get("page") or {}
            total_pages = int(info.get("totalPages") or 1)
            if page >= total_pages or (max_pages is not None and page >= max_pages):
                return found
            page += 1

    def table(self, table_id: str, *, lang: str = DATA_LANG) -> TableInfo:
        """``/tables/{id}``: title, last update, periods."""
        self.config()
        return TableInfo.from_json(
            self._get_json(
                f"/tables/{table_id}", {"lang": lang}, say("error.ssb.what.table", table=table_id)
            )
        )

    def metadata(self, table_id: str, *, lang: str = DATA_LANG) -> TableMetadata:
        """``/tables/{id}/metadata`` in JSON-stat2, parsed (cached per client)."""
        key = f"{table_id}:{lang}"
        if key not in self._metadata:
            self.config()
            doc = self._get_json(
                f"/tables/{table_id}/metadata",
                {"lang": lang, "outputFormat": "json-stat2"},
                say("error.ssb.what.metadata", table=table_id),
            )
            self._metadata[key] = parse_metadata(doc, table_id)
            if lang == DATA_LANG:
                # Kept on disk: offline imports of label-only downloads match SSB's labels.
                store_metadata(self.cache.root.parent, table_id, doc, self.base_url)
        return self._metadata[key]

    def codelist(self, codelist_id: str, *, lang: str = DATA_LANG) -> Codelist:
        """``/codelists/{id}``: a value set or aggregation's codes (cached per client)."""
        key = f"{codelist_id}:{lang}"
        if key not in self._codelists:
            self.config()
            doc = self._get_json(
                f"/codelists/{codelist_id}",
                {"lang": lang},
                say("error.ssb.what.codelist", codelist=codelist_id),
            )
            self._codelists[key] = Codelist.from_json(doc)
        return self._codelists[key]

    # -- planning ----------------------------------------------------------------------------

    def plan(
        self,
        table_id: str,
        selection: SelectionInput | None = None,
        *,
        codelists: Mapping[str, str] | None = None,
        eliminate: Sequence[str] = (),
        max_cells: int | None = None,
    ) -> FetchPlan:
        """Expand ``selection`` against the table's metadata and split it into chunks.

        ``selection`` maps variable codes (case-insensitive) to codes and expressions, as a
        list or a comma-separated string. A variable left out is selected whole (``*``).
        ``codelists`` switches a variable to a value set or aggregation; its codes are then
        that codelist's. ``eliminate`` names variables to leave out of the request (SSB then
        sums over them or uses their elimination value); only eliminable variables qualify.
        Raises :class:`SourceError` for an unknown variable or code.
        """
        metadata = self.metadata(table_id)
        left_out: set[str] = set()
        for name in eliminate:
            variable = metadata.variable(name)
            if not variable.elimination:
                raise SourceError(
                    say("error.ssb.not_eliminable", table=table_id, variable=variable.code),
                    hint=say("error.ssb.not_eliminable.hint"),
                )
            left_out.add(variable.code)
        given: dict[str, list[str]] = {}
        for name, items in (selection or {}).items():
            variable = metadata.variable(name)
            given[variable.code] = (
                split_value_list(items) if isinstance(items, str) else [str(item) for item in items]
            )
        chosen_lists: dict[str, str] = {}
        for name, codelist_id in (codelists or {}).items():
            chosen_lists[metadata.variable(name).code] = codelist_id
        expanded: dict[str, tuple[str, ...]] = {}
        for variable in metadata.variables:
            if variable.code in left_out:
                continue
            items = given.get(variable.code, ["*"])
            codes: Sequence[str] = variable.codes
            if variable.code in chosen_lists:
                codes = self.codelist(chosen_lists[variable.code]).codes
            try:
                picked = expand(items, codes, is_time=variable.is_time)
            except SelectionError as error:
                listed = ", ".join(list(codes)[:8]) + (" …" if len(codes) > 8 else "")
                raise SourceError(
                    # the PxWebApi problem's own words (title, detail), as the server has them
                    say(
                        "error.ssb.selection",
                        table=table_id,
                        variable=variable.code,
                        problem=f"{error.title} {error.detail}",
                    ),
                    hint=say("error.ssb.selection.hint", codes=listed),
                ) from error
            if not picked:
                raise SourceError(
                    say(
                        "error.ssb.no_match",
                        table=table_id,
                        items=str(items),
                        variable=variable.code,
                    ),
                    hint=say(
                        "error.ssb.no_match.hint",
                        variable=variable.code,
                        codes=", ".join(list(codes)[:8]),
                    ),
                )
            expanded[variable.code] = tuple(picked)
        limit = max_cells or self.max_cells
        chunks = plan_chunks(expanded, limit)
        query = {
            "table": table_id,
            "base_url": self.base_url,
            "lang": DATA_LANG,
            "selection": {k: list(v) for k, v in given.items()},
            "codelists": chosen_lists,
            "eliminate": sorted(left_out),
        }
        query_hash = stable_hash(
            {
                **query,
                "updated": metadata.updated,
                "expanded": {k: list(v) for k, v in expanded.items()},
            }
        )
        return FetchPlan(
            table_id=table_id,
            metadata=metadata,
            selection=expanded,
            codelists=chosen_lists,
            chunks=chunks,
            query=query,
            query_hash=query_hash,
        )

    # -- data --------------------------------------------------------------------------------

    def data(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str]],
        *,
        codelists: Mapping[str, str] | None = None,
        check: Callable[[bytes], None] | None = None,
    ) -> bytes:
        """One data request for plain codes (no planning); returns the raw JSON-stat2 bytes.

        GET when the URL stays within :data:`MAX_URL_LENGTH`, else POST with a
        VariablesSelection body. The answer is checked (by default: complete JSON; or by
        ``check``, which raises on a bad body) before it returns; a bad body is retried.
        """
        self.config()
        method, params, body = self.build_data_request(table_id, selection, codelists=codelists)
        return self._request(
            method,
            f"/tables/{table_id}/data",
            params=params,
            body=body,
            what=say("error.ssb.what.data", table=table_id, selection=_summarise(selection)),
            check=check or _json_check,
            data_request=True,
        )

    def build_data_request(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str]],
        *,
        codelists: Mapping[str, str] | None = None,
    ) -> tuple[str, dict[str, str], dict[str, Any] | None]:
        """The method, query parameters and body of a data request (GET unless too long)."""
        codelists = codelists or {}
        params = {"lang": DATA_LANG, "outputFormat": "json-stat2"}
        get_params = dict(params)
        for name, codes in selection.items():
            get_params[f"valueCodes[{name}]"] = join_value_list(codes)
            if name in codelists:
                get_params[f"codelist[{name}]"] = codelists[name]
        url = httpx.URL(f"{self.base_url}/tables/{table_id}/data", params=get_params)
        if len(str(url)) <= MAX_URL_LENGTH:
            return "GET", get_params, None
        body = {
            "selection": [
                {
                    "variableCode": name,
                    "codelist": codelists.get(name),
                    "valueCodes": [_escape_for_post(code) for code in codes],
                }
                for name, codes in selection.items()
            ]
        }
        return "POST", params, body

    def fetch(self, plan: FetchPlan) -> FetchResult:
        """Every chunk of ``plan``, from the cache where present, decoded into one frame.

        Nothing is written anywhere but the chunk cache. Raises :class:`SourceError` when a
        chunk cannot be had, or when SSB republished the table during the fetch.
        """
        before = self.stats.requests
        datasets: list[jsonstat.JsonStatDataset] = []
        cached = 0
        with _Progress(self.progress and len(plan.chunks) > 1, plan) as advance:
            for chunk in plan.chunks:
                got, from_cache = self._chunk(plan, chunk)
                datasets.extend(got)
                cached += from_cache
                advance()
        stamps = {d.updated for d in datasets if d.updated}
        if len(stamps) > 1:
            self.cache.clear(plan.table_id, plan.query_hash)
            raise SourceError(
                say(
                    "error.ssb.republished",
                    table=plan.table_id,
                    stamps=", ".join(sorted(stamps)),
                ),
                hint=say("error.ssb.republished.hint"),
            )
        frames = [jsonstat.to_observations(d, plan.table_id) for d in datasets]
        frame = (
            conform_observations(pl.concat(frames, how="vertical"))
            if frames
            else empty_observations()
        )
        keys = ["contents_code", "region", "year", "dims"]
        if frame.select(pl.struct(keys).is_duplicated().any()).item():
            raise SourceError(say("error.ssb.overlap", table=plan.table_id))
        updated = next(iter(stamps), None) or plan.metadata.updated
        return FetchResult(
            plan=plan,
            frame=frame,
            updated=updated,
            requests=self.stats.requests - before,
            cached_chunks=cached,
        )

    def _chunk(self, plan: FetchPlan, chunk: Chunk) -> tuple[list[jsonstat.JsonStatDataset], int]:
        """One chunk's datasets (one, or several after re-planning) and how many were cached."""
        path = self.cache.path(plan.table_id, plan.query_hash, chunk)
        content = self.cache.read(path)
        if content is not None:
            try:
                return [_decode_chunk(content, chunk, plan.table_id)], 1
            except SourceError:
                self.cache.discard(path)
        if self._learned_cells is not None and cells(chunk) > self._learned_cells:
            return self._pieces(plan, chunk, self._learned_cells)
        decoded: list[jsonstat.JsonStatDataset] = []

        def check(body: bytes) -> None:
            # Decoding is the check: a cut or inconsistent body is retried like a dropped one.
            decoded.clear()
            decoded.append(_decode_chunk(body, chunk, plan.table_id))

        try:
            content = self.data(plan.table_id, chunk, codelists=plan.codelists, check=check)
        except QueryTooLargeError as error:
            size = cells(chunk)
            if size <= 1:
                raise SsbRequestError(
                    say("error.ssb.single_cell", table=plan.table_id, selection=_summarise(chunk)),
                    status=error.status,
                    problem=error.problem,
                ) from error
            self.stats.replanned += 1
            learned = max(1, size // 2)
            self._learned_cells = min(self._learned_cells or learned, learned)
            return self._pieces(plan, chunk, self._learned_cells)
        self.cache.write(path, content)
        return [decoded[0]], 0

    def _pieces(
        self, plan: FetchPlan, chunk: Chunk, limit: int
    ) -> tuple[list[jsonstat.JsonStatDataset], int]:
        datasets: list[jsonstat.JsonStatDataset] = []
        cached = 0
        for piece in plan_chunks(chunk, limit):
            got, hits = self._chunk(plan, piece)
            datasets.extend(got)
            cached += hits
        return datasets, cached

    def load(self, warehouse: Any, result: FetchResult) -> int:
        """Store a fetched table as one vintage, then forget its cached chunks.

        ``warehouse`` is a :class:`kostra.warehouse.Warehouse`; the load is one transaction.
        """
        from kostra.warehouse import VintageInfo

        plan = result.plan
        result.vintage_id = int(
            warehouse.load(
                result.frame,
                VintageInfo(
                    source="ssb",
                    table_id=plan.table_id,
                    title=plan.metadata.label,
                    updated=result.updated,
                    query=plan.query,
                    preliminary=plan.metadata.preliminary,
                ),
            )
        )
        self.cache.clear(plan.table_id, plan.query_hash)
        return result.vintage_id

    def fetch_into(self, warehouse: Any, plans: Sequence[FetchPlan]) -> list[FetchResult]:
        """Fetch each plan's table and load it: one transaction and one vintage per table.

        A table is loaded only after all of its chunks arrived and decoded.
        """
        results: list[FetchResult] = []
        for plan in plans:
            result = self.fetch(plan)
            self.load(warehouse, result)
            results.append(result)
        return results


_SHARED_LIMITERS: dict[str, RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(base_url: str) -> RateLimiter:
    """The process-wide limiter for one server (created with SSB's limits until /config)."""
    with _SHARED_LOCK:
        limiter = _SHARED_LIMITERS.get(base_url)
        if limiter is None:
            limiter = _SHARED_LIMITERS[base_url] = RateLimiter(30, 60.0)
        return limiter


def _hint_for(status: int) -> Said:
    if status == 404:
        return say("error.ssb.refused.hint_404")
    if status == 400:
        return say("error.ssb.refused.hint_400")
    return say("error.ssb.refused.hint")


def _escape_for_post(code: str) -> str:
    return f"[{code}]" if code.startswith("[") or is_expression(code) else code


def _json_check(content: bytes) -> None:
    json.loads(content)


def _decode_chunk(content: bytes, chunk: Chunk, table_id: str) -> jsonstat.JsonStatDataset:
    """Decode a chunk's answer and check it holds exactly the cells asked for."""
    dataset = jsonstat.decode(content)
    expected = cells(chunk)
    # A sparse answer (value keyed by cell) holds only the cells it gives, never more.
    if dataset.frame.height != expected and not (
        dataset.sparse and dataset.frame.height <= expected
    ):
        raise SourceError(
            say(
                "error.ssb.cells_mismatch",
                table=table_id,
                cells=dataset.frame.height,
                expected=expected,
            )
        )
    return dataset


class _Progress:
    """A Rich progress bar over a plan's chunks, or nothing."""

    def __init__(self, enabled: bool, plan: FetchPlan) -> None:
        self.enabled = enabled
        self.plan = plan
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._bar.start()
        self._task = self._bar.add_task(f"SSB {self.plan.table_id}", total=len(self.plan.chunks))
        return lambda: self._bar.advance(self._task)

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()
