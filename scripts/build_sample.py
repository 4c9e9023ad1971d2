"""Build kostra's packaged sample: synthetic KOSTRA figures, labelled synthetic, from real inputs.

Run from the repository root (deterministic for a given seed; writes atomically)::

    python scripts/build_sample.py [--shared ../shared] [--seed 20260316]

What it makes: ``src/kostra/data/sample/observations.parquet`` (the long observation frame of
:mod:`kostra.frames`, zstd) and ``metadata.json`` (``synthetic: true``, seed, build date, inputs,
tables). Every series the indicator catalog refers to is generated, for every municipality valid
in each year 2015–2025 on the codes valid that year, plus ``EAK`` (country), ``EAKUO`` (country
without Oslo) and ``EKAnn`` (the counties of that year). It is stored in SSB's shape: every
region code of 2015–2025 in every year, with an empty cell and "." (category not applicable)
where the code did not exist that year (:func:`full_grid`).

Real inputs:

* population on 1 January by single-year age, on 2024 borders and on the borders of each year
  (``src/kostra/data/geography/``, built by ``scripts/build_geography_data.py`` from SSB 07459);
* how every municipality of 2015–2023 maps to the 2024 structure
  (``shared/data/reference/redistricting_to_2024.csv``, population weights for splits);
* the income system's sector expenditure-need indices 2026 (Grønt hefte, 2024 borders), with 2025
  where 2026 lacks a municipality;
* SSB's national ("Landet") and Oslo levels 2020–2025 from
  ``shared/data/kostra_real_fragments/Lorenskog_KOSTRA_2025_nokkeltall.xlsx``.

Model (all draws from one seeded NumPy generator per series, so a subset of tables rebuilds to the
same numbers):

1. Amounts (12362, 1000 kr) are generated per 2024-border municipality ("unit"): national level
   per member of the sector's target group × the unit's group population (1 January t+1) × its
   need index × a persistent municipality effect × a slow AR(1) drift; then allocated to the
   municipalities valid in year t in proportion to their population inside each unit (mergers
   sum back exactly; splits by the population weights of the redistricting file), given a small
   size-scaled yearly noise, and scaled (all but Oslo) so that the country matches the real
   national level. Oslo is set to its real level where the workbook has it.
2. Counts (children with measures, recipients, residents, m², MWh) follow the same path and are
   drawn Poisson (or binomially from a parent count) at the end.
3. Ready ratios are generated on a transformed scale (log for positive, logit for shares, linear
   otherwise): national level + persistent effect of the municipality's unit + AR(1) + noise
   that grows as the target group shrinks (``Spec.noise`` at 500 members, × √(500/members), at
   most 4 ×); then shifted so that the weighted (or simple) mean of
   the municipalities equals the real national level; Oslo is pinned to its real value.
4. Ratios SSB derives from other series (NDU per inhabitant 6–15, occupancy, cost per day, culture
   share …) are computed from the generated components, so numerators and denominators agree.
5. Aggregates are sums (amounts, counts), weighted means with the catalog's weights (ready
   ratios), or recomputed from aggregated components (derived ratios), always over the true
   values, as SSB's aggregates include suppressed and imputed municipalities.
6. SSB status symbols: ``:`` for counts 1–4 and for ratios of very small target groups, ``..``
   for a few missing reports (about 0.4 % of municipality × table × year outside the accounts),
   ``.`` where a service does not exist (no municipal wastewater fees, no building applications
   in restricted areas).

Levels for years before 2020, and for series the workbook does not cover, are documented
assumptions in ``_specs()``, ``OTHER_FUNCTIONS`` and ``VAR_BDU`` below (national value in 2025
and a yearly growth rate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from kostra.catalog import load_catalog  # noqa: E402
from kostra.catalog.models import series_key  # noqa: E402
from kostra.frames import OBSERVATION_SCHEMA, encode_dims  # noqa: E402

OUT = REPO / "src" / "kostra" / "data" / "sample"
GEOGRAPHY = REPO / "src" / "kostra" / "data" / "geography"
YEARS = list(range(2015, 2026))
SEED = 20260316  # the day SSB published the preliminary 2025 figures used for calibration
OSLO = "0301"
XLSX = "data/kostra_real_fragments/Lorenskog_KOSTRA_2025_nokkeltall.xlsx"
AGE_GROUPS: dict[str, tuple[int, int]] = {
    "total": (0, 200), "0": (0, 0), "1-5": (1, 5), "6-15": (6, 15), "6-12": (6, 12),
    "13-15": (13, 15), "16-18": (16, 18), "0-17": (0, 17), "16-66": (16, 66),
    "18-66": (18, 66), "67+": (67, 200), "67-79": (67, 79), "80+": (80, 200),
    "80-89": (80, 89), "90+": (90, 200), "0-5": (0, 5), "1-2": (1, 2), "3-5": (3, 5),
}  # fmt: skip

TABLE_TITLES = {
    "11875": "Institusjoner: disponible plasser (K)",
    "11906": "Areal på kommunale formålsbygg, etter eieform (K)",
    "12134": "Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern (K)",
    "12137": "Finansielle nøkkeltall i kroner per innbygger, kommunekonsern (K)",
    "12150": "Energibruk i kommunal eiendomsforvaltning (K)",
    "12209": "Utvalgte nøkkeltall for helse og omsorg (K)",
    "12235": "Grunnskole, korrigerte brutto driftsutgifter per elev (K)",
    "12255": "Utvalgte nøkkeltall for grunnskole (K)",
    "12272": "Minoritetsspråklige barn i barnehager 1-5 år (K)",
    "12275": "Barn med tiltak i løpet av året og per 31. desember (K)",
    "12279": "Nøkkeltall utgifter barnevern (K)",
    "12286": "Barn med undersøkelse og prosentdelen barn med undersøkelse (K)",
    "12292": "Omsorgstjenester - supplerende grunnlagstall (K)",
    "12293": "KOSTRA-nøkkeltall omsorgstjenester (K)",
    "12305": "Stillinger i barnevernstjenesten etter fagutdanning (K)",
    "12362": "Utgifter til tjenesteområdene, etter funksjon og art (K)",
    "12615": "Barn med melding og prosentdelen barn med melding (K)",
    "12842": "Kommunale gebyrer knyttet til bolig (K)",
    "12870": "Barn med undersøkelse eller tiltak i løpet av året (K)",
    "12905": "Utgifter til forvaltning, drift og vedlikehold av formålsbygg (K)",
    "13135": "Utvalgte nøkkeltall for kultur (K)",
    "13502": "Utvalgte nøkkeltall for barnehager (K)",
    "13526": "KOSTRA-nøkkeltall for miljøforvaltning (K)",
    "14019": "Utvalgte nøkkeltall for sosialtjenesten (K)",
}

# ---------------------------------------------------------------- accounts (12362)
# Sector NDU per member of the target group: real national (and Oslo) values 2020–2025 from the
# workbook; earlier years extrapolated back at 4.5 % a year (nominal growth 2015–2020).
SECTOR_LEVELS: dict[str, tuple[str, str, str | None]] = {
    # sector: (target group, workbook sheet/title, kostnadsnivå row)
    "grunnskole": ("6-15", "Netto driftsutgifter til grunnskole per innbygger 6-15 år (kr)", None),
    "barnehage": ("1-5", "Netto driftsutgifter barnehage per innb. 1-5 år (kr)", None),
    "kultur": ("total", "Netto driftsutgifter kultur per innbygger (kr)", None),
    "pleie": ("total", "", "Pleie og omsorg (ekskl. kommunehelse)"),
    "barnevern": ("total", "", "Barnevern"),
    "sosial": ("total", "", "Sosialsektor"),
    "kommunehelse": ("total", "", "Kommunehelse (232+233+241)"),
    "administrasjon": ("total", "", "Administrasjon, kommune"),
}
# function: (sector, share of the sector's NDU, BDU/NDU); need index key per sector.
FUNCTIONS: dict[str, tuple[str, float, float]] = {
    "202": ("grunnskole", 0.80, 1.10), "213": ("grunnskole", 0.01, 1.30),
    "215": ("grunnskole", 0.05, 1.60), "222": ("grunnskole", 0.11, 1.08),
    "223": ("grunnskole", 0.03, 1.02),
    "201": ("barnehage", 0.90, 1.14), "211": ("barnehage", 0.07, 1.05),
    "221": ("barnehage", 0.03, 1.05),
    "244": ("barnevern", 0.28, 1.04), "251": ("barnevern", 0.17, 1.06),
    "252": ("barnevern", 0.55, 1.08),
    "232": ("kommunehelse", 0.22, 1.12), "233": ("kommunehelse", 0.10, 1.15),
    "241": ("kommunehelse", 0.68, 1.30),
    "234": ("pleie", 0.07, 1.20), "253": ("pleie", 0.48, 1.30), "254": ("pleie", 0.42, 1.25),
    "261": ("pleie", 0.03, 1.10),
    "242": ("sosial", 0.27, 1.10), "243": ("sosial", 0.09, 1.20), "273": ("sosial", 0.15, 1.40),
    "276": ("sosial", 0.08, 1.20), "281": ("sosial", 0.41, 1.05),
    "100": ("administrasjon", 0.10, 1.02), "110": ("administrasjon", 0.03, 1.01),
    "120": ("administrasjon", 0.72, 1.15), "121": ("administrasjon", 0.06, 1.30),
    "130": ("administrasjon", 0.09, 1.40),
    "231": ("kultur", 0.12, 1.20), "370": ("kultur", 0.107, 1.08), "373": ("kultur", 0.01, 2.00),
    "375": ("kultur", 0.05, 1.20), "377": ("kultur", 0.06, 1.20), "380": ("kultur", 0.10, 1.30),
    "381": ("kultur", 0.25, 1.35), "383": ("kultur", 0.10, 1.60), "385": ("kultur", 0.15, 1.20),
    "386": ("kultur", 0.053, 1.30),
}  # fmt: skip
# Functions whose spending follows a narrower group than their sector's target group (the
# sector's national level stays per member of the sector's group): the health centre and school
# health service (232) serves children and youth, so a municipality with few children spends
# little on it. Allocating it by all inhabitants gave Utsira 15 × the country per child 0–5.
ALLOCATION_GROUP: dict[str, str] = {"232": "0-17"}
# Functions outside the sectors: NDU kr per inhabitant in 2025 (assumption), BDU/NDU.
OTHER_FUNCTIONS: dict[str, tuple[float, float]] = {
    "180": (300, 1.5), "190": (60, 8.0), "256": (420, 1.1), "265": (250, 3.0), "275": (700, 1.3),
    "283": (320, 1.2), "285": (150, 1.3), "290": (110, 1.5), "301": (260, 1.6), "302": (60, 5.0),
    "303": (110, 2.2), "315": (60, 1.8), "320": (110, 2.0), "325": (320, 1.4), "329": (160, 1.3),
    "330": (110, 1.6), "332": (1450, 1.3), "335": (420, 1.2), "338": (360, 1.3),
    "339": (1050, 1.15), "360": (210, 1.4), "365": (55, 1.3), "390": (160, 1.1),
    "392": (100, 1.05), "393": (260, 1.3),
}  # fmt: skip
VAR_BDU: dict[str, float] = {
    "340": 1300,
    "345": 1500,
    "350": 1200,
    "353": 2100,
    "354": 110,
    "355": 2400,
}
SECTOR_EFFECT_SD = {
    "grunnskole": 0.08, "barnehage": 0.07, "barnevern": 0.25, "kommunehelse": 0.15,
    "pleie": 0.12, "sosial": 0.25, "administrasjon": 0.20, "kultur": 0.22, "other": 0.30,
}  # fmt: skip
NOMINAL_GROWTH = 0.045


Workbook = dict[str, dict[str, dict[int, float]]]
"""``{title: {"Landet"|"Oslo"|…: {year: value}}}`` as :func:`read_workbook` gives it."""
SectorTargets = dict[str, tuple[str, dict[int, float], dict[int, float]]]
"""``{sector: (target group, national level per year, Oslo level per year)}``."""


@dataclass(frozen=True)
class Spec:
    """How one non-accounts series is generated.

    ``kind``: ``count`` (non-negative integer, Poisson), ``binom`` (a share of ``parent``),
    ``ratio`` (ready ratio), ``amount`` (1000 kr from an area), ``derived`` (computed).
    ``level``: national value in 2025 (count: per member of ``group``; ratio: the value);
    ``growth``: yearly growth before 2025 (multiplicative for log, additive otherwise);
    ``xlsx``: workbook title giving the national and Oslo values 2020–2025 (× ``xlsx_scale``;
    ``xlsx_total`` when the workbook holds a national total, not a rate);
    ``early``: national value in 2019 (assumption) where the workbook's first year, 2020, was
    the pandemic and must not be extrapolated backwards; ``growth`` then runs back from 2019.
    """

    kind: str
    group: str = "total"
    level: float = 0.0
    growth: float = 0.0
    space: str = "log"
    sd: float = 0.15
    noise: float = 0.05
    decimals: int = 1
    xlsx: str | None = None
    xlsx_scale: float = 1.0
    xlsx_total: bool = False
    need: str | None = None
    aggregate: str = "wmean"
    weight: str | tuple[str, str, str] | None = None
    small: int = 0
    parent: tuple[str, str, str] | None = None
    clip: tuple[float | None, float | None] = (None, None)
    na_share: float = 0.0
    early: float | None = None
    derive: Callable[..., tuple[np.ndarray, np.ndarray]] | None = field(default=None, compare=False)


def key(table: str, code: str, dims: dict[str, str] | None = None) -> tuple[str, str, str]:
    """Series key as it appears in the frame: table, contents code, canonical dims."""
    return (table, code, encode_dims(dims or {}))


BUILDING_FUNCTIONS = ["130", "221", "222", "261", "381", "386"]
AREA_PER_INHABITANT = {"130": 0.35, "221": 0.45, "222": 2.0, "261": 1.3, "381": 0.6, "386": 0.3}
FDV_PER_M2 = {"AGD39": 260.0, "AGD36": 120.0, "AGD38": 170.0, "AG1": 190.0}
ENERGY_SHARES = {"01": 0.75, "02": 0.17, "03": 0.01, "04": 0.07}
PCT = "logit"
# Yearly noise of ratios and sub-counts is ``Spec.noise`` for a target group of 500 (a class of
# 1–2-year-olds in a town of 20 000) and grows as 1/√group below that, at most 4 ×: the
# sampling noise of real KOSTRA ratios. (Scaling from 5 000 members, as before, made towns of
# 20 000 jump ±60 % from one year to the next.)
RATIO_NOISE_REFERENCE = 500.0
RATIO_NOISE_CAP = 4.0
# SSB's 07459 statbank export has no rows for Sandefjord (0706), Andebu (0719) and Stokke (0720),
# valid to 2016, and writes 0 under the merged code 0710 for 2005–2016, so their own-border
# population is not published there: the geography build packages them as null (never 0).
# Synthetic figures need a size for them in 2015–2016, so the sample takes approximate shares of
# today's Sandefjord (3907), from SSB's published population on 1 January 2016. These are
# estimates for generating invented numbers only, not data; any other null code-year of the
# sample's years stops the build.
POPULATION_GAPS = {"0706": 0.722, "0719": 0.092, "0720": 0.186}


def _specs() -> dict[tuple[str, str, str], Spec]:
    s: dict[tuple[str, str, str], Spec] = {}
    # grunnskole
    s[key("12255", "KOSregnind20000")] = Spec("derived", "6-15", decimals=0, aggregate="derived")
    s[key("12255", "KOSgrstr20000")] = Spec(
        "ratio", "6-15", 15.6, 0, "log", 0.12, 0.06, xlsx="Gruppestørrelse 2 (antall)", small=60
    )
    s[key("12255", "KOSgrunnskolepoe0000")] = Spec(
        "ratio",
        "13-15",
        42.2,
        0,
        "log",
        0.035,
        0.03,
        xlsx="Gjennomsnittlig grunnskolepoeng (poeng)",
        small=40,
    )
    s[key("12255", "KOSmestrles8tr0000")] = Spec(
        "ratio",
        "13-15",
        65.3,
        0,
        PCT,
        0.25,
        0.1,
        xlsx="Mestringsnivå 3-5 i lesing, 8. trinn (%)",
        small=40,
    )
    s[key("12255", "KOSmestrreg8tr0000")] = Spec(
        "ratio",
        "13-15",
        65.9,
        0,
        PCT,
        0.25,
        0.1,
        xlsx="Mestringsnivå 3-5 i regning, 8. trinn (%)",
        small=40,
    )
    s[key("12255", "KOSaarstspesund0000")] = Spec(
        "ratio",
        "6-15",
        155.4,
        0.01,
        "log",
        0.3,
        0.12,
        xlsx="Årstimer spesialundervisning per elev (antall)",
    )
    s[key("12255", "KOSandelindtilr0000")] = Spec(
        "ratio",
        "6-15",
        7.6,
        0,
        PCT,
        0.3,
        0.12,
        xlsx="Elever med individuelt tilrettelagt opplæring (%)",
    )
    s[key("12255", "KOSandelsaernorsk0000")] = Spec(
        "ratio", "6-15", 7.5, 0, PCT, 0.6, 0.15, xlsx="Elever med forsterket norskopplæring (%)"
    )
    s[key("12235", "KOSKBDUperelev0000")] = Spec(
        "ratio", "6-15", 146000, NOMINAL_GROWTH, "log", 0.15, 0.04, decimals=0, need="grunnskole"
    )
    # barnehage
    s[key("13502", "KOSutg020000")] = Spec("derived", "1-5", decimals=0, aggregate="derived")
    s[key("13502", "KOSandel150000")] = Spec(
        "ratio",
        "1-5",
        94.5,
        0,
        PCT,
        0.35,
        0.2,
        xlsx="Andel barn 1-5 år i barnehage (%)",
        clip=(None, 100.0),
    )
    s[key("13502", "KOSandel120000")] = Spec(
        "ratio",
        "1-2",
        89.7,
        0,
        PCT,
        0.35,
        0.12,
        xlsx="Andel barn 1-2 år i barnehage (%)",
        clip=(None, 100.0),
    )
    s[key("13502", "KOSandel350000")] = Spec(
        "ratio",
        "3-5",
        97.5,
        0,
        PCT,
        0.4,
        0.3,
        xlsx="Andel barn 3-5 år i barnehage (%)",
        clip=(None, 100.0),
    )
    s[key("13502", "KOSbarnaav0000")] = Spec(
        "ratio",
        "1-5",
        5.7,
        0,
        "log",
        0.07,
        0.05,
        xlsx="Antall barn per årsverk (grunnbemanning) (antall)",
        small=20,
    )
    s[key("13502", "KOSandelbhglaer0000")] = Spec(
        "ratio",
        "1-5",
        41.2,
        0,
        PCT,
        0.2,
        0.12,
        xlsx="Andel barnehagelærere av grunnbemanning (%)",
        small=20,
    )
    s[key("13502", "KOSutgtidkomm0000")] = Spec(
        "ratio",
        "1-5",
        106.0,
        NOMINAL_GROWTH,
        "log",
        0.1,
        0.05,
        xlsx="Korr. br. driftsutg. per oppholdstime (alle barneh.) (kr)",
        small=20,
    )
    # A share, so generated on the logit scale like the other shares: on the log scale (as
    # first built) the small-group noise and the shift to the national mean pushed small
    # municipalities to 150–230 %.
    s[key("12272", "KOSandelminsptot0000")] = Spec(
        "ratio",
        "1-5",
        91.3,
        0,
        PCT,
        0.5,
        0.1,
        xlsx="Andel minoritetsspråklige barn i barnehage (%)",
        small=60,
        clip=(None, 100.0),
    )
    # barnevern: counts of children 0–17, binomial sub-counts, ready ratios
    s[key("12870", "KOSbvbarnust0000")] = Spec(
        "count", "0-17", 0.060, 0, sd=0.25, noise=0.08, need="barnevern", aggregate="sum"
    )
    s[key("12286", "KOSbvbarnus0000")] = Spec(
        "binom",
        "0-17",
        0.65,
        0,
        PCT,
        0.3,
        0.1,
        parent=key("12870", "KOSbvbarnust0000"),
        aggregate="sum",
    )
    s[
        key("12275", "KOSbvbarntiltaka0000", {"KOKalder0000": "F000-017", "KOKbvfunksjon0000": "0"})
    ] = Spec(
        "binom",
        "0-17",
        0.55,
        0,
        PCT,
        0.3,
        0.1,
        parent=key("12870", "KOSbvbarnust0000"),
        aggregate="sum",
    )
    s[key("12279", "KOSbdu251bvbarnt0000")] = Spec(
        "ratio", "0-17", 62000, NOMINAL_GROWTH, "log", 0.2, 0.1, decimals=0, small=300
    )
    s[key("12279", "KOSbdu252bvbarnt0000")] = Spec(
        "ratio", "0-17", 780000, NOMINAL_GROWTH + 0.01, "log", 0.25, 0.12, decimals=0, small=300
    )
    s[key("12305", "KOSsumfagutd0000")] = Spec("ratio", "0-17", 4.6, 0.02, "log", 0.3, 0.1)
    s[key("12615", "KOSbvbarnmelding0001")] = Spec(
        "ratio", "0-17", 5.1, 0, PCT, 0.3, 0.12, small=300
    )
    # pleie og omsorg
    s[key("12292", "KOSbeboersykehje0000")] = Spec(
        "binom",
        level=0.935,
        space=PCT,
        sd=0.3,
        noise=0.08,
        parent=key("11875", "KOSinstdispplass0000"),
        aggregate="sum",
    )
    s[key("11875", "KOSinstdispplass0000")] = Spec(
        "count", "80+", 0.134, -0.015, sd=0.2, noise=0.02, need="pleie", aggregate="sum"
    )
    s[key("12292", "KOSkjernetotalt0000")] = Spec(
        "count", "67+", 0.20, -0.01, sd=0.2, noise=0.04, need="pleie", aggregate="sum"
    )
    s[key("12292", "KOSkjerne80aarov0000")] = Spec(
        "binom",
        "80+",
        0.248,
        0,
        PCT,
        sd=0.4,
        noise=0.1,
        parent=key("12292", "KOSkjernetotalt0000"),
        aggregate="sum",
        xlsx="Andel innb. 80+ som bruker hjemmetjenester (%)",
        xlsx_scale=0.01,
    )
    s[key("12292", "KOSaarsverkbruke0000")] = Spec(
        "count",
        "total",
        0.03251,
        0.01,
        sd=0.2,
        noise=0.03,
        need="pleie",
        aggregate="sum",
        xlsx="Årsverk helse/omsorg per 10 000 innbygger (årsverk)",
        xlsx_scale=1e-4,
    )
    s[key("12292", "KOSinstoppholdsd0000")] = Spec(
        "count", "80+", 63.0, -0.015, sd=0.2, noise=0.03, need="pleie", aggregate="sum"
    )
    s[key("12293", "KOSbeleggomsorgs0000")] = Spec("derived", decimals=1, aggregate="derived")
    s[key("12293", "KOSlangtid80aaro0001")] = Spec(
        "ratio",
        "80+",
        9.0,
        -0.3,
        PCT,
        0.3,
        0.12,
        xlsx="Andel innb. 80+ med institusjonsopphold (%)",
        small=30,
    )
    s[key("12293", "KOSlegetimperbeb0000")] = Spec(
        "ratio",
        "80+",
        0.7,
        0.02,
        "log",
        0.2,
        0.08,
        xlsx="Legetimer per uke per beboer i sykehjem (timer)",
        decimals=2,
        small=30,
        weight=key("12292", "KOSbeboersykehje0000"),
    )
    s[key("12209", "KOSandelhelsefag0000")] = Spec(
        "ratio",
        "total",
        72.4,
        0,
        PCT,
        0.2,
        0.06,
        xlsx="Andel brukerrettede årsverk m/ helsefaglig utd. (%)",
        weight=key("12292", "KOSaarsverkbruke0000"),
    )
    s[key("12209", "KOSandelenerombad0000")] = Spec(
        "ratio",
        "80+",
        94.3,
        0.3,
        PCT,
        0.9,
        0.1,
        xlsx="Andel brukertilpassede enerom m/ eget bad/wc (%)",
        clip=(None, 100.0),
        weight=key("11875", "KOSinstdispplass0000"),
    )
    s[key("12209", "KOSBDU253261oppd0000")] = Spec("derived", decimals=0, aggregate="derived")
    # kommunehelse
    s[key("12209", "KOSlegeaarsv10000")] = Spec(
        "ratio",
        "total",
        12.8,
        0.012,
        "log",
        0.2,
        0.08,
        xlsx="Avtalte legeårsverk per 10 000 innbyggere (årsverk)",
        early=11.2,
        need="kommunehelse",
    )
    s[key("12209", "KOSfysioaarsv10000")] = Spec(
        "ratio",
        "total",
        9.5,
        0,
        "log",
        0.2,
        0.08,
        xlsx="Avtalte fysioterapeutårsverk per 10 000 innb. (årsverk)",
        need="kommunehelse",
    )
    s[key("12209", "KOShelsestaarsv10000")] = Spec(
        "ratio",
        "0-17",
        54.9,
        0.04,
        "log",
        0.25,
        0.1,
        xlsx="Avtalte årsverk i helsestasjons-/skolehelsetj. per 10 000 innb. 0-20 (årsverk)",
    )
    s[key("12209", "KOSnyfodtehjemme0000")] = Spec(
        "ratio",
        "0",
        88.9,
        1.0,
        PCT,
        0.5,
        0.08,
        xlsx="Andel nyfødte med hjemmebesøk av helsesykepleier (%)",
        early=80.0,
        small=10,
        clip=(None, 100.0),
    )
    # sosiale tjenester (14019): recipients and sub-counts
    cases = key("14019", "KOSsoshjelptilf0000")
    s[cases] = Spec(
        "count",
        "18-66",
        0.0477,
        0,
        sd=0.3,
        noise=0.06,
        need="sosial",
        aggregate="sum",
        xlsx="Sosialhjelpstilfeller (antall)",
        xlsx_total=True,
    )
    s[key("14019", "KOSsoshjelp6mnd0000")] = Spec(
        "binom",
        level=0.428,
        space=PCT,
        sd=0.3,
        noise=0.06,
        parent=cases,
        aggregate="sum",
        xlsx="Sosialhjelpstilfeller med sosialhjelp ≥ 6 mnd (antall)",
    )
    s[key("14019", "KOSlangtidhovedi0000")] = Spec(
        "binom",
        level=0.198,
        space=PCT,
        sd=0.35,
        noise=0.06,
        parent=cases,
        aggregate="sum",
        xlsx="Langtidstilfeller (6-12 mnd) med sosialhjelp som hovedinntekt (antall)",
    )
    s[key("14019", "KOSsoshjelpbarn0000")] = Spec(
        "binom",
        level=0.238,
        space=PCT,
        sd=0.25,
        noise=0.06,
        parent=cases,
        aggregate="sum",
        xlsx="Sosialhjelpstilfeller som forsørger barn under 18 (antall)",
    )
    s[key("14019", "KOSbarnisoshjelp0000")] = Spec(
        "count",
        "0-17",
        0.0668,
        0,
        sd=0.3,
        noise=0.06,
        need="sosial",
        aggregate="sum",
        xlsx="Antall barn under 18 i familier som mottok sosialhjelp (antall)",
        xlsx_total=True,
    )
    s[key("14019", "KOSstonadssum0000")] = Spec(
        "count",
        "18-66",
        3.41,
        NOMINAL_GROWTH,
        sd=0.15,
        noise=0.08,
        need="sosial",
        aggregate="sum",
        parent=cases,
        xlsx="Samlet stønadssum (bidrag + lån) (1000 kr)",
        xlsx_total=True,
    )
    # kultur
    s[key("13135", "KOSdriftinnb0000")] = Spec("derived", decimals=0, aggregate="derived")
    s[key("13135", "KOSdriftkultur0000")] = Spec("derived", decimals=1, aggregate="derived")
    s[key("13135", "KOSdriftallmenni0000")] = Spec(
        "ratio",
        "total",
        1544,
        NOMINAL_GROWTH,
        "log",
        0.25,
        0.06,
        decimals=0,
        xlsx="Netto driftsutgifter allmenn kultur per innbygger (kr)",
    )
    s[key("13135", "KOSmusikkandelba0000")] = Spec(
        "ratio", "6-15", 12.9, 0, PCT, 0.45, 0.15, xlsx="Barn 6-15 år i kulturskole (%)", small=50
    )
    s[key("13135", "KOSbesokbibinnb0000")] = Spec(
        "ratio",
        "total",
        4.4,
        0.01,
        "log",
        0.25,
        0.1,
        xlsx="Besøk i folkebibliotek per innbygger (antall)",
        early=4.5,
    )
    s[key("13135", "KOSutlaaninnb0000")] = Spec(
        "ratio",
        "total",
        2.6,
        -0.01,
        "log",
        0.3,
        0.1,
        xlsx="Utlån per innbygger (antall)",
        early=2.4,
    )
    # eiendom: area, FDV costs, energy
    for f in BUILDING_FUNCTIONS:
        s[key("11906", "KOSareal0000", {"KOKeieform0000": "samlet", "KOKfunksjon0000": f})] = Spec(
            "count", "total", AREA_PER_INHABITANT[f], 0.005, sd=0.2, noise=0.02, aggregate="sum"
        )
        s[key("11906", "KOSareal0000", {"KOKeieform0000": "eid", "KOKfunksjon0000": f})] = Spec(
            "binom",
            level=0.86,
            space=PCT,
            sd=0.8,
            noise=0.1,
            parent=key("11906", "KOSareal0000", {"KOKeieform0000": "samlet", "KOKfunksjon0000": f}),
            aggregate="sum",
        )
        owned = key("11906", "KOSareal0000", {"KOKeieform0000": "eid", "KOKfunksjon0000": f})
        for art, per_m2 in FDV_PER_M2.items():
            s[key("12905", "KOSbelop0000", {"KOKart0000": art, "KOKfunksjon0000": f})] = Spec(
                "amount",
                level=per_m2,
                growth=0.035,
                sd=0.3,
                noise=0.1,
                decimals=0,
                aggregate="sum",
                parent=owned,
            )
        for energy, share in ENERGY_SHARES.items():
            s[
                key(
                    "12150",
                    "KOSbruk1000kWh0000",
                    {"KOKenergitype0000": energy, "KOKfunksjon0000": f},
                )
            ] = Spec(
                "amount",
                level=0.175 * share,
                growth=-0.01,
                sd=0.9 if energy != "01" else 0.15,
                noise=0.05,
                decimals=0,
                aggregate="sum",
                parent=owned,
            )
    # økonomi
    for code, title, space, sd, noise, clip in [
        (
            "KOSAGD230000",
            "Netto driftsresultat i % av brutto driftsinntekter (%)",
            "lin",
            2.0,
            1.8,
            (None, None),
        ),
        (
            "KOSAGD290000",
            "Årets merforbruk i % av brutto driftsinntekter (%)",
            "lin",
            0.2,
            0.3,
            (None, 0.0),
        ),
        (
            "KOSKG280000",
            "Arbeidskapital (ekskl. premieavvik) i % av br. driftsinnt. (%)",
            "lin",
            9.0,
            3.0,
            (None, None),
        ),
        (
            "KOSKG400000",
            "Netto renteeksponering i % av br. driftsinnt. (%)",
            "lin",
            25.0,
            5.0,
            (None, None),
        ),
        (
            "KOSKG320000",
            "Langsiktig gjeld (ekskl. pensjonsforpl.) i % av br. driftsinnt. (%)",
            "lin",
            28.0,
            5.0,
            (15.0, None),
        ),
        (
            "KOSKG210000",
            "Fri egenkapital drift i % av br. driftsinnt. (%)",
            "lin",
            5.0,
            2.0,
            (0.0, None),
        ),
        (
            "KOSAGI10000",
            "Brutto investeringsutgifter i % av br. driftsinnt. (%)",
            "lin",
            5.0,
            4.0,
            (0.0, None),
        ),
        (
            "KOSAGI210000",
            "Egenfinansiering av investeringene i % av tot. br. invest. (%)",
            "lin",
            14.0,
            5.0,
            (0.0, 100.0),
        ),
    ]:
        s[key("12134", code)] = Spec(
            "ratio", "total", 0.0, 0, space, sd, noise, xlsx=title, clip=clip
        )
    s[key("12134", "KOSAG110000")] = Spec(
        "ratio",
        "total",
        0.0,
        NOMINAL_GROWTH - 0.01,
        "log",
        0.1,
        0.02,
        decimals=0,
        xlsx="Frie inntekter per innbygger (kr)",
        need="samlet",
    )
    s[key("12137", "KOSbelopprinnb0000", {"KOKartkap0000": "KG31"})] = Spec(
        "ratio", "total", 96000, 0.05, "log", 0.3, 0.04, decimals=0
    )
    # miljø og ressurser (13526)
    s[key("13526", "KOSplanernyereen0000")] = Spec(
        "count", "total", 0.00035, 0, sd=0.5, noise=0.2, aggregate="sum"
    )
    s[key("13526", "KOSinnsigregplan0000")] = Spec(
        "count", "total", 0.00012, 0, sd=0.6, noise=0.3, aggregate="sum"
    )
    s[key("13526", "KOSarkuln0000")] = Spec(
        "count", "total", 0.09, 0.01, sd=0.8, noise=0.1, aggregate="sum"
    )
    s[key("13526", "KOSbygsokrestrik0000")] = Spec(
        "ratio", "total", 62.0, 0, PCT, 1.0, 0.2, aggregate="mean", na_share=0.06
    )
    # vann, avløp, renovasjon (12842): fees, simple means
    for code, level, na in [
        ("KOSaarsgebyrvann0000", 4800, 0.005),
        ("KOSaarsgebyravlo0000", 6300, 0.02),
        ("KOSaarsgebyravfa0000", 4100, 0.0),
    ]:
        s[key("12842", code)] = Spec(
            "ratio",
            "total",
            level,
            NOMINAL_GROWTH - 0.005,
            "log",
            0.3,
            0.05,
            decimals=0,
            aggregate="mean",
            na_share=na,
        )
    return s


# ---------------------------------------------------------------- inputs
def _age_sum(frame: pl.DataFrame, group: str) -> pl.Expr:
    """Population of an age group, null when any of its ages is null.

    Polars sums nulls (and an all-null column) to 0, which would read an unpublished population
    as nobody; a group with a missing age has no total.
    """
    low, high = AGE_GROUPS[group]
    ages = pl.col("population").filter(pl.col("age").is_between(low, high))
    return pl.when(ages.null_count() > 0).then(None).otherwise(ages.sum()).alias(group)


class Geo:
    """Municipalities of each year, their populations and their allocation to 2024 units."""

    def __init__(self, shared: Path) -> None:
        years = pl.read_parquet(GEOGRAPHY / "municipality_years.parquet")
        self.codes: dict[int, list[str]] = {}
        self.county: dict[int, dict[str, str]] = {}
        for year in [*YEARS, 2026]:
            rows = years.filter(pl.col("year") == year).sort("code")
            self.codes[year] = rows["code"].to_list()
            self.county[year] = dict(zip(rows["code"], rows["county_code"], strict=True))
        self.units = self.codes[2024]
        self.unit_index = {code: i for i, code in enumerate(self.units)}
        groups = list(AGE_GROUPS)
        wide24 = (
            pl.read_parquet(GEOGRAPHY / "population_2024_borders.parquet")
            .group_by("year", "region", "age")
            .agg(pl.col("population").sum())
        )
        pop24 = self._wide(wide24, groups)
        incomplete = sorted(k for k, v in pop24.items() if any(x is None for x in v.values()))
        if incomplete:
            raise SystemExit(f"null population on 2024 borders: {incomplete[:5]}")
        self.pop24: dict[tuple[int, str], dict[str, float]] = {
            k: {g: float(x) for g, x in v.items() if x is not None} for k, v in pop24.items()
        }
        original = pl.read_parquet(GEOGRAPHY / "population_original_borders.parquet")
        # Null (unpublished) code-years are dropped here and patched in _allocation.
        self.pop_orig: dict[tuple[int, str], dict[str, float]] = {}
        for k, v in self._wide(original, groups).items():
            if all(x is not None for x in v.values()):
                self.pop_orig[k] = {g: float(x) for g, x in v.items() if x is not None}
        self.alloc: dict[int, np.ndarray] = {}
        self._pop_cache: dict[tuple[int, str], np.ndarray] = {}
        self.main_unit: dict[int, np.ndarray] = {}
        redistricting = pl.read_csv(
            shared / "data" / "reference" / "redistricting_to_2024.csv",
            schema_overrides={"location_code_current": pl.Utf8, "location_code_original": pl.Utf8},
        ).filter(pl.col("granularity_geo") == "municip")
        for year in YEARS:
            self._allocation(year, redistricting)

    @staticmethod
    def _wide(
        frame: pl.DataFrame, groups: list[str]
    ) -> dict[tuple[int, str], dict[str, float | None]]:
        aggregated = frame.group_by("year", "region").agg([_age_sum(frame, g) for g in groups])
        out: dict[tuple[int, str], dict[str, float | None]] = {}
        for row in aggregated.iter_rows(named=True):
            out[(int(row["year"]), row["region"])] = {
                g: None if row[g] is None else float(row[g]) for g in groups
            }
        return out

    def _allocation(self, year: int, redistricting: pl.DataFrame) -> None:
        codes = self.codes[year]
        index = {code: i for i, code in enumerate(codes)}
        weights = np.zeros((len(codes), len(self.units)))
        rows = redistricting.filter(pl.col("calyear") == year)
        for current, original, weight in rows.select(
            "location_code_current", "location_code_original", "weighting"
        ).iter_rows():
            old = original.removeprefix("municip_nor")
            new = current.removeprefix("municip_nor")
            if old in index and new in self.unit_index:
                weights[index[old], self.unit_index[new]] = weight
        if (weights.sum(axis=1) == 0).any():
            missing = [codes[i] for i in np.flatnonzero(weights.sum(axis=1) == 0)]
            raise SystemExit(f"{year}: no 2024 unit for {missing}")
        for i, code in enumerate(codes):
            # Missing means null in (or absent from) the packaged file; a real 0 is not a gap.
            if (year, code) not in self.pop_orig:
                self._patch_gap(year, code, self.units[int(weights[i].argmax())])
        people = np.array([self.pop_orig[(year, code)]["total"] for code in codes])
        mass = weights * people[:, None]
        self.alloc[year] = mass / mass.sum(axis=0, keepdims=True)
        self.main_unit[year] = weights.argmax(axis=1)

    def _patch_gap(self, year: int, code: str, unit: str) -> None:
        """Give a municipality whose own-border population is null (unpublished) an approximate
        fixed share of its 2024 unit: a size for synthetic figures, not an estimate of record."""
        if code not in POPULATION_GAPS:
            raise SystemExit(f"{year}: municipality {code} has null population and no gap share")
        share = POPULATION_GAPS[code]
        self.pop_orig[(year, code)] = {g: v * share for g, v in self.pop24[(year, unit)].items()}

    def unit_pop(self, year: int, group: str) -> np.ndarray:
        """Population of each 2024 unit on 1 January ``year`` (≤ 2026)."""
        return np.array([self.pop24[(year, code)][group] for code in self.units])

    def pop(self, year: int, group: str) -> np.ndarray:
        """Denominator population of the municipalities of ``year`` on 1 January t+1.

        Where the code no longer exists on 1 January t+1 (the last year before a reform), its
        share of each 2024 unit is applied to the unit's population then: exact for a mere
        renumbering, a close estimate for a merger's parts.
        """
        key_ = (year, group)
        if key_ not in self._pop_cache:
            units = self.unit_pop(year + 1, group)
            estimate = self.alloc[year] @ units
            out = []
            for i, code in enumerate(self.codes[year]):
                ahead = self.pop_orig.get((year + 1, code))
                out.append(ahead[group] if ahead is not None else estimate[i])
            self._pop_cache[key_] = np.array(out)
        return self._pop_cache[key_]

    def national(self, year: int, group: str) -> float:
        """National population on 1 January t+1."""
        return float(self.unit_pop(year + 1, group).sum())


def read_workbook(shared: Path) -> Workbook:
    """``{title: {"Landet"|"Oslo"|…: {year: value}}}`` from the Lørenskog workbook's sheets,
    plus ``kostnadsniva:<sector row>`` from its Kostnadsnivå sheet (Landet only)."""
    workbook = openpyxl.load_workbook(shared / XLSX, read_only=True, data_only=True)
    out: dict[str, dict[str, dict[int, float]]] = {}
    for sheet in workbook.worksheets:
        rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        if sheet.title.startswith("Kostnadsniv"):
            header = None
            sector = None
            for row in rows:
                if row[0] == "Sektor" and row[1] == "Region":
                    header = [int(str(v)) for v in row[2:8]]
                    continue
                if header is None:
                    continue
                if row[0] is not None:
                    sector = str(row[0])
                if row[1] == "Landet" and sector is not None:
                    values = {y: float(v) for y, v in zip(header, row[2:8], strict=True) if v}
                    out[f"kostnadsniva:{sector}"] = {"Landet": values}
            continue
        for i, row in enumerate(rows[:-1]):
            if rows[i + 1][0] != "År \\ Region" or row[0] is None:
                continue
            labels = rows[i + 1]
            series: dict[str, dict[int, float]] = {}
            for data in rows[i + 2 : i + 8]:
                if data[0] is None or not str(data[0]).isdigit():
                    break
                for label, value in zip(labels[1:], data[1:], strict=False):
                    if label is not None and isinstance(value, int | float):
                        series.setdefault(str(label), {})[int(str(data[0]))] = float(value)
            out[str(row[0])] = series
    return out


def read_need(shared: Path, units: list[str]) -> dict[str, np.ndarray]:
    """Sector need indices per 2024 unit: 2026, else 2025, else the total index, else 1."""
    reference = shared / "data" / "reference"
    now = json.loads((reference / "cost_index_sectors_2026.json").read_text())["kommuner"]
    before = json.loads((reference / "cost_index_sectors_2025.json").read_text())["kommuner"]
    total = json.loads((reference / "cost_index_total_2026.json").read_text())
    totals = total.get("kommuner", total)
    out: dict[str, np.ndarray] = {}
    for sector in (
        "grunnskole",
        "barnehage",
        "pleie",
        "kommunehelse",
        "barnevern",
        "sosial",
        "administrasjon",
        "samlet",
    ):
        values = []
        for code in units:
            entry = now.get(code) or before.get(code)
            if entry is not None and sector in entry:
                values.append(float(entry[sector]))
            else:
                fallback = totals.get(code)
                if isinstance(fallback, dict):
                    fallback = fallback.get("samlet", fallback.get("indeks"))
                values.append(float(fallback) if isinstance(fallback, int | float) else 1.0)
        out[sector] = np.array(values)
    out["kultur"] = out["samlet"] ** 0.5
    out["other"] = out["samlet"] ** 0.7
    return out


# ---------------------------------------------------------------- helpers
def rng_for(seed: int, *parts: str) -> np.random.Generator:
    """A generator of its own for one series (so subsets rebuild identically)."""
    return np.random.default_rng([seed, zlib.crc32("|".join(parts).encode())])


def to_space(x: np.ndarray | float, space: str) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if space == "log":
        out: np.ndarray = np.log(np.maximum(x, 1e-9))
        return out
    if space == "logit":
        p = np.clip(x / 100.0, 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p))
    return x


def from_space(z: np.ndarray, space: str) -> np.ndarray:
    out: np.ndarray = z
    if space == "log":
        out = np.exp(z)
    elif space == "logit":
        out = 100.0 / (1.0 + np.exp(-z))
    return out


def ar1(rng: np.random.Generator, n: int, years: int, sd: float, rho: float = 0.6) -> np.ndarray:
    """Persistent yearly drift, shape (years, n), stationary sd ``sd``."""
    out = np.zeros((years, n))
    out[0] = rng.normal(0, sd, n)
    innovation = sd * math.sqrt(1 - rho**2)
    for t in range(1, years):
        out[t] = rho * out[t - 1] + rng.normal(0, innovation, n)
    return out


def size_noise(
    rng: np.random.Generator,
    group_pop: np.ndarray,
    sd: float,
    cap: float = 6.0,
    reference: float = 5000.0,
) -> np.ndarray:
    """Yearly noise that grows as the target group shrinks: ``sd`` at ``reference`` members,
    growing as 1/√members (sampling noise) up to ``cap`` times that."""
    scale = np.minimum(np.sqrt(reference / np.maximum(group_pop, 20.0)), cap)
    out: np.ndarray = rng.normal(0, 1, len(group_pop)) * sd * scale
    return out


def national_levels(
    spec: Spec, workbook: Workbook, geo: Geo, rng: np.random.Generator
) -> tuple[dict[int, float], dict[int, float]]:
    """National level and Oslo level per year, in the spec's units.

    Years the workbook lacks follow ``growth`` from the nearest real year, with a small random
    wobble so that the early years are not a ruler-straight line.
    """
    nat: dict[int, float] = {}
    oslo: dict[int, float] = {}
    real = workbook.get(spec.xlsx or "", {})
    for year, value in real.get("Landet", {}).items():
        if year in YEARS:
            level = value * spec.xlsx_scale
            if spec.xlsx_total:
                level /= geo.national(year, spec.group)
            nat[year] = level
    for year, value in real.get("Oslo", {}).items():
        if year in YEARS:
            level = value * spec.xlsx_scale
            if spec.xlsx_total:
                level /= geo.pop(year, spec.group)[geo.codes[year].index(OSLO)]
            oslo[year] = level
    if not nat:
        nat[2025] = spec.level
    if spec.early is not None and 2019 not in nat:
        nat[2019] = spec.early
    anchor = min(nat)
    last = max(nat)
    for year in YEARS:
        if year in nat:
            continue
        steps = year - (anchor if year < anchor else last)
        base = nat[anchor if year < anchor else last]
        if spec.space == "log" or spec.kind in ("count", "amount"):
            nat[year] = base * (1 + spec.growth) ** steps * math.exp(rng.normal(0, 0.01))
        elif spec.space == "logit":
            z = to_space(base + spec.growth * steps, "logit") + rng.normal(0, 0.03)
            nat[year] = float(from_space(z, "logit"))
        else:
            nat[year] = base + spec.growth * steps + rng.normal(0, 0.1 * spec.noise)
    if oslo:
        first = min(oslo)
        final = max(oslo)
        for year in YEARS:
            if year > final:
                gap = to_space(oslo[final], spec.space) - to_space(nat[final], spec.space)
                if spec.kind in ("count", "amount"):
                    oslo[year] = nat[year] * oslo[final] / nat[final]
                else:
                    oslo[year] = float(
                        from_space(to_space(nat[year], spec.space) + gap, spec.space)
                    )
            if year < first:
                gap = to_space(oslo[first], spec.space) - to_space(nat[first], spec.space)
                if spec.kind in ("count", "amount"):
                    gap = math.log(oslo[first] / nat[first])
                    oslo[year] = nat[year] * math.exp(gap)
                else:
                    oslo[year] = float(
                        from_space(to_space(nat[year], spec.space) + gap, spec.space)
                    )
    return nat, oslo


def shift_to_mean(
    z: np.ndarray,
    weights: np.ndarray | None,
    target: float,
    space: str,
    fixed: np.ndarray,
    clip: tuple[float | None, float | None],
) -> np.ndarray:
    """Shift the free entries of ``z`` so the (weighted) mean of the values equals ``target``."""

    def values(delta: float) -> np.ndarray:
        out = from_space(np.where(fixed, z, z + delta), space)
        return np.clip(out, clip[0], clip[1]) if clip != (None, None) else out

    def mean(delta: float) -> float:
        v = values(delta)
        if weights is None:
            return float(v.mean())
        return float((v * weights).sum() / weights.sum())

    low, high = -50.0, 50.0
    if space == "lin":
        low, high = target - 1000 - abs(z).max(), target + 1000 + abs(z).max()
    for _ in range(80):
        middle = (low + high) / 2
        if mean(middle) < target:
            low = middle
        else:
            high = middle
    return values((low + high) / 2)


# ---------------------------------------------------------------- the build
@dataclass
class Series:
    """One generated series: per year the true values of that year's municipalities."""

    values: dict[int, np.ndarray] = field(default_factory=dict)
    status: dict[int, list[str | None]] = field(default_factory=dict)


