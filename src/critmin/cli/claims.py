"""``critmin claims check FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="Claims YAML file.")],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="table, csv or json.")
    ] = Format.table,
) -> None:
    """Check a story's claims against the data: supported, contradicted or not checkable."""
    from critmin.claims import check_claims

    df = check_claims(file)
    if fmt is Format.json:
        emit(
            df[
                [
                    "id",
                    "type",
                    "verdict",
                    "claimed",
                    "computed",
                    "unit",
                    "text",
                    "explanation",
                    "sources",
                    "assumptions",
                    "evidence",
                ]
            ],
            fmt,
        )
        return
    view = df[["id", "verdict", "claimed", "computed", "unit", "explanation", "sources"]].copy()
    if fmt is Format.table:
        from critmin.cli.brief import short as _short

        view["claimed"] = view["claimed"].map(_short)
        view["computed"] = view["computed"].map(_short)
    counts = df["verdict"].value_counts().to_dict()
    emit(
        view,
        fmt,
        title=f"Claims: {df.attrs['source'].get('title', file)}",
        caption=f"supported {counts.get('supported', 0)}, contradicted {counts.get('contradicted', 0)}, "
        f"not checkable {counts.get('not_checkable', 0)}",
    )
