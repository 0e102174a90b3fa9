"""Job status and results (API key needed; a job is visible only to its key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import Response

from critmin.api.jobs import result_of
from critmin.api.responses import json_body
from critmin.api.security import Caller, require_api_key

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Job id.")]
_AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "Missing or invalid API key."}}


@router.get("", summary="Jobs of this key", responses=_AUTH)
def list_jobs(
    request: Request, caller: Annotated[Caller, Depends(require_api_key)]
) -> list[dict[str, Any]]:
    """Status documents of this key's jobs, oldest first."""
    return [j.describe() for j in request.app.state.jobs.list(caller.key_id)]


@router.get(
    "/{job_id}",
    summary="Job status",
    responses={**_AUTH, 404: {"description": "No such job for this key."}},
)
def job_status(
    request: Request, job_id: JobId, caller: Annotated[Caller, Depends(require_api_key)]
) -> dict[str, Any]:
    """``status``: queued (with ``queue_position``), running, done, failed (with a
    one-line ``error``) or cancelled."""
    desc: dict[str, Any] = request.app.state.jobs.get(job_id, caller.key_id).describe()
    return desc


@router.get(
    "/{job_id}/result",
    summary="Job result",
    responses={
        **_AUTH,
        404: {"description": "No such job for this key."},
        409: {"description": "Not finished yet."},
        422: {"description": "The run failed on its input."},
    },
)
def job_result(
    request: Request, job_id: JobId, caller: Annotated[Caller, Depends(require_api_key)]
) -> Response:
    """The result document of a finished job; 409 while it is queued or running."""
    job = request.app.state.jobs.get(job_id, caller.key_id)
    status = job.status()
    if status == "cancelled":
        raise HTTPException(409, f"job {job_id} was cancelled; it has no result")
    if status in ("queued", "running"):
        raise HTTPException(409, f"job {job_id} is {status}; poll /api/v1/jobs/{job_id}")
    err = job.error()
    if err is not None:
        raise HTTPException(err[0], err[1])
    return Response(json_body(result_of(job)), media_type="application/json")


@router.delete(
    "/{job_id}",
    summary="Cancel a job",
    responses={**_AUTH, 404: {"description": "No such job for this key."}},
)
def cancel_job(
    request: Request, job_id: JobId, caller: Annotated[Caller, Depends(require_api_key)]
) -> dict[str, Any]:
    """Cancel a queued or running job (its worker process is stopped); a finished job is
    left as it is. Returns the status document."""
    desc: dict[str, Any] = request.app.state.jobs.cancel(job_id, caller.key_id).describe()
    return desc