class Builder:
    def __init__(self, shared: Path, seed: int) -> None:
        self.seed = seed
        self.geo = Geo(shared)
        self.workbook = read_workbook(shared)
        self.need = read_need(shared, self.geo.units)
        self.specs = _specs()
        self.series: dict[tuple[str, str, str], Series] = {}
        self.effects: dict[tuple[str, str, str], np.ndarray] = {}
        n = len(self.geo.units)
        effect_rng = rng_for(seed, "sector-effects")
        self.sector_effect = {
            sector: effect_rng.normal(0, sd, n) for sector, sd in SECTOR_EFFECT_SD.items()
        }
        self.oslo_unit = self.geo.unit_index[OSLO]

    # -- accounts -------------------------------------------------------------------
    def sector_targets(self) -> SectorTargets:
        out = {}
        for sector, (group, title, row) in SECTOR_LEVELS.items():
            source = self.workbook[title] if title else self.workbook[f"kostnadsniva:{row}"]
            real = source.get("Landet", {})
            nat = {y: v for y, v in real.items() if y in YEARS}
            oslo = {y: v for y, v in source.get("Oslo", {}).items() if y in YEARS}
            first = min(nat)
            for year in YEARS:
                if year < first:
                    nat[year] = nat[first] / (1 + NOMINAL_GROWTH) ** (first - year)
                    if oslo:
                        oslo[year] = oslo[first] / (1 + NOMINAL_GROWTH) ** (first - year)
            out[sector] = (group, nat, oslo)
        return out

    def build_accounts(self) -> None:
        geo = self.geo
        targets = self.sector_targets()
        sector_shares: dict[str, float] = {}
        for sector, share, _ in FUNCTIONS.values():
            sector_shares[sector] = sector_shares.get(sector, 0.0) + share
        plan: list[
            tuple[str, str, str, float, float]
        ] = []  # function, effect key, group, share, gross
        for function, (sector, share, gross) in FUNCTIONS.items():
            plan.append(
                (function, sector, targets[sector][0], share / sector_shares[sector], gross)
            )
        for function, (_, gross) in OTHER_FUNCTIONS.items():
            plan.append((function, "other", "total", 0.0, gross))
        for function in VAR_BDU:
            plan.append((function, "var", "total", 0.0, 1.0))
        n = len(geo.units)
        for function, sector, group, share, gross in plan:
            rng = rng_for(self.seed, "12362", function)
            need_key = {"pleie": "pleie", "sosial": "sosial"}.get(sector, sector)
            need = self.need.get(need_key, self.need["other"])
            mix = rng.normal(0, 0.1 if sector not in ("other", "var") else 0.0, n)
            effect = self.sector_effect.get(sector, self.sector_effect["other"]) + mix
            drift = ar1(rng, n, len(YEARS), 0.04)
            gross_effect = rng.normal(0, 0.03, n)
            var_effect = rng.normal(-0.02, 0.04, n)
            net_rows: dict[int, np.ndarray] = {}
            gross_rows: dict[int, np.ndarray] = {}
            users = ALLOCATION_GROUP.get(function, group)
            for t, year in enumerate(YEARS):
                unit_pop = geo.unit_pop(year + 1, users)
                latent = unit_pop * need * np.exp(effect + drift[t])
                historic = geo.alloc[year] @ latent
                people = geo.pop(year, group)
                historic *= np.exp(size_noise(rng, people, 0.01, cap=3.0))
                codes = geo.codes[year]
                oslo = codes.index(OSLO)
                if sector == "var":
                    level = VAR_BDU[function] * (1 + NOMINAL_GROWTH) ** (year - 2025)
                    total = level * geo.national(year, "total") / 1000
                    brutto = historic * total / historic.sum()
                    ratio = var_effect[geo.main_unit[year]] + rng.normal(0, 0.03, len(codes))
                    netto = brutto * ratio
                    gross_rows[year] = np.round(brutto)
                    net_rows[year] = np.round(netto)
                    continue
                if sector == "other":
                    level = OTHER_FUNCTIONS[function][0] * (1 + NOMINAL_GROWTH) ** (year - 2025)
                    total = level * geo.national(year, "total") / 1000
                    oslo_total = None
                else:
                    _, nat, oslo_levels = targets[sector]
                    total = nat[year] * share * geo.national(year, group) / 1000
                    oslo_total = (
                        oslo_levels[year] * share * people[oslo] / 1000
                        if year in oslo_levels
                        else None
                    )
                    if function == "370":
                        library = self._library(year, people[oslo])
                        total, oslo_total = library
                if oslo_total is not None:
                    free = np.ones(len(codes), dtype=bool)
                    free[oslo] = False
                    historic[free] *= (total - oslo_total) / historic[free].sum()
                    historic[oslo] = oslo_total
                else:
                    historic *= total / historic.sum()
                net_rows[year] = np.round(historic)
                brutto = historic * gross * np.exp(gross_effect[geo.main_unit[year]])
                gross_rows[year] = np.round(np.maximum(brutto, historic))
            for art, rows in (("AGD2", net_rows), ("AGD10", gross_rows)):
                series_id = key(
                    "12362", "KOSbelop0000", {"KOKart0000": art, "KOKfunksjon0000": function}
                )
                self.series[series_id] = Series(
                    values=rows, status={y: [None] * len(v) for y, v in rows.items()}
                )
        self._rebalance_kultur(targets)

    def _library(self, year: int, oslo_people: float) -> tuple[float, float | None]:
        real = self.workbook["Netto driftsutgifter folkebibliotek per innbygger (kr)"]
        nat = real["Landet"]
        first = min(nat)
        level = nat.get(year, nat[first] / (1 + NOMINAL_GROWTH) ** (first - year))
        total = level * self.geo.national(year, "total") / 1000
        oslo = real.get("Oslo", {})
        if year in oslo:
            return total, oslo[year] * oslo_people / 1000
        if oslo:
            # Oslo keeps its real ratio to the country outside the workbook's years
            near = min(oslo, key=lambda y: abs(y - year))
            return total, oslo[near] * level / nat[near] * oslo_people / 1000
        return total, None

    def _rebalance_kultur(self, targets: SectorTargets) -> None:
        """Library (370) is set on its own real level; scale the other culture functions so
        the culture total keeps its real national level."""
        geo = self.geo
        _, nat, oslo_levels = targets["kultur"]
        culture = [f for f, (s, _, _) in FUNCTIONS.items() if s == "kultur"]
        for year in YEARS:
            people = geo.pop(year, "total")
            oslo = geo.codes[year].index(OSLO)
            want = nat[year] * geo.national(year, "total") / 1000

            def net(f: str, year: int = year) -> np.ndarray:
                return self.series[
                    key("12362", "KOSbelop0000", {"KOKart0000": "AGD2", "KOKfunksjon0000": f})
                ].values[year]

            library = net("370").sum()
            others = sum(net(f).sum() for f in culture if f != "370")
            factor = (want - library) / others
            oslo_factor = None
            if year in oslo_levels:
                oslo_want = oslo_levels[year] * people[oslo] / 1000
                oslo_others = sum(net(f)[oslo] for f in culture if f != "370")
                oslo_factor = (oslo_want - net("370")[oslo]) / oslo_others
            for f in culture:
                if f == "370":
                    continue
                for art in ("AGD2", "AGD10"):
                    values = self.series[
                        key("12362", "KOSbelop0000", {"KOKart0000": art, "KOKfunksjon0000": f})
                    ].values
                    row = values[year] * factor
                    if oslo_factor is not None:
                        row[oslo] = values[year][oslo] * oslo_factor
                    values[year] = np.round(row)

    # -- other series -----------------------------------------------------------------
    def weights_of(self, spec: Spec, year: int) -> np.ndarray | None:
        if spec.aggregate == "mean":
            return None
        if isinstance(spec.weight, tuple):
            return self.series[spec.weight].values[year]
        return self.geo.pop(year, spec.group)

    def build_series(self, series_id: tuple[str, str, str], spec: Spec) -> None:
        if series_id in self.series:
            return
        if spec.parent is not None and spec.parent not in self.series:
            self.build_series(spec.parent, self.specs[spec.parent])
        if isinstance(spec.weight, tuple) and spec.weight not in self.series:
            self.build_series(spec.weight, self.specs[spec.weight])
        geo = self.geo
        rng = rng_for(self.seed, *series_id)
        n = len(geo.units)
        nat, oslo_levels = national_levels(spec, self.workbook, geo, rng)
        need = self.need[spec.need] if spec.need else np.ones(n)
        effect = rng.normal(0, spec.sd, n)
        if spec.kind == "count" and spec.parent is None and spec.need in self.sector_effect:
            # Users and spending go together: a municipality that spends much on a sector has
            # many users of it, so cost per user varies less than either (as in real KOSTRA).
            effect = 0.6 * effect + self.sector_effect[spec.need]
        if spec.kind == "count" and spec.parent is not None:
            # an amount counted per recipient (stønadssum) follows the recipients' level
            effect = effect + self.effects[spec.parent]
        self.effects[series_id] = effect
        drift = ar1(rng, n, len(YEARS), spec.noise * 0.5)
        na_units = rng.random(n) < spec.na_share
        out = Series()
        for t, year in enumerate(YEARS):
            codes = geo.codes[year]
            oslo = codes.index(OSLO)
            people = geo.pop(year, spec.group)
            units = geo.main_unit[year]
            status: list[str | None] = [None] * len(codes)
            if spec.kind == "count":
                latent = geo.unit_pop(year + 1, spec.group) * need * np.exp(effect + drift[t])
                expected = geo.alloc[year] @ latent
                expected *= np.exp(size_noise(rng, people, spec.noise * 0.3))
                total = nat[year] * geo.national(year, spec.group)
                if year in oslo_levels:
                    free = np.arange(len(codes)) != oslo
                    oslo_value = oslo_levels[year] * people[oslo]
                    expected[free] *= (total - oslo_value) / expected[free].sum()
                    expected[oslo] = oslo_value
                else:
                    expected *= total / expected.sum()
                values = rng.poisson(np.maximum(expected, 0)).astype(float)
                if (
                    series_id[1] in ("KOSstonadssum0000", "KOSarkuln0000")
                    or series_id[0] == "11906"
                ):
                    values = np.round(expected * np.exp(rng.normal(0, 0.02, len(codes))))
            elif spec.kind == "binom":
                assert spec.parent is not None
                parent = self.series[spec.parent].values[year]
                p_nat = nat[year]
                if spec.xlsx and spec.parent and self.specs[spec.parent].xlsx:
                    parent_title = self.specs[spec.parent].xlsx
                    assert parent_title is not None
                    parent_real = self.workbook[parent_title]["Landet"]
                    own_real = self.workbook[spec.xlsx]["Landet"]
                    ratios = {y: own_real[y] / parent_real[y] for y in own_real if y in parent_real}
                    p_nat = ratios.get(year, ratios[min(ratios, key=lambda y: abs(y - year))])
                elif spec.xlsx:
                    # The workbook gives this count per member of ``group``: turn it into a
                    # share of the parent count.
                    p_nat = nat[year] * geo.national(year, spec.group) / float(parent.sum())
                z = to_space(p_nat * 100, PCT) + effect[units] + drift[t][units]
                z = z + size_noise(
                    rng, np.maximum(parent, 1), spec.noise, RATIO_NOISE_CAP, RATIO_NOISE_REFERENCE
                )
                free = np.ones(len(codes), dtype=bool)
                shares = shift_to_mean(
                    z, np.maximum(parent, 0), p_nat * 100, PCT, ~free, (None, None)
                )
                p = shares / 100
                values = rng.binomial(parent.astype(np.int64), np.clip(p, 0, 1)).astype(float)
                if spec.group != "total":
                    # users aged 80+ cannot outnumber the inhabitants aged 80+
                    values = np.minimum(values, np.floor(people))
            elif spec.kind == "amount":
                assert spec.parent is not None
                base = self.series[spec.parent].values[year]
                level = nat[year]
                z = effect[units] + drift[t][units] + size_noise(rng, people, spec.noise * 0.3)
                values = np.round(
                    base * level * np.exp(z) / (1000.0 if series_id[0] == "12905" else 1.0)
                )
                if series_id[0] == "12150":
                    values = np.round(base * level * np.exp(z))
            elif spec.kind == "ratio":
                z = to_space(nat[year], spec.space) + np.log(need[units]) * (spec.space == "log")
                noise = size_noise(rng, people, spec.noise, RATIO_NOISE_CAP, RATIO_NOISE_REFERENCE)
                z = z + effect[units] + drift[t][units] + noise
                fixed = np.zeros(len(codes), dtype=bool)
                if year in oslo_levels:
                    z[oslo] = to_space(oslo_levels[year], spec.space)
                    fixed[oslo] = True
                weights = self.weights_of(spec, year)
                values = shift_to_mean(z, weights, nat[year], spec.space, fixed, spec.clip)
                values = np.round(values, spec.decimals)
            else:
                raise AssertionError(spec.kind)
            for i in range(len(codes)):
                if na_units[units[i]]:
                    status[i] = "."
                elif (
                    spec.kind in ("count", "binom")
                    and 0 < values[i] < 5
                    and series_id[0] in ("12870", "12286", "12275", "14019")
                ) or (spec.small and people[i] < spec.small):
                    status[i] = ":"
            out.values[year] = values
            out.status[year] = status
        self.series[series_id] = out

    def build_derived(self) -> None:
        geo = self.geo

        def acc(functions: list[str], art: str = "AGD2") -> dict[int, np.ndarray]:
            out: dict[int, np.ndarray] = {}
            for f in functions:
                values = self.series[
                    key("12362", "KOSbelop0000", {"KOKart0000": art, "KOKfunksjon0000": f})
                ].values
                for year, row in values.items():
                    out[year] = out.get(year, 0) + row
            return out

        def popd(group: str) -> dict[int, np.ndarray]:
            return {year: geo.pop(year, group) for year in YEARS}

        def ser(series_id: tuple[str, str, str]) -> dict[int, np.ndarray]:
            return self.series[series_id].values

        grunnskole = [f for f, v in FUNCTIONS.items() if v[0] == "grunnskole"]
        barnehage = [f for f, v in FUNCTIONS.items() if v[0] == "barnehage"]
        kultur = [f for f, v in FUNCTIONS.items() if v[0] == "kultur"]
        every = list(FUNCTIONS) + list(OTHER_FUNCTIONS) + list(VAR_BDU)
        self.derived = {
            key("12255", "KOSregnind20000"): (acc(grunnskole), popd("6-15"), 1000.0, 0),
            key("13502", "KOSutg020000"): (acc(barnehage), popd("1-5"), 1000.0, 0),
            key("13135", "KOSdriftinnb0000"): (acc(kultur), popd("total"), 1000.0, 0),
            key("13135", "KOSdriftkultur0000"): (acc(kultur), acc(every), 100.0, 1),
            key("12293", "KOSbeleggomsorgs0000"): (
                ser(key("12292", "KOSbeboersykehje0000")),
                ser(key("11875", "KOSinstdispplass0000")),
                100.0,
                1,
            ),
            key("12209", "KOSBDU253261oppd0000"): (
                acc(["253", "261"], "AGD10"),
                ser(key("12292", "KOSinstoppholdsd0000")),
                1000.0,
                0,
            ),
        }
        for series_id, (num, den, scale, decimals) in self.derived.items():
            out = Series()
            for year in YEARS:
                with np.errstate(divide="ignore", invalid="ignore"):
                    values = np.round(scale * num[year] / den[year], decimals)
                out.values[year] = values
                out.status[year] = ["." if not np.isfinite(v) else None for v in values]
                out.values[year] = np.where(np.isfinite(values), values, np.nan)
            self.series[series_id] = out

    def missing_reports(self) -> None:
        """About 0.4 % of municipality × table × year outside the accounts: '..'."""
        rng = rng_for(self.seed, "missing-reports")
        # The same draws whichever tables were built, so that a subset rebuilds identically.
        tables = sorted({sid[0] for sid in self.specs} - {"12362", "12134", "12137"})
        for table in tables:
            for year in YEARS:
                codes = self.geo.codes[year]
                hit = np.flatnonzero(rng.random(len(codes)) < 0.004)
                for sid, series in self.series.items():
                    if sid[0] != table:
                        continue
                    for i in hit:
                        if codes[i] != OSLO:
                            series.status[year][i] = ".."

    # -- aggregates and the frame ----------------------------------------------------
    def aggregates(self, series_id: tuple[str, str, str], year: int) -> dict[str, float | None]:
        geo = self.geo
        codes = geo.codes[year]
        counties = [geo.county[year][c] for c in codes]
        groups: dict[str, np.ndarray] = {
            "EAK": np.ones(len(codes), dtype=bool),
            "EAKUO": np.array([c != OSLO for c in codes]),
        }
        for county in sorted(set(counties)):
            groups[f"EKA{county}"] = np.array([c == county for c in counties])
        series = self.series[series_id]
        values = series.values[year]
        usable = np.array([s != "." for s in series.status[year]]) & np.isfinite(values)
        spec = self.specs.get(series_id)
        out: dict[str, float | None] = {}
        for region, members in groups.items():
            mask = members & usable
            if series_id[0] == "12362" or (spec and spec.aggregate == "sum"):
                out[region] = float(values[mask].sum())
            elif series_id in self.derived:
                num, den, scale, decimals = self.derived[series_id]
                d = float(den[year][members].sum())
                out[region] = (
                    round(scale * float(num[year][members].sum()) / d, decimals) if d else None
                )
            elif spec and spec.aggregate == "mean":
                out[region] = (
                    round(float(values[mask].mean()), spec.decimals) if mask.any() else None
                )
            else:
                assert spec is not None
                weights = self.weights_of(spec, year)
                assert weights is not None
                w = weights[mask]
                out[region] = (
                    round(float((values[mask] * w).sum() / w.sum()), spec.decimals)
                    if w.sum() > 0
                    else None
                )
        return out

    def frame(self, wanted: set[tuple[str, str, str]]) -> pl.DataFrame:
        columns: dict[str, list[object]] = {name: [] for name in OBSERVATION_SCHEMA}
        for series_id in sorted(wanted):
            series = self.series[series_id]
            table, contents, dims = series_id
            for year in YEARS:
                codes = self.geo.codes[year]
                values = series.values[year]
                for code, value, status in zip(codes, values, series.status[year], strict=True):
                    columns["table_id"].append(table)
                    columns["contents_code"].append(contents)
                    columns["region"].append(code)
                    columns["year"].append(year)
                    columns["dims"].append(dims)
                    shown = None if status is not None or not np.isfinite(value) else float(value)
                    columns["value"].append(shown)
                    columns["status"].append(status if shown is None else None)
                for region, value in self.aggregates(series_id, year).items():
                    columns["table_id"].append(table)
                    columns["contents_code"].append(contents)
                    columns["region"].append(region)
                    columns["year"].append(year)
                    columns["dims"].append(dims)
                    columns["value"].append(value)
                    columns["status"].append(None if value is not None else ".")
        frame = pl.DataFrame(columns, schema=OBSERVATION_SCHEMA)
        return full_grid(frame).sort("table_id", "contents_code", "dims", "year", "region")


