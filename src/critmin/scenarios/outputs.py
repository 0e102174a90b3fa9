"""Names of the per-market outputs of a scenario simulation (no numba import)."""

from __future__ import annotations

__all__ = ["OUT_NAMES"]

#: Names of the per-market outputs, in the order of axis 1 of the kernel's output
#: (:func:`critmin.scenarios.kernel.simulate_kernel`) and of :func:`simulate`'s result.
OUT_NAMES = (
    "price_ratio",
    "price",
    "production",
    "new_capacity",
    "imports",
    "exports",
    "stock_draw",
    "stock_release",
    "consumption",
    "reference_demand",
    "unmet",
    "surplus",
    "stock_end",
    "restart",
    "secondary",
)
