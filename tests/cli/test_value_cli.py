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
