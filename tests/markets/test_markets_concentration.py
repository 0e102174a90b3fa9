"""Shares, ranks, HHI: unit tests and hypothesis property tests."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critmin.errors import ValidationError
from critmin.markets import concentration, hhi, rank, shares


def table(
    values: dict[str, float | None], other: float | None = None, world: float | None = None
) -> pd.DataFrame:
    rows = []
    for iso, v in values.items():
        rows.append(
            {
                "iso3": iso,
                "entity_type": "country",
                "value": v,
                "qualifier": "reported" if v is not None else "withheld",
                "unit": "t",
            }
        )
    if other is not None:
        rows.append(
            {
                "iso3": "OTH",
                "entity_type": "other",
                "value": other,
                "qualifier": "reported",
                "unit": "t",
            }
        )
    if world is not None:
        rows.append(
            {
                "iso3": "WLD",
                "entity_type": "world",
                "value": world,
                "qualifier": "reported",
                "unit": "t",
            }
        )
    return pd.DataFrame(rows)


def test_shares_and_ranks() -> None:
    sh = shares(table({"CHN": 90.0, "JPN": 5.0, "RUS": 5.0}, world=100.0)).set_index("iso3")
    assert sh.loc["CHN", "share"] == pytest.approx(0.9)
    assert sh.loc["CHN", "rank"] == 1
    assert sh.loc["JPN", "rank"] == sh.loc["RUS", "rank"] == 2  # ties share a rank


def test_world_row_never_summed() -> None:
    sh = shares(table({"A": 50.0, "B": 50.0}, world=1000.0))
    assert "WLD" not in set(sh["iso3"])
    assert sh["share"].sum() == pytest.approx(1.0)


def test_world_basis() -> None:
    sh = shares(table({"A": 50.0, "B": 40.0}, world=100.0), basis="world").set_index("iso3")
    assert sh.loc["A", "share"] == pytest.approx(0.5)


def test_withheld_has_no_share_and_no_rank() -> None:
    sh = shares(table({"A": 10.0, "B": None})).set_index("iso3")
    assert pd.isna(sh.loc["B", "share"]) and pd.isna(sh.loc["B", "rank"])
    assert sh.loc["A", "share"] == 1.0


def test_other_countries_counted_not_ranked() -> None:
    sh = shares(table({"A": 60.0, "B": 20.0}, other=20.0)).set_index("iso3")
    assert sh.loc["A", "share"] == pytest.approx(0.6)
    assert pd.isna(sh.loc["OTH", "rank"])


def test_rank_what_if_new_producer() -> None:
    t = table({"CHN": 839.0, "RUS": 6.0, "JPN": 3.0}, other=0.0, world=848.0)
    r = rank(t, add={"KAZ": 15.0}, names={"KAZ": "Kazakhstan"}).set_index("iso3")
    assert r.loc["CHN", "rank"] == 1 and r.loc["KAZ", "rank"] == 2
    assert bool(r.loc["KAZ", "what_if"]) and not bool(r.loc["CHN", "what_if"])
    assert r.loc["CHN", "share_before"] == pytest.approx(839 / 848)
    assert r.loc["KAZ", "share"] == pytest.approx(15 / 863)


def test_rank_what_if_removal_and_existing() -> None:
    t = table({"A": 10.0, "B": 5.0})
    r = rank(t, add={"B": 10.0}, remove=["A"]).set_index("iso3")
    assert r.loc["B", "value"] == 15.0 and r.loc["B", "rank"] == 1
    assert r.loc["A", "value"] == 0.0


def test_rank_rejects_negative_addition() -> None:
    with pytest.raises(ValidationError):
        rank(table({"A": 1.0}), add={"B": -1.0})


def test_hhi_bounds_and_monopoly() -> None:
    assert hhi([1.0]) == pytest.approx(10_000)
    assert hhi([0.5, 0.5]) == pytest.approx(5_000)
    assert hhi([]) == 0.0
    with pytest.raises(ValidationError):
        hhi([0.8, 0.8])


def test_concentration() -> None:
    c = concentration(table({"A": 60.0, "B": 20.0, "C": None}, other=20.0, world=100.0))
    assert c["hhi"] == pytest.approx(60**2 + 20**2)
    assert c["hhi_max"] == pytest.approx(60**2 + 20**2 + 20**2)
    assert c["cr1"] == pytest.approx(0.6) and c["cr3"] == pytest.approx(0.8)
    assert c["n_unknown"] == 1 and c["top_iso3"] == "A" and c["world_total"] == 100.0


values = st.lists(st.floats(min_value=0.0, max_value=1e7, allow_nan=False), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(values)
def test_property_shares_sum_to_one(vals: list[float]) -> None:
    if sum(vals) == 0:
        return
    t = table({f"C{i:02d}": v for i, v in enumerate(vals)})
    assert shares(t)["share"].sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(values)
def test_property_hhi_within_bounds(vals: list[float]) -> None:
    total = sum(vals)
    if total == 0:
        return
    s = np.array(vals) / total
    h = hhi(s)
    n = int((s > 0).sum())
    assert 10_000 / n - 1e-6 <= h <= 10_000 + 1e-6


@settings(max_examples=40, deadline=None)
@given(values, st.randoms(use_true_random=False))
def test_property_rank_invariant_to_relabelling(vals: list[float], rnd: object) -> None:
    codes = [f"C{i:02d}" for i in range(len(vals))]
    perm = codes.copy()
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    relabel = dict(zip(codes, perm, strict=True))
    a = shares(table(dict(zip(codes, vals, strict=True)))).set_index("iso3")
    b = shares(table({relabel[c]: v for c, v in zip(codes, vals, strict=True)})).set_index("iso3")
    for c in codes:
        ra, rb = a.loc[c, "rank"], b.loc[relabel[c], "rank"]
        assert (pd.isna(ra) and pd.isna(rb)) or ra == rb  # zero producers have no rank
        assert a.loc[c, "share"] == pytest.approx(b.loc[relabel[c], "share"], nan_ok=True)


def test_zero_producer_listed_not_ranked() -> None:
    sh = shares(table({"A": 10.0, "B": 0.0})).set_index("iso3")
    assert sh.loc["B", "share"] == 0.0 and pd.isna(sh.loc["B", "rank"])
    assert sh.loc["A", "rank"] == 1


def test_removed_country_not_ranked() -> None:
    r = rank(table({"A": 10.0, "B": 5.0}), remove=["A"]).set_index("iso3")
    assert pd.isna(r.loc["A", "rank"]) and r.loc["B", "rank"] == 1


@pytest.mark.parametrize("code", ["WLD", "OTH", "wld"])
def test_what_if_refuses_aggregates(code: str) -> None:
    t = table({"A": 10.0}, other=1.0, world=11.0)
    with pytest.raises(ValidationError, match="aggregate"):
        rank(t, add={code: 5.0})
    with pytest.raises(ValidationError, match="aggregate"):
        rank(t, remove=[code])


def test_what_if_refused_without_country_figures() -> None:
    with pytest.raises(ValidationError, match="no country rows"):
        rank(table({}, world=37.0), add={"KAZ": 15.0})
    with pytest.raises(ValidationError, match="no country rows"):
        rank(table({"A": None, "B": None}), add={"KAZ": 15.0})


def test_concentration_unknown_when_all_withheld() -> None:
    c = concentration(table({"A": None, "B": None}))
    for k in ("total", "hhi", "hhi_max", "cr1", "cr3"):
        assert np.isnan(c[k]), k
    assert c["n_unknown"] == 2 and c["top_iso3"] is None
    assert "withheld" in c["reason"]


def test_concentration_unknown_for_world_only_table() -> None:
    c = concentration(table({}, world=37.0))
    assert np.isnan(c["hhi"]) and c["world_total"] == 37.0
    assert "no country rows" in c["reason"]


def test_concentration_known_has_no_reason() -> None:
    assert concentration(table({"A": 1.0, "B": None}))["reason"] is None
