"""Shipped example files, read-only: the scenario and claims pages load them.

Each endpoint serves one fixed file of the examples folder
(:meth:`~critmin.api.settings.Settings.examples`); no part of the path comes from
the client. A file that is not there (an install without the examples) is a 404.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

__all__ = ["CLAIMS_EXAMPLE", "SCENARIO_EXAMPLE", "example_path", "router"]

router = APIRouter(prefix="/api/v1/examples", tags=["examples"])

#: The scenario the scenario page runs (relative to the examples folder).
SCENARIO_EXAMPLE = "scenarios/gallium-export-restriction.yaml"
#: The claims file the claims page loads.
CLAIMS_EXAMPLE = "kazakhstan-2025/claims.yaml"

_YAML = "text/yaml; charset=utf-8"


class ExampleFmt(StrEnum):
    """Formats of an example file."""

    yaml = "yaml"
    json = "json"


def example_path(request: Request, rel: str) -> Path:
    """The shipped file ``rel`` (a constant of this module) or 404.

    Raises
    ------
    fastapi.HTTPException
        404 when the examples folder does not hold it (or it is not a regular file).
    """
    base = request.app.state.settings.examples().resolve()
    p = (base / rel).resolve()
    if not p.is_relative_to(base) or not p.is_file():
        raise HTTPException(404, f"example {rel} is not installed on this server")
    return p


def _serve(request: Request, rel: str, fmt: ExampleFmt) -> Response:
    p = example_path(request, rel)
    text = p.read_text(encoding="utf-8")
    name = Path(rel).name
    if fmt is ExampleFmt.json:
        from critmin.spec import yaml_data

        data: Any = yaml_data(text, name)
        body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        return Response(body, media_type="application/json")
    return Response(
        text.encode("utf-8"),
        media_type=_YAML,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


_FMT = Query(ExampleFmt.yaml, alias="format", description="yaml (the file as shipped) or json.")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file as shipped (YAML text) or, with format=json, its content.",
        "content": {"text/yaml": {"schema": {"type": "string"}}, "application/json": {}},
    },
    404: {"description": "The examples are not installed on this server."},
}


@router.get("/scenario", summary="The shipped scenario example", responses=_RESPONSES)
def scenario_example(request: Request, fmt: ExampleFmt = _FMT) -> Response:
    """``examples/scenarios/gallium-export-restriction.yaml``: China restricts gallium
    exports to the OECD, Kazakhstan adds 15 t/yr. Post it to ``/api/v1/scenarios``."""
    return _serve(request, SCENARIO_EXAMPLE, fmt)


@router.get("/claims", summary="The shipped claims example", responses=_RESPONSES)
def claims_example(request: Request, fmt: ExampleFmt = _FMT) -> Response:
    """``examples/kazakhstan-2025/claims.yaml``: the claims of a 2025 news story.
    Post it to ``/api/v1/claims/check``."""
    return _serve(request, CLAIMS_EXAMPLE, fmt)
