"""Output helpers shared by every CLI command.

Every table command takes ``--format table|csv|json``. JSON output is an array of
row objects with snake_case keys; NaN becomes ``null``.
"""

from __future__ import annotations

import json
import math
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Format", "emit", "records", "to_json"]


class Format(StrEnum):
    """Output formats of table commands."""

    table = "table"
    csv = "csv"
    json = "json"


def _clean(v: Any) -> Any:
    import numpy as np

    if v is None:
        return None
    if isinstance(v, float | np.floating):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, list | tuple | np.ndarray):
        return [_clean(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if hasattr(v, "isoformat"):
        try:
            import pandas as pd

            if v is pd.NaT:
                return None
        except ImportError:  # pragma: no cover
            pass
        return v.isoformat()
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN -> None, numpy -> Python)."""
    return [{str(k): _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def to_json(obj: Any) -> str:
    """Serialise a DataFrame (as an array of rows) or a plain object to JSON."""
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
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
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return str(v)


def emit(
    df: pd.DataFrame,
    fmt: Format | str = Format.table,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Print a DataFrame in the requested format.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows to print; column names are already snake_case.
    fmt : Format
        ``table`` (Rich), ``csv`` or ``json``.
    title, caption : str, optional
        Shown above/below the Rich table only; never in csv/json.
    """
    fmt = Format(fmt)
    if fmt is Format.json:
        sys.stdout.write(to_json(df) + "\n")
        return
    if fmt is Format.csv:
        df.to_csv(sys.stdout, index=False)
        return
    from rich.table import Table

    table = Table(title=title, caption=caption, show_lines=False, caption_justify="left")
    for col in df.columns:
        numeric = df[col].dtype.kind in "fiu"
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        table.add_row(*[_fmt_cell(v, str(c)) for v, c in zip(row, df.columns, strict=True)])
    _console().print(table)


def _console() -> Any:
    """A Rich console; wide when stdout is not a terminal (pipes, CI logs)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)
