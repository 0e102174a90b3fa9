"""Charts of scenario results: price bands per market and importer shortfall.

Each chart exists as a plotly figure (written as self-contained HTML with plotly.js
embedded, so it opens offline) and a matplotlib figure (written as PNG). Matplotlib is
used through :class:`matplotlib.figure.Figure` (no pyplot state). No computation here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from critmin.scenarios.engine import ScenarioResult

__all__ = [
    "importer_figure_mpl",
    "importer_figure_plotly",
    "price_band_figure_mpl",
    "price_band_figure_plotly",
    "write_charts",
]

_COLORS = {"ROW": "#1f77b4"}
_DOMESTIC = "#d62728"


def _color(market: str) -> str:
    return _COLORS.get(market, _DOMESTIC)


def price_band_figure_plotly(result: ScenarioResult) -> Any:
    """Price per market and period: central run, P50 and the P5-P95 band (plotly)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    pb = result.price_bands
    for market, g in pb.groupby("market", sort=False):
        c = _color(str(market))
        x = list(g["period"])
        if g["p5"].notna().all():
            fig.add_trace(
                go.Scatter(x=x, y=g["p95"], line={"width": 0}, showlegend=False, hoverinfo="skip")
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=g["p5"],
                    fill="tonexty",
                    line={"width": 0},
                    fillcolor=c,
                    opacity=0.25,
                    name=f"{market} P5-P95",
                )
            )
            fig.add_trace(
                go.Scatter(x=x, y=g["p50"], line={"color": c, "dash": "dot"}, name=f"{market} P50")
            )
        fig.add_trace(go.Scatter(x=x, y=g["price"], line={"color": c}, name=f"{market} central"))
    fig.update_layout(
        title=f"{result.spec.name}: price by market",
        xaxis_title="period",
        yaxis_title=f"price [{result.unit}]",
        template="plotly_white",
    )
    return fig


def importer_figure_plotly(result: ScenarioResult) -> Any:
    """Shortfall over the horizon by importer: central, with P95 error bars (plotly)."""
    import plotly.graph_objects as go

    s = result.importer_summary()
    fig = go.Figure(
        go.Bar(
            x=s["iso3"],
            y=s["shortfall_t"],
            error_y={
                "type": "data",
                "array": (s["shortfall_p95_t"] - s["shortfall_t"]).clip(lower=0),
            },
            name="shortfall (central, bar to P95)",
        )
    )
    fig.add_trace(
        go.Bar(x=s["iso3"], y=s["restricted_t"], name="flow held back by the restriction")
    )
    fig.update_layout(
        title="Importer exposure over the horizon",
        yaxis_title="t",
        barmode="group",
        template="plotly_white",
    )
    return fig


def price_band_figure_mpl(result: ScenarioResult) -> Figure:
    """Matplotlib version of :func:`price_band_figure_plotly`."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    pb = result.price_bands
    for market, g in pb.groupby("market", sort=False):
        c = _color(str(market))
        x = list(range(len(g)))
        if g["p5"].notna().all():
            ax.fill_between(x, g["p5"], g["p95"], color=c, alpha=0.2, label=f"{market} P5-P95")
            ax.plot(x, g["p50"], color=c, linestyle=":", label=f"{market} P50")
        ax.plot(x, g["price"], color=c, label=f"{market} central")
        labels = list(g["period"])
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step))
    ax.set_xticklabels(labels[::step], rotation=45, ha="right")
    ax.set_ylabel(f"price [{result.unit}]")
    ax.set_title(result.spec.name, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def importer_figure_mpl(result: ScenarioResult) -> Figure:
    """Matplotlib version of :func:`importer_figure_plotly`."""
    import numpy as np
    from matplotlib.figure import Figure

    s = result.importer_summary()
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(s))
    err = (s["shortfall_p95_t"] - s["shortfall_t"]).clip(lower=0).fillna(0)
    ax.bar(
        x - 0.2,
        s["shortfall_t"],
        width=0.4,
        yerr=[np.zeros(len(s)), err],
        label="shortfall (to P95)",
    )
    ax.bar(x + 0.2, s["restricted_t"], width=0.4, label="flow held back")
    ax.set_xticks(x)
    ax.set_xticklabels(list(s["iso3"]))
    ax.set_ylabel("t over the horizon")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def write_charts(result: ScenarioResult, out_dir: str | Path) -> list[Path]:
    """Write the charts as HTML (plotly.js embedded) and PNG files; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, pf, mf in (
        ("price_bands", price_band_figure_plotly, price_band_figure_mpl),
        ("importer_shortfall", importer_figure_plotly, importer_figure_mpl),
    ):
        h = out / f"{name}.html"
        pf(result).write_html(str(h), include_plotlyjs=True, full_html=True)
        p = out / f"{name}.png"
        mf(result).savefig(str(p), dpi=120)
        paths.extend([h, p])
    return paths
