"""``critmin brief DIR [--out PATH]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from critmin.cli._output import Format, emit

if TYPE_CHECKING:  # pragma: no cover
    from critmin.report.brief import BriefResult

__all__ = ["print_summary", "register", "short"]


def print_summary(res: BriefResult) -> None:
    """Terminal summary of a briefing."""
    import sys

    from rich.console import Console

    con = Console(width=None if sys.stdout.isatty() else 160)
    if res.claims is not None:
        df = res.claims[["id", "verdict", "claimed", "computed", "unit"]].copy()
        df["claimed"] = df["claimed"].map(short)
        df["computed"] = df["computed"].map(short)
        emit(df, Format.table, title="Claims")
        counts = res.claims["verdict"].value_counts().to_dict()
        con.print(
            f"supported {counts.get('supported', 0)}, contradicted {counts.get('contradicted', 0)}, "
            f"not checkable {counts.get('not_checkable', 0)}, "
            f"not independent {counts.get('not_independent', 0)}"
        )
    if res.market:
        m = res.market
        line = f"{m['commodity']} {m['year']}: HHI {m['hhi']:,.0f}, CR1 {100 * m['cr1']:.1f} %"
        if "what_if_rank" in m:
            line += f"; what-if {m['what_if_iso3']} ranks {m['what_if_rank']}"
        con.print(line)
    con.print("Sections: " + ", ".join(res.sections))
    for t, why in res.omitted:
        con.print(f"[yellow]omitted[/yellow] {t}: {why}")
    con.print(f"[bold]Briefing written to {res.path}[/bold]")


def short(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"
    if isinstance(v, dict):
        return ", ".join(f"{k}={val}" for k, val in v.items())
    return str(v)


def register(app: typer.Typer) -> None:
    """Add ``brief``."""

    @app.command()
    def brief(
        folder: Annotated[
            Path, typer.Argument(help="Folder with brief.yaml (e.g. examples/kazakhstan-2025).")
        ],
        out: Annotated[
            Path | None,
            typer.Option("--out", help="HTML path (default reports/FOLDER-brief.html)."),
        ] = None,
        pdf: Annotated[
            bool,
            typer.Option("--pdf", help="Also print the briefing to PDF (headless Chromium)."),
        ] = False,
    ) -> None:
        """Render the self-contained HTML briefing and print a summary.

        Example: critmin brief examples/kazakhstan-2025 --out reports/brief.html
        """
        from critmin.cli._progress import step
        from critmin.report.brief import brief as _brief
        from critmin.report.brief import to_pdf

        with step(f"rendering the briefing of {folder}"):
            res = _brief(folder, out)
        print_summary(res)
        if pdf and res.path is not None:
            typer.echo(f"PDF written to {to_pdf(res.path)}")
