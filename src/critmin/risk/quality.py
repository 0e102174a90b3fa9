"""Data-quality grades and structural alternatives of supply-risk rows.

Pure: works on :class:`~critmin.risk.config.Stage` objects; no store access.

Data-quality grade
    Each method's formula has a fixed list of inputs (below). Every input gets a
    placeholder fraction in [0, 1]: 1 when it is a ``parameters.yaml`` default, a
    stand-in (world exports for production, global supply for sourcing, a pooled HS
    code, the WGI for the USGS governance score), the share of the central supply
    resting on withheld producers' B/2 otherwise. The row's placeholder share is the
    mean over the inputs (equal weights), graded A (<= 0.2), B (<= 0.4), C (<= 0.6),
    D (> 0.6). A share above 0.5 marks the row ``placeholder-dominated``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from critmin.errors import ValidationError
from critmin.risk.config import Governance, Stage, mapping

__all__ = ["DOMESTIC", "grade", "placeholder_parts", "resolve_domestic", "structural"]

DOMESTIC = ("auto", "own_governance", "secure")

_GRADES = ((0.2, "A"), (0.4, "B"), (0.6, "C"), (1.0, "D"))


def resolve_domestic(convention: str, label: str) -> str:
    """The domestic-supply convention used for an importer.

    ``auto`` gives ``own_governance`` for the EU27 (the EU method's own definition:
    member states weighted by their WGI with t = 0.8) and ``secure`` for any other
    importer (its own production adds no sourcing risk).
    """
    if convention not in DOMESTIC:
        raise ValidationError(f"domestic must be one of {list(DOMESTIC)}, not {convention!r}")
    if convention != "auto":
        return convention
    return "own_governance" if label.upper() == "EU27" else "secure"


def _pooled(stage: Stage) -> bool:
    codes = mapping().get("hs6") or {}
    return stage.hs6 is not None and bool(codes.get(stage.hs6, {}).get("pools"))


def placeholder_parts(stage: Stage, method: str) -> dict[str, float]:
    """Placeholder fraction of each input of one stage for one method.

    Returns
    -------
    dict of str to float
        Input name to its placeholder fraction. [0-1]
    """
    gs = stage.global_supply
    g = 1.0 if stage.global_basis != "production" else gs.withheld_share()
    src = 1.0 if stage.imports is None or _pooled(stage) else 0.0
    ir = 1.0 if stage.import_reliance.default else 0.0
    if method in ("eu", "eu2020"):
        return {
            "global_supply": g,
            "sourcing": 0.0 if stage.sourcing is not None else src,
            "import_reliance": ir,
            "eol_rir": 1.0 if stage.params["eol_rir"].default else 0.0,
            "si_sr": 1.0 if stage.params["si_sr"].default else 0.0,
        }
    if method == "usgs":
        return {
            "global_supply": g,
            "governance_score": 1.0,  # WGI stands in for WGI + Fraser PPI + trade ties
            "import_reliance": ir,
            "economic_vulnerability": 1.0
            if stage.params["economic_vulnerability"].default
            else 0.0,
        }
    if method == "geopolrisk":
        return {
            "global_supply": g,
            "import_shares": src,
            "import_fraction": 1.0,  # IR stands in for F / (P + F)
        }
    return {"global_supply": g}


def grade(parts: Mapping[str, float]) -> tuple[float, str]:
    """Placeholder share (mean of the parts) and its letter grade."""
    share = float(np.mean(list(parts.values()))) if parts else 0.0
    letter = next(g for lim, g in _GRADES if share <= lim + 1e-12)
    return share, letter


def structural(
    stages: Sequence[Stage],
    gov: Governance,
    methods: Sequence[str],
    trade_factors: Mapping[str, float] | None,
) -> dict[str, dict[str, float]]:
    """Point values of one commodity under the alternatives the methods leave open.

    Alternatives: each assessed stage alone (the EU 2023 rule takes the highest); for
    a stage sourced from BACI imports, sourcing from production shares instead (and
    for a pooled code kept aside, sourcing from it); for an importer with domestic
    production, the other domestic-supply convention.

    Returns
    -------
    dict
        Method to {alternative (in words): commodity value under it}; empty for ``hhi``.
    """
    from critmin.risk.engine import evaluate
    from critmin.risk.uncertainty import combine_stages

    alts: dict[str, list[Stage]] = {}
    if len(stages) > 1:
        for s in stages:
            alts[f"{s.stage} stage only"] = [s]
    for i, s in enumerate(stages):
        alt = copy.copy(s)
        if s.sourcing is not None:
            alt.sourcing = None
            name = f"{s.stage}: EC fallback instead of the 2023 study's EU sourcing"
        elif s.imports is not None:
            alt.imports = None
            name = f"{s.stage}: sourcing from production shares instead of BACI {s.hs6}"
        elif s.alt_imports is not None:
            alt.imports = s.alt_imports
            name = f"{s.stage}: sourcing from pooled BACI {s.hs6} imports"
        else:
            continue
        alts[name] = [alt if j == i else x for j, x in enumerate(stages)]
    if any(np.isin(s.global_supply.iso3, s.members).any() for s in stages):
        other = "secure" if stages[0].domestic == "own_governance" else "own_governance"
        sl = []
        for s in stages:
            a = copy.copy(s)
            a.domestic = other
            sl.append(a)
        alts[f"domestic supply {other}"] = sl
    cache: dict[int, dict[str, Any]] = {}

    def ev(s: Stage) -> dict[str, Any]:
        if id(s) not in cache:
            cache[id(s)] = evaluate(s, gov, 1, None, None, None, trade_factors)
        return cache[id(s)]

    out: dict[str, dict[str, float]] = {}
    for meth in methods:
        out[meth] = {}
        if meth == "hhi":
            continue
        key = "eu" if meth == "eu2020" else meth
        for name, sl in alts.items():
            if meth == "eu2020" and name.endswith("stage only"):
                continue
            v, _ = combine_stages([ev(s)[key] for s in sl], meth)
            out[meth][name] = float(v[0])
    return out


def describe_parts(parts: Mapping[str, float]) -> list[str]:
    """Inputs resting (partly) on placeholders, in words."""
    return [f"{k} {v:.0%}" for k, v in parts.items() if v > 0]


def summary(stage: Stage, method: str) -> dict[str, Any]:
    """``placeholder_share``, ``quality`` (A-D), ``placeholders`` and ``quality_flag``."""
    parts = placeholder_parts(stage, method)
    share, letter = grade(parts)
    return {
        "placeholder_share": share,
        "quality": letter,
        "placeholders": describe_parts(parts),
        "quality_flag": "placeholder-dominated" if share > 0.5 else "",
    }
