"""Deterministic cash-flow model of a project: annual arrays and the cash-flow engine.

:func:`build_model` turns a spec into price-independent annual arrays
(:class:`ProjectModel`); one vectorised engine (:func:`cash_flow_matrix`) serves
the deterministic case (one price path), the sensitivity tornado
(:mod:`~critmin.valuation.sensitivity`) and the Monte Carlo
(:mod:`~critmin.valuation.montecarlo`, many price paths at once).

Cash-flow model (per year y, money of the year when ``discount.basis`` is
nominal, base-year money when real)::

    revenue      = payable_t · price
    royalty      = royalty_rate · revenue + Σ_b royalty_rate_b · by-product revenue_b
                   (a by-product without its own rate pays royalty_rate)
    EBITDA       = revenue + by-product revenue - royalty - opex
    taxable      = EBITDA - depreciation - closure (if deductible)
    income tax   = income_tax_rate · max(taxable - losses brought forward, 0)
                   (losses carried forward for loss_carry_forward_years, FIFO; 0 = unlimited)
    EPT          = ept_rate · max(taxable - income tax - threshold · deductions, 0)
                   (deductions = opex + royalty + depreciation + closure; only if it applies)
    ΔWC          = working_capital · (revenue_y - revenue_{y-1})  (released after the last year)
    net CF       = EBITDA - income tax - EPT - capex - sustaining capex - closure - ΔWC

Conventions: end-of-year flows; t = year - valuation_year; capex depreciated
straight-line from the later of its year and the production start, the balance
left at the end written off in the last production year; closure paid in the year
after the last production year, when working capital is also released.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from critmin.errors import ValidationError
from critmin.valuation.cashflow import npv
from critmin.valuation.deck import FloatArray, price_deck, to_usd_per_t
from critmin.valuation.fiscal import excess_profit_tax, tax_with_loss_carry_forward
from critmin.valuation.prices import PriceModelFit
from critmin.valuation.spec import ProjectSpec

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "FloatArray",
    "ProjectModel",
    "build_model",
    "cash_flow_matrix",
    "cash_flow_table",
    "model_npv",
    "net_cash_flows",
]


@dataclass(frozen=True)
class ProjectModel:
    """A spec turned into annual arrays (price-independent parts of the cash flow).

    All arrays run over ``years`` (valuation year to the closure year). Quantities
    in [t]; money in base-year USD (real) before escalation.
    """

    years: npt.NDArray[np.int64]
    t: FloatArray
    producing: npt.NDArray[np.bool_]
    ore_t: FloatArray
    output_t: FloatArray
    payable_t: FloatArray
    by_product_revenue: FloatArray
    opex_variable: FloatArray
    opex_fixed: FloatArray
    capex: FloatArray
    sustaining: FloatArray
    closure: FloatArray
    escalation: FloatArray
    depreciation_years: int
    start_idx: int
    last_prod_idx: int
    royalty_rate: float
    income_tax_rate: float
    working_capital: float
    loss_carry_forward: bool
    rate: float
    by_product_royalty: FloatArray
    loss_years: int | None
    closure_deductible: bool
    ept_threshold: float | None
    ept_rate: float | None
    deck_usd_per_t: FloatArray
    deck_label: str
    price_unit: str
    price_unit_factor: float

    @property
    def n(self) -> int:
        """Number of years in the table. [-]"""
        return int(self.years.size)

    @property
    def opex(self) -> FloatArray:
        """Operating costs, variable plus fixed. [USD/yr, base-year money]"""
        return self.opex_variable + self.opex_fixed

    def depreciation(self) -> FloatArray:
        """Tax depreciation of (escalated) capex and sustaining capex. [USD/yr]

        Straight line over ``depreciation_years`` from the later of the spending year
        and the production start; what is left after the last production year is
        written off in that year.
        """
        dep = np.zeros(self.n)
        nd = self.depreciation_years
        spend = (self.capex + self.sustaining) * self.escalation
        last = self.last_prod_idx
        for k in np.flatnonzero(spend):
            s0 = max(int(k), self.start_idx)
            if s0 > last:
                s0 = last
            ends = min(s0 + nd, last + 1)
            per = spend[k] / nd
            dep[s0:ends] += per
            dep[ends - 1] += spend[k] - per * (ends - s0)
        return dep

    def with_(self, **changes: Any) -> ProjectModel:
        """Copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


