"""Calibration: a scenario's store inputs resolved, and the baseline of each market.

:func:`prepare` reads baseline output, capacity, store prices and trade shares for a
scenario; :func:`calibration_table` reports the resulting baseline with its sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from critmin.errors import ValidationError
from critmin.scenarios.provenance import source_text
from critmin.scenarios.spec import Param, ScenarioSpec, load_scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["Prepared", "calibration_table", "prepare"]


@dataclass
class Prepared:
    """A scenario with its store inputs resolved.

    Attributes
    ----------
    spec : ScenarioSpec
        The scenario, with store prices resolved into values.
    producers : pandas.DataFrame
        Baseline output and capacity by country (``market`` domestic/row).
    destinations : pandas.DataFrame
        The exporter's destination shares (``iso3``, ``share``).
    importers : pandas.DataFrame
        Rest-of-world import shares (``iso3``, ``share``).
    notes : list of str
        What was filled in or approximated.
    """

    spec: ScenarioSpec
    producers: pd.DataFrame
    destinations: pd.DataFrame
    importers: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    _totals: dict[str, tuple[float, float]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def exporter(self) -> str:
        """ISO3 of the exporter (the domestic market)."""
        assert self.spec.exporter is not None
        return self.spec.exporter

    def market_totals(self, market: str) -> tuple[float, float]:
        """Baseline output and capacity (NaN when unknown) of a market. [t/yr]"""
        if market not in self._totals:
            self._totals[market] = self._market_totals(market)
        return self._totals[market]

    def _market_totals(self, market: str) -> tuple[float, float]:
        p = self.producers[self.producers["market"] == market]
        prod = float(p["production_t"].sum())
        caps = p["capacity_t"]
        if caps.isna().all():
            return prod, float("nan")
        # a producer without a capacity figure is taken at its output
        cap = float(
            np.where(caps.isna(), p["production_t"], np.maximum(caps, p["production_t"])).sum()
        )
        return prod, cap


def _resolve_price(p: Param, year: int, unit: str, store: Store | None) -> Param:
    if p.series is None or p.value is not None:
        return p
    from critmin.scenarios.inputs import store_price

    v, src = store_price(p.series, year, unit, store)
    return p.model_copy(update={"value": v, "source": src, "unit": unit})


def _spec_producers(s: ScenarioSpec) -> pd.DataFrame:
    """Baseline output of both markets from the spec (store withheld or replaced)."""
    import pandas as pd

    from critmin.scenarios.provenance import source_text

    b = s.baseline
    assert b.production_domestic is not None and b.production_row is not None
    rows = []
    for iso, mkt, p in (
        (s.exporter, "domestic", b.production_domestic),
        ("ROW", "row", b.production_row),
    ):
        rows.append(
            {
                "iso3": iso,
                "production_t": p.central(),
                "qualifier": "spec" + (" (assumption)" if p.is_assumption else ""),
                "source": f"spec baseline.production_{mkt}: {source_text(p.source, s)}",
                "capacity_t": float("nan"),
                "market": mkt,
            }
        )
    return pd.DataFrame(rows)


def _concentrate(prod: pd.DataFrame, s: ScenarioSpec, notes: list[str]) -> pd.DataFrame:
    """Move the metal in concentrate shipped to the exporter's smelters from the ROW's
    output to the exporter's refined supply (pro rata over ``concentrate_from``).

    Notes
    -----
    ``S_d += C`` and ``S_i -= C * S_i / sum(S_j)`` for the suppliers ``i``; ``C`` may not
    exceed their output.
    """
    import pandas as pd

    b = s.baseline
    assert b.concentrate_to_exporter is not None
    c = b.concentrate_to_exporter.central()
    sup = prod["iso3"].isin(b.concentrate_from) & (prod["market"] == "row")
    tot = float(prod.loc[sup, "production_t"].sum())
    if c > tot:
        raise ValidationError(
            f"baseline.concentrate_to_exporter ({c:g} t/yr) exceeds the output of "
            f"{', '.join(b.concentrate_from)} ({tot:g} t/yr)"
        )
    out = prod.copy()
    out.loc[sup, "production_t"] = out.loc[sup, "production_t"] * (1.0 - c / tot)
    out.loc[sup, "source"] = out.loc[sup, "source"].astype(str) + (
        f"; x {1.0 - c / tot:.4f}: the {100 * c / tot:.1f} % shipped to {s.exporter} as "
        "concentrate (baseline.concentrate_to_exporter) taken out"
    )
    extra = {
        "iso3": f"{s.exporter}-CONC",
        "production_t": c,
        "qualifier": "concentrate",
        "source": f"spec baseline.concentrate_to_exporter: {source_text(b.concentrate_to_exporter.source, s)}",
        "capacity_t": float("nan"),
        "market": "domestic",
    }
    notes.append(
        f"refined market: {c:,.0f} t/yr of metal in concentrate from "
        f"{', '.join(b.concentrate_from)} counted as {s.exporter} smelter output "
        f"(central value; draws vary it); their ROW output reduced pro rata"
    )
    return pd.concat([out, pd.DataFrame([extra])], ignore_index=True)


def prepare(spec: ScenarioSpec | str | Path, store: Store | None = None) -> Prepared:
    """Resolve a scenario's store inputs: baseline output, capacity, prices and trade shares.

    Parameters
    ----------
    spec : ScenarioSpec or path
        The scenario.
    store : Store, optional
        Default: the user's store.

    Returns
    -------
    Prepared
    """
    from critmin.scenarios.inputs import producers, trade_shares

    s = spec if isinstance(spec, ScenarioSpec) else load_scenario(spec)
    assert s.exporter is not None
    exporter = s.exporter
    b = s.baseline
    if b.production_domestic is not None and b.production_row is not None:
        prod, notes = _spec_producers(s), list[str]()
    else:
        prod, notes = producers(s.commodity, s.baseline_year, s.exporter, store)
    if b.concentrate_to_exporter is not None:
        prod = _concentrate(prod, s, notes)
    unit = b.price_unit
    pd_ = _resolve_price(b.price_domestic, s.baseline_year, unit, store)
    pr_ = _resolve_price(b.price_row, s.baseline_year, unit, store)
    s = s.model_copy(
        update={"baseline": b.model_copy(update={"price_domestic": pd_, "price_row": pr_})}
    )
    ty = b.trade_year if b.trade_year is not None else s.baseline_year
    dest, imps, tnotes = trade_shares(s.commodity, exporter, ty, store)
    notes.extend(tnotes)
    if imps.empty:
        row = prod[prod["market"] == "row"]
        tot = float(row["production_t"].sum())
        if tot > 0:
            import pandas as pd

            imps = pd.DataFrame({"iso3": row["iso3"], "share": row["production_t"] / tot})
            notes.append(
                "importer shares: no trade data; rest-of-world production shares used instead"
            )
    x0 = s.baseline.exports.central()
    s0_d, _ = Prepared(s, prod, dest, imps).market_totals("domestic")
    if x0 >= s0_d:
        raise ValidationError(
            f"baseline exports ({x0:g} t/yr) must be below the exporter's output ({s0_d:g} t/yr)"
        )
    return Prepared(s, prod, dest, imps, notes)


def calibration_table(prep: Prepared) -> pd.DataFrame:
    """Baseline of each market with its sources.

    Parameters
    ----------
    prep : Prepared
        The calibrated scenario.

    Returns
    -------
    pandas.DataFrame
        One row per market: ``market``, ``year``, ``production_t``, ``capacity_t``,
        ``exports_t``, ``imports_t``, ``secondary_t`` (baseline secondary supply),
        ``demand_t`` [t/yr], ``price`` [price unit],
        ``unit``, ``price_source``, ``exports_source``.
    """
    import pandas as pd

    s = prep.spec
    x0 = s.baseline.exports.central()
    rows = []
    for m, name in (("domestic", prep.exporter), ("row", "ROW")):
        s0, k = prep.market_totals(m)
        price = s.baseline.price_domestic if m == "domestic" else s.baseline.price_row
        q = getattr(s.parameters.secondary_supply, m)
        q0 = 0.0 if q is None else q.central()
        rows.append(
            {
                "market": name,
                "year": s.baseline_year,
                "production_t": s0,
                "capacity_t": k,
                "exports_t": x0 if m == "domestic" else 0.0,
                "imports_t": x0 if m == "row" else 0.0,
                "secondary_t": q0,
                "demand_t": (s0 - x0 if m == "domestic" else s0 + x0) + q0,
                "price": price.central(),
                "unit": s.baseline.price_unit,
                "price_source": source_text(price.source, s),
                "exports_source": source_text(s.baseline.exports.source, s),
            }
        )
    return pd.DataFrame(rows)
