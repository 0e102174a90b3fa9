"""Heavy runs off the request path: a worker pool, job records and per-key limits.

Runs go to a :class:`concurrent.futures.ProcessPoolExecutor` (spawned workers, so
a run never holds the server's GIL and reads stay fast), a thread pool, or a Dask
scheduler when ``Settings.dask_scheduler`` is set. The task functions live in
:mod:`critmin.api.tasks`; they take and return plain picklable data.

A job is ``queued``, ``running``, ``done`` or ``failed``. Job ids are random
(``secrets.token_urlsafe``) and a job is visible only to the key that submitted it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from concurrent.futures.thread import BrokenThreadPool
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from critmin.api.settings import Settings
from critmin.api.tasks import TaskError

__all__ = ["Job", "JobManager", "result_of"]

BrokenExecutor = (BrokenProcessPool, BrokenThreadPool)


@dataclass
class Job:
    """One submitted run.

    Attributes
    ----------
    id : str
        Random job id.
    kind : str
        ``valuation``, ...
    key_id : str
        Hash prefix of the submitting key.
    submitted : float
        Unix time. [s]
    params : dict
        What was asked (for the status document; never file contents).
    """

    id: str
    kind: str
    key_id: str
    submitted: float
    params: dict[str, Any]
    future: Any = field(repr=False)
    finished: float | None = None
    started: float | None = None

    def status(self) -> str:
        """``queued``, ``running``, ``done`` or ``failed``."""
        f = self.future
        if f.done():
            if self.finished is None:
                self.finished = time.time()
            try:
                exc = f.exception()
            except BaseException:  # cancelled
                return "failed"
            return "failed" if exc is not None else "done"
        running = f.running() if hasattr(f, "running") else getattr(f, "status", "") == "pending"
        if running and self.started is None:
            self.started = time.time()
        return "running" if running else "queued"

    def error(self) -> tuple[int, str] | None:
        """``(http_status, one-line message)`` of a failed job."""
        if not self.future.done():
            return None
        try:
            exc = self.future.exception()
        except BaseException:
            return 500, "the run was cancelled"
        if exc is None:
            return None
        if isinstance(exc, TaskError):
            return exc.status, exc.message
        return 500, f"the run failed ({type(exc).__name__})"

    def describe(self) -> dict[str, Any]:
        """The status document (no result)."""
        st = self.status()
        d: dict[str, Any] = {
            "job_id": self.id,
            "kind": self.kind,
            "status": st,
            "submitted": _iso(self.submitted),
            "finished": _iso(self.finished) if self.finished else None,
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


class _DaskExecutor:
    """A ``submit``/``shutdown`` facade over a ``distributed.Client``."""

    def __init__(self, address: str) -> None:
        from distributed import Client

        self.client = Client(address, set_as_default=False)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.client.close()


class JobManager:
    """Submit runs to the pool and keep their records.

    Parameters
    ----------
    settings : Settings
        ``workers``, ``executor``, ``dask_scheduler``, ``max_runs_per_key``,
        ``max_jobs_kept``.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._executor: Executor | _DaskExecutor | None = None

    @property
    def backend(self) -> str:
        """``dask``, ``process`` or ``thread``."""
        return "dask" if self.settings.dask_scheduler else self.settings.executor

    def _pool(self) -> Executor | _DaskExecutor:
        if self._executor is None:
            if self.settings.dask_scheduler:
                self._executor = _DaskExecutor(self.settings.dask_scheduler)
            elif self.settings.executor == "process":
                import multiprocessing

                self._executor = ProcessPoolExecutor(
                    max_workers=self.settings.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                )
            else:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.settings.workers, thread_name_prefix="critmin-run"
                )
        return self._executor

    def active(self, key_id: str) -> int:
        """Jobs of a key that are queued or running."""
        return sum(1 for j in self._jobs.values() if j.key_id == key_id and not j.future.done())

    def submit(
        self,
        kind: str,
        key_id: str,
        fn: Callable[..., Any],
        *args: Any,
        params: dict[str, Any] | None = None,
    ) -> Job:
        """Queue ``fn(*args)``.

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
            try:
                fut = self._pool().submit(fn, *args)
            except BrokenExecutor:  # a worker died: start a fresh pool once
                self.shutdown()
                fut = self._pool().submit(fn, *args)
            job = Job(
                id=secrets.token_urlsafe(16),
                kind=kind,
                key_id=key_id,
                submitted=time.time(),
                params=params or {},
                future=fut,
            )
            self._jobs[job.id] = job
            self._forget_old()
            return job

    def _forget_old(self) -> None:
        extra = len(self._jobs) - self.settings.max_jobs_kept
        if extra <= 0:
            return
        for jid in [j.id for j in self._jobs.values() if j.future.done()][:extra]:
            del self._jobs[jid]

    def get(self, job_id: str, key_id: str) -> Job:
        """A job of this key.

        Raises
        ------
        fastapi.HTTPException
            404 when there is no such job for this key.
        """
        job = self._jobs.get(job_id)
        if job is None or job.key_id != key_id:
            raise HTTPException(status_code=404, detail=f"no job {job_id!r} for this key")
        return job

    def list(self, key_id: str) -> list[Job]:
        """The jobs of a key, oldest first."""
        return [j for j in self._jobs.values() if j.key_id == key_id]

    def shutdown(self) -> None:
        """Stop the pool, cancelling queued runs."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def result_of(job: Job) -> Any:
    """The result of a finished job (raises for a failed one via :meth:`Job.error`)."""
    fut: Future[Any] = job.future
    return fut.result()
