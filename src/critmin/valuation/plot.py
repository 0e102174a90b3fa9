"""Charts of valuation results: cash flow, tornado, NPV distribution, price fan, deposit bridge.

Each chart exists as a matplotlib figure (written as PNG) and a plotly figure
(written as self-contained HTML, plotly.js embedded, so it opens offline).
Matplotlib is used through :class:`matplotlib.figure.Figure` (no pyplot state).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from critmin.valuation.deposit import DepositResult
    from critmin.valuation.project import ValuationResult

__all__ = [
    "cash_flow_figures",
    "deposit_figures",
    "npv_distribution_figures",
    "plotly_figures",
    "tornado_figures",
    "write_charts",
]

_M = 1e6


def cash_flow_figures(result: ValuationResult) -> tuple[Figure, Any]:
    """Annual net cash flow (bars) with cumulative and discounted cumulative lines.

    Parameters
    ----------
    result : ValuationResult
        A project valuation.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, plotly.graph_objects.Figure)
        Values in [USD million].
    """
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    cf = result.cash_flows
    years = cf["year"].to_numpy()
    net = cf["net_cash_flow_usd"].to_numpy() / _M
    cum = cf["cumulative_cash_flow_usd"].to_numpy() / _M
    dcum = cf["cumulative_discounted_usd"].to_numpy() / _M
    title = f"{result.name}<br>annual cash flow (deck prices)"
    fig = Figure(figsize=(9, 4.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(years, net, color=np.where(net >= 0, "#2b8cbe", "#de2d26"), label="net cash flow")
    ax.plot(years, cum, color="black", marker=".", label="cumulative")
    ax.plot(years, dcum, color="gray", ls="--", label="cumulative, discounted")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("year")
    ax.set_ylabel("USD million")
    ax.set_title(title.replace("<br>", "\n"), fontsize=10)
    ax.legend(fontsize=8)
    pf = go.Figure()
    pf.add_bar(x=years, y=net, name="net cash flow")
    pf.add_scatter(x=years, y=cum, name="cumulative", mode="lines+markers")
    pf.add_scatter(x=years, y=dcum, name="cumulative, discounted", line={"dash": "dash"})
    pf.update_layout(title=title, xaxis_title="year", yaxis_title="USD million")
    return fig, pf


def tornado_figures(result: ValuationResult) -> tuple[Figure, Any]:
    """NPV tornado: each input at (1 - swing) and (1 + swing).

    Parameters
    ----------
    result : ValuationResult
        A project valuation.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, plotly.graph_objects.Figure)
        NPV in [USD million].
    """
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    t = result.tornado.iloc[::-1]
    base = float(result.metrics["npv_usd"]) / _M
    lo = t["npv_low_usd"].to_numpy() / _M
    hi = t["npv_high_usd"].to_numpy() / _M
    labels = t["label"].tolist()
    title = f"{result.name}<br>NPV sensitivity (each input -/+ swing)"
    fig = Figure(figsize=(8, 0.5 * len(labels) + 1.5), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(labels))
    ax.barh(y, lo - base, left=base, color="#de2d26", label="input lowered")
    ax.barh(y, hi - base, left=base, color="#2b8cbe", label="input raised")
    ax.axvline(base, color="black", lw=0.8)
    ax.set_yticks(y, labels)
    ax.set_xlabel("NPV, USD million")
    ax.set_title(title.replace("<br>", "\n"), fontsize=10)
    ax.legend(fontsize=8)
    pf = go.Figure()
    pf.add_bar(y=labels, x=lo - base, base=base, orientation="h", name="input lowered")
    pf.add_bar(y=labels, x=hi - base, base=base, orientation="h", name="input raised")
    pf.update_layout(title=title, barmode="overlay", xaxis_title="NPV, USD million")
    return fig, pf


def npv_distribution_figures(result: ValuationResult) -> tuple[Figure, Any] | None:
    """Histogram of Monte Carlo NPVs with P(NPV < 0); None without a Monte Carlo.

    Parameters
    ----------
    result : ValuationResult
        A project valuation with ``mc_npv``.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, plotly.graph_objects.Figure) or None
        NPV in [USD million].
    """
    if result.mc_npv is None:
        return None
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    v = result.mc_npv / _M
    p_neg = float(result.metrics["p_npv_negative"])
    det = float(result.metrics["npv_usd"]) / _M
    title = f"{result.name}<br>NPV over {v.size:,} price paths, P(NPV < 0) = {p_neg:.1%}"
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    lo, hi = np.percentile(v, [0.5, 99.5])
    ax.hist(np.clip(v, lo, hi), bins=80, color="#74a9cf")
    ax.axvline(0, color="#de2d26", lw=1, label="NPV = 0")
    ax.axvline(det, color="black", ls="--", lw=1, label=f"deck NPV {det:,.1f}")
    ax.set_xlabel("NPV, USD million (0.5-99.5 % range shown)")
    ax.set_ylabel("paths")
    ax.set_title(title.replace("<br>", "\n"), fontsize=10)
    ax.legend(fontsize=8)
    counts, edges = np.histogram(v, bins=80, range=(float(lo), float(hi)))
    pf = go.Figure()
    pf.add_bar(
        x=0.5 * (edges[1:] + edges[:-1]), y=counts, width=float(edges[1] - edges[0]), name="NPV"
    )
    pf.add_vline(x=0, line_color="red")
    pf.add_vline(x=det, line_dash="dash", annotation_text="deck NPV")
    pf.update_layout(
        title=title, xaxis_title="NPV, USD million (0.5-99.5 % range)", yaxis_title="paths"
    )
    return fig, pf


def price_fan_figures(result: ValuationResult) -> tuple[Figure, Any] | None:
    """Simulated price percentiles by year with the deck; None without a Monte Carlo.

    Parameters
    ----------
    result : ValuationResult
        A project valuation with ``price_fan``.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, plotly.graph_objects.Figure) or None
        Prices in the spec's price unit.
    """
    if result.price_fan is None:
        return None
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    f = result.price_fan
    unit = result.price_unit
    title = f"{result.name}<br>simulated prices (5-95 % and 25-75 % bands) and deck"
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    if result.history is not None and result.price_fit is not None:
        from critmin.units import convert

        k = 1.0 if unit == "USD/t" else convert(1.0, "USD/t", unit)
        h = result.history
        ax.plot(h.index, h.to_numpy() * k, color="gray", lw=1, label="history (real)")
    ax.fill_between(f["year"], f["p5"], f["p95"], color="#bdd7e7", label="5-95 %")
    ax.fill_between(f["year"], f["p25"], f["p75"], color="#6baed6", label="25-75 %")
    ax.plot(f["year"], f["p50"], color="#08519c", label="median")
    ax.plot(f["year"], f["deck"], color="black", ls="--", label="deck")
    ax.set_ylabel(unit)
    ax.set_title(title.replace("<br>", "\n"), fontsize=10)
    ax.legend(fontsize=8)
    pf = go.Figure()
    for col in ("p5", "p25", "p50", "p75", "p95", "deck"):
        pf.add_scatter(x=f["year"], y=f[col], name=col, mode="lines")
    pf.update_layout(title=title, yaxis_title=unit)
    return fig, pf


def deposit_figures(bridge_result: DepositResult | ValuationResult) -> tuple[Figure, Any] | None:
    """Waterfall of the in-situ to recoverable value bridge (totals over commodities).

    Parameters
    ----------
    bridge_result : DepositResult or ValuationResult
        A deposit valuation, or a project valuation with a deposit block.

    Returns
    -------
    tuple of (matplotlib.figure.Figure, plotly.graph_objects.Figure) or None
        Values in [USD million].
    """
    from critmin.valuation.deposit import BRIDGE_LABEL, DepositResult

    b = bridge_result.bridge if isinstance(bridge_result, DepositResult) else bridge_result.deposit
    if b is None:
        return None
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    per = b[b["commodity"] != "all"]
    rows: list[tuple[str, float, str]] = []
    insitu = per[per["item"].str.startswith("contained metal")]
    rows.append(("in-situ value", float(insitu["value_usd"].sum()) / _M, "absolute"))
    for key, label in (
        ("less metal not recovered", "not recovered"),
        ("less metal not paid", "not paid for"),
        ("less selling", "selling costs"),
    ):
        sel = per[per["item"].str.startswith(key)]
        rows.append((label, float(sel["value_usd"].sum()) / _M, "relative"))
    tot = b[b["commodity"] == "all"].set_index("item")["value_usd"]
    rows.append(
        ("mining & processing", float(tot["less mining and processing costs"]) / _M, "relative")
    )
    rows.append(("recoverable value", float(tot.iloc[-1]) / _M, "total"))
    labels = [r[0] for r in rows]
    vals = [r[1] for r in rows]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    level = 0.0
    for i, (_, v, kind) in enumerate(rows):
        if kind == "relative":
            ax.bar(i, v, bottom=level, color="#de2d26")
            level += v
        else:
            ax.bar(i, v, color="#2b8cbe")
            level = v
    ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("USD million")
    ax.set_title(BRIDGE_LABEL, fontsize=8)
    pf = go.Figure(
        go.Waterfall(
            x=labels, y=vals, measure=[r[2] for r in rows], connector={"line": {"width": 0.5}}
        )
    )
    pf.update_layout(title=BRIDGE_LABEL, yaxis_title="USD million")
    return fig, pf


def plotly_figures(result: ValuationResult | DepositResult) -> dict[str, Any]:
    """All plotly figures of a result, by name (``cash_flow``, ``tornado``, ``npv_distribution``...)."""
    return {k: v[1] for k, v in _all(result).items()}


def _all(result: ValuationResult | DepositResult) -> dict[str, tuple[Figure, Any]]:
    from critmin.valuation.deposit import DepositResult

    out: dict[str, tuple[Figure, Any]] = {}
    if isinstance(result, DepositResult):
        d = deposit_figures(result)
        if d is not None:
            out["deposit_bridge"] = d
        return out
    out["cash_flow"] = cash_flow_figures(result)
    out["tornado"] = tornado_figures(result)
    for name, fn in (
        ("npv_distribution", npv_distribution_figures),
        ("price_fan", price_fan_figures),
        ("deposit_bridge", deposit_figures),
    ):
        r = fn(result)
        if r is not None:
            out[name] = r
    return out


def write_charts(
    result: ValuationResult | DepositResult, out_dir: str | Path, stem: str = ""
) -> list[Path]:
    """Write every chart as PNG (matplotlib) and self-contained HTML (plotly).

    Parameters
    ----------
    result : ValuationResult or DepositResult
        What to chart.
    out_dir : str or pathlib.Path
        Directory (created if missing).
    stem : str
        Prefix of the file names (e.g. the spec's file stem).

    Returns
    -------
    list of pathlib.Path
        Files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    prefix = f"{stem}-" if stem else ""
    for name, (mfig, pfig) in _all(result).items():
        png = out / f"{prefix}{name}.png"
        mfig.savefig(png, dpi=120)
        html = out / f"{prefix}{name}.html"
        pfig.write_html(html, include_plotlyjs=True, full_html=True)
        written += [png, html]
    return written
