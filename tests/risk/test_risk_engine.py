"""Stage evaluation, Monte Carlo and rank stability on hand-built inputs (no store)."""

from __future__ import annotations

import numpy as np
import pytest

from critmin.risk.config import Governance, Param, Stage, Supply, param
from critmin.risk.engine import evaluate
from critmin.risk.uncertainty import combine_stages, rank_stability, simulate


def _gov() -> Governance:
    # mean WGI -1.0 (scaled 7), 1.5 (scaled 2), 0.0 (scaled 5); PV -1.5, 1.0, 0.0
    return Governance(
        ["AAA", "BBB", "DEU"],
        np.array([-1.0, 1.5, 0.0]),
        np.array([0.1, 0.1, 0.1]),
        np.array([-1.5, 1.0, 0.0]),
        np.array([0.2, 0.2, 0.2]),
        (2018, 2022),
    )


def _fixed(name: str, v: float) -> Param:
    return Param.of(name, v, v, v, "", "test", False)


def _stage(imports: bool = True, qual: str = "reported") -> Stage:
    gs = Supply(
        ["AAA", "BBB"],
        np.array([60.0, 40.0]),
        [qual, "reported"],
        ["r1", "r2"],
        0.0,
        50.0,
        "t",
        "test",
    )
    imp = (
        Supply(
            ["AAA", "BBB"],
            np.array([75.0, 25.0]),
            ["reported"] * 2,
            ["t1", "t2"],
            0.0,
            0.0,
            "USD",
            "test",
        )
        if imports
        else None
    )
    return Stage(
        commodity="x",
        stage="extraction",
        year=2024,
        measure="mine_production",
        product="",
        global_supply=gs,
        imports=imp,
        members=["DEU"],
        import_reliance=_fixed("import_reliance", 1.0),
        params={
            "eol_rir": _fixed("eol_rir", 0.0),
            "si_sr": _fixed("si_sr", 1.0),
            "economic_vulnerability": _fixed("economic_vulnerability", 0.5),
        },
    )


def test_point_values_by_hand() -> None:
    r = evaluate(_stage(), _gov())
    gs = 0.36 * 7 + 0.16 * 2  # 2.84
    src = 0.75**2 * 7 + 0.25**2 * 2  # 4.0625
    assert r["hhi_wgi_global"][0] == pytest.approx(gs)
    assert r["hhi_wgi_sourcing"][0] == pytest.approx(src)
    assert r["eu"][0] == pytest.approx(gs / 2 + src / 2)
    assert r["hhi"][0] == pytest.approx(5200.0)
    assert r["usgs"][0] == pytest.approx((0.284 * 1.0 * 0.5) ** (1 / 3))
    assert r["geopolrisk"][0] == pytest.approx(0.52 * (0.75 * 0.8 + 0.25 * 0.3))


def test_without_trade_sourcing_equals_global() -> None:
    r = evaluate(_stage(imports=False), _gov())
    assert r["hhi_wgi_sourcing"][0] == pytest.approx(r["hhi_wgi_global"][0])
    assert np.isnan(r["import_hhi"][0])


def test_user_trade_factor_raises_risk() -> None:
    base = evaluate(_stage(), _gov())["eu"][0]
    hi = evaluate(_stage(), _gov(), user_trade_factors={"AAA": 1.3})["eu"][0]
    assert hi > base


def test_draws_are_seeded_and_withheld_bounded() -> None:
    stages = {"x": [_stage(qual="withheld")], "y": [_stage(imports=False)]}
    stages["x"][0].global_supply.quantity[0] = np.nan
    a = simulate(stages, _gov(), ["eu", "hhi"], 200, seed=3)
    b = simulate(stages, _gov(), ["eu", "hhi"], 200, seed=3)
    np.testing.assert_array_equal(a["eu"], b["eu"])
    # withheld AAA drawn in [0, 50] next to BBB's 40: HHI varies, point would be a monopoly of BBB
    hx = a["hhi"][0]
    assert hx.min() >= 10_000 * 0.5 and hx.max() <= 10_000  # two producers: HHI >= 5,000
    assert hx.std() > 0


def test_param_defaults_flagged_and_override() -> None:
    p = param("eol_rir", "tin")
    assert p.default and p.low <= p.value <= p.high
    u = param("eol_rir", "tin", {"eol_rir": {"tin": 0.3}})
    assert not u.default and u.value == 0.3


def test_rank_stability() -> None:
    v = np.array([[3.0, 3.0, 1.0], [2.0, 2.0, 2.0], [np.nan] * 3])
    r = rank_stability(v, top=1)
    np.testing.assert_allclose(r["p_top"][:2], [2 / 3, 1 / 3])
    assert np.isnan(r["p_top"][2])
    vals, idx = combine_stages([np.array([1.0, np.nan]), np.array([0.5, 2.0])], "eu")
    np.testing.assert_allclose(vals, [1.0, 2.0])
    assert list(idx) == [0, 1]
