"""Chart specs: pure dicts with alt text and Norwegian number formats, renderable offline."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import vl_convert

from kostra.report import charts
from kostra.report.geo import (
    GEO_OBJECT,
    compact_topology,
    map_codes,
    municipality_topology,
    report_topology,
    simplify_topology,
)

NBSP = "\u00a0"


def _profile(lang: str = "nb") -> dict:
    return charts.profile_chart(
        [
            {"label": "Netto driftsutgifter per elev", "index": 112.4},
            {"label": "Andel elever med spesialundervisning", "index": 63.0},
            {"label": "Mangler", "index": None},
        ],
        lang=lang,
        municipality="Bærum",
        sector="grunnskole",
        year=2024,
        peer_name="ASSS",
    )


def _series(lang: str = "nb") -> dict:
    return charts.series_chart(
        [
            {"year": y, "value": 110_000.0 + 1500 * i, "peer_average": 120_500.5}
            for i, y in enumerate(range(2019, 2025))
        ],
        lang=lang,
        indicator="Netto driftsutgifter per elev",
        unit="kr",
        municipality="Bærum",
        peer_name="ASSS",
        break_years=[2020],
    )


def _svg_text(spec: dict) -> str:
    return " ".join(re.findall(r">([^<]+)<", vl_convert.vegalite_to_svg(spec)))


def test_every_chart_has_alt_text_and_locale() -> None:
    specs = [
        _profile(),
        _series(),
        charts.rank_strip_chart(
            [
                {"code": "3201", "name": "Bærum", "value": 5.0},
                {"code": "0301", "name": "Oslo", "value": 7.0},
            ],
            lang="nb",
            code="3201",
            peers=["0301"],
            indicator="X",
            unit="%",
            year=2024,
        ),
        charts.need_cost_chart(
            [{"sector": "Grunnskole", "excess_mnok": 12.5}],
            lang="nb",
            municipality="Bærum",
            peer_name="ASSS",
            year=2024,
        ),
        charts.barometer_chart(
            [{"sector": "Grunnskole", "rank": 5, "rank_low": 2, "rank_high": 9, "n_ranked": 356}],
            lang="nb",
            municipality="Bærum",
            year=2024,
        ),
    ]
    for spec in specs:
        assert len(charts.alt_text(spec)) > 30
        locale = spec["config"]["locale"]
        assert locale["number"]["decimal"] == ","
        assert locale["number"]["thousands"] == NBSP
        assert locale["time"]["months"][0] == "januar"
        json.dumps(spec)  # plain JSON, no objects


def test_english_locale() -> None:
    spec = _profile("en")
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    assert spec["description"].startswith("Bar chart")


def test_profile_alt_text_names_the_indices_and_skips_missing() -> None:
    alt = charts.alt_text(_profile())
    assert "Netto driftsutgifter per elev: 112" in alt
    assert "spesialundervisning: 63" in alt
    assert "Mangler" not in alt


def test_profile_domain_includes_100_line() -> None:
    spec = _profile()
    domain = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert domain[0] < 63.0
    assert domain[1] > 112.4


def test_svg_numbers_use_norwegian_format() -> None:
    text = _svg_text(_series())
    # whole kroner with a no-break-space thousands separator, never SI prefixes ("160k")
    assert re.search(r"\d{2,3}" + NBSP + r"\d{3}", text), text
    assert not re.search(r"\d(k|M|m)\b", text), text
    strip = charts.rank_strip_chart(
        [{"code": str(1000 + i), "name": f"K{i}", "value": 1000.5 + 2500 * i} for i in range(10)],
        lang="nb",
        code="1001",
        peers=[],
        indicator="kr per innbygger",
        unit="kr",
        year=2024,
    )
    assert re.search(r"\d{1,2}" + NBSP + r"\d{3}", _svg_text(strip))


def test_profile_svg_labels_use_decimal_comma_when_fractional() -> None:
    spec = charts.need_cost_chart(
        [
            {"sector": "Grunnskole", "excess_mnok": 2.5},
            {"sector": "Barnehage", "excess_mnok": -1.25},
        ],
        lang="nb",
        municipality="Bærum",
        peer_name="ASSS",
        year=2024,
    )
    text = _svg_text(spec)
    assert "2,5" in text
    assert "\u22121,2" in text  # Python rounds the binary 1.25 down; a true minus sign


def test_charts_are_pure() -> None:
    rows = [{"label": "A", "index": 90.0}]
    before = copy.deepcopy(rows)
    first = charts.profile_chart(
        rows, lang="nb", municipality="B", sector="s", year=2024, peer_name="ASSS"
    )
    second = charts.profile_chart(
        rows, lang="nb", municipality="B", sector="s", year=2024, peer_name="ASSS"
    )
    assert rows == before
    assert first == second


def test_series_marks_pandemic_and_break_years() -> None:
    spec = _series()
    layers = spec["layer"]
    assert layers[0]["data"]["values"] == [{"year": 2020}, {"year": 2021}]
    assert layers[1]["data"]["values"] == [{"year": 2020}]
    assert "2019–2024" in charts.alt_text(spec)


def test_rank_strip_alt_gives_rank_from_top() -> None:
    values = [{"code": c, "name": c, "value": v} for c, v in (("a", 1.0), ("b", 3.0), ("c", 2.0))]
    spec = charts.rank_strip_chart(
        [*values, {"code": "d", "name": "d", "value": None}],
        lang="en",
        code="c",
        peers=["a"],
        indicator="X",
        unit="",
        year=2024,
    )
    assert "all 3 municipalities" in spec["description"]
    assert "number 2 from the top" in spec["description"]


def test_packaged_topology_has_every_2024_municipality() -> None:
    codes = map_codes()
    assert len(codes) == 357
    assert {"0301", "3201", "5501", "1508", "1580"} <= codes
    assert all(isinstance(c, str) and len(c) == 4 for c in codes)
    topology = municipality_topology()
    assert topology["objects"][GEO_OBJECT]["type"] == "GeometryCollection"
    assert "transform" in topology


def test_packaged_topology_is_built_from_the_shared_file(shared_dir: Path) -> None:
    source = json.loads((shared_dir / "data/geo/kommuner_2024_S.topojson").read_text())
    built = compact_topology(source)
    assert built == json.loads(json.dumps(built, ensure_ascii=False))
    assert built["arcs"] == municipality_topology()["arcs"]
    assert built["objects"] == municipality_topology()["objects"]


def test_compaction_orients_rings_clockwise() -> None:
    # one counter-clockwise unit square (RFC 7946 exterior)
    doc = {
        "type": "Topology",
        "bbox": [0.0, 0.0, 1.0, 1.0],
        "arcs": [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
        "objects": {
            "K": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "properties": {"kommunenummer": "301"}}
                ],
            }
        },
    }
    built = compact_topology(doc, quantization=11)
    geometry = built["objects"][GEO_OBJECT]["geometries"][0]
    assert geometry["arcs"] == [[~0]]
    assert geometry["properties"]["code"] == "0301"
    assert built["arcs"][0][0] == [0, 0]


def test_report_topology_is_simplified_but_keeps_every_border() -> None:
    full, simple = municipality_topology(), report_topology()
    assert simple["objects"] == full["objects"]
    assert len(simple["arcs"]) == len(full["arcs"])
    n_full = sum(len(a) for a in full["arcs"])
    n_simple = sum(len(a) for a in simple["arcs"])
    assert n_simple < 0.8 * n_full

    def ends(arc: list[list[int]]) -> tuple[tuple[int, int], tuple[int, int]]:
        x, y = arc[0]
        first = (x, y)
        for dx, dy in arc[1:]:
            x, y = x + dx, y + dy
        return first, (x, y)

    # arcs keep their end points, so neighbours still meet
    assert [ends(a) for a in simple["arcs"]] == [ends(a) for a in full["arcs"]]


def test_douglas_peucker_keeps_corners_and_drops_near_collinear_points() -> None:
    # absolute points (0,0) (5,1) (10,0) (10,10), delta-encoded
    arc = [[0, 0], [5, 1], [5, -1], [0, 10]]
    assert simplify_topology({"arcs": [arc]}, tolerance=2)["arcs"] == [[[0, 0], [10, 0], [0, 10]]]
    assert simplify_topology({"arcs": [arc]}, tolerance=0.5)["arcs"] == [arc]


def _shared_layers() -> dict:
    """Two layers drawing the same inline boundaries (the same object)."""
    topology = municipality_topology()
    data = {"values": topology, "format": {"type": "topojson", "feature": GEO_OBJECT}}
    return {
        "$schema": charts.SCHEMA,
        "width": 200,
        "height": 260,
        "projection": {"type": "transverseMercator", "rotate": [-15, -65]},
        "layer": [
            {"data": dict(data), "mark": {"type": "geoshape", "fill": "#ccc"}},
            {
                "data": dict(data),
                "transform": [{"filter": {"field": "properties.code", "equal": "0301"}}],
                "mark": {"type": "geoshape", "filled": False, "stroke": "red"},
            },
        ],
    }


def test_shared_boundaries_inlined_once_for_conversion() -> None:
    spec = _shared_layers()
    topology = spec["layer"][0]["data"]["values"]
    shared = charts.shared_datasets(spec)
    assert list(shared["datasets"]) == ["shared-1"]
    assert shared["datasets"]["shared-1"] is topology
    for layer, original in zip(shared["layer"], spec["layer"], strict=True):
        assert layer["data"] == {"name": "shared-1", "format": original["data"]["format"]}
        assert layer.get("transform") == original.get("transform")
    # the chart itself keeps its inline boundaries
    assert spec["layer"][1]["data"]["values"] is topology
    # the same picture: every shape and the outline are drawn from the shared data
    drawn = vl_convert.vegalite_to_svg(shared)
    assert drawn.count("<path") == vl_convert.vegalite_to_svg(spec).count("<path") > 300
    # a spec without shared data is returned as it is
    profile = charts.profile_chart(
        [{"label": "a", "index": 90.0}],
        lang="nb",
        municipality="X",
        sector="s",
        year=2024,
        peer_name="ASSS",
    )
    assert charts.shared_datasets(profile) is profile


def test_axis_and_legend_formats_never_use_si_prefixes() -> None:
    large = [{"value": 160_000.0}, {"value": 1_200.0}]
    small = [{"value": 0.5}, {"value": 0.05}]
    assert charts._number_format(large) == ",.0f"
    assert charts._number_format(small) == ",.4~f"
    assert charts._number_format([{"value": None}]) == ",.4~f"
    assert '"~s"' not in json.dumps(_series())


def test_strip_places_are_shared_by_equal_values_in_any_order() -> None:
    from kostra.report.charts import strip_layout

    rows = [
        {"code": "0001", "name": "A", "value": 5.0},
        {"code": "0002", "name": "B", "value": 7.0},
        {"code": "0003", "name": "C", "value": 5.0},
        {"code": "0004", "name": "D", "value": 1.0},
    ]
    for order in (rows, rows[::-1]):
        places = strip_layout(order).places
        assert places == {"0002": 1, "0001": 2, "0003": 2, "0004": 4}
