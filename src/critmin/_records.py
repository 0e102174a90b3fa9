"""JSON-ready records: one serialisation used by every layer.

:func:`records` turns a DataFrame or a list of row dicts into plain Python rows
(NaN/NaT/NA become ``None``, numpy scalars become Python numbers, dates become ISO
strings); :func:`to_json` writes them. The CLI, the HTTP API, the briefing and the
domain modules all use these, so nothing below ``cli`` or ``api`` needs to import them.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Rows", "clean", "records", "to_json"]

Rows = Sequence[dict[str, Any]]


def clean(v: Any) -> Any:
    """JSON-ready value: NaN/NaT/NA -> None, numpy scalars -> Python, dates -> ISO strings."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, list | tuple):
        return [clean(x) for x in v]
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, _dt.datetime | _dt.date):
        return v.isoformat()
    mod = type(v).__module__
    if mod.startswith(("numpy", "pandas")):
        import numpy as np
        import pandas as pd

        if isinstance(v, np.ndarray):
            return [clean(x) for x in v.tolist()]
        if v is pd.NaT or v is pd.NA:
            return None
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        if isinstance(v, np.generic):
            return clean(v.item())
        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
    return v


def records(df: pd.DataFrame | Rows) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN -> None, numpy -> Python)."""
    rows: Any = df if isinstance(df, list | tuple) else df.to_dict(orient="records")  # type: ignore[union-attr]
    return [{str(k): clean(v) for k, v in row.items()} for row in rows]


def to_json(obj: Any) -> str:
    """Serialise a DataFrame or list of rows (as an array of rows) or a plain object to JSON."""
    if hasattr(obj, "to_dict") and hasattr(obj, "columns"):
        obj = records(obj)
    return json.dumps(clean(obj), indent=2, ensure_ascii=False)
