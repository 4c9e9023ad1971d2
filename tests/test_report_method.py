"""The report's method section against the code (issue 11: "the method section of the report
matches the code").

The report data for Bærum on the packaged sample is built through the real pipeline; every
claim of "Metode og forutsetninger" about averages, production weights, sector weights, the cost
reference group, efficiency, small numbers and the deviations from KS is then read back and
compared with what the analysis code applies (``method_facts``, the catalog, the cost function's
``in_average``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import polars as pl
import pytest

from kostra import api
from kostra.analysis._common import OSLO, single_group
from kostra.analysis.method import DIFFERENCE_TEXT, SMALL_NUMBERS, averaging_rule, method_facts
from kostra.analysis.need import need_corrected_costs
from kostra.analysis.production import COST_KEY_WEIGHTS_2026, PRODUCTION_SECTORS
from kostra.i18n import sector_name
from kostra.report import pipeline, render
from kostra.report.method import own_computation, rule_words
from kostra.report.model import Assumption, ReportData
from method_words import weights_claimed, weights_expected

CODE = "3201"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pipeline.ReportInputs]:
    mp = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("method")
    mp.setenv("KOSTRA_CACHE_DIR", str(folder / "cache"))
    # few resamples: the barometer's intervals are not what this test reads
    settings = pipeline.ReportSettings(resamples=10)
    yield pipeline.prepare(2024, db=folder / "none.duckdb", settings=settings)
    mp.undo()


@pytest.fixture(scope="module")
def data(inputs: pipeline.ReportInputs) -> ReportData:
    return pipeline.report_data(inputs, CODE)


def _row(data: ReportData, key: str) -> Assumption:
    rows = [a for a in data.assumptions if a.key == key]
    assert len(rows) == 1, key
    return rows[0]


def test_averaging_rules_and_counts_are_the_code_s(
    inputs: pipeline.ReportInputs, data: ReportData
) -> None:
    row = _row(data, "peer_average")
    # counted here from the rule each indicator gets in the profile, not from the facts table
    expected: dict[str, int] = {}
    for indicator in inputs.catalog.indicators:
        rule = averaging_rule(indicator)
        expected[rule] = expected.get(rule, 0) + 1
    for lang in ("nb", "nn", "en"):
        claimed = {words: int(n) for n, words in re.findall(r"(\d+) ([^,]+)", row.setting(lang))}
        assert claimed == {rule_words(r, lang): n for r, n in expected.items()}
    facts = method_facts(inputs.catalog)
    assert facts.averaging.nb in row.text_nb
    assert facts.averaging.en in row.text_en


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_production_weights_are_the_catalog_s(
    inputs: pipeline.ReportInputs, data: ReportData, lang: str
) -> None:
    row = _row(data, "production")
    text = row.text(lang)
    assert own_computation().text(lang) in text
    # counted here from the catalog, not from the facts the note is written from
    catalog_weights = pl.DataFrame(
        [
            (i.sector.value, i.id, float(i.production.weight))
            for i in inputs.catalog.indicators
            if i.production is not None
        ],
        schema={"sector": pl.Utf8, "indicator_id": pl.Utf8, "weight": pl.Float64},
        orient="row",
    )
    expected = weights_expected(catalog_weights, inputs.catalog, lang)
    assert any(isinstance(claim, dict) for claim in expected.values())
    note = text.split("; ", 2)[2]  # after "…: own computation; coverage …; "
    assert weights_claimed(note, lang) == expected
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # no ids
    # the old, wrong claim of equal weights in every sector
    assert "like vekter innen sektor" not in row.text_nb
    assert "equal weights within a sector" not in row.text_en


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_sector_weights_are_the_ones_the_totals_use(data: ReportData, lang: str) -> None:
    value = _row(data, "production").setting(lang)
    listed = value.rsplit(": ", 1)[1]
    claimed = {
        name: float(weight.replace(",", "."))
        for name, weight in (part.rsplit(" ", 1) for part in listed.split(", "))
    }
    assert claimed == {
        sector_name(s, lang): w for s, w in COST_KEY_WEIGHTS_2026.items() if s in PRODUCTION_SECTORS
    }
    assert "_" not in listed  # sectors by name, not by id
    assert "ASSS (" in value
    assert ("Bærum included" if lang == "en" else "Bærum med") in value


def test_cost_reference_is_the_group_the_costs_average(
    inputs: pipeline.ReportInputs, data: ReportData
) -> None:
    s = inputs.settings
    group_codes = [m.code for m in data.peers.members]
    need = need_corrected_costs(
        inputs.spending.filter(pl.col("year") == inputs.year),
        api.packaged_need_index(),
        single_group("peers", group_codes),
        include_self=s.costs_include_self,
        exclude_from_average=(OSLO,) if s.costs_exclude_oslo else (),
    ).filter(pl.col("sector") == "grunnskole")
    inside = set(need.filter(pl.col("in_average"))["region"].to_list())
    row = _row(data, "costs_average")
    match = re.search(r"uvektet snitt av ASSS \((\d+) kommuner; Bærum (med|uten)", row.value)
    assert match is not None, row.value
    assert int(match.group(1)) == len(inside)
    assert (match.group(2) == "med") == (CODE in inside)
    assert ("Oslo med" in row.value) == (OSLO in inside)
    assert ("uten Oslo" in row.value) == (OSLO in group_codes and OSLO not in inside)
    # KS's reference is every member, unweighted: said only when that is what was used
    assert ("som KS" in row.text_nb) == (inside == set(group_codes))


def test_efficiency_small_numbers_and_ks_deviations(
    inputs: pipeline.ReportInputs, data: ReportData
) -> None:
    facts = method_facts(inputs.catalog)
    efficiency = _row(data, "efficiency")
    assert efficiency.text_nb.lower() == facts.efficiency.nb.lower()
    assert "egen beregning etter ASSS/KS-metoden" in efficiency.value
    deviations = _row(data, "no_pension")
    for deviation in facts.ks_deviations:
        assert deviation.nb in deviations.value
        assert deviation.en in deviations.setting("en")
    small = _row(data, "small_numbers")
    assert small.text_nb.lower() == SMALL_NUMBERS.text().nb.lower()
    numbers = [float(n) for n in re.findall(r"\d+", small.value)]
    assert numbers == [
        SMALL_NUMBERS.min_base,
        SMALL_NUMBERS.index_cap,
        round(SMALL_NUMBERS.index_floor),
        SMALL_NUMBERS.change_cap,
    ]
    difference = _row(data, "difference")
    n = sum(1 for i in inputs.catalog.indicators if i.comparison == "difference")
    assert difference.value == f"{n} tall"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_rendered_method_section_states_the_facts(data: ReportData, lang: str) -> None:
    page = html.unescape(render.render_html(data, lang))
    for key in ("peer_average", "production", "efficiency", "no_pension", "costs_average"):
        row = _row(data, key)
        assert (row.text_en if lang == "en" else row.text_nb) in page
        assert row.setting(lang) in page


def test_profile_tables_mark_simple_means(inputs: pipeline.ReportInputs, data: ReportData) -> None:
    page = render.render_html(data, "nb")
    rows = dict(re.findall(r'<tr id="ind-([^"]+)">(.*?)</tr>', page, flags=re.S))
    by_id = {i.id: i for i in inputs.catalog.indicators}
    shown = [r for r in data.profile if r.indicator_id in rows]
    assert shown
    marked = 0
    for row in shown:
        indicator = by_id[row.indicator_id]
        name_cell = rows[row.indicator_id].split("</td>", 1)[0]
        simple = indicator.formula is None and averaging_rule(indicator) == "simple_mean"
        assert ("&nbsp;*" in name_cell) == simple, row.indicator_id
        marked += simple
    assert marked
    assert html.escape(method_facts(inputs.catalog).average_legend.nb, quote=False) in page


@pytest.mark.parametrize("unit", ["prosent", "kr"])
def test_profile_tables_show_differences_for_signed_figures(data: ReportData, unit: str) -> None:
    # the catalog's signed figures (økonomi, vann og avløp) are outside the report's service
    # sectors today: a shown figure is made one, to read what the table prints for it
    row = next(
        r
        for r in data.profile
        if r.value is not None and r.peer_average is not None and r.index is not None
    )
    indicators = tuple(
        i.model_copy(update={"comparison": "difference", "unit": unit})
        if i.id == row.indicator_id
        else i
        for i in data.indicators
    )
    page = render.render_html(data.model_copy(update={"indicators": indicators}), "nb")
    cells = dict(re.findall(r'<tr id="ind-([^"]+)">(.*?)</tr>', page, flags=re.S))[row.indicator_id]
    assert row.value is not None
    assert row.peer_average is not None
    words = "prosentpoeng" if unit == "prosent" else "kr"
    wanted = render.signed(row.value - row.peer_average, "nb", 1)
    assert f'<span class="difference">{wanted} {words}</span>' in cells
    assert html.escape(DIFFERENCE_TEXT.nb, quote=False) in page
