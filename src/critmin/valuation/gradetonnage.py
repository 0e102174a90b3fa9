"""Deposit context: place a deposit in a USGS grade-tonnage model of its type.

A grade-tonnage model is a table of well-explored deposits of one type (tonnage and
average grades). :func:`compare_deposit` gives, for the deposit's tonnage, each grade
and each contained metal, its percentile among the model's deposits and the model's
10th / 50th / 90th percentiles. Reading the model file is :func:`read_gt_csv`; the
built-in models are listed in :data:`GT_MODELS` (files under ``shared/reference``).

CSV columns (USGS / MapMark4 layout, as shipped in ``deposits/usgs-grade-tonnage``):
``Deposit Name``; ``Tonnage (mt)`` in metric tonnes (not million tonnes, despite the
label); one ``<Sym> Grade (%)`` per commodity, in percent (gold 0.000065 % =
0.65 g/t); ``NA`` or empty for a missing grade. The aliases ``name``, ``tonnage_t``
and ``grade_<sym>_pct`` are accepted too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import DataNotFoundError, InputFileError, ValidationError

__all__ = [
    "GT_MODELS",
    "GradeTonnageModel",
    "compare_deposit",
    "find_model",
    "percentile_rank",
    "read_gt_csv",
]


@dataclass(frozen=True)
class GradeTonnageModel:
    """A grade-tonnage model: deposits of one type with tonnage [t] and grades [%].

    Attributes
    ----------
    key : str
        Short name (``porphyry-cu-au``).
    deposit_type : str
        Deposit type in words.
    citation : str
        Where the data come from.
    table : pandas.DataFrame
        ``name``, ``tonnage_t`` and one ``<sym>_pct`` column per commodity.
    notes : list of str
        Rows dropped or values missing, counted.
    """

    key: str
    deposit_type: str
    citation: str
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def commodities(self) -> list[str]:
        """Commodity symbols with a grade column (``Cu``, ``Au``)."""
        return [c[: -len("_pct")] for c in self.table.columns if c.endswith("_pct")]


#: Built-in models: key -> (file under the reference folder, deposit type, aliases, citation).
GT_MODELS: dict[str, dict[str, Any]] = {
    "porphyry-cu-au": {
        "file": "deposits/usgs-grade-tonnage/porphyry_cu_au_ExampleGatm.csv",
        "type": "porphyry copper-gold",
        "aliases": ["porphyry cu-au", "porphyry copper-gold", "porphyry_cu_au", "porphyry"],
        "citation": (
            "Singer, D.A., Berger, V.I., and Moring, B.C., 2008, Porphyry copper deposits of "
            "the World: database and grade and tonnage models, 2008: USGS Open-File Report "
            "2008-1155 (copper-gold subtype, 115 deposits), as distributed in USGS MapMark4 "
            "(ExampleGatm)"
        ),
    },
    "placer-pge": {
        "file": "deposits/usgs-grade-tonnage/placer_pge_PreviousExampleGatm.csv",
        "type": "placer PGE-Au (Urals)",
        "aliases": ["placer pge", "placer_pge", "placer pge-au"],
        "citation": (
            "USGS MapMark4 example grade-tonnage data PreviousExampleGatm: placer PGE(-Au) "
            "deposits of the Urals, Russia (83 deposits; source report not named in MapMark4)"
        ),
    },
}


def find_model(deposit_type: str) -> str:
    """Key of the built-in model of a deposit type.

    Raises
    ------
    DataNotFoundError
        No model of that type: the message says so rather than comparing across types.
    """
    t = deposit_type.strip().lower()
    for key, m in GT_MODELS.items():
        if t == key or t in m["aliases"]:
            return key
    raise DataNotFoundError(
        f"no grade-tonnage model of deposit type {deposit_type!r} is available "
        f"(available: {', '.join(GT_MODELS)}); not comparing across deposit types - "
        "supply a model of the right type with --model-csv"
    )


_GRADE = re.compile(r"^\s*([A-Za-z]{1,3})\s+grade\s*\(%\)\s*$", re.IGNORECASE)
_GRADE2 = re.compile(r"^grade_([a-z]{1,3})_pct$", re.IGNORECASE)


def read_gt_csv(
    path: str | Path, *, key: str = "", deposit_type: str = "", citation: str = ""
) -> GradeTonnageModel:
    """Read a grade-tonnage CSV (USGS layout or the snake_case aliases).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file (columns in the module docstring).
    key, deposit_type, citation : str
        Labels carried into the model (default: the file name).

    Returns
    -------
    GradeTonnageModel

    Raises
    ------
    InputFileError
        Missing file or columns, a non-numeric or non-positive tonnage (row named).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "file not found")
    raw = pd.read_csv(
        p, dtype=str, keep_default_na=False, encoding="utf-8", encoding_errors="replace"
    )
    cols = {c: c.strip() for c in raw.columns}
    name_col = next((c for c, s in cols.items() if s.lower() in ("deposit name", "name")), None)
    ton_col = next((c for c, s in cols.items() if s.lower() in ("tonnage (mt)", "tonnage_t")), None)
    if ton_col is None:
        raise InputFileError(str(p), "no tonnage column ('Tonnage (mt)' or 'tonnage_t')")
    grades: dict[str, str] = {}
    for c, s in cols.items():
        m = _GRADE.match(s) or _GRADE2.match(s)
        if m:
            sym = m.group(1)
            grades[sym[0].upper() + sym[1:].lower()] = c
    if not grades:
        raise InputFileError(str(p), "no grade column ('<Sym> Grade (%)' or 'grade_<sym>_pct')")
    out = pd.DataFrame(
        {"name": raw[name_col] if name_col else [f"row {i + 2}" for i in range(len(raw))]}
    )
    notes: list[str] = []

    def num(col: str, label: str, *, required: bool) -> pd.Series:
        vals = []
        for i, v in enumerate(raw[col]):
            v = v.strip()
            if v.upper() in ("", "NA", "NAN"):
                if required:
                    raise InputFileError(str(p), "missing value", line=i + 2, column=cols[col])
                vals.append(np.nan)
                continue
            try:
                x = float(v)
            except ValueError:
                raise InputFileError(
                    str(p), f"not a number: {v!r}", line=i + 2, column=cols[col]
                ) from None
            if x < 0 or (required and x <= 0):
                raise InputFileError(
                    str(p), f"{label} must be > 0, got {x:g}", line=i + 2, column=cols[col]
                )
            vals.append(x)
        return pd.Series(vals, dtype=float)

    out["tonnage_t"] = num(ton_col, "tonnage", required=True)
    for sym, col in grades.items():
        s = num(col, "grade", required=False)
        out[f"{sym}_pct"] = s
        missing = int(s.isna().sum())
        if missing:
            notes.append(
                f"{sym}: {missing} of {len(s)} deposits have no grade (left out for {sym})"
            )
    return GradeTonnageModel(key or p.stem, deposit_type or p.stem, citation or str(p), out, notes)


