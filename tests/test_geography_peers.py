"""Peer groups: ASSS by year (checked against the code history), county, country, custom lists,
KOSTRA groups from an injected mapping or, offline, a clear error."""

from __future__ import annotations

import importlib
import itertools
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from kostra.errors import KostraError, UnknownMunicipalityError
from kostra.geography import (
    asss_members,
    municipalities,
    municipality,
    normalise_name,
    peer_group,
    successors,
)
from kostra.geography._data import peer_group_data
from kostra.geography.kostra_groups import clear_cache

ASSS_2019 = {"0301", "1201", "5001", "1103", "0219", "1001", "0602", "0106", "1102", "1902"}
ASSS_2017 = (ASSS_2019 - {"5001"}) | {"1601"}
ASSS_2024 = {
    "0301",
    "4601",
    "5001",
    "1103",
    "3201",
    "4204",
    "3301",
    "3107",
    "1108",
    "5501",
    "3203",
    "3205",
}


@pytest.mark.parametrize("year", range(2005, 2027))
def test_asss_members_are_valid_and_named(year: int) -> None:
    group = peer_group("asss", year)
    expected_size = 12 if year >= 2022 else 10
    assert len(group) == expected_size
    valid = municipalities(year)
    assert set(group.members) <= set(valid["code"].to_list())
    names = {
        normalise_name(municipality(code, year).name).split(" - ")[0] for code in group.members
    }
    listed = {
        normalise_name(m["name"])
        for m in peer_group_data()["asss"]["members"]
        if year >= m.get("from_year", 2005)
    }
    assert names == listed


def test_asss_codes_by_year() -> None:
    assert set(asss_members(2019)) == ASSS_2019
    assert set(asss_members(2017)) == ASSS_2017
    assert set(asss_members(2024)) == ASSS_2024
    assert "3024" in asss_members(2021)
    assert "3025" not in asss_members(2021)
    assert {"3025", "3030"} <= set(asss_members(2022))
    # Trondheim became 5001 in 2018 (Trøndelag), Tromsø 5401 in 2020 and 5501 in 2024.
    assert "5001" in asss_members(2018)
    assert "1601" in asss_members(2017)
    assert "5401" in asss_members(2023)
    assert "5501" in asss_members(2024)


def test_asss_member_codes_follow_the_code_history() -> None:
    # Each member's code in one period leads to its code in the next one.
    for member in peer_group_data()["asss"]["members"]:
        starts = sorted(int(y) for y in member["codes"])
        for before, after in itertools.pairwise(starts):
            old = member["codes"][str(before)]
            new = member["codes"][str(after)]
            assert new in successors(old, after - 1, after), member["name"]


def test_county_country_and_country_without_oslo() -> None:
    county = peer_group("county", 2019, municipality="Bærum")
    assert county.name == "Akershus"
    assert "0219" in county
    assert len(county) == 22
    assert peer_group("county", 2022, municipality="Bærum").name == "Viken"
    assert len(peer_group("country", 2024)) == 357
    without_oslo = peer_group("country_ex_oslo", 2024)
    assert len(without_oslo) == 356
    assert "0301" not in without_oslo
    with pytest.raises(KostraError, match="depends on a municipality"):
        peer_group("county", 2024)


def test_custom_lists() -> None:
    group = peer_group(["Bærum", "asker", "0301"], 2024)
    assert group.kind == "custom"
    assert group.members == ["3201", "3203", "0301"]
    assert peer_group("Bærum, Asker, 0301", 2024).members == group.members
    assert peer_group("Bærum, Asker", 2019).members == ["0219", "0220"]
    with pytest.raises(UnknownMunicipalityError):
        peer_group(["Bærum", "Atlantis"], 2024)


def test_kostra_group_from_an_injected_mapping() -> None:
    groups = {"3201": "KOSTRA-gruppe 13", "3203": "KOSTRA-gruppe 13", "0301": "KOSTRA-gruppe 16"}
    group = peer_group("kostra_group", 2024, municipality="Bærum", kostra_groups=groups)
    assert group.name == "KOSTRA-gruppe 13"
    assert group.members == ["3201", "3203"]
    by_year = peer_group(
        "kostra_group", 2024, municipality="Oslo", kostra_groups=lambda year: groups
    )
    assert by_year.members == ["0301"]


@pytest.fixture(autouse=True)
def _fresh_klass_reads() -> Iterator[None]:
    # a faked Klass module's answer must not outlive its test
    clear_cache()
    yield
    clear_cache()


def test_kostra_group_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Klass module whose cache is empty, and a year the packaged grouping does not cover:
    # geography names the command that fetches it.
    fake = types.ModuleType("kostra.sources.klass")

    class Client:
        def __init__(self, **_: object) -> None:
            pass

    def kostra_groups(year: int, *, client: object) -> pl.DataFrame:
        raise KostraError("Klass is unreachable")

    fake.KlassClient = Client  # type: ignore[attr-defined]
    fake.kostra_groups = kostra_groups  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kostra.sources.klass", fake)
    with pytest.raises(KostraError, match="No KOSTRA grouping for 2019") as caught:
        peer_group("kostra_group", 2019, municipality="Bærum")
    assert "kostra fetch --classifications --years 2019" in (caught.value.hint or "")
    assert "asss" in (caught.value.hint or "")
    # the packaged 2020 grouping covers 2024 without Klass
    assert peer_group("kostra_group", 2024, municipality="Bærum").name == "KOSTRA-gruppe 12"


def test_kostra_group_from_a_cached_classification(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    groups_module = importlib.import_module("kostra.geography.kostra_groups")

    # a Klass cache as `kostra fetch --classifications` leaves it (only then is Klass read)
    (tmp_path / "klass").mkdir()
    (tmp_path / "klass" / "112.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path))
    groups_module._from_klass_cache.cache_clear()
    fake = types.ModuleType("kostra.sources.klass")

    class Client:
        def __init__(self, **_: object) -> None:
            pass

    def kostra_groups(year: int, *, client: object) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "code": ["3201", "3203", "0301"],
                "kostra_group": ["13", "13", "16"],
                "kostra_group_label": ["KOSTRA-gruppe 13", "KOSTRA-gruppe 13", "KOSTRA-gruppe 16"],
            }
        )

    fake.KlassClient = Client  # type: ignore[attr-defined]
    fake.kostra_groups = kostra_groups  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kostra.sources.klass", fake)
    try:
        group = peer_group("kostra_group", 2024, municipality="3203")
    finally:
        groups_module._from_klass_cache.cache_clear()
    assert group.members == ["3201", "3203"]
