"""Output helpers shared by every CLI command.

Every table command takes ``--format table|csv|json``. JSON output is an array of
row objects with snake_case keys; NaN becomes ``null``. :func:`emit` takes a
pandas DataFrame or a list of row dicts (the fast path that never imports pandas).
"""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from critmin._records import Rows, records, to_json
from critmin._records import clean as _clean

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Format", "emit", "records", "to_json"]


class Format(StrEnum):
    """Output formats of table commands."""

    table = "table"
    csv = "csv"
    json = "json"


def _fmt_cell(v: Any, col: str) -> str:
    v = _clean(v)
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if (
            col == "share"
            or col.endswith("_share")
            or col.startswith("share_")
            or (col.startswith("cr") and col[2:].isdigit())  # concentration ratio CR-n
        ):
            return f"{100 * v:.2f} %"
        if v != 0 and abs(v) < 0.01:
            return f"{v:.4g}"
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}" if col not in ("year", "rank") else str(v)
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


def _columns(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    if hasattr(data, "to_dict") and hasattr(data, "columns"):
        return [str(c) for c in data.columns], data.to_dict(orient="records")
    rows = list(data)
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols, rows


def emit(
    data: pd.DataFrame | Rows,
    fmt: Format | str = Format.table,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Print rows in the requested format.

    Parameters
    ----------
    data : pandas.DataFrame or list of dict
        Rows to print; keys are already snake_case.
    fmt : Format
        ``table`` (Rich), ``csv`` or ``json``.
    title, caption : str, optional
        Shown above/below the Rich table only; never in csv/json.
    """
    fmt = Format(fmt)
    cols, rows = _columns(data)
    if fmt is Format.json:
        sys.stdout.write(
            json.dumps(
                [{c: _clean(r.get(c)) for c in cols} for r in rows], indent=2, ensure_ascii=False
            )
            + "\n"
        )
        return
    if fmt is Format.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if (x := _clean(r.get(c))) is None else x for c in cols])
        return
    from rich.table import Table

    console = _console()
    if not rows:  # never a blank line: say that the table is empty, and why if known
        console.print(f"{title or 'table'}: no rows." + (f"\n{caption}" if caption else ""))
        return
    hidden: list[str] = []
    if len(rows) == 1 and len(cols) > 2 and _width(cols, rows) > console.width:
        # one wide row reads best as a list of fields
        rows = [{"field": c, "value": _fmt_cell(rows[0].get(c), c)} for c in cols]
        cols = ["field", "value"]
    elif not WIDE:
        cols, hidden = _fit(cols, rows, console.width)
    if hidden:
        more = (
            f"{len(hidden)} column{'s' if len(hidden) > 1 else ''} hidden at this width "
            f"({', '.join(hidden)}); --wide or --format csv|json shows all."
        )
        caption = f"{caption}\n{more}" if caption else more
    table = Table(title=title, caption=caption, show_lines=False, caption_justify="left")
    for c in cols:
        numeric = any(
            isinstance(_clean(r.get(c)), int | float) and not isinstance(r.get(c), bool)
            for r in rows
        )
        table.add_column(c, justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*[_fmt_cell(r.get(c), c) for c in cols])
    console.print(table)


WIDE = False
"""Set by ``--wide``: tables keep every column whatever the terminal width."""

#: Columns dropped first, in this order, when a table does not fit the terminal.
LOW_PRIORITY = (
    "source_row",
    "url",
    "file",
    "source_id",
    "raw_value",
    "raw_unit",
    "note",
    "edition",
    "entity_type",
    "basis",
    "share_before",
    "hhi_max",
    "n_withheld",
    "n_producers",
    "n_ranked",
    "qualifier",
    "product",
)


def _need(c: str, rows: list[dict[str, Any]]) -> int:
    cells = [len(_fmt_cell(r.get(c), c)) for r in rows[:200]]
    return max([len(c), *cells]) + 3  # padding and the border


def _width(cols: list[str], rows: list[dict[str, Any]]) -> int:
    return sum(_need(c, rows) for c in cols) + 1


def _fit(cols: list[str], rows: list[dict[str, Any]], width: int) -> tuple[list[str], list[str]]:
    """Columns that fit ``width`` characters: :data:`LOW_PRIORITY` ones go first, then
    columns that say the same in every row (named with their value in the caption)."""
    widths = {c: _need(c, rows) for c in cols}
    keep = list(cols)
    hidden: list[str] = []

    def fits() -> bool:
        return sum(widths[k] for k in keep) + 1 <= width

    for c in LOW_PRIORITY:
        if fits():
            break
        if c in keep and len(keep) > 2:
            keep.remove(c)
            hidden.append(c)
    distinct = {tuple(_fmt_cell(r.get(c), c) for c in cols) for r in rows[:200]}
    if not fits() and len(distinct) > 1:
        for c in list(keep):
            cells = {_fmt_cell(r.get(c), c) for r in rows}
            if len(cells) == 1 and len(keep) > 2:
                v = cells.pop()
                keep.remove(c)
                hidden.append(f"{c} empty" if v in ("", "—") else f"{c} = {v} in every row")
                if fits():
                    break
    return keep, hidden


def _console() -> Any:
    """A Rich console; 160 columns when stdout is not a terminal (pipes, CI logs)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)
