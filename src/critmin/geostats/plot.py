"""Plots of the appraisal: variograms, swaths and grade-tonnage curves.

Each plot comes as a matplotlib PNG (``save_*_png``) and a plotly figure
(``*_plotly``) that :func:`save_html` writes with plotly.js embedded, so the
HTML works offline. Plotting is kept apart from computation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.geostats.variogram import VariogramModel

__all__ = [
    "grade_tonnage_plotly",
    "save_cross_validation_png",
    "save_grade_tonnage_png",
    "save_html",
    "save_logprob_png",
    "save_swath_png",
    "save_variogram_png",
    "swath_plotly",
    "variogram_plotly",
]


def _groups(exp: pd.DataFrame) -> list[tuple[str, pd.DataFrame, float | None, float]]:
    out: list[tuple[str, pd.DataFrame, float | None, float]] = []
    for (az, dp), g in exp.groupby(["azimuth", "dip"], dropna=False):
        if np.isnan(az):
            out.append(("omnidirectional", g, None, 0.0))
        else:
            out.append((f"az {az:g}°, dip {dp:g}°", g, float(az), float(dp)))
    return out


def _model_curve(
    model: VariogramModel, hmax: float, az: float | None, dp: float
) -> tuple[np.ndarray, np.ndarray]:
    h = np.linspace(0.0, hmax, 200)
    return h, model.gamma_along(h, az or 0.0, dp)


def save_variogram_png(exp: pd.DataFrame, model: VariogramModel | None, path: str | Path) -> Path:
    """Experimental variogram(s) with the model, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    hmax = float(np.nanmax(exp["distance"])) * 1.1
    for label, g, az, dp in _groups(exp):
        pts = ax.plot(g["distance"], g["gamma"], "o", label=f"{label} (experimental)")
        for x, y, n in zip(g["distance"], g["gamma"], g["pairs"], strict=True):
            ax.annotate(f"{int(n)}", (x, y), textcoords="offset points", xytext=(0, 5),
                        ha="center", fontsize=6, color=pts[0].get_color())  # fmt: skip
        if model is not None:
            h, y = _model_curve(model, hmax, az, dp)
            ax.plot(h, y, "-", color=pts[0].get_color(), label=f"{label} (model)")
    if model is not None:
        ax.axhline(model.sill, color="grey", ls="--", lw=1, label=f"sill {model.sill:.4g}")
    ax.set_xlabel("lag [m] (numbers: pairs per lag)")
    ax.set_ylabel("γ(h)")
    ax.set_ylim(bottom=0)
    ax.legend()
    ax.set_title("Experimental variogram and model")
    fig.tight_layout()
    p = Path(path)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def variogram_plotly(exp: pd.DataFrame, model: VariogramModel | None) -> Any:
    """Experimental variogram(s) with the model, as a plotly figure."""
    import plotly.graph_objects as go

    fig = go.Figure()
    hmax = float(np.nanmax(exp["distance"])) * 1.1
    for label, g, az, dp in _groups(exp):
        fig.add_trace(
            go.Scatter(
                x=g["distance"],
                y=g["gamma"],
                mode="markers",
                name=label,
                text=g["pairs"],
                hovertemplate="h=%{x:.1f} m γ=%{y:.4g} pairs=%{text}",
            )
        )
        if model is not None:
            h, y = _model_curve(model, hmax, az, dp)
            fig.add_trace(go.Scatter(x=h, y=y, mode="lines", name=f"model {label}"))
    if model is not None:
        fig.add_hline(y=model.sill, line_dash="dash", annotation_text=f"sill {model.sill:.4g}")
    fig.update_layout(
        title="Experimental variogram and model", xaxis_title="lag [m]", yaxis_title="γ(h)"
    )
    return fig


