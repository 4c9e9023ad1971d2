"""A local PxWebApi 2.0 server for tests and demos, built from the OpenAPI contract.

It answers ``/config``, ``/tables``, ``/tables/{id}``, ``/tables/{id}/metadata``,
``/tables/{id}/data`` (GET and POST, selection expressions, codelists with ``outputValues``
aggregated or single, elimination) and
``/codelists/{id}`` the way ``shared/reference/pxwebapi/NOTES.md`` describes SSB and the
reference PxWebApi: names and paths case-insensitive, problem+json errors with the reference
server's titles, the cell limit (403 as SSB documents, or 400 as the reference server does),
the call limit (429 with ``Retry-After``, plain text like AspNetCoreRateLimit), and faults
injected by a :class:`FaultPlan` (slow answers, dropped connections, 503, truncated bodies,
429 storms).

Tables plug in through the :class:`ServedTable` protocol (a :class:`TableSpec` plus the
cells as an observation frame). Builders: :func:`synthetic_table` (small, seeded),
:func:`population_table` (SSB 07459 from the packaged population, codes valid each year) and
:func:`sample_tables` (every table of the packaged synthetic KOSTRA sample).

Run it for a demo: ``python -m kostra.testing.pxweb_server --port 8765`` and then
``kostra fetch --base-url http://127.0.0.1:8765/api/pxwebapi/v2 ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import polars as pl
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from kostra.frames import decode_dims
from kostra.sources._ssb.selection import SelectionError, expand, split_value_list

API_PREFIX = "/api/pxwebapi/v2"
Role = Literal["geo", "time", "metric"] | None
FaultKind = Literal["slow", "drop", "503", "truncate", "429", "404"]


# --------------------------------------------------------------------------- table model


@dataclass(frozen=True)
class ServedCodelist:
    """A value set (``vs_…``) or aggregation (``agg_…``) of one variable.

    ``groups`` maps each codelist code to the table codes it stands for (a value set maps each
    code to itself). Aggregated cells are sums of their members.
    """

    id: str
    label: str
    type: Literal["Aggregation", "Valueset"]
    groups: Mapping[str, Sequence[str]]
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServedVariable:
    """A dimension of a served table."""

    code: str
    label: str
    values: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    role: Role = None
    elimination: bool = False
    elimination_code: str | None = None
    codelists: tuple[ServedCodelist, ...] = ()
    own_labels: frozenset[str] = frozenset()
    """Codes whose label is kostra's own name, not SSB's text; listed in the dimension's
    ``extension`` under ``kostra.sources.labels.OWN_LABEL_EXTENSION``."""


@dataclass(frozen=True)
class TableSpec:
    """A served table's description; variables in the table's order."""

    table_id: str
    label: str
    updated: str
    variables: tuple[ServedVariable, ...]
    notes: tuple[str, ...] = ()
    source: str = "Statistisk sentralbyrå"
    unit: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class ServedTable(Protocol):
    """What the server needs of a table: its spec and its cells as an observation frame.

    The frame's ``region``, ``year`` and ``contents_code`` columns fill the variables with
    roles geo, time and metric; ``dims`` fills the rest. Cells the frame lacks are answered
    as missing with SSB's "." (category not applicable), as SSB does for codes not in use.
    """

    @property
    def spec(self) -> TableSpec:
        """The table's variables, title and update stamp."""
        ...

    def observations(self) -> pl.DataFrame:
        """The cells the server holds, as an observation frame."""
        ...


@dataclass(frozen=True)
class FrameTable:
    """A :class:`ServedTable` from a spec and an observation frame."""

    spec: TableSpec
    frame: pl.DataFrame

    def observations(self) -> pl.DataFrame:
        """The cells."""
        return self.frame


class _Cube:
    """A table as dense arrays in metadata order: values (NaN = missing) and status codes."""

    def __init__(self, table: ServedTable) -> None:
        spec = table.spec
        self.spec = spec
        self.shape = tuple(len(v.values) for v in spec.variables)
        frame = table.observations().filter(pl.col("table_id") == spec.table_id)
        columns: dict[str, pl.Series] = {}
        extra = [v.code for v in spec.variables if v.role is None]
        if extra:
            parsed = frame.get_column("dims").map_elements(decode_dims, return_dtype=pl.Object)
            for code in extra:
                columns[code] = pl.Series([d.get(code) for d in parsed], dtype=pl.Utf8)
        source = {"geo": "region", "metric": "contents_code"}
        flat = np.zeros(frame.height, dtype=np.int64)
        valid = np.ones(frame.height, dtype=bool)
        for variable, size in zip(spec.variables, self.shape, strict=True):
            if variable.role == "time":
                codes = frame.get_column("year").cast(pl.Utf8)
            elif variable.role in source:
                codes = frame.get_column(source[variable.role])
            else:
                codes = columns[variable.code]
            lookup = {code: i for i, code in enumerate(variable.values)}
            pos = codes.replace_strict(lookup, default=None, return_dtype=pl.Int64)
            valid &= pos.is_not_null().to_numpy()
            flat = flat * size + pos.fill_null(0).to_numpy()
        n = math.prod(self.shape)
        self.values = np.full(n, np.nan)
        self.values[flat[valid]] = frame.get_column("value").fill_null(np.nan).to_numpy()[valid]
        status = frame.get_column("status").to_numpy()[valid]
        self.status = np.full(n, ".", dtype=object)
        self.status[flat[valid]] = status
        self.values = self.values.reshape(self.shape)
        self.status = self.status.reshape(self.shape)


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """One injected misbehaviour for the requests whose path contains ``path``.

    ``times`` requests get it (after ``skip`` matching ones pass untouched); ``times=None``
    means every matching request from then on.
    """

    kind: FaultKind
    path: str = "/data"
    times: int | None = 1
    skip: int = 0
    delay: float = 2.0
    retry_after: int = 1


