"""Golden tests on the real reference files (skipped when ../shared/reference is absent)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from critmin.data.build import BUNDLED_DIR, build_dataset
from critmin.data.readers import read_mcs2025_world, read_pinksheet, read_salient, read_wgi

pytestmark = pytest.mark.reference


def test_bundled_dataset_is_reproducible(reference: Path, tmp_path: Path) -> None:
    """Rebuilding from the reference files gives exactly the committed dataset."""
    manifest = build_dataset(reference, tmp_path)
    committed = json.loads((BUNDLED_DIR / "manifest.json").read_text())
    assert manifest["rows"] == committed["rows"]
    assert manifest["fingerprint"] == committed["fingerprint"]


def test_mcs2025_golden(reference: Path) -> None:
    df = read_mcs2025_world(reference / "usgs-mcs2025/world_data/MCS2025_World_Data.csv")
    g = df[
        (df["commodity"] == "gallium")
        & (df["measure"] == "primary_production")
        & (df["year"] == 2023)
    ]
    assert g.set_index("iso3").loc["CHN", "value"] == 621.0  # 621,000 kg
    assert g.set_index("iso3").loc["WLD", "value"] == 633.0
    sb = df[
        (df["commodity"] == "antimony") & (df["iso3"] == "WLD") & (df["measure"] == "reserves")
    ].iloc[0]
    assert sb["qualifier"] == "lower_bound" and sb["value"] == 2_000_000
    assert (df["qualifier"] == "withheld").sum() >= 14
    assert not df.duplicated(["commodity", "measure", "product", "iso3", "year", "country"]).any()


def test_pinksheet_golden(reference: Path) -> None:
    p = read_pinksheet(
        reference / "worldbank-pinksheet/pinksheet_monthly_prices_1960-2026.csv",
        {"Tin ($/mt)": "tin"},
    )
    assert p["period"].iloc[0] == "1960-01"
    assert p.set_index("period").loc["2026-05", "value"] == pytest.approx(53562.79)


def test_salient_golden(reference: Path) -> None:
    prices, nir = read_salient(
        reference / "usgs-mcs2025/salient_commodity/mcs2025-germa_salient.csv", "germanium"
    )
    assert set(prices["series"]) == {"usgs_germanium_metal", "usgs_germanium_geo2"}
    assert set(nir["qualifier"]) == {"lower_bound"}


def test_wgi_golden(reference: Path) -> None:
    w = read_wgi(reference / "worldbank-wgi/WGIData.csv")
    assert set(w["dimension"]) == {"CC", "GE", "PV", "RQ", "RL", "VA"}
    kaz = w[(w["iso3"] == "KAZ") & (w["year"] == 2022)]
    assert len(kaz) == 6 and kaz["std_error"].notna().all()
    assert isinstance(w, pd.DataFrame)
