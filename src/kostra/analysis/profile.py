"""Service profile (tjenesteprofil): each key figure against a peer average (methodology §3).

Two entry points over the same computation:

* :func:`peer_profile` — every region of every group of a grouping at once (all municipalities
  against their county, KOSTRA group or ASSS; the web ranking and the benchmark use it);
* :func:`service_profile` — one municipality, one year, one peer set, with municipalities shown
  beside the peers (``compare``) and a 4-year series (the CLI and the report use it).

The peer average follows :func:`kostra.analysis.method.peer_averaging`: ``weighted`` = Σ
numerator / Σ denominator over the peers with data (formulas), ``simple`` = unweighted mean of
the values (SSB's ready-made ratios by default, ``average_marked``). ``index = 100 × value /
average`` and ``difference = value − average``; figures the catalog compares as differences
(``comparison = "difference"``: signed and near-zero figures) get no index and no percentage
change. The small-number rule (:data:`kostra.analysis.method.SMALL_NUMBERS`): a figure on fewer
than ``min_base`` inhabitants of its age group gets no index and no percentage change
(``small_base``); an index or change beyond the caps is flagged (``beyond_cap``).
``rank`` is the place among the group's members with a value, 1 = highest value; ``rank_best``
is direction-aware (1 = best: highest when higher is better, lowest when lower is better, null
for neutral figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from kostra.analysis._common import OSLO, PANDEMIC_YEARS, conform_grouping, single_group
from kostra.analysis.method import (
    DEFAULT_READY_RATIOS,
    SMALL_NUMBERS,
    ReadyRatios,
    SmallNumbers,
    averaging_table,
)
from kostra.catalog.models import Catalog, Indicator

PEER_PROFILE_COLUMNS: tuple[str, ...] = (
    "group",
    "indicator_id",
    "sector",
    "region",
    "year",
    "value",
    "status",
    "peer_average",
    "index",
    "rank",
    "rank_best",
    "n_ranked",
    "n_average",
    "peer_min",
    "peer_max",
    "previous_value",
    "change",
    "change_pct",
    "series_break",
    "peer_series_break",
    "pandemic",
    "missing",
    "preliminary",
    "in_average",
    "average",
    "direction",
    "difference",
    "comparison",
    "average_marked",
    "small_base",
    "beyond_cap",
)


def indicator_info(
    catalog: Catalog | Iterable[Indicator], ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS
) -> pl.DataFrame:
    """One row per indicator: id, sector, names, unit, direction, averaging (as computed, see
    :func:`kostra.analysis.method.peer_averaging`), ``average_marked`` (``*``), ``comparison``,
    catalog order."""
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    rules = averaging_table(indicators, ready_ratios).select(
        "average", "average_marked", "comparison", "counts_inhabitants"
    )
    frame = pl.DataFrame(
        {
            "indicator_id": [i.id for i in indicators],
            "sector": [i.sector.value for i in indicators],
            "name_nb": [i.name_nb for i in indicators],
            "name_en": [i.name_en for i in indicators],
            "unit": [i.unit for i in indicators],
            "direction": [i.direction for i in indicators],
            "in_profile": [i.in_profile for i in indicators],
            "caveat_nb": [i.caveat_nb for i in indicators],
            "caveat_en": [i.caveat_en for i in indicators],
            "caveat_nn": [i.caveat_nn for i in indicators],
            "order": list(range(len(indicators))),
        },
        schema={
            "indicator_id": pl.Utf8,
            "sector": pl.Utf8,
            "name_nb": pl.Utf8,
            "name_en": pl.Utf8,
            "unit": pl.Utf8,
            "direction": pl.Utf8,
            "in_profile": pl.Boolean,
            "caveat_nb": pl.Utf8,
            "caveat_en": pl.Utf8,
            "caveat_nn": pl.Utf8,
            "order": pl.Int32,
        },
    )
    frame = pl.concat([frame, rules], how="horizontal")
    return frame.select(
        "indicator_id",
        "sector",
        "name_nb",
        "name_en",
        "unit",
        "direction",
        "average",
        "average_marked",
        "comparison",
        "counts_inhabitants",
        "in_profile",
        "caveat_nb",
        "caveat_en",
        "caveat_nn",
        "order",
    )


def _with_previous(evaluated: pl.LazyFrame) -> pl.LazyFrame:
    previous = evaluated.select(
        "indicator_id",
        "region",
        (pl.col("year") + 1).cast(pl.Int32).alias("year"),
        pl.col("value").alias("previous_value"),
    )
    return evaluated.join(previous, on=["indicator_id", "region", "year"], how="left")


def peer_profile(
    evaluated: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    groups: pl.DataFrame,
    *,
    years: Iterable[int] | None = None,
    include_self: bool = True,
    exclude_from_average: Sequence[str] = (),
    shown: pl.DataFrame | None = None,
    pandemic_years: Sequence[int] = PANDEMIC_YEARS,
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    small_numbers: SmallNumbers = SMALL_NUMBERS,
) -> pl.DataFrame:
    """Each member of each group against its group's average, for every indicator and year.

    ``evaluated`` is :func:`kostra.analysis.indicators.evaluate`'s frame. ``groups`` is a
    grouping frame ``group, region`` (optionally ``year``). ``include_self=False`` takes each
    member out of its own average (leave-one-out), as the accounts comparisons do.
    ``exclude_from_average`` lists regions shown and ranked but kept out of every average (Oslo).
    ``shown`` (``group, region``) adds regions shown beside a group without entering its
    average or ranking (Asker beside ASSS before 2022). Columns: :data:`PEER_PROFILE_COLUMNS`;
    ``rank``/``rank_best``/``n_ranked`` are null for ``shown`` rows. ``ready_ratios``: how SSB's
    ready-made ratios are averaged (:mod:`kostra.analysis.method`).
    """
    info = indicator_info(catalog, ready_ratios).select(
        "indicator_id",
        "sector",
        "direction",
        "average",
        "average_marked",
        "comparison",
        "counts_inhabitants",
    )
    groups = conform_grouping(groups)
    # Lazy: the optimiser fuses the joins and window expressions over ~10⁶ rows.
    # Categorical keys: the windows and joins below hash integers instead of strings.
    cat = pl.Categorical()
    info = info.with_columns(pl.col("indicator_id").cast(cat))
    groups = groups.with_columns(pl.col("group").cast(cat))
    data = _with_previous(
        evaluated.lazy()
        .with_columns(pl.col("indicator_id").cast(cat))
        .join(info.lazy(), on="indicator_id", how="inner")
    )
    if years is not None:
        data = data.filter(pl.col("year").is_in(sorted(set(years))))
    keys = ["region", "year"] if "year" in groups.columns else ["region"]
    members = data.join(groups.lazy(), on=keys, how="inner").with_columns(
        pl.lit(True).alias("_member")
    )
    rows = members
    if shown is not None and shown.height:
        extra = conform_grouping(shown).with_columns(pl.col("group").cast(cat))
        extra_keys = ["region", "year"] if "year" in extra.columns else ["region"]
        extra_rows = data.join(extra.lazy(), on=extra_keys, how="inner").with_columns(
            pl.lit(False).alias("_member")
        )
        # a region both member and shown is a member
        extra_rows = extra_rows.join(
            members.select("group", "region", "year", "indicator_id"),
            on=["group", "region", "year", "indicator_id"],
            how="anti",
        )
        rows = pl.concat([members, extra_rows.select(members.collect_schema().names())])

    weighted = pl.col("average") == "weighted"
    has_value = pl.col("value").is_not_null()
    has_ratio = has_value & pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null()
    rows = rows.with_columns(
        (pl.col("_member") & ~pl.col("region").is_in(list(exclude_from_average)) & has_value).alias(
            "in_average"
        )
    ).with_columns(
        # what each row contributes to its group's average
        pl.when(pl.col("in_average") & pl.when(weighted).then(has_ratio).otherwise(True))
        .then(pl.when(weighted).then(pl.col("numerator")).otherwise(pl.col("value")))
        .alias("_a"),
        pl.when(pl.col("in_average") & pl.when(weighted).then(has_ratio).otherwise(True))
        .then(pl.when(weighted).then(pl.col("denominator")).otherwise(pl.lit(1.0)))
        .alias("_b"),
    )
    by = ["group", "indicator_id", "year"]
    member_value = pl.col("value").filter(pl.col("_member"))
    stats = rows.group_by(by).agg(
        pl.col("_a").sum().alias("_sa"),
        pl.col("_b").sum().alias("_sb"),
        pl.col("_b").count().alias("_nb"),
        member_value.min().alias("peer_min"),
        member_value.max().alias("peer_max"),
        pl.col("series_break").filter(pl.col("_member")).any().alias("peer_series_break"),
    )
    rows = rows.join(stats, on=by, how="left")
    own_a = pl.col("_a").fill_null(0.0)
    own_b = pl.col("_b").fill_null(0.0)
    own_n = pl.col("_b").is_not_null().cast(pl.Int64)
    if include_self:
        sa, sb, nb = pl.col("_sa"), pl.col("_sb"), pl.col("_nb")
    else:
        sa, sb, nb = pl.col("_sa") - own_a, pl.col("_sb") - own_b, pl.col("_nb") - own_n
    # Rounded to 12 significant digits: the threaded group sums above add the same members in
    # an order that varies between runs, so the last bits vary, and an average that is a tie
    # when printed (5,65) came out as 5,6 on one page and 5,7 on the next.
    average = pl.when((nb > 0) & (sb != 0)).then((sa / sb).round_sig_figs(12))
    member_rank = pl.when(pl.col("_member"))
    rank_value = pl.when(pl.col("_member")).then(pl.col("value"))
    over = pl.col("group"), pl.col("indicator_id"), pl.col("year")
    rank_desc = rank_value.rank("min", descending=True).over(*over)
    rank_asc = rank_value.rank("min", descending=False).over(*over)
    out = (
        rows.with_columns(
            average.alias("peer_average"),
            nb.cast(pl.Int32).alias("n_average"),
            member_rank.then(rank_desc).cast(pl.Int32).alias("rank"),
            member_rank.then(
                pl.when(pl.col("direction") == "higher_better")
                .then(rank_desc)
                .when(pl.col("direction") == "lower_better")
                .then(rank_asc)
            )
            .cast(pl.Int32)
            .alias("rank_best"),
            member_rank.then(rank_value.count().over(*over)).cast(pl.Int32).alias("n_ranked"),
        )
        .with_columns(
            (
                pl.col("counts_inhabitants")
                & (pl.col("denominator") < small_numbers.min_base).fill_null(False)
                & pl.col("value").is_not_null()
            ).alias("small_base"),
        )
        .with_columns(
            pl.when(
                (pl.col("peer_average") != 0)
                & (pl.col("comparison") == "index")
                & ~pl.col("small_base")
            )
            .then(100.0 * pl.col("value") / pl.col("peer_average"))
            .alias("index"),
            (pl.col("value") - pl.col("peer_average")).alias("difference"),
            (pl.col("value") - pl.col("previous_value")).alias("change"),
            pl.when(
                (pl.col("previous_value") != 0)
                & (pl.col("comparison") == "index")
                & ~pl.col("small_base")
            )
            .then(100.0 * (pl.col("value") / pl.col("previous_value") - 1.0))
            .alias("change_pct"),
            pl.col("year").is_in(list(pandemic_years)).alias("pandemic"),
            pl.col("value").is_null().alias("missing"),
            pl.col("peer_series_break").fill_null(False),
        )
        .with_columns(
            (
                small_numbers.beyond(pl.col("index"))
                | (pl.col("change_pct").abs() > small_numbers.change_cap).fill_null(False)
            ).alias("beyond_cap")
        )
    )
    # unsorted: callers pick their rows (sorting 10⁶ rows would cost more than the analysis)
    return (
        out.select(PEER_PROFILE_COLUMNS)
        .with_columns(pl.col("group").cast(pl.Utf8), pl.col("indicator_id").cast(pl.Utf8))
        .collect()
    )


@dataclass(frozen=True)
class Profile:
    """One municipality's service profile.

    ``table``: year ``year``, one row per indicator and shown region (``role`` = ``self``,
    ``peer`` or ``compare``) with the :data:`PEER_PROFILE_COLUMNS` plus names and units.
    ``series``: the same rows for the last ``n_years`` years (the 4-year series).
    """

    municipality: str
    year: int
    peers: tuple[str, ...]
    compare: tuple[str, ...]
    excluded_from_average: tuple[str, ...]
    include_self: bool
    table: pl.DataFrame
    series: pl.DataFrame
    notes: tuple[str, ...] = field(default=())

    @property
    def key_figures(self) -> pl.DataFrame:
        """The municipality's own row per indicator (value, average, index, place, flags)."""
        return self.table.filter(pl.col("role") == "self")


