"""The chunk cache that lets an interrupted fetch resume.

Layout: ``<root>/chunks/<table>/<query-hash>/<chunk-hash>.json``, each file the raw JSON-stat2
answer for one chunk after a first line ``kostra-chunk sha256=<hex>`` holding the SHA-256 of
that answer, written atomically (temporary file, then rename) so a killed process leaves
either a whole chunk or none. Reading checks the digest: an entry that is cut, damaged or
edited (even into valid JSON with other numbers), or lacks the line, is discarded and fetched
again, never trusted. The query hash covers the server, the table, SSB's
``updated`` stamp and the expanded selection, so a table SSB has republished starts afresh.
A query's folder is removed once its table is in the warehouse.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def stable_hash(value: Any) -> str:
    """A short hex digest of a JSON-able value, independent of dict order."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _header(content: bytes) -> bytes:
    return b"kostra-chunk sha256=" + hashlib.sha256(content).hexdigest().encode("ascii")


class ChunkCache:
    """Raw chunk answers on disk, keyed by table, query and chunk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "chunks"

    def folder(self, table_id: str, query_hash: str) -> Path:
        """The folder of one query's chunks."""
        return self.root / table_id / query_hash

    def path(self, table_id: str, query_hash: str, chunk: Mapping[str, Any]) -> Path:
        """Where one chunk's answer lives."""
        return self.folder(table_id, query_hash) / f"{stable_hash(dict(chunk))}.json"

    def read(self, path: Path) -> bytes | None:
        """The cached answer, or None when there is none or it fails its digest (then the
        entry is removed, so the chunk is fetched again)."""
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return None
        header, newline, content = stored.partition(b"\n")
        if newline and header == _header(content):
            return content
        self.discard(path)
        return None

    def write(self, path: Path, content: bytes) -> None:
        """Store an answer atomically, headed by its digest."""
        self._write(path, _header(content) + b"\n" + content)

    def _write(self, path: Path, content: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def discard(self, path: Path) -> None:
        """Forget one chunk (it turned out unreadable)."""
        path.unlink(missing_ok=True)

    def count(self, table_id: str, query_hash: str) -> int:
        """How many chunks of a query are cached."""
        folder = self.folder(table_id, query_hash)
        return len(list(folder.glob("*.json"))) if folder.is_dir() else 0

    def clear(self, table_id: str, query_hash: str) -> None:
        """Remove a query's chunks (after its table was loaded)."""
        shutil.rmtree(self.folder(table_id, query_hash), ignore_errors=True)
        table_folder = self.root / table_id
        if table_folder.is_dir() and not any(table_folder.iterdir()):
            table_folder.rmdir()
