"""Golden tests of table-level semantics on the real reference files (one per fixed defect).

Each expected figure is read off the published MCS 2025 chapter or the data release's
metadata XML, never off critmin's output.
"""

from pathlib import Path

import pandas as pd
import pytest

from critmin.data.readers import read_mcs2025_world, read_salient
from critmin.data.readers._rules import table_rules

pytestmark = pytest.mark.reference

WORLD = "usgs-mcs2025/world_data/MCS2025_World_Data.csv"
SAL = "usgs-mcs2025/salient_commodity"


_CACHE: dict[str, tuple[pd.DataFrame, list[dict]]] = {}


@pytest.fixture
def mcs(reference: Path) -> tuple[pd.DataFrame, list[dict]]:
    if "mcs" not in _CACHE:
        dropped: list[dict] = []
        _CACHE["mcs"] = (read_mcs2025_world(reference / WORLD, dropped), dropped)
    return _CACHE["mcs"]


def _reserves(df: pd.DataFrame, commodity: str) -> pd.Series:
    r = df[(df["commodity"] == commodity) & (df["measure"] == "reserves")]
    return r.set_index("iso3")["value"]


def test_molybdenum_reserves_whole_table_note(mcs: tuple[pd.DataFrame, list]) -> None:
    """'Reserve data is thousand metric tons' on 4 rows applies to all 17 (China 5.9 Mt)."""
    r = _reserves(mcs[0], "molybdenum")
    assert r["CHN"] == 5_900_000 and r["USA"] == 3_500_000 and r["WLD"] == 15_000_000
    countries = r.drop("WLD").sum()
    assert 0.9 * r["WLD"] <= countries <= 1.1 * r["WLD"]  # consistent with the world total


def test_vanadium_reserves_in_tonnes(mcs: tuple[pd.DataFrame, list]) -> None:
    r = _reserves(mcs[0], "vanadium")
    assert r["AUS"] == 8_500_000 and r["WLD"] == 18_000_000
    assert r.drop("WLD").sum() == 18_195_000  # 45+8,500+120+4,100+5,000+430 thousand t


def test_magnesium_metal_has_capacity_not_reserves(mcs: tuple[pd.DataFrame, list]) -> None:
    df, dropped = mcs
    mg = df[df["commodity"] == "magnesium"]
    assert "reserves" not in set(mg["measure"])
    cap = mg[(mg["measure"] == "capacity") & (mg["year"] == 2024)].set_index("iso3")["value"]
    assert cap["KAZ"] == 30_000 and cap["WLD"] == 2_100_000
    rows = [d for d in dropped if d["column"] == "RESERVES_2024"]
    assert len(rows) == 10 and all("capacity" in d["reason"] for d in rows)


def test_pgm_reserves_are_a_group_total(mcs: tuple[pd.DataFrame, list]) -> None:
    df = mcs[0]
    assert not len(df[(df["commodity"] == "palladium") & (df["measure"] == "reserves")])
    r = _reserves(df, "platinum_group_metals")
    assert r["WLD"] == 81_000 and r["ZAF"] == 63_000  # 81,000,000 kg PGMs


def test_titanium_concentrates_in_thousand_tonnes(mcs: tuple[pd.DataFrame, list]) -> None:
    df = mcs[0]
    t = df[
        (df["commodity"] == "titanium_mineral_concentrates")
        & (df["iso3"] == "WLD")
        & (df["year"] == 2023)
        & (df["measure"] != "reserves")
    ]
    assert set(t["value"]) >= {8_840_000.0, 590_000.0}  # 8,840 and 590 thousand t TiO2
    assert t["note"].str.contains("override titanium_concentrates_unit").all()


def test_type_suffix_estimated(mcs: tuple[pd.DataFrame, list]) -> None:
    df = mcs[0]
    cod = df[(df["commodity"] == "cobalt") & (df["iso3"] == "COD") & (df["year"] == 2023)]
    assert cod.set_index("measure").loc["mine_production", "qualifier"] == "estimated"
    est = df[
        df["basis"].str.strip().str.lower().str.endswith("estimated")
        & (df["year"] == 2023)
        & (df["measure"] != "reserves")
        & df["value"].notna()
    ]
    assert len(est) >= 231 and (est["qualifier"] == "estimated").all()


