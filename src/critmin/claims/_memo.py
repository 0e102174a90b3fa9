"""A read-only view of the store that answers a repeated query from memory.

Checking an article asks the store the same questions many times: every claim about
gallium reads gallium's registry row, the same table flags and the same table once per
edition. :func:`memo_store` wraps a store for the length of one check so each distinct
query (SQL text and parameters) runs once; callers get a copy of the answer, so a caller
that changes its frame or rows does not change what the next caller sees.

The view never writes: it is used only while claims are evaluated, which only read.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from critmin.data.store import Store

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["memo_store"]


class _MemoStore(Store):
    """A :class:`Store` sharing its connection, with ``sql`` and ``records`` memoised."""

    _frames: dict[tuple[str, tuple[Any, ...]], pd.DataFrame]
    _rows: dict[tuple[str, tuple[Any, ...]], list[dict[str, Any]]]

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        key = _key(query, params)
        if key is None:
            return super().sql(query, params)
        if key not in self._frames:
            self._frames[key] = super().sql(query, params)
        return self._frames[key].copy()

    def records(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        key = _key(query, params)
        if key is None:
            return super().records(query, params)
        if key not in self._rows:
            self._rows[key] = super().records(query, params)
        return [dict(r) for r in self._rows[key]]


def _key(query: str, params: list[Any] | None) -> tuple[str, tuple[Any, ...]] | None:
    """The memo key of a query, or None when a parameter is not hashable (not memoised)."""
    key = (query, tuple(tuple(p) if isinstance(p, list) else p for p in params or ()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def memo_store(store: Store) -> Store:
    """``store`` with repeated reads answered from memory (same connection, same data).

    Parameters
    ----------
    store : Store
        An open store; it is not changed.

    Returns
    -------
    Store
        A shallow copy whose ``sql`` and ``records`` run each distinct query once
        (``store`` itself when it is a subclass of :class:`Store`, which may memoise
        already). Use it only for reads, and only while the data cannot change.
    """
    if type(store) is not Store:  # already memoised, or a subclass with its own reads
        return store
    st = copy.copy(store)
    st.__class__ = _MemoStore
    assert isinstance(st, _MemoStore)
    st._frames = {}
    st._rows = {}
    return st
