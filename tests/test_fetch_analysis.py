"""The analysis on what a fetch stores: SSB's full grid from the local PxWebApi into a warehouse.

The local server answers every region code of the sample's lifetime in every year, with "."
where a code did not exist, as SSB does (issue #10.4). A fetch stores those cells as delivered;
profile, costs and the barometer then run on the warehouse and give the same figures as on the
packaged sample itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kostra import api
from kostra.analysis.barometer import rank_municipalities
from kostra.catalog import load_catalog
from kostra.cli import main
from kostra.geography.grid import not_valid_pairs
from kostra.sample import sample_observations
from kostra.testing.pxweb_server import PxWebState, ServerOptions, sample_tables, serve
from kostra.warehouse import Warehouse

YEAR = 2024


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A warehouse filled by `kostra fetch` of every catalog table, 2023–2024, from the server."""
    root = tmp_path_factory.mktemp("fetched")
    db = root / "kostra.duckdb"
    tables = api.catalog_tables(load_catalog())
    state = PxWebState(sample_tables(tables), ServerOptions(max_calls=100_000, time_window=60))
    patch = pytest.MonkeyPatch()
    patch.setenv("KOSTRA_CACHE_DIR", str(root / "cache"))
    try:
        with serve([], state=state) as url:
            argv = ["--db", str(db), "fetch", "--tables", ",".join(tables)]
            argv += ["--years", f"{YEAR - 1}-{YEAR}", "--base-url", url, "--no-progress"]
            code = 0
            try:
                main(argv)
            except SystemExit as exit_:
                code = int(exit_.code or 0)
            assert code == 0
        yield db
    finally:
        patch.undo()


def test_the_fetch_stores_ssbs_full_grid(fetched: Path) -> None:
    with Warehouse.open(fetched, read_only=True) as warehouse:
        stored = warehouse.observations(table_ids=["13502"], years=[YEAR - 1, YEAR])
    # Asker 0220 and Bærum 3024 are listed in 2024 too, with "." and no number
    gone = stored.filter(pl.col("region").is_in(["0220", "3024"]), pl.col("year") == YEAR)
    assert gone.height > 0
    assert gone["value"].null_count() == gone.height
    assert set(gone["status"].to_list()) == {"."}
    placeholders = stored.join(not_valid_pairs(), on=["region", "year"], how="semi")
    assert placeholders.height > stored.height // 3
    expected = sample_observations(["13502"]).filter(pl.col("year").is_in([YEAR - 1, YEAR]))
    assert stored.height == expected.height


def _figures(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's figures without the provenance columns that tell warehouse from sample."""
    keep = [c for c in frame.columns if c not in ("synthetic", "source", "datagrunnlag")]
    frame = frame.select(keep)
    return frame.sort([c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Int32)])


def test_profile_costs_and_barometer_on_the_fetched_warehouse(fetched: Path) -> None:
    catalog = load_catalog()
    stored = api.load_data([YEAR - 1, YEAR], db=fetched, catalog=catalog)
    assert stored.source == "warehouse"
    assert not stored.synthetic  # fetched vintages are stored as SSB's
    sample = api.AnalysisData.from_frames(
        sample_observations(api.catalog_tables(catalog)).filter(
            pl.col("year").is_in([YEAR - 1, YEAR])
        ),
        stored.population,
        synthetic=True,
    )
    for borders in (YEAR, 2020):
        a = api.profile("Bærum", YEAR, n_years=1, borders=borders, db=fetched)
        b = api.profile("Bærum", YEAR, n_years=1, borders=borders, data=sample)
        assert a.source == "warehouse"
        assert a.frames["table"]["value"].drop_nulls().len() > 0
        assert_frame_equal(_figures(a.frames["table"]), _figures(b.frames["table"]))
    costs = api.costs("Bærum", YEAR, db=fetched)
    assert costs.frames["costs"]["net_opex_per_capita"].drop_nulls().len() > 0
    assert_frame_equal(
        _figures(costs.frames["costs"]),
        _figures(api.costs("Bærum", YEAR, data=sample).frames["costs"]),
    )
    ranked = [
        rank_municipalities(api.evaluated(d, catalog, [YEAR]), catalog, years=[YEAR])
        for d in (stored, sample)
    ]
    assert ranked[0].total.height == 357
    assert ranked[0].total["rank"].drop_nulls().len() > 300
    assert_frame_equal(_figures(ranked[0].total), _figures(ranked[1].total))
