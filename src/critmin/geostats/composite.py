"""Compositing, domain coding, top-cutting and cell declustering.

Residual-composite rule
-----------------------
Compositing runs down each hole (or each run of one domain in a hole when a
domain column is given) from the top of its first interval to the bottom of its
last, in steps of the composite length :math:`L`. What is left at the bottom,
the residual :math:`r < L`, is treated by ``residual``:

``"merge_half"`` (default)
    kept as its own composite when :math:`r \\ge L/2`, otherwise added to the
    composite above (which becomes up to :math:`1.5 L` long);
``"keep"``
    always kept as a short composite;
``"drop"``
    discarded;
``"equalize"``
    the run is cut into :math:`n = \\max(1, \\mathrm{round}(T/L))` composites of
    equal length :math:`T/n` (no residual at all).

A composite's grade is the length-weighted mean of the assayed parts it covers;
unassayed gaps carry no weight. A composite whose assayed length is less than
``min_coverage`` of its length gets no grade (NaN).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

__all__ = [
    "Residual",
    "assign_domain",
    "cell_declustering",
    "composite",
    "top_cut",
]

Residual = Literal["merge_half", "keep", "drop", "equalize"]


def _boundaries(start: float, end: float, length: float, residual: Residual) -> np.ndarray:
    total = end - start
    if total <= 0:
        return np.empty(0)
    if residual == "equalize":
        n = max(1, round(total / length))
        return start + np.linspace(0.0, total, n + 1)
    n_full = int(np.floor(total / length + 1e-9))
    b = start + length * np.arange(n_full + 1)
    r = end - b[-1]
    if r <= 1e-9:
        b[-1] = end
        return b
    if residual == "keep" or (residual == "merge_half" and r >= length / 2) or n_full == 0:
        if residual == "drop" and n_full == 0:
            return np.empty(0)
        return np.append(b, end)
    if residual == "merge_half":
        b[-1] = end
        return b
    return b  # drop


def composite(
    table: pd.DataFrame,
    length: float,
    columns: list[str],
    domain: str | None = None,
    residual: Residual = "merge_half",
    min_coverage: float = 0.5,
) -> pd.DataFrame:
    """Regularise interval grades to a fixed downhole length.

    Parameters
    ----------
    table : pandas.DataFrame
        Intervals ``hole, from, to`` [m] with the value columns, sorted by hole
        and depth, without overlaps (as :func:`read_drillholes` returns them).
    length : float
        Composite length. [m]
    columns : list of str
        Value (grade) columns to composite. [grade unit, e.g. %]
    domain : str, optional
        Column of domain codes; composites never cross a change of domain.
    residual : {"merge_half", "keep", "drop", "equalize"}
        What to do with the residual at the bottom of a run (module docstring).
    min_coverage : float
        Least assayed fraction of a composite for it to get a grade. [fraction]

    Returns
    -------
    pandas.DataFrame
        ``hole, from, to, length`` [m], ``domain`` column if given, and one
        column per value column (length-weighted mean, NaN where coverage is
        short) plus ``coverage`` (assayed fraction of the first value column)
        and ``coverage_<column>`` for every value column. [fraction]
    """
    if length <= 0:
        raise ValidationError(f"composite length must be positive, not {length}")
    if residual not in ("merge_half", "keep", "drop", "equalize"):
        raise ValidationError(f"unknown residual rule {residual!r}")
    if not 0 <= min_coverage <= 1:
        raise ValidationError(f"min_coverage must be in [0, 1], not {min_coverage}")
    missing = [c for c in [*columns, *([domain] if domain else [])] if c not in table]
    if missing:
        raise ValidationError(f"no column(s) {missing} in the interval table")
    t = table.sort_values(["hole", "from"], kind="stable").reset_index(drop=True)
    hole = t["hole"].astype(str).to_numpy()
    key = pd.Series(hole)
    if domain is not None:
        dom = t[domain].astype(str).where(t[domain].notna(), "")
        key = key + "\x00" + dom
    run_id = (key != key.shift()).cumsum().to_numpy()
    f = t["from"].to_numpy(dtype=float)
    to = t["to"].to_numpy(dtype=float)
    vals = t[columns].to_numpy(dtype=float)
    rows: list[dict[str, object]] = []
    starts = np.flatnonzero(np.r_[True, run_id[1:] != run_id[:-1]])
    ends = np.r_[starts[1:], len(t)]
    for s, e in zip(starts, ends, strict=True):
        if domain is not None and (t.at[s, domain] is None or pd.isna(t.at[s, domain])):
            continue
        b = _boundaries(f[s], to[e - 1], length, residual)
        if len(b) < 2:
            continue
        xp = np.column_stack([f[s:e], to[s:e]]).ravel()
        seg_len = to[s:e] - f[s:e]
        out: dict[str, np.ndarray] = {}
        covs: dict[str, np.ndarray] = {}
        cov0 = None
        for j, c in enumerate(columns):
            v = vals[s:e, j]
            ok = ~np.isnan(v)
            wm = np.where(ok, v * seg_len, 0.0)
            wl = np.where(ok, seg_len, 0.0)
            cm = np.column_stack([np.cumsum(wm) - wm, np.cumsum(wm)]).ravel()
            cl = np.column_stack([np.cumsum(wl) - wl, np.cumsum(wl)]).ravel()
            m = np.diff(np.interp(b, xp, cm))
            sl = np.diff(np.interp(b, xp, cl))
            clen = np.diff(b)
            with np.errstate(invalid="ignore", divide="ignore"):
                g = np.where(sl > 0, m / np.where(sl > 0, sl, 1.0), np.nan)
            cov = sl / clen
            g[cov < min_coverage - 1e-12] = np.nan
            out[c] = g
            covs[c] = cov
            if cov0 is None:
                cov0 = cov
        for i in range(len(b) - 1):
            row: dict[str, object] = {
                "hole": hole[s],
                "from": b[i],
                "to": b[i + 1],
                "length": b[i + 1] - b[i],
            }
            if domain is not None:
                row["domain"] = t.at[s, domain]
            for c in columns:
                row[c] = out[c][i]
            row["coverage"] = cov0[i] if cov0 is not None else np.nan
            for c in columns:
                row[f"coverage_{c}"] = covs[c][i]
            rows.append(row)
    cols = ["hole", "from", "to", "length", *(["domain"] if domain else []), *columns, "coverage"]
    cols += [f"coverage_{c}" for c in columns]
    return pd.DataFrame(rows, columns=cols)


def assign_domain(table: pd.DataFrame, codes: pd.DataFrame, column: str) -> pd.Series:
    """Domain code of each interval: the code covering most of its length.

    Parameters
    ----------
    table : pandas.DataFrame
        Intervals ``hole, from, to``. [m]
    codes : pandas.DataFrame
        Coded intervals (e.g. lithology) ``hole, from, to`` [m] and ``column``.
    column : str
        Column of ``codes`` holding the domain code.

    Returns
    -------
    pandas.Series
        Code per row of ``table`` (NaN where no coded interval overlaps).
    """
    if column not in codes:
        raise ValidationError(f"no column {column!r} in the domain table")
    out = pd.Series(np.nan, index=table.index, dtype=object)
    groups = codes.groupby("hole", sort=False)
    for h, g_idx in table.groupby("hole", sort=False).groups.items():
        if h not in groups.groups:
            continue
        cg = groups.get_group(h)
        a = table.loc[g_idx]
        ov = np.clip(
            np.minimum(a["to"].to_numpy()[:, None], cg["to"].to_numpy()[None, :])
            - np.maximum(a["from"].to_numpy()[:, None], cg["from"].to_numpy()[None, :]),
            0.0,
            None,
        )
        best = ov.argmax(axis=1)
        has = ov.max(axis=1) > 0
        vals = cg[column].to_numpy()[best]
        out.loc[g_idx[has]] = vals[has]
    return out


def top_cut(
    values: np.ndarray, cap: float, lengths: np.ndarray | None = None
) -> tuple[np.ndarray, dict[str, float]]:
    """Cap grades at a top-cut value.

    Parameters
    ----------
    values : array
        Grades. [grade unit]
    cap : float
        Top-cut grade. [grade unit]
    lengths : array, optional
        Sample lengths for the length-weighted metal lost. [m]

    Returns
    -------
    capped : numpy.ndarray
        Grades with values above ``cap`` set to ``cap``.
    info : dict
        ``n_cut`` (samples capped), ``mean_before``, ``mean_after`` and
        ``metal_removed`` (fraction of grade x length removed).
    """
    v = np.asarray(values, dtype=float)
    w = np.ones_like(v) if lengths is None else np.asarray(lengths, dtype=float)
    capped = np.where(v > cap, cap, v)
    ok = ~np.isnan(v)
    before = float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")
    after = float(np.sum(capped[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")
    return capped, {
        "n_cut": float(np.sum(v[ok] > cap)),
        "mean_before": before,
        "mean_after": after,
        "metal_removed": 1.0 - after / before if before else 0.0,
    }


def cell_declustering(
    xyz: np.ndarray,
    values: np.ndarray,
    cell_sizes: np.ndarray,
    anisotropy: tuple[float, float] = (1.0, 1.0),
    n_offsets: int = 8,
    minimise: bool = True,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Cell declustering weights (GSLIB ``declus``).

    Parameters
    ----------
    xyz : array, shape (n, 3) or (n, 2)
        Sample coordinates. [m]
    values : array
        Sample values. [grade unit]
    cell_sizes : array
        Cell sizes in x to try. [m]
    anisotropy : tuple of float
        Cell size in y and z as multiples of the x size. [ratio]
    n_offsets : int
        Grid origins tried per size (averaged).
    minimise : bool
        Pick the size with the smallest declustered mean (high grades
        clustered, the usual case); else the largest.

    Returns
    -------
    weights : numpy.ndarray
        Weights of the chosen size, mean 1.
    table : pandas.DataFrame
        ``cell_size`` [m] and ``declustered_mean`` [grade unit] per size; the
        chosen size has ``chosen`` True.

    Notes
    -----
    For a grid of cells, each sample gets :math:`w_i = 1 / (n_c\\, N)` where
    :math:`n_c` is the number of samples in its cell and :math:`N` the number
    of occupied cells; weights are averaged over shifted grid origins.

    References
    ----------
    Deutsch, C.V. & Journel, A.G. (1998). GSLIB, 2nd ed., program declus.
    """
    xyz = np.asarray(xyz, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = ~np.isnan(v)
    pts = xyz[ok]
    vv = v[ok]
    if len(vv) == 0:
        raise ValidationError("no values to decluster")
    ratio = np.array([1.0, *anisotropy][: pts.shape[1]])
    lo = pts.min(axis=0)
    rows = []
    all_w = []
    for size in np.asarray(cell_sizes, dtype=float):
        if size <= 0:
            raise ValidationError("cell sizes must be positive")
        cs = size * ratio
        w = np.zeros(len(vv))
        for k in range(n_offsets):
            off = cs * k / n_offsets
            idx = np.floor((pts - lo + off) / cs).astype(np.int64)
            _, inv, counts = np.unique(idx, axis=0, return_inverse=True, return_counts=True)
            inv = inv.ravel()
            w += 1.0 / (counts[inv] * len(counts))
        w /= n_offsets
        w *= len(vv) / w.sum()
        all_w.append(w)
        rows.append({"cell_size": float(size), "declustered_mean": float(np.sum(w * vv) / len(vv))})
    table = pd.DataFrame(rows)
    means = table["declustered_mean"].to_numpy()
    best = int(np.argmin(means) if minimise else np.argmax(means))
    table["chosen"] = np.arange(len(table)) == best
    weights = np.full(len(v), np.nan)
    weights[ok] = all_w[best]
    return weights, table
