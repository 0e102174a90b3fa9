"""Drillhole tables: reading collar, survey and interval CSVs, with validation.

This is the I/O edge of :mod:`critmin.geostats`. Everything downstream works on a
:class:`Drillholes` object whose tables use canonical column names and units:

* collar: ``hole, x, y, z`` and optionally ``length`` [m]
* survey: ``hole, at, azimuth, dip`` ([m], [degrees clockwise from north],
  [degrees below horizontal, positive down, 90 = vertical down])
* interval tables (assay, lithology...): ``hole, from, to`` [m] plus value columns

Feet are converted to metres on reading (coordinates and depths alike), so that
densities in t/m³ give tonnes.

Below-detection rule
--------------------
Laboratories often report a result below the detection limit as the negative of
that limit (``-0.01`` means "< 0.01"). Such values are never used silently: the
rule is chosen with ``below_detection`` and each replacement is counted in
:attr:`Drillholes.notes`.

``"half"`` (default)
    replace ``-d`` by ``d / 2`` (half the detection limit).
``"zero"``
    replace by 0.
``"nan"``
    treat as not assayed (excluded from compositing weights).
``"error"``
    raise :class:`~critmin.errors.InputFileError` naming file, line and column.

Text codes in assay columns
---------------------------
Databases also write the detection limit as text. :func:`assay_codes` reads, in every
numeric interval column, ``<0.02`` (or ``< 0.02``) as the negative convention ``-0.02``
(so the rule above applies), ``>10`` (over the upper limit) as the limit itself, a lower
bound, and the not-assayed codes of :data:`NOT_ASSAYED_CODES` (``NS``, ``N/A``, ``LNR``,
``IS``, ``-`` ...) as not assayed; each kind is counted in :attr:`Drillholes.notes`.
Any other text stays an error naming file, line and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from critmin.errors import InputFileError, ValidationError
from critmin.geostats.intervals import OverlapRule, find_overlaps, resolve_overlaps

__all__ = [
    "FEET_TO_METRES",
    "NOT_ASSAYED_CODES",
    "BelowDetection",
    "ColumnMap",
    "Drillholes",
    "assay_codes",
    "read_drillholes",
]

FEET_TO_METRES = 0.3048

BelowDetection = Literal["half", "zero", "nan", "error"]


class ColumnMap(BaseModel):
    """Names of the columns in the user's files.

    Parameters
    ----------
    hole : str
        Hole id column, in every file.
    x, y, z : str
        Collar easting, northing and elevation. [m or ft]
    length : str, optional
        Collar total hole length; when given, intervals and survey stations
        beyond it are errors. [m or ft]
    at : str
        Survey station depth along the hole. [m or ft]
    azimuth : str
        Survey azimuth, clockwise from north. [degrees]
    dip : str
        Survey dip. [degrees]
    from_, to : str
        Interval start and end depth along the hole. [m or ft]
    dip_positive_down : bool
        True when a downward hole has a positive dip (90 = vertical down);
        False when it is negative (-90 = vertical down, Leapfrog/Datamine style).
    """

    hole: str = "HOLEID"
    x: str = "X"
    y: str = "Y"
    z: str = "Z"
    length: str | None = None
    at: str = "AT"
    azimuth: str = "AZM"
    dip: str = "DIP"
    from_: str = Field("FROM", alias="from")
    to: str = "TO"
    dip_positive_down: bool = True

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass
class Drillholes:
    """Validated drillhole database in canonical names and metres.

    Attributes
    ----------
    collar : pandas.DataFrame
        ``hole, x, y, z[, length]``. [m]
    survey : pandas.DataFrame
        ``hole, at, azimuth, dip`` sorted by hole and depth. [m, degrees]
    tables : dict of str to pandas.DataFrame
        Interval tables (``assay``, ``litho``...) with ``hole, from, to`` [m]
        and value columns, sorted by hole and depth.
    units : str
        Units of the source files (``"m"`` or ``"ft"``); tables are in metres.
    notes : list of str
        What was done to the data on reading (below-detection replacements...).
    sources : dict of str to str
        Path of each table's file.
    """

    collar: pd.DataFrame
    survey: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    units: str = "m"
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    raw: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Interval tables as read, before an overlap rule (only tables it changed)."""

    @property
    def holes(self) -> list[str]:
        """Hole ids in collar order."""
        return [str(h) for h in self.collar["hole"]]

    def table(self, name: str) -> pd.DataFrame:
        """One interval table by name.

        Raises
        ------
        ValidationError
            If there is no such table.
        """
        if name not in self.tables:
            raise ValidationError(
                f"no interval table {name!r}; have {', '.join(sorted(self.tables)) or 'none'}"
            )
        return self.tables[name]

    def hole_lengths(self) -> pd.Series:
        """Length of each hole: the collar length, else the deepest interval or station. [m]"""
        if "length" in self.collar:
            return self.collar.set_index("hole")["length"].astype(float)
        depth = self.survey.groupby("hole")["at"].max()
        for t in self.tables.values():
            depth = pd.concat([depth, t.groupby("hole")["to"].max()]).groupby(level=0).max()
        return depth.reindex(self.collar["hole"]).fillna(0.0).astype(float)


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputFileError(str(path), "file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(str(path), f"cannot parse CSV: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    # line numbers: header is line 1, first data row line 2
    df.index = pd.RangeIndex(2, 2 + len(df))
    # drop fully blank rows (kept above so the line numbers stay right)
    blank = (df.apply(lambda s: s.str.strip()) == "").all(axis=1)
    return df.loc[~blank]


def _require(df: pd.DataFrame, path: Path, cols: list[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputFileError(
            str(path),
            f"missing column(s) {', '.join(map(repr, missing))}; the file has {', '.join(df.columns)}",
            line=1,
            column=missing[0],
        )


def _numeric(df: pd.DataFrame, path: Path, col: str, required: bool = True) -> pd.Series:
    raw = df[col].str.strip()
    out = pd.to_numeric(raw, errors="coerce")
    bad = out.isna() & (raw != "")
    if bad.any():
        line = int(bad.idxmax())
        raise InputFileError(
            str(path), f"not a number: {df.at[line, col]!r}", line=line, column=col
        )
    if required and (raw == "").any():
        line = int((raw == "").idxmax())
        raise InputFileError(str(path), "empty value", line=line, column=col)
    return out.astype(float)


#: Laboratory codes for an interval that was not assayed (compared case-insensitively):
#: not sampled, not available, not received, lost / no recovery, insufficient sample.
NOT_ASSAYED_CODES = ("NS", "N/S", "NA", "N/A", "NR", "LNR", "IS", "NSR", "-", "--", "NULL")
_LESS = re.compile(r"^<\s*(\d+(?:\.\d*)?|\.\d+)$")
_MORE = re.compile(r"^>\s*(\d+(?:\.\d*)?|\.\d+)$")
_NOT_ASSAYED = {c.upper() for c in NOT_ASSAYED_CODES}


def assay_codes(raw: pd.Series) -> tuple[pd.Series, dict[str, pd.Series]]:
    """Rewrite the text codes of an assay column as numbers the readers understand.

    Parameters
    ----------
    raw : pandas.Series
        Stripped text values of one interval column.

    Returns
    -------
    values : pandas.Series
        ``<d`` -> ``-d`` (below detection, see the module's rule), ``>d`` -> ``d`` (at the
        upper limit: a lower bound), a not-assayed code -> ``""`` (empty), others unchanged.
    masks : dict
        ``below_detection``, ``over_limit`` and ``not_assayed``: boolean masks of the
        rewritten values, by kind.
    """
    less = raw.str.extract(_LESS, expand=False)
    more = raw.str.extract(_MORE, expand=False)
    na = raw.str.upper().isin(_NOT_ASSAYED)
    out = raw.copy()
    out[less.notna()] = "-" + less[less.notna()]
    out[more.notna()] = more[more.notna()]
    out[na] = ""
    masks = {"below_detection": less.notna(), "over_limit": more.notna(), "not_assayed": na}
    return out, masks


def code_notes(name: str, col: str, masks: dict[str, pd.Series]) -> list[str]:
    """Readable notes for the masks of :func:`assay_codes` (empty when nothing was read)."""
    counts = {k: int(m.sum()) for k, m in masks.items()}
    words = {
        "below_detection": "'<limit' value(s) read as below detection",
        "over_limit": "'>limit' value(s) taken at the limit (lower bounds)",
        "not_assayed": f"not-assayed code(s) ({', '.join(NOT_ASSAYED_CODES)}) read as not assayed",
    }
    return [f"{name}: {n} {words[k]} in {col!r}" for k, n in counts.items() if n]


def _apply_below_detection(
    values: pd.Series, path: Path, col: str, rule: BelowDetection, notes: list[str]
) -> pd.Series:
    neg = values < 0
    n = int(neg.sum())
    if n == 0:
        return values
    if rule == "error":
        line = int(neg.idxmax())
        raise InputFileError(
            str(path),
            f"negative value {values[line]!r} (below-detection code) and below_detection='error'",
            line=line,
            column=col,
        )
    out = values.copy()
    if rule == "half":
        out[neg] = -values[neg] / 2.0
    elif rule == "zero":
        out[neg] = 0.0
    elif rule == "nan":
        out[neg] = np.nan
    else:  # pragma: no cover - guarded by the Literal and the spec
        raise ValidationError(f"unknown below_detection rule {rule!r}")
    notes.append(f"{path.name}: {n} below-detection value(s) in {col!r} replaced by rule {rule!r}")
    return out


def _check_intervals(
    df: pd.DataFrame,
    path: Path,
    cols: ColumnMap,
    lengths: pd.Series | None,
    tol: float,
    overlaps: OverlapRule = "error",
) -> None:
    """Reversed, overlapping and too-deep intervals; ``df`` still has file line index."""
    rev = df["to"] <= df["from"]
    if rev.any():
        line = int(rev.idxmax())
        raise InputFileError(
            str(path),
            f"reversed or empty interval: from {df.at[line, 'from']:g} to {df.at[line, 'to']:g}",
            line=line,
            column=cols.to,
        )
    ov = find_overlaps(df.assign(line=df.index.to_numpy()))
    if overlaps == "error" and not ov.empty:
        r = ov.iloc[0]
        raise InputFileError(
            str(path),
            f"interval from {r['from']:g} overlaps the interval on line {int(r['other_line'])} of "
            f"hole {r['hole']!r} (which ends at {r['other_to']:g}); choose an overlap rule "
            "(drillholes.overlaps: first, last, longest or average)",
            line=int(r["line"]),
            column=cols.from_,
        )
    if lengths is not None:
        lim = df["hole"].map(lengths)
        beyond = df["to"] > lim + tol
        if beyond.any():
            line = int(beyond.idxmax())
            raise InputFileError(
                str(path),
                f"interval ends at {df.at[line, 'to']:g}, beyond the length {lim[line]:g} "
                f"of hole {df.at[line, 'hole']!r}",
                line=line,
                column=cols.to,
            )


def _check_holes(df: pd.DataFrame, path: Path, col: str, known: set[str]) -> None:
    missing = ~df["hole"].isin(known)
    if missing.any():
        line = int(missing.idxmax())
        raise InputFileError(
            str(path), f"hole {df.at[line, 'hole']!r} has no collar", line=line, column=col
        )


def read_drillholes(
    collar: str | Path,
    survey: str | Path | None = None,
    intervals: Mapping[str, str | Path] | None = None,
    columns: ColumnMap | None = None,
    units: Literal["m", "ft"] = "m",
    below_detection: BelowDetection = "half",
    length_tolerance: float = 0.0,
    table_columns: Mapping[str, ColumnMap] | None = None,
    overlaps: OverlapRule = "error",
    column_rules: Mapping[str, BelowDetection] | None = None,
) -> Drillholes:
    """Read and validate collar, survey and interval CSV files.

    Parameters
    ----------
    collar : path
        Collar CSV (one row per hole).
    survey : path, optional
        Survey CSV; without it every hole is vertical.
    intervals : mapping of str to path, optional
        Interval tables by name, e.g. ``{"assay": "assay.csv", "litho": "litho.csv"}``.
        Every column other than hole/from/to is kept; numeric columns are parsed
        as numbers (blank = not assayed) and the below-detection rule applied.
    columns : ColumnMap, optional
        Column names and dip convention.
    units : {"m", "ft"}
        Length unit of coordinates and depths in the files; feet become metres.
    below_detection : {"half", "zero", "nan", "error"}
        Rule for negative values in numeric interval columns (see module docstring).
    length_tolerance : float
        How far an interval or survey station may pass the collar ``length``
        before it is an error. [same unit as the files]
    table_columns : mapping of str to ColumnMap, optional
        Column map of one file (``collar``, ``survey`` or an interval table's
        name) where it differs from ``columns``.
    overlaps : {"error", "first", "last", "longest", "average"}
        Rule for overlapping intervals (:mod:`critmin.geostats.intervals`);
        each table it changes is kept as read in :attr:`Drillholes.raw`.
    column_rules : mapping of str to rule, optional
        Below-detection rule of one value column, where it differs from
        ``below_detection``.

    Returns
    -------
    Drillholes
        Tables in canonical column names and metres.

    Raises
    ------
    InputFileError
        Missing file or column, non-numeric value, duplicate collar, hole without
        collar, reversed or overlapping interval, interval beyond the hole length,
        below-detection value when the rule is ``"error"``; the message names the
        file, the 1-based line (header = line 1) and the column.
    """
    base_cols = columns or ColumnMap.model_validate({})
    per = dict(table_columns or {})
    cols = per.get("collar", base_cols)
    if units not in ("m", "ft"):
        raise ValidationError(f"units must be 'm' or 'ft', not {units!r}")
    if below_detection not in ("half", "zero", "nan", "error"):
        raise ValidationError(f"unknown below_detection rule {below_detection!r}")
    k = FEET_TO_METRES if units == "ft" else 1.0
    notes: list[str] = []
    sources: dict[str, str] = {}

    cpath = Path(collar)
    c = _read_csv(cpath)
    need = [cols.hole, cols.x, cols.y, cols.z] + ([cols.length] if cols.length else [])
    _require(c, cpath, need)
    c["hole"] = c[cols.hole].str.strip()
    empty = c["hole"] == ""
    if empty.any():
        raise InputFileError(
            str(cpath), "empty hole id", line=int(empty.idxmax()), column=cols.hole
        )
    dup = c["hole"].duplicated()
    if dup.any():
        line = int(dup.idxmax())
        first = int(c.index[c["hole"] == c.at[line, "hole"]][0])
        raise InputFileError(
            str(cpath),
            f"duplicate hole id {c.at[line, 'hole']!r} (first on line {first})",
            line=line,
            column=cols.hole,
        )
    out_c = pd.DataFrame({"hole": c["hole"]})
    for src, dst in ((cols.x, "x"), (cols.y, "y"), (cols.z, "z")):
        out_c[dst] = _numeric(c, cpath, src) * k
    lengths: pd.Series | None = None
    if cols.length:
        out_c["length"] = _numeric(c, cpath, cols.length) * k
        lengths = out_c.set_index("hole")["length"]
    sources["collar"] = str(cpath)
    known = set(out_c["hole"])
    tol = length_tolerance * k

    if survey is not None:
        cols = per.get("survey", base_cols)
        spath = Path(survey)
        s = _read_csv(spath)
        _require(s, spath, [cols.hole, cols.at, cols.azimuth, cols.dip])
        s["hole"] = s[cols.hole].str.strip()
        _check_holes(s, spath, cols.hole, known)
        out_s = pd.DataFrame({"hole": s["hole"]})
        out_s["at"] = _numeric(s, spath, cols.at) * k
        out_s["azimuth"] = _numeric(s, spath, cols.azimuth) % 360.0
        dip = _numeric(s, spath, cols.dip)
        out_s["dip"] = dip if cols.dip_positive_down else -dip
        bad = (out_s["dip"] < -90.001) | (out_s["dip"] > 90.001)
        if bad.any():
            line = int(bad.idxmax())
            raise InputFileError(
                str(spath), f"dip {dip[line]:g} outside [-90, 90]", line=line, column=cols.dip
            )
        out_s["dip"] = out_s["dip"].clip(-90.0, 90.0)
        neg = out_s["at"] < 0
        if neg.any():
            raise InputFileError(
                str(spath), "negative survey depth", line=int(neg.idxmax()), column=cols.at
            )
        dupd = out_s.duplicated(["hole", "at"])
        if dupd.any():
            line = int(dupd.idxmax())
            raise InputFileError(
                str(spath),
                f"duplicate survey station at {out_s.at[line, 'at']:g} in hole {out_s.at[line, 'hole']!r}",
                line=line,
                column=cols.at,
            )
        if lengths is not None:
            lim = out_s["hole"].map(lengths)
            beyond = out_s["at"] > lim + tol
            if beyond.any():
                line = int(beyond.idxmax())
                raise InputFileError(
                    str(spath),
                    f"survey station at {out_s.at[line, 'at']:g} beyond the hole length {lim[line]:g}",
                    line=line,
                    column=cols.at,
                )
        sources["survey"] = str(spath)
        out_s = out_s.sort_values(["hole", "at"], kind="stable").reset_index(drop=True)
    else:
        out_s = pd.DataFrame(
            {
                "hole": out_c["hole"].to_numpy(),
                "at": 0.0,
                "azimuth": 0.0,
                "dip": 90.0,
            }
        )
        notes.append("no survey file: every hole taken as vertical")
    if survey is not None:
        unsurveyed = sorted(known - set(out_s["hole"]))
        if unsurveyed:
            notes.append(
                f"{len(unsurveyed)} hole(s) without survey taken as vertical "
                f"(assumption): {', '.join(unsurveyed[:5])}"
                + (" ..." if len(unsurveyed) > 5 else "")
            )

    tables: dict[str, pd.DataFrame] = {}
    raw_tables: dict[str, pd.DataFrame] = {}
    for name, p in (intervals or {}).items():
        cols = per.get(name, base_cols)
        ipath = Path(p)
        t = _read_csv(ipath)
        _require(t, ipath, [cols.hole, cols.from_, cols.to])
        t["hole"] = t[cols.hole].str.strip()
        _check_holes(t, ipath, cols.hole, known)
        out_t = pd.DataFrame({"hole": t["hole"]})
        out_t["from"] = _numeric(t, ipath, cols.from_) * k
        out_t["to"] = _numeric(t, ipath, cols.to) * k
        _check_intervals(out_t, ipath, cols, lengths, tol, overlaps)
        for col in t.columns:
            if col in (cols.hole, cols.from_, cols.to, "hole"):
                continue
            raw, counts = assay_codes(t[col].str.strip())
            num = pd.to_numeric(raw, errors="coerce")
            filled = raw != ""
            if num.notna().any() and num[filled].notna().mean() >= 0.5:
                # a numeric column: any text left in it is an error, never silently NaN
                notes.extend(code_notes(ipath.name, col, counts))
                num = _numeric(t.assign(**{col: raw}), ipath, col, required=False)
                rule = (column_rules or {}).get(col, below_detection)
                out_t[col] = _apply_below_detection(num.astype(float), ipath, col, rule, notes)
            else:
                out_t[col] = raw.replace("", np.nan)
        out_t["line"] = out_t.index.to_numpy()
        out_t = out_t.sort_values(["hole", "from"], kind="stable").reset_index(drop=True)
        if overlaps != "error":
            numeric = [c for c in out_t.columns if c not in ("hole", "from", "to", "line")]
            numeric = [c for c in numeric if pd.api.types.is_float_dtype(out_t[c])]
            resolved, ov = resolve_overlaps(out_t, overlaps, numeric)
            if not ov.empty:
                raw_tables[name] = out_t
                notes.append(
                    f"{ipath.name}: {len(ov)} overlapping interval(s) in {ov['hole'].nunique()} "
                    f"hole(s) resolved by rule {overlaps!r}"
                )
                out_t = resolved
        tables[name] = out_t
        sources[name] = str(ipath)

    return Drillholes(
        collar=out_c.reset_index(drop=True),
        survey=out_s,
        tables=tables,
        units=units,
        notes=notes,
        sources=sources,
        raw=raw_tables,
    )
