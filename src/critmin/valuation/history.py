"""Price histories without breaks: one consistent series, or series joined on an overlap.

Pure functions over pandas Series indexed by integer year.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

__all__ = ["join_series"]


def join_series(
    older: pd.Series, newer: pd.Series, *, label_older: str = "older", label_newer: str = "newer"
) -> tuple[pd.Series, dict[str, object]]:
    """Join two annual series, rescaling the older one to the newer on their overlap.

    Parameters
    ----------
    older, newer : pandas.Series
        Positive prices indexed by integer year; they must share at least one year. [USD/t]
    label_older, label_newer : str
        Names used in the returned record.

    Returns
    -------
    tuple of (pandas.Series, dict)
        The joined series (newer values on and after the overlap, rescaled older values
        before it) and a record ``older, newer, overlap_first, overlap_last,
        overlap_years, ratio`` describing the adjustment.

    Raises
    ------
    ValidationError
        No common year, or non-positive prices.

    Notes
    -----
    ratio = exp(mean over overlap years y of ln(newer_y / older_y)): the geometric
    mean ratio of the two definitions. Older values are multiplied by it, so the
    joined series keeps the newer series' level and the older series' movements.
    """
    a = pd.Series(older, dtype=float).dropna()
    b = pd.Series(newer, dtype=float).dropna()
    if (a <= 0).any() or (b <= 0).any():
        raise ValidationError("prices must be positive to join series")
    common = a.index.intersection(b.index)
    if len(common) == 0:
        raise ValidationError(
            f"{label_older} ({a.index.min()}-{a.index.max()}) and {label_newer} "
            f"({b.index.min()}-{b.index.max()}) share no year: cannot adjust the level"
        )
    ratio = math.exp(float(np.mean(np.log(b[common].to_numpy() / a[common].to_numpy()))))
    first = int(min(common))
    head = a[a.index < first] * ratio
    joined = pd.concat([head, b]).sort_index()
    joined = joined[~joined.index.duplicated(keep="last")]
    rec: dict[str, object] = {
        "older": label_older,
        "newer": label_newer,
        "overlap_first": first,
        "overlap_last": int(max(common)),
        "overlap_years": len(common),
        "ratio": ratio,
    }
    return joined, rec
