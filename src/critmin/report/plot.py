"""Charts of the briefing (plotly), apart from computation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["price_chart", "share_chart"]


def share_chart(df: pd.DataFrame, title: str, top: int = 8) -> Any:
    """Horizontal bar chart of producer shares (what-if rows highlighted)."""
    import plotly.graph_objects as go

    d = df[df["share"].notna()].copy()
    d = d[d["entity_type"].isin(["country", "other"])] if "entity_type" in d.columns else d
    d = d.sort_values("share", ascending=True).tail(top)
    colors = ["#e0a800" if bool(w) else "#0b5cad" for w in d.get("what_if", [False] * len(d))]
    label = d["country"].fillna(d["iso3"]) if "country" in d.columns else d["iso3"]
    fig = go.Figure(
        go.Bar(
            x=100 * d["share"],
            y=label,
            orientation="h",
            marker_color=colors,
            text=[f"{100 * s:.1f} %" for s in d["share"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:.2f} %<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="share of production [%]",
        margin={"l": 140, "r": 20, "t": 50, "b": 40},
    )
    return fig


def price_chart(series: list[pd.DataFrame], title: str) -> Any:
    """Line chart of one or more price series (each with period/year, value, unit)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for df in series:
        x = df["period"] if "period" in df.columns else df["year"]
        name = f"{df['series'].iloc[0]} [{df['unit'].iloc[0]}]"
        fig.add_trace(go.Scatter(x=x, y=df["value"], mode="lines", name=name))
    unit = series[0]["unit"].iloc[0] if series else ""
    fig.update_layout(
        title=title, yaxis_title=f"price [{unit}]", margin={"l": 60, "r": 20, "t": 50, "b": 40}
    )
    return fig
