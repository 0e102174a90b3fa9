"""Like-for-like USGS OFR 2024-1057 total cut-off: the run, the closed form, the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from critmin.scenarios import run_scenario
from critmin.scenarios.compare import cutoff_spec, usgs_total_cutoff
from critmin.scenarios.spec import CapacityAddition, Param, month_label

EX = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
GA = EX / "gallium-2023-controls-backtest.yaml"
GE = EX / "germanium-2023-controls.yaml"


def _val(df, item):  # type: ignore[no-untyped-def]
    return float(df.set_index("item").loc[item, "critmin"])


@pytest.mark.parametrize(("metal", "path"), [("gallium", GA), ("germanium", GE)])
def test_cutoff_matches_closed_form(metal: str, path: Path) -> None:
    """Independent check: with no stocks, no capacity bound and no ceiling the ROW clears at
    x = ((S_r + X0) / S_r)^(1 / (eps_s - eps_d))."""
    df = usgs_total_cutoff(metal, path)
    s_r, x0 = _val(df, "ROW supply S_r"), _val(df, "China exports X0")
    es, ed = _val(df, "ROW supply elasticity"), _val(df, "ROW demand elasticity")
    x = ((s_r + x0) / s_r) ** (1.0 / (es - ed))
    assert _val(df, "price effect") == pytest.approx(x - 1.0, rel=1e-9)


def test_gallium_reason_is_shown_from_inputs() -> None:
    df = usgs_total_cutoff("gallium", GA)
    ratio = df.attrs["ratio"]
    # not within a factor of two of USGS (> +150 %): the reason must be in the table
    assert ratio > 2
    a = _val(df, "new ROW supply that gives the USGS effect")
    # adding exactly that supply reproduces the USGS effect in the model itself
    spec, _ = cutoff_spec(GA)
    add = CapacityAddition.model_validate(
        {
            "type": "capacity_addition",
            "country": "KAZ",
            "tonnes_per_year": Param(value=a, unit="t/yr"),
            "start": month_label(spec.start),
        }
    )
    r = run_scenario(spec.model_copy(update={"shocks": [*spec.shocks, add]}), draws=0)
    row = r.markets[r.markets["market"] == "ROW"]
    assert float(row["price_ratio"].iloc[0]) == pytest.approx(2.5, rel=1e-6)
    # about half of the ROW idle capacity (124 - 12 t/yr, store) restarting within the year
    assert 0.3 < _val(df, "  as a share of idle ROW capacity") < 0.7
    # all of it restarting turns the rise into a fall
    assert _val(df, "price effect, idle ROW capacity restarts") < 0
