"""Market regimes (export controls open / controlled / tightened) as a Markov chain.

Regimes and their price premiums come from sourced observations; transition rates
are estimated from dated, sourced switching events (a continuous-time Markov chain,
maximum likelihood), with rates of never-observed transitions given explicitly
(usually labelled "assumption"). Pure numpy / scipy.

Model
-----
The log price is the base log-price model (OU or GBM, :mod:`~critmin.valuation.prices`)
plus ln(premium of the current regime)::

    ln S_t = x_t + ln m(R_t),   R_t a Markov chain with generator Q

so the base process x is the open-market price and each regime scales it.
Annual transition probabilities are P = expm(Q · Δ).

Glossary
--------
Q : generator matrix; Q_ij (i != j) rate of switching from regime i to j. [1/yr]
exposure_i : time spent in regime i between the first event and ``observed_until``. [yr]
m(R) : price premium of regime R over the base price. [x]
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.linalg import expm

from critmin.errors import ValidationError

__all__ = ["RegimeChain", "estimate_generator", "simulate_regimes"]

FloatArray = npt.NDArray[np.float64]

_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class RegimeChain:
    """Regimes, premiums and generator of a fitted chain.

    Attributes
    ----------
    names : list of str
        Regime names.
    premiums : numpy.ndarray
        Price premium of each regime over the base price. [x]
    generator : numpy.ndarray
        Q, shape ``(k, k)``, rows summing to 0. [1/yr]
    initial : int
        Index of the regime at the start of the simulation.
    table : pandas.DataFrame
        One row per transition: ``from_regime, to_regime, events, exposure_years,
        rate_per_year, basis`` (``estimated`` or ``given``), ``source``.
    """

    names: list[str]
    premiums: FloatArray
    generator: FloatArray
    initial: int
    table: pd.DataFrame

    def annual_matrix(self, dt_years: float = 1.0) -> FloatArray:
        """Transition probabilities over one step, P = expm(Q Δ). [-]"""
        return np.asarray(expm(self.generator * dt_years), dtype=float)

    @property
    def log_premiums(self) -> FloatArray:
        """ln m(R) per regime. [-]"""
        return np.log(self.premiums)

    def stationary(self) -> FloatArray:
        """Long-run share of time in each regime (π Q = 0, Σ π = 1). [-]"""
        k = len(self.names)
        a = np.vstack([self.generator.T, np.ones(k)])
        b = np.zeros(k + 1)
        b[-1] = 1.0
        pi, *_ = np.linalg.lstsq(a, b, rcond=None)
        return np.asarray(pi, dtype=float)


def estimate_generator(
    names: list[str],
    premiums: list[float],
    initial: str,
    events: list[tuple[dt.date, str, str]],
    observed_until: dt.date | None,
    given: list[tuple[str, str, float, str]],
) -> RegimeChain:
    """Estimate the generator of a regime chain from dated switching events.

    Parameters
    ----------
    names : list of str
        Regime names.
    premiums : list of float
        Price premium of each regime over the base price. [x]
    initial : str
        Regime at the start of the simulation.
    events : list of (date, regime, source)
        Dated switches into ``regime``, in date order; the first event starts the
        observation (the regime before it is not counted).
    observed_until : datetime.date or None
        End of observation (censoring date). Needed when there are events.
    given : list of (from, to, rate, source)
        Rates of transitions not estimated from events. [1/yr]

    Returns
    -------
    RegimeChain

    Raises
    ------
    ValidationError
        A rate given for a transition that was observed, or an unknown regime.

    Notes
    -----
    Maximum likelihood for a continuous-time chain: q_ij = N_ij / T_i, with N_ij the
    number of observed i -> j switches and T_i the time spent in i [yr]. A transition
    never observed gets q_ij = 0 unless a rate is given for it. With few events the
    estimates are rough (the table reports N_ij and T_i).
    """
    idx = {n: i for i, n in enumerate(names)}
    k = len(names)
    counts = np.zeros((k, k))
    exposure = np.zeros(k)
    for (d0, r0, _), (d1, r1, _) in itertools.pairwise(events):
        exposure[idx[r0]] += (d1 - d0).days / _DAYS_PER_YEAR
        if r0 != r1:
            counts[idx[r0], idx[r1]] += 1
    if events:
        if observed_until is None:
            raise ValidationError("regime events need observed_until")
        d_last, r_last, _ = events[-1]
        exposure[idx[r_last]] += (observed_until - d_last).days / _DAYS_PER_YEAR
    q = np.zeros((k, k))
    rows: list[dict[str, Any]] = []
    srcs: dict[tuple[int, int], str] = {}
    for (_, r0, _), (_, r1, s1) in itertools.pairwise(events):
        key = (idx[r0], idx[r1])
        srcs[key] = ", ".join(x for x in (srcs.get(key, ""), s1) if x)
    for i in range(k):
        for j in range(k):
            if i != j and counts[i, j] > 0:
                q[i, j] = counts[i, j] / exposure[i]
                rows.append(
                    {
                        "from_regime": names[i],
                        "to_regime": names[j],
                        "events": int(counts[i, j]),
                        "exposure_years": float(exposure[i]),
                        "rate_per_year": float(q[i, j]),
                        "basis": "estimated",
                        "source": srcs.get((i, j), ""),
                    }
                )
    for f, t, rate, src in given:
        if f not in idx or t not in idx:
            raise ValidationError(f"given rate {f}->{t}: unknown regime")
        i, j = idx[f], idx[t]
        if counts[i, j] > 0:
            raise ValidationError(
                f"rate {f}->{t} is estimated from {int(counts[i, j])} events; do not also give it"
            )
        q[i, j] = rate
        rows.append(
            {
                "from_regime": f,
                "to_regime": t,
                "events": 0,
                "exposure_years": float(exposure[i]),
                "rate_per_year": float(rate),
                "basis": "given",
                "source": src,
            }
        )
    np.fill_diagonal(q, -q.sum(axis=1))
    table = pd.DataFrame(
        rows,
        columns=[
            "from_regime",
            "to_regime",
            "events",
            "exposure_years",
            "rate_per_year",
            "basis",
            "source",
        ],
    )
    if initial not in idx:
        raise ValidationError(f"initial regime {initial!r} is not one of {names}")
    return RegimeChain(names, np.asarray(premiums, dtype=float), q, idx[initial], table)


def simulate_regimes(
    p_step: FloatArray,
    initial: int,
    n_steps: int,
    n_paths: int,
    rng: np.random.Generator,
) -> npt.NDArray[np.int64]:
    """Simulate regime paths of a discrete-time chain.

    Parameters
    ----------
    p_step : numpy.ndarray
        One-step transition matrix, rows summing to 1. [-]
    initial : int
        Starting regime (at step 0, not included in the output).
    n_steps, n_paths : int
        Steps and paths. [-]
    rng : numpy.random.Generator
        Random generator.

    Returns
    -------
    numpy.ndarray of int
        Regime index at steps 1..n, shape ``(n_paths, n_steps)``.

    Notes
    -----
    R_{k+1} = min{j : U < Σ_{l<=j} P[R_k, l]} with U ~ U(0, 1) (inverse CDF).
    """
    cum = np.cumsum(p_step, axis=1)
    cum[:, -1] = 1.0
    n_states = p_step.shape[0]
    out = np.empty((n_steps, n_paths), dtype=np.int64)
    state = np.full(n_paths, initial, dtype=np.int64)
    u = rng.random((n_steps, n_paths))
    for k in range(n_steps):
        nxt = np.zeros(n_paths, dtype=np.int64)
        for j in range(n_states - 1):
            nxt += u[k] > cum[state, j]
        state = nxt
        out[k] = state
    return np.ascontiguousarray(out.T)
