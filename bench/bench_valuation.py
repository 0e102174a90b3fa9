"""Benchmark: Monte Carlo NPV with 100,000 price paths over 20 years.

Run from the repository root::

    .venv/bin/python bench/bench_valuation.py [--draws 100000] [--repeat 3]

Times (best and median of ``--repeat`` runs, wall clock):

1. ``simulate_log_ou``: 100,000 mean-reverting log-price paths x 20 annual steps.
2. ``monte_carlo_npv`` on the ERG gallium example (20 production years, 22-year
   table): path simulation plus the full cash-flow engine (royalty, tax with loss
   carry-forward, working capital) and discounting, for every path.
3. ``monte_carlo_npv`` on a 30-year variant of the gallium example (the
   ``kazakhstan`` fiscal template: MET, CIT 20 % with a 10-year FIFO loss
   carry-forward; regime-switching prices): 100,000 paths x 30 years (issue 18
   target: under 2 s on 2 cores).
4. ``value_project`` end to end on both examples (fit, deck, tornado, break-even,
   window-sensitivity table, Monte Carlo).

This is a benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from critmin.valuation.prices import PriceModelFit, simulate_log_ou
from critmin.valuation.project import build_model, fit_price_model, monte_carlo_npv, value_project
from critmin.valuation.spec import ProjectSpec, load_spec

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "projects"


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, rep = args.draws, args.repeat
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"draws = {n:,}, repeat = {rep}\n")
    print("| case | best [s] | median [s] | paths/s (best) |")
    print("|---|---:|---:|---:|")
    fit = PriceModelFit("ou", kappa=0.2, mu=math.log(700_000.0), sigma=0.25)
    b, m = _time(lambda: simulate_log_ou(math.log(687_000.0), fit, 20, n, rng=1), rep)
    print(f"| simulate_log_ou, {n:,} paths x 20 steps | {b:.3f} | {m:.3f} | {n / b:,.0f} |")

    spec = load_spec(EXAMPLES / "erg-gallium-pavlodar.yaml")
    assert isinstance(spec, ProjectSpec)
    pfit, _ = fit_price_model(spec)
    assert pfit is not None
    model = build_model(spec, pfit)
    b, m = _time(lambda: monte_carlo_npv(spec, model, pfit, n, 1), rep)
    print(
        f"| monte_carlo_npv, gallium example ({model.n}-year table, 20 producing) "
        f"| {b:.3f} | {m:.3f} | {n / b:,.0f} |"
    )
    d30 = spec.model_dump(by_alias=True, exclude_none=True)
    d30["production"]["life_years"] = {"value": 30}
    s30 = ProjectSpec.model_validate(d30)
    s30._path = spec.path
    model30 = build_model(s30, pfit)
    assert s30.fiscal.template == "kazakhstan" and s30.price.model is not None
    assert s30.price.model.regimes is not None
    b, m = _time(lambda: monte_carlo_npv(s30, model30, pfit, n, 1), rep)
    print(
        f"| monte_carlo_npv, 30 producing years, kazakhstan template + regimes "
        f"({model30.n}-year table) | {b:.3f} | {m:.3f} | {n / b:,.0f} |"
    )
    for name in ("erg-gallium-pavlodar.yaml", "syrymbet-tin.yaml"):
        b, m = _time(lambda name=name: value_project(EXAMPLES / name, draws=n, seed=1), rep)
        print(f"| value_project end to end, {name} | {b:.3f} | {m:.3f} | {n / b:,.0f} |")
    r = value_project(EXAMPLES / "erg-gallium-pavlodar.yaml", draws=n, seed=1)
    print(
        f"\ngallium check: NPV {r.metrics['npv_usd'] / 1e6:.2f} M USD, "
        f"P(NPV<0) = {r.metrics['p_npv_negative']:.4f} over {n:,} paths"
    )


if __name__ == "__main__":
    main()
