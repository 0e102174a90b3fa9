"""Monte Carlo NPV over simulated price paths, and its summary.

Price paths come from the spec's log-price model (:mod:`~critmin.valuation.prices`);
each path goes through the vectorised engine of :mod:`~critmin.valuation.model`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from critmin.valuation.deck import FloatArray, model_start, regime_chain
from critmin.valuation.model import ProjectModel, net_cash_flows
from critmin.valuation.prices import PriceModelFit, simulate_log_ou
from critmin.valuation.regimes import simulate_regimes
from critmin.valuation.spec import ProjectSpec

__all__ = ["mc_summary", "monte_carlo_npv"]

#: Paths simulated at once (bounds memory). [-]
_MC_CHUNK = 25_000


def monte_carlo_npv(
    spec: ProjectSpec,
    model: ProjectModel,
    fit: PriceModelFit,
    draws: int,
    seed: int | None,
    diagnostics: dict[str, Any] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """NPV of each simulated price path.

    Parameters
    ----------
    spec : ProjectSpec
        Project (for the model's level and start settings).
    model : ProjectModel
        Project arrays.
    fit : PriceModelFit
        Price model. [USD/t]
    draws : int
        Number of paths. [-]
    seed : int, optional
        Random seed.
    diagnostics : dict, optional
        Filled with ``regime_share`` (share of simulated production years spent in
        each regime, first chunk) when the spec has regimes.

    Returns
    -------
    tuple of numpy.ndarray
        NPV per path, shape ``(draws,)`` [USD]; and price percentiles (5, 25, 50,
        75, 95) per production year, shape ``(5, n_production_years)`` [USD/t, real].

    Notes
    -----
    ``level: fitted``: x = ln S is the OU process of ``fit``. ``level: deck``:
    ln S_y = ln D_y + z_y with z an OU process of mean 0 (same κ, σ): the deck
    is the median path and the model adds mean-reverting noise around it. The
    start is the last observed price (``start: last``) or the deck (``start: deck``).
    With ``price.model.regimes``, a regime path R is simulated for every price path
    and ln S gains ln m(R_t) - ln m(R_0): the deck and the start price belong to the
    initial regime. Paths are simulated in chunks of 25,000 to bound memory.
    """
    m = spec.price.model
    assert m is not None
    prod = np.flatnonzero(model.producing)
    prod_years = model.years[prod]
    deck = model.deck_usd_per_t[prod]
    x0, anchor = model_start(spec, fit, deck, prod_years)
    chain = regime_chain(spec)
    lp = chain.log_premiums if chain is not None else np.zeros(1)
    lp0 = float(lp[chain.initial]) if chain is not None else 0.0
    p_step = chain.annual_matrix() if chain is not None else None
    x_full0 = x0 + (lp0 if m.start != "last" else 0.0)
    n_steps = int(prod_years[-1]) - anchor
    cols = (prod_years - anchor - 1).astype(int)
    from critmin._memory import check_memory, float_arrays_bytes

    # NPVs, their sorted copy for percentiles and the regime shares, plus one chunk of paths
    check_memory(
        float_arrays_bytes(draws, arrays=3)
        + float_arrays_bytes(min(draws, _MC_CHUNK), max(n_steps, 1), arrays=6),
        f"{draws:,} price paths x {max(n_steps, 1)} years",
        "lower --draws (100,000 paths give P5/P95 to well under 1 %)",
    )
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    pct_parts: list[FloatArray] = []
    disc = np.power(1.0 + model.rate, -model.t)
    for lo in range(0, draws, _MC_CHUNK):
        k = min(_MC_CHUNK, draws - lo)
        if m.level == "deck":
            years_all = np.arange(anchor + 1, int(prod_years[-1]) + 1)
            deck_all = np.interp(years_all, prod_years, deck)
            z0 = x_full0 - math.log(deck[0]) if m.start != "deck" else 0.0
            z = (
                simulate_log_ou(z0, fit, n_steps, k, rng=rng, mu=0.0)
                if fit.model == "ou"
                else simulate_log_ou(z0, fit, n_steps, k, rng=rng)
            )
            logp = np.log(deck_all)[None, :] + z - lp0
        else:
            logp = simulate_log_ou(x0, fit, n_steps, k, rng=rng)
        if chain is not None and p_step is not None:
            states = simulate_regimes(p_step, chain.initial, n_steps, k, rng)
            logp = logp + lp[states]
            if lo == 0 and diagnostics is not None:
                sc = states[:, cols]
                diagnostics["regime_share"] = {
                    name: float(np.mean(sc == i)) for i, name in enumerate(chain.names)
                }
        elif m.level == "deck":
            logp = logp + lp0
        pp = np.exp(logp[:, cols])
        full = np.zeros((k, model.n))
        full[:, prod] = pp
        out[lo : lo + k] = net_cash_flows(model, full) @ disc
        if lo == 0:
            pct_parts.append(np.percentile(pp, [5, 25, 50, 75, 95], axis=0))
    pct = pct_parts[0] if pct_parts else np.empty((5, prod.size))
    return out, pct


def mc_summary(
    model: ProjectModel, npvs: FloatArray, pct: FloatArray, seed: int | None
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Headline figures of a Monte Carlo run and its price fan.

    Parameters
    ----------
    model : ProjectModel
        Project arrays (production years, deck, price unit).
    npvs : numpy.ndarray
        NPV per path, from :func:`monte_carlo_npv`. [USD]
    pct : numpy.ndarray
        Price percentiles (5, 25, 50, 75, 95) per production year, shape
        ``(5, n_production_years)``. [USD/t, real]
    seed : int, optional
        Random seed used (reported as is).

    Returns
    -------
    tuple of (dict, pandas.DataFrame)
        Metrics ``mc_draws`` [paths], ``mc_seed``, ``mc_npv_mean_usd``,
        ``mc_npv_p5_usd``, ``mc_npv_p50_usd``, ``mc_npv_p95_usd`` [USD],
        ``p_npv_negative`` [probability]; and the fan: ``year``, ``deck``, ``p5``,
        ``p25``, ``p50``, ``p75``, ``p95`` [price unit of the spec, real].

    Notes
    -----
    P(NPV < 0) is the share of simulated paths with negative NPV; percentiles are
    numpy's linear-interpolation percentiles over paths.
    """
    q = np.percentile(npvs, [5, 50, 95])
    metrics: dict[str, Any] = {
        "mc_draws": int(npvs.size),
        "mc_seed": seed,
        "mc_npv_mean_usd": float(npvs.mean()),
        "mc_npv_p5_usd": float(q[0]),
        "mc_npv_p50_usd": float(q[1]),
        "mc_npv_p95_usd": float(q[2]),
        "p_npv_negative": float(np.mean(npvs < 0)),
    }
    prod = model.producing
    fu = model.price_unit_factor
    fan = pd.DataFrame(
        {
            "year": model.years[prod],
            "deck": model.deck_usd_per_t[prod] / fu,
            "p5": pct[0] / fu,
            "p25": pct[1] / fu,
            "p50": pct[2] / fu,
            "p75": pct[3] / fu,
            "p95": pct[4] / fu,
        }
    )
    return metrics, fan
