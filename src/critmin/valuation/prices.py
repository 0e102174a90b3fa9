"""Price models for valuation: history handling, a mean-reverting log-price fit, paths.

The core functions take a price series (pandas) and are pure; only
:func:`store_history` touches the dataset store, and it imports it lazily.
:func:`read_price_csv` is the file reader of :mod:`critmin.data.readers.price_csv`,
re-exported here.

Model
-----
The log price x = ln S follows an Ornstein-Uhlenbeck process (Schwartz 1997,
one-factor model)::

    dx = κ (μ - x) dt + σ dW

whose exact discretisation on a step Δ is an AR(1)::

    x_{t+Δ} = μ (1 - e^{-κΔ}) + e^{-κΔ} x_t + σ √((1 - e^{-2κΔ}) / (2κ)) ε,  ε ~ N(0, 1)

It is fitted by ordinary least squares of x_{t+Δ} on x_t (the conditional maximum
likelihood estimator). When the slope is >= 1 (no mean reversion in the sample)
the fit falls back to a random walk with drift (geometric Brownian motion in S),
and says so.

Glossary
--------
κ (kappa) : speed of mean reversion. [1/yr]
μ (mu) : long-run mean of the log price; exp(μ) is the long-run median price. [ln(USD/t)]
σ (sigma) : volatility of the log price. [1/√yr]
half-life : ln 2 / κ, time for a deviation from μ to halve. [yr]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from critmin.data.readers.price_csv import read_price_csv
from critmin.errors import DataNotFoundError, ValidationError
from critmin.units import convert

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "PriceModelFit",
    "annual_mean",
    "deflate",
    "expected_log_path",
    "fit_log_ou",
    "read_price_csv",
    "simulate_log_ou",
    "store_history",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PriceModelFit:
    """A fitted (or given) log-price model.

    Attributes
    ----------
    model : {"ou", "gbm"}
        Mean-reverting log price, or random walk with drift when no reversion was found.
    kappa : float
        Speed of mean reversion (0 for ``gbm``). [1/yr]
    mu : float
        Long-run mean of the log price (``ou``); NaN for ``gbm``. [ln(USD/t)]
    sigma : float
        Volatility of the log price. [1/√yr]
    drift : float
        Drift of the log price (``gbm`` only, else 0). [1/yr]
    dt : float
        Step of the data the model was fitted on. [yr]
    n_obs : int
        Number of (x_t, x_{t+Δ}) pairs used. [-]
    first_period, last_period : str
        Periods covered by the fit.
    last_price : float
        Last observed price. [USD/t]
    slope, slope_se, intercept, intercept_se, r2 : float
        OLS slope e^{-κΔ}, intercept, their standard errors, and R². [-]
    source : str
        What it was fitted on (series id or file), or "given" for user parameters.
    note : str
        Warnings (fallback to GBM, short sample).
    start_price, start_period, start_label : float, str, str
        Latest stored price the simulations start from (``start: latest``), its
        period and where it comes from. [USD/t]
    """

    model: Literal["ou", "gbm"]
    kappa: float
    mu: float
    sigma: float
    drift: float = 0.0
    dt: float = 1.0
    n_obs: int = 0
    first_period: str = ""
    last_period: str = ""
    last_price: float = math.nan
    slope: float = math.nan
    slope_se: float = math.nan
    intercept: float = math.nan
    intercept_se: float = math.nan
    r2: float = math.nan
    source: str = "given"
    note: str = ""
    start_price: float = math.nan
    start_period: str = ""
    start_label: str = ""

    @property
    def half_life(self) -> float:
        """ln 2 / κ, infinite without mean reversion. [yr]"""
        return math.log(2.0) / self.kappa if self.kappa > 0 else math.inf

    @property
    def long_run_price(self) -> float:
        """exp(μ): the long-run median price (NaN for ``gbm``). [USD/t]"""
        return math.exp(self.mu) if self.model == "ou" else math.nan

    def to_frame(self, price_unit: str = "USD/t") -> pd.DataFrame:
        """Parameters as a table (``parameter``, ``value``, ``unit``) for reports.

        Parameters
        ----------
        price_unit : str
            Unit to show prices in (``USD/kg``...). [-]
        """
        f = 1.0 if price_unit == "USD/t" else convert(1.0, "USD/t", price_unit)
        rows: list[tuple[str, Any, str]] = [
            ("model", self.model, ""),
            ("kappa", self.kappa, "1/yr"),
            ("half_life", self.half_life, "yr"),
            ("long_run_price", self.long_run_price * f, price_unit),
            ("sigma", self.sigma, "1/sqrt(yr)"),
            (
                "stationary_sd_log_price",
                self.sigma / math.sqrt(2 * self.kappa) if self.kappa > 0 else math.inf,
                "-",
            ),
            ("drift", self.drift, "1/yr"),
            ("ar1_slope", self.slope, "-"),
            ("ar1_slope_se", self.slope_se, "-"),
            ("ar1_intercept", self.intercept, "-"),
            ("ar1_intercept_se", self.intercept_se, "-"),
            ("r2", self.r2, "-"),
            ("n_obs", self.n_obs, "pairs"),
            ("first_period", self.first_period, ""),
            ("last_period", self.last_period, ""),
            ("last_price", self.last_price * f, price_unit),
            ("dt", self.dt, "yr"),
            ("source", self.source, ""),
            ("note", self.note, ""),
        ]
        return pd.DataFrame(
            {
                "parameter": [r[0] for r in rows],
                "value": [r[1] for r in rows],
                "unit": [r[2] for r in rows],
            }
        )


def annual_mean(prices: pd.Series, *, min_obs: int = 12) -> pd.Series:
    """Calendar-year averages of a monthly (or finer) price series.

    Parameters
    ----------
    prices : pandas.Series
        Prices indexed by datetime. [USD/t]
    min_obs : int
        Years with fewer observations are dropped (incomplete years). [-]

    Returns
    -------
    pandas.Series
        Annual means indexed by integer year. [USD/t]
    """
    s = prices.dropna()
    if not isinstance(s.index, pd.DatetimeIndex):
        s.index = pd.to_datetime(s.index)
    g = s.groupby(s.index.year)
    out = g.mean()[g.count() >= min_obs]
    out.index = out.index.astype(int)
    out.index.name = "year"
    return out.astype(float)


def deflate(prices: pd.Series, inflation: float, base_year: int) -> pd.Series:
    """Express an annual nominal series in constant base-year money with a flat inflation rate.

    Parameters
    ----------
    prices : pandas.Series
        Nominal prices indexed by integer year. [USD/t]
    inflation : float
        Assumed constant annual inflation. [1/yr, fraction]
    base_year : int
        Year whose money the result is in. [yr]

    Returns
    -------
    pandas.Series
        Real prices, P_real(y) = P(y) · (1 + i)^(base_year - y). [USD/t, base-year money]
    """
    if inflation <= -1:
        raise ValidationError("inflation must be > -1")
    years = np.asarray(prices.index, dtype=float)
    return prices * np.power(1.0 + inflation, base_year - years)


def fit_log_ou(prices: pd.Series, *, dt: float = 1.0, source: str = "") -> PriceModelFit:
    """Fit a mean-reverting log-price (Ornstein-Uhlenbeck) model by OLS.

    Parameters
    ----------
    prices : pandas.Series
        Positive prices on a regular grid, indexed by integer year (``dt = 1``) or by
        an integer period counter; gaps are allowed (pairs that straddle a gap are
        dropped). [USD/t]
    dt : float
        Step between consecutive index values. [yr]
    source : str
        Label of the data, carried into the result.

    Returns
    -------
    PriceModelFit
        ``model="ou"`` with κ, μ, σ when the AR(1) slope b is in (0, 1); otherwise
        ``model="gbm"`` with drift and volatility of the log returns.

    Notes
    -----
    OLS of x_{t+1} = a + b x_t + e gives κ = -ln(b)/Δ, μ = a/(1-b),
    σ = s_e · √(2κ / (1 - b²)), with s_e the residual standard deviation (n - 2
    degrees of freedom). For GBM: drift = mean(Δx)/Δ, σ = sd(Δx)/√Δ. Short samples
    bias b downwards (κ upwards); the fit reports n_obs and standard errors.

    References
    ----------
    .. [1] Schwartz, E. S. (1997). The stochastic behavior of commodity prices:
       implications for valuation and hedging. *Journal of Finance* 52(3), 923-973.
    .. [2] Smith, W. (2010). On the simulation and estimation of the mean-reverting
       Ornstein-Uhlenbeck process.
    """
    s = pd.Series(prices, dtype=float).dropna().sort_index()
    if (s <= 0).any():
        raise ValidationError("prices must be positive to take logs")
    idx = np.asarray(s.index, dtype=np.int64)
    x = np.log(s.to_numpy())
    consecutive = np.diff(idx) == 1
    x0 = x[:-1][consecutive]
    x1 = x[1:][consecutive]
    n = x0.size
    if n < 5:
        raise ValidationError(
            f"need at least 5 consecutive pairs of prices to fit a price model, got {n}"
        )
    first, last = str(s.index[0]), str(s.index[-1])
    last_price = float(s.iloc[-1])
    X = np.column_stack([np.ones(n), x0])
    coef, *_ = np.linalg.lstsq(X, x1, rcond=None)
    a, b = float(coef[0]), float(coef[1])
    resid = x1 - X @ coef
    s2 = float(resid @ resid) / (n - 2)
    cov = s2 * np.linalg.inv(X.T @ X)
    ss_tot = float(((x1 - x1.mean()) ** 2).sum())
    r2 = 1.0 - float(resid @ resid) / ss_tot if ss_tot > 0 else math.nan
    common = {
        "dt": dt,
        "n_obs": n,
        "first_period": first,
        "last_period": last,
        "last_price": last_price,
        "slope": b,
        "slope_se": math.sqrt(cov[1, 1]),
        "intercept": a,
        "intercept_se": math.sqrt(cov[0, 0]),
        "r2": r2,
        "source": source,
    }
    short = " short sample: parameters are uncertain;" if n < 20 else ""
    if 0.0 < b < 1.0:
        kappa = -math.log(b) / dt
        mu = a / (1.0 - b)
        sigma = math.sqrt(s2) * math.sqrt(2.0 * kappa / (1.0 - b * b))
        return PriceModelFit("ou", kappa, mu, sigma, note=short.strip(" ;"), **common)  # type: ignore[arg-type]
    dx = x1 - x0
    drift = float(dx.mean()) / dt
    sigma = float(dx.std(ddof=1)) / math.sqrt(dt)
    note = (
        f"AR(1) slope {b:.3f} outside (0, 1): no mean reversion found; random walk with drift used;"
        + short
    )
    return PriceModelFit("gbm", 0.0, math.nan, sigma, drift=drift, note=note.strip(" ;"), **common)  # type: ignore[arg-type]


def simulate_log_ou(
    x0: float | FloatArray,
    fit: PriceModelFit,
    n_steps: int,
    n_paths: int,
    *,
    dt: float = 1.0,
    rng: np.random.Generator | int | None = None,
    mu: float | None = None,
) -> FloatArray:
    """Simulate log-price paths, exactly discretised, vectorised over paths.

    Parameters
    ----------
    x0 : float or numpy.ndarray
        Starting log price(s). [ln(USD/t)]
    fit : PriceModelFit
        Model and parameters (``ou`` or ``gbm``).
    n_steps : int
        Steps to simulate. [-]
    n_paths : int
        Number of paths. [-]
    dt : float
        Step length. [yr]
    rng : numpy.random.Generator or int, optional
        Random generator or seed.
    mu : float, optional
        Override of the long-run mean log price (``ou`` only). [ln(USD/t)]

    Returns
    -------
    numpy.ndarray
        Log prices x_1 .. x_n, shape ``(n_paths, n_steps)`` (x0 excluded). [ln(USD/t)]

    Notes
    -----
    OU: x_{k+1} = μ + (x_k - μ) e^{-κΔ} + σ √((1 - e^{-2κΔ})/(2κ)) ε_k.
    GBM: x_{k+1} = x_k + drift Δ + σ √Δ ε_k.
    """
    if n_steps < 0 or n_paths < 1:
        raise ValidationError("n_steps must be >= 0 and n_paths >= 1")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    eps = gen.standard_normal((n_steps, n_paths))  # one contiguous row per step
    x = np.broadcast_to(np.asarray(x0, dtype=float), (n_paths,)).copy()
    if fit.model == "ou":
        out_t = np.empty((n_steps, n_paths))
        m = fit.mu if mu is None else mu
        phi = math.exp(-fit.kappa * dt)
        sd = fit.sigma * math.sqrt((1.0 - phi * phi) / (2.0 * fit.kappa))
        for k in range(n_steps):
            x = m + (x - m) * phi + sd * eps[k]
            out_t[k] = x
    else:
        out_t = np.cumsum(fit.drift * dt + fit.sigma * math.sqrt(dt) * eps, axis=0)
        out_t += x[None, :]
    out: FloatArray = out_t.T
    return out


def expected_log_path(
    x0: float, fit: PriceModelFit, n_steps: int, *, dt: float = 1.0, mu: float | None = None
) -> FloatArray:
    """Expected log price E[x_k | x_0] for k = 1..n (exp gives the median price path).

    Parameters
    ----------
    x0 : float
        Starting log price. [ln(USD/t)]
    fit : PriceModelFit
        Model.
    n_steps : int
        Steps. [-]
    dt : float
        Step length. [yr]
    mu : float, optional
        Override of the long-run mean log price. [ln(USD/t)]

    Returns
    -------
    numpy.ndarray
        Shape ``(n_steps,)``. [ln(USD/t)]

    Notes
    -----
    OU: E[x_k] = μ + (x_0 - μ) e^{-κ k Δ}; GBM: x_0 + drift · k Δ.
    """
    k = np.arange(1, n_steps + 1, dtype=float)
    if fit.model == "ou":
        m = fit.mu if mu is None else mu
        return m + (x0 - m) * np.exp(-fit.kappa * k * dt)
    return x0 + fit.drift * k * dt


def store_history(
    series: str, *, frequency: Literal["A", "M"] = "A", store: Store | None = None
) -> tuple[pd.Series, str]:
    """Price history of one series from the dataset store (thin adapter).

    Parameters
    ----------
    series : str
        Series id in the store (``wb_tin``, ``usgs_gallium_low_purity``...).
    frequency : {"A", "M"}
        ``A``: annual (monthly series averaged over complete years); ``M``: monthly
        values indexed by a month counter (year·12 + month - 1).
    store : Store, optional
        Store to read; default: the process-wide one
        (:func:`critmin.data.store.get_store`).

    Returns
    -------
    tuple of (pandas.Series, str)
        Prices indexed by integer year (or month counter) and their unit (``USD/t``...).

    Raises
    ------
    DataNotFoundError
        If the store holds no such series.
    """
    if store is None:
        from critmin.data.store import get_store

        store = get_store()
    df = store.prices(series=series)
    if df is None or len(df) == 0:
        raise DataNotFoundError(f"no prices for series {series!r} in the store")
    units = sorted(set(df["unit"].astype(str)))
    if len(units) != 1:
        raise DataNotFoundError(f"series {series!r} mixes units {units}")
    df = df.sort_values("date")
    freq = set(df["frequency"].astype(str))
    dates = pd.DatetimeIndex(pd.to_datetime(df["date"]))
    values = pd.Series(df["value"].to_numpy(dtype=float), index=dates)
    if frequency == "M":
        if freq != {"M"}:
            raise DataNotFoundError(f"series {series!r} is not monthly (frequency {sorted(freq)})")
        idx = dates.year * 12 + dates.month - 1
        return pd.Series(values.to_numpy(), index=np.asarray(idx, dtype=np.int64)), units[0]
    if freq == {"A"}:
        annual = pd.Series(values.to_numpy(), index=np.asarray(dates.year, dtype=np.int64))
    else:
        annual = annual_mean(values)
    annual.index.name = "year"
    return annual, units[0]
