"""Need-corrected costs (behovskorrigerte utgifter), methodology §4.

Notation: ``N`` inhabitants on 1 January t+1, ``NDU`` net operating expenditure in NOK,
``I`` the sector's expenditure-need index (country = 1), ``land`` the whole country.

* ``K = (NDU / N) / I`` — need-corrected NDU per inhabitant (Kommunebarometeret's kostnadsnivå);
* ``r = (NDU / N) / (I × NDU_land / N_land)`` and ``R = 100 r`` — resource index vs the country;
* ``RBI = r / r̄`` with ``r̄ = mean_unweighted(r_j, j ∈ peers)`` — ASSS resource-use indicator
  (two steps);
* ``D = NDU / N − I × NDU_land / N_land`` (NOK per inhabitant) and ``M = (D − D_peers) × N`` —
  NOK spent more (+) or less (−) than the peers after need correction. As KS computes it
  (default, ``excess_average="unweighted"``): ``D_peers = (r̄ − 1) × I × NDU_land / N_land``, so
  ``M = (r − r̄) × I × NDU_land / N_land × N = NDU × (1 − 1 / RBI)``: the NOK the municipality
  would spend less at the peers' average resource use. ``excess_average="population_weighted"``
  takes ``D_peers`` as the population-weighted mean of the peers' ``D`` instead (our earlier
  reconstruction). ``M_total = Σ_s M_s`` over the welfare sectors with figures; the total's
  ``note`` names the sectors it leaves out, and ``in_total`` marks the sector rows it sums.

Peers: by default every member of the group is in the average, the municipality itself and
Oslo included, as KS computes the ASSS average; ``include_self=False`` and
``exclude_from_average=("0301",)`` give the variants (each municipality against the others,
without Oslo).

Need indices: the budget year after the accounting year by default (``need_year_offset=1``); a
fixed ``need_year`` can be given. When the wanted year is not available the nearest available
year is used (the later one on a tie) and ``need_year_fallback`` says so. The published indices
are on 2024 municipality borders (2025 and 2026 budgets). Spending on the borders of an earlier
year is matched by :func:`need_index_on_borders`: a renumbered municipality keeps its index, a
municipality split later gets its parts' population-weighted index (exact: the need index is
linear in the inhabitants), and a municipality merged into a larger one later has no index of
its own (null results and a ``note``; harmonise to 2024 borders to include it).

Simplifications [D]: no depreciation is subtracted and no pension/employer's-tax correction is
made (KS does both; the inputs are not in the tables we read). See
:data:`kostra.analysis.method.KS_DEVIATIONS`.

Need-index quality: :data:`NEED_INDEX_QUALITY` names the budget years whose sector indices are
of lower quality (the 2025 reconstruction); results computed with them carry
``need_index_quality = "lower"`` and a warning in ``note``.

Small numbers: ``beyond_cap`` flags a resource index or resource-use indicator beyond the caps
of :data:`kostra.analysis.method.SMALL_NUMBERS` (a total: any of its parts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import polars as pl

from kostra.analysis._common import conform_grouping
from kostra.analysis.method import SMALL_NUMBERS, SmallNumbers
from kostra.catalog.models import Catalog, Indicator, PopulationRef, Role

WELFARE_SECTORS: tuple[str, ...] = (
    "grunnskole",
    "barnehage",
    "barnevern",
    "pleie_og_omsorg",
    "sosiale_tjenester",
    "kommunehelse",
)
NEED_SECTORS: tuple[str, ...] = (*WELFARE_SECTORS, "administrasjon")
COUNTRY = "EAK"
TOTAL = "total"
NEED_INDEX_BORDERS = 2024
NEED_INDEX_QUALITY: dict[int, str] = {2025: "lower"}
"""Budget years whose packaged sector indices are of lower quality: the 2025 indices are
reconstructed by the carrier and their total deviates up to ~0.02 from Grønt hefte's table A-k
(Oslo 0.912 vs 0.9287); 2026 matches A-k to ±0.0001. Years not listed: ``good``."""
ExcessAverage = Literal["unweighted", "population_weighted"]
"""The municipality borders of the published (Grønt hefte 2025 and 2026) need indices."""

NEED_COLUMNS: tuple[str, ...] = (
    "group",
    "region",
    "year",
    "sector",
    "net_opex",
    "population",
    "net_opex_per_capita",
    "need_year",
    "need_year_fallback",
    "need_index",
    "need_index_basis",
    "country_per_capita",
    "expected_per_capita",
    "need_corrected_per_capita",
    "resource_index",
    "resource_use_index",
    "difference_per_capita",
    "peer_difference_per_capita",
    "excess_spending",
    "in_average",
    "note",
    "need_index_quality",
    "in_total",
    "beyond_cap",
)


def sector_spending(
    evaluated: pl.DataFrame,
    catalog: Catalog | Iterable[Indicator],
    *,
    role: Role = "net_opex",
    sectors: Sequence[str] = NEED_SECTORS,
) -> pl.DataFrame:
    """Per region, year and sector: the amount (NOK) and inhabitants behind a role indicator.

    Reads the catalog's ``role`` indicators (sector NDU or BDU per inhabitant: a formula of
    accounts series over total population) from the evaluated frame. Result: ``region, year,
    sector, amount, population``; a suppressed amount is null.
    """
    indicators = list(catalog.indicators if isinstance(catalog, Catalog) else catalog)
    rows = []
    for ind in indicators:
        if ind.role != role or ind.sector.value not in sectors or ind.formula is None:
            continue
        den = ind.formula.denominator
        if not isinstance(den, PopulationRef) or den.age_group != "total":
            raise ValueError(f"{ind.id}: a {role} indicator must be per inhabitant (total)")
        rows.append((ind.id, ind.sector.value, ind.formula.scale * den.per))
    spec = pl.DataFrame(
        rows,
        schema={"indicator_id": pl.Utf8, "sector": pl.Utf8, "factor": pl.Float64},
        orient="row",
    )
    return evaluated.join(spec, on="indicator_id", how="inner").select(
        "region",
        "year",
        "sector",
        (pl.col("numerator") / pl.col("factor")).alias("amount"),
        # the population also when the amount is suppressed: value × denominator is lost then
        pl.col("denominator").alias("population"),
    )


def need_index_on_borders(need_index: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Need indices on :data:`NEED_INDEX_BORDERS` moved back to older borders.

    ``links``: ``from_code`` (code on the wanted borders), ``to_code`` (code on the indices'
    borders), ``weight`` (the share of ``from_code``'s inhabitants in ``to_code``), as
    ``kostra.geography.mapping(borders, 2024)`` gives it. A ``from_code`` gets
    ``Σ weight × I / Σ weight`` over its ``to_code``s (renumbering: the same index; split: the
    parts' population-weighted index). A ``to_code`` formed from several ``from_code``s (a later
    merger) cannot be taken apart: its predecessors get no index. Columns as ``need_index``.
    """
    link = links.select(
        pl.col("from_code").cast(pl.Utf8),
        pl.col("to_code").cast(pl.Utf8),
        pl.col("weight").cast(pl.Float64),
    ).filter(pl.col("to_code").is_not_null())
    merged = link.group_by("to_code").agg(pl.col("from_code").n_unique().alias("_n"))
    single = link.join(merged.filter(pl.col("_n") == 1), on="to_code", how="semi")
    keys = ("need_year", "region", "sector", "need_index")
    extra = [c for c in need_index.columns if c not in keys]
    index = need_index.rename({"region": "to_code"}).join(single, on="to_code", how="inner")
    moved = index.group_by("need_year", "from_code", "sector").agg(
        pl.when(pl.col("need_index").is_not_null().all())
        .then((pl.col("weight") * pl.col("need_index")).sum() / pl.col("weight").sum())
        .alias("need_index"),
        *[pl.col(c).first() for c in extra],
    )
    return moved.rename({"from_code": "region"}).select(need_index.columns)


