"""Ordinary kriging with a moving search neighbourhood, compiled with numba.

Neighbours are found by an exact, compiled grid search
(:mod:`critmin.geostats.neighbours`) in the search-ellipsoid space (coordinates
rotated and divided by the search ranges, so the ellipsoid is the unit sphere). From the ``candidates`` nearest samples inside
the ellipsoid, a compiled kernel keeps at most ``max_samples``, with at most
``max_per_hole`` from one hole and ``max_per_octant`` per octant of the
ellipsoid, nearest first, then builds and solves each kriging system. Targets are
processed in parallel (threads running a compiled kernel that releases the GIL),
in chunks.

This module is longer than the project's ~600-line guide on purpose: the numba
kernel (covariance rows, padded Cholesky, fused substitutions) and the driver that
packs its inputs are one unit that is read, tested and benchmarked together.

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
sample matrix only; two distinct samples at the same place share the structured
covariance :math:`C(0) - c_0` (as PyKrige), so duplicates are averaged rather than
making the system singular. For point kriging (one discretisation point) the right-hand side
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

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numba import njit

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
# reassociation lets the short dot products vectorise; no change to NaN/inf semantics
_FASTMATH = {"reassoc", "contract"}
# the short loops of the kriging systems run over whole blocks of this many entries
# (zero or harmless padding), so they vectorise without scalar remainders
_LANES = 8


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
        default ``max(4 * max_samples, 64)`` with such a limit, else ``max_samples``
        (without limits the nearest ``max_samples`` are exactly the ones used).
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
def _pad(n):  # type: ignore[no-untyped-def]
    """``n`` rounded up to a multiple of :data:`_LANES`."""
    return (n + _LANES - 1) // _LANES * _LANES


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _struct_row(out, q0, q1, kind, sill, g0, g1, g2, f0, f1, f2):  # type: ignore[no-untyped-def]
    """``out[q] = `` covariance of one structure between the point ``(f0, f1, f2)``
    and the samples ``(g0[q], g1[q], g2[q])``, all in the structure's normalised
    frame, for ``q0 <= q < q1``. Plain stores (no accumulation), so it vectorises."""
    if kind == 0:
        for q in range(q0, q1):
            x0 = g0[q] - f0
            x1 = g1[q] - f1
            x2 = g2[q] - f2
            r = np.sqrt(x0 * x0 + x1 * x1 + x2 * x2)
            c = sill * (1.0 - r * (1.5 - 0.5 * r * r))
            out[q] = c if r < 1.0 else 0.0
    elif kind == 1:
        for q in range(q0, q1):
            x0 = g0[q] - f0
            x1 = g1[q] - f1
            x2 = g2[q] - f2
            out[q] = sill * np.exp(-3.0 * np.sqrt(x0 * x0 + x1 * x1 + x2 * x2))
    else:
        for q in range(q0, q1):
            x0 = g0[q] - f0
            x1 = g1[q] - f1
            x2 = g2[q] - f2
            out[q] = sill * np.exp(-3.0 * (x0 * x0 + x1 * x1 + x2 * x2))


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _cov_row(out, tmp, n, gx, gy, gz, gf, px, py, pz, pf, nugget, codes, sills, c0, with_nugget):  # type: ignore[no-untyped-def]
    """Covariances between one point and samples ``0..n-1``, into ``out[:n]``.

    ``gx, gy, gz`` are the gathered sample coordinates [m] and ``gf`` (shape
    ``(n_structures, 3, n)``) the same samples in each structure's normalised frame;
    ``px, py, pz`` and ``pf`` (shape ``(n_structures, 3)``) are the point; ``tmp`` is
    a work row. A lag under 1e-10 m takes ``c0`` (the sum of the sills) plus the
    nugget if ``with_nugget``.
    """
    for s in range(codes.shape[0]):
        dst = out if s == 0 else tmp
        _struct_row(
            dst, 0, n, codes[s], sills[s], gf[s, 0], gf[s, 1], gf[s, 2],
            pf[s, 0], pf[s, 1], pf[s, 2],
        )  # fmt: skip
        if s > 0:
            for q in range(n):
                out[q] += tmp[q]
    full = c0 + nugget if with_nugget else c0
    for q in range(n):
        hx = gx[q] - px
        hy = gy[q] - py
        hz = gz[q] - pz
        out[q] = full if hx * hx + hy * hy + hz * hz < _EPS2 else out[q]


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _cov_matrix(a, diag, tmp, n, gf, nugget, codes, sills, c0):  # type: ignore[no-untyped-def]
    """Sample covariance matrix: upper triangle of ``a[:n, :n]`` and its diagonal.

    ``gf`` (shape ``(n_structures, 3, m)``, ``m >= _pad(n)``, finite beyond ``n``)
    holds the samples in each structure's normalised frame; ``tmp`` is a work row
    of length ``m``. Off the diagonal, :math:`C_{ij}` is the sum of the structures'
    covariances, without the nugget even for two samples at the same place (as
    PyKrige: duplicates then share the structured part and the system stays
    regular when there is a nugget); the diagonal is :math:`C(0)` plus the nugget.

    Each row is computed over whole blocks of :data:`_LANES` columns (from the block
    holding the diagonal to the padded end), so the loops vectorise without scalar
    remainders; the extra entries land left of the diagonal or right of ``n``, where
    nothing reads them.
    """
    n_pad = _pad(n)
    for p in range(n):
        ap = a[p]
        q0 = (p + 1) // _LANES * _LANES
        for s in range(codes.shape[0]):
            g0 = gf[s, 0]
            g1 = gf[s, 1]
            g2 = gf[s, 2]
            out = ap if s == 0 else tmp
            _struct_row(out, q0, n_pad, codes[s], sills[s], g0, g1, g2, g0[p], g1[p], g2[p])
            if s > 0:
                for q in range(q0, n_pad):
                    ap[q] += tmp[q]
        ap[p] = c0 + nugget
        diag[p] = c0 + nugget


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


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _cholesky(a, diag, lf, ld, n):  # type: ignore[no-untyped-def]
    """Cholesky factor :math:`C = L L^T` of the symmetric ``a[:n, :n]``; False if not
    positive definite.

    Left-looking, four rows at a time (independent dot products). ``a`` is read
    only (upper triangle and ``diag``), so the matrix survives for a fallback. The
    strict lower triangle of L goes to ``lf`` and its diagonal to ``ld``. ``lf``
    must be finite everywhere and zero on and above its diagonal (it is: only the
    strict lower triangle is ever written); the dot products then run over whole
    blocks of :data:`_LANES` entries, the terms past the diagonal being zero.
    """
    scale = 0.0
    for i in range(n):
        if diag[i] > scale:
            scale = diag[i]
    tiny = 1e-12 * scale if scale > 0 else 1e-300
    for j in range(n):
        lj = lf[j]
        jp = _pad(j)
        d = diag[j]
        for k in range(jp):
            d -= lj[k] * lj[k]
        if d <= tiny:
            return False
        r = np.sqrt(d)
        ld[j] = r
        inv = 1.0 / r
        i = j + 1
        while i + 3 < n:
            l0 = lf[i]
            l1 = lf[i + 1]
            l2 = lf[i + 2]
            l3 = lf[i + 3]
            aj = a[j]
            s0 = aj[i]
            s1 = aj[i + 1]
            s2 = aj[i + 2]
            s3 = aj[i + 3]
            for k in range(jp):
                b = lj[k]
                s0 -= l0[k] * b
                s1 -= l1[k] * b
                s2 -= l2[k] * b
                s3 -= l3[k] * b
            l0[j] = s0 * inv
            l1[j] = s1 * inv
            l2[j] = s2 * inv
            l3[j] = s3 * inv
            i += 4
        while i < n:
            li = lf[i]
            s = a[j, i]
            for k in range(jp):
                s -= li[k] * lj[k]
            li[j] = s * inv
            i += 1
    return True


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _forward3(lf, ld, u, w, v, n):  # type: ignore[no-untyped-def]
    """Solve ``L u = u``, ``L w = w`` and ``L v = v`` in place (factor from
    :func:`_cholesky`), sharing each row of L between the three.

    ``u``, ``w`` and ``v`` must be finite up to ``_pad(n)``; the dot products run
    over whole blocks of :data:`_LANES` entries, the terms past the diagonal of L
    being zero.
    """
    for i in range(n):
        li = lf[i]
        su = u[i]
        sw = w[i]
        sv = v[i]
        for k in range(_pad(i)):
            lik = li[k]
            su -= lik * u[k]
            sw -= lik * w[k]
            sv -= lik * v[k]
        d = ld[i]
        u[i] = su / d
        w[i] = sw / d
        v[i] = sv / d


@njit(cache=True, fastmath=_FASTMATH, inline="always")
def _ok_solve(a, diag, lf, ld, rhs, vals, u, w, v, g, gb, n):  # type: ignore[no-untyped-def]
    """Solve one ordinary-kriging system; returns ``(ok, mu, estimate, lc, sum_w)``.

    ``a[:n, :n]`` holds the sample covariance matrix C (upper triangle, diagonal
    also in ``diag``), ``rhs`` the sample-target covariances :math:`c` and ``vals``
    the sample values :math:`z`; ``lc`` is :math:`\\lambda^T c`.

    Notes
    -----
    With the Cholesky factor :math:`C = L L^T`, three forward substitutions give
    :math:`u = L^{-1} c`, :math:`w = L^{-1} 1` and :math:`v = L^{-1} z`. The
    bordered system's solution is :math:`\\lambda = L^{-T}(u - \\mu w)` with
    :math:`\\mu = (w^T u - 1) / w^T w`, so no backward substitution is needed:

    .. math::

        \\lambda^T z = u^T v - \\mu\\, w^T v, \\quad
        \\lambda^T c = u^T u - \\mu\\, w^T u, \\quad
        \\lambda^T 1 = w^T u - \\mu\\, w^T w \\; (= 1).

    If C is not numerically positive definite, the bordered system is solved by
    Gaussian elimination with partial pivoting instead and the sums are taken over
    the weights.
    """
    if _cholesky(a, diag, lf, ld, n):
        for i in range(n):
            u[i] = rhs[i]
            w[i] = 1.0
            v[i] = vals[i]
        _forward3(lf, ld, u, w, v, n)
        wu = 0.0
        ww = 0.0
        wv = 0.0
        uu = 0.0
        uv = 0.0
        for i in range(n):
            wu += w[i] * u[i]
            ww += w[i] * w[i]
            wv += w[i] * v[i]
            uu += u[i] * u[i]
            uv += u[i] * v[i]
        if ww > 0.0:
            mu = (wu - 1.0) / ww
            return True, mu, uv - mu * wv, uu - mu * wu, wu - mu * ww
    # fallback: the bordered system, rebuilt from the upper triangle
    n1 = n + 1
    for i in range(n):
        g[i, i] = diag[i]
        for j in range(i + 1, n):
            g[i, j] = a[i, j]
            g[j, i] = a[i, j]
        g[i, n] = 1.0
        g[n, i] = 1.0
        gb[i] = rhs[i]
    g[n, n] = 0.0
    gb[n] = 1.0
    # keep the padding finite for the next system
    for i in range(n, _pad(n)):
        u[i] = 0.0
        w[i] = 0.0
        v[i] = 0.0
    if not _solve(g, gb, n1):
        return False, 0.0, 0.0, 0.0, 0.0
    e = 0.0
    lc = 0.0
    s_w = 0.0
    for i in range(n):
        e += gb[i] * vals[i]
        lc += gb[i] * rhs[i]
        s_w += gb[i]
    return True, gb[n], e, lc, s_w


@njit(cache=True, nogil=True, fastmath=_FASTMATH)
def _ok_run(  # type: ignore[no-untyped-def]
    i0,
    i1,
    dxyz,
    dframes,
    dval,
    dhole,
    cand,
    targets,
    disc,
    centre,
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
    lagr,
):
    """Kriging of targets ``i0..i1-1`` (one run of :func:`_ok_kernel`)."""
    k_cand = cand.shape[1]
    n_data = dxyz.shape[0]
    nd = disc.shape[0]
    ns = codes.shape[0]
    point = nd == 1
    c0 = 0.0
    for s in range(ns):
        c0 += sills[s]
    sel = np.empty(max_s, dtype=np.int64)
    octc = np.zeros(8, dtype=np.int64)
    # work arrays padded to whole blocks of _LANES and zeroed: the padded loops read
    # past n, where values must be finite, and lf must be zero on and above its diagonal
    mp = _pad(max_s)
    a = np.zeros((max_s, mp))
    lf = np.zeros((max_s, mp))
    diag = np.empty(max_s)
    ld = np.empty(max_s)
    rhs = np.empty(max_s)
    x = np.zeros(mp)
    y = np.zeros(mp)
    z = np.zeros(mp)
    gv = np.empty(max_s)
    g = np.empty((max_s + 1, max_s + 1))
    gb = np.empty(max_s + 1)
    gx = np.empty(max_s)
    gy = np.empty(max_s)
    gz = np.empty(max_s)
    gf = np.zeros((ns, 3, mp))
    pf = np.empty((ns, 3))
    row = np.zeros(mp)
    tmp = np.zeros(mp)
    n_codes = 0
    for q in range(n_data):
        if dhole[q] >= n_codes:
            n_codes = dhole[q] + 1
    hmark = np.full(n_codes, -1, dtype=np.int64)  # target that last touched a hole
    hcnt = np.zeros(n_codes, dtype=np.int64)  # samples taken from that hole
    for i in range(i0, i1):
        tx = targets[i, 0]
        ty = targets[i, 1]
        tz = targets[i, 2]
        for o in range(8):
            octc[o] = 0
        cnt = 0
        nh = 0
        for j in range(k_cand):
            idx = cand[i, j]
            if idx >= n_data or idx < 0:
                break
            if idx == excl_idx[i]:
                continue
            if excl_hole[i] >= 0 and dhole[idx] == excl_hole[i]:
                continue
            hh = dhole[idx]
            if hmark[hh] != i:
                hmark[hh] = i
                hcnt[hh] = 0
            if max_hole > 0 and hcnt[hh] >= max_hole:
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
            if hcnt[hh] == 0:
                nh += 1
            hcnt[hh] += 1
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
            lagr[i] = np.nan
            continue
        # gather the samples (coordinates and normalised frames) contiguously
        for p in range(cnt):
            ip = sel[p]
            gv[p] = dval[ip]
            gx[p] = dxyz[ip, 0]
            gy[p] = dxyz[ip, 1]
            gz[p] = dxyz[ip, 2]
            for s in range(ns):
                for ax in range(3):
                    gf[s, ax, p] = dframes[s, ip, ax]
        # sample covariance matrix (upper triangle: the Cholesky factor reads C there)
        _cov_matrix(a, diag, row, cnt, gf, nugget, codes, sills, c0)
        # right-hand side: mean covariance with the discretisation points
        for p in range(cnt):
            rhs[p] = 0.0
        for k in range(nd):
            px = tx + disc[k, 0]
            py = ty + disc[k, 1]
            pz = tz + disc[k, 2]
            for s in range(ns):
                for ax in range(3):
                    pf[s, ax] = (
                        mats[s, ax, 0] * (px - centre[0])
                        + mats[s, ax, 1] * (py - centre[1])
                        + mats[s, ax, 2] * (pz - centre[2])
                    )
            _cov_row(
                row, tmp, cnt, gx, gy, gz, gf, px, py, pz, pf,
                nugget, codes, sills, c0, point,
            )  # fmt: skip
            for p in range(cnt):
                rhs[p] += row[p]
        for p in range(cnt):
            rhs[p] /= nd
        ok, mu, e, lc, s_w = _ok_solve(a, diag, lf, ld, rhs, gv, x, y, z, g, gb, cnt)
        if not ok:
            est[i] = np.nan
            var[i] = np.nan
            nholes[i] = 0
            dmean[i] = np.nan
            dnear[i] = np.nan
            wsum[i] = np.nan
            lagr[i] = np.nan
            continue
        dsum = 0.0
        dmin = np.inf
        for p in range(cnt):
            ip = sel[p]
            ddx = dxyz[ip, 0] - tx
            ddy = dxyz[ip, 1] - ty
            ddz = dxyz[ip, 2] - tz
            dd = np.sqrt(ddx * ddx + ddy * ddy + ddz * ddz)
            dsum += dd
            if dd < dmin:
                dmin = dd
        est[i] = e
        var[i] = cbb - lc - mu
        wsum[i] = s_w
        lagr[i] = mu
        dmean[i] = dsum / cnt
        dnear[i] = dmin
        nholes[i] = nh


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _ok_kernel(*args: object, n_runs: int, threads: int) -> None:
    """Ordinary kriging of all targets on ``threads`` threads.

    The targets are split into ``n_runs`` contiguous runs (a few per thread), each
    kriged by :func:`_ok_run`, which releases the GIL and allocates its work arrays
    once per run, so nothing is allocated per target. Plain threads rather than
    numba's ``prange`` keep the first (uncached) compile short.
    """
    targets = args[5]
    m = len(targets)  # type: ignore[arg-type]
    bounds = [(r * m // n_runs, (r + 1) * m // n_runs) for r in range(n_runs)]
    if threads <= 1 or n_runs <= 1:
        for i0, i1 in bounds:
            _ok_run(i0, i1, *args)
        return
    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(_ok_run, i0, i1, *args) for i0, i1 in bounds]:
            f.result()


def _block_covariance(model: VariogramModel, disc: np.ndarray) -> float:
    if len(disc) == 1:
        return model.sill
    h = (disc[:, None, :] - disc[None, :, :]).reshape(-1, 3)
    c = model.covariance(h)
    c[np.einsum("ij,ij->i", h, h) < _EPS2] -= model.nugget
    return float(c.mean())


def neighbour_candidates(
    data_xyz: np.ndarray, smat: np.ndarray, targets: np.ndarray, k: int, threads: int = 1
) -> np.ndarray:
    """Indices of the ``k`` nearest samples inside the unit search ellipsoid.

    Parameters
    ----------
    data_xyz : array, shape (n, 3)
        Sample coordinates. [m]
    smat : array, shape (3, 3)
        Search matrix (:meth:`Search.matrix`); distances are measured in the space
        ``xyz @ smat.T``, where the ellipsoid is the unit sphere.
    targets : array, shape (m, 3)
        Target coordinates. [m]
    k : int
        Candidates per target.
    threads : int
        Threads for the compiled search.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, int64, nearest first; ``n`` (the number of samples) marks
        no sample. See :func:`critmin.geostats.neighbours.nearest_samples`.
    """
    from critmin.geostats.neighbours import nearest_samples

    return nearest_samples(data_xyz @ smat.T, targets @ smat.T, k, threads=threads)


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
    threads: int | None = None,
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
    threads : int, optional
        Threads for the neighbour search and the kriging systems (default: the
        CPUs this process may run on).

    Returns
    -------
    pandas.DataFrame
        One row per target: ``estimate`` [grade unit], ``variance`` (kriging
        variance) [grade unit squared], ``n_samples``, ``n_holes``,
        ``mean_distance`` and ``nearest_distance`` [m], ``sum_weights``,
        ``search_pass`` (1-based; 0 = not estimated), ``lagrange`` (the
        multiplier :math:`\\mu`) [grade unit squared], ``slope_of_regression``
        and ``kriging_efficiency`` [ratio].

    Notes
    -----
    The system is :math:`C\\lambda + \\mu 1 = c`, :math:`\\sum\\lambda = 1`, with
    :math:`c` the sample-block covariances and :math:`BV = \\bar C(V, V)` the block
    variance. Then :math:`KV = BV - \\lambda^T c - \\mu`,
    :math:`\\mathrm{cov}(Z^*, Z_V) = \\lambda^T c = BV - KV - \\mu` and
    :math:`\\mathrm{var}(Z^*) = \\lambda^T C \\lambda = BV - KV - 2\\mu`, so

    .. math::

        \\mathrm{SoR} = \\frac{BV - KV - \\mu}{BV - KV - 2\\mu}, \\qquad
        \\mathrm{KE} = \\frac{BV - KV}{BV}

    (Krige 1996; with this sign convention :math:`\\mu \\le 0` usually, which is
    the :math:`|\\mu|` of the usual statement of the slope).
    """
    passes = [search] if isinstance(search, Search) else list(search)
    threads = max(1, int(threads or _available_cpus()))
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
    # samples in each structure's normalised frame, about a centre (for precision)
    centre = xyz.mean(axis=0) if len(xyz) else np.zeros(3)
    frames = np.ascontiguousarray(np.einsum("sij,nj->sni", mats, xyz - centre))
    out = {
        "estimate": np.full(m, np.nan),
        "variance": np.full(m, np.nan),
        "n_samples": np.zeros(m, dtype=np.int64),
        "n_holes": np.zeros(m, dtype=np.int64),
        "mean_distance": np.full(m, np.nan),
        "nearest_distance": np.full(m, np.nan),
        "sum_weights": np.full(m, np.nan),
        "search_pass": np.zeros(m, dtype=np.int64),
        "lagrange": np.full(m, np.nan),
        "slope_of_regression": np.full(m, np.nan),
        "kriging_efficiency": np.full(m, np.nan),
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
        extra = 1 if _exclude_self else 0
        if _exclude_hole:
            extra = int(np.bincount(hole_codes).max())
        limited = bool(sp.max_per_hole) or bool(sp.max_per_octant)
        default = max(4 * sp.max_samples, 64) if limited else sp.max_samples
        k = min(len(v), (sp.candidates or default) + extra)
        for c0 in range(0, len(todo), chunk_size):
            sub = todo[c0 : c0 + chunk_size]
            tsub = tg[sub]
            cand = neighbour_candidates(xyz, smat, tsub, k, threads=threads)
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
            dm, dn, ws, lg = (np.empty(n_sub) for _ in range(4))
            _ok_kernel(
                xyz,
                frames,
                v,
                hole_codes,
                cand,
                tsub,
                disc,
                centre,
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
                lg,
                n_runs=max(1, min(n_sub, 4 * threads)),
                threads=threads,
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
            out["lagrange"][idx] = lg[done]
            out["search_pass"][idx] = pno
        todo = todo[out["search_pass"][todo] == 0]
    # neighbourhood quality (Notes): BV = cbb, KV = variance, mu = lagrange
    lam_c = cbb - out["variance"] - out["lagrange"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["slope_of_regression"] = lam_c / (lam_c - out["lagrange"])
        out["kriging_efficiency"] = (cbb - out["variance"]) / cbb
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
    c = model.covariance(h).reshape(n, n)
    # two samples at the same place share the structured part only (as the kernel)
    c[(np.einsum("ij,ij->i", h, h) < _EPS2).reshape(n, n) & ~np.eye(n, dtype=bool)] -= model.nugget
    a[:n, :n] = c
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
