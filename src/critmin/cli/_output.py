"""Output helpers shared by every CLI command.

Every table command takes ``--format table|csv|json``. JSON output is an array of
row objects with snake_case keys; NaN becomes ``null``. :func:`emit` takes a
pandas DataFrame or a list of row dicts (the fast path that never imports pandas).
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Format", "emit", "records", "to_json"]

Rows = Sequence[dict[str, Any]]


class Format(StrEnum):
    """Output formats of table commands."""

    table = "table"
    csv = "csv"
    json = "json"


def _clean(v: Any) -> Any:
    """JSON-ready value: NaN/NaT/NA -> None, numpy scalars -> Python, dates -> ISO strings."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, _dt.datetime | _dt.date):
        return v.isoformat()
    mod = type(v).__module__
    if mod.startswith(("numpy", "pandas")):
        import numpy as np
        import pandas as pd

        if isinstance(v, np.ndarray):
            return [_clean(x) for x in v.tolist()]
        if v is pd.NaT or v is pd.NA:
            return None
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        if isinstance(v, np.generic):
            return _clean(v.item())
        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
    return v


def records(df: pd.DataFrame | Rows) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN -> None, numpy -> Python)."""
    rows: Any = df if isinstance(df, list | tuple) else df.to_dict(orient="records")  # type: ignore[union-attr]
    return [{str(k): _clean(v) for k, v in row.items()} for row in rows]


def to_json(obj: Any) -> str:
    """Serialise a DataFrame or list of rows (as an array of rows) or a plain object to JSON."""
    if hasattr(obj, "to_dict") and hasattr(obj, "columns"):
        obj = records(obj)
    return json.dumps(_clean(obj), indent=2, ensure_ascii=False)


def _fmt_cell(v: Any, col: str) -> str:
    v = _clean(v)
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if col == "share" or col.endswith("_share") or col.startswith("share_"):
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

    table = Table(title=title, caption=caption, show_lines=False, caption_justify="left")
    for c in cols:
        numeric = any(
            isinstance(_clean(r.get(c)), int | float) and not isinstance(r.get(c), bool)
            for r in rows
        )
        table.add_column(c, justify="right" if numeric else "left")
    for r in rows:
        table.add_row(*[_fmt_cell(r.get(c), c) for c in cols])
    _console().print(table)


def _console() -> Any:
    """A Rich console; wide when stdout is not a terminal (pipes, CI logs)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)
