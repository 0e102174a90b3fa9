"""Claims checks (``critmin.claims``): post a claims YAML, get a verdict per claim.

Needs an API key (each claim queries the store). The file is parsed in memory.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import json_body, run_heavy
from critmin.api.security import Caller, require_api_key
from critmin.errors import SpecError, ValidationError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["claims"])


def _check(text: str) -> bytes:
    from critmin.claims import check_claims, parse_claims
    from critmin.spec import yaml_data

    data: Any = yaml_data(text, "<upload>")
    if not isinstance(data, dict):
        raise SpecError("<upload>", "the claims file must be a YAML mapping")
    spec = parse_claims(data, "<upload>")
    df = check_claims(spec, store=thread_store())
    return json_body(df)


@router.post(
    "/claims/check",
    summary="Check a story's claims",
    responses={
        200: {"description": "One row per claim: verdict, claimed, computed, evidence."},
        401: {"description": "Missing or invalid API key."},
        413: {"description": "Body over the size limit."},
        422: {"description": "Invalid claims file (names the field)."},
    },
)
async def check(
    request: Request,
    caller: Annotated[Caller, Depends(require_api_key)],
    file: Annotated[UploadFile, File(description="Claims YAML (see examples/kazakhstan-2025/).")],
) -> Response:
    """Verdicts ``supported``, ``contradicted`` or ``not_checkable`` with the evidence rows."""
    raw = await file.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError("the claims file must be UTF-8 text") from exc
    body = await run_heavy(request, _check, text)
    return Response(body, media_type="application/json")