def build_model(
    spec: ProjectSpec, fit: PriceModelFit | None = None, *, store: Store | None = None
) -> ProjectModel:
    """Turn a project spec into annual arrays.

    Parameters
    ----------
    spec : ProjectSpec
        The validated project.
    fit : PriceModelFit, optional
        Price model, needed for a ``model`` deck.
    store : Store, optional
        Dataset store for a ``store`` price deck; default the process-wide store.

    Returns
    -------
    ProjectModel
    """
    pr = spec.production
    start, life = pr.start_year.value, pr.life_years.value
    prod_years = np.arange(start, start + life, dtype=np.int64)
    capex_years = sorted(spec.capex.schedule())
    first = spec.t0
    last = max(int(prod_years[-1]) + 1, *(capex_years or [first]))
    years = np.arange(first, last + 1, dtype=np.int64)
    n = years.size
    idx = years - first
    producing = (years >= start) & (years < start + life)
    ramp = np.ones(life)
    rv = pr.ramp_up.value[:life]
    ramp[: len(rv)] = rv
    rate_factor = np.zeros(n)
    rate_factor[producing] = ramp
    ore = np.zeros(n)
    if pr.basis == "product":
        assert pr.capacity_tpa is not None
        output = pr.capacity_tpa.value * rate_factor
    else:
        assert pr.ore_tpa is not None and pr.grade is not None
        ore = pr.ore_tpa.value * rate_factor
        output = ore * pr.grade.value * pr.recovery.value
    payable = output * pr.payability.value
    byp = np.zeros(n)
    byp_roy = np.zeros(n)
    fs = spec.fiscal
    for b in spec.by_products:
        q = ore * b.grade.value if b.grade is not None else b.output_tpa.value * rate_factor  # type: ignore[union-attr]
        rev_b = q * b.recovery.value * b.payability.value * b.price.value * to_usd_per_t(b.unit)
        byp += rev_b
        rate_b = b.royalty_rate.value if b.royalty_rate is not None else fs.royalty_rate.value
        byp_roy += rate_b * rev_b
    ept = fs.excess_profit_tax if fs.excess_profit_tax and fs.excess_profit_tax.applies else None
    lcy = fs.loss_carry_forward_years.value if fs.loss_carry_forward_years else None
    c = spec.costs
    opex_var = output * c.per_t_product.value + ore * c.per_t_ore.value
    opex_fixed = producing * c.fixed_per_year.value
    capex = np.zeros(n)
    for y, amount in spec.capex.schedule().items():
        capex[y - first] += amount
    sustaining = producing * spec.capex.sustaining_per_year.value
    closure = np.zeros(n)
    closure[int(prod_years[-1]) + 1 - first] = spec.capex.closure_cost.value
    d = spec.discount
    esc = (
        (1.0 + d.inflation.value) ** (years - spec.base_year)
        if d.basis == "nominal"
        else np.ones(n)
    )
    deck, label = price_deck(spec, prod_years, fit, store)
    full_deck = np.zeros(n)
    full_deck[idx[producing]] = deck
    return ProjectModel(
        years=years,
        t=idx.astype(float),
        producing=producing,
        ore_t=ore,
        output_t=output,
        payable_t=payable,
        by_product_revenue=byp,
        opex_variable=opex_var,
        opex_fixed=opex_fixed.astype(float),
        capex=capex,
        sustaining=sustaining.astype(float),
        closure=closure,
        escalation=esc.astype(float),
        depreciation_years=spec.fiscal.depreciation_years.value,
        start_idx=start - first,
        last_prod_idx=int(prod_years[-1]) - first,
        royalty_rate=spec.fiscal.royalty_rate.value,
        income_tax_rate=spec.fiscal.income_tax_rate.value,
        working_capital=spec.fiscal.working_capital.value,
        loss_carry_forward=spec.fiscal.loss_carry_forward,
        rate=d.rate.value,
        by_product_royalty=byp_roy,
        loss_years=lcy or None,
        closure_deductible=fs.closure_deductible,
        ept_threshold=ept.threshold.value if ept is not None else None,
        ept_rate=ept.rate.value if ept is not None and ept.rate is not None else None,
        deck_usd_per_t=full_deck,
        deck_label=label,
        price_unit=spec.price.unit,
        price_unit_factor=to_usd_per_t(spec.price.unit),
    )