def choose_need_year(
    years: Iterable[int],
    available: Iterable[int],
    *,
    need_year: int | None = None,
    need_year_offset: int = 1,
) -> pl.DataFrame:
    """``year, need_year_wanted, need_year, need_year_fallback`` for each accounting year.

    The wanted year is ``need_year`` when given, else ``year + need_year_offset``; the chosen one
    is the nearest available year (the later one on a tie).
    """
    have = sorted(set(available))
    if not have:
        raise ValueError("no need-index years available")
    rows = []
    for year in sorted(set(years)):
        wanted = need_year if need_year is not None else year + need_year_offset
        chosen = min(have, key=lambda y: (abs(y - wanted), -y))
        rows.append((year, wanted, chosen, chosen != wanted))
    return pl.DataFrame(
        rows,
        schema={
            "year": pl.Int32,
            "need_year_wanted": pl.Int32,
            "need_year": pl.Int32,
            "need_year_fallback": pl.Boolean,
        },
        orient="row",
    )


def need_corrected_costs(
    spending: pl.DataFrame,
    need_index: pl.DataFrame,
    groups: pl.DataFrame,
    *,
    need_year: int | None = None,
    need_year_offset: int = 1,
    include_self: bool = True,
    exclude_from_average: Sequence[str] = (),
    welfare_sectors: Sequence[str] = WELFARE_SECTORS,
    country: pl.DataFrame | None = None,
    country_region: str = COUNTRY,
    excess_average: ExcessAverage = "unweighted",
    small_numbers: SmallNumbers = SMALL_NUMBERS,
) -> pl.DataFrame:
    """Need-corrected costs of every member of every group, per sector and in total.

    ``spending``: ``region, year, sector, amount, population`` (NOK and inhabitants on
    1 January t+1; :func:`sector_spending` builds it). ``need_index``: ``need_year, region,
    sector, need_index`` (optional ``basis``), e.g. the packaged indices. ``groups``: a grouping
    ``group, region``. The country level comes from ``country`` (``year, sector, amount,
    population``), else from ``spending``'s ``country_region`` rows, else from the sum over all
    municipalities (4-digit codes) in ``spending`` that report the amount.

    Peer averages follow KS by default: every member, the region itself and Oslo included, an
    unweighted mean of ``r`` (``include_self=False`` compares each region with the *other*
    members; ``exclude_from_average`` leaves regions such as Oslo out; ``excess_average`` see
    the module docstring). Columns: :data:`NEED_COLUMNS`; sector ``total`` sums ``net_opex`` and
    ``excess_spending`` over the ``welfare_sectors`` that have them (``in_total`` marks those
    rows; the total's ``note`` names every sector left out).
    """
    groups = conform_grouping(groups)
    spend = spending.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("sector").cast(pl.Utf8),
        pl.col("amount").cast(pl.Float64).alias("net_opex"),
        pl.col("population").cast(pl.Float64),
    )
    land = _country(spend, country, country_region)
    municipal = spend.filter(pl.col("region").str.contains(r"^\d{4}$"))
    years = municipal["year"].unique().to_list()
    index = need_index.select(
        pl.col("need_year").cast(pl.Int32),
        pl.col("region").cast(pl.Utf8),
        pl.col("sector").cast(pl.Utf8),
        pl.col("need_index").cast(pl.Float64),
        (pl.col("basis") if "basis" in need_index.columns else pl.lit("sector"))
        .cast(pl.Utf8)
        .alias("need_index_basis"),
    )
    chosen = choose_need_year(
        years or [0],
        index["need_year"].unique().to_list(),
        need_year=need_year,
        need_year_offset=need_year_offset,
    )
    data = (
        municipal.join(chosen, on="year", how="left")
        .join(index, on=["need_year", "region", "sector"], how="left")
        .join(land, on=["year", "sector"], how="left")
        .with_columns(
            (pl.col("net_opex") / pl.col("population")).alias("net_opex_per_capita"),
        )
        .with_columns(
            (pl.col("need_index") * pl.col("country_per_capita")).alias("expected_per_capita"),
            (pl.col("net_opex_per_capita") / pl.col("need_index")).alias(
                "need_corrected_per_capita"
            ),
        )
        .with_columns(
            (pl.col("net_opex_per_capita") / pl.col("expected_per_capita")).alias("_r"),
            (pl.col("net_opex_per_capita") - pl.col("expected_per_capita")).alias(
                "difference_per_capita"
            ),
        )
        .with_columns((100.0 * pl.col("_r")).alias("resource_index"))
    )
    rows = data.join(groups, on=["region", "year"] if "year" in groups.columns else ["region"])
    rows = rows.with_columns(
        (
            ~pl.col("region").is_in(list(exclude_from_average))
            & pl.col("_r").is_not_null()
            & pl.col("difference_per_capita").is_not_null()
        ).alias("in_average")
    ).with_columns(
        pl.when("in_average").then(pl.col("_r")).alias("_ar"),
        pl.when("in_average")
        .then(pl.col("difference_per_capita") * pl.col("population"))
        .alias("_ad"),
        pl.when("in_average").then(pl.col("population")).alias("_an"),
    )
    by = ["group", "year", "sector"]
    stats = rows.group_by(by).agg(
        pl.col("_ar").sum().alias("_sr"),
        pl.col("_ar").count().alias("_nr"),
        pl.col("_ad").sum().alias("_sd"),
        pl.col("_an").sum().alias("_sn"),
    )
    rows = rows.join(stats, on=by, how="left")
    if include_self:
        sr, nr, sd, sn = pl.col("_sr"), pl.col("_nr"), pl.col("_sd"), pl.col("_sn")
    else:
        sr = pl.col("_sr") - pl.col("_ar").fill_null(0.0)
        nr = pl.col("_nr") - pl.col("_ar").is_not_null().cast(pl.UInt32)
        sd = pl.col("_sd") - pl.col("_ad").fill_null(0.0)
        sn = pl.col("_sn") - pl.col("_an").fill_null(0.0)
    mean_r = pl.when((nr > 0) & (sr != 0)).then(sr / nr)
    if excess_average == "unweighted":
        peer_difference = (mean_r - 1.0) * pl.col("expected_per_capita")
    elif excess_average == "population_weighted":
        peer_difference = pl.when(sn > 0).then(sd / sn)
    else:
        raise ValueError(f"unknown excess_average {excess_average!r}")
    rows = (
        rows.with_columns(
            (pl.col("_r") / mean_r).alias("resource_use_index"),
            peer_difference.alias("peer_difference_per_capita"),
        )
        .with_columns(
            (
                (pl.col("difference_per_capita") - pl.col("peer_difference_per_capita"))
                * pl.col("population")
            ).alias("excess_spending"),
            _note().alias("note"),
            pl.col("need_year")
            .replace_strict(NEED_INDEX_QUALITY, default="good", return_dtype=pl.Utf8)
            .alias("need_index_quality"),
        )
        .with_columns(
            (
                pl.col("sector").is_in(list(welfare_sectors))
                & pl.col("excess_spending").is_not_null()
            ).alias("in_total"),
        )
    )
    rows = rows.with_columns(
        (
            small_numbers.beyond(pl.col("resource_index"))
            | small_numbers.beyond(100.0 * pl.col("resource_use_index"))
        ).alias("beyond_cap")
    )
    sectors = rows.select(NEED_COLUMNS)
    return pl.concat([sectors, _totals(sectors, welfare_sectors)], how="vertical").sort(
        "group", "region", "year", "sector"
    )


