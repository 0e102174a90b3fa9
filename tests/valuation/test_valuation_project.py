"""Project cash flows, break-even, tornado, Monte Carlo and deposit bridge on toy specs."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from critmin.errors import ValidationError
from critmin.report.sections import valuation_section
from critmin.valuation import value, value_deposit, value_project
from critmin.valuation.deposit import DepositResult
from critmin.valuation.project import ValuationResult, build_model, cash_flow_matrix
from critmin.valuation.spec import ProjectSpec, parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"

TOY: dict[str, Any] = {
    "kind": "project",
    "name": "toy",
    "commodity": "tin",
    "base_year": 2025,
    "production": {"start_year": 2026, "life_years": 3, "capacity_tpa": 10},
    "capex": {"initial": {2025: 1000.0}},
    "costs": {"per_t_product": 20.0},
    "discount": {"rate": 0.1},
    "price": {"deck": {"kind": "flat", "price": 100.0}},
    "monte_carlo": {"draws": 0},
}
A = 1 / 1.1 + 1 / 1.21 + 1 / 1.331  # annuity factor, 3 years at 10 %


def _toy(**changes: Any) -> ProjectSpec:
    d = copy.deepcopy(TOY)
    for dotted, v in changes.items():
        cur = d
        parts = dotted.split("__")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    spec = parse_spec(d)
    assert isinstance(spec, ProjectSpec)
    return spec


def test_toy_npv_irr_payback_by_hand() -> None:
    r = value_project(_toy())
    cf = r.cash_flows["net_cash_flow_usd"].tolist()
    assert cf == pytest.approx([-1000, 800, 800, 800, 0])
    assert r.metrics["npv_usd"] == pytest.approx(-1000 + 800 * A)
    assert r.metrics["payback_years"] == pytest.approx(1 + 200 / 800)
    assert r.metrics["irr_status"] == "unique"
    assert -1000 + sum(800 / (1 + r.metrics["irr"]) ** t for t in (1, 2, 3)) == pytest.approx(
        0, abs=1e-6
    )
    # break-even: -1000 + (1000 f - 200) A = 0
    f = (1000 / A + 200) / 1000
    assert r.metrics["breakeven_price_factor"] == pytest.approx(f)
    assert r.metrics["breakeven_price"] == pytest.approx(100 * f)
    assert r.mc_npv is None
    assert list(r.summary.columns) == ["metric", "value", "unit"]


def test_income_tax_with_depreciation_and_loss_carry_forward() -> None:
    spec = _toy(
        fiscal={"income_tax_rate": 0.25, "depreciation_years": 3}, production__ramp_up=[0.1]
    )
    t = value_project(spec).cash_flows.set_index("year")
    dep = 1000 / 3
    assert t.loc[2026, "depreciation_usd"] == pytest.approx(dep)
    assert t.loc[2026, "taxable_income_usd"] == pytest.approx(80 - dep)
    assert t.loc[2026, "income_tax_usd"] == 0
    # the 2026 loss is carried into 2027
    assert t.loc[2027, "income_tax_usd"] == pytest.approx(0.25 * (800 - dep - (dep - 80)))
    assert t.loc[2028, "income_tax_usd"] == pytest.approx(0.25 * (800 - dep))
    no_cf = value_project(
        _toy(
            fiscal={"income_tax_rate": 0.25, "depreciation_years": 3, "loss_carry_forward": False},
            production__ramp_up=[0.1],
        )
    )
    assert no_cf.cash_flows.set_index("year").loc[2027, "income_tax_usd"] == pytest.approx(
        0.25 * (800 - dep)
    )


def test_royalty_working_capital_closure_and_sustaining() -> None:
    spec = _toy(
        fiscal={"royalty_rate": 0.05, "working_capital": 0.1},
        capex={"initial": {2025: 1000.0}, "closure_cost": 50.0, "sustaining_per_year": 10.0},
    )
    t = value_project(spec).cash_flows.set_index("year")
    assert t.loc[2026, "royalty_usd"] == pytest.approx(50.0)
    assert t["working_capital_change_usd"].tolist() == pytest.approx([0, 100, 0, 0, -100])
    assert t.loc[2029, "closure_usd"] == 50.0
    assert t.loc[2029, "net_cash_flow_usd"] == pytest.approx(100 - 50)
    assert t.loc[2027, "net_cash_flow_usd"] == pytest.approx(1000 - 50 - 200 - 10)


def test_nominal_equals_real_without_tax() -> None:
    real = value_project(_toy())
    nominal = value_project(
        _toy(discount={"rate": 1.1 * 1.03 - 1, "basis": "nominal", "inflation": 0.03})
    )
    assert nominal.metrics["npv_usd"] == pytest.approx(real.metrics["npv_usd"], rel=1e-12)
    assert nominal.cash_flows.loc[1, "revenue_usd"] == pytest.approx(1000 * 1.03)


def test_nominal_depreciation_is_not_escalated() -> None:
    kw = {"fiscal": {"income_tax_rate": 0.3, "depreciation_years": 3}}
    real = value_project(_toy(**kw))
    nominal = value_project(
        _toy(discount={"rate": 1.1 * 1.05 - 1, "basis": "nominal", "inflation": 0.05}, **kw)
    )
    # the tax shield loses real value under inflation
    assert nominal.metrics["npv_usd"] < real.metrics["npv_usd"]


def test_ore_basis_and_by_products() -> None:
    spec = _toy(
        production={
            "basis": "ore",
            "start_year": 2026,
            "life_years": 3,
            "ore_tpa": 1000,
            "grade": 0.01,
            "recovery": 0.5,
            "payability": 0.8,
        },
        costs={"per_t_ore": 1.0, "per_t_product": 20.0},
        by_products=[
            {
                "commodity": "copper",
                "grade": 0.002,
                "recovery": 0.5,
                "payability": 1.0,
                "price": 10.0,
                "unit": "USD/kg",
            }
        ],
    )
    t = value_project(spec).cash_flows.set_index("year")
    assert t.loc[2026, "output_t"] == pytest.approx(5.0)
    assert t.loc[2026, "payable_t"] == pytest.approx(4.0)
    assert t.loc[2026, "revenue_usd"] == pytest.approx(400.0)
    assert t.loc[2026, "by_product_revenue_usd"] == pytest.approx(1000 * 0.002 * 0.5 * 10_000)
    assert t.loc[2026, "opex_usd"] == pytest.approx(1000 * 1.0 + 5 * 20.0)


def test_tornado_directions() -> None:
    r = value_project(_toy())
    t = r.tornado.set_index("variable")
    assert t.loc["price", "npv_high_usd"] > r.metrics["npv_usd"] > t.loc["price", "npv_low_usd"]
    assert t.loc["capex", "npv_high_usd"] == pytest.approx(r.metrics["npv_usd"] - 200)
    assert t.loc["discount_rate", "npv_high_usd"] < t.loc["discount_rate", "npv_low_usd"]
    assert t["range_usd"].is_monotonic_decreasing


def _with_model(**model: Any) -> ProjectSpec:
    return _toy(price__model=model)


def test_monte_carlo_sigma_zero_reproduces_deck() -> None:
    spec = _with_model(level="deck", start="deck", params={"kappa": 0.5, "sigma": 0.0})
    r = value_project(spec, draws=100, seed=1)
    assert r.mc_npv is not None
    assert r.mc_npv == pytest.approx(np.full(100, r.metrics["npv_usd"]))
    assert r.metrics["p_npv_negative"] == 0.0


def test_monte_carlo_probability_of_loss() -> None:
    spec = _with_model(level="deck", start="deck", params={"kappa": 0.3, "sigma": 0.6})
    r1 = value_project(spec, draws=5000, seed=3)
    r2 = value_project(spec, draws=5000, seed=3)
    assert np.array_equal(r1.mc_npv, r2.mc_npv)  # type: ignore[arg-type]
    assert 0.0 < r1.metrics["p_npv_negative"] < 0.5
    assert r1.metrics["p_npv_negative"] == pytest.approx(np.mean(r1.mc_npv < 0))  # type: ignore[operator]
    assert r1.price_fan is not None and list(r1.price_fan["year"]) == [2026, 2027, 2028]
    # NPV is linear in price without tax: the mean NPV follows the mean price
    m = build_model(spec)
    assert cash_flow_matrix(m)["net_cash_flow"].shape == (1, m.n)


def test_monte_carlo_with_fitted_history(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    years = np.arange(1970, 2025)
    x = np.empty(years.size)
    x[0] = math.log(100)
    for k in range(1, years.size):
        x[k] = x[k - 1] + 0.4 * (math.log(100) - x[k - 1]) + 0.2 * rng.standard_normal()
    (tmp_path / "h.csv").write_text(
        "period,price\n"
        + "".join(f"{y},{math.exp(v):.4f}\n" for y, v in zip(years, x, strict=True))
    )
    d = copy.deepcopy(TOY)
    d["price"]["model"] = {
        "history": {"kind": "csv", "path": "h.csv", "unit": "USD/t", "start": 1970, "end": 2024}
    }
    f = tmp_path / "p.yaml"
    import yaml

    f.write_text(yaml.safe_dump(d))
    r = value_project(f, draws=2000, seed=1)
    assert r.price_fit is not None and r.price_fit.model == "ou"
    assert r.price_fit.long_run_price == pytest.approx(100, rel=0.2)
    assert r.fit_table is not None
    assert r.metrics["mc_draws"] == 2000
    # the deck (100) is near the long-run price: median NPV near the deck NPV
    assert r.metrics["mc_npv_p50_usd"] == pytest.approx(r.metrics["npv_usd"], rel=0.5)
    # the model deck: the median path of the fit
    d["price"]["deck"] = {"kind": "model"}
    f.write_text(yaml.safe_dump(d))
    r2 = value_project(f, draws=0)
    assert "median path" in r2.metrics["price_deck"]


def test_series_and_csv_decks(tmp_path: Path) -> None:
    r = value_project(_toy(price__deck={"kind": "series", "prices": {2026: 100.0, 2027: 200.0}}))
    assert r.cash_flows.set_index("year").loc[2028, "price_usd_per_t"] == 200.0
    assert "held at the 2027 price" in r.metrics["price_deck"]
    (tmp_path / "deck.csv").write_text("period,price\n2026,1\n2027,2\n2028,3\n")
    d = copy.deepcopy(TOY)
    d["price"] = {"unit": "USD/kg", "deck": {"kind": "csv", "path": str(tmp_path / "deck.csv")}}
    spec = parse_spec(d)
    r2 = value_project(spec)  # type: ignore[arg-type]
    assert r2.cash_flows.set_index("year").loc[2028, "revenue_usd"] == pytest.approx(10 * 3000)
    assert r2.cash_flows.set_index("year").loc[2028, "price_usd_per_kg"] == pytest.approx(3)


def test_no_irr_and_never_payback_reported() -> None:
    r = value_project(_toy(price__deck={"kind": "flat", "price": 10.0}))
    assert r.metrics["irr_status"] == "none"
    assert r.metrics["payback_years"] is None
    assert any("no IRR" in n for n in r.notes)


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError):
        value_project(_toy(), draws=-1)
    with pytest.raises(ValidationError):
        value_project(_toy(), swing=1.5)


DEPOSIT: dict[str, Any] = {
    "kind": "deposit",
    "name": "toy deposit",
    "base_year": 2025,
    "deposit": {
        "ore_t": 1_000_000,
        "mining_processing_cost_per_t_ore": 10.0,
        "commodities": [
            {
                "commodity": "tin",
                "contained_t": 1000,
                "price": 30_000,
                "recovery": 0.7,
                "payability": 0.9,
                "selling_cost_per_t": 1000,
            },
            {"commodity": "copper", "grade": 0.001, "price": 10.0, "unit": "USD/kg"},
        ],
    },
}


def test_deposit_bridge_by_hand() -> None:
    res = value_deposit(parse_spec(DEPOSIT))  # type: ignore[arg-type]
    assert res.in_situ_value_usd == pytest.approx(1000 * 30_000 + 1000 * 10_000)
    tin_net = 1000 * 0.7 * 0.9 * (30_000 - 1000)
    assert res.recoverable_value_usd == pytest.approx(tin_net + 1000 * 10_000 - 10_000_000)
    tin = res.bridge[res.bridge["commodity"] == "tin"]["value_usd"].to_numpy()
    # each deduction line is the difference of the totals
    assert tin[0] + tin[1] + tin[2] + tin[3] == pytest.approx(tin[4])
    assert "NOT a valuation" in res.label
    assert set(res.to_dict()) >= {"in_situ_value_usd", "recoverable_value_usd", "bridge"}


def test_value_dispatches_and_project_rejects_deposit() -> None:
    assert isinstance(value(parse_spec(DEPOSIT)), DepositResult)
    with pytest.raises(ValidationError, match="value_deposit"):
        value_project(parse_spec(DEPOSIT))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["erg-gallium-pavlodar.yaml", "syrymbet-tin.yaml"])
def test_examples_run(name: str) -> None:
    r = value_project(EXAMPLES / name, draws=500, seed=1)
    assert isinstance(r, ValuationResult)
    assert math.isfinite(r.metrics["npv_usd"])
    assert r.metrics["n_assumptions"] > 5
    a = r.assumptions
    assert a["assumption"].any() and (~a["assumption"]).any()
    assert (a.loc[~a["assumption"], "source_title"] != "").all()
    assert 0.0 <= r.metrics["p_npv_negative"] <= 1.0


def test_syrymbet_deposit_block_and_brief_section() -> None:
    r = value_project(EXAMPLES / "syrymbet-tin.yaml", draws=0)
    assert r.deposit is not None
    top = r.deposit[r.deposit["commodity"] == "tin"].iloc[0]
    assert top["tonnes"] == 286_000 and top["value_usd"] == pytest.approx(286_000 * 53_562.79)
    assert r.metrics["share_of_reserves_mined"] == pytest.approx(0.96, abs=0.01)
    b = valuation_section(EXAMPLES / "syrymbet-tin.yaml", draws=200, seed=1)
    assert "DCF at" in b.label
    assert {"cash_flow", "tornado", "npv_distribution", "deposit_bridge"} <= set(b.figures)
    assert {"name", "value", "unit", "source"} <= set(b.tables["assumptions"].columns)
