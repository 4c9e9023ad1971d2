"""Population on 1 January by municipality, year, sex and age group (SSB table 07459).

Two packaged bases: the reference on 2024 borders (2005–2026, by sex and single age) and the
statbank downloads on the borders of each year (2005–2023, both sexes, single age; 2024–2026
from the reference). KOSTRA's "per innbygger" for accounting year t divides by the population on
1 January of t+1 on the borders of t: :func:`population_for_accounting_year` (packaged data) and
:func:`accounting_year_population` (any frame) do that shift. :func:`with_aggregates` adds the
country (EAK), the country without Oslo (EAKUO) and the counties (EKAnn) as sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import polars as pl

from kostra.errors import KostraError, shown
from kostra.geography import _data
from kostra.geography.harmonise import harmonise
from kostra.geography.history import _check_year, mapping
from kostra.i18n.said import say

REFERENCE_BORDERS = 2024
# SSB's aggregate regions in KOSTRA tables: the country, the country without Oslo, and counties
# ("EKA" + the county number of the year).
COUNTRY = "EAK"
COUNTRY_EX_OSLO = "EAKUO"
COUNTY_PREFIX = "EKA"
OSLO = "0301"
_MUNICIPALITY = r"^\d{4}$"
_POP_SCHEMA = {
    "region": pl.Utf8,
    "year": pl.Int32,
    "age_group": pl.Utf8,
    "population": pl.Float64,
}

# SSB's KOSTRA age groups (label -> first and last single age; 105 is "105 or older").
KOSTRA_AGE_GROUPS: dict[str, tuple[int, int]] = {
    "0": (0, 0),
    "1-5": (1, 5),
    "6-15": (6, 15),
    "6-12": (6, 12),
    "13-15": (13, 15),
    "16-18": (16, 18),
    "0-17": (0, 17),
    "16-66": (16, 66),
    "18-66": (18, 66),
    "67+": (67, 105),
    "67-79": (67, 79),
    "80+": (80, 105),
    "80-89": (80, 89),
    "90+": (90, 105),
    "0-5": (0, 5),
    "1-2": (1, 2),
    "3-5": (3, 5),
}
SEXES = ("total", "female", "male")


def _age_groups(age_group: str | Sequence[str]) -> dict[str, tuple[int, int]]:
    labels = [age_group] if isinstance(age_group, str) else list(age_group)
    groups: dict[str, tuple[int, int]] = {}
    for label in labels:
        if label == "total":
            groups["total"] = (0, 105)
        elif label == "single":
            groups.update({str(age): (age, age) for age in range(106)})
        elif label in KOSTRA_AGE_GROUPS:
            groups[label] = KOSTRA_AGE_GROUPS[label]
        else:
            groups_listed = ", ".join(KOSTRA_AGE_GROUPS)
            raise KostraError(
                say("error.population.age_group", label=shown(label)),
                hint=say("error.population.age_group.hint", groups=groups_listed),
            )
    return groups


def _by_group(frame: pl.DataFrame, groups: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """Sum single ages into groups; a group with a missing age is missing."""
    bounds = pl.DataFrame(
        {
            "age_group": list(groups),
            "lo": [lo for lo, _ in groups.values()],
            "hi": [hi for _, hi in groups.values()],
        },
        schema={"age_group": pl.Utf8, "lo": pl.Int32, "hi": pl.Int32},
    )
    joined = frame.join(bounds, how="cross").filter(
        (pl.col("age").cast(pl.Int32) >= pl.col("lo"))
        & (pl.col("age").cast(pl.Int32) <= pl.col("hi"))
    )
    order = {label: i for i, label in enumerate(groups)}
    return (
        joined.group_by("region", "year", "age_group")
        .agg(
            pl.when(pl.col("population").is_null().any())
            .then(None)
            .otherwise(pl.col("population").cast(pl.Float64).sum())
            .alias("population")
        )
        .with_columns(pl.col("age_group").replace_strict(order, return_dtype=pl.Int32).alias("_o"))
        .sort("year", "region", "_o")
        .drop("_o")
        .select("region", pl.col("year").cast(pl.Int32), "age_group", "population")
    )


def population(
    years: int | Sequence[int],
    *,
    age_group: str | Sequence[str] = "total",
    borders: int | None = None,
    sex: str = "total",
    aggregates: bool = False,
) -> pl.DataFrame:
    """Population on 1 January of ``years``: ``region, year, age_group, population`` (Float64).

    ``borders=None`` gives the codes valid in each year (SSB's own figures for that year);
    ``borders=2024`` (or later: nothing changed after 2024) gives the reference back-cast to
    2024 borders; any other year harmonises the own-year figures to that year's borders (going
    back across a merger raises). ``age_group`` is ``"total"``, ``"single"`` (ages 0–105) or
    KOSTRA age groups such as ``"6-15"`` or ``"67+"`` (one or a list). ``sex`` ("female",
    "male") is known only on 2024 borders. Missing figures stay null, except where the 2024-border
    reference gives them exactly (see :func:`with_aggregates` and docs/DATA.md).
    ``aggregates=True`` adds SSB's aggregate regions: ``EAK`` (the country), ``EAKUO`` (the
    country without Oslo) and ``EKAnn`` (the counties of the borders' year, or of each year with
    ``borders=None``), as sums of the municipalities.
    """
    year_list = [years] if isinstance(years, int) else list(years)
    for year in year_list:
        _check_year(year)
    if sex not in SEXES:
        raise KostraError(
            say("error.population.sex", sex=repr(sex)), hint=say("error.population.sex.hint")
        )
    groups = _age_groups(age_group)
    if borders is not None:
        _check_year(borders)
    if borders is not None and borders >= REFERENCE_BORDERS:
        frame = _data.population_2024_borders().filter(pl.col("year").is_in(year_list))
        if sex != "total":
            frame = frame.filter(pl.col("sex") == sex)
        frame = frame.group_by("region", "year", "age").agg(pl.col("population").sum())
        result = _by_group(frame, groups)
        return with_aggregates(result, borders=borders) if aggregates else result
    if sex != "total":
        raise KostraError(
            say("error.population.sex_borders"), hint=say("error.population.sex_borders.hint")
        )
    frame = _data.population_original_borders().filter(pl.col("year").is_in(year_list))
    if borders is not None:
        frame = harmonise(frame, borders, sum_columns=["population"], status_col=None).drop(
            "series_break"
        )
    result, _ = _fill_gaps(_by_group(frame, groups), borders)
    return with_aggregates(result, borders=borders) if aggregates else result


def _is_municipality() -> pl.Expr:
    return pl.col("region").str.contains(_MUNICIPALITY)


def _null_sum(column: str) -> pl.Expr:
    """A sum that is null when any term is null (missing is missing, never a smaller sum)."""
    return (
        pl.when(pl.col(column).is_null().any()).then(None).otherwise(pl.col(column).sum())
    ).alias(column)


@cache
def _closed_groups(borders_year: int) -> pl.DataFrame:
    """``code, unit, n``: codes of ``borders_year`` that go whole into one 2024 unit made of
    nothing else (``n`` codes in all). For such a group the 2024-border reference is exactly the
    group's own population, in every year."""
    links = mapping(borders_year, REFERENCE_BORDERS).filter(pl.col("to_code").is_not_null())
    whole = links.with_columns(
        ((pl.len().over("from_code") == 1) & ((pl.col("weight") - 1.0).abs() < 1e-9)).alias("whole")
    )
    return (
        whole.filter(pl.col("whole").all().over("to_code"))
        .select(
            pl.col("from_code").alias("code"),
            pl.col("to_code").alias("unit"),
            pl.len().over("to_code").cast(pl.Int32).alias("n"),
        )
        .sort("code")
    )


