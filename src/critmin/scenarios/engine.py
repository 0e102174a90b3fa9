"""Scenario orchestration: calibration, shock schedules, period-by-period clearing, Monte Carlo.

:func:`run_scenario` reads a scenario (path or :class:`ScenarioSpec`), calibrates the
two markets to the baseline year from the store, builds monthly shock schedules,
averages them over the periods, and clears the markets period by period for the
central parameter values and for ``draws`` Monte Carlo draws. The period loop runs in
a compiled kernel (:mod:`critmin.scenarios.kernel`, numba, draws in parallel); the
schedules and parameter draws are NumPy arrays over draws. Stocks carry from one
period to the next.

The Monte Carlo draws are made in fixed chunks, each with its own generator spawned
from ``numpy.random.SeedSequence(seed)``, so a seed gives the same result whether the
chunks run here or on a dask.distributed cluster (``scheduler=`` address).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from critmin.errors import DataNotFoundError, ValidationError
from critmin.scenarios.outputs import OUT_NAMES
from critmin.scenarios.spec import (
    CapacityAddition,
    DemandGrowth,
    ExportRestriction,
    Outage,
    Param,
    ScenarioSpec,
    StockRelease,
    bundled_facts,
    iter_params,
    load_scenario,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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

#: Relative tolerance below which unmet demand and surplus are reported as zero.
_RTOL = 1e-9

#: Draws per Monte Carlo chunk (each chunk has its own spawned seed).
CHUNK = 2000

Array = np.ndarray


# ---------------------------------------------------------------------- calibration
@dataclass
class Prepared:
    """A scenario with its store inputs resolved.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario, with store prices resolved into values.
    producers : pandas.DataFrame
        Baseline output and capacity by country (``market`` domestic/row).
    destinations : pandas.DataFrame
        The exporter's destination shares (``iso3``, ``share``).
    importers : pandas.DataFrame
        Rest-of-world import shares (``iso3``, ``share``).
    notes : list of str
        What was filled in or approximated.
    """

    spec: ScenarioSpec
    producers: pd.DataFrame
    destinations: pd.DataFrame
    importers: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _totals: dict[str, tuple[float, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def exporter(self) -> str:
        """ISO3 of the exporter (the domestic market)."""
        assert self.spec.exporter is not None
        return self.spec.exporter

    def market_totals(self, market: str) -> tuple[float, float]:
        """Baseline output and capacity (NaN when unknown) of a market. [t/yr]"""
        if market not in self._totals:
            self._totals[market] = self._market_totals(market)
        return self._totals[market]

    def _market_totals(self, market: str) -> tuple[float, float]:
        p = self.producers[self.producers["market"] == market]
        prod = float(p["production_t"].sum())
        caps = p["capacity_t"]
        if caps.isna().all():
            return prod, float("nan")
        # a producer without a capacity figure is taken at its output
        cap = float(
            np.where(caps.isna(), p["production_t"], np.maximum(caps, p["production_t"])).sum()
        )
        return prod, cap


def _resolve_price(p: Param, year: int, unit: str, store: Store | None) -> Param:
    if p.series is None or p.value is not None:
        return p
    from critmin.scenarios.inputs import store_price

    v, src = store_price(p.series, year, unit, store)
    return p.model_copy(update={"value": v, "source": src, "unit": unit})


def prepare(spec: ScenarioSpec | str | Path, store: Store | None = None) -> Prepared:
    """Resolve a scenario's store inputs: baseline output, capacity, prices and trade shares.

    Parameters
    ----------
    spec : ScenarioSpec or path
        The scenario.
    store : Store, optional
        Default: the user's store.

    Returns
    -------
    Prepared
    """
    from critmin.scenarios.inputs import producers, trade_shares

    s = spec if isinstance(spec, ScenarioSpec) else load_scenario(spec)
    assert s.exporter is not None
    exporter = s.exporter
    prod, notes = producers(s.commodity, s.baseline_year, s.exporter, store)
    b = s.baseline
    unit = b.price_unit
    pd_ = _resolve_price(b.price_domestic, s.baseline_year, unit, store)
    pr_ = _resolve_price(b.price_row, s.baseline_year, unit, store)
    s = s.model_copy(
        update={"baseline": b.model_copy(update={"price_domestic": pd_, "price_row": pr_})}
    )
    ty = b.trade_year if b.trade_year is not None else s.baseline_year
    dest, imps, tnotes = trade_shares(s.commodity, exporter, ty, store)
    notes.extend(tnotes)
    if imps.empty:
        row = prod[prod["market"] == "row"]
        tot = float(row["production_t"].sum())
        if tot > 0:
            import pandas as pd

            imps = pd.DataFrame({"iso3": row["iso3"], "share": row["production_t"] / tot})
            notes.append(
                "importer shares: no trade data; rest-of-world production shares used instead"
            )
    x0 = s.baseline.exports.central()
    s0_d, _ = Prepared(s, prod, dest, imps).market_totals("domestic")
    if x0 >= s0_d:
        raise ValidationError(
            f"baseline exports ({x0:g} t/yr) must be below the exporter's output ({s0_d:g} t/yr)"
        )
    return Prepared(s, prod, dest, imps, notes)


# ------------------------------------------------------------------------- sampling
def _draw_params(spec: ScenarioSpec, rng: Any | None, n: int) -> dict[str, Array]:
    out: dict[str, Array] = {}
    for path, p in iter_params(spec):
        out[path] = p.sample(rng, n) if rng is not None else np.full(n, p.central())
    return out


def _dest_share(prep: Prepared, codes: list[str] | None) -> float:
    if codes is None:
        return 1.0
    d = prep.destinations
    if d.empty:
        return 1.0
    return float(d.loc[d["iso3"].isin(codes), "share"].sum())


def _period_mean(a: Array, step: int) -> Array:
    n, m = a.shape
    if step == 1:
        return a
    return a.reshape(n, m // step, step).mean(axis=2)


def _active(months: Array, start: int, duration: int | None) -> Array:
    end = np.inf if duration is None else start + duration
    return (months >= start) & (months < end)


@dataclass
class _Schedules:
    cap: Array  # (N, T) export cap [t/yr], inf where unrestricted
    adds: dict[str, Array]  # market -> (N, T) new capacity output [t/yr]
    adds_by: list[tuple[str, str, Array]]  # (market, iso3, (N,T))
    outage: dict[str, Array]
    growth: dict[str, Array]
    release: dict[str, Array]
    allowed_by_group: Array  # (N, T, G) allowed fraction of the baseline flow, by group
    dest_group: Array  # (J,) group of each destination (same restrictions apply)
    dest_codes: list[str]

    @property
    def allowed_by_dest(self) -> Array:
        """Allowed fraction of the baseline flow to each destination, ``(N, T, J)``. [1]"""
        return self.allowed_by_group[:, :, self.dest_group]


def _schedules(prep: Prepared, draws: dict[str, Array], n: int) -> _Schedules:
    spec = prep.spec
    step = spec.months_per_period
    months = spec.start + np.arange(spec.n_months)
    mm = months[None, :].astype(float)
    x0 = draws["baseline.exports"]
    leak = draws["parameters.leakage"][:, None]
    dest_codes = [*prep.destinations["iso3"], "(other)"]
    dshare = np.append(prep.destinations["share"].to_numpy(float), 0.0)
    if prep.destinations.empty:
        dest_codes, dshare = ["(all)"], np.array([1.0])
    # destinations hit by the same restrictions form a group; the cap only needs the
    # allowed fraction per group (product of the f_k of the restrictions targeting it)
    group_f: list[tuple[Array, Array]] = []  # (targeted destinations, f_k (N, M))
    restricted = np.zeros(spec.n_months, dtype=bool)
    adds = {m: np.zeros((n, spec.n_months)) for m in ("domestic", "row")}
    adds_by: list[tuple[str, str, Array]] = []
    outage = {m: np.zeros((n, spec.n_months)) for m in ("domestic", "row")}
    growth = {m: np.ones((n, spec.n_months)) for m in ("domestic", "row")}
    release = {m: np.zeros((n, spec.n_months)) for m in ("domestic", "row")}
    prodm = prep.producers
    for i, sh in enumerate(spec.shocks):
        key = f"shocks.{i}"
        if isinstance(sh, ExportRestriction):
            act = _active(months, sh.start, sh.duration_months)
            restricted |= act
            codes = sh.destination_codes()
            if sh.share_allowed is not None:
                a = np.broadcast_to(draws[f"{key}.share_allowed"][:, None], (n, spec.n_months))
            else:
                s_g = _dest_share(prep, codes)
                q = draws[f"{key}.quota_t"]
                base = x0 * s_g
                a = np.broadcast_to(
                    np.where(base > 0, np.minimum(1.0, q / np.where(base > 0, base, 1.0)), 1.0)[
                        :, None
                    ],
                    (n, spec.n_months),
                )
            delay = draws[f"{key}.licensing_delay_months"][:, None]
            blocked = np.clip(sh.start + delay - mm, 0.0, 1.0)
            eff = a * (1.0 - blocked)
            f = eff + leak * (1.0 - eff)
            f = np.where(act[None, :], f, 1.0)
            if prep.destinations.empty:
                targ = np.array([True])
            elif codes is None:
                targ = np.ones(len(dest_codes), dtype=bool)
            else:
                targ = np.array([c in codes for c in dest_codes])
            group_f.append((targ, f))
        elif isinstance(sh, CapacityAddition):
            mkt = "domestic" if sh.country == prep.exporter else "row"
            t = draws[f"{key}.tonnes_per_year"][:, None]
            if sh.ramp_up_months == 0:
                ramp = (mm >= sh.start).astype(float)
            else:
                ramp = np.clip((mm - sh.start + 1.0) / sh.ramp_up_months, 0.0, 1.0)
            a_t = t * ramp
            adds[mkt] = adds[mkt] + a_t
            adds_by.append(
                (
                    mkt,
                    sh.country,
                    _period_mean(np.broadcast_to(a_t, (n, spec.n_months)).copy(), step),
                )
            )
        elif isinstance(sh, Outage):
            mkt = "domestic" if sh.country == prep.exporter else "row"
            p = prodm[prodm["market"] == mkt]
            tot = float(p["production_t"].sum())
            w = (
                float(p.loc[p["iso3"] == sh.country, "production_t"].sum()) / tot
                if tot > 0
                else 0.0
            )
            if w == 0:
                prep.notes.append(f"outage in {sh.country}: no baseline output, no effect")
            act = _active(months, sh.start, sh.duration_months)
            outage[mkt] = outage[mkt] + np.where(
                act[None, :], draws[f"{key}.share"][:, None] * w, 0.0
            )
        elif isinstance(sh, DemandGrowth):
            start = spec.start if sh.start is None else sh.start
            yrs = np.maximum(mm - start + 0.5, 0.0) / 12.0
            growth[sh.market] = growth[sh.market] * (1.0 + draws[f"{key}.rate"][:, None]) ** yrs
        elif isinstance(sh, StockRelease):
            act = _active(months, sh.start, sh.duration_months)
            rate = draws[f"{key}.tonnes"][:, None] * 12.0 / sh.duration_months
            release[sh.market] = release[sh.market] + np.where(act[None, :], rate, 0.0)
    sig = np.array([t for t, _ in group_f], dtype=bool).T.reshape(len(dest_codes), -1)
    sigs, dest_group = np.unique(sig, axis=0, return_inverse=True)
    dest_group = dest_group.reshape(-1)
    frac = np.ones((n, spec.n_months, len(sigs)))
    for g, sg in enumerate(sigs):
        for (_, f), hit in zip(group_f, sg, strict=True):
            if hit:
                frac[:, :, g] *= f
    wg = np.bincount(dest_group, weights=dshare, minlength=len(sigs))
    cap_frac = frac @ wg
    _, kd = prep.market_totals("domestic")
    s0d, _ = prep.market_totals("domestic")
    bound = (kd if np.isfinite(kd) else 10 * s0d) + adds["domestic"]
    cap_m = np.where(restricted[None, :], np.minimum(x0[:, None] * cap_frac, bound), bound)
    cap = _period_mean(cap_m, step)
    unrestricted_period = ~restricted.reshape(-1, step).any(axis=1)
    cap[:, unrestricted_period] = np.inf
    return _Schedules(
        cap=cap,
        adds={k: _period_mean(v, step) for k, v in adds.items()},
        adds_by=adds_by,
        outage={k: np.clip(_period_mean(v, step), 0.0, 1.0) for k, v in outage.items()},
        growth={k: _period_mean(v, step) for k, v in growth.items()},
        release={k: _period_mean(v, step) for k, v in release.items()},
        allowed_by_group=frac.reshape(n, spec.horizon, step, len(sigs)).mean(axis=2),
        dest_group=dest_group,
        dest_codes=dest_codes,
    )


# ----------------------------------------------------------------------- simulation
#: Per-market outputs of :func:`simulate`.
_OUT = OUT_NAMES


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
    Baseline: ``D0_d = S0_d - X0`` and ``D0_r = S0_r + X0``. Each period: clear both
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
    sch = _schedules(prep, draws, n)
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
        base[mkt] = {
            "s0": np.full(n, s0),
            "k": kk,
            "d0": s0 - x0 if mkt == "domestic" else s0 + x0,
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
    pars = np.zeros((2, 8, n))
    for j, m in enumerate(mk):
        for q, f in enumerate(fields):
            pars[j, q] = base[m][f]
    pars[0, 7] = draws[f"{par}.stock_draw_share"]

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
    d = _draw_params(prep.spec, rng, n)
    sim = simulate(prep, d)
    res: dict[str, Array] = {}
    for k in keep:
        m, q = k.split(".")
        res[k] = sim[m][q].copy()  # not a view: the chunk's other outputs can be freed
    res["trade.segmented"] = sim["trade"]["segmented"]
    return res


_KEEP = (
    "domestic.price",
    "row.price",
    "domestic.unmet",
    "row.unmet",
    "row.imports",
    "row.consumption",
    "row.reference_demand",
)


def _monte_carlo(
    prep: Prepared, draws: int, seed: int | None, scheduler: str | None
) -> dict[str, Array]:
    ss = np.random.SeedSequence(seed)
    sizes = [CHUNK] * (draws // CHUNK) + ([draws % CHUNK] if draws % CHUNK else [])
    seeds = ss.spawn(len(sizes))
    if scheduler:
        from distributed import Client

        with Client(scheduler) as client:
            futs = [
                client.submit(_mc_chunk, prep, s, k, _KEEP, pure=False)
                for s, k in zip(seeds, sizes, strict=True)
            ]
            parts = client.gather(futs)
        return {k: np.concatenate([p[k] for p in parts], axis=0) for k in parts[0]}
    # locally, chunk by chunk into preallocated arrays (memory: the result plus one chunk)
    out: dict[str, Array] = {}
    a = 0
    for s, k in zip(seeds, sizes, strict=True):
        part = _mc_chunk(prep, s, k, _KEEP)
        if not out:
            out = {q: np.empty((draws, *v.shape[1:]), dtype=v.dtype) for q, v in part.items()}
        for q, v in part.items():
            out[q][a : a + k] = v
        a += k
    return out


# --------------------------------------------------------------------------- result
@dataclass
class ScenarioResult:
    """Output of :func:`run_scenario`: DataFrames of the central run and Monte Carlo bands.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario (store prices resolved).
    markets : pandas.DataFrame
        Central run, one row per period and market: ``price`` [unit], ``price_ratio``,
        volumes [t per period]: ``production_t``, ``new_capacity_t``, ``imports_t``,
        ``exports_t``, ``stock_draw_t``, ``stock_release_t``, ``consumption_t``,
        ``reference_demand_t``, ``unmet_t``, ``surplus_t``, ``stock_end_t``, and
        ``export_cap_t``, ``segmented``.
    spread : pandas.DataFrame
        ``period``, ``price_domestic``, ``price_row``, ``spread``, ``ratio`` and the
        Monte Carlo ``ratio_p5/p50/p95``.
    price_bands : pandas.DataFrame
        ``period``, ``market``, ``price`` (central), ``p5``, ``p50``, ``p95``, ``unit``.
    supply_sources : pandas.DataFrame
        Who supplies the rest of the world in each period (central run): ``source``,
        ``iso3``, ``quantity_t`` and ``change_t`` against the baseline.
    importers : pandas.DataFrame
        Rest-of-world shortfall by importer and period: ``import_share``,
        ``restricted_t`` (baseline flow from the exporter held back by the restriction),
        ``shortfall_t`` (central), ``shortfall_p50_t``, ``shortfall_p95_t``.
    assumptions : pandas.DataFrame
        Every input: ``name``, ``value``, ``unit``, ``source`` (full citation or
        ``assumption``), ``ref`` (as written in the file: ``facts:38``), ``assumption``
        (bool), ``note``.
    calibration : pandas.DataFrame
        Baseline of each market with sources.
    notes : list of str
        Data gaps and approximations.
    draws, seed : int
        Monte Carlo size and seed.
    """

    spec: ScenarioSpec
    markets: pd.DataFrame
    spread: pd.DataFrame
    price_bands: pd.DataFrame
    supply_sources: pd.DataFrame
    importers: pd.DataFrame
    assumptions: pd.DataFrame
    calibration: pd.DataFrame
    notes: list[str]
    draws: int
    seed: int | None
    mc: dict[str, Array] = field(repr=False, default_factory=dict)

    @property
    def unit(self) -> str:
        """Price unit."""
        return self.spec.baseline.price_unit

    def shortfall_probability(self, threshold_t: float | None = None) -> pd.DataFrame:
        """Probability that the rest-of-world shortfall in a period exceeds a threshold.

        Parameters
        ----------
        threshold_t : float, optional
            Shortfall threshold per period. Default: 10 % of the period's reference
            demand of the rest of the world in the central run. [t]

        Returns
        -------
        pandas.DataFrame
            ``period``, ``threshold_t``, ``probability`` (share of draws; NaN without
            Monte Carlo draws), ``shortfall_p50_t``, ``shortfall_p95_t``.
        """
        import pandas as pd

        labels = self.spec.period_labels()
        row = self.markets[self.markets["market"] == "ROW"]
        if threshold_t is None:
            thr = 0.1 * row["reference_demand_t"].to_numpy()
        else:
            thr = np.full(len(labels), float(threshold_t))
        u = self.mc.get("row.unmet")
        if u is None or len(u) == 0:
            prob = np.full(len(labels), np.nan)
            p50 = p95 = prob
        else:
            prob = (u > thr[None, :]).mean(axis=0)
            p50, p95 = np.percentile(u, [50, 95], axis=0)
        return pd.DataFrame(
            {
                "period": labels,
                "threshold_t": thr,
                "probability": prob,
                "shortfall_p50_t": p50,
                "shortfall_p95_t": p95,
            }
        )

    def importer_summary(self) -> pd.DataFrame:
        """Importer shortfall summed over the horizon (``iso3``, ``import_share``,
        ``restricted_t``, ``shortfall_t``, ``shortfall_p50_t``, ``shortfall_p95_t``)."""
        g = self.importers.groupby(["iso3", "import_share"], as_index=False, sort=False)
        cols = ["restricted_t", "shortfall_t", "shortfall_p50_t", "shortfall_p95_t"]
        return g[cols].sum()

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (for writing to files)."""
        return {
            "markets": self.markets,
            "spread": self.spread,
            "price_bands": self.price_bands,
            "supply_sources": self.supply_sources,
            "importers": self.importers,
            "importer_summary": self.importer_summary(),
            "shortfall_probability": self.shortfall_probability(),
            "assumptions": self.assumptions,
            "calibration": self.calibration,
        }


