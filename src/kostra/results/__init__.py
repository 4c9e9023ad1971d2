"""One computation per figure, shared by every surface (CLI, report, web, API, exports, slides).

Each figure has ONE function; every surface calls it with the same defaults, so the same figure
for the same municipality and year is the same number everywhere (tested across surfaces in
``tests/test_surfaces_consistency.py``):

===================  ==========================================================================
figure               function
===================  ==========================================================================
barometer ranks      :func:`kostra.results.barometer.rank` on
                     :func:`kostra.results.barometer.load_inputs` / ``prepare_inputs``
                     (kostnadsnivå need-corrected, income-adjusted rank first)
rank intervals       :func:`kostra.results.barometer.intervals`
service profile      :func:`kostra.api.profile` (one municipality), :func:`kostra.api.all_profiles`
need-corrected cost  :func:`kostra.api.costs`
production/effic.    :func:`kostra.api.indices`
the computed year    :func:`prepare` — everything the report and the web share for one year
===================  ==========================================================================

``prepare(year)`` returns the report pipeline's year inputs (``kostra.report.pipeline``): the
report, the web and the slides slice one computed year instead of computing their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kostra.results import barometer

if TYPE_CHECKING:
    from kostra.report.pipeline import ReportInputs

__all__ = ["barometer", "prepare"]


def prepare(year: int, *, db: Path | None = None, **kwargs: Any) -> ReportInputs:
    """The computed year shared by the report, the web and the slides (see module doc)."""
    from kostra.report.pipeline import prepare as prepare_year

    return prepare_year(year, db=db, **kwargs)
