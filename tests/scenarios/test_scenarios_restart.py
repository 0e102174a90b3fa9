"""Secondary supply and price-triggered restarts of idle capacity (issue 20, Build item 1):
the schedule against a hand computation, conservation with both terms, calibration kept
without a shock, and the USGS cut-off with secondary supply against its closed form."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from scipy.optimize import brentq

import critmin.scenarios.engine as eng
from critmin.errors import CritminError
from critmin.scenarios import parse_scenario
from critmin.scenarios.compare import usgs_total_cutoff
from critmin.scenarios.simulate import restartable_capacity

EX = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
OOS = EX / "gallium-2023-controls-oos.yaml"

RESTART = {
    "market": "row",
    "share": {"dist": "uniform", "low": 0.1, "high": 0.9, "unit": "1"},
    "threshold_ratio": {"dist": "uniform", "low": 1.2, "high": 3.0, "unit": "1"},
    "lead_months": {"dist": "uniform", "low": 0, "high": 12, "unit": "month"},
    "ramp_months": {"dist": "uniform", "low": 0, "high": 9, "unit": "month"},
}
SECONDARY = {
    "secondary_supply": {
        "domestic": {"dist": "uniform", "low": 0, "high": 50, "unit": "t/yr"},
        "row": {"dist": "uniform", "low": 0, "high": 40, "unit": "t/yr"},
    },
    "secondary_elasticity": {
        "domestic": {"dist": "uniform", "low": 0.0, "high": 1.0, "unit": "1"},
        "row": {"dist": "uniform", "low": 0.0, "high": 1.0, "unit": "1"},
    },
}


def _spec(shocks: bool = True, **params: Any) -> dict[str, Any]:
    d: dict[str, Any] = copy.deepcopy(yaml.safe_load(OOS.read_text("utf-8")))
    if not shocks:
        d["shocks"] = []
    p = d["parameters"]
    for k in ("secondary_supply", "secondary_elasticity", "restart"):
        p.pop(k, None)
    p.update(copy.deepcopy(params))
    return d


def _simulate(d: dict[str, Any], n: int, seed: int) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    prep = eng.prepare(parse_scenario(d, "test.yaml"))
    draws = eng._draw_params(prep.spec, np.random.default_rng(seed), n)
    return prep, draws, eng.simulate(prep, draws)


def test_restart_schedule_matches_hand_computation() -> None:
    """Decision in the first month after the ROW price passes the threshold; nothing for
    the lead time; then a linear ramp to share x (capacity - output)."""
    prep, dr, out = _simulate(_spec(restart=RESTART), 300, 5)
    n, T = out["row"]["price"].shape
    dt = 1.0 / 12.0
    s0r, kr = prep.market_totals("row")
    assert np.isfinite(kr) and kr > s0r  # the store has idle ROW capacity (124 vs 12 t/yr)
    r = restartable_capacity(np.full(n, kr), np.full(n, s0r), dr["parameters.restart.share"])
    x = out["row"]["price_ratio"]
    thr = dr["parameters.restart.threshold_ratio"]
    lead = dr["parameters.restart.lead_months"] / 12.0
    ramp = dr["parameters.restart.ramp_months"] / 12.0
    expect = np.zeros((n, T))
    for i in range(n):
        above = np.nonzero(x[i, :-1] > thr[i])[0]
        if len(above) == 0:
            continue
        t0 = above[0] + 1
        for t in range(t0, T):
            run = (t - t0) * dt - lead[i]
            if run >= 0:
                expect[i, t] = r[i] * (1.0 if ramp[i] <= 0 else min(run / ramp[i], 1.0))
    np.testing.assert_allclose(out["row"]["restart"], expect * dt, rtol=1e-12, atol=1e-15)
    assert (expect > 0).any() and (expect == 0).any()
    assert (out["row"]["restart"] <= r[:, None] * dt * (1 + 1e-12)).all()
    assert not out["domestic"]["restart"].any()
    # restarted capacity is idle capacity: incumbents + restarts never exceed the capacity
    inc = out["row"]["production"] + out["row"]["restart"]
    assert (inc <= kr * dt * (1 + 1e-12)).all()


def test_conservation_with_secondary_supply_and_restarts() -> None:
    d = _spec(restart=RESTART, **SECONDARY)
    d["parameters"]["stocks"]["domestic"] = {"dist": "uniform", "low": 0, "high": 40, "unit": "t"}
    n = 400
    _prep, dr, out = _simulate(d, n, 11)
    for m in ("domestic", "row"):
        o = out[m]
        assert o["secondary"].any()
        scale = np.maximum(o["reference_demand"], 1.0)
        stock0 = dr.get(f"parameters.stocks.{m}", np.zeros(n))
        prev = np.concatenate([stock0[:, None], o["stock_end"][:, :-1]], axis=1)
        supply = (
            o["production"]
            + o["new_capacity"]
            + o["restart"]
            + o["secondary"]
            + o["imports"]
            - o["exports"]
            + o["stock_release"]
        )
        lhs = o["consumption"] + (o["stock_end"] - prev) + o["surplus"]
        np.testing.assert_allclose((supply - lhs) / scale, 0.0, atol=1e-12)
        # secondary supply answers the previous period's price: Q0 x'^eps
        q0 = dr[f"parameters.secondary_supply.{m}"][:, None]
        eq = dr[f"parameters.secondary_elasticity.{m}"][:, None]
        xp = np.concatenate([np.ones((n, 1)), o["price_ratio"][:, :-1]], axis=1)
        np.testing.assert_allclose(o["secondary"], q0 * xp**eq / 12.0, rtol=1e-12)


def test_secondary_supply_without_shock_keeps_the_baseline() -> None:
    """Baseline demand includes the secondary supply, so prices stay at baseline."""
    _prep, dr, out = _simulate(_spec(shocks=False, **SECONDARY), 200, 3)
    for m in ("domestic", "row"):
        np.testing.assert_allclose(out[m]["price_ratio"], 1.0, rtol=0, atol=1e-12)
        q0 = dr[f"parameters.secondary_supply.{m}"][:, None]
        np.testing.assert_allclose(out[m]["secondary"], np.broadcast_to(q0 / 12.0, (200, 30)))


def test_restart_share_out_of_range_is_refused() -> None:
    bad = copy.deepcopy(RESTART)
    bad["share"] = {"value": 1.5, "unit": "1"}
    with pytest.raises(CritminError, match=r"restart\.share"):
        parse_scenario(_spec(restart=bad), "bad.yaml")


def test_usgs_cutoff_with_secondary_supply_matches_closed_form() -> None:
    """Independent check: with a fixed secondary supply Q0 in the single annual period the
    ROW clears at (S_r + X0 + Q0) x^eps_d = S_r x^eps_s + Q0 (root by Brent's method)."""
    df = usgs_total_cutoff("gallium", OOS).set_index("item")["critmin"]
    s, x0, q0 = (
        float(df[k]) for k in ("ROW supply S_r", "China exports X0", "ROW secondary supply Q0")
    )
    es, ed = float(df["ROW supply elasticity"]), float(df["ROW demand elasticity"])
    x = brentq(lambda v: (s + x0 + q0) * v**ed - s * v**es - q0, 1.0, 50.0, xtol=1e-14)
    assert float(df["price effect, with ROW secondary supply"]) == pytest.approx(x - 1, rel=1e-9)
    # secondary supply narrows the gap to USGS but does not close it (docs/scenarios.md)
    assert (
        1.0
        < float(df["critmin / USGS, with secondary supply"])
        < float(df["critmin / USGS price effect"])
    )


def test_oos_china_price_sign_is_still_wrong() -> None:
    """Reported limitation (docs/scenarios.md): ROW secondary supply and restarts act on the
    ROW price, not on China's; out of sample China's modelled price still falls after the
    August 2023 controls, where the observed rose 7-13 % (facts:15-18)."""
    from critmin.scenarios import run_scenario

    pb = run_scenario(str(OOS), draws=500, seed=1).price_bands
    chn = pb[pb["market"] == "CHN"].set_index("period")
    p0 = float(chn.loc["2023-07", "price"])
    assert float(chn.loc["2023-10", "price"]) < p0
    assert float(chn.loc["2023-10", "p95"]) < p0
