"""Issue 19 follow-up: the EU 2023 study's published inputs (Appendix 7) through critmin's EU
formula (a method-arithmetic check, not the headline figure) and as a switchable input source
(``params={"eu_sourcing": "study2023"}``, off by default)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import critmin.risk as risk
from critmin.errors import ValidationError
from critmin.risk import engine, inputs, study2023
from critmin.risk.methods import wgi_scaled

HERE = Path(__file__).resolve().parent
DOCS = HERE.parents[1] / "docs" / "risk.md"
STUDY = {"eu_sourcing": "study2023"}


def _published() -> pd.DataFrame:
    return pd.read_csv(HERE / "eu2023_published_sr.csv")


def _marker(tag: str) -> tuple[int, float, float]:
    m = re.search(
        rf"<!-- {tag}: n=(\d+) rho=(-?[\d.]+) mae=([\d.]+) -->", DOCS.read_text(encoding="utf-8")
    )
    assert m, f"docs/risk.md lacks the {tag} marker"
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


def _rho_mae(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic), float(np.mean(np.abs(x - y)))


def test_bundled_appendix7_table_is_well_formed() -> None:
    """51 materials, both sides, fractions and t on the study's scales; every change noted."""
    t = study2023.table()
    assert t["commodity"].nunique() == 51
    assert set(t["commodity"]) == set(_published()["commodity"])
    assert set(t["side"]) == {"global", "eu_sourcing"}
    assert set(t["stage"]) == {"extraction", "processing"}
    assert t["t"].between(0.8, 1.5).all()
    ok = t["share"].dropna()
    assert ok.between(0, 1).all()
    # '<0.1%' rows are bounded, not missing: kept with an empty share and a note
    bounded = t[t["share"].isna()]
    assert len(bounded) == 438 and bounded["note"].str.startswith("below 0.1%").all()
    sums = t.groupby(["commodity", "stage", "side"])["share"].sum()
    assert sums.max() <= 1.02  # rounding in the study (at most 101.1 %)
    assert not t.duplicated(["commodity", "stage", "side", "iso3"]).any()
    si = t[(t["commodity"] == "silicon") & (t["iso3"] == "DEU") & (t["side"] == "eu_sourcing")]
    assert si["share"].iloc[0] == pytest.approx(0.06) and "without a % sign" in si["note"].iloc[0]


def test_study_import_reliance_is_bounded_by_eu_sourcing() -> None:
    """IR between the listed non-EU share and 1 - listed EU share; None without EU sourcing."""
    data = inputs.load()
    eu = inputs.importer_members("EU27", data)[1]
    rows = study2023.table()
    te = rows[
        (rows["commodity"] == "tellurium")
        & (rows["stage"] == "processing")
        & (rows["side"] == "eu_sourcing")
    ]
    ir = study2023.import_reliance("tellurium", "processing", eu)
    assert ir is not None and not ir.default
    in_eu = te["iso3"].isin(eu)
    assert ir.low == pytest.approx(te.loc[~in_eu, "share"].sum())
    assert ir.high == pytest.approx(1 - te.loc[in_eu, "share"].sum())
    assert ir.low is not None and ir.high is not None
    assert ir.value == pytest.approx((ir.low + ir.high) / 2)
    assert study2023.import_reliance("cobalt", "extraction", eu) is None  # not transcribed
    # chromium extraction lists 9 % of EU sourcing: below min_coverage, treated as absent
    assert study2023.eu_sourcing("chromium", "extraction") is None


def test_method_check_by_hand_for_rhenium() -> None:
    """Rhenium: one processing stage, EU sourcing Poland 100 % at t = 0.8, so IR = 0 and
    SR = 1^2 x WGI_POL x 0.8 x (1 - EoL_RIR) x SI_SR with WGI 2016-2020."""
    chk = study2023.method_check(["rhenium"]).set_index("commodity")
    data = inputs.load()
    gov = inputs.governance(data, 2020, 5, ["POL"])
    w = float(wgi_scaled(gov.mean[gov.index(["POL"])])[0])
    row = chk.loc["rhenium"]
    assert row["import_reliance"] == pytest.approx(0.0)
    assert row["value"] == pytest.approx(w * 0.8 * (1 - row["eol_rir"]) * row["si_sr"])
    assert chk.attrs["wgi_years"] == (2016, 2020)


