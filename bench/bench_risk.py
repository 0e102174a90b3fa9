"""Benchmark of ``critmin risk rank --importer EU27 --method all --draws 2000``.

Times the command end to end (a fresh process each run: imports, store, inputs, 2,000
Monte Carlo draws of four methods for every commodity, structural alternatives, output),
then the Python call alone in a warm process, and writes ``bench/RESULTS-risk.md``.
The target (issue 19) is under 10 s on 2 cores. The machine's load average is recorded:
the development machine is shared, so a loaded run is slower than the code.

Usage::

    .venv/bin/python bench/bench_risk.py [--runs 3] [--write bench/RESULTS-risk.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CMD = ["risk", "rank", "--importer", "EU27", "--method", "all", "--draws", "2000"]


def _cli_runs(n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system of the child) seconds of each run."""
    exe = REPO / ".venv" / "bin" / "critmin"
    args = [str(exe)] if exe.exists() else [sys.executable, "-m", "critmin.cli.main"]
    wall, cpu = [], []
    for _ in range(n):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([*args, *CMD, "--format", "csv"], check=True, capture_output=True)
        wall.append(time.perf_counter() - t)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return wall, cpu


def _warm_runs(n: int) -> tuple[float, list[float]]:
    import critmin.risk as risk
    from critmin.risk import inputs

    t = time.perf_counter()
    inputs.load()
    load = time.perf_counter() - t
    out = []
    for i in range(n):
        t = time.perf_counter()
        risk.supply_risk("EU27", "all", draws=2000, seed=i)
        out.append(time.perf_counter() - t)
    return load, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", type=Path, default=REPO / "bench" / "RESULTS-risk.md")
    a = ap.parse_args()
    load0 = os.getloadavg()
    cli, cpu = _cli_runs(a.runs)
    load, warm = _warm_runs(a.runs)
    load1 = os.getloadavg()
    med = statistics.median(cli)
    text = f"""# Benchmark: supply-risk ranking, all methods, 2,000 draws

Command: `.venv/bin/python bench/bench_risk.py --runs {a.runs}` (times
`critmin {" ".join(CMD)}`)
Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}
(shared: load average {load0[0]:.1f} before, {load1[0]:.1f} after)
Date: {time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime())}

| run | seconds (median) | min | max | target |
|---|---:|---:|---:|---|
| CLI, fresh process, end to end (wall) | {med:.2f} | {min(cli):.2f} | {max(cli):.2f} | < 10 s: {"met" if med < 10 else "NOT met"} |
| CLI, same runs, CPU time of the process (user + system) | {statistics.median(cpu):.2f} | {min(cpu):.2f} | {max(cpu):.2f} | < 10 s: {"met" if statistics.median(cpu) < 10 else "NOT met"} |
| `supply_risk("EU27", "all", draws=2000)`, warm process | {statistics.median(warm):.2f} | {min(warm):.2f} | {max(warm):.2f} | - |

CPU time is what the run costs on an idle machine (the work is single-threaded); wall time
on a loaded shared machine is longer. Loading the inputs once (store tables into pandas): {load:.2f} s. The first call of a process
also assembles every commodity's stages (cached afterwards), which the CLI row includes.
"""
    a.write.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
