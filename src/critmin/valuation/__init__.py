"""Project and deposit valuation: discounted cash flow under price uncertainty.

Contents
--------
:mod:`~critmin.valuation.cashflow`
    Pure DCF arithmetic: :func:`npv`, :func:`irr` (every root, none or several
    reported), :func:`payback` (simple and discounted), break-even solver.
:mod:`~critmin.valuation.prices`
    Price history handling, mean-reverting log-price (Ornstein-Uhlenbeck /
    Schwartz one-factor) fit by OLS, vectorised path simulation, store adapter.
:mod:`~critmin.valuation.spec`
    YAML project/deposit specs validated by pydantic; every input carries a
    source or is marked as an assumption.
:mod:`~critmin.valuation.project`
    Annual cash-flow table, tornado, Monte Carlo NPV: :func:`value_project`.
:mod:`~critmin.valuation.deposit`
    In-situ value and recoverable-value bridge: :func:`value_deposit`.
:mod:`~critmin.valuation.plot`
    Charts (matplotlib PNG, plotly HTML): :func:`write_charts`.

Quick start
-----------
>>> from critmin.valuation import value_project
>>> r = value_project("examples/projects/syrymbet-tin.yaml", draws=10_000, seed=1)  # doctest: +SKIP
>>> r.metrics["npv_usd"], r.metrics["p_npv_negative"]  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from critmin.valuation.cashflow import IrrResult, irr, npv, payback, sign_changes
from critmin.valuation.deposit import DepositResult, deposit_bridge, value_deposit
from critmin.valuation.prices import PriceModelFit, fit_log_ou, simulate_log_ou
from critmin.valuation.project import ValuationResult, value_project
from critmin.valuation.spec import DepositSpec, ProjectSpec, load_spec

__all__ = [
    "DepositResult",
    "DepositSpec",
    "IrrResult",
    "PriceModelFit",
    "ProjectSpec",
    "ValuationResult",
    "brief_section",
    "deposit_bridge",
    "fit_log_ou",
    "irr",
    "load_spec",
    "npv",
    "payback",
    "sign_changes",
    "simulate_log_ou",
    "value",
    "value_deposit",
    "value_project",
]


def value(
    spec_or_path: ProjectSpec | DepositSpec | str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
) -> ValuationResult | DepositResult:
    """Value a spec of either kind: a DCF for ``kind: project``, a bridge for ``kind: deposit``.

    Parameters
    ----------
    spec_or_path : ProjectSpec, DepositSpec or path
        Spec or YAML file.
    draws : int, optional
        Monte Carlo price paths (projects only). [-]
    seed : int, optional
        Random seed (projects only).

    Returns
    -------
    ValuationResult or DepositResult
    """
    spec = load_spec(spec_or_path) if isinstance(spec_or_path, str | Path) else spec_or_path
    if isinstance(spec, DepositSpec):
        return value_deposit(spec)
    return value_project(spec, draws=draws, seed=seed)


def brief_section(
    spec_path: str | Path, *, draws: int = 10_000, seed: int | None = None
) -> dict[str, Any]:
    """Key results of a valuation for an HTML briefing.

    Parameters
    ----------
    spec_path : str or pathlib.Path
        Project or deposit YAML file.
    draws : int
        Monte Carlo price paths. [-]
    seed : int, optional
        Random seed.

    Returns
    -------
    dict
        ``title`` (str), ``kind`` ("project" or "deposit"), ``results``
        (DataFrame: metric, value, unit), ``assumptions`` (DataFrame: input, value,
        unit, source, is_assumption, note), ``figures`` (dict of plotly figures by
        name), ``notes`` (list of str), ``label`` (caveat to print).
    """
    import pandas as pd

    from critmin.valuation.plot import plotly_figures

    res = value(spec_path, draws=draws, seed=seed)
    if isinstance(res, DepositResult):
        results = pd.DataFrame(
            {
                "metric": ["in_situ_value_usd", "recoverable_value_usd"],
                "value": [res.in_situ_value_usd, res.recoverable_value_usd],
                "unit": ["USD", "USD"],
            }
        )
        return {
            "title": res.name,
            "kind": "deposit",
            "results": results,
            "assumptions": res.assumptions,
            "figures": plotly_figures(res),
            "notes": list(res.notes),
            "label": res.label,
        }
    return {
        "title": res.name,
        "kind": "project",
        "results": res.summary,
        "assumptions": res.assumptions,
        "figures": plotly_figures(res),
        "notes": list(res.notes),
        "label": (
            f"DCF at {res.metrics['discount_rate']:.1%} {res.metrics['discount_basis']}; "
            f"{res.metrics['n_assumptions']} inputs are assumptions (see the table)"
        ),
    }