class FaultPlan:
    """A thread-safe script of faults; records what it injected in :attr:`injected`."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._faults = list(faults)
        self._lock = threading.Lock()
        self.injected: list[tuple[str, str]] = []

    def add(self, fault: Fault) -> None:
        """Append a fault to the script."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Stop injecting faults."""
        with self._lock:
            self._faults.clear()

    def next(self, path: str) -> Fault | None:
        """The fault for this request, if any (consumes one use of it)."""
        with self._lock:
            folded = path.casefold()
            for fault in self._faults:
                if fault.path.casefold() not in folded:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                self.injected.append((fault.kind, path))
                return fault
            return None


# --------------------------------------------------------------------------- the app


@dataclass
class ServerOptions:
    """Limits of the served API (SSB's by default)."""

    max_cells: int = 800_000
    max_calls: int = 30
    time_window: float = 60.0
    too_many_cells_status: int = 403
    page_size: int = 20


class _Problem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail


class PxWebState:
    """The served tables, limits, faults and a log of requests (for assertions)."""

    def __init__(
        self,
        tables: Iterable[ServedTable],
        options: ServerOptions | None = None,
        faults: FaultPlan | None = None,
    ) -> None:
        self.tables = {t.spec.table_id: t for t in tables}
        self.options = options or ServerOptions()
        self.faults = faults or FaultPlan()
        self._cubes: dict[str, _Cube] = {}
        self._lock = threading.Lock()
        self._calls: deque[float] = deque()
        self.log: list[tuple[str, str, int]] = []

    def cube(self, table_id: str) -> _Cube:
        """The table's dense arrays, built on first use."""
        with self._lock:
            if table_id not in self._cubes:
                self._cubes[table_id] = _Cube(self.tables[table_id])
            return self._cubes[table_id]

    def admit(self) -> float | None:
        """Count a call; the seconds until a slot frees if the call limit is reached."""
        with self._lock:
            now = time.monotonic()
            window = self.options.time_window
            while self._calls and now - self._calls[0] >= window:
                self._calls.popleft()
            if len(self._calls) >= self.options.max_calls:
                return self._calls[0] + window - now
            self._calls.append(now)
            return None

    def requests_to(self, fragment: str) -> int:
        """How many logged requests had ``fragment`` in their path."""
        return sum(1 for _, path, _ in self.log if fragment.casefold() in path.casefold())


_KNOWN_SEGMENTS = {"api", "pxwebapi", "v2", "tables", "metadata", "data", "codelists", "config"}


