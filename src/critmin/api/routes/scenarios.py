"""Scenario runs (``critmin.scenarios``): submit a scenario YAML, poll the job, fetch results.

Needs an API key; ``draws`` is capped by ``max_draws``. The run goes to the worker
pool (or its Monte Carlo to the Dask scheduler when one is configured).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from critmin.api.security import Caller, require_api_key
from critmin.api.tasks import scenario_task, validate_scenario
from critmin.errors import ValidationError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["scenarios"])

#: Draws when the request gives none.
DEFAULT_SCENARIO_DRAWS = 1000


@router.post(
    "/scenarios",
    status_code=202,
    summary="Run a market scenario (job)",
    responses={
        202: {"description": "Queued: the job's status document."},
        401: {"description": "Missing or invalid API key."},
        413: {"description": "Body over the size limit."},
        422: {"description": "Invalid scenario or too many draws."},
        429: {"description": "Too many runs in progress for this key."},
    },
)
async def submit_scenario(
    request: Request,
    caller: Annotated[Caller, Depends(require_api_key)],
    spec: Annotated[UploadFile, File(description="Scenario YAML (see examples/scenarios/).")],
    draws: Annotated[int, Form(ge=0, description="Monte Carlo draws.")] = DEFAULT_SCENARIO_DRAWS,
    seed: Annotated[int | None, Form(ge=0, le=2**32 - 1, description="Seed.")] = 0,
) -> JSONResponse:
    """Queue a scenario: central run plus Monte Carlo price bands and importer shortfalls.
    Poll ``/api/v1/jobs/{job_id}``; the result has ``price_bands``, ``importers``,
    ``shortfall_probability``, ``assumptions`` and ``notes``."""
    settings = request.app.state.settings
    if draws > settings.max_draws:
        raise ValidationError(f"draws={draws} is over this server's limit of {settings.max_draws}")
    raw = await spec.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("the scenario must be UTF-8 text") from exc
    info = validate_scenario(text)
    request.app.state.jobs.check_budget(
        draws, int(info.get("horizon") or 1), f"scenario {info['name']!r}"
    )
    params: dict[str, Any] = {"name": info["name"], "draws": draws, "seed": seed}
    job = request.app.state.jobs.submit(
        "scenario",
        caller.key_id,
        scenario_task,
        text,
        draws,
        seed,
        settings.dask_scheduler,
        params=params,
    )
    return JSONResponse(job.describe(), status_code=202)
