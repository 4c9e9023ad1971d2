"""The workbench pages in Chromium: the facts page draws its age chart, the nøkkeltall view
takes a compared municipality from the type-ahead, the sector ranking sorts by a clicked
column heading (a plain link: the server sorts), and none of them logs an error."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT = 30_000


def test_facts_page_draws_its_chart(page: Any, server: str) -> None:
    page.goto(server + "/kommune/3201/fakta", wait_until="load")
    page.locator("body[data-charts-ready=true]").wait_for(state="attached", timeout=TIMEOUT)
    assert page.locator("#chart-ages svg").count() == 1
    assert page.locator("[data-testid=facts-population] .big").inner_text().strip()
    assert page.locator("[data-testid=facts-ages] tbody tr").count() == 5
    # from the facts to the nøkkeltall view through the municipality's menu
    page.get_by_role("link", name="Nøkkeltall", exact=True).click()
    page.wait_for_url("**/kommune/3201/nokkeltall*", timeout=TIMEOUT)
    assert page.locator("[data-testid=nokkeltall-grunnskole]").is_visible()
    assert not page.problems, page.problems


def test_nokkeltall_adds_a_compared_municipality(page: Any, server: str) -> None:
    page.goto(server + "/kommune/3201/nokkeltall", wait_until="load")
    headings = page.locator("[data-testid=nokkeltall-grunnskole] thead th")
    assert headings.count() == 6  # key figure, Bærum, the group, county, country, without Oslo
    page.fill("#compare-input", "berg")
    option = page.locator("#compare-list li", has_text="Bergen")
    option.wait_for(timeout=TIMEOUT)
    option.click()
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**k=4601*", timeout=TIMEOUT)
    headings = page.locator("[data-testid=nokkeltall-grunnskole] thead th")
    assert headings.count() == 7
    assert headings.last.inner_text().strip() == "Bergen"
    assert not page.problems, page.problems


def test_sector_ranking_sorts_by_a_clicked_heading(page: Any, server: str) -> None:
    page.goto(server + "/rangering", wait_until="load")
    page.locator("[data-testid=sector-rankings] a", has_text="Grunnskole").click()
    page.wait_for_url("**/rangering/sektor/grunnskole*", timeout=TIMEOUT)
    table = page.locator("[data-testid=sector-ranking-table]")
    first = table.locator("tbody tr").first.locator("td").first.inner_text()
    assert first.strip() == "1"
    table.locator("thead a", has_text="Innbyggere").click()
    page.wait_for_url("**sort=population*", timeout=TIMEOUT)
    table = page.locator("[data-testid=sector-ranking-table]")
    cells = table.locator("tbody tr td:nth-child(4)").all_inner_texts()[:20]
    numbers = [float(c.replace("\u00a0", "").replace(" ", "")) for c in cells]
    assert numbers == sorted(numbers)
    # again: the other way round
    table.locator("thead a", has_text="Innbyggere").click()
    page.wait_for_url("**retning=synkende*", timeout=TIMEOUT)
    cells = page.locator("[data-testid=sector-ranking-table] tbody tr td:nth-child(4)")
    numbers = [
        float(c.replace("\u00a0", "").replace(" ", "")) for c in cells.all_inner_texts()[:20]
    ]
    assert numbers == sorted(numbers, reverse=True)
    assert not page.problems, page.problems
