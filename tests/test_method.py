"""The method facts (issue 11.2/11.3): the words about averages are read against the code paths.

For every indicator of the catalog, a made-up group of municipalities is averaged by
``peer_profile`` and the result is compared with what ``method_facts`` says the rule is (sum over
sum, simple mean, population-weighted). The method text's claims are then checked against the
same facts.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from kostra import api
from kostra.analysis._common import single_group
from kostra.analysis.method import (
    AVERAGE_MARK,
    KS_DEVIATIONS,
    SMALL_NUMBERS,
    averaging_table,
    averaging_text,
    method_facts,
    peer_averaging,
)
from kostra.analysis.profile import peer_profile
from kostra.catalog import load_catalog
from method_words import weights_claimed, weights_expected

CODES = ["0301", "4601", "5001", "1103", "3201"]


def _evaluated(ids: list[str]) -> pl.DataFrame:
    """One row per indicator and municipality, with value = numerator / denominator."""
    rng = np.random.default_rng(3)
    n = len(ids) * len(CODES)
    denominator = rng.uniform(100, 10_000, n)
    value = rng.uniform(1, 100, n)
    return pl.DataFrame(
        {
            "indicator_id": [i for i in ids for _ in CODES],
            "region": CODES * len(ids),
            "year": [2024] * n,
            "value": value,
            "numerator": value * denominator,
            "denominator": denominator,
            "status": [None] * n,
            "series_break": [False] * n,
            "preliminary": [False] * n,
        },
        schema_overrides={"year": pl.Int32, "status": pl.Utf8},
    )


@pytest.mark.parametrize("ready_ratios", ["simple", "weighted"])
def test_every_indicator_is_averaged_as_the_facts_say(ready_ratios: str) -> None:
    catalog = load_catalog()
    facts = averaging_table(catalog, ready_ratios)  # type: ignore[arg-type]
    frame = _evaluated([i.id for i in catalog.indicators])
    result = peer_profile(
        frame,
        catalog,
        single_group("g", CODES),
        ready_ratios=ready_ratios,  # type: ignore[arg-type]
    ).filter(pl.col("region") == CODES[0])
    expected = frame.group_by("indicator_id").agg(
        (pl.col("numerator").sum() / pl.col("denominator").sum()).alias("sum_over_sum"),
        pl.col("value").mean().alias("simple_mean"),
    )
    checked = result.join(facts, on="indicator_id").join(expected, on="indicator_id")
    assert checked.height == len(catalog.indicators)
    for row in checked.iter_rows(named=True):
        rule = row["averaging_rule"]
        wanted = row["simple_mean"] if rule == "simple_mean" else row["sum_over_sum"]
        assert row["peer_average"] == pytest.approx(wanted), (row["indicator_id"], rule)
        # the profile's averaging column and mark are the facts' own
        assert row["average"] == row["average_right"]
        assert row["average_marked"] == row["average_marked_right"]


def test_ready_ratios_are_simple_means_by_default_and_marked() -> None:
    catalog = load_catalog()
    facts = averaging_table(catalog)
    ready = facts.filter(pl.col("ready_ratio"))
    assert ready.height > 40
    assert ready["averaging_rule"].unique().to_list() == ["simple_mean"]
    assert ready["average_marked"].all()
    formulas = facts.filter(~pl.col("ready_ratio"))
    assert set(formulas["averaging_rule"].unique().to_list()) <= {"sum_over_sum", "simple_mean"}
    assert not formulas["average_marked"].any()
    weighted = averaging_table(catalog, "weighted").filter(pl.col("ready_ratio"))
    assert "population_weighted" in weighted["averaging_rule"].to_list()
    # a ready ratio without a weight stays a simple mean, and marked, under either setting
    unweighted = [i for i in catalog.indicators if i.source is not None and i.weight_by is None]
    assert all(peer_averaging(i, "weighted") == "simple" for i in unweighted)
    # what a weight counts is a source reference, the same in every language
    by_population = weighted.filter(pl.col("averaging_rule") == "population_weighted")
    assert by_population["average_weight"].str.starts_with("SSB 07459 ").all()
    assert facts.filter(pl.col("averaging_rule") == "simple_mean")["average_weight"].is_null().all()


def test_method_text_claims_what_the_code_does() -> None:
    text = averaging_text("simple").nb
    assert "sum teller / sum nevner" in text
    assert "enkelt (uvektet) snitt" in text
    assert AVERAGE_MARK in text
    assert "veid med innbyggerne" in averaging_text("weighted").nb
    facts = method_facts(load_catalog())
    assert facts.ready_ratios == "simple"
    assert weights_claimed(facts.extra[0].nb, "nb") == weights_expected(
        facts.production_weights, load_catalog(), "nb"
    )
    assert facts.production_weights.group_by("sector").agg(pl.col("weight_share").sum())[
        "weight_share"
    ].to_list() == pytest.approx([1.0] * facts.production_weights["sector"].n_unique())
    assert any("skolebidrag" in d.nb for d in KS_DEVIATIONS)
    assert any("pensjon" in d.nb for d in KS_DEVIATIONS)


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_production_weights_note_names_sectors_and_indicators(lang: str) -> None:
    """The note says each sector's weights as the catalog has them, by the names of sectors
    and key figures (an id such as ``pleie_og_omsorg`` is not for readers)."""
    catalog = load_catalog()
    facts = method_facts(catalog)
    words = facts.extra[0].text(lang)
    expected = weights_expected(facts.production_weights, catalog, lang)
    assert any(isinstance(claim, dict) for claim in expected.values())  # unequal somewhere
    assert weights_claimed(words, lang) == expected
    for ident in [*facts.production_weights["indicator_id"], *facts.production_weights["sector"]]:
        if "_" in ident:
            assert ident not in words, ident
    # a misreported weight is caught: the same reading of a note with one weight changed
    wrong = facts.production_weights.with_columns(
        pl.when(pl.col("indicator_id") == "grunnskolepoeng")
        .then(pl.col("weight") + 1)
        .otherwise(pl.col("weight"))
        .alias("weight")
    )
    assert weights_expected(wrong, catalog, lang) != weights_claimed(words, lang)


def test_one_indicator_is_said_in_the_singular() -> None:
    catalog = load_catalog()
    lone = [i for i in catalog.indicators if i.production is not None][:1]
    facts = method_facts(lone)
    assert facts.production_weights.height == 1
    note = facts.extra[0]
    assert note.nb.endswith("like vekter (1 indikator)")
    assert note.text("nn").endswith("like vekter (1 indikator)")
    assert note.en.endswith("equal weights (1 indicator)")


def test_signed_figures_get_a_difference_never_an_index() -> None:
    catalog = load_catalog()
    signed = [i.id for i in catalog.indicators if i.comparison == "difference"]
    assert {"netto_driftsresultat", "var_netto_andel_av_brutto"} <= set(signed)
    frame = _evaluated(signed).with_columns(
        # results around zero: one negative, one near zero
        pl.when(pl.col("region") == "0301").then(-0.9).otherwise(pl.col("value")).alias("value")
    )
    result = peer_profile(frame, catalog, single_group("g", CODES))
    assert result["index"].null_count() == result.height
    assert result["change_pct"].null_count() == result.height
    assert (result["comparison"] == "difference").all()
    diff = result.select((pl.col("value") - pl.col("peer_average") - pl.col("difference")).abs())
    assert diff.max().item() < 1e-9


def test_profile_command_shows_differences_for_signed_figures(
    tmp_db: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """Done-when of issue 11: `kostra profile Bærum -s okonomi` shows differences."""
    pytest.importorskip("kostra.sample")
    from kostra.cli import main

    main(["profile", "Bærum", "-s", "okonomi"])
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("Netto driftsresultat"))
    assert "Δ" in line
    assert "pp" in line
    assert "* enkelt (uvektet) snitt" in " ".join(out.split())


def test_small_bases_get_no_index_and_beyond_cap_is_flagged() -> None:
    """Utsira-sized figures: a base under 50 inhabitants gives no index and no % change."""
    catalog = load_catalog()
    ident = "ndu_barnehage_per_innb_1_5"  # a per-inhabitant formula: the base is 1–5-year-olds
    frame = _evaluated([ident])
    tiny = frame.with_columns(
        pl.when(pl.col("region") == CODES[0])
        .then(pl.lit(12.0))
        .otherwise(pl.col("denominator"))
        .alias("denominator")
    ).with_columns((pl.col("value") * pl.col("denominator")).alias("numerator"))
    previous = tiny.with_columns(pl.lit(2023, dtype=pl.Int32).alias("year"))
    result = peer_profile(
        pl.concat([tiny, previous]), catalog, single_group("g", CODES), years=[2024]
    )
    small = result.filter(pl.col("region") == CODES[0]).row(0, named=True)
    assert small["small_base"] is True
    assert small["index"] is None
    assert small["change_pct"] is None
    assert small["value"] is not None  # the value itself is shown, as SSB publishes it
    others = result.filter(pl.col("region") != CODES[0])
    assert not others["small_base"].any()
    assert others["index"].null_count() == 0
    # an index beyond the cap is flagged, never silently shown
    huge = frame.with_columns(
        pl.when(pl.col("region") == CODES[1])
        .then(pl.col("value") * 50)
        .otherwise(pl.col("value"))
        .alias("value")
    ).with_columns((pl.col("value") * pl.col("denominator")).alias("numerator"))
    flagged = peer_profile(huge, catalog, single_group("g", CODES))
    over = flagged.filter(pl.col("index") > SMALL_NUMBERS.index_cap)
    assert over.height >= 1
    assert over["beyond_cap"].all()
    assert not flagged.filter(pl.col("index").is_between(40, 250))["beyond_cap"].any()
    assert "færre enn 50 innbyggere" in SMALL_NUMBERS.text().nb


def test_api_method_facts_follow_the_result(tmp_db: object) -> None:
    """One function for every surface's method section: the result's rule and reference."""
    pytest.importorskip("kostra.sample")
    from kostra import api

    result = api.profile("Bærum", 2024, sectors=["barnehage"], ready_ratios="weighted")
    facts = api.method_facts(result)
    assert facts.ready_ratios == "weighted"
    assert facts.averaging.nb in result.note_texts("nb")
    assert facts.reference is not None
    assert result.reference is not None
    assert facts.reference.nb == result.reference.nb
    assert "12 kommuner" in facts.reference.nb  # the 2024 ASSS members, Bærum among them
    costs = api.costs("Bærum", 2024, exclude_oslo=True)
    assert costs.reference is not None
    assert "11 kommuner" in costs.reference.nb
    assert "uten Oslo" in costs.reference.nb
    assert "uvektet snitt" in costs.reference.nb
    table = costs.frames["costs"].filter(pl.col("is_self"))
    total = table.filter(pl.col("sector") == "total")["excess_spending"][0]
    parts = table.filter(pl.col("in_total"))["excess_spending"].sum()
    assert total == pytest.approx(parts)  # the total is the sum of its parts


def test_method_facts_keep_the_reference_in_nynorsk() -> None:
    """The reference of a result's method facts reads in nynorsk as the result says it."""
    reference = api.Note(
        "indeks 100 er snittet av ASSS (10 kommuner)",
        "index 100 is the average of ASSS (10 municipalities)",
        "indeks 100 er snittet av ASSS (10 kommunar)",
    )
    result = api.Result(
        kind="profile",
        municipality="3201",
        name="Bærum",
        year=2024,
        peers_name="ASSS",
        peers=(),
        compare=(),
        borders=2024,
        synthetic=True,
        source="sample",
        frames={},
        reference=reference,
    )
    facts = api.method_facts(result, catalog=load_catalog())
    assert facts.reference is not None
    for lang in ("nb", "nn", "en"):
        assert facts.reference.text(lang) == reference.text(lang)


def test_method_facts_pickle_as_their_words() -> None:
    """Facts cross process boundaries (report batches) as the words they say."""
    import pickle

    facts = method_facts(load_catalog())
    again = pickle.loads(pickle.dumps(facts))
    for lang in ("nb", "nn", "en"):
        assert again.extra[0].text(lang) == facts.extra[0].text(lang)
        assert again.small_numbers.text().text(lang) == facts.small_numbers.text().text(lang)
        assert again.averaging.text(lang) == facts.averaging.text(lang)
