"""The ledger: what each step of an estimation takes in, gives out and leaves out, and why.

Each row is one flow of one step:

``in``
    what the step received;
``out``
    what it passed on;
``removed``
    what it left out (or, for grade x length, took away by capping or by an
    overlap rule), with the reason;
``note``
    an assumption or a flag that moves nothing (vertical holes, default
    density, negative estimates...); not part of the balance.

For every step, ``in = out + sum(removed)`` holds for metres and grade x length
(interval steps) and for blocks and tonnes (block steps); :func:`balance` gives
the difference, which the tests keep at zero, so nothing leaves the ledger
without a reason.

Interval steps count, per grade column: holes, intervals, metres (interval
lengths; ``assayed metres`` from compositing on, where only assayed lengths
carry weight) and grade x length :math:`\\sum g_i l_i` [grade unit x m].
Block steps count blocks and tonnes [t].
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from critmin.geostats.blockmodel import BlockModel
from critmin.geostats.spec import EstimationSpec

__all__ = ["COLUMNS", "Ledger", "balance", "block_steps", "interval_figures"]

COLUMNS = [
    "grade",
    "step",
    "flow",
    "holes",
    "intervals",
    "metres",
    "grade_x_length",
    "blocks",
    "tonnes",
    "reason",
]


def interval_figures(
    df: pd.DataFrame, column: str, assayed_only: bool = False, coverage: str | None = None
) -> dict[str, float]:
    """Holes, intervals, metres and grade x length of an interval table.

    Parameters
    ----------
    df : pandas.DataFrame
        ``hole, from, to`` [m] (or ``length``) and the grade column.
    column : str
        Grade column. [grade unit]
    assayed_only : bool
        Count the metres of intervals with a grade only.
    coverage : str, optional
        Column of the assayed fraction of each row (composites): metres are
        then ``length x coverage`` and grade x length ``grade x length x coverage``.

    Returns
    -------
    dict
        ``holes, intervals, metres`` [m], ``grade_x_length`` [grade unit x m].
    """
    length = df["length"] if "length" in df else df["to"] - df["from"]
    length = length.to_numpy(dtype=float)
    g = df[column].to_numpy(dtype=float) if column in df else np.full(len(df), np.nan)
    if coverage is not None:
        length = length * np.nan_to_num(df[coverage].to_numpy(dtype=float))
    has = ~np.isnan(g)
    m = length[has].sum() if (assayed_only or coverage is not None) else length.sum()
    return {
        "holes": float(df["hole"].nunique()),
        "intervals": float(len(df)),
        "metres": float(m),
        "grade_x_length": float(np.sum(g[has] * length[has])),
    }


class Ledger:
    """Rows of the ledger, added step by step."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, grade: str, step: str, flow: str, reason: str = "", **figures: float) -> None:
        """Add one flow; ``figures`` among holes, intervals, metres, grade_x_length, blocks, tonnes."""
        row: dict[str, Any] = {c: None for c in COLUMNS}
        row.update(grade=grade, step=step, flow=flow, reason=reason)
        row.update(figures)
        self.rows.append(row)

    def intervals(
        self, grade: str, step: str, before: dict[str, float], after: dict[str, float],
        removed: list[tuple[str, dict[str, float]]], reason_in: str = "",
    ) -> None:  # fmt: skip
        """An interval step: in, out and each removed part with its reason."""
        self.add(grade, step, "in", reason_in, **before)
        for reason, fig in removed:
            self.add(grade, step, "removed", reason, **fig)
        self.add(grade, step, "out", "", **after)

    def note(self, grade: str, step: str, reason: str, **figures: float) -> None:
        """An assumption or a flag (not in the balance)."""
        self.add(grade, step, "note", reason, **figures)

    def frame(self) -> pd.DataFrame:
        """The ledger as a table (columns :data:`COLUMNS`)."""
        return pd.DataFrame(self.rows, columns=COLUMNS)


