from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from critmin.geostats.desurvey import direction_vectors, hole_positions


def test_vertical_and_straight_inclined() -> None:
    p = hole_positions(np.array([0, 0, 100.0]), [0.0], [0.0], [90.0], np.array([0, 10, 50]))
    np.testing.assert_allclose(p, [[0, 0, 100], [0, 0, 90], [0, 0, 50]], atol=1e-12)
    p = hole_positions(
        np.array([0, 0, 0.0]), [0.0, 50], [90.0, 90], [45.0, 45], np.array([0, 20, 80])
    )
    s = np.sqrt(0.5)
    np.testing.assert_allclose(p[1], [20 * s, 0, -20 * s], atol=1e-9)
    np.testing.assert_allclose(p[2], [80 * s, 0, -80 * s], atol=1e-9)


def test_minimum_curvature_quarter_circle() -> None:
    # from horizontal east to vertical down over an arc of length pi/2 * R
    r = 100.0
    length = np.pi / 2 * r
    depths = np.linspace(0, length, 11)
    p = hole_positions(np.zeros(3), [0.0, length], [90.0, 90.0], [0.0, 90.0], depths)
    theta = depths / r
    expected = np.column_stack([r * np.sin(theta), np.zeros_like(theta), -(r - r * np.cos(theta))])
    np.testing.assert_allclose(p, expected, atol=1e-9)
    # beyond the last station: straight down
    q = hole_positions(
        np.zeros(3), [0.0, length], [90.0, 90.0], [0.0, 90.0], np.array([length + 10])
    )
    np.testing.assert_allclose(q[0], [r, 0, -r - 10], atol=1e-9)


def test_station_positions_match_textbook_formula() -> None:
    at = np.array([0.0, 30, 70])
    az = np.array([10.0, 25, 40])
    dip = np.array([80.0, 70, 65])
    p = hole_positions(np.zeros(3), at, az, dip, at)
    t = direction_vectors(az, dip)
    pos = np.zeros(3)
    for k in range(2):
        b = np.arccos(np.clip(t[k] @ t[k + 1], -1, 1))
        rf = 2 / b * np.tan(b / 2)
        pos = pos + (at[k + 1] - at[k]) / 2 * (t[k] + t[k + 1]) * rf
        np.testing.assert_allclose(p[k + 1], pos, atol=1e-9)
    # points along the arc stay at the right path length (chords shorter than depths)
    d = np.linspace(0, 70, 701)
    pp = hole_positions(np.zeros(3), at, az, dip, d)
    assert np.linalg.norm(np.diff(pp, axis=0), axis=1).sum() == pytest.approx(70, rel=1e-6)


def test_desurvey_table_on_small_db(small_db: dict) -> None:  # type: ignore[type-arg]
    from critmin.geostats.desurvey import desurvey_table
    from critmin.geostats.drillholes import ColumnMap, read_drillholes

    dh = read_drillholes(
        small_db["collar"],
        small_db["survey"],
        {"assay": small_db["assay"]},
        columns=ColumnMap(length="LENGTH"),
    )
    t = desurvey_table(dh, dh.table("assay"))
    first = t.iloc[0]
    assert first["zb"] == pytest.approx(500)
    seg = np.linalg.norm(
        t[["xe", "ye", "ze"]].to_numpy() - t[["xb", "yb", "zb"]].to_numpy(), axis=1
    )
    np.testing.assert_allclose(seg, 2.0, rtol=1e-4)
    assert isinstance(t, pd.DataFrame)
