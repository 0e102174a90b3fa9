"""Mine plan from a resource (issue 18, item 4): cut-offs and schedules by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from critmin.errors import SpecError, ValidationError
from critmin.valuation.mineplan import (
    GradeTonnage,
    breakeven_cutoff,
    lane_cutoff,
    lane_plan,
    plan_at_cutoff,
    production_inputs,
    table_from_blocks,
)
from critmin.valuation.spec import ProjectSpec, parse_spec


def test_breakeven_cutoff_by_hand() -> None:
    # 20 / (10,000 x 0.8 x 0.9) = 0.0027778 = 0.27778 %
    assert breakeven_cutoff(20, 10_000, 0.8, 0.9) == pytest.approx(0.2777778, rel=1e-6)
    # gold: 30 USD/t / (60e6 USD/t x 0.9) = 5.556e-7 = 0.5556 g/t
    assert breakeven_cutoff(30, 60e6, 0.9, grade_unit="g/t") == pytest.approx(0.555556, rel=1e-5)
    # selling cost lowers the net price: 20 / ((10,000 - 2,000) x 1 x 1) = 0.25 %
    assert breakeven_cutoff(20, 10_000, 1.0, selling_cost_per_t=2_000) == pytest.approx(0.25)
    with pytest.raises(ValidationError):
        breakeven_cutoff(20, 10_000, 1.2)
    with pytest.raises(ValidationError):
        breakeven_cutoff(20, 10_000, 0.8, grade_unit="lb/t")


def test_block_model_distribution_by_hand() -> None:
    gt = table_from_blocks([0.1, 0.5, 0.5, 1.0, np.nan], [100, 200, 100, 50, 999])
    assert gt.at(0.5) == pytest.approx((350, 200 / 350))
    assert gt.at(1.0) == pytest.approx((50, 1.0))
    assert gt.at(0.1) == pytest.approx((450, 210 / 450))
    assert gt.total_t == 450


def test_table_interpolation_and_schedule() -> None:
    tab = pd.DataFrame({"cutoff": [0.0, 1.0], "tonnes": [1000.0, 200.0], "grade": [0.5, 1.5]})
    gt = GradeTonnage.from_table(tab)
    t, g = gt.at(0.5)  # tonnes 600, metal (500 + 300) / 2 = 400
    assert (t, g) == pytest.approx((600, 400 / 600))
    blocks = table_from_blocks([0.1, 0.5, 0.5, 1.0], [100, 200, 100, 50])
    plan = plan_at_cutoff(blocks, 0.5, ore_tpa=100, start_year=2030, ramp_up=[0.5])
    assert plan.schedule["ore_t"].tolist() == pytest.approx([50, 100, 100, 100])
    assert plan.schedule["year"].tolist() == [2030, 2031, 2032, 2033]
    assert plan.metal_t == pytest.approx(200 * 0.01)  # 200 %-t = 2 t of metal
    prod = production_inputs(plan)
    assert prod["life_years"]["value"] == 4  # type: ignore[index]
    assert prod["unscheduled_ore_t"] == pytest.approx(0)
    assert prod["grade"]["value"] == pytest.approx(200 / 350 / 100)  # type: ignore[index]
    part = production_inputs(
        plan_at_cutoff(blocks, 0.5, ore_tpa=120, start_year=2030, ramp_up=[0.5])
    )
    # 60, 120, 120, then 50 left: a partial year the project model cannot carry -> reported
    assert part["life_years"]["value"] == 3  # type: ignore[index]
    assert part["unscheduled_ore_t"] == pytest.approx(50)
    assert "interpolated" in plan_at_cutoff(gt, 0.5, 100, 2030).notes[0]


def _linear_gt() -> GradeTonnage:
    # ore share above c is 1 - c/2 (grade 0..2 %, 1000 t); metal above 0 is 1000 %-t
    tab = pd.DataFrame(
        {"cutoff": np.linspace(0, 2, 201), "tonnes": 1000 * (1 - np.linspace(0, 2, 201) / 2)}
    )
    # uniform grade on [0, 2]: mean above c = (c + 2) / 2
    tab["grade"] = (tab["cutoff"] + 2) / 2
    return GradeTonnage.from_table(tab)


def test_lane_limiting_cutoffs_by_hand() -> None:
    gt = _linear_gt()
    kw = dict(
        price_per_t=10_000,
        recovery=1.0,
        mining_cost_per_t=5,
        processing_cost_per_t=40,
        fixed_cost_per_year=0,
        mining_capacity_tpa=2_000,
        mill_capacity_tpa=1_000,
        discount_rate=0.1,
    )
    # a = 10,000 x 1 x 0.01 = 100 USD per %-t; g_m = 40/100 = 0.4; share 1 - c/2 = 0.5 -> g_mh = 1
    low = lane_cutoff(gt, remaining_value=1e5, **kw)  # type: ignore[arg-type]
    assert low["g_mine"] == pytest.approx(0.4)
    assert low["g_mill"] == pytest.approx((40 + 0.1 * 1e5 / 1000) / 100)  # 0.5
    assert low["g_balance"] == pytest.approx(1.0, abs=1e-6)
    assert low["cutoff"] == pytest.approx(0.5)  # median(0.4, 0.5, 1.0)
    high = lane_cutoff(gt, remaining_value=1e6, **kw)  # type: ignore[arg-type]
    assert high["g_mill"] == pytest.approx(1.4)
    assert high["cutoff"] == pytest.approx(1.0, abs=1e-6)  # median(0.4, 1.4, 1.0)


def test_lane_plan_beats_every_constant_cutoff() -> None:
    """Invariant: Lane's policy is at least as good as the best constant cut-off."""
    gt = GradeTonnage.from_table(
        pd.DataFrame(
            {
                "cutoff": np.linspace(0, 2, 201),
                "tonnes": 1e7 * (1 - np.linspace(0, 2, 201) / 2),
                "grade": (np.linspace(0, 2, 201) + 2) / 2,
            }
        )
    )
    kw = dict(
        price_per_t=8_000,
        recovery=0.9,
        mining_cost_per_t=2,
        processing_cost_per_t=15,
        fixed_cost_per_year=2e6,
        mining_capacity_tpa=2e6,
        mill_capacity_tpa=1e6,
        discount_rate=0.1,
    )
    lp = lane_plan(gt, **kw)  # type: ignore[arg-type]
    assert lp.converged
    p = lp.schedule["profit"].to_numpy()
    assert lp.npv == pytest.approx(float(np.sum(p / 1.1 ** np.arange(1, p.size + 1))))
    assert np.all(np.diff(lp.schedule["cutoff"].to_numpy()) <= 1e-9)  # cut-off falls with time

    def constant(c: float) -> float:
        left, t, v = gt.total_t, 0, 0.0
        ore_above, g = gt.at(c)
        x = ore_above / gt.total_t
        while left > 1e-6:
            q = min(2e6, 1e6 / x, left)
            prof = 8_000 * 0.9 * g * 0.01 * x * q - 15 * x * q - 2 * q - 2e6
            t += 1
            v += prof / 1.1**t
            left -= q
        return v

    best = max(constant(c) for c in np.linspace(0.2, 1.8, 81))
    assert lp.npv >= best * (1 - 1e-3)


