"""Simulation: parameter draws packed for the compiled kernel, and the Monte Carlo loop.

:func:`simulate` packs the calibrated baseline, the parameter draws and the shock
schedules (:mod:`critmin.scenarios.shocks`) into arrays and clears both markets period
by period in the compiled kernel (:mod:`critmin.scenarios.kernel`, numba, draws in
parallel). Stocks carry from one period to the next.

The Monte Carlo draws are made in fixed chunks, each with its own generator spawned
from ``numpy.random.SeedSequence(seed)``, so a seed gives the same result whether the
chunks run here or on a dask.distributed cluster (``scheduler=`` address).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from critmin._parallel import map_chunks
from critmin.errors import ValidationError
from critmin.scenarios.outputs import OUT_NAMES
from critmin.scenarios.shocks import build_schedules
from critmin.scenarios.spec import ScenarioSpec, iter_params

if TYPE_CHECKING:  # pragma: no cover
    from critmin.scenarios.calibration import Prepared

__all__ = [
    "CHUNK",
    "chunk_size",
    "draw_params",
    "monte_carlo",
    "restartable_capacity",
    "simulate",
]

#: Relative tolerance below which unmet demand and surplus are reported as zero.
_RTOL = 1e-9

#: Draws per Monte Carlo chunk (each chunk has its own spawned seed).
CHUNK = 2000

Array = np.ndarray


def draw_params(spec: ScenarioSpec, rng: Any | None, n: int) -> dict[str, Array]:
    """Values of every parameter of a scenario, by field path.

    Parameters
    ----------
    spec : ScenarioSpec
        The scenario.
    rng : numpy.random.Generator, optional
        Generator of the draws; ``None``: the central value of each parameter.
    n : int
        Number of draws.

    Returns
    -------
    dict of str to numpy.ndarray
        Arrays of shape ``(n,)`` in each parameter's unit.
    """
    out: dict[str, Array] = {}
    for path, p in iter_params(spec):
        out[path] = p.sample(rng, n) if rng is not None else np.full(n, p.central())
    return out


def _baseline_output(
    spec: ScenarioSpec, draws: dict[str, Array], mkt: str, total: float, n: int
) -> Array:
    """Baseline output of a market per draw. [t/yr]

    ``baseline.production_<market>`` (when given) replaces the store total; the metal in
    concentrate shipped to the exporter's smelters moves from the rest of the world to
    the exporter: ``S_d = S_d* + (C - C_central)``, ``S_r = S_r* - (C - C_central)``,
    where ``S*`` already holds the central value ``C_central`` (calibration).
    """
    p = draws.get(f"baseline.production_{mkt}")
    s0 = np.full(n, total) if p is None else np.asarray(p, dtype=float).copy()
    c = draws.get("baseline.concentrate_to_exporter")
    conc = spec.baseline.concentrate_to_exporter
    if c is not None and conc is not None:
        dc = c - conc.central()
        s0 = s0 + dc if mkt == "domestic" else np.maximum(s0 - dc, 0.0)
    return s0


def restartable_capacity(k: Array, s0: Array, share: Array) -> Array:
    """Idle capacity that a restart brings back, ``share x max(K - S0, 0)``. [t/yr]

    Zero where the capacity is unknown (``K`` infinite): no idle capacity is assumed.
    """
    idle = np.where(np.isfinite(k), np.maximum(k - s0, 0.0), 0.0)
    return np.asarray(share * idle, dtype=float)


def simulate(prep: Prepared, draws: dict[str, Array]) -> dict[str, Any]:
    """Clear both markets period by period for a set of parameter draws.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    draws : dict of str to numpy.ndarray
        Parameter values by field path, each of shape ``(N,)``.

    Returns
    -------
    dict
        ``{"domestic": {...}, "row": {...}}`` with arrays ``(N, T)`` of
        ``price_ratio`` [1], ``price`` [price unit], and per-period volumes [t]:
        ``production`` (incumbents), ``new_capacity``, ``imports``, ``exports``,
        ``stock_draw``, ``stock_release``, ``consumption``, ``reference_demand``,
        ``unmet``, ``surplus``, ``stock_end``; plus ``"trade"`` with ``cap`` [t/yr]
        and ``segmented`` [bool].

    Notes
    -----
    Baseline: ``D0_d = S0_d - X0 + Q0_d`` and ``D0_r = S0_r + X0 + Q0_r`` (``Q0``:
    baseline secondary supply, 0 unless given). Each period: clear both
    markets (the equations of :func:`~critmin.scenarios.market.clear_two_markets`,
    solved draw by draw in :func:`~critmin.scenarios.kernel.simulate_kernel`); where a
    market's price is above baseline, holders release stocks (at most
    ``stock * min(1, share * dt)`` per period) up to the excess demand at the baseline
    price, and the markets clear again. A draw's result depends only on its own
    parameters, not on the other draws of the call.
    """
    from critmin.scenarios.kernel import simulate_kernel  # numba: on first use

    spec = prep.spec
    n = len(draws["baseline.exports"])
    T = spec.horizon
    dt = spec.months_per_period / 12.0
    sch = build_schedules(prep, draws, n)
    x0 = draws["baseline.exports"]
    par = "parameters"
    base: dict[str, dict[str, Array]] = {}
    for mkt in ("domestic", "row"):
        s0, k = prep.market_totals(mkt)
        spare = draws.get(f"{par}.spare_capacity.{mkt}")
        if spare is not None:
            kk = s0 * (1.0 + spare)
        elif np.isfinite(k):
            kk = np.full(n, k)
        else:
            kk = np.full(n, np.inf)
        stock0 = draws.get(f"{par}.stocks.{mkt}")
        s0v = _baseline_output(spec, draws, mkt, s0, n)
        q0 = draws.get(f"{par}.secondary_supply.{mkt}", np.zeros(n))
        base[mkt] = {
            "s0": s0v,
            "k": kk,
            "d0": (s0v - x0 if mkt == "domestic" else s0v + x0) + q0,
            "eps_s": draws[f"{par}.supply_elasticity.{mkt}"],
            "eps_d": draws[f"{par}.demand_elasticity.{mkt}"],
            "p0": draws[f"baseline.price_{mkt}"],
            "stock": np.zeros(n) if stock0 is None else stock0.copy(),
        }
    if np.any(base["domestic"]["d0"] <= 0):
        raise ValidationError("baseline exports must be below the exporter's output in every draw")
    x_max = spec.parameters.price_ceiling_ratio
    mk = ("domestic", "row")
    fields = ("d0", "eps_d", "s0", "eps_s", "k", "p0", "stock")
    pars = np.zeros((2, 14, n))
    for j, m in enumerate(mk):
        for q, f in enumerate(fields):
            pars[j, q] = base[m][f]
        pars[j, 8] = draws.get(f"{par}.secondary_supply.{m}", 0.0)
        pars[j, 9] = draws.get(f"{par}.secondary_elasticity.{m}", 0.0)
        pars[j, 11] = np.inf
    pars[0, 7] = draws[f"{par}.stock_draw_share"]
    rs = spec.parameters.restart
    if rs is not None:
        j = mk.index(rs.market)
        b = base[rs.market]
        pars[j, 10] = restartable_capacity(b["k"], b["s0"], draws[f"{par}.restart.share"])
        pars[j, 11] = draws[f"{par}.restart.threshold_ratio"]
        pars[j, 12] = draws[f"{par}.restart.lead_months"] / 12.0
        pars[j, 13] = draws[f"{par}.restart.ramp_months"] / 12.0

    def stack(d: dict[str, Array]) -> Array:
        return np.ascontiguousarray(
            np.stack([np.broadcast_to(d[m], (n, T)) for m in mk]), dtype=np.float64
        )

    res = np.empty((2, len(OUT_NAMES), n, T))
    seg = np.zeros((n, T), dtype=np.bool_)
    cap = np.ascontiguousarray(np.broadcast_to(sch.cap, (n, T)), dtype=np.float64)
    simulate_kernel(
        pars,
        stack(sch.growth),
        stack(sch.outage),
        stack(sch.adds),
        stack(sch.release),
        cap,
        float(dt),
        float(x_max),
        _RTOL,
        res,
        seg,
    )
    out: dict[str, Any] = {
        m: {k: res[j, q] for q, k in enumerate(OUT_NAMES)} for j, m in enumerate(mk)
    }
    out["trade"] = {"cap": sch.cap, "segmented": seg}
    out["_schedules"] = sch
    out["_adds_by"] = sch.adds_by
    out["_dest_codes"] = sch.dest_codes
    return out


def _mc_chunk(prep: Prepared, seed_seq: Any, n: int, keep: tuple[str, ...]) -> dict[str, Array]:
    rng = np.random.default_rng(seed_seq)
    d = draw_params(prep.spec, rng, n)
    sim = simulate(prep, d)
    res: dict[str, Array] = {}
    for k in keep:
        m, q = k.split(".")
        res[k] = sim[m][q].copy()  # not a view: the chunk's other outputs can be freed
    res["trade.segmented"] = sim["trade"]["segmented"]
    return res


#: Outputs kept from each Monte Carlo draw (``market.output``).
_KEEP = (
    "domestic.price",
    "row.price",
    "domestic.unmet",
    "row.unmet",
    "row.imports",
    "row.consumption",
    "row.reference_demand",
)


def _histograms(prep: Prepared, n_periods: int) -> dict[str, Any]:
    """Empty per-period histograms of the reduced outputs (ranges from the baseline)."""
    from critmin.scenarios.kernel import _X_MIN
    from critmin.scenarios.streaming import LogHistogram

    spec = prep.spec
    xm = spec.parameters.price_ceiling_ratio
    p0d = spec.baseline.price_domestic.central()
    p0r = spec.baseline.price_row.central()
    s0r, _ = prep.market_totals("row")
    ref = max(s0r + spec.baseline.exports.central(), 1e-9) * spec.months_per_period / 12.0
    r0 = p0r / p0d
    return {
        "domestic.price": LogHistogram(p0d * _X_MIN / 100, p0d * xm * 100, n_periods),
        "row.price": LogHistogram(p0r * _X_MIN / 100, p0r * xm * 100, n_periods),
        "ratio": LogHistogram(r0 * _X_MIN / xm / 100, r0 * xm / _X_MIN * 100, n_periods),
        "row.unmet": LogHistogram(ref * 1e-9, ref * 1e3, n_periods),
    }


def chunk_size(months: int, chunk: int = CHUNK, budget: int = 256 * 2**20) -> int:
    """Draws per chunk: ``chunk``, smaller (not below 100) where a chunk of ``months``
    would pass ``budget`` bytes (``BYTES_PER_DRAW_PERIOD`` each per draw-month)."""
    from critmin.scenarios.streaming import BYTES_PER_DRAW_PERIOD

    return int(min(chunk, max(100, budget // max(months * BYTES_PER_DRAW_PERIOD, 1))))


def monte_carlo(
    prep: Prepared,
    draws: int,
    seed: int | None,
    scheduler: str | None = None,
    chunk: int = CHUNK,
    keep: bool = True,
) -> tuple[dict[str, Array], dict[str, Any]]:
    """Monte Carlo over a scenario's parameter distributions, in chunks of draws.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    draws : int
        Number of draws (> 0).
    seed : int, optional
        Seed of ``numpy.random.SeedSequence``; chunk ``i`` draws from its ``i``-th
        spawned child, so the result depends on ``seed`` and ``chunk`` only.
    scheduler : str, optional
        Address of a dask.distributed scheduler to run the chunks on.
    chunk : int
        Draws per chunk.
    keep : bool
        Keep every draw's outputs (memory ``draws x T``); otherwise only the streaming
        histograms are kept and each chunk is freed once counted.

    Returns
    -------
    tuple
        ``(arrays, histograms)``. ``arrays`` (empty unless ``keep``): ``(draws, T)``
        arrays of the kept outputs (``domestic.price`` and ``row.price`` [price unit];
        ``domestic.unmet``, ``row.unmet``, ``row.imports``, ``row.consumption``,
        ``row.reference_demand`` [t per period]) and ``trade.segmented`` [bool].
        ``histograms``: :class:`~critmin.scenarios.streaming.LogHistogram` of
        ``domestic.price``, ``row.price``, ``ratio`` (row / domestic) and ``row.unmet``.
    """
    ss = np.random.SeedSequence(seed)
    sizes = [chunk] * (draws // chunk) + ([draws % chunk] if draws % chunk else [])
    seeds = ss.spawn(len(sizes))
    parts = map_chunks(
        _mc_chunk, [(prep, s, k, _KEEP) for s, k in zip(seeds, sizes, strict=True)], scheduler
    )
    hists = _histograms(prep, prep.spec.horizon)
    # chunk by chunk: counted into the histograms (and copied into preallocated arrays
    # when kept); memory here: the histograms (plus the kept arrays) and one chunk
    out: dict[str, Array] = {}
    a = 0
    for k, part in zip(sizes, parts, strict=True):
        hists["domestic.price"].add(part["domestic.price"])
        hists["row.price"].add(part["row.price"])
        hists["ratio"].add(part["row.price"] / part["domestic.price"])
        hists["row.unmet"].add(part["row.unmet"])
        if keep:
            if not out:
                out = {q: np.empty((draws, *v.shape[1:]), dtype=v.dtype) for q, v in part.items()}
            for q, v in part.items():
                out[q][a : a + k] = v
        a += k
        del part
    return out, hists
