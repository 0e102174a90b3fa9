"""Read worker processes: uncached reads computed outside the server's interpreter.

A thread of the server running pandas or DuckDB for an uncached read holds the GIL that
the event loop needs to answer cached reads, so under load every cached read waits
behind the computations. With the process executor (``Settings.executor``),
:class:`ReadPool` keeps ``Settings.read_workers`` spawned processes, each with its own
read-only connection to the store (:class:`MemoStore`: query results memoised, since
the store does not change while it is served). The event loop hands a picklable call
(``functools.partial`` of a function of :mod:`critmin.api.reads`) to an idle worker
and is woken by the worker's pipe (``loop.add_reader``): no thread, no lock, no GIL
held while a read computes. Calls beyond the pool size wait in FIFO order.

The workers share the lifecycle of the job processes (:mod:`critmin.api.lifecycle`):
spawned from the event loop's thread, with ``PR_SET_PDEATHSIG`` and a parent check,
``CRITMIN_API_SERVER_PID`` in their environment (so a stale one is reported at the next
start), and terminated, then killed, when the server shuts down. A worker that dies is
replaced; a call to it answers 503. A call running longer than ``timeout_s`` has its
worker killed and replaced and answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections import deque
from collections.abc import Callable
from typing import Any

from critmin.api.lifecycle import stop_process
from critmin.data.memo import MemoStore

__all__ = ["READ_NICE", "MemoStore", "PoolUnavailable", "ReadPool", "ReadWorkerError"]

log = logging.getLogger("critmin.api")

#: Niceness of a read worker: 0, as the server (reads are what clients wait for;
#: runs are the background work, see :data:`critmin.api.lifecycle.WORKER_NICE`).
READ_NICE = 0

#: Consecutive workers that may die before they are ready before the pool gives up
#: (reads then run in threads of the server, as with the thread executor).
_MAX_START_FAILURES = 3


class ReadWorkerError(RuntimeError):
    """An unexpected error inside a read worker (answered as a 500 with an id)."""


class PoolUnavailable(ReadWorkerError):
    """The pool cannot take the call (not started, closed, or its workers do not start);
    nothing was sent, so the caller may compute elsewhere (a thread of the server)."""


def _worker_main(conn: Any, parent: int) -> None:
    """Body of a read worker: open the store, then answer calls until the pipe closes."""
    from critmin.api.lifecycle import child_setup

    child_setup(parent, nice=READ_NICE)
    import traceback

    from starlette.exceptions import HTTPException

    from critmin.api import deps
    from critmin.errors import CritminError

    try:
        store = MemoStore(threads=1)  # one DuckDB thread each: the pool is the parallelism
        deps.set_base_store(store)
    except Exception as exc:
        conn.send(("dead", f"{type(exc).__name__}: {exc}"[:500]))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        fn, args = msg
        try:
            out: tuple[Any, ...] = ("ok", fn(*args))
        except HTTPException as exc:
            out = ("http", exc.status_code, str(exc.detail), dict(exc.headers or {}))
        except CritminError as exc:
            out = ("critmin", type(exc), str(exc))
        except Exception as exc:
            out = ("error", type(exc).__name__, traceback.format_exc(limit=-6)[-3000:])
        try:
            conn.send(out)
        except Exception as exc:  # a result that does not pickle
            conn.send(("error", type(exc).__name__, f"the result could not be sent: {exc}"[:500]))


class _Worker:
    def __init__(self, ctx: Any, parent: int) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main, args=(child, parent), daemon=True, name="critmin-read"
        )
        self.proc.start()
        child.close()
        self.ready = False
        self.future: asyncio.Future[tuple[Any, ...]] | None = None


class ReadPool:
    """A fixed number of read worker processes driven from the event loop.

    Parameters
    ----------
    size : int
        Worker processes (at most this many reads compute at once).
    timeout_s : float
        Longest a call may run before its worker is replaced and the call answers 503. [s]

    Notes
    -----
    :meth:`start` and every other method must be called on the event loop's thread;
    that thread lives as long as the server, so the kernel's parent-death signal (tied
    to the thread that spawned a child) fires only when the server ends.
    """

    def __init__(self, size: int, timeout_s: float = 300.0) -> None:
        self.size = size
        self.timeout_s = timeout_s
        self._workers: list[_Worker] = []
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ctx: Any = None
        self._closed = False
        self._start_failures = 0
        self.broken: str | None = None
        self.calls = 0
        self.replaced = 0

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Spawn the workers (they report ready on their own)."""
        import multiprocessing

        self._loop = asyncio.get_running_loop()
        self._ctx = multiprocessing.get_context("spawn")
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        assert self._loop is not None
        w = _Worker(self._ctx, os.getpid())
        self._workers.append(w)
        self._loop.add_reader(w.conn.fileno(), self._on_readable, w)

    @property
    def available(self) -> bool:
        """True while the pool can take calls (started, not closed, not broken)."""
        return self._loop is not None and not self._closed and self.broken is None

    def pids(self) -> list[int]:
        """Process ids of the workers."""
        return [int(w.proc.pid) for w in self._workers if w.proc.pid is not None]

    def describe(self) -> dict[str, Any]:
        """Size, ready workers, calls made, workers replaced, and why the pool is off."""
        return {
            "workers": self.size,
            "ready": sum(w.ready for w in self._workers),
            "calls": self.calls,
            "replaced": self.replaced,
            "broken": self.broken,
        }

    def close(self) -> None:
        """Stop every worker (terminate, then kill) and fail the calls still waiting."""
        self._closed = True
        for w in list(self._workers):
            self._drop(w, "the server is shutting down")
        self._fail_waiters("the server is shutting down")

    # ---------------------------------------------------------------- plumbing
    def _on_readable(self, w: _Worker) -> None:
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            self._lost(w, "the read worker process ended")
            return
        if msg[0] == "ready":
            w.ready = True
            self._start_failures = 0
            self._release(w)
            return
        if msg[0] == "dead":
            self._lost(w, f"the read worker could not open the store: {msg[1]}")
            return
        fut, w.future = w.future, None
        if fut is not None and not fut.done():
            fut.set_result(msg)
        self._release(w)

    def _drop(self, w: _Worker, why: str) -> None:
        assert self._loop is not None
        with contextlib.suppress(Exception):
            self._loop.remove_reader(w.conn.fileno())
        with contextlib.suppress(OSError):
            w.conn.close()
        stop_process(w.proc)
        if w in self._workers:
            self._workers.remove(w)
        if w in self._idle:
            self._idle.remove(w)
        fut, w.future = w.future, None
        if fut is not None and not fut.done():
            fut.set_result(("gone", why))

    def _lost(self, w: _Worker, why: str) -> None:
        """A worker died (or was stopped): fail its call, replace it."""
        was_ready = w.ready
        self._drop(w, why)
        if self._closed:
            return
        log.warning("read worker %s: %s; starting another", w.proc.pid, why)
        if not was_ready:
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                self.broken = why
                log.error("read workers do not start (%s); reads run in server threads", why)
                self._fail_waiters(why)
                return
        self.replaced += 1
        self._spawn()

    def _fail_waiters(self, why: str) -> None:
        while self._waiters:
            f = self._waiters.popleft()
            if not f.done():
                f.set_exception(PoolUnavailable(why))

    def _release(self, w: _Worker) -> None:
        while self._waiters:
            f = self._waiters.popleft()
            if not f.done():
                f.set_result(w)
                return
        self._idle.append(w)

    async def _acquire(self) -> _Worker:
        if self._idle:
            return self._idle.popleft()
        assert self._loop is not None
        fut: asyncio.Future[_Worker] = self._loop.create_future()
        self._waiters.append(fut)
        try:
            return await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self._release(fut.result())  # handed over just as the caller left
            raise

    # ---------------------------------------------------------------- calls
    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker; its result, or its error raised here.

        ``fn`` and ``args`` must pickle (a module-level function, plain values).
        :class:`~critmin.errors.CritminError` and HTTP errors come back as the same class
        and message; anything else as :class:`ReadWorkerError` (a 500).
        """
        from starlette.exceptions import HTTPException

        if not self.available:
            raise PoolUnavailable(self.broken or "the read pool is not running")
        w = await self._acquire()
        assert self._loop is not None
        fut: asyncio.Future[tuple[Any, ...]] = self._loop.create_future()
        w.future = fut
        try:
            w.conn.send((fn, args))
        except Exception:
            w.future = None
            self._release(w)
            raise
        self.calls += 1
        try:
            msg = await asyncio.wait_for(asyncio.shield(fut), self.timeout_s)
        except TimeoutError:
            self._lost(w, f"a read ran over {self.timeout_s:g} s and was stopped")
            raise HTTPException(
                503,
                f"the read took longer than {self.timeout_s:g} s and was stopped; "
                "retry later or narrow the request",
                headers={"Retry-After": "5"},
            ) from None
        kind = msg[0]
        if kind == "ok":
            return msg[1]
        if kind == "http":
            raise HTTPException(msg[1], msg[2], headers=msg[3] or None)
        if kind == "critmin":
            exc = msg[1].__new__(msg[1])
            Exception.__init__(exc, msg[2])
            raise exc
        if kind == "gone":
            raise HTTPException(503, f"{msg[1]}; retry", headers={"Retry-After": "1"})
        raise ReadWorkerError(f"{msg[1]} in a read worker: {msg[2]}")
