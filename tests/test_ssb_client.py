"""The SSB client against mocked HTTP (respx): retries, 429, re-planning, GET vs POST."""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from kostra.errors import SourceError
from kostra.sources import jsonstat
from kostra.sources._ssb.metadata import parse_metadata
from kostra.sources.ssb import (
    MAX_URL_LENGTH,
    RetryPolicy,
    SsbClient,
    SsbRequestError,
    SsbUnreachableError,
)

BASE = "https://data.ssb.no/api/pxwebapi/v2"
REGIONS = [f"{i:04d}" for i in range(301, 301 + 60)]
CONTENTS = ["KOSa", "KOSb"]
YEARS = [str(y) for y in range(2015, 2025)]
ORDER = {"Region": REGIONS, "ContentsCode": CONTENTS, "Tid": YEARS}


class FakeClock:
    """Time that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.t += seconds


def _config(max_cells: int = 800_000, calls: int = 30, window: int = 60) -> dict[str, Any]:
    return {
        "apiVersion": "2.0.0",
        "appVersion": "x",
        "languages": [{"id": "no", "label": "Norsk"}],
        "defaultLanguage": "no",
        "maxDataCells": max_cells,
        "maxCallsPerTimeWindow": calls,
        "timeWindow": window,
        "license": "x",
        "defaultDataFormat": "json-stat2",
        "dataFormats": ["json-stat2"],
    }


def _metadata() -> dict[str, Any]:
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "12345: Testtabell",
        "updated": "2026-03-16T07:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "id": list(ORDER),
        "size": [len(v) for v in ORDER.values()],
        "dimension": {
            name: {
                "label": name,
                "category": {
                    "index": {code: i for i, code in enumerate(codes)},
                    "label": {code: code for code in codes},
                },
                "extension": {"elimination": False, "codeLists": []},
            }
            for name, codes in ORDER.items()
        },
        "value": [],
    }


def _value(region: str, contents: str, year: str) -> float:
    return int(region) * 100 + CONTENTS.index(contents) * 10_000_000 + int(year) - 2000


def _selection_of(request: httpx.Request) -> dict[str, list[str]]:
    if request.method == "POST":
        body = json.loads(request.content)
        return {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
    selection = {}
    for key, value in request.url.params.multi_items():
        match = re.fullmatch(r"valueCodes\[(.+)\]", key)
        if match:
            selection[match.group(1)] = value.split(",")
    return selection


def _answer(selection: dict[str, list[str]]) -> dict[str, Any]:
    import polars as pl

    names = list(ORDER)
    rows = list(itertools.product(*(selection[n] for n in names)))
    frame = pl.DataFrame(
        {
            **{n: [r[i] for r in rows] for i, n in enumerate(names)},
            "value": [_value(*r) for r in rows],
        }
    )
    return jsonstat.encode(
        frame,
        dimensions={n: selection[n] for n in names},
        updated="2026-03-16T07:00:00Z",
        role={"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _client(tmp_path: Path, clock: FakeClock, **kwargs: Any) -> SsbClient:
    return SsbClient(
        BASE,
        cache_dir=tmp_path / "cache",
        clock=clock,
        rng=lambda: 1.0,
        retry=RetryPolicy(attempts=4, base=1.0, cap=8.0),
        **kwargs,
    )


def _mock(router: respx.MockRouter, data: Any, max_cells: int = 800_000) -> respx.Route:
    router.get(f"{BASE}/config").respond(json=_config(max_cells))
    router.get(f"{BASE}/tables/12345/metadata").respond(json=_metadata())
    route = router.route(url__regex=rf"{re.escape(BASE)}/tables/12345/data.*")
    route.side_effect = data
    return route


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=_answer(_selection_of(request)))


def _expected_cells(plan_selection: dict[str, tuple[str, ...]]) -> int:
    return math.prod(len(v) for v in plan_selection.values())


def test_config_sets_the_limits_and_metadata_tolerates_variations(
    tmp_path: Path, clock: FakeClock, shared_dir: Path
) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{BASE}/config").respond(json=_config(1234, calls=7, window=11))
        client = _client(tmp_path, clock)
        assert client.config().max_data_cells == 1234
        assert client.limiter.max_calls == 7
        assert client.limiter.window == pytest.approx(11.0 * 1.02)
    real = shared_dir / "reference/pxwebapi/examples/ssb-v2-userguide"
    doc = json.loads((real / "tables_05810_metadata_lang-en.jsonstat2.json").read_text())
    metadata = parse_metadata(doc, "05810")
    # index {"0":0,"1":2,"2":1}: by position, not by key
    assert metadata.variable("kjonn").codes == ("0", "2", "1")
    assert metadata.time is not None
    assert metadata.time.codes[-1] == "2025"
    doc["dimension"]["Kjonn"]["extension"] = {"codelists": [{"id": "vs_K", "type": "Valueset"}]}
    assert parse_metadata(doc, "05810").variable("Kjonn").codelists[0].id == "vs_K"


def test_small_selection_goes_as_get_and_long_as_post(tmp_path: Path, clock: FakeClock) -> None:
    client = _client(tmp_path, clock)
    method, params, body = client.build_data_request("12345", {"Region": ["0301"], "Tid": ["2024"]})
    assert method == "GET"
    assert body is None
    assert params["valueCodes[Region]"] == "0301"
    many = {"Region": [f"K{i:05d}" for i in range(600)], "Tid": ["2024"]}
    method, params, body = client.build_data_request("12345", many, codelists={"Region": "vs_X"})
    assert method == "POST"
    assert body is not None
    assert body["selection"][0] == {
        "variableCode": "Region",
        "codelist": "vs_X",
        "valueCodes": many["Region"],
    }
    assert params == {"lang": "no", "outputFormat": "json-stat2"}
    url = httpx.URL(
        f"{BASE}/tables/12345/data", params={"valueCodes[Region]": ",".join(many["Region"])}
    )
    assert len(str(url)) > MAX_URL_LENGTH


def test_fetch_with_post_stores_every_cell(tmp_path: Path, clock: FakeClock) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, _ok)
        client = _client(tmp_path, clock)
        plan = client.plan("12345", {"region": "*", "Tid": "from(2020)"})
        result = client.fetch(plan)
    assert plan.selection["Tid"] == tuple(YEARS[5:])
    assert result.frame.height == _expected_cells(plan.selection)
    assert route.call_count == 1
    row = result.frame.filter(region="0310", contents_code="KOSb", year=2022).row(0, named=True)
    assert row["value"] == _value("0310", "KOSb", "2022")


def test_429_waits_for_retry_after_on_the_fake_clock(tmp_path: Path, clock: FakeClock) -> None:
    answers = iter(
        [
            httpx.Response(429, text="API calls quota exceeded!", headers={"Retry-After": "17"}),
            httpx.Response(429, headers={"Retry-After": "5"}),
        ]
    )

    def data(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or _ok(request)

    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, data)
        client = _client(tmp_path, clock)
        result = client.fetch(client.plan("12345", {"Region": "0301", "Tid": "2024"}))
    assert route.call_count == 3
    assert result.frame.height == 2
    assert sum(clock.slept) >= 22.0
    assert client.stats.rate_limited == 2


def test_5xx_timeouts_and_drops_are_retried_with_backoff(tmp_path: Path, clock: FakeClock) -> None:
    failures = iter(
        [
            httpx.Response(503),
            httpx.ReadTimeout("slow"),
            httpx.RemoteProtocolError("peer closed connection"),
            httpx.Response(200, content=b'{"version":"2.0","class":"dat'),  # truncated
        ]
    )

    def data(request: httpx.Request) -> httpx.Response:
        failure = next(failures, None)
        if isinstance(failure, Exception):
            raise failure
        return failure or _ok(request)

    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, data)
        client = _client(tmp_path, clock, max_cells=None)
        client.retry = RetryPolicy(attempts=6, base=1.0, cap=8.0)
        result = client.fetch(client.plan("12345", {"Region": "0301,0302", "Tid": "2024"}))
    assert route.call_count == 5
    assert result.frame.height == 4
    # full jitter at rng=1.0: 1, 2, 4, 8 seconds
    assert clock.slept == [1.0, 2.0, 4.0, 8.0]


def test_retries_are_bounded(tmp_path: Path, clock: FakeClock) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, lambda request: httpx.Response(503))
        client = _client(tmp_path, clock)
        with pytest.raises(SourceError, match="after 4 tries"):
            client.fetch(client.plan("12345", {"Region": "0301", "Tid": "2024"}))
    assert route.call_count == 4


@pytest.mark.parametrize("status", [400, 403, 404])
def test_client_errors_are_not_retried_and_name_table_and_selection(
    tmp_path: Path, clock: FakeClock, status: int
) -> None:
    body = {"type": "Parameter error", "title": "Non-existent value", "status": status}
    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, lambda request: httpx.Response(status, json=body))
        client = _client(tmp_path, clock)
        with pytest.raises(SsbRequestError) as caught:
            client.fetch(client.plan("12345", {"Region": "0301", "Tid": "2024"}))
    assert route.call_count == 1
    assert caught.value.status == status
    assert "12345" in caught.value.message
    assert "Region=0301" in caught.value.message


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (
            403,
            {
                "title": "Forbiden",
                "detail": "The query resulted in cell that exceeds the number of allowed.",
            },
        ),
        (400, {"type": "Parameter error", "title": "Too many cells selected", "status": 400}),
    ],
)
def test_too_many_cells_replans_into_smaller_chunks(
    tmp_path: Path, clock: FakeClock, status: int, body: dict[str, Any]
) -> None:
    # The server's real limit (100) is below what /config announces (800 000).
    refused = []

    def data(request: httpx.Request) -> httpx.Response:
        selection = _selection_of(request)
        if math.prod(len(v) for v in selection.values()) > 100:
            refused.append(request)
            return httpx.Response(status, json=body)
        return _ok(request)

    with respx.mock(assert_all_called=False) as router:
        _mock(router, data)
        client = _client(tmp_path, clock)
        plan = client.plan("12345")
        assert plan.requests == 1
        assert plan.cells == 1200
        result = client.fetch(plan)
    assert result.frame.height == 1200
    # 1200 → 600 → 300 → 150 refused once each; later chunks use the learned limit (75).
    assert len(refused) == client.stats.replanned == 4
    assert result.frame.select("region", "contents_code", "year").is_unique().all()


def test_a_plan_is_split_by_the_announced_cell_limit(tmp_path: Path, clock: FakeClock) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, _ok, max_cells=250)
        client = _client(tmp_path, clock)
        plan = client.plan("12345")
        result = client.fetch(plan)
    assert plan.requests == math.ceil(1200 / 250) == route.call_count
    assert all(_expected_cells(chunk) <= 250 for chunk in plan.chunks)
    assert result.frame.height == 1200


def test_unknown_variable_or_code_is_a_clear_error(tmp_path: Path, clock: FakeClock) -> None:
    with respx.mock(assert_all_called=False) as router:
        _mock(router, _ok)
        client = _client(tmp_path, clock)
        with pytest.raises(SourceError, match="no variable 'Kjonn'"):
            client.plan("12345", {"Kjonn": "1"})
        with pytest.raises(SourceError, match="Non-existent value"):
            client.plan("12345", {"Region": "9999"})


def test_unreachable_server_says_so(tmp_path: Path, clock: FakeClock) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{BASE}/config").mock(side_effect=httpx.ConnectError("refused"))
        client = _client(tmp_path, clock)
        with pytest.raises(SsbUnreachableError) as caught:
            client.config()
    assert "--base-url" in (caught.value.hint or "")


def test_clients_of_one_server_share_a_limiter(tmp_path: Path) -> None:
    a = SsbClient(BASE, cache_dir=tmp_path)
    b = SsbClient(BASE, cache_dir=tmp_path)
    other = SsbClient("http://127.0.0.1:9/api/pxwebapi/v2", cache_dir=tmp_path)
    assert a.limiter is b.limiter
    assert other.limiter is not a.limiter


def test_preliminary_comes_from_the_metadata_when_ssb_marks_it() -> None:
    doc = _metadata()
    assert parse_metadata(doc, "12345").preliminary is None
    doc["note"] = ["Tallene for 2025 er foreløpige tall, publisert 16. mars."]
    assert parse_metadata(doc, "12345").preliminary is True


def test_resume_uses_cached_chunks_and_refetches_a_corrupt_one(
    tmp_path: Path, clock: FakeClock
) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = _mock(router, _ok, max_cells=300)
        client = _client(tmp_path, clock)
        plan = client.plan("12345")
        first = client.fetch(plan)
        assert route.call_count == plan.requests == 4
        files = sorted((tmp_path / "cache" / "chunks" / "12345").rglob("*.json"))
        assert len(files) == 4
        files[0].write_bytes(b'{"version": "2.0", "cla')  # a chunk cut short on disk
        again = _client(tmp_path, clock).fetch(plan)
        assert route.call_count == 5
    assert again.cached_chunks == 3
    assert again.frame.sort(["region", "contents_code", "year"]).equals(
        first.frame.sort(["region", "contents_code", "year"])
    )


def test_a_table_republished_during_the_fetch_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    stamps = iter(["2026-03-16T07:00:00Z", "2026-06-01T06:00:00Z"])

    def data(request: httpx.Request) -> httpx.Response:
        doc = _answer(_selection_of(request))
        doc["updated"] = next(stamps, "2026-06-01T06:00:00Z")
        return httpx.Response(200, json=doc)

    with respx.mock(assert_all_called=False) as router:
        _mock(router, data, max_cells=600)
        client = _client(tmp_path, clock)
        plan = client.plan("12345")
        with pytest.raises(SourceError, match="while it was being fetched"):
            client.fetch(plan)
    assert not list((tmp_path / "cache").rglob("*.json"))
