from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.geostats.composite import assign_domain, cell_declustering, composite, top_cut


def _t(rows: list[tuple[str, float, float, float]], dom: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["hole", "from", "to", "g"])
    if dom is not None:
        df["d"] = dom
    return df


def test_length_weighted_and_residual_rules() -> None:
    t = _t([("A", 0, 1, 1.0), ("A", 1, 4, 2.0), ("A", 4, 5.2, 3.0)])
    c = composite(t, 2.0, ["g"])  # residual 1.2 >= 1 -> kept
    np.testing.assert_allclose(c["to"], [2, 4, 5.2])
    np.testing.assert_allclose(c["g"], [1.5, 2.0, 3.0])
    c = composite(_t([("A", 0, 4.6, 1.0)]), 2.0, ["g"])  # residual 0.6 < 1 -> merged
    np.testing.assert_allclose(c["to"], [2, 4.6])
    assert list(composite(_t([("A", 0, 4.6, 1.0)]), 2.0, ["g"], residual="drop")["to"]) == [2, 4]
    assert list(composite(_t([("A", 0, 4.6, 1.0)]), 2.0, ["g"], residual="keep")["to"]) == [
        2,
        4,
        4.6,
    ]
    np.testing.assert_allclose(
        composite(_t([("A", 0, 5.0, 1.0)]), 2.0, ["g"], residual="equalize")["length"], [2.5, 2.5]
    )


def test_gaps_and_coverage() -> None:
    t = _t([("A", 0, 1, 2.0), ("A", 1, 2, np.nan), ("A", 3, 4, 4.0)])
    c = composite(t, 2.0, ["g"], min_coverage=0.5)
    np.testing.assert_allclose(c["g"], [2.0, 4.0])
    np.testing.assert_allclose(c["coverage"], [0.5, 0.5])
    assert composite(t, 2.0, ["g"], min_coverage=0.75)["g"].isna().all()


def test_domain_runs_do_not_mix() -> None:
    t = _t([("A", 0, 3, 1.0), ("A", 3, 6, 5.0), ("B", 0, 2, 7.0)], dom=["ox", "fr", "ox"])
    c = composite(t, 2.0, ["g"], domain="d")
    assert list(c["domain"]) == ["ox", "ox", "fr", "fr", "ox"]
    np.testing.assert_allclose(c["g"], [1, 1, 5, 5, 7])


def test_assign_domain_by_majority() -> None:
    a = _t([("A", 0, 4, 1.0), ("A", 4, 8, 1.0), ("B", 0, 1, 1.0)])
    codes = pd.DataFrame({"hole": ["A", "A"], "from": [0, 3], "to": [3, 8], "L": ["x", "y"]})
    out = assign_domain(a, codes, "L")
    assert list(out[:2]) == ["x", "y"]
    assert pd.isna(out.iloc[2])


def test_top_cut() -> None:
    v, info = top_cut(np.array([1.0, 2.0, 10.0]), 4.0)
    np.testing.assert_allclose(v, [1, 2, 4])
    assert info["n_cut"] == 1 and info["mean_after"] == pytest.approx(7 / 3)


def test_cell_declustering_down_weights_cluster() -> None:
    rng = np.random.default_rng(1)
    sparse = np.column_stack([rng.uniform(0, 100, 20), rng.uniform(0, 100, 20), np.zeros(20)])
    cluster = np.column_stack([rng.uniform(0, 5, 30), rng.uniform(0, 5, 30), np.zeros(30)])
    xyz = np.vstack([sparse, cluster])
    v = np.r_[np.ones(20), 10 * np.ones(30)]
    w, table = cell_declustering(xyz, v, np.array([5.0, 10, 20, 40]))
    assert w.mean() == pytest.approx(1.0)
    assert w[20:].mean() < w[:20].mean()
    assert table.loc[table["chosen"], "declustered_mean"].iloc[0] < v.mean()
