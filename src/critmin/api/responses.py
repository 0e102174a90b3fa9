"""Table responses in the CLI's conventions: JSON arrays of rows, or CSV with ``format=csv``.

JSON rows come from :func:`critmin._records.records` (snake_case keys, NaN ->
``null``); a production table in tonnes names its value column ``value_t``, as
``critmin production --format json`` does. Withheld and other non-numeric
figures stay ``null`` with their ``qualifier``, never 0.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request
from fastapi.responses import Response

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "TABLE_RESPONSES",
    "Fmt",
    "FmtQuery",
    "cached_value",
    "json_body",
    "notes_of",
    "object_response",
    "offload",
    "run_heavy",
    "table_response",
    "value_column",
]


async def run_heavy(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a CPU-heavy ``fn(*args)`` in a worker thread, at most ``Settings.max_heavy`` at once.

    The event loop stays free to answer cached reads and health checks while heavy
    handlers (uncached reads, CSV validations, claim checks) wait for a slot.
    """
    from anyio import CapacityLimiter, to_thread

    st = request.app.state
    limiter = getattr(st, "heavy_limiter", None)
    if limiter is None:
        limiter = st.heavy_limiter = CapacityLimiter(st.settings.max_heavy)
    return await to_thread.run_sync(lambda: fn(*args), limiter=limiter)


def _portable(fn: Any) -> bool:
    """True for a call a read worker process can take: a ``functools.partial`` of a
    module-level function whose callable arguments are portable too (closures and
    lambdas do not pickle)."""
    import functools

    if isinstance(fn, functools.partial):
        args = [*fn.args, *fn.keywords.values()]
        return _portable(fn.func) and all(_portable(a) for a in args if callable(a))
    name = getattr(fn, "__name__", "")
    return bool(name) and name != "<lambda>" and getattr(fn, "__qualname__", "") == name


def _pool(request: Request) -> Any:
    """The app's running :class:`~critmin.api.readpool.ReadPool`, or None (thread mode)."""
    pool = getattr(request.app.state, "read_pool", None)
    return pool if pool is not None and pool.available else None