def _project(resource: str, **mine_plan: Any) -> dict[str, Any]:
    mp: dict[str, Any] = {
        "resource": {"path": resource, "class": "measured+indicated", "source": "assumption"},
        "cutoff": "breakeven",
        "cutoff_cost_per_t_ore": {"value": 20.0, "source": "assumption"},
        "price": {"value": 10_000.0, "unit": "USD/t", "source": "assumption"},
        "ore_tpa": {"value": 100.0, "source": "assumption"},
        "start_year": {"value": 2030, "source": "assumption"},
    }
    mp.update(mine_plan)
    return {
        "kind": "project",
        "name": "toy mine from a resource",
        "commodity": "tin",
        "base_year": 2025,
        "production": {
            "basis": "ore",
            "recovery": 0.8,
            "payability": 1.0,
            "ramp_up": [0.5],
            "mine_plan": mp,
        },
        "capex": {"initial": {2029: 1_000.0}},
        "discount": {"rate": 0.1},
        "price": {"deck": {"kind": "flat", "price": 10_000.0}},
    }


def test_project_takes_a_deposit_resource_table(tmp_path: Path) -> None:
    """``production.mine_plan`` reads the resource.csv layout of ``critmin deposit estimate``."""
    rows = []
    for c, t, g in [(0.2, 500.0, 0.40), (0.3, 350.0, 0.50), (0.5, 100.0, 0.80)]:
        for cls, share in [("measured+indicated", 1.0), ("total", 2.0)]:
            rows.append(
                {"cutoff": c, "class": cls, "tonnes": t * share, "grade": g, "grade_unit": "%"}
            )
    f = tmp_path / "resource.csv"
    pd.DataFrame(rows).to_csv(f, index=False)
    spec = parse_spec(_project(str(f)), tmp_path / "p.yaml")
    assert isinstance(spec, ProjectSpec)
    pr = spec.production
    # break-even 20 / (10,000 x 0.8 x 1) = 0.25 %: halfway between rows 0.2 and 0.3 ->
    # tonnes (500 + 350) / 2 = 425, metal (200 + 175) / 2 = 187.5 %-t, grade 0.441 %
    assert pr.grade is not None and pr.grade.value == pytest.approx(187.5 / 425 / 100)
    assert pr.grade.source == "mine_plan"
    # schedule 50, 100, 100, 100, 75 -> 4 whole years, 75 t reported as unscheduled
    assert pr.life_years.value == 4 and pr.start_year.value == 2030
    assert pr.ore_tpa is not None and pr.ore_tpa.value == 100
    note = spec.sources["mine_plan"].note
    assert "0.25 %" in note and "75 t in a partial last year" in note and "interpolated" in note
    given = parse_spec(
        _project(str(f), cutoff={"value": 0.5, "source": "assumption"}), tmp_path / "p.yaml"
    )
    assert isinstance(given, ProjectSpec) and given.production.grade is not None
    assert given.production.grade.value == pytest.approx(0.008)
    with pytest.raises(SpecError, match="resource file not found"):
        parse_spec(_project(str(tmp_path / "none.csv")), tmp_path / "p.yaml")
