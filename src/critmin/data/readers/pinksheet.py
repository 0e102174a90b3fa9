"""World Bank Commodity Price Data (the Pink Sheet), monthly, CSV derived from the xlsx."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from critmin.data.schema import PRICE_COLUMNS
from critmin.errors import InputFileError

__all__ = ["read_pinksheet"]

_UNIT_MAP = {"$/mt": "USD/t", "$/troy oz": "USD/ozt", "$/dmtu": "USD/dmtu", "$/kg": "USD/kg"}


def read_pinksheet(path: str | Path, columns: dict[str, str | tuple[str, str]]) -> pd.DataFrame:
    """Read selected Pink Sheet series.

    Parameters
    ----------
    path : str or Path
        ``pinksheet_monthly_prices_1960-2026.csv`` (``month`` as ``YYYYMmm``, one column per series).
    columns : dict
        Source column (``"Tin ($/mt)"``) to commodity id (``"tin"``, series ``wb_tin``) or
        to ``(commodity, series)`` for a series that is not the commodity's own price
        (``"DAP ($/mt)"`` -> ``("phosphate_rock", "wb_dap")``).

    Returns
    -------
    pandas.DataFrame
        Monthly prices (:data:`~critmin.data.schema.PRICE_COLUMNS`), series id
        ``wb_<commodity>`` unless given, nominal USD, ``source_row`` the file line;
        ``'…'`` (no quote) rows are dropped.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "month" not in df.columns:
        raise InputFileError(str(path), "missing column 'month'", line=1)
    out = []
    for col, target in columns.items():
        commodity, series = target if isinstance(target, tuple) else (target, f"wb_{target}")
        if col not in df.columns:
            raise InputFileError(str(path), f"missing series column {col!r}", line=1)
        m = re.search(r"\(([^()]+)\)\s*$", col)
        unit = _UNIT_MAP.get(m.group(1).strip() if m else "")
        if unit is None:
            raise InputFileError(str(path), f"unknown unit in column {col!r}", line=1, column=col)
        raw = df[col].str.strip()
        ok = raw.ne("") & raw.ne("…") & raw.ne("...")
        vals = pd.to_numeric(raw[ok], errors="coerce")
        if vals.isna().any():
            bad = vals[vals.isna()].index[0]
            raise InputFileError(str(path), f"cannot read value {raw[bad]!r}", int(bad) + 2, col)
        month = df.loc[ok, "month"]
        parsed = pd.to_datetime(month.str.replace("M", "-", regex=False), format="%Y-%m")
        out.append(
            pd.DataFrame(
                {
                    "series": series,
                    "commodity": commodity,
                    "date": parsed.values,
                    "period": parsed.dt.strftime("%Y-%m").values,
                    "frequency": "M",
                    "value": vals.values.astype(float),
                    "unit": unit,
                    "qualifier": "reported",
                    "description": f"World Bank Pink Sheet: {col}, monthly average, nominal",
                    "edition": "CMO-2026-06",
                    "source_id": "worldbank_pinksheet",
                    "source_row": (month.index + 2).values,
                }
            )
        )
    return pd.concat(out, ignore_index=True)[[*PRICE_COLUMNS, "source_row"]]
