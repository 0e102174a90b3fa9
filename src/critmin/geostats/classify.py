"""Resource classification of estimated blocks.

Classification rule
-------------------
Each block is given the first class, in the order measured, indicated,
inferred, whose criteria it all meets; an estimated block meeting none, or a
block not estimated, is ``unclassified``. A criterion left as None is not
applied.

``max_pass``
    the search pass that estimated the block is at most this (pass 1 uses the
    nominal search ellipsoid, later passes larger ones);
``min_holes``
    at least this many distinct drillholes informed the block;
``max_distance``
    the mean distance from the block centre to its samples is at most this [m];
``max_relative_variance``
    the kriging variance divided by the variogram sill is at most this;
``min_slope``
    the slope of regression of the true block grade on the estimate is at
    least this (commonly 0.8 for measured, 0.6 for indicated: an assumption
    to state, not a standard);
``min_efficiency``
    the kriging efficiency (BV - KV) / BV is at least this.

The default rule is measured: pass 1, >= 3 holes; indicated: pass <= 2,
>= 2 holes; inferred: any estimated block. Set distances or variances from the
variogram ranges of the deposit (e.g. measured within 2/3 of the range,
indicated within the range), as a Competent Person would (JORC 2012 Table 1,
section 3; CIM 2014 definitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["CLASSES", "ClassCriteria", "ClassificationRule", "classify"]

CLASSES = ("measured", "indicated", "inferred")


@dataclass(frozen=True)
class ClassCriteria:
    """Criteria of one class (all must hold).

    Parameters
    ----------
    max_pass : int, optional
        Highest search pass.
    min_holes : int, optional
        Fewest distinct holes.
    max_distance : float, optional
        Largest mean sample distance. [m]
    max_relative_variance : float, optional
        Largest kriging variance / sill. [ratio]
    min_slope : float, optional
        Smallest slope of regression. [ratio]
    min_efficiency : float, optional
        Smallest kriging efficiency. [ratio]
    """

    max_pass: int | None = None
    min_holes: int | None = None
    max_distance: float | None = None
    max_relative_variance: float | None = None
    min_slope: float | None = None
    min_efficiency: float | None = None


@dataclass(frozen=True)
class ClassificationRule:
    """Criteria per class; see the module docstring."""

    measured: ClassCriteria = field(default_factory=lambda: ClassCriteria(max_pass=1, min_holes=3))
    indicated: ClassCriteria = field(default_factory=lambda: ClassCriteria(max_pass=2, min_holes=2))
    inferred: ClassCriteria = field(default_factory=ClassCriteria)


def _meets(blocks: pd.DataFrame, c: ClassCriteria, sill: float) -> np.ndarray:
    ok = (blocks["search_pass"] > 0).to_numpy().copy()
    if c.max_pass is not None:
        ok &= (blocks["search_pass"] <= c.max_pass).to_numpy()
    if c.min_holes is not None:
        ok &= (blocks["n_holes"] >= c.min_holes).to_numpy()
    if c.max_distance is not None:
        ok &= (blocks["mean_distance"] <= c.max_distance).to_numpy()
    if c.max_relative_variance is not None:
        ok &= (blocks["variance"] / sill <= c.max_relative_variance).to_numpy()
    if c.min_slope is not None:
        ok &= (blocks["slope_of_regression"] >= c.min_slope).to_numpy()
    if c.min_efficiency is not None:
        ok &= (blocks["kriging_efficiency"] >= c.min_efficiency).to_numpy()
    return ok


def classify(
    blocks: pd.DataFrame, rule: ClassificationRule | None = None, sill: float = 1.0
) -> pd.Series:
    """Class of each block.

    Parameters
    ----------
    blocks : pandas.DataFrame
        Kriging output with ``search_pass, n_holes, mean_distance, variance``.
    rule : ClassificationRule, optional
        Criteria; the default rule of the module docstring.
    sill : float
        Variogram sill, for relative variances. [grade unit squared]

    Returns
    -------
    pandas.Series
        ``measured``, ``indicated``, ``inferred`` or ``unclassified``.
    """
    r = rule or ClassificationRule()
    out = np.full(len(blocks), "unclassified", dtype=object)
    todo = np.ones(len(blocks), dtype=bool)
    for name in CLASSES:
        ok = _meets(blocks, getattr(r, name), sill) & todo
        out[ok] = name
        todo &= ~ok
    return pd.Series(out, index=blocks.index, name="class")