def test_capacity_2024_is_estimated_unless_reported(mcs: tuple[pd.DataFrame, list]) -> None:
    df = mcs[0]
    cap = df[(df["measure"] == "capacity") & (df["year"] == 2024) & df["value"].notna()]
    assert (cap["qualifier"] == "estimated").sum() >= 80
    assert set(cap["qualifier"]) <= {"estimated", "reported"}


def test_every_rule_cites_its_source() -> None:
    rules = table_rules()
    for key in ("table_notes", "reserves_column", "group_reserves", "overrides"):
        assert rules[key], key
        for r in rules[key]:
            assert "MCS 2025" in r["cite"] or "RESERVE_NOTES" in r["cite"], r


def test_salient_units_from_metadata(reference: Path) -> None:
    d = reference / SAL

    def read(ab: str, c: str) -> pd.DataFrame:
        return read_salient(d / f"mcs2025-{ab}_salient.csv", c, d / f"mcs2025-{ab}_meta.xml")[0]

    w = read("tungs", "tungsten").set_index(["series", "period"])
    assert w.loc[("usgs_tungsten_wo3", "2024"), "unit"] == "USD/mtu WO3"
    assert w.loc[("usgs_tungsten_wo3", "2024"), "qualifier"] == "estimated"
    v = w.loc[("usgs_tungsten_wo3_usd_t_metal", "2024")]
    assert v["unit"] == "USD/t W" and v["value"] == pytest.approx(250 * 100 * 231.84 / 183.84)
    mn = read("manga", "manganese").set_index(["series", "period"])
    assert mn.loc[("usgs_manganese_cn_cif", "2020"), "unit"] == "USD/mtu Mn"
    assert mn.loc[("usgs_manganese_cn_cif_usd_t_metal", "2020"), "value"] == pytest.approx(458)
    mica = read("mica", "mica").set_index(["series", "period"])
    assert mica.loc[("usgs_mica_sheet_splittings", "2020"), "unit"] == "USD/kg"
    assert mica.loc[("usgs_mica_sheet_splittings", "2020"), "qualifier"] == "estimated"
    mg = read("mgmet", "magnesium").set_index(["series", "period"])
    # metadata: first price column is US spot in USD/lb, second European in USD/t
    assert mg.loc[("usgs_magnesium_us_spot", "2020"), ["value", "unit"]].tolist() == [
        2.48,
        "USD/lb",
    ]
    assert mg.loc[("usgs_magnesium_european", "2020"), ["value", "unit"]].tolist() == [
        2149,
        "USD/t",
    ]


def test_ds140_coverage_and_duplicate_year(reference: Path) -> None:
    from critmin.data.readers import read_ds140

    dropped: list[dict] = []
    w, _u = read_ds140(
        reference / "usgs-ds140/tsv/ds140-lithi.tsv", "lithium", "mine_production", "", dropped
    )
    by = w.set_index("year")["value"]
    assert by[2019] == 86_000 and by[2021] == 107_000  # first of the two rows labelled 2021
    assert [d["row"] for d in dropped] == [128]
    cr, _ = read_ds140(
        reference / "usgs-ds140/tsv/ds140-chrom.tsv",
        "chromium",
        "mine_production",
        "chromium_content",
    )
    assert set(cr["product"]) == {"chromium_content"}  # not mixed with MCS chromite ore


def test_salient_short_ton_and_content_units(reference: Path) -> None:
    d = reference / SAL
    p, _ = read_salient(d / "mcs2025-sodaa_salient.csv", "soda_ash", d / "mcs2025-sodaa_meta.xml")
    st = p[p["series"] == "usgs_soda_ash_price_dst"].iloc[0]
    raw = float(pd.read_csv(d / "mcs2025-sodaa_salient.csv", dtype=str)["Price_dst"].iloc[0])
    assert st["unit"] == "USD/t" and st["value"] == pytest.approx(raw / 0.90718474)
    k, _ = read_salient(d / "mcs2025-potas_salient.csv", "potash", d / "mcs2025-potas_meta.xml")
    assert set(k["unit"]) == {"USD/t K2O"}
