"""The findings' and sector verdicts' sentences come from the gettext catalogs: nynorsk without
bokmål, English without Norwegian, the singular for a count of one, and no catalog entry left
unused."""

from __future__ import annotations

import re

import polars as pl
import pytest

from kostra.analysis import findings as F  # noqa: N812
from kostra.analysis.verdict import (
    BarometerPlace,
    Indices,
    SectorFigures,
    Statement,
    sector_verdict,
)
from language_checks import bokmal_words, catalog_ids, norwegian_words, used_keys, without_names
from made_up_findings import CATALOG, CONTEXT, RULES, history_rows, profile_rows
from made_up_verdicts import drivers, key_figure


def _every_finding() -> list[F.Finding]:
    """At least one finding of every rule, in both directions where a rule has two."""
    profile = profile_rows(
        a={"value": 16.0, "peer_average": 10.0, "index": 160.0, "peer_rank": 1, "n_peers": 12},
        b={"value": 7406.0, "peer_average": 731.0, "index": 1013.1, "peer_rank": 12, "n_peers": 12},
        c={"value": 8.0, "peer_average": 10.0, "index": 80.0},
    )
    history = pl.concat(
        [
            history_rows({2016: 1.0, 2017: 1.1, 2018: 1.0, 2019: 1.2, 2020: 13.0}),
            history_rows(
                {2016: 100.0, 2017: 101.0, 2018: 99.0, 2019: 100.0, 2020: 450.0}
            ).with_columns(pl.lit("b").alias("indicator_id")),
            history_rows({2016: 40.0, 2017: 41.0, 2018: 42.0, 2019: 43.0, 2020: 30.0}).with_columns(
                pl.lit("c").alias("indicator_id")
            ),
        ]
    )
    need = pl.DataFrame(
        {
            "sector": ["grunnskole", "barnehage"],
            "expected": [10_000.0, 10_000.0],
            "difference": [1_000.0, -900.0],
            "excess_nok": [130e6, -13e6],
        }
    )
    production = pl.DataFrame(
        {
            "sector": ["barnehage", "grunnskole"],
            "production_index": [104.2, 90.0],
            "efficiency_index": [96.0, 110.0],
        }
    )
    sectors = pl.DataFrame(
        {
            "sector": ["grunnskole", "barnevern"],
            "rank": [5, 300],
            "rank_low": [2, 280],
            "rank_high": [9, 320],
            "n_ranked": [356, 350],
        }
    )
    drivers = pl.DataFrame(
        {
            "sector": ["grunnskole", "grunnskole"],
            "indicator_id": ["a", "c"],
            "value": [1.0, 3.0],
            "grade": [6.0, 1.5],
            "weight": [0.2, 0.3],
            "effect": [0.5, -0.6],
        }
    )
    barometer = {
        "rank": 12,
        "rank_low": 8,
        "rank_high": 17,
        "n_ranked": 356,
        "peer_rank": 3,
        "n_peers": 12,
        "rank_income_adjusted": 9,
        "n_indicators": 52,
    }
    found = F.generate_findings(
        catalog=CATALOG,
        context=CONTEXT,
        profile=profile,
        history=history,
        need=need,
        production=production,
        production_total=97.0,
        efficiency_total=100.2,
        barometer_total=barometer,
        barometer_sectors=sectors,
        barometer_drivers=drivers,
        missing_count=3,
    )
    found += F.barometer_findings(
        {"rank": 4, "n_ranked": 356}, sectors.head(0), drivers.head(0), CATALOG, CONTEXT, RULES
    )
    return found


@pytest.fixture(scope="module")
def every_finding() -> list[F.Finding]:
    return _every_finding()


def test_every_rule_is_exercised(every_finding: list[F.Finding]) -> None:
    assert {f.rule_id for f in every_finding} == set(F.RULE_IDS)
    texts = " ".join(f.text_nb for f in every_finding)
    for both in ("over", "under", "høyere", "lavere", "opp", "ned", "mer", "mindre"):
        assert re.search(rf"\b{both}\b", texts), both


def test_findings_in_nynorsk_have_no_bokmal(every_finding: list[F.Finding]) -> None:
    names = [i.name_nb for i in CATALOG.indicators]
    for finding in every_finding:
        assert finding.text_nn, finding.rule_id
        said = without_names(finding.text_nn, names)
        assert bokmal_words(said) == [], finding.text_nn


def test_findings_in_english_have_no_norwegian(every_finding: list[F.Finding]) -> None:
    names = [i.name_en for i in CATALOG.indicators]
    for finding in every_finding:
        said = without_names(finding.text_en, names)
        assert norwegian_words(said) == [], finding.text_en


