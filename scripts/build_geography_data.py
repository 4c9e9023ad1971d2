"""Build the packaged geography data in ``src/kostra/data/geography/`` from ``../shared/data``.

Run from the repository root (idempotent, writes atomically)::

    python scripts/build_geography_data.py [--shared ../shared]

Inputs (read-only, see ``docs/DATA.md`` § Geography and population):

* ``reference/redistricting_to_2024.csv``: every municipality code of every year mapped to the
  2024 structure, with population weights for splits;
* ``reference/location_names_2024.csv``: the 2024 names (Sami/Kven forms joined with "-", written
  here as Klass writes them, with " - "), overridden by the region labels of SSB's own statbank
  download ``kostra_real_fragments/13502_*.xlsm`` (June 2024) for the codes it names;
* ``reference/population_by_age_sex_2005_2026.parquet``: population on 1 January, 2024 borders;
* ``ssb_statbank_exports/Personer*.csv``: SSB table 07459 as downloaded from the statbank, with the
  codes valid at the time; these give the old codes, their names and the old-border population.

Outputs:

* ``municipality_years.parquet``: (year, code, name, county_code) for every municipality valid on
  1 January of each year 2005–2026;
* ``counties.parquet``: (year, county_code, county_name);
* ``transitions.parquet``: (year, old_code, new_code, weight, kind): how the municipalities valid in
  ``year - 1`` became those valid in ``year`` (identity rows left out);
* ``population_2024_borders.parquet``: (year, region, sex, age, population), sex "female"/"male";
* ``population_original_borders.parquet``: (year, region, age, population), both sexes, codes
  valid in each year (2005–2023 from the statbank exports, 2024–2026 from the reference).
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import re
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "kostra" / "data" / "geography"
FIRST_YEAR, LAST_YEAR = 2005, 2026
LAST_EXPORT_YEAR = 2023

# County names are facts of law (the county reforms of 2018, 2020 and 2024); no file in
# ../shared lists the old ones, so they are written out here, bokmål form as SSB labels them.
COUNTIES_BEFORE_2020 = {
    "01": "Østfold",
    "02": "Akershus",
    "03": "Oslo",
    "04": "Hedmark",
    "05": "Oppland",
    "06": "Buskerud",
    "07": "Vestfold",
    "08": "Telemark",
    "09": "Aust-Agder",
    "10": "Vest-Agder",
    "11": "Rogaland",
    "12": "Hordaland",
    "14": "Sogn og Fjordane",
    "15": "Møre og Romsdal",
    "16": "Sør-Trøndelag",
    "17": "Nord-Trøndelag",
    "18": "Nordland",
    "19": "Troms",
    "20": "Finnmark",
    # Sør- and Nord-Trøndelag merged into Trøndelag on 1 January 2018.
    "50": "Trøndelag",
}
COUNTIES_2020_2023 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "30": "Viken",
    "34": "Innlandet",
    "38": "Vestfold og Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "54": "Troms og Finnmark",
}
# Klass 104's names of the counties of 2024, parallel names joined with " - " as Klass writes them
# (the 2024 name list in ../shared spells several differently: "Troms-Romssa", "Oslo-Oslove").
COUNTIES_2024 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland - Nordlánnda",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag - Trööndelage",
    "55": "Troms - Romsa - Tromssa",
    "56": "Finnmark - Finnmárku - Finmarkku",
}
# The first part of a compound name ("Nord-Fron", "Aurskog-Høland"): its hyphen is part of the
# name. Every other hyphen in the 2024 name list joins parallel names ("Deatnu-Tana").
COMPOUND_PREFIXES = frozenset({"Nord", "Sør", "Stor", "Midt", "Aurskog", "Aust", "Vest", "Øvre"})
# SSB's own statbank download of June 2024 (table 13502): its region labels are the names the
# statbank shows for the codes valid in 2024, which win over the 2024 name list.
STATBANK_LABELS = Path("kostra_real_fragments") / "13502_barnehage_andel_1_2_ar_2015_2023.xlsm"

# Codes the statbank downloads leave out although they were valid (merged away 2008–2017);
# their names, for the years the redistricting file gives them.
ABSENT_FROM_EXPORTS = {
    "0706": "Sandefjord",
    "0719": "Andebu",
    "0720": "Stokke",
    "1503": "Kristiansund",
    "1556": "Frei",
    "1723": "Mosvik",
    "1729": "Inderøy",
    "1901": "Harstad",
    "1915": "Bjarkøy",
}

# The 2006 mergers (Vindafjord + Ølen -> 1160 Vindafjord, Aure + Tustna -> 1576 Aure) are
# missing from the redistricting file, which treats 1160 and 1576 as valid in 2005; the exports
# have zeros for both in 2005 and no row for the old codes. Code -> (name, code it merged into).
MERGED_2006 = {
    "1154": ("Vindafjord", "1160"),
    "1159": ("Ølen", "1160"),
    "1569": ("Aure", "1576"),
    "1572": ("Tustna", "1576"),
}

# Haram, merged into Ålesund (1507) on 1 January 2020, was re-established on 1 January 2024 within
# its borders from before 2020 (Klass 131): across both reforms old Haram (1534) is new Haram
# (1580) and the other four parts of 1507 are new Ålesund (1508), with no weighting at all.
RESTORED_2024 = {"1534": "1580", "1504": "1508", "1523": "1508", "1529": "1508", "1546": "1508"}

_LABEL = re.compile(r"^(?:K-)?(\d{4})\s+(.*)$")
_VALIDITY_SUFFIX = re.compile(r"\s*\((?:\d{4})?-\d{4}\)\s*$")
_AGE = re.compile(r"^(\d+)\s+years?")


def read_export(path: Path) -> pl.DataFrame:
    """One statbank download as (year, code, label, age, population), read as SSB wrote it."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    lines = [line for line in text.splitlines() if line.strip()]
    # Some downloads start with a title line ("07459: Population, ..."); the header names "region".
    start = next(i for i, line in enumerate(lines) if line.lstrip('"').startswith("region"))
    header = lines[start]
    delimiter = max(("\t", ";", ","), key=header.count)
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter))
    columns = rows[0]
    years = [int(re.sub(r"\D", "", name)) for name in columns[2:]]
    records: list[tuple[int, str, str, int, int | None]] = []
    for row in rows[1:]:
        match = _LABEL.match(row[0])
        if match is None:  # "K-Rest Divided municipalities and unknown" and the like
            continue
        age_match = _AGE.match(row[1])
        if age_match is None:
            raise ValueError(f"{path.name}: unexpected age label {row[1]!r}")
        for year, cell in zip(years, row[2:], strict=True):
            value = None if cell.strip() in {"", ".", "..", "...", ":", "-"} else int(cell)
            records.append((year, match.group(1), match.group(2), int(age_match.group(1)), value))
    return pl.DataFrame(
        records,
        schema={
            "year": pl.Int32,
            "code": pl.Utf8,
            "label": pl.Utf8,
            "age": pl.Int8,
            "population": pl.Int64,
        },
        orient="row",
    )


