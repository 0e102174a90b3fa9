"""``critmin data import`` and ``critmin data remove``: user rows, never changed silently.

Validation runs on a read-only store (other readers and ``critmin serve`` keep
working); the read-write store is opened only for the short transaction that writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["import_", "remove"]

_FILE_HELP = (
    "CSV: commodity,measure,iso3,year,value,unit,source[,qualifier,edition,note,product,basis]"
)
Decimal = Annotated[
    str,
    typer.Option("--decimal", help="Decimal mark of the file: '.' (default) or ','."),
]
Thousands = Annotated[
    str | None,
    typer.Option(
        "--thousands",
        help="Thousands separator used in the file (',', '.', ' ', \"'\"); without it a "
        "separator is refused as ambiguous.",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Encoding of the file (latin-1, cp1252, utf-16-le ...); default UTF-8, or "
        "UTF-16/32 from a byte-order mark.",
    ),
]


def _write_store() -> Store:
    from critmin.data.store import Store, reset_store

    reset_store()  # one process may not hold the store read-only and read-write at once
    return Store(read_only=False)


def import_(
    file: Annotated[Path, typer.Argument(help=_FILE_HELP)],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace your earlier rows with the same commodity, measure, iso3, year "
            "and source.",
        ),
    ] = False,
    decimal: Decimal = ".",
    thousands: Thousands = None,
    encoding: Encoding = None,
) -> None:
    """Import user observations (validated; a bad file changes nothing).

    Rows are labelled user:SOURCE. Duplicates, ambiguous numbers, units that do not
    convert to the table's unit, aggregates as countries and official edition labels
    are refused with the file, line and column.

    Example: critmin data import my_rows.csv --thousands ,
    """
    from rich.console import Console
    from rich.status import Status

    from critmin.data.importer import ImportContext, stage_file
    from critmin.data.store import get_store, reset_store
    from critmin.data.user_rows import commit_staged

    console = Console(stderr=True)
    with Status(f"checking {file}", console=console) as status:
        staged = stage_file(
            file,
            ImportContext.from_store(get_store()),
            decimal=decimal,
            thousands=thousands,
            encoding=encoding,
            progress=lambda n: status.update(f"checking {file}: {n:,} rows"),
        )
        try:
            status.update(f"writing {staged.rows:,} rows")
            st = _write_store()
            try:
                res = commit_staged(staged, st, replace=replace)
            finally:
                st.close()
                reset_store()
        finally:
            staged.discard()
    for (src, dst), n in sorted(res.conversions.items()):
        typer.echo(f"converted {n:,} value(s) from {src} to {dst} (the table's unit)", err=True)
    what = f"imported {res.added:,} row(s) from {file}"
    if res.replaced:
        what += f" ({res.replaced:,} replaced earlier rows)"
    srcs = ", ".join(f"user:{s}" for s in res.sources[:3]) + (
        " ..." if len(res.sources) > 3 else ""
    )
    typer.echo(f"{what}; labelled {srcs}")


def remove(
    file: Annotated[
        Path | None,
        typer.Argument(help="A file in import format: remove exactly its rows."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Source of the rows (as in the file).")
    ] = None,
    commodity: Annotated[str | None, typer.Option("--commodity")] = None,
    measure: Annotated[str | None, typer.Option("--measure")] = None,
    iso3: Annotated[str | None, typer.Option("--iso3")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    decimal: Decimal = ".",
    thousands: Thousands = None,
    encoding: Encoding = None,
) -> None:
    """Remove imported rows, keyed by commodity, measure, iso3, year and source.

    Either give the file you imported (every row must be in the store, or nothing is
    removed), or --source with optional --commodity/--measure/--iso3/--year.

    Example: critmin data remove --source "ERG plan" --iso3 KAZ --year 2026
    """
    from critmin.data.store import reset_store
    from critmin.data.user_rows import remove_observations
    from critmin.errors import ValidationError

    if file is None and source is None:
        raise ValidationError("give the imported file or --source (see critmin data remove --help)")
    if file is not None and any(x is not None for x in (source, commodity, measure, iso3, year)):
        raise ValidationError("give either a file or --source with filters, not both")
    st = _write_store()
    try:
        n = remove_observations(
            st,
            file,
            source=source,
            commodity=commodity,
            measure=measure,
            iso3=iso3,
            year=year,
            decimal=decimal,
            thousands=thousands,
            encoding=encoding,
        )
    finally:
        st.close()
        reset_store()
    typer.echo(f"removed {n:,} user row(s)")
