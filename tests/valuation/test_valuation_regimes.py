"""Regime-switching prices, history joins, deterministic-vs-MC explanation (issue 18)."""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from critmin.errors import ValidationError
from critmin.valuation import value_project
from critmin.valuation.history import join_series
from critmin.valuation.regimes import estimate_generator, simulate_regimes
from critmin.valuation.spec import ProjectSpec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
D = dt.date


def test_join_series_by_hand() -> None:
    old = pd.Series({2000: 10.0, 2001: 20.0, 2002: 40.0})
    new = pd.Series({2001: 30.0, 2002: 60.0, 2003: 90.0})
    joined, rec = join_series(old, new)
    assert rec["ratio"] == pytest.approx(1.5) and rec["overlap_years"] == 2
    assert joined.to_dict() == pytest.approx({2000: 15.0, 2001: 30.0, 2002: 60.0, 2003: 90.0})
    with pytest.raises(ValidationError, match="share no year"):
        join_series(pd.Series({2000: 1.0}), pd.Series({2005: 1.0}))


def test_generator_from_events_by_hand() -> None:
    # a: 2000-01-01 .. 2001-01-01 (366 d), b: .. 2001-07-02 (182 d), a: .. 2002-07-02 (365 d)
    events = [
        (D(2000, 1, 1), "a", "s1"),
        (D(2001, 1, 1), "b", "s2"),
        (D(2001, 7, 2), "a", "s3"),
    ]
    chain = estimate_generator(
        ["a", "b", "c"],
        [1.0, 2.0, 3.0],
        "a",
        events,
        D(2002, 7, 2),
        [("a", "c", 0.1, "assumption")],
    )
    q = chain.generator
    t_a = (366 + 365) / 365.25
    t_b = 182 / 365.25
    assert q[0, 1] == pytest.approx(1 / t_a)
    assert q[1, 0] == pytest.approx(1 / t_b)
    assert q[0, 2] == pytest.approx(0.1)
    assert np.allclose(q.sum(axis=1), 0.0)
    tab = chain.table.set_index(["from_regime", "to_regime"])
    assert tab.loc[("a", "b"), "events"] == 1 and tab.loc[("a", "b"), "source"] == "s2"
    assert tab.loc[("a", "c"), "basis"] == "given"
    p = chain.annual_matrix()
    assert np.allclose(p.sum(axis=1), 1.0) and (p >= 0).all()
    with pytest.raises(ValidationError, match="estimated from 1 events"):
        estimate_generator(
            ["a", "b"], [1, 2], "a", events[:2], D(2002, 1, 1), [("a", "b", 1.0, "x")]
        )


def test_simulated_regimes_follow_the_matrix() -> None:
    p = np.array([[0.9, 0.1], [0.3, 0.7]])
    s = simulate_regimes(p, 0, 1, 200_000, np.random.default_rng(3))
    assert np.mean(s[:, 0] == 1) == pytest.approx(0.1, abs=0.003)
    s2 = simulate_regimes(p, 1, 1, 200_000, np.random.default_rng(4))
    assert np.mean(s2[:, 0] == 0) == pytest.approx(0.3, abs=0.004)


TOY: dict[str, Any] = {
    "kind": "project",
    "name": "toy",
    "commodity": "gallium",
    "base_year": 2025,
    "sources": {"ev": {"title": "an event"}},
    "production": {"start_year": 2026, "life_years": 5, "capacity_tpa": 10},
    "capex": {"initial": {2025: 500.0}},
    "discount": {"rate": 0.1},
    "price": {
        "deck": {"kind": "flat", "price": 100.0},
        "model": {
            "level": "deck",
            "start": "deck",
            "params": {"kappa": 0.5, "sigma": 0.2},
        },
    },
}


def _regimes(prem: float) -> dict[str, Any]:
    return {
        "initial": "calm",
        "states": [
            {"name": "calm", "premium": 1.0},
            {"name": "tight", "premium": prem},
        ],
        "events": [
            {"date": "2020-01-01", "to": "tight", "source": "ev"},
            {"date": "2022-01-01", "to": "calm", "source": "ev"},
            {"date": "2023-01-01", "to": "tight", "source": "ev"},
            {"date": "2024-01-01", "to": "calm", "source": "ev"},
        ],
        "observed_until": "2025-01-01",
    }


