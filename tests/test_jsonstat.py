"""The JSON-stat decoder on real responses, on malformed input, and against a plain reference."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from fuzzing import budget
from jsonstat_reference import SCHEMA, SSB_SYMBOLS, reference_decode
from kostra.errors import SourceError
from kostra.frames import OBSERVATION_SCHEMA
from kostra.sources import jsonstat


def examples_dir(shared_dir: Path) -> Path:
    return shared_dir / "reference" / "pxwebapi" / "examples"


def read_example(shared_dir: Path, relative: str) -> bytes:
    return (examples_dir(shared_dir) / relative).read_bytes()


def strip_json_comments(text: str) -> str:
    """Remove // and /* */ comments outside strings (the archive examples are JSONC drafts)."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            out.append(ch)
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def dataset_example_paths() -> list[str]:
    root = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pxwebapi" / "examples"
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*.json")):
        text = strip_json_comments(path.read_text(encoding="utf-8"))
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            continue  # JSONC drafts with elisions ("//." lines, "???") are not documents
        if isinstance(doc, dict) and doc.get("class") == "dataset":
            found.append(str(path.relative_to(root)))
    return found


# Spec-archive drafts whose numbers do not add up; the decoder must refuse them.
INCONSISTENT = {
    "pxapispecs-archive/examplesAsJson__dataset-meta.json": "'Alder' has 102 categories but size",
    "pxapispecs-archive/examples__table-metadata-example-jsonstat-nocomments.json": (
        "'Alder' has 102"
    ),
}
# Real responses outside the letter of the schema that the decoder still reads: SSB's 2024 beta
# metadata has no "value" and a link relation "data" the schema's IANA list does not know.
SCHEMA_INVALID = {"ssb-v2beta-janbrus-guide/tables_11118_metadata_lang-no.jsonstat2.json"}


# --------------------------------------------------------------------------- real responses


@pytest.mark.parametrize("relative", dataset_example_paths())
def test_every_real_dataset_example(shared_dir: Path, relative: str) -> None:
    raw = strip_json_comments(read_example(shared_dir, relative).decode("utf-8"))
    doc = json.loads(raw)
    if relative in INCONSISTENT:
        with pytest.raises(SourceError, match=re.escape(INCONSISTENT[relative])):
            jsonstat.decode(raw)
        return
    if relative not in SCHEMA_INVALID:
        jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    ds = jsonstat.decode(raw)
    assert ds.dimensions == tuple(doc["id"])
    assert [len(ds.categories[d]) for d in ds.dimensions] == doc["size"]
    if ds.metadata_only:
        assert ds.frame.height == 0
    else:
        assert ds.frame.height == math.prod(doc["size"])
        assert_frame_equal(ds.frame, reference_decode(doc))


def test_ssb_03024_post_no_and_en(shared_dir: Path) -> None:
    no = jsonstat.decode(
        read_example(shared_dir, "ssb-v2-notebooks/03024_data_POST_lang-no.jsonstat2.json")
    )
    en = jsonstat.decode(
        read_example(shared_dir, "ssb-v2-notebooks/03024_data_POST_lang-en.jsonstat2.json")
    )
    assert no.frame.shape == (192, 5)
    assert no.frame.columns == ["VareGrupper2", "ContentsCode", "Tid", "value", "status"]
    first = no.frame.row(0, named=True)
    assert first == {
        "VareGrupper2": "01",
        "ContentsCode": "Vekt",
        "Tid": "2025U01",
        "value": 11364.0,
        "status": None,
    }
    last = no.frame.row(-1, named=True)
    assert (last["VareGrupper2"], last["ContentsCode"], last["Tid"]) == (
        "02",
        "Kilopris",
        "2025U48",
    )
    assert last["value"] == 77.24
    # The values are the same in both languages; the labels are not.
    assert_frame_equal(no.frame, en.frame)
    assert no.labels["VareGrupper2"]["01"] == "Fersk oppalen laks"
    assert no.dimension_labels["VareGrupper2"] == "varegruppe"
    assert no.units["ContentsCode"]["Kilopris"] == {"base": "kr", "decimals": 2}
    assert no.role == {"time": ["Tid"], "metric": ["ContentsCode"]}
    assert no.updated == "2025-12-03T07:00:00Z"
    assert no.source == "Statistisk sentralbyrå"
    assert no.extension["px"]["tableid"] == "03024"
    assert no.frame.get_column("status").null_count() == 192


def test_ssb_05810_metadata_index_out_of_key_order(shared_dir: Path) -> None:
    ds = jsonstat.decode(
        read_example(shared_dir, "ssb-v2-userguide/tables_05810_metadata_lang-en.jsonstat2.json")
    )
    assert ds.metadata_only
    assert ds.frame.height == 0
    # index {"0":0,"1":2,"2":1}: the order is by position, so females ("2") come second.
    assert ds.categories["Kjonn"] == ["0", "2", "1"]
    assert ds.labels["Kjonn"]["2"] == "Females"
    assert ds.categories["Alder"][0] == "999B"
    assert "codeLists" in ds.dimension_extension["Kjonn"]
    assert (
        ds.dimension_extension["Kjonn"]["codelists"] == ds.dimension_extension["Kjonn"]["codeLists"]
    )


