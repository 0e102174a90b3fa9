"""End-to-end Babbitt run (real data, feet, wireframe); skipped when ../shared/reference is absent."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.reference, pytest.mark.slow]

SPEC = Path(__file__).resolve().parents[2] / "examples" / "deposits" / "babbitt.yaml"


def test_babbitt_resource_in_about_a_minute(reference: Path) -> None:
    from critmin.geostats import run_spec

    t = time.perf_counter()
    a = run_spec(SPEC)
    elapsed = time.perf_counter() - t
    assert elapsed < 120  # "about a minute or less" on 2 cores, with margin for a loaded CI machine
    total = a.resource[a.resource["class"] == "total"]
    assert len(total) >= 1 and (total["tonnes"] > 0).all()
    assert set(a.resource["grade_unit"]) == {"%"} and set(a.resource["metal_unit"]) == {"t"}
    gt = a.grade_tonnage
    assert gt["tonnes"].is_monotonic_decreasing  # tonnes above cut-off fall as the cut-off rises
    assert gt["grade"].is_monotonic_increasing
    assert a.exploration["holes_drilled"] == 399
