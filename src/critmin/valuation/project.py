"""Project valuation: annual cash-flow table, NPV/IRR/payback, tornado, Monte Carlo.

One vectorised cash-flow engine (:func:`cash_flow_matrix`) serves the
deterministic case (one price path), the sensitivity tornado and the Monte
Carlo (many price paths at once).

Cash-flow model (per year y, money of the year when ``discount.basis`` is
nominal, base-year money when real)::

    revenue      = payable_t · price
    royalty      = royalty_rate · (revenue + by-product revenue)
    EBITDA       = revenue + by-product revenue - royalty - opex
    taxable      = EBITDA - depreciation - closure  (losses carried forward if enabled)
    income tax   = income_tax_rate · max(taxable - losses brought forward, 0)
    ΔWC          = working_capital · (revenue_y - revenue_{y-1})  (released after the last year)
    net CF       = EBITDA - income tax - capex - sustaining capex - closure - ΔWC

Conventions: end-of-year flows; t = year - valuation_year; capex depreciated
straight-line from the later of its year and the production start, the balance
left at the end written off in the last production year; closure paid in the year
after the last production year, when working capital is also released.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from critmin.errors import ValidationError
from critmin.units import convert
from critmin.valuation.cashflow import IrrResult, irr, npv, payback, solve_breakeven
from critmin.valuation.prices import (
    PriceModelFit,
    deflate,
    expected_log_path,
    fit_log_ou,
    read_price_csv,
    simulate_log_ou,
    store_history,
)
from critmin.valuation.spec import (
    CsvDeck,
    DepositSpec,
    FlatDeck,
    ModelDeck,
    ProjectSpec,
    SeriesDeck,
    StoreDeck,
    field_unit,
    iter_inputs,
    load_spec,
)

__all__ = [
    "ProjectModel",
    "ValuationResult",
    "assumptions_table",
    "build_model",
    "cash_flow_matrix",
    "monte_carlo_npv",
    "tornado",
    "value_project",
]

FloatArray = npt.NDArray[np.float64]

#: Tornado variables: key -> label.
TORNADO_VARIABLES: dict[str, str] = {
    "price": "price",
    "production": "production volume",
    "opex": "operating costs",
    "capex": "initial capex",
    "discount_rate": "discount rate",
    "royalty_rate": "royalty / extraction tax rate",
    "income_tax_rate": "income tax rate",
    "by_product_price": "by-product prices",
}

_MC_CHUNK = 25_000


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


def _to_usd_per_t(unit: str) -> float:
    return 1.0 if unit == "USD/t" else convert(1.0, unit, "USD/t")


def _history(spec: ProjectSpec) -> tuple[pd.Series, str] | None:
    m = spec.price.model
    if m is None or m.history is None:
        return None
    h = m.history
    if h.kind == "csv":
        assert h.path is not None and h.unit is not None
        s = read_price_csv(spec.base_dir / h.path, column=h.column)
        unit, label = h.unit, h.path
    else:
        assert h.series is not None
        s, unit = store_history(h.series)
        label = f"store:{h.series}"
    if h.start is not None:
        s = s[s.index >= h.start]
    if h.end is not None:
        s = s[s.index <= h.end]
    s = s * _to_usd_per_t(unit)
    if m.deflate_inflation is not None:
        s = deflate(s, m.deflate_inflation.value, spec.base_year)
        label += f" (deflated to {spec.base_year} USD at {m.deflate_inflation.value:.1%}/yr)"
    return s, label


def _deck_store(d: StoreDeck) -> tuple[float, str]:
    s, unit = store_history(d.series)
    s = s * _to_usd_per_t(unit)
    if d.statistic == "last":
        return float(s.iloc[-1]), f"store:{d.series} last ({s.index[-1]})"
    tail = s.iloc[-d.years :]
    return float(tail.mean()), f"store:{d.series} mean {tail.index[0]}-{tail.index[-1]}"


def _deck(
    spec: ProjectSpec, prod_years: npt.NDArray[np.int64], fit: PriceModelFit | None
) -> tuple[FloatArray, str]:
    """Deterministic price per production year. [USD/t]"""
    f = _to_usd_per_t(spec.price.unit)
    d = spec.price.deck
    if isinstance(d, FlatDeck):
        return np.full(
            prod_years.size, d.price.value * f
        ), f"flat {d.price.value:g} {spec.price.unit}"
    if isinstance(d, SeriesDeck | CsvDeck):
        if isinstance(d, SeriesDeck):
            s = pd.Series(d.prices.value, dtype=float).sort_index()
            label = "series (spec)"
        else:
            s = read_price_csv(spec.base_dir / d.path, column=d.column)
            label = f"csv {d.path}"
        if s.index.min() > prod_years[0]:
            raise ValidationError(
                f"price deck starts in {s.index.min()}, after production starts ({prod_years[0]})"
            )
        full = s.reindex(range(int(s.index.min()), int(prod_years[-1]) + 1)).ffill()
        if s.index.max() < prod_years[-1]:
            label += f", held at the {s.index.max()} price after {s.index.max()}"
        vals = full.to_numpy(dtype=np.float64)[prod_years - int(s.index.min())]
        return vals * f, label
    if isinstance(d, StoreDeck):
        v, label = _deck_store(d)
        return np.full(prod_years.size, v), label
    assert isinstance(d, ModelDeck) and fit is not None
    x0, anchor = _model_start(spec, fit, None, prod_years)
    path = np.exp(expected_log_path(x0, fit, int(prod_years[-1] - anchor)))
    return path[prod_years - anchor - 1], f"median path of the {fit.model.upper()} model"


def _model_start(
    spec: ProjectSpec,
    fit: PriceModelFit,
    deck: FloatArray | None,
    prod_years: npt.NDArray[np.int64],
) -> tuple[float, int]:
    """Starting log price and its year for simulations."""
    m = spec.price.model
    assert m is not None
    if m.start == "deck":
        assert deck is not None
        return math.log(deck[0]), int(prod_years[0]) - 1
    anchor = int(fit.last_period) if fit.last_period else spec.t0
    return math.log(fit.last_price), min(anchor, int(prod_years[0]) - 1)


def fit_price_model(spec: ProjectSpec) -> tuple[PriceModelFit | None, pd.Series | None]:
    """Fit (or assemble from given parameters) the spec's price model.

    Parameters
    ----------
    spec : ProjectSpec
        The project; ``price.model`` may be None.

    Returns
    -------
    tuple of (PriceModelFit or None, pandas.Series or None)
        The model (prices in [USD/t]) and the history it was fitted on.
    """
    m = spec.price.model
    if m is None:
        return None, None
    hist = _history(spec)
    fit: PriceModelFit
    if hist is not None:
        series, label = hist
        fit = fit_log_ou(series, source=label)
    else:
        fit = PriceModelFit("ou", kappa=1.0, mu=math.nan, sigma=0.0, source="given")
    p = m.params
    changes: dict[str, Any] = {}
    if p.kappa is not None:
        changes["kappa"] = p.kappa.value
    if p.sigma is not None:
        changes["sigma"] = p.sigma.value
    if p.long_run_price is not None:
        changes["mu"] = math.log(p.long_run_price.value * _to_usd_per_t(spec.price.unit))
    if changes:
        if fit.model == "gbm" and ("kappa" in changes or "mu" in changes):
            changes["model"] = "ou"
            changes["drift"] = 0.0
        fit = dataclasses.replace(
            fit,
            note=(fit.note + "; " if fit.note else "") + f"overridden: {', '.join(changes)}",
            **changes,
        )
    if fit.model == "ou" and fit.kappa <= 0:
        raise ValidationError("price model kappa must be > 0")
    return fit, (hist[0] if hist is not None else None)


def build_model(spec: ProjectSpec, fit: PriceModelFit | None = None) -> ProjectModel:
    """Turn a project spec into annual arrays.

    Parameters
    ----------
    spec : ProjectSpec
        The validated project.
    fit : PriceModelFit, optional
        Price model, needed for a ``model`` deck.

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
    for b in spec.by_products:
        q = ore * b.grade.value if b.grade is not None else b.output_tpa.value * rate_factor  # type: ignore[union-attr]
        byp += q * b.recovery.value * b.payability.value * b.price.value * _to_usd_per_t(b.unit)
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
    deck, label = _deck(spec, prod_years, fit)
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
        deck_usd_per_t=full_deck,
        deck_label=label,
        price_unit=spec.price.unit,
        price_unit_factor=_to_usd_per_t(spec.price.unit),
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
        ``income_tax``, ``capex``, ``sustaining_capex``, ``closure``,
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
    royalty = model.royalty_rate * (revenue + byp)
    opex = np.broadcast_to(model.opex * esc, revenue.shape)
    ebitda = revenue + byp - royalty - opex
    closure = model.closure * esc
    dep = model.depreciation()
    taxable = ebitda - dep - closure
    if model.loss_carry_forward:
        tax = np.empty_like(taxable)
        pool = np.zeros(taxable.shape[0])
        for k in range(model.n):
            ti = taxable[:, k] - pool
            tax[:, k] = model.income_tax_rate * np.maximum(ti, 0.0)
            pool = np.maximum(-ti, 0.0)
    else:
        tax = model.income_tax_rate * np.maximum(taxable, 0.0)
    wc = model.working_capital * (revenue + byp)
    dwc = np.diff(wc, axis=1, prepend=0.0)
    capex = model.capex * esc
    sustaining = model.sustaining * esc
    net = ebitda - tax - capex - sustaining - closure - dwc
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
        "capex": np.broadcast_to(capex, shape).copy(),
        "sustaining_capex": np.broadcast_to(sustaining, shape).copy(),
        "closure": np.broadcast_to(closure, shape).copy(),
        "working_capital_change": dwc,
        "net_cash_flow": net,
    }