def full_grid(frame: pl.DataFrame) -> pl.DataFrame:
    """Every series on every region code of its table's lifetime, in every year, as SSB lists
    them: a code in a year it did not exist gets an empty cell with "." (category not
    applicable), like Sandefjord 0710 (2017-2019) in 2015 in SSB's own 13502 download."""
    series = frame.select("table_id", "contents_code", "dims").unique()
    regions = frame.select("table_id", "region").unique()
    years = frame.select("year").unique()
    cells = series.join(regions, on="table_id").join(years, how="cross")
    keys = ["table_id", "contents_code", "region", "year", "dims"]
    grid = cells.join(frame, on=keys, how="left").select(frame.columns)
    return grid.with_columns(
        pl.when(pl.col("value").is_null())
        .then(pl.col("status").fill_null("."))
        .otherwise(pl.col("status"))
        .alias("status")
    )


def catalog_series() -> set[tuple[str, str, str]]:
    """The series the catalog needs, as (table, contents code, canonical dims)."""
    wanted = set()
    for ref in load_catalog().series():
        table, code, dims = series_key(ref)
        wanted.add((table, code, encode_dims(dict(dims))))
    return wanted


def build(shared: Path, *, seed: int = SEED, tables: set[str] | None = None) -> pl.DataFrame:
    """The sample observation frame (all catalog series, or those of ``tables``)."""
    builder = Builder(shared, seed)
    wanted = catalog_series()
    if tables is not None:
        wanted = {sid for sid in wanted if sid[0] in tables}
    unknown = sorted(sid for sid in wanted if sid[0] != "12362" and sid not in builder.specs)
    if unknown:
        raise SystemExit(f"no generator for catalog series {unknown}")
    builder.build_accounts()
    derived = {sid for sid, spec in builder.specs.items() if spec.kind == "derived"}
    needed = {sid for sid in wanted if sid in builder.specs and sid not in derived}
    # Derived ratios read these components (see Builder.build_derived).
    needed |= {
        key("12292", "KOSbeboersykehje0000"),
        key("11875", "KOSinstdispplass0000"),
        key("12292", "KOSinstoppholdsd0000"),
    }
    for series_id in sorted(needed):
        builder.build_series(series_id, builder.specs[series_id])
    builder.build_derived()
    builder.missing_reports()
    return builder.frame(wanted)


