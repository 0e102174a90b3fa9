"""Claims checks (``critmin.claims``): draft claims from pasted article text, post a
claims YAML (or the edited draft), get a verdict per claim.

Both endpoints need an API key (they query the store). Everything is parsed in memory.
``/claims/extract`` runs :func:`critmin.claims.extract.extract`, the same extraction as
``critmin claims extract``; its draft is a valid claims file for ``/claims/check``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from critmin.api.deps import thread_store
from critmin.api.responses import json_body, run_heavy
from critmin.api.security import Caller, require_api_key
from critmin.errors import SpecError, ValidationError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["claims"])

#: Longest article text ``/claims/extract`` takes (about 15,000 words). [characters]
MAX_ARTICLE_CHARS = 100_000

#: Fields of a draft claim the dashboard lets a reader edit before checking.
EDITABLE = ("commodity", "country", "measure", "year", "claimed", "op", "tolerance")


class ExtractRequest(BaseModel):
    """Article text to draft claims from."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(
        min_length=1,
        max_length=MAX_ARTICLE_CHARS,
        description=f"The article, plain text or HTML (at most {MAX_ARTICLE_CHARS:,} characters).",
    )
    date: str | None = Field(
        None,
        pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$",
        description="The story's date (YYYY, YYYY-MM or YYYY-MM-DD): the edition current then "
        "decides where editions disagree.",
    )
    title: str | None = Field(None, max_length=300, description="Title recorded in the draft.")


def _check(text: str) -> bytes:
    from critmin.claims import check_claims, parse_claims
    from critmin.spec import yaml_data

    data: Any = yaml_data(text, "<upload>")
    if not isinstance(data, dict):
        raise SpecError("<upload>", "the claims file must be a YAML mapping")
    spec = parse_claims(data, "<upload>")
    df = check_claims(spec, store=thread_store())
    return json_body(df)


def _editable() -> dict[str, list[str]]:
    """Claim type -> the fields of :data:`EDITABLE` its schema accepts."""
    from typing import get_args

    from critmin.claims.spec import Claim

    out: dict[str, list[str]] = {}
    for model in get_args(get_args(Claim)[0]):
        kind = get_args(model.model_fields["type"].annotation)[0]
        out[kind] = [f for f in EDITABLE if f in model.model_fields]
    return out


def _extract(text: str, date: str | None, title: str | None) -> bytes:
    import json

    from critmin.claims.extract import extract
    from critmin.claims.spec import parse_claims

    if not text.strip():
        raise ValidationError("the article text is empty")
    doc = extract(text, date=date, store=thread_store())
    if title:
        doc["source"]["title"] = title
    parse_claims(doc, "<extracted>")  # the draft is a valid claims file
    untyped = sum(1 for c in doc["claims"] if c["type"] == "untyped")
    body = {**doc, "editable": _editable(), "n_claims": len(doc["claims"]), "n_untyped": untyped}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@router.post(
    "/claims/extract",
    summary="Draft claims from article text",
    responses={
        200: {
            "description": "A draft claims file (``source``, ``claims``: each with the quoted "
            "sentence, its span, type, commodity, country, year, claimed value, operator, "
            "tolerance, or the reason it cannot be checked), ``editable`` (type -> fields a "
            "reader may change), ``n_claims`` and ``n_untyped``."
        },
        401: {"description": "Missing or invalid API key."},
        413: {"description": "Body over the size limit."},
        422: {"description": "Empty or over-long text, or a malformed date."},
    },
)
async def extract(
    request: Request,
    caller: Annotated[Caller, Depends(require_api_key)],
    body: ExtractRequest,
) -> Response:
    """Draft claims of a pasted article, by the rules of ``critmin claims extract`` (no model).

    Nothing is checked yet: review the draft, then post it (as JSON or YAML) to
    ``/claims/check``. Statements that cannot be typed are kept as ``untyped`` claims with
    the reason.
    """
    out = await run_heavy(request, _extract, body.text, body.date, body.title)
    return Response(out, media_type="application/json")


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
