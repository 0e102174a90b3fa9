"""Benchmark: ``critmin claims check ARTICLE`` (extract then check) on a 1,000-word article.

Run: ``.venv/bin/python bench/bench_claims.py [--runs N] [--before DIR]``. Writes
``bench/RESULTS-claims.md``.

``--before DIR``: DIR holds an earlier copy of the package (``DIR/critmin``); its fresh-process
runs alternate with the working tree's (``PYTHONPATH=DIR``), so both see the same load of a
shared machine, and the table gains a before/after pair.

The article is the seed story (``../shared/reference/news/kazakhstan-gallium-2025.txt``)
followed by the quoted news fixtures (``tests/fixtures/news/*.txt``), cut to 1,000 words.
Figures: wall time of a fresh CLI process (cold start, imports, store open, extraction, every
check, output) and, in one process, extraction alone and extraction + checks; median of N.
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
SEED = ROOT.parent / "shared" / "reference" / "news" / "kazakhstan-gallium-2025.txt"
NEWS = ROOT / "tests" / "fixtures" / "news"


def article(words: int = 1000) -> str:
    """The seed story and the news fixtures, line by line, up to ``words`` words."""
    lines = SEED.read_text("utf-8").splitlines()
    for p in sorted(NEWS.glob("*.txt")):
        lines += p.read_text("utf-8").splitlines()[1:]  # without their headlines
    out: list[str] = []
    n = 0
    for ln in lines:
        w = ln.split()
        if n + len(w) > words:
            out.append(" ".join(w[: words - n]))
            break
        out.append(ln)
        n += len(w)
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", type=Path, default=None, help="earlier package copy (DIR/critmin)")
    ap.add_argument("--before-note", default="", help="what the earlier copy is (for the results)")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    text = article()
    n_words = len(text.split())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "article.txt"
        path.write_text(text, "utf-8")
        import resource

        def fresh(env: dict[str, str]) -> tuple[float, float]:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(
                [CRITMIN, "claims", "check", str(path), "--date", "2025", "-f", "json"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wall = time.perf_counter() - t
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            return wall, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime

        env = dict(os.environ)
        env_before = {**env, "PYTHONPATH": str(args.before)} if args.before else None
        cli, cli_cpu, old, old_cpu = [], [], [], []
        for _ in range(args.runs):
            if env_before is not None:
                w, c = fresh(env_before)
                old.append(w)
                old_cpu.append(c)
            w, c = fresh(env)
            cli.append(w)
            cli_cpu.append(c)
    from critmin.claims import check_claims, parse_claims
    from critmin.claims.extract import extract
    from critmin.data.store import get_store

    st = get_store()
    extract(text, date="2025", store=st)  # warm the gazetteers
    ext, full, cpu = [], [], []
    n_claims = 0
    for _ in range(args.runs):
        t = time.perf_counter()
        c = time.process_time()
        doc = extract(text, date="2025", store=st)
        ext.append(time.perf_counter() - t)
        check_claims(parse_claims(doc), st)
        full.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        n_claims = len(doc["claims"])
    rows = []
    if args.before:
        rows += [
            ("before: critmin claims check ARTICLE (fresh process)", old),
            ("before: the same, CPU time of the process (user + system)", old_cpu),
        ]
    rows += [
        ("critmin claims check ARTICLE (fresh process, extract + check)", cli),
        ("the same, CPU time of the process (user + system)", cli_cpu),
        ("extract (in process, store open)", ext),
        ("extract + check (in process, store open)", full),
        ("extract + check, CPU time of the process", cpu),
    ]
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    md = [
        "# Claims: extract and check an article",
        "",
        f"Command: `.venv/bin/python bench/bench_claims.py --runs {args.runs}"
        + (f" --before {args.before} --before-note ..." if args.before else "")
        + "`  ",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()} "
        "(shared with other jobs)  ",
        f"Date: {now}",
        "",
        f"Article: {n_words} words (seed story + quoted news fixtures), {n_claims} draft claims.",
        "",
        *([f"Before: {args.before_note or args.before}", ""] if args.before else []),
        "| what | median [s] | min [s] | max [s] |",
        "|---|---|---|---|",
    ]
    for name, xs in rows:
        md.append(f"| {name} | {statistics.median(xs):.3f} | {min(xs):.3f} | {max(xs):.3f} |")
    md += [
        "",
        "Target: extract + check of a 1,000-word article under 3 s on 2 cores. The machine is",
        "shared (load average in the notes): wall times include waiting for a core; the CPU time",
        "row is the work itself.",
        "",
        f"Load average (1 min): {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
        "",
    ]
    (ROOT / "bench" / "RESULTS-claims.md").write_text("\n".join(md), "utf-8")
    sys.stdout.write("\n".join(md))


if __name__ == "__main__":
    main()
