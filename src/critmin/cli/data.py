"""``critmin data build|info|import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command()
def build(
    reference: Annotated[
        Path, typer.Option("--reference", help="The shared/reference folder.")
    ] = Path("../shared/reference"),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default: the package's bundled data)."),
    ] = None,
) -> None:
    """Rebuild the bundled Parquet dataset from the reference files."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from critmin.data.build import build_dataset
    from critmin.data.store import reset_store

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as prog:
        task = prog.add_task("reading", total=None)
        manifest = build_dataset(
            reference, out, progress=lambda m: prog.update(task, description=m)
        )
    reset_store()
    console.print(
        f"dataset {manifest['fingerprint']}: "
        + ", ".join(f"{k} {v:,}" for k, v in manifest["rows"].items())
    )


@app.command()
def info(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Sources, editions and row counts of the store."""
    from critmin.data.store import get_store

    st = get_store()
    emit(st.info(), fmt, title=f"Store {st.path} (dataset {st.fingerprint})")


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: commodity,measure,iso3,year,value,unit,source[,qualifier,edition,note,product]"
        ),
    ],
) -> None:
    """Import user observations (validated; a bad file changes nothing)."""
    from critmin.data.importer import import_observations
    from critmin.data.store import Store, reset_store

    reset_store()
    st = Store(read_only=False)
    try:
        n = import_observations(file, st)
    finally:
        st.close()
    typer.echo(f"imported {n} row(s) from {file}")
