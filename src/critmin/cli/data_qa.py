"""``critmin data qa [COMMODITY]`` and ``critmin data dropped``: the build's QA findings."""

from __future__ import annotations

from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["dropped", "files", "qa"]

_QA_VIEW = [
    "status",
    "check",
    "commodity",
    "measure",
    "product",
    "year",
    "edition",
    "iso3",
    "value",
    "expected",
    "ratio",
    "unit",
    "reason",
    "source_id",
    "source_row",
]


def qa(
    commodity: Annotated[
        str | None, typer.Argument(help="Commodity (name, symbol or alias); default all.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="Only findings with this status: explained|unexplained|info."
        ),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Findings of the QA gate of the bundled dataset (country sums, edition jumps, units)."""
    from critmin.data.commodities import resolve
    from critmin.data.store import get_store

    cid = resolve(commodity) if commodity else None
    df = get_store().qa_findings(cid)
    if status:
        df = df[df["status"] == status]
    open_n = int((df["status"] == "unexplained").sum())
    emit(
        df[_QA_VIEW],
        fmt,
        title=f"QA findings{f': {cid}' if cid else ''} ({len(df)}, {open_n} unexplained)",
        caption="Rules: critmin/data/registry/qa_rules.yaml; explanations: qa_explanations.yaml",
    )


def dropped(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Source files, columns and cells the build did not store, each with its reason."""
    from critmin.data.store import get_store

    df = get_store().dropped()
    emit(df, fmt, title=f"Dropped at build ({len(df)})")


def files(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Every source file behind the bundled dataset, with its URL, licence and row counts."""
    from critmin.data.store import get_store

    df = get_store().source_files()
    emit(df, fmt, title=f"Source files ({len(df)})")
