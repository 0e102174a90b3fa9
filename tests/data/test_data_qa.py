"""QA gate: property tests of each rule on synthetic tables, and the rebuilt dataset's QA."""

import json
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.data import qa
from critmin.data.build import BUNDLED_DIR
from critmin.data.schema import OBSERVATION_COLUMNS


def _row(iso3: str, value: float | None, q: str = "reported", **kw: Any) -> dict[str, Any]:
    r: dict[str, Any] = {c: "" for c in OBSERVATION_COLUMNS}
    r.update(
        commodity="tin",
        measure="mine_production",
        product="",
        iso3=iso3,
        entity_type={"WLD": "world", "OTH": "other"}.get(iso3, "country"),
        country=iso3,
        year=2023,
        value=value,
        unit="t",
        qualifier=q,
        raw_value="" if value is None else f"{value:g}",
        edition="MCS2025",
        source_id="usgs_mcs2025_world",
        source_row=2,
    )
    r.update(kw)
    return r


def _table(countries: list[float], world: float, **kw: Any) -> pd.DataFrame:
    rows = [_row(f"C{i:02d}", v) for i, v in enumerate(countries)]
    rows.append(_row("WLD", world, **kw))
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- rounding half-unit
@pytest.mark.parametrize(
    ("raw", "half"), [("238000", 500), ("11000000", 500_000), ("1.57", 0.005), ("7", 0.5)]
)
def test_rounding_half_unit(raw: str, half: float) -> None:
    assert qa.rounding_half_unit(raw) == pytest.approx(half)


# ---------------------------------------------------------------- country sum
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=12))
def test_exact_sum_never_flagged(values: list[int]) -> None:
    assert qa.check_country_sums(_table([float(v) for v in values], float(sum(values)))).empty


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=12), st.floats(3.0, 1000.0))
def test_world_far_above_sum_is_flagged_unexplained(values: list[int], k: float) -> None:
    """World k>=3 times the sum, no rows without value, no 'Other' row: unexplained."""
    f = qa.check_country_sums(_table([float(v) for v in values], float(sum(values)) * k))
    assert list(f["status"]) == ["unexplained"] and f["ratio"].iloc[0] < 0.34


def test_shortfall_with_withheld_row_is_explained_within_limit() -> None:
    t = _table([613.0, 101.0], 1007.0)
    t = pd.concat([t, pd.DataFrame([_row("USA", None, "withheld")])], ignore_index=True)
    f = qa.check_country_sums(t)
    assert list(f["status"]) == ["explained"] and "withheld" in f["reason"].iloc[0]
    # beyond max_missing_share (0.5) a withheld row no longer explains the gap
    t2 = pd.concat(
        [_table([103.0, 101.0], 1007.0), pd.DataFrame([_row("USA", None, "withheld")])],
        ignore_index=True,
    )
    assert list(qa.check_country_sums(t2)["status"]) == ["unexplained"]


def test_sum_above_world_explained_by_exclusion_note() -> None:
    f = qa.check_country_sums(_table([913.0, 307.0], 1003.0, note="Excludes U.S. production."))
    assert list(f["status"]) == ["explained"]


def test_rounded_world_within_tolerance() -> None:
    # world printed '240000' (half-unit 5,000) against countries summing 237,900
    assert qa.check_country_sums(_table([120_400.0, 117_500.0], 240_000.0)).empty


def test_included_elsewhere_rows_are_not_added() -> None:
    t = _table([500.0, 500.0], 1000.0)
    t = pd.concat([t, pd.DataFrame([_row("USA", None, "included_elsewhere")])], ignore_index=True)
    assert qa.check_country_sums(t).empty


# ---------------------------------------------------------------- editions
@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 1e6), st.floats(0.11, 9.9))
def test_edition_jump_within_ratio_passes(v: float, k: float) -> None:
    a = pd.DataFrame([_row("CHN", v)])
    b = pd.DataFrame([_row("CHN", v * k, edition="MCS2026", source_id="x")])
    pub = {"MCS2025": "2025-01-31", "MCS2026": "2026-02-01"}
    assert qa.check_editions(pd.concat([a, b]), pub).empty


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 1e6), st.sampled_from([0.001, 0.05, 11.0, 1000.0]))
def test_edition_jump_beyond_ratio_flagged(v: float, k: float) -> None:
    a = pd.DataFrame([_row("CHN", v)])
    b = pd.DataFrame([_row("CHN", v * k, edition="MCS2026", source_id="x")])
    pub = {"MCS2025": "2025-01-31", "MCS2026": "2026-02-01"}
    f = qa.check_editions(pd.concat([a, b]), pub)
    assert list(f["check"]) == ["edition_jump"] and f["ratio"].iloc[0] == pytest.approx(k)


def test_reserves_compared_across_edition_years() -> None:
    a = pd.DataFrame([_row("CHN", 5900.0, measure="reserves", year=2024)])
    b = pd.DataFrame([_row("CHN", 5_900_000.0, measure="reserves", year=2025, edition="MCS2026")])
    f = qa.check_editions(pd.concat([a, b]), {"MCS2025": "2025", "MCS2026": "2026"})
    assert f["ratio"].iloc[0] == pytest.approx(1000)


def test_ds140_jump() -> None:
    ds = pd.DataFrame([_row("WLD", 300.0, year=2020, edition="DS140", source_id="usgs_ds140")])
    ok = pd.DataFrame([_row("WLD", 350.0, year=2024)])
    bad = pd.DataFrame([_row("WLD", 350_000.0, year=2024)])
    pub = {"DS140": "2021", "MCS2025": "2025"}
    assert qa.check_editions(pd.concat([ds, ok]), pub).empty
    assert list(qa.check_editions(pd.concat([ds, bad]), pub)["check"]) == ["ds140_jump"]


