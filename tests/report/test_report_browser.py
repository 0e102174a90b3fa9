"""The briefing opens in headless Chromium with no console error and no network request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from critmin.report.brief import brief

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kazakhstan-2025"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.slow
def test_brief_opens_offline_without_errors(tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    sync_api = pytest.importorskip("playwright.sync_api")
    mini = tmp_path / "brief"
    mini.mkdir()
    shutil.copy(EXAMPLE / "claims.yaml", mini / "claims.yaml")
    (mini / "brief.yaml").write_text(
        "title: Browser test\nclaims: claims.yaml\nmarket: {commodity: gallium, year: 2024, what_if: {KAZ: 15t}}\n"
        "prices: [{series: [tin], start: 2020, end: 2025}]\n"
    )
    out = brief(mini, tmp_path / "b.html").path
    assert out is not None
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:])
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(out.resolve().as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
        n_charts = page.locator(".plotly-graph-div").count()
        verdicts = page.locator(".verdict").count()
        browser.close()
    external = [u for u in requests if not u.startswith(("file://", "data:", "blob:", "about:"))]
    assert external == [], external
    assert errors == [], errors
    assert n_charts >= 2
    assert verdicts >= 10
