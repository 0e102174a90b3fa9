"""Benchmark: ordinary kriging of a ~300,000-block model, critmin vs PyKrige and GSTools.

Data: the CBMina copper-porphyry composites (5 m, 1,121 samples after compositing; examples/deposits/cbmina).
Targets: every block centre of a 10 x 10 x 5 m grid around them (285,768 blocks).
Model: nugget 0.05 + spherical (sill 0.15, range 120 m), isotropic.

Runs, on the same data and model:

* critmin, point kriging, the 16 nearest samples (no hole/octant limits), all blocks;
* critmin, block kriging with 2 x 2 x 2 discretisation, same neighbourhood, all blocks;
* PyKrige ``OrdinaryKriging3D.execute(backend="loop", n_closest_points=16)``, the
  same moving neighbourhood, all blocks in one call (measured: its cost per block grows
  with the number of blocks, so it is not extrapolated);
* GSTools ``krige.Ordinary``: GSTools has no moving neighbourhood; timed (a) with its
  global (unique) neighbourhood on all blocks and (b) one ``krige.Ordinary`` per block
  on its 16 nearest samples (what a user must do for a moving search), on a subset,
  extrapolated.

Estimates of critmin and PyKrige are compared on all blocks.

Run:  .venv/bin/python bench/bench_geostats.py   (pip install pykrige gstools)
      .venv/bin/python bench/bench_geostats.py workflow   (deposit report on 67,000 assays, 2 M blocks)
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from critmin.geostats.blockmodel import BlockModel  # noqa: E402
from critmin.geostats.kriging import Search, ordinary_kriging  # noqa: E402
from critmin.geostats.spec import load_spec  # noqa: E402
from critmin.geostats.variogram import Structure, VariogramModel  # noqa: E402
from critmin.geostats.workflow import build_composites, load_drillholes  # noqa: E402

N_NEAR = 16
SUBSET_GSTOOLS_LOOP = 300
SUBSET_GSTOOLS_GLOBAL = 20_000


def main() -> None:
    sp = load_spec(ROOT / "examples" / "deposits" / "cbmina" / "estimation.yaml")
    comps, _ = build_composites(sp, load_drillholes(sp))
    xyz = comps[["x", "y", "z"]].to_numpy()
    v = comps["grade"].to_numpy()
    bm = BlockModel.from_extent(xyz, (10.0, 10.0, 5.0), padding=10.0)
    tg = bm.centroids()
    model = VariogramModel(0.05, (Structure("spherical", 0.15, (120.0, 120.0, 120.0)),))
    search = Search((1e6, 1e6, 1e6), min_samples=N_NEAR, max_samples=N_NEAR, candidates=N_NEAR)
    rows: list[tuple[str, int, float, str]] = []

    # warm-up (numba compile is cached on disk; first run in a fresh checkout compiles)
    ordinary_kriging(xyz, v, tg[:100], model, search)
    ordinary_kriging(xyz, v, tg[:100], model, search, block_size=bm.size, discretisation=(2, 2, 2))

    t0 = time.perf_counter()
    ck = ordinary_kriging(xyz, v, tg, model, search)
    t_ck = time.perf_counter() - t0
    rows.append(("critmin point OK, 16 nearest", len(tg), t_ck, "measured"))
    print(rows[-1], flush=True)
    t0 = time.perf_counter()
    ordinary_kriging(xyz, v, tg, model, search, block_size=bm.size, discretisation=(2, 2, 2))
    rows.append(
        ("critmin block OK 2x2x2, 16 nearest", len(tg), time.perf_counter() - t0, "measured")
    )

    rng = np.random.default_rng(0)
    sub = np.sort(rng.choice(len(tg), SUBSET_GSTOOLS_LOOP, replace=False))
    diff = float("nan")
    t_init = float("nan")
    try:
        from pykrige.ok3d import OrdinaryKriging3D

        t0 = time.perf_counter()
        ok = OrdinaryKriging3D(
            xyz[:, 0],
            xyz[:, 1],
            xyz[:, 2],
            v,
            variogram_model="spherical",
            variogram_parameters={"psill": 0.15, "range": 120.0, "nugget": 0.05},
        )
        t_init = time.perf_counter() - t0
        print("pykrige init", t_init, flush=True)
        t0 = time.perf_counter()
        # all blocks in one call, as a user would (its cost per block is not constant:
        # execute first builds the full block-by-sample distance matrix)
        z, _ = ok.execute(
            "points", tg[:, 0], tg[:, 1], tg[:, 2], backend="loop", n_closest_points=N_NEAR
        )
        t = time.perf_counter() - t0
        rows.append(("PyKrige loop, 16 nearest (all blocks)", len(tg), t, "measured"))
        diff = float(np.max(np.abs(np.asarray(z) - ck["estimate"].to_numpy())))
        print(rows[-1], diff, flush=True)
    except ImportError:
        print("pykrige not installed: skipped")

    try:
        import gstools as gs
        from scipy.spatial import cKDTree

        gm = gs.Spherical(dim=3, var=0.15, len_scale=120.0, nugget=0.05)
        sub3 = np.sort(rng.choice(len(tg), SUBSET_GSTOOLS_GLOBAL, replace=False))
        t0 = time.perf_counter()
        krig = gs.krige.Ordinary(gm, cond_pos=xyz.T, cond_val=v, exact=True)
        krig(tg[sub3].T, return_var=True)
        t = time.perf_counter() - t0
        rows.append(
            (
                f"GSTools global neighbourhood, all {len(v):,} samples ({SUBSET_GSTOOLS_GLOBAL:,} blocks timed)",
                len(tg),
                t * len(tg) / len(sub3),
                "extrapolated",
            )
        )
        print(rows[-1], flush=True)
        tree = cKDTree(xyz)
        sub2 = sub
        _, nn = tree.query(tg[sub2], k=N_NEAR)
        t0 = time.perf_counter()
        for i, b in enumerate(sub2):
            k = gs.krige.Ordinary(gm, cond_pos=xyz[nn[i]].T, cond_val=v[nn[i]], exact=True)
            k(tg[b : b + 1].T, return_var=True)
        t = time.perf_counter() - t0
        rows.append(
            (
                f"GSTools per-block loop, 16 nearest ({SUBSET_GSTOOLS_LOOP} blocks timed)",
                len(tg),
                t * len(tg) / len(sub2),
                "extrapolated",
            )
        )
    except ImportError:
        print("gstools not installed: skipped")

    date = subprocess.run(["date"], capture_output=True, text=True, check=False).stdout.strip()
    lines = [
        "# Benchmark: ordinary kriging of a block model",
        "",
        "Command: `.venv/bin/python bench/bench_geostats.py`  ",
        f"Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}  ",
        f"Date: {date}",
        "",
        f"Data: CBMina Cu composites, {len(v):,} samples (5 m); {len(tg):,} blocks of 10 x 10 x 5 m; "
        "model nugget 0.05 + spherical 0.15 / 120 m; neighbourhood: 16 nearest samples.",
        "",
        "| run | blocks | seconds | blocks/s | speed-up vs critmin point OK | how |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, n, t, how in rows:
        lines.append(
            f"| {name} | {n:,} | {t:.2f} | {n / t:,.0f} | {t / t_ck:.1f}x slower | {how} |"
            if name != rows[0][0]
            else f"| {name} | {n:,} | {t:.2f} | {n / t:,.0f} | 1.0x | {how} |"
        )
    lines += [
        "",
        f"Largest |critmin - PyKrige| over all {len(tg):,} blocks: {diff:.2e} % Cu (same data, model, neighbourhood).",
        "",
        f"PyKrige's `OrdinaryKriging3D(...)` constructor alone took {t_init:.0f} s (version 1.7.3 always runs a",
        "leave-one-out statistics loop in Python); it is NOT included in the PyKrige row above.",
        "",
        "Notes: critmin times include the neighbour search. PyKrige runs all blocks in one call (its",
        "`execute` first builds the full block-by-sample distance matrix, so its cost per block is not",
        "constant and is not extrapolated). The GSTools runs were timed on a random subset and scaled",
        "linearly to all blocks (their cost per block is constant). GSTools has no moving neighbourhood:",
        "its global run solves one system with all samples, a different estimator.",
    ]
    text = "\n".join(lines) + "\n"
    res = ROOT / "bench" / "RESULTS-geostats.md"
    # keep the sections other benchmarks write (bench_kriging_scaling.py)
    old = res.read_text(encoding="utf-8") if res.exists() else ""
    keep = old[old.index("<!-- begin ") :] if "<!-- begin " in old else ""
    res.write_text(text + ("\n" + keep if keep else ""), encoding="utf-8")
    print(text)


WORKFLOW_SPEC = """
name: synthetic porphyry (550 holes, 67,000 assays; benchmark)
drillholes:
  collar: collar.csv
  survey: survey.csv
  assay: assay.csv
  columns: {hole: HOLEID, x: X, y: Y, z: Z, at: AT, azimuth: AZM, dip: DIP, from: FROM, to: TO}
  overlaps: last
