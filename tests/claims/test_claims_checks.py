import math

import pytest

from critmin.claims.checks import compare, grade_tonnage, growth, hit_rate, implied_price


def test_compare_ops() -> None:
    assert compare(10, 10, "eq") == "supported"
    assert compare(10.5, 10, "eq", 0.1) == "supported"
    assert compare(12, 10, "eq", 0.1) == "contradicted"
    assert compare(12, 10, "ge") == "supported"
    assert compare(8, 10, "ge") == "contradicted"
    assert compare(0.97, 0.98, "eq", 0.02, relative=False) == "supported"
    assert compare(math.nan, 1, "eq") == "not_checkable"
    with pytest.raises(ValueError):
        compare(1, 1, "approx")


def test_grade_tonnage_story() -> None:
    r = grade_tonnage(250_000, 1_000_000, 6.7)
    assert r.verdict == "contradicted"
    assert r.computed == pytest.approx(25.0)
    assert r.figures["max_metal_t"] == pytest.approx(67_000)


def test_hit_rate() -> None:
    assert hit_rate(42, 51).verdict == "not_checkable"
    assert hit_rate(52, 51).verdict == "contradicted"
    assert hit_rate(42, 51, claimed=0.82).verdict == "supported"


def test_implied_price_and_growth() -> None:
    r = implied_price(20e6, 15_000, claimed=1333.3)
    assert r.verdict == "supported"
    g = growth(1.9, 2.2, years=8)
    assert g.computed == pytest.approx(2.2 / 1.9)
    assert g.figures["cagr"] == pytest.approx((2.2 / 1.9) ** (1 / 8) - 1)
    assert growth(100, 200, claimed_ratio=2.0).verdict == "supported"
