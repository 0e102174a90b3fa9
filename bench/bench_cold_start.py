"""Cold ``critmin rank gallium``: this working tree against an earlier commit, runs interleaved.

Run: ``.venv/bin/python bench/bench_cold_start.py [--rev HEAD] [--runs 7]``

Both sources are copied to a temporary folder (``git archive REV src`` for the earlier
one, the working tree's ``src`` for this one, neither with a ``__pycache__``) and run
with the same ``.venv`` through ``PYTHONPATH``, each on its own store (created once,
outside the figures). The runs alternate (before, after, before, ...) so that load from
other jobs on a shared machine falls on both alike; each figure is the median wall time
of fresh processes and their CPU time (user + system, ``RUSAGE_CHILDREN``).

Two bytecode settings:

- ``cached``: Python's bytecode cache in a private ``PYTHONPYCACHEPREFIX`` warmed by
  one run, as an installed package has it (pip compiles at install);
- ``PYTHONDONTWRITEBYTECODE=1``: as this sandbox's shells run; critmin's own modules
  are compiled at every start (installed libraries keep their cache).

Writes the ``<!-- cold-start -->`` section of bench/RESULTS-foundation.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRITMIN = str(Path(sys.executable).parent / "critmin")
OUT = Path(__file__).resolve().parent / "RESULTS-foundation.md"
BEGIN, END = "<!-- cold-start -->", "<!-- /cold-start -->"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    c, t = _cpu(), time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, _cpu() - c


def _sources(rev: str, tmp: Path) -> dict[str, Path]:
    before = tmp / "before"
    before.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
    after = tmp / "after"
    shutil.copytree(ROOT / "src", after / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return {"before": before / "src", "after": after / "src"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rev", default="HEAD", help="earlier commit (default HEAD)")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.rev],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="critmin-cold-"))
    src = _sources(args.rev, tmp)
    cmd = [CRITMIN, "rank", "gallium"]
    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONPATH")}
    modes = {
        "cached": {"PYTHONPYCACHEPREFIX": str(tmp / "pycache")},
        "PYTHONDONTWRITEBYTECODE=1": {"PYTHONDONTWRITEBYTECODE": "1"},
    }
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    load = [os.getloadavg()[0]]
    for mode, extra in modes.items():
        envs = {}
        for side, path in src.items():
            env = {**base, **extra, "PYTHONPATH": str(path), "CRITMIN_DB": str(tmp / f"{side}.db")}
            if mode == "cached":
                env.pop("PYTHONDONTWRITEBYTECODE", None)
            _once(cmd, env)  # store (and bytecode cache) created outside the figures
            envs[side] = env
        for _ in range(args.runs):
            for side in src:
                results.setdefault((mode, side), []).append(_once(cmd, envs[side]))
    load.append(os.getloadavg()[0])
    shutil.rmtree(tmp, ignore_errors=True)

    lines = [
        BEGIN,
        "## Cold `critmin rank gallium`: before and after",
        "",
        f"Command: `.venv/bin/python bench/bench_cold_start.py --rev {args.rev} --runs {args.runs}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; "
        f"shared with other jobs: 1-min load average {load[0]:.1f} at the start, {load[1]:.1f} at the end  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        f"before: commit {rev} (`git archive`); after: the working tree. Runs alternate before/after,",
        f"{args.runs} of each, store in place; medians of fresh processes.",
        "",
        "| bytecode | before wall [s] | after wall [s] | before CPU [s] | after CPU [s] |",
        "|---|---|---|---|---|",
    ]
    for mode in modes:
        b, a = results[(mode, "before")], results[(mode, "after")]
        med = [statistics.median(x[i] for x in v) for i in (0, 1) for v in (b, a)]
        lines.append(f"| {mode} | {med[0]:.3f} | {med[1]:.3f} | {med[2]:.3f} | {med[3]:.3f} |")
    lines += [
        "",
        "`cached` is what an installed critmin sees; with `PYTHONDONTWRITEBYTECODE=1` (this sandbox)",
        "every start also compiles critmin's own modules (about 0.1 s on this machine).",
        END,
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = old.rstrip("\n") + "\n\n" + section
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
