"""Every dashboard page at 390x844 (phone) and 1366x900 (laptop) in headless Chromium.

Checks: no horizontal scroll of the page, no card whose content is wider than the card
(tables scroll inside their own wrapper), every chart inside its card, no console error,
no request leaving 127.0.0.1. With ``CRITMIN_SCREENSHOTS=DIR`` a full-page screenshot of
each page at each width is written to DIR (``docs/img/`` in the repository).

Skips cleanly without Playwright or /usr/bin/chromium; never downloads a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import CHROMIUM, FLAGS, require_browser

sync_api = require_browser()

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

#: (name, path, waits for ``body[data-ready]``)
PAGES = [
    ("home", "/", True),
    ("commodity", "/commodity/gallium", True),
    ("commodity-2020", "/commodity/gallium?year=2020&from=2000&to=2020", True),
    ("country", "/country/Kazakhstan", True),
    ("what-if", "/what-if?commodity=gallium&country=KAZ&qty=15&unit=t", True),
    ("risk", "/risk?importer=EU27&explain=gallium", True),
    ("project", "/project", False),
    ("scenario", "/scenario", False),
    ("claims", "/claims", False),
    ("deposit", "/deposit", True),
]
WIDTHS = [(390, 844), (1366, 900)]

#: Card whose content is wider than the card, or a chart wider than its card (JS).
OVERFLOW_JS = """
() => {
  const bad = [];
  for (const c of document.querySelectorAll('.card')) {
    if (c.scrollWidth > c.clientWidth + 1) bad.push('card ' + (c.querySelector('h2') || c).textContent.slice(0, 40) + ': ' + c.scrollWidth + ' > ' + c.clientWidth);
    const cr = c.getBoundingClientRect();
    for (const ch of c.querySelectorAll('.chart, .main-svg')) {
      const r = ch.getBoundingClientRect();
      if (r.width > 0 && (r.right > cr.right + 1 || r.left < cr.left - 1)) bad.push('chart in ' + (c.querySelector('h2') || c).textContent.slice(0, 40));
    }
  }
  return bad;
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS, ids=["390", "1366"])
def test_every_page_fits(browser: Any, live_server: str, width: int, height: int) -> None:
    shots = os.environ.get("CRITMIN_SCREENSHOTS")
    problems: list[str] = []
    for name, path, ready in PAGES:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        page = ctx.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda x, e=errors: e.append(str(x)))
        page.on("request", lambda r, q=requests: q.append(r.url))
        resp = page.goto(live_server + path)
        if resp is None or resp.status == 404:  # module not wired on this server
            ctx.close()
            continue
        if ready:
            page.wait_for_selector("body[data-ready]", timeout=90_000)
        page.wait_for_load_state("networkidle", timeout=90_000)
        page.wait_for_timeout(300)  # plotly's responsive relayout
        sw = page.evaluate("document.documentElement.scrollWidth")
        if sw > width:
            problems.append(f"{name}@{width}: page is {sw} px wide")
        problems += [f"{name}@{width}: {b}" for b in page.evaluate(OVERFLOW_JS)]
        problems += [f"{name}@{width}: console: {e}" for e in errors]
        foreign = [u for u in requests if not u.startswith((live_server, "data:", "blob:"))]
        problems += [f"{name}@{width}: request to {u}" for u in foreign]
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
        ctx.close()
    assert not problems, "\n".join(problems)
