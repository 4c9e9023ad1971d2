"""``kostra catalog verify`` and the fetch's code check, against the local PxWebApi server with
wrong, renamed and missing codes (issue #10.5)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from cli_main import run_main
from kostra.catalog import load_catalog
from kostra.catalog.verify import Finding, describe, unconfirmed_sentence, verify_catalog
from kostra.sources.labels import catalog_labels, fetched_from, metadata_path
from kostra.testing.pxweb_server import (
    FrameTable,
    PxWebState,
    population_table,
    sample_tables,
    serve,
)

LABEL_15 = catalog_labels()["13502"]["KOSandel150000"]
RENAMED = "KOSandel150099"  # 13502's share of children 1–5, served under a new code
DROPPED = "KOSutg020000"  # 13502's NDU per child 1–5, no longer served
GONE_TABLE = "12134"  # the key-figure table of økonomi, not served at all


def _altered(table: FrameTable) -> FrameTable:
    """13502 with one code renamed (SSB's label kept) and one code gone."""
    variables = []
    for variable in table.spec.variables:
        if variable.code == "ContentsCode":
            values = tuple(
                RENAMED if v == "KOSandel150000" else v for v in variable.values if v != DROPPED
            )
            labels = {v: catalog_labels()["13502"].get(v, v) for v in variable.values}
            labels[RENAMED] = LABEL_15
            variable = dataclasses.replace(variable, values=values, labels=labels)
        variables.append(variable)
    frame = table.frame.filter(pl.col("contents_code") != DROPPED).with_columns(
        pl.col("contents_code").replace("KOSandel150000", RENAMED)
    )
    return FrameTable(dataclasses.replace(table.spec, variables=tuple(variables)), frame)


@pytest.fixture(scope="module")
def served() -> list[FrameTable]:
    tables = [t for t in sample_tables() if t.spec.table_id != GONE_TABLE]
    altered = [_altered(t) if t.spec.table_id == "13502" else t for t in tables]
    return [*altered, population_table([2022, 2023, 2024])]


@pytest.fixture
def server(served: list[FrameTable]) -> Iterator[tuple[str, PxWebState]]:
    state = PxWebState(served)
    with serve([], state=state) as url:
        yield url, state


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KOSTRA_DB", str(tmp_path / "kostra.duckdb"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "cache"


run = run_main


def _status(report: list[dict[str, str]], table: str, code: str) -> dict[str, str]:
    return next(r for r in report if r["table_id"] == table and r["code"] == code)


def test_verify_lists_wrong_renamed_and_missing_codes(
    server: tuple[str, PxWebState], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _state = server
    out_file = tmp_path / "verify.json"
    code, _out, err = run(
        ["catalog", "verify", "--base-url", url, "--format", "json", "-o", str(out_file)], capsys
    )
    assert code == 1, err
    report = json.loads(out_file.read_text(encoding="utf-8"))
    rows = report["rows"] if isinstance(report, dict) else report
    renamed = _status(rows, "13502", "KOSandel150000")
    assert renamed["status"] == "renamed"
    assert renamed["ssb_code"] == RENAMED
    assert renamed["ssb_label"] == LABEL_15
    wrong = _status(rows, "13502", DROPPED)
    assert wrong["status"] == "wrong"
    assert wrong["closest"]  # SSB's closest labels for the user to choose from
    assert wrong["indicators"]  # which key figures read it
    assert {r["status"] for r in rows if r["table_id"] == GONE_TABLE} == {"missing_table"}
    # everything else the catalog reads is served, so it is fine
    others = [r for r in rows if r["table_id"] not in ("13502", GONE_TABLE)]
    assert others
    assert {r["status"] for r in others} == {"ok"}
    assert {r["checked_against"] for r in others} == {"live"}
    assert "codes" in err or "koder" in err


def test_verify_terminal_lines_name_the_fix(
    server: tuple[str, PxWebState], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _state = server
    code, out, _err = run(["--lang", "en", "catalog", "verify", "--base-url", url], capsys)
    assert code == 1
    text = " ".join(out.split())
    assert f"13502 ContentsCode=KOSandel150000: now called {RENAMED}" in text
    assert f"13502 ContentsCode={DROPPED}: not in SSB's metadata; closest:" in text
    assert f"SSB has no table {GONE_TABLE}" in text


def test_verify_offline_uses_the_metadata_a_fetch_kept(
    server: tuple[str, PxWebState],
    cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _state = server
    assert run(["catalog", "verify", "--base-url", url], capsys)[0] == 1  # keeps metadata
    assert metadata_path(cache_dir, "13502").is_file()
    out_file = tmp_path / "offline.csv"
    code, _out, _err = run(
        ["catalog", "verify", "--offline", "--base-url", url, "-f", "csv", "-o", str(out_file)],
        capsys,
    )
    assert code == 1
    rows = pl.read_csv(out_file, infer_schema=False).to_dicts()
    assert _status(rows, "13502", "KOSandel150000")["status"] == "renamed"
    assert _status(rows, "13502", "KOSandel150000")["checked_against"] == "cache"
    # a table SSB does not have left nothing in the cache: not checked, never called fine
    assert {r["status"] for r in rows if r["table_id"] == GONE_TABLE} == {"unchecked"}


def test_metadata_kept_from_another_api_never_confirms_a_code_for_ssb(
    server: tuple[str, PxWebState],
    cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _state = server
    run(["catalog", "verify", "--base-url", url], capsys)
    kept = json.loads(metadata_path(cache_dir, "13502").read_text("utf-8"))
    assert fetched_from(kept) == url
    # checked offline against SSB's API (the default): the local server's copy does not count
    out_file = tmp_path / "ssb.csv"
    code, _out, err = run(
        ["catalog", "verify", "--offline", "--format", "csv", "-o", str(out_file)], capsys
    )
    assert code == 0
    rows = pl.read_csv(out_file, infer_schema=False).to_dicts()
    assert {r["status"] for r in rows} == {"unchecked"}
    assert _status(rows, "13502", "KOSandel150000")["checked_against"] == "other_api"
    assert "kom fra et annet API enn https://data.ssb.no/api/pxwebapi/v2" in " ".join(err.split())
    # a copy kept before the source was recorded says nothing: not counted either
    del kept["extension"]["kostraFetchedFrom"]
    metadata_path(cache_dir, "13502").write_text(json.dumps(kept), "utf-8")
    run(
        ["catalog", "verify", "--offline", "--base-url", url, "-f", "csv", "-o", str(out_file)],
        capsys,
    )
    rows = pl.read_csv(out_file, infer_schema=False).to_dicts()
    assert _status(rows, "13502", "KOSandel150000")["status"] == "unchecked"
    # the other tables' copies still say where they came from, and still count for that API
    others = [r for r in rows if r["table_id"] not in ("13502", GONE_TABLE)]
    assert others
    assert {r["checked_against"] for r in others} == {"cache"}


def test_verify_without_network_falls_back_to_the_cache(
    cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # nothing listens on port 9 of the loopback: the client gives up and the cache is used
    code, _out, err = run(
        ["catalog", "verify", "--base-url", "http://127.0.0.1:9/api/pxwebapi/v2"], capsys
    )
    assert code == 0
    assert "Ingen forbindelse" in err
    assert "ingen kode kontrolleres" in " ".join(err.split())


def test_a_fetch_with_a_wrong_catalog_code_stops_before_any_data_request(
    server: tuple[str, PxWebState], capsys: pytest.CaptureFixture[str]
) -> None:
    url, state = server
    code, _out, err = run(
        [
            "--lang",
            "en",
            "fetch",
            "--preset",
            "asss",
            "--years",
            "2023",
            "--base-url",
            url,
            "--no-progress",
        ],
        capsys,
    )
    assert code == 2
    text = " ".join(err.split())
    assert "not in SSB's metadata; nothing was fetched" in text
    assert "KOSandel150000" in text
    assert DROPPED in text
    assert f"SSB has no table {GONE_TABLE}" in text
    assert state.requests_to("/data") == 0


def test_verify_catalog_is_pure_over_a_metadata_getter() -> None:
    report = verify_catalog(load_catalog(), lambda table_id: (None, "none"))
    assert set(report["status"].to_list()) == {"unchecked"}
    assert report.filter(pl.col("variable") == "ContentsCode").height >= 1


def test_unconfirmed_sentence_speaks_to_users() -> None:
    catalog = load_catalog()
    unconfirmed = next(i for i in catalog.indicators if not i.source_confirmed)
    confirmed = next(i for i in catalog.indicators if i.source_confirmed)
    assert unconfirmed_sentence(confirmed) is None
    nb = unconfirmed_sentence(unconfirmed, "nb")
    en = unconfirmed_sentence(unconfirmed, "en")
    assert nb is not None
    assert "ikke kontrollert mot SSB" in nb
    assert en is not None
    assert "not been checked against SSB" in en
    assert "offline" not in nb + en


def test_profile_exports_say_which_codes_are_not_yet_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "profile.csv"
    argv = ["--lang", "en", "profile", "Bærum", "--year", "2023", "--sector", "sosial"]
    code, _out, err = run([*argv, "--format", "csv", "-o", str(out_file)], capsys)
    assert code == 0, err
    rows = pl.read_csv(out_file, infer_schema=False)
    notes = dict(zip(rows["id"], rows["source note"].fill_null(""), strict=True))
    catalog = load_catalog()
    for indicator_id, note in notes.items():
        expected = unconfirmed_sentence(catalog.get(indicator_id), "en")
        assert note == (expected or ""), indicator_id
    assert any(notes.values())  # 14019's codes are not confirmed
    assert "offline" not in " ".join(notes.values())


@pytest.mark.parametrize(
    ("lang", "renamed", "missing"),
    [
        (
            "nb",
            "13502 ContentsCode=A: heter nå B (Ny)",
            "12209 ContentsCode=C: finnes ikke hos SSB",
        ),
        (
            "nn",
            "13502 ContentsCode=A: heiter no B (Ny)",
            "12209 ContentsCode=C: finst ikkje hos SSB",
        ),
        (
            "en",
            "13502 ContentsCode=A: now called B (Ny)",
            "12209 ContentsCode=C: not in SSB's metadata",
        ),
    ],
)
def test_a_problem_is_described_in_each_language(lang: str, renamed: str, missing: str) -> None:
    moved = Finding("13502", "ContentsCode", "A", "renamed", "live", ssb_code="B", ssb_label="Ny")
    gone = Finding("12209", "ContentsCode", "C", "wrong", "live")
    assert describe(moved, lang) == renamed
    assert describe(gone, lang) == missing
