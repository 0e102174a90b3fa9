"""Adapters from domain results to :class:`~critmin.report.section.BriefSection`.

Each function runs one module's public API (supply risk, a scenario, a deposit
estimation, a valuation) and packages the key figures, tables and charts for the
briefing. They live here, above the domain modules, so that no computation module
knows about the briefing and no domain ``__init__`` imports plotting code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from critmin.report.section import BriefSection, KeyFigure

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["deposit_section", "risk_section", "scenario_section", "valuation_section"]

RISK_COLUMNS = [
    "commodity",
    "method",
    "rank",
    "value",
    "p5",
    "p50",
    "p95",
    "rank_p5",
    "rank_p95",
    "p_top",
    "stage",
    "defaults_used",
    "quality",
    "quality_flag",
]


def risk_section(
    importer: str = "EU27",
    commodities: Sequence[str] = ("gallium", "germanium", "antimony", "tin", "copper"),
    draws: int = 500,
    seed: int | None = 0,
    top: int = 10,
    store: Store | None = None,
) -> BriefSection:
    """Ranks of selected commodities by every supply-risk method, among all assessed.

    Parameters
    ----------
    importer : str
        Importer (country, group or list).
    commodities : sequence of str
        Commodities shown.
    draws : int
        Monte Carlo draws. [-]
    seed : int, optional
        Random seed.
    top : int
        N of ``p_top`` (probability of a rank <= N). [-]
    store : Store, optional
        Data store (default: the user's store).
    """
    from critmin.data.commodities import resolve
    from critmin.risk.api import supply_risk
    from critmin.risk.plot import rank_figure

    df = supply_risk(importer, "all", draws=draws, seed=seed, top=top, store=store)
    cids = [resolve(c) for c in commodities]
    n = df.groupby("method")["commodity"].size().to_dict()
    sub = df[df["commodity"].isin(cids)].copy()
    sub["_o"] = sub["commodity"].map({c: i for i, c in enumerate(cids)})
    sub = sub.sort_values(["_o", "method"]).drop(columns="_o")
    table = sub[RISK_COLUMNS].reset_index(drop=True)
    a = df.attrs
    title = f"Supply risk seen from {a['importer']}: rank among assessed commodities"
    caption = (
        f"Ranks out of {', '.join(f'{k} {v}' for k, v in n.items())} commodities; "
        f"P5-P95 from {draws} Monte Carlo draws (seed {seed}) over WGI standard errors, parameter "
        f"ranges and estimated/withheld production. WGI {a['wgi_years'][0]}-{a['wgi_years'][1]}. "
        "Stand-ins: " + "; ".join(a["stand_ins"]) + "."
    )
    return BriefSection(
        title=title,
        text=[caption],
        key_figures=[
            KeyFigure("importer", str(a["importer"])),
            *(KeyFigure(f"commodities assessed ({m})", int(k)) for m, k in n.items()),
        ],
        tables={"table": table},
        figures={"ranks": rank_figure(table, title=title)},
    )


def scenario_section(
    path: str | Path,
    draws: int = 2000,
    seed: int | None = 0,
    *,
    country: str = "KAZ",
    store: Store | None = None,
) -> BriefSection:
    """Key tables and figures of a scenario.

    Parameters
    ----------
    path : str or pathlib.Path
        Scenario YAML file.
    draws : int
        Monte Carlo draws. [-]
    seed : int, optional
        Seed (same seed, same numbers).
    country : str
        Country of the by-product gallium table (default Kazakhstan).
    store : Store, optional
        Data store (default: the user's store).
    """
    from critmin.scenarios import byproduct_table, run_scenario
    from critmin.scenarios.plot import importer_figure_plotly, price_band_figure_plotly

    r = run_scenario(path, draws=draws, seed=seed, store=store)
    bp = byproduct_table("gallium", country=country, store=store)
    summ = r.importer_summary()
    last = r.spread.iloc[-1]
    peak = r.spread.loc[r.spread["ratio"].idxmax()]
    text = [
        f"{r.spec.name}: {r.spec.horizon} {r.spec.period} periods from {r.spec.period_labels()[0]}, "
        f"{draws} Monte Carlo draws (seed {seed}).",
        f"Rest-of-world / {r.spec.exporter} price ratio peaks at {peak['ratio']:.2f} in {peak['period']} "
        f"(P5-P95 {peak['ratio_p5']:.2f}-{peak['ratio_p95']:.2f}); {last['ratio']:.2f} in {last['period']}.",
    ]
    for _, row in summ.iterrows():
        text.append(
            f"{row['iso3']}: shortfall {row['shortfall_t']:.1f} t over the horizon "
            f"(P95 {row['shortfall_p95_t']:.1f} t), import share {100 * row['import_share']:.1f} %."
        )
    return BriefSection(
        title=r.spec.name,
        text=text,
        key_figures=[
            KeyFigure("peak price ratio, rest of world / exporter", float(peak["ratio"]), "x"),
            KeyFigure("peak period", str(peak["period"])),
        ],
        tables={
            "price_bands": r.price_bands,
            "spread": r.spread,
            "importer_shortfall": summ,
            "shortfall_probability": r.shortfall_probability(),
            "assumptions": r.assumptions,
            "byproduct_gallium": bp,
        },
        figures={
            "price_bands": price_band_figure_plotly(r),
            "importer_shortfall": importer_figure_plotly(r),
        },
        notes=list(r.notes),
    )


def deposit_section(spec_path: str | Path) -> BriefSection:
    """Resource table, grade-tonnage curve, variogram and swath of an estimation spec.

    Parameters
    ----------
    spec_path : str or pathlib.Path
        Estimation spec (YAML).
    """
    from critmin.geostats import plot
    from critmin.geostats.workflow import run_spec

    res = run_spec(spec_path)
    g = res.spec.grade
    figs = {
        "grade_tonnage": plot.grade_tonnage_plotly(res.grade_tonnage, g.unit, g.metal_unit),
        "swath_x": plot.swath_plotly(res.swath("x")),
    }
    if res.experimental is not None:
        figs["variogram"] = plot.variogram_plotly(res.experimental, res.model)
    ex = res.exploration
    keys = [KeyFigure("holes drilled", int(ex["holes_drilled"]))]
    summ = ex.get("summary", {})
    for k in ("count", "mean", "p50", "max"):
        if k in summ:
            unit = "" if k == "count" else g.unit
            label = "assay intervals" if k == "count" else f"{k} assay grade (length-weighted)"
            keys.append(KeyFigure(label, summ[k], unit))
    hit = ex.get("hit")
    if hit:
        keys.append(
            KeyFigure(
                f"holes with an assay of at least {ex['threshold']:g} {g.unit}",
                f"{hit['holes_hit']} of {hit['holes_assayed']}",
            )
        )
        keys.append(KeyFigure("highest hole grade", hit["max_grade"], g.unit))
    tables = {"resource": res.resource_at_reporting_cutoff(), "resource_all": res.resource}
    tables["grade_tonnage"] = res.grade_tonnage
    if res.resource_grades is not None:
        tables["resource_grades"] = res.resource_grades
    tables["ledger"] = res.ledger
    if ex.get("intercepts") is not None:
        tables["best_intercepts"] = ex["intercepts"]
    return BriefSection(
        title=res.spec.name, key_figures=keys, tables=tables, figures=figs, notes=list(res.notes)
    )


def valuation_section(
    spec_path: str | Path,
    *,
    draws: int = 10_000,
    seed: int | None = None,
    store: Store | None = None,
) -> BriefSection:
    """Results, assumptions and charts of a project (DCF) or deposit (value bridge) spec.

    Parameters
    ----------
    spec_path : str or pathlib.Path
        Project or deposit YAML file.
    draws : int
        Monte Carlo price paths. [-]
    seed : int, optional
        Random seed.
    store : Store, optional
        Data store (default: the user's store).
    """
    import pandas as pd

    from critmin.valuation import DepositResult, load_spec, value_deposit, value_project
    from critmin.valuation.plot import plotly_figures

    spec = load_spec(spec_path)
    if spec.kind == "deposit":
        dres = value_deposit(spec)  # type: ignore[arg-type]
        results = pd.DataFrame(
            {
                "metric": ["in_situ_value_usd", "recoverable_value_usd"],
                "value": [dres.in_situ_value_usd, dres.recoverable_value_usd],
                "unit": ["USD", "USD"],
            }
        )
        assert isinstance(dres, DepositResult)
        return BriefSection(
            title=dres.name,
            tables={"results": results, "assumptions": dres.assumptions},
            figures=plotly_figures(dres),
            notes=list(dres.notes),
            label=dres.label,
        )
    res = value_project(spec, draws=draws, seed=seed, store=store)  # type: ignore[arg-type]
    m = res.metrics
    tables = {"results": res.summary, "assumptions": res.assumptions}
    for name, t in (
        ("deterministic_vs_monte_carlo", res.gap_table),
        ("fit_window_sensitivity", res.window_table),
        ("price_regimes", res.regime_table),
    ):
        if t is not None and len(t):
            tables[name] = t
    return BriefSection(
        title=res.name,
        text=[res.explanation] if res.explanation else [],
        tables=tables,
        figures=plotly_figures(res),
        notes=list(res.notes),
        label=(
            f"DCF at {m['discount_rate']:.1%} {m['discount_basis']}; "
            f"{m['n_assumptions']} inputs are assumptions (see the table)"
        ),
    )
