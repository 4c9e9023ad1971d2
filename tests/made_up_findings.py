"""Made-up catalog, context, profile rows and histories for the findings tests (a helper
module, not a test module)."""

from __future__ import annotations

import polars as pl

from kostra.analysis import findings as F  # noqa: N812
from kostra.catalog.models import Catalog, Indicator

CONTEXT = F.FindingContext(municipality="Bærum", year=2024, peer_name="ASSS")
RULES = F.FindingRules()


def made_up_indicator(
    id_: str, unit: str = "prosent", caveat: bool = False, sector: str = "grunnskole"
) -> Indicator:
    extra = (
        {
            "caveat_nb": "Tolk med varsomhet.",
            "caveat_en": "Interpret with care.",
            "caveat_nn": "Tolk med varsemd.",
        }
        if caveat
        else {}
    )
    return Indicator(
        id=id_,
        sector=sector,  # type: ignore[arg-type]
        name_nb=f"Andelen elever {id_}",
        name_en=f"Share of pupils {id_}",
        unit=unit,
        source={"table_id": "12222", "contents_code": "X"},  # type: ignore[arg-type]
        direction="neutral",
        average="simple",
        **extra,
    )


CATALOG = Catalog(
    indicators=(
        made_up_indicator("a", caveat=True),
        made_up_indicator("b", unit="kr"),
        made_up_indicator("c"),
    )
)


def profile_rows(**rows: dict[str, float | int | None]) -> pl.DataFrame:
    base = {"value": None, "peer_average": None, "index": None, "peer_rank": None, "n_peers": None}
    return pl.DataFrame(
        [{"indicator_id": k, **base, **v} for k, v in rows.items()],
        schema={
            "indicator_id": pl.Utf8,
            "value": pl.Float64,
            "peer_average": pl.Float64,
            "index": pl.Float64,
            "peer_rank": pl.Int64,
            "n_peers": pl.Int64,
        },
    )


def history_rows(values: dict[int, float | None], breaks: tuple[int, ...] = ()) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_id": ["a"] * len(values),
            "year": list(values),
            "value": list(values.values()),
            "series_break": [y in breaks for y in values],
        },
        schema={
            "indicator_id": pl.Utf8,
            "year": pl.Int64,
            "value": pl.Float64,
            "series_break": pl.Boolean,
        },
    )
