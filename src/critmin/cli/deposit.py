"""``critmin deposit``: drillholes to a classified resource, driven by a YAML spec.

Heavy libraries (numba, scipy, matplotlib, plotly) are imported inside the
commands so that ``critmin --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

app = typer.Typer(no_args_is_help=True)

SpecArg = Annotated[Path, typer.Argument(help="Estimation spec (YAML).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")]
PlotsOpt = Annotated[
    Path | None,
    typer.Option(
        "--plots", help="Folder for PNG and HTML plots (default: the spec's output folder)."
    ),
]


def _plots_dir(spec: object, plots: Path | None) -> Path | None:
    from critmin.geostats.spec import EstimationSpec

    assert isinstance(spec, EstimationSpec)
    d = plots if plots is not None else (spec.path(spec.output) if spec.output else None)
    if d is not None:
        d.mkdir(parents=True, exist_ok=True)
    return d


@app.command()
def stats(
    spec: SpecArg,
    intercepts: Annotated[
        bool, typer.Option("--intercepts", help="List best intercepts instead.")
    ] = False,
    top: Annotated[int, typer.Option(help="Intercepts to list.")] = 10,
    fmt: FormatOpt = Format.table,
) -> None:
    """Exploration statistics: hit rate, grade distribution, best intercepts."""
    import pandas as pd

    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import exploration_stats, load_drillholes

    sp = load_spec(spec)
    dh = load_drillholes(sp)
    ex = exploration_stats(sp, dh)
    if intercepts:
        if "intercepts" not in ex:
            from critmin.errors import SpecError

            raise SpecError(str(spec), "no intercept rule", field="exploration.intercepts")
        emit(ex["intercepts"].head(top), fmt, title=f"Best intercepts — {sp.name}")
        return
    rows = [{"statistic": "holes_drilled", "value": float(ex["holes_drilled"])}]
    if "hit" in ex:
        for k, v in ex["hit"].items():
            rows.append({"statistic": k, "value": float(v)})
        rows.append({"statistic": "threshold", "value": float(ex["threshold"])})
    for k, v in ex["summary"].items():
        rows.append({"statistic": f"grade_{k}", "value": float(v)})
    caption = None
    if "hit" in ex:
        h = ex["hit"]
        caption = (
            f"{sp.grade.metal or sp.grade.column} >= {ex['threshold']:g} {sp.grade.unit} in "
            f"{h['holes_hit']} of {h['holes_assayed']} assayed holes"
        )
    emit(pd.DataFrame(rows), fmt, title=f"Exploration statistics — {sp.name}", caption=caption)


@app.command("composite")
def composite_cmd(
    spec: SpecArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write composites to this CSV.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Composite, desurvey and top-cut; print a summary (or write all composites)."""
    import pandas as pd

    from critmin.geostats.spec import load_spec
    from critmin.geostats.stats import grade_summary
    from critmin.geostats.workflow import build_composites, load_drillholes

    sp = load_spec(spec)
    dh = load_drillholes(sp)
    comps, notes = build_composites(sp, dh)
    if out is not None:
        comps.to_csv(out, index=False)
    by = [("all", comps)]
    if "domain" in comps:
        by += [(str(d), g) for d, g in comps.groupby("domain")]
    rows = []
    for name, g in by:
        s = grade_summary(g["grade"].to_numpy(), g["length"].to_numpy())
        rows.append(
            {
                "domain": name,
                "composites": len(g),
                "holes": int(g["hole"].nunique()),
                "mean": s["mean"],
                "cv": s["cv"],
                "min": s["min"],
                "p50": s["p50"],
                "max": s["max"],
                "declustered_mean": float((g["grade"] * g["weight"]).sum() / g["weight"].sum()),
            }
        )
    emit(
        pd.DataFrame(rows),
        fmt,
        title=f"Composites ({sp.composite.length:g} m) — {sp.name}",
        caption="; ".join(notes) or None,
    )


