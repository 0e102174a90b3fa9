"""Like-for-like comparison with USGS OFR 2024-1057: a total Chinese export cut-off.

USGS (Nassar et al. 2024, press release 2024-11-19: facts:199,200) finds that a complete
restriction of China's net exports raises the gallium price by more than 150 % and the
germanium price by 26 %. The report's elasticities are not published in what the facts
table found (PROVENANCE gap), so the comparison puts critmin's run of the same case
(all exports stopped at once, no licensing delay, no leakage, no stocks, annual period,
the pre-control baseline of the backtest scenario) next to the USGS figure, with each
input side by side, and shows from the inputs why the two differ:

with constant elasticities the rest of the world clears at
``S_r x^eps_s = (S_r + X0) x^eps_d``, so ``x = ((S_r + X0) / S_r)^(1 / (eps_s - eps_d))``.
The table gives the rest-of-world supply base ``S_r`` that would give the USGS price
effect at critmin's elasticities, and the elasticity gap ``eps_s - eps_d`` that would
give it at critmin's supply base.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["USGS_PRICE_EFFECT", "cutoff_spec", "usgs_total_cutoff"]

#: USGS OFR 2024-1057 central price effect of a total Chinese ban [1] (x - 1) and source.
USGS_PRICE_EFFECT: dict[str, tuple[float, str, str]] = {
    "gallium": (1.5, "> +150 %", "facts:199"),
    "germanium": (0.26, "+26 %", "facts:200"),
}


def cutoff_spec(scenario: str | Path, restart_idle: bool = False, secondary: bool = False) -> Any:
    """The backtest scenario turned into the USGS case: total cut-off, annual, one year.

    Parameters
    ----------
    scenario : str or Path
        A pre-control scenario (baseline, prices and elasticities are kept).
    restart_idle : bool
        Add the rest of the world's idle capacity (store capacity minus output) as a
        capacity addition over the year (an assumption: USGS counts unused capacity,
        Fed G.17 utilisation, in its supply response).
    secondary : bool
        Keep the scenario's secondary supply (``parameters.secondary_supply``); otherwise
        it is dropped, like its price-triggered restart (which answers the previous
        period's price, so it cannot act within the single annual period).
    """
    from critmin.scenarios.spec import month_index, month_label, parse_scenario

    d = yaml.safe_load(Path(scenario).read_text("utf-8"))
    start = month_index(str(d["start"]))
    year = start // 12 + (1 if start % 12 else 0)
    d.update({"name": f"USGS-like total cut-off: {d['commodity']}", "period": "annual"})
    d.update({"start": year, "horizon": 1})
    d["shocks"] = [
        {
            "type": "export_restriction",
            "exporter": d["exporter"],
            "destinations": "all",
            "share_allowed": {"value": 0.0, "unit": "1", "note": "USGS: complete restriction"},
            "start": month_label(year * 12),
        }
    ]
    par = dict(d.get("parameters") or {})
    drop = ["stocks", "held_back_stocked", "leakage", "restart"]
    if not secondary:
        drop += ["secondary_supply", "secondary_elasticity"]
    for k in drop:
        par.pop(k, None)
    d["parameters"] = par
    return parse_scenario(d, str(scenario)), restart_idle


def _run(spec: Any, restart_idle: bool, store: Store | None) -> tuple[float, dict[str, float]]:
    from critmin.scenarios.calibration import prepare
    from critmin.scenarios.engine import run_scenario
    from critmin.scenarios.spec import Param, month_label

    prep = prepare(spec, store)
    s_r, k_r = prep.market_totals("row")
    if restart_idle and k_r == k_r and k_r > s_r:
        from critmin.scenarios.spec import CapacityAddition

        add = CapacityAddition.model_validate(
            {
                "type": "capacity_addition",
                "country": "ROW",  # any code but the exporter's: the rest of the world
                "tonnes_per_year": Param(
                    value=k_r - s_r, unit="t/yr", note="idle ROW capacity (store)"
                ),
                "start": month_label(spec.start),
            }
        )
        spec = spec.model_copy(update={"shocks": [*spec.shocks, add]})
    r = run_scenario(spec, draws=0, store=store)
    m = r.markets
    x = float(m[m["market"] == "ROW"]["price_ratio"].iloc[0])
    base = {
        "s_r": s_r,
        "k_r": k_r,
        "x0": spec.baseline.exports.central(),
        "es": spec.parameters.supply_elasticity.row.central(),
        "ed": spec.parameters.demand_elasticity.row.central(),
    }
    return x, base


def usgs_total_cutoff(
    commodity: str, scenario: str | Path, store: Store | None = None
) -> pd.DataFrame:
    """critmin's total cut-off next to USGS OFR 2024-1057, input by input.

    Parameters
    ----------
    commodity : str
        ``gallium`` or ``germanium``.
    scenario : str or Path
        The pre-control backtest scenario of the commodity.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``critmin``, ``usgs``, ``unit``, ``note``: baseline inputs, the price
        effect without and with the idle capacity restarting, and what would reproduce
        the USGS effect (``attrs['ratio']``: critmin / USGS price effect, no restart).

    Notes
    -----
    ``A = (S_r + X0) x^eps_d - S_r x^eps_s`` at ``x = 1 + e_usgs`` is the new rest-of-world
    supply (restarted idle capacity, recycling) that gives the USGS effect;
    ``S_r* = X0 / ((1 + e_usgs)^(eps_s - eps_d) - 1)`` is the supply base that gives the
    USGS effect ``e_usgs`` at critmin's elasticities; ``(eps_s - eps_d)* =
    log((S_r + X0) / S_r) / log(1 + e_usgs)`` the elasticity gap at critmin's base.
    """
    import pandas as pd

    e_usgs, usgs_txt, src = USGS_PRICE_EFFECT[commodity]
    spec, _ = cutoff_spec(scenario)
    x, b = _run(spec, False, store)
    x_idle, _ = _run(spec, True, store)
    spec_q, _ = cutoff_spec(scenario, secondary=True)
    q = spec_q.parameters.secondary_supply.row
    q0 = float("nan") if q is None else q.central()
    x_q = _run(spec_q, False, store)[0] if q is not None else float("nan")
    q_note = (
        "none in this scenario (NaN)"
        if q is None
        else f"{q.source}: ROW secondary supply {q0:g} t/yr (central), in the "
        "baseline demand too; it answers the previous period's price, so it is fixed within "
        "the single annual period"
    )
    gap = b["es"] - b["ed"]
    s_need = b["x0"] / ((1.0 + e_usgs) ** gap - 1.0)
    gap_need = math.log((b["s_r"] + b["x0"]) / b["s_r"]) / math.log(1.0 + e_usgs)
    xu = 1.0 + e_usgs
    a_need = (b["s_r"] + b["x0"]) * xu ** b["ed"] - b["s_r"] * xu ** b["es"]
    idle = b["k_r"] - b["s_r"] if b["k_r"] == b["k_r"] else float("nan")
    na = "not published"
    rows = [
        ("case", "total cut-off, annual, 1 year", "complete net-export restriction", "", ""),
        ("baseline year", str(spec.baseline_year), na, "", "critmin: pre-control year"),
        ("ROW supply S_r", b["s_r"], na, "t/yr", "primary output outside China (store)"),
        ("ROW capacity", b["k_r"], na, "t/yr", "store capacity (NaN: none)"),
        ("China exports X0", b["x0"], na, "t/yr", "lost to the ROW"),
        ("ROW supply elasticity", b["es"], na, "1", "critmin central (assumption)"),
        ("ROW demand elasticity", b["ed"], na, "1", "critmin central (assumption)"),
        ("stocks, leakage", "none", "none stated", "", "like for like"),
        ("price effect", x - 1.0, usgs_txt, "1", f"critmin ROW price / baseline - 1; USGS {src}"),
        (
            "price effect, idle ROW capacity restarts",
            x_idle - 1.0,
            usgs_txt,
            "1",
            "assumption: all idle ROW capacity (store) runs within the year",
        ),
        ("ROW secondary supply Q0", q0, na, "t/yr", q_note),
        ("price effect, with ROW secondary supply", x_q - 1.0, usgs_txt, "1", "no restart"),
        ("critmin / USGS price effect", (x - 1.0) / e_usgs, "", "x", "no restart"),
        (
            "critmin / USGS, with secondary supply",
            (x_q - 1.0) / e_usgs,
            "",
            "x",
            "no restart",
        ),
        (
            "new ROW supply that gives the USGS effect",
            a_need,
            "",
            "t/yr",
            "A = (S_r + X0) x^eps_d - S_r x^eps_s at x = 1 + e",
        ),
        (
            "  as a share of idle ROW capacity",
            a_need / idle if idle == idle else float("nan"),
            "",
            "1",
            f"idle = capacity - output = {idle:g} t/yr (NaN: no capacity data)",
        ),
        (
            "S_r that gives the USGS effect",
            s_need,
            "",
            "t/yr",
            "at critmin's elasticities: X0 / ((1 + e)^(eps_s - eps_d) - 1)",
        ),
        (
            "eps_s - eps_d that gives the USGS effect",
            gap_need,
            "",
            "1",
            f"at critmin's S_r (critmin: {gap:g})",
        ),
    ]
    out = pd.DataFrame(rows, columns=["item", "critmin", "usgs", "unit", "note"])
    out["critmin"] = out["critmin"].astype(object)
    out.attrs["ratio"] = (x - 1.0) / e_usgs
    out.attrs["ratio_idle"] = (x_idle - 1.0) / e_usgs
    out.attrs["ratio_secondary"] = (x_q - 1.0) / e_usgs
    return out
