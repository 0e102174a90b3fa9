"""Shock schedules: each shock of a scenario as monthly arrays over draws, averaged per period.

Every shock type has its own builder, registered for its class with :func:`_builds`;
:func:`build_schedules` runs the builders in the order of the scenario's shocks (the
order of the floating-point sums) and then turns the export restrictions into the
export cap of each period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from critmin.scenarios.spec import (
    CapacityAddition,
    DemandGrowth,
    ExportRestriction,
    Outage,
    StockRelease,
)

if TYPE_CHECKING:  # pragma: no cover
    from critmin.scenarios.calibration import Prepared

__all__ = ["Schedules", "build_schedules"]

Array = np.ndarray

_MARKETS = ("domestic", "row")


def _dest_share(prep: Prepared, codes: list[str] | None) -> float:
    if codes is None:
        return 1.0
    d = prep.destinations
    if d.empty:
        return 1.0
    return float(d.loc[d["iso3"].isin(codes), "share"].sum())


def period_mean(a: Array, step: int) -> Array:
    """Mean of ``(N, M)`` monthly values over each period of ``step`` months, ``(N, T)``."""
    n, m = a.shape
    if step == 1:
        return a
    return a.reshape(n, m // step, step).mean(axis=2)


def _active(months: Array, start: int, duration: int | None) -> Array:
    end = np.inf if duration is None else start + duration
    return (months >= start) & (months < end)


@dataclass
class Schedules:
    """Shock schedules of a scenario per period, arrays over draws ``(N, T)``.

    Attributes
    ----------
    cap : numpy.ndarray
        Export cap, ``inf`` where exports are unrestricted. [t/yr]
    adds : dict of str to numpy.ndarray
        New capacity output by market. [t/yr]
    adds_by : list of (str, str, numpy.ndarray)
        New capacity output by ``(market, iso3)``. [t/yr]
    outage, growth, release : dict of str to numpy.ndarray
        By market: share of incumbent output lost [1], demand growth factor [1], stock
        release [t/yr].
    allowed_by_group : numpy.ndarray
        Allowed fraction of the baseline flow by destination group, ``(N, T, G)``. [1]
    dest_group : numpy.ndarray
        Group of each destination, ``(J,)`` (same restrictions apply within a group).
    dest_codes : list of str
        Destination codes (``(other)`` or ``(all)`` included).
    """

    cap: Array
    adds: dict[str, Array]
    adds_by: list[tuple[str, str, Array]]
    outage: dict[str, Array]
    growth: dict[str, Array]
    release: dict[str, Array]
    allowed_by_group: Array
    dest_group: Array
    dest_codes: list[str]

    @property
    def allowed_by_dest(self) -> Array:
        """Allowed fraction of the baseline flow to each destination, ``(N, T, J)``. [1]"""
        return self.allowed_by_group[:, :, self.dest_group]


@dataclass
class _Build:
    """Monthly schedules ``(N, M)`` being built, shock by shock."""

    prep: Prepared
    draws: dict[str, Array]
    n: int
    months: Array  # (M,) month index
    dest_codes: list[str]
    dshare: Array  # (J,) baseline share of each destination [1]
    group_f: list[tuple[Array, Array]] = field(default_factory=list)  # (targeted, f_k (N, M))
    mm: Array = field(init=False)  # (1, M) month index as float
    restricted: Array = field(init=False)  # (M,) any restriction active
    adds: dict[str, Array] = field(init=False)
    adds_by: list[tuple[str, str, Array]] = field(default_factory=list)
    outage: dict[str, Array] = field(init=False)
    growth: dict[str, Array] = field(init=False)
    release: dict[str, Array] = field(init=False)

    def __post_init__(self) -> None:
        n, m = self.n, len(self.months)
        self.mm = self.months[None, :].astype(float)
        self.restricted = np.zeros(m, dtype=bool)
        self.adds = {k: np.zeros((n, m)) for k in _MARKETS}
        self.outage = {k: np.zeros((n, m)) for k in _MARKETS}
        self.growth = {k: np.ones((n, m)) for k in _MARKETS}
        self.release = {k: np.zeros((n, m)) for k in _MARKETS}

    @property
    def n_months(self) -> int:
        return len(self.months)

    def market_of(self, country: str) -> str:
        return "domestic" if country == self.prep.exporter else "row"


S = TypeVar("S")
_Builder = Callable[[Any, str, _Build], None]
_BUILDERS: dict[type, _Builder] = {}


def _builds(kind: type[S]) -> Callable[[Callable[[S, str, _Build], None]], _Builder]:
    """Register the schedule builder of a shock class (called as ``fn(shock, key, build)``)."""

    def register(fn: Callable[[S, str, _Build], None]) -> _Builder:
        _BUILDERS[kind] = fn
        return fn

    return register


@_builds(ExportRestriction)
def _export_restriction(sh: ExportRestriction, key: str, b: _Build) -> None:
    prep, draws, n, nm, mm = b.prep, b.draws, b.n, b.n_months, b.mm
    act = _active(b.months, sh.start, sh.duration_months)
    b.restricted |= act
    codes = sh.destination_codes()
    if sh.share_allowed is not None:
        a = np.broadcast_to(draws[f"{key}.share_allowed"][:, None], (n, nm))
    else:
        s_g = _dest_share(prep, codes)
        q = draws[f"{key}.quota_t"]
        base = draws["baseline.exports"] * s_g
        a = np.broadcast_to(
            np.where(base > 0, np.minimum(1.0, q / np.where(base > 0, base, 1.0)), 1.0)[:, None],
            (n, nm),
        )
    delay = draws[f"{key}.licensing_delay_months"][:, None]
    blocked = np.clip(sh.start + delay - mm, 0.0, 1.0)
    eff = a * (1.0 - blocked)
    leak = draws["parameters.leakage"][:, None]
    f = eff + leak * (1.0 - eff)
    f = np.where(act[None, :], f, 1.0)
    if prep.destinations.empty:
        targ = np.array([True])
    elif codes is None:
        targ = np.ones(len(b.dest_codes), dtype=bool)
    else:
        targ = np.array([c in codes for c in b.dest_codes])
    b.group_f.append((targ, f))


@_builds(CapacityAddition)
def _capacity_addition(sh: CapacityAddition, key: str, b: _Build) -> None:
    mkt = b.market_of(sh.country)
    mm = b.mm
    t = b.draws[f"{key}.tonnes_per_year"][:, None]
    if sh.ramp_up_months == 0:
        ramp = (mm >= sh.start).astype(float)
    else:
        ramp = np.clip((mm - sh.start + 1.0) / sh.ramp_up_months, 0.0, 1.0)
    a_t = t * ramp
    b.adds[mkt] = b.adds[mkt] + a_t
    step = b.prep.spec.months_per_period
    full = np.broadcast_to(a_t, (b.n, b.n_months)).copy()
    b.adds_by.append((mkt, sh.country, period_mean(full, step)))


@_builds(Outage)
def _outage(sh: Outage, key: str, b: _Build) -> None:
    mkt = b.market_of(sh.country)
    prodm = b.prep.producers
    p = prodm[prodm["market"] == mkt]
    tot = float(p["production_t"].sum())
    w = float(p.loc[p["iso3"] == sh.country, "production_t"].sum()) / tot if tot > 0 else 0.0
    if w == 0:
        b.prep.notes.append(f"outage in {sh.country}: no baseline output, no effect")
    act = _active(b.months, sh.start, sh.duration_months)
    b.outage[mkt] = b.outage[mkt] + np.where(
        act[None, :], b.draws[f"{key}.share"][:, None] * w, 0.0
    )


@_builds(DemandGrowth)
def _demand_growth(sh: DemandGrowth, key: str, b: _Build) -> None:
    start = b.prep.spec.start if sh.start is None else sh.start
    yrs = np.maximum(b.mm - start + 0.5, 0.0) / 12.0
    b.growth[sh.market] = b.growth[sh.market] * (1.0 + b.draws[f"{key}.rate"][:, None]) ** yrs


@_builds(StockRelease)
def _stock_release(sh: StockRelease, key: str, b: _Build) -> None:
    act = _active(b.months, sh.start, sh.duration_months)
    rate = b.draws[f"{key}.tonnes"][:, None] * 12.0 / sh.duration_months
    b.release[sh.market] = b.release[sh.market] + np.where(act[None, :], rate, 0.0)


def build_schedules(prep: Prepared, draws: dict[str, Array], n: int) -> Schedules:
    """Shock schedules of a calibrated scenario for a set of parameter draws.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    draws : dict of str to numpy.ndarray
        Parameter values by field path, each of shape ``(N,)``.
    n : int
        Number of draws ``N``.

    Returns
    -------
    Schedules
        Per-period schedules ``(N, T)``.

    Notes
    -----
    Destinations hit by the same restrictions form a group; the cap only needs the
    allowed fraction per group (the product of the ``f_k`` of the restrictions that
    target it), weighted by the destinations' baseline shares.
    """
    spec = prep.spec
    dest_codes = [*prep.destinations["iso3"], "(other)"]
    dshare = np.append(prep.destinations["share"].to_numpy(float), 0.0)
    if prep.destinations.empty:
        dest_codes, dshare = ["(all)"], np.array([1.0])
    b = _Build(prep, draws, n, spec.start + np.arange(spec.n_months), dest_codes, dshare)
    for i, sh in enumerate(spec.shocks):
        builder = _BUILDERS.get(type(sh))
        if builder is None:
            raise TypeError(f"no schedule builder for shock type {type(sh).__name__}")
        builder(sh, f"shocks.{i}", b)
    return _combine(b)


def _combine(b: _Build) -> Schedules:
    prep, n = b.prep, b.n
    spec = prep.spec
    step = spec.months_per_period
    x0 = b.draws["baseline.exports"]
    group_f, dest_codes = b.group_f, b.dest_codes
    sig = np.array([t for t, _ in group_f], dtype=bool).T.reshape(len(dest_codes), -1)
    sigs, dest_group = np.unique(sig, axis=0, return_inverse=True)
    dest_group = dest_group.reshape(-1)
    frac = np.ones((n, spec.n_months, len(sigs)))
    for g, sg in enumerate(sigs):
        for (_, f), hit in zip(group_f, sg, strict=True):
            if hit:
                frac[:, :, g] *= f
    wg = np.bincount(dest_group, weights=b.dshare, minlength=len(sigs))
    cap_frac = frac @ wg
    _, kd = prep.market_totals("domestic")
    s0d, _ = prep.market_totals("domestic")
    bound = (kd if np.isfinite(kd) else 10 * s0d) + b.adds["domestic"]
    cap_m = np.where(b.restricted[None, :], np.minimum(x0[:, None] * cap_frac, bound), bound)
    cap = period_mean(cap_m, step)
    # exporters (and state buyers) hold part of the flow held back in stock instead of
    # offering it at home: an outflow from the exporter's market
    h = b.draws.get("parameters.held_back_stocked")
    if h is not None:
        held = np.where(b.restricted[None, :], np.maximum(x0[:, None] * (1.0 - cap_frac), 0.0), 0.0)
        b.release["domestic"] = b.release["domestic"] - h[:, None] * held
    unrestricted_period = ~b.restricted.reshape(-1, step).any(axis=1)
    cap[:, unrestricted_period] = np.inf
    return Schedules(
        cap=cap,
        adds={k: period_mean(v, step) for k, v in b.adds.items()},
        adds_by=b.adds_by,
        outage={k: np.clip(period_mean(v, step), 0.0, 1.0) for k, v in b.outage.items()},
        growth={k: period_mean(v, step) for k, v in b.growth.items()},
        release={k: period_mean(v, step) for k, v in b.release.items()},
        allowed_by_group=frac.reshape(n, spec.horizon, step, len(sigs)).mean(axis=2),
        dest_group=dest_group,
        dest_codes=dest_codes,
    )