def test_the_word_checks_see_bokmal_in_nynorsk_and_norwegian_in_english() -> None:
    # the checks above can fail: the bokmål sentence fails both
    (finding,) = F.missing_findings(3, CONTEXT)
    assert bokmal_words(finding.text_nb) == ["mangler"]
    assert norwegian_words(finding.text_nb) == ["mangler", "nøkkeltall"]


def test_a_count_of_one_takes_the_singular() -> None:
    (one,) = F.missing_findings(1, CONTEXT)
    (two,) = F.missing_findings(2, CONTEXT)
    assert one.text_en == "1 key figure is missing for Bærum in 2024."
    assert two.text_en == "2 key figures are missing for Bærum in 2024."
    assert one.text_nn == "1 nøkkeltal manglar for Bærum i 2024."
    need = pl.DataFrame(
        {"sector": ["grunnskole"], "expected": [10_000.0], "difference": [10.0], "excess": [1e6]}
    ).rename({"excess": "excess_nok"})
    (c2,) = [f for f in F.need_findings(need, CONTEXT, RULES) if f.rule_id == "C2"]
    assert c2.text_nb.startswith("Samlet for 1 sektor brukte")
    assert c2.text_nn is not None
    assert c2.text_nn.startswith("Samla for 1 sektor brukte")
    assert c2.text_en.startswith("In 1 sector, after need correction")
    (many,) = [
        f
        for f in F.need_findings(need, CONTEXT, RULES, total_nok=2e6, total_sectors=6)
        if f.rule_id == "C2"
    ]
    assert many.text_nn is not None
    assert many.text_nn.startswith("Samla for 6 sektorar brukte")
    assert many.text_en.startswith("Across 6 sectors")
    empty = pl.DataFrame(
        {"sector": [], "production_index": [], "efficiency_index": []},
        schema={"sector": pl.Utf8, "production_index": pl.Float64, "efficiency_index": pl.Float64},
    )
    (e3,) = F.production_findings(empty, CONTEXT, RULES, production_total=101.0)
    assert e3.text_en.endswith("is 101 – 1 point above the ASSS average (= 100).")
    assert e3.text_nb.endswith("er 101 – 1 poeng over ASSS-snittet (= 100).")
    (e3,) = F.production_findings(empty, CONTEXT, RULES, production_total=98.0)
    assert e3.text_en.endswith("is 98 – 2 points below the ASSS average (= 100).")
    lone = F.FindingRules(extreme_min_peers=1)
    profile = profile_rows(
        a={"value": 5.0, "peer_average": 5.0, "index": 100.0, "peer_rank": 1, "n_peers": 1}
    )
    (p2,) = F.profile_findings(profile, CATALOG, CONTEXT, lone)
    assert "of 1 municipality in ASSS" in p2.text_en
    assert "blant 1 kommune i ASSS" in (p2.text_nn or "")


def test_a_standard_peer_group_is_named_in_the_reader_s_language() -> None:
    country = F.FindingContext(municipality="Bærum", year=2024, peer_name="Landet uten Oslo")
    profile = profile_rows(c={"value": 8.0, "peer_average": 10.0, "index": 80.0})
    (finding,) = F.profile_findings(profile, CATALOG, country, RULES)
    assert "Landet uten Oslo-snittet" in finding.text_nb
    assert "Landet utan Oslo-snittet" in (finding.text_nn or "")
    assert norwegian_words(finding.text_en.replace("Share of pupils c", "")) == []


