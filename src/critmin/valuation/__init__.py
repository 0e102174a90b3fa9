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

from critmin.valuation.cashflow import IrrResult, irr, npv, payback, sign_changes
from critmin.valuation.deposit import DepositResult, deposit_bridge, value_deposit
from critmin.valuation.prices import PriceModelFit, fit_log_ou, simulate_log_ou
from critmin.valuation.project import ValuationResult, value_project
from critmin.valuation.published import StudyReproduction, StudySpec, load_study, reproduce_study
from critmin.valuation.spec import DepositSpec, ProjectSpec, load_spec

__all__ = [
    "DepositResult",
    "DepositSpec",
    "IrrResult",
    "PriceModelFit",
    "ProjectSpec",
    "StudyReproduction",
    "StudySpec",
    "ValuationResult",
    "deposit_bridge",
    "fit_log_ou",
    "irr",
    "load_spec",
    "load_study",
    "npv",
    "payback",
    "reproduce_study",
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
