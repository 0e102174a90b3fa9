"""The one browser set-up of the dashboard tests: Chromium's path, its flags, the skip.

The tests drive Debian's Chromium (``make browser`` installs it where it can) through
Playwright; a test module calls :func:`require_browser` at import and is skipped, with the
reason, when either is missing.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

__all__ = ["CHROMIUM", "FLAGS", "require_browser"]

CHROMIUM = os.environ.get("CRITMIN_CHROMIUM", "/usr/bin/chromium")

#: Headless, no sandbox (containers), and nothing that reaches the network by itself.
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


def require_browser() -> Any:
    """``playwright.sync_api``, or skip the calling test module (no Playwright, no Chromium)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
        )
    return sync_api
