"""Fiscal terms as data: templates of royalty / mineral extraction tax, income tax, EPT.

A template is a YAML file in ``valuation/templates`` (``kazakhstan``,
``generic-royalty-tax``) with a ``sources`` block and one cited (or "assumption")
value per term. A spec names it with ``fiscal: {template: kazakhstan}``; values the
spec gives itself win, the others are filled in from the template before
validation, with the template's sources added to the spec's ``sources`` so that
every rate shows in the assumptions table with its citation.

Terms (all optional in a template)::

    royalty_rates            {commodity: Input}, "*" for any commodity   [fraction of revenue]
    income_tax_rate          Input                                       [fraction]
    loss_carry_forward_years Input (0 = unlimited)                       [yr]
    depreciation_years       Input                                       [yr]
    excess_profit_tax        {applies, threshold Input, rate Input}      [fraction]
    closure_deductible       bool
    working_capital          Input                                       [fraction of revenue]
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

__all__ = [
    "TEMPLATE_DIR",
    "apply_fiscal_template",
    "excess_profit_tax",
    "list_templates",
    "load_template",
    "tax_with_loss_carry_forward",
]

#: Folder of the shipped fiscal templates.
TEMPLATE_DIR = Path(__file__).parent / "templates"

FloatArray = npt.NDArray[np.float64]


def list_templates() -> list[str]:
    """Names of the shipped fiscal templates."""
    return sorted(p.stem for p in TEMPLATE_DIR.glob("*.yaml"))


@cache
def _read(name: str) -> dict[str, Any]:
    path = TEMPLATE_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ValueError(f"unknown fiscal template {name!r}; known: {', '.join(list_templates())}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"fiscal template {name!r} is not a mapping")
    return data


def load_template(name: str) -> dict[str, Any]:
    """A fiscal template as a mapping (a copy: safe to change).

    Parameters
    ----------
    name : str
        Template name (file stem in ``valuation/templates``).

    Returns
    -------
    dict
        The template's terms and ``sources``.

    Raises
    ------
    ValueError
        Unknown template (pydantic turns it into a one-line spec error).
    """
    return copy.deepcopy(_read(name))


def _rate_for(rates: dict[str, Any], commodity: str) -> Any | None:
    if commodity in rates:
        return rates[commodity]
    return rates.get("*")


def apply_fiscal_template(data: dict[str, Any]) -> dict[str, Any]:
    """Fill a raw project mapping's fiscal block from its template (before validation).

    Parameters
    ----------
    data : dict
        The spec mapping as read from YAML (``fiscal.template`` names the template).

    Returns
    -------
    dict
        A copy with template values added where the spec gives none: fiscal terms,
        ``royalty_rate`` of each by-product (by its commodity), and the template's
        sources merged into ``sources``.

    Raises
    ------
    ValueError
        Unknown template, a source key clash, or no royalty rate for the commodity.
    """
    fiscal = data.get("fiscal")
    if not isinstance(fiscal, dict) or not fiscal.get("template"):
        return data
    out = copy.deepcopy(data)
    fiscal = out["fiscal"]
    tpl = load_template(str(fiscal["template"]))
    sources = out.setdefault("sources", {})
    if not isinstance(sources, dict):
        return out
    for key, src in tpl.get("sources", {}).items():
        if key in sources and sources[key] != src:
            raise ValueError(f"source key {key!r} of fiscal template clashes with the spec's")
        sources[key] = src
    rates = tpl.get("royalty_rates", {})
    commodity = str(out.get("commodity", ""))
    if "royalty_rate" not in fiscal and rates:
        r = _rate_for(rates, commodity)
        if r is None:
            raise ValueError(
                f"fiscal template {tpl['name']!r} has no royalty rate for {commodity!r} "
                f"(has {', '.join(sorted(rates))}); give fiscal.royalty_rate"
            )
        fiscal["royalty_rate"] = r
    for key in (
        "royalty_label",
        "income_tax_rate",
        "loss_carry_forward_years",
        "depreciation_years",
        "excess_profit_tax",
        "closure_deductible",
        "working_capital",
    ):
        if key not in fiscal and key in tpl:
            fiscal[key] = tpl[key]
    for bp in out.get("by_products", []) or []:
        if isinstance(bp, dict) and "royalty_rate" not in bp and rates:
            r = _rate_for(rates, str(bp.get("commodity", "")))
            if r is None:
                raise ValueError(
                    f"fiscal template {tpl['name']!r} has no royalty rate for by-product "
                    f"{bp.get('commodity')!r}; give its royalty_rate"
                )
            bp["royalty_rate"] = r
    return out


def tax_with_loss_carry_forward(
    taxable: FloatArray, rate: float, *, years: int | None
) -> FloatArray:
    """Income tax per path and year with losses carried forward (FIFO, optional expiry).

    Parameters
    ----------
    taxable : numpy.ndarray
        Taxable income before losses, shape ``(paths, n)``. [USD]
    rate : float
        Income tax rate. [fraction]
    years : int or None
        Years a loss may be carried forward (None or 0: unlimited).

    Returns
    -------
    numpy.ndarray
        Tax, shape ``(paths, n)``. [USD]

    Notes
    -----
    Unlimited: tax_k = rate · max(TI_k - pool_k, 0), pool_{k+1} = max(pool_k - TI_k, 0).
    Limited to L years: losses are kept by vintage, used oldest first, and a loss
    not used within L years after the year it arose expires.
    """
    paths, n = taxable.shape
    ti_t = np.ascontiguousarray(taxable.T)  # (n, paths): each year contiguous
    tax_t = np.empty_like(ti_t)
    if not years:
        pool = np.zeros(paths)
        for k in range(n):
            ti = ti_t[k] - pool
            np.maximum(ti, 0.0, out=tax_t[k])
            pool = np.maximum(-ti, 0.0)
        tax_t *= rate
        return np.ascontiguousarray(tax_t.T)
    # ring buffer: slot y % L holds the unused loss of year y; at year k the slots hold
    # years k-L..k-1 and the oldest (k-L) sits in slot k % L, which the loss of year k reuses
    vint = np.zeros((years, paths))
    used_any = np.zeros(paths, dtype=bool)
    for k in range(n):
        ti = ti_t[k]
        profit = np.maximum(ti, 0.0)
        if used_any.any():
            for age in range(years, 0, -1):
                slot = (k - age) % years
                use = np.minimum(vint[slot], profit)
                vint[slot] -= use
                profit -= use
        tax_t[k] = profit
        loss = np.maximum(-ti, 0.0)
        vint[k % years] = loss
        used_any |= loss > 0
    tax_t *= rate
    return np.ascontiguousarray(tax_t.T)


def excess_profit_tax(
    taxable: FloatArray,
    income_tax: FloatArray,
    deductions: FloatArray,
    *,
    threshold: float,
    rate: float,
) -> FloatArray:
    """Excess-profit tax: a rate on net income above a share of deductions.

    Parameters
    ----------
    taxable : numpy.ndarray
        Taxable income, shape ``(paths, n)``. [USD]
    income_tax : numpy.ndarray
        Corporate income tax, same shape. [USD]
    deductions : numpy.ndarray
        Deductions (opex, royalty, depreciation, closure), same shape. [USD]
    threshold : float
        Share of deductions exempt (Kazakhstan Art. 754: 0.25). [fraction]
    rate : float
        Rate on the excess (a single bracket). [fraction]

    Returns
    -------
    numpy.ndarray
        EPT = rate · max(taxable - income_tax - threshold · deductions, 0). [USD]
    """
    base = taxable - income_tax - threshold * deductions
    return rate * np.maximum(base, 0.0)
