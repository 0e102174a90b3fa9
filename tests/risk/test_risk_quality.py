"""Issue 19: central estimates inside their band, importer views, data-quality grades,
documented export restrictions and the validation against published EU 2023 values."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import critmin.risk as risk
from critmin.errors import ValidationError
from critmin.risk.config import Param, Supply, restrictions
from critmin.risk.quality import grade, placeholder_parts, resolve_domestic

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[1] / "docs" / "risk.md"


@pytest.fixture(scope="module")
def runs() -> dict[str, pd.DataFrame]:
    return {
        imp: risk.supply_risk(imp, "all", draws=300, seed=11)
        for imp in ("EU27", "USA", "JPN", "KAZ")
    }


def test_point_inside_its_own_band_every_row(runs: dict[str, pd.DataFrame]) -> None:
    for imp, df in runs.items():
        out = df[(df["value"] < df["p5"] - 1e-9) | (df["value"] > df["p95"] + 1e-9)]
        assert out.empty, f"{imp}: {out[['method', 'commodity', 'value', 'p5', 'p95']]}"
        assert (df["structural_low"] <= df["value"] + 1e-12).all()
        assert (df["structural_high"] >= df["value"] - 1e-12).all()
        for src in ("governance", "data", "parameters"):
            assert (df[f"band_{src}"] >= 0).all()


def test_importers_differ_for_cobalt_tungsten_nickel(runs: dict[str, pd.DataFrame]) -> None:
    for c in ("cobalt", "tungsten", "nickel"):
        vals = {
            imp: float(df[(df["method"] == "eu") & (df["commodity"] == c)]["value"].iloc[0])
            for imp, df in runs.items()
        }
        assert len({round(v, 6) for v in vals.values()}) >= 2, (c, vals)


def test_kazakhstan_copper_outside_top20_with_stated_convention(
    runs: dict[str, pd.DataFrame],
) -> None:
    kaz = runs["KAZ"]
    cu = kaz[(kaz["method"] == "eu") & (kaz["commodity"] == "copper")].iloc[0]
    assert cu["rank"] > 20
    assert cu["domestic_supply"] == "secure"
    assert kaz.attrs["domestic_supply"].startswith("secure")
    assert runs["EU27"].attrs["domestic_supply"].startswith("own_governance")
    own = risk.supply_risk("KAZ", "eu", commodities=["copper"], domestic="own_governance")
    assert own["value"].iloc[0] > cu["value"]  # the switch changes the result
    with pytest.raises(ValidationError):
        resolve_domestic("sometimes", "KAZ")


def test_quality_columns_and_placeholder_marking(runs: dict[str, pd.DataFrame]) -> None:
    df = runs["EU27"]
    assert set(df["quality"]) <= {"A", "B", "C", "D"}
    assert df["placeholder_share"].between(0, 1).all()
    flagged = df["placeholder_share"] > 0.5
    assert (df.loc[flagged, "quality_flag"] == "placeholder-dominated").all()
    assert (df.loc[~flagged, "quality_flag"] == "").all()
    # no SI_SR could be cited: a placeholder in every EU row; EoL-RIR is one exactly where
    # parameters.yaml has no cited value for the commodity
    from critmin.risk.config import parameters

    cited = set(parameters()["eol_rir"]["by_commodity"])
    eu = df[df["method"] == "eu"]
    assert eu["placeholders"].map(lambda p: any(x.startswith("si_sr") for x in p)).all()
    has_eol = eu["placeholders"].map(lambda p: any(x.startswith("eol_rir") for x in p))
    assert (has_eol == ~eu["commodity"].isin(cited)).all()


def test_grade_thresholds() -> None:
    assert grade({"a": 0.0, "b": 0.2}) == (pytest.approx(0.1), "A")
    assert grade({"a": 0.4})[1] == "B"
    assert grade({"a": 0.6})[1] == "C"
    assert grade({"a": 1.0, "b": 0.3})[1] == "D"


def test_explain_lists_sources_defaults_and_grade() -> None:
    ex = risk.explain("cobalt", "eu", "EU27")
    assert ex["source"].map(lambda s: isinstance(s, str) and s != "").all()
    dflt = ex[ex["default"]]
    assert len(dflt) and dflt["source"].str.startswith("default: ").all()
    dq = ex[ex["factor"] == "data_quality"]
    assert len(dq) >= 1 and dq["source"].str.startswith("grade ").all()
    assert ex.attrs["quality"] in "ABCD"
    assert "own_governance" in ex.attrs["domestic_supply"]


def test_documented_export_restrictions() -> None:
    ga = restrictions("gallium", 2024, ["DEU", "FRA"])
    assert ga["CHN"][0] == 1 and "2023-08-01" in ga["CHN"][1][0]
    assert restrictions("gallium", 2024, ["USA"])["CHN"][0] == 2  # + the US ban
    assert restrictions("gallium", 2022, ["USA"]) == {}  # not yet in force
    assert restrictions("antimony", 2023, ["JPN"]) == {}
    assert "CHN" in restrictions("graphite", 2024, ["JPN"])
    assert restrictions("copper", 2024, ["JPN"]) == {}
    ex = risk.explain("gallium", "eu", "EU27")
    t = ex[(ex["factor"] == "trade_factor") & (ex["iso3"] == "CHN")].iloc[0]
    assert t["value"] == pytest.approx(1.1) and "export" in t["source"]
    usa = risk.explain("gallium", "eu", "USA")
    t = usa[(usa["factor"] == "trade_factor") & (usa["iso3"] == "CHN")].iloc[0]
    assert t["value"] == pytest.approx(1.2)


def test_restriction_raises_supply_risk_and_user_value_wins() -> None:
    base = risk.supply_risk("JPN", "eu", commodities=["graphite"])["value"].iloc[0]
    user = risk.supply_risk("JPN", "eu", commodities=["graphite"], trade_factors={"CHN": 1.0})
    assert base > user["value"].iloc[0]


def test_central_quantity_of_withheld_and_lower_bound() -> None:
    s = Supply(
        ["AAA", "BBB", "CCC"],
        np.array([10.0, np.nan, 4.0]),
        ["reported", "withheld", "lower_bound"],
        ["x", "y", "z"],
        0.0,
        6.0,
        "t",
        "test",
    )
    q = s.central_quantity()
    assert q[1] == pytest.approx(3.0)  # B / 2
    assert q[2] == pytest.approx(4.0 * 1.25)  # x (1 + 0.5 / 2)
    assert s.withheld_share() == pytest.approx(3.0 / q.sum())


def test_parameter_defaults_are_range_centres() -> None:
    from critmin.risk.config import param

    for k in ("eol_rir", "si_sr", "economic_vulnerability", "import_reliance"):
        p = param(k, "tin")
        assert p.default and p.value == pytest.approx((p.low + p.high) / 2)
    assert isinstance(p, Param)


def test_placeholder_parts_per_method() -> None:
    from critmin.risk import inputs

    data = inputs.load()
    st = inputs.stages("copper", ["JPN"], data)
    proc = next(s for s in st if s.stage == "processing")
    eu = placeholder_parts(proc, "eu")
    assert eu["sourcing"] == 0.0 and eu["eol_rir"] == 0.0  # cited EU 2023 EoL-RIR
    assert eu["si_sr"] == 1.0
    tin = next(iter(inputs.stages("tin", ["JPN"], data)))
    assert placeholder_parts(tin, "eu")["eol_rir"] == 1.0  # no cited value
    assert set(placeholder_parts(proc, "usgs")) >= {"governance_score", "economic_vulnerability"}
    assert placeholder_parts(proc, "hhi") == {"global_supply": eu["global_supply"]}


def _published() -> pd.DataFrame:
    return pd.read_csv(HERE / "eu2023_published_sr.csv")


def _rho_mae(pub: pd.DataFrame) -> tuple[float, float]:
    from scipy.stats import spearmanr

    df = risk.supply_risk("EU27", "eu", commodities=list(pub["commodity"])).set_index("commodity")
    x = df.loc[pub["commodity"], "value"].to_numpy(float)
    y = pub["sr_published"].to_numpy(float)
    return float(spearmanr(x, y).statistic), float(np.mean(np.abs(x - y)))


def test_published_fixture_is_well_formed() -> None:
    """One row per critmin commodity, SR and EI on the study's scales, each row cited; the
    five values quoted independently in issue 19 agree with the transcription."""
    pub = _published()
    assert pub["commodity"].is_unique
    assert pub["citation"].str.len().gt(20).all()
    assert pub["sr_published"].between(0, 10).all() and pub["ei_published"].between(0, 10).all()
    assert set(pub["match"]) <= {"name", "proxy"}
    assert pub.loc[pub["match"] == "proxy", "note"].str.startswith("proxy").all()
    quoted = {"tungsten": 1.2, "cobalt": 2.8, "nickel": 0.5, "germanium": 1.8, "lithium": 1.9}
    got = pub.set_index("commodity").loc[list(quoted), "sr_published"].to_dict()
    assert got == pytest.approx(quoted)


def test_validation_against_published_eu2023() -> None:
    """Spearman rho and MAE vs published EU 2023 supply risks, over every fixture row and over
    the rows matched by name; the figures in docs/risk.md must be the ones computed here (the
    published values are never used to set a parameter)."""
    pub = _published()
    text = DOCS.read_text(encoding="utf-8")
    for tag, sub in (("validation", pub), ("validation-name", pub[pub["match"] == "name"])):
        rho, mae = _rho_mae(sub)
        m = re.search(rf"<!-- {tag}: n=(\d+) rho=(-?[\d.]+) mae=([\d.]+) -->", text)
        assert m, f"docs/risk.md lacks the {tag} marker"
        assert int(m.group(1)) == len(sub)
        assert rho == pytest.approx(float(m.group(2)), abs=0.006)
        assert mae == pytest.approx(float(m.group(3)), abs=0.006)


def test_secondary_comparison_against_published_eu2020() -> None:
    """``eu2020`` on the bundled (2023-2024) data against the 2020 assessment's published SR:
    different data years, so evidence about the method, not a target; figures as in the docs."""
    from scipy.stats import spearmanr

    pub = pd.read_csv(HERE / "eu2020_published_sr.csv")
    assert pub["commodity"].is_unique and pub["citation"].str.len().gt(20).all()
    df = risk.supply_risk("EU27", "eu2020", commodities=list(pub["commodity"]))
    x = df.set_index("commodity").loc[pub["commodity"], "value"].to_numpy(float)
    y = pub["sr_published"].to_numpy(float)
    rho, mae = float(spearmanr(x, y).statistic), float(np.mean(np.abs(x - y)))
    m = re.search(
        r"<!-- validation-2020: n=(\d+) rho=(-?[\d.]+) mae=([\d.]+) -->",
        DOCS.read_text(encoding="utf-8"),
    )
    assert m, "docs/risk.md lacks the validation-2020 marker"
    assert int(m.group(1)) == len(pub)
    assert rho == pytest.approx(float(m.group(2)), abs=0.006)
    assert mae == pytest.approx(float(m.group(3)), abs=0.006)


def test_assessed_stage_against_published_eu2023() -> None:
    """The stage critmin's ``eu`` keeps (the higher of its stages) against the stage the 2023
    study names per material; the count in docs/risk.md must be the one computed here."""
    pub = pd.read_csv(HERE / "eu2023_published_stages.csv")
    assert pub["citation"].str.len().gt(20).all()
    assert set(pub["stage_published"]) <= {"extraction", "processing"}
    df = risk.supply_risk("EU27", "eu", commodities=list(pub["commodity"])).set_index("commodity")
    agree = int((df.loc[pub["commodity"], "stage"].to_numpy() == pub["stage_published"]).sum())
    m = re.search(r"<!-- stages: n=(\d+) agree=(\d+) -->", DOCS.read_text(encoding="utf-8"))
    assert m, "docs/risk.md lacks the stage-check marker"
    assert (int(m.group(1)), int(m.group(2))) == (len(pub), agree)


def test_cited_eol_rir_is_not_a_default() -> None:
    from critmin.risk import config

    p = config.param("eol_rir", "tungsten")
    assert not p.default and p.value == pytest.approx(0.42) and "10.2873/725585" in p.source
    assert config.param("eol_rir", "tin").default  # no cited value: still the placeholder


def test_published_values_not_read_by_the_package() -> None:
    src = HERE.parents[1] / "src" / "critmin"
    for f in src.rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        assert "eu2023_published" not in text and "eu2020_published" not in text, f


def test_eu_trade_agreement_partners_on_sourcing_side_only() -> None:
    """Off by default (the 2023 study's t values); on request, sourcing side only."""
    from critmin.risk import inputs
    from critmin.risk.config import agreement_partners

    p = agreement_partners(2024)
    assert "CHL" in p and "CHN" not in p and "Wikipedia" in p["CHL"]
    assert "VNM" not in agreement_partners(2019)
    data = inputs.load()
    eu = inputs.importer_members("EU27", data)[1]
    on = {"agreement_partners": True}
    # default as the 2023 study applies it: partners keep t = 1 (parameters.yaml)
    assert not inputs.stages("lithium", eu, data)[0].partners
    assert inputs.stages("lithium", eu, data, overrides=on)[0].partners
    assert not inputs.stages("lithium", ["JPN"], data, overrides=on)[0].partners
    with pytest.raises(ValidationError):
        inputs.stages("lithium", eu, data, overrides={"agreement_partners": "yes"})
    ex = risk.explain("lithium", "eu", "EU27", params=on)
    rows = ex[(ex["factor"] == "trade_factor_sourcing") & (ex["iso3"] == "CHL")]
    assert len(rows) and rows["value"].iloc[0] == pytest.approx(0.8)
    # the global-supply side keeps t = 1 for a partner
    g = ex[(ex["factor"] == "trade_factor") & (ex["iso3"] == "CHL")]
    assert (g["value"] == 1.0).all()


def test_germanium_global_supply_from_sourced_share() -> None:
    ex = risk.explain("germanium", "eu", "EU27")
    chn = ex[(ex["factor"] == "global_share") & (ex["iso3"] == "CHN")].iloc[0]
    assert chn["value"] == pytest.approx(0.68)
    assert "Fastmarkets" in chn["source"]
    assert any("sourced share" in w for w in ex.attrs["warnings"])
