"""Exports: OMF read back by the omf package, VTK by meshio, Parquet/CSV, HTML view."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from critmin.geostats.export import block_table, write_blocks, write_html_view, write_omf, write_vtk
from critmin.geostats.workflow import run_spec


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from defect_db import defect_db
    from geostats_fixtures import SMALL_SPEC, write

    d = tmp_path_factory.mktemp("exp")
    defect_db(d, clean=True)
    res = run_spec(write(d / "s.yaml", SMALL_SPEC.replace(
        "  tables: {litho: litho.csv}\n",
        "  tables: {litho: litho.csv}\n  table_columns: {litho: {hole: HOLE, from: DEPTH_FROM, to: DEPTH_TO}}\n")))  # fmt: skip
    return res, block_table(res.blocks, res.block_model)


def test_table_has_every_column(table) -> None:  # type: ignore[no-untyped-def]
    _, t = table
    need = {"x", "y", "z", "size_x", "size_y", "size_z", "CU", "estimate", "variance",
            "slope_of_regression", "kriging_efficiency", "search_pass", "class", "domain",
            "density", "tonnes"}  # fmt: skip
    assert need <= set(t.columns)


def test_parquet_and_csv_round_trip(table, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, t = table
    pq, csv = write_blocks(t, tmp_path)
    pd.testing.assert_frame_equal(pd.read_parquet(pq), t.reset_index(drop=True))
    back = pd.read_csv(csv)
    np.testing.assert_allclose(back["tonnes"], t["tonnes"], rtol=1e-12)
    assert list(back.columns) == list(t.columns)


def test_omf_read_back_with_the_same_values(table, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import omf

    res, t = table
    bm = res.block_model
    p = write_omf(t, bm, tmp_path / "bm.omf")
    proj = omf.OMFReader(str(p)).get_project()
    el = proj.elements[0]
    g = el.geometry
    np.testing.assert_allclose(np.asarray(g.origin), bm.origin)
    np.testing.assert_allclose(np.asarray(g.tensor_u), np.full(bm.shape[0], bm.size[0]))
    assert len(g.tensor_w) == bm.shape[2]
    data = {d.name: d for d in el.data}
    idx = t["block"].to_numpy()
    for c in ("estimate", "tonnes", "slope_of_regression"):
        arr = np.asarray(data[c].array.array)
        assert len(arr) == bm.n_blocks
        np.testing.assert_array_equal(arr[idx], t[c].to_numpy())
        assert np.isnan(np.delete(arr, idx)).all()
    cls = np.asarray(list(data["class"].array.array), dtype=object)
    assert list(cls[idx]) == list(t["class"])
    # the cell of each block lies where the block is: origin + (ijk + 0.5) x size
    i, j, k = bm.ijk(idx).T
    np.testing.assert_allclose(t["x"], bm.origin[0] + (i + 0.5) * bm.size[0])
    np.testing.assert_allclose(t["y"], bm.origin[1] + (j + 0.5) * bm.size[1])
    np.testing.assert_allclose(t["z"], bm.origin[2] + (k + 0.5) * bm.size[2])


def test_vtk_opens_with_meshio(table, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import meshio

    res, t = table
    p = write_vtk(t, res.block_model, tmp_path / "bm.vtu")
    m = meshio.read(p)
    assert m.cells[0].type == "hexahedron" and len(m.cells[0].data) == len(t)
    np.testing.assert_allclose(m.cell_data["estimate"][0], t["estimate"])
    centres = m.points[m.cells[0].data].mean(axis=1)
    np.testing.assert_allclose(centres, t[["x", "y", "z"]].to_numpy(), atol=1e-9)


def test_html_view_is_self_contained(table, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res, t = table
    p = write_html_view(t, res.composites, tmp_path / "view.html", color_by="class", max_blocks=50)
    text = p.read_text()
    assert len(text) > 1_000_000 and '<script src="http' not in text  # plotly.js inside
    assert f"of {len(t):,})" in text
