"""Exact k-nearest-neighbour search for kriging, on a uniform cell grid, compiled.

Targets of a block model are dense and regular: neighbouring blocks have nearly
the same nearest samples. The search exploits that. Samples (in the search space,
where the search ellipsoid is the unit sphere) are binned into a uniform grid of
cubic cells; targets are grouped into *tiles*, the cells of the same grid that
contain them. For each tile one candidate list is gathered, and each target of the
tile picks its own ``k`` nearest from that list.

Notes
-----
Let a tile's targets lie within :math:`r` of its centre :math:`c` and let
:math:`d_k(c)` be the distance from :math:`c` to its ``k``-th nearest sample. For
a target :math:`t` of the tile, :math:`|t - c| \\le r`, so :math:`t` has ``k``
samples within :math:`d_k(c) + r` and every one of its ``k`` nearest samples lies
within

.. math::

    R = \\min\\left(d_k(c) + 2 r,\\; 1 + r\\right)

of :math:`c` (the second term because only samples within the unit sphere around
:math:`t` are wanted). The candidate list of the tile is every sample within
:math:`R` of :math:`c`; the search is therefore exact, not approximate. The cell
size is a speed setting only: it is 0.7 times the median :math:`d_k` of a few
targets (the fastest on the benchmark of ``bench/bench_kriging_scaling.py``), which
keeps the candidate lists to a few times ``k``; each target's scan of its tile's
list, sorted by distance from :math:`c`, stops once :math:`|s - c| - r` exceeds its
current ``k``-th distance.

Neighbours come back sorted nearest first, as :meth:`scipy.spatial.cKDTree.query`
returns them (ties may come in a different order).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numba import njit

__all__ = ["nearest_samples"]

# the unit search sphere, with the tolerance of a kd-tree query at 1 + 1e-9 (boundary is in)
_UNIT2 = (1.0 + 1e-9) ** 2
_MAX_CELLS = 4_000_000


@njit(cache=True, inline="always")
def _swap(d, ix, i, j):  # type: ignore[no-untyped-def]
    t = d[i]
    d[i] = d[j]
    d[j] = t
    u = ix[i]
    ix[i] = ix[j]
    ix[j] = u


@njit(cache=True)
def _shell_sort(d, ix, m):  # type: ignore[no-untyped-def]
    """Sort ``d[:m]`` ascending, carrying ``ix`` along (Shell sort, Ciura's gaps).

    Candidate lists are a few hundred long at most; this compiles in a fraction of the
    time of ``np.argsort`` and needs no allocation.
    """
    for gap in (701, 301, 132, 57, 23, 10, 4, 1):
        if gap >= m:
            continue
        for a in range(gap, m):
            va = d[a]
            xa = ix[a]
            b = a
            while b >= gap and d[b - gap] > va:
                d[b] = d[b - gap]
                ix[b] = ix[b - gap]
                b -= gap
            d[b] = va
            ix[b] = xa


@njit(cache=True)
def _select_sorted(d, ix, m, k):  # type: ignore[no-untyped-def]
    """Move the ``k`` smallest of ``d[:m]`` (with ``ix``) to the front, sorted ascending.

    Quickselect (median of three) to partition around the ``k``-th smallest, then
    a sort of the first ``k``.
    """
    if k < m:
        lo = 0
        hi = m - 1
        kk = k - 1
        while hi > lo:
            mid = (lo + hi) >> 1
            if d[mid] < d[lo]:
                _swap(d, ix, mid, lo)
            if d[hi] < d[lo]:
                _swap(d, ix, hi, lo)
            if d[hi] < d[mid]:
                _swap(d, ix, hi, mid)
            pivot = d[mid]
            i = lo
            j = hi
            while i <= j:
                while d[i] < pivot:
                    i += 1
                while d[j] > pivot:
                    j -= 1
                if i <= j:
                    _swap(d, ix, i, j)
                    i += 1
                    j -= 1
            if kk <= j:
                hi = j
            elif kk >= i:
                lo = i
            else:
                break
    n = min(k, m)
    _shell_sort(d, ix, n)
    return n


@njit(cache=True)
def _gather(cx, cy, cz, rad, pts, cell_start, origin, h, dims, cd, ci):  # type: ignore[no-untyped-def]
    """Samples within ``rad`` of ``(cx, cy, cz)``: squared distances into ``cd``,
    positions (in the cell-sorted order) into ``ci``; returns their count."""
    nx = dims[0]
    ny = dims[1]
    nz = dims[2]
    r2 = rad * rad
    # cell ranges in floating point first: a far target must not overflow an int
    a0 = np.floor((cx - rad - origin[0]) / h)
    a1 = np.floor((cx + rad - origin[0]) / h)
    b0 = np.floor((cy - rad - origin[1]) / h)
    b1 = np.floor((cy + rad - origin[1]) / h)
    e0 = np.floor((cz - rad - origin[2]) / h)
    e1 = np.floor((cz + rad - origin[2]) / h)
    cnt = 0
    if a0 > nx - 1 or b0 > ny - 1 or e0 > nz - 1 or a1 < 0 or b1 < 0 or e1 < 0:
        return cnt  # the sphere misses the grid
    i0 = int(max(a0, 0.0))
    i1 = int(min(a1, nx - 1.0))
    j0 = int(max(b0, 0.0))
    j1 = int(min(b1, ny - 1.0))
    k0 = int(max(e0, 0.0))
    k1 = int(min(e1, nz - 1.0))
    for i in range(i0, i1 + 1):
        for j in range(j0, j1 + 1):
            base = (i * ny + j) * nz
            # cells k0..k1 of one column are contiguous in the sorted samples
            s0 = cell_start[base + k0]
            s1 = cell_start[base + k1 + 1]
            for s in range(s0, s1):
                a = pts[s, 0] - cx
                b = pts[s, 1] - cy
                e = pts[s, 2] - cz
                d2 = a * a + b * b + e * e
                if d2 <= r2:
                    cd[cnt] = d2
                    ci[cnt] = s
                    cnt += 1
    return cnt


@njit(cache=True, nogil=True)
def _knn_tiles(  # type: ignore[no-untyped-def]
    t0, t1, tile_start, tile_members, q, pts, order, cell_start, origin, h, dims, k, d_guess, out
):
    """Nearest samples of the targets of tiles ``t0..t1-1`` into ``out`` (see module Notes)."""
    n = pts.shape[0]
    cd = np.empty(n)
    ci = np.empty(n, dtype=np.int64)
    wd = np.empty(n)
    wi = np.empty(n, dtype=np.int64)
    bd = np.empty(k)
    bi = np.empty(k, dtype=np.int64)
    for tile in range(t0, t1):
        m0 = tile_start[tile]
        m1 = tile_start[tile + 1]
        lo0 = np.inf
        lo1 = np.inf
        lo2 = np.inf
        hi0 = -np.inf
        hi1 = -np.inf
        hi2 = -np.inf
        for u in range(m0, m1):
            t = tile_members[u]
            lo0 = min(lo0, q[t, 0])
            lo1 = min(lo1, q[t, 1])
            lo2 = min(lo2, q[t, 2])
            hi0 = max(hi0, q[t, 0])
            hi1 = max(hi1, q[t, 1])
            hi2 = max(hi2, q[t, 2])
        cx = 0.5 * (lo0 + hi0)
        cy = 0.5 * (lo1 + hi1)
        cz = 0.5 * (lo2 + hi2)
        r = 0.0
        for u in range(m0, m1):
            t = tile_members[u]
            a = q[t, 0] - cx
            b = q[t, 1] - cy
            e = q[t, 2] - cz
            r = max(r, a * a + b * b + e * e)
        r = np.sqrt(r) * (1.0 + 1e-12) + 1e-300
        cap = 1.0 + 1e-9 + r
        rad = min(d_guess + 2.0 * r, cap)
        cnt = 0
        while True:
            cnt = _gather(cx, cy, cz, rad, pts, cell_start, origin, h, dims, cd, ci)
            if cnt >= k:
                for s in range(cnt):
                    wd[s] = cd[s]
                    wi[s] = ci[s]
                _select_sorted(wd, wi, cnt, k)
                need = min(np.sqrt(wd[k - 1]) * (1.0 + 1e-12) + 2.0 * r, cap)
                if need <= rad:
                    # keep the candidates within `need` only
                    need2 = need * need
                    c2 = 0
                    for s in range(cnt):
                        if cd[s] <= need2:
                            ci[c2] = ci[s]
                            cd[c2] = cd[s]
                            c2 += 1
                    cnt = c2
                    break
                rad = need
            elif rad >= cap:
                break
            else:
                rad = min(2.0 * rad, cap)
        # candidates sorted by distance from the centre: a target's distances differ
        # from those by at most r, so its scan stops once d(c, s) - r exceeds its k-th
        for s in range(cnt):
            wd[s] = np.sqrt(cd[s])
            wi[s] = ci[s]
        _shell_sort(wd, wi, cnt)
        # each target of the tile: its k nearest within the unit sphere, nearest first
        for u in range(m0, m1):
            t = tile_members[u]
            tx = q[t, 0]
            ty = q[t, 1]
            tz = q[t, 2]
            got = 0
            kth = _UNIT2
            for s in range(cnt):
                lim = wd[s] - r
                if got == k and lim > 0.0 and lim * lim > kth:
                    break
                p = wi[s]
                a = pts[p, 0] - tx
                b = pts[p, 1] - ty
                e = pts[p, 2] - tz
                d2 = a * a + b * b + e * e
                if d2 > kth:
                    continue
                # insert into the sorted buffer (nearly sorted input: short shifts)
                j = got - 1 if got < k else k - 2
                while j >= 0 and bd[j] > d2:
                    bd[j + 1] = bd[j]
                    bi[j + 1] = bi[j]
                    j -= 1
                bd[j + 1] = d2
                bi[j + 1] = p
                if got < k:
                    got += 1
                if got == k:
                    kth = bd[k - 1]
            for j in range(got):
                out[t, j] = order[bi[j]]
            for j in range(got, k):
                out[t, j] = n


def _cell_grid(
    pts: np.ndarray, h: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bin ``pts`` into cubic cells of side ``h``: (sorted points, order, cell starts,
    origin, dims)."""
    origin = pts.min(axis=0)
    dims = np.maximum(np.floor((pts.max(axis=0) - origin) / h).astype(np.int64) + 1, 1)
    ijk = np.minimum(np.floor((pts - origin) / h).astype(np.int64), dims - 1)
    key = (ijk[:, 0] * dims[1] + ijk[:, 1]) * dims[2] + ijk[:, 2]
    order = np.argsort(key, kind="stable")
    counts = np.bincount(key, minlength=int(np.prod(dims)))
    cell_start = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=cell_start[1:])
    return np.ascontiguousarray(pts[order]), order.astype(np.int64), cell_start, origin, dims