def _fill_gaps(frame: pl.DataFrame, borders: int | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reconstruct what the 2024-border reference gives exactly for municipalities that are null.

    A set of null codes that makes up one 2024 unit whole (and nothing else) has that unit's
    reference population. A set of one code gets its row filled (0710 Sandefjord on the borders of
    2017–2019 in 2005–2016 is today's 3907); a larger set (0706 + 0719 + 0720 in 2016) cannot be
    shared out and stays null, but its total is returned as a group
    (``year, age_group, unit, county_code, population``) for sums over counties and the country.
    Codes are those of ``borders`` (or of each row's year when ``None``).
    """
    group_schema = {
        "year": pl.Int32,
        "age_group": pl.Utf8,
        "unit": pl.Utf8,
        "county_code": pl.Utf8,
        "population": pl.Float64,
    }
    nulls = frame.filter(_is_municipality() & pl.col("population").is_null())
    if nulls.height == 0:
        return frame, pl.DataFrame(schema=group_schema)
    found = []
    for year in sorted(nulls["year"].unique().to_list()):
        on = borders if borders is not None else int(year)
        counties = (
            _data.municipality_years()
            .filter(pl.col("year") == on)
            .select(pl.col("code"), "county_code")
        )
        found.append(
            nulls.filter(pl.col("year") == year)
            .join(_closed_groups(on), left_on="region", right_on="code")
            .join(counties, left_on="region", right_on="code", how="left")
        )
    candidates = pl.concat(found)
    complete = (
        candidates.group_by("year", "age_group", "unit")
        .agg(
            pl.len().alias("_present"),
            pl.col("n").first(),
            pl.col("region").first(),
            pl.col("county_code").unique().alias("_counties"),
        )
        .filter(pl.col("_present") == pl.col("n"))
    )
    if complete.height == 0:
        return frame, pl.DataFrame(schema=group_schema)
    labels = sorted(complete["age_group"].unique().to_list())
    try:
        reference = population(
            sorted(complete["year"].unique().to_list()),
            age_group=labels,
            borders=REFERENCE_BORDERS,
        )
    except KostraError:  # age groups that are not kostra's own: nothing to reconstruct
        return frame, pl.DataFrame(schema=group_schema)
    totals = complete.join(
        reference.rename({"region": "unit", "population": "_reference"}),
        on=["unit", "year", "age_group"],
        how="inner",
    )
    singles = totals.filter(pl.col("n") == 1).select("region", "year", "age_group", "_reference")
    filled = (
        frame.join(singles, on=["region", "year", "age_group"], how="left")
        .with_columns(pl.coalesce("population", "_reference").alias("population"))
        .drop("_reference")
    )
    groups = totals.filter(pl.col("n") > 1).select(
        pl.col("year").cast(pl.Int32),
        "age_group",
        "unit",
        pl.when(pl.col("_counties").list.len() == 1)
        .then(pl.col("_counties").list.first())
        .alias("county_code"),
        pl.col("_reference").cast(pl.Float64).alias("population"),
    )
    return filled, groups


def with_aggregates(frame: pl.DataFrame, *, borders: int | None = None) -> pl.DataFrame:
    """``frame`` (``region, year, age_group, population`` of municipalities) with SSB's aggregate
    regions added: ``EAK``, ``EAKUO`` and ``EKAnn`` for the counties of ``borders`` (or of each
    row's year when ``None``).

    Each is the sum of the municipalities valid on those borders; it is null when one of them has
    no row or a null population (missing is missing), except for null codes whose sum the
    2024-border reference gives exactly (0706 Sandefjord, 0719 Andebu and 0720 Stokke together
    are today's 3907 in 2005–2016; likewise Kristiansund/Frei, Mosvik/Inderøy, Harstad/Bjarkøy).
    Aggregate rows already in ``frame`` are kept as they are.
    """
    frame = frame.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("age_group").cast(pl.Utf8),
        pl.col("population").cast(pl.Float64),
    )
    municipal = frame.filter(_is_municipality())
    if municipal.height == 0:
        return frame
    filled, groups = _fill_gaps(municipal, borders)
    parts = []
    for year in sorted(municipal["year"].unique().to_list()):
        on = borders if borders is not None else int(year)
        if not _data.FIRST_YEAR <= on <= _data.LAST_YEAR:
            continue
        valid = (
            _data.municipality_years()
            .filter(pl.col("year") == on)
            .select(pl.col("code").alias("region"), "county_code")
        )
        labels = pl.DataFrame(
            {"age_group": filled.filter(pl.col("year") == year)["age_group"].unique().sort()},
            schema={"age_group": pl.Utf8},
        )
        expected = valid.join(labels, how="cross").join(
            filled.filter(pl.col("year") == year).drop("year"),
            on=["region", "age_group"],
            how="left",
        )
        group_rows = groups.filter(pl.col("year") == year)
        if group_rows.height:
            covered = (
                _closed_groups(on)
                .filter(pl.col("unit").is_in(group_rows["unit"].unique().implode()))
                .select(pl.col("code").alias("region"), "unit")
            )
            in_group = expected.join(covered, on="region", how="left").join(
                group_rows.select("unit", "age_group", pl.lit(True).alias("_whole")),
                on=["unit", "age_group"],
                how="left",
            )
            expected = pl.concat(
                [
                    in_group.filter(pl.col("_whole").is_null()).select(
                        "region", "county_code", "age_group", "population"
                    ),
                    group_rows.select(
                        pl.col("unit").alias("region"), "county_code", "age_group", "population"
                    ),
                ]
            )
        units = expected.with_columns(pl.lit(year, dtype=pl.Int32).alias("year"))
        parts.append(_sum_units(units))
    if not parts:
        return frame
    added = pl.concat(parts).join(frame, on=["region", "year", "age_group"], how="anti")
    return pl.concat([frame, added.select(frame.columns)])


def _sum_units(units: pl.DataFrame) -> pl.DataFrame:
    """EAK, EAKUO and EKAnn from ``region, county_code, year, age_group, population`` rows."""
    keys = ["year", "age_group"]
    country = units.group_by(keys).agg(_null_sum("population"))
    ex_oslo = units.filter(pl.col("region") != OSLO).group_by(keys).agg(_null_sum("population"))
    county = (
        units.group_by("county_code", *keys)
        .agg(_null_sum("population"))
        .filter(pl.col("county_code").is_not_null())
    )
    return pl.concat(
        [
            country.select(pl.lit(COUNTRY).alias("region"), *keys, "population"),
            ex_oslo.select(pl.lit(COUNTRY_EX_OSLO).alias("region"), *keys, "population"),
            county.select(
                (pl.lit(COUNTY_PREFIX) + pl.col("county_code")).alias("region"),
                *keys,
                "population",
            ),
        ]
    ).select("region", pl.col("year").cast(pl.Int32), "age_group", "population")


def accounting_year_population(
    frame: pl.DataFrame, years: Iterable[int] | None = None, *, offset: int = 1
) -> pl.DataFrame:
    """1 January of t + ``offset`` on the borders of year t, as KOSTRA's "per innbygger" needs.

    ``frame`` is ``region, year, age_group, population`` on the codes valid in each year (as
    :func:`population` gives it), with rows for t and t + ``offset``. The result has
    ``region, year, age_group, population, estimated`` with ``year`` = t, for the municipalities
    valid in t, ``EAK``, ``EAKUO`` and the counties of t:

    * a code unchanged, renumbered or split between t and t + offset gets the population of its
      successor(s) on 1 January t + offset: exact;
    * a unit merged on 1 January t + offset (or absorbed, or part of a split and merger) has no
      published count of its own on that date. It gets the merged unit's population times its
      share of the merged unit on 1 January t, age group by age group (``estimated`` is true).
      The shares of the parts sum to one, so the parts still add up to the merged unit;
    * a county or the country is the sum over its area; it is estimated only where a merger
      crosses its border (Asker, Røyken and Hurum in 2020);
    * a code the code history does not know is looked up as it is in t + offset (made-up frames);
      so is an aggregate row the frame gives for t + offset where its parts cannot be summed.

    Missing stays missing: a null input makes the result null. Years whose t + offset has no
    rows are left out.
    """
    frame = frame.select(
        pl.col("region").cast(pl.Utf8),
        pl.col("year").cast(pl.Int32),
        pl.col("age_group").cast(pl.Utf8),
        pl.col("population").cast(pl.Float64),
    )
    present = set(frame["year"].unique().to_list())
    wanted = sorted(set(years) if years is not None else present)
    parts = [
        _shift_year(frame, int(t), int(t) + offset)
        for t in wanted
        if t + offset in present and _data.FIRST_YEAR <= t <= t + offset <= _data.LAST_YEAR
    ]
    parts = [part for part in parts if part.height]
    if not parts:
        return pl.DataFrame(schema={**_POP_SCHEMA, "estimated": pl.Boolean})
    return pl.concat(parts).sort("year", "region", "age_group")


def _shift_year(frame: pl.DataFrame, t: int, s: int) -> pl.DataFrame:
    """Population of 1 January ``s`` on the units of year ``t`` (see the public function)."""
    at_t = frame.filter((pl.col("year") == t) & _is_municipality())
    at_s = frame.filter(pl.col("year") == s)
    later = _data.valid_codes(s)
    # Rows the code history does not know (made-up frames): a code not valid in t, or one with
    # a row of its own in s although it no longer exists then, is looked up as it is in s.
    unknown = set(at_s.filter(_is_municipality())["region"].to_list()) - later
    known = _data.valid_codes(t) - unknown
    foreign_codes = unknown | (set(at_t["region"].to_list()) - known)
    foreign = at_s.filter(pl.col("region").is_in(list(foreign_codes))).select(
        "region",
        pl.lit(t, dtype=pl.Int32).alias("year"),
        "age_group",
        "population",
        pl.lit(False).alias("estimated"),
    )
    s_municipal = at_s.filter(_is_municipality() & pl.col("region").is_in(list(later)))
    # Aggregate rows of the frame itself on 1 January s (the country does not depend on borders;
    # a county code that lives on kept its area through the reforms of 2018, 2020 and 2024).
    given = at_s.filter(~_is_municipality()).select(
        pl.col("region").alias("unit"), "age_group", pl.col("population").alias("_given")
    )
    if s_municipal.height == 0:
        return pl.concat(
            [
                foreign,
                given.select(
                    pl.col("unit").alias("region"),
                    pl.lit(t, dtype=pl.Int32).alias("year"),
                    "age_group",
                    pl.col("_given").alias("population"),
                    pl.lit(False).alias("estimated"),
                ),
            ]
        )
    links = mapping(t, s).select(
        pl.col("from_code").alias("code"), pl.col("to_code").alias("target"), "weight"
    )
    # On 1 January s, a set of null codes whose total the reference gives exactly acts as one
    # unit (0706 + 0719 + 0720 in 2016), so counties and the country stay exact.
    filled, groups = _fill_gaps(s_municipal, None)
    if groups.height:
        merged = _closed_groups(s).filter(pl.col("unit").is_in(groups["unit"].unique().implode()))
        rename = dict(zip(merged["code"], "G" + merged["unit"], strict=True))
        links = (
            links.with_columns(pl.col("target").replace(rename))
            .group_by("code", "target")
            .agg(pl.col("weight").sum())
        )
        filled = pl.concat(
            [
                filled.filter(~pl.col("region").is_in(list(rename))),
                groups.select(
                    ("G" + pl.col("unit")).alias("region"),
                    "year",
                    "age_group",
                    "population",
                ),
            ]
        )
    counties = (
        _data.municipality_years()
        .filter((pl.col("year") == t) & pl.col("code").is_in(list(known)))
        .select("code", "county_code")
    )
    members = pl.concat(
        [
            counties.select(pl.col("code").alias("unit"), "code"),
            counties.select(pl.lit(COUNTRY).alias("unit"), "code"),
            counties.filter(pl.col("code") != OSLO).select(
                pl.lit(COUNTRY_EX_OSLO).alias("unit"), "code"
            ),
            counties.select((pl.lit(COUNTY_PREFIX) + pl.col("county_code")).alias("unit"), "code"),
        ]
    )
    n_preds = links.group_by("target").agg(pl.col("code").n_unique().alias("_n_all"))
    pairs = (
        members.join(links, on="code")
        .group_by("unit", "target")
        .agg(pl.col("code"), pl.col("weight"), pl.len().alias("_n_in"))
        .join(n_preds, on="target")
        .with_columns((pl.col("_n_in") == pl.col("_n_all")).alias("_whole"))
    )
    labels = pl.DataFrame(
        {"age_group": filled["age_group"].unique().sort()}, schema={"age_group": pl.Utf8}
    )
    # Shares of units that are only part of their successor: weighted population on 1 January t.
    weighted = (
        links.join(at_t.rename({"region": "code"}).drop("year"), on="code", how="left")
        .with_columns((pl.col("weight") * pl.col("population")).alias("_w"))
        .select("code", "target", "age_group", "_w")
    )
    totals = weighted.group_by("target", "age_group").agg(_null_sum("_w").alias("_total"))
    partial = (
        pairs.filter(~pl.col("_whole")).explode("code", "weight").select("unit", "target", "code")
    )
    share = (
        partial.join(weighted, on=["code", "target"], how="left")
        .group_by("unit", "target", "age_group")
        .agg(_null_sum("_w").alias("_in"))
        .join(totals, on=["target", "age_group"], how="left")
        .with_columns(
            pl.when(pl.col("_total") > 0).then(pl.col("_in") / pl.col("_total")).alias("_share")
        )
        .select("unit", "target", "age_group", "_share")
    )
    contributions = (
        pairs.select("unit", "target", "_whole")
        .join(labels, how="cross")
        .join(share, on=["unit", "target", "age_group"], how="left")
        .join(
            filled.select(pl.col("region").alias("target"), "age_group", "population"),
            on=["target", "age_group"],
            how="left",
        )
        .with_columns(
            (
                pl.when(pl.col("_whole")).then(1.0).otherwise(pl.col("_share"))
                * pl.col("population")
            ).alias("population")
        )
    )
    shifted = contributions.group_by("unit", "age_group").agg(
        _null_sum("population"), (~pl.col("_whole")).any().alias("estimated")
    )
    # A figure the frame gives for an aggregate serves where the sum of the parts cannot be formed.
    shifted = (
        shifted.join(given, on=["unit", "age_group"], how="left")
        .with_columns(pl.coalesce("population", "_given").alias("population"))
        .select(
            pl.col("unit").alias("region"),
            pl.lit(t, dtype=pl.Int32).alias("year"),
            "age_group",
            "population",
            "estimated",
        )
    )
    return pl.concat([shifted, foreign])


def population_for_accounting_year(
    years: int | Sequence[int],
    *,
    age_group: str | Sequence[str] = "total",
    borders: int | None = None,
    sex: str = "total",
    aggregates: bool = False,
) -> pl.DataFrame:
    """The denominator of "per innbygger" for accounting ``years``: 1 January of year + 1.

    ``region, year, age_group, population, estimated``: ``year`` is the accounting year t;
    ``population`` is counted on 1 January of t+1. With ``borders=None`` the count is put on the
    borders of t itself, as KOSTRA does (see :func:`accounting_year_population`): renumbered and
    split units get their successors' count; a unit merged on 1 January of t+1 gets its share of
    the merged unit (its share on 1 January t, ``estimated`` true). With a ``borders`` year the
    count is on those borders. ``aggregates`` adds EAK, EAKUO and the counties (of t, or of
    ``borders``). An accounting year whose next year is beyond the data is absent.
    """
    year_list = [years] if isinstance(years, int) else list(years)
    counted = [t + 1 for t in year_list if t + 1 <= _data.LAST_YEAR]
    if borders is not None:
        frame = population(
            counted, age_group=age_group, borders=borders, sex=sex, aggregates=aggregates
        )
        return frame.with_columns(
            (pl.col("year") - 1).cast(pl.Int32), pl.lit(False).alias("estimated")
        )
    if sex != "total":
        raise KostraError(
            say("error.population.sex_borders"),
            hint=say("error.population.sex_borders.hint_api"),
        )
    if not counted:
        return pl.DataFrame(schema={**_POP_SCHEMA, "estimated": pl.Boolean})
    both = sorted({y for t in counted for y in (t - 1, t)})
    frame = population(both, age_group=age_group)
    shifted = accounting_year_population(frame, [t - 1 for t in counted])
    if not aggregates:
        shifted = shifted.filter(_is_municipality())
    order = {label: i for i, label in enumerate(_age_groups(age_group))}
    return (
        shifted.with_columns(
            pl.col("age_group")
            .replace_strict(order, default=None, return_dtype=pl.Int32)
            .alias("_o")
        )
        .sort("year", "region", "_o")
        .drop("_o")
    )
