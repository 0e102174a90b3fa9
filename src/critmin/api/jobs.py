"""Heavy runs off the request path: a supervised queue of jobs with per-key fairness.

A job is ``queued``, ``running``, ``done``, ``failed`` or ``cancelled``. The
:class:`JobManager` keeps one queue per API key and starts the next job round-robin
over the keys that have one waiting, so a key with many large runs cannot hold back
another key's small one. At most ``Settings.workers`` jobs run at once.

Backends (``Settings.executor``):

* ``process`` (default): each job runs in its own spawned child process of the server
  (:mod:`critmin.api.lifecycle` ties it to the server, so it ends with it on any
  signal). Cancelling or the wall-time limit terminates that process.
* ``thread``: a thread of the server (tests); a running thread cannot be stopped, so
  cancel and the wall-time limit mark the job and drop its result when it comes.
* Dask, when ``Settings.dask_scheduler`` is set: submitted to the scheduler.

Before a job is queued its memory is estimated from draws x periods
(:func:`estimate_bytes`) and refused (422) over ``Settings.job_memory_bytes`` or over
what the machine has (:func:`critmin._memory.check_memory`). Job ids are random
(``secrets.token_urlsafe``) and a job is visible only to the key that submitted it.
"""

from __future__ import annotations

import builtins
import contextlib
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from critmin.api.lifecycle import stop_process
from critmin.api.settings import Settings
from critmin.api.tasks import TaskError

__all__ = ["ARRAYS_PER_DRAW_PERIOD", "Job", "JobManager", "estimate_bytes", "result_of"]

#: float64 arrays of draws x periods a Monte Carlo run holds at its peak. Assumption
#: derived from a measurement (issue 17): 40,000 draws x 600 periods used 2.24 GB per
#: worker, i.e. 2.24e9 / (8 x 40,000 x 600) = 11.7 arrays; rounded up to 12.
ARRAYS_PER_DRAW_PERIOD = 12

STATES = ("queued", "running", "done", "failed", "cancelled")


def estimate_bytes(draws: int, periods: int) -> int:
    """Estimated peak memory of a run. [bytes]

    Notes
    -----
    :math:`B = 8 \\cdot a \\cdot d \\cdot p` with :math:`a` = :data:`ARRAYS_PER_DRAW_PERIOD`,
    :math:`d` draws and :math:`p` periods.
    """
    from critmin._memory import float_arrays_bytes

    return float_arrays_bytes(max(draws, 1), max(periods, 1), arrays=ARRAYS_PER_DRAW_PERIOD)


