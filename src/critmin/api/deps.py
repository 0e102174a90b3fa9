"""Request-side plumbing: one DuckDB cursor per worker thread and a read cache.

FastAPI runs plain ``def`` endpoints in a thread pool. A DuckDB connection must
not be used by two threads at once, so each thread gets its own cursor on the
process-wide read-only store (:func:`thread_store`). The store does not change
while the server runs (it is opened read-only), so read responses are cached in
a bounded LRU (:class:`ReadCache`), keyed by endpoint and normalised parameters.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["ReadCache", "set_base_store", "thread_store"]

T = TypeVar("T")

_local = threading.local()

#: The store of this process when it is not the user's default one (a read worker's).
_BASE: Store | None = None


def set_base_store(store: Store | None) -> None:
    """Make ``store`` the one :func:`thread_store` hands out cursors of (None: the default)."""
    global _BASE
    _BASE = store


def thread_store() -> Store:
    """A :class:`~critmin.data.store.Store` whose connection is this thread's own cursor."""
    from critmin.data.store import get_store

    base = _BASE if _BASE is not None else get_store()
    cur = getattr(_local, "store", None)
    if cur is None or getattr(_local, "base", None) is not base:
        st = base.for_thread()
        _local.store = st
        _local.base = base
        cur = st
    return cur  # type: ignore[no-any-return]


class ReadCache:
    """A thread-safe LRU of computed read responses.

    Parameters
    ----------
    size : int
        Entries kept; 0 disables caching.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Event] = {}
        self._inflight: dict[Hashable, Any] = {}  # key -> asyncio.Future[bool] (aget)
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing (outside the lock) on a miss.

        Concurrent misses of one key compute once: the others wait for that result
        (single flight). Errors are not cached (each waiter then computes itself).
        """
        if self.size == 0:
            return compute()
        while True:
            with self._lock:
                if key in self._data:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return self._data[key]  # type: ignore[no-any-return]
                pending = self._pending.get(key)
                if pending is None:
                    self.misses += 1
                    self._pending[key] = threading.Event()
                    break
            pending.wait(300)
            with self._lock:
                if key not in self._data:  # the first computation failed: compute here
                    self.misses += 1
                    break
        try:
            value = compute()
            with self._lock:
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        finally:
            with self._lock:
                ev = self._pending.pop(key, None)
            if ev is not None:
                ev.set()
        return value

    async def aget(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """The cached value for ``key``, awaiting ``make()`` on a miss (event loop only).

        For computations that run outside the server's threads (a read worker process):
        concurrent misses of one key on the loop await one ``make()``; if it fails or its
        caller goes away, each waiter then makes its own. No lock is held while waiting.
        """
        import asyncio

        while True:
            hit = self.peek(key)
            if hit is not None:
                return hit  # type: ignore[no-any-return]
            pending = self._inflight.get(key)
            if pending is None:
                break
            if await asyncio.shield(pending):
                continue  # stored by the first maker: read it (or make it, if evicted)
            self.misses += 1
            return await make()
        done = asyncio.get_running_loop().create_future()
        self._inflight[key] = done
        self.misses += 1
        ok = False
        try:
            value = await make()
            if self.size:
                with self._lock:
                    self._data[key] = value
                    self._data.move_to_end(key)
                    while len(self._data) > self.size:
                        self._data.popitem(last=False)
            ok = True
            return value
        finally:
            self._inflight.pop(key, None)
            done.set_result(ok and self.size > 0)

    def peek(self, key: Hashable) -> Any:
        """The cached value for ``key`` or ``None`` (counts as a hit when found)."""
        if self.size == 0:
            return None
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        return None

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._data.clear()
