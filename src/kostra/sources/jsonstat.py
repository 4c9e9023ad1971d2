"""JSON-stat 2.0 datasets to and from long Polars frames, vectorised.

:func:`decode` turns a JSON-stat dataset (as SSB's PxWebApi 2.0 and other PxWeb servers send it)
into a :class:`JsonStatDataset`: a long frame with one ``pl.Enum`` column of category codes
per dimension (in ``id`` order, the categories in index order), ``value`` (Float64, null when
missing) and ``status`` (``pl.Enum`` of status symbols, null where a cell has none), plus
labels, roles, notes, units and extensions.
:func:`to_observations` maps that onto the Utf8 observation frame of :mod:`kostra.frames`, and
:func:`encode` builds a JSON-stat 2.0 dataset from a long frame (for the local test server and
round-trip tests).

No step loops over cells in Python: code columns are gathered as Enum category positions with
numpy repeat/tile indices (row-major, the last dimension varies fastest), so no code string is
repeated per cell; values go straight into a Float64 series, and sparse ``value``/``status``
objects are scattered by flat index. Memory matters as much as speed here: an SSB answer holds
up to 800 000 cells, and a Utf8 code column of that length costs more than the whole response.
Anything that does not add up (``size`` against ``id`` or the categories, the length of
``value``, index positions, a missing dimension) raises :class:`~kostra.errors.SourceError`:
a malformed document never yields a frame.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import polars as pl

from kostra.errors import SourceError
from kostra.frames import OBSERVATION_SCHEMA
from kostra.i18n import number
from kostra.i18n.said import Said, say

try:  # orjson parses SSB-sized responses about twice as fast as the standard library
    import orjson

    def _loads(text: bytes | str) -> Any:
        return orjson.loads(text)

except ImportError:  # pragma: no cover - orjson is a declared dependency

    def _loads(text: bytes | str) -> Any:
        return json.loads(text)


__all__ = [
    "STATUS_SYMBOLS",
    "JsonStatDataset",
    "JsonStatNotes",
    "decode",
    "encode",
    "status_dtype",
    "to_observations",
]

_RESERVED_COLUMNS = frozenset({"value", "status"})
_REGION_NAMES = ("region", "kokkommuneregion0000", "kokfylkesregion0000", "kokbydelsregion0000")
_YEAR = re.compile(r"[0-9]{4}")
_VALUE_KEY = re.compile(rb'"value"\s*:\s*\[')
# The bytes an array of JSON numbers and nulls can hold; anything else (strings, nested arrays,
# NaN/Infinity) sends the document down the ordinary full parse.
_NUMBER_BYTES = b"0123456789-+.eE,nul"
# JSON's whitespace (and only that: other spaces are not JSON outside strings). It may stand
# between tokens, as in SCB's examples and json.dump's defaults, never inside a number or null.
_WHITESPACE = b" \t\n\r"
_IS_WHITESPACE = np.zeros(256, dtype=bool)
_IS_WHITESPACE[list(_WHITESPACE)] = True
_NOT_JSON_NUMBERS = (
    r"(^|,)(,|$)|(^|[,-])0[0-9]|(^|[^0-9])[.eE]|[.eE]([^0-9+-]|$)|\.[^0-9]"
    r"|[^,eE]-|-([^0-9]|$)|[^eE]\+|^\+|\+([^0-9]|$)"
)
_STATUS_KEY = re.compile(rb'"status"\s*:\s*\{')
_PLACEHOLDERS = {"value": b'"\\u0000kostra:value"', "status": b'"\\u0000kostra:status"'}
_PLACEHOLDER_TEXTS = {"value": "\x00kostra:value", "status": "\x00kostra:status"}
# The value array and the status object are parsed in pieces of about this many bytes, so only
# one piece's entries are ever Python objects (and the values' fallback, Polars' regex engine,
# holds some 18 MB while it works on one 5 MB string, on a piece of this size little).
_PIECE = 1 << 17
# Code columns are built this many cells at a time (see _code_columns).
_ROWS = 1 << 16
# A sparse document may declare a grid this many times larger than the entries it gives (and
# any grid up to _SMALL_GRID cells); beyond that its sizes are taken to be wrong, not sparse.
_MAX_EMPTY_RATIO = 1000
_SMALL_GRID = 1_000_000

STATUS_SYMBOLS: tuple[str, ...] = (".", "..", "...", "....", ":", "-")
"""SSB's status symbols: the first categories of every ``status`` Enum, in this order, so that
frames of SSB answers share one status dtype; other symbols follow, sorted."""


@dataclass(frozen=True)
class JsonStatNotes:
    """Footnotes at the three levels JSON-stat allows."""

    dataset: list[str] = field(default_factory=list)
    dimension: dict[str, list[str]] = field(default_factory=dict)
    category: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class JsonStatDataset:
    """A decoded JSON-stat dataset.

    ``frame`` has one column of category codes per dimension in ``dimensions`` order, typed
    ``pl.Enum(categories[dim])``, then ``value`` (Float64) and ``status`` (``pl.Enum`` of
    :data:`STATUS_SYMBOLS` followed by any other symbol the document uses, sorted); its rows are
    the cells in row-major order. The Enum columns cost one or two bytes a cell where Utf8 would
    cost sixteen; cast them to ``pl.Utf8`` before stacking frames of different documents (whose
    categories differ), or use :func:`to_observations`. ``categories`` lists each dimension's
    codes in index order. ``metadata_only`` is true for a PxWebApi metadata response (no values,
    ``size`` counting the whole table): its frame is empty. ``sparse`` is true when ``value``
    was an object keyed by cell index: then the frame holds only the cells the document gives
    (a value or a status), in cell order, never the empty rest of the grid.
    """

    frame: pl.DataFrame
    dimensions: tuple[str, ...]
    categories: dict[str, list[str]]
    labels: dict[str, dict[str, str]]
    dimension_labels: dict[str, str]
    role: dict[str, list[str]]
    updated: str | None
    notes: JsonStatNotes
    units: dict[str, dict[str, dict[str, Any]]]
    extension: dict[str, Any]
    dimension_extension: dict[str, dict[str, Any]]
    label: str | None
    source: str | None
    metadata_only: bool = False
    sparse: bool = False


def _fail(message: str) -> SourceError:
    # The detail names JSON-stat's own keys (id, size, category.index), so it stays as it is.
    return SourceError(
        say("error.jsonstat.malformed", detail=message), hint=say("error.jsonstat.malformed.hint")
    )


def _lookup(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, falling back to a unique case-insensitive match (SSB varies case)."""
    if key in mapping:
        return mapping[key]
    folded = key.casefold()
    hits = [name for name in mapping if name.casefold() == folded]
    if len(hits) == 1:
        return mapping[hits[0]]
    return None


