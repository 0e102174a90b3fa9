"""Supply-risk indices (``critmin.risk``): open, cached, point values (no Monte Carlo)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import TABLE_RESPONSES, Fmt, FmtQuery, table_response

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["risk"])


def _risk_table(importer: str, method: str, year: int | None, coms: tuple[str, ...]) -> Any:
    """The indices table (module-level, so a read worker process can run it)."""
    from critmin.risk import supply_risk

    return supply_risk(importer, method, year, commodities=list(coms) or None, store=thread_store())


@router.get("/risk", summary="Supply-risk indices", responses=TABLE_RESPONSES)
async def risk(
    request: Request,
    importer: Annotated[
        str,
        Query(
            pattern=r"^[A-Za-z0-9 ,.'()-]{2,80}$",
            description="EU27, OECD, G7, a country or a comma list (USA,JPN).",
        ),
    ] = "EU27",
    method: Annotated[
        str, Query(pattern=r"^(all|eu|eu2020|usgs|geopolrisk|hhi)$", description="Index method.")
    ] = "all",
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    commodity: Annotated[
        list[str], Query(max_length=30, description="Restrict to these commodities (repeatable).")
    ] = [],  # noqa: B006
    fmt: Fmt = FmtQuery,
) -> Response:
    """Indices of every commodity with enough data, ranked (1 = highest risk) per method."""
    coms = tuple(sorted({c.strip() for c in commodity if c.strip()}))
    compute = partial(_risk_table, importer, method, year, coms)
    return await table_response(
        request, ("risk", importer, method, year, coms), fmt, compute, "risk"
    )
