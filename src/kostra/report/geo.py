"""Municipality boundaries for maps: a compact TopoJSON of the 2024 borders (© Kartverket).

The packaged file ``kostra/data/geo/kommuner_2024.topojson`` is built once from the shared
``kommuner_2024_S.topojson`` by :func:`compact_topology` (quantised, delta-encoded arcs, only
the properties a map needs); provenance is in ``docs/DATA.md`` (section "Maps").
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kostra._cachefile import write_cached

GEO_OBJECT = "kommuner"
GEO_BORDERS_YEAR = 2024
GEO_CREDIT = "Kartverket"
_PACKAGE_FILE = "kommuner_2024.topojson"
#: Douglas–Peucker tolerance of the report map in grid units (1/20 000 of the extent): about a
#: half a pixel on a 420 px tall map of Norway.
REPORT_TOLERANCE = 20.0


def compact_topology(document: dict[str, Any], *, quantization: int = 20_000) -> dict[str, Any]:
    """A smaller copy of a TopoJSON of municipalities with float arcs.

    Coordinates are quantised to a ``quantization``² grid over the bounding box and delta-encoded
    (the TopoJSON ``transform``); points that fall on the same grid cell as their predecessor are
    dropped. Every geometry keeps its arcs, so shared borders stay shared. Properties are reduced
    to ``code`` (kommunenummer, a string) and ``name``.
    """
    if "transform" in document:
        raise ValueError("topology is already quantised")
    (objects_name, collection), *_ = document["objects"].items()
    x0, y0, x1, y1 = document["bbox"]
    kx = (x1 - x0) / (quantization - 1) or 1.0
    ky = (y1 - y0) / (quantization - 1) or 1.0
    arcs: list[list[list[int]]] = []
    for arc in document["arcs"]:
        points = [(round((x - x0) / kx), round((y - y0) / ky)) for x, y in arc]
        kept = [points[0]]
        for point in points[1:-1]:
            if point != kept[-1]:
                kept.append(point)
        kept.append(points[-1])
        encoded = [list(kept[0])]
        for (px, py), (qx, qy) in itertools.pairwise(kept):
            encoded.append([qx - px, qy - py])
        arcs.append(encoded)
    float_arcs: list[list[list[float]]] = document["arcs"]
    geometries = []
    for geometry in collection["geometries"]:
        properties = geometry["properties"]
        code = str(properties.get("kommunenummer", properties.get("id"))).zfill(4)
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        polygons = [_clockwise(polygon, float_arcs) for polygon in polygons]
        geometries.append(
            {
                "type": geometry["type"],
                "arcs": polygons if geometry["type"] == "MultiPolygon" else polygons[0],
                "properties": {"code": code, "name": properties.get("kommunenavn", "")},
            }
        )
    del objects_name
    return {
        "type": "Topology",
        "bbox": [x0, y0, x1, y1],
        "transform": {"scale": [kx, ky], "translate": [x0, y0]},
        "objects": {GEO_OBJECT: {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def _ring_area(ring: list[int], arcs: list[list[list[float]]]) -> float:
    """Signed planar area of a ring in lon/lat (positive: counter-clockwise)."""
    points: list[list[float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(points))


def _clockwise(polygon: list[list[int]], arcs: list[list[list[float]]]) -> list[list[int]]:
    """The polygon with d3's winding: exterior ring clockwise (RFC 7946 files use the reverse).

    d3-geo (and so Vega) reads a counter-clockwise exterior as "the whole sphere minus this
    shape", which paints the map as one filled rectangle.
    """
    if _ring_area(polygon[0], arcs) <= 0:
        return polygon
    return [[~index for index in reversed(ring)] for ring in polygon]


@lru_cache(maxsize=1)
def _topology_text() -> str:
    return (resources.files("kostra") / "data" / "geo" / _PACKAGE_FILE).read_text(encoding="utf-8")


def municipality_topology() -> dict[str, Any]:
    """The packaged 2024 municipality boundaries (a fresh dict each call)."""
    result: dict[str, Any] = json.loads(_topology_text())
    return result


def _douglas_peucker(points: list[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    """The points a Douglas–Peucker simplification keeps (first and last always)."""
    if len(points) <= 2:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    limit = tolerance * tolerance
    while stack:
        start, end = stack.pop()
        (x0, y0), (x1, y1) = points[start], points[end]
        dx, dy = x1 - x0, y1 - y0
        length = dx * dx + dy * dy
        worst, worst_at = -1.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            distance: float
            if length == 0:
                distance = (px - x0) ** 2 + (py - y0) ** 2
            else:
                cross = dx * (py - y0) - dy * (px - x0)
                distance = cross * cross / length
            if distance > worst:
                worst, worst_at = distance, i
        if worst > limit:
            keep[worst_at] = True
            stack.append((start, worst_at))
            stack.append((worst_at, end))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_topology(topology: dict[str, Any], tolerance: float) -> dict[str, Any]:
    """A copy of a quantised topology with every arc simplified (Douglas–Peucker, tolerance in
    grid units). Arcs are shared between neighbours, so borders stay shared and gap-free."""
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        absolute: list[tuple[int, int]] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            absolute.append((x, y))
        kept = _douglas_peucker(absolute, tolerance)
        encoded = [list(kept[0])]
        for (px, py), (qx, qy) in itertools.pairwise(kept):
            encoded.append([qx - px, qy - py])
        arcs.append(encoded)
    return {**topology, "arcs": arcs}


def _derived(name: str, compute: Callable[[], str]) -> str:
    """Text derived from the packaged boundaries alone (``compute()``), cached on disk.

    Simplifying the boundaries and finding the markers' points cost a fresh process about a
    second of pure Python, the same result every time: it is kept in the user cache directory
    (``KOSTRA_CACHE_DIR``), keyed by the packaged file's content and this module's source (a
    change to either computes it again), written atomically. A cache that cannot be written or
    read only costs time.
    """
    from kostra.settings import Settings

    digest = hashlib.sha256(_topology_text().encode())
    digest.update(Path(__file__).read_bytes())
    cache = Path(Settings().cache_dir) / f"kostra-geo-{name}-{digest.hexdigest()[:20]}.json"
    try:
        return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    text = compute()
    write_cached(cache, text)
    return text


@lru_cache(maxsize=1)
def _report_topology_text() -> str:
    return _derived(
        f"report-{REPORT_TOLERANCE:g}",
        lambda: json.dumps(
            simplify_topology(municipality_topology(), REPORT_TOLERANCE), separators=(",", ":")
        ),
    )


def report_topology() -> dict[str, Any]:
    """The boundaries simplified for a national map a few hundred pixels tall (report, PDF):
    about half the points, so drawing and embedding the map costs less."""
    result: dict[str, Any] = json.loads(_report_topology_text())
    return result


def map_codes() -> frozenset[str]:
    """Municipality codes that have a shape on the map (the 2024 structure)."""
    topology = municipality_topology()
    return frozenset(g["properties"]["code"] for g in topology["objects"][GEO_OBJECT]["geometries"])


def _decoded_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The arcs of a quantised topology in longitude/latitude."""
    (kx, ky), (x0, y0) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * kx + x0, y * ky + y0))
        out.append(points)
    return out


