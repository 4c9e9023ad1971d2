"""Made-up key figures and barometer drivers for the verdict tests (a helper module, not a test
module)."""

from __future__ import annotations

from kostra.analysis.verdict import Driver, KeyFigure


def key_figure(
    i: str,
    index: float | None,
    value: float = 50.0,
    previous: float | None = None,
    relevant: bool = False,
) -> KeyFigure:
    return KeyFigure(
        indicator_id=i,
        name_nb=f"Andel {i}",
        name_en=f"Share {i}",
        value=value,
        peer_average=None if index is None else value * 100.0 / index,
        index=index,
        previous_value=previous,
        unit="prosent",
        relevant=relevant,
    )


def drivers() -> tuple[Driver, ...]:
    return (
        Driver(
            "fag",
            "Andel ansatte med fagutdanning",
            "Share of staff with training",
            1.5,
            -0.8,
            "higher_better",
        ),
        Driver(
            "dekning",
            "Andel barn med plass",
            "Share of children with a place",
            5.0,
            0.4,
            "lower_better",
        ),
        Driver(
            "kost",
            "Netto driftsutgifter per innbygger",
            "Net expenditure per inhabitant",
            2.5,
            -0.2,
            "lower_better",
        ),
    )
