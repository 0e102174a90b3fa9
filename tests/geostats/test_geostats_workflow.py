from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from geostats_fixtures import REFERENCE, SMALL_SPEC, write

from critmin.errors import SpecError, UnitError
from critmin.geostats.blockmodel import BlockModel, block_density
from critmin.geostats.classify import ClassCriteria, ClassificationRule, classify
from critmin.geostats.report import contained_metal, grade_tonnage, resource_report
from critmin.geostats.spec import load_spec
from critmin.geostats.variogram import (
    Structure,
    VariogramModel,
    experimental_variogram,
    fit_variogram,
)
from critmin.geostats.wireframe import inside_wireframe, read_stl


def test_spec_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = SMALL_SPEC.replace("max_samples: 12", "max_samples: -1")
    p = write(tmp_path / "bad.yaml", bad)
    with pytest.raises(SpecError) as e:
        load_spec(p)
    assert e.value.field == "search.max_samples"
    assert "bad.yaml" in str(e.value)
    p2 = write(
        tmp_path / "bad2.yaml",
        SMALL_SPEC.replace(
            "fit: {kinds: [spherical]}", "fit: {kinds: [spherical]}\n  model: {structures: []}"
        ),
    )
    with pytest.raises(SpecError, match="variogram"):
        load_spec(p2)
    p3 = write(tmp_path / "bad3.yaml", "name: [unclosed")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(p3)


def test_run_spec_end_to_end(small_spec: Path) -> None:
    from critmin.geostats.workflow import run_spec

    r = run_spec(small_spec)
    assert len(r.blocks) > 50
    assert set(r.blocks["class"]) <= {"measured", "indicated", "inferred", "unclassified"}
    assert (r.blocks["z"] < 500).all()  # below the collars
    assert set(r.blocks["density"]) <= {2.4, 2.7}
    rep = r.resource_at_reporting_cutoff()
    tot = rep[rep["class"] == "total"].iloc[0]
    parts = rep[rep["class"].isin(["measured", "indicated", "inferred"])]
    assert tot["tonnes"] == pytest.approx(parts["tonnes"].sum())
    assert tot["metal"] == pytest.approx(tot["tonnes"] * tot["grade"] / 100)
    assert abs(r.validation["relative_difference_pass1"]) < 0.15
    assert r.exploration["hit"]["holes_assayed"] == 12
    sw = r.swath("x")
    assert {"composite_mean", "block_mean"} <= set(sw.columns)
    cv = r.cross_validation()
    assert cv["estimate"].notna().mean() > 0.9


def test_estimate_blocks_chunks_match(small_spec: Path, tmp_path: Path) -> None:
    from critmin.geostats.workflow import (
        build_block_model,
        build_composites,
        estimate_blocks,
        load_drillholes,
        searches_for,
        variogram_for,
    )

    sp = load_spec(small_spec)
    dh = load_drillholes(sp)
    comps, _ = build_composites(sp, dh)
    _, model = variogram_for(sp, comps)
    bm, _ = build_block_model(sp, comps, dh)
    a = estimate_blocks(bm, comps, model, searches_for(sp), chunk_size=10_000)
    b = estimate_blocks(
        bm, comps, model, searches_for(sp), chunk_size=37, out_dir=tmp_path / "parts"
    )
    pd.testing.assert_frame_equal(a, b)
    parts = sorted((tmp_path / "parts").glob("part-*.parquet"))
    assert len(parts) == len(list(bm.chunks(37)))
    assert sum(len(pd.read_parquet(p)) for p in parts) == len(a)
    hard = estimate_blocks(
        bm, comps, model, searches_for(sp), hard_domains=True, domain_distance=30
    )
    assert len(hard) > 0


