"""Discounted-cash-flow arithmetic: NPV, IRR (all roots), payback, break-even.

Pure functions on arrays of annual cash flows. The convention throughout is
end-of-period discounting: ``cashflows[t]`` happens at time ``t`` years after
the valuation date, and ``cashflows[0]`` is not discounted.

Glossary
--------
NPV : net present value, Σ CF_t / (1 + r)^t. [USD]
IRR : internal rate of return, a rate r with NPV(r) = 0. [1/yr, fraction]
payback : time until the cumulative (optionally discounted) cash flow first reaches zero. [yr]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from critmin.errors import ValidationError

__all__ = [
    "IrrResult",
    "discount_factors",
    "economic_irr",
    "irr",
    "npv",
    "payback",
    "sign_changes",
    "solve_breakeven",
]

FloatArray = npt.NDArray[np.float64]
IrrStatus = Literal["unique", "none", "multiple"]


def _as_flows(cashflows: Sequence[float] | npt.ArrayLike, *, ndim_max: int = 2) -> FloatArray:
    arr = np.asarray(cashflows, dtype=float)
    if arr.ndim == 0 or arr.ndim > ndim_max:
        raise ValidationError(
            f"cash flows must be a 1-D (or 2-D: paths x years) array, got shape {arr.shape}"
        )
    if arr.shape[-1] == 0:
        raise ValidationError("cash flows are empty")
    if not np.all(np.isfinite(arr)):
        raise ValidationError("cash flows contain NaN or infinite values")
    return arr


def _check_rate(rate: float) -> float:
    r = float(rate)
    if not np.isfinite(r) or r <= -1.0:
        raise ValidationError(f"discount rate must be a finite number > -1, got {rate!r}")
    return r


def discount_factors(rate: float, n: int) -> FloatArray:
    """End-of-year discount factors ``1 / (1 + rate)^t`` for ``t = 0 .. n-1``.

    Parameters
    ----------
    rate : float
        Discount rate per period. [1/yr, fraction]
    n : int
        Number of periods. [-]

    Returns
    -------
    numpy.ndarray
        Discount factors, shape ``(n,)``. [-]
    """
    r = _check_rate(rate)
    return np.power(1.0 + r, -np.arange(n, dtype=float))


def npv(rate: float, cashflows: Sequence[float] | npt.ArrayLike) -> float | FloatArray:
    """Net present value of end-of-year cash flows.

    Parameters
    ----------
    rate : float
        Discount rate per period; must be > -1. [1/yr, fraction]
    cashflows : array_like
        Cash flows at t = 0, 1, ..., n-1, shape ``(n,)`` or ``(paths, n)``. [USD]

    Returns
    -------
    float or numpy.ndarray
        NPV (a float for 1-D input, one value per path for 2-D input). [USD]

    Notes
    -----
    NPV = Σ_{t=0}^{n-1} CF_t / (1 + r)^t. ``cashflows[0]`` is not discounted (unlike
    Excel's ``NPV``, which discounts the first flow; this matches ``numpy_financial.npv``).
    At ``rate = 0`` the NPV is the plain sum.

    References
    ----------
    .. [1] Brealey, Myers and Allen, *Principles of Corporate Finance*, ch. 2 and 5.
    """
    cf = _as_flows(cashflows)
    d = discount_factors(rate, cf.shape[-1])
    out = cf @ d
    return float(out) if cf.ndim == 1 else np.asarray(out, dtype=float)


def sign_changes(cashflows: Sequence[float] | npt.ArrayLike) -> int:
    """Number of sign changes in a cash-flow sequence, zeros ignored.

    Parameters
    ----------
    cashflows : array_like
        Cash flows, shape ``(n,)``. [USD]

    Returns
    -------
    int
        Sign changes; by Descartes' rule of signs an upper bound on the number of
        IRRs (roots with 1 + r > 0). [-]
    """
    cf = _as_flows(cashflows, ndim_max=1)
    s = np.sign(cf[cf != 0])
    return int(np.count_nonzero(s[1:] != s[:-1]))


@dataclass(frozen=True)
class IrrResult:
    """All internal rates of return of a cash-flow sequence.

    Attributes
    ----------
    value : float or None
        The IRR when exactly one exists, otherwise None. [1/yr, fraction]
    roots : tuple of float
        Every real rate r > -1 with NPV(r) = 0, ascending. [1/yr, fraction]
    status : {"unique", "none", "multiple"}
        How many roots were found.
    sign_changes : int
        Sign changes of the cash flows (Descartes' bound on the root count). [-]
    message : str
        Plain-language summary, for reports.
    """

    value: float | None
    roots: tuple[float, ...]
    status: IrrStatus
    sign_changes: int
    message: str = field(default="")


def _polish(cf: FloatArray, v: float, iters: int = 50) -> float:
    """Newton steps on NPV(v) = Σ cf_t v^t in v = 1/(1+r), to full precision."""
    t = np.arange(cf.size, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(iters):
            f = float(np.sum(cf * v**t))
            fp = float(np.sum(cf[1:] * t[1:] * v ** (t[1:] - 1)))
            if fp == 0.0 or not np.isfinite(f) or not np.isfinite(fp):
                break
            step = f / fp
            v_new = v - step
            if v_new <= 0:
                break
            v = v_new
            if abs(step) <= 1e-15 * max(1.0, abs(v)):
                break
    return v


def irr(
    cashflows: Sequence[float] | npt.ArrayLike,
    *,
    tol: float = 1e-9,
) -> IrrResult:
    """Every internal rate of return of a cash-flow sequence.

    Parameters
    ----------
    cashflows : array_like
        Cash flows at t = 0, 1, ..., n-1, shape ``(n,)``. [USD]
    tol : float
        Relative tolerance on NPV for accepting a root, as a fraction of Σ|CF_t|. [-]

    Returns
    -------
    IrrResult
        ``value`` is the IRR when exactly one exists; ``status`` is ``"none"`` when
        no rate r > -1 zeroes the NPV (for example, all flows negative or all
        positive) and ``"multiple"`` when several do (non-conventional flows with
        several sign changes); ``roots`` lists them all.

    Notes
    -----
    With v = 1/(1 + r), NPV(r) = Σ CF_t v^t is a polynomial in v. Its real roots
    v > 0 (found as eigenvalues of the companion matrix by
    ``numpy.polynomial.polynomial.polyroots``) map one-to-one onto the rates
    r = 1/v - 1 > -1; each is polished by Newton's method and kept if
    |NPV(r)| <= tol · Σ|CF_t|. Descartes' rule of signs bounds the number of roots
    by the number of sign changes, so flows with one sign change have at most one
    IRR. A double root (NPV touching zero) is reported once.

    References
    ----------
    .. [1] Hazen, G. B. (2003). A new perspective on multiple internal rates of
       return. *The Engineering Economist* 48(1), 31-51.
    """
    cf = _as_flows(cashflows, ndim_max=1)
    n_sign = sign_changes(cf)
    if n_sign == 0:
        kind = "zero" if not np.any(cf) else ("negative" if np.all(cf <= 0) else "positive")
        return IrrResult(None, (), "none", 0, f"no IRR: all cash flows are {kind} or zero")
    # trim zeros: trailing zeros lower the degree; leading zeros are roots at v = 0
    nz = np.flatnonzero(cf)
    coeffs = cf[nz[0] : nz[-1] + 1]
    scale = float(np.abs(cf).sum())
    roots: list[float] = []
    if coeffs.size >= 2:
        v_all = np.polynomial.polynomial.polyroots(coeffs / np.abs(coeffs).max())
        for v in v_all:
            if abs(v.imag) > 1e-6 * max(1.0, abs(v.real)) or v.real <= 0:
                continue
            vp = _polish(cf, float(v.real))
            if not np.isfinite(vp) or vp <= 0:
                continue
            r = 1.0 / vp - 1.0
            if not np.isfinite(r) or r <= -1:
                continue
            if abs(float(npv(r, cf))) <= tol * scale and all(
                abs(r - q) > 1e-7 * max(1.0, abs(q)) for q in roots
            ):
                roots.append(r)
    roots.sort()
    if not roots:
        return IrrResult(
            None, (), "none", n_sign, f"no IRR: NPV never crosses zero ({n_sign} sign changes)"
        )
    if len(roots) == 1:
        return IrrResult(roots[0], tuple(roots), "unique", n_sign, f"IRR {roots[0]:.4%}")
    listed = ", ".join(f"{q:.4%}" for q in roots)
    return IrrResult(
        None,
        tuple(roots),
        "multiple",
        n_sign,
        f"{len(roots)} IRRs ({listed}); the IRR is not a meaningful summary, use NPV",
    )


def payback(
    cashflows: Sequence[float] | npt.ArrayLike,
    rate: float | None = None,
) -> float | None:
    """Payback time: when cumulative (discounted) cash flow first reaches zero.

    Parameters
    ----------
    cashflows : array_like
        Cash flows at t = 0, 1, ..., n-1, shape ``(n,)``. [USD]
    rate : float, optional
        Discount rate for the discounted payback; None for the simple payback.
        [1/yr, fraction]

    Returns
    -------
    float or None
        Payback time from t = 0, interpolated linearly within the year. 0.0 when the
        cumulative flow is never negative; None when it is still negative at the end
        (the investment is never recovered). [yr]

    Notes
    -----
    With C_k = Σ_{t<=k} CF_t d_t (d_t = 1, or (1 + r)^-t for the discounted payback),
    the payback is the first k with C_{k-1} < 0 <= C_k, reported as
    (k - 1) + (-C_{k-1}) / (CF_k d_k): year k's flow is taken as spread evenly over
    (k-1, k]. A later dip below zero (for example, closure costs) does not undo it.
    """
    cf = _as_flows(cashflows, ndim_max=1)
    if rate is not None:
        cf = cf * discount_factors(rate, cf.size)
    cum = np.cumsum(cf)
    if cum[0] >= 0 and np.all(cum >= 0):
        return 0.0
    neg = cum < 0
    first_neg = int(np.argmax(neg))
    after = np.flatnonzero(~neg[first_neg:])
    if after.size == 0:
        return None
    k = first_neg + int(after[0])
    return float((k - 1) + (-cum[k - 1]) / cf[k])


def solve_breakeven(
    f: Callable[[float], float],
    lo: float,
    hi: float,
    *,
    xtol: float = 1e-10,
    max_expand: int = 60,
) -> float | None:
    """Root of a monotone function by bracketing and Brent's method.

    Parameters
    ----------
    f : callable
        Function of one variable (e.g. NPV as a function of a price multiplier). [USD]
    lo, hi : float
        Initial bracket; ``hi`` is doubled up to ``max_expand`` times until the sign
        changes. [same unit as the variable]
    xtol : float
        Absolute tolerance on the root. [same unit as the variable]
    max_expand : int
        Doublings of ``hi`` allowed. [-]

    Returns
    -------
    float or None
        The root, or None when no sign change is found (e.g. NPV < 0 at any price).
    """
    from scipy.optimize import brentq

    flo = f(lo)
    if flo == 0:
        return float(lo)
    fhi = f(hi)
    n = 0
    while np.sign(fhi) == np.sign(flo) and n < max_expand:
        lo, flo = hi, fhi
        hi *= 2.0
        fhi = f(hi)
        n += 1
    if np.sign(fhi) == np.sign(flo):
        return None
    return float(brentq(f, lo, hi, xtol=xtol))


def economic_irr(res: IrrResult) -> tuple[float | None, str, str]:
    """The IRR a study would quote: the unique root, else the only non-negative one.

    Parameters
    ----------
    res : IrrResult
        All roots, from :func:`irr`.

    Returns
    -------
    value : float or None
        The unique IRR; with several roots, the only one with r >= 0; else None.
        [1/yr, fraction]
    status : str
        ``res.status``, or ``"unique_nonnegative"`` when the value is the only
        non-negative root of several.
    note : str
        What was chosen and why ("" for a unique IRR).

    Notes
    -----
    A closure cost after the last production year adds a sign change, so the NPV
    polynomial often has a second, negative root (e.g. -84 % besides 18 %). Studies, and
    spreadsheet IRR functions started near 10 %, report the non-negative one; it is used
    when it is the only root >= 0, and the other roots are named in the note.
    """
    if res.value is not None:
        return res.value, res.status, ""
    nonneg = [r for r in res.roots if r >= 0]
    if res.status == "multiple" and len(nonneg) == 1:
        others = ", ".join(f"{q:.2%}" for q in res.roots if q < 0)
        return (
            nonneg[0],
            "unique_nonnegative",
            f"IRR {nonneg[0]:.2%}: the only non-negative root; NPV also crosses zero at "
            f"{others} (a late negative flow such as closure adds a sign change)",
        )
    return None, res.status, res.message
