"""WCAG 2.1 AA in Chromium: axe-core on the HTML report and on every page of the dashboard.

axe-core (MPL-2.0) comes inside the ``axe-playwright-python`` wheel (MIT) of the test extras, so
nothing is fetched at test time. Only the WCAG 2.0/2.1 A and AA rules run, after the charts are
drawn (their SVGs are part of what a screen reader meets); a serious or critical violation fails
the test, and the failure lists each rule, its elements and what axe says is wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TIMEOUT = 30_000
#: the rule tags of WCAG 2.0 and 2.1, levels A and AA (axe's names)
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}

#: every kind of page: front, overview, sector pages, ranking, compare, map, the error page; in
#: both languages where the page has language-dependent structure
PAGES = [
    "/",
    "/kommune/3201",
    "/kommune/3201/grunnskole",
    "/kommune/3201/barnehage",
    "/kommune/3201/pleie_og_omsorg",
    "/kommune/0301/barnevern",
    "/rangering",
    "/rangering?storrelse=city",
    "/sammenlign?k=0301&k=Bergen&k=Tromsø",
    "/kart",
    "/kommune/3201/nokkeltall",
    "/rangering/sektor/grunnskole",
    "/rangering/sektor/pleie_og_omsorg?sort=score",
    "/kommune/3201?lang=en",
    "/kart?lang=en",
    "/kommune/3201/fakta",
    "/kommune/3201/nokkeltall?k=4601",
    "/rangering/sektor/grunnskole?sort=population",
    "/sok?q=lærer",
]
#: pages that answer with an error status, shown by the error page: an unknown municipality, an
#: invalid sector, a path that does not exist, in both languages
ERROR_PAGES = ["/kommune/9999", "/kommune/3201/ingen_sektor", "/finnes-ikke?lang=en"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 AA violations axe-core finds on ``page`` as it is."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, options=options)
    found: list[dict[str, Any]] = results.response["violations"]
    return [v for v in found if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as a person reads them: rule, impact, help, then each element."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} elements]")
        for node in v["nodes"][:8]:
            lines.append(f"  at {', '.join(map(str, node['target']))}")
            lines.append(f"     {node.get('html', '')[:200]}")
            summary = node.get("failureSummary", "").replace("\n", " / ")
            if summary:
                lines.append(f"     {summary[:400]}")
        if len(v["nodes"]) > 8:
            lines.append(f"  … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    """Fail with a readable list when axe finds a serious or critical violation."""
    violations = axe_violations(page)
    assert not violations, f"{what}: WCAG 2.1 AA violations\n{describe(violations)}"


def _charts_ready(page: Any) -> None:
    if page.locator("script.vega-spec").count():
        page.locator("body[data-charts-ready=true]").wait_for(state="attached", timeout=TIMEOUT)


def test_every_page_route_is_checked(tmp_path: Path) -> None:
    """A new page of the app fails here until one of its URLs is in :data:`PAGES`."""
    from fastapi.responses import HTMLResponse
    from fastapi.routing import APIRoute

    from kostra.web import WebData, create_app

    def routes(router: Any) -> Iterator[APIRoute]:
        for route in router.routes:
            # FastAPI ≥ 0.16x keeps an included router whole, behind a wrapper
            if hasattr(route, "original_router"):
                yield from routes(route.original_router)
            elif isinstance(route, APIRoute):
                yield route

    app = create_app(web=WebData(tmp_path / "none.duckdb", resamples=50))
    html = [r for r in routes(app) if r.response_class is HTMLResponse]
    assert len(html) >= 8, [r.path for r in html]
    paths = [p.split("?")[0] for p in PAGES]
    unchecked = [r.path for r in html if not any(r.path_regex.fullmatch(p) for p in paths)]
    assert unchecked == [], f"pages without an axe check: {unchecked}"


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_web_page_has_no_serious_violations(page: Any, server: str, path: str) -> None:
    response = page.goto(server + path, wait_until="load")
    assert response is not None
    assert response.ok, f"{path}: HTTP {response.status}"
    _charts_ready(page)
    assert_accessible(page, path)


@pytest.mark.browser
@pytest.mark.parametrize("path", ERROR_PAGES)
def test_error_page_has_no_serious_violations(page: Any, server: str, path: str) -> None:
    response = page.goto(server + path, wait_until="load")
    assert response is not None
    assert response.status >= 400, f"{path}: HTTP {response.status}"
    assert page.locator("[data-testid=error-message]").is_visible()
    assert_accessible(page, path)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_html_report_has_no_serious_violations(
    page: Any, server: str, tmp_path: Path, lang: str
) -> None:
    # the web's own report download, opened as the file a user saves and opens
    response = page.request.get(f"{server}/kommune/3201/rapport.html?lang={lang}", timeout=120_000)
    assert response.ok
    report = tmp_path / "report.html"
    report.write_bytes(response.body())
    page.goto(report.as_uri(), wait_until="load")
    charts = page.locator("div.vega[data-chart]")
    deadline = time.monotonic() + TIMEOUT / 1000
    while page.locator("div.vega[data-chart] svg").count() < charts.count():
        assert time.monotonic() < deadline, "the report's charts were not drawn"
        page.wait_for_timeout(100)
    assert charts.count() > 5
    assert_accessible(page, f"report ({lang})")


@pytest.mark.browser
def test_skip_link_is_the_first_stop_and_shows_with_its_focus(page: Any, server: str) -> None:
    page.goto(server + "/kommune/3201", wait_until="load")
    skip = page.locator("a.skip")
    assert skip.bounding_box()["y"] < 0  # out of sight until focused
    page.keyboard.press("Tab")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0
    assert box["height"] > 0
    # the focus ring is drawn (WCAG 2.4.7)
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