def test_block_model_geometry() -> None:
    bm = BlockModel.from_extent(np.array([[1.0, 2, 3], [19, 18, 7]]), (5, 5, 2), padding=1)
    assert bm.origin == (0.0, 0.0, 2.0)
    assert bm.shape == (4, 4, 3)
    c = bm.centroids()
    assert c[0].tolist() == [2.5, 2.5, 3.0] and c[1].tolist() == [7.5, 2.5, 3.0]
    assert bm.n_blocks == len(c) == 48
    np.testing.assert_array_equal(bm.to_frame(10, 12)["block"], [10, 11])
    assert block_density(pd.Series(["a", "b"]), {"a": 2.0}, default=3.0).tolist() == [2.0, 3.0]


def _cube_stl(path: Path, lo: float, hi: float) -> Path:
    v = np.array([[x, y, z] for x in (lo, hi) for y in (lo, hi) for z in (lo, hi)])
    faces = [
        (0, 1, 3),
        (0, 3, 2),
        (4, 6, 7),
        (4, 7, 5),
        (0, 4, 5),
        (0, 5, 1),
        (2, 3, 7),
        (2, 7, 6),
        (0, 2, 6),
        (0, 6, 4),
        (1, 5, 7),
        (1, 7, 3),
    ]
    data = bytearray(b"\0" * 80) + struct.pack("<I", len(faces))
    for f in faces:
        data += (
            struct.pack("<3f", 0, 0, 0) + b"".join(struct.pack("<3f", *v[i]) for i in f) + b"\0\0"
        )
    path.write_bytes(bytes(data))
    return path


def test_inside_wireframe_cube(tmp_path: Path) -> None:
    tri = read_stl(_cube_stl(tmp_path / "cube.stl", 2.0, 8.0))
    assert tri.shape == (12, 3, 3)
    bm = BlockModel((0.0, 0.0, 0.0), (1.0, 1.0, 1.0), (10, 10, 10))
    inside = inside_wireframe(bm, tri)
    c = bm.centroids()
    expected = ((c > 2) & (c < 8)).all(axis=1)
    np.testing.assert_array_equal(inside, expected)
    ascii_stl = (
        "solid t\n"
        + "".join(
            "facet normal 0 0 0\nouter loop\n"
            + "".join(f"vertex {p[0]} {p[1]} {p[2]}\n" for p in t)
            + "endloop\nendfacet\n"
            for t in tri
        )
        + "endsolid t\n"
    )
    np.testing.assert_allclose(read_stl(write(tmp_path / "a.stl", ascii_stl)), tri)


@pytest.mark.reference
def test_babbitt_feet_and_wireframe() -> None:
    d = REFERENCE / "drillholes" / "babbitt"
    from critmin.geostats.drillholes import ColumnMap, read_drillholes

    cols = ColumnMap(hole="BHID", x="XCOLLAR", y="YCOLLAR", z="ZCOLLAR", azimuth="AZ")
    dh = read_drillholes(
        d / "collar_BABBITT.csv",
        d / "survey_BABBITT.csv",
        {"assay": d / "assay_BABBITT.csv"},
        columns=cols,
        units="ft",
    )
    assert len(dh.collar) == 399
    tri = read_stl(d / "Mpz.stl", scale=0.3048)
    lo, hi = tri.reshape(-1, 3).min(axis=0), tri.reshape(-1, 3).max(axis=0)
    bm = BlockModel.from_extent(np.vstack([lo, hi]), (50.0, 50.0, 15.0))
    inside = inside_wireframe(bm, tri)
    assert 0.01 < inside.mean() < 0.9


def test_grade_tonnage_and_units() -> None:
    g = np.array([0.1, 0.5, 1.0, np.nan])
    t = np.array([100.0, 200.0, 300.0, 50.0])
    gt = grade_tonnage(g, t, [0.0, 0.5], "%", "t")
    assert gt["tonnes"].tolist() == [600.0, 500.0]
    assert gt["grade"].iloc[1] == pytest.approx((0.5 * 200 + 300) / 500)
    assert gt["metal"].iloc[1] == pytest.approx(4.0)
    assert float(contained_metal(1e6, 1.0, "g/t", "oz")) == pytest.approx(32150.7466, rel=1e-6)
    assert float(contained_metal(1000, 1.0, "%", "lb")) == pytest.approx(22046.226, rel=1e-6)
    with pytest.raises(UnitError):
        contained_metal(1.0, 1.0, "oz/t", "t")


