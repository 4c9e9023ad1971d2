"""Population on 1 January by municipality, year, sex and age group (SSB table 07459).

Two packaged bases: the reference on 2024 borders (2005–2026, by sex and single age) and the
statbank downloads on the borders of each year (2005–2023, both sexes, single age; 2024–2026
from the reference). KOSTRA's "per innbygger" for accounting year t divides by the population on
1 January of t+1: :func:`population_for_accounting_year` does that shift.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from kostra.errors import KostraError
from kostra.geography import _data
from kostra.geography.harmonise import harmonise
from kostra.geography.history import _check_year, mapping

REFERENCE_BORDERS = 2024

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
            raise KostraError(
                f"Unknown age group {label!r}.",
                hint="Use 'total', 'single' or a KOSTRA group: "
                + ", ".join(KOSTRA_AGE_GROUPS)
                + ".",
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
) -> pl.DataFrame:
    """Population on 1 January of ``years``: ``region, year, age_group, population`` (Float64).

    ``borders=None`` gives the codes valid in each year (SSB's own figures for that year);
    ``borders=2024`` (or later: nothing changed after 2024) gives the reference back-cast to
    2024 borders; any other year harmonises the own-year figures to that year's borders (going
    back across a merger raises). ``age_group`` is ``"total"``, ``"single"`` (ages 0–105) or
    KOSTRA age groups such as ``"6-15"`` or ``"67+"`` (one or a list). ``sex`` ("female",
    "male") is known only on 2024 borders. Missing figures stay null.
    """
    year_list = [years] if isinstance(years, int) else list(years)
    for year in year_list:
        _check_year(year)
    if sex not in SEXES:
        raise KostraError(f"Unknown sex {sex!r}.", hint="Use total, female or male.")
    groups = _age_groups(age_group)
    if borders is not None:
        _check_year(borders)
    if borders is not None and borders >= REFERENCE_BORDERS:
        frame = _data.population_2024_borders().filter(pl.col("year").is_in(year_list))
        if sex != "total":
            frame = frame.filter(pl.col("sex") == sex)
        frame = frame.group_by("region", "year", "age").agg(pl.col("population").sum())
        return _by_group(frame, groups)
    if sex != "total":
        raise KostraError(
            "Population by sex is only packaged on 2024 borders.",
            hint="Add --borders 2024 (borders=2024), or ask for both sexes.",
        )
    frame = _data.population_original_borders().filter(pl.col("year").is_in(year_list))
    if borders is not None:
        frame = harmonise(frame, borders, sum_columns=["population"], status_col=None).drop(
            "series_break"
        )
    return _by_group(frame, groups)


def population_for_accounting_year(
    years: int | Sequence[int],
    *,
    age_group: str | Sequence[str] = "total",
    borders: int | None = None,
    sex: str = "total",
) -> pl.DataFrame:
    """The denominator of "per innbygger" for accounting ``years``: 1 January of year + 1.

    ``year`` in the result is the accounting year t; ``population`` is counted on 1 January of
    t+1. With ``borders=None`` the count is put on the borders of t itself, as KOSTRA does:
    renumbered and split units are moved back, while units merged on 1 January of t+1 have no
    count of their own old parts and are null. With a ``borders`` year the count is on those
    borders. An accounting year whose next year is beyond the data is absent.
    """
    year_list = [years] if isinstance(years, int) else list(years)
    counted = [t + 1 for t in year_list if t + 1 <= _data.LAST_YEAR]
    if borders is not None:
        frame = population(counted, age_group=age_group, borders=borders, sex=sex)
        return frame.with_columns((pl.col("year") - 1).cast(pl.Int32))
    if sex != "total":
        raise KostraError(
            "Population by sex is only packaged on 2024 borders.",
            hint="Give borders=2024, or ask for both sexes.",
        )
    groups = _age_groups(age_group)
    parts = []
    for year in counted:
        single = _data.population_original_borders().filter(pl.col("year") == year)
        links = mapping(year, year - 1)
        movable = links.filter(pl.col("to_code").is_not_null())["from_code"]
        moved = harmonise(
            single.filter(pl.col("region").is_in(movable.implode())),
            year - 1,
            sum_columns=["population"],
            status_col=None,
        ).drop("series_break")
        # The old parts of a unit merged on 1 January of t+1 have no count of their own.
        covered = set(moved["region"].unique().to_list())
        missing = sorted(_data.valid_codes(year - 1) - covered)
        if missing:
            moved = pl.concat(
                [
                    moved,
                    pl.DataFrame({"region": missing}, schema={"region": pl.Utf8})
                    .join(
                        pl.DataFrame({"age": list(range(106))}, schema={"age": pl.Int8}),
                        how="cross",
                    )
                    .select(
                        pl.lit(year, dtype=pl.Int32).alias("year"),
                        "region",
                        "age",
                        pl.lit(None, dtype=pl.Float64).alias("population"),
                    ),
                ],
                how="vertical_relaxed",
            )
        parts.append(moved.with_columns(pl.lit(year - 1, dtype=pl.Int32).alias("year")))
    if not parts:
        return pl.DataFrame(
            schema={
                "region": pl.Utf8,
                "year": pl.Int32,
                "age_group": pl.Utf8,
                "population": pl.Float64,
            }
        )
    return _by_group(pl.concat(parts, how="vertical_relaxed"), groups)