def create_app(state: PxWebState) -> Any:
    """The FastAPI application serving ``state`` under :data:`API_PREFIX`."""
    app = FastAPI(title="PxWebApi 2.0 (kostra test double)", docs_url=None, redoc_url=None)
    app.state.pxweb = state

    def problem(status: int, title: str, detail: str | None = None) -> Response:
        body: dict[str, Any] = {"type": "Parameter error", "title": title, "status": status}
        if detail:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, media_type="application/problem+json")

    @app.middleware("http")
    async def pxweb_middleware(request: Request, call_next: Any) -> Response:
        # Paths are case-insensitive at SSB: fold the fixed segments, keep ids as sent.
        parts = request.scope["path"].split("/")
        request.scope["path"] = "/".join(
            p.lower() if p.lower() in _KNOWN_SEGMENTS else p for p in parts
        )
        path = request.scope["path"]
        fault = state.faults.next(path)
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.kind == "429":
            state.log.append((request.method, path, 429))
            return PlainTextResponse(
                "API calls quota exceeded! maximum admitted "
                f"{state.options.max_calls} per {state.options.time_window:g}s.",
                status_code=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if not path.endswith("/config"):
            wait = state.admit()
            if wait is not None:
                state.log.append((request.method, path, 429))
                return PlainTextResponse(
                    "API calls quota exceeded! maximum admitted "
                    f"{state.options.max_calls} per {state.options.time_window:g}s.",
                    status_code=429,
                    headers={"Retry-After": str(max(1, math.ceil(wait)))},
                )
        if fault is not None and fault.kind == "503":
            state.log.append((request.method, path, 503))
            return PlainTextResponse("Service Unavailable", status_code=503)
        if fault is not None and fault.kind == "404":
            state.log.append((request.method, path, 404))
            return problem(404, "Non-existent table")
        try:
            response: Response = await call_next(request)
        except _Problem as error:
            response = problem(error.status, error.title, error.detail)
        state.log.append((request.method, path, response.status_code))
        if fault is not None and fault.kind in ("drop", "truncate"):
            body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
            half = body[: max(1, len(body) // 2)]
            if fault.kind == "truncate":
                headers = {
                    k: v for k, v in response.headers.items() if k.lower() != "content-length"
                }
                return Response(half, status_code=response.status_code, headers=headers)

            async def dropped() -> AsyncIterator[bytes]:
                yield half
                raise ConnectionResetError("fault plan: connection dropped")

            headers = dict(response.headers)
            headers["content-length"] = str(len(body))
            return StreamingResponse(dropped(), status_code=response.status_code, headers=headers)
        return response

    @app.exception_handler(_Problem)
    async def problem_handler(_: Request, error: _Problem) -> Response:
        return problem(error.status, error.title, error.detail)

    def params_of(request: Request) -> dict[str, list[tuple[str, str]]]:
        folded: dict[str, list[tuple[str, str]]] = {}
        for key, value in request.query_params.multi_items():
            folded.setdefault(key.casefold(), []).append((key, value))
        return folded

    def check_lang(request: Request) -> str:
        values = params_of(request).get("lang")
        lang = values[-1][1] if values else "no"
        if lang not in ("no", "en"):
            raise _Problem(400, "Unsupported language")
        return lang

    def table_of(table_id: str) -> ServedTable:
        for key, table in state.tables.items():
            if key.casefold() == table_id.casefold():
                return table
        raise _Problem(404, "Non-existent table")

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/") + API_PREFIX

    @app.get(API_PREFIX + "/config")
    async def config() -> Response:
        options = state.options
        return JSONResponse(
            {
                "apiVersion": "2.0.0",
                "appVersion": "kostra-test-double",
                "languages": [{"id": "no", "label": "Norsk"}, {"id": "en", "label": "English"}],
                "defaultLanguage": "no",
                "maxDataCells": options.max_cells,
                "maxCallsPerTimeWindow": options.max_calls,
                "timeWindow": int(options.time_window) if options.time_window >= 1 else 1,
                "license": "https://www.ssb.no/en/diverse/lisens",
                "sourceReferences": [{"language": "no", "text": "Kilde: Statistisk sentralbyrå"}],
                "defaultDataFormat": "json-stat2",
                "dataFormats": ["json-stat2"],
                "features": [],
            }
        )

    def table_info(request: Request, table: ServedTable, lang: str) -> dict[str, Any]:
        spec = table.spec
        time_var = next((v for v in spec.variables if v.role == "time"), None)
        url = f"{base(request)}/tables/{spec.table_id}"
        return {
            "type": "Table",
            "id": spec.table_id,
            "label": spec.label,
            "description": "",
            "updated": spec.updated,
            "firstPeriod": time_var.values[0] if time_var else None,
            "lastPeriod": time_var.values[-1] if time_var else None,
            "category": "public",
            "variableNames": [v.label for v in spec.variables],
            "source": spec.source,
            "timeUnit": "Annual",
            "discontinued": False,
            "links": [
                {"rel": "self", "hreflang": lang, "href": f"{url}?lang={lang}"},
                {"rel": "metadata", "hreflang": lang, "href": f"{url}/metadata?lang={lang}"},
                {
                    "rel": "data",
                    "hreflang": lang,
                    "href": f"{url}/data?lang={lang}&outputFormat=json-stat2",
                },
            ],
        }

    @app.get(API_PREFIX + "/tables")
    async def tables(request: Request) -> Response:
        lang = check_lang(request)
        params = params_of(request)
        query = params["query"][-1][1] if "query" in params else ""
        terms = [
            t.split(":", 1)[-1].strip("*").casefold()
            for t in query.split()
            if t.upper() not in ("AND", "OR")
        ]
        found = [
            t
            for _, t in sorted(state.tables.items())
            if all(term in f"{t.spec.table_id} {t.spec.label}".casefold() for term in terms)
        ]
        size = int(params["pagesize"][-1][1]) if "pagesize" in params else state.options.page_size
        number = int(params["pagenumber"][-1][1]) if "pagenumber" in params else 1
        pages = max(1, math.ceil(len(found) / max(1, size)))
        if number < 1 or number > pages:
            raise _Problem(404, "Non-existent page", "Non-existent page")
        page = found[(number - 1) * size : number * size]
        return JSONResponse(
            {
                "language": lang,
                "tables": [table_info(request, t, lang) for t in page],
                "page": {
                    "pageNumber": number,
                    "pageSize": size,
                    "totalElements": len(found),
                    "totalPages": pages,
                    "links": [],
                },
                "links": [],
            }
        )

    @app.get(API_PREFIX + "/tables/{table_id}")
    async def table(request: Request, table_id: str) -> Response:
        lang = check_lang(request)
        return JSONResponse({**table_info(request, table_of(table_id), lang), "language": lang})

    @app.get(API_PREFIX + "/tables/{table_id}/metadata")
    async def metadata(request: Request, table_id: str) -> Response:
        check_lang(request)
        spec = table_of(table_id).spec
        doc = _dataset_header(spec)
        doc["id"] = [v.code for v in spec.variables]
        doc["size"] = [len(v.values) for v in spec.variables]
        doc["dimension"] = {
            v.code: _dimension(spec, v, v.values, request, metadata=True) for v in spec.variables
        }
        doc["extension"] = _root_extension(spec)
        doc["value"] = []
        return JSONResponse(doc)

    @app.get(API_PREFIX + "/codelists/{codelist_id}")
    async def codelist(request: Request, codelist_id: str) -> Response:
        lang = check_lang(request)
        for table_obj in state.tables.values():
            for variable in table_obj.spec.variables:
                for item in variable.codelists:
                    if item.id.casefold() == codelist_id.casefold():
                        return JSONResponse(
                            {
                                "id": item.id,
                                "label": item.label,
                                "language": lang,
                                "languages": ["no", "en"],
                                "elimination": variable.elimination,
                                "type": item.type,
                                "values": [
                                    {
                                        "code": code,
                                        "label": item.labels.get(code, code),
                                        "valueMap": list(members),
                                    }
                                    for code, members in item.groups.items()
                                ],
                                "links": [],
                            }
                        )
        raise _Problem(404, "Non-existent codelist")

    async def data(request: Request, table_id: str, body: Mapping[str, Any] | None) -> Response:
        check_lang(request)
        params = params_of(request)
        output = params.get("outputformat", [("", "json-stat2")])[-1][1]
        if output.casefold() != "json-stat2":
            raise _Problem(400, "Unsupported output format", "Unsupported output format")
        served = table_of(table_id)
        spec = served.spec
        by_name = {v.code.casefold(): v for v in spec.variables}
        items: dict[str, list[str]] = {}
        lists: dict[str, str] = {}
        output_values: dict[str, str] = {}
        if body is not None:
            selection = body.get("selection")
            if not isinstance(selection, list):
                raise _Problem(400, "Bad Request", "The body has no selection list")
            for entry in selection:
                name = str(entry.get("variableCode", "")).casefold()
                if name not in by_name:
                    raise _Problem(400, "Non-existent variable")
                items[name] = [str(x) for x in entry.get("valueCodes") or []]
                if entry.get("codelist"):
                    lists[name] = str(entry["codelist"])
                if entry.get("outputValues"):
                    output_values[name] = str(entry["outputValues"])
        else:
            for key, values in params.items():
                match = re.fullmatch(r"(valuecodes|codelist|outputvalues)\[(.+)\]", key)
                if not match:
                    continue
                name = match.group(2).casefold()
                if name not in by_name:
                    raise _Problem(400, "Non-existent variable")
                if match.group(1) == "valuecodes":
                    items[name] = [c for _, v in values for c in split_value_list(v)]
                elif match.group(1) == "codelist":
                    lists[name] = values[-1][1]
                else:
                    output_values[name] = values[-1][1]
        if not items:
            time_var = next((v for v in spec.variables if v.role == "time"), None)
            items = {v.code.casefold(): ["*"] for v in spec.variables if not v.elimination}
            if time_var is not None:
                items[time_var.code.casefold()] = ["top(1)"]
        plan: list[tuple[ServedVariable, list[str] | None, ServedCodelist | None]] = []
        for variable in spec.variables:
            name = variable.code.casefold()
            chosen: ServedCodelist | None = None
            if name in lists:
                chosen = next(
                    (c for c in variable.codelists if c.id.casefold() == lists[name].casefold()),
                    None,
                )
                if chosen is None:
                    raise _Problem(400, "Non-existent codelist")
            if name not in items:
                if not variable.elimination:
                    raise _Problem(400, "Missing selection for mandantory variable")
                plan.append((variable, None, None))
                continue
            universe = list(chosen.groups) if chosen else list(variable.values)
            try:
                codes = expand(items[name], universe, is_time=variable.role == "time")
            except SelectionError as error:
                raise _Problem(400, error.title) from error
            if not codes:
                raise _Problem(400, "Illegal selection for mandantory variable")
            mode = output_values.get(name, "aggregated").casefold()
            if mode not in ("aggregated", "single"):
                raise _Problem(400, "Illegal selection expression")
            if chosen is not None and mode == "single":
                # The groups' own codes instead of their sums, in the table's order.
                members = {m for code in codes for m in chosen.groups[code]}
                codes = [code for code in variable.values if code in members]
                chosen = None
            plan.append((variable, codes, chosen))
        sizes = [len(codes) for _, codes, _ in plan if codes is not None]
        if math.prod(sizes) > state.options.max_cells:
            if state.options.too_many_cells_status == 403:
                raise _Problem(
                    403,
                    "Forbiden",
                    "The query resulted in cell that exceeds the number of allowed.",
                )
            raise _Problem(400, "Too many cells selected", "Too many cells selected")
        doc = _answer(state.cube(spec.table_id), plan, request)
        return Response(
            json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            media_type="application/json; charset=UTF-8",
        )

    @app.get(API_PREFIX + "/tables/{table_id}/data")
    async def data_get(request: Request, table_id: str) -> Response:
        return await data(request, table_id, None)

    @app.post(API_PREFIX + "/tables/{table_id}/data")
    async def data_post(request: Request, table_id: str) -> Response:
        try:
            body = await request.json()
        except ValueError as error:
            raise _Problem(400, "Bad Request", "The body is not JSON") from error
        if not isinstance(body, Mapping):
            raise _Problem(400, "Bad Request", "The body is not a VariablesSelection")
        return await data(request, table_id, body)

    return app


def _dataset_header(spec: TableSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": f"{spec.table_id}: {spec.label}",
        "source": spec.source,
        "updated": spec.updated,
    }
    if spec.notes:
        doc["note"] = list(spec.notes)
    role: dict[str, list[str]] = {}
    for variable in spec.variables:
        if variable.role is not None:
            role.setdefault(variable.role, []).append(variable.code)
    doc["role"] = role
    return doc


def _root_extension(spec: TableSpec) -> dict[str, Any]:
    return {
        "px": {
            "tableid": spec.table_id,
            "decimals": 0,
            "official-statistics": True,
            "aggregallowed": True,
            "language": "no",
            "contents": spec.label,
            "heading": [v.code for v in spec.variables if v.role in ("time", "metric")],
            "stub": [v.code for v in spec.variables if v.role not in ("time", "metric")],
        },
        "contact": [],
    }


def _dimension(
    spec: TableSpec,
    variable: ServedVariable,
    codes: Sequence[str],
    request: Any,
    *,
    metadata: bool,
    codelist: ServedCodelist | None = None,
) -> dict[str, Any]:
    labels = codelist.labels if codelist else variable.labels
    # SSB sends category.index as an object; positions, not key order, give the order.
    category: dict[str, Any] = {
        "index": {code: i for i, code in enumerate(codes)},
        "label": {code: str(labels.get(code, code)) for code in codes},
    }
    if variable.role == "metric":
        category["unit"] = {
            code: dict(spec.unit.get(code, {"base": "antall", "decimals": 0})) for code in codes
        }
    extension: dict[str, Any] = {"elimination": variable.elimination, "show": "value"}
    if variable.elimination_code is not None:
        extension["eliminationValueCode"] = variable.elimination_code
    own = [code for code in codes if code in variable.own_labels]
    if own:
        from kostra.sources.labels import OWN_LABEL_EXTENSION

        extension[OWN_LABEL_EXTENSION] = own
    if metadata:
        base = str(request.base_url).rstrip("/") + API_PREFIX
        # SSB's 2025 answers spell it codeLists; the 2025-10 spec renamed it codelists.
        extension["codeLists"] = [
            {
                "id": c.id,
                "label": c.label,
                "type": c.type,
                "links": [
                    {"rel": "metadata", "hreflang": "no", "href": f"{base}/codelists/{c.id}"}
                ],
            }
            for c in variable.codelists
        ]
    return {"label": variable.label, "category": category, "extension": extension}


def _answer(
    cube: _Cube,
    plan: Sequence[tuple[ServedVariable, list[str] | None, ServedCodelist | None]],
    request: Any,
) -> dict[str, Any]:
    """The JSON-stat2 data answer for a resolved selection."""
    from kostra.sources import jsonstat

    values = cube.values
    status: np.ndarray[Any, Any] | None = cube.status
    kept: list[tuple[ServedVariable, list[str], ServedCodelist | None]] = []
    axis = 0
    for variable, codes, chosen in plan:
        position = {code: i for i, code in enumerate(variable.values)}
        if codes is None:
            if variable.elimination_code is not None:
                at = position[variable.elimination_code]
                values = np.take(values, at, axis=axis)
                status = None if status is None else np.take(status, at, axis=axis)
            else:
                values = _sum_axis(values, axis, [list(range(len(variable.values)))])[
                    (slice(None),) * axis + (0,)
                ]
                status = None
            continue
        if chosen is None or (
            chosen.type == "Valueset" and all(list(chosen.groups[c]) == [c] for c in codes)
        ):
            picks = [position[code] for code in codes]
            values = np.take(values, picks, axis=axis)
            status = None if status is None else np.take(status, picks, axis=axis)
        else:
            groups = [[position[m] for m in chosen.groups[code]] for code in codes]
            summed = _sum_axis(values, axis, groups)
            status = None if status is None else _group_status(status, summed, axis, groups)
            values = summed
        kept.append((variable, codes, chosen))
        axis += 1
    flat_values = values.reshape(-1)
    ids = [v.code for v, _, _ in kept]
    grids = np.meshgrid(*[np.arange(len(c)) for _, c, _ in kept], indexing="ij")
    frame = pl.DataFrame(
        {
            **{
                v.code: pl.Series(np.asarray(codes, dtype=object)[grid.reshape(-1)], dtype=pl.Utf8)
                for (v, codes, _), grid in zip(kept, grids, strict=True)
            },
            "value": pl.Series(flat_values).fill_nan(None),
            "status": pl.Series(
                [None] * flat_values.size if status is None else status.reshape(-1).tolist(),
                dtype=pl.Utf8,
            ),
        }
    )
    spec = cube.spec
    header = _dataset_header(spec)
    doc = jsonstat.encode(
        frame,
        dimensions={v.code: codes for v, codes, _ in kept},
        updated=spec.updated,
        label=header["label"],
        source=spec.source,
        note=list(spec.notes) or None,
        role={k: [i for i in v if i in ids] for k, v in header["role"].items()},
    )
    doc["dimension"] = {
        v.code: _dimension(spec, v, codes, request, metadata=False, codelist=chosen)
        for v, codes, chosen in kept
    }
    doc["extension"] = _root_extension(spec)
    return doc


def _sum_axis(values: Any, axis: int, groups: Sequence[Sequence[int]]) -> Any:
    """Sum ``values`` over each group of positions along ``axis``; all-missing stays missing."""
    moved = np.moveaxis(values, axis, 0)
    out = np.empty((len(groups), *moved.shape[1:]))
    for i, members in enumerate(groups):
        part = moved[list(members)]
        total = np.nansum(part, axis=0)
        total[np.all(np.isnan(part), axis=0)] = np.nan
        out[i] = total
    return np.moveaxis(out, 0, axis)


def _group_status(status: Any, summed: Any, axis: int, groups: Sequence[Sequence[int]]) -> Any:
    """Symbols of summed groups: "." where every member is "." (no member existed), ".."
    where the sum is missing otherwise, none where it is a number."""
    moved = np.moveaxis(status, axis, 0)
    out = np.empty((len(groups), *moved.shape[1:]), dtype=object)
    for i, members in enumerate(groups):
        out[i] = np.where(np.all(moved[list(members)] == ".", axis=0), ".", "..")
    out = np.moveaxis(out, 0, axis)
    out[~np.isnan(summed)] = None
    return out


# --------------------------------------------------------------------------- running it


class _Server:
    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        self.config = uvicorn.Config(
            app, host=host, port=port, log_level="critical", lifespan="off"
        )
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> int:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the local PxWebApi server did not start")
            time.sleep(0.01)
        sockets = self.server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def serve(
    tables: Iterable[ServedTable],
    *,
    faults: FaultPlan | None = None,
    options: ServerOptions | None = None,
    port: int = 0,
    state: PxWebState | None = None,
) -> Iterator[str]:
    """Run the server on 127.0.0.1 in a background thread; yield its base URL.

    The URL ends in ``/api/pxwebapi/v2`` like SSB's. ``port=0`` picks a free port. Pass
    ``state`` to inspect the request log afterwards.
    """
    state = state or PxWebState(tables, options, faults)
    server = _Server(create_app(state), "127.0.0.1", port)
    bound = server.start()
    try:
        yield f"http://127.0.0.1:{bound}{API_PREFIX}"
    finally:
        server.stop()


# --------------------------------------------------------------------------- tables


def synthetic_table(
    table_id: str = "99001",
    *,
    regions: Sequence[str] = ("0301", "1103", "4601", "5001", "EAK"),
    contents: Sequence[str] = ("KOSa0000", "KOSb0000"),
    years: Sequence[int] = tuple(range(2015, 2025)),
    extra: Mapping[str, Sequence[str]] | None = None,
    seed: int = 1,
    region_variable: str = "KOKkommuneregion0000",
    updated: str = "2026-03-16T07:00:00Z",
    codelists: Mapping[str, Sequence[ServedCodelist]] | None = None,
) -> FrameTable:
    """A small seeded table, dense, with some suppressed (":") and missing ("..") cells."""
    rng = np.random.default_rng(seed)
    extra = dict(extra or {})
    variables = [
        ServedVariable(
            region_variable,
            "region",
            tuple(regions),
            role="geo",
            codelists=tuple((codelists or {}).get(region_variable, ())),
        ),
        *[
            ServedVariable(
                name, name.lower(), tuple(codes), codelists=tuple((codelists or {}).get(name, ()))
            )
            for name, codes in extra.items()
        ],
        ServedVariable("ContentsCode", "statistikkvariabel", tuple(contents), role="metric"),
        ServedVariable("Tid", "år", tuple(str(y) for y in years), role="time"),
    ]
    grid = pl.DataFrame({"region": list(regions)})
    for name, codes in extra.items():
        grid = grid.join(pl.DataFrame({name: list(codes)}), how="cross")
    grid = grid.join(pl.DataFrame({"contents_code": list(contents)}), how="cross")
    grid = grid.join(pl.DataFrame({"year": list(years)}, schema={"year": pl.Int32}), how="cross")
    n = grid.height
    value = rng.integers(0, 100_000, n).astype(float)
    flag = rng.random(n)
    status: list[str | None] = [
        ":" if f < 0.03 else ".." if f < 0.05 else None for f in flag.tolist()
    ]
    value[np.asarray([s is not None for s in status])] = np.nan
    dims = (
        pl.concat_str([pl.lit(f"{k}=") + pl.col(k) for k in sorted(extra)], separator=";")
        if extra
        else pl.lit("")
    )
    frame = grid.select(
        pl.lit(table_id).alias("table_id"),
        "contents_code",
        "region",
        pl.col("year").cast(pl.Int32),
        dims.alias("dims"),
        pl.Series("value", value).fill_nan(None),
        pl.Series("status", status, dtype=pl.Utf8),
    )
    spec = TableSpec(table_id, f"Syntetisk testtabell {table_id}", updated, tuple(variables))
    return FrameTable(spec, frame)


def population_table(years: Sequence[int] | None = None) -> FrameTable:
    """SSB table 07459 (population 1 January by region and single-year age) for the server.

    From the geography engineer's packaged population on the codes valid in each year
    (municipalities only; SSB's table also has counties and the country), every code in every
    year with 0 where it did not exist, as SSB answers. Dims Region, Alder
    ("000"…"104", "105+"), ContentsCode "Personer1", Tid. The packaged data on original borders
    has no sex split, so the real table's ``Kjonn`` dimension is left out: the served table is
    07459 with sex eliminated (SSB would sum over both sexes, which is what the data holds).
    """
    from kostra.geography import population

    years = list(years or range(2005, 2027))
    frame = population(years, age_group="single")
    frame = frame.with_columns(
        pl.col("age_group").cast(pl.Int32).alias("_age"),
    ).with_columns(
        pl.when(pl.col("_age") >= 105)
        .then(pl.lit("105+"))
        .otherwise(pl.col("_age").cast(pl.Utf8).str.zfill(3))
        .alias("Alder")
    )
    observations = frame.select(
        pl.lit("07459").alias("table_id"),
        pl.lit("Personer1").alias("contents_code"),
        "region",
        pl.col("year").cast(pl.Int32),
        (pl.lit("Alder=") + pl.col("Alder")).alias("dims"),
        pl.col("population").cast(pl.Float64).alias("value"),
        pl.lit(None, dtype=pl.Utf8).alias("status"),
    )
    regions = sorted(observations.get_column("region").unique().to_list())
    ages = [f"{a:03d}" for a in range(105)] + ["105+"]
    # SSB's 07459 lists every region code of its lifetime in every year and answers 0, not
    # ".", where a code did not exist (its statbank downloads show the same), so the served
    # table does too.
    grid = (
        pl.DataFrame({"region": regions})
        .join(pl.DataFrame({"year": sorted(years)}, schema={"year": pl.Int32}), how="cross")
        .join(pl.DataFrame({"dims": [f"Alder={a}" for a in ages]}), how="cross")
    )
    observations = (
        grid.join(observations, on=["region", "year", "dims"], how="left")
        .with_columns(
            pl.lit("07459").alias("table_id"),
            pl.lit("Personer1").alias("contents_code"),
            pl.col("value").fill_null(0.0),
        )
        .select("table_id", "contents_code", "region", "year", "dims", "value", "status")
    )
    spec = TableSpec(
        "07459",
        "Befolkning, etter region, alder, statistikkvariabel og år",
        "2026-02-20T07:00:00Z",
        (
            ServedVariable("Region", "region", tuple(regions), role="geo", elimination=True),
            ServedVariable("Alder", "alder", tuple(ages), elimination=True),
            ServedVariable(
                "ContentsCode",
                "statistikkvariabel",
                ("Personer1",),
                {"Personer1": "Personer"},
                role="metric",
            ),
            ServedVariable("Tid", "år", tuple(str(y) for y in sorted(years)), role="time"),
        ),
        notes=("Served by kostra's local PxWebApi from packaged population data.",),
    )
    return FrameTable(spec, observations)


SYMBOL_NOTES: tuple[str, ...] = (
    "Symbolet . betyr at kategorien ikke er aktuell: koden var ikke i bruk det året, "
    "eller tjenesten finnes ikke.",
    "Symbolet .. betyr at tallet ikke er tilgjengelig (ikke rapportert eller for usikkert).",
    "Symbolet : betyr at tallet er skjermet for å ikke avsløre personer.",
)
"""The served sample tables' notes on SSB's symbols (our words; SSB's dataset ``note`` explains
its symbols the same way, see shared/reference/pxwebapi/NOTES.md §4)."""

KOMMUNE_SUMMER = "agg_KommSummer"


def sample_tables(table_ids: Iterable[str] | None = None) -> list[FrameTable]:
    """Every table of the packaged synthetic KOSTRA sample, shaped like SSB's KOSTRA tables.

    Dims ``KOKkommuneregion0000``, any extra ``KOK*`` dims from the sample's ``dims``,
    ``ContentsCode`` and ``Tid``. The region variable lists every code of 2015–2025 with SSB's
    labels ("0219 Bærum (-2019)" style spans for codes no longer in use) and offers the
    ``agg_KommSummer`` aggregation (merged municipalities, :func:`kommune_summer`);
    ContentsCodes carry SSB's own label where ``catalog/data/ssb_labels.csv`` has it; the others
    carry kostra's own name (:func:`kostra.sources.labels.catalog_own_names`), marked as such in
    the dimension's ``extension`` and said in a note, since SSB always sends a label and we must
    not pass ours off as SSB's. The numbers are synthetic (``kostra.sample``).
    """
    from kostra.sample import sample_metadata, sample_observations

    metadata = sample_metadata()
    frame = sample_observations(table_ids)
    from kostra.sources.labels import catalog_labels, catalog_own_names

    labels = catalog_labels()
    own_names = catalog_own_names()
    served: list[FrameTable] = []
    for (table_id,), rows in frame.partition_by(
        "table_id", as_dict=True, maintain_order=True
    ).items():
        table = str(table_id)
        extra: dict[str, list[str]] = {}
        for text in rows.get_column("dims").unique().sort().to_list():
            for key, value in decode_dims(text).items():
                codes = extra.setdefault(key, [])
                if value not in codes:
                    codes.append(value)
        years = sorted(int(y) for y in rows.get_column("year").unique().to_list())
        regions = tuple(sorted(rows.get_column("region").unique().to_list(), key=_region_order))
        contents = tuple(sorted(rows.get_column("contents_code").unique().to_list()))
        ssb_labels = {c: labels[table][c] for c in contents if c in labels.get(table, {})}
        own = {c: own_names.get(table, {}).get(c, c) for c in contents if c not in ssb_labels}
        variables = [
            ServedVariable(
                "KOKkommuneregion0000",
                "region",
                regions,
                _region_labels(regions, years[-1]),
                role="geo",
                codelists=(kommune_summer(regions, years),),
            ),
            *[ServedVariable(k, k, tuple(sorted(v))) for k, v in sorted(extra.items())],
            ServedVariable(
                "ContentsCode",
                "statistikkvariabel",
                contents,
                {**ssb_labels, **own},
                role="metric",
                own_labels=frozenset(own),
            ),
            ServedVariable("Tid", "år", tuple(str(y) for y in years), role="time"),
        ]
        title = metadata["tables"].get(table, {}).get("title", table)
        spec = TableSpec(
            table,
            title,
            f"{metadata.get('build_date', '2026-03-16')}T07:00:00Z",
            tuple(variables),
            notes=(
                "Syntetiske eksempeltall fra kostra, ikke SSBs tall.",
                *SYMBOL_NOTES,
                *([_own_label_note(sorted(own))] if own else []),
            ),
        )
        served.append(FrameTable(spec, rows))
    return served


def _own_label_note(codes: Sequence[str]) -> str:
    listed = ", ".join(codes)
    return (
        f"Etikettene til {listed} er kostras egne navn, ikke SSBs: SSBs tekst for disse "
        "kodene er ikke kjent, og kodene er ikke bekreftet mot SSB."
    )


def kommune_summer(regions: Sequence[str], years: Sequence[int]) -> ServedCodelist:
    """``agg_KommSummer``: each municipality of the last year as ``K-<code>``, summing the codes
    of ``years`` that make it up whole (its renumberings and merged predecessors).

    Codes split between several of today's municipalities (Snillfjord 5012, Ålesund 1507 of
    2020–2023) belong to no group, since no part of a sum can stand for a part of their area;
    which codes SSB puts there is not documented offline (shared/reference/pxwebapi/NOTES.md).
    """
    from kostra.geography import mapping, municipalities

    last = max(years)
    listed = set(regions)
    targets: dict[str, set[str]] = {}
    for year in years:
        links = mapping(int(year), last)
        for source, target, weight in links.select("from_code", "to_code", "weight").iter_rows():
            if source in listed and target is not None:
                # a weight below 1 is a split: the code goes to several targets
                targets.setdefault(source, set()).add(target if weight >= 1.0 else "")
    groups: dict[str, list[str]] = {}
    for code in regions:
        whole = targets.get(code, set())
        if len(whole) == 1 and "" not in whole:
            groups.setdefault(next(iter(whole)), []).append(code)
    names = dict(municipalities(last).select("code", "name").iter_rows())
    ordered = sorted(groups)
    return ServedCodelist(
        KOMMUNE_SUMMER,
        "Kommuner, sammenslåtte (summer)",
        "Aggregation",
        {f"K-{code}": tuple(groups[code]) for code in ordered},
        {f"K-{code}": names.get(code, code) for code in ordered},
    )


def _region_labels(regions: Sequence[str], last_year: int) -> dict[str, str]:
    """SSB's region labels: the name, with the years of use for a code no longer in use.

    As in SSB's own downloads ("0219 Bærum (-2019)", "0710 Sandefjord (2017-2019)"): a code
    still in use in ``last_year`` has its name alone; one that ended shows "(first-last)",
    the first year left out when the code is older than the code history.
    """
    from kostra.geography import _data

    spans = (
        _data.municipality_years()
        .group_by("code")
        .agg(
            pl.col("year").min().alias("first"),
            pl.col("year").max().alias("last"),
            pl.col("name").sort_by("year").last().alias("name"),
        )
    )
    counties = (
        _data.counties()
        .group_by("county_code")
        .agg(
            pl.col("year").min().alias("first"),
            pl.col("year").max().alias("last"),
            pl.col("county_name").sort_by("year").last().alias("name"),
        )
        .select((pl.lit("EKA") + pl.col("county_code")).alias("code"), "first", "last", "name")
    )
    known = {
        row[0]: row[1:] for row in pl.concat([spans, counties], how="vertical_relaxed").iter_rows()
    }
    out = {"EAK": "Landet", "EAKUO": "Landet uten Oslo"}
    for code in regions:
        if code not in known:
            continue
        first, last, name = known[code]
        if last >= last_year:
            out[code] = str(name)
        else:
            start = "" if first <= _data.FIRST_YEAR else str(first)
            out[code] = f"{name} ({start}-{last})"
    return out


def _region_order(code: str) -> tuple[int, str]:
    # SSB lists the country and groups first, then counties and municipalities by code.
    return (0 if code.startswith("E") else 1, code)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the server in the foreground with 07459 and the sample tables (for demos)."""
    import uvicorn

    parser = argparse.ArgumentParser(description="A local PxWebApi 2.0 server (kostra).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-calls", type=int, default=30)
    parser.add_argument("--time-window", type=float, default=60.0)
    parser.add_argument("--max-cells", type=int, default=800_000)
    parser.add_argument("--no-sample", action="store_true", help="serve 07459 only")
    args = parser.parse_args(argv)
    tables: list[ServedTable] = [population_table()]
    if not args.no_sample:
        tables.extend(sample_tables())
    options = ServerOptions(
        max_cells=args.max_cells, max_calls=args.max_calls, time_window=args.time_window
    )
    print(f"PxWebApi 2.0 on http://{args.host}:{args.port}{API_PREFIX}")
    uvicorn.run(create_app(PxWebState(tables, options)), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
