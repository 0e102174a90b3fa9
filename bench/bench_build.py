"""Time ``critmin data build`` (fresh process, all readers, QA gate) and size the bundled Parquet.

Writes a section between ``<!-- data-build -->`` markers into ``RESULTS-foundation.md``.
Usage: ``.venv/bin/python bench/bench_build.py --runs 3``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "RESULTS-foundation.md"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reference", default=str(REPO.parent / "shared" / "reference"))
    args = ap.parse_args()
    exe = str(REPO / ".venv" / "bin" / "critmin")
    walls, cpus, loads = [], [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            loads.append(os.getloadavg()[0])
            t0 = time.perf_counter()
            subprocess.run(
                [exe, "data", "build", "--reference", args.reference, "--out", tmp],
                check=True,
                capture_output=True,
            )
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    bundled = REPO / "src" / "critmin" / "data" / "bundled"
    size = sum(p.stat().st_size for p in bundled.glob("*.parquet"))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"""<!-- data-build -->
## Dataset build (`critmin data build`) and bundled size

Command: `.venv/bin/python bench/bench_build.py --runs {args.runs}`\\
Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}
(shared with other jobs: 1-min load average during the runs {min(loads):.1f}-{max(loads):.1f})\\
Date: {now}

| what | median | min | max |
|---|---|---|---|
| `critmin data build` wall, fresh process, all readers + QA gate [s] | {statistics.median(walls):.1f} | {min(walls):.1f} | {max(walls):.1f} |
| same, CPU time (user + sys) [s] | {statistics.median(cpus):.1f} | {min(cpus):.1f} | {max(cpus):.1f} |
| bundled Parquet, all tables [MB] | {size / 1e6:.2f} | | |

Targets: build < 30 s on 2 cores, bundled Parquet < 15 MB. The wall time includes waiting for
the CPU on the shared machine; the CPU time is what the build itself costs.
<!-- /data-build -->
"""
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Foundation\n"
    if "<!-- data-build -->" in text:
        text = re.sub(r"<!-- data-build -->.*?<!-- /data-build -->\n", section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section
    OUT.write_text(text, encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