def write(frame: pl.DataFrame, shared: Path, seed: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "observations.parquet"
    partial = OUT / ".observations.parquet.partial"
    frame.write_parquet(partial, compression="zstd", compression_level=19, statistics=False)
    partial.replace(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    tables = {
        table: {"title": TABLE_TITLES.get(table, table), "rows": rows}
        for table, rows in frame.group_by("table_id").len().sort("table_id").iter_rows()
    }
    metadata = {
        "synthetic": True,
        "description": "Synthetic KOSTRA figures for trying kostra offline. Not SSB's numbers.",
        "description_nb": "Syntetiske KOSTRA-tall for å prøve kostra uten nett. Ikke SSBs tall.",
        "seed": seed,
        "build_date": datetime.now(UTC).date().isoformat(),
        "built_by": "scripts/build_sample.py",
        "years": [YEARS[0], YEARS[-1]],
        "rows": frame.height,
        "sha256": digest,
        "inputs": [
            "src/kostra/data/geography/municipality_years.parquet",
            "src/kostra/data/geography/population_2024_borders.parquet",
            "src/kostra/data/geography/population_original_borders.parquet",
            "shared/data/reference/redistricting_to_2024.csv",
            "shared/data/reference/cost_index_sectors_2026.json",
            "shared/data/reference/cost_index_sectors_2025.json",
            "shared/data/reference/cost_index_total_2026.json",
            "shared/" + XLSX,
            "src/kostra/catalog/data/*.toml",
        ],
        "tables": tables,
    }
    text = json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"
    partial_meta = OUT / ".metadata.json.partial"
    partial_meta.write_text(text, encoding="utf-8")
    partial_meta.replace(OUT / "metadata.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    frame = build(args.shared, seed=args.seed)
    write(frame, args.shared, args.seed)
    size = (OUT / "observations.parquet").stat().st_size
    print(f"{frame.height} rows, {size / 1e6:.1f} MB -> {OUT}")


if __name__ == "__main__":
    main()
