"""Scenario commands: ``critmin scenario run FILE``, ``byproduct METAL``, ``backtest`` and ``compare-usgs``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv or json.")
]


class Show(StrEnum):
    """Table printed by ``scenario run`` in csv/json output (table output prints a summary)."""

    prices = "prices"
    spread = "spread"
    markets = "markets"
    importers = "importers"
    shortfall = "shortfall"
    supply = "supply"
    assumptions = "assumptions"
    calibration = "calibration"


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws (0: central run only).")
    ] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same numbers).")] = 0,
    fmt: FormatOpt = Format.table,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for CSV tables, result.json and charts (HTML and PNG)."),
    ] = None,
    show: Annotated[Show, typer.Option("--show", help="Table for csv/json output.")] = Show.prices,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold", help="Shortfall threshold per period in t (default 10 % of ROW demand)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="dask.distributed scheduler address (optional)."),
    ] = None,
) -> None:
    """Run a market scenario: prices per market, spread, importer shortfall, with Monte Carlo bands.

    Example: critmin scenario run examples/scenarios/germanium-2023-controls.yaml --draws 2000 --seed 1
    """
    from critmin.errors import ValidationError
    from critmin.scenarios import run_scenario

    if draws < 0:
        raise ValidationError("--draws must be >= 0")
    from critmin.cli._progress import step

    with step(f"running {file} ({draws:,} draws)"):
        r = run_scenario(file, draws=draws, seed=seed, scheduler=scheduler)
    prob = r.shortfall_probability(threshold)
    tables = {
        Show.prices: r.price_bands,
        Show.spread: r.spread,
        Show.markets: r.markets,
        Show.importers: r.importer_summary(),
        Show.shortfall: prob,
        Show.supply: r.supply_sources,
        Show.assumptions: r.assumptions,
        Show.calibration: r.calibration,
    }
    if out is not None:
        _write(r, out, prob)
    if fmt is not Format.table:
        emit(tables[show], fmt)
        return
    unit = r.unit
    cap = f"{r.draws} draws, seed {r.seed}; price in {unit}; P5/P50/P95 over the Monte Carlo draws"
    emit(
        _thin(r.spread, r.spec.period),
        fmt,
        title=f"{r.spec.name} — price spread ROW / {r.spec.exporter}",
        caption=cap,
    )
    emit(
        _thin(r.price_bands, r.spec.period),
        fmt,
        title="Price bands by market",
        caption=cap,
    )
    emit(
        r.importer_summary(),
        fmt,
        title="Importer exposure over the horizon [t]",
        caption="shortfall: rest-of-world unmet demand x import share; restricted: baseline flow "
        "from the exporter held back. " + "; ".join(r.notes),
    )
    emit(
        _thin(prob, r.spec.period),
        fmt,
        title="Probability that the ROW shortfall in a period exceeds the threshold",
    )
    a = r.assumptions
    emit(
        a[["name", "value", "unit", "assumption", "source", "note"]],
        fmt,
        title="Inputs and assumptions",
        caption="assumption = yes: not from the dataset or a cited source; facts:N = line N of "
        "the gallium/germanium facts table (full citations: --show assumptions --format csv)",
    )
    if out is not None:
        typer.echo(f"wrote tables and charts to {out}")


def _thin(df, period: str):  # type: ignore[no-untyped-def]
    """For table output of monthly runs: every third period."""
    if period != "monthly":
        return df
    keep = sorted(set(df["period"]))[::3]
    return df[df["period"].isin(keep)]


def _write(r, out: Path, prob) -> None:  # type: ignore[no-untyped-def]
    import json

    from critmin.cli._output import to_json
    from critmin.scenarios.plot import write_charts

    out.mkdir(parents=True, exist_ok=True)
    payload = {}
    for name, df in r.tables().items():
        if name == "shortfall_probability":
            df = prob
        df.to_csv(out / f"{name}.csv", index=False)
        payload[name] = df
    payload_json = {
        "name": r.spec.name,
        "draws": r.draws,
        "seed": r.seed,
        "unit": r.unit,
        "notes": r.notes,
        **{k: json.loads(to_json(v)) for k, v in payload.items()},
    }
    (out / "result.json").write_text(to_json(payload_json) + "\n", "utf-8")
    write_charts(r, out)


@app.command()
def byproduct(
    metal: Annotated[str, typer.Argument(help="gallium (from alumina) or germanium (from zinc).")],
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="Country (ISO3 or name); default all.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="Year of host output.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """By-product supply that host output supports: host x content x recovery, capped by capacity.

    Example: critmin scenario byproduct germanium --format csv
    """
    from critmin.scenarios import byproduct_table

    df = byproduct_table(metal, country=country, year=year)
    if fmt is not Format.table:
        emit(df, fmt)
        return
    cols = [
        "iso3",
        "host_t",
        "case",
        "intensity_g_t",
        "potential_low_t",
        "potential_t",
        "potential_high_t",
        "bound_t",
        "capacity_t",
        "supported_t",
        "plan_intensity_g_t",
        "capacity_source",
    ]
    bm = "; ".join(f"{lab} = {v:g} g/t ({src})" for lab, v, src in df.attrs["benchmarks"])
    factors = "; ".join(sorted(set(df["factor_sources"])))
    first = df.iloc[0]
    emit(
        df[cols],
        fmt,
        title=f"{df.attrs['metal']} from {first['host']} ({first['year']}): supportable supply [t/yr]",
        caption=f"factors: {factors}. Benchmarks: {bm or '—'}. Host output: {first['host_source']}. "
        f"bound_t = host x {df.attrs['grade_bound'][0]:,.0f} g/t: {df.attrs['grade_bound'][1]}",
    )


@app.command()
def backtest(
    commodity: Annotated[
        str | None,
        typer.Argument(help="gallium, germanium or antimony; default all three."),
    ] = None,
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario file (default: the shipped backtest example)."),
    ] = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every observed month after a shock against the model's central run and P5-P95 band.

    Example: critmin scenario backtest gallium-oos
    """
    import pandas as pd

    from critmin.errors import ValidationError
    from critmin.scenarios.backtest import BACKTESTS, backtest_summary
    from critmin.scenarios.backtest import backtest as run_backtest

    chosen = [
        b for b in BACKTESTS if commodity is None or commodity.lower() in (b.name, b.commodity)
    ]
    if not chosen:
        raise ValidationError(
            f"no backtest for {commodity!r}; choose one of {[b.name for b in BACKTESTS]}"
        )
    frames = []
    for b in chosen:
        path = scenario if scenario is not None else Path(b.scenario)
        if not path.exists():
            raise ValidationError(f"{path}: scenario file not found (run from the repository root)")
        df = run_backtest(str(path), b.commodity, draws=draws, seed=seed)
        s = backtest_summary(df)
        df.insert(0, "backtest", b.name)
        df["protocol"] = b.protocol
        frames.append(df)
        if fmt is Format.table:
            emit(
                df.drop(columns=["backtest", "protocol"]),
                fmt,
                title=f"Backtest: {b.name} [{df.attrs['unit']}] ({b.protocol})",
                caption=f"{draws} draws, seed {seed}; {s['n']} months: P5-P95 coverage "
                f"{s['coverage']:.0%}, bias {s['bias']:+.2f}, log-RMSE {s['log_rmse']:.2f}; "
                f"lower bounds above P95: {s['bound_violations']}",
            )
    if fmt is not Format.table:
        emit(pd.concat(frames, ignore_index=True), fmt)


