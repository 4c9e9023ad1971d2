"""Code history: how the municipalities of one year became those of another.

Changes take effect on 1 January. ``transitions`` holds, per year, each code that vanished and
the codes that took it over, with the share of the old unit (population weights for splits).
A renumbering links one code to one code and is no break in a series; a merger (several codes
into one, or a code absorbed by a surviving one) and a split (one code into several) are.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from kostra.errors import KostraError
from kostra.geography import _data
from kostra.i18n.said import say

_MAPPING_SCHEMA = {
    "from_code": pl.Utf8,
    "to_code": pl.Utf8,
    "weight": pl.Float64,
    "series_break": pl.Boolean,
}


def _check_year(year: int) -> None:
    if not _data.FIRST_YEAR <= year <= _data.LAST_YEAR:
        first, last = _data.FIRST_YEAR, _data.LAST_YEAR
        raise KostraError(
            say("error.history.year", year=year, first=first, last=last),
            hint=say("error.history.year.hint", first=first, last=last),
        )


def code_history() -> pl.DataFrame:
    """Every change 2006–2026: ``year, old_code, old_name, new_code, new_name, weight, kind``.

    ``year`` is the year the change took effect (1 January); ``weight`` is the share of the old
    unit that went to the new one; ``kind`` is ``renumbering``, ``merger`` or ``split``.
    """
    names = _data.municipality_years().select("year", "code", "name")
    return (
        _data.transitions()
        .join(
            names.select(
                (pl.col("year") + 1).alias("year"),
                pl.col("code").alias("old_code"),
                pl.col("name").alias("old_name"),
            ),
            on=["year", "old_code"],
            how="left",
        )
        .join(
            names.rename({"code": "new_code", "name": "new_name"}),
            on=["year", "new_code"],
            how="left",
        )
        .select("year", "old_code", "old_name", "new_code", "new_name", "weight", "kind")
        .sort("year", "new_code", "old_code")
    )


def _step_forward(year: int) -> pl.DataFrame:
    """Codes valid in ``year - 1`` to codes valid in ``year``."""
    changes = _data.transitions().filter(pl.col("year") == year)
    moved = set(changes["old_code"].to_list())
    stay = sorted(_data.valid_codes(year - 1) - moved)
    return pl.concat(
        [
            changes.select(
                pl.col("old_code").alias("from_code"),
                pl.col("new_code").alias("to_code"),
                "weight",
                (pl.col("kind") != "renumbering").alias("series_break"),
            ),
            pl.DataFrame(
                {"from_code": stay, "to_code": stay, "weight": 1.0, "series_break": False},
                schema=_MAPPING_SCHEMA,
            ),
        ]
    )


def _step_backward(year: int) -> pl.DataFrame:
    """Codes valid in ``year`` to codes valid in ``year - 1``; ``to_code`` null where impossible.

    A renumbered code goes back to its old code; a split-off part goes back whole to the unit it
    came from (the parts sum to it). A merged unit cannot be taken apart: its row has no target.
    """
    changes = _data.transitions().filter(pl.col("year") == year)
    changed = set(changes["new_code"].to_list())
    stay = sorted(_data.valid_codes(year) - changed)
    back = changes.group_by("new_code").agg(
        pl.col("old_code").first(),
        pl.col("kind").first(),
        pl.len().alias("n_pred"),
    )
    ok = (pl.col("n_pred") == 1) & (pl.col("kind") != "merger")
    return pl.concat(
        [
            back.select(
                pl.col("new_code").alias("from_code"),
                pl.when(ok).then(pl.col("old_code")).alias("to_code"),
                pl.lit(1.0).alias("weight"),
                (pl.col("kind") != "renumbering").alias("series_break"),
            ),
            pl.DataFrame(
                {"from_code": stay, "to_code": stay, "weight": 1.0, "series_break": False},
                schema=_MAPPING_SCHEMA,
            ),
        ]
    )


def _compose(first: pl.DataFrame, step: pl.DataFrame) -> pl.DataFrame:
    joined = first.join(
        step.rename(
            {"from_code": "to_code", "to_code": "next", "weight": "w2", "series_break": "b2"}
        ),
        on="to_code",
        how="left",
    )
    return (
        joined.group_by("from_code", "next")
        .agg(
            (pl.col("weight") * pl.col("w2")).sum().alias("weight"),
            (pl.col("series_break") | pl.col("b2")).any().alias("series_break"),
        )
        .rename({"next": "to_code"})
        .select(list(_MAPPING_SCHEMA))
    )


@cache
def mapping(from_year: int, to_year: int) -> pl.DataFrame:
    """``from_code, to_code, weight, series_break`` taking codes of ``from_year`` to ``to_year``.

    ``weight`` is the share of the ``from_code`` unit inside ``to_code``. Going back in time,
    a unit formed by a merger has ``to_code`` null: it cannot be split into its parts.
    """
    _check_year(from_year)
    _check_year(to_year)
    codes = sorted(_data.valid_codes(from_year))
    result = pl.DataFrame(
        {"from_code": codes, "to_code": codes, "weight": 1.0, "series_break": False},
        schema=_MAPPING_SCHEMA,
    )
    if to_year > from_year:
        for year in range(from_year + 1, to_year + 1):
            result = _compose(result, _step_forward(year))
    else:
        for year in range(from_year, to_year, -1):
            result = _compose(result, _step_backward(year))
    return _restore(result, from_year, to_year).sort("from_code", "to_code", nulls_last=True)


def _restore(result: pl.DataFrame, from_year: int, to_year: int) -> pl.DataFrame:
    """Across a merger and the later re-establishment of a part on its old borders, the old and
    the new unit are the same land: map them whole instead of by the split weight."""
    rules = _data.restorations()
    forward = rules.filter(
        (pl.col("merged_year") > from_year) & (pl.col("split_year") <= to_year)
    ).select(pl.col("old_code").alias("from_code"), pl.col("new_code").alias("to_code"))
    # Backward only a unit re-established from exactly one old unit can be taken back whole.
    backward = (
        rules.filter((pl.col("split_year") <= from_year) & (pl.col("merged_year") > to_year))
        .filter(pl.col("old_code").count().over("new_code") == 1)
        .select(pl.col("new_code").alias("from_code"), pl.col("old_code").alias("to_code"))
    )
    direct = pl.concat([forward, backward]).with_columns(
        pl.lit(1.0).alias("weight"), pl.lit(True).alias("series_break")
    )
    if direct.height == 0:
        return result
    kept = result.filter(~pl.col("from_code").is_in(direct["from_code"].implode()))
    return pl.concat([kept, direct.select(list(_MAPPING_SCHEMA))])


def successors(code: str, from_year: int, to_year: int) -> dict[str, float]:
    """The codes of ``to_year`` that ``code`` (valid in ``from_year``) went into, with shares.

    ``successors("0219", 2019, 2024) == {"3201": 1.0}``; a split gives several codes whose shares
    sum to 1. Going back in time works through renumberings and splits; a merged unit raises.
    """
    _require_valid(code, from_year)
    rows = mapping(from_year, to_year).filter(pl.col("from_code") == code)
    if rows["to_code"].null_count():
        raise KostraError(
            say("error.history.merged", code=code, year=from_year, to_year=to_year),
            hint=say("error.history.merged.hint", year=from_year),
        )
    return dict(zip(rows["to_code"].to_list(), rows["weight"].to_list(), strict=True))


def predecessors(code: str, year: int, from_year: int) -> dict[str, float]:
    """The codes of ``from_year`` that make up ``code`` (valid in ``year``), with the share of
    each predecessor that went into ``code``.

    ``predecessors("4204", 2020, 2019) == {"1001": 1.0, "1017": 1.0, "1018": 1.0}``.
    """
    _require_valid(code, year)
    rows = mapping(from_year, year).filter(pl.col("to_code") == code)
    return dict(zip(rows["from_code"].to_list(), rows["weight"].to_list(), strict=True))


def _require_valid(code: str, year: int) -> None:
    _check_year(year)
    if code not in _data.valid_codes(year):
        from kostra.errors import UnknownMunicipalityError

        raise UnknownMunicipalityError(code, [], year=year)
