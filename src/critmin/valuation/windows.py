"""Fit-window sensitivity: the price model and the NPV refitted over other history windows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from critmin.valuation.cashflow import npv
from critmin.valuation.deck import fit_price_model
from critmin.valuation.model import build_model, net_cash_flows
from critmin.valuation.montecarlo import monte_carlo_npv
from critmin.valuation.prices import fit_log_ou
from critmin.valuation.spec import ProjectSpec

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["window_sensitivity", "with_window"]


def with_window(spec: ProjectSpec, start: int) -> ProjectSpec:
    """Copy of a spec whose price history window starts in ``start`` (end unchanged)."""
    m = spec.price.model
    assert m is not None and m.history is not None
    h = m.history.model_copy(update={"start": start})
    price = spec.price.model_copy(update={"model": m.model_copy(update={"history": h})})
    return spec.model_copy(update={"price": price})


def window_sensitivity(
    spec: ProjectSpec,
    starts: list[int] | None = None,
    *,
    draws: int = 2000,
    seed: int | None = 1,
    store: Store | None = None,
) -> pd.DataFrame:
    """Refit the price model over several fit windows and value the project with each.

    Parameters
    ----------
    spec : ProjectSpec
        Project with a ``price.model.history``.
    starts : list of int, optional
        First years of the windows (the end stays the spec's); default
        ``price.model.window_sensitivity``. The spec's own window is always included.
    draws : int
        Monte Carlo paths per window (0: deterministic only). [-]
    seed : int, optional
        Random seed (the same for every window).
    store : Store, optional
        Dataset store.

    Returns
    -------
    pandas.DataFrame
        One row per window: ``window``, ``chosen`` (the spec's), ``n_obs``, ``model``,
        ``kappa`` [1/yr], ``half_life`` [yr], ``long_run_price_fitted`` and
        ``long_run_price_used`` (differs when ``params.long_run_price`` is given) [price unit],
        ``sigma`` [1/√yr], ``npv_usd``, ``mc_npv_p50_usd`` [USD], ``p_npv_negative``.
    """
    m = spec.price.model
    if m is None or m.history is None:
        return pd.DataFrame()
    h = m.history
    assert h.start is not None
    wanted = sorted({*(starts if starts is not None else m.window_sensitivity), h.start})
    rows: list[dict[str, Any]] = []
    for s in wanted:
        sp = with_window(spec, s)
        fit, hist = fit_price_model(sp, store=store)
        assert fit is not None and hist is not None
        raw = fit_log_ou(hist)
        model = build_model(sp, fit, store=store)
        det = float(npv(model.rate, net_cash_flows(model)[0]))
        row: dict[str, Any] = {
            "window": f"{s}-{h.end}",
            "chosen": s == h.start,
            "n_obs": fit.n_obs,
            "model": fit.model,
            "kappa": fit.kappa,
            "half_life": fit.half_life,
            "long_run_price_fitted": raw.long_run_price / model.price_unit_factor,
            "long_run_price_used": fit.long_run_price / model.price_unit_factor,
            "sigma": fit.sigma,
            "npv_usd": det,
            "mc_npv_p50_usd": None,
            "p_npv_negative": None,
        }
        if draws > 0:
            mc, _ = monte_carlo_npv(sp, model, fit, draws, seed)
            row["mc_npv_p50_usd"] = float(np.median(mc))
            row["p_npv_negative"] = float(np.mean(mc < 0))
        rows.append(row)
    return pd.DataFrame(rows)
