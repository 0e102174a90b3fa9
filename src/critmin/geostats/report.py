"""Grade-tonnage curves and resource tables by class and cut-off.

Grades carry their unit (``%``, ``g/t``, ``ppm``, ``ppb``); contained metal is
``tonnes x grade`` converted with :func:`critmin.units.convert` to the metal
unit asked for (``t``, ``kt``, ``Mt``, ``lb``, ``kg``, ``g``, ``oz``). ``oz`` is the
troy ounce, the unit of precious-metal reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from critmin.errors import UnitError, ValidationError
from critmin.units import convert

__all__ = [
    "GRADE_FACTORS",
    "contained_metal",
    "grade_tonnage",
    "resource_report",
]

#: Metal tonnes per tonne of rock per unit of grade.
GRADE_FACTORS: dict[str, float] = {"%": 1e-2, "g/t": 1e-6, "ppm": 1e-6, "ppb": 1e-9}

_METAL_ALIASES = {"oz": "ozt", "koz": "kozt", "Moz": "Mozt"}


@lru_cache(maxsize=64)
def _t_to(unit: str) -> float:
    """Tonnes to ``unit`` (pint; cached: the same few units are asked for many times)."""
    return convert(1.0, "t", unit)


def contained_metal(
    tonnes: np.ndarray | float, grade: np.ndarray | float, grade_unit: str, metal_unit: str = "t"
) -> np.ndarray:
    """Contained metal of tonnes at a grade.

    Parameters
    ----------
    tonnes : array or float
        Rock tonnage. [t]
    grade : array or float
        Grade. [grade_unit]
    grade_unit : str
        ``%``, ``g/t``, ``ppm`` or ``ppb``.
    metal_unit : str
        Unit of the result: any mass unit pint knows; ``oz`` means troy ounce.

    Returns
    -------
    numpy.ndarray
        Contained metal. [metal_unit]
    """
    if grade_unit not in GRADE_FACTORS:
        raise UnitError(f"unknown grade unit {grade_unit!r}; use one of {', '.join(GRADE_FACTORS)}")
    unit = metal_unit
    if unit in ("koz", "Moz"):
        k = 1e3 if unit == "koz" else 1e6
        return np.asarray(tonnes) * np.asarray(grade) * GRADE_FACTORS[grade_unit] * _t_to("ozt") / k
    f = _t_to(_METAL_ALIASES.get(unit, unit))
    return (
        np.asarray(tonnes, dtype=float)
        * np.asarray(grade, dtype=float)
        * GRADE_FACTORS[grade_unit]
        * f
    )


def grade_tonnage(
    grade: np.ndarray,
    tonnes: np.ndarray,
    cutoffs: Sequence[float],
    grade_unit: str = "%",
    metal_unit: str = "t",
) -> pd.DataFrame:
    """Tonnes, mean grade and metal above each cut-off.

    Parameters
    ----------
    grade : array
        Block grades (NaN: not estimated, left out). [grade_unit]
    tonnes : array
        Block tonnages. [t]
    cutoffs : sequence of float
        Cut-off grades. [grade_unit]
    grade_unit : str
        Grade unit.
    metal_unit : str
        Metal unit.

    Returns
    -------
    pandas.DataFrame
        ``cutoff`` [grade_unit], ``tonnes`` [t], ``grade`` [grade_unit],
        ``metal`` [metal_unit], ``blocks``.
    """
    g = np.asarray(grade, dtype=float)
    t = np.asarray(tonnes, dtype=float)
    ok = ~np.isnan(g)
    g, t = g[ok], t[ok]
    rows = []
    for c in cutoffs:
        sel = g >= c
        tt = float(t[sel].sum())
        mg = float(np.sum(t[sel] * g[sel]) / tt) if tt > 0 else float("nan")
        rows.append(
            {
                "cutoff": float(c),
                "tonnes": tt,
                "grade": mg,
                "metal": float(contained_metal(tt, mg, grade_unit, metal_unit)) if tt > 0 else 0.0,
                "blocks": int(sel.sum()),
            }
        )
    return pd.DataFrame(rows)


def resource_report(
    blocks: pd.DataFrame,
    cutoffs: Sequence[float],
    grade_column: str = "estimate",
    grade_unit: str = "%",
    metal_unit: str = "t",
) -> pd.DataFrame:
    """Resource table by class and cut-off.

    Parameters
    ----------
    blocks : pandas.DataFrame
        Blocks with ``class``, ``tonnes`` [t] and the grade column.
    cutoffs : sequence of float
        Cut-off grades. [grade_unit]
    grade_column : str
        Grade column. [grade_unit]
    grade_unit : str
        Grade unit (``%``, ``g/t``, ``ppm``, ``ppb``).
    metal_unit : str
        Contained metal unit (``t``, ``kt``, ``lb``, ``oz``...).

    Returns
    -------
    pandas.DataFrame
        ``cutoff, class, tonnes, grade, grade_unit, metal, metal_unit`` with
        rows per class, ``measured+indicated`` and ``total``; unclassified
        blocks are not reported.
    """
    for col in ("class", "tonnes", grade_column):
        if col not in blocks:
            raise ValidationError(f"blocks have no column {col!r}")
    rep = blocks[blocks["class"] != "unclassified"]
    groups: list[tuple[str, pd.DataFrame]] = [
        (name, rep[rep["class"] == name]) for name in ("measured", "indicated", "inferred")
    ]
    groups.append(("measured+indicated", rep[rep["class"].isin(["measured", "indicated"])]))
    groups.append(("total", rep))
    rows = []
    for c in cutoffs:
        for name, b in groups:
            gt = grade_tonnage(
                b[grade_column].to_numpy(), b["tonnes"].to_numpy(), [c], grade_unit, metal_unit
            )
            r = gt.iloc[0]
            rows.append(
                {
                    "cutoff": float(c),
                    "class": name,
                    "tonnes": float(r["tonnes"]),
                    "grade": float(r["grade"]),
                    "grade_unit": grade_unit,
                    "metal": float(r["metal"]),
                    "metal_unit": metal_unit,
                }
            )
    return pd.DataFrame(rows)
