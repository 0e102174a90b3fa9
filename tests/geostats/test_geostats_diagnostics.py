"""Diagnostics: fit warnings, swath by pass with counts, global mean in the estimated volume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from defect_db import defect_db

from critmin.geostats.diagnostics import model_warnings
from critmin.geostats.variogram import Structure, VariogramModel
from critmin.geostats.workflow import run_spec


def test_fit_warnings() -> None:
    m = VariogramModel(0.91, (Structure("spherical", 0.09, (604.0, 604.0, 604.0)),))
    exp = pd.DataFrame({"lag": [50.0, 100.0, 200.0]})
    w = model_warnings(m, exp)
    assert any("91 % of the sill" in x for x in w)
    assert any("604 m) is beyond the last experimental lag (200 m)" in x for x in w)
    ok = VariogramModel(0.1, (Structure("spherical", 0.9, (150.0, 150.0, 150.0)),))
    assert model_warnings(ok, exp) == []


def test_swath_by_pass_and_global_mean_in_estimated_volume(tmp_path: Path) -> None:
    db = defect_db(tmp_path, clean=True)
    res = run_spec(db["spec"])  # type: ignore[arg-type]
    sw = res.swath("x")
    assert {"blocks_pass1", "block_mean_pass1", "composites"} <= set(sw.columns)
    assert sw["blocks_pass1"].sum() == (res.blocks["search_pass"] == 1).sum()
    assert sw["blocks"].sum() == len(res.blocks)
    v = res.validation
    assert 0 < v["composites_in_estimated_volume"] <= len(res.composites)
    assert np.isfinite(v["relative_difference_in_estimated_volume"])


def test_block_count_guard_and_reversed_dips_stop_the_run(tmp_path: Path) -> None:
    import pytest
    from defect_db import DEFECT_SPEC
    from geostats_fixtures import write

    from critmin.errors import ValidationError

    defect_db(tmp_path, clean=True)
    big = DEFECT_SPEC.replace("  padding: 0\n", "  padding: 0\n  max_blocks: 50\n")
    with pytest.raises(
        ValidationError,
        match=r"would have [\d,]+ blocks .* above block_model\.max_blocks 50: use larger blocks",
    ):
        run_spec(write(tmp_path / "big.yaml", big))
    up = DEFECT_SPEC.replace("  overlaps: last\n", "  dip_positive_down: false\n")
    with pytest.raises(
        ValidationError, match=r"12 hole\(s\) have composites above the collar .*dip_positive_down"
    ):
        run_spec(write(tmp_path / "up.yaml", up))
