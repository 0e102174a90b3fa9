"""``critmin data build|info|import``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from critmin.cli._output import Format, emit

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

from critmin.cli.data_qa import dropped as _dropped  # noqa: E402
from critmin.cli.data_qa import files as _files  # noqa: E402
from critmin.cli.data_qa import qa as _qa  # noqa: E402

app.command("qa")(_qa)
app.command("dropped")(_dropped)
app.command("files")(_files)


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
    """Rebuild the bundled Parquet dataset from the reference files.

    Example: critmin data build --reference ../shared/reference
    """
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
    console.print(
        "QA: "
        + (", ".join(f"{k} {v}" for k, v in manifest.get("qa", {}).items()) or "no findings")
        + f"; {manifest.get('dropped', 0)} dropped source item(s) logged"
        " (`critmin data qa`, `critmin data dropped`)"
    )


@app.command()
def info(fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """Sources, editions and row counts of the store.

    Example: critmin data info --format json
    """
    from critmin.data.store import get_store

    st = get_store()
    emit(st.info(), fmt, title=f"Store {st.path} (dataset {st.fingerprint})")


from critmin.cli.data_import import import_ as _import  # noqa: E402
from critmin.cli.data_import import remove as _remove  # noqa: E402

app.command("import")(_import)
app.command("remove")(_remove)
