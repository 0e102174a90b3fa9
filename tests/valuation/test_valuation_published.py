"""Reproductions of published feasibility/PEA cash-flow models (issue 18, item 6).

Each study publishes its annual cash-flow table, so the tolerance is 1 % on NPV and IRR
(relative). Inputs are the studies' rows and prices; nothing is fitted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from critmin.errors import SpecError
from critmin.valuation.published import load_study, reproduce_study

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"


@pytest.mark.parametrize(
    ("stem", "npv_tol", "irr_tol"),
    [
        # Los Andes Copper, Vizcachitas PFS 2023, Tables 22.7-22.8: annual table -> 1 %.
        ("vizcachitas-pfs-2023", 0.01, 0.01),
        # Faraday Copper, Copper Creek PEA 2023, Tables 22-1 and 22-3: annual table -> 1 %.
        ("copper-creek-pea-2023", 0.01, 0.01),
    ],
)
def test_published_study_npv_and_irr_within_tolerance(
    stem: str, npv_tol: float, irr_tol: float
) -> None:
    res = reproduce_study(EXAMPLES / f"{stem}.yaml")
    m = res.metrics
    assert res.spec.tolerance.basis == "annual_table"
    assert abs(float(m["npv_rel_diff"])) <= npv_tol  # type: ignore[arg-type]
    assert abs(float(m["irr_rel_diff"])) <= irr_tol  # type: ignore[arg-type]
    assert abs(float(m["npv_pre_tax_rel_diff"])) <= npv_tol  # type: ignore[arg-type]
    assert abs(float(m["irr_pre_tax_rel_diff"])) <= irr_tol  # type: ignore[arg-type]
    assert m["within_tolerance"] is True


def test_rebuilt_rows_match_the_published_after_tax_row() -> None:
    """Year by year, the rebuilt flow differs from the study's row by rounding only."""
    viz = reproduce_study(EXAMPLES / "vizcachitas-pfs-2023.yaml")
    # rows in USD rounded to 1,000; payable metal rounded to 10 t: < USD 0.2 M a year
    assert viz.metrics["max_abs_row_diff"] < 2e5  # type: ignore[operator]
    cc = reproduce_study(EXAMPLES / "copper-creek-pea-2023.yaml")
    # payable Cu rounded to 1 Mlb (= USD 3.8 M at 3.80 USD/lb): half of that at most
    assert cc.metrics["max_abs_row_diff"] < 1.9 + 0.6  # type: ignore[operator]
    tab = cc.table
    assert np.allclose(tab.after_tax_cf, tab.pre_tax_cf - tab.tax)


def test_hand_computed_toy_study(tmp_path: Path) -> None:
    """Two-year toy: every line by hand."""
    spec = """
kind: published-study
name: toy
study: {title: t, company: c, date: "2024", kind: PEA, url: u, tables: x}
sources: {s: {title: toy}}
money: {currency: USD, scale: 1}
periods: [0, 1, 2]
discount: {rate: 0.10, timing: end, source: s}
payable:
  - {commodity: copper, unit: t, source: s, values: [0, 10, 10], price: {value: 1000, unit: USD/t, source: s}}
royalties: [{name: nsr, rate: 0.05, source: s}]
rows:
  - {name: tc, stage: deduction, source: s, values: [0, 1000, 1000]}
  - {name: opex, stage: opex, source: s, values: [0, 2000, 2000]}
  - {name: capex, stage: capital, source: s, values: [10000, 0, 0]}
  - {name: tax, stage: tax, source: s, values: [0, 500, 500]}
published:
  after_tax_cash_flow: {name: cf, source: s, values: [-10000, 5050, 5050]}
  npv_after_tax: {value: -1000, source: s}
  irr_after_tax: {value: 0.05, source: s}
tolerance: {npv: 0.01, irr: 0.01, basis: annual_table, source: assumption}
"""
    p = tmp_path / "toy.yaml"
    p.write_text(spec)
    res = reproduce_study(p)
    # revenue 10,000; NSR 9,000; royalty 450; pre-tax 9,000 - 450 - 2,000 = 6,550; after 6,050
    assert res.table.after_tax_cf.tolist() == pytest.approx([-10000, 6050, 6050])
    npv_hand = -10000 / 1.1 + 6050 / 1.1**2 + 6050 / 1.1**3
    assert res.metrics["npv_after_tax"] == pytest.approx(npv_hand, rel=1e-12)
    # IRR: -10000 + 6050 v + 6050 v^2 = 0 -> v = (-6050 + sqrt(6050^2 + 4*6050*10000)) / (2*6050)
    v = (-6050 + (6050**2 + 4 * 6050 * 10000) ** 0.5) / (2 * 6050)
    assert res.metrics["irr_after_tax"] == pytest.approx(1 / v - 1, rel=1e-9)
    assert res.metrics["max_abs_row_diff"] == pytest.approx(1000)
    mid = spec.replace("timing: end", "timing: mid")
    p.write_text(mid)
    assert reproduce_study(p).metrics["npv_after_tax"] == pytest.approx(
        npv_hand * 1.1**0.5, rel=1e-12
    )


def test_unknown_source_and_wrong_length_are_refused(tmp_path: Path) -> None:
    text = (EXAMPLES / "copper-creek-pea-2023.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace('source: pea, note: "Section 22.4.1 p.351; Table 22-1"', "source: nowhere")
    )
    with pytest.raises(SpecError, match="nowhere"):
        load_study(bad)
    bad.write_text(text.replace("periods: [2024, ", "periods: ["))
    with pytest.raises(SpecError, match="periods"):
        load_study(bad)
