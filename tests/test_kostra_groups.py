"""KOSTRA groups: the packaged 2020 grouping on each year's codes, the Klass cache filled by
``kostra fetch --classifications`` taking precedence, and a clear message for uncovered years."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from typer.testing import CliRunner, Result

from kostra.cli import app, workbench_fetch
from kostra.errors import KostraError
from kostra.geography import municipalities, peer_group
from kostra.geography.kostra_groups import (
    NoKostraGroupsError,
    clear_cache,
    group_definitions,
    kostra_groups,
    packaged_groups,
)
from kostra.settings import Settings
from kostra.sources.klass import KlassClient

BIG_CITIES = {"1103", "1108", "3107", "3201", "3203", "3205", "3301", "4204", "4601", "5001"}


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(cache))
    clear_cache()
    yield cache
    clear_cache()


def error_text(result: Result) -> str:
    """A failed command's message and hint, whether the CLI printed them or raised them."""
    if isinstance(result.exception, KostraError):
        return f"{result.exception.message} {result.exception.hint or ''}"
    return result.output


def test_group_sizes_match_ssbs_published_counts() -> None:
    frame = packaged_groups(2024)
    sizes = dict(frame.group_by("kostra_group").len().iter_rows())
    assert len(sizes) == 17
    assert sizes["EKG01"] == 40  # 39 published + Haram, split from Ålesund in 2024
    assert sizes["EKG13"] == 1
    assert sizes["EKG16"] == 8
    assert sizes["EKG17"] == 8
    big = set(frame.filter(pl.col("kostra_group") == "EKG12")["code"].to_list())
    assert big == BIG_CITIES | {"5501"}  # the eleven MANIFEST names, Tromsø among them
    definitions = group_definitions()
    assert definitions.height == 17
    published = dict(definitions.select("kostra_group", "n_published").iter_rows())
    assert all(sizes[g] == published[g] for g in sizes if g != "EKG01")


@pytest.mark.parametrize("year", range(2020, 2026))
def test_every_municipality_of_each_year_has_a_group(year: int) -> None:
    frame = kostra_groups(year)
    assert set(frame["code"].to_list()) == set(municipalities(year)["code"].to_list())
    assert frame["source"].unique().to_list() == ["packaged"]


def test_codes_before_2024_take_the_group_of_their_2024_unit() -> None:
    by_code = dict(kostra_groups(2022).select("code", "kostra_group").iter_rows())
    assert by_code["3024"] == "EKG12"  # Bærum, 3201 from 2024
    assert by_code["0301"] == "EKG13"
    # Ålesund 1507 (with Haram) is Ålesund 1508's group, not Haram's
    assert by_code["1507"] == "EKG11"
    group = peer_group("kostra_group", 2021, municipality="Utsira")
    assert group.name == "KOSTRA-gruppe 16"
    assert len(group) == 8


@pytest.mark.parametrize("year", [2019, 2026])
def test_a_year_no_grouping_covers_is_a_clear_error(year: int) -> None:
    with pytest.raises(NoKostraGroupsError) as caught:
        kostra_groups(year)
    assert str(year) in caught.value.message
    assert f"kostra fetch --classifications --years {year}" in (caught.value.hint or "")
    assert caught.value.text("nn") == (
        f"Ingen KOSTRA-gruppering for {year} er tilgjengeleg: grupperinga som følgjer med "
        "(SSB si frå 2020), dekkjer 2020–2025."
    )
    assert f"--years {year}` (han blir lagra), eller bruk ei anna samanlikningsgruppe" in (
        caught.value.hint_text("nn") or ""
    )


def _klass_answer(request: httpx.Request) -> httpx.Response:
    # Klass answers 2026 with a (made-up) regrouping and has nothing for 2030
    date = request.url.params["date"]
    if not date.startswith("2026"):
        return httpx.Response(404, json={"error": "no correspondence"})
    items: list[dict[str, Any]] = [
        {"sourceCode": code, "sourceName": "", "targetCode": "EKG12", "targetName": "KG 12"}
        for code in ("3201", "3203", "0301")
    ]
    items.append(
        {"sourceCode": "1151", "sourceName": "Utsira", "targetCode": "EKG16", "targetName": "G16"}
    )
    return httpx.Response(200, json={"correspondenceItems": items})


def test_fetch_classifications_caches_klass_and_it_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["date"])
        return _klass_answer(request)

    monkeypatch.setattr(
        workbench_fetch,
        "_client",
        lambda: KlassClient(Settings(), transport=httpx.MockTransport(answer)),
    )
    result = CliRunner().invoke(app, ["fetch", "--classifications", "--years", "2026,2030"])
    assert result.exit_code == 0, result.output
    assert calls == ["2026-01-01", "2030-01-01"]
    assert "2026: 4 kommuner i 2 KOSTRA-grupper" in result.output
    assert "2030: Klass har ingen KOSTRA-gruppering" in result.output
    # read back offline from the cache
    frame = kostra_groups(2026)
    assert frame["source"].unique().to_list() == ["klass"]
    group = peer_group("kostra_group", 2026, municipality="Oslo")
    assert group.members == ["0301", "3201", "3203"]
    assert group.name == "KG 12"


def test_fetch_classifications_when_klass_has_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        workbench_fetch,
        "_client",
        lambda: KlassClient(Settings(), transport=httpx.MockTransport(_klass_answer)),
    )
    result = CliRunner().invoke(app, ["fetch", "--classifications", "--years", "2030"])
    assert result.exit_code != 0
    assert "ingen KOSTRA-gruppering" in error_text(result)
    both = CliRunner().invoke(app, ["fetch", "--classifications", "--tables", "07459"])
    assert both.exit_code != 0
    assert "ikke tabeller" in error_text(both)


def test_fetch_classifications_stops_when_klass_fails_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only Klass's 404 means "no grouping that year"; a server error stops the fetch."""
    monkeypatch.setattr(
        workbench_fetch,
        "_client",
        lambda: KlassClient(
            Settings(), transport=httpx.MockTransport(lambda _: httpx.Response(503))
        ),
    )
    result = CliRunner().invoke(app, ["fetch", "--classifications", "--years", "2025,2026"])
    assert result.exit_code == 2
    assert "Klass har ingen KOSTRA-gruppering" not in result.output
    assert "503" in error_text(result)


def test_profile_against_the_kostra_group_works_offline(tmp_db: Path) -> None:
    result = CliRunner().invoke(
        app, ["profile", "Utsira", "-p", "kostra_group", "--year", "2024", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(result.stdout.encode(), infer_schema_length=0)
    shown = set(frame["kommunenr"].to_list())
    assert shown == {"1144", "1151", "1816", "1835", "1856", "4633", "5043", "5052"}
    failed = CliRunner().invoke(app, ["profile", "Utsira", "-p", "kostra_group", "-y", "2019"])
    assert failed.exit_code != 0
    assert "kostra fetch --classifications" in error_text(failed)