def save_swath_png(sw: pd.DataFrame, path: str | Path, unit: str = "") -> Path:
    """Swath plot (composite mean vs block mean per slice), as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(sw["centre"], sw["composite_mean"], "o-", label="composites")
    ax.plot(sw["centre"], sw["block_mean"], "s-", label="kriged blocks, all passes")
    if "block_mean_pass1" in sw:
        ax.plot(sw["centre"], sw["block_mean_pass1"], "^--", label="kriged blocks, pass 1")
    ax2 = ax.twinx()
    ax2.bar(sw["centre"], sw["composites"], width=0.6 * float(np.diff(sw["centre"]).min())
            if len(sw) > 1 else 1.0, alpha=0.15, color="grey")  # fmt: skip
    ax2.set_ylabel("composites per slice (bars)")
    axis = str(sw["axis"].iloc[0]) if len(sw) else "x"
    ax.set_xlabel(f"{axis} [m]")
    ax.set_ylabel(f"mean grade [{unit}]")
    ax.legend()
    ax.set_title(f"Swath plot along {axis}")
    fig.tight_layout()
    p = Path(path)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def swath_plotly(sw: pd.DataFrame, unit: str = "") -> Any:
    """Swath plot as a plotly figure."""
    import plotly.graph_objects as go

    axis = str(sw["axis"].iloc[0]) if len(sw) else "x"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=sw["centre"], y=sw["composite_mean"], mode="lines+markers", name="composites")
    )
    fig.add_trace(
        go.Scatter(x=sw["centre"], y=sw["block_mean"], mode="lines+markers", name="kriged blocks")
    )
    fig.update_layout(
        title=f"Swath plot along {axis}",
        xaxis_title=f"{axis} [m]",
        yaxis_title=f"mean grade [{unit}]",
    )
    return fig


def save_grade_tonnage_png(
    gt: pd.DataFrame, path: str | Path, grade_unit: str = "%", metal_unit: str = "t"
) -> Path:
    """Grade-tonnage curve (tonnes and mean grade above cut-off), as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(gt["cutoff"], gt["tonnes"] / 1e6, "o-", color="tab:blue")
    ax.set_xlabel(f"cut-off [{grade_unit}]")
    ax.set_ylabel("tonnes above cut-off [Mt]", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(gt["cutoff"], gt["grade"], "s-", color="tab:red")
    ax2.set_ylabel(f"mean grade above cut-off [{grade_unit}]", color="tab:red")
    ax.set_title("Grade-tonnage curve")
    fig.tight_layout()
    p = Path(path)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def grade_tonnage_plotly(gt: pd.DataFrame, grade_unit: str = "%", metal_unit: str = "t") -> Any:
    """Grade-tonnage curve as a plotly figure (two y axes)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=gt["cutoff"], y=gt["tonnes"] / 1e6, name="tonnes [Mt]", mode="lines+markers")
    )
    fig.add_trace(
        go.Scatter(
            x=gt["cutoff"],
            y=gt["grade"],
            name=f"grade [{grade_unit}]",
            mode="lines+markers",
            yaxis="y2",
        )
    )
    fig.update_layout(
        title="Grade-tonnage curve",
        xaxis_title=f"cut-off [{grade_unit}]",
        yaxis={"title": "tonnes above cut-off [Mt]"},
        yaxis2={"title": f"mean grade [{grade_unit}]", "overlaying": "y", "side": "right"},
    )
    return fig


def save_html(fig: Any, path: str | Path) -> Path:
    """Write a plotly figure as standalone HTML (plotly.js embedded, works offline)."""
    p = Path(path)
    fig.write_html(str(p), include_plotlyjs=True, full_html=True)
    return p


def save_logprob_png(
    values: np.ndarray, cap: float | None, path: str | Path, unit: str = ""
) -> Path:
    """Log-probability plot of composite grades with the top-cut, as PNG.

    Each sorted grade :math:`g_{(i)}` is drawn at the normal score
    :math:`\\Phi^{-1}((i - 0.5) / n)` on a log grade axis; a lognormal population
    is a straight line, and the top-cut is a horizontal line.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.stats import norm

    v = np.sort(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    p = (np.arange(1, len(v) + 1) - 0.5) / max(len(v), 1)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(norm.ppf(p), v, ".", ms=3, label=f"composites ({len(v):,}, grade > 0)")
    if cap is not None:
        n = int(np.sum(v > cap))
        ax.axhline(cap, color="red", ls="--", label=f"top-cut {cap:g} {unit} ({n} above)")
    ax.set_yscale("log")
    ticks = [0.01, 0.1, 0.5, 0.9, 0.99, 0.999]
    ax.set_xticks(norm.ppf(ticks), [f"{100 * t:g}" for t in ticks])
    ax.set_xlabel("cumulative probability [%]")
    ax.set_ylabel(f"grade [{unit}]")
    ax.legend()
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def save_cross_validation_png(cv: pd.DataFrame, path: str | Path, unit: str = "") -> Path:
    """Cross-validation: estimate against true value and the error histogram, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = cv["estimate"].notna()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.5))
    a1.plot(cv.loc[ok, "true"], cv.loc[ok, "estimate"], ".", ms=3)
    hi = float(np.nanmax(cv.loc[ok, ["true", "estimate"]].to_numpy())) if ok.any() else 1.0
    a1.plot([0, hi], [0, hi], "k--", lw=1, label="1:1")
    a1.set_xlabel(f"composite grade [{unit}]")
    a1.set_ylabel(f"cross-validated estimate [{unit}]")
    a1.legend()
    a2.hist(cv.loc[ok, "error"], bins=50)
    a2.set_xlabel(f"error (estimate - true) [{unit}]")
    a2.set_ylabel(f"composites ({int(ok.sum()):,} estimated)")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
