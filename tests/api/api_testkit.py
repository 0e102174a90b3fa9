"""Shared constants and helpers of the HTTP API tests.

Test modules import these from here, never from ``conftest`` (several test folders have a
``conftest.py``, so ``import conftest`` is ambiguous under pytest-xdist).
"""

from __future__ import annotations

import warnings
from typing import Any

API_KEY = "test-key-0123456789"
OTHER_KEY = "other-key-9876543210"


def make_client(settings: Any) -> Any:
    """A TestClient over a new app (server errors become 500 responses, not exceptions).

    Starlette deprecates its httpx-based test client in favour of httpx2; that one
    warning is silenced here, narrowly, while the module is imported.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Using `httpx` with `starlette.testclient` is deprecated"
        )
        from fastapi.testclient import TestClient

    from critmin.api.app import create_app

    return TestClient(create_app(settings), raise_server_exceptions=False)
