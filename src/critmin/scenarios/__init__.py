"""Market scenarios: export restrictions, new capacity, by-product supply, Monte Carlo.

Contents
--------
:mod:`~critmin.scenarios.spec`
    Scenario files (YAML validated by pydantic): :func:`load_scenario`,
    :class:`ScenarioSpec`, :class:`Param` (a value or distribution with its source).
:mod:`~critmin.scenarios.market`
    Pure clearing equations: constant-elasticity supply and demand, one market
    (:func:`clear_single`) or the exporter's market and the rest of the world linked by
    a capped export flow (:func:`clear_two_markets`).
:mod:`~critmin.scenarios.kernel`
    The same clearing compiled with numba for the Monte Carlo: every draw and period
    solved by safeguarded Newton on ``log x``, draws in parallel
    (:func:`~critmin.scenarios.kernel.simulate_kernel`).
:mod:`~critmin.scenarios.byproduct`
    By-product supply (gallium from alumina, germanium from zinc): host output x
    content x recovery, capped by capacity (:func:`byproduct_supply`).
:mod:`~critmin.scenarios.inputs`
    The only module that reads the store (baseline output, capacity, prices, BACI
    trade shares, host output).
:mod:`~critmin.scenarios.engine`
    Calibration, shock schedules, period-by-period clearing, seedable Monte Carlo
    (optionally on dask.distributed): :func:`run_scenario` -> :class:`ScenarioResult`;
    :func:`byproduct_table`.
:mod:`~critmin.scenarios.plot`
    Charts: price bands per market and importer shortfall (plotly HTML, matplotlib PNG).

:func:`brief_section` packages the key tables and figures of a scenario for the HTML
briefing. Equations and a backtest are in ``docs/scenarios.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from critmin.scenarios.byproduct import byproduct_supply
from critmin.scenarios.engine import ScenarioResult, byproduct_table, run_scenario
from critmin.scenarios.market import clear_single, clear_two_markets
from critmin.scenarios.spec import Param, ScenarioSpec, load_scenario, parse_scenario

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

__all__ = [
    "Param",
    "ScenarioResult",
    "ScenarioSpec",
    "brief_section",
    "byproduct_supply",
    "byproduct_table",
    "clear_single",
    "clear_two_markets",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]


def brief_section(
    path: str | Path, draws: int = 2000, seed: int | None = 0, *, country: str = "KAZ"
) -> dict[str, Any]:
    """Key tables and figures of a scenario for the HTML briefing.

    Parameters
    ----------
    path : str or Path
        Scenario YAML file.
    draws : int
        Monte Carlo draws.
    seed : int, optional
        Seed (same seed, same numbers).
    country : str
        Country of the by-product gallium table (default Kazakhstan).

    Returns
    -------
    dict
        ``title``, ``summary`` (list of sentences), ``tables`` (DataFrames:
        ``price_bands``, ``spread``, ``importer_shortfall``, ``shortfall_probability``,
        ``assumptions``, ``byproduct_gallium``), ``figures`` (plotly figures:
        ``price_bands``, ``importer_shortfall``) and ``notes``.
    """
    from critmin.scenarios.plot import importer_figure_plotly, price_band_figure_plotly

    r = run_scenario(path, draws=draws, seed=seed)
    bp = byproduct_table("gallium", country=country)
    summ = r.importer_summary()
    last = r.spread.iloc[-1]
    peak = r.spread.loc[r.spread["ratio"].idxmax()]
    summary = [
        f"{r.spec.name}: {r.spec.horizon} {r.spec.period} periods from {r.spec.period_labels()[0]}, "
        f"{draws} Monte Carlo draws (seed {seed}).",
        f"Rest-of-world / {r.spec.exporter} price ratio peaks at {peak['ratio']:.2f} in {peak['period']} "
        f"(P5-P95 {peak['ratio_p5']:.2f}-{peak['ratio_p95']:.2f}); {last['ratio']:.2f} in {last['period']}.",
    ]
    for _, row in summ.iterrows():
        summary.append(
            f"{row['iso3']}: shortfall {row['shortfall_t']:.1f} t over the horizon "
            f"(P95 {row['shortfall_p95_t']:.1f} t), import share {100 * row['import_share']:.1f} %."
        )
    return {
        "title": r.spec.name,
        "summary": summary,
        "tables": {
            "price_bands": r.price_bands,
            "spread": r.spread,
            "importer_shortfall": summ,
            "shortfall_probability": r.shortfall_probability(),
            "assumptions": r.assumptions,
            "byproduct_gallium": bp,
        },
        "figures": {
            "price_bands": price_band_figure_plotly(r),
            "importer_shortfall": importer_figure_plotly(r),
        },
        "notes": r.notes,
    }
