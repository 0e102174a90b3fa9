"""A store that answers a repeated query from memory: one implementation for every caller.

Two callers read the same questions many times while the data cannot change:

- a claims check (every claim about gallium reads gallium's registry row, its table flags
  and its table once per edition): :func:`memo_view` wraps the open store for the length
  of the check, sharing its connection;
- a read worker of ``critmin serve`` (the store is opened read-only and cannot change
  while it is served): :class:`MemoStore` opens its own read-only connection.

Results of :meth:`~MemoStore.records`, :meth:`~MemoStore.sql`,
:meth:`~MemoStore.country_names` and :meth:`~MemoStore.resolve_iso3` are kept in an LRU of
``max_entries`` queries (results over ``max_rows`` rows are not kept) and handed out as
copies, so a caller that changes its frame or rows does not change what the next caller
sees. A query with a parameter that cannot be hashed is not memoised. Use a memoised store
only for reads, and only from one thread at a time.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from critmin.data.store import Store

__all__ = ["MemoStore", "memo_view"]


class MemoStore(Store):
    """A read-only :class:`~critmin.data.store.Store` that memoises query results.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Database file (default: the user's store), opened read-only.
    max_entries : int
        Queries remembered.
    max_rows : int
        Largest result remembered. [rows]
    threads : int, optional
        DuckDB worker threads of this connection (a pool of processes may want 1 each).
    """

    _memo: OrderedDict[Hashable, Any]
    _max_entries: int
    _max_rows: int
    memo_hits: int

    def __init__(
        self,
        path: Any = None,
        max_entries: int = 4096,
        max_rows: int = 50_000,
        threads: int | None = None,
    ) -> None:
        super().__init__(path, read_only=True)
        self._init_memo(max_entries, max_rows)
        if threads is not None:
            self.con.execute(f"SET threads TO {int(threads)}")

    def _init_memo(self, max_entries: int, max_rows: int) -> None:
        self._memo = OrderedDict()
        self._max_entries = max_entries
        self._max_rows = max_rows
        self.memo_hits = 0

    def _remember(self, kind: str, query: str, params: Any, run: Callable[[], Any]) -> Any:
        try:
            key: Hashable = (kind, query, _freeze(params))
            hash(key)
        except TypeError:
            return run()
        if key in self._memo:
            self._memo.move_to_end(key)
            self.memo_hits += 1
            return self._memo[key]
        value = run()
        if not hasattr(value, "__len__") or len(value) <= self._max_rows:
            self._memo[key] = value
            while len(self._memo) > self._max_entries:
                self._memo.popitem(last=False)
        return value

    def records(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a query as dicts (a copy of the memoised rows)."""
        rows = self._remember("r", query, params, lambda: Store.records(self, query, params))
        return [dict(r) for r in rows]

    def sql(self, query: str, params: list[Any] | None = None) -> Any:
        """A query as a DataFrame (a copy of the memoised one)."""
        return self._remember("s", query, params, lambda: Store.sql(self, query, params)).copy()

    def country_names(self, codes: list[str]) -> dict[str, str]:
        """Display names of ISO3 codes (memoised)."""
        names = self._remember("n", "", list(codes), lambda: Store.country_names(self, codes))
        return dict(names)

    def resolve_iso3(self, text: str) -> str | None:
        """ISO3 code of a code or country name (memoised)."""
        code = self._remember("i", "", [text], lambda: Store.resolve_iso3(self, text))
        return None if code is None else str(code)


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def memo_view(store: Store, max_entries: int = 4096, max_rows: int = 50_000) -> Store:
    """``store`` with repeated reads answered from memory (same connection, same data).

    Parameters
    ----------
    store : Store
        An open store; it is not changed.
    max_entries, max_rows : int
        As for :class:`MemoStore`.

    Returns
    -------
    Store
        A shallow copy of ``store`` that is a :class:`MemoStore` on the same connection;
        ``store`` itself when it is a subclass of :class:`Store` (a :class:`MemoStore`
        already, or a store with reads of its own).
    """
    if type(store) is not Store:
        return store
    st = copy.copy(store)
    st.__class__ = MemoStore
    assert isinstance(st, MemoStore)
    st._init_memo(max_entries, max_rows)
    return st