def test_method_check_against_published_eu2023(monkeypatch: pytest.MonkeyPatch) -> None:
    """critmin's EU formula on the study's own inputs against the study's published SR.

    An arithmetic check (IR and SI_SR are not published, so critmin supplies them); not the
    headline figure of critmin's own data, and not the issue's target. The figures in
    docs/risk.md must be the ones computed here, through ``engine.evaluate``.
    """
    calls = []
    real = engine.evaluate

    def spy(*a: object, **k: object) -> dict[str, np.ndarray]:
        calls.append(1)
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "evaluate", spy)
    pub = _published()
    chk = study2023.method_check().set_index("commodity")
    assert calls  # the same code path as supply_risk
    assert set(chk.index) == set(pub["commodity"])
    x = chk.loc[pub["commodity"], "value"].to_numpy(float)
    rho, mae = _rho_mae(x, pub["sr_published"].to_numpy(float))
    n, r, e = _marker("method-check")
    assert n == len(pub)
    assert rho == pytest.approx(r, abs=0.006) and mae == pytest.approx(e, abs=0.006)
    assert chk["inputs_missing"].map(lambda v: any("si_sr" in s for s in v)).all()


def test_eu_sourcing_switch_off_by_default() -> None:
    cs = ["tellurium", "gallium", "manganese", "cobalt"]
    base = risk.supply_risk("EU27", "eu", commodities=cs).set_index("commodity")
    same = risk.supply_risk("EU27", "eu", commodities=cs, params={"eu_sourcing": "critmin"})
    assert same.set_index("commodity")["value"].equals(base["value"])
    with pytest.raises(ValidationError):
        risk.supply_risk("EU27", "eu", commodities=cs, params={"eu_sourcing": "study"})
    sw = risk.supply_risk("EU27", "eu", commodities=cs, params=STUDY).set_index("commodity")
    # tellurium: no HS6 code and the IR placeholder -> both from the study, stated
    w = " ".join(sw.loc["tellurium", "warnings"])
    assert "EU sourcing of the processing stage from the EU 2023 study" in w
    assert "instead of the 0.5 placeholder" in w
    assert "import_reliance" not in sw.loc["tellurium", "defaults_used"]
    assert not any("sourcing" in p for p in sw.loc["tellurium", "placeholders"])
    assert any("EC fallback instead" in a for a in sw.loc["tellurium", "structural"])
    # manganese: clean ore code 260200 and IR from data: critmin's own data win
    assert sw.loc["manganese", "value"] == pytest.approx(base.loc["manganese", "value"])
    # other importers: refused, never a silent no-op
    with pytest.raises(ValidationError, match="EU27 importer only"):
        risk.supply_risk("JPN", "eu", commodities=cs, params=STUDY)


def test_explain_with_study_sourcing_reproduces_result() -> None:
    ex = risk.explain("tellurium", "eu", "EU27", params=STUDY)
    f = ex.set_index("factor")["value"]
    res = ex[ex["factor"] == "result"]["value"].iloc[0]
    gs, src, ir = f["hhi_wgi_global"], f["hhi_wgi_sourcing"], f["import_reliance"]
    assert res == pytest.approx(
        (gs * ir / 2 + src * (1 - ir / 2)) * (1 - f["eol_rir"]) * f["si_sr"]
    )
    sh = ex[ex["factor"] == "sourcing_share"]
    assert len(sh) and sh["source"].str.contains("Appendix 7").all()
    srow = ex[ex["factor"] == "hhi_wgi_sourcing"].iloc[0]
    assert "EU 2023 study" in srow["source"]


def test_validation_with_study_sourcing() -> None:
    """The headline comparison with ``eu_sourcing='study2023'`` (reported next to the default
    in docs/risk.md; partly the study's own inputs, so not an independent check)."""
    pub = _published()
    df = risk.supply_risk("EU27", "eu", commodities=list(pub["commodity"]), params=STUDY)
    x = df.set_index("commodity").loc[pub["commodity"], "value"].to_numpy(float)
    rho, mae = _rho_mae(x, pub["sr_published"].to_numpy(float))
    n, r, e = _marker("validation-study2023")
    assert n == len(pub)
    assert rho == pytest.approx(r, abs=0.006) and mae == pytest.approx(e, abs=0.006)