def test_ssb_11118_beta_data_and_valueless_metadata(shared_dir: Path) -> None:
    ds = jsonstat.decode(
        read_example(
            shared_dir, "ssb-v2beta-janbrus-guide/tables_11118_data_lang-no.jsonstat2.json"
        )
    )
    assert ds.frame.shape == (28, 5)
    # id order is Leveringssektor, Tid, ContentsCode: ContentsCode varies fastest.
    assert ds.frame.row(0) == ("B1", "2023", "LevIndAar", 133.3, None)
    assert ds.frame.row(1) == ("B1", "2023", "Aarsendring", 5.8, None)
    assert ds.frame.row(23) == ("B22", "2023", "Aarsendring", 6.2, None)
    # No region dimension: not storable as KOSTRA observations, and said so.
    with pytest.raises(SourceError, match="no region dimension"):
        jsonstat.to_observations(ds, "11118")
    meta = jsonstat.decode(
        read_example(
            shared_dir, "ssb-v2beta-janbrus-guide/tables_11118_metadata_lang-no.jsonstat2.json"
        )
    )
    assert meta.metadata_only
    assert len(meta.categories["Tid"]) == 9


def test_scb_tab6471_data(shared_dir: Path) -> None:
    raw = read_example(shared_dir, "scb-v2-pxwebpy/TAB6471_data.json")
    ds = jsonstat.decode(raw)
    assert ds.frame.shape == (21 * 11 * 3 * 1 * 4, 7)
    assert ds.frame.row(0) == ("01", "0-9", "TotSa", "000007SF", "2026M01", 245284.0, None)
    assert ds.frame.row(-1)[0] == "25"
    assert ds.frame.row(-1)[4:6] == ("2026M04", 54.0)
    assert ds.labels["Region"]["01"] == "Stockholms län"
    with pytest.raises(SourceError, match="not annual"):
        jsonstat.to_observations(ds, "06471")


def test_server_expected_metadata(shared_dir: Path) -> None:
    raw = read_example(shared_dir, "pxwebapi-server-expected/MetadataById_tab001_js2.json")
    ds = jsonstat.decode(raw)
    assert ds.metadata_only
    assert [len(ds.categories[d]) for d in ds.dimensions] == [30, 3, 22, 1, 3]
    assert ds.role["geo"] == ["REGION"]


# --------------------------------------------------------------------------- forms and variants


def small_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [2, 1, 2],
        "role": {"geo": ["Region"], "metric": ["ContentsCode"], "time": ["Tid"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {"K-0301": 0, "3201": 1}, "label": {"K-0301": "Oslo"}},
            },
            "ContentsCode": {"category": {"label": {"KOSbelop0000": "Beløp"}}},
            "Tid": {"category": {"index": ["2023", "2024"]}},
        },
        "value": [1, None, 3.5, 4],
        "status": {"1": ".."},
    }
    doc.update(overrides)
    return doc


def test_small_doc_forms_and_observations() -> None:
    ds = jsonstat.decode(small_doc())
    assert ds.frame.to_dict(as_series=False) == {
        "Region": ["K-0301", "K-0301", "3201", "3201"],
        "ContentsCode": ["KOSbelop0000"] * 4,
        "Tid": ["2023", "2024", "2023", "2024"],
        "value": [1.0, None, 3.5, 4.0],
        "status": [None, "..", None, None],
    }
    # A missing label falls back to the code.
    assert ds.labels["Region"] == {"K-0301": "Oslo", "3201": "3201"}
    obs = jsonstat.to_observations(ds, "12362")
    assert dict(obs.schema) == OBSERVATION_SCHEMA
    assert obs.to_dict(as_series=False) == {
        "table_id": ["12362"] * 4,
        "contents_code": ["KOSbelop0000"] * 4,
        "region": ["0301", "0301", "3201", "3201"],
        "year": [2023, 2024, 2023, 2024],
        "dims": [""] * 4,
        "value": [1.0, None, 3.5, 4.0],
        "status": [None, "..", None, None],
    }


def test_observations_dims_and_kostra_region_names() -> None:
    doc = small_doc(
        id=["KOKkommuneregion0000", "KOKfunksjon0000", "KOKart0000", "ContentsCode", "Tid"],
        size=[1, 2, 1, 1, 1],
        role={"metric": ["ContentsCode"], "time": ["Tid"]},
        dimension={
            "KOKkommuneregion0000": {"category": {"index": ["EAK"]}},
            "KOKfunksjon0000": {"category": {"index": {"FG2": 1, "FG1": 0}}},
            "KOKart0000": {"category": {"index": ["AGD2"]}},
            "ContentsCode": {"category": {"index": ["KOSbelop0000"]}},
            "Tid": {"category": {"index": ["2024"]}},
        },
        value=[10, 20],
        status=None,
    )
    obs = jsonstat.to_observations(jsonstat.decode(doc), "12362")
    assert obs.get_column("region").to_list() == ["EAK", "EAK"]
    assert obs.get_column("dims").to_list() == [
        "KOKart0000=AGD2;KOKfunksjon0000=FG1",
        "KOKart0000=AGD2;KOKfunksjon0000=FG2",
    ]
    assert obs.get_column("status").to_list() == [None, None]


def test_observations_need_region_time_and_contents() -> None:
    doc = small_doc(
        id=["Kjonn", "Tid"],
        size=[1, 1],
        role={"time": ["Tid"]},
        dimension={
            "Kjonn": {"category": {"index": ["1"]}},
            "Tid": {"category": {"index": ["2024"]}},
        },
        value=[1],
        status=None,
    )
    with pytest.raises(SourceError, match="ContentsCode, region"):
        jsonstat.to_observations(jsonstat.decode(doc), "99999")


