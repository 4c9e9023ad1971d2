"""The HTML report's appendix: SSB's KOSTRA nøkkeltall view, the same figures as
``kostra nokkeltall`` (:func:`kostra.workbench.nokkeltall`) on the report's borders."""

from __future__ import annotations

from pathlib import Path

import pytest

from kostra import workbench
from kostra.report.locale import number
from kostra.report.model import ReportData
from kostra.report.pipeline import ReportInputs, ReportSettings, prepare, report_data
from kostra.report.render import render_html

YEAR = 2024


@pytest.fixture(scope="module")
def inputs() -> ReportInputs:
    return prepare(YEAR, db=Path("none.duckdb"), settings=ReportSettings(resamples=10))


@pytest.fixture(scope="module")
def baerum(inputs: ReportInputs) -> ReportData:
    return report_data(inputs, "3201", compare=["4601"])


def test_the_report_carries_the_clis_view(inputs: ReportInputs, baerum: ReportData) -> None:
    table = baerum.nokkeltall
    assert table is not None
    assert [c.key for c in table.columns] == [
        "self",
        "kostra_group",
        "county",
        "country",
        "country_ex_oslo",
        "compare:4601",
    ]
    cli = workbench.key_figure_table(
        workbench.nokkeltall(
            "3201", YEAR, compare=["Bergen"], borders=inputs.borders_rule, data=inputs.data
        )
    )
    assert [r.indicator_id for r in table.rows] == [r.indicator_id for r in cli.rows]
    assert table.rows == cli.rows
    assert table.computed  # the sample has no EKG aggregate: the group's figures are ours
    group = [r.cells[1] for r in table.rows if r.cells[1].value is not None]
    assert {c.basis for c in group} == {"computed"}
    assert {c.n_members for c in group} <= set(range(1, 12))


def test_the_html_report_has_the_appendix(baerum: ReportData) -> None:
    table = baerum.nokkeltall
    assert table is not None
    html = render_html(baerum, "nb")
    assert 'id="nokkeltall"' in html
    assert 'href="#nokkeltall"' in html
    assert "Vedlegg: KOSTRA-nøkkeltall" in html
    assert 'id="tab-nokkeltall-grunnskole"' in html
    for label in ("KOSTRA-gruppe 12", "Landet uten Oslo", "Bergen"):
        assert label in html
    row = next(r for r in table.rows if r.cells[3].value is not None)
    assert number(row.cells[3].value, "nb") in html
    english = render_html(baerum, "en")
    assert "Appendix: KOSTRA key figures" in english
    assert "Norway excl. Oslo" in english