def _last(pattern: re.Pattern[bytes], raw: bytes) -> re.Match[bytes] | None:
    match = None
    for match in pattern.finditer(raw):  # noqa: B007 - the last one is SSB's top-level member
        pass
    return match


def _split_dense_value(raw: bytes) -> tuple[int, int, pl.Series] | None:
    """Find a compact numeric ``value`` array in the raw bytes and parse it in Polars.

    An 800 000-cell array costs some 40 bytes per cell as Python floats in a list, against about
    7 in the response; parsing it as one column keeps peak memory near the response size. Returns
    where the array lies in ``raw`` (from its ``[`` to past its ``]``) and the values; or None
    when the array is not plainly numbers and nulls (the caller then parses it with the rest).
    The caller checks that the array was the top-level one, so a nested "value" cannot fool it.

    The array is read in pieces of about ``_PIECE`` bytes cut at commas, each checked and
    parsed on its own, so no copy of the whole array is ever made; the values stay in one
    chunk per piece rather than being copied once more into one buffer.
    """
    match = _last(_VALUE_KEY, raw)
    if match is None:
        return None
    start = match.end()
    end = raw.find(b"]", start)
    if end <= start:
        return None
    chunks = []
    pos = start
    while pos <= end:
        stop = raw.find(b",", pos + _PIECE, end) if pos + _PIECE < end else -1
        if stop < 0:
            stop = end
        chunk = _number_piece(raw[pos:stop])
        if chunk is None:
            return None
        chunks.append(chunk)
        pos = stop + 1
    return start - 1, end + 1, pl.concat(chunks, rechunk=False)


def _number_piece(piece: bytes) -> pl.Series | None:
    """A piece of a JSON number array (no brackets; entries separated by commas, with or
    without whitespace) as Float64, or None when it holds anything but JSON numbers and nulls.

    Bytes outside ``_NUMBER_BYTES`` and JSON whitespace are refused at once, so what is left
    can only be numbers, nulls or broken tokens. The piece is then read as a JSON array
    (orjson), whose parser checks JSON's number grammar and skips the whitespace itself; its
    numbers and nulls become the column. What orjson does not take (broken JSON, or integers
    beyond 64 bits, which JSON allows) is read the slower way, with the checks below:
    whitespace that splits a token ("1 2", "nu ll") sends the piece to the full parse (which
    refuses it); the rest of it stands between entries and is dropped. Then Polars' regex
    engine finds the number grammar the CSV reader would let through but JSON does not (empty
    entries, "+1", "1.", ".5", "01", "1e", "--1"), and the CSV reader, taking commas as line
    ends, parses the rest and refuses what is still wrong ("nul", "1.2.3"). Every check lies
    within one entry and treats the ends of the piece like commas, so pieces cut at commas add
    up to the whole.
    """
    if piece.translate(None, _NUMBER_BYTES + _WHITESPACE):
        return None
    try:
        # about twice as fast as the checks and the CSV reader below; a piece's list of
        # Python numbers is small and gone at once
        return pl.Series("value", _loads(b"[" + piece + b"]"), dtype=pl.Float64, strict=True)
    except (ValueError, TypeError, OverflowError, pl.exceptions.PolarsError):
        pass
    compact = piece.translate(None, _WHITESPACE)
    removed = len(piece) - len(compact)
    if removed:
        # json.dumps's ", " (every whitespace byte a space after a comma, or at an end of the
        # piece, which was cut at a comma) needs no closer look
        ends = len(piece) - len(piece.strip(b" "))
        if removed != piece.count(b", ") + ends and _splits_a_token(piece):
            return None
        piece = compact
    if pl.Series([piece.decode("ascii")]).str.contains(_NOT_JSON_NUMBERS).item():
        return None
    try:
        return pl.read_csv(
            io.BytesIO(piece),  # shares the piece's buffer, no copy
            has_header=False,
            schema={"value": pl.Float64},
            null_values="null",
            eol_char=",",
        ).to_series()
    except pl.exceptions.PolarsError:
        return None


def _splits_a_token(piece: bytes) -> bool:
    """Whether whitespace in ``piece`` stands inside a token ("1 2", "nu ll"), i.e. between
    two bytes of which neither is a comma. Vectorised: a regex over every byte of a spaced
    800 000-cell array costs more than parsing it."""
    # Commas around the piece (it was cut at commas) give every whitespace run two neighbours.
    data = np.frombuffer(b"," + piece + b",", dtype=np.uint8)
    space = _IS_WHITESPACE[data]
    starts = np.flatnonzero(space[1:] & ~space[:-1])  # the byte before each run
    ends = np.flatnonzero(space[:-1] & ~space[1:]) + 1  # the byte after each run
    return bool(np.any((data[starts] != ord(",")) & (data[ends] != ord(","))))


