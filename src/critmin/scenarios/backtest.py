"""Backtests: modelled price bands against every observed month after a shock.

Protocol (docs/scenarios.md, "Backtests"): the scenario is calibrated on information
dated before the shock (baseline year, pre-shock prices, published licensing times);
parameters taken from realised outcomes are labelled ``conditioned on outcome`` in the
scenario's notes and in :data:`BACKTESTS`. The run is compared with every month that has
an observed price in the facts tables: model central, P5, P50, P95 and observed; whether
the observation lies in the P5-P95 band; and over all months the band's coverage, the
bias (mean log error) and the log-RMSE.

Observations are rows of ``../shared/reference/gallium-germanium-market/facts.csv``
(``facts:<line>``, bundled) and ``../shared/reference/antimony-market/facts.csv``
(``sb:<line>``). Ranges are taken at their midpoint; lower bounds (``>3000``) are listed
but left out of the statistics (``bound`` column). Prices quoted only in CNY are left
out (no sourced exchange rate for the day) unless the source gives the USD figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["BACKTESTS", "OBSERVED", "Backtest", "Observation", "backtest", "backtest_summary"]


@dataclass(frozen=True)
class Observation:
    """One observed monthly price.

    Attributes
    ----------
    month : str
        ``YYYY-MM``.
    market : str
        ``row`` (outside the exporter) or ``domestic``.
    low, high : float
        Quoted range (equal for a point); the observation is the midpoint. [price unit]
    source : str
        ``facts:<line>`` or ``sb:<line>`` with what the row says.
    bound : str
        ``""``, or ``lower`` where the source gives only a lower bound.
    """

    month: str
    market: str
    low: float
    high: float
    source: str
    bound: str = ""

    @property
    def value(self) -> float:
        """Midpoint of the quoted range. [price unit]"""
        return 0.5 * (self.low + self.high)


_O = Observation

#: Observed prices after each shock, by commodity (USD/kg for Ga and Ge, USD/t for Sb).
OBSERVED: dict[str, tuple[Observation, ...]] = {
    "gallium": (
        _O("2023-07", "row", 326, 331, "facts:26,27 Fastmarkets 326 (7 Jul), 331 (13 Jul) USD/kg"),
        _O("2023-08", "row", 400, 400, "facts:29 Fastmarkets 400 USD/kg (9 Aug)"),
        _O("2023-09", "row", 400, 450, "facts:30 Rotterdam 400-450 USD/kg (8 Sep)"),
        _O(
            "2023-10", "row", 400, 475, "facts:31,32 Rotterdam 400-450 (4 Oct); Europe 475 (18 Oct)"
        ),
        _O("2023-12", "row", 460, 600, "facts:33,34 Rotterdam 460-550 (1 Dec), 500-600 (15 Dec)"),
        _O("2024-03", "row", 575, 575, "facts:36 Rotterdam 575 USD/kg (25 Mar)"),
        _O("2024-12", "row", 595, 595, "facts:38 Fastmarkets 595 USD/kg (13 Dec)"),
        _O("2025-05", "row", 687, 687, "facts:39 Rotterdam 687 USD/kg"),
        _O("2025-12", "row", 1450, 1450, "facts:43 Argus Europe ~1450 USD/kg (22 Dec)"),
    ),
    "germanium": (
        _O("2024-09", "row", 3000, 3000, "facts:98 Argus cif Europe upper end >3000", "lower"),
        _O("2025-09", "row", 5000, 5000, "facts:101 Fastmarkets record ~5000 USD/kg (10 Sep)"),
        _O("2024-06", "domestic", 1450, 1550, "facts:89 Argus fob China 1450-1550 USD/kg (1 Jun)"),
        _O("2024-09", "domestic", 2580, 2680, "facts:91 Argus fob China 2580-2680 (30 Sep)"),
        _O("2024-10", "domestic", 2600, 2600, "facts:92 Project Blue China ~2600 USD/kg (8 Oct)"),
    ),
    "antimony": (
        _O("2024-09", "domestic", 25250, 25250, "sb:16 SMM China ingot 25,250 USD/t (18 Sep)"),
        _O("2024-11", "domestic", 19479, 19479, "sb:17 SMM China 141,000 CNY/t = ~19,479 USD/t"),
        _O("2024-11", "row", 30000, 30000, "sb:18 Europe and US 'exceeding' 30,000 USD/t", "lower"),
        _O("2024-12", "row", 39500, 40000, "sb:19 Rotterdam 39,500-40,000 USD/t (31 Dec)"),
    ),
}


@dataclass(frozen=True)
class Backtest:
    """A shipped backtest: its scenario file and how its parameters were chosen."""

    commodity: str
    scenario: str
    protocol: str
    key: str = ""

    @property
    def name(self) -> str:
        """Name of the backtest (``gallium``, ``gallium-oos``...)."""
        return self.key or self.commodity


#: The shipped backtests (paths relative to the repository root).
BACKTESTS: tuple[Backtest, ...] = (
    Backtest(
        "gallium",
        "examples/scenarios/gallium-2023-controls-backtest.yaml",
        "conditioned on outcome: share_allowed and licensing delay from realised 2023-2024 exports",
    ),
    Backtest(
        "gallium",
        "examples/scenarios/gallium-2023-controls-oos.yaml",
        "out of sample: share_allowed, licensing delay, ROW secondary supply and idle-capacity "
        "restart are wide pre-shock assumptions",
        "gallium-oos",
    ),
    Backtest(
        "germanium",
        "examples/scenarios/germanium-2023-controls.yaml",
        "out of sample except held_back_stocked (conditioned on outcome: China price stable)",
    ),
    Backtest(
        "antimony",
        "examples/scenarios/antimony-2024-controls.yaml",
        "out of sample except held_back_stocked (conditioned on outcome: China price -10.5 %)",
    ),
)


def backtest(
    scenario: str,
    commodity: str,
    draws: int = 2000,
    seed: int | None = 1,
    store: Store | None = None,
) -> pd.DataFrame:
    """Every observed month against the model's central run and P5-P95 band.

    Parameters
    ----------
    scenario : str
        Scenario file (calibrated on pre-shock information).
    commodity : str
        Key of :data:`OBSERVED`.
    draws : int
        Monte Carlo draws.
    seed : int, optional
        Seed.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``market``, ``observed``, ``central``, ``p5``, ``p50``, ``p95``
        [price unit], ``in_band`` (bool), ``log_error`` (``log(central / observed)``),
        ``bound``, ``source``. Months outside the horizon are left out and counted in
        ``attrs['outside_horizon']``.
    """
    import pandas as pd

    from critmin.scenarios.engine import run_scenario

    r = run_scenario(scenario, draws=draws, seed=seed, store=store)
    names = {"domestic": r.spec.exporter, "row": "ROW"}
    bands = r.price_bands.set_index(["period", "market"])
    rows, outside = [], 0
    for o in OBSERVED[commodity]:
        key = (o.month, names[o.market])
        if key not in bands.index:
            outside += 1
            continue
        b = bands.loc[key]
        rows.append(
            {
                "month": o.month,
                "market": o.market,
                "observed": o.value,
                "central": float(b["price"]),
                "p5": float(b["p5"]),
                "p50": float(b["p50"]),
                "p95": float(b["p95"]),
                "in_band": bool(b["p5"] <= o.value <= b["p95"]),
                "log_error": float(np.log(b["price"] / o.value)),
                "bound": o.bound,
                "source": o.source,
            }
        )
    out = pd.DataFrame(rows).sort_values(["market", "month"]).reset_index(drop=True)
    out.attrs["outside_horizon"] = outside
    out.attrs["unit"] = r.unit
    return out


def backtest_summary(df: pd.DataFrame) -> dict[str, float]:
    """Coverage, bias and log-RMSE over the observed months (lower bounds left out).

    Returns
    -------
    dict
        ``n`` (months used), ``coverage`` (share in the P5-P95 band) [1], ``bias``
        (mean ``log(central/observed)``) [1], ``log_rmse`` [1], ``bound_violations``
        (lower bounds above the model's P95).

    Notes
    -----
    ``log_rmse = sqrt(mean(log(central / observed)^2))``; a bias of 0.69 is a model
    twice the observed price.
    """
    pts = df[df["bound"] == ""]
    lows = df[df["bound"] == "lower"]
    e = pts["log_error"].to_numpy(float)
    return {
        "n": len(pts),
        "coverage": float(pts["in_band"].mean()) if len(pts) else float("nan"),
        "bias": float(e.mean()) if len(e) else float("nan"),
        "log_rmse": float(np.sqrt((e**2).mean())) if len(e) else float("nan"),
        "bound_violations": int((lows["observed"] > lows["p95"]).sum()),
    }
