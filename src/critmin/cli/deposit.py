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


CacheOpt = Annotated[
    bool,
    typer.Option(
        "--cache/--no-cache",
        help="Reuse kriged blocks from the output folder's .cache when the inputs are unchanged.",
    ),
]
ExportOpt = Annotated[
    str | None,
    typer.Option(
        "--export",
        help="Comma-separated block-model exports: parquet, csv, omf, vtk, html (to the output folder).",
    ),
]
EXPORTS = ("parquet", "csv", "omf", "vtk", "html")


def _out_dir(spec: object, plots: Path | None) -> Path | None:
    from critmin.geostats.spec import EstimationSpec

    assert isinstance(spec, EstimationSpec)
    return plots if plots is not None else (spec.path(spec.output) if spec.output else None)


def _run(
    spec: object, scheduler: str | None, plots: Path | None, cache: bool, out: Path | None = None
):  # type: ignore[no-untyped-def]
    """Run the spec with Rich progress on stderr (steps and kriging chunks)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from critmin.geostats.workflow import run_spec

    d = _out_dir(spec, plots)
    cache_dir = (d / ".cache") if (cache and d is not None) else None
    cols = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*cols, console=Console(stderr=True), transient=True) as prog:
        task = prog.add_task("read", total=None)

        def step(name: str) -> None:
            prog.update(task, description=name, total=None, completed=0)

        def chunk(done: int, total: int) -> None:
            prog.update(task, total=total, completed=done)

        return run_spec(spec, scheduler=scheduler, out_dir=out, cache_dir=cache_dir,  # type: ignore[arg-type]
                        step=step, chunk_progress=chunk)  # fmt: skip


def _write_outputs(res: object, d: Path | None, export: str | None) -> list[str]:
    """Ledger beside the outputs, and the block-model exports asked for."""
    from critmin.errors import ValidationError
    from critmin.geostats import export as ex

    if d is None:
        return []
    d.mkdir(parents=True, exist_ok=True)
    res.ledger.to_csv(d / "ledger.csv", index=False)  # type: ignore[attr-defined]
    written = [str(d / "ledger.csv")]
    kinds = [k.strip() for k in (export or "").split(",") if k.strip()]
    bad = [k for k in kinds if k not in EXPORTS]
    if bad:
        raise ValidationError(f"unknown export(s) {', '.join(bad)}; use {', '.join(EXPORTS)}")
    if not kinds:
        return written
    t = ex.block_table(res.blocks, res.block_model)  # type: ignore[attr-defined]
    if "parquet" in kinds or "csv" in kinds:
        for p in ex.write_blocks(t, d):
            if p.suffix.lstrip(".") in kinds:
                written.append(str(p))
            else:
                p.unlink()
    if "omf" in kinds:
        written.append(str(ex.write_omf(t, res.block_model, d / "blocks.omf", res.spec.name)))  # type: ignore[attr-defined]
    if "vtk" in kinds:
        written.append(str(ex.write_vtk(t, res.block_model, d / "blocks.vtu")))  # type: ignore[attr-defined]
    if "html" in kinds:
        written.append(str(ex.write_html_view(t, res.composites, d / "view.html", "class",  # type: ignore[attr-defined]
                                              title=res.spec.name)))  # type: ignore[attr-defined]  # fmt: skip
    return written


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
    """Exploration statistics: hit rate, grade distribution, best intercepts.

    Example: critmin deposit stats examples/deposits/babbitt.yaml
    """
    import pandas as pd

    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import exploration_stats, load_drillholes

    sp = load_spec(spec, database_only=True)
    dh = load_drillholes(sp)
    ex = exploration_stats(sp, dh)
    if intercepts:
        if "intercepts" not in ex:
            from critmin.errors import SpecError

            raise SpecError(str(spec), "no intercept rule", field="exploration.intercepts")
        emit(ex["intercepts"].head(top), fmt, title=f"Best intercepts — {sp.name}")
        return
    u: str = sp.grade.unit
    rows = [{"statistic": "holes_drilled", "value": float(ex["holes_drilled"]), "unit": "holes"}]
    if "hit" in ex:
        for k, v in ex["hit"].items():
            unit = "holes" if k.startswith("holes") else ("" if k.endswith("rate") else u)
            rows.append({"statistic": k, "value": float(v), "unit": unit})
        rows.append({"statistic": "threshold", "value": float(ex["threshold"]), "unit": u})
    for k, v in ex["summary"].items():
        unit = {"count": "intervals", "n": "intervals", "cv": "", "metres": "m"}.get(k, u)
        rows.append({"statistic": f"grade_{k}", "value": float(v), "unit": unit})
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
    """Composite, desurvey and top-cut; print a summary (or write all composites).

    Example: critmin deposit composite examples/deposits/babbitt.yaml
    """
    import pandas as pd

    from critmin.geostats.spec import load_spec
    from critmin.geostats.stats import grade_summary
    from critmin.geostats.workflow import build_composites, load_drillholes

    sp = load_spec(spec, database_only=True)
    if sp.composite is None:  # type: ignore[comparison-overlap]
        from critmin.errors import SpecError

        raise SpecError(
            str(spec),
            "compositing needs a 'composite' section, e.g. {length: 2}",
            field="composite",
        )
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
    """Experimental variograms and the model; plots as PNG and HTML.

    Example: critmin deposit variogram examples/deposits/babbitt.yaml
    """
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
    cache: CacheOpt = True,
    export: ExportOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Krige the block model; print validation figures (global means, cross-validation).

    Example: critmin deposit estimate examples/deposits/cbmina/estimation.yaml
    """
    import pandas as pd

    from critmin.geostats import plot
    from critmin.geostats.spec import load_spec

    sp = load_spec(spec)
    res = _run(sp, scheduler, plots, cache, out)
    _write_outputs(res, _out_dir(sp, plots), export)
    rows = [{"figure": "blocks_estimated", "value": float(len(res.blocks))}]
    for p, n in res.blocks["search_pass"].value_counts().sort_index().items():
        rows.append({"figure": f"blocks_pass_{p}", "value": float(n)})
    rows += [{"figure": k, "value": float(v)} for k, v in res.validation.items()]
    from critmin.geostats.kna import neighbourhood_summary

    for r in neighbourhood_summary(res.blocks, "class").to_dict(orient="records"):
        for k in ("sor_mean", "sor_p10", "ke_mean", "ke_p10"):
            rows.append({"figure": f"{k}_{r['class']}", "value": float(r[k])})
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
            sw.to_csv(d / f"swath_{ax}.csv", index=False)
            plot.save_swath_png(sw, d / f"swath_{ax}.png", sp.grade.unit)
            plot.save_html(plot.swath_plotly(sw, sp.grade.unit), d / f"swath_{ax}.html")
        if cross_validate:
            cvw = res.composites[["hole", "from", "to", "x", "y", "z"]].join(cv)
            cvw.to_csv(d / "cross_validation.csv", index=False)
            plot.save_cross_validation_png(cvw, d / "cross_validation.png", sp.grade.unit)
        plot.save_logprob_png(res.composites[sp.grade.column].to_numpy(), sp.top_cut,
                              d / "top_cut_logprob.png", sp.grade.unit)  # fmt: skip
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
    cache: CacheOpt = True,
    export: ExportOpt = None,
    ledger: Annotated[
        bool, typer.Option("--ledger/--no-ledger", help="Print the ledger after the table.")
    ] = True,
    fmt: FormatOpt = Format.table,
) -> None:
    """Resource table: tonnes, grade and contained metal by class and cut-off.

    With several grades (or an equivalent) the table has every grade; the ledger
    (what each step took in, passed on and left out, and why) follows in table
    format and is written as ledger.csv beside the outputs.

    Example: critmin deposit report examples/deposits/cbmina/estimation.yaml --format json
    """
    import numpy as np

    from critmin.geostats import plot
    from critmin.geostats.spec import load_spec

    sp = load_spec(spec)
    res = _run(sp, scheduler, plots, cache)
    if res.resource_grades is not None:
        table = res.resource_grades
        if not all_cutoffs:
            c = (
                sp.report.reporting_cutoff
                if sp.report.reporting_cutoff is not None
                else sp.report.cutoffs[0]
            )
            table = table[np.isclose(table["cutoff"], c)].reset_index(drop=True)
    else:
        table = res.resource if all_cutoffs else res.resource_at_reporting_cutoff()
    written = _write_outputs(res, _out_dir(sp, plots), export)
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
    cap = "Classes by the spec's rule (docs/geostats.md); unclassified blocks excluded."
    if res.from_cache:
        cap += " Kriged blocks reused from the cache (inputs unchanged)."
    if res.notes:
        cap += " Notes: " + "; ".join(res.notes)
    if written:
        cap += " Written: " + ", ".join(written)
    emit(table, fmt, title=f"Mineral resource — {sp.name}", caption=cap)
    if ledger and fmt is Format.table:
        emit(res.ledger, fmt, title=f"Ledger — {sp.name}",
             caption="in = out + removed for each step; notes move nothing (docs/geostats.md).")  # fmt: skip


