"""From the spec's files to composites per grade, with the interval steps of the ledger.

read -> overlaps (validate) -> desurvey -> domain -> composite -> top-cut ->
declustering, each step's holes, intervals, metres and grade x length written
to a :class:`~critmin.geostats.ledger.Ledger` (see that module for the balance).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from critmin.errors import ValidationError
from critmin.geostats.composite import assign_domain, cell_declustering, composite, top_cut
from critmin.geostats.desurvey import desurvey_table
from critmin.geostats.drillholes import Drillholes, read_drillholes
from critmin.geostats.ledger import Ledger, interval_figures
from critmin.geostats.spec import EstimationSpec, GradeSpec

__all__ = [
    "build_composites",
    "cache_key",
    "composite_all",
    "grade_composites",
    "load_drillholes",
    "surface_points",
]


def load_drillholes(spec: EstimationSpec) -> Drillholes:
    """Read the spec's drillhole files (column maps, overlap and below-detection rules)."""
    d = spec.drillholes
    tables = {"assay": spec.path(d.assay), **{k: spec.path(v) for k, v in d.tables.items()}}
    rules = {g.column: g.below_detection for g, _, _ in spec.grade_list() if g.below_detection}
    return read_drillholes(
        spec.path(d.collar),
        spec.path(d.survey) if d.survey else None,
        tables,
        columns=d.columns,
        units=d.units,
        below_detection=d.below_detection,
        length_tolerance=d.length_tolerance,
        table_columns=d.column_maps(),
        overlaps=d.overlaps,
        column_rules=rules,
    )


def _diff(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: a[k] - b[k] for k in ("metres", "grade_x_length")}


