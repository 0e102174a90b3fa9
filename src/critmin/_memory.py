"""Memory estimates before large runs: refuse what would not fit, with the figure and a hint.

Monte Carlo runs (valuation paths, scenario draws, risk draws) hold arrays of
``draws x periods`` float64 values. :func:`check_memory` compares an estimate with the
memory the operating system reports as available and raises
:class:`~critmin.errors.ResourceLimitError` (one line: the estimate, what is available,
how to lower it) instead of letting the run end in ``MemoryError`` after minutes.
"""

from __future__ import annotations

from critmin.errors import ResourceLimitError

__all__ = ["SAFETY", "available_bytes", "check_memory", "float_arrays_bytes"]

SAFETY = 0.8
"""Share of the available memory a run may plan to use (the rest is for Python, caches, I/O)."""


def available_bytes() -> int:
    """Memory available to a new allocation, as the operating system reports it. [bytes]"""
    import psutil

    return int(psutil.virtual_memory().available)


def float_arrays_bytes(*shape: int, arrays: int = 1) -> int:
    """Size of ``arrays`` float64 arrays of ``shape``. [bytes]

    Notes
    -----
    :math:`B = 8 \\cdot a \\cdot \\prod_i n_i`.
    """
    n = 8 * arrays
    for s in shape:
        n *= int(s)
    return n


def check_memory(needed: int, what: str, hint: str, available: int | None = None) -> None:
    """Refuse a run whose estimated memory exceeds :data:`SAFETY` x the available memory.

    Parameters
    ----------
    needed : int
        Estimated peak memory of the run. [bytes]
    what : str
        The run, in words (``"100,000 price paths x 30 years"``).
    hint : str
        How to lower it (``"use --draws 20000"``).
    available : int, optional
        Available memory (default: :func:`available_bytes`). [bytes]

    Raises
    ------
    ResourceLimitError
        When ``needed > SAFETY * available``.
    """
    avail = available_bytes() if available is None else available
    if needed > SAFETY * avail:
        raise ResourceLimitError(
            f"{what} needs about {needed / 2**30:,.1f} GiB of memory but "
            f"{avail / 2**30:,.1f} GiB is available; {hint}"
        )