@lru_cache(maxsize=1)
def centroids() -> dict[str, tuple[float, float]]:
    """Each municipality's point for a marker: the planar centroid (longitude, latitude) of its
    largest polygon's exterior ring, so an island municipality's marker sits on the island."""
    points = json.loads(_derived("centroids", lambda: json.dumps(_centroids())))
    return {str(code): (float(x), float(y)) for code, (x, y) in points.items()}


def _centroids() -> dict[str, tuple[float, float]]:
    topology = municipality_topology()
    arcs = _decoded_arcs(topology)
    out: dict[str, tuple[float, float]] = {}
    for geometry in topology["objects"][GEO_OBJECT]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        best = (0.0, 0.0, 0.0)
        for polygon in polygons:
            points: list[tuple[float, float]] = []
            for index in polygon[0]:
                arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                points.extend(arc if not points else arc[1:])
            area = cx = cy = 0.0
            for (xa, ya), (xb, yb) in itertools.pairwise(points):
                cross = xa * yb - xb * ya
                area += cross
                cx += (xa + xb) * cross
                cy += (ya + yb) * cross
            if area and abs(area) > abs(best[0]):
                best = (area, cx / (3 * area), cy / (3 * area))
        out[geometry["properties"]["code"]] = (round(best[1], 4), round(best[2], 4))
    return out


@lru_cache(maxsize=1)
def municipality_areas() -> dict[str, float]:
    """Total area in km² (fresh water included) per 2024 code, from the packaged municipality
    facts (provenance in ``docs/DATA.md``)."""
    import polars as pl

    source = resources.files("kostra") / "data" / "geography" / "municipality_facts_2024.parquet"
    with resources.as_file(source) as path:
        frame = pl.read_parquet(path, columns=["code", "area_km2"])
    return {c: a for c, a in frame.iter_rows() if a is not None}


def smallest_municipalities(n: int) -> list[str]:
    """The codes of the ``n`` municipalities smallest by area, smallest first."""
    areas = municipality_areas()
    return sorted(areas, key=lambda code: (areas[code], code))[:n]
