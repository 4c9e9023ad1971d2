"""Reports read the year from the computed-year store (kostra.results.year_inputs): the same
report data as computing the year directly, for several municipalities, years and both
borders; computed and stored when missing; computed in process when the store cannot be
written; and a new vintage in the warehouse gives new numbers in the next report."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from kostra import api
from kostra.catalog.models import series_of
from kostra.cli import main
from kostra.report import pipeline
from kostra.report.pipeline import ReportInputs, ReportSettings
from kostra.results import store as computed_store
from kostra.results import year_inputs
from kostra.results.store import content_key, store_root
from kostra.warehouse import VintageInfo, Warehouse

SETTINGS = ReportSettings(resamples=20)
#: Oslo, two ASSS members (Bærum and Bergen on the 2024 borders), one compared with its county
#: (Molde) and a small one (Utsira).
CODES = ("0301", "3201", "4601", "1506", "1151")
TABLE = "12134"


def _normal(value: Any) -> Any:
    """``value`` with floats to 10 significant digits: the direct computation itself differs
    from run to run in the last bits of Polars' threaded sums (the same inputs, report_data
    twice: measured), so exact equality would test the thread scheduler."""
    if isinstance(value, float):
        return None if math.isnan(value) else float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    return value


def _dump(inputs: ReportInputs, code: str, **kwargs: object) -> Any:
    data = pipeline.report_data(inputs, code, **kwargs)  # type: ignore[arg-type]
    return _normal(data.model_dump(mode="json", exclude={"generated"}))


def _frames_equal(a: pl.DataFrame | None, b: pl.DataFrame | None) -> None:
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert a.schema == b.schema
        assert a.equals(b)  # written and read back as they were


@pytest.mark.parametrize(("year", "borders"), [(2024, "year"), (2020, "year"), (2020, "newest")])
def test_stored_year_gives_the_direct_reports(tmp_path: Path, year: int, borders: str) -> None:
    db = tmp_path / "kostra.duckdb"  # no warehouse: the packaged sample
    direct = year_inputs.year_inputs(db, year, settings=SETTINGS, borders=borders)  # type: ignore[arg-type]
    assert year_inputs.stored(db, year, settings=SETTINGS, borders=borders)  # type: ignore[arg-type]
    read = year_inputs.year_inputs(db, year, settings=SETTINGS, borders=borders)  # type: ignore[arg-type]
    assert read is not direct
    assert read.data.observations.is_empty()  # read back, not computed again
    for name in ("evaluated", "spending", "gross", "intervals"):
        _frames_equal(getattr(read, name), getattr(direct, name))
    assert (read.borders, read.borders_rule) == (direct.borders, direct.borders_rule)
    assert read.vintage == direct.vintage
    assert (read.map_shared is None) == (direct.map_shared is None)
    for code in CODES:
        assert _dump(read, code) == _dump(direct, code), code
    # other peers, a compared municipality and a mapped key figure read the same inputs
    options = {
        "peers": "country",
        "compare": ["Utsira"],
        "map_indicator": "andel_barn_1_5_i_barnehage",
    }
    assert _dump(read, "3201", **options) == _dump(direct, "3201", **options)


def test_another_setting_or_borders_is_another_year(tmp_path: Path) -> None:
    db = tmp_path / "kostra.duckdb"
    year_inputs.year_inputs(db, 2024, settings=SETTINGS)
    assert year_inputs.stored(db, 2024, settings=SETTINGS)
    assert not year_inputs.stored(db, 2024, settings=SETTINGS, borders="newest")
    assert not year_inputs.stored(db, 2024, settings=ReportSettings(resamples=21))
    assert not year_inputs.stored(db, 2023, settings=SETTINGS)


def test_a_store_that_cannot_be_written_computes_in_process(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder would go", encoding="utf-8")
    db = blocker / "kostra.duckdb"  # its store, not-a-folder/kostra.duckdb.computed, cannot be
    inputs = year_inputs.year_inputs(db, 2024, settings=SETTINGS)
    assert inputs.year == 2024
    assert not inputs.data.observations.is_empty()  # computed here
    assert not store_root(db).exists()


def _sample_table(factor: float) -> pl.DataFrame:
    path = Path(str(resources.files("kostra.data") / "sample" / "observations.parquet"))
    frame = pl.read_parquet(path).filter(pl.col("table_id") == TABLE)
    return frame.with_columns(pl.col("value") * factor)


def _load(db: Path, factor: float, label: str) -> None:
    with Warehouse.open(db) as warehouse:
        warehouse.load(
            _sample_table(factor), VintageInfo(source="file", table_id=TABLE, label=label)
        )


def folder(db: Path, borders: str) -> Path:
    """Where the 2024 inputs on ``borders`` of ``db``'s current content are stored."""
    key = content_key(db, SETTINGS, borders, vintages=computed_store.warehouse_fingerprint(db))
    return store_root(db) / key / year_inputs.folder_name(2024)