def _note() -> pl.Expr:
    missing_index = pl.when(pl.col("need_index").is_null()).then(
        pl.format(
            "no need index for {} in {} (the indices are published on 2024 borders; a "
            "municipality merged into a larger one since has none of its own)",
            pl.col("region"),
            pl.col("need_year"),
        )
    )
    fallback = pl.when(pl.col("need_year_fallback")).then(
        pl.format(
            "need index of {} used for {} (nearest available to {})",
            pl.col("need_year"),
            pl.col("year"),
            pl.col("need_year_wanted"),
        )
    )
    uniform = pl.when(pl.col("need_index_basis") == "total_uniform").then(
        pl.lit("no sector need index published: the total index is used")
    )
    quality = pl.when(
        pl.col("need_year").is_in([y for y, q in NEED_INDEX_QUALITY.items() if q == "lower"])
    ).then(
        pl.format(
            "the need indices of {} are of lower quality (reconstructed; the total deviates up "
            "to 0.02 from Grønt hefte table A-k)",
            pl.col("need_year"),
        )
    )
    text = pl.concat_str(
        [missing_index, fallback, uniform, quality], separator="; ", ignore_nulls=True
    )
    return pl.when(text != "").then(text)


def _country(
    spend: pl.DataFrame, country: pl.DataFrame | None, country_region: str
) -> pl.DataFrame:
    if country is not None:
        land = country.select(
            pl.col("year").cast(pl.Int32),
            pl.col("sector").cast(pl.Utf8),
            pl.col("amount").cast(pl.Float64),
            pl.col("population").cast(pl.Float64),
        )
    else:
        given = spend.filter(pl.col("region") == country_region)
        summed = (
            spend.filter(pl.col("region").str.contains(r"^\d{4}$"))
            .group_by("year", "sector")
            .agg(
                # per inhabitant of the municipalities that report: a suppressed municipality
                # must not make the country level look smaller
                pl.col("net_opex").sum(),
                pl.col("population").filter(pl.col("net_opex").is_not_null()).sum(),
            )
        )
        land = (
            summed.join(
                given.drop("region"), on=["year", "sector"], how="left", suffix="_g"
            ).select(
                "year",
                "sector",
                pl.coalesce("net_opex_g", "net_opex").alias("amount"),
                pl.coalesce("population_g", "population").alias("population"),
            )
            if given.height
            else summed.rename({"net_opex": "amount"})
        )
    return land.select(
        "year", "sector", (pl.col("amount") / pl.col("population")).alias("country_per_capita")
    )


