"""Bounded memory: streaming percentiles, the pre-run memory estimate and its refusal."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import yaml

from critmin.errors import ResourceLimitError
from critmin.scenarios import parse_scenario, run_scenario
from critmin.scenarios.streaming import LogHistogram, memory_estimate

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "scenarios"
    / "gallium-export-restriction.yaml"
)


def _spec(horizon: int):  # type: ignore[no-untyped-def]
    d = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    d["horizon"] = horizon
    return parse_scenario(d, str(EXAMPLE))


def test_histogram_quantiles_match_numpy_within_resolution() -> None:
    rng = np.random.default_rng(0)
    x = np.exp(rng.normal(5.0, 1.5, (50_000, 3)))
    x[:10_000, 1] = 0.0  # a point mass at zero (no shortfall)
    h = LogHistogram(1e-3, 1e6, 3)
    for a in range(0, len(x), 7_000):  # chunks of any size
        h.add(x[a : a + 7_000])
    assert h.n == len(x)
    q = h.quantile([5, 50, 95])
    exact = np.percentile(x, [5, 50, 95], axis=0)
    assert q[0, 1] == 0.0  # P5 of the column with 20 % zeros
    mask = exact > 0
    assert np.all(np.abs(q[mask] / exact[mask] - 1) <= 2 * h.resolution)
    p = h.exceed(np.full(3, 100.0))
    assert np.allclose(p, (x > 100.0).mean(axis=0), atol=0.005)
    big = LogHistogram(1.0, 10.0, 1)
    big.add(np.array([[100.0]]))
    assert np.isnan(big.quantile(50)).all() and big.overflow[0] == 1


def test_streamed_tables_agree_with_kept_draws() -> None:
    s = _spec(24)
    a = run_scenario(s, draws=3000, seed=3, keep_draws=True)
    b = run_scenario(s, draws=3000, seed=3, keep_draws=False)
    assert "row.price" in a.mc and "row.price" not in b.mc
    for col in ("p5", "p50", "p95"):
        np.testing.assert_allclose(b.price_bands[col], a.price_bands[col], rtol=5e-3)
    for col in ("ratio_p5", "ratio_p50", "ratio_p95"):
        np.testing.assert_allclose(b.spread[col], a.spread[col], rtol=5e-3)
    pa, pb = a.shortfall_probability(), b.shortfall_probability()
    np.testing.assert_allclose(pb["probability"], pa["probability"], atol=0.01)


def test_memory_does_not_grow_with_draws() -> None:
    s = _spec(36)
    run_scenario(s, draws=100, seed=1, keep_draws=False)  # kernel loaded

    def peak(n: int) -> int:
        tracemalloc.start()
        run_scenario(s, draws=n, seed=1, keep_draws=False)
        _, pk = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return pk

    small, large = peak(8_000), peak(40_000)
    assert large < 1.25 * small, (small, large)  # 5x the draws, about the same memory
    kept = 40_000 * 36 * 8 * 8
    assert large < 0.6 * kept  # below what keeping the draws alone would take


def test_memory_estimate_refuses_what_will_not_fit() -> None:
    est = memory_estimate(200_000, 120, 120, 2000, keep=False)
    assert est < 1 * 2**30  # streaming: well under 1 GiB
    assert memory_estimate(200_000, 120, 120, 2000, keep=True) > est + 1.5e9
    with pytest.raises(ResourceLimitError, match="GiB"):
        run_scenario(_spec(12), draws=1000, seed=1, max_memory=1_000_000)