def _net(model: ProjectModel, prices: npt.ArrayLike | None = None) -> FloatArray:
    return cash_flow_matrix(model, prices)["net_cash_flow"]


def _npv(model: ProjectModel, prices: npt.ArrayLike | None = None) -> float:
    return float(npv(model.rate, _net(model, prices)[0]))


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


def _apply(model: ProjectModel, key: str, f: float) -> tuple[ProjectModel, float]:
    """Model with one input scaled by f, and a price multiplier."""
    if key == "price":
        return model, f
    if key == "production":
        return model.with_(
            ore_t=model.ore_t * f,
            output_t=model.output_t * f,
            payable_t=model.payable_t * f,
            by_product_revenue=model.by_product_revenue * f,
            opex_variable=model.opex_variable * f,
        ), 1.0
    if key == "opex":
        return model.with_(
            opex_variable=model.opex_variable * f, opex_fixed=model.opex_fixed * f
        ), 1.0
    if key == "capex":
        return model.with_(capex=model.capex * f), 1.0
    if key == "discount_rate":
        return model.with_(rate=model.rate * f), 1.0
    if key == "royalty_rate":
        return model.with_(royalty_rate=min(model.royalty_rate * f, 0.999)), 1.0
    if key == "income_tax_rate":
        return model.with_(income_tax_rate=min(model.income_tax_rate * f, 0.999)), 1.0
    if key == "by_product_price":
        return model.with_(by_product_revenue=model.by_product_revenue * f), 1.0
    raise ValidationError(f"unknown tornado variable {key!r}")


