"""Project valuation: the orchestrator and its result.

:func:`value_project` loads a ``kind: project`` spec and runs, in order, the
price model and deck (:mod:`~critmin.valuation.deck`), the deterministic
cash-flow model (:mod:`~critmin.valuation.model`), the tornado and break-even
(:mod:`~critmin.valuation.sensitivity`), the Monte Carlo
(:mod:`~critmin.valuation.montecarlo`), the assumptions register
(:mod:`~critmin.valuation.assumptions`) and, for a spec with a deposit block, the
recoverable-value bridge (:mod:`~critmin.valuation.deposit`); the figures are
gathered in a :class:`ValuationResult`.

The names that used to live here (:func:`build_model`, :func:`cash_flow_matrix`,
:func:`tornado`, :func:`monte_carlo_npv`, :func:`assumptions_table`...) are
re-exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from critmin._records import records
from critmin.errors import ValidationError
from critmin.valuation.assumptions import assumptions_table
from critmin.valuation.cashflow import IrrResult, economic_irr, irr, npv, payback
from critmin.valuation.deck import FloatArray, fit_price_model, history_joins, regime_chain
from critmin.valuation.deposit import deposit_bridge
from critmin.valuation.explain import explain_gap
from critmin.valuation.model import ProjectModel, build_model, cash_flow_matrix, cash_flow_table
from critmin.valuation.montecarlo import mc_summary, monte_carlo_npv
from critmin.valuation.prices import PriceModelFit
from critmin.valuation.sensitivity import TORNADO_VARIABLES, breakeven_factor, tornado
from critmin.valuation.spec import DepositSpec, ProjectSpec, load_spec
from critmin.valuation.windows import window_sensitivity

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "TORNADO_VARIABLES",
    "FloatArray",
    "ProjectModel",
    "ValuationResult",
    "assumptions_table",
    "breakeven_factor",
    "build_model",
    "cash_flow_matrix",
    "cash_flow_table",
    "fit_price_model",
    "monte_carlo_npv",
    "tornado",
    "value_project",
]


@dataclass
class ValuationResult:
    """Everything :func:`value_project` computes.

    Attributes
    ----------
    name : str
        Project name.
    metrics : dict
        Headline figures with snake_case keys (``npv_usd``, ``irr``, ``irr_status``,
        ``payback_years``, ``discounted_payback_years``, ``breakeven_price``,
        ``p_npv_negative``...). Units in the key names; IRR as a fraction.
    summary : pandas.DataFrame
        ``metric``, ``value``, ``unit``: the headline figures as a table.
    cash_flows : pandas.DataFrame
        Annual table (see :func:`cash_flow_table`).
    tornado : pandas.DataFrame
        See :func:`tornado`.
    irr : IrrResult
        All IRR roots and status.
    mc_npv : numpy.ndarray or None
        NPV per simulated path. [USD]
    price_fan : pandas.DataFrame or None
        Percentiles (p5..p95) of simulated real prices per production year, with the deck. [price unit]
    price_fit : PriceModelFit or None
        The fitted price model.
    fit_table : pandas.DataFrame or None
        Its parameters as a table.
    history : pandas.Series or None
        Price history used for the fit. [USD/t]
    deposit : pandas.DataFrame or None
        Recoverable-value bridge if the spec has a deposit block.
    assumptions : pandas.DataFrame
        Every input with unit, source and ``is_assumption``.
    notes : list of str
        Caveats raised while valuing.
    explanation : str
        Why the Monte Carlo median differs from the deterministic NPV (from the run).
    gap_table : pandas.DataFrame or None
        The figures of the explanation (``item, value, unit``).
    window_table : pandas.DataFrame or None
        Fit-window sensitivity (see :func:`~critmin.valuation.windows.window_sensitivity`).
    regime_table : pandas.DataFrame or None
        Regime transition rates with their events, exposure and sources.
    joins : pandas.DataFrame or None
        Overlap adjustments of a joined price history.
    """

    name: str
    metrics: dict[str, Any]
    summary: pd.DataFrame
    cash_flows: pd.DataFrame
    tornado: pd.DataFrame
    irr: IrrResult
    assumptions: pd.DataFrame
    mc_npv: FloatArray | None = None
    price_fan: pd.DataFrame | None = None
    price_fit: PriceModelFit | None = None
    fit_table: pd.DataFrame | None = None
    history: pd.Series | None = None
    deposit: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    price_unit: str = "USD/t"
    explanation: str = ""
    gap_table: pd.DataFrame | None = None
    window_table: pd.DataFrame | None = None
    regime_table: pd.DataFrame | None = None
    joins: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: metrics plus tables as lists of rows (snake_case keys)."""
        out: dict[str, Any] = {"name": self.name, **self.metrics}
        out["summary"] = records(self.summary)
        out["cash_flows"] = records(self.cash_flows)
        out["tornado"] = records(self.tornado)
        out["assumptions"] = records(self.assumptions)
        if self.fit_table is not None:
            out["price_model"] = records(self.fit_table)
        if self.price_fan is not None:
            out["price_fan"] = records(self.price_fan)
        if self.deposit is not None:
            out["deposit_bridge"] = records(self.deposit)
        out["explanation"] = self.explanation
        for key, tab in (
            ("deterministic_vs_monte_carlo", self.gap_table),
            ("fit_window_sensitivity", self.window_table),
            ("regimes", self.regime_table),
            ("history_joins", self.joins),
        ):
            if tab is not None:
                out[key] = records(tab)
        out["notes"] = list(self.notes)
        return out


