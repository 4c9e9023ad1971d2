"""The local warehouse: one embedded DuckDB file holding every extract kostra has loaded.

Two tables hold the data (plus ``schema_version``, the record of applied migrations)::

    vintages       one row per loaded extract: vintage_id, source ('ssb' | 'file' | 'sample'),
                   table_id, title, updated (SSB's stamp, UTC), fetched_at (UTC), query (JSON),
                   preliminary (bool or null), synthetic, content_hash, n_rows, label
    observations   the long observation frame of :mod:`kostra.frames` plus vintage_id

Rules this module keeps:

* **Every vintage is kept.** A new extract never overwrites an older one; reads choose.
* **A load is one transaction.** Rows and the vintage record are committed together or not at
  all, so a failure (or a killed process) leaves the file exactly as it was.
* **Identical re-loads are not duplicated.** Loading an extract whose content hash, ``synthetic``
  and ``preliminary`` flags equal those of *any* stored vintage of the same table returns that
  vintage's id and stores nothing, so importing the same files again (one per period, say) adds
  nothing. The one exception keeps "newest" truthful: when a later vintage of the table holds
  any of the identical vintage's cells (it superseded them), the extract is stored anew.
* **Reads default to the newest data.** ``observations(vintage="newest")`` takes, cell by cell
  (``table_id, contents_code, region, year, dims``), the value from the newest vintage (highest
  ``vintage_id``, i.e. the most recent load) that holds that cell. When every vintage covers the
  same cells this is simply the newest vintage per table; when extracts cover different years
  (one statbank file per period, say) they complement each other instead of hiding each other.
* **Real data beats the sample.** When a table has any real (``synthetic = false``) vintage, its
  synthetic sample vintages are ignored entirely by default reads; real and invented numbers
  are never mixed within a table.
* **Rows are stored in key order.** Each vintage's observations are inserted sorted by
  ``table_id, contents_code, region, year, dims`` (older files are rewritten so by migration 3),
  and DuckDB keeps insertion order in scans. A table with one eligible vintage is therefore read
  with a plain filtered scan, with neither the per-cell window nor a sort; only tables with
  several eligible vintages pay for choosing the newest vintage cell by cell.
* **One writer.** DuckDB lets one process open the file for writing. Another process that tries
  to open it meanwhile gets :class:`kostra.errors.DatabaseBusyError`; several read-only
  processes may read at once.
* **The schema is versioned.** ``MIGRATIONS`` lists every step; opening a file applies the
  missing ones, each in its own transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Self

import duckdb
import polars as pl

from kostra.errors import (
    DatabaseBusyError,
    KostraError,
    SourceError,
    WarehouseUnreadableError,
)
from kostra.frames import OBSERVATION_COLUMNS, STATUS_SYMBOLS, conform_observations
from kostra.i18n.said import Said, same, say, say_plural

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "VINTAGE_COLUMNS",
    "Migration",
    "VintageInfo",
    "Warehouse",
    "WarehouseInfo",
    "content_hash",
    "migrate",
]

Source = Literal["ssb", "file", "sample"]
_SOURCES: frozenset[str] = frozenset({"ssb", "file", "sample"})
_TABLE_ID = re.compile(r"^[0-9A-Za-z]{5}$")
_KEY_COLUMNS = ["table_id", "contents_code", "region", "year", "dims"]

VINTAGE_COLUMNS: tuple[str, ...] = (
    "vintage_id",
    "source",
    "table_id",
    "title",
    "updated",
    "fetched_at",
    "query",
    "preliminary",
    "synthetic",
    "content_hash",
    "n_rows",
    "label",
)


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` runs inside a transaction on a writable connection."""

    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _create_v1(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        """
        CREATE TABLE vintages (
            vintage_id   BIGINT PRIMARY KEY,
            source       VARCHAR NOT NULL,
            table_id     VARCHAR NOT NULL,
            updated      TIMESTAMP,
            fetched_at   TIMESTAMP NOT NULL,
            query        VARCHAR,
            preliminary  BOOLEAN,
            synthetic    BOOLEAN NOT NULL,
            content_hash VARCHAR NOT NULL,
            n_rows       BIGINT NOT NULL
        )
        """
    )
    _create_observations(conn)


