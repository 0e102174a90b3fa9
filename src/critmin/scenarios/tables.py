"""Result tables of a scenario run, built from the central run and the Monte Carlo draws.

The inputs are the outputs of :mod:`critmin.scenarios.simulate`; volumes are per period
[t], prices in the scenario's price unit. :class:`~critmin.scenarios.results.ScenarioResult`
documents the columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from critmin.scenarios.outputs import OUT_NAMES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.scenarios.calibration import Prepared

__all__ = [
    "importer_table",
    "markets_table",
    "price_bands_table",
    "spread_table",
    "supply_sources_table",
]

Array = np.ndarray

_MARKETS = ("domestic", "row")


def _pct(a: Any, q: float | list[float]) -> Array:
    """Percentiles over draws (axis 0), several ``q`` in one partition. [unit of a]

    ``a`` is a ``(N, T)`` array (exact) or a streaming
    :class:`~critmin.scenarios.streaming.LogHistogram` (within its resolution).
    """
    if hasattr(a, "quantile"):
        return np.asarray(a.quantile(q))
    if len(a):
        return np.percentile(a, q, axis=0)
    return np.full((*np.shape(q), a.shape[1]), np.nan)


def _source(mc: dict[str, Any], key: str, T: int) -> Any:
    """The draws of an output: kept array if any, else its histogram (``_hist``), else empty."""
    if key == "ratio" and "row.price" in mc:
        return mc["row.price"] / mc["domestic.price"]
    if key in mc:
        return mc[key]
    hists = mc.get("_hist") or {}
    return hists.get(key, np.zeros((0, T)))


def _market_names(prep: Prepared) -> dict[str, str]:
    return {"domestic": prep.exporter, "row": "ROW"}


def markets_table(prep: Prepared, central: dict[str, Any]) -> pd.DataFrame:
    """Central run, one row per period and market (see :attr:`ScenarioResult.markets`).

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    central : dict
        Central run (:func:`~critmin.scenarios.simulate.simulate`, one draw).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``market``, ``price`` [price unit], ``unit``, volumes ``<output>_t``
        [t per period], ``price_ratio`` [1], ``export_cap_t`` [t per period],
        ``segmented`` [bool].
    """
    import pandas as pd

    s = prep.spec
    labels = s.period_labels()
    names = _market_names(prep)
    unit = s.baseline.price_unit
    dt = s.months_per_period / 12.0
    recs = []
    for m in _MARKETS:
        o = central[m]
        for t in range(s.horizon):
            rec: dict[str, Any] = {"period": labels[t], "market": names[m]}
            rec["price"] = float(o["price"][0, t])
            rec["unit"] = unit
            for k in OUT_NAMES:
                if k not in ("price", "price_ratio"):
                    rec[f"{k}_t"] = float(o[k][0, t])
            rec["price_ratio"] = float(o["price_ratio"][0, t])
            cap = float(central["trade"]["cap"][0, t])
            rec["export_cap_t"] = cap * dt if np.isfinite(cap) else float("nan")
            rec["segmented"] = bool(central["trade"]["segmented"][0, t])
            recs.append(rec)
    return pd.DataFrame(recs)


def price_bands_table(
    prep: Prepared, central: dict[str, Any], mc: dict[str, Array]
) -> pd.DataFrame:
    """Central price and Monte Carlo percentiles by period and market.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    central : dict
        Central run (one draw).
    mc : dict of str to numpy.ndarray
        Monte Carlo outputs (empty without draws: percentiles NaN).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``market``, ``price``, ``p5``, ``p50``, ``p95`` [price unit], ``unit``.
    """
    import pandas as pd

    s = prep.spec
    labels = s.period_labels()
    names = _market_names(prep)
    T = s.horizon
    bands = []
    for m in _MARKETS:
        p5, p50, p95 = _pct(_source(mc, f"{m}.price", T), [5, 50, 95])
        for t in range(T):
            bands.append(
                {
                    "period": labels[t],
                    "market": names[m],
                    "price": float(central[m]["price"][0, t]),
                    "p5": float(p5[t]),
                    "p50": float(p50[t]),
                    "p95": float(p95[t]),
                    "unit": s.baseline.price_unit,
                }
            )
    return pd.DataFrame(bands)


def spread_table(prep: Prepared, central: dict[str, Any], mc: dict[str, Array]) -> pd.DataFrame:
    """Price spread between the markets by period (see :attr:`ScenarioResult.spread`).

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    central : dict
        Central run (one draw).
    mc : dict of str to numpy.ndarray
        Monte Carlo outputs (empty without draws: percentiles NaN).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``price_domestic``, ``price_row``, ``spread`` [price unit],
        ``ratio``, ``ratio_p5``, ``ratio_p50``, ``ratio_p95`` [1], ``unit``.
    """
    import pandas as pd

    s = prep.spec
    pdm, prw = central["domestic"]["price"][0], central["row"]["price"][0]
    r5, r50, r95 = _pct(_source(mc, "ratio", s.horizon), [5, 50, 95])
    return pd.DataFrame(
        {
            "period": s.period_labels(),
            "price_domestic": pdm,
            "price_row": prw,
            "spread": prw - pdm,
            "ratio": prw / pdm,
            "ratio_p5": r5,
            "ratio_p50": r50,
            "ratio_p95": r95,
            "unit": s.baseline.price_unit,
        }
    )


def supply_sources_table(prep: Prepared, central: dict[str, Any]) -> pd.DataFrame:
    """Who supplies the rest of the world in each period of the central run.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    central : dict
        Central run (one draw).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``source``, ``iso3``, ``quantity_t`` and ``change_t`` (against
        the baseline) [t per period].
    """
    import pandas as pd

    s = prep.spec
    labels = s.period_labels()
    dt = s.months_per_period / 12.0
    x0c = s.baseline.exports.central()
    rowp = prep.producers[prep.producers["market"] == "row"]
    s0r = float(rowp["production_t"].sum())
    src_rows = []
    for t in range(s.horizon):
        o = central["row"]
        imp = float(o["imports"][0, t])
        src_rows.append(
            {
                "period": labels[t],
                "source": f"exports from {prep.exporter}",
                "iso3": prep.exporter,
                "quantity_t": imp,
                "change_t": imp - x0c * dt,
            }
        )
        inc = float(o["production"][0, t])
        for _, r in rowp.iterrows():
            w = r["production_t"] / s0r if s0r > 0 else 0.0
            if w > 0:
                src_rows.append(
                    {
                        "period": labels[t],
                        "source": "incumbent producer",
                        "iso3": r["iso3"],
                        "quantity_t": inc * w,
                        "change_t": inc * w - r["production_t"] * dt,
                    }
                )
        for mkt, iso, arr in central["_adds_by"]:
            if mkt == "row":
                q = float(arr[0, t]) * dt
                src_rows.append(
                    {
                        "period": labels[t],
                        "source": "new capacity",
                        "iso3": iso,
                        "quantity_t": q,
                        "change_t": q,
                    }
                )
        for k, lab in (("stock_draw", "stock draw"), ("stock_release", "stock release")):
            q = float(o[k][0, t])
            if q > 0 or k == "stock_draw":
                src_rows.append(
                    {"period": labels[t], "source": lab, "iso3": "", "quantity_t": q, "change_t": q}
                )
        if s.parameters.restart is not None and s.parameters.restart.market == "row":
            q = float(o["restart"][0, t])
            src_rows.append(
                {
                    "period": labels[t],
                    "source": "restarted idle capacity",
                    "iso3": "",
                    "quantity_t": q,
                    "change_t": q,
                }
            )
        sec = s.parameters.secondary_supply.row
        if sec is not None:
            q = float(o["secondary"][0, t])
            src_rows.append(
                {
                    "period": labels[t],
                    "source": "secondary supply",
                    "iso3": "",
                    "quantity_t": q,
                    "change_t": q - sec.central() * dt,
                }
            )
    return pd.DataFrame(src_rows)


def _members(code: str) -> list[str]:
    from critmin.data.countries import group_members
    from critmin.errors import UnknownCountryError

    try:
        return group_members(code)
    except UnknownCountryError:
        return [code.upper()]


def importer_table(
    prep: Prepared, central: dict[str, Any], mc: dict[str, Array]
) -> tuple[pd.DataFrame, list[str]]:
    """Rest-of-world shortfall by reported importer and period.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.
    central : dict
        Central run (:func:`~critmin.scenarios.simulate.simulate`, one draw).
    mc : dict of str to numpy.ndarray
        Monte Carlo outputs (empty without draws).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``iso3``, ``import_share`` [1], ``restricted_t``, ``shortfall_t``,
        ``shortfall_p50_t``, ``shortfall_p95_t`` [t per period].
    list of str
        Notes on importers without trade data.
    """
    import pandas as pd

    labels = prep.spec.period_labels()
    dt = prep.spec.months_per_period / 12.0

    imps = prep.importers.set_index("iso3")["share"]
    dest = (
        prep.destinations.set_index("iso3")["share"]
        if len(prep.destinations)
        else pd.Series(dtype=float)
    )
    codes = central["_dest_codes"]
    allowed = central["_schedules"].allowed_by_dest[0]  # (T, J)
    x0 = prep.spec.baseline.exports.central()
    unmet_c = central["row"]["unmet"][0]
    p50, p95 = _pct(_source(mc, "row.unmet", len(labels)), [50, 95])
    rows = []
    notes = []
    for code in prep.spec.report_importers:
        mem = _members(code)
        sh = float(imps.reindex(mem).fillna(0.0).sum())
        if sh == 0:
            notes.append(f"{code}: no imports in the trade data; shortfall 0")
        for t, lab in enumerate(labels):
            restricted = 0.0
            for j, c in enumerate(codes):
                if c in mem:
                    restricted += x0 * float(dest.get(c, 0.0)) * (1.0 - allowed[t, j]) * dt
            rows.append(
                {
                    "period": lab,
                    "iso3": code.upper(),
                    "import_share": sh,
                    "restricted_t": restricted,
                    "shortfall_t": sh * float(unmet_c[t]),
                    "shortfall_p50_t": sh * float(p50[t]),
                    "shortfall_p95_t": sh * float(p95[t]),
                }
            )
    return pd.DataFrame(rows), notes