def _split_sparse_status(raw: bytes) -> tuple[int, int, pl.DataFrame] | None:
    """Find a sparse ``status`` object in the raw bytes and read it piece by piece.

    KOSTRA tables mark many cells "." (no such category for that region), and as Python objects
    each entry of the status object costs some 120 bytes, against some 20 as two Arrow columns.
    Returns where the object lies in ``raw`` (from its ``{`` to past its ``}``) and its entries
    (``flat`` Int64, ``status`` Utf8, in document order); or None when it cannot be read so (the
    caller then parses it with the rest). The caller checks that it was the top-level object.

    Each piece of about ``_PIECE`` bytes, cut where an entry starts, is parsed as a JSON object
    of its own, so only one piece's entries are Python objects at a time; the JSON parser
    checks the grammar, whitespace and escapes included. A cut inside a symbol leaves a string
    unterminated (a quote inside a JSON string is escaped), so such a piece fails and the whole
    object takes the ordinary parse. Polars' CSV reader did this before: its first use in a
    process starts its own threads and keeps some 14 MB however small the object (measured).
    """
    match = _last(_STATUS_KEY, raw)
    if match is None:
        return None
    start = match.end()
    end = raw.find(b"}", start)  # a symbol holding "}" leaves a piece unterminated below
    if end < start:
        return None
    body = raw[start:end]
    parts: list[pl.DataFrame] = []
    pos = 0
    while pos < len(body):
        stop = _entry_cut(body, pos + _PIECE) if pos + _PIECE < len(body) else -1
        if stop < 0:
            stop = len(body)
        part = _status_piece(body[pos:stop])
        if part is None:
            return None
        parts.append(part)
        pos = stop + 1
    if not parts:
        return start - 1, end + 1, pl.DataFrame(schema={"flat": pl.Int64, "status": pl.Utf8})
    return start - 1, end + 1, pl.concat(parts, rechunk=True)


