"""Reproduce the NPV and IRR of a published feasibility (FS/PFS) or PEA cash-flow model.

A study spec (``kind: published-study``, see ``examples/projects/*-pfs-*.yaml``) carries
the study's own annual rows, each cited to its table and page: payable metal by year,
the prices of the study's deck, selling deductions, operating costs, royalties, capital,
closure, working capital and the study's income-tax row, plus the study's published
after-tax cash flow and headline NPV and IRR. :func:`reproduce_study` rebuilds the
annual cash flow from the rows (revenue = payable x price), compares it year by year with
the published row, discounts it with the study's stated convention and compares NPV and
IRR with the headline. Nothing is fitted: every input is the study's.

Taxes are the study's published tax row (the tax base needs the study's tax pools,
depreciation classes and loss balances, which the reports do not tabulate); everything
above the tax line is rebuilt from physical rows and prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from critmin.params import Source
from critmin.spec import load_spec
from critmin.units import convert
from critmin.valuation._specbase import _Model
from critmin.valuation.cashflow import economic_irr, irr, npv

__all__ = ["StudyReproduction", "StudySpec", "load_study", "reproduce_study"]

Stage = Literal["deduction", "opex", "fiscal", "capital", "working_capital", "credit", "tax"]


class _Cited(_Model):
    source: str
    note: str = ""


class Quantity(_Cited):
    """A published number with its unit and source."""

    value: float
    unit: str = ""


class Row(_Cited):
    """One annual row of the study's cash-flow table, in the study's money unit.

    ``stage`` says where it enters: ``deduction`` (selling costs, before any NSR royalty),
    ``opex``, ``fiscal`` (royalty-type taxes charged before income tax), ``capital``
    (initial, sustaining, closure), ``working_capital`` (increase = outflow), ``credit``
    (salvage / terminal proceeds, an inflow) or ``tax`` (income tax paid, an outflow).
    All values are entered as positive costs (negative for a release or refund).
    """

    name: str
    stage: Stage
    values: list[float]


class Payable(_Cited):
    """Payable metal by year and the price of the study's deck for it."""

    commodity: str
    unit: str = Field(description="unit of the quantities, e.g. t or toz")
    values: list[float]
    price: Quantity


class Royalty(_Cited):
    """A royalty charged as ``rate`` x net smelter return (revenue - deductions)."""

    name: str
    rate: float = Field(ge=0, lt=1)
    periods: list[int] | None = None


class Series(_Cited):
    """A published annual row that is compared with, not used as an input."""

    name: str
    values: list[float]


class Published(_Model):
    """What the study publishes: the annual after-tax (and pre-tax) row and the headlines."""

    after_tax_cash_flow: Series
    pre_tax_cash_flow: Series | None = None
    npv_after_tax: Quantity
    irr_after_tax: Quantity
    npv_pre_tax: Quantity | None = None
    irr_pre_tax: Quantity | None = None


class Discount(_Cited):
    """Discount rate and the study's timing of each period's flow.

    ``timing``: where in each period the flow falls, valued at the start of the first
    period: ``start`` (exponent t), ``mid`` (t + 1/2) or ``end`` (t + 1).
    """

    rate: float = Field(ge=0, lt=1)
    timing: Literal["start", "mid", "end"]


class Tolerance(_Cited):
    npv: float = Field(gt=0, lt=1)
    irr: float = Field(gt=0, lt=1)
    basis: Literal["annual_table", "summary_inputs"]


class StudyInfo(_Model):
    title: str
    company: str
    date: str
    kind: Literal["FS", "PFS", "PEA"]
    url: str
    tables: str


class Money(_Model):
    currency: str
    scale: float = Field(gt=0, description="table values are in units of scale x currency")
    usd_per_currency: Quantity | None = None


