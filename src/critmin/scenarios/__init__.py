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
:mod:`~critmin.scenarios.streaming`
    Streaming per-period quantiles (memory independent of the number of draws) and the
    pre-run memory estimate.
:mod:`~critmin.scenarios.backtest`
    Every observed month after a shock against the model's band: coverage, bias,
    log-RMSE; parameters conditioned on outcome labelled apart.
:mod:`~critmin.scenarios.compare`
    Like-for-like USGS OFR 2024-1057 total cut-off, input by input.
:mod:`~critmin.scenarios.plot`
    Charts: price bands per market and importer shortfall (plotly HTML, matplotlib PNG).

The briefing section is built by :func:`critmin.report.sections.scenario_section`.
Equations and a backtest are in ``docs/scenarios.md``.
"""

from __future__ import annotations

from critmin.scenarios.byproduct import byproduct_supply
from critmin.scenarios.engine import ScenarioResult, byproduct_table, run_scenario
from critmin.scenarios.market import clear_single, clear_two_markets
from critmin.scenarios.spec import Param, ScenarioSpec, load_scenario, parse_scenario

__all__ = [
    "Param",
    "ScenarioResult",
    "ScenarioSpec",
    "byproduct_supply",
    "byproduct_table",
    "clear_single",
    "clear_two_markets",
    "load_scenario",
    "parse_scenario",
    "run_scenario",
]
