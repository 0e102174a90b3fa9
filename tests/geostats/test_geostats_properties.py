"""Properties from the issue's "Done when" list: desurvey by hand, metal conservation,
kriging exactness, far-field limit, unit weight sum and variogram-fit recovery."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.geostats.composite import composite
from critmin.geostats.desurvey import hole_positions
from critmin.geostats.kriging import Search, kriging_weights, ordinary_kriging
from critmin.geostats.variogram import (
    Structure,
    VariogramModel,
    experimental_variogram,
    fit_variogram,
)

S3 = np.sqrt(3.0)


# --- desurvey: expected coordinates worked by hand -------------------------------------


def test_desurvey_vertical_hole() -> None:
    # collar (10, 20, 100), straight down: z drops by the depth
    p = hole_positions(
        np.array([10.0, 20, 100]),
        np.array([0.0]),
        np.array([123.0]),
        np.array([90.0]),
        np.array([0, 30, 75]),
    )
    np.testing.assert_allclose(p, [[10, 20, 100], [10, 20, 70], [10, 20, 25]], atol=1e-9)


def test_desurvey_straight_inclined_hole() -> None:
    # azimuth 45, dip 60 (down): horizontal part d*cos60 = d/2 split equally E and N
    # (sin45 = cos45 = 1/sqrt2), vertical part d*sin60 = d*sqrt3/2
    d = 40.0
    p = hole_positions(
        np.zeros(3), np.array([0.0, 100]), np.array([45.0, 45]), np.array([60.0, 60]), np.array([d])
    )[0]
    h = d / 2 / np.sqrt(2)
    np.testing.assert_allclose(p, [h, h, -d * S3 / 2], atol=1e-9)


def test_desurvey_curved_hole_minimum_curvature() -> None:
    # station 0: vertical, t1 = (0, 0, -1); station at 100 m: azimuth 90, dip 60,
    # t2 = (cos60, 0, -sin60) = (1/2, 0, -sqrt3/2). Dogleg: cos b = sqrt3/2, b = 30 deg.
    at, az, dip = np.array([0.0, 100.0]), np.array([0.0, 90.0]), np.array([90.0, 60.0])
    b = np.pi / 6
    # station 2 by the minimum-curvature formula: dp = ds/2 (t1 + t2) * RF, RF = 2/b tan(b/2)
    rf = 2 / b * np.tan(b / 2)  # = 1.02349...
    st2 = 50.0 * rf * np.array([0.5, 0.0, -(1 + S3 / 2)])
    assert rf == pytest.approx(1.0234, abs=1e-4)
    # half way along the arc (s = 50): radius R = 100/b, turned angle 15 deg, the arc's
    # normal n = (t2 - t1 cos b)/sin b = (1, 0, 0): p = R (sin15 t1 + (1 - cos15) n)
    r = 100.0 / b
    th = np.radians(15.0)
    mid = np.array([r * (1 - np.cos(th)), 0.0, -r * np.sin(th)])
    # 20 m past the last station: straight along t2
    beyond = st2 + 20.0 * np.array([0.5, 0.0, -S3 / 2])
    p = hole_positions(np.zeros(3), at, az, dip, np.array([50.0, 100.0, 120.0]))
    np.testing.assert_allclose(p[0], mid, atol=1e-9)
    np.testing.assert_allclose(p[1], st2, atol=1e-9)
    np.testing.assert_allclose(p[2], beyond, atol=1e-9)
    # numbers worked out: station 2 at (25.587, 0, -95.493)
    np.testing.assert_allclose(st2, [25.587, 0, -95.493], atol=1e-3)


# --- composites conserve length-weighted metal ------------------------------------------


@pytest.mark.parametrize("residual", ["keep", "merge_half", "equalize"])
def test_composites_conserve_metal(residual: str) -> None:
    rng = np.random.default_rng(3)
    rows = []
    for h in range(5):
        depth = 0.0
        for _ in range(int(rng.integers(5, 30))):
            ln = float(rng.uniform(0.3, 4.0))
            rows.append((f"H{h}", depth, depth + ln, float(rng.lognormal(0, 1))))
            depth += ln
    t = pd.DataFrame(rows, columns=["hole", "from", "to", "g"])
    c = composite(t, 2.5, ["g"], residual=residual, min_coverage=0.0)  # type: ignore[arg-type]
    metal_in = ((t["to"] - t["from"]) * t["g"]).groupby(t["hole"]).sum()
    metal_out = (c["length"] * c["g"]).groupby(c["hole"]).sum()
    np.testing.assert_allclose(metal_out.sort_index(), metal_in.sort_index(), rtol=1e-12)
    np.testing.assert_allclose(
        c.groupby("hole")["length"].sum().sort_index(),
        (t["to"] - t["from"]).groupby(t["hole"]).sum().sort_index(),
        rtol=1e-12,
    )


# --- kriging -----------------------------------------------------------------------------


def _cloud(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 200, (n, 3))
    return x, np.sin(x[:, 0] / 30) + 0.01 * x[:, 2] + rng.normal(0, 0.2, n)


def test_kriging_reproduces_data_with_zero_nugget() -> None:
    x, v = _cloud(400, 5)
    for st in (
        Structure("spherical", 1.0, (80.0, 60.0, 30.0), 30.0, 10.0),
        Structure("exponential", 1.0, (90.0, 90.0, 90.0)),
    ):
        model = VariogramModel(0.0, (st,))
        r = ordinary_kriging(x, v, x[::7], model, Search((100, 100, 100), max_samples=20))
        np.testing.assert_allclose(r["estimate"], v[::7], atol=1e-8)
        np.testing.assert_allclose(r["variance"], 0.0, atol=1e-8)


def test_kriging_far_from_data_tends_to_the_gls_mean() -> None:
    """Beyond the range every sample-target covariance is 0, so OK solves C l + mu 1 = 0,
    sum(l) = 1: l = C^-1 1 / (1' C^-1 1), the generalised-least-squares mean of the
    neighbours used, whatever the target position; variance C(0) + 1/(1' C^-1 1). The
    weights are equal (estimate = arithmetic mean) only when the neighbours are
    uncorrelated with each other (spaced beyond the range)."""
    model = VariogramModel(0.2, (Structure("spherical", 0.8, (50.0, 50.0, 50.0)),))
    s = Search((1e5, 1e5, 1e5), min_samples=1, max_samples=16)
    # (a) neighbours 60 m apart (beyond the range): equal weights, arithmetic mean
    g = np.arange(4) * 60.0
    x = np.array(np.meshgrid(g, g, [0.0], indexing="ij")).reshape(3, -1).T
    v = np.random.default_rng(0).normal(size=len(x))
    far = np.array([[5000.0, 0, 0], [0, -7000, 300]])
    r = ordinary_kriging(x, v, far, model, s)
    np.testing.assert_allclose(r["estimate"], v.mean(), rtol=1e-12)
    np.testing.assert_allclose(r["variance"], 1.0 + 1.0 / len(x), rtol=1e-12)
    w, _, _ = kriging_weights(x, far[0], model)
    np.testing.assert_allclose(w, 1 / len(x), rtol=1e-12)
    # (b) clustered neighbours: the GLS mean, not the arithmetic mean
    xc, vc = _cloud(16, 9)
    xc /= 4  # within 50 m of each other
    c = model.covariance((xc[:, None] - xc[None]).reshape(-1, 3)).reshape(16, 16)
    ci1 = np.linalg.solve(c, np.ones(16))
    lam = ci1 / ci1.sum()
    rc = ordinary_kriging(xc, vc, far, model, s)
    np.testing.assert_allclose(rc["estimate"], lam @ vc, rtol=1e-9)
    np.testing.assert_allclose(rc["variance"], model.sill + 1 / ci1.sum(), rtol=1e-9)
    assert abs(lam @ vc - vc.mean()) > 1e-3


def test_kriging_weights_sum_to_one() -> None:
    x, v = _cloud(300, 11)
    model = VariogramModel(
        0.05,
        (
            Structure("spherical", 0.5, (70.0, 40.0, 20.0), 60.0, 20.0, 10.0),
            Structure("gaussian", 0.3, (120.0, 120.0, 120.0)),
        ),
    )
    tg = np.random.default_rng(12).uniform(-20, 220, (200, 3))
    s = Search((150, 100, 80), 60.0, 20.0, 10.0, min_samples=3, max_samples=24, max_per_octant=4)
    for kw in ({}, {"block_size": (10.0, 10.0, 5.0), "discretisation": (3, 3, 2)}):
        r = ordinary_kriging(x, v, tg, model, s, **kw)  # type: ignore[arg-type]
        ok = r["search_pass"] > 0
        assert ok.mean() > 0.9
        np.testing.assert_allclose(r.loc[ok, "sum_weights"], 1.0, atol=1e-10)
    w, _, _ = kriging_weights(x[:40], tg[0], model, block_size=(10, 10, 5))
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


# --- variogram fitting recovers known parameters ----------------------------------------


def test_variogram_fit_recovers_simulated_spherical_model() -> None:
    gs = pytest.importorskip("gstools")
    nugget, sill, rng_m = 0.2, 1.0, 40.0
    model = gs.Spherical(dim=3, var=sill, len_scale=rng_m)
    ax = np.arange(0.0, 200.0, 4.0)
    srf = gs.SRF(model, seed=20260101)
    field = srf.structured([ax, ax, ax[:20]])
    rng = np.random.default_rng(1)
    idx = rng.choice(field.size, 6000, replace=False)
    ii = np.unravel_index(idx, field.shape)
    xyz = np.column_stack([ax[ii[0]], ax[ii[1]], ax[ii[2]]])
    v = field.ravel()[idx] + rng.normal(0, np.sqrt(nugget), len(idx))
    exp = experimental_variogram(xyz, v, lag=5.0, n_lags=14)
    fit = fit_variogram(exp, ["spherical"])
    assert fit.structures[0].ranges[0] == pytest.approx(rng_m, rel=0.2)
    assert fit.sill == pytest.approx(nugget + sill, rel=0.2)
    # the nugget is the least constrained (no pairs closer than the 4 m grid spacing)
    assert fit.nugget == pytest.approx(nugget, abs=0.2)
