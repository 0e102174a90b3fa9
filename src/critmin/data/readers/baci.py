"""CEPII BACI bilateral trade (HS17 extract): exporter, importer, HS6, value in USD."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data.schema import TRADE_COLUMNS
from critmin.errors import InputFileError

__all__ = ["read_baci"]

#: BACI column names to canonical names.
VARIABLE_MAP = {
    "t": "year",
    "i": "exporter",
    "j": "importer",
    "k": "hs6",
    "cmd": "hs6",
    "v": "value_usd",
    "value": "value_usd",
    "q": "quantity_t",
}


def read_baci(path: str | Path, year: int, edition: str = "BACI-HS17-V202601") -> pd.DataFrame:
    """Read a BACI extract with columns ``i, j, cmd, value`` (ISO3 codes, USD).

    Parameters
    ----------
    path : str or Path
        CSV file.
    year : int
        Trade year of the file (the extract has no year column). [year]
    edition : str
        BACI release.

    Returns
    -------
    pandas.DataFrame
        Trade flows (:data:`~critmin.data.schema.TRADE_COLUMNS`); ``value_usd`` in USD
        (not thousands); ``quantity_t`` null where the extract has no quantity.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype={"i": str, "j": str, "cmd": str})
    df = df.rename(columns=VARIABLE_MAP)
    for col in ("exporter", "importer", "hs6", "value_usd"):
        if col not in df.columns:
            raise InputFileError(str(path), f"missing column for {col}", line=1)
    bad = df["value_usd"].isna() | (df["value_usd"] < 0)
    if bad.any():
        i = int(bad.idxmax())
        raise InputFileError(str(path), "trade value must be a non-negative number", i + 2, "value")
    df["hs6"] = df["hs6"].str.zfill(6)
    if "year" not in df.columns:
        df["year"] = year
    if "quantity_t" not in df.columns:
        df["quantity_t"] = float("nan")
    df["edition"] = edition
    df["source_id"] = "cepii_baci"
    df["year"] = df["year"].astype("int32")
    df["value_usd"] = df["value_usd"].astype(float)
    df["quantity_t"] = df["quantity_t"].astype(float)
    return df[TRADE_COLUMNS]
