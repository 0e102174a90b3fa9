"""The briefing endpoint: key required; one self-contained HTML document that loads nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import critmin.api.routes.brief as brief_route

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)


def test_brief_needs_a_key(client: Any) -> None:
    assert client.get("/api/v1/brief/example").status_code == 401
    assert client.get("/api/v1/brief/example", headers={"X-API-Key": "wrong"}).status_code == 401


def test_brief_example_html(
    client: Any, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a light manifest in place of the full example keeps the test fast; the route and cache are real
    seen: list[Path] = []

    def fake_render(manifest: Path) -> str:
        seen.append(manifest)
        return "<!DOCTYPE html><html><body><h2>The story's claims, checked</h2></body></html>"

    monkeypatch.setattr(brief_route, "render_example", fake_render)
    r = client.get("/api/v1/brief/example", headers=auth)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "The story's claims" in r.text
    csp = r.headers["content-security-policy"]
    assert "connect-src 'none'" in csp and "default-src 'none'" in csp
    assert seen and seen[0].name == "brief.yaml" and seen[0].parent.name == "kazakhstan-2025"


def test_render_example_caches_per_file_version(tmp_path: Path) -> None:
    d = tmp_path / "ex"
    d.mkdir()
    (d / "brief.yaml").write_text("title: t\nmarket: {commodity: tin, year: 2024}\n")
    html = brief_route.render_example(d / "brief.yaml")
    assert html.startswith("<!DOCTYPE html>") and "tin" in html
    assert brief_route.render_example(d / "brief.yaml") is html  # cached