def clean_name(label: str) -> str:
    """A statbank label's name part without validity suffixes and English words."""
    name = _VALIDITY_SUFFIX.sub("", label).strip()
    return name.removesuffix(" municipality")


def klass_form(name: str) -> str:
    """A name of the 2024 name list written as Klass writes it: parallel names joined with
    " - " ("Deatnu-Tana" -> "Deatnu - Tana"), compound names kept ("Nord-Fron")."""
    parts = name.split("-")
    written = parts[0]
    for before, part in itertools.pairwise(parts):
        written += ("-" if before in COMPOUND_PREFIXES else " - ") + part
    return written


def statbank_names(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The region names of a statbank download, as two maps code -> name: the codes still valid
    when it was downloaded ("5001 Trondheim - Tråante"), and every code, without its validity
    suffix ("2025 Deatnu - Tana (-2019)"). Both are empty when the file is absent."""
    current: dict[str, str] = {}
    past: dict[str, str] = {}
    if not path.exists():
        return current, past
    import openpyxl  # only the build needs it

    book = openpyxl.load_workbook(path, read_only=True)
    for (cell,) in book.worksheets[0].iter_rows(min_col=1, max_col=1, values_only=True):
        match = _LABEL.match(cell) if isinstance(cell, str) else None
        if match:
            label = match.group(2)
            if not _VALIDITY_SUFFIX.search(label):
                current[match.group(1)] = clean_name(label)
            past[match.group(1)] = clean_name(label)
    book.close()
    return current, past


def build(shared: Path) -> dict[str, pl.DataFrame]:
    """All packaged tables, keyed by file stem."""
    data = shared / "data"
    exports = pl.concat(
        [read_export(p) for p in sorted((data / "ssb_statbank_exports").glob("Personer*.csv"))]
    )
    # A download spanning years lists every code of the span; a code not valid in a year has
    # zeros there (no municipality has ever had nobody living in it). The downloads also lack a
    # few codes altogether (ABSENT_FROM_EXPORTS); the redistricting file knows those.
    totals = exports.group_by("year", "code").agg(pl.col("population").sum())
    red_codes = (
        pl.read_csv(data / "reference" / "redistricting_to_2024.csv", infer_schema_length=0)
        .filter(pl.col("granularity_geo") == "municip")
        .select(
            pl.col("calyear").cast(pl.Int32).alias("year"),
            pl.col("location_code_original").str.replace("municip_nor", "").alias("code"),
        )
        .filter(pl.col("year").is_between(FIRST_YEAR, LAST_EXPORT_YEAR))
        .unique()
    )
    merged_2006 = pl.DataFrame(
        {"year": FIRST_YEAR, "code": list(MERGED_2006)},
        schema={"year": pl.Int32, "code": pl.Utf8},
    )
    absent = pl.concat(
        [red_codes.filter(pl.col("code").is_in(list(ABSENT_FROM_EXPORTS))), merged_2006]
    )
    valid_old = pl.concat(
        [totals.filter(pl.col("population") > 0).select("year", "code"), absent]
    ).sort("year", "code")
    unexplained = red_codes.join(valid_old, on=["year", "code"], how="anti").join(
        totals, on=["year", "code"], how="anti"
    )
    # The reference already lists the 2024 codes in 2023; those are the only ones allowed here.
    unexplained = unexplained.filter(pl.col("year") < LAST_EXPORT_YEAR)
    if unexplained.height:
        raise ValueError(f"codes in the redistricting file but not in the exports: {unexplained}")
    old_population = pl.concat(
        [
            exports.join(valid_old, on=["year", "code"]).select(
                "year", pl.col("code").alias("region"), "age", "population"
            ),
            # Missing stays missing: the absent codes get null counts, not zeros.
            absent.join(
                pl.DataFrame({"age": list(range(106))}, schema={"age": pl.Int8}), how="cross"
            ).select(
                "year",
                pl.col("code").alias("region"),
                "age",
                pl.lit(None, dtype=pl.Int64).alias("population"),
            ),
        ]
    )

    _check_absent(old_population)

    names_2024 = (
        pl.read_csv(data / "reference" / "location_names_2024.csv")
        .filter(pl.col("granularity_geo") == "municip")
        .select(
            pl.col("location_code").str.replace("municip_nor", "").alias("code"),
            pl.col("location_name").map_elements(klass_form, return_dtype=pl.Utf8).alias("name"),
        )
    )
    statbank_current, statbank_past = statbank_names(data / STATBANK_LABELS)
    statbank_old = pl.DataFrame(
        list(statbank_past.items()), schema=["code", "statbank_name"], orient="row"
    )
    county_names_2024 = pl.DataFrame(
        list(COUNTIES_2024.items()), schema=["county_code", "county_name"], orient="row"
    )
    # Two pairs share a name in 2024 (Våler, Herøy); SSB tells them apart by county.
    names_2024 = (
        names_2024.with_columns(pl.col("code").str.slice(0, 2).alias("county_code"))
        .join(county_names_2024, on="county_code")
        .with_columns(
            pl.when(pl.col("name").is_duplicated())
            .then(pl.format("{} ({})", "name", pl.col("county_name").str.split(" - ").list.first()))
            .otherwise(pl.col("name"))
            .alias("name")
        )
        .select("code", "name")
    )
    # SSB's own labels win, after the homonyms got their county (the statbank already writes
    # "Våler (Innlandet)", the list only "Våler").
    names_2024 = names_2024.with_columns(
        pl.col("code").replace_strict(statbank_current, default=pl.col("name")).alias("name")
    )

    labels = (
        exports.select("year", "code", "label")
        .unique()
        .with_columns(pl.col("label").map_elements(clean_name, return_dtype=pl.Utf8).alias("name"))
        .with_columns(
            (
                ~pl.col("name").str.contains("\ufffd", literal=True)
                & ~pl.col("name").str.contains("ï¿½", literal=True)
            ).alias("ok")
        )
    )
    # A code's name in a year: its own label if intact, else its latest intact label; the
    # 2020–2023 downloads also mangle "Steinkjer" to "teinkj", so the 2024 list wins for codes
    # still valid in 2024.
    latest_clean = pl.concat(
        [
            labels.filter(pl.col("ok")).select("year", "code", "name"),
            pl.DataFrame(
                {
                    "year": 0,
                    "code": [*ABSENT_FROM_EXPORTS, *MERGED_2006],
                    "name": [*ABSENT_FROM_EXPORTS.values()]
                    + [name for name, _ in MERGED_2006.values()],
                },
                schema={"year": pl.Int32, "code": pl.Utf8, "name": pl.Utf8},
            ),
        ]
    )
    latest_clean = (
        latest_clean.sort("year").group_by("code").agg(pl.col("name").last().alias("fallback"))
    )
    old_years = (
        valid_old.join(labels.select("year", "code", "name", "ok"), on=["year", "code"], how="left")
        .join(latest_clean, on="code", how="left")
        .join(names_2024.rename({"name": "name_2024"}), on="code", how="left")
        .join(statbank_old, on="code", how="left")
        .select(
            "year",
            "code",
            pl.coalesce(
                pl.col("name_2024"),
                pl.col("statbank_name"),
                pl.when(pl.col("ok").fill_null(False))
                .then(pl.col("name"))
                .otherwise(pl.col("fallback")),
            ).alias("name"),
        )
    )
    new_years = pl.concat(
        [
            names_2024.with_columns(pl.lit(year, dtype=pl.Int32).alias("year"))
            for year in range(LAST_EXPORT_YEAR + 1, LAST_YEAR + 1)
        ]
    ).select("year", "code", "name")
    municipality_years = (
        pl.concat([old_years, new_years])
        .with_columns(pl.col("code").str.slice(0, 2).alias("county_code"))
        .sort("year", "code")
    )

    counties = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        present = municipality_years.filter(pl.col("year") == year)["county_code"].unique()
        if year < 2020:
            table = COUNTIES_BEFORE_2020
        elif year < 2024:
            table = COUNTIES_2020_2023
        else:
            table = dict(county_names_2024.iter_rows())
        for code in sorted(present):
            counties.append((year, code, table[code]))
    county_frame = pl.DataFrame(
        counties,
        schema={"year": pl.Int32, "county_code": pl.Utf8, "county_name": pl.Utf8},
        orient="row",
    )

    transitions = build_transitions(data, municipality_years)
    population_2024 = _split_alesund_haram(build_population_2024(data), old_population, transitions)
    population_original = pl.concat(
        [
            old_population,
            population_2024.filter(pl.col("year") > LAST_EXPORT_YEAR)
            .group_by("year", "region", "age")
            .agg(pl.col("population").sum().cast(pl.Int64)),
        ]
    ).sort("year", "region", "age")
    return {
        "municipality_years": municipality_years,
        "counties": county_frame,
        "transitions": transitions,
        "restorations": pl.DataFrame(
            [(old, new, 2020, 2024) for old, new in RESTORED_2024.items()],
            schema={
                "old_code": pl.Utf8,
                "new_code": pl.Utf8,
                "merged_year": pl.Int32,
                "split_year": pl.Int32,
            },
            orient="row",
        ),
        "population_2024_borders": population_2024,
        "population_original_borders": population_original.with_columns(
            pl.col("population").cast(pl.Int32)
        ),
    }


def _check_absent(old_population: pl.DataFrame) -> None:
    """Missing is missing: no code-year may add up to 0 people, and the absent codes stay null.

    The downloads write 0 under 0710 Sandefjord, 1505 Kristiansund, 1756 Inderøy and 1903
    Harstad for the years before those units were formed: they do not carry the old codes'
    history, so nothing in them reconstructs 0706/0719/0720, 1503/1556, 1723/1729 or 1901/1915.
    The 2024-border reference has only their sums (today's 3907, 1505, 5053, 5503), which no
    rule shares out exactly; kostra uses those sums for counties, the country and for the later
    borders on which each group is one code (``kostra.geography.population``), and leaves the
    old codes null here.
    """
    per_unit = old_population.group_by("year", "region").agg(
        pl.col("population").sum().alias("total"),
        pl.col("population").is_null().all().alias("absent"),
        pl.col("population").is_null().any().alias("gap"),
    )
    zero = per_unit.filter((pl.col("total") == 0) & ~pl.col("gap"))
    if zero.height:
        raise ValueError(f"code-years with 0 people read as data: {zero}")
    partial = per_unit.filter(pl.col("gap") & ~pl.col("absent"))
    if partial.height:
        raise ValueError(f"code-years with some ages missing: {partial}")
    absent = per_unit.filter(pl.col("absent"))
    expected = set(ABSENT_FROM_EXPORTS) | set(MERGED_2006)
    unexpected = absent.filter(~pl.col("region").is_in(list(expected)))
    if unexpected.height:
        raise ValueError(f"null population for codes the exports should have: {unexpected}")


def build_transitions(data: Path, municipality_years: pl.DataFrame) -> pl.DataFrame:
    """The changes on each 1 January: old code → new code, the share of the old unit it takes.

    ``redistricting_to_2024.csv`` maps every code of every year to the 2024 units, with SSB's
    population weights for splits. A code that vanishes between two years is linked to the codes
    that appear and share a 2024 unit with it. Because later mergers make several codes share a
    2024 unit (Trondheim and Klæbu both end in 5001), a same-name successor wins: Klæbu 1662
    became Klæbu 5030 in 2018, not Trondheim 5001. A code that appears with no predecessor left is
    a split-off part (Haram 1580 from Ålesund 1507 in 2024). Only when no new code fits is a
    vanished code merged into a surviving one (Frei into Kristiansund 1505 in 2008).
    """
    red = (
        pl.read_csv(data / "reference" / "redistricting_to_2024.csv", infer_schema_length=0)
        .filter(pl.col("granularity_geo") == "municip")
        .select(
            pl.col("calyear").cast(pl.Int32).alias("year"),
            pl.col("location_code_original").str.replace("municip_nor", "").alias("code"),
            pl.col("location_code_current").str.replace("municip_nor", "").alias("target"),
            pl.col("weighting").cast(pl.Float64).alias("w"),
        )
    )
    red = pl.concat(
        [
            red,
            pl.DataFrame(
                [(FIRST_YEAR, code, target, 1.0) for code, (_, target) in MERGED_2006.items()],
                schema=red.schema,
                orient="row",
            ),
        ]
    )
    valid = municipality_years.select("year", "code", "name")
    # The reference lists the 2024 codes in 2023 too; keep only the codes valid each year.
    to_2024 = red.join(valid, on=["year", "code"], how="semi")
    missing = valid.join(to_2024, on=["year", "code"], how="anti")
    if missing.height:
        raise ValueError(f"codes without a 2024 mapping: {missing}")
    targets: dict[tuple[int, str], dict[str, float]] = {}
    for year, code, target, w in to_2024.iter_rows():
        targets.setdefault((year, code), {})[target] = w
    names = {(year, code): _name_parts(name) for year, code, name in valid.iter_rows()}

    rows: list[tuple[int, str, str, float]] = []
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        before = {code for (y, code) in targets if y == year - 1}
        after = {code for (y, code) in targets if y == year}
        gone, new, kept = sorted(before - after), sorted(after - before), after & before

        def sharing(code: str, pool: set[str] | list[str], y: int = year) -> list[str]:
            mine = targets[(y - 1, code)]
            return [c for c in sorted(pool) if mine.keys() & targets[(y, c)].keys()]

        successors: dict[str, list[str]] = {}
        for code in gone:
            candidates = sharing(code, new)
            same_name = [c for c in candidates if names[(year - 1, code)] & names[(year, c)]]
            successors[code] = same_name or candidates or sharing(code, kept)
        linked = {c for succ in successors.values() for c in succ}
        for code in gone:
            orphans = [c for c in sharing(code, new) if c not in linked]
            successors[code] += orphans
            if not successors[code]:
                raise ValueError(f"{code} vanished in {year} without a successor")
        for code, succ in successors.items():
            mine = targets[(year - 1, code)]
            shares = [sum(mine[t] for t in mine.keys() & targets[(year, c)].keys()) for c in succ]
            total = sum(shares)
            rows.extend(
                (year, code, c, share / total) for c, share in zip(succ, shares, strict=True)
            )
    links = pl.DataFrame(
        rows,
        schema={"year": pl.Int32, "old_code": pl.Utf8, "new_code": pl.Utf8, "weight": pl.Float64},
        orient="row",
    )
    links = _reweight_alesund_haram(data, links)
    n_succ = pl.col("new_code").count().over("year", "old_code")
    n_pred = pl.col("old_code").count().over("year", "new_code")
    # A new code that already existed the year before absorbed the vanished one (a merger).
    existing = valid.select((pl.col("year") + 1).alias("year"), pl.col("code").alias("new_code"))
    links = links.join(
        existing.with_columns(pl.lit(True).alias("kept")), on=["year", "new_code"], how="left"
    )
    kind = (
        pl.when(n_succ > 1)
        .then(pl.lit("split"))
        .when((n_pred > 1) | pl.col("kept").fill_null(False))
        .then(pl.lit("merger"))
        .otherwise(pl.lit("renumbering"))
    )
    return links.with_columns(kind.alias("kind")).drop("kept").sort("year", "new_code", "old_code")


def _name_parts(name: str) -> set[str]:
    """A name's parts for matching ("Snåase-Snåsa" -> {"snåase", "snåsa"})."""
    base = re.sub(r"\s*\(.*?\)", "", name).lower()
    return {part.strip() for part in base.split("-") if part.strip()}


def _reweight_alesund_haram(data: Path, links: pl.DataFrame) -> pl.DataFrame:
    """Split Ålesund (1507) by the 2024 population of Ålesund (1508) and Haram (1580).

    The reference splits 1507 half and half, which its carrier calls artificial (Haram has about
    one seventh of the people). The population on 1 January 2024, the first count on the new
    borders, gives the shares the other splits also use.
    """
    pop = (
        pl.read_parquet(data / "reference" / "population_by_age_sex_2005_2026.parquet")
        .filter(
            (pl.col("calyear") == 2024)
            & (pl.col("sex") == "total")
            & pl.col("code").is_in(["1508", "1580"])
        )
        .group_by("code")
        .agg(pl.col("pop_jan1_n").sum())
    )
    weights = dict(
        zip(pop["code"], (pop["pop_jan1_n"] / pop["pop_jan1_n"].sum()).to_list(), strict=True)
    )
    is_split = (pl.col("year") == 2024) & (pl.col("old_code") == "1507")
    return links.with_columns(
        pl.when(is_split)
        .then(pl.col("new_code").replace_strict(weights, default=None, return_dtype=pl.Float64))
        .otherwise(pl.col("weight"))
        .alias("weight")
    )


def build_population_2024(data: Path) -> pl.DataFrame:
    """Population by sex and single age, 2024 borders (total is the sum of the sexes)."""
    return (
        pl.read_parquet(data / "reference" / "population_by_age_sex_2005_2026.parquet")
        .filter((pl.col("granularity_geo") == "municip") & (pl.col("sex") != "total"))
        .select(
            pl.col("calyear").cast(pl.Int32).alias("year"),
            pl.col("code").alias("region"),
            pl.col("sex"),
            pl.col("age").cast(pl.Int8),
            pl.col("pop_jan1_n").cast(pl.Int32).alias("population"),
        )
        .sort("year", "region", "sex", "age")
    )


def _split_alesund_haram(
    population: pl.DataFrame, old_population: pl.DataFrame, transitions: pl.DataFrame
) -> pl.DataFrame:
    """Replace the reference's half-and-half split of old Ålesund between 1508 and 1580.

    The reference's combined figure (1508 + 1580, by sex and age) is kept and shared out again:
    to 2019 by the own-border population of old Haram (1534) against the other four parts, age by
    age; in 2020–2023 by Haram's share on 1 January 2024, the split weight of the code history.
    Female and male counts of Haram are thus estimates (the downloads have both sexes only); the
    sum of the two codes is the reference's, unchanged.
    """
    before = population.filter(pl.col("region").is_in(["1508", "1580"]) & (pl.col("year") < 2024))
    combined = before.group_by("year", "sex", "age").agg(pl.col("population").sum())
    parts = old_population.filter(pl.col("region").is_in(list(RESTORED_2024))).with_columns(
        pl.col("region").replace_strict(RESTORED_2024).alias("new")
    )
    by_age = parts.group_by("year", "age").agg(
        (
            pl.col("population").filter(pl.col("new") == "1580").sum() / pl.col("population").sum()
        ).alias("share")
    )
    weight = transitions.filter(
        (pl.col("year") == 2024) & (pl.col("old_code") == "1507") & (pl.col("new_code") == "1580")
    )["weight"].item()
    shares = combined.join(by_age, on=["year", "age"], how="left").with_columns(
        pl.when(pl.col("year") >= 2020)
        .then(pl.lit(weight))
        .otherwise(pl.col("share").fill_nan(0.0).fill_null(0.0))
        .alias("share")
    )
    haram = (pl.col("population") * pl.col("share")).round(0).cast(pl.Int32)
    fixed = pl.concat(
        [
            shares.select(
                "year", pl.lit("1580").alias("region"), "sex", "age", haram.alias("population")
            ),
            shares.select(
                "year",
                pl.lit("1508").alias("region"),
                "sex",
                "age",
                (pl.col("population") - haram).cast(pl.Int32).alias("population"),
            ),
        ]
    )
    rest = population.join(before, on=["year", "region", "sex", "age"], how="anti")
    return pl.concat([rest, fixed.select(rest.columns)]).sort("year", "region", "sex", "age")


def write(tables: dict[str, pl.DataFrame], out: Path) -> None:
    """Write each table as ``<name>.parquet`` (temp file + rename) and a provenance JSON."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        target = out / f"{name}.parquet"
        temporary = out / f".{name}.parquet.partial"
        frame.write_parquet(temporary, compression="zstd", compression_level=19, statistics=False)
        temporary.replace(target)
    meta = {
        "built_by": "scripts/build_geography_data.py",
        "sources": [
            "shared/data/reference/redistricting_to_2024.csv",
            "shared/data/reference/location_names_2024.csv",
            "shared/data/reference/population_by_age_sex_2005_2026.parquet",
            "shared/data/ssb_statbank_exports/Personer*.csv (SSB table 07459)",
            "shared/data/kostra_real_fragments/13502_barnehage_andel_1_2_ar_2015_2023.xlsm"
            " (region names as the statbank wrote them in June 2024)",
        ],
        "rows": {name: frame.height for name, frame in tables.items()},
    }
    (out / "provenance.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    """Command line entry: build from ``--shared`` into the package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    tables = build(args.shared)
    write(tables, args.out)
    for name, frame in tables.items():
        size = (args.out / f"{name}.parquet").stat().st_size
        print(f"{name}: {frame.height} rows, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
