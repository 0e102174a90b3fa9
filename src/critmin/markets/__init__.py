"""Market analytics as pure functions over DataFrames (no database import).

- :func:`shares` — each producer's share of a production table.
- :func:`rank` — ranked producers, with what-if additions and removals.
- :func:`hhi`, :func:`concentration` — Herfindahl-Hirschman index (0-10,000), CR1, CR3.
- :func:`reserves_to_production` — reserve life in years.
- :func:`annual_average`, :func:`price_change` — annual means, ratio and CAGR of a price series.
- :func:`country_profile` — commodities where a country ranks in the top N.
- :func:`commodity_overview` — one commodity's default table, concentration, editions.

The record-level core (:mod:`critmin.markets._core`) works on lists of row dicts;
names are imported lazily so that the core does not pull in pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from critmin.markets.overview import commodity_overview
    from critmin.markets.prices import annual_average, price_change
    from critmin.markets.profile import country_profile, reserves_to_production
    from critmin.markets.structure import concentration, hhi, rank, shares

__all__ = [
    "annual_average",
    "commodity_overview",
    "concentration",
    "country_profile",
    "hhi",
    "price_change",
    "rank",
    "reserves_to_production",
    "shares",
]

_WHERE = {
    "concentration": "structure",
    "hhi": "structure",
    "rank": "structure",
    "shares": "structure",
    "annual_average": "prices",
    "price_change": "prices",
    "country_profile": "profile",
    "reserves_to_production": "profile",
    "commodity_overview": "overview",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"critmin.markets.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'critmin.markets' has no attribute {name!r}")
