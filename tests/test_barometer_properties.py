"""Invariants of the barometer ranking, on random data (hypothesis)."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from kostra.analysis.barometer import (
    TOTAL,
    BarometerConfig,
    BarometerItem,
    ScoringParams,
    SectorInfo,
    rank_municipalities,
)
from kostra.catalog.models import BarometerSector

GS = BarometerSector.GRUNNSKOLE
BH = BarometerSector.BARNEHAGE
CONFIG = BarometerConfig(
    sectors=(SectorInfo(GS, 0.6, "Grunnskole", "School"), SectorInfo(BH, 0.4, "Barnehage", "K"))
)
ITEMS = [
    BarometerItem("g0", GS, 2.0, "higher_better", "G0", "G0"),
    BarometerItem("g1", GS, 1.0, "lower_better", "G1", "G1"),
    BarometerItem("g2", GS, 1.0, "higher_better", "G2", "G2"),
    BarometerItem("b0", BH, 1.0, "lower_better", "B0", "B0"),
    BarometerItem("b1", BH, 3.0, "higher_better", "B1", "B1"),
]
SIGN = np.array([1.0 if i.direction == "higher_better" else -1.0 for i in ITEMS])
PARAMS = st.builds(
    ScoringParams,
    method=st.sampled_from(["current", "pre2019"]),
    cutoff=st.sampled_from(["tail_mean", "quantile"]),
    tail=st.sampled_from([0.1, 0.2, 0.3]),
    trim=st.sampled_from([0.0, 0.05]),
    min_regions=st.just(3),
)


def to_frame(matrix: np.ndarray) -> pl.DataFrame:
    n_regions, n_items = matrix.shape
    return pl.DataFrame(
        {
            "indicator_id": [i.indicator_id for _ in range(n_regions) for i in ITEMS],
            "region": [f"{1001 + k:04d}" for k in range(n_regions) for _ in range(n_items)],
            "year": [2024] * (n_regions * n_items),
            "value": matrix.ravel(),
        },
        schema={"indicator_id": pl.Utf8, "region": pl.Utf8, "year": pl.Int32, "value": pl.Float64},
        nan_to_null=True,
    )


matrices = st.integers(min_value=6, max_value=40).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.integers(min_value=0, max_value=2**32 - 1),
        st.floats(min_value=0.0, max_value=0.3),
    )
)


def random_matrix(n: int, seed: int, missing: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(50, 15, size=(n, len(ITEMS))).round(1)
    matrix[rng.random(matrix.shape) < missing] = np.nan
    return matrix


def all_ranks(result_sectors: pl.DataFrame, result_total: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        [
            result_sectors.select("region", "sector", "rank", "score"),
            result_total.select("region", pl.lit(TOTAL).alias("sector"), "rank", "score"),
        ]
    )


@settings(max_examples=60, deadline=None)
@given(matrices, PARAMS, st.floats(min_value=0.01, max_value=20.0))
def test_better_on_every_indicator_never_ranks_lower(
    shape: tuple[int, int, float], params: ScoringParams, step: float
) -> None:
    n, seed, missing = shape
    matrix = random_matrix(n, seed, missing)
    # Municipality 0 copied as municipality n, better by ``step`` on every indicator it has.
    better = matrix[0] + SIGN * step
    values = to_frame(np.vstack([matrix, better]))
    result = rank_municipalities(values, ITEMS, params=params, config=CONFIG)
    ranks = all_ranks(result.sectors, result.total)
    worse_code, better_code = "1001", f"{1001 + n:04d}"
    for sector in ranks["sector"].unique().to_list():
        part = ranks.filter(pl.col("sector") == sector)
        worse = part.filter(pl.col("region") == worse_code)["rank"].to_list()
        best = part.filter(pl.col("region") == better_code)["rank"].to_list()
        assert worse == [None] or best[0] <= worse[0]
        assert (worse == [None]) == (best == [None])


@settings(max_examples=60, deadline=None)
@given(matrices, PARAMS)
def test_ranks_run_from_one_without_gaps_except_ties(
    shape: tuple[int, int, float], params: ScoringParams
) -> None:
    n, seed, missing = shape
    result = rank_municipalities(
        to_frame(random_matrix(n, seed, missing)), ITEMS, params=params, config=CONFIG
    )
    ranks = all_ranks(result.sectors, result.total).filter(pl.col("rank").is_not_null())
    for sector in ranks["sector"].unique().to_list():
        part = ranks.filter(pl.col("sector") == sector).sort("rank")
        got = part["rank"].to_list()
        rounded = part["score"].round(params.tie_decimals).to_list()
        assert got[0] == 1
        for position in range(1, len(got)):
            if rounded[position] == rounded[position - 1]:
                assert got[position] == got[position - 1]  # documented tie
            else:
                assert got[position] == position + 1  # no gap otherwise


@settings(max_examples=60, deadline=None)
@given(
    matrices,
    PARAMS,
    st.sampled_from(["cube", "exp", "affine"]),
)
def test_monotone_transforms_keep_the_order_inside_the_cutoffs(
    shape: tuple[int, int, float], params: ScoringParams, transform: str
) -> None:
    n, seed, missing = shape
    matrix = random_matrix(n, seed, missing)

    def f(x: np.ndarray) -> np.ndarray:
        if transform == "cube":
            return (x - 50.0) ** 3
        if transform == "exp":
            return np.exp(x / 20.0)
        return 3.0 * x - 7.0

    before = rank_municipalities(to_frame(matrix), ITEMS, params=params, config=CONFIG)
    after = rank_municipalities(to_frame(f(matrix)), ITEMS, params=params, config=CONFIG)
    for item in ITEMS:
        b = before.indicators.filter(pl.col("indicator_id") == item.indicator_id).sort("region")
        a = after.indicators.filter(pl.col("indicator_id") == item.indicator_id).sort("region")
        sb, sa = b["score"].to_numpy(), a["score"].to_numpy()
        values = b["value"].to_numpy() * (1 if item.direction == "higher_better" else -1)
        inside = (sb > 1) & (sb < 6) & (sa > 1) & (sa < 6)
        order = np.argsort(values[inside], kind="stable")
        # Grades never go down as the value improves, before or after the transform ...
        assert np.all(np.diff(sb[inside][order]) >= -1e-12)
        assert np.all(np.diff(sa[inside][order]) >= -1e-12)
        # ... and inside the cut-offs a strictly better value has a strictly better grade.
        strictly = np.diff(values[inside][order]) > 0
        assert np.all(np.diff(sb[inside][order])[strictly] > 0)
        assert np.all(np.diff(sa[inside][order])[strictly] > 0)
