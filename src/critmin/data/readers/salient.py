"""USGS MCS salient statistics (``mcs2025-<abbr>_salient.csv``): US prices and net import reliance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data.readers._cells import parse_cell
from critmin.data.schema import OBSERVATION_COLUMNS, PRICE_COLUMNS
from critmin.errors import InputFileError

__all__ = ["PRICE_UNIT_SUFFIXES", "read_salient"]

#: Unit suffix of a salient price column -> (unit, factor to that unit).
PRICE_UNIT_SUFFIXES: dict[str, tuple[str, float]] = {
    "dkg": ("USD/kg", 1.0),
    "dlb": ("USD/lb", 1.0),
    "ctslb": ("USD/lb", 0.01),
    "dt": ("USD/t", 1.0),
    "dto": ("USD/ozt", 1.0),
    "dtoz": ("USD/ozt", 1.0),
    "dg": ("USD/g", 1.0),
}

_NIR = re.compile(r"NIR", re.I)


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def read_salient(path: str | Path, commodity: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one salient-statistics CSV.

    Parameters
    ----------
    path : str or Path
        ``mcs2025-<abbr>_salient.csv``.
    commodity : str
        Canonical commodity id the file belongs to.

    Returns
    -------
    prices : pandas.DataFrame
        Annual US prices (series ``usgs_<commodity>_<name>``), in the column's unit
        (``_dkg`` USD/kg, ``_dlb`` USD/lb, ``_ctslb`` cents/lb converted to USD/lb,
        ``_dt`` USD/t, ``_dto`` USD/troy oz).
    nir : pandas.DataFrame
        Net import reliance of the United States as observations (measure
        ``net_import_reliance``, unit ``%``), with ``'>50'`` as a lower bound and
        ``'E'`` (net exporter) as qualitative.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "Year" not in df.columns:
        raise InputFileError(str(path), "missing column 'Year'", line=1)
    prices: list[dict[str, Any]] = []
    nir: list[dict[str, Any]] = []
    for col in df.columns:
        is_price = col.startswith("Price")
        is_nir = bool(_NIR.search(col)) and (col.endswith("_pct") or col.endswith("_ct"))
        if not (is_price or is_nir):
            continue
        if is_price and col.rsplit("_", 1)[-1] not in PRICE_UNIT_SUFFIXES:
            continue  # not a unit we carry (indexes, values in million dollars)
        for i, r in enumerate(df.to_dict(orient="records"), start=2):
            try:
                year = int(str(r["Year"]).strip())
            except ValueError:
                continue
            raw = r[col]
            if is_price and re.fullmatch(r"\s*[\d.,]+\s*[–-]\s*[\d.,]+\s*", str(raw)):
                continue  # price ranges ('50–300') are not carried: no single value to store
            try:
                value, q = parse_cell(raw)
            except ValueError:
                raise InputFileError(str(path), f"cannot read value {raw!r}", i, col) from None
            if q is None:
                continue
            if is_price:
                suffix = col.rsplit("_", 1)[-1]
                unit, f = PRICE_UNIT_SUFFIXES[suffix]
                name = _slug(col[len("Price") : -len(suffix)]) or f"price_{suffix}"
                prices.append(
                    {
                        "series": f"usgs_{commodity}_{name}",
                        "commodity": commodity,
                        "date": pd.Timestamp(year=year, month=1, day=1),
                        "period": str(year),
                        "frequency": "A",
                        "value": None if value is None else value * f,
                        "unit": unit,
                        "qualifier": q,
                        "description": f"USGS MCS 2025 salient statistics, {col}",
                        "edition": "MCS2025",
                        "source_id": "usgs_mcs2025_salient",
                    }
                )
            else:
                prod = _slug(col.replace("NIR", "").rsplit("_", 1)[0])
                note = "net exporter" if str(raw).strip().upper() == "E" else ""
                nir.append(
                    {
                        **{k: None for k in OBSERVATION_COLUMNS},
                        "commodity": commodity,
                        "measure": "net_import_reliance",
                        "product": prod,
                        "iso3": "USA",
                        "entity_type": "country",
                        "country": "United States",
                        "year": year,
                        "value": value,
                        "unit": "%",
                        "qualifier": q,
                        "raw_value": str(raw),
                        "raw_unit": "percent of apparent consumption",
                        "basis": col,
                        "note": note,
                        "edition": "MCS2025",
                        "source_id": "usgs_mcs2025_salient",
                        "source_row": i,
                    }
                )
    p = pd.DataFrame(prices, columns=PRICE_COLUMNS)
    p = p[p["value"].notna() | p["qualifier"].isin(["withheld", "not_available"])]
    n = pd.DataFrame(nir, columns=OBSERVATION_COLUMNS)
    return p, n
