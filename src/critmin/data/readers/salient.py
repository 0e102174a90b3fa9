"""USGS MCS salient statistics (``mcs2025-<abbr>_salient.csv``): US prices and net import reliance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data.readers._cells import parse_cell
from critmin.data.schema import OBSERVATION_COLUMNS, PRICE_COLUMNS
from critmin.errors import InputFileError

__all__ = [
    "META_PRICE_UNITS",
    "MTU_CONVERSIONS",
    "PRICE_UNIT_SUFFIXES",
    "read_salient",
    "read_salient_meta",
]

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

#: Unit of a price attribute in the metadata XML (``attrunit``, lowercased) -> (unit, factor).
META_PRICE_UNITS: dict[str, tuple[str, float]] = {
    "dollars per metric ton": ("USD/t", 1.0),
    "dollars per metric ton, gross weight": ("USD/t", 1.0),
    "dollars per kilogram": ("USD/kg", 1.0),
    "dollars/kilogram": ("USD/kg", 1.0),
    "dollars per pound": ("USD/lb", 1.0),
    "cents per pound": ("USD/lb", 0.01),
    "dollars per troy ounce": ("USD/ozt", 1.0),
    "dollars per gram": ("USD/g", 1.0),
    "dollars per metric ton unit": ("USD/mtu Mn", 1.0),
    "dollars per dry metric ton unit of tungsten trioxide": ("USD/mtu WO3", 1.0),
    # 1 short ton = 0.90718474 t (NIST SP 811): USD/t = USD/short ton / 0.90718474
    "dollars per short ton": ("USD/t", 1.0 / 0.90718474),
    "dollars per ton of k2o equivalent": ("USD/t K2O", 1.0),
    "dollars per kilogram of contained beryllium": ("USD/kg Be", 1.0),
    "dollars per kilogram of ta2o5 content": ("USD/kg Ta2O5", 1.0),
}

#: Series in metric ton units converted to USD per tonne of contained metal:
#: unit -> (unit of the converted series, factor, formula).
MTU_CONVERSIONS: dict[str, tuple[str, float, str]] = {
    # 1 mtu = 1 % of a metric ton = 10 kg of the named content; W/WO3 = 183.84/231.84.
    "USD/mtu WO3": (
        "USD/t W",
        100.0 / (183.84 / 231.84),
        "USD/t W = USD/mtu WO3 x 100 / (183.84/231.84) (1 mtu = 10 kg WO3; W is 79.30 % of WO3)",
    ),
    "USD/mtu Mn": ("USD/t Mn", 100.0, "USD/t Mn = USD/mtu x 100 (1 mtu = 10 kg Mn content)"),
}


def read_salient_meta(path: str | Path) -> list[dict[str, str]]:
    """Attributes of a salient-statistics metadata XML (``mcs2025-<abbr>_meta.xml``).

    Returns
    -------
    list of dict
        One dict per ``<attr>`` in file order: ``label``, ``definition``, ``unit``
        (``''`` when the attribute has none).
    """
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(str(path)).getroot()
    except ET.ParseError as exc:
        raise InputFileError(str(path), f"unreadable metadata XML: {exc}") from None
    out = []
    for a in root.iter("attr"):
        out.append(
            {
                "label": " ".join((a.findtext("attrlabl") or "").split()),
                "definition": " ".join((a.findtext("attrdef") or "").split()),
                "unit": " ".join((a.findtext(".//attrunit") or "").split()),
            }
        )
    return out


def _price_meta(columns: list[str], meta: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Match CSV price columns to metadata attributes.

    Price columns are matched by position among the price attributes when both have the
    same number (the CSV header of magnesium metal swaps the labels; the metadata order
    matches the values), else by identical label.
    """
    cols = [c for c in columns if c.startswith("Price")]
    attrs = [m for m in meta if m["label"].startswith("Price")]
    if len(cols) == len(attrs):
        return dict(zip(cols, attrs, strict=True))
    by_label = {m["label"]: m for m in attrs}
    return {c: by_label[c] for c in cols if c in by_label}


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _estimated_years(definition: str, years: list[int]) -> set[int]:
    low = definition.lower()
    if "estimated for all years" in low:
        return set(years)
    if "estimated for the most recent year" in low and years:
        return {max(years)}
    return set()