class StudySpec(_Model):
    """A published study's annual cash-flow model (``kind: published-study``)."""

    kind: Literal["published-study"]
    name: str
    study: StudyInfo
    sources: dict[str, Source]
    money: Money
    periods: list[int]
    discount: Discount
    payable: list[Payable]
    royalties: list[Royalty] = Field(default_factory=list)
    rows: list[Row]
    published: Published
    tolerance: Tolerance

    @model_validator(mode="after")
    def _check(self) -> StudySpec:
        n = len(self.periods)
        keys = set(self.sources) | {"assumption"}
        cited: list[tuple[str, str, int | None]] = [
            (f"payable.{p.commodity}", p.source, len(p.values)) for p in self.payable
        ]
        cited += [(f"payable.{p.commodity}.price", p.price.source, None) for p in self.payable]
        cited += [(f"rows.{r.name}", r.source, len(r.values)) for r in self.rows]
        cited += [(f"royalties.{r.name}", r.source, None) for r in self.royalties]
        pub = self.published
        cited += [("published.after_tax_cash_flow", pub.after_tax_cash_flow.source, n)]
        if pub.pre_tax_cash_flow is not None:
            cited += [("published.pre_tax_cash_flow", pub.pre_tax_cash_flow.source, n)]
        cited += [
            ("discount", self.discount.source, None),
            ("tolerance", self.tolerance.source, None),
        ]
        if self.money.usd_per_currency is not None:
            cited += [("money.usd_per_currency", self.money.usd_per_currency.source, None)]
        cited += [("published.npv_after_tax", pub.npv_after_tax.source, None)]
        cited += [("published.irr_after_tax", pub.irr_after_tax.source, None)]
        for where, src, length in cited:
            if src not in keys:
                raise ValueError(f"{where}: source {src!r} is not a key of 'sources'")
            if length is not None and length != n:
                raise ValueError(f"{where}: {length} values for {n} periods")
        for p in self.payable:
            money, _, per = p.price.unit.partition("/")
            if money != "USD" or not per:
                raise ValueError(
                    f"payable.{p.commodity}.price: unit must be USD/<unit>, got {p.price.unit!r}"
                )
        if self.money.currency != "USD" and self.money.usd_per_currency is None:
            raise ValueError("money.usd_per_currency is required when the table is not in USD")
        return self


@dataclass
class StudyReproduction:
    """Result of :func:`reproduce_study`.

    Attributes
    ----------
    spec : StudySpec
        The study.
    table : pandas.DataFrame
        One row per period: revenue, deductions, royalty, opex, fiscal, capital,
        working_capital, credit, pre_tax_cf, tax, after_tax_cf, published_after_tax_cf,
        difference (all in the study's money unit, e.g. USD million).
    metrics : dict
        ``npv_after_tax`` (reproduced), ``npv_after_tax_published``, ``npv_rel_diff``,
        the same for ``irr`` and, where published, the pre-tax figures;
        ``npv_published_row`` and ``irr_published_row`` (the study's own after-tax row
        discounted here), ``max_abs_row_diff``, ``within_tolerance``.
    notes : list of str
        Conventions used, in words.
    """

    spec: StudySpec
    table: pd.DataFrame
    metrics: dict[str, float | bool | str | None]
    notes: list[str] = field(default_factory=list)


def load_study(path: str | Path) -> StudySpec:
    """Read and validate a ``kind: published-study`` YAML file.

    Raises
    ------
    critmin.errors.SpecError
        One line naming the file and field when the spec is invalid.
    """
    return load_spec(path, StudySpec, what="published study")


_OFFSET = {"start": 0.0, "mid": 0.5, "end": 1.0}


def _discounted(rate: float, cf: np.ndarray, timing: str) -> float:
    """NPV at the start of the first period [money unit of ``cf``].

    Notes
    -----
    NPV = Σ_t CF_t / (1 + r)^(t + o), t = 0 for the first period, o = 0 (``start``),
    1/2 (``mid``) or 1 (``end``); i.e. :func:`critmin.valuation.cashflow.npv` divided by
    (1 + r)^o. The IRR does not depend on o (a uniform shift in time does not move the
    root of the NPV).
    """
    return float(npv(rate, cf)) / (1.0 + rate) ** _OFFSET[timing]


def _irr(cf: np.ndarray) -> tuple[float | None, tuple[float, ...]]:
    """The IRR to compare with a study's: the only root r >= 0, and every root.

    Notes
    -----
    A closure cost after the last production year adds a sign change, so
    :func:`critmin.valuation.cashflow.irr` often finds a second, negative root (e.g. -32 %
    besides 24 %). Studies (and spreadsheet IRR functions started near 10 %) report the
    non-negative one; it is used when it is the only root >= 0, otherwise None. The rule
    does not look at the published figure.
    """
    res = irr(cf)
    return economic_irr(res)[0], res.roots


def _revenue(spec: StudySpec) -> np.ndarray:
    """Σ payable x price, in the table's money unit [scale x currency]."""
    total = np.zeros(len(spec.periods))
    for p in spec.payable:
        price_per_qty = convert(p.price.value, p.price.unit, f"USD/{p.unit}")
        total += np.asarray(p.values, dtype=float) * price_per_qty
    fx = 1.0 if spec.money.currency == "USD" else spec.money.usd_per_currency.value  # type: ignore[union-attr]
    return total / fx / spec.money.scale


