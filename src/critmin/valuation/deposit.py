"""Deposit value: in-situ value and a simple recoverable-value bridge.

**In-situ value** is contained metal times price: a headline figure, not what a
deposit is worth. The **recoverable-value bridge** takes it down through
metallurgical recovery, payability (what a smelter pays for), selling costs and
mining and processing costs. The result is an *undiscounted, pre-capex, pre-tax
margin*: still not a valuation. A discounted cash flow of a mine plan
(:func:`critmin.valuation.value_project`) is needed for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from critmin._records import records
from critmin.errors import ValidationError
from critmin.units import convert
from critmin.valuation.assumptions import assumptions_table
from critmin.valuation.spec import DepositBlock, DepositSpec, ProjectSpec, load_spec

__all__ = ["DepositResult", "deposit_bridge", "value_deposit"]

#: Label carried by every bridge table and chart.
BRIDGE_LABEL = (
    "In-situ and recoverable value: undiscounted, before capital costs, taxes and time; "
    "NOT a valuation"
)


def _usd_per_t(price: float, unit: str) -> float:
    return price if unit == "USD/t" else convert(price, unit, "USD/t")


def deposit_bridge(block: DepositBlock) -> pd.DataFrame:
    """Bridge from in-situ value to recoverable value, per commodity and in total.

    Parameters
    ----------
    block : DepositBlock
        Tonnages or grades, prices, recoveries, payabilities and unit costs of the
        deposit. Contained metal in [t], prices in their ``unit`` (converted to
        [USD/t]), ore tonnage in [t ore], costs in [USD/t payable] and [USD/t ore].

    Returns
    -------
    pandas.DataFrame
        Columns ``step`` (1..), ``item``, ``commodity`` (``"all"`` for totals),
        ``tonnes`` [t] where it applies, ``value_usd`` [USD]; negative values are
        deductions.

    Notes
    -----
    For each commodity i with contained metal M_i [t] (or ore tonnage O x grade g_i),
    price P_i [USD/t], recovery R_i, payability Y_i and selling cost c_i [USD/t payable]::

        in-situ value      V_i = M_i P_i
        recovered value        = V_i R_i
        payable value          = V_i R_i Y_i
        net of selling costs   = M_i R_i Y_i (P_i - c_i)

    and the recoverable value is Σ_i M_i R_i Y_i (P_i - c_i) - O · C_ore, with C_ore
    the mining and processing cost [USD/t ore].
    """
    ore = block.ore_t.value if block.ore_t is not None else None
    rows: list[dict[str, object]] = []
    tot_insitu = tot_recovered = tot_payable = tot_net = 0.0
    for c in block.commodities:
        if c.contained_t is not None:
            m = c.contained_t.value
        else:
            assert c.grade is not None and ore is not None  # checked by the spec
            m = ore * c.grade.value
        if m < 0 or c.price.value < 0:
            raise ValidationError(f"{c.commodity}: contained metal and price must be >= 0")
        p = _usd_per_t(c.price.value, c.unit)
        r, y = c.recovery.value, c.payability.value
        cost = c.selling_cost_per_t.value
        insitu = m * p
        recovered = insitu * r
        payable = recovered * y
        net = m * r * y * (p - cost)
        rows += [
            {
                "item": "contained metal x price = in-situ value",
                "commodity": c.commodity,
                "tonnes": m,
                "value_usd": insitu,
            },
            {
                "item": f"less metal not recovered (recovery {r:.0%})",
                "commodity": c.commodity,
                "tonnes": -m * (1 - r),
                "value_usd": recovered - insitu,
            },
            {
                "item": f"less metal not paid for (payability {y:.0%})",
                "commodity": c.commodity,
                "tonnes": -m * r * (1 - y),
                "value_usd": payable - recovered,
            },
            {
                "item": "less selling, treatment and refining costs",
                "commodity": c.commodity,
                "tonnes": float("nan"),
                "value_usd": net - payable,
            },
            {
                "item": "payable value net of selling costs",
                "commodity": c.commodity,
                "tonnes": m * r * y,
                "value_usd": net,
            },
        ]
        tot_insitu += insitu
        tot_recovered += recovered
        tot_payable += payable
        tot_net += net
    mining = (ore or 0.0) * block.mining_processing_cost_per_t_ore.value
    rows += [
        {
            "item": "in-situ value",
            "commodity": "all",
            "tonnes": float("nan"),
            "value_usd": tot_insitu,
        },
        {
            "item": "payable value net of selling costs",
            "commodity": "all",
            "tonnes": float("nan"),
            "value_usd": tot_net,
        },
        {
            "item": "less mining and processing costs",
            "commodity": "all",
            "tonnes": ore if ore is not None else float("nan"),
            "value_usd": -mining,
        },
        {
            "item": "recoverable value (undiscounted, pre-capex, pre-tax)",
            "commodity": "all",
            "tonnes": float("nan"),
            "value_usd": tot_net - mining,
        },
    ]
    df = pd.DataFrame(rows)
    df.insert(0, "step", range(1, len(df) + 1))
    return df


@dataclass
class DepositResult:
    """In-situ and recoverable value of a deposit.

    Attributes
    ----------
    name : str
        Deposit name.
    bridge : pandas.DataFrame
        See :func:`deposit_bridge`.
    in_situ_value_usd : float
        Σ contained metal x price. [USD]
    recoverable_value_usd : float
        Bottom line of the bridge. [USD]
    assumptions : pandas.DataFrame
        Every input with unit, source and whether it is an assumption.
    label : str
        The caveat to print with the figures.
    """

    name: str
    bridge: pd.DataFrame
    in_situ_value_usd: float
    recoverable_value_usd: float
    assumptions: pd.DataFrame
    label: str = BRIDGE_LABEL
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready summary (snake_case keys)."""
        return {
            "name": self.name,
            "label": self.label,
            "in_situ_value_usd": self.in_situ_value_usd,
            "recoverable_value_usd": self.recoverable_value_usd,
            "bridge": records(self.bridge),
            "assumptions": records(self.assumptions),
        }


def value_deposit(spec_or_path: DepositSpec | ProjectSpec | str | Path) -> DepositResult:
    """In-situ value and recoverable-value bridge of a deposit spec.

    Parameters
    ----------
    spec_or_path : DepositSpec, ProjectSpec or path
        A ``kind: deposit`` spec, or a project spec with a ``deposit`` block.

    Returns
    -------
    DepositResult
    """
    spec = load_spec(spec_or_path) if isinstance(spec_or_path, str | Path) else spec_or_path
    block = spec.deposit
    if block is None:
        raise ValidationError(f"{spec.name}: the spec has no deposit block")
    bridge = deposit_bridge(block)
    tot = bridge[bridge["commodity"] == "all"].set_index("item")["value_usd"]
    return DepositResult(
        name=block.name or spec.name,
        bridge=bridge,
        in_situ_value_usd=float(tot["in-situ value"]),
        recoverable_value_usd=float(tot.iloc[-1]),
        assumptions=assumptions_table(
            spec, only="deposit" if isinstance(spec, ProjectSpec) else None
        ),
    )
