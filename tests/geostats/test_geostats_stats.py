from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.geostats.stats import best_intercepts, grade_summary, hit_rate


def test_hit_rate() -> None:
    t = pd.DataFrame({"hole": ["A", "A", "B", "C", "D"], "g": [0.1, 0.6, 0.4, np.nan, 0.5]})
    h = hit_rate(t, "g", 0.5)
    assert (h["holes_hit"], h["holes_assayed"]) == (2, 3)
    assert h["max_grade"] == 0.6


def test_grade_summary_weighted() -> None:
    s = grade_summary(np.array([1.0, 3.0]), np.array([3.0, 1.0]))
    assert s["mean"] == pytest.approx(1.5)
    assert s["count"] == 2


def test_best_intercepts_with_dilution() -> None:
    rows = [(0, 2, 2.0), (2, 3, 0.1), (3, 5, 2.0), (5, 9, 0.0), (9, 10, 3.0)]
    t = pd.DataFrame([("A", f, to, g) for f, to, g in rows], columns=["hole", "from", "to", "g"])
    out = best_intercepts(t, "g", cutoff=1.0, min_width=0.0, max_dilution=1.0)
    first = out.sort_values("from").iloc[0]
    assert (first["from"], first["to"]) == (0, 5)
    assert first["grade"] == pytest.approx((4 + 0.1 + 4) / 5)
    assert first["text"] == "5.0 m @ 1.62 % from 0.0 m"
    assert len(out) == 2  # 4 m of waste is too much dilution
    assert len(best_intercepts(t, "g", 1.0, min_width=2.0, max_dilution=1.0)) == 1
    assert len(best_intercepts(t, "g", 1.0, max_dilution=0.0)) == 3
