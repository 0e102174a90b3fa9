"""Fiscal templates and the tax engine (issue 18), checked against hand computations."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from critmin.errors import SpecError
from critmin.valuation.fiscal import (
    excess_profit_tax,
    list_templates,
    load_template,
    tax_with_loss_carry_forward,
)
from critmin.valuation.model import build_model, cash_flow_matrix
from critmin.valuation.spec import ProjectSpec, parse_spec

BASE: dict[str, Any] = {
    "kind": "project",
    "name": "toy mine",
    "commodity": "tin",
    "base_year": 2025,
    "production": {
        "basis": "ore",
        "start_year": 2026,
        "life_years": 3,
        "ore_tpa": 1000.0,
        "grade": 0.01,
    },
    "by_products": [{"commodity": "copper", "output_tpa": 2.0, "price": 10_000.0}],
    "capex": {"initial": {2025: 100_000.0}},
    "discount": {"rate": 0.1},
    "price": {"deck": {"kind": "flat", "price": 30_000.0}},
    "fiscal": {"template": "kazakhstan"},
}


def _spec(**fiscal: Any) -> ProjectSpec:
    d = copy.deepcopy(BASE)
    d["fiscal"].update(fiscal)
    s = parse_spec(d)
    assert isinstance(s, ProjectSpec)
    return s


def test_templates_are_listed_and_cited() -> None:
    assert {"kazakhstan", "generic-royalty-tax"} <= set(list_templates())
    kz = load_template("kazakhstan")
    srcs = kz["sources"]
    for item in [*kz["royalty_rates"].values(), kz["income_tax_rate"]]:
        assert item["source"] in srcs or item["source"] == "assumption"
    for key in ("loss_carry_forward_years", "depreciation_years"):
        assert kz[key]["source"] == "assumption"
    assert all(str(s.get("url", "")).startswith("http") for s in srcs.values())


def test_kazakhstan_template_fills_met_cit_with_citations() -> None:
    s = _spec()
    f = s.fiscal
    assert f.royalty_rate.value == 0.039 and f.royalty_rate.source == "kz_tc_746"
    assert f.income_tax_rate.value == 0.20 and f.income_tax_rate.source == "kz_wm_2021"
    assert f.royalty_label == "mineral extraction tax"
    assert f.excess_profit_tax is not None and not f.excess_profit_tax.applies
    assert f.loss_carry_forward_years is not None and f.loss_carry_forward_years.value == 10
    assert s.by_products[0].royalty_rate is not None
    assert s.by_products[0].royalty_rate.value == 0.0855  # copper, Art. 746
    assert "kz_tc_746" in s.sources and "Article 746" in s.sources["kz_tc_746"].title


def test_spec_values_win_over_the_template() -> None:
    s = _spec(income_tax_rate={"value": 0.15, "source": "assumption"})
    assert s.fiscal.income_tax_rate.value == 0.15
    assert s.fiscal.royalty_rate.value == 0.039


def test_unknown_template_and_commodity() -> None:
    with pytest.raises(SpecError, match="unknown fiscal template"):
        _spec(template="atlantis")
    d = copy.deepcopy(BASE)
    d["commodity"] = "unobtainium"
    with pytest.raises(SpecError, match="no royalty rate for 'unobtainium'"):
        parse_spec(d)


def test_generic_template_is_all_assumptions() -> None:
    s = _spec(template="generic-royalty-tax")
    assert s.fiscal.royalty_rate.value == 0.05 and s.fiscal.royalty_rate.is_assumption
    assert s.fiscal.income_tax_rate.is_assumption


def test_royalty_by_commodity_in_the_engine() -> None:
    s = _spec()
    m = build_model(s)
    lines = cash_flow_matrix(m)
    k = int(np.flatnonzero(m.years == 2027)[0])
    # tin: 1000 t ore x 1 % = 10 t x 30,000 = 300,000; copper: 2 t x 10,000 = 20,000
    assert lines["revenue"][0, k] == pytest.approx(300_000)
    assert lines["royalty"][0, k] == pytest.approx(0.039 * 300_000 + 0.0855 * 20_000)


def test_loss_carry_forward_by_hand() -> None:
    ti = np.array([[-100.0, 30.0, 30.0, 30.0, 30.0, 30.0]])
    # unlimited: the 100 loss absorbs 30+30+30+10, tax only on 20 in year 5 and 30 in year 6
    t = tax_with_loss_carry_forward(ti, 0.2, years=None)
    assert t[0].tolist() == pytest.approx([0, 0, 0, 0, 4.0, 6.0])
    # two years: the loss is usable in years 2 and 3 only (60 used, 40 expires)
    t2 = tax_with_loss_carry_forward(ti, 0.2, years=2)
    assert t2[0].tolist() == pytest.approx([0, 0, 0, 6.0, 6.0, 6.0])
    # oldest first: losses of 10 (year 1) and 50 (year 2), profit 40 in year 3
    t3 = tax_with_loss_carry_forward(np.array([[-10.0, -50.0, 40.0, 40.0]]), 0.5, years=2)
    # year 3 uses 10 (old) + 30 (new); year 4: 20 left of year-2 loss (age 2, still usable)
    assert t3[0].tolist() == pytest.approx([0, 0, 0, 10.0])


def test_excess_profit_tax_by_hand() -> None:
    taxable = np.array([[1000.0]])
    cit = np.array([[200.0]])
    ded = np.array([[2000.0]])
    # net income 800 above 25 % of 2,000 = 500: 300 at 30 %
    assert excess_profit_tax(taxable, cit, ded, threshold=0.25, rate=0.3)[0, 0] == pytest.approx(90)
    assert excess_profit_tax(taxable, cit, 4 * ded, threshold=0.25, rate=0.3)[0, 0] == 0.0


def test_ept_applies_when_switched_on() -> None:
    ept = {"applies": True, "rate": {"value": 0.3, "source": "assumption"}}
    s = _spec(excess_profit_tax=ept)
    lines = cash_flow_matrix(build_model(s))
    assert (lines["excess_profit_tax"] >= 0).all() and lines["excess_profit_tax"].sum() > 0
    base = cash_flow_matrix(build_model(_spec()))
    diff = base["net_cash_flow"] - lines["net_cash_flow"]
    assert diff == pytest.approx(lines["excess_profit_tax"])
