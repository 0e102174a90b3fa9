"""The ``critmin value`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from critmin.cli.main import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"
GALLIUM = str(EXAMPLES / "erg-gallium-pavlodar.yaml")


def test_value_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["value", GALLIUM, "--draws", "300", "--seed", "1", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    for key in (
        "npv_usd",
        "irr",
        "irr_status",
        "payback_years",
        "discounted_payback_years",
        "breakeven_price",
        "p_npv_negative",
        "cash_flows",
        "tornado",
        "assumptions",
        "price_model",
    ):
        assert key in d
    assert d["mc_draws"] == 300
    assert any(a["assumption"] for a in d["assumptions"])


def test_value_table_and_charts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "charts"
    code = run(["value", str(EXAMPLES / "syrymbet-tin.yaml"), "--draws", "200", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "npv_usd" in text and "assumption" in text
    names = {p.name for p in out.iterdir()}
    for chart in ("cash_flow", "tornado", "npv_distribution", "deposit_bridge"):
        assert f"syrymbet-tin-{chart}.png" in names
        assert f"syrymbet-tin-{chart}.html" in names
    html = (out / "syrymbet-tin-tornado.html").read_text()
    # plotly.js embedded, not loaded from a CDN: the file works offline
    assert '<script src="https://cdn.plot.ly' not in html and len(html) > 1_000_000


def test_value_csv_is_cash_flow_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["value", GALLIUM, "--draws", "0", "--format", "csv"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("year,t,ore_t,output_t,payable_t")


def test_value_deposit_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "d.yaml"
    f.write_text(
        "kind: deposit\nname: d\nbase_year: 2025\ndeposit:\n  commodities:\n"
        "    - {commodity: tin, contained_t: 10, price: 30000}\n"
    )
    assert run(["value", str(f), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["in_situ_value_usd"] == 300000


def test_value_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["value", str(tmp_path / "missing.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "not found" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(GALLIUM).read_text().replace("rate: {value: 0.08", "rate: {value: -3"))
    assert run(["value", str(bad)]) == 1
    assert "discount" in capsys.readouterr().err
    assert run(["value", GALLIUM, "--draws", "-5"]) == 1


def test_value_explains_deterministic_vs_monte_carlo(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["value", GALLIUM, "--draws", "500", "--seed", "1", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "deck's central path" in d["explanation"]
    assert "Monte Carlo median" in d["explanation"] and "regimes switch" in d["explanation"]
    items = {r["item"] for r in d["deterministic_vs_monte_carlo"]}
    assert {"gap_from_price_level", "gap_from_dispersion_and_nonlinearity"} <= items
    assert d["fit_window"] == "1990-2017"
    assert len(d["fit_window_sensitivity"]) == 5
    assert {r["from_regime"] for r in d["regimes"]} == {"open", "controlled", "tightened"}
    assert all("-" in r["window"] for r in d["fit_window_sensitivity"])


def test_value_table_shows_window_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["value", str(EXAMPLES / "syrymbet-tin.yaml"), "--draws", "200"]) == 0
    text = capsys.readouterr().out
    assert "fit window 1990-2025" in text and "Fit-window sensitivity" in text
    assert "Deterministic vs Monte Carlo" in text and "deck's central path" in text


def test_negative_capacity_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "neg.yaml"
    text = (
        Path(GALLIUM).read_text().replace("capacity_tpa: {value: 15,", "capacity_tpa: {value: -15,")
    )
    f.write_text(text)
    assert run(["value", str(f), "--draws", "0"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "production.capacity_tpa" in err and "-15" in err
