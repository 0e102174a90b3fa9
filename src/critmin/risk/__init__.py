"""Supply-risk indices side by side, from any importer's point of view.

Contents
    :func:`supply_risk`
        Ranked table of every commodity with enough data, by method (EU CRM, USGS 2021,
        GeoPolRisk, HHI), with Monte Carlo percentiles and rank stability.
    :func:`side_by_side`
        One row per commodity, value and rank per method.
    :func:`explain`
        Every factor of one commodity's index with value, unit and source row.
    :func:`timeseries`
        Index over the WGI years (1996-2022) with supply shares fixed.

Modules
    :mod:`~critmin.risk.methods` (pure index formulas), :mod:`~critmin.risk.config`
    (``mapping.yaml``, ``parameters.yaml`` and input structures),
    :mod:`~critmin.risk.engine` (all methods for one stage),
    :mod:`~critmin.risk.uncertainty` (Monte Carlo, rank stability),
    :mod:`~critmin.risk.inputs` (the only module that reads the store),
    :mod:`~critmin.risk.plot`.

See ``docs/risk.md`` for the formulas, stand-ins, parameter defaults and sources.
"""

from critmin.risk.api import explain, side_by_side, supply_risk, timeseries
from critmin.risk.methods import METHODS

__all__ = ["METHODS", "explain", "side_by_side", "supply_risk", "timeseries"]
