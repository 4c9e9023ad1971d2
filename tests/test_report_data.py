"""The report adapter (:func:`kostra.report.build.build_report_data`) over the made-up frames of
:mod:`made_up_report`."""

from __future__ import annotations

import polars as pl
import pytest

from made_up_report import (
    ASSS,
    BAERUM,
    UTSIRA,
    YEAR,
    YEARS,
    barometer,
    catalog,
    make_report,
    names,
    need,
    production,
    profile,
)


def test_profile_rows_match_the_profile_frame() -> None:
    data = make_report(BAERUM)
    frame = profile(BAERUM).filter(pl.col("year") == YEAR)
    assert len(data.profile) == frame.height == len(catalog().indicators)
    for row in data.profile:
        source = frame.filter(pl.col("indicator_id") == row.indicator_id).row(0, named=True)
        assert row.value == pytest.approx(source["value"])
        assert row.peer_average == pytest.approx(source["peer_average"])
        assert row.index == pytest.approx(source["index"])
        assert row.peer_rank == source["rank"]
        assert row.n_peers == source["n_ranked"]


def test_history_reaches_back_before_the_profile_window() -> None:
    data = make_report(BAERUM)
    years = {p.year for p in data.history if p.indicator_id == "grunnskole_0"}
    assert min(years) == YEARS[0]
    assert max(years) == YEAR
    recent = [p for p in data.history if p.year == YEAR]
    assert all(p.peer_average is not None for p in recent)


def test_missing_figure_keeps_status_and_is_listed() -> None:
    data = make_report(UTSIRA)
    row = data.profile_row("barnevern_2")
    assert row is not None
    assert row.value is None
    assert row.status == ":"
    assert [(m.indicator_id, m.status) for m in data.missing] == [("barnevern_2", ":")]


def test_barometer_total_and_peer_rank() -> None:
    data = make_report(BAERUM)
    total, _ = barometer()
    assert data.barometer is not None
    own = total.filter(pl.col("region") == BAERUM).row(0, named=True)
    assert data.barometer.total_rank == own["rank"]
    assert data.barometer.n_ranked == total.height
    peers = total.filter(pl.col("region").is_in(list(ASSS)))
    assert data.barometer.peer_rank == 1 + peers.filter(pl.col("rank") < own["rank"]).height
    assert data.barometer.n_peers == len(ASSS)


def test_drivers_effect_is_weight_times_grade_distance() -> None:
    data = make_report(BAERUM)
    assert data.barometer is not None
    row = next(s for s in data.barometer.sectors if s.sector == "grunnskole")
    for d in row.drivers:
        assert d.grade is not None
        assert d.effect == pytest.approx(d.weight * (d.grade - 3.5))


def test_distributions_cover_every_municipality() -> None:
    data = make_report(BAERUM)
    assert data.distributions
    assert all(len(d.values) == len(names()) for d in data.distributions)


def test_production_total_row_becomes_totals() -> None:
    data = make_report(BAERUM)
    frame = production(BAERUM)
    total = frame.filter(pl.col("sector") == "total").row(0, named=True)
    assert data.production_total == pytest.approx(total["production_index"])
    assert all(r.sector != "total" for r in data.production)


def test_model_is_frozen() -> None:
    data = make_report(BAERUM)
    with pytest.raises(ValueError, match="frozen"):
        data.year = 2023  # type: ignore[misc]


def test_map_indicator_gets_every_municipality() -> None:
    data = make_report(BAERUM, map_indicator="kultur_og_fritid_2")
    dist = data.distribution("kultur_og_fritid_2")
    assert dist is not None
    assert len(dist.values) == len(names())


def test_unknown_map_indicator_is_a_user_error() -> None:
    from kostra.errors import KostraError

    with pytest.raises(KostraError, match="no_such") as unknown:
        make_report(BAERUM, map_indicator="no_such")
    assert unknown.value.text("nn") == (
        "Nøkkeltalet 'no_such' finst ikkje i katalogen til rapporten."
    )
    hint = unknown.value.hint_text("nn") or ""
    assert hint.startswith("Sjå id-ane med `kostra catalog` (t.d. ")


def test_need_total_is_the_analysis_total_over_welfare_sectors() -> None:
    data = make_report(BAERUM)
    frame = need(BAERUM)
    total = frame.filter(pl.col("sector") == "total")["excess_spending"][0]
    assert data.excess_total() == pytest.approx(total)
    assert len(data.excess_total_sectors) == 6
    assert all(r.sector != "total" for r in data.need_costs)
    assert len(data.need_costs) == 7
