"""Market analytics as pure functions over DataFrames (no database import).

- :func:`shares` — each producer's share of a production table.
- :func:`rank` — ranked producers, with what-if additions and removals.
- :func:`hhi`, :func:`concentration` — Herfindahl-Hirschman index (0-10,000), CR1, CR3.
- :func:`reserves_to_production` — reserve life in years.
- :func:`annual_average`, :func:`price_change` — annual means, ratio and CAGR of a price series.
- :func:`country_profile` — commodities where a country ranks in the top N.
"""

from critmin.markets.concentration import concentration, hhi, rank, shares
from critmin.markets.prices import annual_average, price_change
from critmin.markets.profile import country_profile, reserves_to_production

__all__ = [
    "annual_average",
    "concentration",
    "country_profile",
    "hhi",
    "price_change",
    "rank",
    "reserves_to_production",
    "shares",
]
