"""The method, barometer and overview texts in nynorsk and English (issue 15): catalog messages,
with no bokmål left in them, and counts of one in the singular."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from kostra.analysis import overview
from kostra.analysis._barometer import naming, text
from kostra.analysis._barometer.income import income_label
from kostra.analysis._barometer.text import lower_first
from kostra.analysis.barometer import ScoringParams, load_config
from kostra.analysis.method import SMALL_NUMBERS, Text, averaging_text, method_facts
from kostra.analysis.verdict import Statement
from kostra.catalog import load_catalog
from kostra.i18n import plural
from kostra.i18n.messages import catalog_path
from kostra.report.method import barometer_assumptions
from language_checks import BOKMAL_MARKERS, NORWEGIAN

PREFIXES = ("method.", "barometer.", "overview.")


def _messages(lang: str) -> list[str]:
    """Every form of every method and barometer message of ``lang``'s catalog."""
    with catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    forms: list[str] = []
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key.startswith(PREFIXES):
            forms.extend(message.string if isinstance(message.string, tuple) else [message.string])
    return forms


def _built(lang: str) -> list[str]:
    """The texts the code builds from those messages, as the surfaces show them."""
    catalog = load_catalog()
    facts = method_facts(catalog)
    said = [
        averaging_text("simple").text(lang),
        averaging_text("weighted").text(lang),
        facts.average_legend.text(lang),
        facts.difference.text(lang),
        facts.efficiency.text(lang),
        *(d.text(lang) for d in facts.ks_deviations),
        *(e.text(lang) for e in facts.extra),
        SMALL_NUMBERS.text().text(lang),
        ScoringParams().describe(lang),
        ScoringParams(method="pre2019", cutoff="quantile", mean="population").describe(lang),
        *(income_label(basis, lang) for basis in ("corrected", "raw", "mixed")),
        naming.method_name(107, lang),
        naming.sector_count_text(3, lang),
        *(s.name(lang) for s in load_config().sectors),
    ]
    for indicator in catalog.indicators[:40]:
        for score in (1.0, 6.0):
            name = indicator.name_en if lang == "en" else indicator.name_nb
            sentence = text.sentence(name, "higher_better", score, lang)
            # SSB's own key-figure names are quoted as SSB writes them (bokmål and English)
            said.append(sentence.replace(lower_first(name), " "))
    return said


def _without_key_figure_names(said: str) -> str:
    for indicator in sorted(load_catalog().indicators, key=lambda i: -len(i.name_nb)):
        said = said.replace(lower_first(indicator.name_nb), " ")
    return said


def test_nynorsk_method_and_barometer_texts_hold_no_bokmal() -> None:
    texts = [*_messages("nn"), *(_without_key_figure_names(t) for t in _built("nn"))]
    assert len(texts) > 100
    found = sorted(
        {
            f"{word!r} in {said!r}"
            for said in texts
            for word in re.findall(r"[A-Za-zÆØÅæøå]+", said)
            if word.lower() in BOKMAL_MARKERS
        }
    )
    assert found == []
    joined = " ".join(texts)
    for word in ("ikkje", "kommunane", "berekning", "samanlikna", "indikatorar", "innbyggjarar"):
        assert re.search(rf"\b{word}\b", joined), word


def test_english_method_and_barometer_texts_hold_no_norwegian() -> None:
    texts = [*_messages("en"), *_built("en")]
    found = sorted(
        {
            f"{word!r} in {said!r}"
            for said in texts
            for word in re.findall(r"[A-Za-zÆØÅæøå]+", said)
            if word.lower() in NORWEGIAN
        }
    )
    assert found == []


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("nb", "1 indikator", "2 indikatorer"),
        ("nn", "1 indikator", "2 indikatorar"),
        ("en", "1 indicator", "2 indicators"),
    ],
)
def test_a_count_of_one_is_singular(lang: str, one: str, two: str) -> None:
    assert naming.sector_count_text(1, lang) == one
    assert naming.sector_count_text(2, lang) == two
    assert plural("method.weights.indicators", 1, lang) == one
    assert plural("method.weights.indicators", 2, lang) == two
    single = ScoringParams(tie_decimals=1).describe(lang)
    several = ScoringParams(tie_decimals=3).describe(lang)
    assert re.search(r"\b1 (desimal|decimal)\b", single), single
    assert re.search(r"\b3 (desimaler|desimalar|decimals)\b", several), several
    assert plural("method.report.figures", 1, lang) in ("1 tall", "1 tal", "1 figure")


def test_barometer_sector_names_agree_with_the_configuration() -> None:
    """The catalogs carry the sectors' nynorsk names; their bokmål and English entries say
    what ``barometer_weights.toml`` says."""
    from kostra.i18n import text as message

    for sector in load_config().sectors:
        key = f"barometer.sector.{sector.id.value}"
        assert message(key, "nb") == sector.name_nb
        assert message(key, "en") == sector.name_en
        assert sector.name("nn") == message(key, "nn")
    names = {s.id.value: s.name("nn") for s in load_config().sectors}
    assert names["grunnskole"] == "Grunnskule"
    assert names["saksbehandling"] == "Sakshandsaming"