def tornado(
    model: ProjectModel, swing: float = 0.2, variables: list[str] | None = None
) -> pd.DataFrame:
    """One-at-a-time sensitivity of NPV: each input at (1 - swing) and (1 + swing).

    Parameters
    ----------
    model : ProjectModel
        Base case.
    swing : float
        Relative change applied to each input. [fraction]
    variables : list of str, optional
        Keys of :data:`TORNADO_VARIABLES`; default all that are non-zero in the project.

    Returns
    -------
    pandas.DataFrame
        ``variable``, ``label``, ``npv_low_usd`` (input x (1 - swing)), ``npv_high_usd``
        (input x (1 + swing)), ``base_npv_usd``, ``range_usd``; widest first. [USD]

    Notes
    -----
    "production volume" scales output, ore, by-products and variable operating costs
    (fixed costs stay); "initial capex" also changes the tax depreciation.
    """
    base = _npv(model)
    if variables is None:
        variables = ["price", "production", "opex", "capex", "discount_rate"]
        if model.royalty_rate > 0:
            variables.append("royalty_rate")
        if model.income_tax_rate > 0:
            variables.append("income_tax_rate")
        if np.any(model.by_product_revenue):
            variables.append("by_product_price")
    rows = []
    for key in variables:
        vals = []
        for f in (1.0 - swing, 1.0 + swing):
            m2, pf = _apply(model, key, f)
            vals.append(_npv(m2, m2.deck_usd_per_t * pf))
        rows.append(
            {
                "variable": key,
                "label": TORNADO_VARIABLES[key],
                "npv_low_usd": vals[0],
                "npv_high_usd": vals[1],
                "base_npv_usd": base,
                "range_usd": abs(vals[1] - vals[0]),
            }
        )
    df = pd.DataFrame(rows).sort_values("range_usd", ascending=False, kind="stable")
    return df.reset_index(drop=True)


