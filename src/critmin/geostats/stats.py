"""Exploration statistics: hit rates, grade distributions and best intercepts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

__all__ = ["best_intercepts", "grade_summary", "hit_rate"]


def hit_rate(table: pd.DataFrame, column: str, threshold: float) -> dict[str, float]:
    """Holes with at least one interval at or above a grade threshold.

    The "copper in 42 of 51 holes" figure of exploration news.

    Parameters
    ----------
    table : pandas.DataFrame
        Intervals with ``hole`` and the grade column.
    column : str
        Grade column. [grade unit]
    threshold : float
        Grade threshold. [grade unit]

    Returns
    -------
    dict
        ``holes_hit``, ``holes_assayed`` (holes with any assay), ``hit_rate``
        (fraction) and ``max_grade``.
    """
    if column not in table:
        raise ValidationError(f"no column {column!r}")
    t = table[table[column].notna()]
    per_hole = t.groupby("hole")[column].max()
    hit = int((per_hole >= threshold).sum())
    n = len(per_hole)
    return {
        "holes_hit": hit,
        "holes_assayed": n,
        "hit_rate": hit / n if n else float("nan"),
        "max_grade": float(per_hole.max()) if n else float("nan"),
    }


def grade_summary(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    quantiles: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99),
) -> dict[str, float]:
    """Weighted summary of a grade distribution.

    Parameters
    ----------
    values : array
        Grades (NaN ignored). [grade unit]
    weights : array, optional
        Weights, e.g. interval lengths [m] or declustering weights.
    quantiles : tuple of float
        Quantiles to report (weighted). [fraction]

    Returns
    -------
    dict
        ``count, mean, std, cv, min, q10.., max`` (keys ``p10`` etc.).
    """
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=float)
    ok = ~np.isnan(v) & ~np.isnan(w)
    v, w = v[ok], w[ok]
    if len(v) == 0:
        raise ValidationError("no values to summarise")
    mean = float(np.sum(w * v) / np.sum(w))
    std = float(np.sqrt(np.sum(w * (v - mean) ** 2) / np.sum(w)))
    order = np.argsort(v)
    cw = np.cumsum(w[order]) / np.sum(w)
    cw_mid = cw - w[order] / np.sum(w) / 2
    out: dict[str, float] = {
        "count": float(len(v)),
        "mean": mean,
        "std": std,
        "cv": std / mean if mean else float("nan"),
        "min": float(v.min()),
    }
    for q in quantiles:
        out[f"p{round(q * 100):d}"] = float(np.interp(q, cw_mid, v[order]))
    out["max"] = float(v.max())
    return out


def best_intercepts(
    table: pd.DataFrame,
    column: str,
    cutoff: float,
    min_width: float = 0.0,
    max_dilution: float = 0.0,
    unit: str = "%",
) -> pd.DataFrame:
    """Length-weighted intercepts above a cut-off, with internal dilution.

    Parameters
    ----------
    table : pandas.DataFrame
        Intervals ``hole, from, to`` [m] and the grade column.
    column : str
        Grade column. [grade unit]
    cutoff : float
        Cut-off grade. [grade unit]
    min_width : float
        Shortest intercept reported. [m]
    max_dilution : float
        Longest run of below-cut-off (or unassayed) core that may be carried
        inside an intercept. [m]
    unit : str
        Grade unit for the text column (``%``, ``g/t``, ``ppm``).

    Returns
    -------
    pandas.DataFrame
        ``hole, from, to, length`` [m], ``grade`` [grade unit],
        ``grade_length`` [grade unit x m] and ``text`` ("12.0 m @ 1.23 % from
        45.0 m"), sorted by ``grade_length`` descending.

    Notes
    -----
    Down each hole, an intercept starts at an interval at or above the cut-off
    and grows interval by interval. A run of waste (below cut-off, unassayed, or
    a gap between intervals) is taken in only if it is no longer than
    ``max_dilution`` and the intercept still averages at least the cut-off once
    the next ore interval is added; otherwise the intercept ends at the last ore
    interval. Grades are length-weighted; waste counts at its grade (unassayed
    core at zero).
    """
    if column not in table:
        raise ValidationError(f"no column {column!r}")
    rows: list[dict[str, object]] = []
    for hole, g in table.sort_values(["hole", "from"]).groupby("hole", sort=False):
        f = g["from"].to_numpy(dtype=float)
        t = g["to"].to_numpy(dtype=float)
        v = np.nan_to_num(g[column].to_numpy(dtype=float), nan=0.0)
        ore = g[column].to_numpy(dtype=float) >= cutoff
        n = len(f)
        i = 0
        while i < n:
            if not ore[i]:
                i += 1
                continue
            start, end = i, i
            metal = v[i] * (t[i] - f[i])
            j = i + 1
            while j < n:
                # waste run from end+1 to the next ore interval k, including gaps
                k = j
                while k < n and not ore[k]:
                    k += 1
                if k == n:
                    break
                gap_len = f[k] - t[end]
                if gap_len > max_dilution + 1e-9:
                    break
                waste_metal = float(np.sum(v[end + 1 : k] * (t[end + 1 : k] - f[end + 1 : k])))
                new_metal = metal + waste_metal + v[k] * (t[k] - f[k])
                if new_metal / (t[k] - f[start]) < cutoff:
                    break
                metal, end = new_metal, k
                j = k + 1
            length = t[end] - f[start]
            if length >= min_width - 1e-9:
                grade = metal / length
                rows.append(
                    {
                        "hole": hole,
                        "from": f[start],
                        "to": t[end],
                        "length": length,
                        "grade": grade,
                        "grade_length": grade * length,
                        "text": f"{length:.1f} m @ {grade:.2f} {unit} from {f[start]:.1f} m",
                    }
                )
            i = end + 1
    out = pd.DataFrame(
        rows, columns=["hole", "from", "to", "length", "grade", "grade_length", "text"]
    )
    return out.sort_values("grade_length", ascending=False, ignore_index=True)
