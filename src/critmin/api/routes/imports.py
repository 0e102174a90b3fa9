"""Validate a user observations CSV as ``critmin data import`` would (API key needed).

The upload is parsed from a private temporary directory (never a path the client
names) by :func:`critmin.data.importer.read_user_csv` with the store's countries,
units and editions, so the rules are those of the CLI importer
(:mod:`critmin.data.validate`: encodings, decimal commas, years, magnitudes,
aggregates, ragged rows); the answer is the rows in the canonical schema, or 422
naming line and column. The server opens the store read-only, so the write itself
stays with ``critmin data import`` on the host (the one writer path; it refuses with
a message naming the server while the server runs).
"""

from __future__ import annotations

import shutil
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import json_body, run_heavy
from critmin.api.security import Caller, require_api_key
from critmin.api.tasks import safe_name
from critmin.errors import InputFileError, ValidationError

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


#: Encodings a client may name (the CLI's ``--encoding``); anything else is refused.
ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be")


class Decimal(StrEnum):
    """Decimal mark of an upload (the CLI's ``--decimal``)."""

    point = "."
    comma = ","


class Thousands(StrEnum):
    """Thousands separator of an upload (the CLI's ``--thousands``)."""

    comma = ","
    point = "."
    space = " "
    apostrophe = "'"
    underscore = "_"


def _validate(
    name: str,
    content: bytes,
    encoding: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
) -> bytes:
    from critmin.data.importer import read_user_csv

    st = thread_store()
    tmp = Path(tempfile.mkdtemp(prefix="critmin-upload-"))
    try:
        path = tmp / name
        path.write_bytes(content)
        try:
            df = read_user_csv(
                path, store=st, decimal=decimal, thousands=thousands, encoding=encoding
            )
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
    request: Request,
    caller: Annotated[Caller, Depends(require_api_key)],
    file: Annotated[
        UploadFile, File(description="CSV: commodity, measure, iso3, year, value, unit, source.")
    ],
    encoding: Annotated[
        str | None,
        Form(description=f"Text encoding when not UTF-8 (one of {', '.join(ENCODINGS)})."),
    ] = None,
    decimal: Annotated[Decimal, Form(description="Decimal mark of the numbers.")] = Decimal.point,
    thousands: Annotated[
        Thousands | None, Form(description="Thousands separator, if the numbers have one.")
    ] = None,
) -> Response:
    """Parse and validate without writing, with the rules of ``critmin data import``
    (:mod:`critmin.data.validate`); errors name the line and column. A file that is not
    UTF-8 (or UTF-16 with a byte-order mark) is refused with the line of the first bad
    byte unless ``encoding`` names its encoding; ``15,5`` is refused unless ``decimal``
    or ``thousands`` says what the comma means."""
    name = safe_name(file.filename or "upload.csv")
    if encoding is not None and encoding.lower() not in ENCODINGS:
        raise ValidationError(
            f"encoding {encoding!r} not accepted: use one of {', '.join(ENCODINGS)}"
        )
    content = await file.read()
    body = await run_heavy(
        request,
        _validate,
        name,
        content,
        encoding.lower() if encoding else None,
        decimal.value,
        thousands.value if thousands is not None else None,
    )
    return Response(body, media_type="application/json")
