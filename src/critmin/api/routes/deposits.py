"""The shipped deposit example (``critmin.geostats``): resource and grade-tonnage tables.

Only ``examples/deposits/cbmina/estimation.yaml`` is served (no uploads). Its estimate
(:func:`critmin.geostats.run_spec`, a few seconds) is computed once per file
version and kept in memory; concurrent first requests wait for the same run.
Rows follow the CLI's conventions: snake_case keys, units explicit (``tonnes``
[t], ``grade`` [``grade_unit``], ``metal`` [``metal_unit``]; ``cutoff`` is in
``grade_unit``).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from critmin.api.responses import TABLE_RESPONSES, Fmt, FmtQuery, _csv, json_body, run_heavy
from critmin.api.routes.examples import example_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DEPOSIT_EXAMPLE", "deposit_example", "router"]

router = APIRouter(prefix="/api/v1/deposits", tags=["deposits"])

#: The one deposit spec served (relative to the examples folder).
DEPOSIT_EXAMPLE = "deposits/cbmina/estimation.yaml"

_lock = threading.Lock()
_cache: dict[tuple[str, int], dict[str, Any]] = {}


def _run(path: Path) -> dict[str, Any]:
    from critmin.geostats import run_spec

    res = run_spec(path)
    sp = res.spec
    gu, mu = sp.grade.unit, sp.grade.metal_unit
    gt = res.grade_tonnage.copy()
    gt.insert(3, "grade_unit", gu)
    gt.insert(5, "metal_unit", mu)
    resource = res.resource.copy()
    rep = sp.report.reporting_cutoff
    return {
        "name": sp.name,
        "spec": DEPOSIT_EXAMPLE,
        "metal_symbol": sp.grade.metal,
        "grade_column": sp.grade.column,
        "grade_unit": gu,
        "metal_unit": mu,
        "tonnes_unit": "t",
        "cutoffs": [float(c) for c in sp.report.cutoffs],
        "reporting_cutoff": float(rep) if rep is not None else float(sp.report.cutoffs[0]),
        "blocks_estimated": len(res.blocks),
        "notes": list(res.notes),
        "tables": {"resource": resource, "grade_tonnage": gt},
    }


def deposit_example(path: Path) -> dict[str, Any]:
    """The estimate of ``path``, computed once per file version (thread-safe).

    Returns
    -------
    dict
        Metadata (``name``, ``grade_unit``, ``metal_unit``, ``cutoffs``...) and
        ``tables``: ``resource`` and ``grade_tonnage`` DataFrames.
    """
    key = (str(path), path.stat().st_mtime_ns)
    with _lock:  # one run at a time; later callers find it cached
        if key not in _cache:
            _cache.clear()
            _cache[key] = _run(path)
        return _cache[key]


def _table(name: str, df: pd.DataFrame, fmt: Fmt) -> Response:
    if fmt is Fmt.csv:
        return Response(
            _csv(df).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="cbmina-{name}.csv"'},
        )
    return Response(json_body(df), media_type="application/json")


@router.get(
    "/example",
    summary="The shipped deposit example: resource and grade-tonnage",
    responses={
        200: {"description": "Metadata, `resource` and `grade_tonnage` rows."},
        404: {"description": "The example is not installed on this server."},
    },
)
async def example(request: Request) -> Response:
    """Ordinary-kriging estimate of ``examples/deposits/cbmina/estimation.yaml`` (CBMina copper
    porphyry): ``resource`` rows (``cutoff, class, tonnes, grade, grade_unit, metal,
    metal_unit``; classes measured, indicated, inferred, measured+indicated, total)
    and ``grade_tonnage`` rows (``cutoff, tonnes, grade, grade_unit, metal,
    metal_unit, blocks``). Computed on the first request (seconds), then cached."""
    p = example_path(request, DEPOSIT_EXAMPLE)
    res = await run_heavy(request, deposit_example, p)
    from critmin._records import records

    out = {k: v for k, v in res.items() if k != "tables"}
    out.update({name: records(df) for name, df in res["tables"].items()})
    return Response(json_body(out), media_type="application/json")


@router.get(
    "/example/resource", summary="Deposit example: resource table", responses=TABLE_RESPONSES
)
async def example_resource(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Resource by class and cut-off (``format=csv`` for a download)."""
    p = example_path(request, DEPOSIT_EXAMPLE)
    res = await run_heavy(request, deposit_example, p)
    return _table("resource", res["tables"]["resource"], fmt)


@router.get(
    "/example/grade-tonnage",
    summary="Deposit example: grade-tonnage table",
    responses=TABLE_RESPONSES,
)
async def example_grade_tonnage(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Tonnes, mean grade and metal above each cut-off (``format=csv`` for a download)."""
    p = example_path(request, DEPOSIT_EXAMPLE)
    res = await run_heavy(request, deposit_example, p)
    return _table("grade-tonnage", res["tables"]["grade_tonnage"], fmt)
