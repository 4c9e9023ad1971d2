"""Every municipality's pages and API answers rendered once, by the builder, beside the
computed year: a request for one of them is then a file read, not a render.

Rendering a municipality's page takes 10–40 ms of CPU (templates and chart specifications); a
crowd of first visits (every municipality × its overview and nine sector pages) is a queue of
them, and so are the same pages against another peer group or in an earlier year, and the
JSON and CSV answers. The builder process (:mod:`kostra.results.store`) therefore renders,
with this very app, what the server would answer for these requests, in *parts*, each a file
in the year's folder with one row group per municipality (like the views):

- ``pages-nb.parquet``: the overview and sector pages without a query (default year,
  standard peer group, bokmål); in an earlier year's folder the same with ``?ar=<year>``;
- ``pages-nb-api.parquet``: the default year's ``/api/kommune/…`` answers, JSON and
  ``?format=csv``;
- ``pages-nb-gruppe-<peers>.parquet``: the pages with ``?gruppe=<peers>``, for every other
  stored peer group.

Bodies are stored gzip-compressed (sent as they are to a client that accepts gzip). The
server's response cache (:class:`kostra.web.app.ResponseCache`) answers a request whose path
and query are one of these from the file when the content key, the year and the web's own
code (:func:`web_fingerprint`: templates, labels, this package) are the ones it was rendered
with; otherwise it renders as always. A year on older borders than the newest (2022, 2023)
draws its pages' time series from the newest borders' content, so its files record that
content's key (``series``) and are used only while the server draws from the same content; a
year whose series content is not computed is not rendered ahead.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pyarrow as pa
import pyarrow.parquet as pq

from kostra.report.model import REPORT_SECTORS

log = logging.getLogger("kostra.web.prerender")

#: The language the pages without a query are in (the web's default).
LANG = "nb"
FILE = f"pages-{LANG}.parquet"
#: The part of the default year's JSON and CSV answers.
API = "api"
SECTORS = frozenset(s.value for s in REPORT_SECTORS)
#: Seconds between looks for a pages file that was not there.
RECHECK = 30.0
SCHEMA = pa.schema(
    [("code", pa.string()), ("path", pa.string()), ("headers", pa.string()), ("body", pa.binary())]
)
#: Response headers kept with a stored body (the security headers are added on the way out).
KEPT_HEADERS = ("content-type", "content-language", "content-disposition")
#: A stored answer: its path with query, response headers, gzip-compressed body.
Stored = tuple[str, list[tuple[bytes, bytes]], bytes]


def page_paths(code: str) -> list[str]:
    """The pages of ``code`` that are rendered ahead: its overview and its sectors."""
    return [f"/kommune/{code}", *(f"/kommune/{code}/{s.value}" for s in REPORT_SECTORS)]


def part_file(part: str) -> str:
    """The file name of a part (``""``: the pages; :data:`API`; ``gruppe-<peers>``)."""
    return FILE if not part else f"pages-{LANG}-{part}.parquet"


def targets(code: str, part: str, query: str = "") -> list[str]:
    """The paths with query of ``code`` in ``part``; ``query`` (``"ar=2023"``) is added to
    the pages of part ``""``."""
    if part == API:
        paths = [f"/api{page}" for page in page_paths(code)]
        return [*paths, *(f"{p}?format=csv" for p in paths)]
    if part.startswith("gruppe-"):
        query = f"gruppe={part.removeprefix('gruppe-')}"
    return [p + (f"?{query}" if query else "") for p in page_paths(code)]


def locate(path: str, query: str) -> tuple[str, int | None, str, str] | None:
    """Where the answer to ``path?query`` would be stored: ``(code, year, part, target)``,
    ``year`` ``None`` for the default year; ``None`` when no part holds such a request (a
    query of more than one parameter, or one no part is rendered with)."""
    parts = path.split("/")
    api = len(parts) > 3 and parts[1] == "api" and parts[2] == "kommune"
    if api:
        parts = parts[1:]
    if not 3 <= len(parts) <= 4 or parts[1] != "kommune":
        return None
    if len(parts) == 4 and parts[3] not in SECTORS:
        return None  # a workbench page (nøkkeltall, fakta …): never rendered ahead
    code = parts[2]
    pairs = parse_qsl(query, keep_blank_values=True)
    target = path + (f"?{query}" if query else "")
    if not pairs:
        return code, None, API if api else "", target
    if len(pairs) != 1:
        return None
    name, value = pairs[0]
    if api:
        return (code, None, API, target) if (name, value) == ("format", "csv") else None
    if name == "gruppe" and value.isidentifier():
        return code, None, f"gruppe-{value}", target
    if name == "ar" and value.isdigit() and len(value) == 4:
        return code, int(value), "", target
    return None


def on_older_borders(year: int) -> bool:
    """Whether ``year``'s own borders are older than the newest: its pages draw their time
    series from the newest borders' content (:meth:`kostra.web.data.WebData.series_borders`)."""
    from kostra import api

    return api.borders_for(year, "year") < api.NEWEST_BORDERS


