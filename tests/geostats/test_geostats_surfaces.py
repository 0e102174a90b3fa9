"""Surfaces in PLY and OBJ: closed wireframes select the same blocks as STL; open ones are topography."""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
import pytest
from defect_db import DEFECT_SPEC, defect_db
from geostats_fixtures import write

from critmin.errors import ValidationError
from critmin.geostats.blockmodel import BlockModel
from critmin.geostats.wireframe import inside_wireframe, is_closed, read_mesh
from critmin.geostats.workflow import run_spec

CUBE_PTS = np.array(
    [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], float
)
CUBE_QUADS = np.array(
    [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
)


def _cube(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + CUBE_PTS * (hi - lo)


def test_ply_obj_and_stl_select_the_same_blocks(tmp_path: Path) -> None:
    pts = _cube(np.array([4.0, 4.0, 4.0]), np.array([36.0, 26.0, 16.0]))
    meshio.write(str(tmp_path / "c.obj"), meshio.Mesh(pts, [("quad", CUBE_QUADS)]))
    tri = np.concatenate([CUBE_QUADS[:, [0, 1, 2]], CUBE_QUADS[:, [0, 2, 3]]])
    meshio.write(str(tmp_path / "c.ply"), meshio.Mesh(pts, [("triangle", tri)]), binary=False)
    meshio.write(str(tmp_path / "c.stl"), meshio.Mesh(pts, [("triangle", tri)]), binary=True)
    bm = BlockModel((0.0, 0.0, 0.0), (2.0, 2.0, 2.0), (25, 20, 10))
    masks = [inside_wireframe(bm, read_mesh(tmp_path / f"c.{e}")) for e in ("stl", "ply", "obj")]
    assert all(is_closed(read_mesh(tmp_path / f"c.{e}")) for e in ("stl", "ply", "obj"))
    np.testing.assert_array_equal(masks[0], masks[1])
    np.testing.assert_array_equal(masks[0], masks[2])
    c = bm.centroids()
    inside = (c > [4, 4, 4]).all(axis=1) & (c < [36, 26, 16]).all(axis=1)
    np.testing.assert_array_equal(masks[0], inside)


def test_open_ply_is_topography_and_not_a_wireframe(tmp_path: Path) -> None:
    defect_db(tmp_path, clean=True)
    # a flat surface at 480 m over the whole area: blocks centred above it are dropped
    pts = np.array(
        [[900, 1900, 480], [1200, 1900, 480], [1200, 2200, 480], [900, 2200, 480]], float
    )
    meshio.write(str(tmp_path / "topo.ply"), meshio.Mesh(pts, [("triangle", np.array([[0, 1, 2], [0, 2, 3]]))]),
                 binary=False)  # fmt: skip
    assert not is_closed(read_mesh(tmp_path / "topo.ply"))
    spec = DEFECT_SPEC.replace("  below_collars: true\n", "  topography: topo.ply\n")
    res = run_spec(write(tmp_path / "t.yaml", spec))
    assert (res.blocks["z"] < 480).all()
    removed = res.ledger[res.ledger["reason"] == "above the topography"]
    assert removed["blocks"].iloc[0] > 0
    bad = DEFECT_SPEC.replace("  below_collars: true\n", "  wireframe: topo.ply\n")
    with pytest.raises(ValidationError, match="the wireframe is open"):
        run_spec(write(tmp_path / "w.yaml", bad))
