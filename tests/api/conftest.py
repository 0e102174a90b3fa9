"""Fixtures of the HTTP API tests: settings, an ASGI test client, a live uvicorn server.

The store is the per-session temporary one of ``tests/conftest.py`` (``CRITMIN_DB``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_testkit import API_KEY, OTHER_KEY, make_client

__all__ = ["API_KEY", "OTHER_KEY", "make_client"]


@pytest.fixture(scope="session")
def api_settings() -> Any:
    """Settings with two keys and a thread pool (fast to start in tests)."""
    from critmin.api.settings import Settings

    return Settings(
        api_keys=(API_KEY, OTHER_KEY),
        executor="thread",
        workers=2,
        max_draws=50_000,
        rate_per_client=0,
        rate_per_key=0,
    )


@pytest.fixture(scope="session")
def client(api_settings: Any) -> Iterator[Any]:
    """A TestClient over one app for the session."""
    with make_client(api_settings) as c:
        yield c


@pytest.fixture
def auth() -> dict[str, str]:
    """Headers with a valid key."""
    return {"X-API-Key": API_KEY}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(api_settings: Any) -> Iterator[str]:
    """uvicorn serving the app on 127.0.0.1 in a background thread; yields the base URL."""
    import uvicorn

    from critmin.api.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(api_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not t.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    t.join(timeout=10)


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return Path(__file__).resolve().parents[2]
