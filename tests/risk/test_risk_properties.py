"""Property tests named in the risk issue: concentration never lowers HHI-based indices;
shares from trade and from production agree on a toy world where both are given."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.risk import methods as m

shares_st = st.lists(st.floats(0.01, 1.0), min_size=2, max_size=8)


def _concentrate(s: np.ndarray, frac: float) -> np.ndarray:
    """Move ``frac`` of the smallest producer's share to the largest one."""
    out = s.copy()
    i, j = int(np.argmax(out)), int(np.argmin(out))
    if i == j:
        return out
    d = frac * out[j]
    out[i] += d
    out[j] -= d
    return out


@settings(max_examples=120, deadline=None)
@given(raw=shares_st, frac=st.floats(0.0, 1.0), wgi=st.floats(-2.5, 2.5), ir=st.floats(0.0, 1.0))
def test_more_concentration_never_lowers_hhi_indices(
    raw: list[float], frac: float, wgi: float, ir: float
) -> None:
    s = np.asarray(raw) / sum(raw)
    c = _concentrate(s, frac)
    tol = 1e-9
    assert m.hhi(c) >= m.hhi(s) - tol
    w = m.wgi_scaled(np.full(len(s), wgi))  # same governance everywhere: only concentration differs
    assert m.hhi_wgi(c, w) >= m.hhi_wgi(s, w) - tol
    sr_s = m.eu_supply_risk(m.hhi_wgi(s, w), m.hhi_wgi(s, w), ir)
    sr_c = m.eu_supply_risk(m.hhi_wgi(c, w), m.hhi_wgi(c, w), ir)
    assert sr_c >= sr_s - tol
    pi = m.political_instability(np.full(len(s), wgi))
    assert m.geopolrisk(m.hhi(c, 1.0), s, pi, ir) >= m.geopolrisk(m.hhi(s, 1.0), s, pi, ir) - tol


@settings(max_examples=80, deadline=None)
@given(
    prod=st.lists(st.floats(1.0, 1e6), min_size=2, max_size=8),
    k=st.floats(0.01, 1.0),
    est=st.lists(st.floats(-2.5, 2.5), min_size=8, max_size=8),
)
def test_trade_and_production_shares_agree_in_a_toy_world(
    prod: list[float], k: float, est: list[float]
) -> None:
    """An importer with no production that buys the same fraction k of every producer's output."""
    q = np.asarray(prod)
    production_shares = q / q.sum()
    flows = k * q  # the importer's imports from each producer [USD or t]
    import_shares = flows / flows.sum()
    np.testing.assert_allclose(import_shares, production_shares, rtol=1e-12)
    dom, imp = m.sourcing_shares(
        np.zeros_like(q), import_shares, 0.3
    )  # IR ignored: no domestic output
    np.testing.assert_allclose(dom, 0.0)
    np.testing.assert_allclose(imp, production_shares, rtol=1e-12)
    w = m.wgi_scaled(np.asarray(est[: len(q)]))
    np.testing.assert_allclose(m.hhi_wgi(imp, w), m.hhi_wgi(production_shares, w), rtol=1e-12)
