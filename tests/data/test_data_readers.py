"""Readers on small hand-written fixtures with the sources' quirks."""

from pathlib import Path

import pandas as pd
import pytest

from critmin.data.readers import read_mcs2025_world, read_mcs2026_world
from critmin.errors import InputFileError


@pytest.fixture
def mini(fixtures: Path) -> pd.DataFrame:
    return read_mcs2025_world(fixtures / "mcs_world_mini.csv")


def _one(df: pd.DataFrame, **kw: object) -> pd.Series:
    m = pd.Series(True, index=df.index)
    for k, v in kw.items():
        m &= df[k] == v
    hit = df[m]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_withheld_is_not_zero(mini: pd.DataFrame) -> None:
    r = _one(mini, commodity="antimony", iso3="USA", measure="mine_production", year=2024)
    assert r["qualifier"] == "withheld"
    assert pd.isna(r["value"])


def test_estimated_2023_and_2024(mini: pd.DataFrame) -> None:
    assert (
        _one(mini, commodity="antimony", iso3="CHN", measure="mine_production", year=2023)[
            "qualifier"
        ]
        == "estimated"
    )
    rus23 = _one(mini, commodity="antimony", iso3="RUS", measure="mine_production", year=2023)
    assert rus23["qualifier"] == "reported" and rus23["value"] == 13000
    # the 2024 column of MCS 2025 is an estimate
    assert (
        _one(mini, commodity="antimony", iso3="RUS", measure="mine_production", year=2024)[
            "qualifier"
        ]
        == "estimated"
    )


def test_trailing_space_and_footnote_in_names(mini: pd.DataFrame) -> None:
    assert "RUS" in set(mini["iso3"])
    w = _one(mini, commodity="antimony", iso3="WLD", measure="reserves")
    assert w["entity_type"] == "world"
    assert w["country"] == "World total (rounded)"


def test_lower_bound(mini: pd.DataFrame) -> None:
    w = _one(mini, commodity="antimony", iso3="WLD", measure="reserves")
    assert (
        w["qualifier"] == "lower_bound" and w["value"] == 2_000_000 and w["raw_value"] == ">2000000"
    )


def test_germanium_typo_and_blank_means_withheld(mini: pd.DataFrame) -> None:
    g = mini[mini["commodity"] == "germanium"]
    assert set(g["qualifier"]) == {"withheld"}
    assert g["value"].isna().all()


def test_units_converted_to_tonnes(mini: pd.DataFrame) -> None:
    cu = _one(mini, commodity="copper", iso3="CHL", measure="mine_production", year=2023)
    assert (
        cu["value"] == 5_250_000 and cu["unit"] == "t" and cu["raw_unit"] == "thousand metric tons"
    )


def test_other_countries_is_an_aggregate(mini: pd.DataFrame) -> None:
    o = _one(mini, commodity="copper", iso3="OTH", measure="mine_production", year=2023)
    assert o["entity_type"] == "other"


def test_negligible(mini: pd.DataFrame) -> None:
    h = _one(mini, commodity="helium", iso3="ZAF", year=2023)
    assert h["qualifier"] == "negligible" and pd.isna(h["value"]) and h["unit"] == "m3"


def test_reserve_unit_from_note(mini: pd.DataFrame) -> None:
    mo = _one(mini, commodity="molybdenum", iso3="CHL", measure="reserves")
    assert mo["value"] == 1_400_000  # 1,400 thousand t
    prod = _one(mini, commodity="molybdenum", iso3="CHL", measure="mine_production", year=2023)
    assert prod["value"] == 37_000


def test_qualitative_and_included_reserves(mini: pd.DataFrame) -> None:
    assert _one(mini, commodity="tin", iso3="MYS", measure="reserves")["qualifier"] == "qualitative"
    assert (
        _one(mini, commodity="tin", iso3="CAN", measure="reserves")["qualifier"]
        == "included_elsewhere"
    )


def test_source_row_points_at_the_line(mini: pd.DataFrame) -> None:
    assert _one(mini, commodity="antimony", iso3="CHN", measure="reserves")["source_row"] == 3


def test_bad_value_names_file_line_column(tmp_path: Path, fixtures: Path) -> None:
    text = (
        (fixtures / "mcs_world_mini.csv")
        .read_text(encoding="utf-8-sig")
        .replace("62300", "about 62k")
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as ei:
        read_mcs2025_world(bad)
    assert ei.value.line == 3 and ei.value.column == "PROD_2023" and "bad.csv" in str(ei.value)


def test_unknown_country_fails_loudly(tmp_path: Path, fixtures: Path) -> None:
    text = (
        (fixtures / "mcs_world_mini.csv")
        .read_text(encoding="utf-8-sig")
        .replace("Laos", "Atlantis")
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match="Atlantis"):
        read_mcs2025_world(bad)


def test_unknown_unit_fails_loudly(tmp_path: Path, fixtures: Path) -> None:
    text = (
        (fixtures / "mcs_world_mini.csv")
        .read_text(encoding="utf-8-sig")
        .replace("million cubic meters", "buckets")
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match="UNIT_MEAS"):
        read_mcs2025_world(bad)


def test_mcs2026_extract(fixtures: Path) -> None:
    df = read_mcs2026_world(fixtures / "mcs2026_mini.csv")
    usa25 = _one(df, iso3="USA", year=2025, measure="mine_production")
    assert usa25["qualifier"] == "withheld" and pd.isna(usa25["value"])
    usa24 = _one(df, iso3="USA", year=2024, measure="mine_production")
    assert usa24["value"] == 0 and usa24["qualifier"] == "reported"
    assert _one(df, iso3="WLD", measure="reserves")["qualifier"] == "lower_bound"
    assert set(df["edition"]) == {"MCS2026"}
