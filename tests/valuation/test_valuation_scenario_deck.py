"""Price decks taken directly from a scenario run (issue 18, item 2): no CSV hop."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

import critmin.scenarios
from critmin.errors import ValidationError
from critmin.valuation.deck import price_deck
from critmin.valuation.scenario_deck import scenario_price_series, series_deck
from critmin.valuation.spec import ProjectSpec, parse_spec

REPO = Path(__file__).resolve().parents[2]


def _fake_result() -> Any:
    periods = ["2026-11", "2026-12"] + [f"2027-{m:02d}" for m in range(1, 13)] + ["2028-01"]
    n = len(periods)
    row = pd.DataFrame(
        {
            "period": periods,
            "market": "ROW",
            "price": np.arange(n, dtype=float) + 100.0,  # USD/kg
            "p5": np.nan,
            "p50": np.arange(n, dtype=float) + 90.0,
            "p95": np.nan,
            "unit": "USD/kg",
        }
    )
    chn = row.assign(market="CHN", price=50.0)
    return SimpleNamespace(
        price_bands=pd.concat([row, chn], ignore_index=True),
        spec=SimpleNamespace(name="toy controls"),
        draws=200,
    )


def test_annual_series_by_hand() -> None:
    s, label = scenario_price_series(_fake_result(), "ROW")
    # 2026: months 0, 1 -> mean 100.5 USD/kg; 2027: months 2..13 -> mean 107.5; 2028: 114
    assert s.to_dict() == pytest.approx({2026: 100_500.0, 2027: 107_500.0, 2028: 114_000.0})
    assert "2026 (2 months)" in label and "2028 (1 months)" in label
    p50, lab50 = scenario_price_series(_fake_result(), "ROW", "p50")
    assert p50[2027] == pytest.approx(97_500.0) and "p50 of 200 draws" in lab50
    with pytest.raises(ValidationError, match="markets: CHN, ROW"):
        scenario_price_series(_fake_result(), "EU")
    with pytest.raises(ValidationError, match="no 'p5'"):
        scenario_price_series(_fake_result(), "ROW", "p5")


BASE: dict[str, Any] = {
    "kind": "project",
    "name": "toy plant",
    "commodity": "gallium",
    "base_year": 2026,
    "production": {"basis": "product", "start_year": 2027, "life_years": 3, "capacity_tpa": 10.0},
    "capex": {"initial": {2026: 1e6}},
    "discount": {"rate": 0.1},
    "price": {
        "unit": "USD/t",
        "deck": {"kind": "scenario", "spec": "s.yaml", "market": "ROW", "source": "assumption"},
    },
}


def test_scenario_deck_runs_in_process_without_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, int, int]] = []

    def fake_run(path: Path, draws: int = 0, seed: int = 0, **_: Any) -> Any:
        calls.append((Path(path), draws, seed))
        return _fake_result()

    monkeypatch.setattr(critmin.scenarios, "run_scenario", fake_run)
    d = copy.deepcopy(BASE)
    spec = parse_spec(d, tmp_path / "p.yaml")
    assert isinstance(spec, ProjectSpec)
    years = np.array([2027, 2028, 2029])
    deck, label = price_deck(spec, years, None)
    # 2027 107,500; 2028 114,000; 2029 held at the 2028 price
    assert deck.tolist() == pytest.approx([107_500.0, 114_000.0, 114_000.0])
    assert calls == [(tmp_path / "s.yaml", 0, 0)]
    assert "scenario 'toy controls'" in label and "held at the 2028 price" in label
    assert not list(tmp_path.glob("*.csv"))
    # the same prices as a series deck built from the result in memory
    d2 = copy.deepcopy(BASE)
    d2["price"]["deck"] = series_deck(_fake_result(), "ROW")
    s2 = parse_spec(d2, tmp_path / "p.yaml")
    assert isinstance(s2, ProjectSpec)
    assert price_deck(s2, years, None)[0] == pytest.approx(deck)


def test_percentile_needs_draws() -> None:
    d = copy.deepcopy(BASE)
    d["price"]["deck"]["statistic"] = "p50"
    with pytest.raises(Exception, match="needs draws"):
        parse_spec(d)


@pytest.mark.reference
def test_real_scenario_run_as_deck(tmp_path: Path) -> None:
    scen = REPO / "examples" / "scenarios" / "antimony-2024-controls.yaml"
    d = copy.deepcopy(BASE)
    d["commodity"] = "antimony"
    d["base_year"] = 2024
    d["capex"] = {"initial": {2024: 1e6}}
    d["production"]["start_year"] = 2025
    d["price"]["deck"]["spec"] = str(scen)
    spec = parse_spec(d, tmp_path / "p.yaml")
    assert isinstance(spec, ProjectSpec)
    deck, label = price_deck(spec, np.array([2025, 2026, 2027]), None)
    res = critmin.scenarios.run_scenario(scen, draws=0, seed=0)
    b = res.price_bands[res.price_bands["market"] == "ROW"]
    hand = b[b["period"].str.startswith("2025")]["price"].mean()
    assert deck[0] == pytest.approx(hand * 1.0)  # the scenario's unit is USD/t
    assert "antimony" in label.lower() or "scenario" in label
