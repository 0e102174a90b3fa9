"""Compiled Monte Carlo kernel: both markets cleared period by period, one draw at a time.

:func:`simulate_kernel` is the numba version of the period loop of
:func:`critmin.scenarios.engine.simulate`. Each draw is independent (its stocks carry
from one period to the next), so draws run in parallel (``prange``); within a draw the
periods run in order. The clearing equations are those of
:mod:`critmin.scenarios.market` (constant-elasticity supply and demand on ``u = log x``,
``x = P / P0``), solved per draw by the same safeguarded Newton iteration
(``rtsafe``: Newton steps on ``u`` kept inside a bracket, bisection otherwise, stop at a
step below ``1e-13``), so a draw's result depends on nothing but its own inputs: the
same seed gives the same numbers however the draws are chunked or scheduled.

Equations
---------
Excess demand of market *m* with net imports ``N``:
``E_m(u) = D0_m e^(eps_d u) - min(S0_m e^(eps_s u), K_m)(1 - o_m) - F_m - N`` [t/yr];
its derivative on ``u`` is ``eps_d D - eps_s S0 e^(eps_s u)(1 - o)`` where capacity
does not bind. The integrated regime solves ``E_d + E_r = 0``; where the exporter's
shipments ``X* = -E_d`` leave ``[0, cap]`` each market clears apart with
``X = clip(X*, 0, cap)``.
"""

from __future__ import annotations

import math

from numba import njit, prange

from critmin.scenarios.outputs import OUT_NAMES

__all__ = ["N_OUT", "OUT_NAMES", "simulate_kernel"]

N_OUT = len(OUT_NAMES)

_MAX_IT = 100
_TOL = 1e-13
_ACCEPT = 1e-8
_X_MIN = 1e-3


@njit(cache=True)
def _excess(u, d0, ed, s0, es, k, o, f):  # type: ignore[no-untyped-def]
    """Excess demand and its derivative on ``u = log x`` of one market. [t/yr]"""
    dem = d0 * math.exp(ed * u)
    s = s0 * math.exp(es * u)
    if s < k:
        sup = s * (1.0 - o)
        ds = es * sup
    else:
        sup = k * (1.0 - o)
        ds = 0.0
    return dem - sup - f, ed * dem - ds


@njit(cache=True)
def _solve(  # type: ignore[no-untyped-def]
    d0a, eda, s0a, esa, ka, oa, fa, d0b, edb, s0b, esb, kb, ob, fb, two, net, u0, lo0, hi0
):
    """Root of ``E_a + E_b - net`` (``E_b`` only if ``two``) on ``u = log x``.

    Safeguarded Newton (``rtsafe``) from ``u0`` inside the bracket ``[lo0, hi0]``
    (``log X_MIN``, ``log x_max``). A bound is evaluated only when a Newton step
    would leave the whole bracket; where the root lies beyond it the bound is
    returned. Returns ``(u, where)`` with ``where`` -1 at the floor, +1 at the
    ceiling, 0 inside.
    """
    lo = lo0
    hi = hi0
    lo_seen = False
    hi_seen = False
    u = min(max(u0, lo), hi)
    for _ in range(_MAX_IT):
        f, g = _excess(u, d0a, eda, s0a, esa, ka, oa, fa)
        if two:
            f2, g2 = _excess(u, d0b, edb, s0b, esb, kb, ob, fb)
            f += f2
            g += g2
        f -= net
        if f == 0.0:
            break
        if f > 0.0:
            lo = u
        else:
            hi = u
        # Newton step; where the curve is flat, head for the side where the root lies
        step = f / g if g < 0.0 else (-math.inf if f > 0.0 else math.inf)
        if abs(step) < _ACCEPT:
            # quadratic convergence: the error after this step is ~step**2; a step
            # below _TOL is rounding (the baseline clears at exactly u = 0)
            new = u - step
            if abs(step) >= _TOL and lo < new < hi:
                u = new
            break
        new = u - step
        if new >= hi and hi == hi0 and not hi_seen:
            hi_seen = True
            fb_, _ = _excess(hi0, d0a, eda, s0a, esa, ka, oa, fa)
            if two:
                f2, _ = _excess(hi0, d0b, edb, s0b, esb, kb, ob, fb)
                fb_ += f2
            if fb_ - net > 0.0:
                return hi0, 1
        elif new <= lo and lo == lo0 and not lo_seen:
            lo_seen = True
            fb_, _ = _excess(lo0, d0a, eda, s0a, esa, ka, oa, fa)
            if two:
                f2, _ = _excess(lo0, d0b, edb, s0b, esb, kb, ob, fb)
                fb_ += f2
            if fb_ - net < 0.0:
                return lo0, -1
        if new <= lo or new >= hi:
            new = 0.5 * (lo + hi)
        done = abs(new - u) < _TOL
        u = new
        if done:
            break
    return u, 0


