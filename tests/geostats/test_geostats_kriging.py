from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from geostats_fixtures import REFERENCE
from scipy.spatial import cKDTree

from critmin.errors import ValidationError
from critmin.geostats.kriging import (
    Search,
    cross_validate,
    discretisation_offsets,
    kriging_weights,
    ordinary_kriging,
)
from critmin.geostats.variogram import Structure, VariogramModel

SPH = VariogramModel(0.0, (Structure("spherical", 1.0, (10.0, 10.0, 10.0)),))


def _data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (n, 3))
    return x, np.sin(x[:, 0] / 15) + 0.5 * np.cos(x[:, 1] / 20) + rng.normal(0, 0.1, n)


def test_hand_solved_two_samples() -> None:
    data = np.array([[-1.0, 0, 0], [2.0, 0, 0]])
    c = {h: 1 - 1.5 * h / 10 + 0.5 * (h / 10) ** 3 for h in (1, 2, 3)}
    lam1 = (c[1] - c[2] + 1 - c[3]) / (2 - 2 * c[3])  # 0.583 / 0.873
    lam2 = 1 - lam1
    mu = c[1] - lam1 - lam2 * c[3]
    var = 1 - lam1 * c[1] - lam2 * c[2] - mu
    assert lam1 == pytest.approx(0.583 / 0.873)
    w, m, v = kriging_weights(data, np.zeros(3), SPH)
    np.testing.assert_allclose(w, [lam1, lam2], rtol=1e-12)
    assert m == pytest.approx(mu) and v == pytest.approx(var)
    r = ordinary_kriging(
        data, np.array([3.0, 6.0]), np.zeros((1, 3)), SPH, Search((20, 20, 20), min_samples=2)
    )
    assert r["estimate"].iloc[0] == pytest.approx(3 * lam1 + 6 * lam2)
    assert r["variance"].iloc[0] == pytest.approx(var)


def test_exact_at_data_points_with_zero_nugget() -> None:
    x, v = _data()
    model = VariogramModel(0.0, (Structure("spherical", 1.0, (40, 40, 40)),))
    r = ordinary_kriging(x, v, x[:50], model, Search((50, 50, 50), min_samples=2, max_samples=16))
    np.testing.assert_allclose(r["estimate"], v[:50], atol=1e-9)
    np.testing.assert_allclose(r["variance"], 0.0, atol=1e-9)


def test_weights_sum_to_one_and_kernel_matches_numpy() -> None:
    x, v = _data(60)
    model = VariogramModel(
        0.1,
        (
            Structure("exponential", 0.5, (60, 40, 20), 30, 10, 5),
            Structure("gaussian", 0.4, (30, 30, 30)),
        ),
    )
    t = np.array([[50.0, 50, 50]])
    w, _, var = kriging_weights(x, t[0], model, block_size=(10, 10, 5), discretisation=(3, 3, 2))
    assert w.sum() == pytest.approx(1.0)
    s = Search((1000, 1000, 1000), min_samples=1, max_samples=60)
    r = ordinary_kriging(x, v, t, model, s, block_size=(10, 10, 5), discretisation=(3, 3, 2))
    assert r["sum_weights"].iloc[0] == pytest.approx(1.0)
    assert r["estimate"].iloc[0] == pytest.approx(w @ v, rel=1e-9)
    assert r["variance"].iloc[0] == pytest.approx(var, rel=1e-9)
    assert r["n_samples"].iloc[0] == 60


def test_search_limits_and_passes() -> None:
    # a hole of 10 samples straight down plus 3 scattered samples
    hole = np.column_stack([np.zeros(10), np.zeros(10), -np.arange(10.0)])
    others = np.array([[5.0, 0, -3], [0, 5, -3], [-5, -5, -3]])
    x = np.vstack([hole, others])
    v = np.r_[np.ones(10), 2 * np.ones(3)]
    holes = np.array(["A"] * 10 + ["B", "C", "D"])
    s = Search((20, 20, 20), min_samples=3, max_samples=8, max_per_hole=2)
    r = ordinary_kriging(x, v, np.array([[1.0, 1, -3]]), SPH, s, holes=holes)
    assert r["n_samples"].iloc[0] == 5 and r["n_holes"].iloc[0] == 4
    # octants: all hole samples are in the two octants below/above... at most 1 per octant
    so = Search((20, 20, 20), min_samples=1, max_samples=8, max_per_octant=1)
    ro = ordinary_kriging(x, v, np.array([[1.0, 1, -3]]), SPH, so)
    assert ro["n_samples"].iloc[0] <= 8
    # a far target: pass 1 fails, pass 2 (x10) estimates
    far = np.array([[100.0, 0, 0]])
    r2 = ordinary_kriging(x, v, far, SPH, [s, s.scaled(10.0)], holes=holes)
    assert r2["search_pass"].iloc[0] == 2
    r1 = ordinary_kriging(x, v, far, SPH, s, holes=holes)
    assert r1["search_pass"].iloc[0] == 0 and np.isnan(r1["estimate"].iloc[0])