def composite_all(
    spec: EstimationSpec, dh: Drillholes, ledger: Ledger | None = None
) -> pd.DataFrame:
    """Composites of every grade column (one table), desurveyed.

    Assays outside the domains are left out (counted in the ledger); a hole
    whose composites lie above its collar is an error unless
    ``drillholes.upward_holes`` is set (a reversed dip convention otherwise).

    Returns
    -------
    pandas.DataFrame
        ``hole, from, to, length, [domain], <grade columns>, coverage_<column>,
        gxl_<column>``, positions ``x, y, z`` (mid-point) and ``xb..ze``. [m]
    """
    cols = [g.column for g, _, _ in spec.grade_list()]
    assay = dh.table("assay")
    missing = [c for c in cols if c not in assay]
    if missing:
        raise ValidationError(f"assay table has no grade column(s) {', '.join(missing)}")
    lg = ledger if ledger is not None else Ledger()
    raw = dh.raw.get("assay", assay)
    for c in cols:
        f_raw = interval_figures(raw, c)
        lg.intervals(c, "read", f_raw, f_raw, [], reason_in=Path(dh.sources.get("assay", "")).name)
        f_ok = interval_figures(assay, c)
        rem = []
        if "assay" in dh.raw:
            rem = [(f"overlaps resolved by rule {spec.drillholes.overlaps!r} "
                    "(metres counted once; the winning values kept)", _diff(f_raw, f_ok))]  # fmt: skip
        lg.intervals(c, "validate", f_raw, f_ok, rem)
    surveyed = set(dh.survey["hole"])
    vertical = [h for h in dh.holes if h not in surveyed]
    if vertical or not dh.sources.get("survey"):
        n = len(vertical) if dh.sources.get("survey") else len(dh.holes)
        sel = assay[assay["hole"].isin(vertical)] if dh.sources.get("survey") else assay
        for c in cols:
            lg.note(c, "desurvey", f"{n} hole(s) without survey taken as vertical (assumption)",
                    **interval_figures(sel, c))  # fmt: skip
    dom_col = None
    if spec.domain is not None:
        codes = dh.table(spec.domain.table)
        assay = assay.copy()
        assay["_domain"] = assign_domain(assay, codes, spec.domain.column)
        none = assay["_domain"].isna()
        other = ~none & (
            ~assay["_domain"].isin(spec.domain.codes) if spec.domain.codes is not None else False
        )
        for c in cols:
            lg.intervals(
                c, "domain", interval_figures(assay, c), interval_figures(assay[~none & ~other], c),
                [(f"no {spec.domain.table} interval covers it", interval_figures(assay[none], c)),
                 ("domain code not among domain.codes", interval_figures(assay[other], c))],
            )  # fmt: skip
        assay = assay[~none & ~other]
        dom_col = "_domain"
    c_spec = spec.composite
    comps = composite(assay, c_spec.length, cols, domain=dom_col,
                      residual=c_spec.residual, min_coverage=c_spec.min_coverage)  # fmt: skip
    for c in cols:
        cov = comps[f"coverage_{c}"].fillna(0.0) * comps["length"]
        comps[f"gxl_{c}"] = np.where(comps[c].notna(), comps[c] * cov, np.nan)
        f_in = interval_figures(assay, c)
        has = assay[c].notna()
        unassayed = interval_figures(assay[~has], c)
        out = interval_figures(comps[comps[c].notna()], c, coverage=f"coverage_{c}")
        low = comps[comps[c].isna() & (comps[f"coverage_{c}"] > 0)]
        # the assayed metres and grade x length of composites below min_coverage
        low_f = _low_coverage(assay[has], low, c)
        rest = {k: f_in[k] - unassayed[k] - out[k] - low_f[k] for k in ("metres", "grade_x_length")}
        rem = [(f"not assayed for {c}: no weight in composites", unassayed),
               (f"composite assayed below min_coverage {c_spec.min_coverage:g}", low_f)]  # fmt: skip
        if c_spec.residual == "drop":
            rem.append(("residual rule 'drop': bottom of each run left out", rest))
        elif abs(rest["metres"]) > 1e-6 * max(1.0, f_in["metres"]):
            rem.append(("unexplained (report this)", rest))
        lg.intervals(c, "composite", f_in, out, rem)
    comps = comps[comps[cols].notna().any(axis=1)].reset_index(drop=True)
    if comps.empty:
        raise ValidationError("no composites with a grade")
    comps = desurvey_table(dh, comps)
    top = dh.collar.set_index("hole")["z"]
    rise = comps[["zb", "ze"]].max(axis=1) - comps["hole"].map(top)
    up = rise > 1e-6
    if up.any() and not spec.drillholes.upward_holes:
        h = comps.loc[up.idxmax(), "hole"]
        raise ValidationError(
            f"{int(comps.loc[up, 'hole'].nunique())} hole(s) have composites above the collar "
            f"(hole {h!r}: up to {rise[comps['hole'] == h].max():.1f} m): check "
            "drillholes.dip_positive_down, or set drillholes.upward_holes"
        )
    return comps


def _low_coverage(assay: pd.DataFrame, low: pd.DataFrame, c: str) -> dict[str, float]:
    """Assayed metres and grade x length inside the composites that got no grade."""
    if low.empty:
        return {"holes": 0.0, "intervals": 0.0, "metres": 0.0, "grade_x_length": 0.0}
    m = 0.0
    gl = 0.0
    by_hole = {h: g for h, g in assay.groupby("hole", sort=False)}
    for h, g in low.groupby("hole", sort=False):
        a = by_hole.get(h)
        if a is None:
            continue
        ov = np.clip(
            np.minimum(g["to"].to_numpy()[:, None], a["to"].to_numpy()[None, :])
            - np.maximum(g["from"].to_numpy()[:, None], a["from"].to_numpy()[None, :]),
            0.0,
            None,
        ).sum(axis=0)
        m += float(ov.sum())
        gl += float(np.sum(ov * a[c].to_numpy(dtype=float)))
    return {
        "holes": float(low["hole"].nunique()),
        "intervals": float(len(low)),
        "metres": m,
        "grade_x_length": gl,
    }


