"""The store built from the bundled dataset (no ../shared needed)."""

from pathlib import Path

import pandas as pd
import pytest

import critmin
from critmin.data.importer import import_observations
from critmin.data.store import Store, get_store
from critmin.errors import InputFileError


def test_latest_edition_by_default() -> None:
    g = critmin.production("gallium", 2024)
    chn = g[g["iso3"] == "CHN"].iloc[0]
    assert chn["edition"] == "MCS2026" and chn["value"] == 839.0
    old = critmin.production("gallium", 2024, edition="MCS2025")
    assert old[old["iso3"] == "CHN"].iloc[0]["value"] == 750.0


def test_done_when_gallium_rank() -> None:
    r = critmin.rank("gallium", 2024, add={"KAZ": "15t"}).set_index("iso3")
    assert r.loc["CHN", "rank"] == 1
    assert 0.98 <= r.loc["CHN", "share_before"] <= 0.99
    assert r.loc["KAZ", "rank"] == 2


def test_done_when_tin_price_doubled() -> None:
    p = critmin.price("tin", 2020, 2025, annual=True).set_index("year")
    ratio = p.loc[2025, "value"] / p.loc[2020, "value"]
    assert 1.8 <= ratio <= 2.2


def test_done_when_antimony_revision() -> None:
    rv = critmin.revisions("antimony")
    chn = rv[
        (rv["iso3"] == "CHN") & (rv["year"] == 2024) & (rv["measure"] == "mine_production")
    ].iloc[0]
    assert chn["edition_old"] == "MCS2025" and chn["edition_new"] == "MCS2026"
    assert chn["value_old"] == 60000 and chn["value_new"] == 40000


def test_withheld_never_zero_in_production() -> None:
    g = critmin.production("germanium")
    assert (g["qualifier"] == "withheld").all()
    assert g["value"].isna().all()


def test_aggregates_flagged() -> None:
    cu = critmin.production("copper", 2024)
    assert set(cu.loc[cu["iso3"] == "WLD", "entity_type"]) == {"world"}
    countries = cu[cu["entity_type"] == "country"]
    oth = cu[cu["entity_type"] == "other"]
    assert countries["share"].sum() + oth["share"].sum() == pytest.approx(1.0)


def test_sources_have_licence_and_citation() -> None:
    s = critmin.sources()
    assert s["licence"].notna().all() and s["citation"].notna().all()
    assert {"usgs_mcs2025_world", "worldbank_pinksheet", "cepii_baci", "worldbank_wgi"} <= set(
        s["source_id"]
    )


def test_every_observation_has_source_and_edition() -> None:
    o = get_store().observations(all_editions=True)
    assert o["source_id"].notna().all() and o["edition"].notna().all()


def test_country_profile_kazakhstan_gold_reserves() -> None:
    p = critmin.country("Kazakhstan", top=20)
    gold = p[(p["commodity"] == "gold") & (p["measure"] == "reserves")]
    assert len(gold) == 1 and int(gold["rank"].iloc[0]) <= 20


def test_store_recreated_when_missing(tmp_path: Path) -> None:
    st = Store(tmp_path / "x.duckdb")
    assert len(st.commodities()) > 50
    st.close()


def _write(p: Path, text: str) -> Path:
    p.write_text(text)
    return p


def test_import_transactional(tmp_path: Path) -> None:
    db = tmp_path / "imp.duckdb"
    st = Store(db, read_only=False)
    bad = _write(
        tmp_path / "bad.csv",
        "commodity,measure,iso3,year,value,unit,source\n"
        "gallium,primary_production,KAZ,2026,15,t,ERG\n"
        "gallium,primary_production,KAZ,2027,-3,t,ERG\n",
    )
    with pytest.raises(InputFileError) as ei:
        import_observations(bad, st)
    assert ei.value.line == 3 and ei.value.column == "value"
    assert st.sql("SELECT count(*) AS n FROM user_observations")["n"].iloc[0] == 0
    good = _write(
        tmp_path / "good.csv",
        "commodity,measure,iso3,year,value,unit,source,qualifier\n"
        "gallium,primary_production,KAZ,2026,15000,kg,ERG plan,estimated\n",
    )
    assert import_observations(good, st) == 1
    u = st.observations("gallium", "primary_production", 2026)
    assert u.iloc[0]["value"] == pytest.approx(15.0) and u.iloc[0]["country"] == "Kazakhstan"
    st.close()


@pytest.mark.parametrize(
    ("line", "column", "match"),
    [
        ("nonsense,primary_production,KAZ,2026,15,t,x", "commodity", "unknown commodity"),
        ("gallium,mine_output,KAZ,2026,15,t,x", "measure", "unknown measure"),
        ("gallium,primary_production,XYZ,2026,15,t,x", "iso3", "unknown country"),
        ("gallium,primary_production,KAZ,2026,15,buckets,x", "unit", "unknown unit"),
        ("gallium,primary_production,KAZ,20x6,15,t,x", "year", "not an integer"),
        ("gallium,primary_production,CHN,2024,1,t,x", "value", "conflicts with MCS2026"),
    ],
)
def test_import_errors_name_line_and_column(
    tmp_path: Path, line: str, column: str, match: str
) -> None:
    st = Store(tmp_path / "e.duckdb", read_only=False)
    f = _write(tmp_path / "e.csv", "commodity,measure,iso3,year,value,unit,source\n" + line + "\n")
    with pytest.raises(InputFileError, match=match) as ei:
        import_observations(f, st)
    assert ei.value.line == 2 and ei.value.column == column
    st.close()


def test_import_duplicate_conflict_within_file(tmp_path: Path) -> None:
    st = Store(tmp_path / "d.duckdb", read_only=False)
    f = _write(
        tmp_path / "d.csv",
        "commodity,measure,iso3,year,value,unit,source\n"
        "tin,mine_production,KAZ,2030,10,t,x\n"
        "tin,mine_production,KAZ,2030,11,t,x\n",
    )
    with pytest.raises(InputFileError, match="duplicate of line 2"):
        import_observations(f, st)
    st.close()


def test_user_rows_do_not_move_default_year(tmp_path: Path) -> None:
    st = Store(tmp_path / "y.duckdb", read_only=False)
    f = _write(
        tmp_path / "y.csv",
        "commodity,measure,iso3,year,value,unit,source\ntin,mine_production,KAZ,2030,10,t,x\n",
    )
    import_observations(f, st)
    df = critmin.production("tin", store=st)
    assert df.attrs["year"] == 2024
    assert isinstance(df, pd.DataFrame)
    st.close()