def test_invalid_search() -> None:
    with pytest.raises(ValidationError):
        Search((10, 10, 10), min_samples=5, max_samples=2)
    with pytest.raises(ValidationError):
        Search((10, 0, 10))


def test_discretisation_offsets() -> None:
    d = discretisation_offsets((10, 10, 4), (2, 2, 2))
    assert d.shape == (8, 3)
    np.testing.assert_allclose(np.unique(d[:, 0]), [-2.5, 2.5])
    np.testing.assert_allclose(d.mean(axis=0), 0)


def test_cross_validation_leave_one_out() -> None:
    x, v = _data(200)
    model = VariogramModel(0.01, (Structure("spherical", 0.6, (50, 50, 50)),))
    cv = cross_validate(x, v, model, Search((60, 60, 60), min_samples=3, max_samples=16))
    assert (cv["n_samples"] >= 3).all()
    assert not np.isclose(cv["error"], 0).all()  # the sample itself is excluded
    assert cv[["true", "estimate"]].corr().iloc[0, 1] > 0.7
    holes = np.repeat(np.arange(40), 5).astype(str)
    cvh = cross_validate(
        x,
        v,
        model,
        Search((60, 60, 60), min_samples=3, max_samples=16),
        holes=holes,
        leave_hole_out=True,
    )
    assert cvh["estimate"].notna().all()


