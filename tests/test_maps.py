"""The map spec (kostra.report.maps): colours, legend, zoom, small municipalities, one builder."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import vl_convert

from kostra.report import maps, printing, render
from kostra.report.geo import (
    centroids,
    map_codes,
    municipality_areas,
    municipality_topology,
    smallest_municipalities,
)

NAMES = {
    g["properties"]["code"]: g["properties"]["name"]
    for g in municipality_topology()["objects"]["kommuner"]["geometries"]
}


def _rows(values: dict[str, float | None]) -> list[dict[str, Any]]:
    return [{"code": c, "name": NAMES[c], "value": v} for c, v in values.items()]


def _spread() -> dict[str, float | None]:
    """Every municipality a value from −6 to +14 (a signed figure's typical range)."""
    codes = sorted(map_codes())
    return {c: -6.0 + 20.0 * i / (len(codes) - 1) for i, c in enumerate(codes)}


RESULT = maps.MapMeasure(
    name="Netto driftsresultat i prosent av brutto driftsinntekter",
    unit="prosent",
    tables=("12134",),
    signed=True,
)
COST = maps.MapMeasure(name="Netto driftsutgifter per innbygger", unit="kr", tables=("12362",))


def _map(
    measure: maps.MapMeasure,
    values: dict[str, float | None] | None = None,
    *,
    year: int = 2024,
    code: str = "3201",
    lang: str = "nb",
    zoom: bool = False,
) -> dict[str, Any]:
    return maps.map_chart(
        _rows(values if values is not None else _spread()),
        topology=municipality_topology(),
        lang=lang,
        measure=measure,
        year=year,
        code=code,
        peers=["0301", "3203", "1151"],
        municipality=NAMES.get(code, code),
        zoom=zoom,
    )


def _main(spec: dict[str, Any]) -> dict[str, Any]:
    main: dict[str, Any] = spec["hconcat"][0]
    return main


def _colour(spec: dict[str, Any]) -> dict[str, Any]:
    colour: dict[str, Any] = _main(spec)["layer"][0]["encoding"]["color"]
    return colour


def test_signed_figure_is_diverging_around_zero() -> None:
    scale = _colour(_map(RESULT))["scale"]
    assert scale["scheme"] == maps.DIVERGING_SCHEME
    assert scale["domainMid"] == 0
    low, high = scale["domain"]
    assert low == pytest.approx(-high)  # symmetric: equal steps look equal on both sides
    assert high > 0


def test_unsigned_figure_is_sequential_and_rank_reversed() -> None:
    scale = _colour(_map(COST, {c: abs(v or 0) + 1 for c, v in _spread().items()}))["scale"]
    assert scale["scheme"] == maps.SEQUENTIAL_SCHEME
    assert "domainMid" not in scale
    rank = _colour(_map(maps.rank_measure("nb")))["scale"]
    assert rank["reverse"] is True
    assert "domainMid" not in rank


def test_colour_domain_is_round_numbers() -> None:
    values = {c: 5.2261 + 9.6214 * i / 356 for i, c in enumerate(sorted(map_codes()))}
    assert _colour(_map(COST, values))["scale"]["domain"] == [4.0, 16.0]
    assert _colour(_map(RESULT))["scale"]["domain"] == [-15.0, 15.0]


def test_colour_domain_leaves_out_extreme_tails() -> None:
    values = _spread()
    values["0301"] = 400.0  # one wild value must not wash out everyone else
    low, high = _colour(_map(RESULT, values))["scale"]["domain"]
    assert high < 20
    assert low == pytest.approx(-high)


def test_indicator_measure_reads_sign_and_tables_from_the_catalog() -> None:
    from kostra.catalog import load_catalog

    catalog = {i.id: i for i in load_catalog().indicators}
    result = maps.indicator_measure(catalog["netto_driftsresultat"], "nb")
    assert result.signed
    assert result.tables == ("12134",)
    assert result.unit == "prosent"
    english = maps.indicator_measure(catalog["netto_driftsresultat"], "en", synthetic=True)
    assert english.unit == "per cent"
    assert english.synthetic
    unsigned = next(i for i in catalog.values() if i.comparison == "index" and i.unit == "kr")
    assert not maps.indicator_measure(unsigned, "nb").signed


def test_legend_title_states_unit_source_and_borders() -> None:
    title = _colour(_map(RESULT))["title"]
    assert title == [
        "Prosent",
        "Kilde: SSB, tabell 12134, 2024",
        "Kommunegrenser 2024 © Kartverket",
        "Grå: ingen verdi",
    ]
    sample = maps.MapMeasure(name="x", unit="kr", tables=("12362",), synthetic=True)
    assert " ".join(maps.legend_title(sample, "nb", 2023)[1:3]) == (
        "Kilde: syntetiske eksempeltall (SSB-tabell 12362), 2023"
    )
    rank = _colour(_map(maps.rank_measure("en"), lang="en"))["title"]
    assert rank[0] == "Rank (1 = best)"
    assert " ".join(rank).startswith(
        "Rank (1 = best) Source: own calculation from Statistics Norway's KOSTRA figures, 2024"
    )
    # long lines are wrapped, so the legend stays narrow
    assert max(len(line) for line in rank) <= maps.LEGEND_CHARS
    assert "Verdi" not in json.dumps(_colour(_map(COST)))


def test_tooltips_say_name_value_and_unit() -> None:
    values = _spread()
    values["0301"] = 3.27
    values["3201"] = None
    spec = _map(RESULT, values)
    layer = _main(spec)["layer"][0]
    fields = [f["field"] for f in layer["encoding"]["tooltip"]]
    assert fields == ["properties.name", "shown"]
    rows = {r["code"]: r for r in layer["transform"][-1]["from"]["data"]["values"]}
    assert rows["0301"]["shown"] == "3,3 prosent"
    assert rows["3201"]["shown"] == "mangler"
    assert "prosent" in spec["description"]


def test_zoom_parameters_drive_the_main_projection() -> None:
    spec = _map(RESULT, zoom=True)
    assert [p["name"] for p in spec["params"]] == list(maps.ZOOM_PARAMS)
    assert all(p["value"] == (1 if p["name"] == "map_zoom" else 0) for p in spec["params"])
    extent = _main(spec)["projection"]["extent"]["expr"]
    assert all(name in extent for name in maps.ZOOM_PARAMS)
    # the inset keeps its own fixed projection
    assert "extent" not in spec["hconcat"][1]["projection"]
    assert "params" not in _map(RESULT)


def test_zoom_changes_the_drawing() -> None:
    """The same spec drawn at zoom 1 and zoom 4 (the parameter's value, as the page sets it)."""
    spec = _map(RESULT, zoom=True)
    zoomed = json.loads(json.dumps(spec))
    zoomed["params"][0]["value"] = 4
    shapes = re.compile(r'<path[^>]* d="([^"]+)"')
    plain = shapes.findall(vl_convert.vegalite_to_svg(spec))
    near = shapes.findall(vl_convert.vegalite_to_svg(zoomed))
    assert len(plain) == len(near)
    changed = sum(a != b for a, b in zip(plain, near, strict=True))
    assert changed > 300  # every shape of the main view moved; the inset stays


def test_smallest_municipalities_get_markers_and_oslo_an_inset() -> None:
    small = smallest_municipalities(maps.SMALL_COUNT)
    assert {"1144", "1151"} <= set(small)  # Kvitsøy and Utsira, about 6 km² each
    areas = municipality_areas()
    assert all(areas[c] < 20 for c in small)
    spec = _map(COST, code="1151")
    markers = _main(spec)["layer"][-1]
    assert markers["mark"]["type"] == "circle"
    drawn = {m["code"]: m for m in markers["data"]["values"]}
    assert set(drawn) == set(small)
    assert drawn["1151"]["name"] == "Utsira"
    assert (drawn["1151"]["lon"], drawn["1151"]["lat"]) == centroids()["1151"]
    assert 4.8 < drawn["1151"]["lon"] < 5.0
    assert 59.2 < drawn["1151"]["lat"] < 59.4
    # the chosen municipality's circle is drawn in the own colour
    assert "'1151'" in markers["encoding"]["stroke"]["condition"]["test"]
    assert "Utsira" in spec["description"]
    assert "Kvitsøy" in spec["description"]
    inset = spec["hconcat"][1]
    assert inset["title"]["text"] == "Oslo-området"
    shown = inset["layer"][0]["transform"][0]["filter"]["oneOf"]
    assert {"0301", "3201", "3212"} <= set(shown)  # Oslo, Bærum, Nesodden
    assert "5001" not in shown  # Trondheim is not in the Oslo area


def test_chosen_municipality_and_peers_outlined_on_map_and_inset() -> None:
    spec = _map(COST, code="3201")
    main_outlines = [
        layer["transform"][0]["filter"]["oneOf"] for layer in _main(spec)["layer"][1:3]
    ]
    assert main_outlines == [["0301", "3203", "1151"], ["3201"]]
    inset_outlines = [
        layer["transform"][0]["filter"]["oneOf"] for layer in spec["hconcat"][1]["layer"][1:]
    ]
    assert inset_outlines == [["0301", "3203"], ["3201"]]  # Oslo and Asker are in the inset


def test_map_before_2024_says_it_uses_2024_borders() -> None:
    spec = _map(COST, year=2019)
    assert "Tegnet på 2024-grenser med verdier harmonisert fra 2019" in spec["description"]
    assert any("2024-grenser" in line for line in spec["title"]["subtitle"])
    assert "Kartverket" in spec["description"]


def test_web_spec_loads_the_boundaries_by_url() -> None:
    spec = _map(RESULT, zoom=True)
    web = maps.with_topology_url(spec, "/geo/k.topojson")
    assert "datasets" not in web
    text = json.dumps(web)
    assert '"name": "kommuner"' not in text
    assert text.count('"url": "/geo/k.topojson"') >= 4  # main, outlines, inset
    assert "datasets" in spec  # the original keeps its data


@pytest.mark.slow
def test_map_renders_offline_with_every_shape() -> None:
    svg = printing.chart_svg(_map(RESULT))
    assert svg.count("<path") > len(map_codes()) + len(maps.inset_codes())  # Norway and inset
    assert "Kilde: SSB, tabell 12134, 2024" in svg
    assert "Oslo-området" in svg


def test_map_in_print_is_a_png_at_the_chart_size() -> None:
    spec = _map(maps.rank_measure("nb"))
    png = printing.chart_png(spec, config=printing.PRINT_CONFIG)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = printing.chart_svg(spec, config=printing.PRINT_CONFIG)
    svg_width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg)[1])  # type: ignore[index]
    png_width = int.from_bytes(png[16:20], "big")
    assert png_width == pytest.approx(svg_width * printing.PRINT_RASTER_SCALE, abs=2)


