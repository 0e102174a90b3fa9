"""Sensitivity of NPV: one-at-a-time tornado and the break-even price.

Both reuse the deterministic engine of :mod:`~critmin.valuation.model` on a scaled
copy of the project arrays (:meth:`ProjectModel.with_`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.errors import ValidationError
from critmin.valuation.cashflow import solve_breakeven
from critmin.valuation.model import ProjectModel, model_npv

__all__ = ["TORNADO_VARIABLES", "breakeven_factor", "tornado"]

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


def _apply(model: ProjectModel, key: str, f: float) -> tuple[ProjectModel, float]:
    """Model with one input (a key of :data:`TORNADO_VARIABLES`) scaled by f, and a price multiplier.

    Rates are capped at 0.999 when scaled up.
    """
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
    base = model_npv(model)
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
            vals.append(model_npv(m2, m2.deck_usd_per_t * pf))
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

    Notes
    -----
    Solves NPV(f · D) = 0 for f, D the real deck per year, by Brent's method on a
    bracket [0, 1] whose upper end is doubled until the sign changes. None also
    when nothing is payable.
    """
    if not np.any(model.payable_t):
        return None
    return solve_breakeven(lambda f: model_npv(model, model.deck_usd_per_t * f), 0.0, 1.0)