@dataclass
class Job:
    """One submitted run.

    Attributes
    ----------
    id : str
        Random job id.
    kind : str
        ``valuation``, ``scenario``.
    key_id : str
        Hash prefix of the submitting key.
    submitted : float
        Unix time. [s]
    params : dict
        What was asked (for the status document; never file contents).
    state : str
        One of ``queued``, ``running``, ``done``, ``failed``, ``cancelled``.
    """

    id: str
    kind: str
    key_id: str
    submitted: float
    params: dict[str, Any]
    fn: Callable[..., Any] = field(repr=False)
    args: tuple[Any, ...] = field(repr=False)
    state: str = "queued"
    started: float | None = None
    finished: float | None = None
    result: Any = field(default=None, repr=False)
    failure: tuple[int, str] | None = None
    handle: Any = field(default=None, repr=False)
    position: int | None = None
    t0: float = 0.0

    def status(self) -> str:
        """The state of the job."""
        return self.state

    def error(self) -> tuple[int, str] | None:
        """``(http_status, one-line message)`` of a failed or cancelled job."""
        if self.state == "cancelled":
            return 409, "the job was cancelled"
        return self.failure if self.state == "failed" else None

    def describe(self) -> dict[str, Any]:
        """The status document (no result)."""
        d: dict[str, Any] = {
            "job_id": self.id,
            "kind": self.kind,
            "status": self.state,
            "queue_position": self.position if self.state == "queued" else None,
            "submitted": _iso(self.submitted),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "params": self.params,
            "result_url": f"/api/v1/jobs/{self.id}/result",
        }
        err = self.error()
        d["error"] = err[1] if err else None
        if self.finished is not None:
            d["elapsed_s"] = round(self.finished - self.submitted, 3)
        return d


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _child_main(conn: Any, parent: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """Body of a job's child process: run, send the outcome down the pipe."""
    from critmin.api.lifecycle import child_setup

    child_setup(parent)
    try:
        conn.send(("ok", fn(*args)))
    except TaskError as exc:
        conn.send(("err", exc.status, exc.message))
    except MemoryError:
        conn.send(("err", 507, "the run ran out of memory; lower draws or the horizon"))
    except BaseException as exc:
        conn.send(("err", 500, f"the run failed ({type(exc).__name__})"))
    finally:
        conn.close()


class _ProcessRun:
    """One job in its own spawned child process."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        import multiprocessing
        import os

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(
            target=_child_main, args=(child, os.getpid(), fn, args), daemon=True
        )
        self.proc.start()
        child.close()
        self.outcome: tuple[Any, ...] | None = None

    def poll(self) -> tuple[Any, ...] | None:
        if self.outcome is None and self.conn.poll():
            try:
                self.outcome = self.conn.recv()
            except (EOFError, OSError):
                self.outcome = ("err", 500, "the run's worker process died")
        if self.outcome is None and not self.proc.is_alive() and not self.conn.poll():
            code = self.proc.exitcode
            self.outcome = ("err", 500, f"the run's worker process ended (exit code {code})")
        if self.outcome is not None:
            self.proc.join(timeout=5)
        return self.outcome

    def stop(self) -> None:
        stop_process(self.proc)
        with contextlib.suppress(OSError):
            self.conn.close()


class _ThreadRun:
    """One job in a daemon thread (cannot be stopped; its result is dropped when stopped)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.outcome: tuple[Any, ...] | None = None

        def run() -> None:
            try:
                out: tuple[Any, ...] = ("ok", fn(*args))
            except TaskError as exc:
                out = ("err", exc.status, exc.message)
            except BaseException as exc:
                out = ("err", 500, f"the run failed ({type(exc).__name__})")
            self.outcome = out

        threading.Thread(target=run, daemon=True, name="critmin-run").start()

    def poll(self) -> tuple[Any, ...] | None:
        return self.outcome

    def stop(self) -> None:
        pass


class _DaskRun:
    """One job on a Dask scheduler."""

    def __init__(self, client: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fut = client.submit(fn, *args, pure=False)

    def poll(self) -> tuple[Any, ...] | None:
        if not self.fut.done():
            return None
        try:
            return ("ok", self.fut.result())
        except TaskError as exc:
            return ("err", exc.status, exc.message)
        except BaseException as exc:
            return ("err", 500, f"the run failed ({type(exc).__name__})")

    def stop(self) -> None:
        self.fut.cancel()


class JobManager:
    """Queue runs per key, start them round-robin, supervise and time them out.

    Parameters
    ----------
    settings : Settings
        ``workers``, ``executor``, ``dask_scheduler``, ``max_runs_per_key``,
        ``max_jobs_kept``, ``job_timeout_s``, ``job_memory_bytes``.
    """

    def __init__(self, settings: Settings, tick: float = 0.05) -> None:
        self.settings = settings
        self.tick = tick
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queues: OrderedDict[str, deque[Job]] = OrderedDict()
        self._running: list[Job] = []
        self._served: dict[str, int] = {}
        self._turn = 0
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._dask: Any = None

    @property
    def backend(self) -> str:
        """``dask``, ``process`` or ``thread``."""
        return "dask" if self.settings.dask_scheduler else self.settings.executor

    # ------------------------------------------------------------ submission
    def active(self, key_id: str) -> int:
        """Jobs of a key that are queued or running."""
        return sum(1 for j in self._jobs.values() if j.key_id == key_id and j.state in STATES[:2])

    def check_budget(self, draws: int, periods: int, what: str) -> None:
        """Refuse (422) a run whose estimated memory is over the job budget or the machine.

        Raises
        ------
        critmin.errors.ResourceLimitError
            With the estimate, the budget and how to lower it.
        """
        from critmin._memory import check_memory
        from critmin.errors import ResourceLimitError

        need = estimate_bytes(draws, periods)
        hint = "lower draws or the horizon"
        if need > self.settings.job_memory_bytes:
            raise ResourceLimitError(
                f"{what} ({draws:,} draws x {periods:,} periods) needs about "
                f"{need / 2**30:,.2f} GiB, over this server's job budget of "
                f"{self.settings.job_memory_bytes / 2**30:,.2f} GiB; {hint}"
            )
        check_memory(need, f"{what} ({draws:,} draws x {periods:,} periods)", hint)

    def submit(
        self,
        kind: str,
        key_id: str,
        fn: Callable[..., Any],
        *args: Any,
        params: dict[str, Any] | None = None,
    ) -> Job:
        """Queue ``fn(*args)`` for ``key_id``.

        Raises
        ------
        fastapi.HTTPException
            429 when the key already has ``max_runs_per_key`` jobs queued or running.
        """
        with self._lock:
            n = self.active(key_id)
            if n >= self.settings.max_runs_per_key:
                raise HTTPException(
                    status_code=429,
                    detail=(
                        f"too many runs in progress for this key ({n}; limit "
                        f"{self.settings.max_runs_per_key}); poll /api/v1/jobs and retry later"
                    ),
                    headers={"Retry-After": "5"},
                )
            job = Job(
                id=secrets.token_urlsafe(16),
                kind=kind,
                key_id=key_id,
                submitted=time.time(),
                params=params or {},
                fn=fn,
                args=args,
            )
            self._jobs[job.id] = job
            self._queues.setdefault(key_id, deque()).append(job)
            self._forget_old()
            self._positions()
            self._ensure_thread()
        self._wake.set()  # the supervisor thread starts it (see _dispatch)
        return job

    def cancel(self, job_id: str, key_id: str) -> Job:
        """Cancel a queued or running job of this key (a finished one is left as it is)."""
        with self._lock:
            job = self.get(job_id, key_id)
            if job.state == "queued":
                q = self._queues.get(key_id)
                if q is not None and job in q:
                    q.remove(job)
                self._finish(job, "cancelled")
            elif job.state == "running":
                if job.handle is not None:
                    job.handle.stop()
                if job in self._running:
                    self._running.remove(job)
                self._finish(job, "cancelled")
            self._positions()
        self._wake.set()
        return job

    # ------------------------------------------------------------ scheduling
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop = False
            self._thread = threading.Thread(
                target=self._loop, daemon=True, name="critmin-job-supervisor"
            )
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop:
            self._wake.wait(self.tick)
            self._wake.clear()
            with self._lock:
                if self._stop:
                    return
                self._supervise()
                self._dispatch()

    def _finish(self, job: Job, state: str, failure: tuple[int, str] | None = None) -> None:
        job.state = state
        job.failure = failure
        job.finished = time.time()
        job.handle = None
        job.fn = _done
        job.args = ()

    def _supervise(self) -> None:
        now = time.monotonic()
        for job in list(self._running):
            out = job.handle.poll() if job.handle is not None else None
            if out is not None:
                self._running.remove(job)
                if out[0] == "ok":
                    job.result = out[1]
                    self._finish(job, "done")
                else:
                    self._finish(job, "failed", (int(out[1]), str(out[2])))
            elif now - job.t0 > self.settings.job_timeout_s:
                job.handle.stop()
                self._running.remove(job)
                self._finish(
                    job,
                    "failed",
                    (
                        504,
                        f"the run passed this server's wall-time limit of "
                        f"{self.settings.job_timeout_s:g} s and was stopped",
                    ),
                )

    def _order(self) -> list[str]:
        """Keys with queued jobs, least recently served first (never served: first)."""
        keys = [k for k, q in self._queues.items() if q]
        return sorted(keys, key=lambda k: (self._served.get(k, -1), self._queues[k][0].submitted))

    def _next(self) -> Job | None:
        """The head of the queue of the least recently served key (round-robin)."""
        order = self._order()
        if not order:
            return None
        self._turn += 1
        self._served[order[0]] = self._turn
        return self._queues[order[0]].popleft()

    def _start(self, job: Job) -> None:
        if self.settings.dask_scheduler:
            if self._dask is None:
                from distributed import Client

                self._dask = Client(self.settings.dask_scheduler, set_as_default=False)
            job.handle = _DaskRun(self._dask, job.fn, job.args)
        elif self.settings.executor == "process":
            job.handle = _ProcessRun(job.fn, job.args)
        else:
            job.handle = _ThreadRun(job.fn, job.args)

    def _dispatch(self) -> None:
        """Start queued jobs while fewer than ``workers`` run.

        Called only from the supervisor thread: Linux sends a child its parent-death
        signal when the *thread* that started it ends, and this thread lives as long
        as the manager.
        """
        while len(self._running) < self.settings.workers:
            job = self._next()
            if job is None:
                break
            job.state = "running"
            job.started = time.time()
            job.t0 = time.monotonic()
            try:
                self._start(job)
            except Exception as exc:
                self._finish(
                    job, "failed", (503, f"could not start the run ({type(exc).__name__})")
                )
                continue
            self._running.append(job)
        self._positions()

    def _positions(self) -> None:
        """1-based place of each queued job in the order the round-robin will start them."""
        queues = [list(self._queues[k]) for k in self._order()]
        pos = 1
        depth = max((len(q) for q in queues), default=0)
        for i in range(depth):
            for q in queues:
                if i < len(q):
                    q[i].position = pos
                    pos += 1

    def _forget_old(self) -> None:
        extra = len(self._jobs) - self.settings.max_jobs_kept
        if extra <= 0:
            return
        done = [j.id for j in self._jobs.values() if j.state in STATES[2:]]
        for jid in done[:extra]:
            del self._jobs[jid]

    # ------------------------------------------------------------ reading
    def get(self, job_id: str, key_id: str) -> Job:
        """A job of this key.

        Raises
        ------
        fastapi.HTTPException
            404 when there is no such job for this key.
        """
        with self._lock:
            self._supervise()
            job = self._jobs.get(job_id)
            if job is None or job.key_id != key_id:
                raise HTTPException(status_code=404, detail=f"no job {job_id!r} for this key")
            return job

    def list(self, key_id: str) -> list[Job]:
        """The jobs of a key, oldest first."""
        with self._lock:
            self._supervise()
            return [j for j in self._jobs.values() if j.key_id == key_id]

    def worker_pids(self) -> builtins.list[int]:
        """Process ids of the running job processes (process backend)."""
        with self._lock:
            return [
                int(j.handle.proc.pid)
                for j in self._running
                if isinstance(j.handle, _ProcessRun) and j.handle.proc.pid is not None
            ]

    def shutdown(self) -> None:
        """Stop the supervisor, cancel queued jobs and stop running ones (processes end)."""
        self._stop = True
        self._wake.set()
        with self._lock:
            for q in self._queues.values():
                for job in q:
                    self._finish(job, "cancelled")
                q.clear()
            for job in self._running:
                if job.handle is not None:
                    job.handle.stop()
                self._finish(job, "cancelled")
            self._running.clear()
            if self._dask is not None:
                with contextlib.suppress(Exception):
                    self._dask.close()
                self._dask = None


def _done(*_args: Any) -> None:
    """Placeholder for the function of a finished job (its arguments are released)."""


def result_of(job: Job) -> Any:
    """The result of a finished job."""
    return job.result