def _create_observations(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        """
        CREATE TABLE observations (
            table_id      VARCHAR NOT NULL,
            contents_code VARCHAR NOT NULL,
            region        VARCHAR NOT NULL,
            year          INTEGER NOT NULL,
            dims          VARCHAR NOT NULL,
            value         DOUBLE,
            status        VARCHAR,
            vintage_id    BIGINT NOT NULL
        )
        """
    )


def _add_titles_v2(conn: duckdb.DuckDBPyConnection) -> None:
    # Version 1 identified a vintage only by table and time; people asked which extract was which.
    conn.execute("ALTER TABLE vintages ADD COLUMN title VARCHAR")
    conn.execute("ALTER TABLE vintages ADD COLUMN label VARCHAR")


def _sort_observations_v3(conn: duckdb.DuckDBPyConnection) -> None:
    # Reads of a one-vintage table rely on the rows lying in key order within each vintage
    # (they skip the sort); files written before version 3 hold them in load order.
    conn.execute("CREATE TABLE observations_sorted AS FROM observations LIMIT 0")
    conn.execute(
        "INSERT INTO observations_sorted SELECT * FROM observations "
        f"ORDER BY vintage_id, {', '.join(_KEY_COLUMNS)}"
    )
    conn.execute("DROP TABLE observations")
    _create_observations(conn)
    conn.execute("INSERT INTO observations SELECT * FROM observations_sorted")
    conn.execute("DROP TABLE observations_sorted")


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "vintages and observations", _create_v1),
    Migration(2, "vintage title and label", _add_titles_v2),
    Migration(3, "observations stored in key order per vintage", _sort_observations_v3),
)
SCHEMA_VERSION: int = MIGRATIONS[-1].version