@app.command()
def variogram(spec: SpecArg, plots: PlotsOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Experimental variograms and the model; plots as PNG and HTML."""
    import pandas as pd

    from critmin.errors import SpecError
    from critmin.geostats import plot
    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import build_composites, load_drillholes, variogram_for

    sp = load_spec(spec)
    if sp.variogram.experimental is None:
        raise SpecError(
            str(spec), "no experimental variogram asked for", field="variogram.experimental"
        )
    comps, _ = build_composites(sp, load_drillholes(sp))
    exp, model = variogram_for(sp, comps)
    assert exp is not None
    d = _plots_dir(sp, plots)
    if d is not None:
        plot.save_variogram_png(exp, model, d / "variogram.png")
        plot.save_html(plot.variogram_plotly(exp, model), d / "variogram.html")
    structs = "; ".join(
        f"{s.kind} sill {s.sill:.4g} ranges {s.ranges[0]:.0f}/{s.ranges[1]:.0f}/{s.ranges[2]:.0f} m"
        for s in model.structures
    )
    emit(
        pd.DataFrame(exp),
        fmt,
        title=f"Experimental variograms — {sp.name}",
        caption=f"model: nugget {model.nugget:.4g}; {structs}",
    )


@app.command()
def estimate(
    spec: SpecArg,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for block-model parquet parts.")
    ] = None,
    cross_validate: Annotated[
        bool, typer.Option("--cross-validate", help="Also leave-one-hole-out cross-validation.")
    ] = False,
    plots: PlotsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Krige the block model; print validation figures (global means, cross-validation)."""
    import pandas as pd

    from critmin.geostats import plot
    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import run_spec

    sp = load_spec(spec)
    res = run_spec(sp, scheduler=scheduler, out_dir=out)
    rows = [{"figure": "blocks_estimated", "value": float(len(res.blocks))}]
    for p, n in res.blocks["search_pass"].value_counts().sort_index().items():
        rows.append({"figure": f"blocks_pass_{p}", "value": float(n)})
    rows += [{"figure": k, "value": float(v)} for k, v in res.validation.items()]
    if cross_validate:
        cv = res.cross_validation(leave_hole_out=True)
        ok = cv["estimate"].notna()
        rows += [
            {"figure": "cv_samples", "value": float(ok.sum())},
            {"figure": "cv_mean_error", "value": float(cv.loc[ok, "error"].mean())},
            {"figure": "cv_rmse", "value": float((cv.loc[ok, "error"] ** 2).mean() ** 0.5)},
            {
                "figure": "cv_correlation",
                "value": float(cv.loc[ok, ["true", "estimate"]].corr().iloc[0, 1]),
            },
            {
                "figure": "cv_mean_standardised_error_squared",
                "value": float((cv.loc[ok, "standardised_error"] ** 2).mean()),
            },
        ]
    d = _plots_dir(sp, plots)
    if d is not None:
        for ax in ("x", "y", "z"):
            sw = res.swath(ax)
            plot.save_swath_png(sw, d / f"swath_{ax}.png", sp.grade.unit)
            plot.save_html(plot.swath_plotly(sw, sp.grade.unit), d / f"swath_{ax}.html")
    emit(
        pd.DataFrame(rows),
        fmt,
        title=f"Estimation — {sp.name}",
        caption="; ".join(res.notes) or None,
    )


@app.command()
def report(
    spec: SpecArg,
    all_cutoffs: Annotated[
        bool, typer.Option("--all-cutoffs", help="Every cut-off, not only the reporting one.")
    ] = False,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    plots: PlotsOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Resource table: tonnes, grade and contained metal by class and cut-off."""
    from critmin.geostats import plot
    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import run_spec

    sp = load_spec(spec)
    res = run_spec(sp, scheduler=scheduler)
    table = res.resource if all_cutoffs else res.resource_at_reporting_cutoff()
    d = _plots_dir(sp, plots)
    if d is not None:
        plot.save_grade_tonnage_png(
            res.grade_tonnage, d / "grade_tonnage.png", sp.grade.unit, sp.grade.metal_unit
        )
        plot.save_html(
            plot.grade_tonnage_plotly(res.grade_tonnage, sp.grade.unit, sp.grade.metal_unit),
            d / "grade_tonnage.html",
        )
        res.resource.to_csv(d / "resource.csv", index=False)
    emit(
        table,
        fmt,
        title=f"Mineral resource — {sp.name}",
        caption="Classes by the spec's rule (docs/geostats.md); unclassified blocks excluded.",
    )
