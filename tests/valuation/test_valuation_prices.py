"""Price-model fit, simulation and price files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from critmin.errors import InputFileError, ValidationError
from critmin.valuation.prices import (
    PriceModelFit,
    annual_mean,
    deflate,
    expected_log_path,
    fit_log_ou,
    read_price_csv,
    simulate_log_ou,
    store_history,
)

TRUE = PriceModelFit("ou", kappa=0.5, mu=math.log(20_000.0), sigma=0.3)


def _series(x: np.ndarray, start: int = 1000) -> pd.Series:
    return pd.Series(np.exp(x), index=np.arange(start, start + x.size))


def test_fit_recovers_ou_parameters() -> None:
    path = simulate_log_ou(math.log(20_000.0), TRUE, 4000, 1, rng=7)[0]
    fit = fit_log_ou(_series(path), source="synthetic")
    assert fit.model == "ou"
    assert fit.kappa == pytest.approx(0.5, rel=0.15)
    assert fit.long_run_price == pytest.approx(20_000.0, rel=0.05)
    assert fit.sigma == pytest.approx(0.3, rel=0.05)
    assert fit.half_life == pytest.approx(math.log(2) / fit.kappa)
    assert fit.n_obs == 3999 and fit.source == "synthetic"
    tab = fit.to_frame("USD/kg").set_index("parameter")
    assert tab.loc["long_run_price", "value"] == pytest.approx(fit.long_run_price / 1000)
    assert tab.loc["long_run_price", "unit"] == "USD/kg"


def test_fit_falls_back_to_gbm_on_a_random_walk() -> None:
    rng = np.random.default_rng(3)
    x = np.cumsum(0.05 + 0.1 * rng.standard_normal(200)) + 5
    fit = fit_log_ou(_series(x))
    assert fit.model == "gbm"
    assert "no mean reversion" in fit.note
    assert fit.drift == pytest.approx(0.05, abs=0.03)
    assert fit.sigma == pytest.approx(0.1, rel=0.2)


def test_fit_skips_pairs_across_gaps_and_needs_data() -> None:
    s = pd.Series(
        [1.0, 2.0, 1.5, 1.2, 1.1, 1.3, 1.4], index=[2000, 2001, 2002, 2003, 2010, 2011, 2012]
    )
    fit = fit_log_ou(s)
    assert fit.n_obs == 5
    with pytest.raises(ValidationError, match="at least 5"):
        fit_log_ou(pd.Series([1.0, 2.0, 3.0], index=[1, 2, 3]))
    with pytest.raises(ValidationError, match="positive"):
        fit_log_ou(pd.Series([1.0, -2.0] * 5, index=range(10)))


def test_simulation_moments_match_theory() -> None:
    n = 200_000
    x0 = math.log(40_000.0)
    paths = simulate_log_ou(x0, TRUE, 3, n, rng=1)
    assert paths.shape == (n, 3)
    phi = math.exp(-TRUE.kappa * 3)
    mean3 = TRUE.mu + (x0 - TRUE.mu) * phi
    var3 = TRUE.sigma**2 * (1 - phi**2) / (2 * TRUE.kappa)
    assert paths[:, 2].mean() == pytest.approx(mean3, abs=0.005)
    assert paths[:, 2].var() == pytest.approx(var3, rel=0.02)
    assert expected_log_path(x0, TRUE, 3)[2] == pytest.approx(mean3)


def test_simulation_is_reproducible_and_sigma_zero_is_deterministic() -> None:
    a = simulate_log_ou(1.0, TRUE, 5, 10, rng=42)
    b = simulate_log_ou(1.0, TRUE, 5, 10, rng=42)
    assert np.array_equal(a, b)
    flat = PriceModelFit("ou", kappa=0.5, mu=2.0, sigma=0.0)
    p = simulate_log_ou(1.0, flat, 5, 3, rng=0)
    assert p[0] == pytest.approx(expected_log_path(1.0, flat, 5))
    gbm = PriceModelFit("gbm", kappa=0.0, mu=math.nan, sigma=0.0, drift=0.1)
    assert simulate_log_ou(1.0, gbm, 3, 2, rng=0)[1] == pytest.approx([1.1, 1.2, 1.3])


def test_annual_mean_drops_incomplete_years() -> None:
    idx = pd.date_range("2020-01-01", periods=18, freq="MS")
    s = pd.Series(np.arange(18, dtype=float), index=idx)
    out = annual_mean(s)
    assert list(out.index) == [2020]
    assert out[2020] == pytest.approx(5.5)


def test_deflate() -> None:
    s = pd.Series([100.0, 100.0], index=[2023, 2025])
    out = deflate(s, 0.1, 2025)
    assert out.tolist() == pytest.approx([121.0, 100.0])


def test_read_price_csv(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("# scenario run\nperiod,price\n2026,10\n2027-01,20\n2027-02,40\n")
    s = read_price_csv(f)
    assert s.to_dict() == {2026: 10.0, 2027: 30.0}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("period,value\n2026,1\n", "missing column"),
        ("period,price\n2026,abc\n", "line 2"),
        ("period,price\n26,1\n", "not YYYY"),
    ],
)
def test_read_price_csv_errors(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "p.csv"
    f.write_text(text)
    with pytest.raises(InputFileError, match=match):
        read_price_csv(f)
    with pytest.raises(InputFileError, match="not found"):
        read_price_csv(tmp_path / "missing.csv")


def test_store_history_adapter() -> None:
    s, unit = store_history("wb_tin")
    assert unit == "USD/t"
    assert s.index.min() <= 1961 and (s > 0).all()
