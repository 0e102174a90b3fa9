"""Chart of a deposit within a grade-tonnage model (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.valuation.gradetonnage import GradeTonnageModel

__all__ = ["grade_tonnage_figure"]


def grade_tonnage_figure(
    model: GradeTonnageModel, comparison: pd.DataFrame, path: str | Path, *, label: str = "deposit"
) -> Path:
    """Cumulative distributions of the model's tonnage, grades and contained metal.

    Parameters
    ----------
    model : GradeTonnageModel
        The model.
    comparison : pandas.DataFrame
        From :func:`~critmin.valuation.gradetonnage.compare_deposit`.
    path : str or pathlib.Path
        PNG file to write.
    label : str
        Name of the deposit in the legend.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    One panel per row of ``comparison``: the share of model deposits at or below
    each value (log x axis), with the deposit marked by a vertical line.
    """
    from matplotlib.figure import Figure

    t = model.table
    n = len(comparison)
    fig = Figure(figsize=(4.2 * n, 3.6), layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, (_, row) in zip(axes, comparison.iterrows(), strict=True):
        q = str(row["quantity"])
        if q == "tonnage":
            vals = t["tonnage_t"].to_numpy()
        else:
            sym, kind = q.split(" ")
            sub = t[t[f"{sym}_pct"].notna()]
            g = sub[f"{sym}_pct"].to_numpy()
            vals = g if kind == "grade" else sub["tonnage_t"].to_numpy() * g / 100.0
        v = np.sort(vals[vals > 0])
        ax.step(v, 100.0 * np.arange(1, v.size + 1) / v.size, where="post", color="0.3")
        ax.set_xscale("log")
        if row["deposit"] is not None and row["deposit"] > 0:
            ax.axvline(
                float(row["deposit"]),
                color="tab:red",
                label=f"{label}: P{row['percentile']:.0f}",
            )
            ax.legend(loc="lower right", fontsize=8)
        ax.set_xlabel(f"{q} [{row['unit']}]")
        ax.set_ylabel("deposits at or below [%]")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{model.deposit_type}: {len(t)} deposits (USGS grade-tonnage model)", fontsize=10)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    return out
