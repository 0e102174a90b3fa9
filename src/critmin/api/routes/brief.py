"""The briefing of the shipped Kazakhstan example (``critmin.report``), as one HTML document.

``GET /api/v1/brief/example`` renders ``examples/kazakhstan-2025/brief.yaml`` once per
file version (claims, market, prices, risk, scenario, deposit and valuations: tens of
seconds of computation, so it needs an API key) and keeps the HTML in memory. The
document is self-contained: plotly.js is embedded and it makes no network request.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from critmin.api.responses import run_heavy
from critmin.api.routes.examples import example_path
from critmin.api.security import Caller, require_api_key

__all__ = ["BRIEF_CSP", "BRIEF_EXAMPLE", "render_example", "router"]

router = APIRouter(prefix="/api/v1/brief", tags=["brief"])

#: The briefing manifest served (relative to the examples folder).
BRIEF_EXAMPLE = "kazakhstan-2025/brief.yaml"

_lock = threading.Lock()
_cache: dict[tuple[str, int], str] = {}


def render_example(manifest: Path) -> str:
    """Render the briefing of ``manifest``'s folder once per file version (thread-safe)."""
    key = (str(manifest), manifest.stat().st_mtime_ns)
    with _lock:
        if key not in _cache:
            from critmin.report.brief import brief

            with tempfile.TemporaryDirectory(prefix="critmin-brief-") as tmp:
                res = brief(manifest.parent, Path(tmp) / "brief.html")
                assert res.path is not None
                _cache.clear()
                _cache[key] = res.path.read_text(encoding="utf-8")
        return _cache[key]


@router.get(
    "/example",
    response_class=HTMLResponse,
    summary="Briefing of the shipped Kazakhstan example (self-contained HTML; needs a key)",
    responses={
        401: {"description": "missing or wrong API key"},
        404: {"description": "example not installed"},
    },
)
async def example(
    request: Request, caller: Annotated[Caller, Depends(require_api_key)]
) -> HTMLResponse:
    """Render (once) and return the briefing of ``examples/kazakhstan-2025``."""
    manifest = example_path(request, BRIEF_EXAMPLE)
    html = await run_heavy(request, render_example, manifest)
    return HTMLResponse(html, headers={"Content-Security-Policy": BRIEF_CSP})


#: The briefing embeds its scripts and styles inline; it may still load nothing from anywhere.
BRIEF_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