def test_against_pykrige() -> None:
    pk = pytest.importorskip("pykrige.ok3d")
    x, v = _data(150, seed=3)
    rng = np.random.default_rng(9)
    t = rng.uniform(10, 90, (40, 3))
    model = VariogramModel(0.05, (Structure("spherical", 0.6, (45, 45, 45)),))
    ok = pk.OrdinaryKriging3D(
        x[:, 0],
        x[:, 1],
        x[:, 2],
        v,
        variogram_model="spherical",
        variogram_parameters={"psill": 0.6, "range": 45.0, "nugget": 0.05},
    )
    z, ss = ok.execute("points", t[:, 0], t[:, 1], t[:, 2], backend="loop", n_closest_points=12)
    r = ordinary_kriging(x, v, t, model, Search((1e4, 1e4, 1e4), min_samples=12, max_samples=12))
    np.testing.assert_allclose(r["estimate"], np.asarray(z), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(r["variance"], np.asarray(ss), rtol=1e-6, atol=1e-8)


def test_against_gstools() -> None:
    gs = pytest.importorskip("gstools")
    x, v = _data(80, seed=4)
    t = np.random.default_rng(5).uniform(10, 90, (30, 3))
    model = VariogramModel(0.0, (Structure("exponential", 0.8, (60, 60, 60)),))
    # GSTools exponential: var * exp(-h / len_scale); ours uses the practical range (3 len_scale)
    gm = gs.Exponential(dim=3, var=0.8, len_scale=20.0)
    krig = gs.krige.Ordinary(gm, cond_pos=x.T, cond_val=v, exact=True)
    est, kvar = krig(t.T, return_var=True)
    r = ordinary_kriging(x, v, t, model, Search((1e4, 1e4, 1e4), min_samples=80, max_samples=80))
    np.testing.assert_allclose(r["estimate"], est, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(r["variance"], kvar, rtol=1e-5, atol=1e-8)


@pytest.mark.reference
def test_walker_lake_cross_validation() -> None:
    f = REFERENCE / "geostat-samples" / "walkerlake" / "walker.dat"
    ex = REFERENCE / "geostat-samples" / "walkerlake" / "Exhaustive_set.csv"
    d = pd.read_csv(f, sep=r"\s+", skiprows=8, header=None, names=["id", "x", "y", "v", "u", "t"])
    assert len(d) == 470
    xyz = np.column_stack([d["x"], d["y"], np.zeros(len(d))]).astype(float)
    v = d["v"].to_numpy(dtype=float)
    # Isaaks & Srivastava (1989) ch. 16 model of V: nugget 22,000 + two spherical
    # structures, anisotropic with major axis N14W (azimuth 346)
    model = VariogramModel(
        22_000.0,
        (
            Structure("spherical", 40_000.0, (30.0, 25.0, 25.0), azimuth=346.0),
            Structure("spherical", 45_000.0, (150.0, 50.0, 50.0), azimuth=346.0),
        ),
    )
    search = Search((150.0, 50.0, 50.0), azimuth=346.0, min_samples=4, max_samples=24)
    cv = cross_validate(xyz, v, model, search)
    ok = cv["estimate"].notna()
    assert ok.mean() > 0.95
    err = cv.loc[ok, "error"]
    assert abs(err.mean()) < 0.05 * v.mean()  # unbiased within 5 %
    assert cv.loc[ok, ["true", "estimate"]].corr().iloc[0, 1] > 0.5
    z2 = (cv.loc[ok, "standardised_error"] ** 2).mean()
    assert 0.5 < z2 < 2.0  # kriging variance of the right size
    # block estimate of the exhaustive mean (Isaaks & Srivastava: V mean 277.9 ppm)
    e = pd.read_csv(ex)
    assert e["V"].mean() == pytest.approx(277.9, abs=0.1)
    grid = np.column_stack([e["X"], e["Y"], np.zeros(len(e))]).astype(float)[::7]
    r = ordinary_kriging(xyz, v, grid, model, [search, search.scaled(3.0)])
    assert r["estimate"].notna().all()
    assert r["estimate"].mean() == pytest.approx(e["V"].mean(), rel=0.1)


def test_duplicate_samples_are_averaged_not_singular() -> None:
    # two samples at the same place: with a nugget the system stays regular and the
    # pair acts like one sample of their mean (PyKrige's convention)
    model = VariogramModel(0.2, (Structure("spherical", 0.8, (10.0, 10.0, 10.0)),))
    x = np.array([[0.0, 0, 0], [0.0, 0, 0], [4.0, 0, 0], [0.0, 5, 0]])
    v = np.array([1.0, 3.0, 5.0, 7.0])
    t = np.array([[1.0, 1.0, 0.0]])
    r = ordinary_kriging(x, v, t, model, Search((20, 20, 20), min_samples=2, max_samples=8))
    w, _, var = kriging_weights(x, t[0], model)
    assert np.isfinite(r["estimate"].iloc[0])
    assert w[0] == pytest.approx(w[1])
    assert r["estimate"].iloc[0] == pytest.approx(w @ v, rel=1e-12)
    assert r["variance"].iloc[0] == pytest.approx(var, rel=1e-12)


@pytest.mark.parametrize("max_samples", [1, 3, 15, 16, 17, 31, 33, 40])
def test_kernel_matches_numpy_for_any_system_size(max_samples: int) -> None:
    # the padded (vectorised) loops must give the same answer for every system size,
    # with several structures and systems of different sizes in one run
    x, v = _data(120, seed=5)
    model = VariogramModel(
        0.05,
        (
            Structure("spherical", 0.5, (40, 30, 20), 20),
            Structure("exponential", 0.3, (80, 80, 40)),
            Structure("gaussian", 0.15, (25, 25, 25)),
        ),
    )
    rng = np.random.default_rng(1)
    t = rng.uniform(0, 100, (40, 3))
    s = Search((35, 35, 35), min_samples=1, max_samples=max_samples)
    r = ordinary_kriging(x, v, t, model, s)
    if max_samples > 16:
        assert r["n_samples"].nunique() > 1  # systems of several sizes in one run
    idx = cKDTree(x).query(t, k=max_samples, distance_upper_bound=35 * (1 + 1e-9))[1]
    idx = np.asarray(idx).reshape(len(t), -1)
    for i in range(len(t)):
        sel = idx[i][idx[i] < len(x)]
        if len(sel) == 0:
            assert np.isnan(r["estimate"].iloc[i])
            continue
        w, _, var = kriging_weights(x[sel], t[i], model)
        assert r["estimate"].iloc[i] == pytest.approx(w @ v[sel], rel=1e-9, abs=1e-12)
        assert r["variance"].iloc[i] == pytest.approx(var, rel=1e-8, abs=1e-12)
