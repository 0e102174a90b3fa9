"""The FastAPI application: :func:`create_app` wires settings, routers, limits and errors.

Domain routers are included only when their module imports (valuation, scenarios,
claims, risk, geostats), so a partial install still serves the rest.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from critmin.api.deps import ReadCache
from critmin.api.jobs import JobManager
from critmin.api.security import (
    BodySizeLimit,
    CatchAll,
    KeyChecker,
    RateLimit,
    error_status,
    one_line,
    request_validation_detail,
)
from critmin.api.settings import Settings
from critmin.errors import CritminError

if TYPE_CHECKING:  # pragma: no cover
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "DOMAIN_ROUTERS", "create_app"]

log = logging.getLogger("critmin.api")

#: Optional domain routers: (name, domain module, router module).
DOMAIN_ROUTERS: list[tuple[str, str, str]] = [
    ("valuation", "critmin.valuation", "critmin.api.routes.valuation"),
    ("scenarios", "critmin.scenarios", "critmin.api.routes.scenarios"),
    ("claims", "critmin.claims", "critmin.api.routes.claims"),
    ("risk", "critmin.risk", "critmin.api.routes.risk"),
    ("geostats", "critmin.geostats", "critmin.api.routes.deposits"),
    ("report", "critmin.report", "critmin.api.routes.brief"),
]

#: Modules reported by /api/v1/health (wired or not).
_DOMAIN_MODULES = ["risk", "scenarios", "geostats", "valuation", "claims", "report"]

#: Content-Security-Policy of every response: the browser may load nothing from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """ASGI middleware adding CSP, ``nosniff`` and ``no-referrer`` headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                if not any(k.lower() == b"content-security-policy" for k, _ in headers):
                    headers.append(
                        (b"content-security-policy", CSP.encode())
                    )  # unless the route set its own
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                msg = {**msg, "headers": headers}
            await send(msg)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings : Settings, optional
        Default :meth:`Settings.from_env`.

    Returns
    -------
    fastapi.FastAPI
        With ``state.settings``, ``state.keys``, ``state.cache``, ``state.jobs``
        and ``state.modules`` (domain module -> wired).
    """
    import critmin

    s = settings if settings is not None else Settings.from_env()
    jobs = JobManager(s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from critmin.api.lifecycle import mark_server, stale_workers

        mark_server()
        stale = stale_workers()
        app.state.stale_workers = stale
        for w in stale:
            log.warning(
                "stale worker of an earlier server run: PID %s (server PID %s, gone): %s; "
                "it may hold the store open: stop it with `kill %s`",
                w["pid"],
                w["server_pid"],
                w["command"],
                w["pid"],
            )
        if s.executor == "process" and s.read_workers > 0:
            from critmin.api.readpool import ReadPool

            app.state.read_pool = ReadPool(s.read_workers, s.read_timeout_s)
            app.state.read_pool.start()  # on the loop's thread, which lives as the server
        try:
            yield
        finally:
            jobs.shutdown()
            if app.state.read_pool is not None:
                app.state.read_pool.close()

    app = FastAPI(
        title="critmin API",
        version=critmin.__version__,
        description=(
            "Critical-minerals intelligence from sourced data. Reads are open; runs, "
            "valuations and uploads need an `X-API-Key`. Tables are JSON arrays of rows "
            "(snake_case keys; withheld figures are null with qualifier 'withheld') or CSV "
            "with `format=csv`."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = s
    app.state.keys = KeyChecker(s.api_keys)
    app.state.cache = ReadCache(s.cache_size)
    app.state.jobs = jobs
    app.state.modules = {m: False for m in _DOMAIN_MODULES}
    app.state.stale_workers = []
    app.state.read_pool = None

    from critmin.api.routes import dashboard, examples, imports, markets
    from critmin.api.routes import jobs as jobs_routes

    app.include_router(markets.router)
    for name, domain, router_mod in DOMAIN_ROUTERS:
        importlib.import_module(domain)  # a broken import fails here, loudly
        mod = importlib.import_module(router_mod)
        app.include_router(mod.router)
        app.state.modules[name] = True
    app.include_router(jobs_routes.router)
    app.include_router(imports.router)
    app.include_router(examples.router)
    app.include_router(dashboard.router)
    app.mount("/static", StaticFiles(directory=dashboard.STATIC_DIR), name="static")

    _install_error_handlers(app)
    app.add_middleware(CatchAll)  # inside: errors of routes and inner middleware
    app.add_middleware(BodySizeLimit, max_bytes=s.max_body_bytes)
    app.add_middleware(RateLimit, per_client=s.rate_per_client, per_key=s.rate_per_key)
    app.add_middleware(SecurityHeaders)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CritminError)
    async def critmin_error(request: Request, exc: CritminError) -> JSONResponse:
        return JSONResponse(
            {"detail": one_line(str(exc)), "error": type(exc).__name__},
            status_code=error_status(exc),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": request_validation_detail(list(exc.errors())),
                "error": "RequestValidationError",
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"detail": one_line(str(exc.detail))},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    # Any other exception reaches :class:`critmin.api.security.CatchAll`: one 500 with an
    # id and ``Connection: close``, logged once (bounded), not re-raised.
