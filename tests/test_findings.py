"""The findings rule engine: each rule fires on its condition, states its numbers, and every
number printed in a sentence is one of the finding's numbers."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
import pytest

from kostra.analysis import findings as F  # noqa: N812
from kostra.catalog.models import Catalog
from kostra.cli._output import format_number
from kostra.i18n import text as message
from made_up_findings import (
    CATALOG,
    CONTEXT,
    RULES,
    history_rows,
    made_up_indicator,
    profile_rows,
)

NUMBER = re.compile(r"\d[\d\u00a0.,]*\d|\d")


def assert_traceable(finding: F.Finding) -> None:
    """Every number in both sentences is printed from ``finding.numbers`` (or is a year/rule
    constant named in the text such as the trend window)."""
    for key, nb, en in finding.shown:
        value = finding.numbers[key]
        assert nb in {F.fmt(value, "nb", d) for d in (0, 1, 2, 3)}
        assert en in {F.fmt(value, "en", d) for d in (0, 1, 2, 3)}
    assert finding.text_nn, "every finding has a nynorsk sentence"
    sentences = (("nb", finding.text_nb), ("nn", finding.text_nn), ("en", finding.text_en))
    for lang, text in sentences:
        # nynorsk prints its numbers as bokmål does
        printed = {en if lang == "en" else nb for _, nb, en in finding.shown}
        allowed = printed | {str(finding.numbers.get("year", "")).split(".")[0]}
        allowed |= {str(CONTEXT.year), str(RULES.trend_window), "100", "6"}
        for token in NUMBER.findall(text):
            token = token.rstrip(".,")
            assert token in allowed or any(token in p for p in printed), (token, text)


def test_format_matches_cli_format_number() -> None:
    for value in (0.0, 1.25, 12.5, 99.94, 123.4, 12345.678, -4567.8):
        for lang in ("nb", "en"):
            assert F.fmt(value, lang) == format_number(value, lang)
    assert F.fmt(12345.6, "nb", 0) == "12\u00a0346"
    assert F.fmt(12.34, "nb", 1) == "12,3"


def test_p1_states_size_and_direction() -> None:
    profile = profile_rows(a={"value": 6.3, "peer_average": 10.0, "index": 63.0})
    (finding,) = F.profile_findings(profile, CATALOG, CONTEXT, RULES)
    assert finding.rule_id == "P1"
    # a share is compared in percentage points, never "37 % under" (6,3 % against 10,0 %)
    assert finding.text_nb == (
        "Andelen elever a er 3,7 prosentpoeng under ASSS-snittet (6,3\u00a0% mot 10,0\u00a0%)."
    )
    assert "3.7 percentage points below the ASSS average" in finding.text_en
    assert finding.numbers["index"] == 63.0
    assert finding.anchor == "ind-a"
    assert finding.caveat_nb == "Tolk med varsomhet."
    assert_traceable(finding)


def test_p1_threshold() -> None:
    just = profile_rows(
        b={"value": 110.0, "peer_average": 100.0, "index": 110.0},
        c={"value": 10.9, "peer_average": 10.0, "index": 109.0},
    )
    found = F.profile_findings(just, CATALOG, CONTEXT, RULES)
    assert [f.indicator_id for f in found] == ["b"]
    assert "over" in found[0].text_nb
    assert "kr" in found[0].text_nb


def test_p1_skips_missing_values() -> None:
    profile = profile_rows(a={"value": None, "peer_average": 10.0, "index": None})
    assert F.profile_findings(profile, CATALOG, CONTEXT, RULES) == []


def test_p2_highest_and_lowest_only() -> None:
    profile = profile_rows(
        a={"value": 5.0, "peer_average": 5.0, "index": 100.0, "peer_rank": 1, "n_peers": 12},
        b={"value": 5.0, "peer_average": 5.0, "index": 100.0, "peer_rank": 12, "n_peers": 12},
        c={"value": 5.0, "peer_average": 5.0, "index": 100.0, "peer_rank": 4, "n_peers": 12},
    )
    found = F.profile_findings(profile, CATALOG, CONTEXT, RULES)
    assert [(f.rule_id, f.indicator_id) for f in found] == [("P2", "a"), ("P2", "b")]
    assert "høyeste" in found[0].text_nb
    assert "laveste" in found[1].text_nb
    for f in found:
        assert_traceable(f)


def test_trend_break_detected_with_size() -> None:
    history = history_rows({2016: 40.0, 2017: 41.0, 2018: 42.1, 2019: 42.9, 2020: 30.0, 2021: 44.0})
    breaks = F.trend_breaks(history, RULES, 2021)
    years = [b.year for b in breaks]
    assert 2020 in years
    brk = next(b for b in breaks if b.year == 2020)
    slope, intercept = np.polyfit([2016, 2017, 2018, 2019], [40.0, 41.0, 42.1, 42.9], 1)
    assert brk.expected == pytest.approx(intercept + slope * 2020)
    assert brk.relative == pytest.approx((30.0 - brk.expected) / brk.expected)
    (finding, *_) = F.trend_findings(history, CATALOG, CONTEXT, RULES)
    assert finding.rule_id == "T1"
    assert "2020 (pandemiår)" in finding.text_nb
    assert "lavere" in finding.text_nb
    assert finding.anchor == "trend-a-2020"
    assert_traceable(finding)


def test_no_trend_break_on_a_straight_line_or_small_wobble() -> None:
    line = history_rows({y: 10.0 + 0.5 * (y - 2015) for y in range(2015, 2025)})
    assert F.trend_breaks(line, RULES, 2024) == []
    wobble = history_rows({2019: 10.0, 2020: 10.2, 2021: 9.9, 2022: 10.1, 2023: 10.35})
    assert F.trend_breaks(wobble, RULES, 2023) == []


def test_no_trend_claimed_across_a_series_break() -> None:
    history = history_rows(
        {2016: 40.0, 2017: 41.0, 2018: 42.0, 2019: 43.0, 2020: 30.0}, breaks=(2019,)
    )
    assert F.trend_breaks(history, RULES, 2020) == []


def test_trend_parameters_are_used() -> None:
    # a perfect line: the robust SD is the floor, 3 % of the mean 41.5 = 1.245; 46.3 is 2.3 off
    # (5.2 %): under k = 3 floors and under the 10 % minimum change
    history = history_rows({2016: 40.0, 2017: 41.0, 2018: 42.0, 2019: 43.0, 2020: 46.3})
    assert F.trend_breaks(history, RULES, 2020) == []
    loose = F.FindingRules(trend_k=1.0, trend_min_change=0.03)
    assert [b.year for b in F.trend_breaks(history, loose, 2020)] == [2020]


def test_need_findings_per_sector_and_total() -> None:
    need = pl.DataFrame(
        {
            "sector": ["grunnskole", "barnehage", "barnevern"],
            "expected": [10_000.0, 10_000.0, None],
            "difference": [1_000.0, 100.0, 50.0],
            "excess_nok": [130e6, 13e6, 2.5e6],
        }
    )
    found = F.need_findings(need, CONTEXT, RULES)
    c1 = [f for f in found if f.rule_id == "C1"]
    assert [f.sector for f in c1] == ["grunnskole"]  # barnehage differs by 1 % only
    assert c1[0].text_nb == (
        "Etter behovskorrigering brukte Bærum 130 mill. kr mer enn ASSS-snittet på grunnskole "
        "(1\u00a0000 kr per innbygger)."
    )
    assert c1[0].numbers["difference_pct"] == pytest.approx(10.0)
    (c2,) = [f for f in found if f.rule_id == "C2"]
    assert c2.numbers["excess_nok"] == pytest.approx(145.5e6)
    assert c2.numbers["sectors"] == 3
    for f in found:
        assert_traceable(f)


def test_production_findings() -> None:
    production = pl.DataFrame(
        {
            "sector": ["barnehage", "grunnskole"],
            "production_index": [104.2, 101.0],
            "efficiency_index": [96.0, 99.0],
        }
    )
    found = F.production_findings(
        production, CONTEXT, RULES, production_total=97.0, efficiency_total=None
    )
    assert [(f.rule_id, f.sector) for f in found] == [
        ("E1", "barnehage"),
        ("E2", "barnehage"),
        ("E3", None),
    ]
    # a dash, not a comma: "104, 4 poeng" reads as the decimal 104,4
    assert found[0].text_nb == (
        "Produksjonsindeksen for barnehage er 104 – 4 poeng over ASSS-snittet (= 100)."
    )
    assert found[2].text_nb == (
        "Produksjonsindeksen (egen beregning etter ASSS/KS-metoden) samlet er 97 – 3 poeng "
        "under ASSS-snittet (= 100)."
    )
    assert "own calculation after the ASSS/KS method" in found[2].text_en
    for f in found:
        assert not re.search(r"\d, \d", f.text_nb), f.text_nb
        assert_traceable(f)


def test_index_on_the_average_says_so() -> None:
    """An index that prints as 100 is "på snittet", never "100, 0 poeng over"."""
    production = pl.DataFrame(
        {"sector": ["barnehage"], "production_index": [100.3], "efficiency_index": [None]},
        schema_overrides={"efficiency_index": pl.Float64},
    )
    (total,) = [
        f
        for f in F.production_findings(production, CONTEXT, RULES, production_total=99.8)
        if f.rule_id == "E3"
    ]
    assert total.text_nb == (
        "Produksjonsindeksen (egen beregning etter ASSS/KS-metoden) samlet er 100 – på "
        "ASSS-snittet (= 100)."
    )
    assert "0 poeng" not in total.text_nb
    assert_traceable(total)


def test_barometer_findings() -> None:
    total = {
        "rank": 12,
        "rank_low": 8,
        "rank_high": 17,
        "n_ranked": 356,
        "peer_rank": 3,
        "n_peers": 12,
    }
    sectors = pl.DataFrame(
        {
            "sector": ["grunnskole", "barnevern", "helse"],
            "rank": [5, 300, None],
            "rank_low": [2, 280, None],
            "rank_high": [9, 320, None],
            "n_ranked": [356, 350, 356],
        },
        schema_overrides={"rank": pl.Int64, "rank_low": pl.Int64, "rank_high": pl.Int64},
    )
    drivers = pl.DataFrame(
        {
            "sector": ["grunnskole", "grunnskole", "grunnskole", "helse"],
            "indicator_id": ["a", "b", "c", "a"],
            "value": [1.0, 2.0, 3.0, 4.0],
            "grade": [6.0, 3.4, 1.5, 6.0],
            "weight": [0.2, 0.5, 0.3, 1.0],
            "effect": [0.5, -0.05, -0.6, 2.5],
        }
    )
    found = F.barometer_findings(total, sectors, drivers, CATALOG, CONTEXT, RULES)
    b1 = next(f for f in found if f.rule_id == "B1")
    # our ranking is named as ours, never "i Kommunebarometeret"
    assert b1.text_nb == (
        "Etter Kommunebarometer-metoden (egen beregning) er Bærum nr. 12 av 356 kommuner "
        "(usikkerhetsintervall 8–17), og nr. 3 av 12 i ASSS."
    )
    assert "i Kommunebarometeret" not in b1.text_nb
    # with the income-adjusted rank: it is the headline, the unadjusted rank beside it
    adjusted = {**total, "rank_income_adjusted": 9, "n_indicators": 52}
    b1 = next(
        f
        for f in F.barometer_findings(adjusted, sectors, drivers, CATALOG, CONTEXT, RULES)
        if f.rule_id == "B1"
    )
    assert b1.text_nb == (
        "Etter Kommunebarometer-metoden (egen beregning, 52 av ca. 150 indikatorer) er Bærum "
        "nr. 9 av 356 kommuner justert for frie inntekter (ujustert nr. 12, "
        "usikkerhetsintervall 8–17), og nr. 3 av 12 i ASSS."
    )
    assert b1.text_en.startswith(
        "By the Kommunebarometer method (own calculation, 52 of about 150 indicators), Bærum "
        "ranks 9 of 356 municipalities adjusted for free income (unadjusted 12, "
    )
    assert_traceable(b1)
    b2 = [f for f in found if f.rule_id == "B2"]
    assert [f.sector for f in b2] == ["grunnskole", "barnevern"]
    b3 = [f for f in found if f.rule_id == "B3"]
    # the two largest |effect| in grunnskole; helse is not ranked, so no drivers
    assert [f.indicator_id for f in b3] == ["c", "a"]
    assert "ned" in b3[0].text_nb
    assert "opp" in b3[1].text_nb
    assert b3[1].caveat_nb == "Tolk med varsomhet."
    for f in found:
        assert_traceable(f)


def test_missing_findings() -> None:
    (finding,) = F.missing_findings(3, CONTEXT)
    assert finding.text_nb == "3 nøkkeltall mangler for Bærum i 2024."
    assert F.missing_findings(0, CONTEXT) == []


def test_rules_table_lists_every_rule_the_engine_emits() -> None:
    doc = F.__doc__ or ""
    for rule_id in ("P1", "P2", "T1", "C1", "C2", "E1", "E2", "E3", "B1", "B2", "B3", "M1"):
        assert re.search(rf"^{rule_id}\s", doc, re.MULTILINE), rule_id


def test_summary_puts_totals_first() -> None:
    profile = profile_rows(a={"value": 20.0, "peer_average": 10.0, "index": 200.0})
    found = F.generate_findings(
        catalog=CATALOG,
        context=CONTEXT,
        profile=profile,
        history=history_rows({}),
        production=pl.DataFrame(
            {"sector": [], "production_index": [], "efficiency_index": []},
            schema={
                "sector": pl.Utf8,
                "production_index": pl.Float64,
                "efficiency_index": pl.Float64,
            },
        ),
        production_total=90.0,
        barometer_total={"rank": 1, "n_ranked": 356},
    )
    top = F.summary(found, limit=2)
    assert [f.rule_id for f in top] == ["E3", "B1"]


def test_p1_keeps_the_largest_deviations_per_sector() -> None:
    indicators = tuple(made_up_indicator(f"x{n}") for n in range(8))
    catalog = Catalog(indicators=indicators)
    profile = profile_rows(
        **{
            f"x{n}": {"value": 1.0, "peer_average": 1.0, "index": 100.0 + 11 * (n + 1)}
            for n in range(8)
        }
    )
    found = F.profile_findings(profile, catalog, CONTEXT, RULES)
    kept = sorted(f.indicator_id or "" for f in found if f.rule_id == "P1")
    assert kept == ["x3", "x4", "x5", "x6", "x7"]
    wide = F.FindingRules(profile_max_per_sector=100)
    assert len(F.profile_findings(profile, catalog, CONTEXT, wide)) == 8


def test_trend_rule_tests_the_report_year_and_pandemic_years_only() -> None:
    base = {2014: 10.0, 2015: 10.1, 2016: 10.2, 2017: 10.3, 2018: 10.4, 2019: 10.5}
    history = history_rows({**base, 2020: 10.6, 2021: 10.7, 2022: 14.0, 2023: 10.9, 2024: 11.0})
    assert F.trend_breaks(history, RULES, 2024) == []  # 2022 is neither
    history = history_rows({**base, 2020: 14.0, 2021: 10.7, 2022: 10.8, 2023: 10.9, 2024: 11.0})
    assert [b.year for b in F.trend_breaks(history, RULES, 2024)] == [2020]
    no_pandemic = F.FindingRules(trend_pandemic=False)
    assert F.trend_breaks(history, no_pandemic, 2024) == []


def test_every_rule_has_a_description_in_every_language() -> None:
    doc_rules = set(re.findall(r"^([A-Z]\d)\s", F.__doc__ or "", re.MULTILINE))
    assert doc_rules == set(F.RULE_IDS)
    for rule_id in F.RULE_IDS:
        nb, nn, en = (message(f"rule.{rule_id}", lang) for lang in ("nb", "nn", "en"))
        assert nb != f"rule.{rule_id}"
        assert len({nb, nn, en}) == 3


def test_c2_uses_the_analysis_total_when_given() -> None:
    need = pl.DataFrame(
        {
            "sector": ["grunnskole", "administrasjon"],
            "expected": [10_000.0, 5_000.0],
            "difference": [10.0, 10.0],
            "excess_nok": [1e6, 5e6],
        }
    )
    (c2,) = [
        f
        for f in F.need_findings(need, CONTEXT, RULES, total_nok=2e6, total_sectors=6)
        if f.rule_id == "C2"
    ]
    assert c2.numbers["excess_nok"] == 2e6
    assert c2.numbers["sectors"] == 6
    assert c2.text_nb.startswith("Samlet for 6 sektorer")


def test_trend_of_a_share_in_percentage_points() -> None:
    # Utsira's forsterket norsk went from about 1 % to 13 %: "12 prosentpoeng høyere", never
    # "1 017 % høyere enn utviklingen"
    history = history_rows({2016: 1.0, 2017: 1.1, 2018: 1.0, 2019: 1.2, 2020: 13.0})
    (finding, *_) = F.trend_findings(history, CATALOG, CONTEXT, RULES)
    assert "prosentpoeng høyere enn utviklingen" in finding.text_nb
    assert "percentage points higher than the trend" in finding.text_en
    assert "prosentpoeng høgare enn utviklinga" in (finding.text_nn or "")
    assert "\u00a0% høyere" not in finding.text_nb
    assert "relative_pct" not in {key for key, _, _ in finding.shown}
    assert finding.numbers["difference_pp"] == pytest.approx(13.0 - finding.numbers["expected"])
    assert_traceable(finding)


def test_trend_change_beyond_the_cap_is_flagged() -> None:
    kroner = pl.lit("b").alias("indicator_id")  # "b" is in kroner, not a share
    history = history_rows({2016: 100.0, 2017: 101.0, 2018: 99.0, 2019: 100.0, 2020: 450.0})
    history = history.with_columns(kroner)
    (finding, *_) = F.trend_findings(history, CATALOG, CONTEXT, RULES)
    assert "\u00a0% høyere" in finding.text_nb
    assert "større enn ±100\u00a0% og er merket" in finding.text_nb
    assert "is flagged" in finding.text_en
    assert "er merkt" in (finding.text_nn or "")
    assert_traceable(finding)
    modest = history_rows({2016: 100.0, 2017: 101.0, 2018: 99.0, 2019: 100.0, 2020: 150.0})
    modest = modest.with_columns(kroner)
    (finding, *_) = F.trend_findings(modest, CATALOG, CONTEXT, RULES)
    assert "merket" not in finding.text_nb


def test_profile_index_beyond_the_caps_is_flagged() -> None:
    # Utsira's administration: 7 406 kr against 731 kr is index 1 013
    profile = profile_rows(b={"value": 7406.0, "peer_average": 731.0, "index": 1013.1})
    (finding,) = F.profile_findings(profile, CATALOG, CONTEXT, RULES)
    assert "Indeksen er over 300 og er merket" in finding.text_nb
    assert "above 300 and is flagged" in finding.text_en
    assert_traceable(finding)
    low = profile_rows(b={"value": 20.0, "peer_average": 100.0, "index": 20.0})
    (finding,) = F.profile_findings(low, CATALOG, CONTEXT, RULES)
    assert "Indeksen er under 33 og er merket" in finding.text_nb
    within = profile_rows(b={"value": 250.0, "peer_average": 100.0, "index": 250.0})
    (finding,) = F.profile_findings(within, CATALOG, CONTEXT, RULES)
    assert "merket" not in finding.text_nb
