"""Made-up analysis frames for the report tests (a helper module, not a test module).

The frames have the columns of the analysis modules' outputs (see ``kostra.report.build``) with
invented numbers for every municipality on the 2024 map; ``make_report`` runs them through
:func:`kostra.report.build.build_report_data` exactly as the CLI does with real results.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import numpy as np
import polars as pl

from kostra.catalog.models import Catalog, Indicator
from kostra.report.build import build_report_data
from kostra.report.geo import GEO_OBJECT, municipality_topology
from kostra.report.model import (
    REPORT_SECTORS,
    Assumption,
    ChangeEvent,
    PeerGroupInfo,
    Place,
    ReportData,
    TableStamp,
    VintageInfo,
)

YEAR = 2024
YEARS = list(range(2014, YEAR + 1))
ASSS = {
    "0301": "Oslo",
    "4601": "Bergen",
    "5001": "Trondheim",
    "1103": "Stavanger",
    "3201": "Bærum",
    "4204": "Kristiansand",
    "3301": "Drammen",
    "3107": "Fredrikstad",
    "1108": "Sandnes",
    "5501": "Tromsø",
    "3203": "Asker",
    "3205": "Lillestrøm",
}
BAERUM, UTSIRA, SUNNFJORD, HOLE = "3201", "1151", "4647", "3310"

_UNITS = ["kr", "prosent", "antall", "prosent"]
_SUFFIX = {
    "kr": ("Netto driftsutgifter per innbygger", "Net operating expenditure per inhabitant"),
    "prosent": ("Andel brukere", "Share of users"),
    "antall": ("Antall per 1000 innbyggere", "Number per 1,000 inhabitants"),
}
_LEVEL = {"kr": 12_000.0, "prosent": 40.0, "antall": 8.0}


def _indicator(sector: str, n: int) -> Indicator:
    unit = _UNITS[n % len(_UNITS)]
    name_nb, name_en = _SUFFIX[unit]
    sector_word = sector.replace("_", " ")
    caveat = {}
    if sector == "grunnskole" and n == 1:
        caveat = {
            "caveat_nb": "Skoler med få elever kan svinge mye fra år til år.",
            "caveat_en": "Schools with few pupils can vary a lot from year to year.",
            "caveat_nn": "Skular med få elevar kan svinge mykje frå år til år.",
        }
    return Indicator(
        id=f"{sector}_{n}",
        sector=sector,  # type: ignore[arg-type]
        name_nb=f"{name_nb}, {sector_word} {n + 1}",
        name_en=f"{name_en}, {sector_word} {n + 1}",
        unit=unit,
        source={"table_id": "12345", "contents_code": f"K{sector[:4]}{n}"},  # type: ignore[arg-type]
        direction="lower_better" if unit == "kr" else "higher_better",
        average="simple",
        **caveat,
    )


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """Three made-up key figures per report sector (one with a caveat)."""
    return Catalog(
        indicators=tuple(_indicator(s.value, n) for s in REPORT_SECTORS for n in range(3))
    )


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """Every 2024 municipality on the map: code -> name."""
    topology = municipality_topology()
    return {
        g["properties"]["code"]: g["properties"]["name"]
        for g in topology["objects"][GEO_OBJECT]["geometries"]
    }


@lru_cache(maxsize=1)
def evaluated() -> pl.DataFrame:
    """``evaluate``-shaped values for every municipality, indicator and year (made up).

    Values follow a municipality-specific level and a gentle trend; one key figure drops
    sharply in 2020 (a pandemic-style break), Utsira has a suppressed figure, and Sunnfjord's
    series breaks at the 2020 merger.
    """
    rng = np.random.default_rng(20240315)
    codes = sorted(names())
    rows: dict[str, list[object]] = {
        k: [] for k in ("indicator_id", "region", "year", "value", "status", "series_break")
    }
    for ind in catalog().indicators:
        level = _LEVEL[ind.unit] * rng.lognormal(0.0, 0.25, len(codes))
        slope = rng.normal(0.01, 0.01, len(codes))
        for year in YEARS:
            noise = rng.normal(0.0, 0.004, len(codes))
            values = level * (1 + slope * (year - YEARS[0]) + noise)
            if ind.id == "pleie_og_omsorg_1" and year == 2020:
                values = values * 0.75
            for code, value in zip(codes, values, strict=True):
                missing = code == UTSIRA and ind.id == "barnevern_2"
                rows["indicator_id"].append(ind.id)
                rows["region"].append(code)
                rows["year"].append(year)
                rows["value"].append(None if missing else float(value))
                rows["status"].append(":" if missing else None)
                rows["series_break"].append(code == SUNNFJORD and year < 2020)
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.Utf8,
            "region": pl.Utf8,
            "year": pl.Int32,
            "value": pl.Float64,
            "status": pl.Utf8,
            "series_break": pl.Boolean,
        },
    )


def peer_codes(code: str) -> list[str]:
    """ASSS for ASSS members; otherwise the next ten municipalities by code (a made-up group)."""
    if code in ASSS:
        return list(ASSS)
    codes = sorted(names())
    at = codes.index(code)
    return codes[max(0, at - 5) : at + 6]


def profile(code: str) -> pl.DataFrame:
    """``service_profile().series``-shaped rows: the municipality against its peers' mean."""
    members = peer_codes(code)
    frame = evaluated().filter(pl.col("region").is_in(members) & (pl.col("year") >= YEAR - 4))
    averages = frame.group_by("indicator_id", "year").agg(
        pl.col("value").mean().alias("peer_average"),
        pl.col("value").min().alias("peer_min"),
        pl.col("value").max().alias("peer_max"),
        pl.col("value").count().alias("n_ranked"),
    )
    ranked = frame.with_columns(
        pl.col("value").rank("min", descending=True).over("indicator_id", "year").alias("rank")
    )
    previous = frame.select(
        "indicator_id",
        "region",
        (pl.col("year") + 1).alias("year"),
        pl.col("value").alias("previous_value"),
    )
    return (
        ranked.filter(pl.col("region") == code)
        .join(averages, on=["indicator_id", "year"])
        .join(previous, on=["indicator_id", "region", "year"], how="left")
        .with_columns(
            (100 * pl.col("value") / pl.col("peer_average")).alias("index"),
            pl.lit("self").alias("role"),
            pl.lit(False).alias("preliminary"),
        )
        .filter(pl.col("year") > YEAR - 4)
    )


