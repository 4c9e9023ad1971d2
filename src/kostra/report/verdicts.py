"""The sector verdicts of a :class:`~kostra.report.model.ReportData`: the adapter from the
report's figures to :mod:`kostra.analysis.verdict`'s inputs.

The report (one line at the top of each sector), the web sector page and the slide deck all call
:func:`report_verdicts`, so each says the same sentence from the same figures.
"""

from __future__ import annotations

from kostra.analysis.verdict import (
    BarometerPlace,
    Driver,
    Indices,
    KeyFigure,
    SectorFigures,
    SectorVerdict,
    VerdictRules,
    sector_verdict,
)
from kostra.catalog.models import Sector
from kostra.report.model import BAROMETER_SECTOR, REPORT_SECTORS, ProductionRow, ReportData


def _indices(row: ProductionRow | None) -> Indices:
    if row is None:
        return Indices()
    return Indices(row.production_index, row.cost_index, row.efficiency_index)


def sector_figures(data: ReportData, sector: Sector) -> SectorFigures:
    """What the verdict of ``sector`` reads from the report's figures."""
    key_figures = []
    for row in data.sector_profile(sector):
        indicator = data.indicator(row.indicator_id)
        key_figures.append(
            KeyFigure(
                indicator_id=row.indicator_id,
                name_nb=indicator.name_nb,
                name_en=indicator.name_en,
                value=row.value,
                peer_average=row.peer_average,
                index=row.index,
                previous_value=row.previous_value,
                series_break=row.series_break,
                unit=indicator.unit,
                relevant=indicator.production is not None or indicator.barometer is not None,
            )
        )
    need = data.need_cost(sector)
    pct = None
    if need is not None and need.difference is not None and need.expected:
        pct = 100.0 * need.difference / need.expected
    previous = next((r for r in data.production_previous if r.sector == sector), None)
    barometer = None
    bsector = BAROMETER_SECTOR.get(sector)
    if bsector is not None and data.barometer is None:
        barometer = BarometerPlace(rank=None, n_ranked=None, available=False)
    elif bsector is not None and data.barometer is not None:
        brow = data.barometer.sector(bsector)
        drivers = []
        for d in brow.drivers if brow is not None else ():
            try:
                indicator = data.indicator(d.indicator_id)
                names = (indicator.name_nb, indicator.name_en, indicator.direction)
            except KeyError:
                names = (d.indicator_id, d.indicator_id, "neutral")
            drivers.append(Driver(d.indicator_id, *names[:2], d.grade, d.effect, names[2]))
        barometer = BarometerPlace(
            rank=brow.rank if brow is not None else None,
            n_ranked=brow.n_ranked if brow is not None else None,
            drivers=tuple(drivers),
            coverage=brow.coverage if brow is not None else None,
        )
    merged = any(e.role == "self" and e.series_break and e.year == data.year for e in data.events)
    return SectorFigures(
        sector=sector.value,
        indices=_indices(data.production_row(sector)),
        previous=_indices(previous) if previous is not None else None,
        resource_use=need.resource_use_index if need is not None else None,
        need_difference_pct=pct,
        need_difference_kr=need.difference if need is not None else None,
        key_figures=tuple(key_figures),
        barometer=barometer,
        series_break=merged,
    )


def report_verdicts(
    data: ReportData, rules: VerdictRules | None = None
) -> dict[Sector, SectorVerdict]:
    """The verdict of each of the report's nine sectors, in the report's order."""
    return {s: sector_verdict(sector_figures(data, s), rules) for s in REPORT_SECTORS}
