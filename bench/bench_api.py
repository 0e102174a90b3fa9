"""Load benchmark of the HTTP API on loopback.

Starts ``critmin serve`` (uvicorn) on 127.0.0.1 at a free port in a child process,
with a private store and API keys, and drives it from this process with ``RawConn``
(``bench/httpload.py``): a minimal HTTP/1.1 client on asyncio streams (one kept-alive
connection per simulated client, requests written by hand, responses read by
``Content-Length`` or chunked framing; no HTTP library). It replaced httpx, whose
per-request cost on the same 2 cores was a large share of the machine. The client's
own CPU time (``getrusage``), the server's (its process, and its child processes: read
workers and runs, from ``/proc``), the whole machine's busy time (``/proc/stat``) and
the load average during each phase are reported with the latencies.

Phases:

1. cached reads: a mix of read endpoints at 50 concurrent connections;
2. uncached reads: ``rank`` with a different what-if quantity on every request (each
   one computes), 50 concurrent connections;
3. reads during a heavy run: one client reading sequentially, first alone, then while a
   100,000-draw scenario (``critmin.scenarios``; a valuation when absent) runs in the
   server's worker pool;
4. with ``--mixed SECONDS`` only (issue 17): 50 clients on cached and uncached reads while
   two API keys keep scenario runs going (:func:`mixed_under_jobs`); ``--think S`` adds
   S seconds of think time after each response of each client (a separately labelled
   measure, not the issue's closed loop with no think time).

Every phase is bounded in time; only loopback addresses are used.

Usage::

    .venv/bin/python bench/bench_api.py [--seconds 15] [--concurrency 50] [--draws 100000]
                                        [--write bench/RESULTS-api.md]
    .venv/bin/python bench/bench_api.py --mixed 60 --concurrency 50 --draws 20000 [--think 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from httpload import NET_ERRORS, Meter, RawConn, cpu_line, multipart

REPO = Path(__file__).resolve().parents[1]
KEY = "bench-key-0123456789"

CACHED_MIX = [
    "/api/v1/production/gallium",
    "/api/v1/rank/gallium?year=2024&add=KAZ=15t",
    "/api/v1/concentration/tin",
    "/api/v1/prices/tin?start=2015&end=2025&annual=true",
    "/api/v1/commodities",
    "/api/v1/countries/Kazakhstan",
    "/api/v1/commodities/gallium",
    "/api/v1/production/copper?format=csv",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def summary(name: str, lat: list[float], errors: int, seconds: float, conc: int) -> dict[str, Any]:
    return {
        "phase": name,
        "concurrency": conc,
        "requests": len(lat) + errors,
        "errors": errors,
        "rps": (len(lat) + errors) / seconds,
        "p50_ms": 1000 * pct(lat, 50),
        "p90_ms": 1000 * pct(lat, 90),
        "p99_ms": 1000 * pct(lat, 99),
        "max_ms": 1000 * max(lat) if lat else float("nan"),
        "mean_ms": 1000 * statistics.fmean(lat) if lat else float("nan"),
    }


def _hostport(base: str) -> tuple[str, int]:
    host, port = base.rsplit("//", 1)[1].rsplit(":", 1)
    return host, int(port)


async def load(base: str, urls: Any, seconds: float, conc: int, name: str) -> dict[str, Any]:
    """``conc`` clients (one connection each), each looping over URLs for ``seconds``."""
    host, port = _hostport(base)
    lat: list[float] = []
    codes: dict[str, int] = {}
    counter = 0
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal counter
        conn = RawConn(host, port)
        while time.perf_counter() < deadline:
            counter += 1
            url = urls(counter) if callable(urls) else urls[(i + counter) % len(urls)]
            t0 = time.perf_counter()
            try:
                status, _ = await conn.request("GET", url)
                code = str(status)
            except NET_ERRORS as exc:
                code = type(exc).__name__
            if code == "200":
                lat.append(time.perf_counter() - t0)
            else:
                codes[code] = codes.get(code, 0) + 1
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(conc)))
    out = summary(name, lat, sum(codes.values()), time.perf_counter() - t0, conc)
    if codes:
        out["phase"] += f" (errors: {codes})"
    return out


def run_wrk(base: str, path: str, seconds: float, conc: int) -> str | None:
    """``wrk --latency`` on one URL, if wrk is installed (Debian package wrk)."""
    import shutil

    if shutil.which("wrk") is None:
        return None
    cmd = ["wrk", "-t2", f"-c{conc}", f"-d{int(seconds)}s", "--latency", base + path]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    return f"$ {' '.join(cmd).replace(base, 'http://127.0.0.1:PORT')}\n{out.strip()}"


async def job_status(conn: RawConn, job: str, key: str = KEY) -> str:
    status, body = await conn.request("GET", f"/api/v1/jobs/{job}", {"X-API-Key": key})
    return str(json.loads(body)["status"]) if status == 200 else f"http {status}"


async def reads_during(
    base: str, seconds: float, heavy: Any, name: str, offset: int
) -> dict[str, Any]:
    """One sequential reader for ``seconds`` (uncached what-ifs: quantities from
    ``offset`` on, never repeated), while ``heavy`` runs."""
    conn = RawConn(*_hostport(base))
    lat: list[float] = []
    errors = 0
    job = await heavy(conn) if heavy else None
    deadline = time.perf_counter() + seconds
    i = 0
    t_start = time.perf_counter()
    while time.perf_counter() < deadline:
        i += 1
        t0 = time.perf_counter()
        try:
            status, _ = await conn.request(
                "GET", f"/api/v1/rank/tin?add=KAZ={offset + i}t&year=2024"
            )
        except NET_ERRORS:
            status = 0
        if status == 200:
            lat.append(time.perf_counter() - t0)
        else:
            errors += 1
        if (
            job is not None
            and i % 5 == 0
            and await job_status(conn, job)
            not in (
                "queued",
                "running",
            )
        ):
            break
        await asyncio.sleep(0.05)
    out = summary(name, lat, errors, time.perf_counter() - t_start, 1)
    if job is not None:
        out["heavy_status_at_end"] = await job_status(conn, job)
    conn.close()
    return out


def scenario_upload(draws: int) -> tuple[str, bytes]:
    spec = (REPO / "examples" / "scenarios" / "gallium-export-restriction.yaml").read_bytes()
    return multipart({"draws": str(draws), "seed": "1"}, {"spec": ("scenario.yaml", spec)})


def heavy_submitter(draws: int) -> tuple[str, Any]:
    """A coroutine factory submitting the heaviest run available; returns (label, factory)."""
    try:
        import critmin.scenarios  # noqa: F401

        ctype, body = scenario_upload(draws)
        label = f"scenario gallium-export-restriction.yaml, {draws:,} draws"
        url = "/api/v1/scenarios"
    except ImportError:
        spec = (REPO / "examples" / "projects" / "syrymbet-tin.yaml").read_bytes()
        ctype, body = multipart(
            {"draws": str(draws), "seed": "1"}, {"spec": ("project.yaml", spec)}
        )
        label = f"valuation syrymbet-tin.yaml, {draws:,} draws"
        url = "/api/v1/valuations"

    async def submit(conn: RawConn) -> str:
        status, data = await conn.request(
            "POST", url, {"X-API-Key": KEY, "Content-Type": ctype}, body
        )
        if status != 202:
            raise RuntimeError(f"submission answered {status}: {data[:200]!r}")
        return str(json.loads(data)["job_id"])

    return label, submit


def start_server(port: int, store_dir: str, read_workers: int | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CRITMIN_DB": str(Path(store_dir) / "critmin.duckdb"),
        "CRITMIN_API_KEYS": f"{KEY},{KEY}-b",
        "CRITMIN_API_RATE_PER_CLIENT": "0",  # one loopback client address makes all requests
        "CRITMIN_API_RATE_PER_KEY": "0",
        "CRITMIN_API_MAX_DRAWS": "200000",
        "CRITMIN_API_WORKERS": "1",
    }
    if read_workers is not None:
        env["CRITMIN_API_READ_WORKERS"] = str(read_workers)
    cmd = [
        sys.executable, "-m", "critmin.cli.main", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(cmd, env=env, cwd=REPO)


def http_get(url: str, timeout: float = 2) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        return int(r.status), r.read()


def wait_ready(base: str, timeout: float = 180) -> float:
    """Seconds until ``/api/v1/health`` answers and the read workers (if any) are ready."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            status, body = http_get(base + "/api/v1/health")
            pool = json.loads(body).get("read_pool") if status == 200 else None
            if status == 200 and (not pool or pool["ready"] >= pool["workers"]):
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def table(rows: list[dict[str, Any]]) -> str:
    head = "| phase | conc. | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['phase']} | {r['concurrency']} | {r['requests']} | {r['errors']} | "
            f"{r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['max_ms']:.1f} |"
        )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace, base: str) -> list[dict[str, Any]]:
    rows = []
    # warm the read cache (first computation of each URL) and time it
    cold = []
    conn = RawConn(*_hostport(base))
    for u in CACHED_MIX:
        t0 = time.perf_counter()
        status, _ = await conn.request("GET", u, timeout=120)
        cold.append((u, status, 1000 * (time.perf_counter() - t0)))
    conn.close()
    rows.append(await load(base, CACHED_MIX, args.seconds, args.concurrency, "cached read mix"))
    wrk = run_wrk(base, "/api/v1/production/gallium", args.seconds, args.concurrency)
    rows.append(
        await load(
            base,
            lambda i: f"/api/v1/rank/gallium?add=KAZ={i}t&year=2024",
            args.seconds,
            args.concurrency,
            "uncached rank what-ifs",
        )
    )
    rows.append(
        await reads_during(base, min(args.seconds, 10), None, "sequential reads, idle", 10_000)
    )
    label, submit = heavy_submitter(args.draws)
    t0 = time.perf_counter()
    during = await reads_during(
        base, args.heavy_seconds, submit, f"sequential reads during {label}", 50_000
    )
    during["heavy_label"] = label
    during["heavy_observed_s"] = time.perf_counter() - t0
    rows.append(during)
    rows.append({"cold": cold, "wrk": wrk})
    return rows


