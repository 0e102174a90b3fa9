"""Several grades in one spec: each equals its single-grade run; the equivalent by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from defect_db import DEFECT_SPEC, defect_db
from geostats_fixtures import write

from critmin.errors import SpecError
from critmin.geostats.ledger import balance
from critmin.geostats.spec import load_spec
from critmin.geostats.workflow import run_spec

GRID = "  origin: [1000, 2000, 442]\n  shape: [7, 5, 6]\n"
NI_VARIO = (
    "{model: {nugget: 0.0002, structures: [{kind: spherical, sill: 0.002, ranges: [80, 80, 40]}]}}"
)
TWO = (
    DEFECT_SPEC.replace("  padding: 0\n", GRID)
    + f"""
grades:
  - {{column: NI, unit: "%", metal: Ni, metal_unit: t, top_cut: 0.45, variogram: {NI_VARIO}}}
equivalent:
  name: CuEq
  base: CU
  prices:
    CU: {{value: 9000, unit: USD/t, source: assumption, note: round copper price}}
    NI: {{value: 7.5, unit: USD/lb, source: assumption, note: round nickel price}}
  recoveries:
    CU: {{value: 90, unit: "%", source: assumption}}
    NI: {{value: 0.7, unit: "", source: assumption}}
"""
)
NI_ONLY = (
    DEFECT_SPEC.replace("  padding: 0\n", GRID)
    .replace('grade: {column: CU, unit: "%", metal: Cu, metal_unit: t}',
             'grade: {column: NI, unit: "%", metal: Ni, metal_unit: t}')
    .replace("top_cut: 2.5", "top_cut: 0.45")
    .replace("variogram:\n  experimental: {lag: 10, n_lags: 6}\n  fit: {kinds: [spherical]}",
             f"variogram: {NI_VARIO}")
)  # fmt: skip
CU_ONLY = DEFECT_SPEC.replace("  padding: 0\n", GRID)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    d = tmp_path_factory.mktemp("two")
    defect_db(d, nickel=True)
    return {
        "two": run_spec(write(d / "two.yaml", TWO)),
        "ni": run_spec(write(d / "ni.yaml", NI_ONLY)),
        "cu": run_spec(write(d / "cu.yaml", CU_ONLY)),
    }


def test_each_grade_equals_its_single_grade_run(runs: dict) -> None:  # type: ignore[type-arg]
    two, ni, cu = runs["two"].blocks, runs["ni"].blocks, runs["cu"].blocks
    np.testing.assert_array_equal(two["block"], cu["block"])
    np.testing.assert_array_equal(two["CU"], cu["estimate"])
    m = two.merge(ni[["block", "estimate", "slope_of_regression"]], on="block", how="inner")
    assert len(m) > 0.9 * len(two)
    np.testing.assert_allclose(m["NI"], m["estimate_y"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(m["NI_slope_of_regression"], m["slope_of_regression_y"], atol=1e-12)
    # the ledger of NI in the two-grade run is the single NI run's (interval steps)
    lt, ln = runs["two"].ledger, runs["ni"].ledger
    sel = ~lt["step"].isin(["estimate", "classify", "report"]) & (lt["grade"] == "NI")
    seln = ~ln["step"].isin(["estimate", "classify", "report"]) & (ln["grade"] == "NI")
    a = lt[sel].reset_index(drop=True)
    b = ln[seln].reset_index(drop=True)
    np.testing.assert_allclose(a["metres"].astype(float), b["metres"].astype(float))
    np.testing.assert_allclose(a["grade_x_length"].astype(float), b["grade_x_length"].astype(float))
    np.testing.assert_allclose(balance(lt)[["metres", "grade_x_length", "blocks"]], 0, atol=1e-6)


def test_one_table_with_both_grades_and_the_equivalent(runs: dict) -> None:  # type: ignore[type-arg]
    two = runs["two"]
    t = two.resource_grades
    assert {"CU", "CU_metal", "NI", "NI_metal", "CuEq"} <= set(t.columns)
    # the copper columns are the single-grade copper resource
    cu = runs["cu"].resource.set_index(["cutoff", "class"])
    for r in t.itertuples():
        ref = cu.loc[(r.cutoff, r._3)]
        assert r.tonnes == pytest.approx(ref["tonnes"], rel=1e-12)
        if ref["tonnes"] > 0:
            assert pytest.approx(ref["grade"], rel=1e-12) == r.CU
            assert r.CU_metal == pytest.approx(ref["metal"], rel=1e-12)
    # CuEq by hand: Ni at 7.5 USD/lb = 16534.67 USD/t, recoveries 0.9 and 0.7
    b = two.blocks
    k = 7.5 / 0.45359237 * 1000 * 0.7 / (9000 * 0.9)
    np.testing.assert_allclose(b["CuEq"], b["CU"] + k * b["NI"], rtol=1e-12)
    assert b.loc[b["NI"].isna(), "CuEq"].isna().all()


def test_equivalent_names_known_grades(tmp_path: Path) -> None:
    defect_db(tmp_path, nickel=True)
    bad = TWO.replace("    NI: {value: 0.7", "    ZN: {value: 0.7")
    with pytest.raises(SpecError, match="prices and recoveries"):
        load_spec(write(tmp_path / "bad.yaml", bad))
