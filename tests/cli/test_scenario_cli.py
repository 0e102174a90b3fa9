"""CLI: critmin scenario run / byproduct."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from critmin.cli.main import run

EXAMPLE = str(
    Path(__file__).resolve().parents[2]
    / "examples"
    / "scenarios"
    / "gallium-export-restriction.yaml"
)


def test_run_json_prices(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["scenario", "run", EXAMPLE, "--draws", "200", "--seed", "1", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {"period", "market", "price", "p5", "p50", "p95", "unit"}
    assert {r["market"] for r in rows} == {"CHN", "ROW"}
    assert len(rows) == 72


def test_run_json_same_seed_same_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "scenario",
        "run",
        EXAMPLE,
        "--draws",
        "150",
        "--seed",
        "5",
        "-f",
        "json",
        "--show",
        "importers",
    ]
    assert run(args) == 0
    a = json.loads(capsys.readouterr().out)
    assert run(args) == 0
    b = json.loads(capsys.readouterr().out)
    assert a == b
    assert {r["iso3"] for r in a} == {"EU27", "USA", "JPN", "KOR", "OECD"}
    assert "shortfall_t" in a[0]


def test_run_table_and_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "o"
    assert run(["scenario", "run", EXAMPLE, "--draws", "100", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Importer exposure" in text and "Inputs and assumptions" in text
    for f in (
        "price_bands.html",
        "price_bands.png",
        "importer_shortfall.html",
        "importer_shortfall.png",
        "result.json",
        "markets.csv",
        "assumptions.csv",
    ):
        assert (out / f).stat().st_size > 0, f
    html = (out / "price_bands.html").read_text("utf-8")
    assert 'src="https://cdn.plot.ly' not in html and len(html) > 1_000_000  # plotly.js embedded
    res = json.loads((out / "result.json").read_text("utf-8"))
    assert res["seed"] == 0 and res["draws"] == 100 and res["price_bands"]


def test_run_csv_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["scenario", "run", EXAMPLE, "--draws", "0", "-f", "csv", "--show", "assumptions"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("name,value,unit,source,source_title,assumption,note")


def test_run_bad_file_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(
        Path(EXAMPLE).read_text("utf-8").replace("destinations: OECD", "destinations: MARS")
    )
    assert run(["scenario", "run", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(p) in err and err.count("\n") == 1
    assert "shocks.0.destinations" in err
    p.write_text("name: [unclosed\n", "utf-8")
    assert run(["scenario", "run", str(p)]) == 1
    err = capsys.readouterr().err
    assert "not valid YAML" in err and ", line 2" in err and err.count("\n") == 1
    assert run(["scenario", "run", str(tmp_path / "missing.yaml")]) == 1


def test_byproduct_kaz(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scenario", "byproduct", "gallium", "--country", "KAZ", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    tech = next(r for r in rows if r["case"] == "technical")
    assert tech["iso3"] == "KAZ" and tech["capacity_t"] == 15.0 and tech["supported_t"] == 15.0
    assert run(["scenario", "byproduct", "gallium", "--country", "KAZ"]) == 0
    assert "alumina" in capsys.readouterr().out
    assert run(["scenario", "byproduct", "tin"]) == 1


ROOT = Path(__file__).resolve().parents[2]


def test_byproduct_germanium_json_tens_of_tonnes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scenario", "byproduct", "germanium", "-c", "CHN", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 10 <= rows[0]["potential_t"] <= 500
    assert rows[0]["potential_high_t"] <= rows[0]["bound_t"]


@pytest.mark.parametrize("name", ["germanium-2023-controls.yaml", "antimony-2024-controls.yaml"])
def test_run_germanium_and_antimony_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "scenarios" / name)
    assert run(["scenario", "run", path, "--draws", "100", "--seed", "1", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["market"] for r in rows} == {"CHN", "ROW"}


def test_backtest_and_compare_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert run(["scenario", "backtest", "antimony", "-n", "200", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"backtest", "month", "central", "p5", "p50", "p95", "observed", "in_band"} <= set(
        rows[0]
    )
    assert run(["scenario", "compare-usgs", "gallium", "-f", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["item"] == "price effect" for r in rows)
    assert run(["scenario", "backtest", "tin"]) != 0
