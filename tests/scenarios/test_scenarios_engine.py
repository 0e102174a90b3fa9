"""Engine: conservation, export caps, regimes, stocks, importer exposure, Monte Carlo seeds."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from critmin.data.countries import group_members
from critmin.scenarios import parse_scenario, run_scenario
from critmin.scenarios.engine import prepare

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "scenarios"
    / "gallium-export-restriction.yaml"
)


def _spec(**over: Any) -> Any:
    d: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    d = copy.deepcopy(d)
    d.update(over)
    return d


def _annual(shocks: list[dict[str, Any]], **params: Any) -> Any:
    d = _spec(start=2026, horizon=3, period="annual", shocks=shocks)
    d["baseline"]["exports"] = {"value": 60.0, "unit": "t/yr"}
    d["baseline"]["price_row"] = {"value": 585.0, "unit": "USD/kg"}
    p = d["parameters"]
    p["supply_elasticity"] = {"domestic": 0.5, "row": 0.5}
    p["demand_elasticity"] = {"domestic": -0.5, "row": -0.5}
    p["stocks"] = {}
    p["leakage"] = 0.0
    p.update(params)
    return parse_scenario(d, "test.yaml")


@pytest.fixture(scope="module")
def example_result() -> Any:
    return run_scenario(EXAMPLE, draws=400, seed=7)


def test_conservation_in_each_market(example_result: Any) -> None:
    m = example_result.markets
    supply = (
        m["production_t"]
        + m["new_capacity_t"]
        + m["restart_t"]
        + m["secondary_t"]
        + m["imports_t"]
        - m["exports_t"]
        + m["stock_draw_t"]
        + m["stock_release_t"]
    )
    np.testing.assert_allclose(supply, m["consumption_t"] + m["surplus_t"], rtol=1e-9, atol=1e-9)
    row = m[m["market"] == "ROW"]
    np.testing.assert_allclose(
        row["consumption_t"] + row["unmet_t"], row["reference_demand_t"], rtol=1e-9
    )
    # exports of the restricting country never exceed the allowed cap
    chn = m[m["market"] == "CHN"]
    capped = chn["export_cap_t"].notna()
    assert (chn.loc[capped, "exports_t"] <= chn.loc[capped, "export_cap_t"] * (1 + 1e-9)).all()
    # what leaves China arrives in ROW
    np.testing.assert_allclose(chn["exports_t"].to_numpy(), row["imports_t"].to_numpy())


def test_example_direction_and_outputs(example_result: Any) -> None:
    r = example_result
    sp = r.spread.set_index("period")
    assert sp.loc["2026-01", "ratio"] == pytest.approx(1525 / 237, rel=1e-9)  # baseline spread kept
    assert (sp.loc["2026-06":, "ratio"] > 3).all()  # ROW price up, CHN price down
    pb = r.price_bands
    assert (pb["p5"] <= pb["p50"] + 1e-9).all() and (pb["p50"] <= pb["p95"] + 1e-9).all()
    kaz = r.supply_sources[(r.supply_sources["iso3"] == "KAZ")].set_index("period")["quantity_t"]
    assert kaz.loc["2026-06"] == 0.0 and kaz.loc["2028-12"] == pytest.approx(15 / 12)
    imp = r.importer_summary().set_index("iso3")
    assert list(imp.index) == ["EU27", "USA", "JPN", "KOR", "OECD"]
    assert (
        imp.loc["OECD", "shortfall_t"]
        >= imp.loc["EU27", "shortfall_t"] + imp.loc["USA", "shortfall_t"]
    )
    assert any("811292 pools" in n for n in r.notes)
    a = r.assumptions.set_index("name")
    assert bool(a.loc["parameters.demand_elasticity.row", "assumption"])
    assert not bool(a.loc["baseline.exports", "assumption"])
    assert "facts.csv line 61" in a.loc["baseline.exports", "source_title"]
    prob = r.shortfall_probability(threshold_t=0.0)
    assert prob["probability"].iloc[0] == 0.0 and prob["probability"].iloc[-1] == 1.0


def test_export_cap_equals_allowed_share_hand_computed() -> None:
    spec = _annual(
        [
            {
                "type": "export_restriction",
                "exporter": "CHN",
                "destinations": "all",
                "share_allowed": 0.5,
                "start": "2027-01",
            }
        ]
    )
    r = run_scenario(spec, draws=0)
    chn = r.markets[r.markets["market"] == "CHN"].set_index("period")
    assert np.isnan(chn.loc["2026", "export_cap_t"]) and not chn.loc["2026", "segmented"]
    assert chn.loc["2026", "exports_t"] == pytest.approx(60.0, rel=1e-9)  # baseline flow
    assert chn.loc["2027", "export_cap_t"] == pytest.approx(30.0)
    assert chn.loc["2027", "exports_t"] == pytest.approx(30.0)
    # ROW with eps = +-0.5: 69 x^-0.5 = 9 x^0.5 + 30 -> 9 y^2 + 30 y - 69 = 0
    y = (-30 + np.sqrt(900 + 4 * 9 * 69)) / 18
    row = r.markets[r.markets["market"] == "ROW"].set_index("period")
    assert row.loc["2027", "price_ratio"] == pytest.approx(y**2, rel=1e-9)
    assert row.loc["2027", "unmet_t"] == pytest.approx(69 - 69 / y, rel=1e-9)


def test_partial_year_licensing_delay_and_destinations() -> None:
    # ban on OECD destinations from July with a 2-month licensing delay on the rest
    spec = _annual(
        [
            {
                "type": "export_restriction",
                "exporter": "CHN",
                "destinations": "OECD",
                "share_allowed": 0.0,
                "start": "2026-07",
                "licensing_delay_months": 2,
            }
        ]
    )
    prep = prepare(spec)
    shares = prep.destinations.set_index("iso3")["share"]
    s_oecd = float(shares.reindex(group_members("OECD")).fillna(0).sum())
    r = run_scenario(spec, draws=0)
    chn = r.markets[r.markets["market"] == "CHN"].set_index("period")
    # 2026: 6 free months (cap = own capacity bound) + 6 months at (1 - s_oecd) of 60 t/yr
    assert chn.loc["2027", "export_cap_t"] == pytest.approx(60.0 * (1 - s_oecd), rel=1e-9)
    assert 0.5 < s_oecd < 1.0
    assert chn.loc["2027", "exports_t"] <= chn.loc["2027", "export_cap_t"] + 1e-9
    imp = r.importers[r.importers["period"] == "2027"].set_index("iso3")
    assert imp.loc["OECD", "restricted_t"] == pytest.approx(60.0 * s_oecd, rel=1e-9)


def test_quota_outage_stock_release_and_stocks() -> None:
    spec = _annual(
        [
            {
                "type": "export_restriction",
                "exporter": "CHN",
                "destinations": "all",
                "quota_t": 20,
                "start": "2026-01",
            },
            {
                "type": "stock_release",
                "market": "row",
                "tonnes": 12,
                "start": "2027-01",
                "duration_months": 12,
            },
            {"type": "outage", "country": "RUS", "share": 1.0, "start": "2028-01"},
        ],
        stocks={"row": 10},
        stock_draw_share=0.5,
    )
    r = run_scenario(spec, draws=0)
    row = r.markets[r.markets["market"] == "ROW"].set_index("period")
    assert row.loc["2026", "imports_t"] == pytest.approx(20.0)
    assert row.loc["2026", "stock_draw_t"] == pytest.approx(5.0)  # half of 10 t in a year
    assert row.loc["2027", "stock_draw_t"] == pytest.approx(2.5)
    assert row.loc["2027", "stock_end_t"] == pytest.approx(2.5)
    assert row.loc["2027", "stock_release_t"] == pytest.approx(12.0)
    assert row.loc["2028", "production_t"] < row.loc["2027", "production_t"]  # Russia out
    assert row.loc["2028", "price"] > row.loc["2027", "price"]


def test_free_trade_outage_keeps_markets_integrated() -> None:
    spec = _annual([{"type": "outage", "country": "CHN", "share": 0.1, "start": "2026-01"}])
    r = run_scenario(spec, draws=0)
    m = r.markets.set_index(["period", "market"])
    assert not m["segmented"].any()
    x_d = m.loc[("2026", "CHN"), "price_ratio"]
    assert x_d > 1 and m.loc[("2026", "ROW"), "price_ratio"] == pytest.approx(x_d, rel=1e-9)


def test_monte_carlo_reproducible_with_seed() -> None:
    a = run_scenario(EXAMPLE, draws=300, seed=11)
    b = run_scenario(EXAMPLE, draws=300, seed=11)
    c = run_scenario(EXAMPLE, draws=300, seed=12)
    np.testing.assert_array_equal(a.price_bands["p50"], b.price_bands["p50"])
    np.testing.assert_array_equal(a.mc["row.unmet"], b.mc["row.unmet"])
    assert not np.array_equal(a.price_bands["p95"], c.price_bands["p95"])


def test_monte_carlo_chunking_does_not_change_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    import critmin.scenarios.engine as eng

    a = run_scenario(EXAMPLE, draws=250, seed=3)
    monkeypatch.setattr(eng, "CHUNK", 100)
    b = run_scenario(EXAMPLE, draws=250, seed=3)
    # different chunking gives different streams, but the result stays statistically close
    assert a.mc["row.price"].shape == b.mc["row.price"].shape == (250, 36)
    assert abs(np.median(a.mc["row.price"][:, -1]) / np.median(b.mc["row.price"][:, -1]) - 1) < 0.15


def test_scenario_section() -> None:
    from critmin.report.sections import scenario_section

    out = scenario_section(EXAMPLE, draws=100, seed=1)
    assert set(out.tables) >= {
        "price_bands",
        "importer_shortfall",
        "assumptions",
        "byproduct_gallium",
    }
    assert out.tables["byproduct_gallium"]["iso3"].eq("KAZ").all()
    assert set(out.figures) == {"price_bands", "importer_shortfall"}
    assert out.text and out.title
    assert all(k.unit or isinstance(k.value, str) for k in out.key_figures)


def test_dask_scheduler_gives_same_draws() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        a = run_scenario(EXAMPLE, draws=120, seed=4, scheduler=cluster.scheduler_address)
    b = run_scenario(EXAMPLE, draws=120, seed=4)
    np.testing.assert_array_equal(a.mc["row.price"], b.mc["row.price"])
