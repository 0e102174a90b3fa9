"""``critmin value FILE``: value a project (DCF, tornado, Monte Carlo) or a deposit.

Heavy libraries (numpy, pandas, matplotlib, plotly) are imported inside the
command so that the CLI starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from critmin.cli._output import Format

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the top-level ``value`` command to the main app."""

    @app.command("value")
    def value_cmd(
        file: Annotated[Path, typer.Argument(help="Project or deposit YAML spec.")],
        draws: Annotated[
            int | None,
            typer.Option(
                "--draws", "-n", help="Monte Carlo price paths (0 to skip); default from the spec."
            ),
        ] = None,
        seed: Annotated[
            int | None, typer.Option("--seed", help="Random seed; default from the spec.")
        ] = None,
        fmt: Annotated[
            Format,
            typer.Option(
                "--format",
                "-f",
                help="table (summary, tornado, assumptions), json (everything) or csv (the cash-flow table).",
            ),
        ] = Format.table,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Directory for charts (PNG and offline HTML)."),
        ] = None,
    ) -> None:
        """Value a project by discounted cash flow, or a deposit by its recoverable-value bridge.

        Example: critmin value examples/projects/syrymbet-tin.yaml --draws 20000 --seed 1
        """
        from critmin.cli._output import emit, to_json
        from critmin.errors import ValidationError
        from critmin.valuation import DepositResult, value
        from critmin.valuation.plot import write_charts

        if draws is not None and draws < 0:
            raise ValidationError("--draws must be >= 0")
        from critmin.cli._progress import step

        with step(f"valuing {file}"):
            res = value(file, draws=draws, seed=seed)
        written = write_charts(res, out, file.stem) if out is not None else []
        if fmt is Format.json:
            d = res.to_dict()
            d["charts"] = [str(p) for p in written]
            sys.stdout.write(to_json(d) + "\n")
            return
        if isinstance(res, DepositResult):
            if fmt is Format.csv:
                emit(res.bridge, fmt)
                return
            emit(
                res.bridge,
                fmt,
                title=f"{res.name}: in-situ to recoverable value",
                caption=res.label,
            )
            emit(
                res.assumptions[["name", "value", "unit", "source"]],
                fmt,
                title="Inputs (source 'assumption' = not from a cited source)",
            )
        else:
            if fmt is Format.csv:
                emit(res.cash_flows, fmt)
                return
            m = res.metrics
            emit(
                _display_summary(res.summary),
                fmt,
                title=f"{res.name}",
                caption=(
                    f"price deck: {m['price_deck']}"
                    + (f"; fit window {m['fit_window']}" if m.get("fit_window") else "")
                    + f"; {m['n_assumptions']} inputs are assumptions"
                ),
            )
            emit(
                _display_cash_flows(res.cash_flows),
                fmt,
                title="Annual cash flow, USD million (deck prices)",
            )
            tor = res.tornado[["label"]].copy()
            for c in ("npv_low_usd", "npv_high_usd", "range_usd"):
                tor[c.replace("_usd", "_musd")] = res.tornado[c] / 1e6
            emit(tor, fmt, title=f"NPV tornado, USD million (base {m['npv_usd'] / 1e6:,.2f})")
            if res.fit_table is not None:
                win = m.get("fit_window", "")
                emit(
                    res.fit_table,
                    fmt,
                    title=f"Price model (mean-reverting log price), fit window {win}".rstrip(", "),
                )
            if res.joins is not None:
                emit(res.joins, fmt, title="History joins (older series rescaled on the overlap)")
            if res.window_table is not None:
                wt = res.window_table.copy()
                for c in ("npv_usd", "mc_npv_p50_usd"):
                    wt[c.replace("_usd", "_musd")] = wt.pop(c).astype(float) / 1e6
                emit(
                    wt,
                    fmt,
                    title="Fit-window sensitivity (same end year, same seed)",
                    caption="chosen = the spec's window; MC with at most 2,000 paths per window",
                )
            if res.regime_table is not None:
                emit(
                    res.regime_table,
                    fmt,
                    title="Price regimes: transition rates",
                    caption="estimated = events / years observed in the regime; given = from the spec",
                )
            if res.gap_table is not None:
                emit(res.gap_table, fmt, title="Deterministic vs Monte Carlo")
            if res.explanation:
                sys.stdout.write(f"{res.explanation}\n")
            emit(
                res.assumptions[["name", "value", "unit", "source"]],
                fmt,
                title="Inputs (source 'assumption' = not from a cited source)",
            )
            for note in res.notes:
                sys.stdout.write(f"note: {note}\n")
        for p in written:
            sys.stdout.write(f"wrote {p}\n")


def _display_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary with human-readable values (USD million, percentages) for the Rich table."""
    import math

    def fmt(v: object, unit: str) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        if isinstance(v, str):
            return v
        x = float(v)  # type: ignore[arg-type]
        if unit == "USD":
            return f"{x / 1e6:,.2f} million"
        if unit in ("1/yr", "probability"):
            return f"{x:.2%}"
        return f"{x:,.2f}" if not x.is_integer() else f"{int(x):,}"

    out = summary.copy()
    out["value"] = [fmt(v, u) for v, u in zip(summary["value"], summary["unit"], strict=True)]
    return out


def _display_cash_flows(cf: pd.DataFrame) -> pd.DataFrame:
    """Compact cash-flow table (USD million) for the terminal."""
    import pandas as pd

    price_col = next(c for c in cf.columns if c.startswith("price_"))
    out = pd.DataFrame({"year": cf["year"], "payable_t": cf["payable_t"], price_col: cf[price_col]})
    for src, dst in (
        ("revenue_usd", "revenue"),
        ("ebitda_usd", "ebitda"),
        ("income_tax_usd", "tax"),
        ("capex_usd", "capex"),
        ("net_cash_flow_usd", "net_cf"),
        ("discounted_cash_flow_usd", "disc_cf"),
    ):
        out[dst] = cf[src] / 1e6
    out["capex"] += cf["sustaining_capex_usd"] / 1e6
    return out
