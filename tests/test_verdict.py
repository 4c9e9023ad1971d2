"""Rule tests of :mod:`kostra.analysis.verdict` on constructed sectors, and snapshots of the
sentences in bokmål and English."""

from __future__ import annotations

import pytest

from kostra.analysis.verdict import (
    BarometerPlace,
    Indices,
    KeyFigure,
    SectorFigures,
    VerdictRules,
    level,
    sector_verdict,
)
from made_up_verdicts import drivers, key_figure


def test_level_thresholds_are_inclusive_at_five_points() -> None:
    rules = VerdictRules()
    assert level(105.0, rules) == "high"
    assert level(104.99, rules) == "average"
    assert level(95.0, rules) == "low"
    assert level(95.01, rules) == "average"
    assert level(None, rules) is None
    assert level(float("nan"), rules) is None


def test_high_production_low_cost_is_efficient() -> None:
    v = sector_verdict(SectorFigures("grunnskole", Indices(112.0, 90.0, 124.4)))
    assert v.verdict.rule_id == "V1"
    assert v.high_production_low_cost
    assert v.verdict.text_nb == "En effektiv grunnskole med høy produksjon og lave kostnader"
    assert v.verdict.text_en == (
        "An efficient primary and lower secondary school service with high production and low costs"
    )
    assert v.verdict.detail_nb == "(produksjon 112, kostnad 90, effektivitet 124; snitt = 100)"
    assert v.verdict.numbers == {
        "production_index": 112.0,
        "cost_index": 90.0,
        "efficiency_index": 124.4,
    }


def test_just_below_the_threshold_claims_nothing_high() -> None:
    v = sector_verdict(SectorFigures("grunnskole", Indices(104.9, 95.1, 110.3)))
    assert v.verdict.rule_id == "V4"  # only the efficiency index passes its threshold
    assert v.verdict.text_nb == (
        "Høy score på effektivitetsindeksen: produksjon på nivå med snittet og kostnader på "
        "nivå med snittet"
    )
    assert not v.high_production_low_cost


def test_low_efficiency() -> None:
    v = sector_verdict(SectorFigures("barnehage", Indices(106.0, 124.1, 85.4)))
    assert v.verdict.rule_id == "V3"
    assert v.verdict.text_nb == (
        "Lav score på effektivitetsindeksen: høy produksjon og høye kostnader"
    )
    assert (
        v.verdict.text_en == "A low score on the efficiency index: high production and high costs"
    )
    v = sector_verdict(SectorFigures("kommunehelse", Indices(92.7, 126.4, 73.3)))
    assert v.verdict.rule_id == "V2"


def test_change_from_last_year_is_stated_with_both_numbers() -> None:
    now = Indices(99.0, 92.3, 107.3)
    v = sector_verdict(SectorFigures("grunnskole", now, previous=Indices(100.0, 99.0, 101.0)))
    assert v.verdict.text_nb.endswith("; effektiviteten økte fra 101 til 107")
    assert v.verdict.numbers["previous_efficiency_index"] == 101.0
    # below the change threshold, or across a merger: nothing is said about the change
    small = sector_verdict(SectorFigures("grunnskole", now, previous=Indices(99, 92, 105.0)))
    assert "økte" not in small.verdict.text_nb
    merged = SectorFigures(
        "grunnskole", now, previous=Indices(100.0, 99.0, 101.0), series_break=True
    )
    assert "økte" not in sector_verdict(merged).verdict.text_nb


def test_missing_data_says_so() -> None:
    v = sector_verdict(SectorFigures("eiendom"))
    assert v.verdict.rule_id == "V0"
    assert v.verdict.text_nb == "For lite data til en samlet vurdering av eiendom"
    assert v.verdict.text_en == "Too little data for an overall verdict on municipal property"
    assert v.observations == ()
    assert v.barometer.rule_id == "R0"  # the barometer does not rank the sector


def test_cost_only_and_key_figures_only() -> None:
    v = sector_verdict(SectorFigures("administrasjon", resource_use=1.21))
    assert (v.verdict.rule_id, v.verdict.text_nb) == (
        "V6",
        "Høye kostnader etter behovskorrigering",
    )
    assert v.verdict.numbers == {"resource_use_index": pytest.approx(121.0)}
    kfs = (
        key_figure("a", 120.0),
        key_figure("b", 85.0),
        key_figure("c", 101.0),
        key_figure("d", None),
    )
    v = sector_verdict(SectorFigures("kultur_og_fritid", key_figures=kfs))
    assert v.verdict.rule_id == "V7"
    assert v.verdict.detail_nb == ("(1 av 3 nøkkeltall over snittet, 1 under; grense ±10\u00a0%)")


