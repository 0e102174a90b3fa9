"""Benchmark: 100,000 Monte Carlo draws of the 24-month two-market gallium scenario.

Run from the repository root::

    .venv/bin/python bench/bench_scenarios.py [--draws 100000] [--ref-draws 200] [--repeat 3]

Side by side, in one run (wall clock, best and median of ``--repeat``):

1. the engine's Monte Carlo path (``critmin.scenarios.engine._monte_carlo``: parameter
   draws, shock schedules, and the compiled clearing kernel over draws and periods) on
   ``examples/scenarios/gallium-export-restriction.yaml`` with ``horizon: 24``, with all
   numba threads and with one;
2. the same through :func:`critmin.scenarios.run_scenario` end to end (calibration from
   the store, central run, percentile tables);
3. a plain per-draw reference written here with ``scipy.optimize.brentq``: for each draw
   and period, the integrated world market, then (where the export cap binds) each
   market apart, then the stock draws and a second clearing, all in Python floats.
   It is timed (best of ``--ref-repeat``) on the first ``--ref-draws`` draws of the
   same seed and extrapolated linearly to ``--draws``; its prices are checked against
   the engine's for those draws (relative difference below 1e-6).

The engine must take under 5 s and be at least 50 times faster than the reference.
This is a benchmark, not a test: the figures are printed; the exit status is 1 when a
target is missed or the prices disagree.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.optimize import brentq

import critmin.scenarios.engine as eng
from critmin.scenarios import parse_scenario, run_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "scenarios" / "gallium-export-restriction.yaml"
X_MIN = 1e-3


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def spec_24() -> Any:
    """The example scenario with a 24-month horizon."""
    d = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    d["horizon"] = 24
    return parse_scenario(d, str(EXAMPLE))


# ------------------------------------------------------------- scipy reference
def _root(f: Callable[[float], float], lo: float, hi: float) -> float:
    """Price ratio where the decreasing ``f`` (of ``u = log x``) is zero, or a bound."""
    if f(lo) < 0.0:
        return X_MIN
    if f(hi) > 0.0:
        return math.exp(hi)
    return math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200))


def reference_prices(prep: Any, draws: dict[str, np.ndarray]) -> np.ndarray:
    """ROW and exporter prices ``(2, N, T)`` [price unit], one draw and period at a time.

    Same model as the engine (``docs/scenarios.md``, Equations and Stocks), written
    as a plain loop: constant-elasticity curves, ``scipy.optimize.brentq`` on
    ``log x`` for each clearing condition.
    """
    spec = prep.spec
    n = len(draws["baseline.exports"])
    T = spec.horizon
    dt = spec.months_per_period / 12.0
    x_max = spec.parameters.price_ceiling_ratio
    lo, hi = math.log(X_MIN), math.log(x_max)
    sch = eng._schedules(prep, draws, n)  # shock schedules (inputs, not clearing)
    s0 = {m: prep.market_totals(m)[0] for m in ("domestic", "row")}
    kap = {m: prep.market_totals(m)[1] for m in ("domestic", "row")}
    out = np.empty((2, n, T))
    for i in range(n):
        x0 = float(draws["baseline.exports"][i])
        par: dict[str, dict[str, float]] = {}
        stock: dict[str, float] = {}
        for m in ("domestic", "row"):
            sp = draws.get(f"parameters.spare_capacity.{m}")
            k = s0[m] * (1 + float(sp[i])) if sp is not None else kap[m]
            par[m] = {
                "d0": s0[m] - x0 if m == "domestic" else s0[m] + x0,
                "ed": float(draws[f"parameters.demand_elasticity.{m}"][i]),
                "es": float(draws[f"parameters.supply_elasticity.{m}"][i]),
                "s0": s0[m],
                "k": k if math.isfinite(k) else math.inf,
                "p0": float(draws[f"baseline.price_{m}"][i]),
            }
            st = draws.get(f"parameters.stocks.{m}")
            stock[m] = float(st[i]) if st is not None else 0.0
        take = min(1.0, float(draws["parameters.stock_draw_share"][i]) * dt)
        for t in range(T):
            cur = {}
            for m in ("domestic", "row"):
                p = par[m]
                cur[m] = (
                    p["d0"] * float(sch.growth[m][i, t]),
                    p["ed"],
                    p["s0"],
                    p["es"],
                    p["k"],
                    float(sch.outage[m][i, t]),
                    float(sch.adds[m][i, t] + sch.release[m][i, t]),
                )
            cap = float(sch.cap[i, t])

            def excess(c: tuple[float, ...], x: float, net: float = 0.0) -> float:
                d0, ed, s0_, es, k, o, f = c
                return d0 * x**ed - min(s0_ * x**es, k) * (1.0 - o) - f - net

            def clear(
                cd: tuple[float, ...], cr: tuple[float, ...], cap: float
            ) -> tuple[float, ...]:
                x = _root(lambda u: excess(cd, math.exp(u)) + excess(cr, math.exp(u)), lo, hi)
                x_star = -excess(cd, x)
                if 0.0 <= x_star <= cap:
                    return x, x, x_star, 0.0
                flow = min(max(x_star, 0.0), cap)
                xd = _root(lambda u: excess(cd, math.exp(u), -flow), lo, hi)
                xr = _root(lambda u: excess(cr, math.exp(u), flow), lo, hi)
                return xd, xr, flow, 1.0

            xd, xr, flow, seg = clear(cur["domestic"], cur["row"], cap)
            av = {m: stock[m] * take / dt for m in ("domestic", "row")}
            if seg:
                drw = {
                    "domestic": max(min(av["domestic"], excess(cur["domestic"], 1.0, -flow)), 0.0)
                    if xd > 1.0
                    else 0.0,
                    "row": max(min(av["row"], excess(cur["row"], 1.0, flow)), 0.0)
                    if xr > 1.0
                    else 0.0,
                }
            else:
                tot = av["domestic"] + av["row"]
                need = excess(cur["domestic"], 1.0) + excess(cur["row"], 1.0)
                w = max(min(tot, need), 0.0) if xr > 1.0 else 0.0
                drw = {m: w * av[m] / tot if tot > 0 else 0.0 for m in ("domestic", "row")}
            if drw["domestic"] > 0 or drw["row"] > 0:
                for m in ("domestic", "row"):
                    c = cur[m]
                    cur[m] = (*c[:6], c[6] + drw[m])
                xd, xr, flow, seg = clear(cur["domestic"], cur["row"], cap)
            for m in ("domestic", "row"):
                stock[m] = max(stock[m] - drw[m] * dt, 0.0)
            out[0, i, t] = xr * par["row"]["p0"]
            out[1, i, t] = xd * par["domestic"]["p0"]
    return out


def first_chunk_draws(prep: Any, seed: int, draws: int, k: int) -> dict[str, np.ndarray]:
    """The first ``k`` parameter draws of a Monte Carlo run (first chunk's generator)."""
    sizes = [eng.CHUNK] * (draws // eng.CHUNK) + ([draws % eng.CHUNK] if draws % eng.CHUNK else [])
    ss = np.random.SeedSequence(seed).spawn(len(sizes))[0]
    d = eng._draw_params(prep.spec, np.random.default_rng(ss), sizes[0])
    return {key: v[:k] for key, v in d.items()}


def _child(draws: int, horizon: int, seed: int) -> int:
    """One streamed run in this (fresh) process: prints wall time, peak RSS, estimate."""
    import resource

    from critmin.scenarios.engine import check_memory

    d = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    d["horizon"] = horizon
    spec = parse_scenario(d, str(EXAMPLE))
    run_scenario(spec, draws=100, seed=seed)  # kernel load, store open
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    est = check_memory(eng.prepare(spec), draws, keep=False)
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    r = run_scenario(spec, draws=draws, seed=seed)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = ru1.ru_utime - ru0.ru_utime + ru1.ru_stime - ru0.ru_stime
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kept = "row.price" in r.mc
    print(f"{draws} {horizon} {wall:.3f} {rss} {rss0} {est} {int(kept)} {cpu:.3f}")
    return 0


def _large(seed: int) -> int:
    import subprocess
    import sys

    print(
        "| case | wall [s] | CPU [s] | peak RSS [MiB] | RSS before the run [MiB] "
        "| estimate [MiB] | draws kept |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    ok = True
    for draws, horizon in ((200_000, 36), (200_000, 120)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(draws), str(horizon), "--seed", str(seed)],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        _, _, wall, rss, rss0, est, kept, cpu = out[-8:]
        mib = 2**20
        print(f"| run_scenario, {draws:,} draws x {horizon} months | {float(wall):.2f} | "
              f"{float(cpu):.2f} | "
              f"{int(rss) / mib:,.0f} | {int(rss0) / mib:,.0f} | {int(est) / mib:,.0f} | "
              f"{'yes' if kept == '1' else 'no (streamed)'} |")  # fmt: skip
        if horizon == 120:
            ok = float(wall) < 20 and int(rss) < 1e9
    print(f"targets (120 months): < 20 s and < 1 GB peak RSS: {ok}")
    return 0 if ok else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--ref-draws", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ref-repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--large",
        action="store_true",
        help="only the bounded-memory case: 200,000 draws x 120 months (and 36), in a "
        "fresh process each, wall time and peak RSS (target: < 20 s and < 1 GB)",
    )
    ap.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(*args.child, args.seed)
    if args.large:
        return _large(args.seed)
    n, rep, seed = args.draws, args.repeat, args.seed
    import numba
    import scipy

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"scipy {scipy.__version__}, {os.cpu_count()} cores, numba threads "
        f"{numba.get_num_threads()}, load average {os.getloadavg()[0]:.2f}"
    )
    spec = spec_24()
    prep = eng.prepare(spec)
    print(f"scenario: {EXAMPLE.name}, horizon {spec.horizon} months, draws = {n:,}, seed {seed}\n")

    t0 = time.perf_counter()
    eng._monte_carlo(prep, 10, seed, None)  # loads (or compiles) the kernel
    print(f"first call (kernel load or compile): {time.perf_counter() - t0:.2f} s\n")

    mc: dict[str, np.ndarray] = {}

    def engine_mc() -> None:
        mc.update(eng._monte_carlo(prep, n, seed, None))

    b_mc, m_mc = _time(engine_mc, rep)
    b_e2e, m_e2e = _time(lambda: run_scenario(spec, draws=n, seed=seed), rep)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    b_1t, m_1t = _time(lambda: eng._monte_carlo(prep, n, seed, None), rep)
    numba.set_num_threads(threads)

    k = min(args.ref_draws, n)
    ref_draws = first_chunk_draws(prep, seed, n, k)
    ref = reference_prices(prep, ref_draws)
    t_ref, _ = _time(lambda: reference_prices(prep, ref_draws), args.ref_repeat)
    t_ref_n = t_ref * n / k
    rel = max(
        float(np.max(np.abs(ref[0] / mc["row.price"][:k] - 1))),
        float(np.max(np.abs(ref[1] / mc["domestic.price"][:k] - 1))),
    )
    speed = t_ref_n / b_mc

    print("| case | best [s] | median [s] | draw-periods/s (best) |")
    print("|---|---:|---:|---:|")
    dp = n * spec.horizon
    print(f"| engine Monte Carlo, {n:,} draws x 24 months | {b_mc:.3f} | {m_mc:.3f} | "
          f"{dp / b_mc:,.0f} |")  # fmt: skip
    print(f"| engine Monte Carlo, 1 numba thread | {b_1t:.3f} | {m_1t:.3f} | "
          f"{dp / b_1t:,.0f} |")  # fmt: skip
    print(f"| run_scenario end to end, {n:,} draws | {b_e2e:.3f} | {m_e2e:.3f} | "
          f"{dp / b_e2e:,.0f} |")  # fmt: skip
    print(f"| scipy brentq per draw, {k} draws (measured) | {t_ref:.3f} | | "
          f"{k * spec.horizon / t_ref:,.0f} |")  # fmt: skip
    print(f"| scipy brentq per draw, {n:,} draws (extrapolated) | {t_ref_n:.1f} | | |")
    print(f"\nspeed-up (reference extrapolated / engine best): {speed:.0f}x "
          f"(1 thread: {t_ref_n / b_1t:.0f}x)")  # fmt: skip
    print(f"max relative price difference, engine vs reference ({k} draws x 24 x 2): {rel:.1e}")
    ok = b_mc < 5.0 and speed >= 50 and rel < 1e-6
    print(f"targets: engine < 5 s: {b_mc < 5.0}; >= 50x: {speed >= 50}; prices agree: {rel < 1e-6}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
