"""Plotly figure of supply-risk ranks by method with their Monte Carlo spread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["rank_figure"]


def rank_figure(df: pd.DataFrame, title: str | None = None) -> Any:
    """Dot plot of each commodity's rank per method, with the P5-P95 rank interval.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of :func:`critmin.risk.supply_risk` (``method``, ``commodity``, ``rank``,
        and ``rank_p5``/``rank_p95`` when drawn).

    Returns
    -------
    plotly.graph_objects.Figure
        Rank 1 (highest risk) at the top.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    for meth, g in df.groupby("method", sort=False):
        has = "rank_p5" in g and g["rank_p5"].notna().any()
        err = (
            {
                "type": "data",
                "symmetric": False,
                "array": (g["rank_p95"] - g["rank"]).clip(lower=0),
                "arrayminus": (g["rank"] - g["rank_p5"]).clip(lower=0),
            }
            if has
            else None
        )
        fig.add_trace(
            go.Scatter(
                x=g["commodity"],
                y=g["rank"],
                mode="markers",
                name=str(meth),
                error_y=err,
                hovertemplate="%{x}: rank %{y}<extra>" + str(meth) + "</extra>",
            )
        )
    fig.update_yaxes(autorange="reversed", title="rank (1 = highest supply risk)")
    fig.update_layout(
        title=title, scattermode="group", legend_title="method", template="plotly_white"
    )
    return fig
