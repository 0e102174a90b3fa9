"""Overlapping and missing intervals in a drillhole interval table (pure).

Overlap rules
-------------
Re-assays are usually listed after the originals, over the same or a
straddling interval. Within a hole, the depths of every interval start and end
split the hole into elementary segments; a segment covered by more than one
interval is resolved by the rule:

``"error"``
    no rule: an overlap stops the run (the default; ``deposit validate`` lists
    every one).
``"first"``
    the interval listed first in the file (lowest line) wins the segment.
``"last"``
    the interval listed last (highest line, usually the re-assay) wins.
``"longest"``
    the longest interval wins (ties: the first listed).
``"average"``
    every numeric value is the mean of the values covering the segment, each
    weighted by its length inside the segment (all equal there, so the plain
    mean); text values are taken from the first listed interval.

Consecutive segments won by the same interval are joined again, so an interval
that no other overlaps comes out unchanged. The overlapped metres are counted
once afterwards: the removed metres (and grade x length) are the difference,
and are reported in the ledger.

A gap is a stretch between two intervals of a hole that no interval covers; it
is kept as not sampled (no value is made up for it).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["OverlapRule", "find_gaps", "find_overlaps", "resolve_overlaps"]

OverlapRule = Literal["error", "first", "last", "longest", "average"]
_EPS = 1e-9


def find_overlaps(df: pd.DataFrame) -> pd.DataFrame:
    """Intervals that start before the end of an earlier interval of their hole.

    Parameters
    ----------
    df : pandas.DataFrame
        ``hole, from, to`` [m] and ``line`` (file line).

    Returns
    -------
    pandas.DataFrame
        ``hole, line, from, to, other_line, other_to`` for each overlapping
        interval, ``other_*`` being the interval it overlaps (the one reaching
        deepest among those before it).
    """
    s = df.sort_values(["hole", "from", "line"], kind="stable")
    reach = s.groupby("hole", sort=False)["to"].cummax()
    prev_reach = reach.groupby(s["hole"], sort=False).shift()
    over = s["from"] < prev_reach - _EPS
    if not over.any():
        return pd.DataFrame(columns=["hole", "line", "from", "to", "other_line", "other_to"])
    # the earlier interval reaching deepest
    pos = np.arange(len(s))
    is_max = s["to"].to_numpy() >= reach.to_numpy() - _EPS
    src = pd.Series(np.where(is_max, pos, -1)).replace(-1, np.nan)
    src = src.groupby(s["hole"].to_numpy()).ffill()
    prev_src = src.groupby(s["hole"].to_numpy()).shift().to_numpy()
    o = over.to_numpy()
    other = prev_src[o].astype(int)
    return pd.DataFrame(
        {
            "hole": s["hole"].to_numpy()[o],
            "line": s["line"].to_numpy()[o],
            "from": s["from"].to_numpy()[o],
            "to": s["to"].to_numpy()[o],
            "other_line": s["line"].to_numpy()[other],
            "other_to": s["to"].to_numpy()[other],
        }
    )


def find_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Unsampled stretches between the intervals of each hole.

    Returns
    -------
    pandas.DataFrame
        ``hole, line`` (of the interval after the gap), ``from, to, length`` [m].
    """
    s = df.sort_values(["hole", "from", "line"], kind="stable")
    reach = s.groupby("hole", sort=False)["to"].cummax()
    prev = reach.groupby(s["hole"], sort=False).shift()
    gap = s["from"] > prev + _EPS
    g = s[gap.to_numpy()]
    p = prev[gap.to_numpy()]
    return pd.DataFrame(
        {
            "hole": g["hole"].to_numpy(),
            "line": g["line"].to_numpy(),
            "from": p.to_numpy(),
            "to": g["from"].to_numpy(),
            "length": (g["from"] - p).to_numpy(),
        }
    )


def _resolve_hole(g: pd.DataFrame, rule: OverlapRule, numeric: list[str]) -> pd.DataFrame:
    cuts = np.unique(np.concatenate([g["from"].to_numpy(), g["to"].to_numpy()]))
    a, b = cuts[:-1], cuts[1:]
    f = g["from"].to_numpy()[None, :]
    t = g["to"].to_numpy()[None, :]
    cover = (f <= a[:, None] + _EPS) & (t >= b[:, None] - _EPS)  # segment x interval
    seg = cover.any(axis=1)
    a, b, cover = a[seg], b[seg], cover[seg]
    lines = g["line"].to_numpy()
    if rule == "first":
        key = lines
    elif rule == "last":
        key = -lines
    else:  # longest (and average's text columns: first)
        key = lines if rule == "average" else -(g["to"] - g["from"]).to_numpy() * 1e6 + lines
    big = np.where(cover, key[None, :], np.inf)
    win = big.argmin(axis=1)
    rows = g.iloc[win].copy()
    rows["from"] = a
    rows["to"] = b
    if rule == "average":
        n_cov = cover.sum(axis=1)
        for c in numeric:
            v = g[c].to_numpy(dtype=float)[None, :]
            vv = np.where(cover & ~np.isnan(v), v, 0.0).sum(axis=1)
            nn = (cover & ~np.isnan(v)).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                rows[c] = np.where(nn > 0, vv / np.maximum(nn, 1), np.nan)
        rows["_key"] = np.where(n_cov > 1, -np.arange(len(rows)) - 1, win)
    else:
        rows["_key"] = win
    # join consecutive segments won by the same interval
    k = rows["_key"].to_numpy()
    touch = np.r_[False, np.abs(a[1:] - b[:-1]) < _EPS]
    new = ~(touch & (np.r_[-2, k[:-1]] == k))
    grp = np.cumsum(new)
    out = rows.groupby(grp, sort=False).agg({**{c: "first" for c in rows.columns}, "to": "last"})
    return out.drop(columns="_key")


def resolve_overlaps(
    df: pd.DataFrame, rule: OverlapRule, numeric: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply an overlap rule (module docstring) to an interval table.

    Parameters
    ----------
    df : pandas.DataFrame
        ``hole, from, to`` [m], ``line`` and value columns.
    rule : {"first", "last", "longest", "average"}
        Overlap rule.
    numeric : list of str, optional
        Numeric value columns (averaged by ``"average"``).

    Returns
    -------
    table : pandas.DataFrame
        Intervals without overlaps, sorted by hole and depth; ``line`` is the
        line of the winning interval (of the first listed one for averages).
    overlaps : pandas.DataFrame
        :func:`find_overlaps` of the input (empty when there were none).
    """
    ov = find_overlaps(df)
    if ov.empty:
        return df, ov
    if rule == "error":
        raise ValueError("resolve_overlaps needs a rule other than 'error'")
    bad = set(ov["hole"])
    keep = df[~df["hole"].isin(bad)]
    num = [c for c in (numeric or []) if c in df]
    parts = [keep]
    for _, g in df[df["hole"].isin(bad)].groupby("hole", sort=False):
        parts.append(_resolve_hole(g, rule, num))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["hole", "from"], kind="stable").reset_index(drop=True)
    return out, ov
