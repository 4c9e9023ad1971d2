"""JSON-stat 2.0 datasets to and from long Polars frames, vectorised.

:func:`decode` turns a JSON-stat dataset (as SSB's PxWebApi 2.0 and other PxWeb servers send it)
into a :class:`JsonStatDataset`: a long frame with one Utf8 column of category codes per
dimension (in ``id`` order), ``value`` (Float64, null when missing) and ``status`` (Utf8, SSB's
symbol or null), plus labels, roles, notes, units and extensions.
:func:`to_observations` maps that onto the observation frame of :mod:`kostra.frames`, and
:func:`encode` builds a JSON-stat 2.0 dataset from a long frame (for the local test server and
round-trip tests).

No step loops over cells in Python: code columns are gathered from the category arrays with
numpy repeat/tile indices (row-major, the last dimension varies fastest), values go straight
into a Float64 series, and sparse ``value``/``status`` objects are scattered by flat index.
Anything that does not add up (``size`` against ``id`` or the categories, the length of
``value``, index positions, a missing dimension) raises :class:`~kostra.errors.SourceError`:
a malformed document never yields a frame.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import polars as pl

from kostra.errors import SourceError
from kostra.frames import OBSERVATION_SCHEMA

try:  # orjson parses SSB-sized responses about twice as fast as the standard library
    import orjson

    def _loads(text: bytes | str) -> Any:
        return orjson.loads(text)

except ImportError:  # pragma: no cover - orjson is a declared dependency

    def _loads(text: bytes | str) -> Any:
        return json.loads(text)


__all__ = [
    "JsonStatDataset",
    "JsonStatNotes",
    "decode",
    "encode",
    "to_observations",
]

_HINT = "The server sent a JSON-stat document that does not add up; try again or report it."
_RESERVED_COLUMNS = frozenset({"value", "status"})
_REGION_NAMES = ("region", "kokkommuneregion0000", "kokfylkesregion0000", "kokbydelsregion0000")
_YEAR = re.compile(r"^\d{4}$")
_VALUE_KEY = re.compile(rb'"value"\s*:\s*\[')
# The bytes a compact array of JSON numbers and nulls can hold; anything else (strings, nested
# arrays, whitespace, NaN/Infinity) sends the document down the ordinary full parse.
_NUMBER_BYTES = b"0123456789-+.eE,nul"
_NOT_JSON_NUMBERS = (
    r"(^|,)(,|$)|(^|[,-])0[0-9]|(^|[^0-9])[.eE]|[.eE]([^0-9+-]|$)|\.[^0-9]"
    r"|[^,eE]-|-([^0-9]|$)|[^eE]\+|^\+|\+([^0-9]|$)"
)
_PLACEHOLDER = b'"\\u0000kostra:value"'
_PLACEHOLDER_TEXT = "\x00kostra:value"


@dataclass(frozen=True)
class JsonStatNotes:
    """Footnotes at the three levels JSON-stat allows."""

    dataset: list[str] = field(default_factory=list)
    dimension: dict[str, list[str]] = field(default_factory=dict)
    category: dict[str, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class JsonStatDataset:
    """A decoded JSON-stat dataset.

    ``frame`` has one Utf8 column of category codes per dimension in ``dimensions`` order,
    then ``value`` (Float64) and ``status`` (Utf8); its rows are the cells in row-major order.
    ``categories`` lists each dimension's codes in index order. ``metadata_only`` is true for a
    PxWebApi metadata response (no values, ``size`` counting the whole table): its frame is empty.
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


def _fail(message: str) -> SourceError:
    return SourceError(f"Malformed JSON-stat: {message}", hint=_HINT)


def _lookup(mapping: Mapping[str, Any], key: str) -> Any:
    """``mapping[key]``, falling back to a unique case-insensitive match (SSB varies case)."""
    if key in mapping:
        return mapping[key]
    folded = key.casefold()
    hits = [name for name in mapping if name.casefold() == folded]
    if len(hits) == 1:
        return mapping[hits[0]]
    return None