async def mixed_under_jobs(
    base: str,
    seconds: float,
    conc: int,
    draws: int,
    meter: Meter,
    uncached_every: int = 5,
    think: float = 0.0,
) -> list[dict[str, Any]]:
    """Issue 17's load test: ``conc`` clients on cached and uncached reads while heavy jobs run.

    Every ``uncached_every``-th request is uncached (a what-if quantity or a top-N never
    asked before); the rest cycle through :data:`CACHED_MIX` (warmed first). Two API keys
    keep a scenario of ``draws`` draws queued or running for the whole phase. Each client
    waits ``think`` seconds after each response (0: a closed loop with no think time).
    Latencies are reported separately for cached and uncached reads; any non-200 is an
    error. CPU use and load average over the phase come from ``meter``.
    """
    host, port = _hostport(base)
    lat: dict[str, list[float]] = {"cached": [], "uncached": []}
    errs: dict[str, dict[str, int]] = {"cached": {}, "uncached": {}}
    counter = 0
    jobs_done = 0
    warm = RawConn(host, port)
    for u in CACHED_MIX:
        await warm.request("GET", u, timeout=120)
    warm.close()
    ctype, body = scenario_upload(draws)
    deadline = time.perf_counter() + seconds

    async def jobs(key: str) -> None:
        nonlocal jobs_done
        conn = RawConn(host, port)
        while time.perf_counter() < deadline:
            try:
                status, data = await conn.request(
                    "POST", "/api/v1/scenarios", {"X-API-Key": key, "Content-Type": ctype}, body
                )
            except NET_ERRORS:
                status, data = 0, b""
            if status != 202:
                await asyncio.sleep(1)
                continue
            jid = json.loads(data)["job_id"]
            while time.perf_counter() < deadline:
                await asyncio.sleep(1)
                try:
                    st = await job_status(conn, jid, key)
                except NET_ERRORS:
                    continue
                if st not in ("queued", "running"):
                    jobs_done += st == "done"
                    break
        conn.close()

    async def worker(i: int) -> None:
        nonlocal counter
        conn = RawConn(host, port)
        while time.perf_counter() < deadline:
            counter += 1
            n = counter
            if n % uncached_every == 0:
                kind = "uncached"
                url = (
                    f"/api/v1/rank/gallium?add=KAZ={100_000 + n}t&year=2024"
                    if n % 2
                    else f"/api/v1/countries/Kazakhstan?top={1 + n % 50}"
                )
            else:
                kind, url = "cached", CACHED_MIX[(i + n) % len(CACHED_MIX)]
            t0 = time.perf_counter()
            try:
                status, _ = await conn.request("GET", url)
                code = str(status)
            except NET_ERRORS as exc:
                code = type(exc).__name__
            if code == "200":
                lat[kind].append(time.perf_counter() - t0)
            else:
                errs[kind][code] = errs[kind].get(code, 0) + 1
            if think:
                await asyncio.sleep(think)
        conn.close()

    a = meter.snap()
    t0 = time.perf_counter()
    await asyncio.gather(
        meter.sample_load(seconds),
        *(jobs(k) for k in (KEY, KEY + "-b")),
        *(worker(i) for i in range(conc)),
    )
    elapsed = time.perf_counter() - t0
    cpu = meter.report(a, meter.snap())
    out = []
    suffix = f", {think:g} s think time per client" if think else ""
    for kind in ("cached", "uncached"):
        row = summary(
            f"{kind} reads, mixed load while 2 keys run {draws:,}-draw scenarios{suffix}",
            lat[kind],
            sum(errs[kind].values()),
            elapsed,
            conc,
        )
        if errs[kind]:
            row["phase"] += f" (errors: {errs[kind]})"
        out.append(row)
    out[0]["jobs_done"] = jobs_done
    out[0]["cpu"] = cpu
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="duration of each load phase")
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument(
        "--heavy-seconds", type=float, default=60.0, help="max reading time during the run"
    )
    ap.add_argument("--write", type=Path, default=None, help="append results as markdown")
    ap.add_argument(
        "--mixed",
        type=float,
        default=0.0,
        help="only the mixed phase (issue 17) for this many seconds: cached and uncached "
        "reads at --concurrency while heavy jobs of two keys run",
    )
    ap.add_argument(
        "--think", type=float, default=0.0, help="mixed phase: seconds each client waits"
    )
    ap.add_argument(
        "--read-workers",
        type=int,
        default=None,
        help="CRITMIN_API_READ_WORKERS of the server (default: the server's default)",
    )
    args = ap.parse_args()
    if args.mixed:
        return mixed_main(args)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="critmin-bench-api-") as store_dir:
        proc = start_server(port, store_dir, args.read_workers)
        try:
            startup = wait_ready(base)
            rows = asyncio.run(main_async(args, base))
        finally:
            stop(proc)
    extra = rows.pop()
    cold, wrk = extra["cold"], extra["wrk"]
    text = table(rows)
    print(f"server ready after {startup:.1f} s (store created from the bundled files)")
    print("first (uncached) request of each URL:")
    for u, st, ms in cold:
        print(f"  {st} {ms:8.1f} ms  {u}")
    print(text)
    if wrk:
        print(wrk)
    heavy = rows[-1]
    print(
        f"heavy run: {heavy['heavy_label']}; status at end of reading: "
        f"{heavy.get('heavy_status_at_end')}; observed {heavy['heavy_observed_s']:.1f} s"
    )
    if args.write:
        date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
        cmd = "python bench/bench_api.py " + " ".join(sys.argv[1:])
        md = [
            f"\n## {date}\n",
            f"Command: `{cmd}`; machine: 2 cores (shared with other work); server and "
            "load client on the same machine, loopback only; client: `RawConn` "
            "(asyncio streams, HTTP/1.1 keep-alive) in bench/httpload.py.\n",
            f"Server ready after {startup:.1f} s (store created from the bundled files).\n",
            "First (uncached) request of each URL of the mix:\n",
            *[f"- {st} {ms:.0f} ms `{u}`" for u, st, ms in cold],
            "",
            text,
            "",
            f"Heavy run: {heavy['heavy_label']} in the worker pool (1 process); status when "
            f"the reader stopped: {heavy.get('heavy_status_at_end')}.\n",
        ]
        if wrk:
            md += ["wrk (C client, cached endpoint) against the same server:\n", "```", wrk, "```"]
        with args.write.open("a", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")
    return 0 if all(r["errors"] == 0 for r in rows) else 1


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def mixed_main(args: argparse.Namespace) -> int:
    """Run only :func:`mixed_under_jobs` and print (and optionally append) its table."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    draws = min(args.draws, 20_000)
    with tempfile.TemporaryDirectory(prefix="critmin-bench-api-") as store_dir:
        proc = start_server(port, store_dir, args.read_workers)
        try:
            startup = wait_ready(base)
            _, health = http_get(base + "/api/v1/health")
            pool = json.loads(health).get("read_pool")
            rows = asyncio.run(
                mixed_under_jobs(
                    base, args.mixed, args.concurrency, draws, Meter(proc.pid), think=args.think
                )
            )
        finally:
            stop(proc)
    text = table(rows)
    cpu = cpu_line(rows[0]["cpu"])
    where = (
        f"uncached reads in {pool['workers']} read worker processes"
        if pool
        else "uncached reads in threads of the server"
    )
    print(f"server ready after {startup:.1f} s; {where}; jobs finished: {rows[0]['jobs_done']}")
    print(text)
    print(cpu)
    if args.write:
        date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
        cmd = "python bench/bench_api.py " + " ".join(sys.argv[1:])
        loop = (
            f"each client waits {args.think:g} s after each response (NOT the issue's measure)"
            if args.think
            else "closed loop, no think time (the issue's measure)"
        )
        md = [
            f"\n## Mixed load while jobs run (issue 17), {date}\n",
            f"Command: `{cmd}`; machine: 2 cores (shared with other work); server and load "
            "client on the same machine, loopback only; client code: `mixed_under_jobs` on "
            "`RawConn` (asyncio streams, HTTP/1.1 keep-alive, one connection per client, "
            f"bench/httpload.py) in bench/bench_api.py; {loop}; {where}. One request in five is uncached (a what-if "
            "quantity never asked before, or a country top-N: its response is not cached, "
            "the country's profile is); two API keys keep a scenario run queued or running "
            f"throughout (scenario jobs finished: {rows[0]['jobs_done']}).\n",
            text,
            "",
            cpu + ".",
            "",
        ]
        with args.write.open("a", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")
    return 0 if all(r["errors"] == 0 for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