def test_observations_by_size_and_relevance_three_to_five() -> None:
    kfs = (
        key_figure("a", 130.0),  # 30 points
        key_figure("b", 122.0, relevant=True),  # 22 × 1.5 = 33
        key_figure("c", 102.0, value=60.0, previous=50.0),  # +20 % change
        key_figure("d", 88.0),
        key_figure("e", 111.0),
        key_figure("f", 150.0),
        key_figure("g", 103.0),
    )
    v = sector_verdict(SectorFigures("barnehage", key_figures=kfs))
    ids = [o.indicator_id for o in v.observations]
    assert ids == ["f", "b", "a", "c", "d"]
    assert [o.rule_id for o in v.observations] == ["O1", "O1", "O1", "O2", "O1"]
    change = v.observations[3]
    assert change.text_nb == "Økning i andel c (fra 50,0\u00a0% til 60,0\u00a0%)"
    assert change.text_en == "An increase in share c (from 50.0% to 60.0%)"
    assert change.numbers["change_pct"] == pytest.approx(20.0)
    # few deviations: filled up to three with the closest-to-threshold figures, said as such
    few = sector_verdict(
        SectorFigures(
            "barnehage",
            key_figures=(key_figure("a", 130.0), key_figure("g", 103.0), key_figure("h", 99.0)),
        )
    )
    assert [o.rule_id for o in few.observations] == ["O1", "O4", "O4"]
    assert (
        few.observations[1].text_nb
        == "Andel g på nivå med snittet (50,0\u00a0% mot snitt 48,5\u00a0%)"
    )


def test_observation_words_agree_with_the_noun() -> None:
    kf = KeyFigure(
        "x",
        "Netto driftsutgifter per innbygger",
        "Net expenditure per inhabitant",
        value=80.0,
        peer_average=100.0,
        index=80.0,
        unit="kr",
    )
    v = sector_verdict(SectorFigures("kultur_og_fritid", key_figures=(kf,)))
    assert v.observations[0].text_nb == (
        "Lave netto driftsutgifter per innbygger (80,0\u00a0kr mot snitt 100\u00a0kr)"
    )


def test_need_corrected_spending_observation() -> None:
    v = sector_verdict(
        SectorFigures("barnehage", need_difference_pct=31.5, need_difference_kr=3186.0)
    )
    assert v.observations[0].rule_id == "O3"
    assert v.observations[0].text_nb == (
        "Høye utgifter etter behovskorrigering (3\u00a0186\u00a0kr per innbygger over snittet)"
    )
    small = sector_verdict(
        SectorFigures("barnehage", need_difference_pct=4.9, need_difference_kr=300.0)
    )
    assert small.observations == ()


def test_barometer_reason_takes_the_indicators_pulling_towards_the_rank() -> None:
    low = sector_verdict(SectorFigures("barnehage", barometer=BarometerPlace(302, 350, drivers())))
    assert low.barometer.rule_id == "R1"
    assert low.barometer.text_nb == (
        "Nr. 302 av 350. Lav plassering pga. lav andel ansatte med fagutdanning (karakter 1,5 "
        "av 6) og høye netto driftsutgifter per innbygger (karakter 2,5 av 6)"
    )
    assert low.barometer.text_en == (
        "Rank 302 of 350. A low rank because of low share of staff with training (grade 1.5 of "
        "6) and high net expenditure per inhabitant (grade 2.5 of 6)"
    )
    high = sector_verdict(SectorFigures("barnehage", barometer=BarometerPlace(4, 350, drivers())))
    assert high.barometer.text_nb == (
        "Nr. 4 av 350. Høy plassering pga. lav andel barn med plass (karakter 5,0 av 6)"
    )


def test_barometer_not_ranked_and_ungraded() -> None:
    v = sector_verdict(SectorFigures("eiendom", barometer=None))
    assert v.barometer.text_nb == "Kommunebarometeret rangerer ikke eiendom"
    missing = BarometerPlace(None, None, available=False)
    assert sector_verdict(SectorFigures("barnehage", barometer=missing)).barometer.rule_id == "R3"
    none = sector_verdict(SectorFigures("barnehage", barometer=BarometerPlace(None, None)))
    assert none.barometer.rule_id == "R4"
    covered = BarometerPlace(None, None, coverage=0.35)
    said = sector_verdict(SectorFigures("barnehage", barometer=covered)).barometer
    assert said.detail_nb == "(nøkkeltall med data: 35\u00a0% av vekten)"
    assert said.numbers == {"coverage": 0.35}
    ungraded = sector_verdict(SectorFigures("barnevern", barometer=BarometerPlace(10, 300)))
    assert ungraded.barometer.rule_id == "R2"
    assert ungraded.barometer.text_en == "Rank 10 of 300 (no grades to explain the rank with)"