def nearest_samples(
    samples: np.ndarray, targets: np.ndarray, k: int, threads: int = 1, seed: int = 0
) -> np.ndarray:
    """Indices of the ``k`` nearest samples within distance 1 of each target.

    Parameters
    ----------
    samples : array, shape (n, 3)
        Sample coordinates in the search space (the search ellipsoid is the unit
        sphere). [1]
    targets : array, shape (m, 3)
        Target coordinates in the same space. [1]
    k : int
        Neighbours per target.
    threads : int
        Threads (the compiled search releases the GIL).
    seed : int
        Seed of the few targets used to choose the cell size (speed only; the
        result does not depend on it).

    Returns
    -------
    numpy.ndarray
        Shape ``(m, k)``, int64, nearest first; ``n`` (the number of samples) where
        a target has fewer than ``k`` samples within distance 1.

    Notes
    -----
    Exact (see the module Notes): the same neighbours as
    ``cKDTree(samples).query(targets, k, distance_upper_bound=1 + 1e-9)``.
    """
    from scipy.spatial import cKDTree

    pts = np.ascontiguousarray(samples, dtype=float)
    q = np.ascontiguousarray(targets, dtype=float)
    n, m = len(pts), len(q)
    out = np.full((m, k), n, dtype=np.int64)
    finite = np.isfinite(q).all(axis=1)
    if not finite.all():
        out[finite] = nearest_samples(pts, q[finite], k, threads, seed)
        return out
    if m == 0 or k == 0 or n == 0:
        return out
    # cell size from the median k-th neighbour distance of a few targets
    probe = q[np.random.default_rng(seed).choice(m, size=min(m, 256), replace=False)]
    dk = cKDTree(pts).query(probe, k=[min(k, n)], distance_upper_bound=1.0 + 1e-9)[0]
    dk = dk[np.isfinite(dk)]
    d_guess = float(np.median(dk)) if len(dk) else 1.0
    extent = np.maximum(pts.max(axis=0) - pts.min(axis=0), 0.0)
    h = max(0.7 * d_guess, 1e-12 * max(float(extent.max()), 1e-300))
    while np.prod(np.floor(extent / h) + 1) > max(_MAX_CELLS, 2 * n):
        h *= 1.5
    spts, order, cell_start, origin, dims = _cell_grid(pts, h)
    # tiles: targets grouped by the cell (of the same size) that holds them
    tij = np.floor(np.minimum((q - q.min(axis=0)) / h, 2.0**62)).astype(np.int64)
    members = np.lexsort((tij[:, 2], tij[:, 1], tij[:, 0])).astype(np.int64)
    st = tij[members]
    new_tile = (st[1:] != st[:-1]).any(axis=1)
    tile_start = np.flatnonzero(np.r_[True, new_tile, True]).astype(np.int64)
    n_tiles = len(tile_start) - 1
    args = (tile_start, members, q, spts, order, cell_start, origin, h, dims, k, d_guess, out)
    runs = max(1, min(n_tiles, 8 * threads)) if threads > 1 else 1
    bounds = [(r * n_tiles // runs, (r + 1) * n_tiles // runs) for r in range(runs)]
    if runs == 1:
        _knn_tiles(0, n_tiles, *args)
    else:
        with ThreadPoolExecutor(threads) as pool:
            for f in [pool.submit(_knn_tiles, t0, t1, *args) for t0, t1 in bounds]:
                f.result()
    return out
