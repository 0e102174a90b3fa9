"""USGS Mineral Commodity Summaries: the MCS 2025 world-data release and the MCS 2026 extract."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data import commodities as reg
from critmin.data.countries import resolve_source_country
from critmin.data.readers._cells import parse_cell
from critmin.data.schema import OBSERVATION_COLUMNS, PRICE_COLUMNS
from critmin.errors import InputFileError, UnitError, UnknownCountryError
from critmin.units import to_canonical

__all__ = ["read_mcs2025_world", "read_mcs2026_prices", "read_mcs2026_world"]

MCS2025_COLUMNS = {
    "SOURCE": "source",
    "COMMODITY": "commodity",
    "COUNTRY": "country",
    "TYPE": "type",
    "UNIT_MEAS": "unit",
    "PROD_2023": "prod_2023",
    "PROD_EST_2024": "prod_2024",
    "PROD_NOTES": "prod_notes",
    "CAP_2023": "cap_2023",
    "CAP_EST_2024": "cap_2024",
    "CAP_NOTES": "cap_notes",
    "RESERVES_2024": "reserves_2024",
    "RESERVE_NOTES": "reserve_notes",
}

#: Commodities whose blank production cells mean "withheld" (the source says so).
_BLANK_MEANS_WITHHELD = {"germanium": "USGS withholds germanium production data (all cells blank)"}

_MCS_INDEX: dict[str, str] | None = None


def _mcs_commodity(name: str) -> str:
    global _MCS_INDEX
    if _MCS_INDEX is None:
        _MCS_INDEX = {}
        for c in reg.registry().values():
            for n in c.mcs:
                _MCS_INDEX[re.sub(r"\s+", " ", n.strip().lower())] = c.id
    key = re.sub(r"\s+", " ", name.strip().lower())
    if key not in _MCS_INDEX:
        raise KeyError(name)
    return _MCS_INDEX[key]


def _series_key(commodity: str, source_type: str, detail: str = "") -> tuple[str, str, str]:
    """(commodity, measure, product) for an MCS commodity, TYPE string and country detail."""
    c = reg.registry()[commodity]
    measure = reg.classify_measure(source_type)
    product = ""
    for rule in c.products:
        hit = ("type" in rule and re.search(rule["type"], source_type.strip(), re.I)) or (
            "detail" in rule and detail and re.search(rule["detail"], detail, re.I)
        )
        if hit:
            commodity = rule.get("commodity", commodity)
            measure = rule.get("measure", measure)
            product = rule.get("product", "")
            break
    return commodity, measure, product


def _is_estimated(note: str, year: int) -> bool:
    low = note.lower()
    return "estimated" in low and ("for" not in low or str(year) in low or "2023" not in low)


def _obs(**kw: Any) -> dict[str, Any]:
    return {k: kw.get(k) for k in OBSERVATION_COLUMNS}


def _reserve_unit(note: str, unit: str) -> tuple[str, str]:
    """Reserve unit implied by the note (molybdenum kt, iron ore Mt)."""
    low = note.lower()
    if "reserve data is thousand metric tons" in low:
        return "thousand metric tons", "reserve unit from note: thousand metric tons"
    if "million metric tons" in low:
        return "million metric tons", f"reserve unit from note: {note.strip()}"
    return unit, ""


def read_mcs2025_world(path: str | Path) -> pd.DataFrame:
    """Read ``MCS2025_World_Data.csv`` into canonical observations.

    Parameters
    ----------
    path : str or Path
        The USGS MCS 2025 data-release world-data CSV.

    Returns
    -------
    pandas.DataFrame
        Observations (columns :data:`~critmin.data.schema.OBSERVATION_COLUMNS`)
        for production 2023, production 2024 (estimated), capacity 2023/2024 and
        reserves 2024, with units converted to tonnes (or carats, cubic metres).

    Notes
    -----
    Quirks handled: UTF-8 BOM; header ``'PROD_EST_ 2024'`` with a stray space;
    trailing spaces and footnote digits in names (``'World total (rounded) 10'``);
    ``'Gemanium'``; blank cells whose meaning is in the notes columns (``'W for
    23-24'`` withheld, ``'NA'``, ``'Less than 1/2 unit'``, ``'estimated 2023'``,
    ``'Large'``, ``'Included in World total'``); lower bounds such as
    ``'>2000000'``; molybdenum and iron-ore reserves in another unit than
    ``UNIT_MEAS`` (given in ``RESERVE_NOTES``).
    """
    path = Path(path)
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.replace(" ", "") for h in next(reader)]
        missing = [h for h in MCS2025_COLUMNS if h not in header]
        if missing:
            raise InputFileError(str(path), f"missing columns {missing}", line=1)
        idx = {MCS2025_COLUMNS[h]: header.index(h) for h in MCS2025_COLUMNS}
        for lineno, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = {k: cells[i] if i < len(cells) else "" for k, i in idx.items()}
            out.extend(_mcs2025_row(path, lineno, row))
    df = pd.DataFrame(out, columns=OBSERVATION_COLUMNS)
    df["year"] = df["year"].astype("int32")
    df["source_row"] = df["source_row"].astype("int32")
    return df


def _mcs2025_row(path: Path, lineno: int, row: dict[str, str]) -> list[dict[str, Any]]:
    try:
        commodity0 = _mcs_commodity(row["commodity"])
    except KeyError:
        raise InputFileError(
            str(path),
            f"commodity {row['commodity'].strip()!r} is not in the registry",
            lineno,
            "COMMODITY",
        ) from None
    try:
        iso3, entity, detail = resolve_source_country(row["country"])
    except UnknownCountryError:
        raise InputFileError(
            str(path), f"unknown country {row['country'].strip()!r}", lineno, "COUNTRY"
        ) from None
    country_name = re.sub(r"\s+\d{1,2}$", "", row["country"].replace("\xa0", " ").strip())
    source_type = row["type"].strip()
    commodity, measure, product = _series_key(commodity0, source_type, detail)
    if entity == "world" and detail.lower() == "rounded":
        detail = ""
    raw_unit = row["unit"].strip()
    if not raw_unit:
        raw_unit = "metric tons"  # the one blank-unit row is an empty 'Talc' spacer; checked below
    base = {
        "commodity": commodity,
        "iso3": iso3,
        "entity_type": entity,
        "country": country_name,
        "basis": source_type,
        "edition": "MCS2025",
        "source_id": "usgs_mcs2025_world",
        "source_row": lineno,
    }
    recs: list[dict[str, Any]] = []
    pnote = row["prod_notes"].strip()
    plow = pnote.lower()

    def emit(
        col: str, year: int, meas: str, unit: str, note: str, default_q: str, is_prod: bool
    ) -> None:
        raw = row[col]
        try:
            value, q = parse_cell(raw)
        except ValueError:
            raise InputFileError(
                str(path), f"cannot read value {raw!r}", lineno, col.upper()
            ) from None
        low = note.lower()
        if q is None:  # blank: meaning comes from the note
            if "w for" in low or low == "w":
                q = "withheld"
            elif "less than" in low and ("1/2" in low or "½" in low):
                q = "negligible"
            elif "included in world total" in low or "included with other countries" in low:
                q = "included_elsewhere"
            elif low.strip() in ("large", "moderate", "small", "very small", "moderate to large"):
                q = "qualitative"
            elif low.startswith("na") or low in ("xx",):
                if "for 2023" in low and year != 2023:
                    return
                q = "not_available"
            elif is_prod and commodity0 in _BLANK_MEANS_WITHHELD:
                q = "withheld"
                note = _BLANK_MEANS_WITHHELD[commodity0]
            elif is_prod:
                q = "not_available"
            else:
                return  # blank capacity/reserve cell with no note: nothing reported
        elif q == "reported":
            q = default_q
            if "less than" in low and ("1/2" in low or "½" in low):
                q = "negligible"
        if value is not None:
            try:
                value, cunit = to_canonical(value, unit)
            except UnitError as exc:
                raise InputFileError(str(path), str(exc), lineno, "UNIT_MEAS") from None
        else:
            try:
                _, cunit = to_canonical(1.0, unit)
            except UnitError as exc:
                raise InputFileError(str(path), str(exc), lineno, "UNIT_MEAS") from None
        rec = _obs(
            **base,
            measure=meas,
            product=product,
            year=year,
            value=value,
            unit=cunit,
            qualifier=q,
            raw_value=str(raw).strip(),
            raw_unit=unit,
            note=" | ".join(x for x in (detail and f"country detail: {detail}", note.strip()) if x),
        )
        recs.append(rec)

    if measure not in ("capacity", "reserves"):
        q23 = "estimated" if _is_estimated(pnote, 2023) else "reported"
        emit("prod_2023", 2023, measure, raw_unit, pnote, q23, True)
        emit("prod_2024", 2024, measure, raw_unit, pnote, "estimated", True)
    elif measure == "capacity":
        emit(
            "prod_2023",
            2023,
            "capacity",
            raw_unit,
            pnote,
            "estimated" if "estimated" in plow else "reported",
            False,
        )
        emit("prod_2024", 2024, "capacity", raw_unit, pnote, "estimated", False)
    cnote = row["cap_notes"].strip()
    cq = "estimated" if "estimated" in cnote.lower() else "reported"
    emit("cap_2023", 2023, "capacity", raw_unit, cnote, cq, False)
    emit(
        "cap_2024",
        2024,
        "capacity",
        raw_unit,
        cnote,
        "estimated" if cq == "estimated" else cq,
        False,
    )
    rnote = row["reserve_notes"].strip()
    runit, _unit_note = _reserve_unit(rnote, raw_unit)
    emit(
        "reserves_2024",
        2024,
        "reserves",
        runit,
        rnote,
        "reported",
        False,
    )
    return recs


_MCS2026_UNITS = re.compile(r"^(t|kg|kt)\b.*$")


def read_mcs2026_world(path: str | Path) -> pd.DataFrame:
    """Read the MCS 2026 world-table extract (``mcs2026_world_selected.csv``).

    Columns ``commodity,country,type,unit,prod_2024,prod_2025e,capacity_2025,reserves``;
    units such as ``kg`` or ``t Sb content``. ``prod_2025e`` is an estimate.
    The reserves column has no year in the source; MCS 2026 reports reserves at the
    end of 2025, so they are stored for year 2025.
    """
    path = Path(path)
    out: list[dict[str, Any]] = []
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    need = [
        "commodity",
        "country",
        "type",
        "unit",
        "prod_2024",
        "prod_2025e",
        "capacity_2025",
        "reserves",
    ]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputFileError(str(path), f"missing columns {miss}", line=1)
    for i, r in enumerate(df.to_dict(orient="records"), start=2):
        try:
            c0 = reg.resolve(r["commodity"])
        except Exception:
            raise InputFileError(
                str(path), f"unknown commodity {r['commodity']!r}", i, "commodity"
            ) from None
        commodity, measure, product = _series_key(c0, r["type"])
        try:
            iso3, entity, detail = resolve_source_country(r["country"])
        except UnknownCountryError:
            raise InputFileError(
                str(path), f"unknown country {r['country']!r}", i, "country"
            ) from None
        m = _MCS2026_UNITS.match(r["unit"].strip())
        if not m:
            raise InputFileError(str(path), f"unknown unit {r['unit']!r}", i, "unit")
        unit = m.group(1)
        for col, year, meas, default_q in (
            ("prod_2024", 2024, measure, "reported"),
            ("prod_2025e", 2025, measure, "estimated"),
            ("capacity_2025", 2025, "capacity", "reported"),
            ("reserves", 2025, "reserves", "reported"),
        ):
            raw = r[col]
            try:
                value, q = parse_cell(raw)
            except ValueError:
                raise InputFileError(str(path), f"cannot read value {raw!r}", i, col) from None
            if q is None:
                if meas in ("capacity", "reserves"):
                    continue
                q = "not_available"
            elif q == "reported":
                q = default_q
            cunit = "t"
            if value is not None:
                value, cunit = to_canonical(value, unit)
            out.append(
                _obs(
                    commodity=commodity,
                    measure=meas,
                    product=product,
                    iso3=iso3,
                    entity_type=entity,
                    country=r["country"].strip(),
                    year=year,
                    value=value,
                    unit=cunit,
                    qualifier=q,
                    raw_value=raw,
                    raw_unit=r["unit"],
                    basis=r["type"],
                    note=detail,
                    edition="MCS2026",
                    source_id="usgs_mcs2026_extract",
                    source_row=i,
                )
            )
    res = pd.DataFrame(out, columns=OBSERVATION_COLUMNS)
    res["year"] = res["year"].astype("int32")
    res["source_row"] = res["source_row"].astype("int32")
    return res


_PRICE_UNITS = {"USD/kg": "USD/kg", "USD/lb": "USD/lb", "USD/t": "USD/t"}


def read_mcs2026_prices(path: str | Path) -> pd.DataFrame:
    """Read the MCS 2026 price extract (``mcs2026_prices_selected.csv``) into annual prices.

    The ``2025e`` column is stored with qualifier ``estimated``.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    years = [c for c in df.columns if re.fullmatch(r"\d{4}e?", c)]
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(df.to_dict(orient="records"), start=2):
        commodity = reg.resolve(r["commodity"])
        unit = _PRICE_UNITS.get(r["unit"].strip())
        if unit is None:
            raise InputFileError(str(path), f"unknown price unit {r['unit']!r}", i, "unit")
        slug = re.sub(r"[^a-z0-9]+", "_", r["series"].lower()).strip("_")
        slug = {
            "us_import_average_unit_value_hts_8112_92_1000": "import_unit_value",
            "ge_metal_annual_average_europe_99_999": "metal_europe",
            "geo2_annual_average": "geo2",
            "sb_metal_average_min_99_65_cif": "metal",
        }.get(slug, slug)
        series = f"mcs2026_{commodity}_{slug}"
        for ycol in years:
            value, q = parse_cell(r[ycol])
            if q is None:
                continue
            year = int(ycol[:4])
            rows.append(
                {
                    "series": series,
                    "commodity": commodity,
                    "date": pd.Timestamp(year=year, month=1, day=1),
                    "period": str(year),
                    "frequency": "A",
                    "value": value,
                    "unit": unit,
                    "qualifier": "estimated" if ycol.endswith("e") else q,
                    "description": f"{r['series']} ({r['source_note']})",
                    "edition": "MCS2026",
                    "source_id": "usgs_mcs2026_extract",
                }
            )
    return pd.DataFrame(rows, columns=PRICE_COLUMNS)
