"""Deposit appraisal: from collar, survey and assay tables to a classified resource.

Contents
--------
drillholes
    :func:`read_drillholes`, :class:`Drillholes`, :class:`ColumnMap` — CSV
    reading and validation (errors name file, line, column); below-detection rule.
desurvey
    :func:`desurvey`, :func:`desurvey_table` — minimum curvature.
composite
    :func:`composite` (fixed length, by domain, residual rule),
    :func:`assign_domain`, :func:`top_cut`, :func:`cell_declustering`.
stats
    :func:`hit_rate`, :func:`grade_summary`, :func:`best_intercepts`.
variogram
    :func:`experimental_variogram`, :func:`fit_variogram`,
    :class:`VariogramModel`, :class:`Structure`.
blockmodel, wireframe
    :class:`BlockModel`, :func:`read_stl`, :func:`inside_wireframe`.
kriging
    :func:`ordinary_kriging`, :class:`Search`, :func:`cross_validate`,
    :func:`kriging_weights` — numba kernels, parallel over targets.
neighbours
    :func:`~critmin.geostats.neighbours.nearest_samples` — exact k-nearest search
    on a cell grid, one candidate list per tile of targets (compiled).
classify
    :func:`classify`, :class:`ClassificationRule`, :class:`ClassCriteria`.
report
    :func:`grade_tonnage`, :func:`resource_report`, :func:`contained_metal`.
spec, workflow
    :func:`load_spec`, :class:`EstimationSpec`, :func:`run_spec`,
    :class:`Appraisal`, :func:`estimate_blocks` (chunked, optionally on Dask).
plot
    variogram, swath and grade-tonnage plots (PNG and offline HTML).
intervals, validate
    overlap rules and gaps; :func:`~critmin.geostats.validate.validate_spec` lists
    every issue of a database in one run (``critmin deposit validate``).
prepare, ledger
    composites of every grade with the ledger of each step (in, out, removed
    with reasons; :func:`~critmin.geostats.ledger.balance`).
multigrade
    equivalent grade from prices and recoveries; the resource table of all grades.
kna
    kriging neighbourhood analysis (slope of regression, kriging efficiency).
export, diagnostics
    Parquet, CSV, OMF, VTK and 3-D HTML exports; swath, fit warnings.

Names are imported lazily, so ``import critmin.geostats`` does not load numba.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "Appraisal",
    "BlockModel",
    "ClassCriteria",
    "ClassificationRule",
    "ColumnMap",
    "Drillholes",
    "EstimationSpec",
    "Search",
    "Structure",
    "VariogramModel",
    "assign_domain",
    "best_intercepts",
    "cell_declustering",
    "classify",
    "composite",
    "contained_metal",
    "cross_validate",
    "desurvey",
    "desurvey_table",
    "estimate_blocks",
    "experimental_variogram",
    "fit_variogram",
    "grade_summary",
    "grade_tonnage",
    "hit_rate",
    "inside_wireframe",
    "kriging_weights",
    "load_spec",
    "ordinary_kriging",
    "read_drillholes",
    "read_stl",
    "resource_report",
    "run_spec",
    "top_cut",
]

_WHERE = {
    "Appraisal": "workflow",
    "BlockModel": "blockmodel",
    "ClassCriteria": "classify",
    "ClassificationRule": "classify",
    "ColumnMap": "drillholes",
    "Drillholes": "drillholes",
    "EstimationSpec": "spec",
    "Search": "kriging",
    "Structure": "variogram",
    "VariogramModel": "variogram",
    "assign_domain": "composite",
    "best_intercepts": "stats",
    "cell_declustering": "composite",
    "classify": "classify",
    "composite": "composite",
    "contained_metal": "report",
    "cross_validate": "kriging",
    "desurvey": "desurvey",
    "desurvey_table": "desurvey",
    "estimate_blocks": "workflow",
    "experimental_variogram": "variogram",
    "fit_variogram": "variogram",
    "grade_summary": "stats",
    "grade_tonnage": "report",
    "hit_rate": "stats",
    "inside_wireframe": "wireframe",
    "kriging_weights": "kriging",
    "load_spec": "spec",
    "ordinary_kriging": "kriging",
    "read_drillholes": "drillholes",
    "read_stl": "wireframe",
    "resource_report": "report",
    "run_spec": "workflow",
    "top_cut": "composite",
}


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'critmin.geostats' has no attribute {name!r}")
    return getattr(importlib.import_module(f"critmin.geostats.{mod}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
