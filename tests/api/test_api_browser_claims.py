"""The claims page from pasted text, end to end in headless Chromium (Playwright).

Paste a news fixture, draft its claims (``/claims/extract``), edit one field, check
(``/claims/check``) and read the verdicts; at 390 and 1,366 px the page never scrolls
sideways, nothing is logged as a console error and no request leaves 127.0.0.1. With
``CRITMIN_SCREENSHOTS=DIR`` a full-page screenshot at each width is written to DIR.

Same rules as ``test_api_browser.py``: skipped with a reason when Playwright or Debian's
Chromium (/usr/bin/chromium) is absent; never downloads a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import CHROMIUM, FLAGS, require_browser

sync_api = require_browser()

from api_testkit import API_KEY  # noqa: E402
from test_api_browser_layout import OVERFLOW_JS  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

CNA = Path(__file__).resolve().parents[1] / "fixtures" / "news" / "cna-gallium-germanium-2023.txt"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 900)], ids=["390", "1366"])
def test_paste_extract_edit_check(browser: Any, live_server: str, width: int, height: int) -> None:
    import httpx

    assert httpx.get(f"{live_server}/api/v1/health").json()["modules"]["claims"]
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))

    page.goto(f"{live_server}/claims")
    page.wait_for_selector("body[data-loaded=true]")
    assert page.locator("#draft-card").is_hidden()
    page.fill("#cl-key", API_KEY)
    page.fill("#ar-text", CNA.read_text("utf-8"))
    page.fill("#ar-date", "2025")  # the edition current then decides
    page.click("#ar-extract")
    page.locator("#ar-status[data-done=true], #ar-status .error").first.wait_for(timeout=60_000)
    assert page.get_attribute("#ar-status", "data-done") == "true", page.inner_text("#ar-status")

    # the draft: one card per claim with its quoted sentence and labelled fields
    cards = page.locator("#dr-claims fieldset.draft")
    assert cards.count() >= 5
    share = page.locator("fieldset.draft[data-type=share]", has_text="Around 80 per cent").first
    assert "Around 80 per cent is produced in China" in share.locator("blockquote").inner_text()
    assert share.locator("input[data-field=commodity]").input_value() == "gallium"
    assert share.locator("input[data-field=country]").input_value() == "CHN"
    assert share.locator("input[data-field=claimed]").input_value() == "0.8"
    assert "Tolerance [fraction]" in share.inner_text()  # label from the shared registry
    assert page.locator("fieldset.draft[data-type=untyped] .reason").count() >= 1
    cid = share.get_attribute("data-id")

    # check as drafted: China has ~99 % of gallium, so 80 % is contradicted
    page.click("#dr-check")
    page.locator("#dr-status[data-done=true], #dr-status .error").first.wait_for(timeout=60_000)
    assert page.get_attribute("#dr-status", "data-done") == "true", page.inner_text("#dr-status")
    card = page.locator(f"article.claim[data-id='{cid}']")
    assert card.get_attribute("data-verdict") == "contradicted"
    assert "MCS2025 used" in card.locator(".explanation").inner_text()  # edition named

    # edit one field (the claimed share) and leave one claim out, then check again
    share.locator("input[data-field=claimed]").fill("0.99")
    untyped = page.locator("fieldset.draft[data-type=untyped]").first
    untyped.locator("input[data-field=_keep]").uncheck()
    page.click("#dr-check")
    page.locator("#dr-status", has_text="unticked").wait_for(timeout=60_000)
    assert card.get_attribute("data-verdict") == "supported"
    assert "supported" in card.locator(".verdict").inner_text()
    card.locator("details.evidence summary").click()
    evidence = card.locator("table.evidence").inner_text()
    assert "China" in evidence
    assert "2024" in evidence and "2,024" not in evidence  # years are never separated
    n = page.locator("article.claim").count()
    assert n == cards.count() - 1
    assert f"{n} claims checked (1 unticked, not checked)" in page.inner_text("#dr-status")

    page.wait_for_timeout(200)
    sw = page.evaluate("document.documentElement.scrollWidth")
    assert sw <= width, f"page is {sw} px wide at {width} px"
    assert page.evaluate(OVERFLOW_JS) == []
    foreign = [u for u in requests if not u.startswith((live_server, "data:", "blob:"))]
    assert not foreign, f"requests left the test server: {foreign}"
    assert not errors, f"console errors: {errors}"
    shots = os.environ.get("CRITMIN_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"claims-draft-{width}.png"), full_page=True)
    ctx.close()