def read_salient(
    path: str | Path,
    commodity: str,
    meta: str | Path | None = None,
    dropped: list[dict[str, Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one salient-statistics CSV.

    Parameters
    ----------
    path : str or Path
        ``mcs2025-<abbr>_salient.csv``.
    commodity : str
        Canonical commodity id the file belongs to.
    meta : str or Path, optional
        The file's metadata XML (``mcs2025-<abbr>_meta.xml``). When given, each price
        column takes its label, unit and estimated years from it (not the CSV header).
    dropped : list, optional
        One dict (``file``, ``row``, ``column``, ``reason``) is appended per column or
        cell deliberately not stored.

    Returns
    -------
    prices : pandas.DataFrame
        Annual US prices (series ``usgs_<commodity>_<name>``) in their unit (USD/t,
        USD/kg, USD/lb, USD/ozt, USD/g, USD/mtu WO3, USD/mtu Mn; cents/lb converted to
        USD/lb), plus a series in USD per tonne of contained metal for each metric-ton-unit
        series (:data:`MTU_CONVERSIONS`, name suffix ``_usd_t_metal``).
    nir : pandas.DataFrame
        Net import reliance of the United States as observations (measure
        ``net_import_reliance``, unit ``%``), with ``'>50'`` as a lower bound and
        ``'E'`` (net exporter) as qualitative.

    Notes
    -----
    Values the metadata calls estimated (``'Data are estimated for the most recent
    year'`` or ``'for all years'``) get qualifier ``estimated``. Without metadata the
    unit comes from the header suffix (:data:`PRICE_UNIT_SUFFIXES`).
    """
    path = Path(path)
    drops: list[dict[str, Any]] = dropped if dropped is not None else []
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "Year" not in df.columns:
        raise InputFileError(str(path), "missing column 'Year'", line=1)
    attrs = read_salient_meta(meta) if meta is not None else []
    pmeta = _price_meta(list(df.columns), attrs) if attrs else {}
    by_label = {m["label"]: m for m in attrs}
    recs = df.to_dict(orient="records")
    years: list[int] = []
    for r in recs:
        try:
            years.append(int(str(r["Year"]).strip()))
        except ValueError:
            continue
    prices: list[dict[str, Any]] = []
    nir: list[dict[str, Any]] = []
    names: set[str] = set()
    for col in df.columns:
        is_price = col.startswith("Price")
        is_nir = bool(_NIR.search(col)) and (col.endswith("_pct") or col.endswith("_ct"))
        if not (is_price or is_nir):
            continue
        m = pmeta.get(col) if is_price else by_label.get(col)
        label = m["label"] if m else col
        est_years = _estimated_years(m["definition"], years) if m else set()
        if is_price:
            if m is not None:
                unit_f = META_PRICE_UNITS.get(m["unit"].lower())
                why = f"metadata unit {m['unit']!r} is not a carried price unit"
            else:
                unit_f = PRICE_UNIT_SUFFIXES.get(col.rsplit("_", 1)[-1])
                why = f"header unit suffix of {col!r} is not a carried price unit"
            if unit_f is None:
                drops.append({"file": path.name, "row": 1, "column": col, "reason": why})
                continue
            unit, f = unit_f
            suffix = label.rsplit("_", 1)[-1]
            name = _slug(label[len("Price") : -len(suffix)]) or f"price_{suffix}"
            if name in names:  # same label in two units (nickel LME USD/t and USD/lb)
                name = f"{name}_{_slug(suffix)}"
            names.add(name)
            desc = f"USGS MCS 2025 salient statistics, {col}"
            if m is not None:
                desc += f" (metadata {label}: {m['definition'][:200]})"
            if f != 1.0:
                desc += f"; converted from {m['unit'] if m else col} to {unit} (x {f:.6g})"
        for i, r in enumerate(recs, start=2):
            try:
                year = int(str(r["Year"]).strip())
            except ValueError:
                continue
            raw = r[col]
            if is_price and re.fullmatch(r"\s*[\d.,]+\s*[–-]\s*[\d.,]+\s*", str(raw)):
                drops.append(
                    {
                        "file": path.name,
                        "row": i,
                        "column": col,
                        "reason": f"price range {raw!r}: no single value to store",
                    }
                )
                continue
            try:
                value, q = parse_cell(raw)
            except ValueError:
                raise InputFileError(str(path), f"cannot read value {raw!r}", i, col) from None
            if q is None:
                continue
            if q == "reported" and year in est_years:
                q = "estimated"
            if is_price:
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
                        "description": desc,
                        "edition": "MCS2025",
                        "source_id": "usgs_mcs2025_salient",
                        "source_row": i,
                    }
                )
                conv = MTU_CONVERSIONS.get(unit)
                if conv is not None and value is not None:
                    prices.append(
                        {
                            **prices[-1],
                            "series": f"usgs_{commodity}_{name}_usd_t_metal",
                            "value": value * f * conv[1],
                            "unit": conv[0],
                            "description": f"{desc}; converted: {conv[2]}",
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
    p = pd.DataFrame(prices, columns=[*PRICE_COLUMNS, "source_row"])
    p = p[p["value"].notna() | p["qualifier"].isin(["withheld", "not_available"])]
    n = pd.DataFrame(nir, columns=OBSERVATION_COLUMNS)
    return p, n
