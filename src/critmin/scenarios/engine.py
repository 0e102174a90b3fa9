"""Scenario orchestration: calibrate, simulate the central case and the Monte Carlo, tabulate.

:func:`run_scenario` reads a scenario (path or :class:`ScenarioSpec`), calibrates the
two markets to the baseline year from the store (:mod:`critmin.scenarios.calibration`),
builds monthly shock schedules averaged over the periods
(:mod:`critmin.scenarios.shocks`), and clears the markets period by period for the
central parameter values and for ``draws`` Monte Carlo draws
(:mod:`critmin.scenarios.simulate`, compiled kernel in :mod:`critmin.scenarios.kernel`).
The tables of the result are built in :mod:`critmin.scenarios.tables` and
:mod:`critmin.scenarios.provenance`.

The Monte Carlo draws are made in fixed chunks of :data:`CHUNK` draws, each with its
own generator spawned from ``numpy.random.SeedSequence(seed)``, so a seed gives the same
result whether the chunks run here or on a dask.distributed cluster (``scheduler=``
address).

The names defined here before the split (``Prepared``, ``prepare``, ``simulate``,
``ScenarioResult``, ``byproduct_table``, ``CHUNK`` and the private helpers used by the
tests and benchmarks) are re-exported from their new modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from critmin.errors import ValidationError
from critmin.scenarios.byproduct_tables import byproduct_table
from critmin.scenarios.calibration import Prepared, calibration_table, prepare
from critmin.scenarios.provenance import assumptions_table
from critmin.scenarios.results import ScenarioResult
from critmin.scenarios.shocks import build_schedules as _schedules  # noqa: F401 (re-export)
from critmin.scenarios.simulate import CHUNK, monte_carlo, simulate
from critmin.scenarios.simulate import draw_params as _draw_params
from critmin.scenarios.spec import ScenarioSpec
from critmin.scenarios.tables import (
    importer_table,
    markets_table,
    price_bands_table,
    spread_table,
    supply_sources_table,
)

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "CHUNK",
    "Prepared",
    "ScenarioResult",
    "byproduct_table",
    "prepare",
    "run_scenario",
    "simulate",
]

Array = np.ndarray


def _monte_carlo(
    prep: Prepared, draws: int, seed: int | None, scheduler: str | None
) -> dict[str, Array]:
    """:func:`~critmin.scenarios.simulate.monte_carlo` in chunks of this module's :data:`CHUNK`."""
    return monte_carlo(prep, draws, seed, scheduler, chunk=CHUNK)


def run_scenario(
    spec: ScenarioSpec | str | Path,
    draws: int = 1000,
    seed: int | None = 0,
    *,
    scheduler: str | None = None,
    store: Store | None = None,
) -> ScenarioResult:
    """Run a scenario: central case plus a Monte Carlo over parameter distributions.

    Parameters
    ----------
    spec : ScenarioSpec or path
        A validated scenario or a YAML file.
    draws : int
        Monte Carlo draws (0: central run only).
    seed : int, optional
        Seed of ``numpy.random.SeedSequence``; the same seed gives the same result.
    scheduler : str, optional
        Address of a dask.distributed scheduler to run the Monte Carlo chunks on.
    store : Store, optional
        Default: the user's store.

    Returns
    -------
    ScenarioResult

    Examples
    --------
    >>> r = run_scenario("examples/scenarios/gallium-export-restriction.yaml", draws=500, seed=1)  # doctest: +SKIP
    >>> r.price_bands.head()  # doctest: +SKIP
    """
    if draws < 0:
        raise ValidationError("draws must be >= 0")
    prep = prepare(spec, store)
    s = prep.spec
    central = simulate(prep, _draw_params(s, None, 1))
    mc = _monte_carlo(prep, draws, seed, scheduler) if draws > 0 else {}
    markets = markets_table(prep, central)
    price_bands = price_bands_table(prep, central, mc)
    spread = spread_table(prep, central, mc)
    supply_sources = supply_sources_table(prep, central)
    importers, imp_notes = importer_table(prep, central, mc)
    notes = list(dict.fromkeys(prep.notes + imp_notes))
    calibration = calibration_table(prep)
    return ScenarioResult(
        spec=s,
        markets=markets,
        spread=spread,
        price_bands=price_bands,
        supply_sources=supply_sources,
        importers=importers,
        assumptions=assumptions_table(prep),
        calibration=calibration,
        notes=notes,
        draws=draws,
        seed=seed,
        mc=mc,
    )
