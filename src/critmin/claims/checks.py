"""Pure checks: comparison with tolerance and the consistency arithmetic.

No I/O here: these functions take numbers and return verdicts and figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Verdict",
    "compare",
    "grade_tonnage",
    "growth",
    "hit_rate",
    "implied_price",
]

Verdict = Literal["supported", "contradicted", "not_checkable"]


def compare(
    computed: float, claimed: float, op: str = "eq", tolerance: float = 0.0, relative: bool = True
) -> Verdict:
    """Compare a computed figure with a claimed one.

    Parameters
    ----------
    computed, claimed : float
        The figures, in the same unit.
    op : {"eq", "ge", "le", "gt", "lt"}
        The claim's relation: ``ge`` means the claim says "at least" (``computed >= claimed``).
    tolerance : float
        Allowed deviation: a fraction of ``claimed`` when ``relative``, else absolute.
    relative : bool
        Whether ``tolerance`` is relative.

    Returns
    -------
    str
        ``supported`` or ``contradicted`` (``not_checkable`` when ``computed`` is NaN).

    Notes
    -----
    With :math:`\\tau` the tolerance (absolute: :math:`\\tau`, relative: :math:`\\tau |c|`):
    ``eq`` holds when :math:`|x - c| \\le \\tau`; ``ge`` when :math:`x \\ge c - \\tau`;
    ``le`` when :math:`x \\le c + \\tau`; ``gt``/``lt`` are strict and ignore the tolerance.
    """
    if computed is None or (isinstance(computed, float) and math.isnan(computed)):
        return "not_checkable"
    tol = tolerance * abs(claimed) if relative else tolerance
    ok = {
        "eq": abs(computed - claimed) <= tol + 1e-12,
        "ge": computed >= claimed - tol - 1e-12,
        "le": computed <= claimed + tol + 1e-12,
        "gt": computed > claimed,
        "lt": computed < claimed,
    }.get(op)
    if ok is None:
        raise ValueError(f"unknown comparison {op!r}")
    return "supported" if ok else "contradicted"


@dataclass
class CheckResult:
    """Result of a consistency check."""

    verdict: Verdict
    computed: float
    unit: str
    explanation: str
    figures: dict[str, Any] = field(default_factory=dict)


def grade_tonnage(metal_t: float, ore_t: float, max_grade_pct: float) -> CheckResult:
    """Contained metal against ore tonnage against the highest reported grade.

    Parameters
    ----------
    metal_t : float
        Contained metal claimed. [t]
    ore_t : float
        Ore tonnage claimed (an upper bound: "up to"). [t]
    max_grade_pct : float
        Highest grade reported anywhere in the story. [%]

    Returns
    -------
    CheckResult
        ``computed`` is the implied minimum average grade [%]; contradicted when it
        exceeds the highest reported grade (the ore could not hold that much metal).

    Notes
    -----
    .. math:: g_{implied} = 100\\, M / T \\quad [\\%], \\qquad \\text{consistent iff } g_{implied} \\le g_{max}

    An average grade cannot exceed the highest single assay, so :math:`g_{implied} > g_{max}`
    is a contradiction within the story. The converse does not prove the figures: a
    consistent pair is only "not contradicted".
    """
    if ore_t <= 0:
        raise ValueError("ore tonnage must be positive")
    g = 100.0 * metal_t / ore_t
    ok = g <= max_grade_pct
    metal_at_max = ore_t * max_grade_pct / 100.0
    expl = (
        f"{metal_t:,.0f} t of metal in at most {ore_t:,.0f} t of ore needs an average grade of at least "
        f"{g:.1f} %, {'within' if ok else 'above'} the highest reported grade of {max_grade_pct:g} %; "
        f"at {max_grade_pct:g} % that ore would hold at most {metal_at_max:,.0f} t."
    )
    return CheckResult(
        "supported" if ok else "contradicted",
        g,
        "%",
        expl,
        {"implied_grade_pct": g, "max_metal_t": metal_at_max},
    )


def hit_rate(
    hits: int, total: int, claimed: float | None = None, tolerance: float = 0.01
) -> CheckResult:
    """Share of holes (or samples) with a hit.

    Returns
    -------
    CheckResult
        ``computed`` = hits / total [fraction]. Contradicted when ``hits > total``
        or when a stated rate differs; otherwise not checkable: the arithmetic is
        consistent, but no drillhole data are at hand to confirm the hits.
    """
    if total <= 0:
        raise ValueError("total must be positive")
    r = hits / total
    if hits > total or hits < 0:
        return CheckResult(
            "contradicted", r, "fraction", f"{hits} hits out of {total} is impossible."
        )
    if claimed is not None:
        v = compare(r, claimed, "eq", tolerance, relative=False)
        return CheckResult(
            v,
            r,
            "fraction",
            f"{hits} of {total} is {100 * r:.1f} %; the story states {100 * claimed:.1f} %.",
        )
    return CheckResult(
        "not_checkable",
        r,
        "fraction",
        f"{hits} of {total} holes is a hit rate of {100 * r:.1f} %; consistent arithmetic, but no drillhole data are available to confirm it.",
    )


def implied_price(
    value: float, quantity: float, claimed: float | None = None, tolerance: float = 0.1
) -> CheckResult:
    """Value divided by quantity, compared with a stated unit price if any.

    Notes
    -----
    .. math:: p = V / Q
    """
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    p = value / quantity
    if claimed is None:
        return CheckResult(
            "not_checkable", p, "", f"implied unit value {p:,.4g}; no stated unit price to compare."
        )
    v = compare(p, claimed, "eq", tolerance)
    return CheckResult(v, p, "", f"implied unit value {p:,.4g} against the stated {claimed:,.4g}.")


def growth(
    start: float,
    end: float,
    years: float | None = None,
    claimed_ratio: float | None = None,
    tolerance: float = 0.05,
) -> CheckResult:
    """Growth implied by two figures.

    Notes
    -----
    .. math:: r = x_{end}/x_{start}, \\qquad CAGR = r^{1/n} - 1
    """
    if start <= 0:
        raise ValueError("start must be positive")
    r = end / start
    figs: dict[str, Any] = {"ratio": r, "change_pct": 100 * (r - 1)}
    if years:
        figs["cagr"] = r ** (1 / years) - 1
    text = f"{start:,.4g} -> {end:,.4g} is x{r:.3f} ({100 * (r - 1):+.1f} %)"
    if claimed_ratio is None:
        return CheckResult(
            "not_checkable", r, "ratio", text + "; no official series to compare.", figs
        )
    return CheckResult(
        compare(r, claimed_ratio, "eq", tolerance),
        r,
        "ratio",
        text + f" against the stated x{claimed_ratio:g}.",
        figs,
    )