def grade_composites(
    spec: EstimationSpec,
    comps_all: pd.DataFrame,
    grade: GradeSpec,
    cap: float | None,
    ledger: Ledger | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Composites of one grade: ``grade`` (top-cut) and ``weight`` (declustering, mean 1)."""
    notes: list[str] = []
    col = grade.column
    comps = comps_all[comps_all[col].notna()].reset_index(drop=True)
    cov = f"coverage_{col}"
    f_in = interval_figures(comps, col, coverage=cov)
    if cap is not None:
        capped, info = top_cut(comps[col].to_numpy(), cap, comps["length"].to_numpy())
        comps["grade"] = capped
        notes.append(
            f"top-cut of {col} at {cap:g} {grade.unit}: {int(info['n_cut'])} composite(s) capped, "
            f"{100 * info['metal_removed']:.1f} % of grade x length removed"
        )
    else:
        comps["grade"] = comps[col]
    f_out = interval_figures(comps, "grade", coverage=cov)
    if ledger is not None:
        cut = {"metres": 0.0, "grade_x_length": f_in["grade_x_length"] - f_out["grade_x_length"]}
        rem = [(f"capped at {cap:g} {grade.unit}", cut)] if cap is not None else []
        ledger.intervals(col, "top-cut", f_in, f_out, rem)
    if spec.declustering is not None:
        sizes = np.asarray(spec.declustering.cell_sizes, dtype=float)
        w, table = cell_declustering(
            comps[["x", "y", "z"]].to_numpy(), comps["grade"].to_numpy(), sizes,
            anisotropy=spec.declustering.anisotropy, n_offsets=spec.declustering.n_offsets,
        )  # fmt: skip
        comps["weight"] = w
        best = table[table["chosen"]].iloc[0]
        notes.append(
            f"cell declustering of {col}: cell {best['cell_size']:g} m, declustered mean "
            f"{best['declustered_mean']:.4g} {grade.unit} (naive {comps['grade'].mean():.4g})"
        )
        if len(sizes) > 1 and best["cell_size"] in (sizes.min(), sizes.max()):
            msg = (f"declustering of {col}: the chosen cell {best['cell_size']:g} m is at the edge of "
                   "the sizes tried, so the minimum was not bracketed; try a wider range")  # fmt: skip
            notes.append(msg)
            if ledger is not None:
                ledger.note(col, "top-cut", msg)
    else:
        comps["weight"] = 1.0
    return comps, notes


def build_composites(spec: EstimationSpec, dh: Drillholes) -> tuple[pd.DataFrame, list[str]]:
    """Composites of the spec's primary grade, top-cut (``grade``) and declustered (``weight``).

    Returns
    -------
    composites : pandas.DataFrame
        ``hole, from, to, length, [domain], <grade columns>, coverage, x, y, z...``,
        plus ``grade`` (top-cut) and ``weight`` (declustering, mean 1).
    notes : list of str
        What was done (top-cut, declustering).
    """
    comps = composite_all(spec, dh)
    return grade_composites(spec, comps, spec.grade, spec.top_cut)


def surface_points(spec: EstimationSpec, dh: Drillholes) -> np.ndarray | None:
    """Points of the surface above which blocks are dropped: the topography file's
    vertices, else the collars (``below_collars``), else none. [m]"""
    b = spec.block_model
    if b.topography is not None:
        from critmin.geostats.wireframe import read_mesh

        tri = read_mesh(spec.path(b.topography), scale=b.topography_scale)
        return np.unique(tri.reshape(-1, 3), axis=0)
    if b.below_collars:
        return dh.collar[["x", "y", "z"]].to_numpy()
    return None


def cache_key(sp: EstimationSpec) -> str:
    """Hash of everything the kriged blocks depend on (not classification nor report)."""
    import hashlib
    import json

    from critmin import __version__

    d = sp.model_dump(mode="json", exclude={"classification", "report", "exploration", "output"})
    files = [sp.drillholes.collar, sp.drillholes.assay, *sp.drillholes.tables.values()]
    extra = (sp.drillholes.survey, sp.block_model.wireframe, sp.block_model.topography)
    files += [p for p in extra if p is not None]
    stats = []
    for f in files:
        st = sp.path(f).stat()
        stats.append([str(sp.path(f).resolve()), st.st_size, st.st_mtime_ns])
    text = json.dumps([d, stats, __version__], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
