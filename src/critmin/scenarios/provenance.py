"""Provenance: the source of every scenario input as text, and the assumptions table.

A source reference is written in the scenario file as ``assumption``, ``facts:<line>``
(a line of the bundled facts table), a key of the scenario's ``sources`` or free text;
:func:`source_text` expands it to a full citation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from critmin.params import ASSUMPTION, assumption_row, assumption_rows, assumptions_frame
from critmin.scenarios.spec import ScenarioSpec, bundled_facts, iter_params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.scenarios.calibration import Prepared

__all__ = ["assumptions_table", "source_text"]


def source_text(src: str, spec: ScenarioSpec) -> str:
    """Full citation of a source reference.

    Parameters
    ----------
    src : str
        The reference as written in the scenario: ``assumption``, ``facts:38`` (or
        ``facts:38,40``), a key of ``spec.sources`` or free text.
    spec : ScenarioSpec
        The scenario (for its ``sources``).

    Returns
    -------
    str
        ``assumption``, the facts-table lines with source and URL, the source's title
        (and URL), or the reference itself.
    """
    s = src.strip()
    if s.lower() == "assumption":
        return "assumption"
    if s.startswith("facts:"):
        facts = bundled_facts()
        parts = []
        for n in (int(x) for x in s[6:].split(",")):
            r = facts[n]
            parts.append(f"facts.csv line {n}: {r['source']} ({r['url']})")
        return "; ".join(parts)
    if s in spec.sources:
        src_ = spec.sources[s]
        return f"{src_.title}" + (f" ({src_.url})" if src_.url else "")
    return s


def assumptions_table(prep: Prepared) -> pd.DataFrame:
    """Every input of a calibrated scenario with its value, unit and source.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.

    Returns
    -------
    pandas.DataFrame
        :data:`critmin.params.ASSUMPTION_COLUMNS`: ``name``, ``value``, ``unit``,
        ``source`` (as written in the file: ``facts:38``, or ``assumption``),
        ``source_title`` (the full citation), ``assumption`` (bool), ``note``:
        the scenario's parameters, the price ceiling, the model's structural
        assumptions and the baseline output of each producer [t/yr].
    """
    spec = prep.spec
    rows = assumption_rows(iter_params(spec), lambda ref: source_text(ref, spec))
    rows.append(
        assumption_row(
            "parameters.price_ceiling_ratio",
            f"{spec.parameters.price_ceiling_ratio:g}",
            "x baseline price",
            ASSUMPTION,
            note="prices stop here; demand beyond supply at the ceiling is unmet",
        )
    )
    model_rows = [
        (
            "model.supply_form",
            "S = min(S0 x^eps_s, K)(1 - outage)",
            "constant elasticity, capped by capacity",
        ),
        (
            "model.new_capacity",
            "price-inelastic at ramped capacity",
            "new plants sell all they make",
        ),
        (
            "model.destinations",
            "third countries take no more than their baseline flow",
            "except via leakage",
        ),
        ("model.demand_growth", "none unless a demand_growth shock is given", ""),
    ]
    for name, v, note in model_rows:
        rows.append(assumption_row(name, v, "", ASSUMPTION, note=note))
    for _, r in prep.producers.iterrows():
        cap = r["capacity_t"]
        from_spec = str(r["source"]).startswith("spec ")
        rows.append(
            assumption_row(
                f"baseline.production.{r['iso3']}",
                f"{r['production_t']:g}",
                "t/yr",
                "spec" if from_spec else "store",
                str(r["source"]),
                f"capacity {cap:g} t/yr" if cap == cap else "",
            )
        )
    return assumptions_frame(rows)