def cash_flow_matrix(
    model: ProjectModel, prices: npt.ArrayLike | None = None
) -> dict[str, FloatArray]:
    """All cash-flow lines for one or many price paths, vectorised over paths.

    Parameters
    ----------
    model : ProjectModel
        Price-independent arrays of the project.
    prices : array_like, optional
        Real price per year of ``model.years``, shape ``(n,)`` or ``(paths, n)``;
        default the deck. [USD/t, base-year money]

    Returns
    -------
    dict of str to numpy.ndarray
        Lines of shape ``(paths, n)``: ``revenue``, ``by_product_revenue``,
        ``royalty``, ``opex``, ``ebitda``, ``depreciation``, ``taxable_income``,
        ``income_tax``, ``excess_profit_tax``, ``capex``, ``sustaining_capex``, ``closure``,
        ``working_capital_change``, ``net_cash_flow``. [USD]

    Notes
    -----
    See the module docstring for the formulas. The loss carry-forward makes tax
    path-dependent, so years are looped (n steps) while paths are vectorised.
    """
    p = model.deck_usd_per_t if prices is None else np.asarray(prices, dtype=float)
    p2 = np.atleast_2d(p)
    if p2.shape[-1] != model.n:
        raise ValidationError(f"prices must have {model.n} years, got {p2.shape[-1]}")
    esc = model.escalation
    revenue = model.payable_t * p2 * esc
    byp = np.broadcast_to(model.by_product_revenue * esc, revenue.shape)
    royalty = model.royalty_rate * revenue + model.by_product_royalty * esc
    opex = np.broadcast_to(model.opex * esc, revenue.shape)
    ebitda = revenue + byp - royalty - opex
    closure = model.closure * esc
    dep = model.depreciation()
    taxable = ebitda - dep - (closure if model.closure_deductible else 0.0)
    if model.loss_carry_forward:
        tax = tax_with_loss_carry_forward(taxable, model.income_tax_rate, years=model.loss_years)
    else:
        tax = model.income_tax_rate * np.maximum(taxable, 0.0)
    if model.ept_rate is not None and model.ept_threshold is not None:
        deductions = opex + royalty + dep + closure
        ept = excess_profit_tax(
            taxable, tax, deductions, threshold=model.ept_threshold, rate=model.ept_rate
        )
    else:
        ept = np.zeros_like(taxable)
    wc = model.working_capital * (revenue + byp)
    dwc = np.diff(wc, axis=1, prepend=0.0)
    capex = model.capex * esc
    sustaining = model.sustaining * esc
    net = ebitda - tax - ept - capex - sustaining - closure - dwc
    shape = revenue.shape
    return {
        "revenue": revenue,
        "by_product_revenue": np.array(byp),
        "royalty": royalty,
        "opex": np.array(opex),
        "ebitda": ebitda,
        "depreciation": np.broadcast_to(dep, shape).copy(),
        "taxable_income": taxable,
        "income_tax": tax,
        "excess_profit_tax": ept,
        "capex": np.broadcast_to(capex, shape).copy(),
        "sustaining_capex": np.broadcast_to(sustaining, shape).copy(),
        "closure": np.broadcast_to(closure, shape).copy(),
        "working_capital_change": dwc,
        "net_cash_flow": net,
    }


