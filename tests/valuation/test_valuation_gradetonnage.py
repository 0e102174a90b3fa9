"""Deposit context within a grade-tonnage model, against hand-computed percentiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from critmin.errors import DataNotFoundError, InputFileError, ValidationError
from critmin.valuation.gradetonnage import (
    GT_MODELS,
    compare_deposit,
    find_model,
    percentile_rank,
    read_gt_csv,
)

SMALL = """Deposit Name,Location,Tonnage (mt),Cu Grade (%),Au Grade (%)
A,X,10000000,0.2,NA
B,X,20000000,0.4,0.0001
C,X,40000000,0.3,0.0002
D,X,80000000,0.5,0.0003
E,X,160000000,0.1,0.0004
"""


def test_hand_computed_percentiles(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(SMALL)
    m = read_gt_csv(f)
    assert m.commodities == ["Cu", "Au"]
    assert m.notes == ["Au: 1 of 5 deposits have no grade (left out for Au)"]
    t = compare_deposit(m, 50_000_000, {"Cu": 0.35}).set_index("quantity")
    # tonnage: 10, 20, 40 Mt <= 50 Mt -> 3 of 5 = 60 %
    assert t.loc["tonnage", "percentile"] == pytest.approx(60.0)
    # quantiles (linear): sorted 10,20,40,80,160 Mt; q50 = 40, q10 = 10 + 0.4*10 = 14, q90 = 80 + 0.6*80 = 128
    assert t.loc["tonnage", "model_q50"] == pytest.approx(40e6)
    assert t.loc["tonnage", "model_q10"] == pytest.approx(14e6)
    assert t.loc["tonnage", "model_q90"] == pytest.approx(128e6)
    # Cu grades 0.1..0.5: 0.1, 0.2, 0.3 <= 0.35 -> 60 %
    assert t.loc["Cu grade", "percentile"] == pytest.approx(60.0)
    # contained Cu [t]: 20,000; 80,000; 120,000; 400,000; 160,000; deposit 175,000 -> 4 of 5
    assert t.loc["Cu contained", "deposit"] == pytest.approx(175_000)
    assert t.loc["Cu contained", "percentile"] == pytest.approx(80.0)
    assert t.loc["Cu contained", "model_q50"] == pytest.approx(120_000)
    assert percentile_rank(np.array([1.0, 2.0]), 0.5) == 0.0


def test_snake_case_columns_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "u.csv"
    f.write_text("name,tonnage_t,grade_sn_pct\nX,1000,0.5\nY,3000,1.0\n")
    m = read_gt_csv(f, deposit_type="tin greisen")
    t = compare_deposit(m, 2000, {"Sn": 0.6})
    assert t["percentile"].tolist() == pytest.approx([50.0, 50.0, 50.0])
    bad = tmp_path / "bad.csv"
    bad.write_text("name,tonnage_t,grade_sn_pct\nX,abc,0.5\n")
    with pytest.raises(InputFileError, match="line 2") as ei:
        read_gt_csv(bad)
    assert "tonnage_t" in str(ei.value)
    with pytest.raises(ValidationError, match="no Cu grades"):
        compare_deposit(m, 2000, {"Cu": 0.5})
    with pytest.raises(ValidationError, match="tonnage must be > 0"):
        compare_deposit(m, -1.0)


def test_no_model_of_the_type_says_so() -> None:
    with pytest.raises(DataNotFoundError, match="not comparing across deposit types"):
        find_model("tin")
    assert find_model("Porphyry Cu-Au") == "porphyry-cu-au"


@pytest.mark.reference
def test_porphyry_cu_au_model(reference: Path) -> None:
    info = GT_MODELS["porphyry-cu-au"]
    m = read_gt_csv(reference / info["file"], citation=info["citation"])
    assert len(m.table) == 115 and m.commodities == ["Cu", "Au"]
    t = compare_deposit(m, 500e6, {"Cu": 0.5}).set_index("quantity")
    ton = m.table["tonnage_t"].to_numpy()
    # independent count: deposits at or below 500 Mt
    assert t.loc["tonnage", "percentile"] == pytest.approx(100 * sum(x <= 500e6 for x in ton) / 115)
    assert t.loc["tonnage", "model_q50"] == pytest.approx(sorted(ton)[57])
    assert "2008-1155" in m.citation
