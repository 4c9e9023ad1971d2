"""The analyst's workbench pages as plain rows: SSB's KOSTRA nøkkeltall view, the
municipality facts (Kommunefakta-style), the ranking of one barometer sector and the key-figure
search.

As in :mod:`kostra.web.views`, every function returns a JSON-ready dict that the API serves,
the CSV/XLSX download writes (``rows``) and the template renders, so they cannot disagree. The
figures come from the functions the CLI uses: :func:`kostra.workbench.nokkeltall_from`,
:func:`kostra.workbench.municipality_facts`, :mod:`kostra.results.barometer` and
:func:`kostra.catalog.search.search_indicators`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kostra import workbench
from kostra.web.data import BORDERS, MunicipalityView, WebData
from kostra.web.views import _meta


def nokkeltall(
    web: WebData, view: MunicipalityView, compare: Sequence[str], lang: str
) -> dict[str, Any]:
    """SSB's KOSTRA view of the view's municipality in its year (the year's figures the web
    computed, on the web's borders), with ``compare`` municipalities as extra columns."""
    data = view.data
    inputs = web.year_view(data.year).inputs
    result = workbench.nokkeltall_from(
        inputs.evaluated,
        inputs.catalog,
        data.municipality.code,
        data.year,
        borders=BORDERS,
        compare=compare,
        synthetic=inputs.data.synthetic,
        source=inputs.data.source,
    )
    table = workbench.key_figure_table(result)
    return {**_meta(view, lang), **workbench.nokkeltall_payload(table, lang)}
