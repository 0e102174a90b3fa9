"""Helpers and fixtures for the geostats tests: a tiny drillhole data set written per test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO.parent / "shared" / "reference"


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_db(tmp_path: Path) -> dict[str, Path]:
    """Twelve vertical-ish holes on a 30 m grid with a smooth grade trend."""
    rng = np.random.default_rng(42)
    collar = ["HOLEID,X,Y,Z,LENGTH"]
    survey = ["HOLEID,AT,AZM,DIP"]
    assay = ["HOLEID,FROM,TO,CU"]
    litho = ["HOLEID,FROM,TO,LITH"]
    k = 0
    for i in range(4):
        for j in range(3):
            h = f"H{k:02d}"
            k += 1
            x, y = 1000 + 30 * i, 2000 + 30 * j
            collar.append(f"{h},{x},{y},500,60")
            survey.append(f"{h},0,45,85")
            survey.append(f"{h},60,45,80")
            for d in range(0, 60, 2):
                g = 0.5 + 0.01 * (x - 1000) + 0.005 * d + rng.normal(0, 0.05)
                assay.append(f"{h},{d},{d + 2},{g:.3f}")
            litho.append(f"{h},0,30,OX")
            litho.append(f"{h},30,60,FR")
    return {
        "collar": write(tmp_path / "collar.csv", "\n".join(collar)),
        "survey": write(tmp_path / "survey.csv", "\n".join(survey)),
        "assay": write(tmp_path / "assay.csv", "\n".join(assay)),
        "litho": write(tmp_path / "litho.csv", "\n".join(litho)),
    }


SMALL_SPEC = """
name: small test deposit
drillholes:
  collar: collar.csv
  survey: survey.csv
  assay: assay.csv
  tables: {litho: litho.csv}
  columns: {hole: HOLEID, x: X, y: Y, z: Z, length: LENGTH, at: AT, azimuth: AZM, dip: DIP, from: FROM, to: TO}
grade: {column: CU, unit: "%", metal: Cu, metal_unit: t}
domain: {table: litho, column: LITH, block_max_distance: 30}
composite: {length: 6}
top_cut: 2.5
declustering: {cell_sizes: [20, 40]}
variogram:
  experimental: {lag: 10, n_lags: 6}
  fit: {kinds: [spherical]}
block_model:
  size: [15, 15, 10]
  padding: 0
  density: {OX: 2.4, FR: 2.7}
  below_collars: true
search: {ranges: [60, 60, 30], min_samples: 3, max_samples: 12, max_per_hole: 3, passes: [1, 2]}
exploration: {threshold: 1.5, intercepts: {cutoff: 1.0, min_width: 4, max_dilution: 2}}
report: {cutoffs: [0.5, 1.0, 1.5], reporting_cutoff: 1.0}
"""


@pytest.fixture
def small_spec(small_db: dict[str, Path]) -> Path:
    return write(small_db["collar"].parent / "spec.yaml", SMALL_SPEC)
