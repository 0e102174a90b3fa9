"""NPV, IRR and payback against hand calculations and numpy-financial."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import ValidationError
from critmin.valuation.cashflow import irr, npv, payback, sign_changes, solve_breakeven


def test_npv_by_hand() -> None:
    # -100 + 60/1.1 + 60/1.21 = 4.1322...
    assert npv(0.1, [-100, 60, 60]) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, rel=1e-12)
    assert npv(0.1, [-100, 60, 60]) == pytest.approx(4.132231404958677)


def test_npv_zero_rate_is_sum() -> None:
    assert npv(0.0, [-100, 30, 30, 50]) == pytest.approx(10.0)


def test_npv_vectorised_over_paths() -> None:
    cf = np.array([[-100, 60, 60], [-100, 50, 70]], dtype=float)
    out = npv(0.1, cf)
    assert isinstance(out, np.ndarray)
    assert out == pytest.approx([npv(0.1, cf[0]), npv(0.1, cf[1])])


@pytest.mark.parametrize("rate", [-1.0, -2.0, math.nan, math.inf])
def test_npv_rejects_bad_rate(rate: float) -> None:
    with pytest.raises(ValidationError):
        npv(rate, [-1, 2])


def test_npv_rejects_empty_and_nan() -> None:
    with pytest.raises(ValidationError):
        npv(0.1, [])
    with pytest.raises(ValidationError):
        npv(0.1, [1.0, math.nan])


def test_irr_by_hand() -> None:
    # -100 + 110/(1+r) = 0 -> r = 10 %
    res = irr([-100, 110])
    assert res.status == "unique"
    assert res.value == pytest.approx(0.10, abs=1e-12)
    # -100 + 60/(1+r) + 60/(1+r)^2 = 0 -> v = (-60 + sqrt(60^2 + 4*60*100)) / 120
    v = (-60 + math.sqrt(3600 + 24000)) / 120
    assert irr([-100, 60, 60]).value == pytest.approx(1 / v - 1, abs=1e-12)


def test_irr_zero_rate_root() -> None:
    # flows summing to zero: IRR exactly 0
    res = irr([-100, 50, 50])
    assert res.status == "unique"
    assert res.value == pytest.approx(0.0, abs=1e-12)


def test_irr_all_negative_none() -> None:
    res = irr([-100, -10, -5])
    assert res.status == "none" and res.value is None and res.roots == ()
    assert "negative" in res.message


def test_irr_all_positive_and_zero_none() -> None:
    assert irr([10, 10]).status == "none"
    assert irr([0, 0, 0]).status == "none"


def test_irr_no_real_root_despite_sign_changes() -> None:
    # NPV(v) = 1 - 2v + 2v^2 > 0 for all v: two sign changes, no IRR
    res = irr([1, -2, 2])
    assert res.sign_changes == 2
    assert res.status == "none"


def test_irr_multiple_roots() -> None:
    # -100 + 230/(1+r) - 132/(1+r)^2 = 0 has roots r = 10 % and 20 %
    res = irr([-100, 230, -132])
    assert res.status == "multiple"
    assert res.value is None
    assert res.roots == pytest.approx((0.10, 0.20), abs=1e-10)
    assert "2 IRRs" in res.message


def test_economic_irr_takes_the_only_nonnegative_root() -> None:
    """Capex, income, then a closure cost: roots at r and a negative one; the study's IRR
    is the non-negative root, named with the other; two non-negative roots give None."""
    from critmin.valuation.cashflow import economic_irr

    cf = [-100.0, 60.0, 60.0, -15.0]
    res = irr(cf)
    assert res.status == "multiple" and len(res.roots) == 2
    value, status, note = economic_irr(res)
    assert status == "unique_nonnegative" and value == max(res.roots) and value > 0
    assert abs(float(npv(value, cf))) < 1e-9 and "only non-negative root" in note
    assert economic_irr(irr([-100, 230, -132]))[0] is None  # 10 % and 20 %: no choice
    assert economic_irr(irr([-100, 110]))[:2] == (pytest.approx(0.10), "unique")


def test_irr_leading_and_trailing_zeros() -> None:
    assert irr([0, 0, -100, 110, 0]).value == pytest.approx(0.10, abs=1e-12)


def test_sign_changes_ignores_zeros() -> None:
    assert sign_changes([-1, 0, 0, 2, -3, 0]) == 2


def test_payback_simple_by_hand() -> None:
    # cumulative -100, -50, 0 -> exactly 2 years
    assert payback([-100, 50, 50, 50]) == pytest.approx(2.0)
    # cumulative -100, -60, -20, 20 -> 2 + 20/40 = 2.5
    assert payback([-100, 40, 40, 40]) == pytest.approx(2.5)


def test_payback_discounted_by_hand() -> None:
    cf = [-100, 60, 60]
    d1, d2 = 60 / 1.1, 60 / 1.21
    assert payback(cf, 0.1) == pytest.approx(1 + (100 - d1) / d2)


def test_payback_never_and_immediate() -> None:
    assert payback([-100, 10, 10]) is None
    assert payback([-100, -10]) is None
    assert payback([5, 10]) == 0.0
    # discounted payback may never come when the simple one does
    assert payback([-100, 60, 45], 0.1) is None
    assert payback([-100, 60, 45]) is not None


def test_payback_zero_rate_equals_simple() -> None:
    cf = [-100, 30, 30, 30, 30]
    assert payback(cf, 0.0) == pytest.approx(payback(cf))


def test_solve_breakeven() -> None:
    root = solve_breakeven(lambda x: x * x - 2.0, 0.0, 1.0)
    assert root == pytest.approx(math.sqrt(2))
    assert solve_breakeven(lambda x: -1.0 - x, 0.0, 1.0, max_expand=5) is None


# cash flows in whole dollars: realistic magnitudes, no subnormal noise
money = st.integers(-1_000_000, 1_000_000).map(float)
inflow = st.integers(0, 1_000_000).map(float)
flows = st.lists(money, min_size=2, max_size=25)


@settings(max_examples=100, deadline=None)
@given(flows, st.floats(-0.5, 1.0))
def test_npv_matches_numpy_financial(cf: list[float], rate: float) -> None:
    assert npv(rate, cf) == pytest.approx(npf.npv(rate, cf), rel=1e-9, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 1_000_000).map(float),
    st.lists(inflow, min_size=1, max_size=25).filter(lambda x: sum(x) > 0),
)
def test_conventional_irr_matches_numpy_financial(invest: float, inflows: list[float]) -> None:
    cf = [-invest, *inflows]
    res = irr(cf)
    ref = npf.irr(cf)
    assert res.status == "unique"
    assert res.sign_changes == 1
    assert res.value is not None
    if not math.isnan(ref):
        assert res.value == pytest.approx(ref, rel=1e-6, abs=1e-8)
    # the root zeroes the NPV
    assert abs(npv(res.value, cf)) <= 1e-7 * sum(abs(x) for x in cf)


@settings(max_examples=100, deadline=None)
@given(st.lists(money, min_size=2, max_size=15))
def test_all_roots_are_roots_and_descartes_holds(cf: list[float]) -> None:
    res = irr(cf)
    assert len(res.roots) <= res.sign_changes
    scale = sum(abs(x) for x in cf)
    for r in res.roots:
        assert r > -1
        assert abs(npv(r, cf)) <= 1e-8 * scale
    ref = npf.irr(cf)
    if not math.isnan(ref) and abs(npf.npv(ref, cf)) <= 1e-10 * scale and ref > -0.99:
        # numpy-financial's root, when it is a clean one, is among ours
        assert any(abs(ref - r) <= 1e-6 * max(1, abs(r)) for r in res.roots)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 100_000).map(float),
    st.lists(st.integers(1, 100_000).map(float), min_size=1, max_size=20),
)
def test_payback_interpolates_to_zero(invest: float, inflows: list[float]) -> None:
    cf = np.array([-invest, *inflows])
    pb = payback(cf)
    cum = np.cumsum(cf)
    if cum[-1] < 0:
        assert pb is None
    else:
        assert pb is not None
        k = math.ceil(pb) if pb > 0 else 0
        # cumulative flow at the interpolated time is zero
        assert cum[k - 1] + (pb - (k - 1)) * cf[k] == pytest.approx(0.0, abs=1e-6 * invest)
