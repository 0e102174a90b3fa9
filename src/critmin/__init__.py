"""critmin: critical-minerals intelligence from sourced data.

Markets
    :func:`production`, :func:`rank` (with what-if additions), :func:`concentration`
    (HHI, CR1, CR3), :func:`reserves_to_production`, :func:`country`.
Prices
    :func:`price`, :func:`price_change`, :func:`price_series`.
Data
    :func:`commodities`, :func:`sources`, :func:`revisions`, :class:`Store`.
Supply risk, scenarios, deposits, valuation, claims (imported on first use)
    :func:`supply_risk` (EU CRM, USGS 2021, GeoPolRisk, HHI), :func:`run_scenario`,
    :func:`run_deposit` (drillholes to a classified resource), :func:`value_project`,
    :func:`value_deposit`, :func:`check_claims`, :func:`brief`.
Errors
    :class:`CritminError` and its subclasses in :mod:`critmin.errors`.

Subpackages: :mod:`critmin.data` (schema, readers, store), :mod:`critmin.markets`
(pure analytics), the domain modules, and the command line and HTTP interfaces on top
(see docs/architecture.md).
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

#: Entry points of the domain modules, imported on first use (they load NumPy,
#: SciPy or numba, which a simple market query does not need).
_LAZY = {
    "supply_risk": ("critmin.risk", "supply_risk"),
    "run_scenario": ("critmin.scenarios", "run_scenario"),
    "run_deposit": ("critmin.geostats", "run_spec"),
    "value_project": ("critmin.valuation", "value_project"),
    "value_deposit": ("critmin.valuation", "value_deposit"),
    "check_claims": ("critmin.claims", "check_claims"),
    "brief": ("critmin.report.brief", "brief"),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'critmin' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "CritminError",
    "Store",
    "__version__",
    "brief",
    "check_claims",
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
    "run_deposit",
    "run_scenario",
    "sources",
    "supply_risk",
    "value_deposit",
    "value_project",
]