def _source_text(src: str, spec: ScenarioSpec) -> str:
    s = src.strip()
    if s.lower() == "assumption":
        return "assumption"
    if s.startswith("facts:"):
        facts = bundled_facts()
        parts = []
        for n in (int(x) for x in s[6:].split(",")):
            r = facts[n]
            parts.append(f"facts.csv line {n}: {r['source']} ({r['url']})")
        return "; ".join(parts)
    if s in spec.sources:
        src_ = spec.sources[s]
        return f"{src_.title}" + (f" ({src_.url})" if src_.url else "")
    return s


def _assumptions(prep: Prepared) -> pd.DataFrame:
    import pandas as pd

    spec = prep.spec
    rows = []
    for path, p in iter_params(spec):
        rows.append(
            {
                "name": path,
                "value": p.describe(),
                "unit": p.unit,
                "source": _source_text(p.source, spec),
                "ref": p.source,
                "assumption": p.is_assumption,
                "note": p.note,
            }
        )
    rows.append(
        {
            "name": "parameters.price_ceiling_ratio",
            "value": f"{spec.parameters.price_ceiling_ratio:g}",
            "unit": "x baseline price",
            "source": "assumption",
            "ref": "assumption",
            "assumption": True,
            "note": "prices stop here; demand beyond supply at the ceiling is unmet",
        }
    )
    model_rows = [
        (
            "model.supply_form",
            "S = min(S0 x^eps_s, K)(1 - outage)",
            "constant elasticity, capped by capacity",
        ),
        (
            "model.new_capacity",
            "price-inelastic at ramped capacity",
            "new plants sell all they make",
        ),
        (
            "model.destinations",
            "third countries take no more than their baseline flow",
            "except via leakage",
        ),
        ("model.demand_growth", "none unless a demand_growth shock is given", ""),
    ]
    for name, v, note in model_rows:
        rows.append(
            {
                "name": name,
                "value": v,
                "unit": "",
                "source": "assumption",
                "ref": "assumption",
                "assumption": True,
                "note": note,
            }
        )
    for _, r in prep.producers.iterrows():
        rows.append(
            {
                "name": f"baseline.production.{r['iso3']}",
                "value": f"{r['production_t']:g}",
                "unit": "t/yr",
                "source": r["source"],
                "ref": "store",
                "assumption": False,
                "note": f"capacity {r['capacity_t']:g} t/yr"
                if r["capacity_t"] == r["capacity_t"]
                else "",
            }
        )
    return pd.DataFrame(rows)


