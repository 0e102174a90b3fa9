"""Sourced market facts (``gallium-germanium-market/facts.csv``): one fact per row with its source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin.data.readers._cells import parse_cell
from critmin.errors import InputFileError

__all__ = ["FACT_COLUMNS", "read_facts"]

FACT_COLUMNS = [
    "fact_id",
    "topic",
    "item",
    "date",
    "value",
    "value_num",
    "unit",
    "source_title",
    "source_url",
    "note",
    "edition",
    "source_id",
]


def read_facts(path: str | Path, edition: str = "GGM-2026-11") -> pd.DataFrame:
    """Read the facts table.

    Returns
    -------
    pandas.DataFrame
        ``fact_id`` (1-based line number in the file, header = 1), ``topic``,
        ``item``, ``date`` (as given: ``2025``, ``2025-06`` or ``2025-06-24``),
        ``value`` (verbatim, e.g. ``"45 working days official"``), ``value_num``
        (the number when the value is a plain number, else null), ``unit``, and the
        source title, URL and note. Every row keeps its own source.
    """
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = ["topic", "item", "date", "value", "unit", "source_title", "source_url", "note"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputFileError(str(path), f"missing columns {miss}", line=1)
    nums = []
    for v in df["value"]:
        try:
            num, q = parse_cell(v)
        except ValueError:
            num, q = None, None
        nums.append(num if q == "reported" else None)
    df.insert(0, "fact_id", range(2, len(df) + 2))
    df["value_num"] = pd.array(nums, dtype="Float64").astype(float)
    df["edition"] = edition
    df["source_id"] = "ggm_facts"
    return df[FACT_COLUMNS]
