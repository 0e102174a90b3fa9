"""Process lifecycle of ``critmin serve``: no worker outlives the server, the store is freed.

Each test starts a real server (``critmin serve``, process backend) on the session store,
submits a scenario run large enough to be running when the server is signalled (its two
read worker processes have answered a read by then), sends
``SIGTERM`` or ``SIGKILL`` to the server alone (not its process group), and then checks
that no process carrying the server's id in its environment is left and that the store
opens for writing (what ``critmin data import`` needs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from api_testkit import API_KEY

from critmin.api.lifecycle import SERVER_ENV, stale_workers

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "examples" / "scenarios" / "gallium-export-restriction.yaml"

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")


def _processes_of(server_pid: int) -> list[int]:
    """Processes whose environment names ``server_pid`` as their server (not the server)."""
    key = f"{SERVER_ENV}={server_pid}".encode()
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == server_pid:
            continue
        try:
            env = (d / "environ").read_bytes()
        except OSError:
            continue
        if key in env.split(b"\0"):
            try:  # a zombie waiting for its parent is gone for our purposes
                state = (d / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z":
                out.append(int(d.name))
    return out


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, key: str | None = None) -> Any:
    req = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _submit_scenario(base: str, draws: int) -> dict[str, Any]:
    boundary = "critminboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="spec"; '
            'filename="s.yaml"\r\nContent-Type: application/x-yaml\r\n\r\n'
        ).encode()
        + SCENARIO.read_bytes()
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="draws"\r\n\r\n'
            f"{draws}\r\n--{boundary}--\r\n"
        ).encode()
    )
    req = urllib.request.Request(
        f"{base}/api/v1/scenarios",
        data=body,
        headers={
            "X-API-Key": API_KEY,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return dict(json.loads(r.read()))


def _start_server(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "CRITMIN_API_KEYS": API_KEY,
        "CRITMIN_API_EXECUTOR": "process",
        "CRITMIN_API_WORKERS": "1",
        "CRITMIN_API_READ_WORKERS": "2",
        "CRITMIN_API_MAX_DRAWS": "400000",
        "CRITMIN_API_JOB_MEMORY_BYTES": str(4 * 1024**3),
    }
    env.pop(SERVER_ENV, None)
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "critmin"),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
        try:
            _get(f"{base}/api/v1/health")
            return proc, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    proc.kill()
    pytest.fail("server did not start in 120 s")


def _wait(cond: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return bool(cond())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_no_worker_outlives_the_server(tmp_path: Path, sig: signal.Signals) -> None:
    proc, base = _start_server(tmp_path)
    try:
        job = _submit_scenario(base, 400_000)
        jid = job["job_id"]
        assert _wait(lambda: _get(f"{base}/api/v1/jobs/{jid}", API_KEY)["status"] == "running", 30)
        # the run's process and the two read workers (uncached reads), at least
        assert _wait(lambda: len(_processes_of(proc.pid)) >= 3, 30), "worker processes missing"
        assert _get(f"{base}/api/v1/rank/tin?add=KAZ=7t")[0]["rank"] is not None  # a read ran
        workers = _processes_of(proc.pid)
        assert _get(f"{base}/api/v1/jobs/{jid}", API_KEY)["status"] == "running"
        os.kill(proc.pid, sig)  # the server alone, as `kill` would
        proc.wait(timeout=30)
        assert _wait(lambda: not _processes_of(proc.pid), 15), (
            f"left after {sig.name}: {_processes_of(proc.pid)} (workers were {workers})"
        )
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for pid in _processes_of(proc.pid):  # never leave one behind, even on failure
            os.kill(pid, signal.SIGKILL)
    from critmin.data.store import Store, default_path, reset_store

    reset_store()  # this test process's own read-only handle must not count
    st = Store(default_path(), read_only=False)  # what `critmin data import` opens
    st.close()


def test_stale_worker_is_reported(tmp_path: Path) -> None:
    """A process whose environment names a server that is gone is listed, with a hint."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    env = {**os.environ, SERVER_ENV: str(gone.pid)}
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    try:
        assert _wait(lambda: any(w["pid"] == orphan.pid for w in stale_workers()), 10)
        row = next(w for w in stale_workers() if w["pid"] == orphan.pid)
        assert row["server_pid"] == gone.pid and "python" in row["command"]
    finally:
        orphan.kill()
        orphan.wait()
    assert all(w["pid"] != orphan.pid for w in stale_workers())
