"""Benchmark of ``critmin data import``: wall time and peak memory of a fresh process.

Run: ``.venv/bin/python bench/bench_import.py [--runs N]``. It writes a synthetic file
of 187,500 valid rows (25 commodities x 100 countries x 75 years 2026-2100, mine
production, half in t and half in kg so that the unit conversion runs) and a second
one with 200 countries (375,000 rows), imports each into a fresh store with
``critmin data import FILE`` in a subprocess, and reads the child's peak resident
memory from ``os.wait4`` (``ru_maxrss``). Bounded memory shows as a peak that does not
grow with the row count. The figures replace the ``import`` section of
``RESULTS-foundation.md`` (between the ``<!-- import -->`` markers).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRITMIN = str(Path(sys.executable).parent / "critmin")
RESULTS = Path(__file__).resolve().parent / "RESULTS-foundation.md"
BEGIN, END = "<!-- import -->", "<!-- /import -->"


def write_rows(path: Path, env: dict[str, str], countries: int) -> int:
    """A valid import file: cells that no official row holds (years from 2026)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["CRITMIN_DB"] = env["CRITMIN_DB"]
    from critmin.data.store import Store

    st = Store(Path(env["CRITMIN_DB"]))
    com = [
        r["commodity"]
        for r in st.records(
            "SELECT DISTINCT commodity FROM observations WHERE measure = 'mine_production' "
            "AND unit = 't' ORDER BY commodity LIMIT 25"
        )
    ]
    iso = [
        r["iso3"]
        for r in st.records(
            "SELECT iso3 FROM countries WHERE entity_type = 'country' ORDER BY iso3 LIMIT ?",
            [countries],
        )
    ]
    st.close()
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("commodity,measure,iso3,year,value,unit,source,qualifier\n")
        for c in com:
            for i, code in enumerate(iso):
                for y in range(2026, 2101):
                    unit, val = ("t", f"{(i + 1) * 10 + y % 7}") if y % 2 else ("kg", "125000")
                    fh.write(f"{c},mine_production,{code},{y},{val},{unit},bench plan,estimated\n")
                    n += 1
    return n


def run_import(path: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall time [s], CPU time [s] and peak RSS [MiB] of one ``critmin data import``."""
    db = Path(env["CRITMIN_DB"])
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    subprocess.run([CRITMIN, "data", "info"], env=env, check=True, capture_output=True)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [CRITMIN, "data", "import", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"import failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    load = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="critmin-bench-import-"))
    env = {**os.environ, "CRITMIN_DB": str(tmp / "bench.duckdb")}
    subprocess.run([CRITMIN, "data", "info"], env=env, check=True, capture_output=True)
    table = []
    for countries in (100, 200):
        f = tmp / f"rows{countries}.csv"
        n = write_rows(f, env, countries)
        res = [run_import(f, env) for _ in range(args.runs)]
        print(n, res, flush=True)
        w = [r[0] for r in res]
        c = [r[1] for r in res]
        m = [r[2] for r in res]
        table.append(
            f"| critmin data import, {n:,} rows ({f.stat().st_size / 2**20:.1f} MiB) | "
            f"{statistics.median(w):.2f} | {min(w):.2f} | {max(w):.2f} | "
            f"{statistics.median(c):.2f} | {max(m):.0f} |"
        )
    fl = [run_import_floor(env) for _ in range(args.runs)]
    w = [r[0] for r in fl]
    table.append(
        f"| critmin data info (floor: start-up and store open) | {statistics.median(w):.2f} "
        f"| {min(w):.2f} | {max(w):.2f} | {statistics.median(r[1] for r in fl):.2f} "
        f"| {max(r[2] for r in fl):.0f} |"
    )
    section = [
        BEGIN,
        "## User data import",
        "",
        f"Command: `.venv/bin/python bench/bench_import.py --runs {args.runs}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}  ",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average at the "
        f"start {load[0]:.1f}, at the end {os.getloadavg()[0]:.1f} (shared machine)",
        "",
        "Wall time of a fresh `critmin data import FILE` process into a fresh store (median of "
        f"{args.runs}); its CPU time (user + system) and peak resident memory (`ru_maxrss`, max "
        "of the runs) from `os.wait4`. CPU time is the figure least distorted by other load.",
        "Synthetic valid rows: 25 commodities x 100 (200) countries x 75 years, half in kg.",
        "",
        "| what | median [s] | min [s] | max [s] | CPU median [s] | peak RSS [MiB] |",
        "|---|---|---|---|---|---|",
        *table,
        "",
        "- Target: 187,500 rows under 10 s with bounded memory. Rows are validated one at a time",
        "  into a staging CSV, then DuckDB loads it and checks duplicates and conflicts in SQL;",
        "  no DataFrame of the file is built. DuckDB works within `SET memory_limit = '128MB'`",
        "  (spilling to disk beyond it), so the peak is bounded by start-up + that limit.",
        "- On a shared machine the wall time is mostly waiting for a CPU: the floor row's wall/CPU",
        "  ratio shows how loaded it was; the CPU column is the import's own cost.",
        END,
    ]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + text[text.index(END) + len(END) + 1 :]
    text = text.rstrip() + "\n\n" + "\n".join(section) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print("\n".join(section))


def run_import_floor(env: dict[str, str]) -> tuple[float, float, float]:
    t = time.perf_counter()
    proc = subprocess.Popen([CRITMIN, "data", "info"], env=env, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


if __name__ == "__main__":
    main()
