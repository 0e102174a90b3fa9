"""From a resource to a mine plan: cut-off grade, Lane's optimal cut-off, a schedule.

Input is a cumulative grade-tonnage table (``cutoff``, ``tonnes``, ``grade``: tonnes and mean
grade above each cut-off, e.g. the ``resource.csv`` written by ``critmin deposit estimate``
for one resource class) or a block model (block grades and tonnages), via
:func:`table_from_blocks`. Output is a cut-off, the tonnes and grade above it, and an annual
schedule at a stated mining rate, which :func:`production_inputs` turns into the
``production`` inputs of a ``kind: project`` spec (``ore_tpa``, ``grade``, ``life_years``).

Between tabulated cut-offs, tonnes and contained metal are interpolated linearly in the
cut-off (exact at the tabulated cut-offs, and for a block model at every block grade).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from critmin.errors import ValidationError

__all__ = [
    "GRADE_FRACTION",
    "GradeTonnage",
    "LanePlan",
    "MinePlan",
    "breakeven_cutoff",
    "lane_cutoff",
    "lane_plan",
    "plan_at_cutoff",
    "production_inputs",
    "table_from_blocks",
]

GRADE_FRACTION = {"%": 1e-2, "fraction": 1.0, "g/t": 1e-6, "ppm": 1e-6, "ppb": 1e-9}
"""Mass fraction of one unit of grade [-]."""


def _frac(grade_unit: str) -> float:
    try:
        return GRADE_FRACTION[grade_unit]
    except KeyError:
        raise ValidationError(
            f"grade unit {grade_unit!r} not supported; use one of {sorted(GRADE_FRACTION)}"
        ) from None


def breakeven_cutoff(
    cost_per_t_ore: float,
    price_per_t: float,
    recovery: float,
    payability: float = 1.0,
    selling_cost_per_t: float = 0.0,
    grade_unit: str = "%",
) -> float:
    """Break-even cut-off grade.

    Parameters
    ----------
    cost_per_t_ore : float
        Costs charged to each tonne of ore (e.g. processing + G&A; add mining for a full
        break-even). [USD/t ore]
    price_per_t : float
        Metal price. [USD/t metal]
    recovery, payability : float
        Metallurgical recovery and payable share, in (0, 1]. [-]
    selling_cost_per_t : float
        Treatment, refining and freight per tonne of payable metal. [USD/t]
    grade_unit : str
        Unit of the returned grade (``%``, ``g/t``, ``ppm``, ``fraction``).

    Returns
    -------
    float
        Cut-off grade. [grade_unit]

    Notes
    -----
    c = cost / ((price - selling cost) x recovery x payability), a mass fraction, divided by
    the mass fraction of one grade unit. With no selling cost this is
    c = cost / (price x recovery x payability).
    """
    if not (0 < recovery <= 1 and 0 < payability <= 1):
        raise ValidationError("recovery and payability must be in (0, 1]")
    if cost_per_t_ore < 0:
        raise ValidationError(f"cost_per_t_ore must be >= 0, got {cost_per_t_ore}")
    net = (price_per_t - selling_cost_per_t) * recovery * payability
    if net <= 0:
        raise ValidationError("price net of selling costs must be > 0")
    return cost_per_t_ore / net / _frac(grade_unit)


@dataclass(frozen=True)
class GradeTonnage:
    """A cumulative grade-tonnage distribution.

    Attributes
    ----------
    cutoff : numpy.ndarray
        Cut-offs, ascending. [grade_unit]
    tonnes : numpy.ndarray
        Tonnes at or above each cut-off (non-increasing). [t]
    metal : numpy.ndarray
        Contained metal above each cut-off, in grade units x t. [grade_unit x t]
    grade_unit : str
        Grade unit.
    waste_t : float
        Material that must be mined with the tabulated material but is below every cut-off
        (e.g. pit waste). [t]
    """

    cutoff: npt.NDArray[np.float64]
    tonnes: npt.NDArray[np.float64]
    metal: npt.NDArray[np.float64]
    grade_unit: str = "%"
    waste_t: float = 0.0

    @classmethod
    def from_table(
        cls, table: pd.DataFrame, grade_unit: str = "%", waste_t: float = 0.0
    ) -> GradeTonnage:
        """From a table with columns ``cutoff``, ``tonnes`` [t], ``grade`` [grade_unit]."""
        for col in ("cutoff", "tonnes", "grade"):
            if col not in table:
                raise ValidationError(f"grade-tonnage table has no column {col!r}")
        t = table.sort_values("cutoff")
        c = t["cutoff"].to_numpy(float)
        tn = t["tonnes"].to_numpy(float)
        g = np.nan_to_num(t["grade"].to_numpy(float))
        if np.any(np.diff(c) <= 0):
            raise ValidationError("grade-tonnage table: cut-offs must be distinct")
        if np.any(np.diff(tn) > 1e-9 * max(tn.max(), 1.0)) or np.any(tn < 0):
            raise ValidationError("grade-tonnage table: tonnes must be >= 0 and fall with cut-off")
        if waste_t < 0:
            raise ValidationError(f"waste_t must be >= 0, got {waste_t}")
        _frac(grade_unit)
        return cls(c, tn, tn * g, grade_unit, float(waste_t))

    @property
    def total_t(self) -> float:
        """Material to be mined: tonnes above the lowest cut-off plus waste. [t]"""
        return float(self.tonnes[0]) + self.waste_t

    def at(self, cutoff: float) -> tuple[float, float]:
        """Tonnes [t] and mean grade [grade_unit] above ``cutoff`` (linear between rows).

        Below the lowest tabulated cut-off the lowest row is used (nothing is known below it);
        above the highest, the highest.
        """
        c = float(np.clip(cutoff, self.cutoff[0], self.cutoff[-1]))
        tn = float(np.interp(c, self.cutoff, self.tonnes))
        mt = float(np.interp(c, self.cutoff, self.metal))
        return tn, (mt / tn if tn > 0 else float("nan"))


def table_from_blocks(
    grade: npt.ArrayLike, tonnes: npt.ArrayLike, grade_unit: str = "%", waste_t: float = 0.0
) -> GradeTonnage:
    """Exact cumulative distribution of a block model (one row per distinct block grade).

    Blocks with a missing grade are left out; pass their tonnage as ``waste_t`` if they
    must be mined.
    """
    g = np.asarray(grade, dtype=float)
    t = np.asarray(tonnes, dtype=float)
    ok = ~np.isnan(g)
    g, t = g[ok], t[ok]
    if g.size == 0:
        raise ValidationError("block model has no block with a grade")
    order = np.argsort(-g)
    gs, ts = g[order], t[order]
    cum_t, cum_m = np.cumsum(ts), np.cumsum(ts * gs)
    # last index of each distinct grade (descending) -> tonnes at or above it
    uniq, first = np.unique(-gs, return_index=True)
    last = np.r_[first[1:], gs.size] - 1
    cut = -uniq
    tab = pd.DataFrame({"cutoff": cut[::-1], "tonnes": cum_t[last][::-1]})
    tab["grade"] = cum_m[last][::-1] / tab["tonnes"].to_numpy()
    return GradeTonnage.from_table(tab, grade_unit, waste_t)


@dataclass
class MinePlan:
    """A mine plan at one cut-off.

    Attributes
    ----------
    cutoff : float
        Cut-off used. [grade_unit]
    ore_t, grade, metal_t : float
        Ore above the cut-off [t], its mean grade [grade_unit], contained metal [t].
    schedule : pandas.DataFrame
        ``year, ore_t, grade, metal_t`` at the mining rate (ramp-up applied).
    notes : list of str
        What was assumed or left out, in words.
    """

    cutoff: float
    ore_t: float
    grade: float
    grade_unit: str
    metal_t: float
    ore_tpa: float
    schedule: pd.DataFrame
    ramp_up: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_at_cutoff(
    gt: GradeTonnage,
    cutoff: float,
    ore_tpa: float,
    start_year: int,
    ramp_up: list[float] | None = None,
) -> MinePlan:
    """Tonnes and grade above ``cutoff`` scheduled at ``ore_tpa``.

    Parameters
    ----------
    gt : GradeTonnage
        The resource.
    cutoff : float
        Cut-off grade. [grade_unit]
    ore_tpa : float
        Mining (ore) rate at full production. [t/yr]
    start_year : int
        First production year.
    ramp_up : list of float, optional
        Fractions of ``ore_tpa`` in the first years.

    Returns
    -------
    MinePlan

    Notes
    -----
    Each year mines min(rate x ramp, ore left); the grade is the mean grade above the
    cut-off in every year (no grade sequencing: the table carries no spatial information).
    """
    if ore_tpa <= 0:
        raise ValidationError(f"ore_tpa must be > 0, got {ore_tpa}")
    ramp = list(ramp_up or [])
    if any(not 0 < f <= 1 for f in ramp):
        raise ValidationError("ramp_up fractions must be in (0, 1]")
    notes = []
    if cutoff < gt.cutoff[0] or cutoff > gt.cutoff[-1]:
        notes.append(
            f"cut-off {cutoff:.4g} {gt.grade_unit} is outside the table "
            f"({gt.cutoff[0]:.4g}-{gt.cutoff[-1]:.4g}); the nearest row is used"
        )
    elif not np.any(np.isclose(gt.cutoff, cutoff)):
        notes.append(
            f"cut-off {cutoff:.4g} {gt.grade_unit} lies between table rows; tonnes and metal "
            "interpolated linearly"
        )
    ore, grade = gt.at(cutoff)
    frac = _frac(gt.grade_unit)
    rows, left, i = [], ore, 0
    while left > 1e-9 * max(ore, 1.0):
        f = ramp[i] if i < len(ramp) else 1.0
        q = min(ore_tpa * f, left)
        rows.append(
            {"year": start_year + i, "ore_t": q, "grade": grade, "metal_t": q * grade * frac}
        )
        left -= q
        i += 1
    return MinePlan(
        cutoff=float(cutoff),
        ore_t=ore,
        grade=grade,
        grade_unit=gt.grade_unit,
        metal_t=ore * grade * frac if ore > 0 else 0.0,
        ore_tpa=float(ore_tpa),
        schedule=pd.DataFrame(rows, columns=["year", "ore_t", "grade", "metal_t"]),
        ramp_up=ramp,
        notes=notes,
    )


def production_inputs(plan: MinePlan, source: str = "assumption") -> dict[str, object]:
    """The ``production`` inputs of a ``kind: project`` spec for ``plan``.

    The project model mines ``ore_tpa`` x ramp every year of ``life_years``, so a partial last
    year cannot be represented: ``life_years`` counts whole scheduled years only and the ore
    of a partial last year is reported as ``unscheduled_ore_t`` (not dropped silently).
    """
    sch = plan.schedule
    q = sch["ore_t"].to_numpy(float)
    rate = np.array([plan.ramp_up[i] if i < len(plan.ramp_up) else 1.0 for i in range(len(q))])
    whole = len(q) - int(q.size > 0 and q[-1] < plan.ore_tpa * rate[-1] * (1 - 1e-9))
    if whole < 1:
        raise ValidationError(
            f"the ore above cut-off ({plan.ore_t:,.0f} t) is less than one year at the mining rate"
        )
    unscheduled = float(plan.ore_t - q[:whole].sum())
    note = f"mine plan at cut-off {plan.cutoff:.4g} {plan.grade_unit}"
    return {
        "start_year": {"value": int(sch["year"].iloc[0]), "source": source, "note": note},
        "life_years": {"value": whole, "source": source, "note": note},
        "ore_tpa": {"value": plan.ore_tpa, "source": source, "note": note},
        "grade": {"value": plan.grade * _frac(plan.grade_unit), "source": source, "note": note},
        "ramp_up": {"value": plan.ramp_up[:whole], "source": source, "note": note},
        "unscheduled_ore_t": unscheduled,
    }


def lane_cutoff(
    gt: GradeTonnage,
    *,
    price_per_t: float,
    recovery: float,
    mining_cost_per_t: float,
    processing_cost_per_t: float,
    fixed_cost_per_year: float,
    mining_capacity_tpa: float,
    mill_capacity_tpa: float,
    discount_rate: float,
    remaining_value: float,
    selling_cost_per_t: float = 0.0,
) -> dict[str, float]:
    """Lane's optimal cut-off with mine and mill capacities (no refinery limit).

    Parameters
    ----------
    gt : GradeTonnage
        Distribution of the material still to be mined.
    price_per_t, selling_cost_per_t : float
        Metal price p and selling cost k per t of recovered metal. [USD/t]
    recovery : float
        y. [-]
    mining_cost_per_t : float
        m, per t of material mined (ore and waste). [USD/t]
    processing_cost_per_t : float
        h, per t milled. [USD/t]
    fixed_cost_per_year : float
        f. [USD/yr]
    mining_capacity_tpa, mill_capacity_tpa : float
        M (material) and H (ore). [t/yr]
    discount_rate : float
        δ. [1/yr]
    remaining_value : float
        V, the NPV of the operation still to come (Lane's opportunity cost is δV). [USD]

    Returns
    -------
    dict
        ``g_mine``, ``g_mill``, ``g_balance`` and ``cutoff`` (the optimum). [grade_unit]

    Notes
    -----
    Lane (1988), with a = (p - k) y x (mass fraction of one grade unit):
    mine-limited g_m = h / a; mill-limited g_h = (h + (f + δV) / H) / a; balancing g_mh is the
    cut-off at which the ore share of the material equals H / M. The optimum is the median of
    the three (Lane's rule for two capacities).
    """
    a = (price_per_t - selling_cost_per_t) * recovery * _frac(gt.grade_unit)
    if a <= 0:
        raise ValidationError("price net of selling costs must be > 0")
    if mining_capacity_tpa <= 0 or mill_capacity_tpa <= 0:
        raise ValidationError("capacities must be > 0")
    g_m = processing_cost_per_t / a
    g_h = (
        processing_cost_per_t
        + (fixed_cost_per_year + discount_rate * remaining_value) / mill_capacity_tpa
    ) / a
    target = mill_capacity_tpa / mining_capacity_tpa
    lo, hi = float(gt.cutoff[0]), float(gt.cutoff[-1])

    def share(c: float) -> float:
        return gt.at(c)[0] / gt.total_t

    if share(lo) <= target:
        g_mh = lo
    elif share(hi) >= target:
        g_mh = hi
    else:
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if share(mid) > target else (lo, mid)
        g_mh = 0.5 * (lo + hi)
    return {
        "g_mine": g_m,
        "g_mill": g_h,
        "g_balance": g_mh,
        "cutoff": float(np.median([g_m, g_h, g_mh])),
    }


@dataclass
class LanePlan:
    """Result of :func:`lane_plan`: the schedule with the cut-off of each year."""

    schedule: pd.DataFrame
    npv: float
    iterations: int
    converged: bool
    notes: list[str] = field(default_factory=list)


def lane_plan(
    gt: GradeTonnage,
    *,
    price_per_t: float,
    recovery: float,
    mining_cost_per_t: float,
    processing_cost_per_t: float,
    fixed_cost_per_year: float,
    mining_capacity_tpa: float,
    mill_capacity_tpa: float,
    discount_rate: float,
    selling_cost_per_t: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-6,
    max_years: int = 200,
) -> LanePlan:
    """Lane's iterative cut-off policy: year-by-year cut-offs and the NPV they give.

    Notes
    -----
    Lane's assumption: every tonne mined is drawn from the same distribution ``gt``. Start
    with V = 0 in every year; each year take G_t from :func:`lane_cutoff` with V_t, mine
    Q_t = min(M, H / x(G_t), material left) with x the ore share above G_t, mill x Q_t,
    profit P_t = (p - k) y g(G_t) x Q_t - h x Q_t - m Q_t - f; then
    V_t = Σ_{s>=t} P_s / (1 + δ)^(s - t + 1) (end-of-year flows), and repeat until V moves
    by less than ``tol`` (relative). The plan's NPV is V_0.
    """
    frac = _frac(gt.grade_unit)
    a_metal = (price_per_t - selling_cost_per_t) * recovery
    n_guess = max_years
    values = np.zeros(n_guess + 1)
    sched = pd.DataFrame()
    converged, it = False, 0
    for it in range(1, max_iter + 1):  # noqa: B007
        rows, left, t = [], gt.total_t, 0
        while left > 1e-9 * gt.total_t and t < max_years:
            lc = lane_cutoff(
                gt,
                price_per_t=price_per_t,
                recovery=recovery,
                mining_cost_per_t=mining_cost_per_t,
                processing_cost_per_t=processing_cost_per_t,
                fixed_cost_per_year=fixed_cost_per_year,
                mining_capacity_tpa=mining_capacity_tpa,
                mill_capacity_tpa=mill_capacity_tpa,
                discount_rate=discount_rate,
                remaining_value=float(values[t]),
                selling_cost_per_t=selling_cost_per_t,
            )
            g = lc["cutoff"]
            ore_above, grade = gt.at(g)
            x = ore_above / gt.total_t
            q = min(mining_capacity_tpa, mill_capacity_tpa / x if x > 0 else math.inf, left)
            ore = x * q
            profit = (
                a_metal * grade * frac * ore
                - processing_cost_per_t * ore
                - mining_cost_per_t * q
                - fixed_cost_per_year
            )
            rows.append(
                {
                    "year": t + 1,
                    "cutoff": g,
                    "material_t": q,
                    "ore_t": ore,
                    "grade": grade,
                    "metal_t": ore * grade * frac * recovery,
                    "profit": profit,
                }
            )
            left -= q
            t += 1
        sched = pd.DataFrame(rows)
        p = sched["profit"].to_numpy()
        new = np.zeros(n_guess + 1)
        acc = 0.0
        for s in range(len(p) - 1, -1, -1):
            acc = (acc + p[s]) / (1 + discount_rate)
            new[s] = acc
        change = float(np.max(np.abs(new - values)))
        values = new
        if change <= tol * max(abs(values[0]), 1.0):
            converged = True
            break
    sched["remaining_value"] = values[: len(sched)]
    notes = [] if converged else [f"Lane iteration did not converge in {max_iter} rounds"]
    return LanePlan(sched, float(values[0]), it, converged, notes)
