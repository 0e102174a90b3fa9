"""Price-history CSV files (``period,price``), e.g. a stored scenario run or a user's deck.

:func:`read_price_csv` reads one file into an annual series for the valuation
price models (:mod:`critmin.valuation.prices`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import InputFileError

__all__ = ["read_price_csv"]


def read_price_csv(path: str | Path, *, column: str = "price") -> pd.Series:
    """Read a ``period,price`` CSV (e.g. a stored scenario run) into an annual series.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file with a ``period`` column (``YYYY`` or ``YYYY-MM``) and a price
        column; lines starting with ``#`` are comments. [-]
    column : str
        Name of the price column. [-]

    Returns
    -------
    pandas.Series
        Prices indexed by integer year (monthly periods are averaged by year). [unit of the file]

    Raises
    ------
    InputFileError
        Missing file or columns, unreadable periods or prices (line named).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "price file not found")
    try:
        df = pd.read_csv(p, comment="#", dtype={"period": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(str(p), f"cannot read CSV: {exc}") from exc
    for col in ("period", column):
        if col not in df.columns:
            raise InputFileError(str(p), f"missing column (have {list(df.columns)})", column=col)
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFileError(
            str(p), f"not a number: {df[column].iloc[i]!r}", line=i + 2, column=column
        )
    periods = df["period"].astype(str).str.strip()
    ok = periods.str.fullmatch(r"\d{4}(-\d{2})?")
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy())[0])
        raise InputFileError(
            str(p),
            f"period {periods.iloc[i]!r} is not YYYY or YYYY-MM",
            line=i + 2,
            column="period",
        )
    years = periods.str.slice(0, 4).astype(int)
    s = pd.Series(values.to_numpy(dtype=float), index=years.to_numpy()).dropna()
    s = s.groupby(level=0).mean()
    s.index.name = "year"
    if s.empty:
        raise InputFileError(str(p), "no prices in file")
    return s
