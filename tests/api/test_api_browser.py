"""End to end in headless Chromium (Playwright): every page renders its charts, the what-if
form gives the new rank, no console error, and no request leaves the test server.

Skips cleanly when Playwright or Debian's Chromium (/usr/bin/chromium) is absent; never
downloads a browser.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from browserkit import CHROMIUM, FLAGS, require_browser

sync_api = require_browser()

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="critmin-chromium-")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()
    shutil.rmtree(profile, ignore_errors=True)


class Watched:
    """A page with its console errors and every requested URL recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def check(self) -> None:
        foreign = [u for u in self.requests if not u.startswith((self.base, "data:", "blob:"))]
        assert not foreign, f"requests left the test server: {foreign}"
        assert not self.errors, f"console errors: {self.errors}"
        self.context.close()


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


def test_commodity_page_map_producers_prices(watched: Any, live_server: str) -> None:
    w = watched()
    page = w.page
    page.goto(f"{live_server}/commodity/gallium")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    assert page.get_attribute("#share-chart", "data-rendered") == "true"
    import httpx

    if httpx.get(f"{live_server}/api/v1/health").json()["map"]:  # scripts/frontend-assets.sh ran
        assert page.locator("#share-chart .choroplethlayer path").count() > 0  # the world map
    else:  # no topojson: the bar chart, and a note saying why
        assert page.locator("#share-chart .barlayer .point").count() > 0
        assert "map unavailable" in page.inner_text("#share-note")
    assert page.get_attribute("#price-chart", "data-rendered") == "true"
    assert page.locator("#share-chart .modebar-btn[data-title*='download' i]").count() == 1
    assert "HHI" in page.inner_text("#kpis")
    assert "China" in page.inner_text("#producers")
    assert page.locator("#producers-tools a.csv").get_attribute("href").endswith("format=csv")
    assert "MCS" in page.inner_text("#editions")


def test_withheld_shown_as_such(watched: Any, live_server: str) -> None:
    w = watched()
    page = w.page
    page.goto(f"{live_server}/commodity/germanium")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    text = page.inner_text("#producers")
    assert "W (withheld)" in text
    assert "withheld by the source" in page.inner_text(
        "#share-note"
    ) or "withheld" in page.inner_text("#share-chart")


def test_country_page(watched: Any, live_server: str) -> None:
    w = watched()
    page = w.page
    page.goto(f"{live_server}/country/Kazakhstan")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    assert page.get_attribute("#rank-chart", "data-rendered") == "true"
    assert "KAZ" in page.inner_text("#title")
    assert "chromium" in page.inner_text("#positions")


def test_what_if_form(watched: Any, live_server: str) -> None:
    w = watched()
    page = w.page
    page.goto(f"{live_server}/what-if")
    page.wait_for_selector("body[data-ready=true]")
    page.select_option("#wi-commodity", "gallium")
    page.fill("#wi-year", "2024")
    page.fill("#wi-country", "Kazakhstan")
    page.fill("#wi-qty", "15")
    page.click("#wi-run")
    page.wait_for_selector("#whatif-summary")
    assert "Kazakhstan would rank #2" in page.inner_text("#whatif-summary")
    page.wait_for_selector("#whatif-chart[data-rendered=true]")
    assert page.locator("tr.what-if").count() == 1


def test_project_page_runs_a_valuation(watched: Any, live_server: str, tmp_path: Any) -> None:
    from api_testkit import API_KEY
    from test_api_auth import PROJECT

    spec = tmp_path / "project.yaml"
    spec.write_text(PROJECT)
    w = watched()
    page = w.page
    page.goto(f"{live_server}/project")
    page.fill("#pj-key", API_KEY)
    page.set_input_files("#pj-spec", str(spec))
    page.fill("#pj-draws", "300")
    page.click("#pj-run")
    page.locator("#pj-status[data-done=true], #pj-status .error").first.wait_for(timeout=60_000)
    assert page.get_attribute("#pj-status", "data-done") == "true", page.inner_text("#pj-status")
    page.wait_for_selector("#pj-hist[data-rendered=true]")
    assert "NPV" in page.inner_text("#pj-kpis")


def test_home_and_docs(watched: Any, live_server: str) -> None:
    w = watched()
    page = w.page
    page.goto(f"{live_server}/")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#commodity-select option").count() > 20
    page.goto(f"{live_server}/docs")
    page.get_by_text("/api/v1/production/{commodity}").first.wait_for(timeout=30_000)