@pytest.mark.parametrize(
    ("name", "high", "nn", "nb"),
    [
        ("Andel ansatte med fagutdanning", False, "Låg", "Lav"),
        ("Antall legeårsverk per 10 000 innbyggere", True, "Høgt", "Høyt"),
        ("Netto driftsutgifter per innbygger", True, "Høge", "Høye"),
        ("Areal per innbygger", True, "Mykje", "Mye"),
    ],
)
def test_quantifiers_agree_in_each_language(name: str, high: bool, nn: str, nb: str) -> None:
    assert text.quantifier(name, high, "nn") == nn
    assert text.quantifier_nb(name, high) == nb
    assert text.quantifier(name, high, "en") == ("High" if high else "Low")
    sentence = text.sentence(name, "higher_better", 1.0, "nn")
    assert sentence.endswith("trekkjer ned"), sentence


def _overview_statements() -> list[Statement]:
    own = overview.Ranked("4640", "Sogndal", 300)
    peers = [overview.Ranked(f"46{i:02}", f"K{i}", 10 * i) for i in range(1, 6)]
    changes = [
        overview.Change("merger", 2020, "Sogndal", ("Sogndal", "Leikanger", "Balestrand"), "self"),
        overview.Change("split", 2024, "K1", ("Gamle K1",), "peer"),
    ]
    found = [
        overview.total_rank(12, 356),
        overview.peer_place(own, peers, [], "ASSS"),
        overview.peer_place(overview.Ranked("4601", "K1", 1), peers, [], "ASSS"),
        overview.rank_range(
            [overview.SectorRank("grunnskole", 4, 356), overview.SectorRank("kultur", 302, 356)]
        ),
        overview.overall_position(109.0, 100.0),
        *overview.year_context("Sogndal", changes, [2020, 2021], 2019, 2024),
        *overview.year_context("Sogndal", [], [], 2022, 2024),
    ]
    return [s for s in found if s is not None]


def test_overview_sentences_in_nynorsk_and_english() -> None:
    statements = _overview_statements()
    assert len(statements) == 9
    nn = " ".join(f"{s.text('nn')} {s.detail('nn')}" for s in statements)
    en = " ".join(f"{s.text('en')} {s.detail('en')}" for s in statements)
    words = re.findall(r"[A-Za-zÆØÅæøå]+", nn)
    assert [w for w in words if w.lower() in BOKMAL_MARKERS] == []
    for word in ("svakast", "samanslåing", "grunnskule", "frå"):
        assert word in nn, word
    names = {"Sogndal", "Leikanger", "Balestrand", "Gamle", "ASSS"}
    words = re.findall(r"[A-Za-zÆØÅæøå]+", en)
    assert [w for w in words if w.lower() in NORWEGIAN and w not in names] == []
    assert "primary and lower secondary school" in en


@pytest.mark.parametrize(
    ("years", "nb", "nn", "en"),
    [
        ([2020], "det året", "det året", "2020 is among"),
        ([2020, 2021], "disse årene", "desse åra", "2020 and 2021 are among"),
    ],
)
def test_one_pandemic_year_is_said_in_the_singular(
    years: list[int], nb: str, nn: str, en: str
) -> None:
    (statement,) = overview.year_context("Sogndal", [], years, 2019, 2024)
    assert statement.rule_id == "Y4"
    assert statement.text_nb.endswith(nb)
    assert statement.text("nn").endswith(nn)
    assert en in statement.text_en


@pytest.mark.parametrize(
    ("resamples", "nb", "nn", "en"),
    [
        (1, "1 trekning,", "1 trekning,", "1 resample,"),
        (200, "200 trekninger,", "200 trekningar,", "200 resamples,"),
    ],
)
def test_the_report_counts_resamples_in_the_right_number(
    resamples: int, nb: str, nn: str, en: str
) -> None:
    name = Text("Kommunebarometer-metoden", "Kommunebarometer method", "Kommunebarometer-metoden")
    _, intervals = barometer_assumptions(ScoringParams(), "corrected", name, resamples)
    assert intervals.key == "intervals"
    assert intervals.setting("nb").startswith(nb)
    assert intervals.setting("nn").startswith(nn)
    assert intervals.setting("en").startswith(en)
    assert [w for w in re.findall(r"\w+", intervals.text("nn")) if w in BOKMAL_MARKERS] == []


def test_our_cost_level_indicators_are_named_in_nynorsk() -> None:
    """The kostnadsnivå indicators are ours (not SSB's key figures): named in nynorsk under
    nn, with the same words as the configuration's bokmål names."""
    from kostra.analysis.barometer import kostnadsniva_items
    from kostra.i18n import sector_name
    from kostra.i18n import text as message

    items = kostnadsniva_items()
    assert len(items) >= 7
    for item in items:
        sector = item.indicator_id.removeprefix("kostnadsniva_")
        assert item.name("nb") == message(
            "barometer.kostnadsniva_name", "nb", sector=sector_name(sector, "nb")
        )
        assert item.name("nn").endswith("per innbyggjar"), item.name("nn")
        assert item.name("en") == item.name_en
    assert "sosiale tenester" in " ".join(item.name("nn") for item in items)
