"""``critmin serve``: the HTTP API and dashboard (FastAPI under uvicorn).

FastAPI and uvicorn are imported inside the command so the CLI starts fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the top-level ``serve`` command to the main app."""

    @app.command()
    def serve(
        host: Annotated[
            str, typer.Option("--host", help="Address to listen on (loopback by default).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="TCP port.", min=0, max=65535)] = 8000,
        workers: Annotated[
            int | None,
            typer.Option("--workers", help="Worker pool size for runs (CRITMIN_API_WORKERS)."),
        ] = None,
        log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the HTTP API (/api/v1, /docs, /openapi.json) and the dashboard (/).

        Keys for runs and uploads: CRITMIN_API_KEYS or CRITMIN_API_KEYS_FILE. Limits:
        CRITMIN_API_MAX_BODY_BYTES, CRITMIN_API_MAX_DRAWS, CRITMIN_API_MAX_RUNS_PER_KEY,
        CRITMIN_API_JOB_TIMEOUT_S, CRITMIN_API_JOB_MEMORY_BYTES, CRITMIN_API_RATE_PER_CLIENT,
        CRITMIN_API_RATE_PER_KEY.

        The server opens the store read-only: while it runs, `critmin data import` stops
        with a message naming it (stop the server, import, start it again). Runs are child
        processes that end with the server on any signal; at startup, workers left by an
        earlier server are reported (log and /api/v1/health).

        Example: critmin serve --host 127.0.0.1 --port 8000
        """
        import uvicorn

        from critmin.api.app import create_app
        from critmin.api.settings import Settings

        settings = (
            Settings.from_env() if workers is None else Settings.from_env(None, workers=workers)
        )
        from critmin.data.store import get_store

        get_store()  # create or check the store before accepting requests
        import sys

        # Heavy handlers run in threads; a short GIL switch interval lets the event loop
        # (cached reads, health, job polls) get the interpreter back sooner (default 5 ms).
        sys.setswitchinterval(0.0005)
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level=log_level,
            access_log=log_level == "debug",
            server_header=False,
            timeout_keep_alive=30,
        )
