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
from typing import TYPE_CHECKING, Any

import numpy as np

from critmin.errors import ValidationError
from critmin.scenarios.byproduct_tables import byproduct_table
from critmin.scenarios.calibration import Prepared, calibration_table, prepare
from critmin.scenarios.provenance import assumptions_table
from critmin.scenarios.results import ScenarioResult
from critmin.scenarios.shocks import build_schedules as _schedules  # noqa: F401 (re-export)
from critmin.scenarios.simulate import CHUNK, chunk_size, monte_carlo, simulate
from critmin.scenarios.simulate import draw_params as _draw_params
from critmin.scenarios.spec import ScenarioSpec
from critmin.scenarios.streaming import KEPT_OUTPUTS
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
    "check_memory",
    "prepare",
    "run_scenario",
    "simulate",
]

Array = np.ndarray


#: Kept draws (``draws x T x KEPT_OUTPUTS x 8`` bytes) above which a run streams by default.
KEEP_BUDGET = 256 * 2**20


def _monte_carlo(
    prep: Prepared, draws: int, seed: int | None, scheduler: str | None, keep: bool = True
) -> dict[str, Any]:
    """:func:`~critmin.scenarios.simulate.monte_carlo` in chunks of this module's
    :data:`CHUNK` (smaller for long horizons, :func:`~critmin.scenarios.simulate.chunk_size`);
    the histograms under ``_hist``."""
    chunk = chunk_size(prep.spec.n_months, CHUNK)
    arrays, hists = monte_carlo(prep, draws, seed, scheduler, chunk=chunk, keep=keep)
    out: dict[str, Any] = dict(arrays)
    out["_hist"] = hists
    return out


def check_memory(prep: Prepared, draws: int, keep: bool, max_memory: int | None = None) -> int:
    """Estimate a run's memory and refuse it when it will not fit.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    draws : int
        Monte Carlo draws.
    keep : bool
        Whether every draw's outputs are kept.
    max_memory : int, optional
        Limit [bytes]; default :data:`critmin._memory.SAFETY` x the memory available now.

    Returns
    -------
    int
        The estimate [bytes] (:func:`~critmin.scenarios.streaming.memory_estimate`).

    Raises
    ------
    ResourceLimitError
        When the estimate exceeds the limit (the shared guard :func:`critmin._memory.check_memory`).
    """
    from critmin._memory import SAFETY
    from critmin._memory import check_memory as _guard
    from critmin.scenarios.simulate import chunk_size
    from critmin.scenarios.streaming import memory_estimate

    s = prep.spec
    est = memory_estimate(draws, s.horizon, s.n_months, chunk_size(s.n_months, CHUNK), keep)
    _guard(
        est,
        f"{draws:,} draws x {s.horizon} periods ({'keeping every draw' if keep else 'streamed'})",
        "use fewer draws" + (", keep_draws=False" if keep else "") + " or a shorter horizon",
        available=None if max_memory is None else int(max_memory / SAFETY),
    )
    return est


def run_scenario(
    spec: ScenarioSpec | str | Path,
    draws: int = 1000,
    seed: int | None = 0,
    *,
    scheduler: str | None = None,
    store: Store | None = None,
    keep_draws: bool | None = None,
    max_memory: int | None = None,
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
    keep_draws : bool, optional
        Keep every draw's outputs in ``result.mc`` (exact percentiles). Default: keep
        them when they take at most :data:`KEEP_BUDGET` bytes, otherwise stream: the
        tables then come from per-period histograms (error below 0.3 %) and memory no
        longer grows with ``draws``.
    max_memory : int, optional
        Refuse the run (``ResourceLimitError``) when its estimated memory exceeds this
        [bytes]; default 80 % of the memory available (:func:`check_memory`).

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
    keep = (
        keep_draws
        if keep_draws is not None
        else draws * s.horizon * KEPT_OUTPUTS * 8 <= KEEP_BUDGET
    )
    if draws > 0:
        check_memory(prep, draws, keep, max_memory)
    mc = _monte_carlo(prep, draws, seed, scheduler, keep) if draws > 0 else {}
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
