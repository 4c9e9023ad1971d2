"""The report's batched paths give the same numbers as computing each report on its own.

:func:`kostra.report.pipeline.report_data` computes a peer group's profile, need-corrected costs
and production indices once and slices them for every member; the year's shared frames are
sliced instead of filtered per report. Each municipality's :class:`ReportData` must be the one
a report computed alone (nothing cached) gives.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kostra import api
from kostra.report import batch, build, pipeline
from kostra.report.model import REPORT_SECTORS, HistoryPoint, ProfileRow, ReportData

# three members of one county (Vestland, none in ASSS) and three ASSS members
COUNTY = ["4640", "4647", "4602"]
ASSS = ["0301", "3201", "4601"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> pipeline.ReportInputs:
    folder = tmp_path_factory.mktemp("sample")
    return pipeline.prepare(2024, db=folder / "none.duckdb")


def _alone(inputs: pipeline.ReportInputs, code: str, **kwargs: Any) -> ReportData:
    """The report computed with nothing shared from earlier reports."""
    return pipeline.report_data(replace(inputs, group_results={}), code, **kwargs)


def _dump(data: ReportData) -> dict[str, Any]:
    return data.model_dump(exclude={"generated"})


@pytest.mark.parametrize(
    ("codes", "kwargs"),
    [
        (COUNTY, {}),
        (ASSS, {"peers": "asss"}),
        (COUNTY, {"peers": "county", "compare": ["0301"]}),
    ],
)
def test_group_members_sliced_from_the_group_equal_reports_alone(
    inputs: pipeline.ReportInputs, codes: list[str], kwargs: dict[str, Any]
) -> None:
    shared = replace(inputs, group_results={})
    batched = [pipeline.report_data(shared, code, **kwargs) for code in codes]
    # the group's frames were computed once and reused by the later members
    assert any(key[0] == "profile" for key in shared.group_results)
    # so were the nøkkeltall view's aggregate columns (the country's at least)
    kept = shared.group_results[("nokkeltall",)]
    assert any(key[0] == "aggregate" and key[3] == "country" for key in kept)
    for code, data in zip(codes, batched, strict=True):
        alone = _alone(inputs, code, **kwargs)
        assert data.municipality.code == code
        assert _dump(data) == _dump(alone)


def test_members_differ_where_they_should(inputs: pipeline.ReportInputs) -> None:
    shared = replace(inputs, group_results={})
    first, second = (pipeline.report_data(shared, code) for code in COUNTY[:2])
    # the same group averages, each municipality's own values
    assert first.peers.name == second.peers.name
    by_id = {row.indicator_id: row for row in first.profile}
    same_average = [
        row
        for row in second.profile
        if row.peer_average is not None and by_id[row.indicator_id].peer_average == row.peer_average
    ]
    assert len(same_average) > 40
    assert [r.value for r in first.profile] != [r.value for r in second.profile]


# -- the frame-wise readers of kostra.report.build against the row-by-row reading they replace --


def _rows_profile(frame: pl.DataFrame, code: str, year: int, ids: set[str]) -> list[ProfileRow]:
    """The report's profile rows read one row at a time (the reference)."""
    own = build._own_rows(frame, code).filter(
        (pl.col("year") == year) & pl.col("indicator_id").is_in(list(ids))
    )
    return [
        ProfileRow(
            indicator_id=r["indicator_id"],
            value=build._float(r.get("value")),
            status=r.get("status") if r.get("value") is None else None,
            peer_average=build._float(r.get("peer_average")),
            index=build._float(r.get("index")),
            peer_rank=build._int(build._col(r, "rank", "peer_rank")),
            n_peers=build._int(build._col(r, "n_ranked", "n_peers")),
            peer_min=build._float(r.get("peer_min")),
            peer_max=build._float(r.get("peer_max")),
            previous_value=build._float(r.get("previous_value")),
            series_break=bool(r.get("series_break") or r.get("peer_series_break") or False),
            preliminary=bool(r.get("preliminary") or False),
            small_base=bool(r.get("small_base") or False),
            beyond_cap=bool(r.get("beyond_cap") or False),
        )
        for r in own.iter_rows(named=True)
    ]


def _rows_history(
    profile: pl.DataFrame, evaluated: pl.DataFrame, code: str, year: int, ids: set[str]
) -> list[HistoryPoint]:
    """The history read one row at a time, profile rows replacing evaluated ones (reference)."""
    points: dict[tuple[str, int], HistoryPoint] = {}
    earlier = evaluated.filter(
        (pl.col("region") == code) & (pl.col("year") <= year) & pl.col("indicator_id").is_in(ids)
    )
    own = build._own_rows(profile, code).filter(
        (pl.col("year") <= year) & pl.col("indicator_id").is_in(list(ids))
    )
    for frame, averaged in ((earlier, False), (own, True)):
        for r in frame.iter_rows(named=True):
            points[(r["indicator_id"], int(r["year"]))] = HistoryPoint(
                indicator_id=r["indicator_id"],
                year=int(r["year"]),
                value=build._float(r.get("value")),
                peer_average=build._float(r.get("peer_average")) if averaged else None,
                status=r.get("status") if r.get("value") is None else None,
                series_break=bool(r.get("series_break") or False),
            )
    return [points[k] for k in sorted(points)]


