"""Streaming Monte Carlo reductions: per-period quantiles in memory independent of draws.

A :class:`LogHistogram` counts the draws of one output in ``nbins`` logarithmic bins per
period, plus a bucket for values at or below ``lo`` (zero and below: reported as ``0``)
and one for values above ``hi``. Chunks of draws are added as they are simulated and then
freed, so memory is ``T x (nbins + 2)`` counts whatever the number of draws.

Quantiles are read from the cumulative counts and interpolated inside the bin on the log
scale: the error is at most one bin width, ``exp((log hi - log lo) / nbins) - 1``
relative (:attr:`LogHistogram.resolution`); a quantile that falls in the overflow bucket
is NaN (not computable from the histogram) and counted in :attr:`LogHistogram.overflow`.

:func:`memory_estimate` is the pre-run estimate that :func:`~critmin.scenarios.run_scenario`
checks with the shared guard :func:`critmin._memory.check_memory` before it starts.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

__all__ = ["BYTES_PER_DRAW_PERIOD", "KEPT_OUTPUTS", "NBINS", "LogHistogram", "memory_estimate"]

#: Bins per period of each histogram.
NBINS = 8192

#: Bytes per draw-period that a chunk's simulation holds at its peak (2 markets x 15
#: outputs, the shock schedules at monthly resolution, the packed inputs), measured with
#: tracemalloc on the shipped examples and rounded up (bench/bench_scenarios.py --memory;
#: 640 with 13 outputs, plus 32 for the restart and secondary outputs).
BYTES_PER_DRAW_PERIOD = 672

#: Outputs of each draw kept when a run keeps its draws (``keep_draws``).
KEPT_OUTPUTS = 8


@njit(cache=True, parallel=True)
def _bins(values, llo, inv_w, nb):  # type: ignore[no-untyped-def]
    """Bin of each value (N, T): 0 = at or below lo, nb + 1 = above hi; draws in parallel."""
    n, t_n = values.shape
    out = np.empty((n, t_n), dtype=np.int32)
    for i in prange(n):
        for t in range(t_n):
            v = values[i, t]
            if not v > 0.0:  # zero or negative (no shortfall)
                out[i, t] = 0
                continue
            k = math.floor((math.log(v) - llo) * inv_w)
            if k < 0:
                out[i, t] = 0
            elif k >= nb:
                out[i, t] = nb + 1
            else:
                out[i, t] = k + 1
    return out


@njit(cache=True)
def _add(counts, values, llo, inv_w, nb):  # type: ignore[no-untyped-def]
    """Add ``values`` (N, T) into ``counts`` (T, nb + 2) (bins from :func:`_bins`)."""
    idx = _bins(values, llo, inv_w, nb)
    n, t_n = idx.shape
    for i in range(n):
        for t in range(t_n):
            counts[t, idx[i, t]] += 1


class LogHistogram:
    """Per-period histogram of one Monte Carlo output on a log scale.

    Parameters
    ----------
    lo, hi : float
        Range of the log bins; values at or below ``lo`` count as 0, above ``hi`` as
        overflow. [unit of the output]
    periods : int
        Number of periods ``T``.
    nbins : int
        Log bins per period.
    """

    def __init__(self, lo: float, hi: float, periods: int, nbins: int = NBINS) -> None:
        if not 0 < lo < hi:
            raise ValueError("need 0 < lo < hi")
        self.lo, self.hi, self.nbins = float(lo), float(hi), int(nbins)
        self._llo = math.log(lo)
        self._w = (math.log(hi) - self._llo) / nbins
        self.counts = np.zeros((periods, nbins + 2), dtype=np.int64)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LogHistogram)
            and (self.lo, self.hi, self.nbins) == (other.lo, other.hi, other.nbins)
            and np.array_equal(self.counts, other.counts)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def n(self) -> int:
        """Draws added."""
        return int(self.counts[0].sum()) if len(self.counts) else 0

    @property
    def resolution(self) -> float:
        """Largest relative error of a quantile (one bin width). [1]"""
        return math.exp(self._w) - 1.0

    @property
    def overflow(self) -> np.ndarray:
        """Draws above ``hi`` by period."""
        return self.counts[:, -1].copy()

    def add(self, values: np.ndarray) -> None:
        """Count the draws ``values`` of shape ``(N, T)``."""
        v = np.ascontiguousarray(values, dtype=np.float64)
        _add(self.counts, v, self._llo, 1.0 / self._w, self.nbins)

    def quantile(self, q: float | list[float]) -> np.ndarray:
        """Percentiles ``q`` (0-100) by period; shape ``(len(q), T)`` or ``(T,)``.

        Notes
        -----
        The rank ``c = q / 100 * n`` falls in the first bin whose cumulative count
        reaches it; inside the bin the value is ``exp(log lo + (k + f) w)`` with
        ``f = (c - cum_before) / count_k``. Rank 0 in the zero bucket gives ``0``.
        """
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        t_n = self.counts.shape[0]
        out = np.full((len(qs), t_n), np.nan)
        n = self.n
        if n == 0:
            return out if np.ndim(q) else out[0]
        cum = np.cumsum(self.counts, axis=1)
        for j, qq in enumerate(qs):
            c = qq / 100.0 * n
            for t in range(t_n):
                k = int(np.searchsorted(cum[t], max(c, 1e-12), side="left"))
                if k == 0:
                    out[j, t] = 0.0
                elif k > self.nbins:
                    out[j, t] = np.nan
                else:
                    before = cum[t, k - 1]
                    cnt = self.counts[t, k]
                    f = (c - before) / cnt if cnt else 0.0
                    out[j, t] = math.exp(self._llo + (k - 1 + min(max(f, 0.0), 1.0)) * self._w)
        return out if np.ndim(q) else out[0]

    def exceed(self, threshold: np.ndarray) -> np.ndarray:
        """Share of draws above ``threshold`` (per period, within one bin). [1]"""
        thr = np.broadcast_to(np.asarray(threshold, dtype=float), (self.counts.shape[0],))
        n = self.n
        out = np.full(len(thr), np.nan)
        if n == 0:
            return out
        for t, x in enumerate(thr):
            if x <= self.lo:
                k = 1  # everything above the zero bucket
            else:
                k = (
                    int(min(max(math.floor((math.log(x) - self._llo) / self._w), -1), self.nbins))
                    + 2
                )
            out[t] = self.counts[t, k:].sum() / n
        return out


def memory_estimate(draws: int, periods: int, months: int, chunk: int, keep: bool) -> int:
    """Peak memory of a Monte Carlo run beyond what the process already holds. [bytes]

    Notes
    -----
    ``chunk_bytes = min(chunk, draws) * months * BYTES_PER_DRAW_PERIOD``;
    ``histograms = 4 * periods * (NBINS + 2) * 8``; ``kept = draws * periods *
    KEPT_OUTPUTS * 8`` when the draws are kept. The sum is the estimate.
    """
    chunk_b = min(chunk, draws) * months * BYTES_PER_DRAW_PERIOD
    hist_b = 4 * periods * (NBINS + 2) * 8
    kept_b = draws * periods * KEPT_OUTPUTS * 8 if keep else 0
    return int(chunk_b + hist_b + kept_b)
