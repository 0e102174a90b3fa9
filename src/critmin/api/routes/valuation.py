"""Valuations (``critmin.valuation``): upload a project or deposit YAML spec, run it in the pool.

Needs an API key. The spec is validated in the request (422 with the field on a bad
spec, or when ``draws`` exceeds the server's limit); the run goes to the worker
pool and the response is 202 with the job. Price CSVs the spec names are uploaded
with it (``files``) and matched by base name; nothing is read from the server's disk.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from critmin.api.security import Caller, require_api_key
from critmin.api.tasks import safe_name, validate_valuation, valuation_task
from critmin.errors import ValidationError

__all__ = ["read_uploads", "router"]

router = APIRouter(prefix="/api/v1", tags=["valuation"])

_MAX_FILES = 10


async def read_uploads(files: list[UploadFile]) -> dict[str, bytes]:
    """Uploaded files by safe base name, read into memory (the body limit bounds them)."""
    if len(files) > _MAX_FILES:
        raise ValidationError(f"at most {_MAX_FILES} files per request")
    out: dict[str, bytes] = {}
    for f in files:
        name = safe_name(f.filename or "")
        if name in out:
            raise ValidationError(f"file {name!r} uploaded twice")
        out[name] = await f.read()
    return out


async def _text(spec: UploadFile) -> str:
    raw = await spec.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("the spec must be UTF-8 text") from exc


@router.post(
    "/valuations",
    status_code=202,
    summary="Value a project or deposit (job)",
    responses={
        202: {"description": "Queued: the job's status document."},
        401: {"description": "Missing or invalid API key."},
        413: {"description": "Body over the size limit."},
        422: {"description": "Invalid spec, missing file, or too many draws."},
        429: {"description": "Too many runs in progress for this key."},
    },
)
async def submit_valuation(
    request: Request,
    caller: Annotated[Caller, Depends(require_api_key)],
    spec: Annotated[UploadFile, File(description="Project or deposit YAML spec.")],
    files: Annotated[
        list[UploadFile] | None, File(description="Price CSVs the spec names (by base name).")
    ] = None,
    draws: Annotated[
        int | None, Form(ge=0, description="Monte Carlo price paths (default: the spec's).")
    ] = None,
    seed: Annotated[int | None, Form(ge=0, le=2**32 - 1, description="Random seed.")] = None,
) -> JSONResponse:
    """Queue a valuation: DCF, tornado and Monte Carlo NPV for ``kind: project``, the
    recoverable-value bridge for ``kind: deposit``. Poll ``/api/v1/jobs/{job_id}``."""
    settings = request.app.state.settings
    text = await _text(spec)
    uploads = await read_uploads(files or [])
    info = validate_valuation(text, uploads, draws, settings.max_draws)
    request.app.state.jobs.check_budget(
        int(info["draws"]), int(info.get("periods") or 1), f"valuation {info['name']!r}"
    )
    params: dict[str, Any] = {
        "kind": info["kind"],
        "name": info["name"],
        "draws": info["draws"],
        "seed": seed,
        "files": sorted(uploads),
    }
    job = request.app.state.jobs.submit(
        "valuation", caller.key_id, valuation_task, text, uploads, draws, seed, params=params
    )
    return JSONResponse(job.describe(), status_code=202)
