"""Market clearing with constant-elasticity supply and demand (pure NumPy).

Every function works element-wise on arrays (one element per Monte Carlo draw), so a
whole sample clears in one call. Prices are expressed as the ratio ``x = P / P0`` to
the baseline price of the market; quantities are rates. [t/yr]

Equations
---------
Demand of market *m*:  ``D_m(x) = D0_m * g_m * x ** eps_d_m``  (``eps_d <= 0``).

Supply of incumbents:  ``S_m(x) = min(S0_m * x ** eps_s_m, K_m) * (1 - o_m)``
(``eps_s >= 0``; ``K_m`` installed capacity; ``o_m`` share lost to outages).

Price-inelastic inflows ``F_m`` (new capacity, stock draws and releases) add to supply.

One market clears where ``D(x) = S(x) + F``. Without capacity limit and without ``F``
the clearing ratio has the closed form ``x = (D0 g / S0') ** (1 / (eps_s - eps_d))``.

Two markets linked by the exporter's shipments ``X`` (the exporter's domestic market
*d* and the rest of the world *r*): when exports are free, both prices move by the same
ratio (the baseline spread is kept) and ``X* = S_d(x) + F_d - D_d(x)``. When ``X*``
exceeds the allowed ``cap`` the markets separate and each clears on its own with
``X = cap``: ``D_d = S_d + F_d - cap`` and ``D_r = S_r + F_r + cap``. Reverse flows into
the exporter's market are not modelled (``X >= 0``).

References
----------
Nassar, N.T., et al. (2024), Quantifying potential effects of China's gallium and
germanium export restrictions on the U.S. economy, USGS Open-File Report 2024-1057,
doi:10.3133/ofr20241057 (equilibrium prices from supply and demand elasticities and
excess capacity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MarketCurves",
    "TwoMarketSolution",
    "clear_single",
    "clear_two_markets",
    "closed_form_ratio",
    "demand",
    "solve_ratio",
    "supply",
]

Array = NDArray[np.float64]

#: Iteration limit and bracket tolerance (in log x) of :func:`solve_ratio`.
_MAX_IT = 100
_TOL = 1e-13
X_MIN = 1e-3


def _a(v: ArrayLike) -> Array:
    return np.asarray(v, dtype=np.float64)


def demand(x: ArrayLike, d0: ArrayLike, eps_d: ArrayLike) -> Array:
    """Constant-elasticity demand.

    Parameters
    ----------
    x : array_like
        Price as a ratio to the baseline price. [1]
    d0 : array_like
        Demand at the baseline price (growth included). [t/yr]
    eps_d : array_like
        Own-price elasticity of demand (<= 0). [1]

    Returns
    -------
    numpy.ndarray
        Quantity demanded. [t/yr]

    Notes
    -----
    ``D(x) = d0 * x ** eps_d``.
    """
    return _a(d0) * np.power(_a(x), _a(eps_d))


def supply(
    x: ArrayLike,
    s0: ArrayLike,
    eps_s: ArrayLike,
    k: ArrayLike = np.inf,
    outage: ArrayLike = 0.0,
) -> Array:
    """Constant-elasticity supply of incumbents, capped by capacity.

    Parameters
    ----------
    x : array_like
        Price ratio to baseline. [1]
    s0 : array_like
        Output at the baseline price. [t/yr]
    eps_s : array_like
        Price elasticity of supply (>= 0). [1]
    k : array_like
        Installed capacity; ``inf`` for none. [t/yr]
    outage : array_like
        Share of output and capacity lost. [1]

    Returns
    -------
    numpy.ndarray
        Quantity supplied. [t/yr]

    Notes
    -----
    ``S(x) = min(s0 * x ** eps_s, k) * (1 - outage)``.
    """
    return np.minimum(_a(s0) * np.power(_a(x), _a(eps_s)), _a(k)) * (1.0 - _a(outage))


@dataclass(frozen=True)
class MarketCurves:
    """Supply and demand of one market for one period (arrays over draws).

    Attributes
    ----------
    d0 : array
        Demand at the baseline price, growth included. [t/yr]
    eps_d : array
        Demand elasticity. [1]
    s0 : array
        Incumbent output at the baseline price. [t/yr]
    eps_s : array
        Supply elasticity. [1]
    k : array
        Incumbent capacity. [t/yr]
    outage : array
        Share of incumbent output lost. [1]
    inflow : array
        Price-inelastic supply: new capacity, stock draws and releases. [t/yr]
    """

    d0: Any
    eps_d: Any
    s0: Any
    eps_s: Any
    k: Any = np.inf
    outage: Any = 0.0
    inflow: Any = 0.0

    def demand(self, x: ArrayLike) -> Array:
        """Quantity demanded at price ratio ``x``. [t/yr]"""
        return demand(x, self.d0, self.eps_d)

    def supply(self, x: ArrayLike) -> Array:
        """Incumbent supply plus inflows at price ratio ``x``. [t/yr]"""
        return supply(x, self.s0, self.eps_s, self.k, self.outage) + _a(self.inflow)

    def excess(self, x: ArrayLike, net_imports: ArrayLike = 0.0) -> Array:
        """Excess demand ``D(x) - S(x) - F - net_imports``. [t/yr]"""
        return self.demand(x) - self.supply(x) - _a(net_imports)

    def slope(self, x: ArrayLike) -> Array:
        """Derivative of :meth:`excess` with respect to ``log x``. [t/yr]

        Notes
        -----
        ``eps_d * D(x) - eps_s * S0 x**eps_s (1 - o)`` where capacity does not bind.
        """
        s = _a(self.s0) * np.power(_a(x), _a(self.eps_s))
        ds = np.where(s < _a(self.k), _a(self.eps_s) * s, 0.0) * (1.0 - _a(self.outage))
        return _a(self.eps_d) * self.demand(x) - ds


def solve_ratio(
    excess: Any, shape: tuple[int, ...], x_max: float, slope: Any | None = None
) -> Array:
    """Root of a decreasing excess-demand function, element-wise, on ``u = log x``.

    Parameters
    ----------
    excess : callable
        ``excess(x) -> array``; decreasing in ``x``.
    shape : tuple
        Shape of the arrays.
    x_max : float
        Price ceiling as a ratio to baseline. [1]
    slope : callable, optional
        ``slope(x) -> d excess / d log x``; enables safeguarded Newton steps.

    Returns
    -------
    numpy.ndarray
        Price ratio in ``[X_MIN, x_max]``; the bound where no root lies inside.

    Notes
    -----
    The root is kept in a bracket ``[a, b]`` with ``excess > 0`` at ``a`` and ``< 0``
    at ``b``. With ``slope`` each step is a Newton step ``u - f / f'`` unless it leaves
    the bracket, when it bisects (``rtsafe``); without ``slope`` it bisects. Stops when
    every step is below ``1e-13`` in ``log x``.
    """
    lo = np.full(shape, np.log(X_MIN))
    hi = np.full(shape, np.log(x_max))
    at_max = np.broadcast_to(excess(np.exp(hi)), shape) > 0
    at_min = np.broadcast_to(excess(np.exp(lo)), shape) < 0
    u = np.clip(np.zeros(shape), lo, hi)
    for _ in range(_MAX_IT):
        xu = np.exp(u)
        f = np.broadcast_to(excess(xu), shape)
        lo = np.where(f > 0, u, lo)
        hi = np.where(f < 0, u, hi)
        mid = 0.5 * (lo + hi)
        if slope is None:
            new = mid
        else:
            g = np.broadcast_to(slope(xu), shape)
            ok = g < 0
            step = np.where(ok, f / np.where(ok, g, -1.0), np.inf)
            new = np.where((u - step <= lo) | (u - step >= hi), mid, u - step)
            new = np.where(np.abs(step) < _TOL, u, new)  # converged: keep u
        new = np.where(f == 0, u, new)
        done = np.abs(new - u) < _TOL
        u = new
        if np.all(done | at_max | at_min):
            break
    x = np.exp(u)
    x = np.where(at_max, x_max, x)
    return np.where(at_min, X_MIN, x)


def clear_single(m: MarketCurves, net_imports: ArrayLike = 0.0, x_max: float = 50.0) -> Array:
    """Clearing price ratio of one market.

    Parameters
    ----------
    m : MarketCurves
        The market.
    net_imports : array_like
        Inelastic net imports (negative: exports). [t/yr]
    x_max : float
        Price ceiling as a ratio to baseline. [1]

    Returns
    -------
    numpy.ndarray
        ``x`` with ``D(x) = S(x) + F + net_imports`` (or a bound). [1]
    """
    shape = np.broadcast(_a(m.d0), _a(m.s0), _a(net_imports), _a(m.inflow)).shape
    return solve_ratio(lambda x: m.excess(x, net_imports), shape, x_max, m.slope)


def closed_form_ratio(d0: ArrayLike, s0: ArrayLike, eps_s: ArrayLike, eps_d: ArrayLike) -> Array:
    """Clearing price ratio without capacity limit or inelastic inflows.

    Notes
    -----
    ``d0 * x ** eps_d = s0 * x ** eps_s``  gives  ``x = (d0 / s0) ** (1 / (eps_s - eps_d))``.
    A supply cut by share ``c`` from a balanced baseline (``d0 = s0 / (1 - c)``) raises
    the price by ``(1 / (1 - c)) ** (1 / (eps_s - eps_d))``.
    """
    return np.power(_a(d0) / _a(s0), 1.0 / (_a(eps_s) - _a(eps_d)))


@dataclass(frozen=True)
class TwoMarketSolution:
    """Prices and the trade flow of the two linked markets (arrays over draws).

    Attributes
    ----------
    x_domestic, x_row : array
        Price ratios to each market's baseline price. [1]
    exports : array
        Shipments from the exporter's market to the rest of the world. [t/yr]
    segmented : array of bool
        True where the export cap binds (or exports would be negative).
    """

    x_domestic: Array
    x_row: Array
    exports: Array
    segmented: NDArray[np.bool_]


def clear_two_markets(
    dom: MarketCurves, row: MarketCurves, cap: ArrayLike, x_max: float = 50.0
) -> TwoMarketSolution:
    """Clear the exporter's market and the rest of the world under an export cap.

    Parameters
    ----------
    dom, row : MarketCurves
        The exporter's domestic market and the rest of the world.
    cap : array_like
        Most the exporter may ship; ``inf`` for no restriction. [t/yr]
    x_max : float
        Price ceiling as a ratio to baseline. [1]

    Returns
    -------
    TwoMarketSolution

    Notes
    -----
    Integrated regime (the cap does not bind): one ratio ``x`` clears
    ``D_d(x) + D_r(x) = S_d(x) + S_r(x) + F_d + F_r`` and ``X* = S_d(x) + F_d - D_d(x)``.
    Where ``X*`` is above the cap (or below zero) the markets clear apart with
    ``X = clip(X*, 0, cap)``.
    """
    cap_a = _a(cap)
    shape = np.broadcast(_a(dom.d0), _a(row.d0), cap_a).shape

    def world(x: Array) -> Array:
        return dom.excess(x) + row.excess(x)

    x = solve_ratio(world, shape, x_max, lambda y: dom.slope(y) + row.slope(y))
    x_star = -dom.excess(x)  # exports the exporter would make at the common ratio
    flow = np.clip(x_star, 0.0, cap_a)
    seg = (x_star > cap_a) | (x_star < 0)
    if not np.any(seg):
        return TwoMarketSolution(x, x.copy(), np.broadcast_to(x_star, shape).copy(), seg)
    xd = solve_ratio(lambda y: dom.excess(y, -flow), shape, x_max, dom.slope)
    xr = solve_ratio(lambda y: row.excess(y, flow), shape, x_max, row.slope)
    return TwoMarketSolution(
        np.where(seg, xd, x),
        np.where(seg, xr, x),
        np.broadcast_to(np.where(seg, flow, x_star), shape).copy(),
        np.broadcast_to(seg, shape).copy(),
    )
