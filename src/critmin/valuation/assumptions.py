"""Assumptions register: every input of a project or deposit spec with its unit and source.

Shared by :mod:`~critmin.valuation.project` and :mod:`~critmin.valuation.deposit`
(neither imports the other for it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from critmin.params import assumption_row, assumptions_frame
from critmin.valuation.pricespec import ScenarioDeck
from critmin.valuation.spec import CsvDeck, DepositSpec, ProjectSpec, field_unit, iter_inputs

__all__ = ["assumptions_table"]


def assumptions_table(spec: ProjectSpec | DepositSpec, only: str | None = None) -> pd.DataFrame:
    """Every input of a spec with its unit, source and whether it is an assumption.

    Parameters
    ----------
    spec : ProjectSpec or DepositSpec
        The spec.
    only : str, optional
        Keep inputs whose field path starts with this prefix (e.g. ``"deposit"``).

    Returns
    -------
    pandas.DataFrame
        :data:`critmin.params.ASSUMPTION_COLUMNS`: ``name`` (field path), ``value``,
        ``unit``, ``source`` (``assumption`` or the source key), ``source_title``,
        ``assumption`` (bool), ``note``. Only inputs
        written in the file are listed; defaults (zero costs, recovery 1...) are not.
    """
    rows = []
    price_unit = getattr(getattr(spec, "price", None), "unit", "USD/t")
    for path, inp in iter_inputs(spec, explicit_only=True):
        if only and not path.startswith(only):
            continue
        parent: Any = spec
        parts = path.split(".")
        for part in parts[:-1]:
            parent = parent[int(part)] if part.isdigit() else getattr(parent, part)
        unit = field_unit(parent, parts[-1])
        if unit == "price unit":
            unit = getattr(parent, "unit", price_unit) if hasattr(parent, "unit") else price_unit
        elif unit == "price unit by year":
            unit = f"{price_unit} by year"
        v = inp.value
        value = (
            ", ".join(f"{k}: {x:,.6g}" for k, x in v.items())
            if isinstance(v, dict)
            else (", ".join(f"{x:g}" for x in v) if isinstance(v, list) else v)
        )
        src = spec.sources.get(inp.source)
        rows.append(
            assumption_row(
                path,
                str(value) if not isinstance(value, int | float) else value,
                unit,
                inp.source,
                src.title if src is not None else "",
                inp.note,
            )
        )
    price = getattr(spec, "price", None)
    if price is not None and only is None:
        extra = []
        if isinstance(price.deck, CsvDeck):
            extra.append(("price.deck.path", price.deck.path, price.deck.source, price.deck.note))
        if isinstance(price.deck, ScenarioDeck):
            d = price.deck
            extra.append(
                (
                    "price.deck.scenario",
                    f"{d.spec} ({d.market}, {d.statistic}, {d.draws} draws, seed {d.seed})",
                    d.source,
                    d.note,
                )
            )
        if price.model is not None and price.model.history is not None:
            h = price.model.history
            extra.append(
                (
                    "price.model.history",
                    h.path or f"store:{h.series}",
                    h.source,
                    f"unit {h.unit or 'from store'}; years {h.start or 'first'}-{h.end or 'last'}",
                )
            )
        for name, value, source, note in extra:
            src = spec.sources.get(source)
            rows.append(assumption_row(name, value, "", source, src.title if src else "", note))
    return assumptions_frame(rows)
