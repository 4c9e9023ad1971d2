"""Every municipality's pages of the default year rendered once, by the builder, beside the
computed year: a first visit is then a file read, not a render.

Rendering a municipality's page takes 10–40 ms of CPU (templates and chart specifications); a
crowd of first visits (every municipality × its overview and nine sectors) is a queue of them.
The builder process (:mod:`kostra.results.store`) therefore renders, after the year's views,
the overview and the sector pages of every municipality as the server would answer them
without a query (default year, standard peer group, bokmål) with this very app, and writes
them to ``pages-nb.parquet`` in the year's folder (one row group per municipality, like the
views). The server's response cache (:class:`kostra.web.app.ResponseCache`) answers such a
request from that file when the content key, the year and the web's own code
(:func:`web_fingerprint`: templates, labels, this package) are the ones it was rendered with;
otherwise it renders as always.
"""

from __future__ import annotations

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

import pyarrow as pa
import pyarrow.parquet as pq

from kostra.report.model import REPORT_SECTORS

log = logging.getLogger("kostra.web.prerender")

#: The language the pages without a query are in (the web's default).
LANG = "nb"
FILE = f"pages-{LANG}.parquet"
#: Seconds between looks for a pages file that was not there.
RECHECK = 30.0
SCHEMA = pa.schema(
    [("code", pa.string()), ("path", pa.string()), ("headers", pa.string()), ("body", pa.binary())]
)


def page_paths(code: str) -> list[str]:
    """The pages of ``code`` that are rendered ahead: its overview and its sectors."""
    return [f"/kommune/{code}", *(f"/kommune/{code}/{s.value}" for s in REPORT_SECTORS)]


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


def render_pages(db: Path, key: str, year: int, codes: Sequence[str] | None = None) -> int:
    """Render every municipality's pages of ``year`` from the computed year ``key`` of ``db``
    into the year's :data:`FILE` (written under a temporary name and renamed in); returns
    the number of pages."""
    from fastapi.testclient import TestClient

    from kostra.results.store import Store
    from kostra.web.app import create_app
    from kostra.web.data import WebData

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per page in the log
    store = Store(db)
    computed = store.year(key, year)
    if computed is not None:  # of a builder that was stopped while rendering
        for stale in computed.path.glob(f".tmp-{FILE}-*"):
            stale.unlink(missing_ok=True)
    if computed is None:
        return 0
    web = WebData(db, store=True, warm_views=False, store_codes=codes)
    web.pin(key)
    if web.default_year() != year:
        return 0  # pages without a query show the default year only
    target = computed.path / FILE
    tmp = target.with_name(f".tmp-{target.name}-{os.getpid()}-{threading.get_ident()}")
    meta = {"key": key, "year": year, "web": web_fingerprint(), "lang": LANG}
    count = 0
    schema = SCHEMA.with_metadata({"kostra": json.dumps(meta)})
    try:
        with (
            TestClient(create_app(web=web), base_url="http://127.0.0.1") as client,
            pq.ParquetWriter(tmp, schema, compression="zstd") as writer,
        ):
            for code in computed.rows:  # the views' order: the same row group index
                rows: dict[str, list[Any]] = {"code": [], "path": [], "headers": [], "body": []}
                for path in page_paths(code):
                    answer = client.get(path, follow_redirects=False)
                    if answer.status_code != 200:
                        continue
                    kept = {
                        k: v
                        for k, v in answer.headers.items()
                        if k.lower() in ("content-type", "content-language")
                    }
                    rows["code"].append(code)
                    rows["path"].append(path)
                    rows["headers"].append(json.dumps(kept))
                    rows["body"].append(answer.content)
                    count += 1
                writer.write_table(pa.table(rows, schema=schema))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("rendered %d pages of %d ahead", count, year)
    return count


class Pages:
    """The pages rendered ahead for one computed year, read by the response cache."""

    def __init__(self, folder: Path, key: str, year: int, rows: dict[str, int]) -> None:
        self.path = folder / FILE
        self.key = key
        self.year = year
        self.rows = rows
        self._metadata: Any = None
        self._usable: bool | None = None
        self._checked = 0.0

    def usable(self) -> bool:
        """Whether the file is there and was rendered from this content, year and web code
        (a missing file is looked for again every :data:`RECHECK` seconds)."""
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
                    and meta.get("web") == web_fingerprint()
                )
                self._metadata = metadata
            self._usable = ok
        return self._usable

    def page(self, path: str) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """``(headers, body)`` of ``path`` when it was rendered ahead, else ``None``."""
        for found, headers, body in self.pages(path):
            if found == path:
                return headers, body
        return None

    def pages(self, path: str) -> list[tuple[str, list[tuple[bytes, bytes]], bytes]]:
        """Every page rendered ahead of the municipality ``path`` is a page of, as ``(path,
        headers, body)``: they are stored (and compressed) together, so a reader keeps them
        all rather than decompressing the same row group again for each (empty: none)."""
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != "kommune":
            return []
        index = self.rows.get(parts[2])
        if index is None or not self.usable():
            return []
        with pq.ParquetFile(self.path, metadata=self._metadata) as handle:
            table = handle.read_row_group(index, columns=["path", "headers", "body"])
        found: list[tuple[str, list[tuple[bytes, bytes]], bytes]] = []
        for page, headers, body in zip(
            table["path"].to_pylist(),
            table["headers"].to_pylist(),
            table["body"].to_pylist(),
            strict=True,
        ):
            pairs = [(k.encode(), str(v).encode()) for k, v in json.loads(headers).items()]
            pairs.append((b"content-length", str(len(body)).encode()))
            found.append((page, pairs, body))
        return found
