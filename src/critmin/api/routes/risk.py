"""Supply-risk indices (``critmin.risk``): open, cached, point values (no Monte Carlo)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import TABLE_RESPONSES, Fmt, FmtQuery, table_response

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["risk"])


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
    from critmin.risk import supply_risk

    coms = tuple(sorted({c.strip() for c in commodity if c.strip()}))

    def compute() -> Any:
        return supply_risk(
            importer,
            method,
            year,
            commodities=list(coms) or None,
            store=thread_store(),
        )

    return await table_response(
        request, ("risk", importer, method, year, coms), fmt, compute, "risk"
    )
