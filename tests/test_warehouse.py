"""The warehouse: vintages, newest-first reads, atomic loads, migrations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from kostra.errors import DatabaseBusyError, KostraError, SourceError
from kostra.frames import OBSERVATION_COLUMNS
from kostra.warehouse import (
    SCHEMA_VERSION,
    VintageInfo,
    Warehouse,
    content_hash,
    migrate,
)


def extract(
    regions: list[str],
    years: list[int],
    value: float = 1.0,
    *,
    table_id: str = "07459",
    contents_code: str = "Personer1",
) -> pl.DataFrame:
    """One row per region and year; values count up from ``value`` so cells differ."""
    rows = [(region, year) for region in regions for year in years]
    return pl.DataFrame(
        {
            "table_id": [table_id] * len(rows),
            "contents_code": [contents_code] * len(rows),
            "region": [region for region, _ in rows],
            "year": [year for _, year in rows],
            "dims": ["Alder=000"] * len(rows),
            "value": [value + i for i in range(len(rows))],
            "status": [None] * len(rows),
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )


def ssb(table_id: str = "07459", **kwargs: object) -> VintageInfo:
    return VintageInfo(source="ssb", table_id=table_id, **kwargs)  # type: ignore[arg-type]


def test_load_and_read_back_keeps_codes_and_missing(tmp_db: Path) -> None:
    frame = extract(["0301", "0219"], [2020]).with_columns(
        pl.when(pl.col("region") == "0219").then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(pl.col("region") == "0219").then(pl.lit("..")).otherwise(None).alias("status"),
    )
    with Warehouse.open(tmp_db) as wh:
        vintage_id = wh.load(
            frame, ssb(title="Befolkning", updated="2025-02-20T07:00:00Z", preliminary=False)
        )
        stored = wh.observations()
        vintages = wh.vintages()
    assert vintage_id == 1
    assert stored.columns == [*OBSERVATION_COLUMNS, "vintage_id", "synthetic", "preliminary"]
    assert stored.schema["region"] == pl.Utf8
    assert stored.schema["year"] == pl.Int32
    baerum = stored.filter(pl.col("region") == "0219").row(0, named=True)
    assert baerum["value"] is None
    assert baerum["status"] == ".."
    oslo = stored.filter(pl.col("region") == "0301").row(0, named=True)
    assert oslo["value"] == 1.0
    assert oslo["synthetic"] is False
    assert oslo["preliminary"] is False
    record = vintages.row(0, named=True)
    assert record["source"] == "ssb"
    assert record["title"] == "Befolkning"
    assert record["updated"].isoformat() == "2025-02-20T07:00:00"
    assert record["n_rows"] == 2
    assert record["content_hash"] == content_hash(frame)


def test_identical_reload_returns_the_newest_vintage(tmp_db: Path) -> None:
    first = extract(["0301"], [2020, 2021])
    second = extract(["0301"], [2020, 2021], value=10)
    with Warehouse.open(tmp_db) as wh:
        a = wh.load(first, ssb())
        assert wh.load(first.reverse(), ssb()) == a  # row order does not matter
        b = wh.load(second, ssb())
        # `first` again after `second`: a new vintage, so "newest" means what was loaded last
        c = wh.load(first, ssb())
        assert len({a, b, c}) == 3
        # same numbers, now final: a new vintage records the change of status
        d = wh.load(first, ssb(preliminary=False))
        assert d not in {a, b, c}
        assert wh.vintages().height == 4
        assert wh.observations()["value"].to_list() == [1.0, 2.0]


def test_reimporting_files_of_several_periods_adds_nothing(tmp_db: Path) -> None:
    # Issue 13.5: two files of one table (one per year) imported twice, three times: still two
    # vintages, because a duplicate is looked for among every vintage, not only the newest.
    files = [extract(["0301", "0219"], [2020]), extract(["0301", "0219"], [2021], value=5)]
    with Warehouse.open(tmp_db) as wh:
        first = [wh.load(frame, ssb()) for frame in files]
        for _ in range(2):
            assert [wh.load(frame, ssb()) for frame in files] == first
        assert wh.load_many([(frame, ssb()) for frame in files]) == first
        assert wh.vintages().height == 2
        # the same numbers marked final are news, and so is a synthetic copy
        assert wh.load(files[0], ssb(preliminary=False)) not in first
        assert wh.load(files[0], VintageInfo(source="sample", table_id="07459")) not in first
        assert wh.vintages().height == 4


def test_newest_vintage_wins_cell_by_cell(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        old = wh.load(extract(["0301"], [2019, 2020], value=100), ssb())
        new = wh.load(extract(["0301"], [2020, 2021], value=200), ssb())
        rows = wh.observations().select("year", "value", "vintage_id").rows()
        assert rows == [(2019, 100.0, old), (2020, 200.0, new), (2021, 201.0, new)]
        only_old = wh.observations(vintage=old)
        assert only_old["year"].to_list() == [2019, 2020]
        assert only_old["value"].to_list() == [100.0, 101.0]


def test_real_data_always_beats_the_synthetic_sample(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        sample = wh.load(
            extract(["0301", "0219"], [2020, 2021]), VintageInfo(source="sample", table_id="07459")
        )
        assert not wh.has_real_data("07459")
        assert wh.observations()["synthetic"].all()
        real = wh.load(extract(["0301"], [2020], value=50), ssb())
        # a newer sample must not shadow the real data either
        wh.load(
            extract(["0301", "0219"], [2020, 2021], value=7),
            VintageInfo(source="sample", table_id="07459"),
        )
        rows = wh.observations()
        assert rows.height == 1
        assert rows.row(0, named=True)["vintage_id"] == real
        assert not rows["synthetic"].any()
        assert wh.has_real_data("07459")
        assert wh.observations(vintage=sample)["synthetic"].all()
        # a table with only sample data still reads its newest sample
        wh.load(
            extract(["0301"], [2020], table_id="12362", contents_code="KOSbelop0000"),
            VintageInfo(source="sample", table_id="12362"),
        )
        assert wh.observations(table_ids=["12362"])["synthetic"].to_list() == [True]


def test_filters(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        wh.load(extract(["0301", "0219", "3024"], [2019, 2020]), ssb())
        wh.load(
            extract(["0301"], [2020], table_id="12362", contents_code="KOSbelop0000"),
            ssb("12362"),
        )
        assert wh.observations(table_ids=["12362"]).height == 1
        assert wh.observations(regions=["0219", "3024"], years=[2020]).height == 2
        assert wh.observations(contents_codes=["Personer1"], regions=["0301"]).height == 2
        assert wh.observations(regions=[]).height == 0
        assert wh.observations(table_ids=["99999"]).is_empty()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop("status"), "not an observation frame"),
        (lambda f: pl.concat([f, f]), "share a cell"),
        (lambda f: f.with_columns(pl.lit("x").alias("status")), "unknown status"),
        (lambda f: f.with_columns(pl.lit("12362").alias("table_id")), "other tables"),
        (lambda f: f.with_columns(pl.lit(None, pl.Utf8).alias("region")), "without region"),
    ],
)
def test_invalid_extracts_store_nothing(tmp_db: Path, change: object, message: str) -> None:
    with Warehouse.open(tmp_db) as wh:
        wh.load(extract(["0301"], [2019]), ssb())
        with pytest.raises(SourceError, match=message):
            wh.load(change(extract(["0219"], [2020])), ssb())  # type: ignore[operator]
        assert wh.vintages().height == 1
        assert wh.observations().height == 1


def test_failure_inside_the_transaction_rolls_back(
    tmp_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Warehouse.open(tmp_db) as wh:
        wh.load(extract(["0301"], [2019]), ssb())
        original = Warehouse._insert_observations

        def insert_then_fail(self: Warehouse, rows: pl.DataFrame, vintage_id: int) -> None:
            original(self, rows, vintage_id)
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(Warehouse, "_insert_observations", insert_then_fail)
        with pytest.raises(RuntimeError):
            wh.load(extract(["0219"], [2020]), ssb())
        assert wh.vintages().height == 1
        assert wh.observations()["region"].to_list() == ["0301"]
    with Warehouse.open(tmp_db) as wh:
        assert wh.observations()["region"].to_list() == ["0301"]


def test_info_counts_tables_and_size(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        wh.load(extract(["0301", "0219"], [2019]), ssb(title="Befolkning"))
        wh.load(extract(["0301", "0219"], [2020]), ssb())
        wh.load(extract(["0301"], [2020], table_id="12362"), VintageInfo("sample", "12362"))
        info = wh.info()
    assert info.schema_version == SCHEMA_VERSION
    assert info.n_vintages == 3
    assert info.n_observations == 5
    assert info.file_size > 0
    tables = {row["table_id"]: row for row in info.tables.iter_rows(named=True)}
    assert tables["07459"]["vintages"] == 2
    assert tables["07459"]["observations"] == 4
    assert tables["07459"]["title"] == "Befolkning"
    assert tables["12362"]["real_vintages"] == 0


def test_read_only(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db, read_only=True) as wh:  # a missing file is created first
        assert wh.vintages().is_empty()
        with pytest.raises(KostraError, match="read-only"):
            wh.load(extract(["0301"], [2019]), ssb())
    with Warehouse.open(tmp_db) as wh:
        wh.load(extract(["0301"], [2019]), ssb())
    with (
        Warehouse.open(tmp_db, read_only=True) as first,
        Warehouse.open(tmp_db, read_only=True) as second,
    ):
        assert first.observations().height == second.observations().height == 1


def test_migration_from_version_1_keeps_data(tmp_db: Path) -> None:
    conn = duckdb.connect(str(tmp_db))
    assert migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO vintages VALUES (1, 'ssb', '07459', NULL, TIMESTAMP '2024-03-01 10:00:00',"
        " NULL, true, false, 'abc', 1)"
    )
    conn.execute(
        "INSERT INTO observations VALUES ('07459', 'Personer1', '0301', 2023, '', 709037, NULL, 1)"
    )
    conn.close()
    with Warehouse.open(tmp_db, read_only=True) as wh:  # migrates, then reads
        assert wh.info().schema_version == SCHEMA_VERSION == 3
        record = wh.vintages().row(0, named=True)
        assert record["title"] is None
        assert record["label"] is None
        assert record["preliminary"] is True
        assert wh.observations()["value"].to_list() == [709037.0]
    with Warehouse.open(tmp_db) as wh:
        assert wh.load(extract(["0301"], [2024]), ssb(label="after upgrade")) == 2
        versions = wh.conn.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
        assert versions == [(1,), (2,), (3,)]


def test_migration_3_sorts_rows_a_version_2_file_stored_in_load_order(tmp_db: Path) -> None:
    conn = duckdb.connect(str(tmp_db))
    assert migrate(conn, target=2) == 2
    conn.execute(
        "INSERT INTO vintages (vintage_id, source, table_id, fetched_at, synthetic, content_hash,"
        " n_rows) VALUES (1, 'ssb', '07459', TIMESTAMP '2024-03-01 10:00:00', false, 'abc', 3)"
    )
    for region, value in (("3201", 1), ("0301", 2), ("1103", 3)):  # not in key order
        conn.execute(
            "INSERT INTO observations VALUES ('07459', 'Personer1', ?, 2023, '', ?, NULL, 1)",
            [region, value],
        )
    conn.close()
    with Warehouse.open(tmp_db, read_only=True) as wh:
        assert wh.observations()["region"].to_list() == ["0301", "1103", "3201"]
        assert wh.observations(vintage=1)["value"].to_list() == [2.0, 3.0, 1.0]


def test_a_newer_schema_is_refused(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        wh.conn.execute("INSERT INTO schema_version VALUES (99, 'from the future', NULL)")
    with pytest.raises(KostraError, match="schema version 99"):
        Warehouse.open(tmp_db)
    with pytest.raises(KostraError, match="schema version 99"):
        Warehouse.open(tmp_db, read_only=True)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, not duckdb\n" * 100)
    with pytest.raises(KostraError, match=r"not a kostra warehouse|Cannot open"):
        Warehouse.open(path)


def test_bad_vintage_info(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as wh:
        with pytest.raises(SourceError, match="table id"):
            wh.load(extract(["0301"], [2019]), ssb("7459"))
        with pytest.raises(SourceError, match="source"):
            wh.load(extract(["0301"], [2019]), VintageInfo("web", "07459"))  # type: ignore[arg-type]
        with pytest.raises(KostraError, match="vintage"):
            wh.observations(vintage="oldest")  # type: ignore[arg-type]
        assert wh.vintages().is_empty()


def test_refused_extracts_are_said_in_each_language(tmp_db: Path) -> None:
    doubled = pl.concat([extract(["0301"], [2019])] * 2)
    with Warehouse.open(tmp_db) as wh, pytest.raises(SourceError) as refused:
        wh.load(doubled.with_columns(pl.lit(None, pl.Utf8).alias("region")), ssb())
    error = refused.value
    assert error.text("nb") == (
        "Uttrekket for tabell 07459 kan ikke lagres: 2 rader uten region; 2 rader deler en "
        "celle (samme innhold, region, år og variabler)."
    )
    assert error.text("nn") == (
        "Uttrekket for tabell 07459 kan ikkje lagrast: 2 rader utan region; 2 rader deler ei "
        "celle (same innhald, region, år og variablar)."
    )
    assert error.text("en").startswith("The extract for table 07459 cannot be stored: 2 rows")
    assert error.hint_text("nn") == "Ingenting vart skrive til lageret."
    with Warehouse.open(tmp_db) as wh, pytest.raises(KostraError) as unknown:
        wh.observations(vintage="oldest")  # type: ignore[arg-type]
    assert unknown.value.text("nn") == "Ukjend årgang 'oldest'."


def test_load_many_is_all_or_nothing(tmp_db: Path) -> None:
    good = extract(["0301"], [2019])
    with Warehouse.open(tmp_db) as wh:
        with pytest.raises(SourceError, match="share a cell"):
            wh.load_many([(good, ssb()), (pl.concat([good, good]), ssb())])
        assert wh.vintages().is_empty()
        ids = wh.load_many(
            [(good, ssb()), (extract(["0301"], [2020]), ssb()), (extract(["0301"], [2020]), ssb())]
        )
        assert ids == [1, 2, 2]
        assert wh.observations()["year"].to_list() == [2019, 2020]


def test_same_process_reader_and_writer(tmp_db: Path) -> None:
    with Warehouse.open(tmp_db) as writer:
        writer.load(extract(["0301"], [2019]), ssb())
        with Warehouse.open(tmp_db, read_only=True) as reader:
            assert reader.observations().height == 1
            with pytest.raises(KostraError, match="read-only"):
                reader.load(extract(["0301"], [2020]), ssb())
    with Warehouse.open(tmp_db, read_only=True), pytest.raises(DatabaseBusyError):
        Warehouse.open(tmp_db)


def _mixed(table_id: str, contents: str, n_regions: int, value: float, seed: int) -> pl.DataFrame:
    """An extract in scrambled row order (as files and answers come), many dims and years."""
    import numpy as np

    regions = [f"{i:04d}" for i in range(n_regions)]
    frame = pl.DataFrame(
        {
            "table_id": table_id,
            "contents_code": [contents, contents + "B"] * (n_regions * 6),
            "region": [r for r in regions for _ in range(12)],
            "year": [2015 + (i // 2) % 6 for i in range(n_regions * 12)],
            "dims": "",
            "status": None,
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    ).with_columns(
        pl.Series("value", value + np.arange(n_regions * 12, dtype=np.float64)),
        pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.lit("Alder=000"))
        .otherwise(pl.lit("Alder=001"))
        .alias("dims"),
    )
    return frame.unique(["contents_code", "region", "year", "dims"]).sample(
        fraction=1.0, shuffle=True, seed=seed
    )


def _reference(wh: Warehouse, **filters: object) -> pl.DataFrame:
    """The newest-vintage rule written out plainly in Polars over every stored row."""
    rows = wh.conn.sql(
        "SELECT o.*, v.synthetic, v.preliminary FROM observations o JOIN vintages v "
        "USING (vintage_id)"
    ).pl()
    real = rows.filter(~pl.col("synthetic")).get_column("table_id").unique()
    rows = rows.filter(~pl.col("synthetic") | ~pl.col("table_id").is_in(real.implode()))
    for column, wanted in filters.items():
        rows = rows.filter(pl.col(column).is_in(list(wanted)))  # type: ignore[call-overload]
    keys = ["table_id", "contents_code", "region", "year", "dims"]
    newest = rows.sort("vintage_id", descending=True).unique(keys, keep="first")
    return (
        newest.sort(keys)
        .select(
            *OBSERVATION_COLUMNS,
            pl.col("vintage_id").cast(pl.Int64),
            pl.col("synthetic").cast(pl.Boolean),
            pl.col("preliminary").cast(pl.Boolean),
        )
        .with_columns(pl.col("year").cast(pl.Int32))
    )


def test_one_and_several_vintage_tables_read_alike(tmp_db: Path) -> None:
    # Issue 12.4: a table with one eligible vintage is read without the window and the sort;
    # the result must equal the plain newest-vintage rule for every mix of tables, loaded out of
    # table order, with more rows than one DuckDB row group (so scans run in parallel).
    with Warehouse.open(tmp_db) as wh:
        wh.load(_mixed("12362", "KOSbelop", 12_000, 0, seed=1), ssb("12362", preliminary=True))
        wh.load(_mixed("07459", "Personer", 600, 10, seed=2), ssb())
        wh.load(_mixed("07459", "Personer", 300, 99, seed=3), ssb())  # half of the cells anew
        wh.load(
            _mixed("11211", "KOSandel", 50, 5, seed=4),
            VintageInfo(source="sample", table_id="11211"),
        )
        wh.load(_mixed("04000", "Areal", 100, 1, seed=5), VintageInfo("sample", "04000"))
        wh.load(_mixed("04000", "Areal", 40, 7, seed=6), ssb("04000"))  # real beats the sample
        got = wh.observations()
        assert got.height > 150_000
        assert got.equals(_reference(wh))
        assert got.filter(pl.col("table_id") == "12362")["preliminary"].all()
        assert not got.filter(pl.col("table_id") == "04000")["synthetic"].any()
        assert got.filter(pl.col("table_id") == "11211")["synthetic"].all()
        filtered = wh.observations(
            table_ids=["12362", "07459", "04000"], regions=["0003", "0450"], years=[2016, 2019]
        )
        expected = _reference(
            wh,
            table_id=["12362", "07459", "04000"],
            region=["0003", "0450"],
            year=[2016, 2019],
        )
        assert filtered.equals(expected)
        assert wh.observations(table_ids=["99999"]).is_empty()
        assert wh.observations(table_ids=[]).columns == got.columns
        one = wh.observations(vintage=1)
        assert one.equals(one.sort(["contents_code", "region", "year", "dims"]))
        assert one.height == 144_000
