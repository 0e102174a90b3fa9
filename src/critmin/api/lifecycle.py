"""Worker processes that end with the server, and a check for stale ones of an earlier run.

Every run of the process backend is a child process of the server (spawned, so it
shares nothing with the server but the pipe its result comes back on). Three things
make sure none outlives the server:

* the child asks the Linux kernel to send it ``SIGKILL`` when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``), which covers ``kill -9`` of the server;
* a daemon thread in the child checks once a second that its parent is still the
  server (covers systems without ``prctl`` and the race before it was set);
* on a normal shutdown (``SIGTERM``, Ctrl-C) the job manager terminates, then kills,
  every child it started and waits for it.

Each server exports ``CRITMIN_API_SERVER_PID`` into its environment, which its
children inherit. :func:`stale_workers` lists processes of this user whose environment
names a server that is no longer alive: workers of an earlier run that escaped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

__all__ = [
    "SERVER_ENV",
    "WORKER_NICE",
    "child_setup",
    "mark_server",
    "stale_workers",
    "stop_process",
]

#: Environment variable naming the server process a worker belongs to.
SERVER_ENV = "CRITMIN_API_SERVER_PID"

_PR_SET_PDEATHSIG = 1


def mark_server() -> int:
    """Export this process's id as :data:`SERVER_ENV` (inherited by workers); returns it."""
    pid = os.getpid()
    os.environ[SERVER_ENV] = str(pid)
    return pid


def _pdeathsig() -> bool:
    """Ask the kernel for ``SIGKILL`` when the parent dies (Linux only); True when set."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, interval: float) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(70)
        time.sleep(interval)


#: Scheduling niceness added to a worker: runs are background work, reads come first.
WORKER_NICE = 10


def child_setup(parent: int, interval: float = 1.0, nice: int = WORKER_NICE) -> None:
    """Tie this (worker) process to ``parent``: exit at once if it is gone or when it goes.

    Parameters
    ----------
    parent : int
        Process id of the server.
    interval : float
        Seconds between checks of the parent. [s]
    nice : int
        Niceness added to the worker (lower CPU priority than the server).
    """
    _pdeathsig()
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    if os.getppid() != parent:
        os._exit(70)
    threading.Thread(
        target=_watch_parent, args=(parent, interval), daemon=True, name="critmin-parent-watch"
    ).start()


def stop_process(proc: Any, grace: float = 3.0) -> None:
    """End a child process: terminate, wait ``grace`` [s], then kill and wait again.

    Parameters
    ----------
    proc : multiprocessing.Process
        The child (a job or a read worker); a finished one is only joined.
    grace : float
        Seconds it gets to exit after SIGTERM, and again after SIGKILL. [s]
    """
    if proc.is_alive():
        proc.terminate()
        proc.join(timeout=grace)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=grace)
    else:
        proc.join(timeout=1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_workers(proc: str | Path = "/proc") -> list[dict[str, Any]]:
    """Processes of this user left by a server that is no longer running.

    Parameters
    ----------
    proc : str or pathlib.Path
        The proc file system (a test may point elsewhere).

    Returns
    -------
    list of dict
        ``pid``, ``server_pid`` and ``command`` (first 120 characters) of each process whose
        environment has :data:`SERVER_ENV` naming a process that is gone. Empty where
        ``/proc`` is not readable.
    """
    me = os.getpid()
    key = SERVER_ENV.encode() + b"="
    out: list[dict[str, Any]] = []
    root = Path(proc)
    if not root.is_dir():
        return out
    for d in root.iterdir():
        if not d.name.isdigit() or int(d.name) == me:
            continue
        try:
            env = (d / "environ").read_bytes()
        except OSError:
            continue
        for item in env.split(b"\0"):
            if item.startswith(key):
                try:
                    server = int(item[len(key) :])
                except ValueError:
                    break
                if server != me and server != int(d.name) and not _alive(server):
                    cmd = b""
                    with contextlib.suppress(OSError):
                        cmd = (d / "cmdline").read_bytes()
                    text = " ".join(cmd.decode("utf-8", "replace").split("\0")).strip()
                    out.append({"pid": int(d.name), "server_pid": server, "command": text[:120]})
                break
    return sorted(out, key=lambda r: int(r["pid"]))
