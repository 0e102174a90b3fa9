"""Block-model and drillhole exports: Parquet, CSV, OMF, VTK and a 3-D HTML view.

Every export writes the same block table (:func:`block_table`): position and
size, block and grid indices, every grade, the kriging figures (variance,
slope of regression, kriging efficiency, pass, samples, holes), class, domain,
density and tonnes. Units are in the column names' documentation below and in
the ``units`` sidecar written with Parquet and CSV.

OMF (open mining format v1, :mod:`omf`): one ``VolumeElement`` on a regular
grid (``tensor_u/v/w`` the block sizes, ``origin`` the grid corner), cell data
in block-index order (x fastest, then y, then z); blocks not estimated are
NaN. VTK: an unstructured grid of hexahedra (only estimated blocks) in the
XML ``.vtu`` format through :mod:`meshio`, cell data per column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from critmin.geostats.blockmodel import BlockModel

__all__ = ["block_table", "write_blocks", "write_html_view", "write_omf", "write_vtk"]

_FIRST = ["block", "i", "j", "k", "x", "y", "z", "size_x", "size_y", "size_z"]


def block_table(blocks: pd.DataFrame, bm: BlockModel) -> pd.DataFrame:
    """The block model as one table: geometry first, then every other column.

    Returns
    -------
    pandas.DataFrame
        ``block, i, j, k, x, y, z`` (centre) [m], ``size_x, size_y, size_z`` [m],
        then the grades, kriging figures, ``class``, ``domain``, ``density``
        [t/m³] and ``tonnes`` [t] as the run produced them.
    """
    out = blocks.copy()
    for n, c in zip(("size_x", "size_y", "size_z"), bm.size, strict=True):
        out[n] = float(c)
    rest = [c for c in out.columns if c not in _FIRST]
    return out[[c for c in _FIRST if c in out] + rest]


def write_blocks(table: pd.DataFrame, folder: Path, stem: str = "blocks") -> list[Path]:
    """Write the block table as Parquet and CSV; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    pq = folder / f"{stem}.parquet"
    csv = folder / f"{stem}.csv"
    table.to_parquet(pq, index=False)
    table.to_csv(csv, index=False)
    return [pq, csv]


def _numeric(table: pd.DataFrame) -> list[str]:
    skip = {"block", "i", "j", "k", "x", "y", "z", "size_x", "size_y", "size_z"}
    return [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])]


def write_omf(table: pd.DataFrame, bm: BlockModel, path: Path, name: str = "block model") -> Path:
    """Write the block model to an OMF v1 file (module docstring).

    Numeric columns become ``ScalarData`` and text columns (``class``,
    ``domain``) ``StringData``; cells without a block are NaN or empty.
    """
    import omf

    n = bm.n_blocks
    idx = table["block"].to_numpy(dtype=np.int64)
    data: list[object] = []
    for c in _numeric(table):
        arr = np.full(n, np.nan)
        arr[idx] = table[c].to_numpy(dtype=float)
        data.append(omf.ScalarData(name=c, array=arr, location="cells"))
    for c in ("class", "domain"):
        if c in table:
            s = np.full(n, "", dtype=object)
            s[idx] = table[c].astype(str).where(table[c].notna(), "").to_numpy()
            data.append(omf.StringData(name=c, array=list(s), location="cells"))
    geom = omf.VolumeGridGeometry(
        tensor_u=np.full(bm.shape[0], float(bm.size[0])),
        tensor_v=np.full(bm.shape[1], float(bm.size[1])),
        tensor_w=np.full(bm.shape[2], float(bm.size[2])),
        origin=list(map(float, bm.origin)),
    )
    el = omf.VolumeElement(name="blocks", geometry=geom, data=data)
    proj = omf.Project(name=name, elements=[el])
    proj.validate()
    path.parent.mkdir(parents=True, exist_ok=True)
    omf.OMFWriter(proj, str(path))
    return path