def _utc_naive(value: datetime | str | None) -> datetime | None:
    """A timestamp as naive UTC (what the database stores); ISO strings such as SSB's accepted."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text)
        except ValueError as error:
            raise SourceError(say("error.warehouse.timestamp", value=repr(value))) from error
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


@dataclass(frozen=True)
class VintageInfo:
    """What is known about an extract besides its rows.

    ``synthetic`` defaults to true exactly for ``source="sample"``. ``updated`` is SSB's own stamp
    (the table's last update), ``fetched_at`` when kostra got it (default: now). Timestamps may be
    aware datetimes or ISO 8601 strings; they are stored as UTC.
    """

    source: Source
    table_id: str
    title: str | None = None
    updated: datetime | str | None = None
    fetched_at: datetime | str | None = None
    query: Mapping[str, Any] | None = None
    preliminary: bool | None = None
    synthetic: bool | None = None
    label: str | None = None

    def record(self) -> dict[str, Any]:
        """The vintage row's fields (without id, hash and row count), validated and normalised."""
        if self.source not in _SOURCES:
            raise SourceError(
                say("error.warehouse.vintage_source", source=repr(self.source)),
                hint=say("error.warehouse.vintage_source.hint"),
            )
        if not _TABLE_ID.match(self.table_id):
            raise SourceError(
                say("error.warehouse.table_id", table=repr(self.table_id)),
                hint=say("error.warehouse.table_id.hint"),
            )
        fetched = _utc_naive(self.fetched_at) or datetime.now(UTC).replace(tzinfo=None)
        return {
            "source": self.source,
            "table_id": self.table_id,
            "title": self.title,
            "updated": _utc_naive(self.updated),
            "fetched_at": fetched,
            "query": None if self.query is None else json.dumps(self.query, sort_keys=True),
            "preliminary": self.preliminary,
            "synthetic": self.source == "sample" if self.synthetic is None else self.synthetic,
            "label": self.label,
        }


@dataclass(frozen=True)
class WarehouseInfo:
    """Sizes and counts of a warehouse file."""

    path: Path
    file_size: int
    schema_version: int
    n_vintages: int
    n_observations: int
    tables: pl.DataFrame = field(repr=False)
    """Per table: title, vintages, real_vintages, observations, newest_vintage, last_fetched."""


def content_hash(frame: pl.DataFrame) -> str:
    """SHA-256 of an extract's cells, independent of row order.

    The frame is conformed and sorted by its key, then hashed as CSV text: stable across runs and
    machines for the same cells, values and status symbols.
    """
    ordered = conform_observations(frame).sort(_KEY_COLUMNS, nulls_last=True)
    digest = hashlib.sha256()
    digest.update(ordered.write_csv(null_value="\\N", float_precision=None).encode("utf-8"))
    return digest.hexdigest()


def _validated(frame: pl.DataFrame, table_id: str) -> pl.DataFrame:
    """The frame conformed to the observation schema, or a SourceError saying what is wrong."""
    try:
        rows = conform_observations(frame)
    except (ValueError, pl.exceptions.PolarsError) as error:
        raise SourceError(
            say("error.warehouse.not_observations", table=table_id, error=str(error)),
            hint=say("error.warehouse.not_observations.hint"),
        ) from error
    rows = rows.with_columns(pl.col("dims").fill_null(""))
    problems: list[Said] = []
    for name in ("table_id", "contents_code", "region", "year"):
        nulls = rows.get_column(name).null_count()
        if nulls:
            problems.append(
                say_plural("error.warehouse.rows_without", nulls, same(str(nulls)), column=name)
            )
    others = rows.filter(pl.col("table_id") != table_id).get_column("table_id").unique()
    if others.len():
        tables = str(sorted(others.to_list())[:5])
        problems.append(say("error.warehouse.other_tables", tables=tables))
    bad_status = (
        rows.filter(pl.col("status").is_not_null() & ~pl.col("status").is_in(STATUS_SYMBOLS))
        .get_column("status")
        .unique()
    )
    if bad_status.len():
        symbols = str(sorted(bad_status.to_list())[:5])
        problems.append(say("error.warehouse.status_symbols", symbols=symbols))
    duplicates = int(rows.select(_KEY_COLUMNS).is_duplicated().sum())
    if duplicates:
        problems.append(
            say_plural("error.warehouse.shared_cells", duplicates, same(str(duplicates)))
        )
    if problems:
        raise SourceError(
            say(
                "error.warehouse.cannot_store",
                table=table_id,
                problems=Said.each(lambda lang: "; ".join(p[lang] for p in problems)),
            ),
            hint=say("error.warehouse.nothing_written"),
        )
    return rows


def _busy(path: Path, error: duckdb.Error, *, writing: bool) -> DatabaseBusyError:
    holder = re.search(r"PID (\d+)", str(error))
    who = f" (PID {holder.group(1)})" if holder else ""
    key = "error.warehouse.busy_using" if writing else "error.warehouse.busy_writing"
    return DatabaseBusyError(
        say(key, who=who, path=str(path)), hint=say("error.warehouse.busy.hint")
    )


def _is_lock_error(error: duckdb.Error) -> bool:
    return "lock" in str(error).lower()


class Warehouse:
    """An open warehouse file, best used as a context manager.

    Example::

        with Warehouse.open(settings.db) as wh:
            vintage_id = wh.load(frame, VintageInfo(source="ssb", table_id="07459"))
            newest = wh.observations(table_ids=["07459"], years=[2024])
    """

    def __init__(self, path: Path, conn: duckdb.DuckDBPyConnection, *, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self._conn: duckdb.DuckDBPyConnection | None = conn

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, read_only: bool = False, *, wait: float = 0.0) -> Self:
        """Open (creating and migrating as needed) the warehouse at ``path``.

        ``read_only=True`` lets several processes read at once; the file is still created or
        migrated first if it has to be (briefly opening it for writing). When another process
        holds a conflicting lock, retry for up to ``wait`` seconds, then raise
        :class:`~kostra.errors.DatabaseBusyError`.
        """
        path = Path(path).expanduser()
        deadline = time.monotonic() + wait
        while True:
            try:
                return cls._open_once(path, read_only)
            except DatabaseBusyError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)

    @classmethod
    def _open_once(cls, path: Path, read_only: bool) -> Self:
        if read_only:
            if not path.exists():
                cls._open_once(path, read_only=False).close()
            conn = cls._connect(path, read_only=True)
            version = _schema_version(conn)
            if version == SCHEMA_VERSION:
                return cls(path, conn, read_only=True)
            conn.close()
            if version > SCHEMA_VERSION:
                raise _too_new(path, version)
            cls._open_once(path, read_only=False).close()
            return cls(path, cls._connect(path, read_only=True), read_only=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = cls._connect(path, read_only=False)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, read_only=False)

    @staticmethod
    def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as error:
            if _is_lock_error(error):
                raise _busy(path, error, writing=not read_only) from None
            raise WarehouseUnreadableError(
                say("error.warehouse.cannot_open", path=str(path), error=str(error)),
                hint=say("error.warehouse.cannot_open.hint"),
            ) from error
        except duckdb.ConnectionException as error:
            if "different configuration" not in str(error):
                raise WarehouseUnreadableError(
                    say("error.warehouse.cannot_open", path=str(path), error=str(error))
                ) from error
            # This process already has the file open the other way. A reader may share the
            # writer's instance (loads stay blocked by Warehouse.read_only); a writer cannot
            # upgrade a read-only instance.
            if read_only:
                return duckdb.connect(str(path), read_only=False)
            raise DatabaseBusyError(
                say("error.warehouse.busy_read_only", path=str(path)),
                hint=say("error.warehouse.busy_read_only.hint"),
            ) from None
        except duckdb.Error as error:
            raise WarehouseUnreadableError(
                say("error.warehouse.not_a_warehouse", path=str(path), error=str(error)),
                hint=say("error.warehouse.not_a_warehouse.hint"),
            ) from error

    def close(self) -> None:
        """Close the file; the object cannot be used afterwards."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def conn(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (for this module and its tests; others use the methods)."""
        if self._conn is None:
            raise KostraError(say("error.warehouse.closed"))
        return self._conn

    # -- writing -----------------------------------------------------------------------------

    def load(self, frame: pl.DataFrame, info: VintageInfo) -> int:
        """Store ``frame`` (one table's extract) as one vintage and return its id.

        Validation happens before anything is written; the vintage row and all observations are
        inserted in one transaction (bulk, through Arrow). If a stored vintage of the table has
        the same content hash and flags and no later vintage superseded any of its cells, its id
        is returned and nothing is stored.
        """
        return self.load_many([(frame, info)])[0]

    def load_many(self, extracts: Sequence[tuple[pl.DataFrame, VintageInfo]]) -> list[int]:
        """Store several extracts, one vintage each, in a single transaction: all or nothing.

        Returns the vintage ids in order; the rules of :meth:`load` apply to each extract in turn
        (an extract identical to one stored earlier in the same call returns that id).
        """
        if self.read_only:
            raise KostraError(say("error.warehouse.read_only"))
        prepared = []
        for frame, info in extracts:
            record = info.record()
            rows = _validated(frame, info.table_id)
            record["content_hash"] = content_hash(rows)
            record["n_rows"] = rows.height
            prepared.append((record, rows))
        conn = self.conn
        ids: list[int] = []
        conn.execute("BEGIN TRANSACTION")
        try:
            for record, rows in prepared:
                existing = self._same_as_stored(record)
                if existing is not None:
                    ids.append(existing)
                    continue
                (vintage_id,) = _one(
                    conn.execute("SELECT coalesce(max(vintage_id), 0) + 1 FROM vintages")
                )
                record["vintage_id"] = int(vintage_id)
                self._insert_vintage(record)
                self._insert_observations(rows, int(vintage_id))
                ids.append(int(vintage_id))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return ids

    def _same_as_stored(self, record: Mapping[str, Any]) -> int | None:
        """The newest vintage of the table with the same content and flags that no later
        vintage (of the same kind, real or synthetic) has superseded in any cell; else None."""
        found = _first(
            self.conn.execute(
                """
            SELECT v.vintage_id FROM vintages v
            WHERE v.table_id = ? AND v.synthetic = ? AND v.content_hash = ?
              AND v.preliminary IS NOT DISTINCT FROM ?
              AND NOT EXISTS (
                SELECT 1 FROM observations o JOIN observations n
                  USING (table_id, contents_code, region, year, dims)
                JOIN vintages nv ON nv.vintage_id = n.vintage_id
                WHERE o.vintage_id = v.vintage_id AND n.vintage_id > v.vintage_id
                  AND nv.synthetic = v.synthetic)
            ORDER BY v.vintage_id DESC LIMIT 1
            """,
                [
                    record["table_id"],
                    record["synthetic"],
                    record["content_hash"],
                    record["preliminary"],
                ],
            )
        )
        return None if found is None else int(found[0])

    def _insert_vintage(self, record: Mapping[str, Any]) -> None:
        columns = [name for name in VINTAGE_COLUMNS if name in record]
        self.conn.execute(
            f"INSERT INTO vintages ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [record[name] for name in columns],
        )

    def _insert_observations(self, rows: pl.DataFrame, vintage_id: int) -> None:
        incoming = rows.to_arrow()
        self.conn.register("_kostra_incoming", incoming)
        try:
            self.conn.execute(
                f"INSERT INTO observations ({', '.join(OBSERVATION_COLUMNS)}, vintage_id) "
                f"SELECT {', '.join(OBSERVATION_COLUMNS)}, ? FROM _kostra_incoming "
                f"ORDER BY {', '.join(_KEY_COLUMNS)}",
                [vintage_id],
            )
        finally:
            self.conn.unregister("_kostra_incoming")

    # -- reading -----------------------------------------------------------------------------

    def observations(
        self,
        table_ids: Sequence[str] | None = None,
        contents_codes: Sequence[str] | None = None,
        regions: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        vintage: Literal["newest"] | int = "newest",
    ) -> pl.DataFrame:
        """Stored observations: observation columns plus vintage_id, synthetic, preliminary.

        ``vintage="newest"`` (default) takes each cell from the newest vintage holding it, and
        ignores a table's synthetic vintages when it has any real one (see the module docstring).
        An integer ``vintage`` returns exactly that vintage's rows. ``None`` filters mean "all".
        Rows are sorted by table, contents, region, year and dims.
        """
        # list_contains, not IN (SELECT unnest(...)): a semi-join may reorder the scan, and the
        # one-vintage reads below rely on the rows coming in the order they are stored.
        conditions: list[str] = []
        params: list[Any] = []
        for column, wanted in (
            ("contents_code", contents_codes),
            ("region", regions),
        ):
            if wanted is not None:
                conditions.append(f"list_contains(?::VARCHAR[], o.{column})")
                params.append([str(item) for item in wanted])
        if years is not None:
            conditions.append("list_contains(?::INTEGER[], o.year)")
            params.append([int(item) for item in years])
        if isinstance(vintage, int) and not isinstance(vintage, bool):
            chosen = _first(
                self.conn.execute(
                    "SELECT table_id, synthetic, preliminary FROM vintages WHERE vintage_id = ?",
                    [vintage],
                )
            )
            if chosen is None or (table_ids is not None and chosen[0] not in set(table_ids)):
                return self._single_vintages({}, conditions, params)
            return self._single_vintages({vintage: (chosen[1], chosen[2])}, conditions, params)
        if vintage != "newest":
            raise KostraError(
                say("error.warehouse.unknown_vintage", vintage=repr(vintage)),
                hint=say("error.warehouse.unknown_vintage.hint"),
            )
        eligible = self._eligible(table_ids)
        single = {ids[0]: flags[0] for ids, flags in eligible.values() if len(ids) == 1}
        several = sorted(table for table, (ids, _) in eligible.items() if len(ids) > 1)
        frames = [self._single_vintages(single, conditions, params)]
        if several:
            frames.append(self._newest_cells(several, conditions, params))
        if len(frames) == 1 and _in_table_order(frames[0]):
            return frames[0]
        blocks = [block for frame in frames for block in _table_blocks(frame)]
        blocks.sort(key=lambda block: str(block[0, "table_id"]))
        return pl.concat(blocks) if blocks else frames[0]

    def _eligible(
        self, table_ids: Sequence[str] | None
    ) -> dict[str, tuple[list[int], list[tuple[bool, bool | None]]]]:
        """Per table, the vintages default reads may take cells from (oldest first) and their
        (synthetic, preliminary) flags: the real ones when there are any, else the samples."""
        where, params = "", []
        if table_ids is not None:
            where, params = "WHERE list_contains(?::VARCHAR[], table_id)", [list(table_ids)]
        rows = self.conn.execute(
            f"SELECT table_id, vintage_id, synthetic, preliminary FROM vintages {where} "
            "ORDER BY table_id, vintage_id",
            params,
        ).fetchall()
        real = {table for table, _, synthetic, _ in rows if not synthetic}
        out: dict[str, tuple[list[int], list[tuple[bool, bool | None]]]] = {}
        for table, vintage_id, synthetic, preliminary in rows:
            if synthetic and table in real:
                continue
            ids, flags = out.setdefault(table, ([], []))
            ids.append(int(vintage_id))
            flags.append((bool(synthetic), preliminary))
        return {table: (ids, flags) for table, (ids, flags) in out.items()}

    def _single_vintages(
        self,
        chosen: Mapping[int, tuple[bool, bool | None]],
        conditions: Sequence[str],
        params: Sequence[Any],
    ) -> pl.DataFrame:
        """Every row of the ``chosen`` vintages (id to its flags) that passes the filters, in
        storage order (key order within each vintage, vintages in id order): no sort, no window."""
        ids = sorted(int(vintage_id) for vintage_id in chosen)
        wanted = f"o.vintage_id IN ({', '.join(map(str, ids))})" if ids else "false"
        where = " AND ".join([wanted, *conditions])
        columns = ", ".join(f"o.{name}" for name in OBSERVATION_COLUMNS)
        frame = _frame(
            self.conn, f"SELECT {columns}, o.vintage_id FROM observations o WHERE {where}", params
        ).with_columns(pl.col("vintage_id").cast(pl.Int64))
        synthetic = {int(k): bool(v[0]) for k, v in chosen.items()}
        preliminary = {int(k): v[1] for k, v in chosen.items()}
        return _typed(
            frame.with_columns(
                pl.col("vintage_id")
                .replace_strict(synthetic, default=None, return_dtype=pl.Boolean)
                .alias("synthetic"),
                pl.col("vintage_id")
                .replace_strict(preliminary, default=None, return_dtype=pl.Boolean)
                .alias("preliminary"),
            )
        )

    def _newest_cells(
        self, table_ids: Sequence[str], conditions: Sequence[str], params: Sequence[Any]
    ) -> pl.DataFrame:
        """The rows of tables with several eligible vintages: each cell from the newest vintage
        that holds it (a window over the cells), sorted by key."""
        eligible = """
            SELECT * FROM vintages v
            WHERE list_contains(?::VARCHAR[], v.table_id) AND (NOT v.synthetic OR NOT EXISTS (
                SELECT 1 FROM vintages r WHERE r.table_id = v.table_id AND NOT r.synthetic))
        """
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        columns = ", ".join(f"o.{name}" for name in OBSERVATION_COLUMNS)
        sql = f"""
            WITH eligible AS ({eligible})
            SELECT {columns}, o.vintage_id, e.synthetic, e.preliminary
            FROM observations o JOIN eligible e USING (vintage_id)
            {where}
            QUALIFY row_number() OVER (PARTITION BY o.table_id, o.contents_code, o.region,
                o.year, o.dims ORDER BY o.vintage_id DESC) = 1
            ORDER BY o.table_id, o.contents_code, o.region, o.year, o.dims
        """
        return _typed(_frame(self.conn, sql, [list(table_ids), *params]))

    def vintages(self, table_id: str | None = None) -> pl.DataFrame:
        """Every vintage record (optionally of one table), oldest first."""
        where, params = ("WHERE table_id = ?", [table_id]) if table_id else ("", [])
        sql = f"SELECT {', '.join(VINTAGE_COLUMNS)} FROM vintages {where} ORDER BY vintage_id"
        result = _frame(self.conn, sql, params)
        return result.with_columns(
            pl.col("vintage_id").cast(pl.Int64),
            pl.col("n_rows").cast(pl.Int64),
            pl.col("preliminary").cast(pl.Boolean),
            pl.col("synthetic").cast(pl.Boolean),
        )

    def years(
        self, table_ids: Sequence[str] | None = None, *, real_only: bool = False
    ) -> list[int]:
        """The years with stored observations (of ``table_ids``, default all), oldest first;
        ``real_only``: only those of SSB's own (non-synthetic) vintages."""
        conditions, params = [], []
        if table_ids is not None:
            conditions.append("table_id IN (SELECT unnest(?::VARCHAR[]))")
            params = [[str(item) for item in table_ids]]
        if real_only:
            conditions.append("vintage_id IN (SELECT vintage_id FROM vintages WHERE NOT synthetic)")
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        rows = self.conn.execute(
            f"SELECT DISTINCT year FROM observations {where} ORDER BY year", params
        ).fetchall()
        return [int(row[0]) for row in rows]

    def has_real_data(self, table_id: str) -> bool:
        """Whether any non-synthetic vintage of ``table_id`` is stored."""
        found = _first(
            self.conn.execute(
                "SELECT count(*) FROM vintages WHERE table_id = ? AND NOT synthetic", [table_id]
            )
        )
        return bool(found and found[0])

    def info(self) -> WarehouseInfo:
        """File size, schema version, and per-table counts of vintages and observations."""
        tables = _frame(
            self.conn,
            """
            WITH counts AS (
                SELECT vintage_id, count(*) AS n FROM observations GROUP BY vintage_id
            )
            SELECT v.table_id,
                   arg_max(v.title, v.vintage_id) FILTER (WHERE v.title IS NOT NULL) AS title,
                   count(*) AS vintages,
                   count(*) FILTER (WHERE NOT v.synthetic) AS real_vintages,
                   coalesce(sum(c.n), 0) AS observations,
                   max(v.vintage_id) AS newest_vintage,
                   max(v.fetched_at) AS last_fetched
            FROM vintages v LEFT JOIN counts c USING (vintage_id)
            GROUP BY v.table_id ORDER BY v.table_id
            """,
        )
        tables = tables.with_columns(
            pl.col("vintages").cast(pl.Int64),
            pl.col("real_vintages").cast(pl.Int64),
            pl.col("observations").cast(pl.Int64),
            pl.col("newest_vintage").cast(pl.Int64),
        )
        (n_vintages,) = _one(self.conn.execute("SELECT count(*) FROM vintages"))
        (n_observations,) = _one(self.conn.execute("SELECT count(*) FROM observations"))
        size = self.path.stat().st_size if self.path.exists() else 0
        wal = self.path.with_name(self.path.name + ".wal")
        if wal.exists():
            size += wal.stat().st_size
        return WarehouseInfo(
            path=self.path,
            file_size=size,
            schema_version=_schema_version(self.conn),
            n_vintages=int(n_vintages),
            n_observations=int(n_observations),
            tables=tables,
        )


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("year").cast(pl.Int32),
        pl.col("vintage_id").cast(pl.Int64),
        pl.col("synthetic").cast(pl.Boolean),
        pl.col("preliminary").cast(pl.Boolean),
    )


