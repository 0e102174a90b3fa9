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
    "json_body",
    "object_response",
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


class Fmt(StrEnum):
    """Response formats of table endpoints."""

    json = "json"
    csv = "csv"


FmtQuery = Query(Fmt.json, alias="format", description="json (array of rows) or csv.")

#: OpenAPI description of a table response.
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An array of row objects (JSON) or CSV with format=csv.",
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

    A cache hit is answered on the event loop; a miss computes in the thread pool.

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

    def build() -> tuple[bytes, str]:
        df = compute()
        if fmt is Fmt.csv:
            return _csv(df).encode("utf-8"), "text/csv; charset=utf-8"
        return json_body(df), "application/json"

    cache = request.app.state.cache
    ck = (*key, fmt.value)
    hit = cache.peek(ck)
    body, media = hit if hit is not None else await run_heavy(request, cache.get, ck, build)
    headers = {}
    if fmt is Fmt.csv:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)[:80]
        headers["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return Response(content=body, media_type=media, headers=headers)


async def object_response(
    request: Request, key: tuple[Any, ...], compute: Callable[[], Any]
) -> Response:
    """A cached JSON response for a plain object."""
    cache = request.app.state.cache
    body = cache.peek(key)
    if body is None:
        body = await run_heavy(request, cache.get, key, lambda: json_body(compute()))
    return Response(content=body, media_type="application/json")
