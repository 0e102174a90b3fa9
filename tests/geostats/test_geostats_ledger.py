"""The ledger accounts for every metre, grade x length, block and tonne, with reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from defect_db import DEFECT_SPEC, defect_db
from geostats_fixtures import write

from critmin.geostats.ledger import balance
from critmin.geostats.workflow import run_spec


def _assert_balanced(ledger: pd.DataFrame) -> None:
    b = balance(ledger)
    for col in ("metres", "grade_x_length", "blocks", "tonnes"):
        np.testing.assert_allclose(b[col].to_numpy(dtype=float), 0.0, atol=1e-6, err_msg=col)
    removed = ledger[ledger["flow"] == "removed"]
    assert (removed["reason"].str.len() > 0).all()


def test_ledger_on_planted_defects(tmp_path: Path) -> None:
    db = defect_db(tmp_path)
    res = run_spec(db["spec"])  # type: ignore[arg-type]
    lg = res.ledger
    _assert_balanced(lg)
    steps = list(dict.fromkeys(lg["step"]))
    assert steps[:4] == ["read", "validate", "desurvey", "domain"]
    assert {"composite", "top-cut", "estimate", "classify", "report"} <= set(steps)
    raw = lg[(lg["step"] == "read") & (lg["flow"] == "in")].iloc[0]
    # 12 holes x 30 intervals - 1 missing + 3 re-assays, 2 m each except the 4 m one
    assert raw["intervals"] == 362 and raw["metres"] == 359 * 2 + 2 + 2 + 4
    ov = lg[(lg["step"] == "validate") & (lg["flow"] == "removed")].iloc[0]
    assert ov["metres"] == 8.0 and "rule 'last'" in ov["reason"]
    dom = lg[(lg["step"] == "domain") & (lg["flow"] == "removed")]
    none = dom[dom["reason"].str.startswith("no litho interval")].iloc[0]
    assert none["metres"] == 10.0 and none["intervals"] == 5  # H00 50-60 m
    v = lg[(lg["step"] == "desurvey") & (lg["flow"] == "note")]
    assert v["reason"].str.contains("1 hole\\(s\\) without survey taken as vertical").all()
    # the reported tonnes are what the resource table reports at the reporting cut-off
    rep = lg[(lg["step"] == "report") & (lg["flow"] == "out")].iloc[0]
    total = res.resource_at_reporting_cutoff().set_index("class").loc["total", "tonnes"]
    assert rep["tonnes"] == total
    assert any("density" not in n for n in res.notes)


def test_ledger_density_default_and_declustering_edge(tmp_path: Path) -> None:
    defect_db(tmp_path, clean=True)
    spec = DEFECT_SPEC.replace("  density: {OX: 2.4, FR: 2.7}\n", "").replace(
        "declustering: {cell_sizes: [20, 40]}", "declustering: {cell_sizes: [5, 10]}"
    )
    res = run_spec(write(tmp_path / "spec.yaml", spec))
    _assert_balanced(res.ledger)
    notes = res.ledger[res.ledger["flow"] == "note"]["reason"]
    assert notes.str.contains("density not given: 2.7 t/m3").any()
    assert any("not bracketed" in n for n in res.notes)
