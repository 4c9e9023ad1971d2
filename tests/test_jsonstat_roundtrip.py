"""Hypothesis: generated JSON-stat 2.0 documents decode like a plain reference, and round-trip."""

from __future__ import annotations

import json
import math
from typing import Any

import jsonschema
import orjson
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from jsonstat_reference import SCHEMA, SSB_SYMBOLS, reference_decode
from kostra.frames import OBSERVATION_SCHEMA, encode_dims
from kostra.sources import jsonstat

# SSB's symbols, and others that test the byte reader of the status object: quotes, backslashes
# and "}" or ',"' inside a symbol send it back to the ordinary parse; ":" and "," must not cut.
SYMBOLS = [".", "..", "...", ":", "-", "", ",", "a:b", "ø", "}", ',"', '"', "\\"]
DIM_IDS = ["Region", "KOKkommuneregion0000", "ContentsCode", "Tid", "Alder", "Kjonn", "KOKart0000"]
CODE = st.text(alphabet="0123456789ABKEU-", min_size=1, max_size=6)
NUMBER = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
)

VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A JSON-stat 2.0 dataset in any of the allowed forms."""
    ids = draw(st.lists(st.sampled_from(DIM_IDS), min_size=1, max_size=4, unique=True))
    dimension: dict[str, Any] = {}
    sizes = []
    for dim_id in ids:
        codes = draw(st.lists(CODE, min_size=1, max_size=4, unique=True))
        sizes.append(len(codes))
        labels = {c: f"{dim_id} {c}" for c in codes}
        form = draw(
            st.sampled_from(
                ["list", "object", "omitted"] if len(codes) == 1 else ["list", "object"]
            )
        )
        category: dict[str, Any] = {"label": labels}
        if form == "list":
            category["index"] = codes
        elif form == "object":
            # Positions are the code order; the object's key order is shuffled.
            keys = draw(st.permutations(codes))
            category["index"] = {c: codes.index(c) for c in keys}
        dimension[dim_id] = {"label": dim_id.lower(), "category": category}
    n = math.prod(sizes)
    cell_values = st.one_of(st.none(), NUMBER)
    if draw(st.booleans()):
        value: Any = draw(st.lists(cell_values, min_size=n, max_size=n))
    else:
        keys = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        value = {str(k): draw(NUMBER) for k in keys}
    status_form = draw(st.sampled_from(["none", "string", "array", "single", "object"]))
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": sizes,
        "dimension": dimension,
        "value": value,
    }
    if status_form == "string":
        doc["status"] = draw(st.sampled_from(SYMBOLS))
    elif status_form == "array":
        doc["status"] = draw(
            st.lists(st.one_of(st.none(), st.sampled_from(SYMBOLS)), min_size=n, max_size=n)
        )
    elif status_form == "single":
        doc["status"] = [draw(st.sampled_from(SYMBOLS))]
    elif status_form == "object":
        keys = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
        doc["status"] = {str(k): draw(st.sampled_from(SYMBOLS)) for k in keys}
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_decode_matches_plain_reference(doc: dict[str, Any]) -> None:
    VALIDATOR.validate(doc)
    expected = reference_decode(doc)
    assert_frame_equal(jsonstat.decode(doc).frame, expected)
    assert_frame_equal(jsonstat.decode(orjson.dumps(doc)).frame, expected)
    assert_frame_equal(jsonstat.decode(json.dumps(doc)).frame, expected)


@st.composite
def frames(draw: st.DrawFn) -> tuple[pl.DataFrame, dict[str, list[str]]]:
    """A long frame over a random cube, possibly with cells left out."""
    ids = draw(st.lists(st.sampled_from(DIM_IDS), min_size=1, max_size=4, unique=True))
    cats = {d: draw(st.lists(CODE, min_size=1, max_size=4, unique=True)) for d in ids}
    grid = pl.DataFrame({ids[0]: cats[ids[0]]})
    for d in ids[1:]:
        grid = grid.join(pl.DataFrame({d: cats[d]}), how="cross")
    keep = draw(st.lists(st.booleans(), min_size=grid.height, max_size=grid.height))
    values = draw(
        st.lists(st.one_of(st.none(), NUMBER), min_size=grid.height, max_size=grid.height)
    )
    statuses = draw(
        st.lists(
            st.one_of(st.none(), st.sampled_from(SYMBOLS)),
            min_size=grid.height,
            max_size=grid.height,
        )
    )
    frame = grid.with_columns(
        pl.Series("value", values, dtype=pl.Float64), pl.Series("status", statuses, dtype=pl.Utf8)
    ).filter(pl.Series(keep))
    return frame, cats


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames(),
    st.sampled_from(["object", "array"]),
    st.booleans(),
    st.sampled_from(["object", "array"]),
)
def test_encode_decode_round_trip(
    case: tuple[pl.DataFrame, dict[str, list[str]]], status: str, sparse: bool, index: str
) -> None:
    frame, cats = case
    doc = jsonstat.encode(
        frame,
        dimensions=cats,
        status=status,  # type: ignore[arg-type]
        sparse=sparse,
        index=index,  # type: ignore[arg-type]
        updated="2025-01-01T08:00:00Z",
    )
    VALIDATOR.validate(doc)
    decoded = jsonstat.decode(orjson.dumps(doc))
    assert decoded.categories == cats
    ids = list(cats)
    # Cells the frame left out come back as missing, with no status.
    grid = pl.DataFrame({ids[0]: cats[ids[0]]})
    for d in ids[1:]:
        grid = grid.join(pl.DataFrame({d: cats[d]}), how="cross")
    expected = grid.join(frame, on=ids, how="left", maintain_order="left")
    symbols = set(frame.get_column("status").drop_nulls().to_list()) - set(SSB_SYMBOLS)
    expected = expected.cast(
        {
            **{d: pl.Enum(cats[d]) for d in ids},
            "status": pl.Enum([*SSB_SYMBOLS, *sorted(symbols)]),
        }
    )
    if sparse:  # a sparse document's frame holds only the cells it gives
        expected = expected.filter(pl.col("value").is_not_null() | pl.col("status").is_not_null())
    assert_frame_equal(decoded.frame, expected)
    assert_frame_equal(decoded.frame, reference_decode(json.loads(orjson.dumps(doc))))


@st.composite
def kostra_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A KOSTRA-like dataset: region, ContentsCode, annual Tid and 0-2 other dimensions."""
    others = draw(
        st.lists(
            st.sampled_from(["KOKfunksjon0000", "KOKart0000", "Alder"]), unique=True, max_size=2
        )
    )
    region = draw(st.sampled_from(["KOKkommuneregion0000", "Region", "KOKfylkesregion0000"]))
    ids = draw(st.permutations([region, "ContentsCode", "Tid", *others]))
    codes = {
        region: draw(
            st.lists(
                st.sampled_from(["0301", "K-3201", "EAK", "EKG13", "4601"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
        "ContentsCode": draw(
            st.lists(st.sampled_from(["KOSbelop0000", "KOSandel0000"]), min_size=1, unique=True)
        ),
        "Tid": draw(
            st.lists(
                st.sampled_from([str(y) for y in range(2015, 2025)]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
    }
    for dim in others:
        codes[dim] = draw(st.lists(CODE, min_size=1, max_size=3, unique=True))
    n = math.prod(len(codes[d]) for d in ids)
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": [len(codes[d]) for d in ids],
        "role": {"metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {d: {"category": {"index": codes[d]}} for d in ids},
        "value": draw(st.lists(st.one_of(st.none(), NUMBER), min_size=n, max_size=n)),
        "status": {"0": ".."},
    }


@settings(max_examples=100, deadline=None)
@given(kostra_documents())
def test_to_observations_matches_row_by_row_mapping(doc: dict[str, Any]) -> None:
    ds = jsonstat.decode(orjson.dumps(doc))
    observations = jsonstat.to_observations(ds, "12362")
    region = next(
        d for d in doc["id"] if d not in ("ContentsCode", "Tid") and "region" in d.lower()
    )
    rows = []
    for row in reference_decode(doc).iter_rows(named=True):
        others = {d: row[d] for d in doc["id"] if d not in (region, "ContentsCode", "Tid")}
        rows.append(
            {
                "table_id": "12362",
                "contents_code": row["ContentsCode"],
                "region": row[region].removeprefix("K-"),
                "year": int(row["Tid"]),
                "dims": encode_dims(others),
                "value": row["value"],
                "status": row["status"],
            }
        )
    expected = pl.DataFrame(rows, schema=OBSERVATION_SCHEMA)
    assert_frame_equal(observations, expected)
