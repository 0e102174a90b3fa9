"""Slope of regression and kriging efficiency: the kernel against the weights."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.geostats.kriging import Search, ordinary_kriging
from critmin.geostats.variogram import Structure, VariogramModel

MODEL = VariogramModel(
    0.2,
    (
        Structure("spherical", 0.5, (40.0, 30.0, 15.0), azimuth=30.0),
        Structure("exponential", 0.3, (120.0, 90.0, 40.0), azimuth=30.0),
    ),
)
SIZE = (10.0, 10.0, 5.0)
NDISC = (3, 3, 2)


def _cov(a: np.ndarray, b: np.ndarray, nugget_at_zero: bool) -> np.ndarray:
    """Covariances written out here (spherical and exponential), not the library's."""
    h = (a[:, None, :] - b[None, :, :]).reshape(-1, 3)
    c = np.zeros(len(h))
    for s in MODEL.structures:
        r = np.linalg.norm(h @ s.matrix().T, axis=1)
        gam = (
            np.where(r < 1, 1.5 * r - 0.5 * r**3, 1.0)
            if s.kind == "spherical"
            else 1 - np.exp(-3 * r)
        )
        c += s.sill * (1 - gam)
    if nugget_at_zero:
        c += np.where((h**2).sum(axis=1) < 1e-20, MODEL.nugget, 0.0)
    return c.reshape(len(a), len(b))


def _independent(xyz: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    """SoR = cov(Z*, Z_V) / var(Z*) and KE = (BV - KV) / BV from the solved weights."""
    g = [(np.arange(n) + 0.5) / n * s - s / 2 for s, n in zip(SIZE, NDISC, strict=True)]
    disc = np.column_stack([a.ravel() for a in np.meshgrid(*g, indexing="ij")])
    pts = target + disc
    csd = _cov(xyz, xyz, True)
    c = _cov(xyz, pts, False).mean(axis=1)
    bv = _cov(pts, pts, False).mean()
    k = len(xyz)
    a = np.ones((k + 1, k + 1))
    a[:k, :k] = csd
    a[k, k] = 0.0
    sol = np.linalg.solve(a, np.append(c, 1.0))
    lam, mu = sol[:k], sol[k]
    kv = bv - lam @ c - mu
    return float((lam @ c) / (lam @ csd @ lam)), float((bv - kv) / bv), float(kv)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_slope_and_efficiency_match_weights(seed: int) -> None:
    rng = np.random.default_rng(seed)
    xyz = rng.uniform(0, 100, (30, 3))
    vals = rng.lognormal(0, 0.5, 30)
    targets = rng.uniform(20, 80, (5, 3))
    search = Search((500, 500, 500), min_samples=1, max_samples=30)
    r = ordinary_kriging(xyz, vals, targets, MODEL, search, block_size=SIZE, discretisation=NDISC)
    assert (r["n_samples"] == 30).all()
    for i, t in enumerate(targets):
        sor, ke, kv = _independent(xyz, t)
        assert abs(r.at[i, "variance"] - kv) < 1e-10
        assert abs(r.at[i, "slope_of_regression"] - sor) < 1e-10
        assert abs(r.at[i, "kriging_efficiency"] - ke) < 1e-10
    # a sparse neighbourhood far from the data has a poorer slope than a dense one
    assert 0 < r["slope_of_regression"].min() <= 1.0 + 1e-9


def test_neighbourhood_summary_and_sweep() -> None:
    import pandas as pd

    from critmin.geostats.kna import kna_sweep, neighbourhood_summary

    b = pd.DataFrame(
        {
            "class": ["measured", "measured", "inferred"],
            "slope_of_regression": [0.9, 0.7, 0.3],
            "kriging_efficiency": [0.6, 0.4, -0.2],
        }
    )
    s = neighbourhood_summary(b).set_index("class")
    assert s.loc["measured", "sor_mean"] == pytest.approx(0.8)
    assert s.loc["measured", "share_sor_0_8"] == 0.5 and s.loc["inferred", "blocks"] == 1
    rng = np.random.default_rng(3)
    xyz = rng.uniform(0, 100, (200, 3))
    vals = rng.lognormal(0, 0.5, 200)
    holes = np.array([f"h{i // 10}" for i in range(200)])
    t = kna_sweep(xyz, vals, holes, MODEL, Search((60, 60, 60), min_samples=2, max_samples=8),
                  np.array([[50.0, 50.0, 50.0]]), [SIZE], [4, 8, 16], [1.0, 2.0])  # fmt: skip
    assert len(t) == 6
    # each row equals a direct kriging call with the same settings
    r = ordinary_kriging(xyz, vals, np.array([[50.0, 50.0, 50.0]]), MODEL,
                         Search((120, 120, 120), min_samples=2, max_samples=16), holes=holes,
                         block_size=SIZE, discretisation=(2, 2, 2))  # fmt: skip
    row = t[(t["max_samples"] == 16) & (t["search_scale"] == 2.0)].iloc[0]
    assert row["slope_of_regression"] == r.at[0, "slope_of_regression"]


def test_classification_by_slope_and_efficiency() -> None:
    import pandas as pd

    from critmin.geostats.classify import ClassCriteria, ClassificationRule, classify

    b = pd.DataFrame(
        {
            "search_pass": [1, 1, 1, 2],
            "n_holes": [4, 4, 4, 4],
            "mean_distance": [10.0] * 4,
            "variance": [0.1] * 4,
            "slope_of_regression": [0.95, 0.7, 0.4, 0.95],
            "kriging_efficiency": [0.7, 0.5, 0.1, 0.2],
        }
    )
    rule = ClassificationRule(
        measured=ClassCriteria(max_pass=1, min_slope=0.8, min_efficiency=0.5),
        indicated=ClassCriteria(min_slope=0.6),
        inferred=ClassCriteria(min_efficiency=0.0),
    )
    assert classify(b, rule).tolist() == ["measured", "indicated", "inferred", "indicated"]
