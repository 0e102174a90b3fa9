"""The scenario, claims and deposit pages end to end in headless Chromium (Playwright).

Same rules as ``test_api_browser.py``: skipped with a reason when Playwright or Debian's
Chromium (/usr/bin/chromium) is absent, never downloads a browser; every page is checked
for console errors and for requests to any host but the test server.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from browserkit import CHROMIUM, FLAGS, require_browser

sync_api = require_browser()

from api_testkit import API_KEY  # noqa: E402
from test_api_browser import Watched  # noqa: E402  (after the skip)

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

NAV = ("Scenario", "Claims", "Deposit")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="critmin-chromium-")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def watched(browser: Any, live_server: str) -> Iterator[Any]:
    made: list[Watched] = []

    def make() -> Watched:
        w = Watched(browser, live_server)
        made.append(w)
        return w

    yield make
    for w in made:
        w.check()


def _skip_unless(live_server: str, module: str) -> None:
    import httpx

    assert httpx.get(f"{live_server}/api/v1/health").json()["modules"][module]


def _nav(page: Any) -> str:
    page.wait_for_selector("header[data-nav-ready=true]")
    return str(page.inner_text("header"))


def test_deposit_page(watched: Any, live_server: str) -> None:
    _skip_unless(live_server, "geostats")
    page = watched().page
    page.goto(f"{live_server}/deposit")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert page.locator("#dp-status .error").count() == 0, page.inner_text("#dp-status")
    for chart in ("#dp-gt-chart", "#dp-class-chart"):
        assert page.get_attribute(chart, "data-rendered") == "true"
        assert page.locator(f"{chart} .modebar-btn[data-title*='download' i]").count() == 1
    assert page.locator("#dp-gt-chart .scatterlayer .trace").count() == 2
    assert "CBMina" in page.inner_text("#dp-title")
    assert "measured+indicated" in page.inner_text("#dp-kpis")
    assert page.locator("#dp-resource tbody tr").count() == 30
    assert page.locator("#dp-resource tr.reporting").count() == 5
    for tools in ("#dp-gt-tools", "#dp-resource-tools"):
        assert page.locator(f"{tools} a.csv").get_attribute("href").endswith("format=csv")
    assert all(x in _nav(page) for x in NAV)


def test_claims_page_with_the_shipped_example(watched: Any, live_server: str) -> None:
    _skip_unless(live_server, "claims")
    page = watched().page
    page.goto(f"{live_server}/claims")
    page.wait_for_selector("body[data-loaded=true]")
    page.fill("#cl-key", API_KEY)
    page.click("#cl-load-example")
    # (no wait_for_function: its polling evaluates strings, which the page's CSP forbids)
    page.locator("#cl-status", has_text="loaded examples/").wait_for()
    assert "claims:" in page.input_value("#cl-text")
    page.click("#cl-run")
    page.locator("#cl-status[data-done=true], #cl-status .error").first.wait_for(timeout=30_000)
    assert page.get_attribute("#cl-status", "data-done") == "true", page.inner_text("#cl-status")
    bad = page.locator("article.claim[data-verdict=contradicted]")
    assert bad.count() >= 1
    card = page.locator("article.claim[data-id=cu-tonnage-vs-ore]")
    assert card.get_attribute("data-verdict") == "contradicted"
    assert "contradicted" in card.locator(".verdict").inner_text()
    assert "25" in card.locator(".computed").inner_text()
    assert "6.7 %" in card.locator(".explanation").inner_text()
    # evidence rows are collapsed until opened
    ga = page.locator("article.claim[data-id=ga-second-largest]")
    assert ga.get_attribute("data-verdict") == "supported"
    assert not ga.locator("table.evidence").is_visible()
    ga.locator("details.evidence summary").click()
    assert ga.locator("table.evidence").is_visible()
    assert "China" in ga.locator("table.evidence").inner_text()
    color = card.locator(".verdict").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(160, 27, 27)"
    assert "contradicted" in page.inner_text("#cl-kpis")
    assert all(x in _nav(page) for x in NAV)


def test_scenario_page_form_run(watched: Any, live_server: str) -> None:
    _skip_unless(live_server, "scenarios")
    page = watched().page
    page.goto(f"{live_server}/scenario")
    page.wait_for_selector("body[data-loaded=true]")
    assert page.input_value("#sc-exporter") == "CHN"
    page.fill("#sc-key", API_KEY)
    page.fill("#sc-draws", "40")
    page.select_option("#sc-dest", "EU27")
    page.fill("#sc-share", "0.2")
    page.fill("#sc-duration", "18")
    page.fill("#sc-tpy", "12")
    page.click("#sc-run")
    page.locator("#sc-status[data-done=true], #sc-status .error").first.wait_for(timeout=60_000)
    assert page.get_attribute("#sc-status", "data-done") == "true", page.inner_text("#sc-status")
    page.wait_for_selector("body[data-ready=true]")
    assert "CHN allows 20 % of exports to EU27" in page.inner_text("#sc-name")
    bands = page.locator("#sc-bands .band-chart")
    assert bands.count() == 2  # the exporter's market and the rest of the world
    for i in range(2):
        assert bands.nth(i).get_attribute("data-rendered") == "true"
    for chart in ("#sc-shortfall", "#sc-prob"):
        assert page.get_attribute(chart, "data-rendered") == "true"
        assert page.locator(f"{chart} .modebar-btn[data-title*='download' i]").count() == 1
    text = page.inner_text("#sc-importers")
    assert all(code in text for code in ("EU27", "USA", "JPN", "KOR", "OECD"))
    for tools in ("#sc-bands-tools", "#sc-shortfall-tools", "#sc-prob-tools"):
        assert page.locator(f"{tools} a.csv").get_attribute("href").startswith("blob:")
    # the shipped example as is, from its button
    page.fill("#sc-draws", "20")
    page.click("#sc-run-example")
    page.locator("#sc-name", has_text="Kazakhstan adds 15 t/yr").wait_for(timeout=60_000)
    assert page.get_attribute("#sc-status", "data-done") == "true", page.inner_text("#sc-status")
    # another exporter than the example's baseline is refused in the page, not sent
    page.fill("#sc-exporter", "RUS")
    page.click("#sc-run")
    page.wait_for_selector("#sc-status .error")
    assert "baseline" in page.inner_text("#sc-status")
    assert all(x in _nav(page) for x in NAV)


def test_nav_on_the_other_pages(watched: Any, live_server: str) -> None:
    page = watched().page
    for path in ("/what-if", "/country/Kazakhstan"):
        page.goto(f"{live_server}{path}")
        nav = _nav(page)
        assert all(x in nav for x in NAV), (path, nav)
