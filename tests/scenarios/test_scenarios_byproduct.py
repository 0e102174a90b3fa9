"""By-product supply: host x content x recovery, capped by capacity; store-backed tables."""

from __future__ import annotations

import pytest

from critmin.errors import DataNotFoundError, ValidationError
from critmin.scenarios import byproduct_table
from critmin.scenarios.byproduct import byproduct_supply, route, route_table
from critmin.scenarios.spec import bundled_facts


def test_byproduct_supply_formula_and_cap() -> None:
    # 1.4 Mt alumina x 70 g/t = 98 t; capped at 15 t
    pot, sup = byproduct_supply(1.4e6, 70e-6, 15.0)
    assert pot == pytest.approx(98.0)
    assert sup == pytest.approx(15.0)
    pot, sup = byproduct_supply(1.0e6, 10e-6, None)
    assert pot == sup == pytest.approx(10.0)
    with pytest.raises(ValidationError):
        byproduct_supply(-1.0, 1e-6)


def test_gallium_route_factors_cite_facts_or_are_assumptions() -> None:
    r = route("gallium")
    facts = bundled_facts()
    for case, fs in r.cases.items():
        for f in fs:
            if f.source != "assumption":
                assert f.source.startswith("facts:"), (case, f.name)
                for n in f.source[6:].split(","):
                    assert int(n) in facts
    # technical: 2.5 t/t x 50 g/t x 0.7 x 0.8 = 70 g Ga per t alumina
    assert r.intensity("technical") * 1e6 == pytest.approx(70.0)
    # economic: 2.5 x 50 x 0.15 = 18.75 g/t
    assert r.intensity("economic") * 1e6 == pytest.approx(18.75)
    assert (
        r.intensity("economic", "low") < r.intensity("economic") <= r.intensity("economic", "high")
    )
    assert set(route_table(r)["case"]) == {"technical", "economic"}
    with pytest.raises(ValidationError):
        route("tin")


def test_kazakhstan_gallium_from_store() -> None:
    df = byproduct_table("gallium", country="KAZ")
    assert set(df["case"]) == {"technical", "economic"}
    assert (df["host_t"] == 1.4e6).all()  # MCS 2025 alumina, Kazakhstan, 2024
    assert (df["year"] == 2024).all()
    tech = df[df["case"] == "technical"].iloc[0]
    assert tech["potential_t"] == pytest.approx(98.0)
    assert tech["capacity_t"] == 15.0 and "facts:167" in tech["capacity_source"]
    assert tech["supported_t"] == pytest.approx(15.0)
    assert tech["plan_intensity_g_t"] == pytest.approx(15 / 1.4)
    eco = df[df["case"] == "economic"].iloc[0]
    assert eco["potential_t"] == pytest.approx(26.25)
    assert df.attrs["benchmarks"]


def test_china_capped_by_installed_capacity_and_germanium_route() -> None:
    df = byproduct_table("gallium", country="China")
    tech = df[df["case"] == "technical"].iloc[0]
    assert tech["capacity_t"] == 1000.0  # store, MCS 2025
    assert tech["supported_t"] == 1000.0 < tech["potential_t"]
    ge = byproduct_table("germanium")
    assert (ge["host"] == "zinc").all() and len(ge) > 5
    assert ge["supported_t"].isna().all()  # no germanium capacity in the store
    with pytest.raises(DataNotFoundError):
        byproduct_table("gallium", country="ISL")


def test_grade_bound_from_crustal_abundance() -> None:
    from critmin.scenarios.byproduct import CRUST, grade_bound

    ga, how = grade_bound(route("gallium"))
    # 17.5 / (15.40e4 x 0.5293) g/t x 0.5293 t Al/t alumina x 1e6 x 10 = 1,136 g Ga/t alumina
    assert ga == pytest.approx(17.5 / 15.40e4 * 1e6 * 10)
    assert "Rudnick" in how and "assumption" in how
    ge, _ = grade_bound(route("germanium"))
    assert ge == pytest.approx(1.4 / 67.0 * 1e6 * 10)  # ~209,000 g Ge/t Zn
    assert CRUST["Ga"][0] == 17.5


@pytest.mark.parametrize("metal", ["gallium", "germanium"])
def test_every_case_within_crustal_grade_bound(metal: str) -> None:
    """Invariant: potential <= host output x crustal-abundance-bounded grade (every case,
    every bound of the range). A g/t factor without its 1e-6 scale breaks it by 1e6."""
    from critmin.scenarios.byproduct import grade_bound

    r = route(metal)
    bound, _ = grade_bound(r)
    for case in r.cases:
        for which in ("low", "value", "high"):
            assert 0 < r.intensity(case, which) * 1e6 <= bound, (case, which)
    df = byproduct_table(metal)
    assert (df["potential_high_t"] <= df["bound_t"]).all()
    assert (df["potential_t"] <= df["host_t"] * bound * 1e-6).all()


def test_germanium_potential_is_tens_of_tonnes() -> None:
    """China's zinc (4 Mt, MCS 2025) x 200 g Ge/t x 3 % recovered = 24 t/yr; the world
    total from zinc is of the order of world germanium output (~100-200 t/yr, issue 20)."""
    ge = byproduct_table("germanium")
    chn = ge[ge["iso3"] == "CHN"].iloc[0]
    assert chn["potential_t"] == pytest.approx(24.0)
    assert 10 <= chn["potential_t"] <= 500
    assert 10 <= ge["potential_t"].sum() <= 500