@pytest.mark.parametrize("code", ["3201", "1151", "4647", "0301"])
def test_frame_readers_equal_the_row_by_row_reading(
    inputs: pipeline.ReportInputs, code: str
) -> None:
    data = pipeline.report_data(replace(inputs, group_results={}), code)
    group = [p.code for p in data.peers.members]
    profile = pipeline._profile_series(replace(inputs, group_results={}), code, group, [])
    # the key figures the report profiles (as build_report_data chooses them)
    ids = {
        i.id
        for i in data.indicators
        if i.in_profile and i.role is None and i.sector in REPORT_SECTORS
    }
    assert build._profile(profile, code, 2024, ids) == _rows_profile(profile, code, 2024, ids)
    assert build._history(profile, inputs.evaluated, code, 2024, ids) == _rows_history(
        profile, inputs.evaluated, code, 2024, ids
    )
    assert inputs.shared is not None
    assert build._history(
        profile, inputs.evaluated, code, 2024, ids, inputs.shared
    ) == _rows_history(profile, inputs.evaluated, code, 2024, ids)
    # what the report carries is what the reference reads
    assert list(data.profile) == _rows_profile(profile, code, 2024, ids)


def test_frame_readers_read_missing_columns_as_missing() -> None:
    # a hand-built profile frame with only some of the analysis' columns
    frame = pl.DataFrame(
        {
            "indicator_id": ["a", "b", "c"],
            "region": ["0301"] * 3,
            "year": [2024] * 3,
            "value": [1.0, None, float("nan")],
            "status": [None, ":", None],
            "rank": [2, None, 1],
        }
    )
    ids = {"a", "b", "c"}
    rows = build._profile(frame, "0301", 2024, ids)
    assert rows == _rows_profile(frame, "0301", 2024, ids)
    assert [r.value for r in rows] == [1.0, None, None]
    assert [r.status for r in rows] == [None, ":", None]
    assert [r.peer_rank for r in rows] == [2, None, 1]
    assert build._history(frame, None, "0301", 2024, ids) == _rows_history(
        frame, frame.clear(), "0301", 2024, ids
    )


def test_code_changes_map_as_api_to_borders() -> None:
    for borders in (2024, 2019):
        changes = pipeline._changes(2016, 2024, borders)
        assert len(changes) > 50
        for change in changes:
            expected = (
                [change.code]
                if change.year >= borders
                else api._to_borders([change.code], change.year, borders)
            )
            assert list(change.mapped) == expected


# -- --all over several processes --


def test_reports_over_two_processes_are_all_written(
    inputs: pipeline.ReportInputs, tmp_path: Path
) -> None:
    codes = ["3201", "1151", "4647", "0301"]
    work = batch.Batch(
        year=2024, db=tmp_path / "none.duckdb", folder=tmp_path / "out", fmt="html", lang="nb"
    )
    seen: list[str] = []
    outcome = batch.write_reports(inputs, work, codes, jobs=2, progress=seen.append)
    assert outcome.failures == []
    assert sorted(seen) == sorted(codes)
    files = {f"{batch.slug(inputs.names[c])}-2024.html": c for c in codes}
    assert {p.name for p in outcome.written} == set(files)
    for path in outcome.written:
        assert inputs.names[files[path.name]] in path.read_text(encoding="utf-8")
    # the worker wrote half of them: the same kind of report as this process
    sizes = [p.stat().st_size for p in outcome.written]
    assert min(sizes) > 0.8 * max(sizes)


def test_reports_a_worker_cannot_write_are_written_here(
    inputs: pipeline.ReportInputs, tmp_path: Path
) -> None:
    # the worker cannot compute the year (none before the first KOSTRA year): it gives up and
    # this process writes its share from the year it has
    work = batch.Batch(
        year=1990, db=tmp_path / "none.duckdb", folder=tmp_path / "out", fmt="html", lang="nb"
    )
    outcome = batch.write_reports(inputs, work, ["3201", "1151"], jobs=2)
    assert outcome.failures == []
    assert sorted(p.name for p in outcome.written) == ["baerum-1990.html", "utsira-1990.html"]


def test_jobs_follow_the_work() -> None:
    assert batch.jobs_for(10, "html", None) == 1  # ASSS: not worth a second process
    assert batch.jobs_for(357, "html", 2) == 2
    assert batch.jobs_for(357, "html", 1) == 1
    assert batch.jobs_for(10, "pdf", 2) == 2
    assert 1 <= batch.jobs_for(357, "html", None) <= batch.MAX_JOBS


def test_kept_group_results_are_bounded(
    inputs: pipeline.ReportInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a server meets peer groups chosen by hand: what is kept stays bounded, and a report
    # computed after the kept results were dropped is the same report
    monkeypatch.setattr(pipeline, "GROUP_RESULTS_MAX", 3)
    shared = replace(inputs, group_results={})
    first = pipeline.report_data(shared, "4640")
    for code in ("3201", "1151", "0301"):
        pipeline.report_data(shared, code)
        assert len(shared.group_results) <= 3
    again = pipeline.report_data(shared, "4640")
    assert _dump(again) == _dump(first)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nn", "Lageret er lukka."), ("en", "The warehouse is closed.")],
)
def test_a_failed_report_is_said_in_the_batch_language(
    inputs: pipeline.ReportInputs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    expected: str,
) -> None:
    from kostra.errors import KostraError
    from kostra.i18n.said import say

    def fails(*_: object) -> Path:
        raise KostraError(say("error.warehouse.closed"))

    monkeypatch.setattr(batch, "_write_one", fails)
    job = batch.Batch(year=2024, db=None, folder=tmp_path, fmt="html", lang=lang)
    outcome = batch.write_reports(inputs, job, ["4640"], names=lambda code: "Sogndal")
    assert outcome.failures == [f"Sogndal (4640): {expected}"]
