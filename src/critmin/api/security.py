"""API keys, request-size limits and the error mapping of the HTTP API.

Reads are open. Endpoints that compute heavily or accept uploads depend on
:func:`require_api_key`: the ``X-API-Key`` header is compared with every
configured key by :func:`hmac.compare_digest` (no early exit), and a missing or
wrong key answers 401. A key is never logged or echoed; jobs are accounted to a
short hash of it (:attr:`Caller.key_id`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from critmin.errors import (
    CritminError,
    DataNotFoundError,
    InputFileError,
    ResourceLimitError,
    StoreError,
    UnitError,
    UnknownCommodityError,
    UnknownCountryError,
    ValidationError,
)

if TYPE_CHECKING:  # pragma: no cover
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "API_KEY_HEADER",
    "MAX_ERROR_LOG",
    "BodySizeLimit",
    "Caller",
    "CatchAll",
    "KeyChecker",
    "RateLimit",
    "error_status",
    "require_api_key",
]

_log = logging.getLogger("critmin.api")

#: Header carrying the API key.
API_KEY_HEADER = "X-API-Key"

_api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="Needed for runs, valuations and uploads (CRITMIN_API_KEYS).",
)


@dataclass(frozen=True)
class Caller:
    """An authenticated client: ``key_id`` is a hash prefix of its key, never the key."""

    key_id: str


class KeyChecker:
    """Constant-time comparison of a presented key with the configured keys.

    Parameters
    ----------
    keys : iterable of str
        Accepted keys. With none, every check fails.
    """

    def __init__(self, keys: tuple[str, ...]) -> None:
        self._keys = [k.encode("utf-8") for k in keys]

    def __bool__(self) -> bool:
        return bool(self._keys)

    def check(self, presented: str | None) -> Caller | None:
        """The caller for a valid key, else ``None``; compares against every key."""
        if presented is None:
            return None
        p = presented.encode("utf-8", "surrogateescape")
        ok = False
        for k in self._keys:
            ok |= hmac.compare_digest(p, k)
        if not ok:
            return None
        return Caller(key_id=hashlib.sha256(p).hexdigest()[:12])


async def require_api_key(
    request: Request, presented: Annotated[str | None, Security(_api_key_scheme)]
) -> Caller:
    """FastAPI dependency: the caller of a request with a valid ``X-API-Key``.

    Raises
    ------
    fastapi.HTTPException
        401 when the key is missing or wrong (or when no keys are configured).
    """
    checker: KeyChecker = request.app.state.keys
    caller = checker.check(presented)
    if caller is None:
        detail = (
            f"missing API key: send the {API_KEY_HEADER} header"
            if not presented
            else "invalid API key"
        )
        if not checker:
            detail = "this endpoint needs an API key and the server has none configured (CRITMIN_API_KEYS)"
        raise HTTPException(
            status_code=401, detail=detail, headers={"WWW-Authenticate": API_KEY_HEADER}
        )
    return caller


def error_status(exc: CritminError) -> int:
    """HTTP status for a critmin error: 404 not found, 422 invalid input, 503 store, 400 else."""
    if isinstance(exc, UnknownCommodityError | UnknownCountryError | DataNotFoundError):
        return 404
    if isinstance(exc, ValidationError | UnitError | InputFileError | ResourceLimitError):
        return 422
    if isinstance(exc, StoreError):
        return 503
    return 400


def one_line(text: str, limit: int = 500) -> str:
    """Collapse a message to one line of at most ``limit`` characters."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


class _TooLarge(HTTPException):
    """Raised from ``receive`` when the body grows past the limit (FastAPI re-raises it)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body too large (limit {max_bytes} bytes)")


class BodySizeLimit:
    """ASGI middleware answering 413 to bodies over ``max_bytes``.

    Checks ``Content-Length`` first, then counts the bytes actually received, so a
    chunked upload cannot get around the limit.

    Parameters
    ----------
    app : ASGI app
    max_bytes : int
        Largest body. [bytes]
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"request body too large (limit {self.max_bytes} bytes)"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    n = int(value)
                except ValueError:
                    n = -1
                if n < 0 or n > self.max_bytes:
                    await self._reject(send)
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(send)


def request_validation_detail(errors: list[dict[str, Any]]) -> str:
    """One line from FastAPI's validation errors: ``query.year: Input should be ...``."""
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body" or len(e["loc"]) == 1)
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return one_line("; ".join(parts) + more)


def _hdr(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return bytes(v)
    return None


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class RateLimit:
    """ASGI middleware: requests per minute per client address and per API key (429).

    A fixed one-minute window per client (``scope["client"]`` host) and, for requests
    that carry ``X-API-Key``, per key (a hash of it, never the key). Over either limit
    the answer is 429 with ``Retry-After`` (seconds to the end of the window).
    Static files and the dashboard pages count like any request.

    Parameters
    ----------
    app : ASGI app
    per_client, per_key : int
        Requests per minute; 0 disables that limit. [1/min]
    """

    def __init__(self, app: ASGIApp, per_client: int, per_key: int) -> None:
        self.app = app
        self.per_client = per_client
        self.per_key = per_key
        self._window = 0
        self._counts: dict[str, int] = {}

    def _over(self, name: str, limit: int, now: float) -> int | None:
        """Seconds to wait when ``name`` is over ``limit`` in this window, else None."""
        window = int(now // 60)
        if window != self._window:
            self._window = window
            self._counts.clear()
        n = self._counts.get(name, 0) + 1
        self._counts[name] = n
        return max(1, int(60 - now % 60) + 1) if n > limit else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (self.per_client or self.per_key):
            await self.app(scope, receive, send)
            return
        import time

        now = time.time()
        wait: int | None = None
        what = ""
        if self.per_client:
            host = (scope.get("client") or ("?", 0))[0]
            wait = self._over(f"c:{host}", self.per_client, now)
            what = f"client {host} (limit {self.per_client} requests per minute)"
        key = _hdr(scope, API_KEY_HEADER.lower().encode())
        if wait is None and self.per_key and key:
            kid = hashlib.sha256(key).hexdigest()[:12]
            wait = self._over(f"k:{kid}", self.per_key, now)
            what = f"this API key (limit {self.per_key} requests per minute)"
        if wait is not None:
            await _send_json(
                send,
                429,
                {"detail": f"too many requests from {what}; retry after {wait} s"},
                [(b"retry-after", str(wait).encode())],
            )
            return
        await self.app(scope, receive, send)


#: Most characters of one logged internal error (message and traceback together).
MAX_ERROR_LOG = 4000


class CatchAll:
    """ASGI middleware: any unexpected error becomes one 500 with an id, logged once.

    The answer is ``{"detail": "internal error", "error_id": ...}`` with
    ``Connection: close`` (so a kept-alive client does not reuse a connection in an
    unknown state). The log record is one entry of at most :data:`MAX_ERROR_LOG`
    characters (the last frames of the traceback), with the same id, and the error
    is not re-raised, so the server does not log it a second time.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            import secrets
            import traceback

            eid = secrets.token_hex(6)
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-6))
            text = f"internal error {eid} on {scope.get('method')} {scope.get('path')}: {tb}"
            if len(text) > MAX_ERROR_LOG:
                text = text[: MAX_ERROR_LOG // 4] + "\n[...]\n" + text[-MAX_ERROR_LOG // 2 :]
            _log.error("%s", text)
            if not started:
                await _send_json(
                    send,
                    500,
                    {"detail": "internal error", "error": type(exc).__name__, "error_id": eid},
                    [(b"connection", b"close")],
                )