def balance(ledger: pd.DataFrame) -> pd.DataFrame:
    """``in - out - sum(removed)`` per grade and step (zero when everything is accounted).

    Returns
    -------
    pandas.DataFrame
        ``grade, step`` and the differences of ``metres, grade_x_length, blocks, tonnes``.
    """
    figs = ["metres", "grade_x_length", "blocks", "tonnes"]
    sign = ledger["flow"].map({"in": 1.0, "out": -1.0, "removed": -1.0}).fillna(0.0)
    vals = ledger[figs].astype(float).fillna(0.0).mul(sign, axis=0)
    vals[["grade", "step"]] = ledger[["grade", "step"]]
    keep = ledger["flow"] != "note"
    return vals[keep].groupby(["grade", "step"], sort=False)[figs].sum().reset_index()


def block_steps(
    sp: EstimationSpec, lg: Ledger, counts: dict[str, int], blocks: pd.DataFrame, bm: BlockModel
) -> None:
    """Block steps of the ledger: grid -> estimated -> classified -> reported.

    Blocks leave the grid outside the wireframe, above the collar surface,
    without a domain (hard boundaries) or with too few samples; then when they
    meet no class; then below the reporting cut-off. Tonnes [t] from density
    times block volume.
    """
    g = sp.grade.column
    n = float(counts.get("grid", bm.n_blocks))
    lg.add(g, "estimate", "in", "blocks in the grid", blocks=n)
    for key, why in (
        ("outside_mask", "outside the wireframe"),
        (
            "above_surface",
            "above the topography"
            if sp.block_model.topography
            else "above the surface through the collars",
        ),
        ("no_domain", "no domain within block_max_distance (hard boundaries)"),
        ("not_estimated", "fewer than min_samples within the last search pass"),
    ):
        lg.add(g, "estimate", "removed", why, blocks=float(counts.get(key, 0)))
    t = blocks["tonnes"].to_numpy()
    lg.add(g, "estimate", "out", "", blocks=float(len(blocks)))
    for gs, _, _ in sp.grade_list()[1:]:
        miss = blocks[gs.column].isna()
        lg.add(gs.column, "estimate", "in", f"blocks estimated for {g}", blocks=float(len(blocks)),
               tonnes=float(t.sum()))  # fmt: skip
        lg.add(gs.column, "estimate", "removed", f"too few {gs.column} samples in the last pass",
               blocks=float(miss.sum()), tonnes=float(t[miss.to_numpy()].sum()))  # fmt: skip
        lg.add(gs.column, "estimate", "out", "", blocks=float((~miss).sum()),
               tonnes=float(t[~miss.to_numpy()].sum()))  # fmt: skip
    un = (blocks["class"] == "unclassified").to_numpy()
    lg.add(g, "classify", "in", "", blocks=float(len(blocks)), tonnes=float(t.sum()))
    lg.add(g, "classify", "removed", "meets no class's criteria (unclassified)",
           blocks=float(un.sum()), tonnes=float(t[un].sum()))  # fmt: skip
    lg.add(g, "classify", "out", "", blocks=float((~un).sum()), tonnes=float(t[~un].sum()))
    cut = sp.report.reporting_cutoff
    if cut is None:
        cut = sp.report.cutoffs[0]
    on = sp.report.cutoff_on or g
    below = ~un & ~(blocks[on].to_numpy(dtype=float) >= cut)
    lg.add(
        g,
        "report",
        "in",
        "classified blocks",
        blocks=float((~un).sum()),
        tonnes=float(t[~un].sum()),
    )
    lg.add(g, "report", "removed", f"{on} below the reporting cut-off {cut:g}",
           blocks=float(below.sum()), tonnes=float(t[below].sum()))  # fmt: skip
    rep = ~un & ~below
    lg.add(g, "report", "out", "reported", blocks=float(rep.sum()), tonnes=float(t[rep].sum()))
