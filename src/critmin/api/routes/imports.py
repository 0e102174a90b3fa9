"""Validate a user observations CSV as ``critmin data import`` would (API key needed).

The upload is parsed from a private temporary directory (never a path the client
names) by :func:`critmin.data.importer.read_user_csv`; the answer is the rows in
the canonical schema, or 422 naming line and column. The server opens the store
read-only, so the write itself stays with ``critmin data import`` on the host.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import json_body
from critmin.api.security import Caller, require_api_key
from critmin.api.tasks import safe_name
from critmin.errors import InputFileError

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["data"])

_COLS = [
    "commodity",
    "measure",
    "product",
    "iso3",
    "country",
    "year",
    "value",
    "unit",
    "qualifier",
    "raw_value",
    "raw_unit",
    "edition",
    "source_id",
    "source_row",
    "note",
]


def _validate(name: str, content: bytes) -> bytes:
    from critmin.data.importer import read_user_csv

    st = thread_store()
    c = st.countries()
    known = dict(zip(c["iso3"], c["name"], strict=True))
    tmp = Path(tempfile.mkdtemp(prefix="critmin-upload-"))
    try:
        path = tmp / name
        path.write_bytes(content)
        try:
            df = read_user_csv(path, known)
        except InputFileError as exc:  # name the upload, not the temporary path
            raise InputFileError(name, exc.reason, line=exc.line, column=exc.column) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return json_body(df[[c for c in _COLS if c in df.columns]])


@router.post(
    "/imports/validate",
    summary="Validate an observations CSV",
    responses={
        200: {"description": "The rows as they would be imported (canonical units)."},
        401: {"description": "Missing or invalid API key."},
        413: {"description": "Body over the size limit."},
        422: {"description": "Invalid file: the message names line and column."},
    },
)
async def validate_import(
    caller: Annotated[Caller, Depends(require_api_key)],
    file: Annotated[
        UploadFile, File(description="CSV: commodity, measure, iso3, year, value, unit, source.")
    ],
) -> Response:
    """Parse and validate without writing; errors name the line and column."""
    name = safe_name(file.filename or "upload.csv")
    content = await file.read()
    body = await run_in_threadpool(_validate, name, content)
    return Response(body, media_type="application/json")