@njit(cache=True)
def _solve1(d0, ed, s0, es, k, o, f, net, u0, lo0, hi0):  # type: ignore[no-untyped-def]
    """One market: root of ``E - net``; see :func:`_solve`."""
    return _solve(
        d0, ed, s0, es, k, o, f, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False, net, u0, lo0, hi0
    )


@njit(cache=True)
def _ratio(u, where, x_max):  # type: ignore[no-untyped-def]
    """Price ratio of a solution; the exact bound where the root lies beyond it. [1]"""
    if where > 0:
        return x_max
    if where < 0:
        return _X_MIN
    return math.exp(u)


@njit(cache=True)
def _clear(  # type: ignore[no-untyped-def]
    d0d, edd, s0d, esd, kd, od, fd, d0r, edr, s0r, esr, kr, orr, fr, cap,
    ud0, ur0, lo0, hi0, known, ukd, wkd,
):  # fmt: skip
    """Both markets under the export cap.

    Returns ``(u_d, w_d, u_r, w_r, X, segmented, u_cap, w_cap, capped)``: log price
    ratios and where they sit (see :func:`_solve`), the exporter's shipments [t/yr],
    the regime, and the exporter's market cleared at ``X = cap`` (``capped``: that
    solve was made).

    ``ud0``, ``ur0`` are starting points for the domestic and the rest-of-world
    solves. Where a cap is set the exporter's market is first cleared with
    ``X = cap`` (or taken from ``ukd``, ``wkd`` when ``known``: same inputs); if the
    rest of the world then still has excess demand above the cap, the world root lies
    above that price, ``X* > cap`` and the cap binds, so the integrated solve is
    skipped. Otherwise the integrated regime is solved and ``X* = -E_d(x)`` checked
    against ``[0, cap]``.
    """
    capped = False
    ucd = 0.0
    wcd = 0
    if cap < math.inf:
        if known:
            ucd, wcd = ukd, wkd
        else:
            ucd, wcd = _solve1(d0d, edd, s0d, esd, kd, od, fd, -cap, ud0, lo0, hi0)
        capped = True
        if wcd == 0:
            e_r, _ = _excess(ucd, d0r, edr, s0r, esr, kr, orr, fr)
            if e_r > cap:
                ur, wr = _solve1(d0r, edr, s0r, esr, kr, orr, fr, cap, ur0, lo0, hi0)
                return ucd, wcd, ur, wr, cap, True, ucd, wcd, capped
    u, w = _solve(
        d0d, edd, s0d, esd, kd, od, fd, d0r, edr, s0r, esr, kr, orr, fr, True, 0.0, ur0, lo0, hi0
    )
    e_d, _ = _excess(u, d0d, edd, s0d, esd, kd, od, fd)
    x_star = -e_d
    if 0.0 <= x_star <= cap:
        return u, w, u, w, x_star, False, ucd, wcd, capped
    flow = min(max(x_star, 0.0), cap)
    if capped and flow == cap:
        ud, wd = ucd, wcd
    else:
        ud, wd = _solve1(d0d, edd, s0d, esd, kd, od, fd, -flow, ud0, lo0, hi0)
    ur, wr = _solve1(d0r, edr, s0r, esr, kr, orr, fr, flow, ur0, lo0, hi0)
    return ud, wd, ur, wr, flow, True, ucd, wcd, capped


@njit(cache=True)
def _at_one(d0, s0, k, o, f, net):  # type: ignore[no-untyped-def]
    """Excess demand at the baseline price ``x = 1``. [t/yr]"""
    return d0 - min(s0, k) * (1.0 - o) - f - net


