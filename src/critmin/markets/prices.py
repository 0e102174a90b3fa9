"""Price analytics: annual averages, ratio and compound annual growth between periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.errors import DataNotFoundError, ValidationError

__all__ = ["annual_average", "price_change"]


def annual_average(prices: pd.DataFrame) -> pd.DataFrame:
    """Calendar-year averages of a price series.

    Parameters
    ----------
    prices : pandas.DataFrame
        One series with columns ``date``, ``value``, ``unit`` and ``frequency``
        (``M`` monthly or ``A`` annual).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``value`` (arithmetic mean of the monthly values, or the annual
        value), ``unit``, ``n_periods`` (months averaged) and ``complete`` (12
        months, or an annual figure).
    """
    if prices.empty:
        raise DataNotFoundError("empty price series")
    units = prices["unit"].dropna().unique()
    if len(units) > 1:
        raise ValidationError(f"price series mixes units {list(units)}")
    df = prices.dropna(subset=["value"]).copy()
    df["year"] = pd.to_datetime(df["date"]).dt.year.astype(int)
    freq = str(df["frequency"].iloc[0]) if "frequency" in df.columns else "M"
    g = df.groupby("year")["value"]
    out = pd.DataFrame({"value": g.mean(), "n_periods": g.size()}).reset_index()
    out["unit"] = units[0] if len(units) else None
    out["complete"] = out["n_periods"] >= 12 if freq == "M" else True
    return out[["year", "value", "unit", "n_periods", "complete"]]


def price_change(
    prices: pd.DataFrame, start: int, end: int, annual: bool = True
) -> dict[str, float | int | str | bool]:
    """Change of a price between two years.

    Parameters
    ----------
    prices : pandas.DataFrame
        One series (see :func:`annual_average`).
    start, end : int
        Years compared. [year]
    annual : bool
        Compare annual averages (default). With ``False`` and a monthly series,
        compare the last month of ``start`` with the last month of ``end``.

    Returns
    -------
    dict
        ``start``, ``end``, ``value_start``, ``value_end``, ``unit``, ``ratio``,
        ``change_pct``, ``cagr`` (fraction per year) and ``complete`` (both years
        fully covered).

    Notes
    -----
    .. math:: ratio = P_{end}/P_{start}, \\qquad CAGR = ratio^{1/(end-start)} - 1
    """
    if end <= start:
        raise ValidationError(f"end year {end} must be after start year {start}")
    if annual:
        ann = annual_average(prices).set_index("year")
        missing = [y for y in (start, end) if y not in ann.index]
        if missing:
            raise DataNotFoundError(
                f"no prices for {missing} (series covers {ann.index.min()}-{ann.index.max()})"
            )
        v0, v1 = float(ann.at[start, "value"]), float(ann.at[end, "value"])
        complete = bool(ann.at[start, "complete"]) and bool(ann.at[end, "complete"])
        unit = str(ann.at[start, "unit"])
    else:
        df = prices.dropna(subset=["value"]).copy()
        df["year"] = pd.to_datetime(df["date"]).dt.year
        a, b = df[df["year"] == start], df[df["year"] == end]
        if a.empty or b.empty:
            raise DataNotFoundError(f"no prices for {start} or {end}")
        v0, v1 = (
            float(a.sort_values("date")["value"].iloc[-1]),
            float(b.sort_values("date")["value"].iloc[-1]),
        )
        complete = True
        unit = str(df["unit"].iloc[0])
    if v0 <= 0:
        raise ValidationError("start price must be positive")
    ratio = v1 / v0
    return {
        "start": start,
        "end": end,
        "value_start": v0,
        "value_end": v1,
        "unit": unit,
        "ratio": ratio,
        "change_pct": 100.0 * (ratio - 1.0),
        "cagr": float(np.power(ratio, 1.0 / (end - start)) - 1.0),
        "complete": complete,
    }