def _split_dense_value(raw: bytes) -> tuple[bytes, pl.Series] | None:
    """Cut a compact numeric ``value`` array out of the raw bytes and parse it in Polars.

    An 800 000-cell array costs some 40 bytes per cell as Python floats in a list, against about
    7 in the response; parsing it as one column keeps peak memory near the response size. Returns
    the document with a placeholder where the array was, and the values; or None when the array
    is not plainly numbers and nulls (the caller then parses the whole document). The caller
    checks that the placeholder landed at the top level, so a nested "value" key cannot fool it.
    """
    match = None
    for match in _VALUE_KEY.finditer(raw):  # noqa: B007 - the last one is SSB's top-level array
        pass
    if match is None:
        return None
    start = match.end()
    end = raw.find(b"]", start)
    if end <= start:
        return None
    body = raw[start:end]
    if body.translate(None, _NUMBER_BYTES):
        return None
    # Number grammar the CSV reader would let through but JSON does not (empty entries, "+1",
    # "1.", ".5", "01", "1e", "--1"), found in one pass of Polars' regex engine.
    if pl.Series([body.decode("ascii")]).str.contains(_NOT_JSON_NUMBERS).item():
        return None
    try:
        values = pl.read_csv(
            io.BytesIO(body.replace(b",", b"\n")),
            has_header=False,
            schema={"value": pl.Float64},
            null_values="null",
        ).to_series()
    except pl.exceptions.PolarsError:
        return None
    return raw[: start - 1] + _PLACEHOLDER + raw[end + 1 :], values


def _parse(
    document: bytes | bytearray | memoryview | str | Mapping[str, Any],
) -> tuple[dict[str, Any], pl.Series | None]:
    dense: pl.Series | None = None
    if isinstance(document, Mapping):
        doc: Any = document
    else:
        raw = document.encode() if isinstance(document, str) else bytes(document)
        doc = None
        split = _split_dense_value(raw)
        if split is not None:
            with contextlib.suppress(ValueError):
                cut = _loads(split[0])
                if isinstance(cut, dict) and cut.get("value") == _PLACEHOLDER_TEXT:
                    doc, dense = cut, split[1]
        if doc is None:  # no cut, or it was not the top-level value: parse all of it
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
    return cast(dict[str, Any], doc), dense


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
    flat = keys.cast(pl.Int64)
    if flat.len() and (cast(int, flat.max()) >= n_cells):
        raise _fail(f"{what} object has a cell index outside 0..{n_cells - 1}")
    return flat


def _values(raw: Any, n_cells: int) -> pl.Series:
    if isinstance(raw, pl.Series):  # already parsed from the raw bytes
        if raw.len() != n_cells:
            raise _fail(f"'value' has {raw.len()} entries but the sizes multiply to {n_cells}")
        return raw
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise _fail(f"'value' has {len(raw)} entries but the sizes multiply to {n_cells}")
        try:
            return pl.Series("value", raw, dtype=pl.Float64, strict=True)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise _fail("'value' holds entries that are neither numbers nor null") from exc
    if isinstance(raw, Mapping):
        flat = _flat_keys(raw, n_cells, "'value'")
        try:
            given = pl.Series("v", list(raw.values()), dtype=pl.Float64, strict=True)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise _fail("'value' holds entries that are neither numbers nor null") from exc
        out = pl.Series("value", [], dtype=pl.Float64).extend_constant(None, n_cells)
        return out.scatter(flat, given) if n_cells else out
    raise _fail("'value' must be an array or an object")