@njit(cache=True)
def _outputs(  # type: ignore[no-untyped-def]
    out,
    mkt,
    i,
    t,
    u,
    w,
    x_max,
    p0,
    d0,
    ed,
    s0,
    es,
    k,
    o,
    infl,
    net,
    add,
    rel,
    draw,
    stock,
    dt,
    rtol,
    rst,
    sec,
):
    """Write one market's outputs of period ``t`` of draw ``i``; return the stock left."""
    x = _ratio(u, w, x_max)
    inc = min(s0 * math.exp(es * u), k) * (1.0 - o)
    avail_q = inc + infl + net
    dem = d0 * math.exp(ed * u)
    cons = min(dem, avail_q)
    out[mkt, 0, i, t] = x
    out[mkt, 1, i, t] = x * p0
    out[mkt, 2, i, t] = inc * dt
    out[mkt, 3, i, t] = add * dt
    out[mkt, 4, i, t] = max(net, 0.0) * dt
    out[mkt, 5, i, t] = max(-net, 0.0) * dt
    out[mkt, 6, i, t] = draw * dt
    out[mkt, 7, i, t] = rel * dt
    out[mkt, 8, i, t] = cons * dt
    out[mkt, 9, i, t] = d0 * dt
    gap = d0 - cons
    out[mkt, 10, i, t] = (gap if gap > rtol * d0 else 0.0) * dt
    sur = avail_q - cons
    out[mkt, 11, i, t] = (sur if sur > rtol * avail_q else 0.0) * dt
    left = max(stock - draw * dt, 0.0)
    out[mkt, 12, i, t] = left
    out[mkt, 13, i, t] = rst * dt
    out[mkt, 14, i, t] = sec * dt
    return left


@njit(cache=True)
def _restart_rate(r, t, t_dec, dt, lead, ramp):  # type: ignore[no-untyped-def]
    """Output of restarted idle capacity in period ``t``, decided in period ``t_dec``. [t/yr]

    ``r x clip((t - t_dec) dt - lead) / ramp, 0, 1)`` (a step at ``lead`` where
    ``ramp`` is 0); nothing before a decision (``t_dec < 0``).
    """
    if t_dec < 0 or r <= 0.0:
        return 0.0
    run = (t - t_dec) * dt - lead
    if run < 0.0:
        return 0.0
    if ramp <= 0.0:
        return r
    return r * min(run / ramp, 1.0)