async def offload(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a read worker process when the pool runs and the call pickles,
    else in a worker thread (:func:`run_heavy`)."""
    from critmin.api.readpool import PoolUnavailable

    pool = _pool(request)
    if pool is not None and _portable(fn):
        try:
            return await pool.run(fn, *args)
        except PoolUnavailable:
            pass  # nothing was sent: compute here
    return await run_heavy(request, fn, *args)


async def cached_value(request: Request, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """The app's cached value of ``compute()`` under ``key``, computed once on a miss.

    A hit is answered on the event loop. A miss runs in a read worker process when
    ``compute`` is a ``functools.partial`` of a module-level function and the pool runs
    (concurrent misses of a key share one run, awaited without a lock), else in a
    worker thread with the cache's own single flight.
    """
    cache = request.app.state.cache
    hit = cache.peek(key)
    if hit is not None:
        return hit
    from critmin.api.readpool import PoolUnavailable

    pool = _pool(request)
    if pool is not None and _portable(compute):
        try:
            return await cache.aget(key, lambda: pool.run(compute))
        except PoolUnavailable:
            pass  # nothing was sent: compute here
    return await run_heavy(request, cache.get, key, compute)


def notes_of(table: Any) -> tuple[str, ...]:
    """The table notes a read attached (:data:`critmin.api.reads.NOTES_ATTR` of a
    DataFrame's ``attrs``, ``notes`` of :class:`~critmin.api.reads.NotedRows`)."""
    from critmin.api.reads import NOTES_ATTR

    attrs = getattr(table, "attrs", None)
    found = attrs.get(NOTES_ATTR) if isinstance(attrs, dict) else getattr(table, "notes", None)
    return tuple(str(n) for n in found or ())


def _build_table(
    compute: Callable[[], pd.DataFrame], fmt: str
) -> tuple[bytes, str, tuple[str, ...]]:
    """Body, media type and table notes of a table (module-level: it runs in read workers
    too). The notes are cached with the body, so a cached answer says the same."""
    df = compute()
    notes = notes_of(df)
    if fmt == "csv":
        return _csv(df).encode("utf-8"), "text/csv; charset=utf-8", notes
    return json_body(df), "application/json", notes


def _build_object(compute: Callable[[], Any]) -> bytes:
    """JSON body of a plain object (module-level: it runs in read workers too)."""
    return json_body(compute())


class Fmt(StrEnum):
    """Response formats of table endpoints."""

    json = "json"
    csv = "csv"


FmtQuery = Query(Fmt.json, alias="format", description="json (array of rows) or csv.")

#: OpenAPI description of a table response.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An array of row objects (JSON) or CSV with format=csv.",
        "headers": {
            "X-Critmin-Notes": {
                "description": "How a name was read when not literally (hafnium -> the "
                "zirconium table), then the table's notes as the CLI prints them (the "
                "measure used when the default falls back, no shares or ranks for a "
                "non-additive table, open QA findings, what-if ASSUMPTION lines): a JSON "
                "array of strings; absent when there is nothing to say.",
                "schema": {"type": "string"},
            }
        },
        "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
    404: {"description": "Unknown commodity or country, or no data."},
    422: {"description": "Invalid parameter."},
}


def value_column(df: pd.DataFrame) -> pd.DataFrame:
    """Rename ``value`` to ``value_t`` when every row is in tonnes (CLI json convention)."""
    units = set(df["unit"].dropna().unique()) if "unit" in df.columns else set()
    if units == {"t"} and "value" in df.columns:
        df = df.rename(columns={"value": "value_t"})
    return df


def _csv(df: pd.DataFrame) -> str:
    """CSV text; list-valued cells (``measures``) joined with ``;``."""
    import numpy as np

    out = df.copy()
    for col in out.columns:
        if (
            out[col].dtype == object
            and out[col].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any()
        ):
            out[col] = out[col].map(
                lambda v: (
                    ";".join(str(x) for x in v) if isinstance(v, list | tuple | np.ndarray) else v
                )
            )
    text: str = out.to_csv(index=False)
    return text


def json_body(obj: Any) -> bytes:
    """Compact JSON of a DataFrame (rows) or plain object, NaN -> null."""
    import pandas as pd

    from critmin._records import clean as _clean
    from critmin._records import records

    if isinstance(obj, pd.DataFrame):
        obj = records(obj)
    return json.dumps(_clean(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def table_response(
    request: Request,
    key: tuple[Any, ...],
    fmt: Fmt,
    compute: Callable[[], pd.DataFrame],
    filename: str,
) -> Response:
    """A cached JSON or CSV response for a DataFrame-producing computation.

    A cache hit is answered on the event loop; a miss computes in a read worker process
    (``compute`` a ``functools.partial`` of a module-level function, process executor)
    or in the thread pool.

    Parameters
    ----------
    request : fastapi.Request
        Gives the app's :class:`~critmin.api.deps.ReadCache`.
    key : tuple
        Endpoint and normalised parameters.
    fmt : Fmt
        ``json`` or ``csv``.
    compute : callable
        Produces the table (runs on a cache miss only).
    filename : str
        CSV download name, without extension.
    """

    import functools

    from critmin.api.names import with_notes

    build = functools.partial(_build_table, compute, fmt.value)
    body, media, notes = await cached_value(request, (*key, fmt.value), build)
    headers = {}
    if fmt is Fmt.csv:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)[:80]
        headers["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return with_notes(Response(content=body, media_type=media, headers=headers), notes)


async def object_response(
    request: Request, key: tuple[Any, ...], compute: Callable[[], Any]
) -> Response:
    """A cached JSON response for a plain object (computed as in :func:`table_response`)."""
    import functools

    body = await cached_value(request, key, functools.partial(_build_object, compute))
    return Response(content=body, media_type="application/json")
