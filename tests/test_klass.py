"""The Klass client against respx-mocked answers shaped like klass-api JSON (no network)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
import respx

from kostra.errors import SourceError
from kostra.settings import Settings
from kostra.sources import klass

BASE = "https://klass.test/api/klass/v1"

# Shapes as klass-api serialises CodeList / CodeChangeList / CorrespondenceItemList; the codes
# are real municipality codes, the rest illustrative.
CODES_2024: dict[str, Any] = {
    "codes": [
        {
            "code": "0301",
            "parentCode": None,
            "level": "1",
            "name": "Oslo",
            "shortName": "",
            "presentationName": "",
            "validFrom": "2024-01-01",
            "validTo": None,
            "notes": "",
        },
        {
            "code": "3201",
            "parentCode": None,
            "level": "1",
            "name": "Bærum",
            "shortName": "",
            "presentationName": "",
            "validFrom": "2024-01-01",
            "validTo": None,
            "notes": "",
        },
    ]
}
CHANGES_2023_2024: dict[str, Any] = {
    "codeChanges": [
        {
            "oldCode": "3024",
            "oldName": "Bærum",
            "oldShortName": None,
            "newCode": "3201",
            "newName": "Bærum",
            "newShortName": None,
            "changeOccurred": "2024-01-01",
        },
        {
            "oldCode": None,
            "oldName": None,
            "oldShortName": None,
            "newCode": "4631",
            "newName": "Alver",
            "newShortName": None,
            "changeOccurred": "2024-01-01",
        },
    ]
}
CORRESPONDS_2024: dict[str, Any] = {
    "correspondenceItems": [
        {
            "sourceCode": "3201",
            "sourceName": "Bærum",
            "sourceShortName": "",
            "targetCode": "EKG13",
            "targetName": "KOSTRA-gruppe 13",
            "targetShortName": "",
        },
        {
            "sourceCode": "0301",
            "sourceName": "Oslo",
            "sourceShortName": "",
            "targetCode": "EKG16",
            "targetName": "Oslo kommune",
            "targetShortName": "",
        },
    ]
}


@pytest.fixture
def client(tmp_path: Path) -> klass.KlassClient:
    return klass.KlassClient(Settings(klass_url=BASE, cache_dir=tmp_path), timeout=2.0)


@respx.mock
def test_codes_at_parses_and_asks_for_json(client: klass.KlassClient) -> None:
    route = respx.get(f"{BASE}/classifications/131/codesAt").mock(
        return_value=httpx.Response(200, json=CODES_2024)
    )
    frame = client.codes_at(131, dt.date(2024, 1, 1))
    assert dict(frame.schema) == klass.CODES_SCHEMA
    assert frame.get_column("code").to_list() == ["0301", "3201"]
    assert frame.get_column("short_name").to_list() == [None, None]  # "" is missing
    assert frame.get_column("valid_from").to_list() == [dt.date(2024, 1, 1)] * 2
    request = route.calls.last.request
    assert request.url.params["date"] == "2024-01-01"
    assert request.url.params["language"] == "nb"
    assert request.headers["accept"] == "application/json"


@respx.mock
def test_answers_are_cached_on_disk_and_used_offline(
    client: klass.KlassClient, tmp_path: Path
) -> None:
    route = respx.get(f"{BASE}/classifications/131/codesAt").mock(
        return_value=httpx.Response(200, json=CODES_2024)
    )
    first = client.codes_at(131, "2024-01-01")
    files = list((tmp_path / "klass").iterdir())
    assert len(files) == 1
    assert files[0].suffix == ".json"  # no temporary file left behind
    route.mock(side_effect=httpx.ConnectError("offline"))
    again = klass.KlassClient(Settings(klass_url=BASE, cache_dir=tmp_path)).codes_at(
        131, "2024-01-01"
    )
    assert again.equals(first)
    assert route.call_count == 1
    with pytest.raises(SourceError, match="unreachable"):
        client.codes_at(131, "2024-01-01", refresh=True)
    # Another date is another cache entry.
    with pytest.raises(SourceError, match="unreachable"):
        client.codes_at(131, "2023-01-01")


@respx.mock
def test_damaged_cache_file_is_fetched_again(client: klass.KlassClient, tmp_path: Path) -> None:
    route = respx.get(f"{BASE}/classifications/131/codesAt").mock(
        return_value=httpx.Response(200, json=CODES_2024)
    )
    client.codes_at(131, "2024-01-01")
    (cached,) = (tmp_path / "klass").iterdir()
    cached.write_text("{trunc", encoding="utf-8")
    assert client.codes_at(131, "2024-01-01").height == 2
    assert route.call_count == 2


@respx.mock
def test_changes(client: klass.KlassClient) -> None:
    route = respx.get(f"{BASE}/classifications/131/changes").mock(
        return_value=httpx.Response(200, json=CHANGES_2023_2024)
    )
    frame = client.changes(131, "2023-01-01", dt.date(2024, 1, 2))
    assert dict(frame.schema) == klass.CHANGES_SCHEMA
    assert frame.row(0) == ("3024", "Bærum", "3201", "Bærum", dt.date(2024, 1, 1))
    assert frame.row(1)[0] is None  # a code that began
    params = route.calls.last.request.url.params
    assert (params["from"], params["to"]) == ("2023-01-01", "2024-01-02")


@respx.mock
def test_corresponds_at_and_kostra_groups(client: klass.KlassClient) -> None:
    route = respx.get(f"{BASE}/classifications/131/correspondsAt").mock(
        return_value=httpx.Response(200, json=CORRESPONDS_2024)
    )
    pairs = client.corresponds_at(131, 112, "2024-01-01")
    assert dict(pairs.schema) == klass.CORRESPONDENCE_SCHEMA
    assert pairs.height == 2
    groups = client.kostra_groups(2024)
    assert dict(groups.schema) == klass.KOSTRA_GROUPS_SCHEMA
    assert groups.to_dicts() == [
        {"code": "0301", "kostra_group": "EKG16", "kostra_group_label": "Oslo kommune"},
        {"code": "3201", "kostra_group": "EKG13", "kostra_group_label": "KOSTRA-gruppe 13"},
    ]
    params = route.calls.last.request.url.params
    assert (params["targetClassificationId"], params["date"]) == ("112", "2024-01-01")
    # The module-level shortcut reads the same cache.
    assert klass.kostra_groups(2024, client=client).equals(groups)


@respx.mock
def test_offline_says_klass_is_unreachable_and_groups_are_absent(
    client: klass.KlassClient,
) -> None:
    respx.get(f"{BASE}/classifications/131/correspondsAt").mock(
        side_effect=httpx.ConnectError("Name or service not known")
    )
    with pytest.raises(SourceError) as info:
        client.kostra_groups(2024)
    assert "KOSTRA groups for 2024 are absent" in info.value.message
    assert "unreachable" in info.value.message
    assert info.value.hint is not None


@respx.mock
def test_timeout_is_a_source_error(client: klass.KlassClient) -> None:
    respx.get(f"{BASE}/classifications/131/codesAt").mock(
        side_effect=httpx.ReadTimeout("timed out")
    )
    with pytest.raises(SourceError, match="ReadTimeout"):
        client.codes_at(131, "2024-01-01")


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(404, json={"error": "not found"}), "Klass has no correspondence"),
        (httpx.Response(500, text="oops"), "answered 500"),
        (httpx.Response(200, text="<html>"), "not JSON"),
        (httpx.Response(200, json={"items": []}), "lacks the list 'correspondenceItems'"),
    ],
)
@respx.mock
def test_bad_answers_are_source_errors(
    client: klass.KlassClient, response: httpx.Response, message: str
) -> None:
    respx.get(f"{BASE}/classifications/131/correspondsAt").mock(return_value=response)
    with pytest.raises(SourceError, match=message):
        client.corresponds_at(131, 112, "2024-01-01")


@respx.mock
def test_municipality_in_two_groups_is_refused(client: klass.KlassClient) -> None:
    items = CORRESPONDS_2024["correspondenceItems"]
    twice = {"correspondenceItems": [*items, {**items[0], "targetCode": "EKG01"}]}
    respx.get(f"{BASE}/classifications/131/correspondsAt").mock(
        return_value=httpx.Response(200, json=twice)
    )
    with pytest.raises(SourceError, match="3201 in more than one"):
        client.kostra_groups(2024)


@respx.mock
def test_bad_date_from_klass_and_from_user(client: klass.KlassClient) -> None:
    bad = {"codes": [{**CODES_2024["codes"][0], "validFrom": "01.01.2024"}]}
    respx.get(f"{BASE}/classifications/131/codesAt").mock(
        return_value=httpx.Response(200, json=bad)
    )
    with pytest.raises(SourceError, match="not YYYY-MM-DD"):
        client.codes_at(131, "2024-01-01")
    with pytest.raises(SourceError, match="is not a date"):
        client.codes_at(131, "1 januar")


def test_empty_answer_gives_typed_empty_frame(tmp_path: Path) -> None:
    with respx.mock:
        respx.get(f"{BASE}/classifications/131/changes").mock(
            return_value=httpx.Response(200, json={"codeChanges": []})
        )
        client = klass.KlassClient(Settings(klass_url=BASE, cache_dir=tmp_path))
        frame = client.changes(131, "2025-01-01")
    assert frame.height == 0
    assert dict(frame.schema) == klass.CHANGES_SCHEMA
    assert isinstance(frame, pl.DataFrame)
