"""Scenario results: :class:`ScenarioResult`, the tables of a run and summaries of them.

The tables themselves are built in :mod:`critmin.scenarios.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from critmin.scenarios.spec import ScenarioSpec

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ScenarioResult"]

Array = np.ndarray


@dataclass
class ScenarioResult:
    """Output of :func:`run_scenario`: DataFrames of the central run and Monte Carlo bands.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario (store prices resolved).
    markets : pandas.DataFrame
        Central run, one row per period and market: ``price`` [unit], ``price_ratio``,
        volumes [t per period]: ``production_t``, ``new_capacity_t``, ``imports_t``,
        ``exports_t``, ``stock_draw_t``, ``stock_release_t``, ``consumption_t``,
        ``reference_demand_t``, ``unmet_t``, ``surplus_t``, ``stock_end_t``, and
        ``export_cap_t``, ``segmented``.
    spread : pandas.DataFrame
        ``period``, ``price_domestic``, ``price_row``, ``spread``, ``ratio`` and the
        Monte Carlo ``ratio_p5/p50/p95``.
    price_bands : pandas.DataFrame
        ``period``, ``market``, ``price`` (central), ``p5``, ``p50``, ``p95``, ``unit``.
    supply_sources : pandas.DataFrame
        Who supplies the rest of the world in each period (central run): ``source``,
        ``iso3``, ``quantity_t`` and ``change_t`` against the baseline.
    importers : pandas.DataFrame
        Rest-of-world shortfall by importer and period: ``import_share``,
        ``restricted_t`` (baseline flow from the exporter held back by the restriction),
        ``shortfall_t`` (central), ``shortfall_p50_t``, ``shortfall_p95_t``.
    assumptions : pandas.DataFrame
        Every input: ``name``, ``value``, ``unit``, ``source`` (full citation or
        ``assumption``), ``ref`` (as written in the file: ``facts:38``), ``assumption``
        (bool), ``note``.
    calibration : pandas.DataFrame
        Baseline of each market with sources.
    notes : list of str
        Data gaps and approximations.
    draws, seed : int
        Monte Carlo size and seed.
    mc : dict
        Every draw's outputs (``(draws, T)`` arrays, when kept: see ``keep_draws`` of
        :func:`run_scenario`) and ``_hist``: the streaming histograms
        (:class:`~critmin.scenarios.streaming.LogHistogram`) the tables use when the
        draws were not kept.
    """

    spec: ScenarioSpec
    markets: pd.DataFrame
    spread: pd.DataFrame
    price_bands: pd.DataFrame
    supply_sources: pd.DataFrame
    importers: pd.DataFrame
    assumptions: pd.DataFrame
    calibration: pd.DataFrame
    notes: list[str]
    draws: int
    seed: int | None
    mc: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def unit(self) -> str:
        """Price unit."""
        return self.spec.baseline.price_unit

    def shortfall_probability(self, threshold_t: float | None = None) -> pd.DataFrame:
        """Probability that the rest-of-world shortfall in a period exceeds a threshold.

        Parameters
        ----------
        threshold_t : float, optional
            Shortfall threshold per period. Default: 10 % of the period's reference
            demand of the rest of the world in the central run. [t]

        Returns
        -------
        pandas.DataFrame
            ``period``, ``threshold_t``, ``probability`` (share of draws; NaN without
            Monte Carlo draws), ``shortfall_p50_t``, ``shortfall_p95_t``.
        """
        import pandas as pd

        labels = self.spec.period_labels()
        row = self.markets[self.markets["market"] == "ROW"]
        if threshold_t is None:
            thr = 0.1 * row["reference_demand_t"].to_numpy()
        else:
            thr = np.full(len(labels), float(threshold_t))
        u = self.mc.get("row.unmet")
        h = (self.mc.get("_hist") or {}).get("row.unmet")
        if u is not None and len(u):
            prob = (u > thr[None, :]).mean(axis=0)
            p50, p95 = np.percentile(u, [50, 95], axis=0)
        elif h is not None and h.n:
            # streaming run: within one histogram bin (LogHistogram.resolution)
            prob = h.exceed(thr)
            p50, p95 = h.quantile([50, 95])
        else:
            prob = np.full(len(labels), np.nan)
            p50 = p95 = prob
        return pd.DataFrame(
            {
                "period": labels,
                "threshold_t": thr,
                "probability": prob,
                "shortfall_p50_t": p50,
                "shortfall_p95_t": p95,
            }
        )

    def importer_summary(self) -> pd.DataFrame:
        """Importer shortfall summed over the horizon (``iso3``, ``import_share``,
        ``restricted_t``, ``shortfall_t``, ``shortfall_p50_t``, ``shortfall_p95_t``)."""
        g = self.importers.groupby(["iso3", "import_share"], as_index=False, sort=False)
        cols = ["restricted_t", "shortfall_t", "shortfall_p50_t", "shortfall_p95_t"]
        return g[cols].sum()

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables by name (for writing to files)."""
        return {
            "markets": self.markets,
            "spread": self.spread,
            "price_bands": self.price_bands,
            "supply_sources": self.supply_sources,
            "importers": self.importers,
            "importer_summary": self.importer_summary(),
            "shortfall_probability": self.shortfall_probability(),
            "assumptions": self.assumptions,
            "calibration": self.calibration,
        }
