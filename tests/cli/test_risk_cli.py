"""``critmin risk rank`` and ``critmin risk explain``."""

from __future__ import annotations

import json

import pytest

from critmin.cli.main import run


def test_rank_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "risk",
            "rank",
            "--importer",
            "USA",
            "--method",
            "eu",
            "--draws",
            "50",
            "--seed",
            "1",
            "--format",
            "json",
            "--limit",
            "5",
        ]
    )
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    assert {
        "commodity",
        "rank",
        "value",
        "method",
        "p5",
        "p50",
        "p95",
        "p_top",
        "defaults_used",
    } <= set(rows[0])
    assert all(r["method"] == "eu" for r in rows)


def test_rank_table_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["risk", "rank", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "geopolrisk_rank" in out and "EU27" in out


def test_explain_csv_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["risk", "explain", "Ga", "--method", "hhi", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("stage,factor,iso3,value,unit,source,default")
    assert run(["risk", "explain", "antimony", "--importer", "JPN"]) == 0
    assert "hhi_wgi_global" in capsys.readouterr().out


def test_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["risk", "rank", "--method", "bogus"]) == 1
    assert "unknown method" in capsys.readouterr().err
    assert run(["risk", "explain", "tin", "--importer", "Atlantis"]) == 1
    assert "Atlantis" in capsys.readouterr().err


def test_risk_without_subcommand_ranks(capsys: pytest.CaptureFixture[str]) -> None:
    """``critmin risk --method eu --for EU27`` (the issue's spelling) ranks commodities."""
    import json

    assert run(["risk", "--method", "eu", "--for", "EU27", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    ranks = {r["commodity"]: r["rank"] for r in rows}
    assert ranks["gallium"] <= 10


def test_rank_shows_quality_and_domestic_convention(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19: the grade is in ``risk rank``; the domestic convention is stated and switchable."""
    import json

    args = ["risk", "rank", "--importer", "KAZ", "--method", "eu", "--format", "json"]
    assert run(args) == 0
    rows = {r["commodity"]: r for r in json.loads(capsys.readouterr().out)}
    cu = rows["copper"]
    assert cu["rank"] > 20 and cu["domestic_supply"] == "secure"
    assert cu["quality"] in {"A", "B", "C", "D"} and 0 <= cu["placeholder_share"] <= 1
    assert run([*args, "--domestic", "own_governance"]) == 0
    rows2 = {r["commodity"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows2["copper"]["domestic_supply"] == "own_governance"
    assert rows2["copper"]["value"] > cu["value"]
    assert run(["risk", "rank", "--importer", "KAZ", "--method", "eu", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert "quality" in out and "Domestic supply: secure" in " ".join(out.split())


def test_explain_shows_grade_and_default_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["risk", "explain", "cobalt", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "data_quality" in out and "default: assumption" in out
    assert run(["risk", "explain", "cobalt"]) == 0
    assert "Data quality: grade" in " ".join(capsys.readouterr().out.split())


def test_explain_eu_sourcing_switch(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["risk", "explain", "tellurium", "--format", "json"]
    assert run(args) == 0
    default = json.loads(capsys.readouterr().out)
    assert run([*args, "--eu-sourcing", "study2023"]) == 0
    study = json.loads(capsys.readouterr().out)
    assert not any(r["factor"] == "sourcing_share" for r in default)
    assert any(r["factor"] == "sourcing_share" for r in study)
    assert run([*args, "--eu-sourcing", "nope"]) != 0