@app.command("compare-usgs")
def compare_usgs(
    metal: Annotated[str, typer.Argument(help="gallium or germanium.")],
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="Pre-control scenario (default: the out-of-sample backtest, else the backtest).",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The USGS OFR 2024-1057 total cut-off case, like for like, input by input.

    Example: critmin scenario compare-usgs gallium
    """
    from critmin.errors import ValidationError
    from critmin.scenarios.backtest import BACKTESTS
    from critmin.scenarios.compare import USGS_PRICE_EFFECT, usgs_total_cutoff

    key = metal.strip().lower()
    if key not in USGS_PRICE_EFFECT:
        raise ValidationError(f"no USGS figure for {metal!r}; choose gallium or germanium")
    # the out-of-sample backtest where there is one (gallium: it carries secondary supply)
    runs = sorted(
        (b for b in BACKTESTS if b.commodity == key), key=lambda b: b.name != f"{key}-oos"
    )
    path = scenario or Path(runs[0].scenario)
    if not path.exists():
        raise ValidationError(f"{path}: scenario file not found (run from the repository root)")
    df = usgs_total_cutoff(key, path)
    df["critmin"] = df["critmin"].map(lambda v: f"{v:.4g}" if isinstance(v, float) else str(v))
    emit(
        df,
        fmt,
        title=f"{key}: total Chinese export cut-off, critmin vs USGS OFR 2024-1057",
        caption=f"critmin / USGS price effect: x{df.attrs['ratio']:.1f} without restarts"
        + (
            f", x{rs:.1f} with ROW secondary supply"
            if (rs := df.attrs["ratio_secondary"]) == rs
            else ""
        ),
    )