def test_sparse_value_and_status_forms() -> None:
    # A sparse document's frame holds the cells it gives (a value or a status), in cell order.
    ds = jsonstat.decode(small_doc(value={"3": 4, "0": 1}, status="..."))
    assert ds.sparse
    assert ds.frame.get_column("value").to_list() == [1.0, 4.0]
    assert ds.frame.get_column("status").to_list() == ["..."] * 2
    assert ds.frame.get_column("Tid").to_list() == ["2023", "2024"]
    assert ds.frame.get_column("Region").to_list() == ["K-0301", "3201"]
    for status in ({"2": ":", "3": "."}, [None, None, ":", "."]):
        ds = jsonstat.decode(small_doc(value={"3": 4, "0": 1}, status=status))
        assert ds.frame.rows() == [
            ("K-0301", "KOSbelop0000", "2023", 1.0, None),
            ("3201", "KOSbelop0000", "2023", None, ":"),
            ("3201", "KOSbelop0000", "2024", 4.0, "."),
        ]
        raw = orjson.dumps(small_doc(value={"3": 4, "0": 1}, status=status))
        assert_frame_equal(jsonstat.decode(raw).frame, ds.frame)
    assert not jsonstat.decode(small_doc()).sparse
    ds = jsonstat.decode(small_doc(status=[None, ":", "-", "."]))
    assert ds.frame.get_column("status").to_list() == [None, ":", "-", "."]
    ds = jsonstat.decode(small_doc(status=[":"]))  # deprecated one-element form
    assert ds.frame.get_column("status").to_list() == [":"] * 4


def _sparse_grid(sizes: list[int], value: dict[str, float]) -> dict[str, Any]:
    names = ["Region", "ContentsCode", "Tid", "Alder"][: len(sizes)]
    codes: dict[str, list[str]] = {
        "Region": [f"{i:04d}" for i in range(sizes[0])],
        "ContentsCode": [f"K{i}" for i in range(sizes[1])],
        "Tid": [str(1900 + i) for i in range(sizes[2])],
        "Alder": [f"{i:03d}" for i in range(sizes[3])] if len(sizes) > 3 else [],
    }
    return small_doc(
        id=names,
        size=sizes,
        dimension={n: {"category": {"index": codes[n]}} for n in names},
        value=value,
        status=None,
    )


@pytest.mark.parametrize("sizes", [[100, 100, 50, 10], [400, 100, 50, 10], [2000, 1000, 50, 10]])
def test_a_grid_far_larger_than_its_values_is_refused(sizes: list[int]) -> None:
    # Issue 13.3: a 3 KB sparse file with one value imported 5 000 000 empty rows at 1.7 GB;
    # larger sizes crashed Polars or aborted the process.
    raw = orjson.dumps(_sparse_grid(sizes, {"7": 1.5}))
    assert len(raw) < 40_000
    cells = f"{math.prod(sizes):,}"
    with pytest.raises(SourceError, match=f"grid of {cells} cells .* only 1 values"):
        jsonstat.decode(raw)


def test_importing_a_grid_far_larger_than_its_values_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kostra.cli import main

    monkeypatch.setenv("KOSTRA_DB", str(tmp_path / "k.duckdb"))
    path = tmp_path / "sparse.json"
    path.write_bytes(orjson.dumps(_sparse_grid([100, 100, 50, 10], {"7": 1.5})))
    with pytest.raises(SystemExit) as stop:
        main(["import", str(path), "--table", "12362"])
    assert stop.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "5 000 000 celler" in err
    assert "bare 1 verdier" in err
    assert "Traceback" not in err


def test_a_sparse_document_never_builds_its_empty_cells() -> None:
    # 10 million declared cells, 20 000 given: within the ratio, read in the given cells' size.
    given = {str(i * 499): float(i) for i in range(20_000)}
    ds = jsonstat.decode(orjson.dumps(_sparse_grid([1000, 10, 100, 10], given)))
    assert ds.frame.height == 20_000
    obs = jsonstat.to_observations(ds, "12362")
    assert obs.height == 20_000
    # cell 1497 = region 0, contents 1, year 49, age 7 (strides 10 000, 1 000, 10, 1)
    row = obs.filter(pl.col("value") == 3.0).row(0, named=True)
    assert (row["region"], row["contents_code"], row["year"], row["dims"]) == (
        "0000",
        "K1",
        1949,
        "Alder=007",
    )
    assert obs.get_column("dims").n_unique() == 10


def test_bytes_str_and_dict_agree_and_case_and_1x_tolerated() -> None:
    doc = small_doc()
    from_dict = jsonstat.decode(doc).frame
    assert_frame_equal(jsonstat.decode(orjson.dumps(doc)).frame, from_dict)
    assert_frame_equal(jsonstat.decode(json.dumps(doc)).frame, from_dict)
    # Dimension object keyed in another case than "id"; role members likewise.
    dims = dict(doc["dimension"])
    dims["tid"] = dims.pop("Tid")
    ds = jsonstat.decode(small_doc(dimension=dims, role={"time": ["TID"]}))
    assert_frame_equal(ds.frame, from_dict)
    assert ds.role == {"time": ["Tid"]}
    # 1.x: id/size inside "dimension" only, or duplicated there.
    legacy = small_doc()
    legacy["dimension"] = {**doc["dimension"], "id": legacy.pop("id"), "size": legacy.pop("size")}
    assert_frame_equal(jsonstat.decode(legacy).frame, from_dict)
    both = small_doc()
    both["dimension"] = {**doc["dimension"], "id": doc["id"], "size": doc["size"]}
    assert_frame_equal(jsonstat.decode(both).frame, from_dict)
    # A 1.0 bundle with one dataset.
    legacy.pop("class")
    assert_frame_equal(jsonstat.decode({"ds": legacy}).frame, from_dict)


