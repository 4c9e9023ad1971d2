"""Vectorised scoring and ranking on arrays shaped ``batch × municipalities × indicators``.

The batch axis is either the years (one deterministic ranking of many years at once, regions
absent in a year are all-NaN rows) or the resamples of one year (rank intervals). Nothing here
loops over municipalities; the only Python loops are over sectors (twelve) where unavoidable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Float = npt.NDArray[np.float64]
Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cutoffs:
    """Per batch and indicator, in oriented units: ``mean``, ``best``, ``worst`` and ``n``."""

    mean: Float
    best: Float
    worst: Float
    n: Int


def _gather(sorted_or_cum: Float, index: Int) -> Float:
    """``sorted_or_cum[b, index[b, 0, i], i]`` for every batch ``b`` and indicator ``i``."""
    return np.take_along_axis(sorted_or_cum, index, axis=-2)[..., 0, :]


def cutoffs(
    oriented: Float,
    *,
    tail: Float | float,
    trim: Float | float,
    cutoff: str,
    population: Float | None,
    min_regions: int,
    presorted: tuple[Float, Float, Int] | None = None,
) -> Cutoffs:
    """Mean and best/worst cut-offs of ``oriented`` values (higher is better), per batch/indicator.

    ``oriented`` has shape ``(B, M, I)``, NaN where a municipality has no value. ``trim`` is the
    share dropped at each end before the cut-offs are taken (outliers among small municipalities);
    ``tail`` the share whose mean (``cutoff="tail_mean"``) or quantile (``"quantile"``) is the
    cut-off. ``tail`` and ``trim`` may be arrays shaped ``(B, 1, I)`` (perturbed per resample).
    The mean is over every municipality with data, weighted by ``population`` ``(B, M)`` if given.
    Indicators with fewer than ``min_regions`` values get NaN cut-offs (not scored).
    """
    if presorted is None:
        presorted = presort(oriented)
    ordered, cumulative, count = presorted
    valid = ~np.isnan(oriented)
    n = count  # (B|1, 1, I)
    if population is None:
        total = cumulative[..., -1:, :]
        mean = np.divide(total, n, out=np.full(total.shape, np.nan), where=n > 0)
    else:
        people = population[..., :, None]
        # A municipality without a population figure cannot weigh in the mean: weight 0.
        weight = np.where(valid & np.isfinite(people), people, 0.0)
        weighted = np.where(valid, oriented, 0.0) * weight
        wsum = weight.sum(axis=-2, keepdims=True)
        mean = np.divide(
            weighted.sum(axis=-2, keepdims=True),
            wsum,
            out=np.full(wsum.shape, np.nan),
            where=wsum > 0,
        )
    trim_arr = np.asarray(trim, dtype=np.float64)
    tail_arr = np.asarray(tail, dtype=np.float64)
    low = np.floor(trim_arr * n).astype(np.int64)
    kept = np.maximum(n - 2 * low, 0)
    if cutoff == "tail_mean":
        k = np.maximum(np.floor(tail_arr * kept + 0.5).astype(np.int64), 1)
        k = np.minimum(k, np.maximum(kept, 1))
        high = low + kept
        worst = (_gather(cumulative, low + k) - _gather(cumulative, low)) / k[..., 0, :]
        best = (_gather(cumulative, high) - _gather(cumulative, high - k)) / k[..., 0, :]
    elif cutoff == "quantile":
        span = np.maximum(kept - 1, 0).astype(np.float64)
        worst = _interpolate(ordered, low, tail_arr * span)
        best = _interpolate(ordered, low, (1.0 - tail_arr) * span)
    else:
        raise ValueError(f"unknown cut-off rule {cutoff!r}")
    enough = (n >= max(min_regions, 1))[..., 0, :]
    mean2 = np.broadcast_to(mean[..., 0, :], enough.shape)
    nan = np.float64("nan")
    return Cutoffs(
        mean=np.where(enough, mean2, nan),
        best=np.where(enough, best, nan),
        worst=np.where(enough, worst, nan),
        n=np.broadcast_to(n[..., 0, :], enough.shape).copy(),
    )


def _interpolate(ordered: Float, low: Int, offset: Float) -> Float:
    """Linear interpolation in each sorted column at position ``low + offset``."""
    position = low + offset
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, ordered.shape[-2] - 1)
    fraction = (position - below)[..., 0, :]
    lower = _gather(ordered, below)
    upper = _gather(ordered, above)
    # ``above`` can run into the NaN padding only when fraction is 0; keep the lower value then.
    upper = np.where(np.isnan(upper), lower, upper)
    return np.asarray(lower + fraction * (upper - lower), dtype=np.float64)


def presort(oriented: Float) -> tuple[Float, Float, Int]:
    """Sorted columns (NaN last), their cumulative sums with a leading 0, and the valid counts."""
    ordered = np.sort(oriented, axis=-2)
    count = (~np.isnan(oriented)).sum(axis=-2, keepdims=True).astype(np.int64)
    filled = np.nan_to_num(ordered, nan=0.0)
    zero = np.zeros((*filled.shape[:-2], 1, filled.shape[-1]))
    cumulative = np.concatenate([zero, np.cumsum(filled, axis=-2)], axis=-2)
    return ordered, cumulative, count


def grade(oriented: Float, cut: Cutoffs, method: str) -> Float:
    """Grades 1–6 of ``oriented`` values ``(B, M, I)``; NaN where the value or cut-offs are missing.

    ``current``: 3.5 at the mean, 6 at the best cut-off, 1 at the worst, linear in between on
    each side. ``pre2019``: linear from the worst (1) to the best (6) cut-off. Clipped to [1, 6].
    When a cut-off does not lie beyond the mean (all equal, or outliers dragging the mean), values
    on that side get the end grade, and values equal to the mean get 3.5.
    """
    # Written as one slope per side and indicator, so the big array sees few passes.
    huge = 1e300  # a slope that sends any non-zero distance past the clip
    if method == "current":
        up = cut.best - cut.mean
        down = cut.mean - cut.worst
        with np.errstate(divide="ignore", invalid="ignore"):
            slope_up = np.where(up > 0, 2.5 / up, huge)[..., None, :]
            slope_down = np.where(down > 0, 2.5 / down, huge)[..., None, :]
        distance = oriented - cut.mean[..., None, :]
        slope = np.where(distance >= 0, slope_up, slope_down)  # full (B, M, I) shape
        with np.errstate(over="ignore", invalid="ignore"):
            slope *= distance
        distance = slope
        distance += 3.5
    elif method == "pre2019":
        span = cut.best - cut.worst
        with np.errstate(divide="ignore", invalid="ignore"):
            slope_all = np.where(span > 0, 5.0 / span, 0.0)[..., None, :]
        base = np.where(span > 0, 1.0, 3.5)[..., None, :]
        distance = (oriented - cut.worst[..., None, :]) * slope_all
        distance += base
    else:
        raise ValueError(f"unknown scoring method {method!r}")
    with np.errstate(invalid="ignore", over="ignore"):
        np.clip(distance, 1.0, 6.0, out=distance)
    return np.asarray(distance, dtype=np.float64)


def sector_scores(
    grades: Float, weights: Float, starts: Int, columns: Int, n_sectors: int, present: Float
) -> tuple[Float, Float]:
    """Weighted mean grade per sector and the share of the sector's weight with data.

    ``grades`` ``(B, M, I)`` with the indicators grouped by sector: the group of sector
    ``columns[j]`` starts at indicator ``starts[j]``. ``weights`` ``(I,)`` or ``(B, I)``;
    ``present`` ``(B, I)`` 1.0 where the indicator is graded at all in that batch (the year's
    indicator set, which the coverage is measured against).
    Returns ``score`` and ``coverage``, both ``(B, M, n_sectors)``; score NaN with no data.
    """
    w = (np.asarray(weights, dtype=np.float64) * present)[..., None, :]  # (B, 1, I)
    have = ~np.isnan(grades)
    weighted = np.where(have, grades, 0.0)
    weighted *= w
    held = np.where(have, w, 0.0)
    shape = (*grades.shape[:-1], n_sectors)
    numerator = np.zeros(shape)
    denominator = np.zeros(shape)
    sector_total = np.zeros((*w.shape[:-1], n_sectors))
    if starts.size:
        numerator[..., columns] = np.add.reduceat(weighted, starts, axis=-1)
        denominator[..., columns] = np.add.reduceat(held, starts, axis=-1)
        sector_total[..., columns] = np.add.reduceat(w, starts, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(denominator > 0, numerator / denominator, np.nan)
        coverage = np.where(sector_total > 0, denominator / sector_total, 0.0)
    return score, coverage


def combine(scores: Float, ranked: Bool, weights: Float) -> tuple[Float, Float]:
    """Weighted mean over the last axis of ``scores`` where ``ranked``; returns score, coverage.

    Used for the total: sector scores ``(B, M, S)`` with sector weights ``(S,)`` or ``(B, S)``;
    weights are renormalised over the ranked sectors; coverage is their share of the weight of
    sectors that exist in the batch (any municipality ranked).
    """
    w = np.broadcast_to(weights, (*scores.shape[:-2], scores.shape[-1]))[..., None, :]
    exists = ranked.any(axis=-2, keepdims=True)
    used = np.where(ranked, w, 0.0)
    numerator = (np.where(ranked, scores, 0.0) * used).sum(axis=-1)
    denominator = used.sum(axis=-1)
    possible = np.where(exists, w, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(denominator > 0, numerator / denominator, np.nan)
        coverage = np.where(possible > 0, denominator / possible, 0.0)
    return score, coverage


def rank_min(scores: Float, eligible: Bool, decimals: int) -> Float:
    """Competition ranks ("min" method) along the last axis, best (highest) score first.

    Scores are rounded to ``decimals`` first: municipalities equal to that precision share the
    best place of the group and the next place skips (1, 2, 2, 4). Not eligible → NaN.
    """
    rounded = np.round(scores, decimals)
    key = np.where(eligible, -rounded, np.inf)
    order = np.argsort(key, axis=-1, kind="stable")
    ordered = np.take_along_axis(key, order, axis=-1)
    position = np.arange(1, key.shape[-1] + 1, dtype=np.float64)
    position = np.broadcast_to(position, key.shape)
    starts = np.ones(key.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0.0), axis=-1)
    ranks = np.empty_like(first)
    np.put_along_axis(ranks, order, first, axis=-1)
    return np.where(eligible, ranks, np.nan)
