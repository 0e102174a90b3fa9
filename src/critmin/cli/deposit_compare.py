"""``critmin deposit compare``: place a deposit in the USGS grade-tonnage model of its type."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["register"]


def _pairs(items: list[str], what: str) -> dict[str, float]:
    from critmin.errors import ValidationError

    out: dict[str, float] = {}
    for it in items:
        sym, sep, val = it.partition("=")
        try:
            if not sep or not sym.strip():
                raise ValueError
            out[sym.strip()] = float(val)
        except ValueError:
            raise ValidationError(f"--{what} {it!r}: expected SYMBOL=NUMBER, e.g. Cu=0.5") from None
    return out


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the ``deposit`` command group."""

    @app.command("compare")
    def compare_cmd(
        tonnage: Annotated[float, typer.Option("--tonnage", help="Ore tonnage [t].")],
        deposit_type: Annotated[
            str | None,
            typer.Option("--type", help="Deposit type, e.g. porphyry-cu-au, placer-pge, tin."),
        ] = None,
        grade: Annotated[
            list[str] | None,
            typer.Option(
                "--grade", help="Average grade SYMBOL=PERCENT (repeatable), e.g. Cu=0.45."
            ),
        ] = None,
        contained: Annotated[
            list[str] | None,
            typer.Option(
                "--contained",
                help="Contained metal SYMBOL=TONNES (repeatable); the grade is derived from it.",
            ),
        ] = None,
        model_csv: Annotated[
            Path | None,
            typer.Option(
                "--model-csv",
                help="Your grade-tonnage CSV: 'Deposit Name', 'Tonnage (mt)' [t], '<Sym> Grade (%)'.",
            ),
        ] = None,
        reference: Annotated[
            Path, typer.Option("--reference", help="The shared/reference folder.")
        ] = Path("../shared/reference"),
        name: Annotated[str, typer.Option("--name", help="Deposit name for the plot.")] = "deposit",
        plot: Annotated[
            Path | None, typer.Option("--plot", help="Write the cumulative-distribution PNG here.")
        ] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")] = (
            Format.table
        ),
    ) -> None:
        """Percentiles of a deposit's tonnage, grades and contained metal in its type's model.

        Example: critmin deposit compare --help (a deposit's tonnage and grades against its type's model)
        """
        from critmin.errors import ValidationError
        from critmin.valuation.gradetonnage import (
            GT_MODELS,
            compare_deposit,
            find_model,
            read_gt_csv,
        )

        grades = _pairs(grade or [], "grade")
        for sym, t in _pairs(contained or [], "contained").items():
            if sym in grades:
                raise ValidationError(f"give either --grade or --contained for {sym}, not both")
            grades[sym] = 100.0 * t / tonnage if tonnage > 0 else 0.0
        if model_csv is not None:
            model = read_gt_csv(
                model_csv,
                deposit_type=deposit_type or model_csv.stem,
                citation=f"user file {model_csv}",
            )
        else:
            if deposit_type is None:
                raise ValidationError("give --type (a built-in model) or --model-csv")
            key = find_model(deposit_type)
            info = GT_MODELS[key]
            model = read_gt_csv(
                reference / info["file"],
                key=key,
                deposit_type=info["type"],
                citation=info["citation"],
            )
        table = compare_deposit(model, tonnage, grades)
        emit(
            table,
            fmt,
            title=f"{name} within the {model.deposit_type} grade-tonnage model ({len(model.table)} deposits)",
            caption=(
                "percentile = share of model deposits at or below the deposit's value; "
                f"q10/q50/q90 = model quantiles. Source: {model.citation}"
            ),
        )
        if fmt is Format.table:
            for note in model.notes:
                sys.stdout.write(f"note: {note}\n")
        if plot is not None:
            from critmin.valuation.plot_gt import grade_tonnage_figure

            p = grade_tonnage_figure(model, table, plot, label=name)
            (sys.stdout if fmt is Format.table else sys.stderr).write(f"wrote {p}\n")