def need(code: str) -> pl.DataFrame:
    """``need_corrected_costs``-shaped rows of the municipality (made up, deterministic)."""
    rng = np.random.default_rng(int(code))
    rows = []
    for sector in REPORT_SECTORS[:7]:
        opex = float(rng.uniform(3_000, 30_000))
        index = float(rng.uniform(0.85, 1.15))
        expected = opex / float(rng.uniform(0.9, 1.1))
        difference = opex - expected
        peers = float(rng.uniform(-300, 300))
        rows.append(
            {
                "region": code,
                "sector": sector.value,
                "net_opex_per_capita": opex,
                "need_index": index,
                "need_corrected_per_capita": opex / index,
                "expected_per_capita": expected,
                "difference_per_capita": difference,
                "peer_difference_per_capita": peers,
                "resource_index": 100 * opex / expected,
                "resource_use_index": float(rng.uniform(0.9, 1.1)),
                "excess_spending": (difference - peers) * 130_000,
            }
        )
    # the analysis' total over the six welfare sectors (not administrasjon)
    total = sum(r["excess_spending"] for r in rows if r["sector"] != "administrasjon")
    rows.append({"region": code, "sector": "total", "excess_spending": total})
    return pl.DataFrame(rows)


def production(code: str) -> pl.DataFrame:
    """Production, expenditure and efficiency indices (made up) with a total row."""
    rng = np.random.default_rng(int(code) + 7)
    rows = []
    for sector in REPORT_SECTORS[:6]:
        p, c = float(rng.uniform(85, 115)), float(rng.uniform(85, 115))
        rows.append(
            {
                "sector": sector.value,
                "production_index": p,
                "cost_index": c,
                "efficiency_index": 100 * p / c,
            }
        )
    rows.append(
        {
            "sector": "total",
            "production_index": float(np.mean([r["production_index"] for r in rows])),
            "cost_index": None,
            "efficiency_index": float(np.mean([r["efficiency_index"] for r in rows])),
        }
    )
    return pl.DataFrame(rows)