def test_unit_premiums_reproduce_the_plain_model() -> None:
    plain = parse_spec(TOY)
    d = copy.deepcopy(TOY)
    d["price"]["model"]["regimes"] = _regimes(1.0)
    reg = parse_spec(d)
    assert isinstance(plain, ProjectSpec) and isinstance(reg, ProjectSpec)
    a = value_project(plain, draws=3000, seed=5)
    b = value_project(reg, draws=3000, seed=5)
    assert a.mc_npv is not None and b.mc_npv is not None
    assert np.allclose(a.mc_npv, b.mc_npv)


def test_premiums_move_prices_and_are_explained() -> None:
    d = copy.deepcopy(TOY)
    d["price"]["model"]["regimes"] = _regimes(3.0)
    spec = parse_spec(d)
    assert isinstance(spec, ProjectSpec)
    r = value_project(spec, draws=4000, seed=5)
    assert r.regime_table is not None and set(r.regime_table["basis"]) == {"estimated"}
    assert r.price_fan is not None
    # starting calm, regime switches to 'tight' (x3) lift the median price above the deck
    assert r.price_fan["p50"].iloc[-1] > 100.0
    assert "regimes switch" in r.explanation
    g = r.gap_table.set_index("item")["value"]  # type: ignore[union-attr]
    assert g["gap"] == pytest.approx(
        g["gap_from_price_level"] + g["gap_from_dispersion_and_nonlinearity"]
    )
    assert g["regime_share_tight"] > 0.1


def test_gallium_example_is_regime_aware_and_sourced() -> None:
    r = value_project(EXAMPLES / "erg-gallium-pavlodar.yaml", draws=2000, seed=1)
    m = r.metrics
    assert m["fit_window"] == "1990-2017"
    assert (
        "latest stored price" in m["price_deck"]
        and "mcs2026_gallium_import_unit_value" in m["price_deck"]
    )
    assert r.price_fit is not None and r.price_fit.start_price == pytest.approx(580_000)
    assert r.regime_table is not None
    est = r.regime_table[r.regime_table["basis"] == "estimated"]
    assert len(est) >= 2 and (est["source"].str.startswith("facts_l")).all()
    given = r.regime_table[r.regime_table["basis"] == "given"]
    assert (given["source"] == "assumption").all()
    a = r.assumptions.set_index("name")
    prem = a[a.index.str.contains("regimes")]
    assert (
        len(prem) >= 3
        and ((prem["source"] == "assumption") | prem["source"].str.startswith("facts_l")).all()
    )
    assert r.window_table is not None and r.window_table["chosen"].sum() == 1
    assert {"1960-2017", "2010-2017"} <= set(r.window_table["window"])
    assert "deck's central path" in r.explanation and "Monte Carlo median" in r.explanation
    assert math.isfinite(m["mc_npv_p50_usd"])


def test_tin_example_starts_from_latest_stored_price() -> None:
    r = value_project(EXAMPLES / "syrymbet-tin.yaml", draws=1000, seed=1)
    assert r.price_fit is not None
    assert r.price_fit.start_period == "2026-05"
    assert r.price_fit.start_price == pytest.approx(53_562.79, rel=1e-6)
    assert r.metrics["fit_window"] == "1990-2025"
    wt = r.window_table
    assert wt is not None and len(wt) == 5
    chosen = wt[wt["chosen"]].iloc[0]
    assert chosen["kappa"] == pytest.approx(r.price_fit.kappa)
    assert chosen["npv_usd"] == pytest.approx(r.metrics["npv_usd"])
    # the fiscal template applied: MET on tin and copper, CIT 20 %
    cf = r.cash_flows
    prod = cf[cf["payable_t"] > 0]
    assert (prod["royalty_usd"] > 0.039 * prod["revenue_usd"] - 1e-6).all()
