"""USGS Mineral Commodity Summaries: the MCS 2025 world-data release and the MCS 2026 extract."""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data import commodities as reg
from critmin.data.countries import resolve_source_country
from critmin.data.readers._cells import parse_cell
from critmin.data.readers._rules import table_rules
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


@functools.lru_cache(maxsize=64)
def _canon(unit: str) -> tuple[float, str]:
    """Factor to the canonical unit and that unit (``to_canonical`` is linear: value * factor)."""
    return to_canonical(1.0, unit)


def _est_unless_reported(low_note: str) -> str:
    return "reported" if "reported" in low_note else "estimated"


def _obs(**kw: Any) -> dict[str, Any]:
    return {k: kw.get(k) for k in OBSERVATION_COLUMNS}


_NOTE_COLUMN = {
    "prod_2023": "prod_notes",
    "prod_2024": "prod_notes",
    "cap_2023": "cap_notes",
    "cap_2024": "cap_notes",
    "reserves_2024": "reserve_notes",
}


def _table(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\xa0", " ").strip().lower())


def _table_context(rows: list[tuple[int, dict[str, str]]]) -> dict[str, dict[str, Any]]:
    """Per MCS table (COMMODITY cell): units and rules that apply to every row.

    A note such as ``'(Reserve data is thousand metric tons)'`` printed on some rows of a
    table sets the unit of its column for all rows (see ``registry/table_rules.yaml``).
    """
    rules = table_rules()
    ctx: dict[str, dict[str, Any]] = {}
    for lineno, row in rows:
        t = _table(row["commodity"])
        c = ctx.setdefault(t, {"units": {}, "unit_override": None})
        for rule in rules.get("table_notes", []):
            note = row[_NOTE_COLUMN[rule["column"]]]
            if re.search(rule["pattern"], note, re.I) and rule["column"] not in c["units"]:
                c["units"][rule["column"]] = (
                    rule["unit"],
                    f"table note on line {lineno} applies to the whole table: "
                    f"{rule['column'].upper()} in {rule['unit']}",
                )
    for rule in rules.get("overrides", []):
        if rule.get("field") == "unit":
            c = ctx.setdefault(_table(rule["table"]), {"units": {}, "unit_override": None})
            c["unit_override"] = rule
    for key in ("reserves_column", "group_reserves"):
        for rule in rules.get(key, []):
            ctx.setdefault(_table(rule["table"]), {"units": {}, "unit_override": None})[key] = rule
    return ctx


def read_mcs2025_world(
    path: str | Path, dropped: list[dict[str, Any]] | None = None
) -> pd.DataFrame:
    """Read ``MCS2025_World_Data.csv`` into canonical observations.

    Parameters
    ----------
    path : str or Path
        The USGS MCS 2025 data-release world-data CSV.
    dropped : list, optional
        When given, one dict per source cell that is deliberately not stored
        (``file``, ``row``, ``column``, ``reason``) is appended to it.

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
    ``'>2000000'``. Table-level semantics from ``registry/table_rules.yaml``: a
    reserve-unit note printed on some rows applies to the whole table (molybdenum,
    vanadium, iron ore); magnesium metal's reserves column holds capacity; PGM
    reserves are a group total; titanium concentrates are in thousand tonnes of TiO2.
    A TYPE ending in ``', estimated'`` marks the 2023 values estimated; the
    ``CAP_EST_ 2024`` column is estimated unless its note says reported.
    """
    path = Path(path)
    out: list[dict[str, Any]] = []
    rows: list[tuple[int, dict[str, str]]] = []
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
            rows.append((lineno, {k: cells[i] if i < len(cells) else "" for k, i in idx.items()}))
    ctx = _table_context(rows)
    drops: list[dict[str, Any]] = dropped if dropped is not None else []
    for lineno, row in rows:
        out.extend(_mcs2025_row(path, lineno, row, ctx.get(_table(row["commodity"]), {}), drops))
    df = pd.DataFrame(out, columns=OBSERVATION_COLUMNS)
    df["year"] = df["year"].astype("int32")
    df["source_row"] = df["source_row"].astype("int32")
    return df


def _mcs2025_row(
    path: Path,
    lineno: int,
    row: dict[str, str],
    tctx: dict[str, Any],
    drops: list[dict[str, Any]],
) -> list[dict[str, Any]]:
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
    rules_note = ""
    override = tctx.get("unit_override")
    if override is not None and raw_unit == override["from"]:
        raw_unit = override["to"]
        rules_note = (
            f"override {override['id']}: UNIT_MEAS {override['from']!r} -> {override['to']!r}"
        )
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
        col: str,
        year: int,
        meas: str,
        unit: str,
        note: str,
        default_q: str,
        is_prod: bool,
        extra: str = "",
        over: dict[str, Any] | None = None,
    ) -> None:
        over = over or {}
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
                f, cunit = _canon(unit)
                value = value * f
            except UnitError as exc:
                raise InputFileError(str(path), str(exc), lineno, "UNIT_MEAS") from None
        else:
            try:
                _, cunit = _canon(unit)
            except UnitError as exc:
                raise InputFileError(str(path), str(exc), lineno, "UNIT_MEAS") from None
        notes = (detail and f"country detail: {detail}", note.strip(), extra, rules_note)
        basis = {} if "basis" in over else {"basis": _basis_for(meas, source_type)}
        rec = _obs(
            **{**base, "product": product, **basis, **over},
            measure=meas,
            year=year,
            value=value,
            unit=cunit,
            qualifier=q,
            raw_value=str(raw).strip(),
            raw_unit=unit,
            note=" | ".join(x for x in notes if x),
        )
        recs.append(rec)

    type_estimated = source_type.lower().endswith("estimated")
    if measure not in ("capacity", "reserves"):
        q23 = "estimated" if type_estimated or _is_estimated(pnote, 2023) else "reported"
        emit("prod_2023", 2023, measure, raw_unit, pnote, q23, True)
        emit("prod_2024", 2024, measure, raw_unit, pnote, "estimated", True)
    elif measure == "capacity":
        q = "estimated" if "estimated" in plow or type_estimated else "reported"
        emit("prod_2023", 2023, "capacity", raw_unit, pnote, q, False)
        emit("prod_2024", 2024, "capacity", raw_unit, pnote, "estimated", False)
    cnote = row["cap_notes"].strip()
    clow = cnote.lower()
    cq = "estimated" if "estimated" in clow or type_estimated else "reported"
    emit("cap_2023", 2023, "capacity", raw_unit, cnote, cq, False)
    # CAP_EST_ 2024: the column itself is an estimate unless the note says reported
    emit("cap_2024", 2024, "capacity", raw_unit, cnote, _est_unless_reported(clow), False)
    rnote = row["reserve_notes"].strip()
    runit, unit_note = tctx.get("units", {}).get("reserves_2024", (raw_unit, ""))
    as_rule = tctx.get("reserves_column")
    group = tctx.get("group_reserves")
    if as_rule is not None:
        dup = as_rule.get("duplicate_of")
        if dup and row[dup].strip():
            if row["reserves_2024"].strip():
                drops.append(
                    {
                        "file": path.name,
                        "row": lineno,
                        "column": "RESERVES_2024",
                        "reason": f"holds {as_rule['as']}, duplicate of {dup.upper()} "
                        f"(table_rules.yaml reserves_column; value {row['reserves_2024']!r} "
                        f"vs {row[dup]!r})",
                    }
                )
        else:
            emit(
                "reserves_2024",
                int(as_rule["year"]),
                as_rule["as"],
                runit,
                rnote,
                "estimated",
                False,
                extra=f"RESERVES_2024 column holds {as_rule['as']} (table_rules.yaml)",
            )
        return recs
    over: dict[str, Any] = {}
    extra = unit_note
    if group is not None and re.search(group["type"], source_type, re.I):
        over = {
            "commodity": group["commodity"],
            "product": group["product"],
            "basis": group["basis"],
        }
        extra = " | ".join(
            x for x in (unit_note, f"group total printed on {source_type!r} rows") if x
        )
    emit("reserves_2024", 2024, "reserves", runit, rnote, "reported", False, extra, over)
    return recs


#: Note on MCS 2026 extract values stored as reported: the transcription has no cell marks.
_UNMARKED = "qualifier unverified: the MCS 2026 extract is transcribed without the PDF's 'e' marks"

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
                f, cunit = _canon(unit)
                value = value * f
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
                    basis=_basis_for(meas, r["type"]),
                    note=" | ".join(x for x in (detail, _UNMARKED if q == "reported" else "") if x),
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
                    "source_row": i,
                }
            )
    return pd.DataFrame(rows, columns=[*PRICE_COLUMNS, "source_row"])


def _basis_for(measure: str, source_type: str) -> str:
    """What a figure measures: the row's TYPE describes production, not the reserves or
    capacity columns of the same row ("Mine production, tin content" -> "Reserves, tin content")."""
    if measure not in ("reserves", "capacity"):
        return source_type
    label = "Reserves" if measure == "reserves" else "Capacity"
    m = re.match(
        r"^\s*(?:mine|refinery|plant|smelter|primary)?\s*production,?\s*(.*)$", source_type, re.I
    )
    if m is not None:
        rest = re.sub(r",?\s*estimated$", "", m.group(1).strip(), flags=re.I)
        return f"{label}, {rest}" if rest else label
    return f"{label} (row type: {source_type})"
