"""Benchmark: ``critmin claims check ARTICLE`` (extract then check) on a 1,000-word article.

Run: ``.venv/bin/python bench/bench_claims.py [--runs N]``. Writes ``bench/RESULTS-claims.md``.

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
    args = ap.parse_args()
    text = article()
    n_words = len(text.split())
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "article.txt"
        path.write_text(text, "utf-8")
        env = dict(os.environ)
        cli, cli_cpu = [], []
        import resource

        for _ in range(args.runs):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run(
                [CRITMIN, "claims", "check", str(path), "--date", "2025", "-f", "json"],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            cli.append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli_cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
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
    rows = [
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
        f"Command: `.venv/bin/python bench/bench_claims.py --runs {args.runs}`  ",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()} "
        "(shared with other jobs)  ",
        f"Date: {now}",
        "",
        f"Article: {n_words} words (seed story + quoted news fixtures), {n_claims} draft claims.",
        "",
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
        f"Load average at the start: {os.getloadavg()[0]:.1f} (1 min).",
        "",
    ]
    (ROOT / "bench" / "RESULTS-claims.md").write_text("\n".join(md), "utf-8")
    sys.stdout.write("\n".join(md))


if __name__ == "__main__":
    main()
