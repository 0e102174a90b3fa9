"""Commodity overview: the summary the dashboard's commodity page starts from.

A pure function over tables the caller has already read (registry row, default
production table, concentration, price series, editions); no database import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["commodity_overview"]


def commodity_overview(
    registry: Mapping[str, Any],
    production: pd.DataFrame | None,
    concentration: Mapping[str, Any] | None,
    price_series: list[dict[str, Any]],
    editions: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Summarise one commodity.

    Parameters
    ----------
    registry : mapping
        The commodity's registry row (JSON-ready), copied to the top of the result.
    production : pandas.DataFrame or None
        Its default production table, with ``attrs`` ``measure``, ``product`` and
        ``year`` [year] and columns ``unit``, ``edition``, ``source_id``; ``None`` when
        there is none.
    concentration : mapping or None
        Its concentration row (HHI, CR1, CR3...), or ``None``.
    price_series : list of dict
        Its price series (series, unit, frequency, first, last, source_id).
    editions : sequence of mapping
        Rows with ``measure`` and ``edition`` (see
        :meth:`critmin.data.store.Store.observation_editions`).

    Returns
    -------
    dict
        The registry fields, then ``table`` (``measure``, ``product``, ``year``,
        ``unit`` (the first one), ``editions`` and ``source_ids`` of the production
        table, or ``None``), ``concentration``, ``price_series``, ``editions`` (every
        edition reporting the commodity, sorted) and ``has_reserves`` (bool).
    """
    out: dict[str, Any] = {**registry, "table": None, "concentration": None}
    if production is not None:
        a = production.attrs
        units = production["unit"].dropna().unique().tolist()
        out["table"] = {
            "measure": a["measure"],
            "product": a["product"],
            "year": a["year"],
            "unit": units[0] if units else None,
            "editions": sorted({str(e) for e in production["edition"].dropna()}),
            "source_ids": sorted({str(s) for s in production["source_id"].dropna()}),
        }
    if concentration is not None:
        out["concentration"] = dict(concentration)
    out["price_series"] = price_series
    out["editions"] = sorted({str(r["edition"]) for r in editions})
    out["has_reserves"] = any(r["measure"] == "reserves" for r in editions)
    return out