grades:
  - {column: MO, unit: ppm, metal: Mo, metal_unit: t, top_cut: 2000,
     variogram: {model: {nugget: 2000, structures: [{kind: spherical, sill: 20000, ranges: [250, 250, 120]}]}}}
grade: {column: CU, unit: "%", metal: Cu, metal_unit: t}
composite: {length: 4}
top_cut: 3.0
declustering: {cell_sizes: [50, 100, 200, 400]}
variogram: {model: {nugget: 0.02, structures: [{kind: spherical, sill: 0.08, ranges: [250, 250, 120]}]}}
block_model: {size: [8, 6.5, 5], origin: [-100, -100, -250], shape: [200, 200, 50], density: 2.7}
search: {ranges: [120, 120, 60], min_samples: 4, max_samples: 16, max_per_hole: 4, passes: [1, 2]}
classification:
  measured: {max_pass: 1, min_holes: 3, min_slope: 0.8}
  indicated: {max_pass: 1, min_holes: 2, min_slope: 0.5}
  inferred: {}
report: {cutoffs: [0.2, 0.3, 0.5], reporting_cutoff: 0.3}
output: out
"""


def _synthetic_db(folder: Path, n_holes: int = 550, per_hole: int = 122) -> None:
    """550 inclined holes (-60 deg) of 244 m on a 1.4 x 1.1 km grid; Cu and Mo fields."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True, exist_ok=True)
    nx = 25
    hx = (np.arange(n_holes) % nx) * 56.0 + rng.uniform(-5, 5, n_holes)
    hy = (np.arange(n_holes) // nx) * 50.0 + rng.uniform(-5, 5, n_holes)
    holes = [f"DH{i:04d}" for i in range(n_holes)]
    with (folder / "collar.csv").open("w") as f:
        f.write("HOLEID,X,Y,Z\n")
        for h, x, y in zip(holes, hx, hy, strict=True):
            f.write(f"{h},{x:.2f},{y:.2f},0\n")
    with (folder / "survey.csv").open("w") as f:
        f.write("HOLEID,AT,AZM,DIP\n")
        for h in holes:
            f.write(f"{h},0,90,60\n{h},244,92,58\n")
    d = np.arange(per_hole) * 2.0
    with (folder / "assay.csv").open("w") as f:
        f.write("HOLEID,FROM,TO,CU,MO\n")
        for h, x, y in zip(holes, hx, hy, strict=True):
            xx = x + (d + 1) * 0.5
            zz = -(d + 1) * 0.866
            field = np.sin(xx / 180) + np.cos(y / 220) + np.sin(zz / 90)
            cu = np.exp(-1.2 + 0.45 * field + rng.normal(0, 0.35, per_hole))
            mo = np.exp(4.5 + 0.4 * field + rng.normal(0, 0.5, per_hole))
            f.write("".join(f"{h},{a:g},{a + 2:g},{c:.3f},{m:.0f}\n"
                            for a, c, m in zip(d, cu, mo, strict=True)))  # fmt: skip


def workflow() -> None:
    """``deposit report`` end to end on ~67,000 assays and 2 M blocks, then a reclassification."""
    import shutil
    import tempfile

    from bench_kriging_scaling import write_section

    tmp = Path(tempfile.mkdtemp(prefix="critmin-bench-"))
    _synthetic_db(tmp)
    spec = tmp / "spec.yaml"
    spec.write_text(WORKFLOW_SPEC, encoding="utf-8")
    exe = str(ROOT / ".venv" / "bin" / "critmin")

    import resource

    def cli(*extra: str) -> tuple[float, float]:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([exe, "deposit", "report", str(spec), "--no-ledger", *extra],
                       check=True, capture_output=True)  # fmt: skip
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return time.perf_counter() - t0, cpu

    # where the time goes: the same run in-process with a timer per step
    from critmin.geostats.workflow import run_spec

    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    res = run_spec(
        spec, cache_dir=tmp / "profile-cache", step=lambda s: marks.append((s, time.perf_counter()))
    )
    t_end = time.perf_counter()
    marks.append(("end", t_end))
    prof = [(marks[i][0], marks[i + 1][1] - marks[i][1]) for i in range(len(marks) - 1)]
    n_assays = sum(1 for _ in (tmp / "assay.csv").open()) - 1
    load = os.getloadavg()[0]
    t_cold, c_cold = cli()
    text = (tmp / "spec.yaml").read_text().replace("min_slope: 0.8", "min_slope: 0.85")
    spec.write_text(text, encoding="utf-8")
    t_warm, c_warm = cli()
    lines = [
        "## Workflow: `deposit report` on a porphyry-sized database",
        "",
        f"Command: `.venv/bin/python bench/bench_geostats.py workflow` ({time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, shared machine).",
        f"Database: synthetic, 550 inclined holes, {n_assays:,} assays (Cu %, Mo ppm), 4 m composites;",
        f"grid 200 x 200 x 50 = {res.block_model.n_blocks:,} blocks, {len(res.blocks):,} estimated; two grades",
        "(Cu and Mo, each kriged), slope of regression in the classification.",
        "",
        f"Load average when the CLI runs started: {load:.1f} (other sessions share the 2 cores).",
        "",
        "| run | wall seconds | CPU seconds (user + sys) |",
        "|---|---:|---:|",
        f"| `critmin deposit report` end to end (CLI, cold cache) | {t_cold:.1f} | {c_cold:.1f} |",
        f"| the same after changing only a classification threshold (cache hit, no kriging) | {t_warm:.1f} | {c_warm:.1f} |",
        "",
        "Targets of issue 15: under 60 s end to end and under 10 s for a reclassification on 2 cores; compare the wall seconds when the load average above is near 0-2 (the machine is shared), the CPU seconds (all threads) otherwise. The reclassification reads the drillholes again (exploration statistics), loads the cached blocks and variogram models, classifies and reports; it does not krige.",
        "",
        "Where the time goes (in-process run, cold cache):",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {s} | {t:.1f} |" for s, t in prof],
        f"| total | {t_end - t0:.1f} |",
        "",
    ]
    write_section(
        ROOT / "bench" / "RESULTS-geostats.md", "deposit-workflow", "\n".join(lines) + "\n"
    )
    print("\n".join(lines))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["workflow"]:
        sys.path.insert(0, str(ROOT / "bench"))
        workflow()
    else:
        main()