def web_fingerprint() -> str:
    """A hash of the content of what a page's HTML is made from besides the figures: this
    package (code, templates, static files) and the label catalogs."""
    from kostra.results.store import _tree_hash

    package = Path(str(resources.files("kostra")))
    digest = hashlib.sha256(_tree_hash(package, ("web", "i18n", "render")).encode())
    # _tree_hash leaves templates and styles out (they do not change figures); pages need them
    for sub in ("web", "render"):
        for path in sorted((package / sub).rglob("*")):
            if path.is_file() and path.suffix in (".j2", ".css", ".js"):
                digest.update(str(path.relative_to(package)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def render_pages(
    db: Path,
    key: str,
    year: int,
    codes: Sequence[str] | None = None,
    part: str = "",
    series: str | None = None,
) -> int:
    """Render ``part`` of every municipality (see the module) of ``year`` from the computed
    year ``key`` of ``db`` into the year's file of that part (written under a temporary name
    and renamed in); returns the number of answers stored (0: nothing to render, e.g. a peer
    group not stored, or the JSON answers of a year other than the default). The pages of a
    year on older borders draw their time series from the newest borders' content
    ``series``: they are rendered only when it holds the year, and its key is recorded with
    them (a reader uses them only while it draws its series from the same content)."""
    from fastapi.testclient import TestClient

    from kostra.results.store import Store
    from kostra.web.app import create_app
    from kostra.web.data import WebData

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per page in the log
    store = Store(db)
    computed = store.year(key, year)
    name = part_file(part)
    if computed is not None:  # of a builder that was stopped while rendering
        for stale in computed.path.glob(f".tmp-{name}-*"):
            stale.unlink(missing_ok=True)
    if computed is None:
        return 0
    if part.startswith("gruppe-") and not computed.has(part.removeprefix("gruppe-")):
        return 0
    web = WebData(db, store=True, warm_views=False, store_codes=codes)
    web.pin(key)
    default = web.default_year()
    if year not in web.years() or (year != default and part):
        return 0  # of an earlier year, only the pages
    needs = None
    if on_older_borders(year):
        if series is None or store.year(series, year) is None:
            return 0  # its series are not computed: rendered on request, saying so
        web.pin(series, "newest")
        needs = series
    query = "" if year == default else f"ar={year}"
    target = computed.path / name
    tmp = target.with_name(f".tmp-{name}-{os.getpid()}-{threading.get_ident()}")
    meta = {"key": key, "year": year, "web": web_fingerprint(), "lang": LANG, "part": part}
    if needs is not None:
        meta["series"] = needs
    count = 0
    schema = SCHEMA.with_metadata({"kostra": json.dumps(meta)})
    # the bodies are gzip already: compressing them again would only cost a reader
    compression = {"code": "zstd", "path": "zstd", "headers": "zstd", "body": "none"}
    try:
        with (
            TestClient(create_app(web=web), base_url="http://127.0.0.1") as client,
            pq.ParquetWriter(tmp, schema, compression=compression) as writer,
        ):
            for code in computed.rows:  # the views' order: the same row group index
                rows: dict[str, list[Any]] = {"code": [], "path": [], "headers": [], "body": []}
                for url in targets(code, part, query):
                    # identity: the body as the app made it, compressed here once
                    answer = client.get(
                        url, follow_redirects=False, headers={"accept-encoding": "identity"}
                    )
                    if answer.status_code != 200:
                        continue
                    kept = {k: v for k, v in answer.headers.items() if k.lower() in KEPT_HEADERS}
                    rows["code"].append(code)
                    rows["path"].append(url)
                    rows["headers"].append(json.dumps(kept))
                    rows["body"].append(gzip.compress(answer.content, compresslevel=9, mtime=0))
                    count += 1
                writer.write_table(pa.table(rows, schema=schema))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("rendered %d answers of %d ahead (%s)", count, year, part or "pages")
    return count


def render_ahead(
    db: Path,
    key: str,
    year: int,
    *,
    earlier: Sequence[int] = (),
    peers: Sequence[str] = (),
    codes: Sequence[str] | None = None,
    series: str | None = None,
) -> int:
    """Every part not rendered yet: ``year``'s JSON and CSV answers, its pages against each
    of ``peers``, then the pages of the ``earlier`` years (those on older borders with their
    time series from the newest borders' content ``series``, see :func:`render_pages`);
    returns the answers stored."""
    from kostra.results.store import Store

    store = Store(db)
    jobs = [(year, API), *((year, f"gruppe-{p}") for p in peers), *((y, "") for y in earlier)]
    count = 0
    for when, part in jobs:
        computed = store.year(key, when)
        if computed is None:
            continue
        drawn = series if on_older_borders(when) else None
        if Pages(computed.path, key, when, {}, part, drawn).usable():
            continue
        count += render_pages(db, key, when, codes, part, series)
    return count


class Pages:
    """The answers rendered ahead of one part of one computed year, read by the response
    cache."""

    def __init__(
        self,
        folder: Path,
        key: str,
        year: int,
        rows: dict[str, int],
        part: str = "",
        series: str | None = None,
    ) -> None:
        self.path = folder / part_file(part)
        self.key = key
        self.year = year
        self.rows = rows
        self.part = part
        #: the newest borders' content the reader draws this year's time series from (pages
        #: of a year on older borders; ``None``: none, or not drawn from another content)
        self.series = series
        self._metadata: Any = None
        self._usable: bool | None = None
        self._checked = 0.0

    def usable(self) -> bool:
        """Whether the file is there and was rendered from this content, year and web code,
        with its time series from :attr:`series` (a missing file is looked for again every
        :data:`RECHECK` seconds)."""
        now = time.monotonic()
        if self._usable is None or (not self._usable and now - self._checked > RECHECK):
            self._checked = now
            ok = False
            if self.path.is_file():
                metadata = pq.read_metadata(self.path)
                raw = (metadata.metadata or {}).get(b"kostra")
                meta = json.loads(raw) if raw else {}
                ok = (
                    meta.get("key") == self.key
                    and meta.get("year") == self.year
                    and meta.get("part", "") == self.part
                    and meta.get("web") == web_fingerprint()
                    and meta.get("series") == self.series
                )
                self._metadata = metadata
            self._usable = ok
        return self._usable

    def page(self, target: str) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """``(headers, body)`` of ``target`` (a path with its query) when it was rendered
        ahead, else ``None``; the body as the app made it."""
        found = locate(*target.partition("?")[::2])
        if found is None:
            return None
        for stored, headers, body in self.pages(found[0]):
            if stored == target:
                plain = [h for h in headers if h[0] not in (b"content-encoding", b"vary")]
                return plain, gzip.decompress(body)
        return None

    def pages(self, code: str) -> list[Stored]:
        """Every answer of the municipality ``code`` rendered ahead in this part, as ``(path
        with query, headers, gzip body)``: they are stored together, so a reader keeps them
        all rather than reading the same row group again for each (empty: none)."""
        index = self.rows.get(code)
        if index is None or not self.usable():
            return []
        with pq.ParquetFile(self.path, metadata=self._metadata) as handle:
            table = handle.read_row_group(index, columns=["path", "headers", "body"])
        found: list[Stored] = []
        for target, headers, body in zip(
            table["path"].to_pylist(),
            table["headers"].to_pylist(),
            table["body"].to_pylist(),
            strict=True,
        ):
            pairs = [(k.encode(), str(v).encode()) for k, v in json.loads(headers).items()]
            pairs += [
                (b"content-encoding", b"gzip"),
                (b"vary", b"accept-encoding"),
                (b"content-length", str(len(body)).encode()),
            ]
            found.append((target, pairs, body))
        return found