def test_classify_rule_and_report() -> None:
    b = pd.DataFrame(
        {
            "search_pass": [1, 1, 2, 3, 0],
            "n_holes": [3, 2, 2, 1, 0],
            "mean_distance": [10.0, 10, 30, 80, np.nan],
            "variance": [0.1, 0.2, 0.5, 0.9, np.nan],
            "estimate": [1.0, 2.0, 3.0, 4.0, np.nan],
            "tonnes": [10.0, 10, 10, 10, 10],
        }
    )
    c = classify(b)
    assert c.tolist() == ["measured", "indicated", "indicated", "inferred", "unclassified"]
    strict = ClassificationRule(
        indicated=ClassCriteria(max_pass=2, min_holes=2, max_relative_variance=0.3)
    )
    assert classify(b, strict, sill=1.0).tolist()[2] == "inferred"
    b["class"] = c
    rep = resource_report(b, [0.0, 2.5], grade_unit="%", metal_unit="t")
    mi = rep[(rep["class"] == "measured+indicated") & (rep["cutoff"] == 0.0)].iloc[0]
    assert mi["tonnes"] == 30 and mi["grade"] == pytest.approx(2.0)


def test_variogram_experimental_and_fit() -> None:
    # regular 1-D series along x: gamma at lag 1 by hand
    x = np.column_stack([np.arange(6.0), np.zeros(6), np.zeros(6)])
    v = np.array([1.0, 3, 2, 5, 4, 6])
    e = experimental_variogram(x, v, lag=1.0, n_lags=2)
    d1 = np.diff(v)
    assert e["gamma"].iloc[0] == pytest.approx(np.sum(d1**2) / (2 * 5))
    assert e["pairs"].tolist() == [5, 4]
    assert experimental_variogram(x, v, 1.0, 2, azimuth=0.0)["pairs"].sum() == 0  # north: none
    assert experimental_variogram(x, v, 1.0, 2, azimuth=90.0)["pairs"].sum() == 9
    # fit recovers a known model from its own exact values
    true = VariogramModel(0.1, (Structure("spherical", 0.9, (40.0, 40.0, 40.0)),))
    lags = np.arange(2.0, 60, 4)
    exp = pd.DataFrame(
        {
            "lag": lags,
            "distance": lags,
            "gamma": true.gamma_along(lags),
            "pairs": 100,
            "azimuth": np.nan,
            "dip": np.nan,
        }
    )
    fit = fit_variogram(exp, ["spherical"])
    assert fit.nugget == pytest.approx(0.1, abs=0.02)
    assert fit.structures[0].ranges[0] == pytest.approx(40, rel=0.05)
    # anisotropic gamma: along the major axis the range is longer
    an = VariogramModel(0.0, (Structure("spherical", 1.0, (100.0, 50.0, 10.0), azimuth=45.0),))
    assert an.gamma_along(np.array([30.0]), 45.0)[0] < an.gamma_along(np.array([30.0]), 135.0)[0]
    assert an.gamma_along(np.array([10.0]), 0.0, 90.0)[0] == pytest.approx(1.0)


def test_deposit_section(small_spec: Path) -> None:
    from critmin.report.sections import deposit_section

    out = deposit_section(small_spec)
    assert isinstance(out.tables["resource"], pd.DataFrame) and len(out.tables["resource"]) == 5
    assert {"grade_tonnage", "swath_x", "variogram"} <= set(out.figures)
    assert out.figures["grade_tonnage"].to_html(include_plotlyjs=False)
