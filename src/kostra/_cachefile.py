"""Text files kept in the user cache directory: written atomically, failures only cost time.

A derived result that is the same every time (a JavaScript bundle, simplified boundaries) is
kept on disk between processes. Several processes may write the same file at once (parallel
reports), so each writes a temporary file of its own and renames it into place; a cache
directory that cannot be written is not an error.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_cached(cache: Path, text: str | bytes) -> None:
    """Write ``text`` (UTF-8, or bytes as they are) to ``cache`` atomically; an unwritable
    directory is silently skipped."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=f".{cache.name}.", dir=cache.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            Path(partial).replace(cache)
        finally:
            Path(partial).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only cache directory only costs time
