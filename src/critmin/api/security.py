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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from critmin.errors import (
    CritminError,
    DataNotFoundError,
    InputFileError,
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
    "BodySizeLimit",
    "Caller",
    "KeyChecker",
    "error_status",
    "require_api_key",
]

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
    if isinstance(exc, ValidationError | UnitError | InputFileError):
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
