"""The report's data-status line is true for sample, preliminary, revised and mixed data
(issue 11.7: on sample data it said "Reviderte tall (publisert av SSB 15. juni)")."""

from __future__ import annotations

import polars as pl
import pytest

from kostra import api
from kostra.report.locale import t
from kostra.report.pipeline import _vintage


def _data(rows: list[tuple[str, bool, bool]]) -> api.AnalysisData:
    """Observations of 2024: (table, synthetic, preliminary) per row."""
    observations = pl.DataFrame(
        {
            "table_id": [r[0] for r in rows],
            "contents_code": ["X"] * len(rows),
            "region": ["3201"] * len(rows),
            "year": [2024] * len(rows),
            "value": [1.0] * len(rows),
            "synthetic": [r[1] for r in rows],
            "preliminary": [r[2] for r in rows],
        }
    )
    return api.AnalysisData.from_frames(observations, pl.DataFrame())


@pytest.mark.parametrize(
    ("rows", "origin", "preliminary"),
    [
        ([("12362", True, False), ("13502", True, False)], "sample", False),
        ([("12362", False, True)], "real", True),
        ([("12362", False, False)], "real", False),
        ([("12362", True, False), ("13502", False, False)], "mixed", False),
    ],
)
def test_vintage_says_what_the_figures_are(
    rows: list[tuple[str, bool, bool]], origin: str, preliminary: bool
) -> None:
    vintage = _vintage(_data(rows), None, 2024, ["12362", "13502"])
    assert vintage.origin == origin
    assert vintage.preliminary is preliminary
    if origin == "mixed":
        assert vintage.real_tables == ("13502",)
        assert vintage.sample_tables == ("12362",)


def test_sample_report_never_claims_revised_ssb_figures() -> None:
    from test_report_render import _text, rendered  # the rendered sample report, shared

    _, _found, page = rendered("3201", "nb")
    text = " ".join(_text(page).split())
    assert f"Datagrunnlag {t('vintage_sample', 'nb')}" in text
    assert "Reviderte tall (publisert av SSB 15. juni)" not in text
