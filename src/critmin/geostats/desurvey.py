"""Desurveying: positions along drillholes by the minimum-curvature method.

Each pair of survey stations is joined by a circular arc tangent to the two
station directions. Above the first station the hole is straight along the first
direction; below the last station it is straight along the last one.

Notes
-----
A station with azimuth :math:`A` (clockwise from north) and dip :math:`D`
(positive down) has the unit direction

.. math:: t = (\\cos D \\sin A,\\ \\cos D \\cos A,\\ -\\sin D).

Between stations 1 and 2, :math:`\\Delta s` apart, with dogleg angle
:math:`\\beta = \\arccos(t_1 \\cdot t_2)`, the displacement is

.. math:: \\Delta p = \\frac{\\Delta s}{2} (t_1 + t_2) \\frac{2}{\\beta} \\tan\\frac{\\beta}{2}.

A point at distance :math:`s` past station 1 lies on the same arc:
:math:`p = p_1 + R(\\sin\\theta\\, t_1 + (1 - \\cos\\theta)\\, n)`, with
:math:`R = \\Delta s / \\beta`, :math:`\\theta = \\beta s / \\Delta s` and
:math:`n = (t_2 - t_1 \\cos\\beta) / \\sin\\beta`.

References
----------
Sawaryn, S.J. & Thorogood, J.L. (2005). A compendium of directional calculations
based on the minimum curvature method. SPE Drilling & Completion 20(1), 24-36.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from critmin.errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from critmin.geostats.drillholes import Drillholes

__all__ = ["desurvey", "desurvey_table", "direction_vectors", "hole_positions"]


def direction_vectors(azimuth: np.ndarray, dip: np.ndarray) -> np.ndarray:
    """Unit direction vectors (east, north, up) of downhole directions.

    Parameters
    ----------
    azimuth : array
        Azimuth, clockwise from north. [degrees]
    dip : array
        Dip below horizontal, positive down. [degrees]

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)``.
    """
    a = np.radians(np.asarray(azimuth, dtype=float))
    d = np.radians(np.asarray(dip, dtype=float))
    return np.column_stack([np.cos(d) * np.sin(a), np.cos(d) * np.cos(a), -np.sin(d)])


def hole_positions(
    collar_xyz: np.ndarray, at: np.ndarray, azimuth: np.ndarray, dip: np.ndarray, depths: np.ndarray
) -> np.ndarray:
    """Positions of points at given depths along one hole (minimum curvature).

    Parameters
    ----------
    collar_xyz : array, shape (3,)
        Collar easting, northing, elevation. [m]
    at : array
        Survey station depths, increasing. [m]
    azimuth : array
        Station azimuths. [degrees]
    dip : array
        Station dips, positive down. [degrees]
    depths : array
        Depths along the hole at which positions are wanted. [m]

    Returns
    -------
    numpy.ndarray
        Shape ``(len(depths), 3)``. [m]
    """
    at = np.asarray(at, dtype=float)
    if at.size == 0:
        raise ValidationError("a hole needs at least one survey station")
    t = direction_vectors(azimuth, dip)
    if at[0] > 0:
        at = np.concatenate([[0.0], at])
        t = np.vstack([t[:1], t])
    ns = len(at)
    p = np.empty((ns, 3))
    p[0] = np.asarray(collar_xyz, dtype=float) - at[0] * t[0]
    ds = np.diff(at)
    cosb = np.clip(np.einsum("ij,ij->i", t[:-1], t[1:]), -1.0, 1.0)
    beta = np.arccos(cosb)
    small = beta < 1e-9
    rf = np.ones_like(beta)
    rf[~small] = 2.0 / beta[~small] * np.tan(beta[~small] / 2.0)
    step = (ds * rf / 2.0)[:, None] * (t[:-1] + t[1:])
    p[1:] = p[0] + np.cumsum(step, axis=0)

    depths = np.asarray(depths, dtype=float)
    seg = np.clip(np.searchsorted(at, depths, side="right") - 1, 0, ns - 1)
    s = depths - at[seg]
    out = p[seg] + s[:, None] * t[seg]  # straight: last segment and zero doglegs
    inner = seg < ns - 1
    if inner.any():
        k = seg[inner]
        b = beta[k]
        curved = b >= 1e-9
        if curved.any():
            kk = k[curved]
            bb = b[curved]
            si = s[inner][curved]
            theta = bb * si / ds[kk]
            r = ds[kk] / bb
            n = (t[kk + 1] - t[kk] * np.cos(bb)[:, None]) / np.sin(bb)[:, None]
            pos = (
                p[kk]
                + (r * np.sin(theta))[:, None] * t[kk]
                + (r * (1 - np.cos(theta)))[:, None] * n
            )
            idx = np.flatnonzero(inner)[curved]
            out[idx] = pos
    return out


def desurvey(dh: Drillholes, hole: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Positions of points given by hole id and depth.

    Parameters
    ----------
    dh : Drillholes
        Database with collar and survey.
    hole : array of str
        Hole id of each point.
    depth : array
        Depth along the hole. [m]

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 3)`` easting, northing, elevation. [m]
    """
    hole = np.asarray(hole).astype(str)
    depth = np.asarray(depth, dtype=float)
    out = np.full((len(hole), 3), np.nan)
    collar = dh.collar.set_index("hole")
    surveys = {h: g for h, g in dh.survey.groupby("hole", sort=False)}
    order = pd.Series(np.arange(len(hole))).groupby(hole).indices
    for h, idx in order.items():
        if h not in collar.index:
            raise ValidationError(f"hole {h!r} has no collar")
        c = collar.loc[h, ["x", "y", "z"]].to_numpy(dtype=float)
        sv = surveys.get(h)
        if sv is None:
            at, az, dp = np.array([0.0]), np.array([0.0]), np.array([90.0])
        else:
            at, az, dp = (sv[c_].to_numpy(dtype=float) for c_ in ("at", "azimuth", "dip"))
        out[idx] = hole_positions(c, at, az, dp, depth[idx])
    return out


def desurvey_table(dh: Drillholes, table: pd.DataFrame) -> pd.DataFrame:
    """Add mid-point and end-point coordinates to an interval table.

    Parameters
    ----------
    dh : Drillholes
        Database with collar and survey.
    table : pandas.DataFrame
        Intervals with ``hole, from, to``. [m]

    Returns
    -------
    pandas.DataFrame
        Copy with ``x, y, z`` (mid-point) and ``xb, yb, zb, xe, ye, ze``
        (begin and end). [m]
    """
    out = table.copy()
    h = out["hole"].to_numpy().astype(str)
    f = out["from"].to_numpy(dtype=float)
    t = out["to"].to_numpy(dtype=float)
    pts = desurvey(dh, np.concatenate([h, h, h]), np.concatenate([(f + t) / 2, f, t]))
    n = len(out)
    for i, c in enumerate("xyz"):
        out[c] = pts[:n, i]
        out[c + "b"] = pts[n : 2 * n, i]
        out[c + "e"] = pts[2 * n :, i]
    return out