def percentile_rank(values: np.ndarray, x: float) -> float:
    """Share of model values at or below ``x``, in percent. [%]

    Notes
    -----
    F(x) = 100 · #{v_i <= x} / n, the empirical cumulative distribution.
    """
    v = np.asarray(values, dtype=float)
    return float(100.0 * np.count_nonzero(v <= x) / v.size)


def _row(quantity: str, unit: str, values: np.ndarray, x: float | None) -> dict[str, Any]:
    q10, q50, q90 = np.quantile(values, [0.1, 0.5, 0.9])
    return {
        "quantity": quantity,
        "unit": unit,
        "deposit": x,
        "percentile": percentile_rank(values, x) if x is not None else None,
        "model_q10": float(q10),
        "model_q50": float(q50),
        "model_q90": float(q90),
        "model_min": float(values.min()),
        "model_max": float(values.max()),
        "n_deposits": int(values.size),
    }


def compare_deposit(
    model: GradeTonnageModel,
    tonnage_t: float,
    grades_pct: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Percentiles of a deposit's tonnage, grades and contained metal within a model.

    Parameters
    ----------
    model : GradeTonnageModel
        The model of the deposit's type.
    tonnage_t : float
        Ore tonnage of the deposit. [t]
    grades_pct : dict of str to float, optional
        Average grade by commodity symbol (``{"Cu": 0.5}``). [%]

    Returns
    -------
    pandas.DataFrame
        Rows ``tonnage``, ``<sym> grade``, ``<sym> contained`` with ``deposit`` value,
        its ``percentile`` [%] among the model's deposits, the model's ``model_q10``,
        ``model_q50``, ``model_q90`` (numpy linear quantiles; USGS reports q10 as the
        "90th percentile", the value that 90 % of deposits exceed), ``model_min``,
        ``model_max`` and ``n_deposits``. Tonnage and contained metal in [t], grades in [%].

    Raises
    ------
    ValidationError
        Non-positive tonnage, a negative grade, or a commodity the model lacks.

    Notes
    -----
    Contained metal = tonnage · grade / 100 for the deposit and for each model deposit
    with that grade. The percentile is the empirical CDF F(x) = #{v_i <= x} / n.
    """
    if tonnage_t <= 0:
        raise ValidationError(f"tonnage must be > 0 t, got {tonnage_t:g}")
    grades_pct = grades_pct or {}
    t = model.table
    rows = [_row("tonnage", "t", t["tonnage_t"].to_numpy(), tonnage_t)]
    for sym, g in grades_pct.items():
        key = sym[0].upper() + sym[1:].lower()
        if f"{key}_pct" not in t.columns:
            raise ValidationError(
                f"model {model.key!r} has no {key} grades (has {', '.join(model.commodities)})"
            )
        if g < 0:
            raise ValidationError(f"{key} grade must be >= 0 %, got {g:g}")
        sub = t[t[f"{key}_pct"].notna()]
        gv = sub[f"{key}_pct"].to_numpy()
        rows.append(_row(f"{key} grade", "%", gv, g))
        rows.append(
            _row(
                f"{key} contained",
                "t",
                sub["tonnage_t"].to_numpy() * gv / 100.0,
                tonnage_t * g / 100.0,
            )
        )
    return pd.DataFrame(rows)