def breakeven_factor(model: ProjectModel) -> float | None:
    """Multiplier on the price deck at which NPV = 0 (None if none in (0, 2^60)).

    Parameters
    ----------
    model : ProjectModel
        Project arrays.

    Returns
    -------
    float or None
        Factor f with NPV(f · deck) = 0. [-]
    """
    if not np.any(model.payable_t):
        return None
    return solve_breakeven(lambda f: _npv(model, model.deck_usd_per_t * f), 0.0, 1.0)


def monte_carlo_npv(
    spec: ProjectSpec,
    model: ProjectModel,
    fit: PriceModelFit,
    draws: int,
    seed: int | None,
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
    Paths are simulated in chunks of 25,000 to bound memory.
    """
    m = spec.price.model
    assert m is not None
    prod = np.flatnonzero(model.producing)
    prod_years = model.years[prod]
    deck = model.deck_usd_per_t[prod]
    x0, anchor = _model_start(spec, fit, deck, prod_years)
    n_steps = int(prod_years[-1]) - anchor
    cols = (prod_years - anchor - 1).astype(int)
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    pct_parts: list[FloatArray] = []
    disc = np.power(1.0 + model.rate, -model.t)
    for lo in range(0, draws, _MC_CHUNK):
        k = min(_MC_CHUNK, draws - lo)
        if m.level == "deck":
            years_all = np.arange(anchor + 1, int(prod_years[-1]) + 1)
            deck_all = np.interp(years_all, prod_years, deck)
            z0 = x0 - math.log(deck[0]) if m.start == "last" else 0.0
            z = (
                simulate_log_ou(z0, fit, n_steps, k, rng=rng, mu=0.0)
                if fit.model == "ou"
                else simulate_log_ou(z0, fit, n_steps, k, rng=rng)
            )
            logp = np.log(deck_all)[None, :] + z
        else:
            logp = simulate_log_ou(x0, fit, n_steps, k, rng=rng)
        pp = np.exp(logp[:, cols])
        full = np.zeros((k, model.n))
        full[:, prod] = pp
        out[lo : lo + k] = _net(model, full) @ disc
        if lo == 0:
            pct_parts.append(np.percentile(pp, [5, 25, 50, 75, 95], axis=0))
    pct = pct_parts[0] if pct_parts else np.empty((5, prod.size))
    return out, pct


def assumptions_table(spec: ProjectSpec | DepositSpec, only: str | None = None) -> pd.DataFrame:
    """Every input of a spec with its unit, source and whether it is an assumption.

    Parameters
    ----------
    spec : ProjectSpec or DepositSpec
        The spec.
    only : str, optional
        Keep inputs whose field path starts with this prefix (e.g. ``"deposit"``).

    Returns
    -------
    pandas.DataFrame
        ``input`` (field path), ``value``, ``unit``, ``source`` (``assumption`` or
        the source key), ``source_title``, ``is_assumption``, ``note``. Only inputs
        written in the file are listed; defaults (zero costs, recovery 1...) are not.
    """
    rows = []
    price_unit = getattr(getattr(spec, "price", None), "unit", "USD/t")
    for path, inp in iter_inputs(spec, explicit_only=True):
        if only and not path.startswith(only):
            continue
        parent: Any = spec
        parts = path.split(".")
        for part in parts[:-1]:
            parent = parent[int(part)] if part.isdigit() else getattr(parent, part)
        unit = field_unit(parent, parts[-1])
        if unit == "price unit":
            unit = getattr(parent, "unit", price_unit) if hasattr(parent, "unit") else price_unit
        elif unit == "price unit by year":
            unit = f"{price_unit} by year"
        v = inp.value
        value = (
            ", ".join(f"{k}: {x:,.6g}" for k, x in v.items())
            if isinstance(v, dict)
            else (", ".join(f"{x:g}" for x in v) if isinstance(v, list) else v)
        )
        src = spec.sources.get(inp.source)
        rows.append(
            {
                "input": path,
                "value": str(value) if not isinstance(value, int | float) else value,
                "unit": unit,
                "source": inp.source,
                "source_title": src.title if src is not None else "",
                "is_assumption": inp.is_assumption,
                "note": inp.note,
            }
        )
    price = getattr(spec, "price", None)
    if price is not None and only is None:
        extra = []
        if isinstance(price.deck, CsvDeck):
            extra.append(("price.deck.path", price.deck.path, price.deck.source, price.deck.note))
        if price.model is not None and price.model.history is not None:
            h = price.model.history
            extra.append(
                (
                    "price.model.history",
                    h.path or f"store:{h.series}",
                    h.source,
                    f"unit {h.unit or 'from store'}; years {h.start or 'first'}-{h.end or 'last'}",
                )
            )
        for name, value, source, note in extra:
            src = spec.sources.get(source)
            rows.append(
                {
                    "input": name,
                    "value": value,
                    "unit": "",
                    "source": source,
                    "source_title": src.title if src else "",
                    "is_assumption": source == "assumption",
                    "note": note,
                }
            )
    df = pd.DataFrame(
        rows, columns=["input", "value", "unit", "source", "source_title", "is_assumption", "note"]
    )
    return df


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: metrics plus tables as lists of rows (snake_case keys)."""
        from critmin.cli._output import records

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
    fit, hist = fit_price_model(spec)
    if fit is not None and fit.note:
        notes.append(f"price model: {fit.note}")
    model = build_model(spec, fit)
    table = cash_flow_table(model)
    cf = table["net_cash_flow_usd"].to_numpy()
    r = model.rate
    irr_res = irr(cf)
    if irr_res.status != "unique":
        notes.append(irr_res.message)
    bf = breakeven_factor(model)
    prod = model.producing
    mean_deck = float(model.deck_usd_per_t[prod].mean()) / model.price_unit_factor
    metrics: dict[str, Any] = {
        "npv_usd": float(npv(r, cf)),
        "irr": irr_res.value,
        "irr_status": irr_res.status,
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
    metrics["n_assumptions"] = int(assumptions["is_assumption"].sum())
    tor = tornado(model, swing)
    mc = None
    fan = None
    if fit is not None and draws > 0:
        mc, pct = monte_carlo_npv(spec, model, fit, draws, seed)
        q = np.percentile(mc, [5, 50, 95])
        metrics.update(
            {
                "mc_draws": draws,
                "mc_seed": seed,
                "mc_npv_mean_usd": float(mc.mean()),
                "mc_npv_p5_usd": float(q[0]),
                "mc_npv_p50_usd": float(q[1]),
                "mc_npv_p95_usd": float(q[2]),
                "p_npv_negative": float(np.mean(mc < 0)),
            }
        )
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
    elif draws > 0:
        notes.append("no price.model in the spec: Monte Carlo skipped")
    fit_table = None
    if fit is not None:
        fit_table = fit.to_frame(spec.price.unit)
    dep = None
    if spec.deposit is not None:
        from critmin.valuation.deposit import deposit_bridge

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