@lru_cache(maxsize=1)
def barometer() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Totals and sector ranks of every municipality, with intervals (made up)."""
    rng = np.random.default_rng(12)
    codes = sorted(names())
    n = len(codes)
    score = rng.normal(3.5, 0.5, n)
    order = np.argsort(-score)
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    total = pl.DataFrame(
        {
            "region": codes,
            "year": [YEAR] * n,
            "score": score,
            "rank": rank,
            "rank_low": np.maximum(1, rank - 15),
            "rank_high": np.minimum(n, rank + 15),
            "n_ranked": [n] * n,
        }
    )
    sectors = []
    for s, sector in enumerate(
        [
            "grunnskole",
            "pleie_og_omsorg",
            "barnevern",
            "barnehage",
            "helse",
            "sosial",
            "kultur",
            "okonomi",
            "kostnadsniva",
        ]
    ):
        srank = np.roll(rank, s * 17)
        for code, r in zip(codes, srank, strict=True):
            unranked = code == UTSIRA and sector == "barnevern"
            sectors.append(
                {
                    "region": code,
                    "year": YEAR,
                    "sector": sector,
                    "rank": None if unranked else int(r),
                    "rank_low": None if unranked else max(1, int(r) - 20),
                    "rank_high": None if unranked else min(n, int(r) + 20),
                    "n_ranked": n - 1 if sector == "barnevern" else n,
                    "score": 3.5,
                }
            )
    return total, pl.DataFrame(sectors)


def drivers(code: str) -> pl.DataFrame:
    """Graded indicators of the municipality's barometer sectors (made up)."""
    rng = np.random.default_rng(int(code) + 3)
    rows = []
    mapping = {
        "grunnskole": "grunnskole",
        "pleie_og_omsorg": "pleie_og_omsorg",
        "barnehage": "barnehage",
        "kommunehelse": "helse",
    }
    for sector, bsector in mapping.items():
        for n in range(3):
            rows.append(
                {
                    "sector": bsector,
                    "indicator_id": f"{sector}_{n}",
                    "value": float(rng.uniform(1, 100)),
                    "score": float(rng.uniform(1, 6)),
                    "weight_share": 1 / 3,
                }
            )
    return pl.DataFrame(rows)


EVENTS = {
    SUNNFJORD: [
        ChangeEvent(
            kind="merger",
            year=2020,
            code=SUNNFJORD,
            name="Sunnfjord",
            old_codes=("1432", "1433", "1431", "1430"),
            old_names=("Førde", "Naustdal", "Jølster", "Gaular"),
            role="self",
            series_break=True,
        )
    ],
    HOLE: [
        ChangeEvent(
            kind="renumbering",
            year=2024,
            code=HOLE,
            name="Hole",
            old_codes=("3038",),
            role="self",
            series_break=False,
        )
    ],
    BAERUM: [
        ChangeEvent(
            kind="renumbering",
            year=2024,
            code=BAERUM,
            name="Bærum",
            old_codes=("3024",),
            role="self",
            series_break=False,
        ),
        ChangeEvent(
            kind="merger",
            year=2020,
            code="3203",
            name="Asker",
            old_codes=("0220", "0627", "0628"),
            old_names=("Asker", "Røyken", "Hurum"),
            role="peer",
            series_break=True,
        ),
    ],
}


def make_report(
    code: str = BAERUM, *, synthetic: bool = True, map_indicator: str | None = None
) -> ReportData:
    """A :class:`ReportData` for ``code`` built by the adapter from the made-up frames."""
    total, sectors = barometer()
    members = peer_codes(code)
    group = "ASSS" if code in ASSS else "Naboer"
    return build_report_data(
        municipality=Place(code=code, name=names()[code]),
        year=YEAR,
        peers=PeerGroupInfo(
            key=group.lower(),
            name=group,
            members=tuple(Place(code=c, name=names()[c]) for c in members),
            compare=(Place(code="0301", name="Oslo"),) if code not in ASSS else (),
        ),
        catalog=catalog(),
        profile=profile(code),
        evaluated=evaluated(),
        need=need(code),
        need_index_year=YEAR + 1,
        production=production(code),
        barometer_total=total,
        barometer_sectors=sectors,
        barometer_drivers=drivers(code),
        vintage=VintageInfo(
            preliminary=True,
            tables=(
                TableStamp(table_id="12345", updated=datetime(2025, 3, 15, 8, 0), preliminary=True),
            ),
        ),
        synthetic=synthetic,
        names=names(),
        events=EVENTS.get(code, ()),
        assumptions=(
            Assumption(
                key="peer_average",
                value="vektet",
                text_nb="Snittet i sammenligningsgruppen",
                text_en="Peer average",
            ),
        ),
        county="Akershus" if code == BAERUM else None,
        map_indicator=map_indicator,
    )