# ---------------------------------------------------------------- units, qualifiers
def test_unit_sanity() -> None:
    obs = pd.DataFrame([_row("CHN", 1.0), _row("USA", 1.0, unit="%")])
    prices = pd.DataFrame(
        {
            "series": ["a", "b"],
            "commodity": ["tin", "tin"],
            "unit": ["USD/t", "USD/bushel"],
            "edition": ["x", "x"],
            "source_id": ["s", "s"],
        }
    )
    f = qa.check_units(obs, prices)
    assert sorted(f["unit"]) == ["%", "USD/bushel"]


def test_estimated_mark_must_be_kept() -> None:
    obs = pd.DataFrame(
        [
            _row("COD", 1.0, basis="Mine production, cobalt content, estimated"),
            _row("CHN", 1.0, note="estimated 2023"),
            _row("RUS", 1.0, basis="Mine production, estimated", qualifier="estimated"),
            _row("USA", 1.0, basis="x, estimated", measure="reserves"),
        ]
    )
    assert sorted(qa.check_qualifiers(obs)["iso3"]) == ["CHN", "COD"]


def test_not_additive_flag_from_xx_world_total() -> None:
    t = _table([1.0, 2.0], 0.0)
    t.loc[t["iso3"] == "WLD", ["value", "qualifier", "note", "raw_value"]] = [
        None,
        "not_available",
        "xx",
        "",
    ]
    f = qa.table_flags(t)
    assert list(f["flag"]) == ["not_additive"]


def test_explanations_match_on_given_keys() -> None:
    f = qa.check_country_sums(_table([1.0], 100.0))
    e = qa.explain(f, [{"check": "country_sum", "commodity": "tin", "reason": "known"}])
    assert list(e["status"]) == ["explained"] and e["reason"].iloc[0].endswith("known")
    e2 = qa.explain(f, [{"check": "country_sum", "commodity": "tin", "year": 1999, "reason": "x"}])
    assert list(e2["status"]) == ["unexplained"]


# ---------------------------------------------------------------- the rebuilt dataset
def test_bundled_qa_has_no_unexplained_finding() -> None:
    q = pd.read_parquet(BUNDLED_DIR / "qa.parquet")
    assert not (q["status"] == "unexplained").any()
    cs = q[q["check"] == "country_sum"]
    assert cs["reason"].str.len().gt(20).all()  # every mismatch carries its reason
    manifest = json.loads((BUNDLED_DIR / "manifest.json").read_text())
    assert not any(k.endswith(":unexplained") for k in manifest["qa"])


def test_bundled_not_additive_tables() -> None:
    f = pd.read_parquet(BUNDLED_DIR / "table_flags.parquet")
    flagged = set(zip(f["commodity"], f["measure"], strict=True))
    assert {("boron", "production"), ("kyanite", "mine_production")} <= flagged


def test_bundled_provenance_and_drop_log() -> None:
    o = pd.read_parquet(BUNDLED_DIR / "observations.parquet")
    p = pd.read_parquet(BUNDLED_DIR / "prices.parquet")
    for df in (o, p):
        assert {"source_id", "edition", "file", "source_row", "url"} <= set(df.columns)
        assert df["file"].notna().all() and df["url"].notna().all()
    sal = o[o["source_id"] == "usgs_mcs2025_salient"]
    assert sal["file"].str.endswith("_salient.csv").all()
    assert {"wb_phosphate_rock", "wb_dap", "wb_urea", "wb_potassium_chloride"} <= set(p["series"])
    d = pd.read_parquet(BUNDLED_DIR / "dropped.parquet")
    assert d["reason"].str.len().gt(10).all()
    assert (d["file"] == "ds140-lithi.tsv").any()  # unmapped files are listed, not silent


# ---------------------------------------------------------------- editions
def test_edition_changes_synthetic() -> None:
    from critmin.data.editions import edition_changes

    a = pd.DataFrame(
        [
            _row("CHN", 100.0, qualifier="estimated"),
            _row("KOR", 3.0),
            _row("CHN", 5.0, measure="reserves", year=2024),
        ]
    )
    b = pd.DataFrame(
        [
            _row("CHN", 120.0, edition="MCS2026"),
            _row("USA", 1.0, edition="MCS2026"),
            _row("CHN", 7.0, measure="reserves", year=2025, edition="MCS2026"),
        ]
    )
    c = edition_changes(pd.concat([a, b]), {"MCS2025": "2025", "MCS2026": "2026"})
    got = {(r.measure, r.iso3): r.change for r in c.itertuples()}
    assert got == {
        ("mine_production", "CHN"): "revised",
        ("mine_production", "KOR"): "disappeared",
        ("mine_production", "USA"): "appeared",
        ("reserves", "CHN"): "revised",  # end-2024 vs end-2025: compared across years
    }
    assert c.set_index("iso3").loc["CHN"].iloc[0]["change_pct"] == pytest.approx(20.0)


def test_gallium_korea_disappears_between_editions() -> None:
    from critmin.data.store import get_store

    c = get_store().edition_changes("gallium")
    kor = c[(c["iso3"] == "KOR") & (c["measure"] == "primary_production")]
    assert list(kor["change"]) == ["disappeared"]
    assert kor["value_old"].iloc[0] == 3.0  # MCS 2025: Korea 3 t (2024e)
