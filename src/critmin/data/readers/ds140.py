"""USGS Data Series 140 historical statistics (TSV conversions): world production and US unit values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from critmin.data.readers._cells import parse_cell
from critmin.data.schema import OBSERVATION_COLUMNS, PRICE_COLUMNS
from critmin.errors import InputFileError

__all__ = ["read_ds140"]

_WORLD_COLUMNS = {
    "mine_production": ["World mine production", "World production"],
    "refinery_production": ["World refinery production", "World production"],
    "primary_production": ["World production"],
}


def read_ds140(
    path: str | Path,
    commodity: str,
    measure: str,
    product: str = "",
    dropped: list[dict[str, Any]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one DS140 table.

    Parameters
    ----------
    path : str or Path
        ``ds140-<abbr>.tsv``: title lines, a header row starting with ``Year``, data,
        then footnote lines.
    commodity : str
        Canonical commodity id.
    measure : str
        Measure reported by the table's world-production column.
    product : str
        Product of the world rows when the table's basis differs from the MCS table of
        the same measure (DS140 chromium in chromium content, MCS in chromite ore).
    dropped : list, optional
        One dict (``file``, ``row``, ``column``, ``reason``) is appended per row not
        stored: a second row for a year already read (lithium prints 2021 twice, 107,000
        and 130,000 t; the second is probably 2022 but is not guessed) keeps the first.

    Returns
    -------
    world : pandas.DataFrame
        World production observations (``iso3 = WLD``) in tonnes; ``W`` withheld, ``NA``
        not available.
    unit_value : pandas.DataFrame
        US unit value in nominal USD/t (series ``ds140_<commodity>_unit_value``), a long
        price proxy.

    Raises
    ------
    InputFileError
        If the header or the unit line is not as documented.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    unit_line = next((ln for ln in lines[:6] if ln.startswith("[")), "")
    if "metric tons" not in unit_line:
        raise InputFileError(str(path), f"unit line not in metric tons: {unit_line!r}", line=3)
    hidx = next((i for i, ln in enumerate(lines) if ln.startswith("Year\t")), None)
    if hidx is None:
        raise InputFileError(str(path), "no header row starting with 'Year'")
    header = [h.strip() for h in lines[hidx].split("\t")]
    wcol = next((c for c in _WORLD_COLUMNS.get(measure, ["World production"]) if c in header), None)
    vcol = "Unit value ($/t)" if "Unit value ($/t)" in header else None
    world: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    seen: dict[int, int] = {}
    for i in range(hidx + 1, len(lines)):
        cells = [c.strip() for c in lines[i].split("\t")]
        if not cells or not re.fullmatch(r"\d{4}", cells[0]):
            break
        year = int(cells[0])
        if year in seen:
            if dropped is not None:
                dropped.append(
                    {
                        "file": path.name,
                        "row": i + 1,
                        "column": "Year",
                        "reason": f"second row for {year} (first on line {seen[year]}); "
                        "kept the first, the year of this one is not guessed",
                    }
                )
            continue
        seen[year] = i + 1
        row = dict(zip(header, cells, strict=False))
        if wcol:
            raw = row.get(wcol, "")
            try:
                value, q = parse_cell(raw)
            except ValueError:
                raise InputFileError(str(path), f"cannot read value {raw!r}", i + 1, wcol) from None
            if q is not None and q != "not_available":
                world.append(
                    {
                        **{k: None for k in OBSERVATION_COLUMNS},
                        "commodity": commodity,
                        "measure": measure,
                        "product": product,
                        "iso3": "WLD",
                        "entity_type": "world",
                        "country": "World",
                        "year": year,
                        "value": value,
                        "unit": "t",
                        "qualifier": q,
                        "raw_value": raw,
                        "raw_unit": unit_line.strip("[]"),
                        "basis": wcol,
                        "note": "",
                        "edition": "DS140",
                        "source_id": "usgs_ds140",
                        "source_row": i + 1,
                    }
                )
        if vcol:
            raw = row.get(vcol, "")
            try:
                value, q = parse_cell(raw)
            except ValueError:
                raise InputFileError(str(path), f"cannot read value {raw!r}", i + 1, vcol) from None
            if q == "reported":
                prices.append(
                    {
                        "series": f"ds140_{commodity}_unit_value",
                        "commodity": commodity,
                        "date": pd.Timestamp(year=year, month=1, day=1),
                        "period": str(year),
                        "frequency": "A",
                        "value": value,
                        "unit": "USD/t",
                        "qualifier": q,
                        "description": "USGS DS140 US unit value, nominal USD per tonne of contained content",
                        "edition": "DS140",
                        "source_id": "usgs_ds140",
                        "source_row": i + 1,
                    }
                )
    return pd.DataFrame(world, columns=OBSERVATION_COLUMNS), pd.DataFrame(
        prices, columns=[*PRICE_COLUMNS, "source_row"]
    )