def test_one_builder_for_web_report_and_deck(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report and the deck draw the barometer map with one builder (the web overview calls
    it too, loading the boundaries by URL and adding zoom)."""
    from kostra.report import charts
    from kostra.report.geo import report_topology
    from kostra.slides import build
    from made_up_report import BAERUM, make_report

    assert not hasattr(charts, "map_chart")
    data = make_report(BAERUM)
    expected = maps.barometer_map(data, "nb", topology=report_topology())
    assert expected is not None
    assert render._summary_charts(data, "nb")["map"].spec == expected
    drawn: list[dict[str, Any]] = []
    monkeypatch.setattr(printing, "chart_png", lambda spec, *a, **k: drawn.append(spec) or b"")
    build.map_picture(data, "nb")
    assert drawn == [expected]


def test_derived_boundaries_are_cached_on_disk_and_equal_computing_them(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kostra.report import geo

    monkeypatch.setenv("KOSTRA_CACHE_DIR", str(tmp_path))
    geo._report_topology_text.cache_clear()
    geo.centroids.cache_clear()
    try:
        first = (geo.report_topology(), geo.centroids())
        cached = sorted(p.name for p in tmp_path.glob("kostra-geo-*.json"))
        assert len(cached) == 2
        geo._report_topology_text.cache_clear()
        geo.centroids.cache_clear()
        again = (geo.report_topology(), geo.centroids())  # read back from the files
        direct = geo.simplify_topology(geo.municipality_topology(), geo.REPORT_TOLERANCE)
        assert again[0] == first[0] == json.loads(json.dumps(direct))
        assert again[1] == first[1] == geo._centroids()
    finally:
        geo._report_topology_text.cache_clear()
        geo.centroids.cache_clear()
