"""Market answers on the bundled data that must be right by default."""

import math

import pandas as pd
import pytest

import critmin
from critmin.errors import DataNotFoundError, ValidationError


def test_cobalt_defaults_to_measure_with_country_data() -> None:
    r = critmin.rank("cobalt")
    assert r.attrs["measure"] == "mine_production" and r.attrs["year"] == 2024
    assert "refinery_production" in r.attrs["note"]
    top = r.iloc[0]
    assert top["iso3"] == "COD" and top["rank"] == 1
    assert 0.70 <= top["share"] <= 0.80
    p = critmin.production("cobalt")
    assert (p["entity_type"] == "country").sum() > 5
    c = critmin.concentration("cobalt").iloc[0]
    assert c["top_iso3"] == "COD" and c["hhi"] > 5000
    assert "used mine_production" in c["note"]


def test_primary_measure_kept_without_note() -> None:
    r = critmin.rank("tin")
    assert r.attrs["measure"] == "mine_production" and "note" not in r.attrs
    assert "note" not in critmin.concentration("tin").columns


def test_explicit_measure_is_honoured() -> None:
    p = critmin.production("cobalt", 2020, "refinery_production")
    assert p.attrs["measure"] == "refinery_production" and "note" not in p.attrs


def test_germanium_concentration_is_unknown_not_zero() -> None:
    c = critmin.concentration("germanium").iloc[0]
    for k in ("total", "hhi", "hhi_max", "cr1", "cr3"):
        assert math.isnan(c[k]), k
    assert "withheld" in c["reason"]
    assert critmin.concentration("tin").iloc[0]["reason"] is None


def test_gallium_zero_producer_not_ranked() -> None:
    r = critmin.rank("gallium", 2024).set_index("iso3")
    assert r.loc["USA", "value"] == 0 and pd.isna(r.loc["USA", "rank"])
    after = critmin.rank("gallium", 2024, remove=["CHN"]).set_index("iso3")
    assert pd.isna(after.loc["CHN", "rank"]) and after.loc["RUS", "rank"] == 1


@pytest.mark.parametrize("code", ["WLD", "World", "OTH", "Other countries"])
def test_what_if_refuses_aggregates(code: str) -> None:
    with pytest.raises(ValidationError, match="aggregate"):
        critmin.rank("gallium", 2024, add={code: "15t"})
    with pytest.raises(ValidationError, match="aggregate"):
        critmin.rank("gallium", 2024, remove=[code])


def test_what_if_refused_on_world_only_table() -> None:
    with pytest.raises(DataNotFoundError, match="no country rows"):
        critmin.rank("gallium", 1990, add={"KAZ": "15t"})


def test_country_profile_uses_default_measure() -> None:
    prof = critmin.country("COD")
    row = prof[(prof["commodity"] == "cobalt") & (prof["measure"] == "mine_production")]
    assert len(row) == 1 and int(row["rank"].iloc[0]) == 1
