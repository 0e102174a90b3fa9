"""Monte Carlo over governance, parameters and data qualifiers; rank stability.

All draws are vectorised: one draw of every country's WGI is shared by all
commodities of that draw, so ranks are compared within the same state of the world.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from critmin.errors import ValidationError
from critmin.risk.config import Governance, Stage
from critmin.risk.engine import evaluate

__all__ = ["SOURCES", "combine_stages", "governance_draws", "rank_stability", "simulate"]

#: Sources of the Monte Carlo spread.
SOURCES = frozenset({"governance", "data", "parameters"})

Array = NDArray[np.float64]


def governance_draws(gov: Governance, n: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """Draws of the mean WGI and of PV per country, shape (n, countries).

    Notes
    -----
    .. math:: \\overline{WGI}_c \\sim N(\\overline{WGI}_c, \\sigma_c), \\quad
              \\sigma_c = \\sqrt{\\textstyle\\sum_d se_{c,d}^2} / 6

    The six dimensions are treated as independent (their errors are in fact
    positively correlated, so the spread of the mean is a lower bound).

    References
    ----------
    Kaufmann, D., Kraay, A., Mastruzzi, M. (2010). The Worldwide Governance Indicators:
    methodology and analytical issues. World Bank Policy Research WP 5430 (standard errors).
    """
    k = len(gov.iso3)
    wgi = gov.mean + gov.mean_se * rng.standard_normal((n, k))
    pv = gov.pv + gov.pv_se * rng.standard_normal((n, k))
    return wgi, pv


def combine_stages(values: Sequence[Array], method: str) -> tuple[Array, Array]:
    """Commodity value from its stages: the highest stage (EU 2023 rule), or the first for ``eu2020``.

    Returns
    -------
    tuple of numpy.ndarray
        Values (n,) and the index of the stage that gave each.
    """
    a = np.vstack(values)
    if method == "eu2020":
        return a[0], np.zeros(a.shape[1], dtype=np.int64)
    filled = np.where(np.isnan(a), -np.inf, a)
    idx = np.argmax(filled, axis=0)
    return a[idx, np.arange(a.shape[1])], idx


def simulate(
    stages: Mapping[str, list[Stage]],
    gov: Governance,
    methods: Sequence[str],
    draws: int,
    seed: int | None = None,
    trade_factors: Mapping[str, float] | None = None,
    vary: frozenset[str] = SOURCES,
) -> dict[str, Array]:
    """Monte Carlo values of every method for every commodity.

    Parameters
    ----------
    stages : mapping of str to list of Stage
        Commodity to its stages.
    gov : Governance
        Central WGI values and standard errors.
    methods : sequence of str
        Method keys (``eu``, ``eu2020``, ``usgs``, ``geopolrisk``, ``hhi``).
    draws : int
        Number of draws (>= 1).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.
    vary : frozenset of str
        Sources drawn (default all of :data:`SOURCES`: ``governance``, ``data``,
        ``parameters``); the others stay central.

    Returns
    -------
    dict of str to numpy.ndarray
        Method to an array (commodities x draws), rows in the order of ``stages``.
    """
    if draws < 1:
        raise ValidationError("draws must be >= 1")
    unknown = set(vary) - set(SOURCES)
    if unknown:
        raise ValidationError(f"unknown uncertainty sources {sorted(unknown)}")
    rng = np.random.default_rng(seed)
    if "governance" in vary:
        wgi, pv = governance_draws(gov, draws, rng)
    else:
        k = len(gov.iso3)
        wgi = np.broadcast_to(gov.mean, (draws, k))
        pv = np.broadcast_to(gov.pv, (draws, k))
    sub = frozenset(vary) - {"governance"}
    out = {meth: np.full((len(stages), draws), np.nan) for meth in methods}
    for i, st_list in enumerate(stages.values()):
        res = [evaluate(s, gov, draws, rng, wgi, pv, trade_factors, sub) for s in st_list]
        for meth in methods:
            key = "eu" if meth == "eu2020" else meth
            out[meth][i], _ = combine_stages([r[key] for r in res], meth)
    return out


def rank_stability(values: Array, top: int) -> dict[str, Any]:
    """Percentiles of values and ranks across draws, and the probability of being in the top N.

    Parameters
    ----------
    values : numpy.ndarray
        Commodities x draws; NaN rows are not ranked.
    top : int
        N of "top N".

    Returns
    -------
    dict
        ``p5``, ``p50``, ``p95`` of the value, ``rank_p5``, ``rank_p50``,
        ``rank_p95`` and ``p_top`` (probability of rank <= top), each an array over
        commodities.
    """
    if top < 1:
        raise ValidationError("top must be >= 1")
    ok = ~np.isnan(values).all(axis=1)
    v = values[ok]
    ranks = np.full(values.shape, np.nan)
    if len(v):
        r = pd.DataFrame(v).rank(axis=0, ascending=False, method="min").to_numpy()
        ranks[ok] = r
    with np.errstate(all="ignore"):
        q = np.full((len(values), 3), np.nan)
        rq = np.full((len(values), 3), np.nan)
        if len(v):
            q[ok] = np.percentile(v, [5, 50, 95], axis=1).T
            rq[ok] = np.percentile(ranks[ok], [5, 50, 95], axis=1).T
        p_top = np.where(ok, np.mean(ranks <= top, axis=1), np.nan)
    return {
        "p5": q[:, 0],
        "p50": q[:, 1],
        "p95": q[:, 2],
        "rank_p5": rq[:, 0],
        "rank_p50": rq[:, 1],
        "rank_p95": rq[:, 2],
        "p_top": p_top,
    }
