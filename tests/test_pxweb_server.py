"""The local PxWebApi 2.0 server: contract, expressions, limits, faults, real tables."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import polars as pl
import pytest

from kostra.errors import InputFileError
from kostra.sources import jsonstat
from kostra.sources._ssb.metadata import parse_metadata
from kostra.sources.labels import (
    OWN_LABEL_EXTENSION,
    catalog_labels,
    catalog_own_names,
    known_contents,
    match_contents,
    store_metadata,
)
from kostra.testing.pxweb_server import (
    Fault,
    FaultPlan,
    PxWebState,
    ServedCodelist,
    ServerOptions,
    population_table,
    sample_tables,
    serve,
    synthetic_table,
)

AGG = ServedCodelist(
    "agg_Test",
    "To grupper",
    "Aggregation",
    {"G1": ["0301", "1103"], "G2": ["4601", "5001"]},
)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, PxWebState]]:
    table = synthetic_table(
        extra={"KOKfunksjon0000": ["201", "202", "211"]},
        codelists={"KOKkommuneregion0000": [AGG]},
    )
    state = PxWebState([table], ServerOptions(max_cells=200, max_calls=10_000, time_window=60))
    with serve([], state=state) as url:
        yield url, state


def test_config_and_table_listing(server: tuple[str, PxWebState]) -> None:
    url, _ = server
    config = httpx.get(f"{url}/config").json()
    for key in ("apiVersion", "maxDataCells", "maxCallsPerTimeWindow", "timeWindow", "license"):
        assert key in config
    assert config["maxDataCells"] == 200
    listing = httpx.get(f"{url}/tables", params={"query": "99001"}).json()
    assert [t["id"] for t in listing["tables"]] == ["99001"]
    assert listing["page"]["totalElements"] == 1
    missing = httpx.get(f"{url}/tables", params={"pageNumber": 5})
    assert missing.status_code == 404
    assert missing.json()["title"] == "Non-existent page"
    info = httpx.get(f"{url}/TABLES/99001").json()
    assert info["id"] == "99001"
    assert info["lastPeriod"] == "2024"


def test_metadata_is_jsonstat_with_empty_values(server: tuple[str, PxWebState]) -> None:
    url, _ = server
    doc = httpx.get(f"{url}/tables/99001/metadata", params={"lang": "no"}).json()
    assert doc["value"] == []
    assert doc["size"] == [5, 3, 2, 10]
    region = doc["dimension"]["KOKkommuneregion0000"]
    assert region["extension"]["codeLists"][0]["id"] == "agg_Test"
    assert httpx.get(f"{url}/tables/99001/metadata", params={"lang": "xx"}).status_code == 400


def test_get_and_post_answer_the_same_cells(server: tuple[str, PxWebState]) -> None:
    url, _ = server
    get = httpx.get(
        f"{url}/tables/99001/data",
        params={
            "lang": "no",
            "outputFormat": "json-stat2",
            "valuecodes[kokkommuneregion0000]": "0301,EAK",
            "valueCodes[KOKfunksjon0000]": "2*",
            "valueCodes[ContentsCode]": "*",
            "valueCodes[Tid]": "top(3)",
        },
    )
    body = {
        "selection": [
            {"variableCode": "KOKkommuneregion0000", "valueCodes": ["0301", "EAK"]},
            {"variableCode": "KOKfunksjon0000", "valueCodes": ["range(201,211)"]},
            {"variableCode": "ContentsCode", "valueCodes": ["KOSa0000", "KOSb0000"]},
            {"variableCode": "Tid", "valueCodes": ["from(2022)"]},
        ]
    }
    post = httpx.post(f"{url}/tables/99001/data?lang=no&outputFormat=json-stat2", json=body)
    assert get.status_code == post.status_code == 200
    a, b = jsonstat.decode(get.content), jsonstat.decode(post.content)
    assert a.frame.equals(b.frame)
    assert a.frame.height == 2 * 3 * 2 * 3
    assert a.categories["Tid"] == ["2022", "2023", "2024"]


def test_served_cells_match_the_table(server: tuple[str, PxWebState]) -> None:
    url, state = server
    served = state.tables["99001"].observations()
    answer = httpx.get(
        f"{url}/tables/99001/data",
        params={
            "valueCodes[KOKkommuneregion0000]": "*",
            "valueCodes[KOKfunksjon0000]": "201",
            "valueCodes[ContentsCode]": "KOSa0000",
            "valueCodes[Tid]": "*",
        },
    )
    frame = jsonstat.to_observations(jsonstat.decode(answer.content), "99001")
    expected = served.filter(pl.col("dims") == "KOKfunksjon0000=201", contents_code="KOSa0000")
    joined = expected.join(frame, on=["region", "year", "contents_code", "dims"], how="full")
    assert joined.height == expected.height == frame.height
    assert (joined["value"].eq_missing(joined["value_right"])).all()
    assert (joined["status"].eq_missing(joined["status_right"])).all()
    assert expected["status"].drop_nulls().len() > 0  # suppressed cells are exercised


def test_aggregation_codelist_sums_members(server: tuple[str, PxWebState]) -> None:
    url, state = server
    answer = httpx.get(
        f"{url}/tables/99001/data",
        params={
            "codelist[KOKkommuneregion0000]": "agg_Test",
            "valueCodes[KOKkommuneregion0000]": "G1",
            "valueCodes[KOKfunksjon0000]": "201",
            "valueCodes[ContentsCode]": "KOSa0000",
            "valueCodes[Tid]": "2015",
        },
    )
    value = jsonstat.decode(answer.content).frame["value"][0]
    served = (
        state.tables["99001"]
        .observations()
        .filter(
            pl.col("region").is_in(["0301", "1103"]),
            year=2015,
            contents_code="KOSa0000",
            dims="KOKfunksjon0000=201",
        )
    )
    members = served["value"].drop_nulls()
    assert value == (members.sum() if members.len() else None)
    codelist = httpx.get(f"{url}/codelists/agg_test").json()
    assert codelist["values"][0] == {"code": "G1", "label": "G1", "valueMap": ["0301", "1103"]}


@pytest.mark.parametrize(
    ("params", "status", "title"),
    [
        ({"valueCodes[Nope]": "1"}, 400, "Non-existent variable"),
        ({"valueCodes[KOKkommuneregion0000]": "9999"}, 400, "Non-existent value"),
        (
            {
                "valueCodes[KOKkommuneregion0000]": "*",
                "valueCodes[KOKfunksjon0000]": "*",
                "valueCodes[ContentsCode]": "*",
                "valueCodes[Tid]": "top(x)",
            },
            400,
            "Illegal selection expression",
        ),
        (
            {"valueCodes[KOKkommuneregion0000]": "0301", "valueCodes[Tid]": "2020"},
            400,
            "Missing selection for mandantory variable",
        ),
        ({"valueCodes[Tid]": "2020", "outputFormat": "px"}, 400, "Unsupported output format"),
    ],
)
def test_errors_are_problem_json(
    server: tuple[str, PxWebState], params: dict[str, str], status: int, title: str
) -> None:
    url, _ = server
    answer = httpx.get(f"{url}/tables/99001/data", params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["title"] == title
    missing = httpx.get(f"{url}/tables/00000/metadata")
    assert missing.status_code == 404
    assert missing.json()["title"] == "Non-existent table"


def test_cell_limit_answers_403_or_400(server: tuple[str, PxWebState]) -> None:
    url, state = server
    everything = {
        "valueCodes[KOKkommuneregion0000]": "*",
        "valueCodes[KOKfunksjon0000]": "*",
        "valueCodes[ContentsCode]": "*",
        "valueCodes[Tid]": "*",
    }  # 300 cells > 200
    answer = httpx.get(f"{url}/tables/99001/data", params=everything)
    assert answer.status_code == 403
    state.options.too_many_cells_status = 400
    try:
        answer = httpx.get(f"{url}/tables/99001/data", params=everything)
    finally:
        state.options.too_many_cells_status = 403
    assert answer.status_code == 400
    assert answer.json()["title"] == "Too many cells selected"


def test_call_limit_answers_429_with_retry_after() -> None:
    options = ServerOptions(max_calls=3, time_window=30)
    with serve([synthetic_table()], options=options) as url:
        codes = [httpx.get(f"{url}/tables/99001").status_code for _ in range(4)]
        limited = httpx.get(f"{url}/tables/99001")
        config = httpx.get(f"{url}/config")  # never limited, as at SSB
    assert codes == [200, 200, 200, 429]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert config.status_code == 200


def test_fault_plan_injects_each_fault_once() -> None:
    faults = FaultPlan(
        [
            Fault("503", path="/metadata"),
            Fault("truncate", path="/metadata"),
            Fault("drop", path="/metadata"),
            Fault("slow", path="/metadata", delay=0.3),
            Fault("429", path="/metadata", retry_after=7),
        ]
    )
    with serve([synthetic_table()], faults=faults) as url:
        target = f"{url}/tables/99001/metadata"
        assert httpx.get(target).status_code == 503
        truncated = httpx.get(target)
        assert truncated.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(truncated.content)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(target)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(target, timeout=0.1)
        rate = httpx.get(target)
        assert (rate.status_code, rate.headers["Retry-After"]) == (429, "7")
        assert httpx.get(target).status_code == 200
    assert [kind for kind, _ in faults.injected] == ["503", "truncate", "drop", "slow", "429"]


def test_population_table_07459_from_packaged_data() -> None:
    table = population_table([2023, 2024])
    spec = table.spec
    assert [v.code for v in spec.variables] == ["Region", "Alder", "ContentsCode", "Tid"]
    with serve([table]) as url:
        answer = httpx.get(
            f"{url}/tables/07459/data",
            params={
                "valueCodes[Region]": "0301",
                "valueCodes[Alder]": "*",
                "valueCodes[ContentsCode]": "Personer1",
                "valueCodes[Tid]": "2024",
            },
        )
    frame = jsonstat.to_observations(jsonstat.decode(answer.content), "07459")
    assert frame.height == 106
    from kostra.geography import population

    total = population(2024)
    oslo = total.filter(region="0301")["population"][0]
    assert frame["value"].sum() == pytest.approx(oslo)
    # Alder eliminated: SSB sums over it
    with serve([table]) as url:
        summed = httpx.get(
            f"{url}/tables/07459/data",
            params={
                "valueCodes[Region]": "0301",
                "valueCodes[ContentsCode]": "*",
                "valueCodes[Tid]": "2024",
            },
        )
    assert jsonstat.decode(summed.content).frame["value"][0] == pytest.approx(oslo)


def test_population_table_07459_lists_every_code_in_every_year_with_zeros() -> None:
    # SSB's 07459 answers 0 (not ".") for a code in a year it did not exist: 3024 Bærum (2020–2023)
    # in 2024, 3201 Bærum (from 2024) in 2023.
    with serve([population_table([2023, 2024])]) as url:
        answer = httpx.get(
            f"{url}/tables/07459/data",
            params={
                "valueCodes[Region]": "3024,3201",
                "valueCodes[ContentsCode]": "Personer1",
                "valueCodes[Tid]": "2023,2024",
            },
        )
    frame = jsonstat.decode(answer.content).frame
    totals = {(r["Region"], r["Tid"]): r["value"] for r in frame.iter_rows(named=True)}
    assert totals[("3024", "2024")] == 0
    assert totals[("3201", "2023")] == 0
    assert totals[("3024", "2023")] > 100_000
    assert totals[("3201", "2024")] > 100_000


def test_sample_tables_have_kostra_dims(tmp_path: Path) -> None:
    tables = {t.spec.table_id: t for t in sample_tables(["11906", "12134"])}
    dims = [v.code for v in tables["11906"].spec.variables]
    assert dims[0] == "KOKkommuneregion0000"
    assert dims[-2:] == ["ContentsCode", "Tid"]
    assert any(d.startswith("KOK") for d in dims[1:-2])
    assert next(v.code for v in tables["12134"].spec.variables) == "KOKkommuneregion0000"


@pytest.fixture(scope="module")
def sample_server() -> Iterator[str]:
    state = PxWebState(sample_tables(["13502"]), ServerOptions(max_calls=10_000))
    with serve([], state=state) as url:
        yield url


def test_sample_tables_answer_the_full_grid_with_ssb_labels_and_symbols(sample_server: str) -> None:
    meta = httpx.get(f"{sample_server}/tables/13502/metadata").json()
    region = meta["dimension"]["KOKkommuneregion0000"]["category"]["label"]
    # every code of the table's lifetime, labelled as in SSB's own 13502 download
    assert region["0219"] == "Bærum (-2019)"
    assert region["0710"] == "Sandefjord (2017-2019)"
    assert region["3201"] == "Bærum"
    assert region["EAK"] == "Landet"
    contents = meta["dimension"]["ContentsCode"]["category"]["label"]
    assert contents["KOSandel120000"] == (
        "Andel barn 1-2 år i barnehage, i forhold til innbyggere 1-2 år (prosent)"
    )
    assert any(note.startswith("Symbolet . ") for note in meta["note"])
    answer = httpx.get(
        f"{sample_server}/tables/13502/data",
        params={
            "valueCodes[KOKkommuneregion0000]": "0710,3907",
            "valueCodes[ContentsCode]": "KOSandel120000",
            "valueCodes[Tid]": "2015,2018,2024",
        },
    )
    frame = jsonstat.decode(answer.content).frame.with_columns(pl.all().cast(pl.Utf8))
    cells = {(r, t): (v, s) for r, _, t, v, s in frame.rows()}
    assert cells[("0710", "2015")] == (None, ".")
    assert cells[("0710", "2024")] == (None, ".")
    assert cells[("0710", "2018")][0] is not None
    assert cells[("3907", "2018")] == (None, ".")


def test_codes_without_ssb_label_carry_kostras_name_marked_as_ours(sample_server: str) -> None:
    meta = httpx.get(f"{sample_server}/tables/13502/metadata").json()
    dimension = meta["dimension"]["ContentsCode"]
    labels = dimension["category"]["label"]
    ssb = catalog_labels()["13502"]
    own = dimension["extension"][OWN_LABEL_EXTENSION]
    # exactly the codes SSB's label is not known for are marked, and none of them is bare
    assert own == [code for code in labels if code not in ssb]
    assert own, "13502 has catalog codes without SSB's label"
    for code in own:
        assert labels[code] == catalog_own_names()["13502"][code] != code
    for code in labels:
        if code in ssb:
            assert labels[code] == ssb[code]
    note = next(n for n in meta["note"] if own[0] in n)
    assert "ikke SSBs" in note
    assert "ikke bekreftet mot SSB" in note
    # the data answer marks them the same way
    answer = httpx.get(
        f"{sample_server}/tables/13502/data",
        params={
            "valueCodes[KOKkommuneregion0000]": "3201",
            "valueCodes[ContentsCode]": f"KOSandel120000,{own[0]}",
            "valueCodes[Tid]": "2024",
        },
    ).json()
    assert answer["dimension"]["ContentsCode"]["extension"][OWN_LABEL_EXTENSION] == [own[0]]


def test_kostras_own_names_are_never_taken_for_ssbs_labels(
    sample_server: str, tmp_path: Path
) -> None:
    meta = httpx.get(f"{sample_server}/tables/13502/metadata").json()
    own = meta["dimension"]["ContentsCode"]["extension"][OWN_LABEL_EXTENSION]
    contents = parse_metadata(meta, "13502").contents
    assert contents is not None
    assert set(contents.codes) >= set(own)
    assert not set(contents.labels) & set(own)
    store_metadata(tmp_path, "13502", meta)
    known = known_contents("13502", tmp_path)
    assert "KOSandel120000" in known
    assert not set(known) & set(own)
    name = catalog_own_names()["13502"][own[0]]
    with pytest.raises(InputFileError, match="not one of SSB's labels"):
        match_contents([name], "13502", file_name="ned.csv", cache_dir=tmp_path)


def test_agg_kommsummer_aggregated_and_single(sample_server: str) -> None:
    base = {
        "codelist[KOKkommuneregion0000]": "agg_KommSummer",
        "valueCodes[KOKkommuneregion0000]": "K-3201",
        "valueCodes[ContentsCode]": "KOSandel120000",
        "valueCodes[Tid]": "2018,2021,2024",
    }
    summed = jsonstat.decode(
        httpx.get(f"{sample_server}/tables/13502/data", params=base).content
    ).frame
    single = jsonstat.decode(
        httpx.get(
            f"{sample_server}/tables/13502/data",
            params={**base, "outputValues[KOKkommuneregion0000]": "single"},
        ).content
    ).frame
    # K-3201 is Bærum on today's code: 0219 to 2019, 3024 in 2020-2023, 3201 from 2024
    assert single["KOKkommuneregion0000"].cast(pl.Utf8).unique().sort().to_list() == [
        "0219",
        "3024",
        "3201",
    ]
    per_year = single.group_by(pl.col("Tid").cast(pl.Utf8)).agg(pl.col("value").sum())
    expected = dict(per_year.rows())
    got = {str(t): v for t, v in summed.select("Tid", "value").rows()}
    assert got == expected
    assert summed["KOKkommuneregion0000"].cast(pl.Utf8).unique().to_list() == ["K-3201"]
    codelist = httpx.get(f"{sample_server}/codelists/agg_KommSummer").json()
    groups = {v["code"]: v for v in codelist["values"]}
    assert codelist["type"] == "Aggregation"
    assert groups["K-3201"]["label"] == "Bærum"
    assert groups["K-3907"]["valueMap"] == ["0706", "0710", "0719", "0720", "3804", "3907"]
    # a code split between today's municipalities belongs to no group
    assert not any("5012" in v["valueMap"] for v in codelist["values"])
    post = httpx.post(
        f"{sample_server}/tables/13502/data",
        json={
            "selection": [
                {
                    "variableCode": "KOKkommuneregion0000",
                    "codelist": "agg_KommSummer",
                    "valueCodes": ["K-3201"],
                    "outputValues": "single",
                },
                {"variableCode": "ContentsCode", "valueCodes": ["KOSandel120000"]},
                {"variableCode": "Tid", "valueCodes": ["2018", "2021", "2024"]},
            ]
        },
    )
    assert jsonstat.decode(post.content).frame.height == single.height == 9
