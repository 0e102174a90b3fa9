"""Triangulated wireframes and surfaces (STL, PLY, OBJ): reading, closure, blocks inside.

STL is read here; PLY and OBJ through :mod:`meshio` (quads are split into two
triangles). A closed mesh (every edge shared by exactly two triangles) selects
the blocks inside it; an open one (a topographic surface) is used by its
vertices, interpolated over their Delaunay triangulation
(:func:`~critmin.geostats.blockmodel.below_surface`).


A block centre is inside a closed surface when a vertical ray from it crosses
the surface an odd number of times. For a regular block model the crossings are
found once per column of blocks, so the cost is about the number of triangles
plus the number of blocks.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numba import njit

from critmin.errors import InputFileError
from critmin.geostats.blockmodel import BlockModel

__all__ = ["inside_wireframe", "is_closed", "open_edges", "read_mesh", "read_stl"]


def read_stl(path: str | Path, scale: float = 1.0) -> np.ndarray:
    """Read a binary or ASCII STL file.

    Parameters
    ----------
    path : path
        STL file.
    scale : float
        Factor applied to coordinates (0.3048 for a wireframe in feet). [ratio]

    Returns
    -------
    numpy.ndarray
        Triangles, shape ``(n, 3, 3)``. [m]
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(str(p), "file not found")
    raw = p.read_bytes()
    if len(raw) >= 84:
        n = int(np.frombuffer(raw[80:84], dtype="<u4")[0])
        if 84 + 50 * n == len(raw):
            rec = np.dtype([("normal", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
            tri = np.frombuffer(raw, dtype=rec, count=n, offset=84)["v"].astype(float)
            return tri * scale
    text = raw.decode("ascii", errors="replace")
    if "vertex" not in text:
        raise InputFileError(str(p), "not an STL file (neither binary nor ASCII)")
    verts = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if s.startswith("vertex"):
            try:
                verts.append([float(x) for x in s.split()[1:4]])
            except ValueError as exc:
                raise InputFileError(str(p), f"bad vertex: {s!r}", line=lineno) from exc
    if len(verts) % 3:
        raise InputFileError(str(p), "vertex count is not a multiple of 3")
    return np.asarray(verts, dtype=float).reshape(-1, 3, 3) * scale


@njit(cache=True)
def _column_crossings(tri, x0, y0, dx, dy, nx, ny):  # type: ignore[no-untyped-def]
    """(column, z) of every crossing of a vertical ray through column centres."""
    cap = 1024
    cols = np.empty(cap, dtype=np.int64)
    zs = np.empty(cap)
    n = 0
    for t in range(tri.shape[0]):
        ax, ay, az = tri[t, 0, 0], tri[t, 0, 1], tri[t, 0, 2]
        bx, by, bz = tri[t, 1, 0], tri[t, 1, 1], tri[t, 1, 2]
        cx, cy, cz = tri[t, 2, 0], tri[t, 2, 1], tri[t, 2, 2]
        det = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy)
        if abs(det) < 1e-18:
            continue
        xmin = min(ax, bx, cx)
        xmax = max(ax, bx, cx)
        ymin = min(ay, by, cy)
        ymax = max(ay, by, cy)
        i0 = max(0, int(np.ceil((xmin - x0) / dx - 0.5)))
        i1 = min(nx - 1, int(np.floor((xmax - x0) / dx - 0.5)))
        j0 = max(0, int(np.ceil((ymin - y0) / dy - 0.5)))
        j1 = min(ny - 1, int(np.floor((ymax - y0) / dy - 0.5)))
        for j in range(j0, j1 + 1):
            py = y0 + (j + 0.5) * dy + 1.234567e-7 * dy
            for i in range(i0, i1 + 1):
                px = x0 + (i + 0.5) * dx + 2.345678e-7 * dx
                l1 = ((by - cy) * (px - cx) + (cx - bx) * (py - cy)) / det
                l2 = ((cy - ay) * (px - cx) + (ax - cx) * (py - cy)) / det
                l3 = 1.0 - l1 - l2
                if l1 < 0 or l2 < 0 or l3 < 0:
                    continue
                if n == cap:
                    cap *= 2
                    nc = np.empty(cap, dtype=np.int64)
                    nz = np.empty(cap)
                    nc[:n] = cols[:n]
                    nz[:n] = zs[:n]
                    cols = nc
                    zs = nz
                cols[n] = i + nx * j
                zs[n] = l1 * az + l2 * bz + l3 * cz
                n += 1
    return cols[:n], zs[:n]


def inside_wireframe(bm: BlockModel, triangles: np.ndarray) -> np.ndarray:
    """Blocks whose centre is inside a closed wireframe.

    Parameters
    ----------
    bm : BlockModel
        Block model.
    triangles : array, shape (n, 3, 3)
        Closed surface (see :func:`read_stl`). [m]

    Returns
    -------
    numpy.ndarray
        Boolean per block, in block-index order.
    """
    nx, ny, nz = bm.shape
    x0, y0, z0 = bm.origin
    dx, dy, dz = bm.size
    cols, zs = _column_crossings(
        np.ascontiguousarray(triangles, dtype=float), x0, y0, dx, dy, nx, ny
    )
    inside = np.zeros((nz, ny * nx), dtype=bool)
    if len(cols) == 0:
        return inside.ravel()
    order = np.lexsort((zs, cols))
    cols, zs = cols[order], zs[order]
    zc = z0 + (np.arange(nz) + 0.5) * dz
    starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
    ends = np.r_[starts[1:], len(cols)]
    for s, e in zip(starts, ends, strict=True):
        above = (e - s) - np.searchsorted(zs[s:e], zc, side="right")
        inside[:, cols[s]] = (above % 2) == 1
    return inside.ravel()


def read_mesh(path: str | Path, scale: float = 1.0) -> np.ndarray:
    """Triangles of an STL, PLY or OBJ file.

    Parameters
    ----------
    path : path
        ``.stl``, ``.ply`` or ``.obj`` file.
    scale : float
        Factor applied to coordinates. [ratio]

    Returns
    -------
    numpy.ndarray
        Triangles, shape ``(n, 3, 3)``. [m]
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".stl":
        return read_stl(p, scale)
    if suffix not in (".ply", ".obj"):
        raise InputFileError(str(p), f"unknown surface format {suffix!r}; use .stl, .ply or .obj")
    if not p.exists():
        raise InputFileError(str(p), "file not found")
    import meshio

    try:
        m = meshio.read(str(p))
    except Exception as exc:  # meshio raises several types for a bad file
        raise InputFileError(str(p), f"cannot read the surface: {exc}") from exc
    pts = np.asarray(m.points, dtype=float)[:, :3]
    tris = []
    for block in m.cells:
        c = np.asarray(block.data)
        if block.type == "triangle":
            tris.append(c)
        elif block.type == "quad":
            tris += [c[:, [0, 1, 2]], c[:, [0, 2, 3]]]
    if not tris:
        raise InputFileError(str(p), "no triangles or quads in the file")
    return pts[np.concatenate(tris)] * scale


def open_edges(triangles: np.ndarray, decimals: int = 6) -> tuple[int, int]:
    """Edges not shared by exactly two triangles, and all edges (vertices matched to ``decimals``)."""
    t = np.round(np.asarray(triangles, dtype=float), decimals)
    _, inv = np.unique(t.reshape(-1, 3), axis=0, return_inverse=True)
    v = inv.ravel().reshape(-1, 3)
    e = np.sort(np.concatenate([v[:, [0, 1]], v[:, [1, 2]], v[:, [2, 0]]]), axis=1)
    _, counts = np.unique(e, axis=0, return_counts=True)
    return int((counts % 2 == 1).sum()), len(counts)


def is_closed(triangles: np.ndarray, decimals: int = 6) -> bool:
    """Whether every edge of the mesh is shared by an even number of triangles (two, or four
    where two shells touch): the condition for the ray-parity test to be defined."""
    n_open, n = open_edges(triangles, decimals)
    return n > 0 and n_open == 0
