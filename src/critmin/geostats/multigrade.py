"""Several grades in one estimation: the equivalent grade and the combined resource table.

Equivalent grade
----------------
From stated metal prices :math:`P_i` and metallurgical recoveries :math:`R_i`
(each a :class:`~critmin.params.SourcedParam`: a cited value or a labelled
assumption), the equivalent grade in the base metal's unit is

.. math::

    g_{eq} = \\sum_i g_i \\, \\frac{f_i P_i R_i}{f_b P_b R_b}

where :math:`f_i` converts grade unit :math:`i` to tonnes of metal per tonne of
rock (``%``: 0.01, ``g/t`` and ``ppm``: 1e-6, ``ppb``: 1e-9) and :math:`b` is
the base metal. Prices are converted to USD/t of metal with pint; recoveries
given with unit ``%`` are divided by 100. A block missing one of the grades
has no equivalent (null), never a partial sum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from critmin.geostats.report import GRADE_FACTORS, contained_metal
from critmin.geostats.spec import EquivalentSpec, GradeSpec
from critmin.params import SourcedParam
from critmin.units import factor

__all__ = ["equivalent_factors", "equivalent_grade", "multi_resource", "parameter_rows"]


def _recovery(p: SourcedParam[float]) -> float:
    v = p.central()
    return v / 100.0 if p.unit.strip() == "%" else v


def equivalent_factors(eq: EquivalentSpec, units: dict[str, str]) -> dict[str, float]:
    """Multiplier of each grade in the equivalent (module docstring). [base unit / grade unit]"""

    def value(col: str) -> float:
        p = eq.prices[col]
        usd_t = p.central() * (factor(p.unit, "USD/t") if p.unit else 1.0)
        return GRADE_FACTORS[units[col]] * usd_t * _recovery(eq.recoveries[col])

    base = value(eq.base)
    return {c: value(c) / base for c in eq.prices}


def equivalent_grade(blocks: pd.DataFrame, eq: EquivalentSpec, units: dict[str, str]) -> np.ndarray:
    """Equivalent grade per block from the grade columns. [base grade unit]"""
    f = equivalent_factors(eq, units)
    total = np.zeros(len(blocks))
    for c, k in f.items():
        total = total + k * blocks[c].to_numpy(dtype=float)  # NaN stays NaN
    return total


def parameter_rows(eq: EquivalentSpec, units: dict[str, str]) -> pd.DataFrame:
    """Prices, recoveries and the resulting factors, with their sources (assumptions shown)."""
    f = equivalent_factors(eq, units)
    rows = []
    for c in eq.prices:
        for what, p in (("price", eq.prices[c]), ("recovery", eq.recoveries[c])):
            rows.append({"grade": c, "parameter": what, "value": p.central(), "unit": p.unit,
                         "source": p.source, "note": p.note})  # fmt: skip
        rows.append({"grade": c, "parameter": "factor", "value": f[c],
                     "unit": f"{units[eq.base]} {eq.base} per {units[c]} {c}",
                     "source": "computed", "note": ""})  # fmt: skip
    return pd.DataFrame(rows)


def multi_resource(
    blocks: pd.DataFrame,
    cutoffs: Sequence[float],
    cutoff_on: str,
    grades: Sequence[GradeSpec],
    equivalent: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Resource table with every grade: tonnes, grade and metal per grade by class and cut-off.

    Parameters
    ----------
    blocks : pandas.DataFrame
        ``class``, ``tonnes`` [t] and one column per grade (its estimate).
    cutoffs : sequence of float
        Cut-offs on ``cutoff_on``. [its unit]
    cutoff_on : str
        Column the cut-off applies to (a grade or the equivalent).
    grades : sequence of GradeSpec
        The grades (column, unit, metal unit).
    equivalent : tuple of str, optional
        ``(column, unit)`` of the equivalent grade.

    Returns
    -------
    pandas.DataFrame
        ``cutoff, cutoff_on, class, blocks, tonnes``, then per grade ``<col>``
        [grade unit], ``<col>_metal`` [metal unit] and ``<col>_missing_blocks``
        (blocks above cut-off without that grade, left out of its mean and metal),
        and the equivalent; the units in ``<col>_unit`` columns.
    """
    rep = blocks[blocks["class"] != "unclassified"]
    groups = [(n, rep[rep["class"] == n]) for n in ("measured", "indicated", "inferred")]
    groups.append(("measured+indicated", rep[rep["class"].isin(["measured", "indicated"])]))
    groups.append(("total", rep))
    cols: list[tuple[str, str, str | None]] = [(g.column, g.unit, g.metal_unit) for g in grades]
    if equivalent is not None:
        cols.append((equivalent[0], equivalent[1], None))
    rows = []
    for c in cutoffs:
        for name, b in groups:
            sel = b[b[cutoff_on].to_numpy(dtype=float) >= c]
            t = sel["tonnes"].to_numpy(dtype=float)
            row: dict[str, object] = {"cutoff": float(c), "cutoff_on": cutoff_on, "class": name,
                                      "blocks": len(sel), "tonnes": float(t.sum())}  # fmt: skip
            for col, unit, metal_unit in cols:
                g = sel[col].to_numpy(dtype=float)
                ok = ~np.isnan(g)
                tt = float(t[ok].sum())
                mean = float(np.sum(t[ok] * g[ok]) / tt) if tt > 0 else float("nan")
                row[col] = mean
                row[f"{col}_unit"] = unit
                if metal_unit is not None:
                    row[f"{col}_metal"] = (
                        float(contained_metal(tt, mean, unit, metal_unit)) if tt > 0 else 0.0
                    )
                    row[f"{col}_metal_unit"] = metal_unit
                row[f"{col}_missing_blocks"] = int((~ok).sum())
            rows.append(row)
    return pd.DataFrame(rows)
