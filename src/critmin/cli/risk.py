"""``critmin risk``: supply-risk indices side by side (``rank``) and factor by factor (``explain``).

numpy, pandas and :mod:`critmin.risk` are imported inside the commands (fast start).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from critmin.cli._output import Format, emit

__all__ = ["app"]

app = typer.Typer(no_args_is_help=False)

FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv or json.")
]
ImporterOpt = Annotated[
    str,
    typer.Option(
        "--importer",
        "--for",
        "-i",
        help="Importer: EU27, OECD, G7, a country (USA) or a list (USA,JPN).",
    ),
]
DomesticOpt = Annotated[
    str,
    typer.Option(
        "--domestic",
        help="Domestic supply: auto (own_governance for EU27, secure otherwise), own_governance or secure.",
    ),
]
EuSourcingOpt = Annotated[
    str,
    typer.Option(
        "--eu-sourcing",
        help="EU27 sourcing and IR where critmin has no data: critmin (default: EC fallback, "
        "IR placeholder) or study2023 (the EU 2023 study's published EU sourcing, 2016-2020).",
    ),
]
YearOpt = Annotated[
    int | None,
    typer.Option("--year", "-y", help="Latest production year to use (default: latest with data)."),
]


def _caption(a: dict[str, Any], draws: int, seed: int | None, top: int) -> str:
    return (
        f"importer {a['importer']} ({len(a['members'])} countries); WGI {a['wgi_years'][0]}-"
        f"{a['wgi_years'][1]}; "
        + (f"{draws} draws, seed {seed}, p_top = P(rank <= {top}). " if draws else "no draws. ")
        + "value = central estimate (parameters at the centre of their ranges); p5/p50/p95 "
        "over the parameter ranges, WGI errors and data qualifiers (band_<source> = P5-P95 "
        "width with that source alone); structural_low/high = "
        "the method's open choices (stage, sourcing code, domestic convention). quality = "
        "share of the inputs on placeholders (A <= 0.2 ... D > 0.6; '!' = placeholder-"
        f"dominated, not a finding). Domestic supply: {a['domestic_supply']}. Stand-ins: "
        + "; ".join(a["stand_ins"])
    )


@app.callback(invoke_without_command=True)
def _default(
    ctx: typer.Context,
    importer: ImporterOpt = "EU27",
    method: Annotated[
        str | None, typer.Option("--method", "-m", help="eu, eu2020, usgs, geopolrisk, hhi or all.")
    ] = None,
    year: YearOpt = None,
    draws: Annotated[int, typer.Option("--draws", "-n", help="Monte Carlo draws.")] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Supply-risk indices side by side. Without a sub-command: ``critmin risk --method eu --for EU27`` ranks."""
    if ctx.invoked_subcommand is None:
        rank(
            importer=importer,
            method=method or "all",
            year=year,
            draws=draws,
            seed=seed,
            top=10,
            limit=None,
            domestic="auto",
            fmt=fmt,
        )


@app.command()
def rank(
    importer: ImporterOpt = "EU27",
    method: Annotated[
        str,
        typer.Option("--method", "-m", help="eu, eu2020, usgs, geopolrisk, hhi or all."),
    ] = "all",
    year: YearOpt = None,
    draws: Annotated[
        int, typer.Option("--draws", "-n", help="Monte Carlo draws (0: point values only).")
    ] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    top: Annotated[
        int, typer.Option("--top", help="N for the probability of being in the top N.")
    ] = 10,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Show only the first N rows per method.")
    ] = None,
    domestic: DomesticOpt = "auto",
    eu_sourcing: EuSourcingOpt = "critmin",
    fmt: FormatOpt = Format.table,
) -> None:
    """Rank commodities by supply risk, by one method or all side by side.

    Example: critmin risk rank --importer EU27 --method all --draws 2000
    """
    from critmin.errors import ValidationError
    from critmin.risk import side_by_side, supply_risk

    if limit is not None and limit < 1:
        raise ValidationError("--limit must be >= 1")
    from critmin.cli._progress import step

    with step(f"supply risk for {importer} ({draws:,} draws)"):
        df = supply_risk(
            importer,
            method,
            year,
            draws=draws,
            seed=seed,
            top=top,
            domestic=domestic,
            params={"eu_sourcing": eu_sourcing},
        )
    a = df.attrs
    ms = list(dict.fromkeys(df["method"]))
    if len(ms) > 1 and fmt is Format.table:
        wide = side_by_side(df)
        q = df[df["method"] == ms[0]].set_index("commodity")
        wide[f"{ms[0]}_quality"] = (
            wide["commodity"].map(q["quality"])
            + wide["commodity"].map(q["quality_flag"]).map(lambda f: "!" if f else "")
        ).to_numpy()
        if limit is not None:
            wide = wide.head(limit)
        title = f"Supply risk seen from {a['importer']} (rows ordered by {ms[0]})"
        emit(wide, fmt, title=title, caption=_caption(a, draws, seed, top))
        return
    if limit is not None:
        df = df[df["rank"] <= limit]
    if fmt is not Format.table:
        emit(df, fmt)
        return
    caption = _caption(a, draws, seed, top)
    cols = ["rank", "commodity", "value", "scale", "stage", "year"]
    if draws:
        cols += ["p5", "p50", "p95", "rank_p5", "rank_p95", "p_top"]
        cols += ["band_governance", "band_data", "band_parameters"]
    cols += ["structural_low", "structural_high", "quality", "quality_flag"]
    cols += ["import_reliance", "sourcing", "defaults_used"]
    emit(df[cols], fmt, title=f"Supply risk ({ms[0]}) seen from {a['importer']}", caption=caption)


@app.command()
def explain(
    commodity: Annotated[str, typer.Argument(help="Commodity name, alias or symbol.")],
    method: Annotated[
        str, typer.Option("--method", "-m", help="eu, eu2020, usgs, geopolrisk or hhi.")
    ] = "eu",
    importer: ImporterOpt = "EU27",
    year: YearOpt = None,
    domestic: DomesticOpt = "auto",
    eu_sourcing: EuSourcingOpt = "critmin",
    fmt: FormatOpt = Format.table,
) -> None:
    """Show every factor of one commodity's index: value, unit and source rows.

    Example: critmin risk explain gallium --method eu --importer EU27
    """
    from critmin.risk import explain as _explain

    df = _explain(
        commodity, method, importer, year, domestic=domestic, params={"eu_sourcing": eu_sourcing}
    )
    a = df.attrs
    if fmt is not Format.table:
        emit(df, fmt)
        return
    caption = (
        f"Data quality: grade {a['quality']} ({a['placeholder_share']:.0%} of the inputs on "
        f"placeholders{'; ' + a['quality_flag'] if a['quality_flag'] else ''}). "
        f"Domestic supply: {a['domestic_supply']}. "
        "Warnings: "
        + ("; ".join(a["warnings"]) or "none")
        + ". Stand-ins: "
        + "; ".join(a["stand_ins"])
    )
    emit(
        df,
        fmt,
        title=f"{a['commodity']}: {a['method']} supply risk seen from {a['importer']} "
        f"(WGI {a['wgi_years'][0]}-{a['wgi_years'][1]})",
        caption=caption,
    )