def _every_statement() -> list[Statement]:
    """Every verdict, observation and barometer rule, in both directions where it has two."""
    few = (key_figure("a", 130.0), key_figure("g", 103.0), key_figure("h", 99.0))
    spread = (
        key_figure("a", 120.0),
        key_figure("b", 85.0, previous=40.0),
        key_figure("c", 101.0, previous=80.0),
    )
    cases = [
        SectorFigures("grunnskole", Indices(112.0, 90.0, 124.4), previous=Indices(100, 99, 101)),
        SectorFigures("barnehage", Indices(106.0, 124.1, 85.4)),
        SectorFigures("kommunehelse", Indices(92.7, 126.4, 73.3)),
        SectorFigures("grunnskole", Indices(104.9, 95.1, 110.3)),
        SectorFigures("grunnskole", Indices(94.0, 95.1, 110.3)),
        SectorFigures("grunnskole", Indices(100.0, 100.0, 101.0)),
        SectorFigures("grunnskole", Indices(100.0, None, 101.0), previous=Indices(100, None, 110)),
        SectorFigures("grunnskole", Indices(110.0, 90.0, None), previous=Indices(100, 80, None)),
        SectorFigures("grunnskole", Indices(110.0, 100.0, None), previous=Indices(100, 110, None)),
        SectorFigures("administrasjon", resource_use=1.21),
        SectorFigures("administrasjon", resource_use=1.0),
        SectorFigures("administrasjon", resource_use=0.8),
        SectorFigures(
            "kultur_og_fritid",
            key_figures=spread,
            need_difference_pct=-6.0,
            need_difference_kr=-500.0,
        ),
        SectorFigures(
            "barnehage", key_figures=few, need_difference_pct=8.0, need_difference_kr=9.0
        ),
        SectorFigures("eiendom"),
        SectorFigures("barnehage", barometer=BarometerPlace(302, 350, drivers())),
        SectorFigures("barnehage", barometer=BarometerPlace(4, 350, drivers())),
        SectorFigures("barnehage", barometer=BarometerPlace(None, None, coverage=0.35)),
        SectorFigures("barnehage", barometer=BarometerPlace(None, None, available=False)),
        SectorFigures("barnevern", barometer=BarometerPlace(10, 300)),
    ]
    said = []
    for figures in cases:
        verdict = sector_verdict(figures)
        said += [verdict.verdict, *verdict.observations, verdict.barometer]
    return said


_VERDICT_NAMES_NB = [
    *(f"Andel {i}" for i in "abcgh"),
    *(d.name_nb for d in drivers()),
]
_VERDICT_NAMES_EN = [*(f"Share {i}" for i in "abcgh"), *(d.name_en for d in drivers())]


def test_every_verdict_rule_is_exercised() -> None:
    rules = {s.rule_id for s in _every_statement()}
    expected = {f"V{n}" for n in range(8)} | {f"O{n}" for n in range(1, 5)}
    expected |= {f"R{n}" for n in range(5)}
    assert rules == expected
    texts = " ".join(s.full("nb") for s in _every_statement())
    for word in ("økte", "falt", "effektiviteten", "kostnadsindeksen", "Økning", "Nedgang"):
        assert word in texts, word
    for word in ("Høye utgifter", "Lave utgifter", "Høy plassering", "Lav plassering"):
        assert word in texts, word


def test_verdicts_in_nynorsk_have_no_bokmal() -> None:
    for statement in _every_statement():
        assert statement.text_nn is not None, statement.rule_id
        said = without_names(statement.full("nn"), _VERDICT_NAMES_NB)
        assert bokmal_words(said) == [], statement.full("nn")


def test_verdicts_in_english_have_no_norwegian() -> None:
    for statement in _every_statement():
        said = without_names(statement.full("en"), _VERDICT_NAMES_EN)
        assert norwegian_words(said) == [], statement.full("en")


def test_a_verdict_counting_one_key_figure_takes_the_singular() -> None:
    one = sector_verdict(SectorFigures("kultur_og_fritid", key_figures=(key_figure("a", 120.0),)))
    assert one.verdict.rule_id == "V7"
    assert one.verdict.detail("en") == "(1 of 1 key figure above the average, 0 below; limit ±10%)"
    assert one.verdict.detail("nn") == (
        "(1 av 1 nøkkeltal over snittet, 0 under; grense ±10\u00a0%)"
    )
    two = sector_verdict(
        SectorFigures(
            "kultur_og_fritid", key_figures=(key_figure("a", 120.0), key_figure("b", 80.0))
        )
    )
    assert two.verdict.detail("en") == "(1 of 2 key figures above the average, 1 below; limit ±10%)"


def test_nynorsk_units_in_a_verdict() -> None:
    """A key figure's unit reads as nynorsk writes it ("timar", not "timer")."""
    from dataclasses import replace

    hours = replace(key_figure("a", 130.0), unit="timer")
    (said,) = sector_verdict(SectorFigures("barnehage", key_figures=(hours,))).observations
    assert said.text("nn").endswith("(50,0\u00a0timar mot snitt 38,5\u00a0timar)")
    assert said.text("nb").endswith("(50,0\u00a0timer mot snitt 38,5\u00a0timer)")


@pytest.mark.parametrize("prefix", ["finding.", "verdict."])
def test_every_sentence_message_is_used(prefix: str) -> None:
    """The scan of keys in code sees every finding and verdict message: none is left over
    from a sentence rewritten, and none is looked up under a key the scan cannot see."""
    ids = catalog_ids(prefix)
    assert len(ids) > 30
    used = {key for key in used_keys() if key.startswith(prefix)}
    assert used == ids
