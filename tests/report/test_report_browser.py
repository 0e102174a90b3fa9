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
        first = page.evaluate("document.querySelector('main section').id")
        widths = {}
        for w in (390, 1366):
            page.set_viewport_size({"width": w, "height": 900})
            page.wait_for_timeout(300)
            widths[w] = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
        viewport = page.locator("meta[name=viewport]").count()
        print_css = page.evaluate(
            "Array.from(document.styleSheets).some(s => Array.from(s.cssRules)"
            ".some(r => r.media && r.media.mediaText === 'print'))"
        )
        browser.close()
    external = [u for u in requests if not u.startswith(("file://", "data:", "blob:", "about:"))]
    assert external == [], external
    assert errors == [], errors
    assert n_charts >= 2
    assert verdicts >= 10
    assert first == "summary"
    assert widths == {390: 0, 1366: 0}, widths  # no horizontal scroll
    assert viewport == 1 and print_css


def test_summary_sentences_trace_to_rows() -> None:
    import pandas as pd

    from critmin.report.summary import summary_sentences

    claims = pd.DataFrame(
        [
            {
                "id": "a",
                "text": "x",
                "verdict": "contradicted",
                "explanation": "e.",
                "revision": "",
            },
            {"id": "b", "text": "y", "verdict": "supported", "explanation": "", "revision": "r"},
            {
                "id": "c",
                "text": "z",
                "verdict": "not_independent",
                "explanation": "",
                "revision": "",
            },
        ]
    )
    market = {
        "commodity": "gallium",
        "measure": "primary_production",
        "year": 2024,
        "hhi": 9789.0,
        "cr1": 0.989,
        "top_iso3": "CHN",
        "edition": "MCS2026",
    }
    out = summary_sentences(claims, market)
    anchors = [a for _, a, _ in out]
    assert anchors == ["claims", "claim-a", "claim-b", "claim-c", "market"]
    assert "2024" in out[-1][0] and "2,024" not in out[-1][0]


def test_labels_and_unseparated_years() -> None:
    import pandas as pd

    from critmin.report.html import table_html
    from critmin.report.labels import label, metric

    assert label("share_before") == "Share before the what-if [%]"
    assert label("shortfall_p95_t") == "Shortfall, P95 [t]"
    assert label("potential_high_t") == "Potential high [t]"
    assert metric("irr", 0.08716, "1/yr") == ("Internal rate of return", 8.72, "%/yr")
    assert metric("p_npv_negative", 0.823, "probability")[1:] == (82.3, "%")
    html = table_html(pd.DataFrame({"year": [2024], "source_row": [1118], "value": [4200.0]}))
    assert ">2024<" in html and ">1118<" in html and "4,200" in html and "2,024" not in html
    html = table_html(
        pd.DataFrame({"name": ["production.start_year"], "value": [2026], "unit": ["yr"]})
    )
    assert ">2026<" in html
