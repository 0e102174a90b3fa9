"""Parsing of single source cells: numbers, 'W', 'NA', '>2000000', 'Less than ½ unit'."""

from __future__ import annotations

import math
import re

__all__ = ["Cell", "parse_cell"]

Cell = tuple[float | None, str | None]

_NUM = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?$|^[-+]?\.\d+$")
_NA = {"na", "xx", "--", "—", "n/a", "nan", "…", "..."}
_QUALITATIVE = {"large", "moderate", "small", "very small", "moderate to large", "e"}


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def parse_cell(raw: object) -> Cell:
    """Classify a source cell.

    Returns
    -------
    tuple of (float or None, str or None)
        ``(value, qualifier)``. A blank cell gives ``(None, None)``: the caller
        decides from the context (notes) what the blank means. Qualifiers:
        ``reported``, ``withheld``, ``not_available``, ``lower_bound``,
        ``upper_bound``, ``negligible``, ``qualitative``.

    Raises
    ------
    ValueError
        If the cell is not blank and matches no known pattern.
    """
    if raw is None:
        return None, None
    if isinstance(raw, float) and math.isnan(raw):
        return None, None
    if isinstance(raw, int | float):
        return float(raw), "reported"
    s = str(raw).replace("\xa0", " ").strip()
    if not s:
        return None, None
    low = s.lower().rstrip(".")
    if _NUM.match(s):
        return _num(s), "reported"
    if low == "w":
        return None, "withheld"
    if low in _NA:
        return None, "not_available"
    if low.startswith("less than") and ("1/2" in low or "½" in low):
        return None, "negligible"
    if low in _QUALITATIVE:
        return None, "qualitative"
    m = re.match(r"^>\s*=?\s*([\d,\.]+)$", s)
    if m:
        return _num(m.group(1)), "lower_bound"
    m = re.match(r"^<\s*=?\s*([\d,\.]+)$", s)
    if m:
        return _num(m.group(1)), "upper_bound"
    raise ValueError(f"unrecognised cell {s!r}")
