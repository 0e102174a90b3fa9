"""Exploration statistics and swath tables of an appraisal (pure over its tables)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import ValidationError
from critmin.geostats.drillholes import Drillholes
from critmin.geostats.spec import EstimationSpec
from critmin.geostats.stats import best_intercepts, grade_summary, hit_rate
from critmin.geostats.variogram import VariogramModel

__all__ = ["exploration_stats", "model_warnings", "swath"]


def exploration_stats(spec: EstimationSpec, dh: Drillholes) -> dict[str, Any]:
    """Hit rate, grade summary (length-weighted) and best intercepts of the raw assays."""
    col = spec.grade.column
    assay = dh.table("assay")
    lengths = (assay["to"] - assay["from"]).to_numpy()
    out: dict[str, Any] = {
        "summary": grade_summary(assay[col].to_numpy(dtype=float), lengths),
        "holes_drilled": len(dh.collar),
    }
    if spec.exploration is not None:
        out["hit"] = hit_rate(assay, col, spec.exploration.threshold)
        out["threshold"] = spec.exploration.threshold
        if spec.exploration.intercepts is not None:
            i = spec.exploration.intercepts
            out["intercepts"] = best_intercepts(
                assay, col, i.cutoff, i.min_width, i.max_dilution, unit=spec.grade.unit
            )
    return out


def swath(comps: pd.DataFrame, blocks: pd.DataFrame, axis: str, width: float) -> pd.DataFrame:
    """Swath table: mean composite grade and mean block estimate per slice.

    Parameters
    ----------
    comps : pandas.DataFrame
        Composites with ``x, y, z`` [m] and ``grade`` [grade unit].
    blocks : pandas.DataFrame
        Blocks with ``x, y, z`` [m] and ``estimate`` [grade unit].
    axis : {"x", "y", "z"}
        Slicing axis.
    width : float
        Slice width. [m]

    Returns
    -------
    pandas.DataFrame
        ``axis, centre`` [m], ``composites`` and ``blocks`` (counts),
        ``composite_mean`` and ``block_mean`` [grade unit]; with a
        ``search_pass`` column also ``blocks_pass1`` and ``block_mean_pass1``
        (first-pass blocks only, without the extrapolated later passes).
    """
    if axis not in ("x", "y", "z"):
        raise ValidationError(f"axis must be x, y or z, not {axis!r}")
    lo = min(comps[axis].min(), blocks[axis].min())
    ci = np.floor((comps[axis] - lo) / width).astype(int)
    bi = np.floor((blocks[axis] - lo) / width).astype(int)
    c = comps.groupby(ci)["grade"].agg(["count", "mean"])
    b = blocks.groupby(bi)["estimate"].agg(["count", "mean"])
    idx = c.index.union(b.index)
    out = pd.DataFrame({"axis": axis, "centre": lo + (idx.to_numpy() + 0.5) * width})
    out["composites"] = c["count"].reindex(idx).fillna(0).astype(int).to_numpy()
    out["composite_mean"] = c["mean"].reindex(idx).to_numpy()
    out["blocks"] = b["count"].reindex(idx).fillna(0).astype(int).to_numpy()
    out["block_mean"] = b["mean"].reindex(idx).to_numpy()
    if "search_pass" in blocks:
        p1 = blocks["search_pass"] == 1
        b1 = blocks[p1].groupby(bi[p1])["estimate"].agg(["count", "mean"])
        out["blocks_pass1"] = b1["count"].reindex(idx).fillna(0).astype(int).to_numpy()
        out["block_mean_pass1"] = b1["mean"].reindex(idx).to_numpy()
    return out


def model_warnings(
    model: VariogramModel, exp: pd.DataFrame | None, max_nugget_share: float = 0.5
) -> list[str]:
    """Fit warnings: a range beyond the last lag, a large nugget share."""
    out = []
    if model.sill > 0 and model.nugget / model.sill > max_nugget_share:
        out.append(f"nugget is {100 * model.nugget / model.sill:.0f} % of the sill")
    if exp is not None and len(exp) and "lag" in exp:
        last = float(exp["lag"].max())
        big = max(max(s.ranges) for s in model.structures)
        if big > last:
            out.append(
                f"a model range ({big:.0f} m) is beyond the last experimental lag ({last:.0f} m)"
            )
    return out
