"""Moving a series to the municipality borders of one year.

Rules (methodology §7):

* amounts and counts (``sum_columns``) are summed over the predecessors, a split unit
  contributing its population share;
* ratios are recomputed from the harmonised numerator and denominator, never averaged;
  a mean with a known weight (``weight_columns``) is recomputed as sum(mean·weight)/sum(weight);
* a value whose series crosses a merger or split between its year and the target year is
  flagged ``series_break``; a renumbering alone is no break;
* missing stays missing: if any predecessor's value is null, or a predecessor has no row at
  all, the harmonised value is null (with the predecessor's SSB status symbol, or ".." when the
  row is absent), never a smaller sum;
* regions that are not municipalities (EAK, EAKUO, EKA.., EKG.., county codes) pass untouched;
* SSB's full grid is accepted: a row for a code in a year it did not exist (SSB lists every
  code of a table's lifetime in every year) is "not applicable" and dropped when its status is
  ``"."`` or its observed columns are empty; a weight joined onto such a row does not count
  as observed (see :mod:`kostra.geography.grid`). A number there is an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from kostra.errors import KostraError
from kostra.geography import _data
from kostra.geography.history import _check_year, mapping
from kostra.i18n.said import say

_MUNICIPALITY = r"^\d{4}$"
_PREFIX = "__h_"


def harmonise(
    frame: pl.DataFrame,
    to_year: int,
    *,
    sum_columns: Sequence[str],
    ratios: Mapping[str, tuple[str, str]] | None = None,
    weight_columns: Mapping[str, str] | None = None,
    region_col: str = "region",
    year_col: str = "year",
    status_col: str | None = "status",
) -> pl.DataFrame:
    """Move the rows of ``frame`` from the borders of their own year to those of ``to_year``.

    ``sum_columns`` are amounts or counts; ``ratios`` maps a ratio column to its
    ``(numerator, denominator)`` columns, which are harmonised (summed) and divided again;
    ``weight_columns`` maps a mean column to its weight column (e.g. an average class size to
    the number of classes). Every other column except ``status_col`` identifies a row
    (``table_id``, ``contents_code``, ``dims``...): rows are summed within those keys. Value
    columns come back as Float64 (split shares make fractions); a boolean ``series_break`` is
    added. Going back in time works across renumberings and splits; moving a merged unit back
    to its parts raises :class:`~kostra.errors.KostraError`.
    """
    _check_year(to_year)
    ratios = dict(ratios or {})
    weight_columns = dict(weight_columns or {})
    summed = list(dict.fromkeys([*sum_columns, *(c for pair in ratios.values() for c in pair)]))
    summed += [w for w in weight_columns.values() if w not in summed]
    derived = [*ratios, *weight_columns]
    needed = [region_col, year_col, *summed, *derived]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise KostraError(
            say("error.harmonise.absent", columns=str(absent)),
            hint=say("error.harmonise.absent.hint", columns=str(frame.columns)),
        )
    status = status_col if status_col is not None and status_col in frame.columns else None
    value_cols = set(summed) | set(derived) | {region_col, year_col}
    if status is not None:
        value_cols.add(status)
    keys = [c for c in frame.columns if c not in value_cols]
    # A measured number left as a key would split every merger into its parts; say so.
    floats = [c for c in keys if frame.schema[c].is_float()]
    if floats:
        raise KostraError(
            say("error.harmonise.floats", columns=str(floats)),
            hint=say("error.harmonise.floats.hint"),
        )

    is_municipality = pl.col(region_col).cast(pl.Utf8).str.contains(_MUNICIPALITY) & pl.col(
        region_col
    ).is_in(list(_data.all_codes()))
    others = frame.filter(~is_municipality.fill_null(False))
    rows = frame.filter(is_municipality.fill_null(False))

    years = sorted(rows[year_col].unique().drop_nulls().to_list()) if rows.height else []
    links = _links(years, to_year, year_col)
    rows = rows.with_columns(pl.col(year_col).cast(pl.Int32).alias(_PREFIX + "year"))
    # The mean columns are carried as sum(mean * weight) and divided back after summing.
    products = {m: _PREFIX + "x_" + m for m in weight_columns}
    rows = rows.with_columns(
        [(pl.col(m) * pl.col(w)).alias(products[m]) for m, w in weight_columns.items()]
    )
    carried = [*summed, *products.values()]
    joined = rows.join(
        links.with_columns(pl.lit(True).alias(_PREFIX + "known")),
        left_on=[_PREFIX + "year", region_col],
        right_on=[_PREFIX + "year", _PREFIX + "from"],
        how="left",
    )
    # SSB's tables list every code for every year, with "." where the code did not exist; such
    # placeholders carry nothing to move. A weight (e.g. a population joined on by code) is not
    # an observation of the placeholder, so only the other columns decide.
    unknown = pl.col(_PREFIX + "known").is_null()
    weights = (
        set(weight_columns.values())
        - set(sum_columns)
        - {c for pair in ratios.values() for c in pair}
    )
    observed = [c for c in [*summed, *derived] if c not in weights]
    has_value = pl.any_horizontal([pl.col(c).is_not_null() for c in observed])
    if status is not None:
        has_value = has_value & pl.col(status).fill_null("").ne(".")
    joined = joined.filter(~unknown | has_value)
    _check_rows(joined, region_col, to_year)

    # A target with one predecessor needs no grouping: the value times its share.
    single = joined.filter(pl.col(_PREFIX + "expected") == 1)
    multi = joined.filter(pl.col(_PREFIX + "expected") > 1)
    moved = single.with_columns(
        [(pl.col(c).cast(pl.Float64) * pl.col(_PREFIX + "w")).alias(c) for c in carried]
        + [pl.col(_PREFIX + "break").alias("series_break")]
    )
    if status is not None and summed:
        moved = moved.with_columns(
            pl.when(pl.col(summed[0]).is_null())
            .then(pl.coalesce(pl.col(status), pl.lit("..")))
            .otherwise(pl.col(status))
            .alias(status)
        )
    aggregations = [
        *[(pl.col(c).cast(pl.Float64) * pl.col(_PREFIX + "w")).sum().alias(c) for c in carried],
        *[pl.col(c).is_null().any().alias(_PREFIX + "null_" + c) for c in carried],
        pl.col(region_col).n_unique().alias(_PREFIX + "present"),
        pl.col(_PREFIX + "expected").first(),
        pl.col(_PREFIX + "break").any().alias("series_break"),
    ]
    if status is not None:
        aggregations.append(pl.col(status).drop_nulls().first().alias(status))
    grouped = multi.group_by([_PREFIX + "to", year_col, *keys], maintain_order=True).agg(
        aggregations
    )
    incomplete = pl.col(_PREFIX + "present") < pl.col(_PREFIX + "expected")
    grouped = grouped.with_columns(
        [
            pl.when(pl.col(_PREFIX + "null_" + c) | incomplete)
            .then(None)
            .otherwise(pl.col(c))
            .alias(c)
            for c in carried
        ]
    )
    if status is not None and summed:
        grouped = grouped.with_columns(
            pl.when(pl.col(summed[0]).is_null())
            .then(pl.coalesce(pl.col(status), pl.lit("..")))
            .otherwise(pl.col(status))
            .alias(status)
        )
    columns = [_PREFIX + "to", year_col, *keys, *carried, "series_break"]
    if status is not None:
        columns.append(status)
    grouped = (
        pl.concat([moved.select(columns), grouped.select(columns)], how="vertical_relaxed")
        .with_columns(
            [_divide(num, den).alias(ratio) for ratio, (num, den) in ratios.items()]
            + [_divide(products[m], w).alias(m) for m, w in weight_columns.items()]
        )
        .rename({_PREFIX + "to": region_col})
    )

    out_columns = [*frame.columns, "series_break"]
    harmonised = grouped.select(
        [
            pl.col(c).cast(pl.Float64)
            if c in summed or c in derived
            else pl.col(c).cast(_output_dtype(frame.schema[c]))
            for c in frame.columns
        ]
        + [pl.col("series_break")]
    )
    untouched = others.with_columns(
        [pl.col(c).cast(pl.Float64) for c in [*summed, *derived]]
        + [pl.lit(False).alias("series_break")]
    ).select(out_columns)
    return pl.concat([harmonised, untouched], how="vertical_relaxed")


def _output_dtype(dtype: pl.DataType) -> pl.DataType:
    """A column of only nulls (e.g. a status column with nothing to report) comes back as text."""
    return pl.Utf8() if dtype == pl.Null() else dtype


def _divide(numerator: str, denominator: str) -> pl.Expr:
    den = pl.col(denominator)
    return pl.when(den.is_null() | (den == 0)).then(None).otherwise(pl.col(numerator) / den)


def _links(years: list[int], to_year: int, year_col: str) -> pl.DataFrame:
    """One table of (year, from, to, weight, break, expected) for every year in the frame."""
    parts = []
    for year in years:
        _check_year(int(year))
        part = mapping(int(year), to_year)
        parts.append(part.with_columns(pl.lit(int(year), dtype=pl.Int32).alias(_PREFIX + "year")))
    if not parts:
        return pl.DataFrame(
            schema={
                _PREFIX + "from": pl.Utf8,
                _PREFIX + "to": pl.Utf8,
                _PREFIX + "w": pl.Float64,
                _PREFIX + "break": pl.Boolean,
                _PREFIX + "year": pl.Int32,
                _PREFIX + "expected": pl.UInt32,
            }
        )
    links = pl.concat(parts).rename(
        {
            "from_code": _PREFIX + "from",
            "to_code": _PREFIX + "to",
            "weight": _PREFIX + "w",
            "series_break": _PREFIX + "break",
        }
    )
    return links.with_columns(
        pl.len().over(_PREFIX + "year", _PREFIX + "to").cast(pl.UInt32).alias(_PREFIX + "expected")
    )


def _check_rows(joined: pl.DataFrame, region_col: str, to_year: int) -> None:
    """Every municipality row must be valid in its year and movable to ``to_year``."""
    unknown = joined.filter(pl.col(_PREFIX + "known").is_null())
    if unknown.height:
        raise KostraError(
            say("error.harmonise.unknown_codes", examples=_examples(unknown, region_col)),
            hint=say("error.harmonise.unknown_codes.hint"),
        )
    impossible = joined.filter(pl.col(_PREFIX + "to").is_null())
    if impossible.height:
        raise KostraError(
            say(
                "error.harmonise.merged",
                year=to_year,
                examples=_examples(impossible, region_col),
            ),
            hint=say("error.harmonise.merged.hint"),
        )


def _examples(rows: pl.DataFrame, region_col: str) -> str:
    pairs = rows.select(_PREFIX + "year", region_col).unique().sort(_PREFIX + "year", region_col)
    return ", ".join(f"{region} ({year})" for year, region in pairs.head(5).iter_rows())
