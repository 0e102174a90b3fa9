"""``production.mine_plan`` in a project spec: take a deposit spec's resource as the resource.

A ``kind: project`` spec may replace ``ore_tpa``, ``grade``, ``life_years`` and ``start_year``
by a mine plan built from the resource table that ``critmin deposit estimate`` writes
(``resource.csv``: ``cutoff, class, tonnes, grade, grade_unit, ...``) or from any cumulative
grade-tonnage CSV (``cutoff, tonnes, grade``)::

    production:
      basis: ore
      recovery: {value: 0.7, source: assumption}
      payability: {value: 0.92, source: assumption}
      mine_plan:
        resource: {path: out/resource.csv, class: measured+indicated, source: estimate}
        cutoff: breakeven            # or {value: 0.3, source: ...} in the table's grade unit
        cutoff_cost_per_t_ore: {value: 25, source: assumption}
        price: {value: 30000, unit: USD/t, source: lme}
        ore_tpa: {value: 3000000, source: assumption}
        start_year: {value: 2030, source: assumption}

:func:`expand_mine_plan` computes the plan (:mod:`critmin.valuation.mineplan`), fills the
four production inputs with source ``mine_plan`` and adds a ``mine_plan`` entry to ``sources``
that states the file, the class, the cut-off and how it was obtained, the tonnes and grade
above it and any ore a partial last year leaves unscheduled.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import SpecError
from critmin.units import convert
from critmin.valuation.mineplan import GradeTonnage, breakeven_cutoff, plan_at_cutoff
from critmin.valuation.mineplan import production_inputs as _production_inputs

__all__ = ["expand_mine_plan"]


def _val(block: Any, path: str, field: str) -> float:
    if isinstance(block, dict):
        block = block.get("value")
    if not isinstance(block, int | float) or isinstance(block, bool):
        raise SpecError(path, f"needs a number, got {block!r}", field=field)
    return float(block)


def _read_table(path: str, res: dict[str, Any], base: Path) -> tuple[pd.DataFrame, str, str]:
    f = Path(res.get("path", ""))
    if not f.is_absolute():
        f = base / f
    if not f.is_file():
        raise SpecError(
            path, f"resource file not found: {f}", field="production.mine_plan.resource.path"
        )
    table = pd.read_csv(f)
    where = f"{f.name}"
    if "class" in table:
        cls = res.get("class", "measured+indicated")
        table = table[table["class"] == cls]
        if table.empty:
            raise SpecError(
                path,
                f"no rows of class {cls!r} in {f.name}",
                field="production.mine_plan.resource.class",
            )
        where += f", class {cls}"
    unit = str(
        res.get("grade_unit") or (table["grade_unit"].iloc[0] if "grade_unit" in table else "%")
    )
    return table, unit, where


def expand_mine_plan(data: dict[str, Any], path: str) -> dict[str, Any]:
    """Return a copy of a project mapping with ``production.mine_plan`` turned into inputs.

    Parameters
    ----------
    data : dict
        The parsed YAML mapping of a ``kind: project`` spec.
    path : str
        The spec file (relative resource paths are resolved against its folder).

    Returns
    -------
    dict
        The mapping with ``production.ore_tpa``, ``grade`` (mass fraction), ``life_years`` and
        ``start_year`` set, ``mine_plan`` removed and ``sources.mine_plan`` added.

    Raises
    ------
    SpecError
        A missing file or field, naming the field.

    Notes
    -----
    Break-even cut-off c = cost / ((price - selling cost) x recovery x payability), with the
    recovery and payability of the ``production`` block
    (:func:`critmin.valuation.mineplan.breakeven_cutoff`).
    """
    out = copy.deepcopy(data)
    prod = out.get("production") or {}
    mp = prod.pop("mine_plan")
    if not isinstance(mp, dict):
        raise SpecError(path, "must be a mapping", field="production.mine_plan")
    base = Path(path).resolve().parent if path != "<spec>" else Path.cwd()
    res = mp.get("resource")
    if not isinstance(res, dict):
        raise SpecError(
            path, "needs resource: {path, class}", field="production.mine_plan.resource"
        )
    table, unit, where = _read_table(path, res, base)
    try:
        gt = GradeTonnage.from_table(table, unit, waste_t=float(mp.get("waste_t", 0.0)))
    except Exception as exc:  # critmin ValidationError: name the field
        raise SpecError(path, str(exc), field="production.mine_plan.resource") from None
    cut = mp.get("cutoff", "breakeven")
    if cut == "breakeven":
        price = mp.get("price")
        if not isinstance(price, dict):
            raise SpecError(
                path,
                "breakeven cut-off needs price: {value, unit, source}",
                field="production.mine_plan.price",
            )
        p_t = convert(
            _val(price, path, "production.mine_plan.price"),
            str(price.get("unit", "USD/t")),
            "USD/t",
        )
        rec = _val(prod.get("recovery"), path, "production.recovery")
        pay = _val(prod.get("payability", 1.0), path, "production.payability")
        cost = _val(
            mp.get("cutoff_cost_per_t_ore"), path, "production.mine_plan.cutoff_cost_per_t_ore"
        )
        sell = _val(
            mp.get("selling_cost_per_t", 0.0), path, "production.mine_plan.selling_cost_per_t"
        )
        cutoff = breakeven_cutoff(cost, p_t, rec, pay, sell, unit)
        how = f"break-even {cost:g} USD/t ore / (({p_t:,.0f} - {sell:g}) USD/t x {rec:g} x {pay:g})"
    else:
        cutoff = _val(cut, path, "production.mine_plan.cutoff")
        how = "given"
    ore_tpa = _val(mp.get("ore_tpa"), path, "production.mine_plan.ore_tpa")
    start = int(_val(mp.get("start_year"), path, "production.mine_plan.start_year"))
    ramp = prod.get("ramp_up")
    ramp_v = ramp.get("value") if isinstance(ramp, dict) else ramp
    try:
        plan = plan_at_cutoff(gt, cutoff, ore_tpa, start, list(ramp_v or []))
        inputs = _production_inputs(plan, source="mine_plan")
    except Exception as exc:
        raise SpecError(path, str(exc), field="production.mine_plan") from None
    unscheduled = float(inputs.pop("unscheduled_ore_t"))  # type: ignore[arg-type]
    inputs.pop("ramp_up")
    for k, v in inputs.items():
        prod[k] = v
    prod["basis"] = "ore"
    out["production"] = prod
    src = dict(out.get("sources") or {})
    note = (
        f"{where}: cut-off {cutoff:.4g} {unit} ({how}); {plan.ore_t:,.0f} t at "
        f"{plan.grade:.4g} {unit} ({plan.metal_t:,.0f} t metal) scheduled at {ore_tpa:,.0f} t/yr "
        f"from {start}"
    )
    if unscheduled > 0:
        note += f"; {unscheduled:,.0f} t in a partial last year left unscheduled"
    if plan.notes:
        note += "; " + "; ".join(plan.notes)
    cites = [
        str(x.get("source"))
        for x in (res, mp.get("price") or {})
        if isinstance(x, dict) and x.get("source")
    ]
    src["mine_plan"] = {
        "title": "Mine plan from the resource (critmin.valuation.mineplan)"
        + (f", inputs cited as {', '.join(cites)}" if cites else ""),
        "path": str(res.get("path")),
        "note": note,
    }
    out["sources"] = src
    if not np.isfinite(plan.grade):
        raise SpecError(
            path, f"no ore above the cut-off {cutoff:.4g} {unit}", field="production.mine_plan"
        )
    return out