def test_a_new_vintage_gives_new_numbers_in_the_next_report(tmp_path: Path) -> None:
    db = tmp_path / "kostra.duckdb"
    _load(db, 1.0, "first")
    first = year_inputs.year_inputs(db, 2024, settings=SETTINGS)
    assert year_inputs.stored(db, 2024, settings=SETTINGS)
    old = folder(db, "year")
    _load(db, 1.5, "second")
    assert not year_inputs.stored(db, 2024, settings=SETTINGS)  # the stored year is not current
    assert old.is_dir()
    assert old != folder(db, "year")
    # inputs of the new vintage on other borders: the old vintage's are removed
    year_inputs.year_inputs(db, 2024, settings=SETTINGS, borders="newest")
    assert list(store_root(db).glob("*/inputs-*")) == [folder(db, "newest")]
    second = year_inputs.year_inputs(db, 2024, settings=SETTINGS)
    # the new vintage's on both borders stay
    assert sorted(store_root(db).glob("*/inputs-*")) == sorted(
        [folder(db, "newest"), folder(db, "year")]
    )
    again = year_inputs.year_inputs(db, 2024, settings=SETTINGS)
    assert again.data.observations.is_empty()  # the new year, stored and read back
    changed = [
        i.id for i in first.catalog.indicators if any(ref.table_id == TABLE for ref in series_of(i))
    ]
    assert changed, "the sample table feeds no key figure"

    def values(inputs: ReportInputs) -> list[float | None]:
        frame = inputs.evaluated.filter(
            (pl.col("year") == 2024)
            & (pl.col("region") == "3201")
            & pl.col("indicator_id").is_in(changed)
        ).sort("indicator_id")
        return [None if v is None else round(v, 6) for v in frame["value"].to_list()]

    assert values(second) != values(first)
    assert values(again) == values(second)
    assert _dump(again, "3201") == _dump(second, "3201")
    assert _dump(again, "3201") != _dump(first, "3201")


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_the_report_command_stores_the_year_and_reads_it_back(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert _run("report", "Bærum", "--year", "2024", "-o", "first.html") == 0
    assert year_inputs.stored(tmp_db, 2024)
    computed: list[int] = []
    original = pipeline.prepare

    def counting(*args: object, **kwargs: object) -> ReportInputs:
        computed.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(year_inputs, "prepare", counting)
    assert _run("report", "Bærum", "--year", "2024", "-o", "second.html") == 0
    assert computed == []  # read from the store
    first = (tmp_path / "first.html").read_text(encoding="utf-8")
    second = (tmp_path / "second.html").read_text(encoding="utf-8")
    assert first == second


def _export(path: Path, factor: float) -> Path:
    """Table 12134 of the sample times ``factor`` as a statbank JSON-stat download."""
    from kostra.sources import jsonstat

    cells = _sample_table(factor).select(
        pl.col("region").alias("KOKkommuneregion0000"),
        pl.col("contents_code").alias("ContentsCode"),
        pl.col("year").cast(pl.Utf8).alias("Tid"),
        "value",
        "status",
    )
    document = jsonstat.encode(
        cells,
        dimensions=["KOKkommuneregion0000", "ContentsCode", "Tid"],
        label=f"{TABLE}: sample",
        extension={"px": {"tableid": TABLE}},
        role={"geo": ["KOKkommuneregion0000"], "metric": ["ContentsCode"], "time": ["Tid"]},
    )
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_import_computes_the_year_and_the_next_report_has_the_new_numbers(
    tmp_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KOSTRA_COMPUTE_YEAR", "1")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert _run("import", str(_export(tmp_path / "first.json", 1.0))) == 0
    assert "beregnet og lagret" in capsys.readouterr().err
    year = api.default_year(db=tmp_db)  # what a report without --year shows
    assert year_inputs.stored(tmp_db, year)
    first = year_inputs.year_inputs(tmp_db, year)
    assert first.data.observations.is_empty()  # computed by the import, read here

    def never(*args: object, **kwargs: object) -> ReportInputs:
        raise AssertionError("the report computed the year the import had stored")

    monkeypatch.setattr(year_inputs, "prepare", never)
    assert _run("report", "Bærum", "-o", "first.html") == 0
    monkeypatch.undo()
    monkeypatch.setenv("KOSTRA_DB", str(tmp_db))
    monkeypatch.setenv("KOSTRA_COMPUTE_YEAR", "1")
    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    assert _run("import", str(_export(tmp_path / "second.json", 1.5))) == 0
    second = year_inputs.year_inputs(tmp_db, year)
    assert second.data.observations.is_empty()
    changed = [
        i.id for i in first.catalog.indicators if any(r.table_id == TABLE for r in series_of(i))
    ]

    def values(inputs: ReportInputs) -> list[float | None]:
        frame = inputs.evaluated.filter(
            (pl.col("year") == year)
            & (pl.col("region") == "3201")
            & pl.col("indicator_id").is_in(changed)
        ).sort("indicator_id")
        return [None if v is None else round(v, 6) for v in frame["value"].to_list()]

    assert values(second) != values(first)
    monkeypatch.setattr(year_inputs, "prepare", never)
    assert _run("report", "Bærum", "-o", "second.html") == 0
    assert _dump(second, "3201") != _dump(first, "3201")
    before = (tmp_path / "first.html").read_text(encoding="utf-8")
    after = (tmp_path / "second.html").read_text(encoding="utf-8")
    assert before != after
    # the same file again stores nothing new and computes nothing
    assert _run("import", str(tmp_path / "second.json")) == 0
