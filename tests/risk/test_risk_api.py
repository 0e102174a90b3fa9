"""supply_risk, explain, timeseries and brief_section on the bundled store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import critmin.risk as risk
from critmin.errors import DataNotFoundError, UnknownCountryError, ValidationError


@pytest.fixture(scope="module")
def eu() -> pd.DataFrame:
    return risk.supply_risk("EU27", "all", draws=200, seed=7)


def test_eu27_ranked_table(eu: pd.DataFrame) -> None:
    assert set(eu["method"]) == {"eu", "usgs", "geopolrisk", "hhi"}
    e = eu[eu["method"] == "eu"]
    assert len(e) > 50 and e["rank"].min() == 1
    assert e["value"].between(0, 10).all()
    assert eu[eu["method"] == "usgs"]["value"].between(0, 1).all()
    assert (e["p5"] <= e["p95"]).all() and e["p_top"].between(0, 1).all()
    ga = eu[(eu["commodity"] == "gallium")].set_index("method")
    assert ga.loc["hhi", "rank"] == 1  # China ~99 % of primary gallium
    assert ga.loc["eu", "import_reliance"] == 1.0  # no EU primary gallium in the table
    assert any("811292" in w for w in ga.loc["eu", "warnings"])
    # gallium's EoL-RIR is cited (EU 2023, 0 %); SI_SR is still a placeholder
    assert "eol_rir" not in ga.loc["eu", "defaults_used"]
    assert "si_sr" in ga.loc["eu", "defaults_used"]
    assert eu.attrs["importer"] == "EU27" and len(eu.attrs["members"]) == 27


def test_usa_uses_usgs_net_import_reliance() -> None:
    df = risk.supply_risk("USA", "usgs", commodities=["gallium", "copper", "tin"])
    by = df.set_index("commodity")
    assert by.loc["gallium", "import_reliance"] == 1.0
    assert by.loc["copper", "import_reliance"] == pytest.approx(0.45)
    assert "import_reliance" not in by.loc["copper", "defaults_used"]


def test_params_override_and_side_by_side() -> None:
    a = risk.supply_risk("EU27", "eu", commodities=["tin"], params={"eol_rir": 0.3})
    b = risk.supply_risk("EU27", "eu", commodities=["tin"])
    # the default EoL-RIR is the centre of its range, 0.1
    assert a["value"].iloc[0] == pytest.approx(0.7 / 0.9 * b["value"].iloc[0])
    assert "eol_rir" not in a["defaults_used"].iloc[0]
    wide = risk.side_by_side(risk.supply_risk("G7", ["eu", "hhi"], commodities=["tin", "gallium"]))
    assert list(wide.columns[:3]) == ["commodity", "eu", "eu_rank"]


def test_explain_factors_reproduce_result() -> None:
    ex = risk.explain("gallium", "eu", "EU27")
    res = ex[ex["factor"] == "result"]["value"].iloc[0]
    f = ex.set_index("factor")["value"]
    gs, src, ir = f["hhi_wgi_global"], f["hhi_wgi_sourcing"], f["import_reliance"]
    assert res == pytest.approx(
        (gs * ir / 2 + src * (1 - ir / 2)) * (1 - f["eol_rir"]) * f["si_sr"]
    )
    contrib = ex[ex["factor"] == "contribution_global"]["value"].sum()
    assert contrib == pytest.approx(gs)
    eol = ex[ex["factor"] == "eol_rir"].iloc[0]
    assert not eol["default"] and "10.2873/725585" in eol["source"]
    assert ex[ex["factor"] == "si_sr"]["default"].iloc[0]
    assert (
        ex[(ex["factor"] == "global_share") & (ex["iso3"] == "CHN")]["source"]
        .str.contains("#")
        .all()
    )


def test_explain_geopolrisk_and_errors() -> None:
    ex = risk.explain("antimony", "geopolrisk", "USA")
    assert {"extraction", "processing"} <= set(ex["stage"])
    assert "political_instability" in set(ex["factor"])
    with pytest.raises(ValidationError):
        risk.explain("tin", "nope")
    with pytest.raises(UnknownCountryError):
        risk.supply_risk("Atlantis", "eu", commodities=["tin"])
    with pytest.raises(DataNotFoundError):
        risk.supply_risk("EU27", "eu", commodities=["abrasives"])


def test_timeseries_wgi_only() -> None:
    ts = risk.timeseries("cobalt", "eu", "EU27", years=[1996, 2010, 2022])
    assert list(ts["year"]) == [1996, 2010, 2022]
    assert ts["value"].between(0, 10).all() and ts["value"].nunique() > 1
    assert "only the WGI" in ts.attrs["note"]


def test_risk_section() -> None:
    from critmin.report.sections import risk_section

    b = risk_section(draws=50, seed=1)
    t = b.tables["table"]
    assert set(t["commodity"]) == {"gallium", "germanium", "antimony", "tin", "copper"}
    assert {"p5", "p50", "p95", "rank"} <= set(t.columns)
    assert len(b.figures["ranks"].data) == 4
    assert "WGI" in b.text[0]


def test_nigeria_wgi_scaled_near_eu_2017(reference: Path) -> None:
    # EU 2017 study: Nigeria WGI scaled 6.92. WGI 2023 update, 2012-2016: about 7.2
    # (the World Bank revises past estimates, and the study's year window differs).
    wgi = pd.read_csv(reference / "worldbank-wgi" / "WGIData.csv", encoding="utf-8-sig")
    ng = wgi[(wgi["Country Code"] == "NGA") & wgi["Indicator Code"].str.endswith(".EST")]
    mean = ng[[str(y) for y in range(2012, 2017)]].astype(float).to_numpy().mean()
    assert float(risk.methods.wgi_scaled(mean)) == pytest.approx(6.92, abs=0.5)
    from critmin.risk import inputs

    gov = inputs.governance(inputs.load(), 2016, 5)
    i = gov.iso3.index("NGA")
    assert float(risk.methods.wgi_scaled(gov.mean[i])) == pytest.approx(2 * (2.5 - mean), abs=1e-6)
    assert np.isfinite(gov.mean_se[i]) and gov.mean_se[i] > 0