def net_cash_flows(model: ProjectModel, prices: npt.ArrayLike | None = None) -> FloatArray:
    """Net cash flow per path and year, shape ``(paths, n)``. [USD]

    Parameters
    ----------
    model : ProjectModel
        Project arrays.
    prices : array_like, optional
        Real price per year, shape ``(n,)`` or ``(paths, n)``; default the deck. [USD/t]

    Returns
    -------
    numpy.ndarray
        The ``net_cash_flow`` line of :func:`cash_flow_matrix`. [USD]
    """
    p = model.deck_usd_per_t if prices is None else np.asarray(prices, dtype=float)
    p2 = np.atleast_2d(p)
    if p2.shape[-1] != model.n:
        raise ValidationError(f"prices must have {model.n} years, got {p2.shape[-1]}")
    if model.ept_rate is not None:
        return cash_flow_matrix(model, p2)["net_cash_flow"]
    # the same lines as cash_flow_matrix, with as few (paths, n) temporaries as possible
    esc = model.escalation
    byp = model.by_product_revenue * esc
    closure = model.closure * esc
    revenue = p2 * (model.payable_t * esc)
    ebitda = revenue * (1.0 - model.royalty_rate)
    ebitda += byp - model.by_product_royalty * esc - model.opex * esc
    taxable = ebitda - (model.depreciation() + (closure if model.closure_deductible else 0.0))
    if model.loss_carry_forward:
        tax = tax_with_loss_carry_forward(taxable, model.income_tax_rate, years=model.loss_years)
    else:
        tax = model.income_tax_rate * np.maximum(taxable, 0.0)
    wc = revenue
    wc += byp
    wc *= model.working_capital
    net = ebitda
    net -= tax
    net -= (model.capex + model.sustaining) * esc + closure
    net -= wc
    net[:, 1:] += wc[:, :-1]
    return net


def model_npv(model: ProjectModel, prices: npt.ArrayLike | None = None) -> float:
    """NPV of one price path (the deck by default). [USD]

    Parameters
    ----------
    model : ProjectModel
        Project arrays (``rate`` is the discount rate). [1/yr]
    prices : array_like, optional
        Real price per year, shape ``(n,)``; default the deck. [USD/t]

    Returns
    -------
    float
        NPV of the first path. [USD]

    Notes
    -----
    NPV = Σ_t CF_t / (1 + r)^t with t = year - valuation_year (end-of-year flows).
    """
    return float(npv(model.rate, net_cash_flows(model, prices)[0]))


def cash_flow_table(model: ProjectModel) -> pd.DataFrame:
    """The deterministic annual cash-flow table (deck prices).

    Parameters
    ----------
    model : ProjectModel
        Project arrays.

    Returns
    -------
    pandas.DataFrame
        One row per year: quantities [t], price [price unit of the spec], money
        lines [USD], discount factor [-], discounted and cumulative flows [USD].
    """
    lines = cash_flow_matrix(model)
    df = pd.DataFrame({"year": model.years, "t": model.t.astype(int)})
    df["ore_t"] = model.ore_t
    df["output_t"] = model.output_t
    df["payable_t"] = model.payable_t
    unit_col = "price_" + model.price_unit.lower().replace("/", "_per_")
    df[unit_col] = model.deck_usd_per_t * model.escalation / model.price_unit_factor
    for k, v in lines.items():
        df[f"{k}_usd"] = v[0]
    disc = np.power(1.0 + model.rate, -model.t)
    df["discount_factor"] = disc
    df["discounted_cash_flow_usd"] = lines["net_cash_flow"][0] * disc
    df["cumulative_cash_flow_usd"] = np.cumsum(lines["net_cash_flow"][0])
    df["cumulative_discounted_usd"] = np.cumsum(df["discounted_cash_flow_usd"].to_numpy())
    return df