def write_vtk(table: pd.DataFrame, bm: BlockModel, path: Path) -> Path:
    """Write the estimated blocks as VTK XML hexahedra (``.vtu``) with cell data."""
    import meshio

    ijk = table[["i", "j", "k"]].to_numpy(dtype=np.int64)
    corners = np.array(
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]]
    )  # VTK hexahedron order
    nodes = (ijk[:, None, :] + corners[None, :, :]).reshape(-1, 3)
    nx, ny = bm.shape[0] + 1, bm.shape[1] + 1
    key = nodes[:, 0] + nx * (nodes[:, 1] + ny * nodes[:, 2])
    uniq, inv = np.unique(key, return_inverse=True)
    nijk = np.column_stack([uniq % nx, (uniq // nx) % ny, uniq // (nx * ny)])
    points = np.asarray(bm.origin) + nijk * np.asarray(bm.size)
    cells = inv.reshape(-1, 8)
    cell_data = {c: [table[c].to_numpy(dtype=float)] for c in _numeric(table)}
    if "class" in table:
        codes = {"measured": 1, "indicated": 2, "inferred": 3}
        cell_data["class_code"] = [table["class"].map(codes).fillna(0).to_numpy(dtype=float)]
    mesh = meshio.Mesh(points, [("hexahedron", cells)], cell_data=cell_data)
    path.parent.mkdir(parents=True, exist_ok=True)
    meshio.write(str(path), mesh, file_format="vtu")
    return path


def write_html_view(
    table: pd.DataFrame,
    traces: pd.DataFrame | None,
    path: Path,
    color_by: str = "estimate",
    max_blocks: int = 60_000,
    title: str = "Block model",
) -> Path:
    """A self-contained Plotly 3-D view of blocks (markers) and drillhole traces.

    Parameters
    ----------
    table : pandas.DataFrame
        Block table (``x, y, z`` [m] and ``color_by``).
    traces : pandas.DataFrame, optional
        Drillhole segments ``hole, xb, yb, zb, xe, ye, ze`` [m] (composites).
    path : pathlib.Path
        HTML file (plotly.js embedded: opens offline).
    color_by : str
        Column to colour blocks by: a grade or ``class``.
    max_blocks : int
        Above this, every n-th block is drawn; the title says how many of how many.
    """
    import plotly.graph_objects as go

    n = len(table)
    step = max(1, int(np.ceil(n / max_blocks)))
    shown = table.iloc[::step]
    fig = go.Figure()
    if color_by == "class":
        colours = {"measured": "#1b9e77", "indicated": "#d95f02", "inferred": "#7570b3",
                   "unclassified": "#999999"}  # fmt: skip
        for cls, g in shown.groupby("class"):
            fig.add_trace(go.Scatter3d(x=g["x"], y=g["y"], z=g["z"], mode="markers", name=str(cls),
                                       marker={"size": 2, "color": colours.get(str(cls), "#333")}))  # fmt: skip
    else:
        fig.add_trace(go.Scatter3d(
            x=shown["x"], y=shown["y"], z=shown["z"], mode="markers", name=f"blocks ({color_by})",
            marker={"size": 2, "color": shown[color_by], "colorscale": "Viridis", "showscale": True,
                    "colorbar": {"title": color_by}},
        ))  # fmt: skip
    if traces is not None and len(traces):
        xs: list[float | None] = []
        ys: list[float | None] = []
        zs: list[float | None] = []
        for r in traces[["xb", "yb", "zb", "xe", "ye", "ze"]].itertuples(index=False):
            xs += [r.xb, r.xe, None]
            ys += [r.yb, r.ye, None]
            zs += [r.zb, r.ze, None]
        fig.add_trace(go.Scatter3d(x=xs, y=ys, z=zs, mode="lines", name="drillholes",
                                   line={"color": "black", "width": 2}))  # fmt: skip
    sub = f" (every {step}th block: {len(shown):,} of {n:,})" if step > 1 else f" ({n:,} blocks)"
    fig.update_layout(title=title + sub, scene={"aspectmode": "data"})
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.write_html(str(path), include_plotlyjs=True, full_html=True)
    return path