def test_notes_are_kept_at_three_levels() -> None:
    doc = small_doc(note=["Tallene er foreløpige."])
    doc["dimension"]["Region"]["note"] = ["Oslo er både kommune og fylke."]
    doc["dimension"]["Region"]["category"]["note"] = {"3201": ["Ny kommune 2020."]}
    ds = jsonstat.decode(doc)
    assert ds.notes.dataset == ["Tallene er foreløpige."]
    assert ds.notes.dimension == {"Region": ["Oslo er både kommune og fylke."]}
    assert ds.notes.category == {"Region": {"3201": ["Ny kommune 2020."]}}


# --------------------------------------------------------------------------- malformed input


def _drop_dim(doc: dict[str, Any]) -> dict[str, Any]:
    doc["dimension"].pop("Tid")
    return doc


MALFORMED: dict[str, tuple[Any, str]] = {
    "size/id length": (small_doc(size=[2, 1]), "'id' has 3 dimensions but 'size' has 2"),
    "size vs categories": (small_doc(size=[3, 1, 2]), "has 2 categories but size says 3"),
    "value too short": (small_doc(value=[1, 2, 3]), "'value' has 3 entries but the sizes"),
    "value too long": (small_doc(value=[1, 2, 3, 4, 5]), "'value' has 5 entries"),
    "value text": (small_doc(value=[1, "x", 3, 4]), "neither numbers nor null"),
    "sparse out of range": (small_doc(value={"4": 1}), "outside 0..3"),
    "sparse bad key": (small_doc(value={"a": 1}), "not a cell index"),
    "status length": (small_doc(status=[".", "."]), "'status' has 2 entries"),
    "status out of range": (small_doc(status={"9": "."}), "outside 0..3"),
    "status not text": (small_doc(status=[1, 2, 3, 4]), "not strings"),
    "unknown class": (small_doc(**{"class": "collection"}), "class 'collection'"),
    "missing dimension": (_drop_dim(small_doc()), "'Tid' is listed in 'id' but not described"),
    "no dimension": (small_doc(dimension=None), "no 'dimension'"),
    "repeated id": (small_doc(id=["Region", "Region", "Tid"]), "repeats a dimension"),
    "not json": (b"{not json", "not valid JSON"),
    "not an object": (b"[1, 2]", "expected a JSON object"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_documents_raise(name: str) -> None:
    doc, message = MALFORMED[name]
    with pytest.raises(SourceError, match=re.escape(message)):
        jsonstat.decode(doc)


@pytest.mark.parametrize(
    ("index", "message"),
    [
        ({"K-0301": 0, "3201": 2}, "position out of range"),
        ({"K-0301": 1, "3201": 1}, "duplicate positions"),
        ({"K-0301": -1, "3201": 0}, "position out of range"),
        ({"K-0301": "0", "3201": 1}, "must be integers"),
        (["K-0301", "K-0301"], "repeats a code"),
        ("K-0301", "must be a list or an object"),
    ],
)
def test_malformed_index_raises(index: Any, message: str) -> None:
    doc = small_doc()
    doc["dimension"]["Region"]["category"]["index"] = index
    with pytest.raises(SourceError, match=re.escape(message)):
        jsonstat.decode(doc)


def test_omitted_index_needs_a_single_label() -> None:
    doc = small_doc()
    doc["dimension"]["Tid"]["category"] = {"label": {"2023": "2023", "2024": "2024"}}
    with pytest.raises(SourceError, match=r"omits category\.index"):
        jsonstat.decode(doc)


def test_root_and_legacy_id_must_agree() -> None:
    doc = small_doc()
    doc["dimension"]["size"] = [2, 2, 1]
    with pytest.raises(SourceError, match="disagree"):
        jsonstat.decode(doc)


def test_non_annual_time_is_refused() -> None:
    doc = small_doc()
    doc["dimension"]["Tid"]["category"]["index"] = ["2024M01", "2024M02"]
    with pytest.raises(SourceError, match="'2024M01'"):
        jsonstat.to_observations(jsonstat.decode(doc), "12362")


# --------------------------------------------------------------------------- encode


def test_encode_ssb_flavour_validates_and_round_trips() -> None:
    frame = jsonstat.decode(small_doc()).frame
    doc = jsonstat.encode(
        frame,
        dimensions=["Region", "ContentsCode", "Tid"],
        labels={"Region": {"K-0301": "Oslo"}},
        updated="2025-03-14T07:00:00Z",
        label="12362: test",
        source="Statistisk sentralbyrå",
        extension={"px": {"tableid": "12362"}},
    )
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["status"] == {"1": ".."}
    assert doc["role"] == {"time": ["Tid"], "metric": ["ContentsCode"]}
    assert doc["dimension"]["Region"]["category"]["index"] == {"K-0301": 0, "3201": 1}
    assert doc["value"] == [1.0, None, 3.5, 4.0]
    assert_frame_equal(jsonstat.decode(orjson.dumps(doc)).frame, frame)


def test_encode_rejects_frames_that_do_not_fit() -> None:
    frame = pl.DataFrame({"Tid": ["2023", "2023"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one row"):
        jsonstat.encode(frame, dimensions=["Tid"])
    with pytest.raises(ValueError, match="not among the given categories"):
        jsonstat.encode(frame.head(1), dimensions={"Tid": ["2024"]})
    with pytest.raises(ValueError, match="one symbol"):
        jsonstat.encode(
            pl.DataFrame({"Tid": ["1", "2"], "value": [None, 1.0], "status": [".", None]}),
            dimensions=["Tid"],
            status="string",
        )


# --------------------------------------------------------------------------- the raw-bytes path


def test_nested_value_key_does_not_fool_the_byte_parser() -> None:
    # A numeric "value" array nested in an extension, after the real (sparse) value.
    doc = small_doc(value={"0": 7})
    doc["zextension"] = {"x": {"value": [9, 9, 9, 9]}}
    for raw in (orjson.dumps(doc), json.dumps(doc, indent=2).encode()):
        frame = jsonstat.decode(raw).frame
        # cells 0 (the value) and 1 (small_doc's status ".."): a sparse frame has no others
        assert frame.get_column("value").to_list() == [7.0, None]
    # And before the real dense one.
    doc = small_doc()
    doc = {"extension": {"value": [5, 5]}, **doc}
    assert jsonstat.decode(orjson.dumps(doc)).frame.get_column("value").to_list() == [
        1.0,
        None,
        3.5,
        4.0,
    ]


@pytest.mark.parametrize(
    "body", ["1,,2,3", "+1,2,3,4", "1.,2,3,4", "01,2,3,4", "1e,2,3,4", "1,2,3,"]
)
def test_numbers_json_forbids_are_refused_from_bytes(body: str) -> None:
    raw = orjson.dumps(small_doc(value=[0, 0, 0, 0])).replace(b"[0,0,0,0]", f"[{body}]".encode())
    with pytest.raises(SourceError, match="not valid JSON"):
        jsonstat.decode(raw)


@pytest.mark.parametrize("spaced", [False, True])
def test_numbers_beyond_orjsons_range_are_read_as_the_standard_library_reads_them(
    spaced: bool,
) -> None:
    """The value array is read with orjson, which refuses integers beyond 64 bits and floats
    beyond double's range that JSON allows; such a piece is read the slower way, with the
    standard library's result."""
    body = "[18446744073709551616, 1e400, -0.5, null]"
    if spaced:
        body = body.replace(",", " ,\n ")
    raw = orjson.dumps(small_doc(value=[0, 0, 0, 0])).replace(b"[0,0,0,0]", body.encode())
    assert jsonstat._split_dense_value(raw) is not None
    values = jsonstat.decode(raw).frame.get_column("value").to_list()
    assert values == [float(v) if v is not None else None for v in json.loads(body)]


# Entries of a value array as a server might write them: JSON's numbers and null (some beyond
# 64 bits or double's range), and what JSON forbids though a number reader might take it; and
# the whitespace JSON allows between tokens.
JSON_VALUES = ["0", "-0", "7", "-12", "1.5", "0.25e-3", "1E+2", "2e5", "null"]
JSON_VALUES += ["18446744073709551616", "1e400"]
NOT_JSON_VALUES = ["01", "+1", "1.", ".5", "1e", "--1", "-", "nul", "1.2.3", "", "1 2", "nu ll"]
BETWEEN_TOKENS = ["", " ", "\n", " \t\r"]


@budget(300)
@given(
    entries=st.lists(st.sampled_from(JSON_VALUES), min_size=4, max_size=4),
    odd=st.one_of(st.none(), st.tuples(st.integers(0, 3), st.sampled_from(NOT_JSON_VALUES))),
    spaces=st.lists(st.sampled_from(BETWEEN_TOKENS), min_size=8, max_size=8),
    piece=st.sampled_from([1, 5, 1 << 17]),
)
def test_value_array_read_from_the_bytes_as_the_standard_library_reads_it(
    entries: list[str], odd: tuple[int, str] | None, spaces: list[str], piece: int
) -> None:
    # The byte reader of the value array agrees with the standard library's JSON parser: what
    # it refuses is refused, and what it reads gives the frame the ordinary path gives.
    if odd is not None:
        entries[odd[0]] = odd[1]
    body = ",".join(spaces[2 * k] + entry + spaces[2 * k + 1] for k, entry in enumerate(entries))
    raw = orjson.dumps(small_doc(value=[0, 0, 0, 0], status=None)).replace(
        b"[0,0,0,0]", f"[{body}]".encode()
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonstat, "_PIECE", piece)
        try:
            parsed = json.loads(raw)
        except ValueError:
            with pytest.raises(SourceError):
                jsonstat.decode(raw)
        else:
            assert_frame_equal(jsonstat.decode(raw).frame, jsonstat.decode(parsed).frame)


@pytest.mark.parametrize("body", ["1,true,3,4", "1,2,false,4", '1,"2",3,4', "1,[2],3,4"])
def test_values_that_are_not_numbers_are_refused_from_bytes(body: str) -> None:
    raw = orjson.dumps(small_doc(value=[0, 0, 0, 0])).replace(b"[0,0,0,0]", f"[{body}]".encode())
    with pytest.raises(SourceError):
        jsonstat.decode(raw)


def test_pretty_and_compact_bytes_agree_with_exponents_and_nulls() -> None:
    doc = small_doc(value=[1e-300, None, -2.5e12, 0])
    compact = jsonstat.decode(orjson.dumps(doc)).frame
    pretty = jsonstat.decode(json.dumps(doc, indent=1)).frame
    assert_frame_equal(compact, pretty)
    assert compact.get_column("value").to_list() == [1e-300, None, -2.5e12, 0.0]


def test_escaped_quote_before_a_value_key_is_not_a_cut_point() -> None:
    # The key '"value' (with a quote in it) matches the byte pattern; the cut lands on it, the
    # placeholder check sees the top-level value untouched, and the whole document is parsed.
    doc = small_doc(value=[1, 2, 3, 4])
    doc['"value'] = [9, 9]
    raw = orjson.dumps(doc)
    # Put that key last, where the byte parser looks first.
    raw = raw.replace(b',"\\"value":[9,9]', b"")[:-1] + b',"\\"value":[9,9]}'
    frame = jsonstat.decode(raw).frame
    assert frame.get_column("value").to_list() == [1.0, 2.0, 3.0, 4.0]


# --------------------------------------------------------------------------- lean frame


def kostra_shaped(regions: int, functions: int, suppressed_every: int) -> dict[str, Any]:
    """A dense KOSTRA-shaped document: region × ContentsCode × Tid × KOKfunksjon0000."""
    cats = {
        "KOKkommuneregion0000": [f"{n:04d}" for n in range(301, 301 + regions)],
        "ContentsCode": ["KOSbelop0000", "KOSandel0000"],
        "Tid": [str(y) for y in range(2015, 2025)],
        "KOKfunksjon0000": [f"{n:03d}" for n in range(100, 100 + functions)],
    }
    n = math.prod(len(c) for c in cats.values())
    return {
        "version": "2.0",
        "class": "dataset",
        "id": list(cats),
        "size": [len(c) for c in cats.values()],
        "role": {"metric": ["ContentsCode"], "time": ["Tid"], "geo": ["KOKkommuneregion0000"]},
        "dimension": {
            d: {"category": {"index": {c: i for i, c in enumerate(codes)}}}
            for d, codes in cats.items()
        },
        "value": [None if i % suppressed_every == 0 else i * 0.5 for i in range(n)],
        "status": {str(i): ".." for i in range(0, n, suppressed_every)},
    }


def test_frame_holds_enum_positions_not_strings() -> None:
    doc = kostra_shaped(regions=300, functions=20, suppressed_every=7)
    frame = jsonstat.decode(orjson.dumps(doc)).frame
    n = frame.height
    assert n == 300 * 2 * 10 * 20
    for dim in doc["id"]:
        codes = list(doc["dimension"][dim]["category"]["index"])
        assert frame.schema[dim] == pl.Enum(codes)
    assert frame.schema["status"] == pl.Enum(SSB_SYMBOLS)
    # One or two bytes a code, eight a value, one a status, plus validity bits: a Utf8 frame of
    # the same cells takes over 80 bytes a cell.
    assert frame.estimated_size() < 15 * n
    assert frame.get_column("status").null_count() == n - len(doc["status"])
    assert_frame_equal(frame, reference_decode(doc))


def test_status_symbols_outside_ssbs_follow_sorted() -> None:
    ds = jsonstat.decode(small_doc(status={"0": "p", "1": "..", "3": "e"}))
    assert ds.frame.schema["status"] == pl.Enum([*SSB_SYMBOLS, "e", "p"])
    assert ds.frame.get_column("status").to_list() == ["p", "..", None, "e"]
    assert jsonstat.status_dtype([None, "x", "."]) == pl.Enum([*SSB_SYMBOLS, "x"])


def test_frames_of_several_answers_stack_after_a_cast() -> None:
    a = jsonstat.decode(small_doc()).frame
    b = jsonstat.decode(
        small_doc(
            dimension={**small_doc()["dimension"], "Tid": {"category": {"index": ["2025", "2026"]}}}
        )
    ).frame
    with pytest.raises(pl.exceptions.SchemaError):
        pl.concat([a, b])
    both = pl.concat([f.cast({"Tid": pl.Utf8}) for f in (a, b)])
    assert both.get_column("Tid").to_list() == ["2023", "2024"] * 2 + ["2025", "2026"] * 2


def test_observations_from_utf8_and_enum_frames_agree() -> None:
    doc = kostra_shaped(regions=3, functions=4, suppressed_every=5)
    doc["id"].append("Alder")
    doc["size"].append(2)
    doc["dimension"]["Alder"] = {"category": {"index": ["000", "001"]}}
    doc["value"] = [float(i) for i in range(math.prod(doc["size"]))]
    ds = jsonstat.decode(orjson.dumps(doc))
    obs = jsonstat.to_observations(ds, "12362")
    as_text = dataclasses.replace(ds, frame=ds.frame.cast(dict.fromkeys(ds.dimensions, pl.Utf8)))
    assert_frame_equal(jsonstat.to_observations(as_text, "12362"), obs)
    assert dict(obs.schema) == OBSERVATION_SCHEMA
    first = obs.row(0, named=True)
    assert first["dims"] == "Alder=000;KOKfunksjon0000=100"
    assert obs.get_column("dims").n_unique() == 4 * 2
    assert obs.filter(pl.col("dims") == "Alder=001;KOKfunksjon0000=103").height == 3 * 2 * 10


# --------------------------------------------------------------------------- pieces of the bytes


@pytest.mark.parametrize("piece", [1, 3, 8, 64])
def test_value_and_status_read_in_small_pieces(monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    monkeypatch.setattr(jsonstat, "_PIECE", piece)
    monkeypatch.setattr(jsonstat, "_ROWS", 7)
    doc = kostra_shaped(regions=4, functions=3, suppressed_every=4)
    doc["status"]["5"] = "a:b,c"  # separators inside a symbol
    raw = orjson.dumps(doc)
    # Both are read from the bytes here, not parsed as Python objects.
    assert jsonstat._split_dense_value(raw) is not None
    assert jsonstat._split_sparse_status(raw) is not None
    ds = jsonstat.decode(raw)
    assert_frame_equal(ds.frame, reference_decode(doc))
    assert_frame_equal(ds.frame, jsonstat.decode(doc).frame)


@pytest.mark.parametrize("piece", [1, 2, 5, 1 << 17])
@pytest.mark.parametrize(
    "body", ["1,2,3,,4", "1,2,3,+4", "1,2,3,4.", "1,2,3,04", "1,2,3,4e", "1,2,nul,4"]
)
def test_bad_numbers_found_in_any_piece(
    monkeypatch: pytest.MonkeyPatch, piece: int, body: str
) -> None:
    monkeypatch.setattr(jsonstat, "_PIECE", piece)
    doc = small_doc(
        id=["Tid"],
        size=[5],
        dimension={"Tid": {"category": {"index": list("abcde")}}},
        value=[0] * 5,
        status=None,
        role=None,
    )
    raw = orjson.dumps(doc).replace(b"[0,0,0,0,0]", f"[{body}]".encode())
    with pytest.raises(SourceError, match="not valid JSON"):
        jsonstat.decode(raw)


def test_status_object_read_from_bytes_or_parsed_agree() -> None:
    status = {"3": "", "0": ":", "1": ",", "2": "ø"}  # keys out of order, odd symbols
    doc = small_doc(status=status)
    expected = jsonstat.decode(doc).frame
    assert expected.get_column("status").to_list() == [":", ",", "ø", ""]
    assert jsonstat._split_sparse_status(orjson.dumps(doc)) is not None
    assert_frame_equal(jsonstat.decode(orjson.dumps(doc)).frame, expected)
    # Indented, with "ø" escaped as \\u00f8: still read from the bytes, escapes included.
    assert jsonstat._split_sparse_status(json.dumps(doc, indent=2).encode()) is not None
    assert_frame_equal(jsonstat.decode(json.dumps(doc, indent=2)).frame, expected)
    # A key given twice: the last one counts, as in a parsed object.
    raw = orjson.dumps(small_doc(status={"1": ".."})).replace(
        b'{"1":".."}', b'{"1":"..","0":".","1":":"}'
    )
    assert jsonstat.decode(raw).frame.get_column("status").to_list() == [".", ":", None, None]


def test_status_byte_reader_refuses_what_it_cannot_read() -> None:
    bad_index = orjson.dumps(small_doc(status={"9": ".."}))
    with pytest.raises(SourceError, match=re.escape("outside 0..3")):
        jsonstat.decode(bad_index)
    # A nested "status" object after the real one: the cut is not the top level, so the whole
    # document is parsed.
    doc = small_doc(status={"1": ":"})
    doc["zextension"] = {"status": {"0": "x"}}
    assert jsonstat.decode(orjson.dumps(doc)).frame.get_column("status").to_list() == [
        None,
        ":",
        None,
        None,
    ]
    # Escapes are left to the JSON parser.
    doc = small_doc(status={"1": 'a"b', "2": "\\"})
    assert jsonstat.decode(orjson.dumps(doc)).frame.get_column("status").to_list() == [
        None,
        'a"b',
        "\\",
        None,
    ]
    for key in ("01", "+1", "-0", " 1", "1.0", "1e0", "x"):
        not_an_index = orjson.dumps(small_doc(status={"2": ":", key: ".."}))
        assert jsonstat._split_sparse_status(not_an_index) is None, key
        with pytest.raises(SourceError, match="not a cell index"):
            jsonstat.decode(not_an_index)
    # an escaped key is the key it spells
    escaped = orjson.dumps(small_doc(status={"2": ":", "9": ".."})).replace(
        b'"9"', b'"\\u0030\\u0031"'
    )
    assert b"\\u0030" in escaped
    assert jsonstat._split_sparse_status(escaped) is None
    with pytest.raises(SourceError, match="not a cell index"):
        jsonstat.decode(escaped)
    not_a_symbol = orjson.dumps(small_doc(status={"1": ".."})).replace(b'".."', b"7")
    assert jsonstat._split_sparse_status(not_a_symbol) is None
    with pytest.raises(SourceError, match="not strings"):
        jsonstat.decode(not_a_symbol)


# Keys a status object may hold, well-formed or not: cell indexes, and short texts of the bytes
# a cast to an integer might take ("01", "+1", "-0", " 1", "1e0", "").
STATUS_KEYS = st.one_of(st.integers(0, 3).map(str), st.text(alphabet="0123+-. e", max_size=3))


@budget(300)
@given(
    entries=st.dictionaries(STATUS_KEYS, st.sampled_from([".", "..", ":", "-"]), min_size=1),
    escaped=st.booleans(),
    spaced=st.booleans(),
    piece=st.sampled_from([1, 5, 1 << 17]),
)
def test_status_keys_read_from_the_bytes_as_the_parse_reads_them(
    entries: dict[str, str], escaped: bool, spaced: bool, piece: int
) -> None:
    # The byte reader of the status object and the ordinary parse of the same document agree:
    # the same frame, or the same refusal. Keys are written plainly or as \u escapes.
    def key(text: str) -> str:
        return (
            '"' + "".join(f"\\u{ord(c):04x}" for c in text) + '"' if escaped else json.dumps(text)
        )

    comma, colon = (", ", ": ") if spaced else (",", ":")
    body = comma.join(f"{key(k)}{colon}{json.dumps(v)}" for k, v in entries.items())
    head = json.dumps(small_doc(status=None), separators=(comma, colon))
    raw = (head[: head.rindex("null")] + "{" + body + "}}").encode()
    parsed = orjson.loads(raw)
    assert parsed["status"] == entries
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonstat, "_PIECE", piece)
        try:
            from_bytes = jsonstat.decode(raw).frame
        except SourceError as error:
            with pytest.raises(SourceError, match=re.escape(str(error))):
                jsonstat.decode(parsed)
        else:
            assert_frame_equal(from_bytes, jsonstat.decode(parsed).frame)


@pytest.mark.parametrize("piece", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("symbol", ["a, b", 'a,"2":"b', 'a,\n"3"', "}", "{"])
def test_status_piece_cut_inside_a_symbol_still_decodes(
    monkeypatch: pytest.MonkeyPatch, piece: int, symbol: str
) -> None:
    # Pieces are cut at a comma before a key; inside a symbol such a cut leaves a string
    # unterminated, so the object is read whole instead, never wrongly.
    monkeypatch.setattr(jsonstat, "_PIECE", piece)
    status = {"0": ".", "1": symbol, "3": ":"}
    for raw in (
        orjson.dumps(small_doc(status=status)),
        json.dumps(small_doc(status=status)).encode(),
    ):
        assert jsonstat.decode(raw).frame.get_column("status").to_list() == [".", symbol, None, ":"]


def test_observations_of_a_metadata_answer_are_empty() -> None:
    doc = small_doc(value=[], status=None)
    doc["id"].append("Alder")
    doc["size"].append(10**6)  # a metadata answer's sizes count the whole table
    doc["dimension"]["Alder"] = {"category": {"index": [f"{i:07d}" for i in range(10**6)]}}
    ds = jsonstat.decode(doc)
    assert ds.metadata_only
    obs = jsonstat.to_observations(ds, "12362")
    assert obs.height == 0
    assert dict(obs.schema) == OBSERVATION_SCHEMA


# --------------------------------------------------------------------------- whitespace


def _spaced_forms(doc: dict[str, Any]) -> dict[str, bytes]:
    """The document as SCB's examples and json.dump's defaults write it, and odder spacing."""
    return {
        "json.dumps defaults": json.dumps(doc, ensure_ascii=False).encode(),
        "indent=2": json.dumps(doc, indent=2, ensure_ascii=False).encode(),
        "orjson indent": orjson.dumps(doc, option=orjson.OPT_INDENT_2),
        "tabs and CRLF": json.dumps(doc, separators=(",\r\n\t", " :\t")).encode(),
    }


@pytest.mark.parametrize("piece", [1, 3, 8, 64, 1 << 17])
@pytest.mark.parametrize(
    "form", ["json.dumps defaults", "indent=2", "orjson indent", "tabs and CRLF"]
)
def test_any_json_whitespace_takes_the_low_memory_path(
    monkeypatch: pytest.MonkeyPatch, piece: int, form: str
) -> None:
    # Issue 12.6: only compact JSON was read from the bytes; spaced JSON took 8.75× its size.
    monkeypatch.setattr(jsonstat, "_PIECE", piece)
    monkeypatch.setattr(jsonstat, "_ROWS", 7)
    doc = kostra_shaped(regions=4, functions=3, suppressed_every=4)
    doc["status"]["5"] = "a:b"  # a separator inside a symbol
    raw = _spaced_forms(doc)[form]
    assert b" " in raw or b"\t" in raw
    assert jsonstat._split_dense_value(raw) is not None
    assert jsonstat._split_sparse_status(raw) is not None
    assert_frame_equal(jsonstat.decode(raw).frame, reference_decode(doc))


@pytest.mark.parametrize(
    "body",
    ["1 2,3,4,5", "1,2,nu ll,4,5", "1,- 2,3,4,5", "1,2.\n5,3,4,5", "1,2e 5,3,4,5", "1,\xa02,3,4,5"],
)
def test_whitespace_inside_a_token_is_still_refused(body: str) -> None:
    doc = small_doc(
        id=["Tid"],
        size=[5],
        dimension={"Tid": {"category": {"index": list("abcde")}}},
        value=[0] * 5,
        status=None,
        role=None,
    )
    raw = json.dumps(doc).encode().replace(b"[0, 0, 0, 0, 0]", f"[ {body} ]".encode())
    assert body.encode() in raw
    with pytest.raises(SourceError, match="not valid JSON"):
        jsonstat.decode(raw)


def test_spaced_status_with_odd_symbols_agrees_with_the_parse() -> None:
    status = {"3": "", "0": ":", "1": " , ", "2": "a : b"}  # spaces and separators inside symbols
    doc = small_doc(status=status)
    expected = jsonstat.decode(doc).frame
    raw = json.dumps(doc, indent=1, ensure_ascii=False).encode()
    assert_frame_equal(jsonstat.decode(raw).frame, expected)
    assert expected.get_column("status").to_list() == [":", " , ", "a : b", ""]