def _summary(metrics: dict[str, Any], price_unit: str) -> pd.DataFrame:
    units = {
        "npv_usd": "USD",
        "irr": "1/yr",
        "irr_status": "",
        "payback_years": "yr from valuation year",
        "discounted_payback_years": "yr from valuation year",
        "peak_funding_usd": "USD",
        "undiscounted_cash_flow_usd": "USD",
        "breakeven_price": price_unit,
        "breakeven_price_factor": "x deck",
        "discount_rate": "1/yr",
        "mc_draws": "paths",
        "mc_npv_mean_usd": "USD",
        "mc_npv_p5_usd": "USD",
        "mc_npv_p50_usd": "USD",
        "mc_npv_p95_usd": "USD",
        "p_npv_negative": "probability",
    }
    rows = [
        {
            "metric": k,
            "value": v if isinstance(v, int | float) or v is None else str(v),
            "unit": units[k],
        }
        for k, v in metrics.items()
        if k in units
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def value_project(
    spec_or_path: ProjectSpec | str | Path,
    *,
    draws: int | None = None,
    seed: int | None = None,
    swing: float | None = None,
    store: Store | None = None,
) -> ValuationResult:
    """Value a project: cash-flow table, NPV, IRR, paybacks, break-even, tornado, Monte Carlo.

    Parameters
    ----------
    spec_or_path : ProjectSpec or path
        A validated spec or a YAML file (``kind: project``).
    draws : int, optional
        Monte Carlo price paths (0 to skip); default ``monte_carlo.draws`` of the spec. [-]
    seed : int, optional
        Random seed; default ``monte_carlo.seed`` of the spec.
    swing : float, optional
        Tornado swing; default ``sensitivity.swing`` of the spec. [fraction]
    store : Store, optional
        Dataset store for ``store`` price decks and histories; default the
        process-wide store (:func:`critmin.data.store.get_store`).

    Returns
    -------
    ValuationResult

    Raises
    ------
    SpecError
        Invalid spec file.
    ValidationError
        A deposit spec (use :func:`critmin.valuation.value_deposit`), or bad arguments.
    DataNotFoundError
        A store price series is missing.

    Notes
    -----
    NPV = Σ_t CF_t / (1 + r)^t with t = year - valuation_year (end-of-year flows).
    The break-even price is the flat multiple f of the deck with NPV(f · deck) = 0,
    reported as f times the mean deck price over production years. P(NPV < 0) is
    the share of simulated paths with negative NPV.

    Examples
    --------
    >>> from critmin.valuation import value_project
    >>> r = value_project("examples/projects/erg-gallium-pavlodar.yaml", draws=2000, seed=1)  # doctest: +SKIP
    >>> r.metrics["npv_usd"]  # doctest: +SKIP
    """
    spec = load_spec(spec_or_path) if isinstance(spec_or_path, str | Path) else spec_or_path
    if isinstance(spec, DepositSpec):
        raise ValidationError(f"{spec.name}: a deposit spec has no cash flows; use value_deposit")
    draws = spec.monte_carlo.draws if draws is None else int(draws)
    seed = spec.monte_carlo.seed if seed is None else seed
    swing = spec.sensitivity.swing if swing is None else swing
    if draws < 0:
        raise ValidationError("draws must be >= 0")
    if not 0 < swing < 1:
        raise ValidationError("swing must be in (0, 1)")
    notes: list[str] = []
    fit, hist = fit_price_model(spec, store=store)
    if fit is not None and fit.note:
        notes.append(f"price model: {fit.note}")
    model = build_model(spec, fit, store=store)
    table = cash_flow_table(model)
    cf = table["net_cash_flow_usd"].to_numpy()
    r = model.rate
    irr_res = irr(cf)
    irr_value, irr_status, irr_note = economic_irr(irr_res)
    if irr_note:
        notes.append(irr_note)
    bf = breakeven_factor(model)
    prod = model.producing
    mean_deck = float(model.deck_usd_per_t[prod].mean()) / model.price_unit_factor
    metrics: dict[str, Any] = {
        "npv_usd": float(npv(r, cf)),
        "irr": irr_value,
        "irr_status": irr_status,
        "irr_roots": list(irr_res.roots),
        "payback_years": payback(cf),
        "discounted_payback_years": payback(cf, r),
        "peak_funding_usd": float(min(0.0, table["cumulative_cash_flow_usd"].min())),
        "undiscounted_cash_flow_usd": float(cf.sum()),
        "deck_mean_price": mean_deck,
        "price_unit": spec.price.unit,
        "breakeven_price": bf * mean_deck if bf is not None else None,
        "breakeven_price_factor": bf,
        "discount_rate": r,
        "discount_basis": spec.discount.basis,
        "valuation_year": spec.t0,
        "price_deck": model.deck_label,
        "n_assumptions": 0,
    }
    assumptions = assumptions_table(spec)
    metrics["n_assumptions"] = int(assumptions["assumption"].sum())
    tor = tornado(model, swing)
    mc = None
    fan = None
    explanation = ""
    gap = None
    chain = regime_chain(spec)
    if fit is not None and draws > 0:
        diag: dict[str, Any] = {}
        mc, pct = monte_carlo_npv(spec, model, fit, draws, seed, diagnostics=diag)
        mc_metrics, fan = mc_summary(model, mc, pct, seed)
        metrics.update(mc_metrics)
        explanation, gap = explain_gap(spec, model, fit, metrics["npv_usd"], mc, fan, chain, diag)
    elif draws > 0:
        notes.append("no price.model in the spec: Monte Carlo skipped")
    fit_table = None
    windows = None
    if fit is not None:
        fit_table = fit.to_frame(spec.price.unit)
        m = spec.price.model
        if m is not None and m.history is not None:
            metrics["fit_window"] = f"{m.history.start}-{m.history.end}"
            if m.window_sensitivity:
                windows = window_sensitivity(spec, draws=min(draws, 2000), seed=seed, store=store)
    dep = None
    if spec.deposit is not None:
        dep = deposit_bridge(spec.deposit)
        share = _reserve_share(spec, model)
        if share is not None:
            metrics["share_of_reserves_mined"] = share
            if share > 1.0 + 1e-9:
                notes.append(
                    f"the mine plan extracts {share:.0%} of the stated reserves of the primary commodity"
                )
    return ValuationResult(
        name=spec.name,
        metrics=metrics,
        summary=_summary(metrics, spec.price.unit),
        cash_flows=table,
        tornado=tor,
        irr=irr_res,
        assumptions=assumptions,
        mc_npv=mc,
        price_fan=fan,
        price_fit=fit,
        fit_table=fit_table,
        history=hist,
        deposit=dep,
        notes=notes,
        price_unit=spec.price.unit,
        explanation=explanation,
        gap_table=gap,
        window_table=windows,
        regime_table=chain.table if chain is not None else None,
        joins=history_joins(spec, store),
    )


def _reserve_share(spec: ProjectSpec, model: ProjectModel) -> float | None:
    dep = spec.deposit
    pr = spec.production
    if dep is None or pr.basis != "ore" or pr.grade is None:
        return None
    for c in dep.commodities:
        if c.commodity == spec.commodity:
            if c.contained_t is not None:
                contained = c.contained_t.value
            elif c.grade is not None and dep.ore_t is not None:
                contained = dep.ore_t.value * c.grade.value
            else:
                return None
            return float(model.ore_t.sum() * pr.grade.value / contained) if contained > 0 else None
    return None