@njit(cache=True, parallel=True)
def simulate_kernel(  # type: ignore[no-untyped-def]
    par,
    growth,
    outage,
    adds,
    release,
    cap,
    dt,
    x_max,
    rtol,
    out,
    seg,
):
    """Clear both markets for every draw and period, in place.

    Parameters
    ----------
    par : numpy.ndarray, shape (2, 14, N)
        Per market (0 domestic, 1 rest of world) and draw: baseline demand ``D0``
        [t/yr], demand elasticity [1], baseline output ``S0`` [t/yr], supply elasticity
        [1], capacity ``K`` [t/yr] (``inf`` for none), baseline price [price unit],
        initial stocks [t], in row 7 of market 0 the stock draw share [1/yr]; rows 8-13:
        baseline secondary supply ``Q0`` [t/yr], its elasticity [1], restartable idle
        capacity ``R`` [t/yr], restart threshold price ratio [1], restart lead and ramp
        times [yr].
    growth, outage, adds, release : numpy.ndarray, shape (2, N, T)
        Demand growth factor [1], outage share [1], new-capacity output [t/yr] and
        stock releases [t/yr] per market, draw and period.
    cap : numpy.ndarray, shape (N, T)
        Export cap; ``inf`` where unrestricted. [t/yr]
    dt : float
        Period length. [yr]
    x_max : float
        Price ceiling as a ratio to baseline. [1]
    rtol : float
        Relative size below which unmet demand and surplus count as zero. [1]
    out : numpy.ndarray, shape (2, N_OUT, N, T)
        Filled with the outputs named in :data:`OUT_NAMES`: ``price_ratio`` [1],
        ``price`` [price unit], volumes per period [t], ``stock_end`` [t].
    seg : numpy.ndarray of bool, shape (N, T)
        Filled with True where the markets clear apart.

    Notes
    -----
    Per period: clear both markets; where a market's price is above baseline, holders
    release stocks (at most ``stock * min(1, share * dt)`` per period) up to the
    excess demand at the baseline price (integrated regime: the world's, split in
    proportion to what each market can release), and the markets clear again with
    the draws as inflows. Each solve starts from the draw's previous price.

    Secondary supply and restarts answer the previous period's price ratio ``x'``
    (1 in the first period): ``Q = Q0 x'^eps_q`` enters as an inflow; a restart is
    decided in the first period with ``x' > threshold`` and its output
    (:func:`_restart_rate`) enters as an inflow while the incumbents' capacity bound
    falls by the same amount (restarted capacity is idle capacity).
    """
    n = par.shape[2]
    nt = cap.shape[1]
    lo0 = math.log(_X_MIN)
    hi0 = math.log(x_max)
    for i in prange(n):
        d0d0 = par[0, 0, i]
        edd = par[0, 1, i]
        s0d = par[0, 2, i]
        esd = par[0, 3, i]
        kd = par[0, 4, i]
        p0d = par[0, 5, i]
        std = par[0, 6, i]
        take = min(1.0, par[0, 7, i] * dt)
        d0r0 = par[1, 0, i]
        edr = par[1, 1, i]
        s0r = par[1, 2, i]
        esr = par[1, 3, i]
        kr = par[1, 4, i]
        p0r = par[1, 5, i]
        str_ = par[1, 6, i]
        kd0 = par[0, 4, i]
        kr0 = par[1, 4, i]
        # restart thresholds on u = log x (no restart: R = 0, threshold inf)
        lthd = math.log(par[0, 11, i]) if par[0, 10, i] > 0.0 else math.inf
        lthr = math.log(par[1, 11, i]) if par[1, 10, i] > 0.0 else math.inf
        ud = 0.0
        ur = 0.0
        tdd = -1
        tdr = -1
        for t in range(nt):
            d0d = d0d0 * growth[0, i, t]
            d0r = d0r0 * growth[1, i, t]
            od = outage[0, i, t]
            orr = outage[1, i, t]
            # responses to the previous period's price x' = e^u: secondary supply Q0 x'^eps
            # and restarts (decided in the first period with x' > threshold)
            if tdd < 0 and t > 0 and ud > lthd:
                tdd = t
            if tdr < 0 and t > 0 and ur > lthr:
                tdr = t
            rsd = _restart_rate(par[0, 10, i], t, tdd, dt, par[0, 12, i], par[0, 13, i])
            rsr = _restart_rate(par[1, 10, i], t, tdr, dt, par[1, 12, i], par[1, 13, i])
            scd = par[0, 8, i] * math.exp(par[0, 9, i] * ud) if par[0, 8, i] > 0.0 else 0.0
            scr = par[1, 8, i] * math.exp(par[1, 9, i] * ur) if par[1, 8, i] > 0.0 else 0.0
            kd = kd0 - rsd
            kr = kr0 - rsr
            fd = adds[0, i, t] + release[0, i, t] + rsd + scd
            fr = adds[1, i, t] + release[1, i, t] + rsr + scr
            c = cap[i, t]
            ud, wd, ur, wr, flow, sg, uc, wc, capped = _clear(
                d0d, edd, s0d, esd, kd, od, fd, d0r, edr, s0r, esr, kr, orr, fr, c,
                ud, ur, lo0, hi0, False, 0.0, 0,
            )  # fmt: skip
            # stock draws where the price is above baseline (u > 0)
            avd = std * take / dt
            avr = str_ * take / dt
            if sg:
                drd = max(min(avd, _at_one(d0d, s0d, kd, od, fd, -flow)), 0.0) if ud > 0.0 else 0.0
                drr = max(min(avr, _at_one(d0r, s0r, kr, orr, fr, flow)), 0.0) if ur > 0.0 else 0.0
            else:
                tot = avd + avr
                need = _at_one(d0d, s0d, kd, od, fd, 0.0) + _at_one(d0r, s0r, kr, orr, fr, 0.0)
                w = max(min(tot, need), 0.0) if ur > 0.0 else 0.0
                drd = w * avd / tot if tot > 0.0 else 0.0
                drr = w * avr / tot if tot > 0.0 else 0.0
            if drd > 0.0 or drr > 0.0:
                fd += drd
                fr += drr
                # the exporter's market at X = cap is unchanged without a domestic draw
                ud, wd, ur, wr, flow, sg, uc, wc, capped = _clear(
                    d0d, edd, s0d, esd, kd, od, fd, d0r, edr, s0r, esr, kr, orr, fr, c,
                    ud, ur, lo0, hi0, capped and drd == 0.0, uc, wc,
                )  # fmt: skip
            seg[i, t] = sg
            std = _outputs(
                out, 0, i, t, ud, wd, x_max, p0d, d0d, edd, s0d, esd, kd, od, fd, -flow,
                adds[0, i, t], release[0, i, t], drd, std, dt, rtol, rsd, scd,
            )  # fmt: skip
            str_ = _outputs(
                out, 1, i, t, ur, wr, x_max, p0r, d0r, edr, s0r, esr, kr, orr, fr, flow,
                adds[1, i, t], release[1, i, t], drr, str_, dt, rtol, rsr, scr,
            )  # fmt: skip
