"""``critmin deposit compare``: a deposit within a grade-tonnage model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from critmin.cli.main import run


def test_compare_user_csv_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "m.csv"
    f.write_text(
        "Deposit Name,Tonnage (mt),Sn Grade (%)\nA,1000,0.2\nB,2000,0.4\nC,4000,0.6\nD,8000,0.8\n"
    )
    png = tmp_path / "gt.png"
    code = run(
        [
            "deposit", "compare", "--model-csv", str(f), "--tonnage", "3000",
            "--contained", "Sn=15", "--plot", str(png), "--format", "json",
        ]
    )  # fmt: skip
    assert code == 0
    rows = {r["quantity"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tonnage"]["percentile"] == pytest.approx(50.0)
    assert rows["Sn grade"]["deposit"] == pytest.approx(0.5)
    assert rows["Sn grade"]["percentile"] == pytest.approx(50.0)
    # contained Sn: 2, 8, 24, 64 t; deposit 15 t -> 2 of 4
    assert rows["Sn contained"]["percentile"] == pytest.approx(50.0)
    assert png.stat().st_size > 1000


def test_compare_tin_has_no_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["deposit", "compare", "--type", "tin", "--tonnage", "57.2e6"]) != 0
    err = capsys.readouterr().err
    assert "no grade-tonnage model of deposit type 'tin'" in err
    assert "not comparing across deposit types" in err


@pytest.mark.reference
def test_compare_porphyry(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        [
            "deposit", "compare", "--type", "porphyry-cu-au", "--reference", str(reference),
            "--tonnage", "196e6", "--grade", "Cu=0.44", "--format", "json",
        ]
    )  # fmt: skip
    assert code == 0
    rows = {r["quantity"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tonnage"]["model_q50"] == pytest.approx(196e6)
    assert 45 <= rows["tonnage"]["percentile"] <= 55
    assert rows["Cu grade"]["n_deposits"] == 115
