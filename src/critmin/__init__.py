"""critmin: critical-minerals intelligence from sourced data.

Markets
    :func:`production`, :func:`rank` (with what-if additions), :func:`concentration`
    (HHI, CR1, CR3), :func:`reserves_to_production`, :func:`country`.
Prices
    :func:`price`, :func:`price_change`, :func:`price_series`.
Data
    :func:`commodities`, :func:`sources`, :func:`revisions`, :class:`Store`.
Errors
    :class:`CritminError` and its subclasses in :mod:`critmin.errors`.

Subpackages: :mod:`critmin.data` (schema, readers, store), :mod:`critmin.markets`
(pure analytics), :mod:`critmin.cli`, and the domain modules as they land.
"""

from critmin._api import (
    commodities,
    concentration,
    country,
    price,
    price_change,
    price_series,
    production,
    rank,
    reserves_to_production,
    resolve_commodity,
    resolve_country,
    revisions,
    sources,
)
from critmin.data.store import Store
from critmin.errors import CritminError

__version__ = "0.1.0"

__all__ = [
    "CritminError",
    "Store",
    "__version__",
    "commodities",
    "concentration",
    "country",
    "price",
    "price_change",
    "price_series",
    "production",
    "rank",
    "reserves_to_production",
    "resolve_commodity",
    "resolve_country",
    "revisions",
    "sources",
]
