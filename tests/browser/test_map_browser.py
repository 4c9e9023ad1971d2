"""The web map in Chromium: it draws, the wheel zooms around the pointer, dragging pans without
opening a municipality, and the buttons and keys zoom and pan from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT = 30_000
SHAPES = "#chart-map svg g.concat_0_group g.mark-shape"


def _ready(page: Any) -> None:
    page.locator("body[data-charts-ready=true]").wait_for(state="attached", timeout=TIMEOUT)


def _shapes(page: Any) -> list[str]:
    """The path data of the main view's municipality shapes, in drawing order."""
    result: list[str] = page.evaluate(
        """(selector) => Array.from(document.querySelector(selector).querySelectorAll('path'))
             .map((p) => p.getAttribute('d'))""",
        SHAPES,
    )
    return result


def _hovered(page: Any, x: float, y: float) -> str:
    """The municipality name the tooltip shows at (x, y)."""
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=TIMEOUT)
    text: str = tooltip.locator("td.value").first.inner_text()
    return text


def _settled(page: Any, attribute: str, value: str) -> None:
    page.locator(f'#chart-map[data-{attribute}="{value}"]').wait_for(
        state="attached", timeout=TIMEOUT
    )


def test_map_zooms_around_the_pointer_pans_and_resets(page: Any, server: str) -> None:
    page.goto(server + "/kart?k=Utsira", wait_until="load")
    _ready(page)
    before = _shapes(page)
    assert len(before) >= 357  # every municipality's shape
    frame = page.locator("#chart-map g.concat_0_group path.background").first.bounding_box()
    assert frame["width"] >= 500
    # a point inside Norway: the middle of the largest shape of the main view
    box = page.evaluate(
        """(selector) => {
          let best = null;
          for (const path of document.querySelector(selector).querySelectorAll('path')) {
            const b = path.getBoundingClientRect();
            if (!best || b.width * b.height > best.width * best.height) best = b;
          }
          return {x: best.x + best.width / 2, y: best.y + best.height / 2};
        }""",
        SHAPES,
    )
    name = _hovered(page, box["x"], box["y"])
    for _ in range(4):
        page.mouse.wheel(0, -200)
    page.locator("#chart-map[data-zoom]").wait_for(state="attached", timeout=TIMEOUT)
    page.wait_for_timeout(400)
    zoom = float(page.locator("#chart-map").get_attribute("data-zoom"))
    assert zoom > 2
    after = _shapes(page)
    assert len(after) == len(before)
    assert sum(a != b for a, b in zip(before, after, strict=True)) > 300
    # the municipality under the pointer stays under it
    assert _hovered(page, box["x"], box["y"]) == name

    # dragging pans and does not open the municipality the drag ends on
    url = page.url
    page.mouse.move(box["x"], box["y"])
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=6)
    page.mouse.up()
    page.wait_for_timeout(400)
    assert page.url == url
    assert page.locator("#chart-map").get_attribute("data-pan") != "0,0"

    # the buttons and the arrow keys, for keyboard users
    page.get_by_role("button", name="Hele landet").click()
    _settled(page, "zoom", "1.000")
    _settled(page, "pan", "0,0")
    page.wait_for_timeout(400)
    assert _shapes(page) == before
    zoom_in = page.get_by_role("button", name="Zoom inn")
    zoom_in.focus()
    page.keyboard.press("Enter")
    _settled(page, "zoom", "1.600")
    page.keyboard.press("ArrowLeft")
    _settled(page, "pan", "80,0")
    page.keyboard.press("-")
    _settled(page, "zoom", "1.000")
    assert page.problems == []
