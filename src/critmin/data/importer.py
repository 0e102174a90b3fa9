"""Validated, transactional import of user observations.

``critmin data import FILE.csv`` reads a CSV with the columns ``commodity,
measure, iso3, year, value, unit, source`` (optional ``qualifier, edition,
note, product``), validates every row, and inserts all rows in one transaction:
a bad file changes nothing, and the error names the file, line and column.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.data import commodities as reg
from critmin.data.schema import MEASURES, OBSERVATION_COLUMNS, QUALIFIERS
from critmin.errors import CritminError, InputFileError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["REQUIRED_COLUMNS", "import_observations", "read_user_csv"]

REQUIRED_COLUMNS = ["commodity", "measure", "iso3", "year", "value", "unit", "source"]
OPTIONAL_COLUMNS = ["qualifier", "edition", "note", "product"]
_NULL_QUALIFIERS = {"withheld", "not_available", "negligible", "qualitative", "included_elsewhere"}


def read_user_csv(path: str | Path, known_iso3: set[str] | dict[str, str]) -> pd.DataFrame:
    """Parse and validate a user observations CSV.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    known_iso3 : set of str or dict
        Valid country codes (a dict maps them to display names).

    Returns
    -------
    pandas.DataFrame
        Rows in the canonical observation schema, values converted to the
        canonical unit (t for masses).

    Raises
    ------
    InputFileError
        Naming file, line (header = line 1) and column of the first problem:
        missing column, unknown commodity, measure, country, qualifier or unit,
        a year or value that is not a number, a negative quantity, or two rows
        for the same key with different values.
    """
    import pandas as pd

    from critmin.units import to_canonical

    p = Path(path)
    if not p.exists():
        raise InputFileError(str(p), "file not found")
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], tuple[int, float | None]] = {}
    with p.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputFileError(str(p), f"missing required column(s) {missing}", line=1)
        unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        if unknown:
            raise InputFileError(str(p), f"unknown column(s) {unknown}", line=1)
        for lineno, raw in enumerate(reader, start=2):
            r = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}

            def fail(col: str, msg: str, _line: int = lineno) -> InputFileError:
                return InputFileError(str(p), msg, line=_line, column=col)

            try:
                commodity = reg.resolve(r["commodity"])
            except CritminError as exc:
                raise fail("commodity", str(exc)) from None
            measure = r["measure"]
            if measure not in MEASURES:
                raise fail("measure", f"unknown measure {measure!r} (one of {sorted(MEASURES)})")
            iso3 = r["iso3"].upper()
            if iso3 not in known_iso3:
                raise fail("iso3", f"unknown country code {r['iso3']!r}")
            try:
                year = int(r["year"])
            except ValueError:
                raise fail("year", f"year {r['year']!r} is not an integer") from None
            qualifier = r.get("qualifier") or "reported"
            if qualifier not in QUALIFIERS:
                raise fail(
                    "qualifier", f"unknown qualifier {qualifier!r} (one of {sorted(QUALIFIERS)})"
                )
            value: float | None
            if r["value"] == "":
                if qualifier not in _NULL_QUALIFIERS:
                    raise fail(
                        "value",
                        f"empty value needs a qualifier such as withheld, not {qualifier!r}",
                    )
                value = None
            else:
                if qualifier in _NULL_QUALIFIERS:
                    raise fail(
                        "value",
                        f"qualifier {qualifier!r} means no value, but the value is {r['value']!r}",
                    )
                try:
                    value = float(r["value"].replace(",", ""))
                except ValueError:
                    raise fail("value", f"value {r['value']!r} is not a number") from None
                if not math.isfinite(value):
                    raise fail("value", f"value {r['value']!r} is not finite")
                if value < 0:
                    raise fail("value", f"negative quantity {value:g}")
            unit = r["unit"]
            if measure == "net_import_reliance":
                if unit != "%":
                    raise fail("unit", "net_import_reliance must be in %")
                cunit = "%"
            else:
                try:
                    v2, cunit = to_canonical(value if value is not None else 1.0, unit)
                except UnitError as exc:
                    raise fail("unit", str(exc)) from None
                if value is not None:
                    value = v2
            if not r["source"]:
                raise fail("source", "every figure needs a source")
            product = r.get("product", "")
            key = (commodity, measure, product, iso3, year)
            if key in seen and seen[key][1] != value:
                raise fail("value", f"duplicate of line {seen[key][0]} with a different value")
            seen[key] = (lineno, value)
            rows.append(
                {
                    "commodity": commodity,
                    "measure": measure,
                    "product": product,
                    "iso3": iso3,
                    "entity_type": "world"
                    if iso3 == "WLD"
                    else "other"
                    if iso3 == "OTH"
                    else "country",
                    "country": known_iso3.get(iso3, iso3) if isinstance(known_iso3, dict) else iso3,
                    "year": year,
                    "value": value,
                    "unit": cunit,
                    "qualifier": qualifier,
                    "raw_value": r["value"],
                    "raw_unit": unit,
                    "basis": r["source"],
                    "note": r.get("note", ""),
                    "edition": r.get("edition") or f"user:{p.name}",
                    "source_id": f"user:{p.name}",
                    "source_row": lineno,
                }
            )
    if not rows:
        raise InputFileError(str(p), "no data rows")
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)


def import_observations(path: str | Path, store: Store) -> int:
    """Validate ``path`` and add its rows to the store's user observations in one transaction.

    A row whose key (commodity, measure, product, iso3, year) already holds a
    different value in the dataset or earlier imports is an error; an identical
    row is skipped.

    Returns
    -------
    int
        Number of rows added.
    """
    import duckdb

    p = Path(path)
    c = store.countries()
    known = dict(zip(c["iso3"], c["name"], strict=True))
    df = read_user_csv(p, known)
    existing = store.observations(include_user=True)
    key = ["commodity", "measure", "product", "iso3", "year"]
    m = df.reset_index().merge(
        existing[[*key, "value", "edition"]], on=key, how="inner", suffixes=("", "_old")
    )
    same = (m["value"] == m["value_old"]) | (m["value"].isna() & m["value_old"].isna())
    conflict = m[~same]
    if len(conflict):
        c = conflict.iloc[0]
        raise InputFileError(
            str(p),
            f"conflicts with {c['edition_old']} value {c['value_old']} for {c['commodity']} {c['measure']} {c['iso3']} {c['year']}",
            line=int(c["source_row"]),
            column="value",
        )
    df = df.drop(index=m.loc[same, "index"].tolist())
    if df.empty:
        return 0
    con = store.con
    try:
        con.execute("BEGIN TRANSACTION")
        con.register("_incoming", df)
        con.execute("INSERT INTO user_observations SELECT * FROM _incoming")
        con.unregister("_incoming")
        con.execute(
            "INSERT INTO user_sources (source_id, edition, title, published, note) VALUES (?, ?, ?, current_date::VARCHAR, ?)",
            [
                f"user:{p.name}",
                str(df["edition"].iloc[0]),
                f"User import {p.name}",
                "imported by critmin data import",
            ],
        )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise InputFileError(str(p), f"import failed, nothing written: {exc}") from exc
    return len(df)
