"""``critmin brief DIR [--out PATH]``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``brief``."""

    @app.command()
    def brief(
        folder: Annotated[
            Path, typer.Argument(help="Folder with brief.yaml (e.g. examples/kazakhstan-2025).")
        ],
        out: Annotated[
            Path | None,
            typer.Option("--out", help="HTML path (default reports/<folder>-brief.html)."),
        ] = None,
    ) -> None:
        """Render the self-contained HTML briefing and print a summary."""
        from critmin.report.brief import brief as _brief
        from critmin.report.brief import print_summary

        print_summary(_brief(folder, out))
