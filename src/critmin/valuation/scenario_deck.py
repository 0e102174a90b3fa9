"""Price decks taken directly from a scenario run (issue 18, item 2): no CSV hop.

:func:`scenario_price_series` turns a :class:`critmin.scenarios.results.ScenarioResult`
into an annual price series in USD/t; :func:`run_scenario_deck` runs the scenario named by a
``price.deck: {kind: scenario, ...}`` block and returns that series for
:func:`critmin.valuation.deck.price_deck`. :func:`series_deck` gives a ``kind: series`` deck
mapping for a result already in memory (``spec.model_copy`` or a YAML dump).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from critmin.errors import ValidationError
from critmin.units import convert

if TYPE_CHECKING:  # pragma: no cover
    from critmin.scenarios.results import ScenarioResult
    from critmin.valuation.pricespec import ScenarioDeck

__all__ = ["run_scenario_deck", "scenario_price_series", "series_deck"]

_STATS = ("price", "p5", "p50", "p95")


def scenario_price_series(
    result: ScenarioResult, market: str, statistic: str = "price"
) -> tuple[pd.Series, str]:
    """Annual prices of one market of a scenario run.

    Parameters
    ----------
    result : ScenarioResult
        Output of :func:`critmin.scenarios.run_scenario`.
    market : str
        Market name in ``result.price_bands`` (e.g. ``ROW``, ``CHN``).
    statistic : {"price", "p5", "p50", "p95"}
        Central run or a Monte Carlo percentile (per period).

    Returns
    -------
    tuple of (pandas.Series, str)
        Price by integer year [USD/t] and a label that says what was taken, including
        years with fewer than 12 months (their mean covers only those months).

    Notes
    -----
    Monthly periods (``YYYY-MM``) are averaged by year, as for a CSV deck. For a percentile
    this is the mean of the monthly percentiles, not the percentile of annual means.
    """
    if statistic not in _STATS:
        raise ValidationError(f"statistic must be one of {_STATS}, got {statistic!r}")
    bands = result.price_bands
    rows = bands[bands["market"] == market]
    if rows.empty:
        have = ", ".join(sorted(map(str, bands["market"].unique())))
        raise ValidationError(f"scenario has no market {market!r} (markets: {have})")
    col = rows[statistic].astype(float)
    if col.isna().all():
        raise ValidationError(f"scenario market {market!r} has no {statistic!r} (run with draws?)")
    units = rows["unit"].unique()
    if len(units) != 1:
        raise ValidationError(f"scenario market {market!r} mixes price units {list(units)}")
    f = convert(1.0, str(units[0]), "USD/t")
    period = rows["period"].astype(str)
    years = period.str.slice(0, 4).astype(int).to_numpy()
    monthly = bool(period.str.fullmatch(r"\d{4}-\d{2}").all())
    df = pd.DataFrame({"year": years, "v": col.to_numpy() * f}).dropna()
    s = df.groupby("year")["v"].mean()
    s.index = s.index.astype(int)
    label = (
        f"scenario {result.spec.name!r}, market {market}, "
        f"{'central run' if statistic == 'price' else statistic + ' of ' + str(result.draws) + ' draws'}"
    )
    if monthly:
        counts = df.groupby("year").size()
        part = [f"{y} ({n} months)" for y, n in counts.items() if n < 12]
        if part:
            label += "; partial years averaged over their months: " + ", ".join(part)
    return s, label


def run_scenario_deck(deck: ScenarioDeck, base_dir: Path) -> tuple[pd.Series, str]:
    """Run the scenario of a ``kind: scenario`` deck and return its annual prices [USD/t]."""
    from critmin.scenarios import run_scenario

    path = Path(deck.spec)
    if not path.is_absolute():
        path = base_dir / path
    res = run_scenario(path, draws=deck.draws, seed=deck.seed)
    s, label = scenario_price_series(res, deck.market, deck.statistic)
    return s, f"{label} (seed {deck.seed}, run in-process from {deck.spec})"


def series_deck(
    result: ScenarioResult, market: str, statistic: str = "price", source: str = "assumption"
) -> dict[str, Any]:
    """A ``price.deck`` mapping of kind ``series`` (USD/t) from a result in memory.

    Use with ``price.unit: USD/t``; the note records where the prices came from.
    """
    s, label = scenario_price_series(result, market, statistic)
    return {
        "kind": "series",
        "prices": {
            "value": {int(y): float(v) for y, v in s.items()},
            "source": source,
            "note": label,
        },
    }
