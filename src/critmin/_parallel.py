"""Run chunks of work here or on a dask.distributed cluster, keeping their order.

Shared by the scenario Monte Carlo (:mod:`critmin.scenarios.simulate`) and block
estimation (:mod:`critmin.geostats.workflow`). Pure orchestration: no domain code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["map_chunks"]

R = TypeVar("R")


def map_chunks(
    fn: Callable[..., R],
    chunks: Iterable[tuple[Any, ...]],
    scheduler: str | None = None,
) -> Iterator[R]:
    """Apply ``fn`` to each chunk's arguments, here or on a dask.distributed cluster.

    Parameters
    ----------
    fn : callable
        Work on one chunk, called as ``fn(*args)``. With a scheduler it runs on the
        workers, so it must be a module-level function and its arguments picklable.
    chunks : iterable of tuple
        The positional arguments of each chunk.
    scheduler : str, optional
        Address of a dask.distributed scheduler. Default: run here, one chunk at a time.

    Returns
    -------
    iterator
        The chunks' results in the order of ``chunks``. Without a scheduler each chunk
        runs when the iterator reaches it, so a caller that consumes the results one by
        one holds one chunk's result at a time. With a scheduler every chunk is submitted
        at once (``pure=False``: each call is run, never taken from a cache) and all
        results are gathered before the first is returned.
    """
    if not scheduler:
        return (fn(*args) for args in chunks)
    from distributed import Client

    with Client(scheduler) as client:
        futs = [client.submit(fn, *args, pure=False) for args in chunks]
        parts = client.gather(futs)
    return iter(parts)