def _pct(a: Array, q: float | list[float]) -> Array:
    """Percentiles over draws (axis 0), several ``q`` in one partition. [unit of a]"""
    if len(a):
        return np.percentile(a, q, axis=0)
    return np.full((*np.shape(q), a.shape[1]), np.nan)


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
    import pandas as pd

    if draws < 0:
        raise ValidationError("draws must be >= 0")
    prep = prepare(spec, store)
    s = prep.spec
    central = simulate(prep, _draw_params(s, None, 1))
    mc = _monte_carlo(prep, draws, seed, scheduler) if draws > 0 else {}
    labels = s.period_labels()
    names = {"domestic": prep.exporter, "row": "ROW"}
    unit = s.baseline.price_unit
    T = s.horizon
    dt = s.months_per_period / 12.0

    recs = []
    for m in ("domestic", "row"):
        o = central[m]
        for t in range(T):
            rec: dict[str, Any] = {"period": labels[t], "market": names[m]}
            rec["price"] = float(o["price"][0, t])
            rec["unit"] = unit
            for k in _OUT:
                if k not in ("price", "price_ratio"):
                    rec[f"{k}_t"] = float(o[k][0, t])
            rec["price_ratio"] = float(o["price_ratio"][0, t])
            cap = float(central["trade"]["cap"][0, t])
            rec["export_cap_t"] = cap * dt if np.isfinite(cap) else float("nan")
            rec["segmented"] = bool(central["trade"]["segmented"][0, t])
            recs.append(rec)
    markets = pd.DataFrame(recs)

    bands = []
    for m in ("domestic", "row"):
        arr = mc.get(f"{m}.price", np.zeros((0, T)))
        p5, p50, p95 = _pct(arr, [5, 50, 95])
        for t in range(T):
            bands.append(
                {
                    "period": labels[t],
                    "market": names[m],
                    "price": float(central[m]["price"][0, t]),
                    "p5": float(p5[t]),
                    "p50": float(p50[t]),
                    "p95": float(p95[t]),
                    "unit": unit,
                }
            )
    price_bands = pd.DataFrame(bands)

    pdm, prw = central["domestic"]["price"][0], central["row"]["price"][0]
    ratio_mc = mc["row.price"] / mc["domestic.price"] if mc else np.zeros((0, T))
    r5, r50, r95 = _pct(ratio_mc, [5, 50, 95])
    spread = pd.DataFrame(
        {
            "period": labels,
            "price_domestic": pdm,
            "price_row": prw,
            "spread": prw - pdm,
            "ratio": prw / pdm,
            "ratio_p5": r5,
            "ratio_p50": r50,
            "ratio_p95": r95,
            "unit": unit,
        }
    )

    # who supplies the rest of the world
    x0c = s.baseline.exports.central()
    rowp = prep.producers[prep.producers["market"] == "row"]
    s0r = float(rowp["production_t"].sum())
    src_rows = []
    for t in range(T):
        o = central["row"]
        imp = float(o["imports"][0, t])
        src_rows.append(
            {
                "period": labels[t],
                "source": f"exports from {prep.exporter}",
                "iso3": prep.exporter,
                "quantity_t": imp,
                "change_t": imp - x0c * dt,
            }
        )
        inc = float(o["production"][0, t])
        for _, r in rowp.iterrows():
            w = r["production_t"] / s0r if s0r > 0 else 0.0
            if w > 0:
                src_rows.append(
                    {
                        "period": labels[t],
                        "source": "incumbent producer",
                        "iso3": r["iso3"],
                        "quantity_t": inc * w,
                        "change_t": inc * w - r["production_t"] * dt,
                    }
                )
        for mkt, iso, arr in central["_adds_by"]:
            if mkt == "row":
                q = float(arr[0, t]) * dt
                src_rows.append(
                    {
                        "period": labels[t],
                        "source": "new capacity",
                        "iso3": iso,
                        "quantity_t": q,
                        "change_t": q,
                    }
                )
        for k, lab in (("stock_draw", "stock draw"), ("stock_release", "stock release")):
            q = float(o[k][0, t])
            if q > 0 or k == "stock_draw":
                src_rows.append(
                    {"period": labels[t], "source": lab, "iso3": "", "quantity_t": q, "change_t": q}
                )
    supply_sources = pd.DataFrame(src_rows)

    importers, imp_notes = _importer_table(prep, central, mc, labels, dt)
    notes = list(dict.fromkeys(prep.notes + imp_notes))
    calibration = _calibration(prep)
    return ScenarioResult(
        spec=s,
        markets=markets,
        spread=spread,
        price_bands=price_bands,
        supply_sources=supply_sources,
        importers=importers,
        assumptions=_assumptions(prep),
        calibration=calibration,
        notes=notes,
        draws=draws,
        seed=seed,
        mc=mc,
    )


