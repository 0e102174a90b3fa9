"""Pure index formulas: hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import ValidationError
from critmin.risk import methods as m


def test_wgi_scaling() -> None:
    assert m.wgi_scaled(-1.0) == pytest.approx(7.0)
    assert m.wgi_scaled(2.5) == pytest.approx(0.0)
    np.testing.assert_allclose(m.wgi_scaled([-3.0, 3.0]), [10.0, 0.0])  # clipped
    assert m.wgi_unit(0.0) == pytest.approx(0.5)
    assert m.political_instability(-1.5) == pytest.approx(0.8)


def test_hhi_wgi_two_countries_by_hand() -> None:
    # 0.6^2 x 7 + 0.4^2 x 2 = 2.52 + 0.32
    assert m.hhi_wgi([0.6, 0.4], [7.0, 2.0]) == pytest.approx(2.84)
    # trade factor 0.8 on the second (an EU member)
    assert m.hhi_wgi([0.6, 0.4], [7.0, 2.0], [1.0, 0.8]) == pytest.approx(2.52 + 0.256)


def test_eu_supply_risk_by_hand() -> None:
    sr = m.eu_supply_risk(5.0, 2.0, 0.6, eol_rir=0.1, si_sr=0.9)
    assert sr == pytest.approx((5 * 0.3 + 2 * 0.7) * 0.9 * 0.9)  # 2.349
    # IR = 1: half global, half sourcing
    assert m.eu_supply_risk(4.0, 2.0, 1.0) == pytest.approx(3.0)


def test_eu_2023_keeps_higher_stage() -> None:
    np.testing.assert_allclose(
        m.eu_supply_risk_2023([1.0, np.nan, 2.0], [3.0, 0.5, np.nan]), [3.0, 0.5, 2.0]
    )


def test_usgs_by_hand() -> None:
    dp = m.usgs_disruption_potential([0.5, 0.5], [0.8, 0.4])
    assert dp == pytest.approx(0.25 * 0.8 + 0.25 * 0.4)
    assert m.usgs_supply_risk(0.8, 0.5, 0.5) == pytest.approx(0.2 ** (1 / 3))


def test_geopolrisk_by_hand() -> None:
    h = m.hhi([0.6, 0.4], scale=1.0)
    assert h == pytest.approx(0.52)
    g = m.geopolrisk(h, [0.5, 0.5], [0.8, 0.2], 0.9)
    assert g == pytest.approx(0.52 * 0.9 * 0.5)


def test_sourcing_shares_split_and_no_domestic() -> None:
    dom, imp = m.sourcing_shares([0.5, 0.5], [1.0], 0.6)
    np.testing.assert_allclose(dom, [0.2, 0.2])
    np.testing.assert_allclose(imp, [0.6])
    dom, imp = m.sourcing_shares([0.0], [0.3, 0.7], 0.2)  # no domestic output: all imported
    np.testing.assert_allclose(imp, [0.3, 0.7])


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (lambda: m.hhi([0.8, 0.7]), "sum"),
        (lambda: m.hhi_wgi([0.5], [11.0]), "0-10"),
        (lambda: m.eu_supply_risk(1.0, 1.0, 1.5), "import_reliance"),
        (lambda: m.hhi([np.nan]), "NaN"),
    ],
)
def test_invalid_inputs(call: object, msg: str) -> None:
    with pytest.raises(ValidationError, match=msg):
        call()  # type: ignore[operator]


shares_st = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8).filter(lambda x: sum(x) > 0)


@settings(max_examples=150, deadline=None)
@given(raw=shares_st, data=st.data())
def test_properties_bounds_and_monopoly_max(raw: list[float], data: st.DataObject) -> None:
    s = np.asarray(raw) / sum(raw)
    est = np.asarray(data.draw(st.lists(st.floats(-2.5, 2.5), min_size=len(s), max_size=len(s))))
    ir = data.draw(st.floats(0.0, 1.0))
    w = m.wgi_scaled(est)
    gs = m.hhi_wgi(s, w)
    sr = m.eu_supply_risk(gs, gs, ir)
    assert 0.0 <= sr <= 10.0 + 1e-9
    usgs = m.usgs_supply_risk(m.usgs_disruption_potential(s, w / 10), ir, 1.0)
    assert 0.0 <= usgs <= 1.0 + 1e-12
    pi = m.political_instability(est)
    gpr = m.geopolrisk(m.hhi(s, 1.0), s, pi, ir)
    assert 0.0 <= gpr <= 1.0 + 1e-12
    # a monopoly of the worst-governed producer is the maximum for given governance
    worst = np.zeros_like(s)
    worst[np.argmax(w)] = 1.0
    assert gs <= m.hhi_wgi(worst, w) + 1e-12
    assert (
        m.usgs_disruption_potential(s, w / 10) <= m.usgs_disruption_potential(worst, w / 10) + 1e-12
    )
    wp = np.zeros_like(s)
    wp[np.argmax(pi)] = 1.0
    assert gpr <= m.geopolrisk(1.0, wp, pi, ir) + 1e-12


def test_global_maxima() -> None:
    worst = m.wgi_scaled(-2.5)
    assert m.eu_supply_risk(m.hhi_wgi([1.0], [worst]), m.hhi_wgi([1.0], [worst]), 1.0) == 10.0
    assert m.usgs_supply_risk(m.usgs_disruption_potential([1.0], [1.0]), 1.0, 1.0) == 1.0
    assert m.geopolrisk(1.0, [1.0], m.political_instability([-2.5]), 1.0) == 1.0
