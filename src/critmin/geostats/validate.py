"""Validation of a whole drillhole database in one pass: every issue, not the first.

:func:`validate_spec` reads the collar, survey and interval files of an
estimation spec with each file's own column map and lists every issue found,
one row each: ``file, line, hole, issue, severity, rule``. ``rule`` says what
the estimation run does about it (the spec's overlap rule, the vertical
assumption...), or ``stops the run`` for an error.

Severities
----------
``error``
    the run cannot go on (or would give a wrong answer): unreadable values,
    duplicate collars, holes without collar, reversed intervals, overlaps with
    no rule chosen, intervals beyond the hole length, holes pointing upward
    (every composite above its collar: a reversed dip convention) unless the
    spec allows upward holes, a grade or domain column that is not there.
``warning``
    the run goes on under a stated rule that changes the data: overlaps
    resolved by a rule, holes without survey taken as vertical, surveys with
    no station at 0 m, assays outside every domain interval (left out).
``info``
    facts the ledger reports: gaps between intervals (not sampled),
    below-detection values replaced.

``critmin deposit validate`` exits with 0 when there is nothing above
``info``, 1 with warnings and 2 with errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import InputFileError
from critmin.geostats.drillholes import (
    FEET_TO_METRES,
    ColumnMap,
    Drillholes,
    _read_csv,
    assay_codes,
    code_notes,
)
from critmin.geostats.intervals import find_gaps, find_overlaps
from critmin.geostats.spec import EstimationSpec

__all__ = ["SEVERITY_EXIT", "exit_status", "validate_spec"]

SEVERITY_EXIT = {"info": 0, "warning": 1, "error": 2}
COLUMNS = ["file", "line", "hole", "issue", "severity", "rule"]
STOP = "stops the run"
_OVERLAP_RULES = {
    "first": "overlaps: the interval listed first wins",
    "last": "overlaps: the interval listed last (re-assay) wins",
    "longest": "overlaps: the longest interval wins",
    "average": "overlaps: values averaged over the overlapped metres",
}


class _Issues:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self, file: Path, line: int | None, hole: str | None, issue: str, sev: str, rule: str
    ) -> None:
        self.rows.append(
            {
                "file": file.name,
                "line": line,
                "hole": hole,
                "issue": issue,
                "severity": sev,
                "rule": rule,
            }
        )

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=COLUMNS)
        df["line"] = df["line"].astype("Int64")
        return df


def _read(path: Path, need: list[str], out: _Issues) -> pd.DataFrame | None:
    try:
        df = _read_csv(path)
    except InputFileError as exc:
        out.add(path, None, None, str(exc).split(": ", 1)[-1], "error", STOP)
        return None
    missing = [c for c in need if c not in df.columns]
    if missing:
        out.add(
            path,
            1,
            None,
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(df.columns)}",
            "error",
            STOP + " (set this file's names under drillholes.table_columns)",
        )
        return None
    return df


def _numbers(
    df: pd.DataFrame, path: Path, col: str, hole: pd.Series, out: _Issues, required: bool = True
) -> pd.Series:
    raw = df[col].str.strip()
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() & ((raw != "") | required)
    for line in df.index[bad.to_numpy()]:
        v = raw[line]
        what = f"not a number in {col}: {v!r}" if v else f"empty {col}"
        out.add(path, int(line), hole[line], what, "error", STOP)
    return num.astype(float)


def _collar(spec: EstimationSpec, cols: ColumnMap, k: float, out: _Issues) -> pd.DataFrame | None:
    path = spec.path(spec.drillholes.collar)
    need = [cols.hole, cols.x, cols.y, cols.z] + ([cols.length] if cols.length else [])
    c = _read(path, need, out)
    if c is None:
        return None
    hole = c[cols.hole].str.strip()
    for line in c.index[(hole == "").to_numpy()]:
        out.add(path, int(line), None, "empty hole id", "error", STOP)
    dup = hole.duplicated() & (hole != "")
    for line in c.index[dup.to_numpy()]:
        first = int(c.index[(hole == hole[line]).to_numpy()][0])
        out.add(
            path, int(line), hole[line], f"duplicate hole id (first on line {first})", "error", STOP
        )
    res = pd.DataFrame({"hole": hole})
    for src, dst in ((cols.x, "x"), (cols.y, "y"), (cols.z, "z")):
        res[dst] = _numbers(c, path, src, hole, out) * k
    if cols.length:
        res["length"] = _numbers(c, path, cols.length, hole, out) * k
    return res[(hole != "").to_numpy() & ~dup.to_numpy()]


def _survey(
    spec: EstimationSpec, cols: ColumnMap, k: float, collar: pd.DataFrame, out: _Issues
) -> pd.DataFrame | None:
    d = spec.drillholes
    cpath = spec.path(d.collar)
    if d.survey is None:
        out.add(
            cpath,
            None,
            None,
            "no survey file",
            "warning",
            "every hole taken as vertical (assumption)",
        )
        return None
    path = spec.path(d.survey)
    s = _read(path, [cols.hole, cols.at, cols.azimuth, cols.dip], out)
    if s is None:
        return None
    hole = s[cols.hole].str.strip()
    known = set(collar["hole"])
    for line in s.index[~hole.isin(known).to_numpy()]:
        out.add(path, int(line), hole[line], "survey of a hole with no collar", "error", STOP)
    res = pd.DataFrame({"hole": hole, "line": s.index.to_numpy()})
    res["at"] = _numbers(s, path, cols.at, hole, out) * k
    res["azimuth"] = _numbers(s, path, cols.azimuth, hole, out) % 360.0
    dip = _numbers(s, path, cols.dip, hole, out)
    res["dip"] = dip if d.dip_positive_down else -dip
    for line in s.index[((dip < -90.001) | (dip > 90.001)).to_numpy()]:
        out.add(path, int(line), hole[line], f"dip {dip[line]:g} outside [-90, 90]", "error", STOP)
    for line in s.index[(res["at"] < 0).to_numpy()]:
        out.add(path, int(line), hole[line], "negative survey depth", "error", STOP)
    dup = res.duplicated(["hole", "at"]) & res["at"].notna()
    for line in s.index[dup.to_numpy()]:
        out.add(
            path,
            int(line),
            hole[line],
            f"duplicate station at {res.at[line, 'at']:g} m",
            "error",
            STOP,
        )
    if "length" in collar:
        lim = res["hole"].map(collar.set_index("hole")["length"])
        tol = d.length_tolerance * k
        for line in s.index[(res["at"] > lim + tol).to_numpy()]:
            out.add(
                path, int(line), hole[line],
                f"station at {res.at[line, 'at']:g} m beyond the hole length {lim[line]:g} m",
                "error", STOP,
            )  # fmt: skip
    res = res[res["hole"].isin(known) & res[["at", "azimuth", "dip"]].notna().all(axis=1) & ~dup]
    first = res.sort_values("at").groupby("hole").first()
    for h, r in first[first["at"] > 1e-9].iterrows():
        out.add(
            path, int(r["line"]), str(h),
            f"no station at 0 m (first at {r['at']:g} m)",
            "warning", "the first station's direction is extended up to the collar",
        )  # fmt: skip
    for h in collar["hole"][~collar["hole"].isin(set(res["hole"]))]:
        out.add(cpath, None, h, "hole without survey", "warning", "taken as vertical (assumption)")
    return res.sort_values(["hole", "at"], kind="stable").reset_index(drop=True)


def _dip_check(
    spec: EstimationSpec, collar: pd.DataFrame, survey: pd.DataFrame | None,
    depth: pd.Series, out: _Issues,
) -> None:  # fmt: skip
    """Holes whose deepest interval lies above the collar (reversed dip convention)."""
    from critmin.geostats.desurvey import desurvey

    if survey is None or depth.empty:
        return
    dh = Drillholes(collar=collar.reset_index(drop=True), survey=survey)
    holes = depth.index.to_numpy().astype(str)
    pts = desurvey(dh, holes, depth.to_numpy(dtype=float))
    rise = pts[:, 2] - collar.set_index("hole").loc[holes, "z"].to_numpy()
    up = rise > 1e-6
    path = spec.path(spec.drillholes.survey or spec.drillholes.collar)
    d = spec.drillholes
    sev, rule = (
        ("info", "upward holes allowed (drillholes.upward_holes)")
        if d.upward_holes
        else ("error", STOP + " (check drillholes.dip_positive_down)")
    )
    for h, r in zip(holes[up], rise[up], strict=True):
        out.add(
            path, None, str(h),
            f"hole points upward: intervals up to {r:.1f} m above the collar "
            f"(dip_positive_down={d.dip_positive_down})",
            sev, rule,
        )  # fmt: skip
    if up.mean() > 0.5 and not d.upward_holes:
        out.add(
            path, None, None,
            f"{int(up.sum())} of {len(up)} holes point upward: the dip convention looks reversed "
            f"(dip_positive_down is {d.dip_positive_down})",
            "error", STOP,
        )  # fmt: skip


def _intervals(
    spec: EstimationSpec, name: str, path: Path, cols: ColumnMap, k: float,
    collar: pd.DataFrame, out: _Issues,
) -> pd.DataFrame | None:  # fmt: skip
    d = spec.drillholes
    t = _read(path, [cols.hole, cols.from_, cols.to], out)
    if t is None:
        return None
    hole = t[cols.hole].str.strip()
    known = set(collar["hole"])
    for line in t.index[~hole.isin(known).to_numpy()]:
        out.add(path, int(line), hole[line], "interval of a hole with no collar", "error", STOP)
    res = pd.DataFrame({"hole": hole, "line": t.index.to_numpy()})
    res["from"] = _numbers(t, path, cols.from_, hole, out) * k
    res["to"] = _numbers(t, path, cols.to, hole, out) * k
    rev = res["to"] <= res["from"]
    for line in t.index[rev.to_numpy()]:
        out.add(
            path, int(line), hole[line],
            f"reversed or empty interval {res.at[line, 'from']:g}-{res.at[line, 'to']:g} m",
            "error", STOP,
        )  # fmt: skip
    if "length" in collar:
        lim = res["hole"].map(collar.set_index("hole")["length"])
        for line in t.index[(res["to"] > lim + d.length_tolerance * k).to_numpy()]:
            out.add(
                path, int(line), hole[line],
                f"interval ends at {res.at[line, 'to']:g} m, beyond the hole length {lim[line]:g} m",
                "error", STOP,
            )  # fmt: skip
    for col in t.columns:
        if col in (cols.hole, cols.from_, cols.to):
            continue
        raw, masks = assay_codes(t[col].str.strip())
        num = pd.to_numeric(raw, errors="coerce")
        filled = raw != ""
        if not (num.notna().any() and num[filled].notna().mean() >= 0.5):
            res[col] = t[col].str.strip().replace("", np.nan)
            continue
        for kind in ("over_limit", "not_assayed"):  # below detection is reported below
            m = masks[kind]
            if m.any():
                out.add(
                    path, int(t.index[m.to_numpy()][0]), None,
                    code_notes(path.name, col, {kind: m})[0].split(": ", 1)[1] + " (first on this line)",
                    "info", "not assayed: left out of composite weights"
                    if kind == "not_assayed" else "taken at the limit",
                )  # fmt: skip
        res[col] = _numbers(t.assign(**{col: raw}), path, col, hole, out, required=False)
        neg = res[col] < 0
        if neg.any():
            if d.below_detection == "error":
                for line in t.index[neg.to_numpy()]:
                    out.add(
                        path,
                        int(line),
                        hole[line],
                        f"below-detection value in {col}",
                        "error",
                        STOP,
                    )
            else:
                out.add(
                    path, int(t.index[neg.to_numpy()][0]), None,
                    f"{int(neg.sum())} below-detection value(s) in {col} (first on this line)",
                    "info", f"below_detection: {d.below_detection}",
                )  # fmt: skip
    ok = res["hole"].isin(known) & res[["from", "to"]].notna().all(axis=1) & ~rev
    res = res[ok]
    for r in find_overlaps(res).itertuples(index=False):
        sev, rule = ("error", STOP + " (choose drillholes.overlaps)")
        if d.overlaps != "error":
            sev, rule = "warning", _OVERLAP_RULES[d.overlaps]
        out.add(
            path, int(r.line), str(r.hole),
            f"interval {r[2]:g}-{r.to:g} m overlaps line {int(r.other_line)} (to {r.other_to:g} m)",
            sev, rule,
        )  # fmt: skip
    for r in find_gaps(res).itertuples(index=False):
        out.add(
            path, int(r.line), str(r.hole), f"gap {r[2]:g}-{r.to:g} m ({r.length:g} m) before this interval",
            "info", "not sampled: no value, left out of composite weights",
        )  # fmt: skip
    return res


def validate_spec(spec: EstimationSpec) -> pd.DataFrame:
    """Every issue of a spec's drillhole database.

    Parameters
    ----------
    spec : EstimationSpec
        The spec (its files, column maps and rules).

    Returns
    -------
    pandas.DataFrame
        ``file, line, hole, issue, severity, rule``; ``line`` is the 1-based
        line in the file (header = 1), null for a whole-file or whole-hole issue.
    """
    d = spec.drillholes
    out = _Issues()
    k = FEET_TO_METRES if d.units == "ft" else 1.0
    maps = d.column_maps()
    base = d.columns

    collar = _collar(spec, maps.get("collar", base), k, out)
    if collar is None:
        return out.frame()
    survey = _survey(spec, maps.get("survey", base), k, collar, out)
    files = {"assay": d.assay, **d.tables}
    tabs: dict[str, pd.DataFrame] = {}
    for name, p in files.items():
        r = _intervals(spec, name, spec.path(p), maps.get(name, base), k, collar, out)
        if r is not None:
            tabs[name] = r
    apath = spec.path(d.assay)
    if "assay" in tabs and spec.grade.column not in tabs["assay"]:
        out.add(apath, 1, None, f"no grade column {spec.grade.column}", "error", STOP)
    depth = pd.concat([t.groupby("hole")["to"].max() for t in tabs.values()] or [pd.Series()])
    depth = depth.groupby(level=0).max() if len(depth) else depth
    valid_collar = collar.dropna(subset=["x", "y", "z"])
    depth = depth[depth.index.isin(set(valid_collar["hole"]))]
    _dip_check(spec, valid_collar, survey, depth, out)
    if spec.domain is not None and "assay" in tabs:
        _domain_check(spec, tabs, out)
    return out.frame()


def _domain_check(spec: EstimationSpec, tabs: dict[str, pd.DataFrame], out: _Issues) -> None:
    from critmin.geostats.composite import assign_domain

    dom = spec.domain
    assert dom is not None
    if dom.table not in tabs:
        out.add(spec.path(spec.drillholes.collar), None, None,
                f"no domain table {dom.table!r}", "error", STOP)  # fmt: skip
        return
    codes = tabs[dom.table]
    path = spec.path(spec.drillholes.tables.get(dom.table, spec.drillholes.assay))
    if dom.column not in codes:
        out.add(path, 1, None, f"no domain column {dom.column}", "error", STOP)
        return
    assay = tabs["assay"]
    code = assign_domain(assay, codes, dom.column)
    outside = code.isna()
    if dom.codes is not None:
        outside |= ~code.isin(dom.codes)
    apath = spec.path(spec.drillholes.assay)
    for r, c in zip(assay[outside.to_numpy()].itertuples(index=False), code[outside], strict=True):
        what = "no domain interval covers it" if pd.isna(c) else f"domain {c} not estimated"
        out.add(apath, int(r.line), str(r.hole), f"assay {r[2]:g}-{r.to:g} m: {what}",
                "warning", "left out of the estimate (counted in the ledger)")  # fmt: skip


def exit_status(issues: pd.DataFrame) -> int:
    """0 with nothing above info, 1 with warnings, 2 with errors."""
    if issues.empty:
        return 0
    return max(SEVERITY_EXIT[s] for s in issues["severity"])
