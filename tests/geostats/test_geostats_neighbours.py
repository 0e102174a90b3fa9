"""The compiled grid neighbour search returns exactly what a kd-tree returns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from critmin.geostats.neighbours import nearest_samples


def _reference(pts: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    _, idx = cKDTree(pts).query(q, k=k, distance_upper_bound=1.0 + 1e-9)
    return np.asarray(idx, dtype=np.int64).reshape(len(q), k)


def _same_neighbours(pts: np.ndarray, q: np.ndarray, got: np.ndarray, ref: np.ndarray) -> None:
    """Same sets, nearest first (ties may be ordered differently)."""
    n = len(pts)
    assert got.shape == ref.shape
    for i in range(len(q)):
        g, r = got[i][got[i] < n], ref[i][ref[i] < n]
        assert len(g) == len(r)
        dg = np.linalg.norm(pts[g] - q[i], axis=1)
        dr = np.linalg.norm(pts[r] - q[i], axis=1)
        np.testing.assert_allclose(dg, dr, rtol=0, atol=1e-12)
        assert (np.diff(dg) >= 0).all()
        assert (got[i][len(g) :] == n).all()


@pytest.mark.parametrize("scale,k", [(1e7, 32), (3.0, 32), (1.2, 64), (0.5, 16)])
def test_block_grid_matches_kdtree(scale: float, k: int) -> None:
    rng = np.random.default_rng(42)
    pts = rng.random((2_000, 3)) * [10, 10, 3] / scale
    g = np.stack(np.meshgrid(*(np.linspace(0, 1, 14),) * 3, indexing="ij"), -1).reshape(-1, 3)
    q = g * [10, 10, 3] / scale
    for threads in (1, 2):
        got = nearest_samples(pts, q, k, threads=threads)
        assert np.array_equal(got, _reference(pts, q, k))


def test_drillhole_strings_and_far_targets() -> None:
    rng = np.random.default_rng(3)
    holes = []
    for _ in range(30):
        top = rng.random(3) * [5, 5, 0]
        d = rng.normal(size=3)
        d[2] = -abs(d[2]) - 1
        holes.append(top + np.outer(np.arange(0, 3, 0.02), d / np.linalg.norm(d)))
    pts = np.vstack(holes)
    q = rng.random((3_000, 3)) * [9, 9, 6] - [2, 2, 5]  # some far outside the holes
    _same_neighbours(pts, q, nearest_samples(pts, q, 24, threads=2), _reference(pts, q, 24))


def test_edge_cases() -> None:
    pts = np.zeros((1, 3))
    q = np.array([[0, 0, 0.5], [0, 0, 2.0], [np.nan, 0, 0]])
    assert nearest_samples(pts, q, 3).tolist() == [[0, 1, 1], [1, 1, 1], [1, 1, 1]]
    assert nearest_samples(np.zeros((0, 3)), q, 2).tolist() == [[0, 0]] * 3
    assert nearest_samples(pts, np.zeros((0, 3)), 2).shape == (0, 2)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 300),
    m=st.integers(1, 200),
    k=st.integers(1, 40),
    spread=st.floats(0.05, 20.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_matches_kdtree_property(n: int, m: int, k: int, spread: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(n, 3)) * spread * rng.random(3)  # flattened clouds too
    if n > 3:
        pts[1] = pts[0]  # a duplicate sample
    q = rng.normal(size=(m, 3)) * spread
    _same_neighbours(pts, q, nearest_samples(pts, q, k, threads=2), _reference(pts, q, k))