def _statuses(raw: Any, n_cells: int) -> pl.Series:
    if raw is None:
        return pl.Series("status", [], dtype=pl.Utf8).extend_constant(None, n_cells)
    if isinstance(raw, str):
        return pl.Series("status", [], dtype=pl.Utf8).extend_constant(raw, n_cells)
    if isinstance(raw, list):
        if len(raw) == 1 and n_cells != 1:  # the deprecated one-element form of the string
            return _statuses(raw[0], n_cells)
        if len(raw) != n_cells:
            raise _fail(f"'status' has {len(raw)} entries but there are {n_cells} cells")
        try:
            return pl.Series("status", raw, dtype=pl.Utf8, strict=True)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise _fail("'status' holds entries that are not strings") from exc
    if isinstance(raw, Mapping):
        flat = _flat_keys(raw, n_cells, "'status'")
        try:
            given = pl.Series("s", list(raw.values()), dtype=pl.Utf8, strict=True)
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise _fail("'status' holds entries that are not strings") from exc
        out = pl.Series("status", [], dtype=pl.Utf8).extend_constant(None, n_cells)
        return out.scatter(flat, given) if n_cells else out
    raise _fail("'status' must be a string, an array or an object")


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
    doc, dense = _parse(document)
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
    raw_value = dense if dense is not None else doc.get("value")
    metadata_only = raw_value is None or (isinstance(raw_value, list) and not raw_value)
    if metadata_only and n_cells:
        # PxWebApi metadata responses: "value": [] (or, in the 2024 beta, no value at all) and a
        # size counting every value of the table. The frame is empty; the categories are not.
        values = pl.Series("value", [], dtype=pl.Float64)
        status = pl.Series("status", [], dtype=pl.Utf8)
        code_columns = [pl.Series(d, [], dtype=pl.Utf8) for d in ids]
    else:
        values = _values(raw_value, n_cells)
        status = _statuses(doc.get("status"), n_cells)
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
    )


def _canonical(ids: Sequence[str], name: str) -> str:
    """The id as spelt in ``id`` for a role member that may differ in case."""
    if name in ids:
        return name
    folded = name.casefold()
    return next((i for i in ids if i.casefold() == folded), name)


def _code_columns(
    ids: Sequence[str], sizes: Sequence[int], categories: Mapping[str, list[str]]
) -> list[pl.Series]:
    n_cells = math.prod(sizes)
    index_type = np.uint32 if max(sizes, default=0) < 2**32 else np.uint64
    columns = []
    for k, dim_id in enumerate(ids):
        inner = math.prod(sizes[k + 1 :])  # row-major: later dimensions vary faster
        outer = math.prod(sizes[:k])
        positions = np.tile(np.repeat(np.arange(sizes[k], dtype=index_type), inner), outer)
        assert positions.size == n_cells
        codes = pl.Series(dim_id, categories[dim_id], dtype=pl.Utf8)
        columns.append(codes.gather(positions) if n_cells else codes.clear())
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
            f"Table {table_id} has no {', '.join(missing)} dimension; "
            f"its dimensions are {', '.join(dataset.dimensions)}.",
            hint="Only tables with contents, an annual time and a region dimension can be stored.",
        )
    assert metric is not None
    assert time is not None
    assert region is not None
    not_annual = [code for code in dataset.categories[time] if not _YEAR.match(code)]
    if not_annual:
        raise SourceError(
            f"Table {table_id} is not annual: time codes such as {not_annual[0]!r} are not years.",
            hint="KOSTRA figures are annual; choose an annual table.",
        )
    others = sorted(d for d in dataset.dimensions if d not in (metric, time, region))
    if others:
        dims_expr = pl.concat_str([pl.lit(f"{d}=") + pl.col(d) for d in others], separator=";")
    else:
        dims_expr = pl.lit("")
    frame = dataset.frame.select(
        pl.lit(table_id, dtype=pl.Utf8).alias("table_id"),
        pl.col(metric).alias("contents_code"),
        pl.col(region).str.strip_prefix("K-").alias("region"),
        pl.col(time).cast(pl.Int32).alias("year"),
        dims_expr.alias("dims"),
        pl.col("value"),
        pl.col("status"),
    )
    return frame.cast(cast(Any, OBSERVATION_SCHEMA))


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
