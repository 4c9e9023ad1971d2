"""The dashboard in Chromium: pick a municipality by typing, switch sector, charts drawn as SVG,
CSV and PDF downloads, no console errors; screenshots of the overview and a sector page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT = 30_000


def _charts_ready(page: Any) -> None:
    # a selector, not wait_for_function: the page's CSP forbids the eval that one needs
    page.locator("body[data-charts-ready=true]").wait_for(state="attached", timeout=TIMEOUT)


def test_pick_municipality_switch_sector_download(
    page: Any, server: str, screenshots: Path, tmp_path: Path
) -> None:
    page.goto(server + "/", wait_until="load")
    _charts_ready(page)
    assert page.locator("[data-testid=sample-banner]").is_visible()

    # type-ahead: the same resolution as the CLI ("baer" finds Bærum)
    page.fill("#kommune-input", "baer")
    option = page.locator("#kommune-list li", has_text="Bærum")
    option.wait_for(timeout=TIMEOUT)
    option.click()
    page.wait_for_url("**/kommune/3201*", timeout=TIMEOUT)
    _charts_ready(page)
    assert page.locator("h1").inner_text().startswith("Bærum")
    assert page.locator("[data-testid=sample-banner]").is_visible()
    assert page.locator("[data-testid=total-rank]").inner_text().strip()
    # every chart drawn by Vega's SVG renderer
    n_charts = page.locator("script.vega-spec").count()
    assert n_charts >= 2
    assert page.locator("div.vega svg").count() == n_charts
    assert page.locator("#chart-map svg path").count() > 300  # every municipality's shape
    page.screenshot(path=str(screenshots / "overview.png"), full_page=True)

    # CSV of the current view
    with page.expect_download(timeout=TIMEOUT) as info:
        page.click("[data-testid=download-csv]")
    target = tmp_path / "view.csv"
    info.value.save_as(target)
    # Norwegian Excel's CSV: a byte-order mark, ';', headers in Norwegian
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert {r["sektor-id"] for r in rows} >= {"grunnskole", "barnehage"}
    assert all(r["datagrunnlag"] == "syntetiske eksempeldata" for r in rows)

    # switch sector
    page.click("nav.sectors a[data-sector=grunnskole]")
    page.wait_for_url("**/kommune/3201/grunnskole*", timeout=TIMEOUT)
    _charts_ready(page)
    assert page.locator("nav.sectors a[aria-current=page]").get_attribute("data-sector") == (
        "grunnskole"
    )
    assert page.locator("[data-testid=profile-table] tbody tr").count() > 0
    assert page.locator("div.vega svg").count() == page.locator("script.vega-spec").count()
    page.screenshot(path=str(screenshots / "sector.png"), full_page=True)

    # another year: the same sector page, the year in the URL
    older = page.locator("[data-testid=year-select] option").nth(1).get_attribute("value")
    page.select_option("[data-testid=year-select]", older)
    page.wait_for_url(f"**/kommune/3201/grunnskole?ar={older}", timeout=TIMEOUT)
    _charts_ready(page)
    assert f"{older}" in page.locator("p.meta").inner_text()

    # the full report as PDF, from a tab of its own: Chromium may cancel a second download
    # started in the same tab (its automatic-downloads limiter)
    tab = page.context.new_page()
    tab.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    tab.goto(page.url, wait_until="load")
    with tab.expect_download(timeout=120_000) as info:
        tab.click("[data-testid=download-pdf]")
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert info.value.suggested_filename.startswith("kostra_3201_")

    assert page.problems == []


def test_map_click_opens_overview_and_english(page: Any, server: str) -> None:
    page.goto(server + "/kart?lang=en", wait_until="load")
    _charts_ready(page)
    assert page.locator("html").get_attribute("lang") == "en"
    shapes = page.locator("#chart-map svg g.mark-shape").first.locator("path")
    assert shapes.count() > 300  # every municipality has its shape
    # click the middle of the largest shape (a big municipality, not covered by a neighbour)
    centre = page.evaluate(
        """() => {
          const group = document.querySelector('#chart-map svg g.mark-shape');
          let best = null;
          for (const path of group.querySelectorAll('path')) {
            const box = path.getBoundingClientRect();
            if (!best || box.width * box.height > best.width * best.height) best = box;
          }
          return {x: best.x + best.width / 2, y: best.y + best.height / 2};
        }"""
    )
    page.mouse.click(centre["x"], centre["y"])
    page.wait_for_url("**/kommune/*", timeout=TIMEOUT)
    assert "lang=en" in page.url
    assert page.locator("[data-testid=lang-switch]").inner_text() == "Bokmål"
    _charts_ready(page)
    assert page.problems == []


def test_ranking_filter_and_compare(page: Any, server: str) -> None:
    page.goto(server + "/rangering", wait_until="load")
    table = page.locator("[data-testid=ranking-table] tbody tr")
    total = table.count()
    assert total > 300
    page.select_option("select[name=storrelse]", "city")
    page.wait_for_url("**storrelse=city*", timeout=TIMEOUT)
    page.wait_for_load_state("load")
    assert "q=" not in page.url  # empty filters stay out of the shared URL
    assert 0 < page.locator("[data-testid=ranking-table] tbody tr").count() < 30
    page.goto(server + "/sammenlign?k=0301&k=Bergen&k=Tromsø", wait_until="load")
    _charts_ready(page)
    assert page.locator("[data-testid=compare-table] tbody tr").count() == 3
    assert page.locator("div.vega svg").count() >= 1
    assert page.problems == []