@app.command()
def validate(
    spec: SpecArg,
    summary: Annotated[
        bool, typer.Option("--summary", help="One row per file, issue kind and severity.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every issue of the drillhole database in one run (exit 0 clean/info, 1 warnings, 2 errors).

    Example: critmin deposit validate examples/deposits/babbitt.yaml --summary
    """
    from critmin.geostats.spec import load_spec
    from critmin.geostats.validate import exit_status, validate_spec

    sp = load_spec(spec, database_only=True)
    issues = validate_spec(sp)
    table = issues
    if summary and not issues.empty:
        kind = issues["issue"].str.replace(r"-?\d+(\.\d+)?", "N", regex=True)
        table = (
            issues.assign(issue=kind)
            .groupby(["file", "issue", "severity", "rule"], sort=False)
            .agg(count=("hole", "size"), holes=("hole", "nunique"), first_line=("line", "min"))
            .reset_index()
        )
    counts = issues["severity"].value_counts().to_dict()
    cap = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("error", "warning", "info"))
    emit(table, fmt, title=f"Drillhole validation — {sp.name}", caption=cap)
    code = exit_status(issues)
    if code:
        raise typer.Exit(code)


@app.command()
def kna(
    spec: SpecArg,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at", help="Test block centre x,y,z [m] (repeat; default: the composites' median)."
        ),
    ] = None,
    sizes: Annotated[
        str | None,
        typer.Option(help="Block sizes to try, e.g. 10x10x5,20x20x10 [m] (default: the spec's)."),
    ] = None,
    samples: Annotated[
        str | None, typer.Option(help="Largest sample counts to try, e.g. 8,16,24,32.")
    ] = None,
    scales: Annotated[
        str, typer.Option(help="Search-range multipliers to try, e.g. 0.5,1,1.5.")
    ] = "1",
    fmt: FormatOpt = Format.table,
) -> None:
    """Kriging neighbourhood analysis: slope of regression and kriging efficiency of test blocks.

    Example: critmin deposit kna examples/deposits/cbmina/estimation.yaml
    """
    import numpy as np

    from critmin.errors import ValidationError
    from critmin.geostats.kna import kna_sweep
    from critmin.geostats.spec import load_spec
    from critmin.geostats.workflow import (
        build_composites,
        load_drillholes,
        searches_for,
        variogram_for,
    )

    sp = load_spec(spec)
    comps, _ = build_composites(sp, load_drillholes(sp))
    _, model = variogram_for(sp, comps)

    def floats(text: str, sep: str = ",") -> list[float]:
        try:
            return [float(v) for v in text.split(sep) if v.strip()]
        except ValueError as exc:
            raise ValidationError(f"not a list of numbers: {text!r}") from exc

    xyz = comps[["x", "y", "z"]].to_numpy()
    targets = np.array([floats(a) for a in at]) if at else np.median(xyz, axis=0)[None, :]
    if targets.shape[1] != 3:
        raise ValidationError("--at needs x,y,z")
    size_list = (
        [tuple(floats(s, "x")) for s in sizes.split(",")] if sizes else [sp.block_model.size]
    )
    if any(len(s) != 3 for s in size_list):
        raise ValidationError("--sizes needs XxYxZ for each size")
    s = sp.search
    ms = (
        [int(v) for v in floats(samples)]
        if samples
        else sorted({s.min_samples, (s.min_samples + s.max_samples) // 2, s.max_samples})
    )
    table = kna_sweep(xyz, comps["grade"].to_numpy(), comps["hole"].astype(str).to_numpy(), model,
                      searches_for(sp)[0], targets, size_list, ms, floats(scales), s.discretisation)  # type: ignore[arg-type]  # fmt: skip
    emit(table, fmt, title=f"Kriging neighbourhood analysis — {sp.name}",
         caption="SoR = cov(Z*, Z_V) / var(Z*); KE = (BV - KV) / BV (docs/geostats.md).")  # fmt: skip


from critmin.cli.deposit_compare import register as _register_compare  # noqa: E402

_register_compare(app)