def _members(code: str) -> list[str]:
    from critmin.data.countries import group_members
    from critmin.errors import UnknownCountryError

    try:
        return group_members(code)
    except UnknownCountryError:
        return [code.upper()]


def _importer_table(
    prep: Prepared, central: dict[str, Any], mc: dict[str, Array], labels: list[str], dt: float
) -> tuple[pd.DataFrame, list[str]]:
    import pandas as pd

    imps = prep.importers.set_index("iso3")["share"]
    dest = (
        prep.destinations.set_index("iso3")["share"]
        if len(prep.destinations)
        else pd.Series(dtype=float)
    )
    codes = central["_dest_codes"]
    allowed = central["_schedules"].allowed_by_dest[0]  # (T, J)
    x0 = prep.spec.baseline.exports.central()
    unmet_c = central["row"]["unmet"][0]
    u = mc.get("row.unmet")
    if u is not None:
        p50, p95 = _pct(u, [50, 95])
    else:
        p50 = p95 = np.full(len(labels), np.nan)
    rows = []
    notes = []
    for code in prep.spec.report_importers:
        mem = _members(code)
        sh = float(imps.reindex(mem).fillna(0.0).sum())
        if sh == 0:
            notes.append(f"{code}: no imports in the trade data; shortfall 0")
        for t, lab in enumerate(labels):
            restricted = 0.0
            for j, c in enumerate(codes):
                if c in mem:
                    restricted += x0 * float(dest.get(c, 0.0)) * (1.0 - allowed[t, j]) * dt
            rows.append(
                {
                    "period": lab,
                    "iso3": code.upper(),
                    "import_share": sh,
                    "restricted_t": restricted,
                    "shortfall_t": sh * float(unmet_c[t]),
                    "shortfall_p50_t": sh * float(p50[t]),
                    "shortfall_p95_t": sh * float(p95[t]),
                }
            )
    return pd.DataFrame(rows), notes