def service_profile(
    evaluated: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    municipality: str,
    peers: Iterable[str],
    *,
    year: int,
    compare: Iterable[str] = (),
    include_self: bool = True,
    exclude_oslo: bool = False,
    exclude_from_average: Iterable[str] = (),
    sectors: Iterable[str] | None = None,
    n_years: int = 4,
    pandemic_years: Sequence[int] = PANDEMIC_YEARS,
    in_profile_only: bool = True,
    ready_ratios: ReadyRatios = DEFAULT_READY_RATIOS,
    small_numbers: SmallNumbers = SMALL_NUMBERS,
) -> Profile:
    """The service profile of ``municipality`` in ``year`` against ``peers``.

    ``peers`` are codes on the borders of ``evaluated``; the municipality itself is added to
    the group, and enters the average unless ``include_self=False``. ``exclude_oslo`` and
    ``exclude_from_average`` keep regions out of the average (they are still shown and ranked).
    ``compare`` regions are shown with their index against the same average, without entering
    it or the ranking. ``sectors`` limits the indicators (catalog sector values).
    """
    info = indicator_info(catalog, ready_ratios)
    if in_profile_only:
        info = info.filter(pl.col("in_profile"))
    if sectors is not None:
        info = info.filter(pl.col("sector").is_in(list(sectors)))
    peer_codes = tuple(dict.fromkeys(c for c in peers if c != municipality))
    compare_codes = tuple(
        dict.fromkeys(c for c in compare if c != municipality and c not in peer_codes)
    )
    excluded = list(dict.fromkeys(exclude_from_average))
    if exclude_oslo and OSLO not in excluded:
        excluded.append(OSLO)
    if not include_self:
        excluded.append(municipality)
    window = list(range(year - n_years + 1, year + 1))
    group = single_group("peers", (municipality, *peer_codes))
    shown = single_group("peers", compare_codes)
    # ``year - n_years`` is read too, so the first year of the series has its change.
    regions = [municipality, *peer_codes, *compare_codes]
    subset = evaluated.filter(
        pl.col("region").is_in(regions)
        & pl.col("indicator_id").is_in(info["indicator_id"].implode())
        & pl.col("year").is_between(year - n_years, year)
    )
    profile = peer_profile(
        subset,
        info.select(pl.exclude("order")).pipe(_as_indicators, catalog),
        group,
        years=window,
        include_self=True,
        exclude_from_average=excluded,
        shown=shown,
        pandemic_years=pandemic_years,
        ready_ratios=ready_ratios,
        small_numbers=small_numbers,
    )
    role = (
        pl.when(pl.col("region") == municipality)
        .then(pl.lit("self"))
        .when(pl.col("region").is_in(list(compare_codes)))
        .then(pl.lit("compare"))
        .otherwise(pl.lit("peer"))
    )
    role_order = pl.col("role").replace_strict(
        {"self": 0, "peer": 1, "compare": 2}, return_dtype=pl.Int32
    )
    names = info.select(
        "indicator_id",
        "name_nb",
        "name_en",
        "unit",
        "caveat_nb",
        "caveat_en",
        "caveat_nn",
        "order",
    )
    series = (
        profile.drop("group")
        .with_columns(role.alias("role"))
        .join(names, on="indicator_id", how="left")
        .sort("order", role_order, "region", "year")
        .drop("order")
    )
    table = series.filter(pl.col("year") == year)
    notes: list[str] = []
    if table.filter(pl.col("role") == "self").height == 0:
        notes.append(f"no figures for {municipality} in {year}")
    return Profile(
        municipality=municipality,
        year=year,
        peers=peer_codes,
        compare=compare_codes,
        excluded_from_average=tuple(excluded),
        include_self=include_self,
        table=table,
        series=series,
        notes=tuple(notes),
    )


def _as_indicators(info: pl.DataFrame, catalog: Catalog | Iterable[Indicator]) -> list[Indicator]:
    keep = set(info["indicator_id"].to_list())
    indicators = catalog.indicators if isinstance(catalog, Catalog) else catalog
    return [i for i in indicators if i.id in keep]