def _totals(sectors: pl.DataFrame, welfare_sectors: Sequence[str]) -> pl.DataFrame:
    """Per region: the sum of ``net_opex`` and ``excess_spending`` over the sector rows marked
    ``in_total``; the note names the sectors shown but left out (and the welfare sectors
    without figures), so every total equals the sum of its parts or says what it leaves out."""
    counted = sectors.filter(pl.col("in_total"))
    every = sectors.select("group", "region", "year").unique()
    totals = every.join(
        counted.group_by("group", "region", "year").agg(
            pl.col("net_opex").sum(),
            pl.col("excess_spending").sum(),
            pl.col("sector").sort().alias("_parts"),
        ),
        on=["group", "region", "year"],
        how="left",
    )
    meta = sectors.group_by("group", "region", "year").agg(
        pl.col("population").first(),
        pl.col("need_year").first(),
        pl.col("need_year_fallback").any(),
        pl.col("in_average").filter(pl.col("sector").is_in(list(welfare_sectors))).all(),
        pl.col("sector").unique().sort().alias("_shown"),
        pl.col("need_index_quality").first(),
        pl.col("beyond_cap").filter(pl.col("in_total")).any().alias("_beyond"),
    )
    totals = totals.join(meta, on=["group", "region", "year"], how="left")
    welfare = pl.lit(list(welfare_sectors), dtype=pl.List(pl.Utf8))
    parts = pl.col("_parts").fill_null(pl.lit([], dtype=pl.List(pl.Utf8)))
    shown_out = pl.col("_shown").list.set_difference(welfare).list.sort().list.join(", ")
    missing = welfare.list.set_difference(parts).list.sort().list.join(", ")
    note = pl.concat_str(
        [
            pl.lit("sum of ") + parts.list.join(", "),
            pl.when(shown_out != "").then(pl.lit("not included: ") + shown_out),
            pl.when(missing != "").then(pl.lit("no figures (left out): ") + missing),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    empty = parts.list.len() == 0
    return (
        totals.with_columns(
            pl.lit(TOTAL).alias("sector"),
            pl.when(empty).then(None).otherwise(pl.col("net_opex")).alias("net_opex"),
            pl.when(empty).then(None).otherwise(pl.col("excess_spending")).alias("excess_spending"),
            note.alias("note"),
            pl.lit(False).alias("in_total"),
        )
        .with_columns(
            (pl.col("net_opex") / pl.col("population")).alias("net_opex_per_capita"),
        )
        .select(
            [
                pl.col(c)
                if c in totals.columns or c in ("sector", "net_opex_per_capita", "note", "in_total")
                else pl.lit(None).alias(c)
                for c in NEED_COLUMNS
            ]
        )
        .cast({c: sectors.schema[c] for c in NEED_COLUMNS})
    )