def _calibration(prep: Prepared) -> pd.DataFrame:
    import pandas as pd

    s = prep.spec
    x0 = s.baseline.exports.central()
    rows = []
    for m, name in (("domestic", prep.exporter), ("row", "ROW")):
        s0, k = prep.market_totals(m)
        price = s.baseline.price_domestic if m == "domestic" else s.baseline.price_row
        rows.append(
            {
                "market": name,
                "year": s.baseline_year,
                "production_t": s0,
                "capacity_t": k,
                "exports_t": x0 if m == "domestic" else 0.0,
                "imports_t": x0 if m == "row" else 0.0,
                "demand_t": s0 - x0 if m == "domestic" else s0 + x0,
                "price": price.central(),
                "unit": s.baseline.price_unit,
                "price_source": _source_text(price.source, s),
                "exports_source": _source_text(s.baseline.exports.source, s),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ by-product
def byproduct_table(
    metal: str = "gallium",
    country: str | None = None,
    year: int | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """By-product supply that host output could support, by country and case.

    Parameters
    ----------
    metal : str
        ``gallium`` (from alumina) or ``germanium`` (from zinc).
    country : str, optional
        ISO3 code; default every producing country of the host.
    year : int, optional
        Year of host output; default the latest in the store. [year]

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``country``, ``host``, ``year``, ``host_t`` [t], ``case``,
        ``intensity_g_t`` [g by-product per t host], ``potential_t``,
        ``potential_low_t``, ``potential_high_t`` [t/yr], ``capacity_t`` (installed,
        else planned) [t/yr], ``capacity_source``, ``supported_t`` (potential capped by
        capacity; NaN where no capacity is known) [t/yr], ``plan_intensity_g_t``
        (planned capacity per t host) [g/t], ``host_source``, ``factor_sources``.
        ``attrs['benchmarks']`` lists published intensities.

    Notes
    -----
    ``potential = host_t * prod(factors)``, ``supported = min(potential, capacity)``.
    """
    import pandas as pd

    from critmin.data.commodities import resolve
    from critmin.scenarios.byproduct import PLANNED, byproduct_supply, route
    from critmin.scenarios.inputs import host_output, recovery_capacity

    r = route(resolve(metal))
    host, meta = host_output(r.host, r.host_measure, year, store)
    if country is not None:
        from critmin._api import resolve_country

        code = resolve_country(country, store)
        host = host[host["iso3"] == code]
        if host.empty:
            raise DataNotFoundError(f"no {r.host} {r.host_measure} for {code} in {meta['year']}")
    installed = recovery_capacity(r.metal, int(meta["year"]), store)
    planned = PLANNED.get(r.metal, {})
    rows = []
    for _, h in host.sort_values("host_t", ascending=False).iterrows():
        iso = str(h["iso3"])
        if iso in installed:
            cap, csrc = installed[iso]
        elif iso in planned:
            cap, csrc = planned[iso][0], f"planned: {planned[iso][1]}"
        else:
            cap, csrc = float("nan"), "no installed or planned capacity known"
        for case, fs in r.cases.items():
            inten = r.intensity(case)
            pot, sup = byproduct_supply(float(h["host_t"]), inten, None if cap != cap else cap)
            rows.append(
                {
                    "iso3": iso,
                    "country": h["country"],
                    "host": r.host,
                    "year": meta["year"],
                    "host_t": float(h["host_t"]),
                    "case": case,
                    "intensity_g_t": inten * 1e6,
                    "potential_t": pot,
                    "potential_low_t": float(h["host_t"]) * r.intensity(case, "low"),
                    "potential_high_t": float(h["host_t"]) * r.intensity(case, "high"),
                    "capacity_t": cap,
                    "capacity_source": csrc,
                    "supported_t": sup if cap == cap else float("nan"),
                    "plan_intensity_g_t": cap / float(h["host_t"]) * 1e6
                    if cap == cap
                    else float("nan"),
                    "host_source": h["source"],
                    "factor_sources": "; ".join(
                        f"{f.name}={f.value:g} {f.unit} ({f.source})" for f in fs
                    ),
                }
            )
    out = pd.DataFrame(rows)
    out.attrs["benchmarks"] = list(r.benchmarks)
    out.attrs["metal"] = r.metal
    return out