def _status_piece(piece: bytes) -> pl.DataFrame | None:
    """The entries of a piece of a status object (``"flat": "symbol"`` pairs, no braces) as
    ``flat`` and ``status`` columns; None unless every key is a cell index written as JSON-stat
    writes one ("0" or no leading zero) and every symbol a string."""
    try:
        entries = _loads(b"{" + piece + b"}")
    except ValueError:
        return None
    keys = pl.Series("flat", list(entries), dtype=pl.Utf8)
    try:
        symbols = pl.Series("status", list(entries.values()), dtype=pl.Utf8, strict=True)
        flat = keys.cast(pl.Int64, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return None
    # A key the cast takes but JSON-stat does not write ("01", "+1", "-0", escaped or not) reads
    # back otherwise; the ordinary parse refuses it with its own message. (A regex over the
    # piece's bytes cost 8 % of an 800 000-cell decoding, one over the keys more memory.)
    if (flat < 0).any() or (flat.cast(pl.Utf8) != keys).any():
        return None
    return pl.DataFrame([flat, symbols])


def _entry_cut(body: bytes, start: int) -> int:
    """The first comma from ``start`` that is followed by a key's quote, directly or after
    whitespace; -1 when there is none."""
    cuts = [body.find(b',"', start), *(body.find(b"," + space, start) for space in (b" ", b"\n"))]
    found = [cut for cut in cuts if cut >= 0]
    return min(found) if found else -1


def _parse(
    document: bytes | bytearray | memoryview | str | Mapping[str, Any],
) -> tuple[dict[str, Any], pl.Series | None, pl.DataFrame | None]:
    """The document as a dict, with the dense ``value`` array and the sparse ``status`` object
    read straight from the bytes into Polars where they are in SSB's plain form (else None)."""
    dense: pl.Series | None = None
    sparse: pl.DataFrame | None = None
    if isinstance(document, Mapping):
        doc: Any = document
    else:
        raw = document.encode() if isinstance(document, str) else bytes(document)
        doc = _parse_cut(raw)
        if doc is not None:
            doc, dense, sparse = doc
        else:  # nothing cut, or a cut was not the top-level member: parse all of it
            try:
                doc = _loads(raw)
            except ValueError as exc:  # orjson's and json's decode errors both are
                raise _fail(f"not valid JSON ({exc})") from exc
    if not isinstance(doc, Mapping):
        raise _fail(f"expected a JSON object, got {type(doc).__name__}")
    doc = dict(doc)
    if "class" not in doc and "dimension" not in doc and len(doc) == 1:
        # JSON-stat 1.0 bundle {"name": dataset}: unwrap its single dataset.
        (only,) = doc.values()
        if isinstance(only, Mapping) and "dimension" in only:
            doc = dict(only)
    klass = doc.get("class", "dataset")
    if klass != "dataset":
        raise _fail(f"class {klass!r} is not supported, only 'dataset'")
    return cast(dict[str, Any], doc), dense, sparse


def _parse_cut(raw: bytes) -> tuple[Any, pl.Series | None, pl.DataFrame | None] | None:
    """Parse ``raw`` with its value array and status object cut out (read in Polars instead);
    None when neither could be cut, or when a cut turns out not to be the top-level member."""
    cuts: dict[str, tuple[int, int, Any]] = {}
    value = _split_dense_value(raw)
    if value is not None:
        cuts["value"] = value
    status = _split_sparse_status(raw)
    if status is not None and not (value and status[0] < value[1] and value[0] < status[1]):
        cuts["status"] = status
    if not cuts:
        return None
    pieces, pos = [], 0
    for name, (begin, end, _) in sorted(cuts.items(), key=lambda item: item[1][0]):
        pieces += [raw[pos:begin], _PLACEHOLDERS[name]]
        pos = end
    pieces.append(raw[pos:])
    try:
        doc = _loads(b"".join(pieces))
    except ValueError:
        return None
    if not isinstance(doc, dict) or any(doc.get(name) != _PLACEHOLDER_TEXTS[name] for name in cuts):
        return None
    for name in cuts:
        doc[name] = None
    return (
        doc,
        cuts["value"][2] if "value" in cuts else None,
        cuts["status"][2] if "status" in cuts else None,
    )


def _ids_and_sizes(doc: Mapping[str, Any], dims: Mapping[str, Any]) -> tuple[list[str], list[int]]:
    root_id, root_size = doc.get("id"), doc.get("size")
    # JSON-stat 1.x put id/size inside "dimension"; some providers send both, which must agree.
    old_id, old_size = dims.get("id"), dims.get("size")
    if root_id is None:
        root_id = old_id
    elif old_id is not None and isinstance(old_id, list) and list(old_id) != list(root_id):
        raise _fail(f"root id {root_id} and dimension.id {old_id} disagree")
    if root_size is None:
        root_size = old_size
    elif old_size is not None and isinstance(old_size, list) and list(old_size) != list(root_size):
        raise _fail(f"root size {root_size} and dimension.size {old_size} disagree")
    if not isinstance(root_id, list) or not all(isinstance(i, str) for i in root_id):
        raise _fail("'id' must be a list of dimension ids")
    if not isinstance(root_size, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in root_size
    ):
        raise _fail("'size' must be a list of non-negative integers")
    if len(root_id) != len(root_size):
        raise _fail(f"'id' has {len(root_id)} dimensions but 'size' has {len(root_size)}")
    if len(set(root_id)) != len(root_id):
        raise _fail(f"'id' repeats a dimension: {root_id}")
    clash = _RESERVED_COLUMNS.intersection(root_id)
    if clash:
        raise _fail(f"dimension ids {sorted(clash)} collide with the value/status columns")
    return list(root_id), list(root_size)


def _category_codes(dim_id: str, category: Any) -> list[str]:
    """The dimension's codes in index order: list index, object index sorted by position, or
    the single label key when ``index`` is omitted."""
    if not isinstance(category, Mapping):
        raise _fail(f"dimension {dim_id!r} has no 'category' object")
    index = category.get("index")
    if index is None:
        labels = category.get("label")
        if not isinstance(labels, Mapping) or len(labels) != 1:
            raise _fail(
                f"dimension {dim_id!r} omits category.index, which is only allowed "
                "for a single category given in category.label"
            )
        return [str(next(iter(labels)))]
    if isinstance(index, list):
        if not all(isinstance(code, str) for code in index):
            raise _fail(f"dimension {dim_id!r}: category.index holds non-string codes")
        if len(set(index)) != len(index):
            raise _fail(f"dimension {dim_id!r}: category.index repeats a code")
        return list(index)
    if isinstance(index, Mapping):
        keys = list(index)
        raw = list(index.values())
        if not all(isinstance(p, int) and not isinstance(p, bool) for p in raw):
            raise _fail(f"dimension {dim_id!r}: category.index positions must be integers")
        positions = np.asarray(raw, dtype=np.int64)
        n = len(keys)
        if n and (positions.min() < 0 or positions.max() >= n):
            raise _fail(f"dimension {dim_id!r}: category.index position out of range 0..{n - 1}")
        if np.unique(positions).size != n:
            raise _fail(f"dimension {dim_id!r}: category.index has duplicate positions")
        ordered = np.empty(n, dtype=object)
        ordered[positions] = keys  # position, never key order: SSB sends {"0":0,"1":2,"2":1}
        return cast(list[str], ordered.tolist())
    raise _fail(f"dimension {dim_id!r}: category.index must be a list or an object")


def _flat_keys(obj: Mapping[Any, Any], n_cells: int, what: str) -> pl.Series:
    """The object's keys as cell indexes, checked and converted in Polars, not key by key."""
    try:
        keys = pl.Series("flat", list(obj), dtype=pl.Utf8, strict=True)
    except (TypeError, pl.exceptions.PolarsError) as exc:
        raise _fail(f"{what} object has a key that is not a cell index") from exc
    if not keys.str.contains(r"^(0|[1-9][0-9]{0,17})$").all():
        raise _fail(f"{what} object has a key that is not a cell index")
    return _in_range(keys.cast(pl.Int64), n_cells, what)


def _in_range(flat: pl.Series, n_cells: int, what: str) -> pl.Series:
    if flat.len() and (cast(int, flat.max()) >= n_cells):
        raise _fail(f"{what} object has a cell index outside 0..{n_cells - 1}")
    return flat


def _numbers(name: str, entries: list[Any]) -> pl.Series:
    """Parsed JSON entries as Float64; anything but numbers and null (true and false
    included, which Polars would take as 1 and 0) is refused."""
    try:
        if any(type(entry) is bool for entry in entries):
            raise TypeError("a boolean")
        return pl.Series(name, entries, dtype=pl.Float64, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise _fail("'value' holds entries that are neither numbers nor null") from exc


def _values(raw: Any, n_cells: int) -> pl.Series:
    if isinstance(raw, pl.Series):  # already parsed from the raw bytes
        if raw.len() != n_cells:
            raise _fail(f"'value' has {raw.len()} entries but the sizes multiply to {n_cells}")
        return raw
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise _fail(f"'value' has {len(raw)} entries but the sizes multiply to {n_cells}")
        return _numbers("value", raw)
    if isinstance(raw, Mapping):
        flat = _flat_keys(raw, n_cells, "'value'")
        given = _numbers("v", list(raw.values()))
        out = pl.Series("value", [], dtype=pl.Float64).extend_constant(None, n_cells)
        return out.scatter(flat, given) if n_cells else out
    raise _fail("'value' must be an array or an object")


def _sparse_cells(
    raw_value: Mapping[Any, Any], raw_status: Any, sizes: Sequence[int]
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """A sparse document's cells: the flat indexes it gives a value or a status (ascending),
    their values and their statuses. Nothing is allocated for the empty rest of the grid, and
    a grid far larger than the entries (see ``_MAX_EMPTY_RATIO``) is refused as wrong sizes."""
    n_cells = math.prod(sizes)
    status_entries = len(raw_status) if isinstance(raw_status, (Mapping, pl.DataFrame)) else 0
    entries = len(raw_value) + status_entries
    if n_cells > _SMALL_GRID and n_cells > _MAX_EMPTY_RATIO * max(entries, 1):
        grid = " × ".join(str(size) for size in sizes)
        raise SourceError(
            say(
                "error.jsonstat.sparse_grid",
                cells=Said.each(lambda lang: number(n_cells, lang, 0)),
                grid=grid,
                entries=Said.each(lambda lang: number(entries, lang, 0)),
            ),
            hint=say("error.jsonstat.sparse_grid.hint"),
        )
    flat = _flat_keys(raw_value, n_cells, "'value'")
    try:
        given = pl.Series("value", list(raw_value.values()), dtype=pl.Float64, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise _fail("'value' holds entries that are neither numbers nor null") from exc
    values = pl.DataFrame({"flat": flat, "value": given}).unique("flat", keep="last")
    symbols: pl.DataFrame | None = None
    if isinstance(raw_status, pl.DataFrame):  # read from the raw bytes
        symbols = raw_status.unique(subset="flat", keep="last", maintain_order=True)
        _in_range(symbols.get_column("flat"), n_cells, "'status'")
    elif isinstance(raw_status, Mapping):
        symbols = pl.DataFrame(
            {
                "flat": _flat_keys(raw_status, n_cells, "'status'"),
                "status": _status_series(list(raw_status.values())),
            }
        ).unique("flat", keep="last")
    elif isinstance(raw_status, list) and not (len(raw_status) == 1 and n_cells != 1):
        dense = _statuses(raw_status, n_cells).cast(pl.Utf8)  # as long as the grid already
        symbols = pl.DataFrame(
            {"flat": pl.int_range(n_cells, eager=True, dtype=pl.Int64), "status": dense}
        ).drop_nulls("status")
    cells = values.select("flat")
    if symbols is not None:
        cells = pl.concat([cells, symbols.select("flat")]).unique()
    cells = cells.sort("flat").join(values, on="flat", how="left", maintain_order="left")
    if symbols is not None:
        cells = cells.join(symbols, on="flat", how="left", maintain_order="left")
        status = cells.get_column("status")
    else:  # None, one string for every cell, or the deprecated one-element list
        status = _statuses(raw_status, cells.height)
    dtype = status_dtype(status.unique().cast(pl.Utf8).to_list())
    return (
        cells.get_column("flat"),
        cells.get_column("value"),
        status.cast(pl.Utf8).cast(dtype).alias("status"),
    )


def status_dtype(symbols: Iterable[str | None] = ()) -> pl.Enum:
    """The ``status`` column's dtype for a document using ``symbols``: :data:`STATUS_SYMBOLS`,
    then the other symbols sorted (so SSB answers without unusual symbols share one dtype)."""
    extra = sorted({s for s in symbols if s is not None}.difference(STATUS_SYMBOLS))
    return pl.Enum([*STATUS_SYMBOLS, *extra])


def _statuses(raw: Any, n_cells: int) -> pl.Series:
    if raw is None:
        return pl.Series("status", [], dtype=status_dtype()).extend_constant(None, n_cells)
    if isinstance(raw, str):
        return pl.Series("status", [], dtype=status_dtype([raw])).extend_constant(raw, n_cells)
    if isinstance(raw, list):
        if len(raw) == 1 and n_cells != 1:  # the deprecated one-element form of the string
            return _statuses(raw[0], n_cells)
        if len(raw) != n_cells:
            raise _fail(f"'status' has {len(raw)} entries but there are {n_cells} cells")
        given = _status_series(raw)
        return given.cast(status_dtype(given.unique().to_list()))
    if isinstance(raw, pl.DataFrame):  # read from the raw bytes: flat and status columns
        keys = raw.get_column("flat").to_numpy()
        if not bool(np.all(keys[1:] > keys[:-1])):  # SSB's keys ascend; a key given twice
            raw = raw.unique(subset="flat", keep="last", maintain_order=True)  # counts last
        flat = _in_range(raw.get_column("flat"), n_cells, "'status'")
        given = raw.get_column("status")
        dtype = status_dtype(given.unique().to_list())
        out = pl.Series("status", [], dtype=dtype).extend_constant(None, n_cells)
        return out.scatter(flat, given.cast(dtype)) if n_cells else out
    if isinstance(raw, Mapping):
        flat = _flat_keys(raw, n_cells, "'status'")
        given = _status_series(list(raw.values()))
        dtype = status_dtype(given.unique().to_list())
        out = pl.Series("status", [], dtype=dtype).extend_constant(None, n_cells)
        return out.scatter(flat, given.cast(dtype)) if n_cells else out
    raise _fail("'status' must be a string, an array or an object")


def _status_series(entries: list[Any]) -> pl.Series:
    try:
        return pl.Series("status", entries, dtype=pl.Utf8, strict=True)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise _fail("'status' holds entries that are not strings") from exc


def _str_map(obj: Any) -> dict[str, str]:
    if not isinstance(obj, Mapping):
        return {}
    return {str(k): str(v) for k, v in obj.items()}


def _note_list(obj: Any) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, list):
        return [str(x) for x in obj]
    return []


def decode(document: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> JsonStatDataset:
    """Decode a JSON-stat dataset (raw bytes, text or an already parsed object).

    Accepts ``category.index`` as a list or as an object (ordered by position, not by key),
    an omitted index for single-category dimensions, ``value`` as a dense array or a sparse
    object (absent cells become null), ``status`` as a string, array or object keyed by flat
    index, ``id``/``size`` at the root (2.0) or in ``dimension`` (1.x), dimension ids that
    differ only in case, and ``codeLists`` as well as ``codelists`` (normalised to
    ``codelists`` in :attr:`JsonStatDataset.dimension_extension`).

    Raises :class:`~kostra.errors.SourceError` when the document is malformed.
    """
    doc, dense, sparse_status = _parse(document)
    dims_obj = doc.get("dimension")
    if not isinstance(dims_obj, Mapping):
        raise _fail("the dataset has no 'dimension' object")
    ids, sizes = _ids_and_sizes(doc, dims_obj)

    categories: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    dimension_labels: dict[str, str] = {}
    units: dict[str, dict[str, dict[str, Any]]] = {}
    dim_notes: dict[str, list[str]] = {}
    cat_notes: dict[str, dict[str, list[str]]] = {}
    dim_ext: dict[str, dict[str, Any]] = {}
    for dim_id, size in zip(ids, sizes, strict=True):
        dim = _lookup(dims_obj, dim_id)
        if not isinstance(dim, Mapping):
            raise _fail(f"dimension {dim_id!r} is listed in 'id' but not described")
        category = dim.get("category")
        codes = _category_codes(dim_id, category)
        if len(codes) != size:
            raise _fail(f"dimension {dim_id!r} has {len(codes)} categories but size says {size}")
        assert isinstance(category, Mapping)
        categories[dim_id] = codes
        cat_labels = _str_map(category.get("label"))
        labels[dim_id] = {code: cat_labels.get(code, code) for code in codes}
        if isinstance(dim.get("label"), str):
            dimension_labels[dim_id] = dim["label"]
        unit = category.get("unit")
        if isinstance(unit, Mapping):
            units[dim_id] = {str(k): dict(v) for k, v in unit.items() if isinstance(v, Mapping)}
        if "note" in dim:
            dim_notes[dim_id] = _note_list(dim["note"])
        if isinstance(category.get("note"), Mapping):
            cat_notes[dim_id] = {str(k): _note_list(v) for k, v in category["note"].items()}
        ext = dict(dim.get("extension") or {})
        if "codelists" not in ext and "codeLists" in ext:
            ext["codelists"] = ext["codeLists"]  # renamed in PxApiSpecs 10fec25; SSB sends both
        dim_ext[dim_id] = ext

    n_cells = math.prod(sizes)
    # Popped, so that the parsed cells are freed before the code columns are built.
    raw_value = dense if dense is not None else doc.pop("value", None)
    del dense
    metadata_only = raw_value is None or (isinstance(raw_value, list) and not raw_value)
    sparse = isinstance(raw_value, Mapping)
    if metadata_only and n_cells:
        # PxWebApi metadata responses: "value": [] (or, in the 2024 beta, no value at all) and a
        # size counting every value of the table. The frame is empty; the categories are not.
        values = pl.Series("value", [], dtype=pl.Float64)
        status = pl.Series("status", [], dtype=status_dtype())
        code_columns = [pl.Series(d, [], dtype=pl.Enum(categories[d])) for d in ids]
    elif isinstance(raw_value, Mapping):
        flat, values, status = _sparse_cells(
            raw_value,
            sparse_status if sparse_status is not None else doc.pop("status", None),
            sizes,
        )
        del raw_value, sparse_status
        code_columns = _code_columns(ids, sizes, categories, flat)
    else:
        values = _values(raw_value, n_cells)
        del raw_value
        status = _statuses(
            sparse_status if sparse_status is not None else doc.pop("status", None), n_cells
        )
        del sparse_status
        code_columns = _code_columns(ids, sizes, categories)
    frame = pl.DataFrame([*code_columns, values, status])

    role_raw = doc.get("role", dims_obj.get("role"))
    role: dict[str, list[str]] = {}
    if isinstance(role_raw, Mapping):
        for kind, members in role_raw.items():
            if isinstance(members, list):
                role[str(kind)] = [_canonical(ids, str(m)) for m in members]

    return JsonStatDataset(
        frame=frame,
        dimensions=tuple(ids),
        categories=categories,
        labels=labels,
        dimension_labels=dimension_labels,
        role=role,
        updated=doc.get("updated") if isinstance(doc.get("updated"), str) else None,
        notes=JsonStatNotes(_note_list(doc.get("note")), dim_notes, cat_notes),
        units=units,
        extension=dict(doc.get("extension") or {}),
        dimension_extension=dim_ext,
        label=doc.get("label") if isinstance(doc.get("label"), str) else None,
        source=doc.get("source") if isinstance(doc.get("source"), str) else None,
        metadata_only=bool(metadata_only and n_cells),
        sparse=sparse,
    )


def _canonical(ids: Sequence[str], name: str) -> str:
    """The id as spelt in ``id`` for a role member that may differ in case."""
    if name in ids:
        return name
    folded = name.casefold()
    return next((i for i in ids if i.casefold() == folded), name)


class _DenseRuns:
    """The category positions of one dimension over a stretch of a dense row-major grid,
    where each position repeats ``inner`` times and the pattern repeats every
    ``inner * size`` cells: a slice of the pattern tiled once when it is short, else one
    ``np.repeat`` of the few runs the stretch holds. Both avoid a division per cell."""

    def __init__(self, inner: int, size: int) -> None:
        self.inner = inner
        self.size = size
        self.period = inner * size
        self.tiled: np.ndarray | None = None
        if self.period <= _ROWS:
            pattern = np.repeat(np.arange(size, dtype=np.uint32), inner)
            self.tiled = np.tile(pattern, -(-(_ROWS + self.period) // self.period))

    def positions(self, first: int, last: int) -> np.ndarray:
        """Positions of the cells ``first`` to ``last - 1``."""
        if self.tiled is not None:
            start = first % self.period
            return self.tiled[start : start + last - first]
        runs = np.arange(first // self.inner, (last - 1) // self.inner + 1, dtype=np.int64)
        edges = np.clip(np.append(runs, runs[-1] + 1) * self.inner, first, last)
        values = (runs % self.size).astype(np.uint32)
        return np.repeat(values, np.diff(edges))


def _code_columns(
    ids: Sequence[str],
    sizes: Sequence[int],
    categories: Mapping[str, list[str]],
    flat: pl.Series | None = None,
) -> list[pl.Series]:
    """Each dimension's column: its Enum categories gathered by the cells' positions, so the
    column holds one small integer a cell and never a string. The cells are the whole grid,
    or those at the flat indexes ``flat`` (of a sparse document).

    The positions are made and gathered ``_ROWS`` cells at a time and the pieces left as the
    column's chunks: a whole column of 4-byte positions would cost twice the column itself.
    """
    n_cells = math.prod(sizes) if flat is None else flat.len()
    cells = None if flat is None else flat.to_numpy()
    columns = []
    for k, dim_id in enumerate(ids):
        inner = math.prod(sizes[k + 1 :])  # row-major: later dimensions vary faster
        codes = pl.Series(dim_id, categories[dim_id], dtype=pl.Enum(categories[dim_id]))
        chunks = [codes.clear()]
        # an empty grid (a dimension of size 0) has no cells to place
        dense = _DenseRuns(inner, sizes[k]) if cells is None and n_cells else None
        for first in range(0, n_cells, _ROWS):
            last = min(first + _ROWS, n_cells)
            if dense is not None:
                positions = dense.positions(first, last)
            else:
                assert cells is not None
                positions = cells[first:last].astype(np.int64, copy=True)
                positions //= inner
                positions %= sizes[k]
            chunks.append(codes.gather(pl.Series(positions, dtype=pl.UInt32)))
        columns.append(pl.concat(chunks, rechunk=False) if n_cells else chunks[0])
    return columns


# --------------------------------------------------------------------------- observations


def _find_dim(dataset: JsonStatDataset, role: str, names: Sequence[str]) -> str | None:
    members = dataset.role.get(role, [])
    for member in members:
        if member in dataset.dimensions:
            return member
    folded = {d.casefold(): d for d in dataset.dimensions}
    for name in names:
        if name in folded:
            return folded[name]
    return None


def to_observations(dataset: JsonStatDataset, table_id: str) -> pl.DataFrame:
    """The dataset as an observation frame (:mod:`kostra.frames`) for SSB table ``table_id``.

    ``ContentsCode`` (role metric) becomes ``contents_code``, the time dimension (role time or
    ``Tid``) becomes ``year``, the region dimension (role geo, ``Region``,
    ``KOKkommuneregion0000``, ``KOKfylkesregion0000``) becomes ``region`` with any ``K-``
    prefix removed, and every other dimension goes into the canonical ``dims`` text.
    KOSTRA is annual: a time code that is not a four-digit year raises
    :class:`~kostra.errors.SourceError`, as does a table without contents, time or region.
    """
    metric = _find_dim(dataset, "metric", ("contentscode",))
    time = _find_dim(dataset, "time", ("tid", "time"))
    region = _find_dim(dataset, "geo", _REGION_NAMES)
    missing = [
        name
        for name, dim in (("ContentsCode", metric), ("Tid", time), ("region", region))
        if dim is None
    ]
    if missing:
        raise SourceError(
            say(
                "error.jsonstat.missing_dims",
                table=table_id,
                missing=", ".join(missing),
                dims=", ".join(dataset.dimensions),
            ),
            hint=say("error.jsonstat.missing_dims.hint"),
        )
    assert metric is not None
    assert time is not None
    assert region is not None
    not_annual = [code for code in dataset.categories[time] if not _YEAR.fullmatch(code)]
    if not_annual:
        raise SourceError(
            say("error.jsonstat.not_annual", table=table_id, value=repr(not_annual[0])),
            hint=say("error.jsonstat.not_annual.hint"),
        )
    # Every column is worked out once per category, then gathered by the cells' positions: the
    # Utf8 columns the observation schema asks for are built once, with no per-cell string work.
    frame = dataset.frame
    region_codes = [code.removeprefix("K-") for code in dataset.categories[region]]
    columns = [
        _gather(dataset.categories[metric], _positions(dataset, metric)).alias("contents_code"),
        _gather(region_codes, _positions(dataset, region)).alias("region"),
        pl.Series([int(y) for y in dataset.categories[time]], dtype=pl.Int32)
        .gather(_positions(dataset, time))
        .alias("year"),
        _dims_column(dataset, sorted(set(dataset.dimensions) - {metric, time, region})),
        frame.get_column("value").cast(pl.Float64),
        frame.get_column("status").cast(pl.Utf8),
    ]
    out = pl.DataFrame(columns).select(pl.lit(table_id, dtype=pl.Utf8).alias("table_id"), pl.all())
    return out.cast(cast(Any, OBSERVATION_SCHEMA))


def _positions(dataset: JsonStatDataset, dim: str) -> pl.Series:
    """The cells' category positions in ``dim`` (what an Enum column stores; a Utf8 column of
    codes, as an older frame may hold, is mapped onto the categories first)."""
    column = dataset.frame.get_column(dim)
    enum = pl.Enum(dataset.categories[dim])
    if column.dtype != enum:
        column = column.cast(pl.Utf8).cast(enum)
    return column.to_physical()


def _gather(strings: list[str], positions: pl.Series) -> pl.Series:
    return pl.Series(strings, dtype=pl.Utf8).gather(positions)


def _dims_column(dataset: JsonStatDataset, others: Sequence[str]) -> pl.Series:
    """The canonical ``dims`` text (:func:`kostra.frames.encode_dims`) of every cell.

    The texts of the combinations of the other dimensions' categories that cells use are built
    once (no more of them than cells, even for a sparse document's large grid), then gathered
    by each cell's combination.
    """
    height = dataset.frame.height
    if not others or not height:  # no cells: a metadata answer's sizes may count millions
        return pl.repeat("", height, dtype=pl.Utf8, eager=True).alias("dims")
    sizes = [len(dataset.categories[d]) for d in others]
    key = pl.zeros(height, dtype=pl.Int64, eager=True)
    stride = 1
    for dim, size in zip(reversed(others), reversed(sizes), strict=True):
        key = key + _positions(dataset, dim).cast(pl.Int64) * stride
        stride *= size
    used = key.unique().sort()
    combo = used.to_numpy()
    parts = []
    stride = 1
    for dim, size in zip(reversed(others), reversed(sizes), strict=True):
        pairs = [f"{dim}={code}" for code in dataset.categories[dim]]
        parts.append(_gather(pairs, pl.Series((combo // stride) % size)))
        stride *= size
    texts = pl.DataFrame({str(i): part for i, part in enumerate(reversed(parts))})
    return (
        texts.select(pl.concat_str(pl.all(), separator=";"))
        .to_series()
        .gather(used.search_sorted(key))
        .alias("dims")
    )


# --------------------------------------------------------------------------- encoding


def encode(
    frame: pl.DataFrame,
    *,
    dimensions: Sequence[str] | Mapping[str, Sequence[str]],
    labels: Mapping[str, Mapping[str, str]] | None = None,
    dimension_labels: Mapping[str, str] | None = None,
    updated: str | None = None,
    status: Literal["object", "array", "string"] = "object",
    sparse: bool = False,
    index: Literal["object", "array"] = "object",
    role: Mapping[str, Sequence[str]] | None = None,
    label: str | None = None,
    source: str | None = None,
    note: Sequence[str] | None = None,
    units: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    extension: Mapping[str, Any] | None = None,
    dimension_extension: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Build a JSON-stat 2.0 dataset from a long frame, SSB flavour.

    ``frame`` has one column of codes per dimension, ``value`` and optionally ``status``.
    ``dimensions`` gives the ``id`` order, either as ids (categories in order of first
    appearance in the frame) or as ``{id: [codes in order]}``. Cells absent from the frame are
    missing. ``status`` chooses its form: a sparse object keyed by flat index (SSB's; left out
    when no cell has one), a dense array, or one string (every cell must share it).
    ``sparse=True`` writes ``value`` as an object of the non-null cells. ``index`` writes
    ``category.index`` as SSB's object or as a list. ``role`` defaults to ContentsCode as metric
    and Tid as time where those dimensions exist. Raises ``ValueError`` for a frame that does
    not fit (duplicate cells, codes outside the given categories).
    """
    ids = list(dimensions)
    missing = [d for d in [*ids, "value"] if d not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks columns {missing}")
    if isinstance(dimensions, Mapping):
        cats = {d: [str(c) for c in dimensions[d]] for d in ids}
    else:
        cats = {
            d: frame.get_column(d).cast(pl.Utf8).unique(maintain_order=True).to_list() for d in ids
        }
    sizes = [len(cats[d]) for d in ids]
    n_cells = math.prod(sizes)

    flat = pl.lit(0, dtype=pl.Int64)
    stride = 1
    for d in reversed(ids):
        lookup = dict(zip(cats[d], range(len(cats[d])), strict=True))
        pos = pl.col(d).cast(pl.Utf8).replace_strict(lookup, default=None, return_dtype=pl.Int64)
        flat = flat + pos * stride
        stride *= len(cats[d])
    status_col = (
        pl.col("status").cast(pl.Utf8) if "status" in frame.columns else pl.lit(None, pl.Utf8)
    )
    cells = frame.select(
        flat.alias("flat"), pl.col("value").cast(pl.Float64), status_col.alias("status")
    )
    if cells.get_column("flat").null_count():
        raise ValueError("frame has codes that are not among the given categories")
    if cells.get_column("flat").n_unique() != cells.height:
        raise ValueError("frame has more than one row for the same cell")

    flat_idx = cells.get_column("flat").to_numpy()
    dense_values = np.full(n_cells, np.nan)
    dense_values[flat_idx] = cells.get_column("value").fill_null(np.nan).to_numpy()
    value_series = pl.Series(dense_values).fill_nan(None)

    out: dict[str, Any] = {"version": "2.0", "class": "dataset"}
    if label is not None:
        out["label"] = label
    if source is not None:
        out["source"] = source
    if updated is not None:
        out["updated"] = updated
    if note:
        out["note"] = list(note)
    if role is None:
        role = {}
        metric = [d for d in ids if d.casefold() == "contentscode"]
        time = [d for d in ids if d.casefold() == "tid"]
        if time:
            role["time"] = time
        if metric:
            role["metric"] = metric
    if role:
        out["role"] = {k: list(v) for k, v in role.items()}
    out["id"] = ids
    out["size"] = sizes
    dimension_out: dict[str, Any] = {}
    for d in ids:
        codes = cats[d]
        cat_labels = (labels or {}).get(d, {})
        category: dict[str, Any] = {
            "index": {c: i for i, c in enumerate(codes)} if index == "object" else list(codes),
            "label": {c: str(cat_labels.get(c, c)) for c in codes},
        }
        if units and d in units:
            category["unit"] = {c: dict(u) for c, u in units[d].items()}
        entry: dict[str, Any] = {"label": (dimension_labels or {}).get(d, d), "category": category}
        if dimension_extension and d in dimension_extension:
            entry["extension"] = dict(dimension_extension[d])
        dimension_out[d] = entry
    out["dimension"] = dimension_out
    if extension is not None:
        out["extension"] = dict(extension)

    if sparse:
        present = np.flatnonzero(~np.isnan(dense_values))
        out["value"] = dict(
            zip(map(str, present.tolist()), dense_values[present].tolist(), strict=True)
        )
    else:
        out["value"] = value_series.to_list()

    with_status = cells.filter(pl.col("status").is_not_null()).sort("flat")
    if status == "object":
        if with_status.height:
            out["status"] = dict(
                zip(
                    map(str, with_status.get_column("flat").to_list()),
                    with_status.get_column("status").to_list(),
                    strict=True,
                )
            )
    elif status == "array":
        dense_status = pl.Series([], dtype=pl.Utf8).extend_constant(None, n_cells)
        if with_status.height:
            dense_status = dense_status.scatter(
                with_status.get_column("flat"), with_status.get_column("status")
            )
        out["status"] = dense_status.to_list()
    else:
        symbols = with_status.get_column("status").unique().to_list()
        if len(symbols) > 1 or (symbols and with_status.height != n_cells):
            raise ValueError("status='string' needs one symbol shared by every cell")
        if symbols:
            out["status"] = symbols[0]
    return out