def reproduce_study(spec: StudySpec | str | Path) -> StudyReproduction:
    """Rebuild a published study's annual cash flow and compare NPV and IRR.

    Parameters
    ----------
    spec : StudySpec or path
        The study (or its YAML file).

    Returns
    -------
    StudyReproduction

    Notes
    -----
    revenue_t = Σ_m payable_{m,t} x price_m; NSR_t = revenue_t - deductions_t;
    royalty_t = Σ_k rate_k x NSR_t (in the royalty's periods);
    pre-tax CF_t = NSR_t - royalty_t - opex_t - fiscal_t - capital_t - ΔWC_t + credit_t;
    after-tax CF_t = pre-tax CF_t - tax_t (the study's tax row).
    Relative difference = (reproduced - published) / |published|.
    """
    s = spec if isinstance(spec, StudySpec) else load_study(spec)
    n = len(s.periods)
    by_stage = {st: np.zeros(n) for st in Stage.__args__}  # type: ignore[attr-defined]
    for r in s.rows:
        by_stage[r.stage] += np.asarray(r.values, dtype=float)
    revenue = _revenue(s)
    nsr = revenue - by_stage["deduction"]
    royalty = np.zeros(n)
    for k in s.royalties:
        mask = np.ones(n, dtype=bool)
        if k.periods is not None:
            mask = np.isin(np.asarray(s.periods), k.periods)
        royalty += np.where(mask, k.rate * nsr, 0.0)
    pre = (
        nsr
        - royalty
        - by_stage["opex"]
        - by_stage["fiscal"]
        - by_stage["capital"]
        - by_stage["working_capital"]
        + by_stage["credit"]
    )
    after = pre - by_stage["tax"]
    pub = s.published
    pub_after = np.asarray(pub.after_tax_cash_flow.values, dtype=float)
    table = pd.DataFrame(
        {
            "period": s.periods,
            "revenue": revenue,
            "deductions": by_stage["deduction"],
            "royalty": royalty,
            "opex": by_stage["opex"],
            "fiscal": by_stage["fiscal"],
            "capital": by_stage["capital"],
            "working_capital": by_stage["working_capital"],
            "credit": by_stage["credit"],
            "pre_tax_cf": pre,
            "tax": by_stage["tax"],
            "after_tax_cf": after,
            "published_after_tax_cf": pub_after,
            "difference": after - pub_after,
        }
    )
    rate, conv = s.discount.rate, s.discount.timing

    def rel(a: float | None, b: float) -> float | None:
        return None if a is None else (a - b) / abs(b)

    npv_after = _discounted(rate, after, conv)
    irr_after, roots_after = _irr(after)
    m: dict[str, float | bool | str | None] = {
        "npv_after_tax": npv_after,
        "npv_after_tax_published": pub.npv_after_tax.value,
        "npv_rel_diff": rel(npv_after, pub.npv_after_tax.value),
        "irr_after_tax": irr_after,
        "irr_after_tax_published": pub.irr_after_tax.value,
        "irr_rel_diff": rel(irr_after, pub.irr_after_tax.value),
        "npv_published_row": _discounted(rate, pub_after, conv),
        "irr_published_row": _irr(pub_after)[0],
        "irr_roots_after_tax": ", ".join(f"{r:.4%}" for r in roots_after),
        "max_abs_row_diff": float(np.max(np.abs(after - pub_after))),
    }
    if pub.npv_pre_tax is not None:
        npv_pre = _discounted(rate, pre, conv)
        m["npv_pre_tax"] = npv_pre
        m["npv_pre_tax_published"] = pub.npv_pre_tax.value
        m["npv_pre_tax_rel_diff"] = rel(npv_pre, pub.npv_pre_tax.value)
    if pub.irr_pre_tax is not None:
        irr_pre = _irr(pre)[0]
        m["irr_pre_tax"] = irr_pre
        m["irr_pre_tax_published"] = pub.irr_pre_tax.value
        m["irr_pre_tax_rel_diff"] = rel(irr_pre, pub.irr_pre_tax.value)
    nd, idf = m["npv_rel_diff"], m["irr_rel_diff"]
    m["within_tolerance"] = bool(
        nd is not None
        and idf is not None
        and abs(float(nd)) <= s.tolerance.npv
        and abs(float(idf)) <= s.tolerance.irr
    )
    unit = f"{s.money.currency} x {s.money.scale:g}"
    notes = [
        f"Money unit: {unit}; discount {rate:.1%}, flows at the {conv} of each period, valued at "
        f"the start of period {s.periods[0]}.",
        "Revenue is rebuilt as payable metal x the study's price deck; the income-tax row is the "
        "study's own (its tax pools are not tabulated).",
        f"IRR: the only non-negative root of the after-tax flows (all roots: {m['irr_roots_after_tax']}).",
        f"Tolerance ({s.tolerance.basis.replace('_', ' ')}): NPV {s.tolerance.npv:.0%}, IRR "
        f"{s.tolerance.irr:.0%} relative.",
    ]
    return StudyReproduction(spec=s, table=table, metrics=m, notes=notes)
