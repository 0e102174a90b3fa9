"""Ordinary kriging with a moving search neighbourhood, compiled with numba.

Neighbours are found with a kd-tree (:class:`scipy.spatial.cKDTree`) built in the
search-ellipsoid space (coordinates rotated and divided by the search ranges, so
the ellipsoid is the unit sphere). From the ``candidates`` nearest samples inside
the ellipsoid, a compiled kernel keeps at most ``max_samples``, with at most
``max_per_hole`` from one hole and ``max_per_octant`` per octant of the
ellipsoid, nearest first, then builds and solves each kriging system. Targets are
processed in parallel (numba ``prange``), in chunks.

Notes
-----
For samples :math:`x_1..x_n` and a block :math:`V` discretised into points
:math:`v_1..v_m`, ordinary kriging solves

.. math::

    \\begin{pmatrix} C_{11} & \\cdots & C_{1n} & 1 \\\\ \\vdots & & \\vdots & \\vdots \\\\
    C_{n1} & \\cdots & C_{nn} & 1 \\\\ 1 & \\cdots & 1 & 0 \\end{pmatrix}
    \\begin{pmatrix} \\lambda_1 \\\\ \\vdots \\\\ \\lambda_n \\\\ \\mu \\end{pmatrix} =
    \\begin{pmatrix} \\bar C_{1V} \\\\ \\vdots \\\\ \\bar C_{nV} \\\\ 1 \\end{pmatrix}

with :math:`C_{ij} = C(x_i - x_j)` and
:math:`\\bar C_{iV} = \\frac{1}{m} \\sum_k C(x_i - v_k)`. The estimate is
:math:`z^*_V = \\sum_i \\lambda_i z_i` (the weights sum to one) and the kriging
variance :math:`\\sigma^2_{OK} = \\bar C_{VV} - \\sum_i \\lambda_i \\bar C_{iV} - \\mu`.

Nugget convention (as GSLIB ``kt3d``): the nugget is on the diagonal of the
sample matrix. For point kriging (one discretisation point) the right-hand side
includes the nugget when a sample coincides with the target, so kriging is an
exact interpolator, and :math:`\\bar C_{VV} = C(0)`. For block kriging (more than
one point) the nugget is left out of :math:`\\bar C_{iV}` and :math:`\\bar C_{VV}`.

References
----------
Isaaks, E.H. & Srivastava, R.M. (1989). An Introduction to Applied Geostatistics,
chapter 12 (ordinary kriging) and 13 (block kriging). Oxford University Press.
Deutsch, C.V. & Journel, A.G. (1998). GSLIB, 2nd ed., program kt3d.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit, prange

from critmin.errors import ValidationError
from critmin.geostats.variogram import VariogramModel, anisotropy_matrix

__all__ = [
    "Search",
    "cross_validate",
    "discretisation_offsets",
    "kriging_weights",
    "neighbour_candidates",
    "ordinary_kriging",
]

_EPS2 = 1e-20


@dataclass(frozen=True)
class Search:
    """Search neighbourhood of one kriging pass.

    Parameters
    ----------
    ranges : tuple of float
        Major, semi-major and minor radii of the search ellipsoid. [m]
    azimuth, dip, rake : float
        Orientation of the ellipsoid (see :mod:`critmin.geostats.variogram`). [degrees]
    min_samples : int
        Fewest samples to estimate; otherwise the target is left for a later pass.
    max_samples : int
        Most samples used.
    max_per_hole : int, optional
        Most samples from one drillhole (0 or None: no limit).
    max_per_octant : int, optional
        Most samples per octant of the ellipsoid (0 or None: no limit).
    candidates : int, optional
        Nearest samples examined per target before the hole and octant limits;
        default ``max(4 * max_samples, 64)``.
    """

    ranges: tuple[float, float, float]
    azimuth: float = 0.0
    dip: float = 0.0
    rake: float = 0.0
    min_samples: int = 4
    max_samples: int = 24
    max_per_hole: int | None = None
    max_per_octant: int | None = None
    candidates: int | None = None

    def __post_init__(self) -> None:
        if self.min_samples < 1 or self.max_samples < self.min_samples:
            raise ValidationError(
                f"need 1 <= min_samples <= max_samples, got {self.min_samples}, {self.max_samples}"
            )
        anisotropy_matrix(self.ranges)  # validates ranges

    def matrix(self) -> np.ndarray:
        """Matrix to the search space where the ellipsoid is the unit sphere."""
        return anisotropy_matrix(self.ranges, self.azimuth, self.dip, self.rake)

    def scaled(self, factor: float, **changes: int) -> Search:
        """The same search with ranges multiplied by ``factor``. [ratio]"""
        r = tuple(float(x) * factor for x in self.ranges)
        return replace(self, ranges=r, **changes)  # type: ignore[arg-type]


def discretisation_offsets(
    block_size: tuple[float, float, float] | None, counts: tuple[int, int, int] = (1, 1, 1)
) -> np.ndarray:
    """Offsets of the discretisation points from a block centre.

    Parameters
    ----------
    block_size : tuple of float, optional
        Block size in x, y, z; None for point kriging. [m]
    counts : tuple of int
        Points along x, y, z.

    Returns
    -------
    numpy.ndarray
        Shape ``(nx * ny * nz, 3)``; points at the centres of equal sub-cells. [m]
    """
    if block_size is None or int(np.prod(counts)) == 1:
        return np.zeros((1, 3))
    axes = [(np.arange(n) + 0.5) / n * s - s / 2 for n, s in zip(counts, block_size, strict=True)]
    g = np.meshgrid(*axes, indexing="ij")
    return np.column_stack([a.ravel() for a in g])


@njit(cache=True, inline="always")
def _cov(dx, dy, dz, nugget, codes, sills, mats, with_nugget):  # type: ignore[no-untyped-def]
    h2 = dx * dx + dy * dy + dz * dz
    c = 0.0
    if h2 < _EPS2:
        if with_nugget:
            c = nugget
        for s in range(codes.shape[0]):
            c += sills[s]
        return c
    for s in range(codes.shape[0]):
        m = mats[s]
        a = m[0, 0] * dx + m[0, 1] * dy + m[0, 2] * dz
        b = m[1, 0] * dx + m[1, 1] * dy + m[1, 2] * dz
        e = m[2, 0] * dx + m[2, 1] * dy + m[2, 2] * dz
        r2 = a * a + b * b + e * e
        k = codes[s]
        if k == 0:
            if r2 < 1.0:
                r = np.sqrt(r2)
                c += sills[s] * (1.0 - 1.5 * r + 0.5 * r * r2)
        elif k == 1:
            c += sills[s] * np.exp(-3.0 * np.sqrt(r2))
        else:
            c += sills[s] * np.exp(-3.0 * r2)
    return c


@njit(cache=True)
def _solve(a, b, n):  # type: ignore[no-untyped-def]
    """Gaussian elimination with partial pivoting, in place; False if singular."""
    scale = 0.0
    for i in range(n):
        for j in range(n):
            v = abs(a[i, j])
            if v > scale:
                scale = v
    tiny = 1e-12 * scale if scale > 0 else 1e-300
    for k in range(n):
        p = k
        best = abs(a[k, k])
        for i in range(k + 1, n):
            v = abs(a[i, k])
            if v > best:
                best = v
                p = i
        if best <= tiny:
            return False
        if p != k:
            for j in range(n):
                t = a[k, j]
                a[k, j] = a[p, j]
                a[p, j] = t
            t = b[k]
            b[k] = b[p]
            b[p] = t
        piv = a[k, k]
        for i in range(k + 1, n):
            f = a[i, k] / piv
            if f != 0.0:
                for j in range(k, n):
                    a[i, j] -= f * a[k, j]
                b[i] -= f * b[k]
    for i in range(n - 1, -1, -1):
        s = b[i]
        for j in range(i + 1, n):
            s -= a[i, j] * b[j]
        b[i] = s / a[i, i]
    return True


@njit(parallel=True, cache=True)
def _ok_kernel(  # type: ignore[no-untyped-def]
    dxyz,
    dval,
    dhole,
    cand,
    targets,
    disc,
    smat,
    min_s,
    max_s,
    max_hole,
    max_oct,
    excl_idx,
    excl_hole,
    nugget,
    codes,
    sills,
    mats,
    cbb,
    est,
    var,
    nused,
    nholes,
    dmean,
    dnear,
    wsum,
):
    m = targets.shape[0]
    k_cand = cand.shape[1]
    n_data = dxyz.shape[0]
    nd = disc.shape[0]
    point = nd == 1
    for i in prange(m):
        sel = np.empty(max_s, dtype=np.int64)
        octc = np.zeros(8, dtype=np.int64)
        cnt = 0
        tx = targets[i, 0]
        ty = targets[i, 1]
        tz = targets[i, 2]
        for j in range(k_cand):
            idx = cand[i, j]
            if idx >= n_data or idx < 0:
                break
            if idx == excl_idx[i]:
                continue
            if excl_hole[i] >= 0 and dhole[idx] == excl_hole[i]:
                continue
            if max_hole > 0:
                same = 0
                for q in range(cnt):
                    if dhole[sel[q]] == dhole[idx]:
                        same += 1
                if same >= max_hole:
                    continue
            o = 0
            if max_oct > 0:
                ddx = dxyz[idx, 0] - tx
                ddy = dxyz[idx, 1] - ty
                ddz = dxyz[idx, 2] - tz
                for ax in range(3):
                    pr = smat[ax, 0] * ddx + smat[ax, 1] * ddy + smat[ax, 2] * ddz
                    if pr > 0:
                        o += 1 << ax
                if octc[o] >= max_oct:
                    continue
                octc[o] += 1
            sel[cnt] = idx
            cnt += 1
            if cnt == max_s:
                break
        nused[i] = cnt
        if cnt < min_s or cnt == 0:
            est[i] = np.nan
            var[i] = np.nan
            nholes[i] = 0
            dmean[i] = np.nan
            dnear[i] = np.nan
            wsum[i] = np.nan
            continue
        n1 = cnt + 1
        a = np.empty((n1, n1))
        b = np.empty(n1)
        for p in range(cnt):
            ip = sel[p]
            for q in range(p, cnt):
                iq = sel[q]
                c = _cov(
                    dxyz[ip, 0] - dxyz[iq, 0],
                    dxyz[ip, 1] - dxyz[iq, 1],
                    dxyz[ip, 2] - dxyz[iq, 2],
                    nugget,
                    codes,
                    sills,
                    mats,
                    True,
                )
                a[p, q] = c
                a[q, p] = c
            a[p, cnt] = 1.0
            a[cnt, p] = 1.0
            acc = 0.0
            for k in range(nd):
                acc += _cov(
                    dxyz[ip, 0] - tx - disc[k, 0],
                    dxyz[ip, 1] - ty - disc[k, 1],
                    dxyz[ip, 2] - tz - disc[k, 2],
                    nugget,
                    codes,
                    sills,
                    mats,
                    point,
                )
            b[p] = acc / nd
        a[cnt, cnt] = 0.0
        b[cnt] = 1.0
        rhs = b.copy()
        ok = _solve(a, b, n1)
        if not ok:
            est[i] = np.nan
            var[i] = np.nan
            nholes[i] = 0
            dmean[i] = np.nan
            dnear[i] = np.nan
            wsum[i] = np.nan
            continue
        e = 0.0
        s = 0.0
        lc = 0.0
        dsum = 0.0
        dmin = np.inf
        for p in range(cnt):
            ip = sel[p]
            e += b[p] * dval[ip]
            s += b[p]
            lc += b[p] * rhs[p]
            ddx = dxyz[ip, 0] - tx
            ddy = dxyz[ip, 1] - ty
            ddz = dxyz[ip, 2] - tz
            dd = np.sqrt(ddx * ddx + ddy * ddy + ddz * ddz)
            dsum += dd
            if dd < dmin:
                dmin = dd
        est[i] = e
        var[i] = cbb - lc - b[cnt]
        wsum[i] = s
        dmean[i] = dsum / cnt
        dnear[i] = dmin
        nh = 0
        for p in range(cnt):
            new = True
            for q in range(p):
                if dhole[sel[q]] == dhole[sel[p]]:
                    new = False
                    break
            if new:
                nh += 1
        nholes[i] = nh


def _block_covariance(model: VariogramModel, disc: np.ndarray) -> float:
    if len(disc) == 1:
        return model.sill
    h = (disc[:, None, :] - disc[None, :, :]).reshape(-1, 3)
    c = model.covariance(h)
    c[np.einsum("ij,ij->i", h, h) < _EPS2] -= model.nugget
    return float(c.mean())


def neighbour_candidates(
    tree: object, smat: np.ndarray, targets: np.ndarray, k: int, workers: int = -1
) -> np.ndarray:
    """Indices of the ``k`` nearest samples inside the unit search ellipsoid.

    Parameters
    ----------
    tree : scipy.spatial.cKDTree
        Tree of the samples in search space (``xyz @ smat.T``).
    smat : array, shape (3, 3)
        Search matrix (:meth:`Search.matrix`).
    targets : array, shape (m, 3)
        Target coordinates. [m]
    k : int
        Candidates per target.
    workers : int
        Threads for the query (-1: all cores).

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, int64; ``n`` (the number of samples) marks no sample.
    """
    _, idx = tree.query(  # type: ignore[attr-defined]
        targets @ smat.T, k=k, distance_upper_bound=1.0 + 1e-9, workers=workers
    )
    idx = np.asarray(idx, dtype=np.int64)
    return idx.reshape(len(targets), k)


def _hole_codes(holes: np.ndarray | None, n: int) -> np.ndarray:
    if holes is None:
        return np.arange(n, dtype=np.int64)
    _, codes = np.unique(np.asarray(holes).astype(str), return_inverse=True)
    return codes.astype(np.int64).ravel()


def ordinary_kriging(
    data_xyz: np.ndarray,
    values: np.ndarray,
    targets: np.ndarray,
    model: VariogramModel,
    search: Search | list[Search],
    holes: np.ndarray | None = None,
    block_size: tuple[float, float, float] | None = None,
    discretisation: tuple[int, int, int] = (1, 1, 1),
    chunk_size: int = 100_000,
    _exclude_self: bool = False,
    _exclude_hole: bool = False,
) -> pd.DataFrame:
    """Ordinary kriging of points or blocks with one or more search passes.

    Parameters
    ----------
    data_xyz : array, shape (n, 3)
        Sample (composite) coordinates. [m]
    values : array
        Sample grades; NaN samples are dropped. [grade unit]
    targets : array, shape (m, 3)
        Block centres or points to estimate. [m]
    model : VariogramModel
        Variogram model of the grade.
    search : Search or list of Search
        Search passes, tried in order; a target left unestimated by a pass (too
        few samples) goes to the next one.
    holes : array of str, optional
        Hole id of each sample (for ``max_per_hole`` and hole counts).
    block_size : tuple of float, optional
        Block size for block kriging. [m]
    discretisation : tuple of int
        Discretisation points per block along x, y, z (1, 1, 1: point kriging).
    chunk_size : int
        Targets per chunk (bounds the memory of the neighbour lists).

    Returns
    -------
    pandas.DataFrame
        One row per target: ``estimate`` [grade unit], ``variance`` (kriging
        variance) [grade unit squared], ``n_samples``, ``n_holes``,
        ``mean_distance`` and ``nearest_distance`` [m], ``sum_weights``,
        ``search_pass`` (1-based; 0 = not estimated).
    """
    from scipy.spatial import cKDTree

    passes = [search] if isinstance(search, Search) else list(search)
    if not passes:
        raise ValidationError("at least one search pass is needed")
    xyz = np.ascontiguousarray(np.asarray(data_xyz, dtype=float))
    v = np.asarray(values, dtype=float)
    if xyz.ndim != 2 or xyz.shape[1] != 3 or len(xyz) != len(v):
        raise ValidationError("data_xyz must be (n, 3) and match values")
    keep = ~np.isnan(v) & np.isfinite(xyz).all(axis=1)
    hole_codes = _hole_codes(holes, len(v))
    orig_idx = np.flatnonzero(keep)
    xyz, v, hole_codes = xyz[keep], v[keep], hole_codes[keep]
    tg = np.ascontiguousarray(np.asarray(targets, dtype=float).reshape(-1, 3))
    m = len(tg)
    disc = discretisation_offsets(block_size, discretisation)
    cbb = _block_covariance(model, disc)
    nugget, codes, sills, mats = model.arrays()
    out = {
        "estimate": np.full(m, np.nan),
        "variance": np.full(m, np.nan),
        "n_samples": np.zeros(m, dtype=np.int64),
        "n_holes": np.zeros(m, dtype=np.int64),
        "mean_distance": np.full(m, np.nan),
        "nearest_distance": np.full(m, np.nan),
        "sum_weights": np.full(m, np.nan),
        "search_pass": np.zeros(m, dtype=np.int64),
    }
    if len(v) == 0 or m == 0:
        return pd.DataFrame(out)
    # for cross-validation: map target i (a datum in the original order) to the kept index
    pos_of = np.full(len(keep), -1, dtype=np.int64)
    pos_of[orig_idx] = np.arange(len(orig_idx))
    todo = np.arange(m)
    for pno, sp in enumerate(passes, start=1):
        if len(todo) == 0:
            break
        smat = sp.matrix()
        tree = cKDTree(xyz @ smat.T)
        extra = 1 if _exclude_self else 0
        if _exclude_hole:
            extra = int(np.bincount(hole_codes).max())
        k = min(len(v), (sp.candidates or max(4 * sp.max_samples, 64)) + extra)
        for c0 in range(0, len(todo), chunk_size):
            sub = todo[c0 : c0 + chunk_size]
            tsub = tg[sub]
            cand = neighbour_candidates(tree, smat, tsub, k)
            n_sub = len(sub)
            excl_idx = pos_of[sub] if _exclude_self else np.full(n_sub, -1, dtype=np.int64)
            excl_hole = (
                hole_codes[np.maximum(pos_of[sub], 0)]
                if _exclude_hole
                else np.full(n_sub, -1, dtype=np.int64)
            )
            if _exclude_hole:
                excl_hole = np.where(pos_of[sub] >= 0, excl_hole, -1)
            res = [np.empty(n_sub) for _ in range(2)]
            nu = np.empty(n_sub, dtype=np.int64)
            nh = np.empty(n_sub, dtype=np.int64)
            dm, dn, ws = (np.empty(n_sub) for _ in range(3))
            _ok_kernel(
                xyz,
                v,
                hole_codes,
                cand,
                tsub,
                disc,
                smat,
                sp.min_samples,
                sp.max_samples,
                sp.max_per_hole or 0,
                sp.max_per_octant or 0,
                excl_idx,
                excl_hole,
                nugget,
                codes,
                sills,
                mats,
                cbb,
                res[0],
                res[1],
                nu,
                nh,
                dm,
                dn,
                ws,
            )
            done = ~np.isnan(res[0])
            idx = sub[done]
            out["estimate"][idx] = res[0][done]
            out["variance"][idx] = res[1][done]
            out["n_samples"][idx] = nu[done]
            out["n_holes"][idx] = nh[done]
            out["mean_distance"][idx] = dm[done]
            out["nearest_distance"][idx] = dn[done]
            out["sum_weights"][idx] = ws[done]
            out["search_pass"][idx] = pno
        todo = todo[out["search_pass"][todo] == 0]
    return pd.DataFrame(out)


def cross_validate(
    data_xyz: np.ndarray,
    values: np.ndarray,
    model: VariogramModel,
    search: Search | list[Search],
    holes: np.ndarray | None = None,
    leave_hole_out: bool = False,
) -> pd.DataFrame:
    """Leave-one-out (or leave-one-hole-out) cross-validation by point kriging.

    Parameters
    ----------
    data_xyz : array, shape (n, 3)
        Sample coordinates. [m]
    values : array
        Sample grades. [grade unit]
    model : VariogramModel
        Variogram model.
    search : Search or list of Search
        Search passes.
    holes : array of str, optional
        Hole ids (needed for ``leave_hole_out``).
    leave_hole_out : bool
        Drop the whole hole of each sample, not just the sample; the honest
        choice for drillholes, whose neighbours down the same hole are close.

    Returns
    -------
    pandas.DataFrame
        ``true``, ``estimate``, ``error`` (estimate - true), ``variance``,
        ``standardised_error`` (error / sqrt(variance)) and the columns of
        :func:`ordinary_kriging`, one row per sample.
    """
    if leave_hole_out and holes is None:
        raise ValidationError("leave_hole_out needs hole ids")
    xyz = np.asarray(data_xyz, dtype=float)
    v = np.asarray(values, dtype=float)
    res = ordinary_kriging(
        xyz,
        v,
        xyz,
        model,
        search,
        holes=holes,
        _exclude_self=True,
        _exclude_hole=leave_hole_out,
    )
    res.insert(0, "true", v)
    res["error"] = res["estimate"] - v
    with np.errstate(invalid="ignore", divide="ignore"):
        res["standardised_error"] = res["error"] / np.sqrt(res["variance"].clip(lower=0))
    return res


def kriging_weights(
    data_xyz: np.ndarray,
    target: np.ndarray,
    model: VariogramModel,
    block_size: tuple[float, float, float] | None = None,
    discretisation: tuple[int, int, int] = (1, 1, 1),
) -> tuple[np.ndarray, float, float]:
    """Ordinary kriging weights of one target with all given samples (NumPy path).

    Parameters
    ----------
    data_xyz : array, shape (n, 3)
        Sample coordinates. [m]
    target : array, shape (3,)
        Target (block centre). [m]
    model : VariogramModel
        Variogram model.
    block_size : tuple of float, optional
        Block size for block kriging. [m]
    discretisation : tuple of int
        Discretisation points along x, y, z.

    Returns
    -------
    weights : numpy.ndarray
        :math:`\\lambda_i`, summing to one.
    mu : float
        Lagrange multiplier. [grade unit squared]
    variance : float
        Kriging variance :math:`\\sigma^2_{OK}`. [grade unit squared]
    """
    xyz = np.asarray(data_xyz, dtype=float)
    n = len(xyz)
    disc = discretisation_offsets(block_size, discretisation)
    point = len(disc) == 1
    a = np.ones((n + 1, n + 1))
    a[n, n] = 0.0
    h = (xyz[:, None, :] - xyz[None, :, :]).reshape(-1, 3)
    a[:n, :n] = model.covariance(h).reshape(n, n)
    pts = np.asarray(target, dtype=float)[None, :] + disc
    hv = (xyz[:, None, :] - pts[None, :, :]).reshape(-1, 3)
    cv = model.covariance(hv)
    if not point:
        cv[np.einsum("ij,ij->i", hv, hv) < _EPS2] -= model.nugget
    b = np.append(cv.reshape(n, len(disc)).mean(axis=1), 1.0)
    sol = np.linalg.solve(a, b)
    lam, mu = sol[:n], float(sol[n])
    cbb = _block_covariance(model, disc)
    return lam, mu, float(cbb - lam @ b[:n] - mu)