def _table_blocks(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """The frame cut (zero-copy) where ``table_id`` changes: each table's rows lie together."""
    runs = frame.get_column("table_id").rle()
    blocks, offset = [], 0
    for length in runs.struct.field("len").to_list():
        blocks.append(frame.slice(offset, length))
        offset += length
    return blocks


def _in_table_order(frame: pl.DataFrame) -> bool:
    """Whether the tables' blocks already come in table order (vintages loaded in that order)."""
    tables = frame.get_column("table_id").rle().struct.field("value")
    return bool(tables.is_sorted()) and tables.n_unique() == tables.len()


def _frame(conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run a reading query and return its rows as a Polars frame (through Arrow, no row loop)."""
    relation = conn.sql(sql, params=list(params))
    assert relation is not None
    frame = pl.from_arrow(relation.to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _one(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    # fetchall, not fetchone: DuckDB keeps a half-read result open and refuses the next query
    rows = result.fetchall()
    assert len(rows) == 1
    return tuple(rows[0])


def _first(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    rows = result.fetchall()
    return tuple(rows[0]) if rows else None


def _too_new(path: Path, version: int) -> KostraError:
    return KostraError(
        say("error.warehouse.too_new", path=str(path), version=version, known=SCHEMA_VERSION),
        hint=say("error.warehouse.too_new.hint"),
    )


def _schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The highest applied migration, 0 for an empty file."""
    exists = _first(
        conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        )
    )
    if not exists or not exists[0]:
        return 0
    found = _first(conn.execute("SELECT coalesce(max(version), 0) FROM schema_version"))
    return int(found[0]) if found else 0


def migrate(conn: duckdb.DuckDBPyConnection, *, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations between the file's version and ``target``; return the new version.

    Each step runs in its own transaction together with its ``schema_version`` row, so a failed
    step leaves the file at the previous version.
    """
    current = _schema_version(conn)
    if current > SCHEMA_VERSION:
        raise _too_new(Path(conn.execute("PRAGMA database_list").fetchall()[0][2]), current)
    for step in MIGRATIONS:
        if step.version <= current or step.version > target:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
            )
            step.apply(conn)
            conn.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [step.version, step.description, datetime.now(UTC).replace(tzinfo=None)],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = step.version
    return current
