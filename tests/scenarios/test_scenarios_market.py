"""Market clearing: hand-computed cases, closed forms, capacity, the two-market regime switch."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.scenarios.market import (
    MarketCurves,
    clear_single,
    clear_two_markets,
    closed_form_ratio,
    demand,
    supply,
)


def test_supply_cut_closed_form_hand_computed() -> None:
    # 100 t/yr market, supply cut by 20 %, eps_s = 0.5, eps_d = -0.5:
    # 100 x^-0.5 = 80 x^0.5  ->  x = 100/80 = 1.25 exactly.
    m = MarketCurves(d0=100.0, eps_d=-0.5, s0=80.0, eps_s=0.5)
    x = clear_single(m)
    assert x == pytest.approx(1.25, rel=1e-12)
    # eps_s = 0, eps_d = -0.25: x = (100/80)^4 = 2.44140625
    m2 = MarketCurves(d0=100.0, eps_d=-0.25, s0=80.0, eps_s=0.0)
    assert clear_single(m2) == pytest.approx(1.25**4, rel=1e-12)


def test_closed_form_matches_solver_over_many_draws() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    cut = rng.uniform(0.0, 0.5, n)
    es = rng.uniform(0.0, 1.5, n)
    ed = rng.uniform(-1.5, -0.1, n)
    m = MarketCurves(d0=np.full(n, 100.0), eps_d=ed, s0=100.0 * (1 - cut), eps_s=es)
    x = clear_single(m, x_max=1e9)
    expect = (1.0 / (1.0 - cut)) ** (1.0 / (es - ed))
    ok = expect < 1e9
    np.testing.assert_allclose(x[ok], expect[ok], rtol=1e-10)
    np.testing.assert_allclose(closed_form_ratio(100.0, 100.0 * (1 - cut), es, ed), expect)


def test_capacity_limit_and_inflow() -> None:
    # capacity binds: supply fixed at K = 90 with 10 t/yr inelastic inflow -> D = 100 at x = 1
    m = MarketCurves(d0=100.0, eps_d=-0.5, s0=95.0, eps_s=1.0, k=90.0, inflow=10.0)
    assert clear_single(m) == pytest.approx(1.0, rel=1e-12)
    # without inflow: 100 x^-0.5 = 90 -> x = (100/90)^2
    m = MarketCurves(d0=100.0, eps_d=-0.5, s0=95.0, eps_s=1.0, k=90.0)
    assert clear_single(m) == pytest.approx((100 / 90) ** 2, rel=1e-12)


def test_outage_and_price_ceiling() -> None:
    assert supply(2.0, 10.0, 1.0, outage=0.5) == pytest.approx(10.0)
    assert demand(4.0, 100.0, -0.5) == pytest.approx(50.0)
    # inelastic demand and supply with a cut: no finite price clears -> ceiling
    m = MarketCurves(d0=100.0, eps_d=0.0, s0=50.0, eps_s=0.0)
    assert clear_single(m, x_max=50.0) == pytest.approx(50.0)


def test_two_markets_integrated_when_cap_slack() -> None:
    # exporter: S0 = 100, D0 = 80 -> exports 20; rest of world: S0 = 10, D0 = 30
    dom = MarketCurves(d0=80.0, eps_d=-0.5, s0=100.0, eps_s=0.5)
    row = MarketCurves(d0=30.0, eps_d=-0.5, s0=10.0, eps_s=0.5)
    sol = clear_two_markets(dom, row, cap=np.inf)
    assert not sol.segmented
    assert sol.x_domestic == pytest.approx(1.0, rel=1e-12)
    assert sol.x_row == pytest.approx(1.0, rel=1e-12)
    assert sol.exports == pytest.approx(20.0, rel=1e-10)
    sol = clear_two_markets(dom, row, cap=25.0)
    assert not sol.segmented and sol.exports == pytest.approx(20.0, rel=1e-10)


def test_two_markets_segment_under_binding_cap_hand_computed() -> None:
    # exports capped at 10 (from 20). eps = +-0.5 gives closed forms in each market:
    # domestic: 80 x^-0.5 = 100 x^0.5 - 10 -> 100 y^2 - 10 y - 80 = 0 with y = sqrt(x)
    # row:      30 x^-0.5 = 10 x^0.5 + 10 ->  10 y^2 + 10 y - 30 = 0
    dom = MarketCurves(d0=80.0, eps_d=-0.5, s0=100.0, eps_s=0.5)
    row = MarketCurves(d0=30.0, eps_d=-0.5, s0=10.0, eps_s=0.5)
    sol = clear_two_markets(dom, row, cap=10.0)
    assert sol.segmented
    yd = (10 + np.sqrt(100 + 4 * 100 * 80)) / 200
    yr = (-10 + np.sqrt(100 + 4 * 10 * 30)) / 20
    assert sol.x_domestic == pytest.approx(yd**2, rel=1e-10)
    assert sol.x_row == pytest.approx(yr**2, rel=1e-10)
    assert sol.exports == pytest.approx(10.0)
    assert sol.x_row > 1 > sol.x_domestic
    # conservation in each market
    assert dom.supply(sol.x_domestic) - 10.0 == pytest.approx(dom.demand(sol.x_domestic), rel=1e-10)
    assert row.supply(sol.x_row) + 10.0 == pytest.approx(row.demand(sol.x_row), rel=1e-10)


def test_two_markets_vectorised_mixed_regimes() -> None:
    dom = MarketCurves(d0=80.0, eps_d=-0.5, s0=100.0, eps_s=0.5)
    row = MarketCurves(d0=30.0, eps_d=-0.5, s0=10.0, eps_s=0.5)
    caps = np.array([np.inf, 30.0, 10.0, 0.0])
    sol = clear_two_markets(dom, row, cap=caps)
    np.testing.assert_array_equal(sol.segmented, [False, False, True, True])
    assert np.all(sol.exports <= caps + 1e-9)
    assert np.all(np.diff(sol.x_row[1:]) > 0)  # tighter cap, higher ROW price
