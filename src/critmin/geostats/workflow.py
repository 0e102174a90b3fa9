"""The appraisal workflow driven by an :class:`~critmin.geostats.spec.EstimationSpec`.

drillholes -> domains -> composites -> desurvey -> top-cut -> declustering ->
variogram -> block model -> ordinary kriging (chunked, optionally on Dask) ->
classification -> grade-tonnage and resource table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin._parallel import map_chunks
from critmin.errors import ValidationError
from critmin.geostats.blockmodel import BlockModel, below_surface, block_density, nearest_domain
from critmin.geostats.classify import ClassCriteria, ClassificationRule, classify
from critmin.geostats.composite import assign_domain, cell_declustering, composite, top_cut
from critmin.geostats.desurvey import desurvey_table
from critmin.geostats.drillholes import Drillholes, read_drillholes
from critmin.geostats.kriging import Search, cross_validate, ordinary_kriging
from critmin.geostats.report import grade_tonnage, resource_report
from critmin.geostats.spec import EstimationSpec, load_spec
from critmin.geostats.stats import best_intercepts, grade_summary, hit_rate
from critmin.geostats.variogram import (
    Structure,
    VariogramModel,
    experimental_variogram,
    fit_variogram,
)

__all__ = [
    "Appraisal",
    "build_block_model",
    "build_composites",
    "estimate_blocks",
    "exploration_stats",
    "load_drillholes",
    "run_spec",
    "searches_for",
    "swath",
    "variogram_for",
]


def _spec(spec: EstimationSpec | str | Path) -> EstimationSpec:
    return spec if isinstance(spec, EstimationSpec) else load_spec(spec)


def load_drillholes(spec: EstimationSpec) -> Drillholes:
    """Read the spec's drillhole files."""
    d = spec.drillholes
    c = d.columns
    cols = c  # the spec's column map carries the drillholes' dip convention
    tables = {"assay": spec.path(d.assay), **{k: spec.path(v) for k, v in d.tables.items()}}
    return read_drillholes(
        spec.path(d.collar),
        spec.path(d.survey) if d.survey else None,
        tables,
        columns=cols,
        units=d.units,
        below_detection=d.below_detection,
        length_tolerance=d.length_tolerance,
    )


def build_composites(spec: EstimationSpec, dh: Drillholes) -> tuple[pd.DataFrame, list[str]]:
    """Composites with coordinates, top-cut grade ``grade`` and declustering ``weight``.

    Returns
    -------
    composites : pandas.DataFrame
        ``hole, from, to, length, [domain], <grade column>, coverage, x, y, z...``,
        plus ``grade`` (top-cut) and ``weight`` (declustering, mean 1).
    notes : list of str
        What was done (top-cut, declustering).
    """
    notes: list[str] = []
    col = spec.grade.column
    assay = dh.table("assay")
    if col not in assay:
        raise ValidationError(f"assay table has no grade column {col!r}")
    dom_col = None
    if spec.domain is not None:
        codes = dh.table(spec.domain.table)
        assay = assay.copy()
        assay["_domain"] = assign_domain(assay, codes, spec.domain.column)
        if spec.domain.codes is not None:
            assay.loc[~assay["_domain"].isin(spec.domain.codes), "_domain"] = np.nan
        dom_col = "_domain"
    comps = composite(
        assay,
        spec.composite.length,
        [col],
        domain=dom_col,
        residual=spec.composite.residual,
        min_coverage=spec.composite.min_coverage,
    )
    comps = comps[comps[col].notna()].reset_index(drop=True)
    if comps.empty:
        raise ValidationError("no composites with a grade")
    comps = desurvey_table(dh, comps)
    if spec.top_cut is not None:
        capped, info = top_cut(comps[col].to_numpy(), spec.top_cut, comps["length"].to_numpy())
        comps["grade"] = capped
        notes.append(
            f"top-cut at {spec.top_cut:g} {spec.grade.unit}: {int(info['n_cut'])} composite(s) capped, "
            f"{100 * info['metal_removed']:.1f} % of grade x length removed"
        )
    else:
        comps["grade"] = comps[col]
    if spec.declustering is not None:
        w, table = cell_declustering(
            comps[["x", "y", "z"]].to_numpy(),
            comps["grade"].to_numpy(),
            np.asarray(spec.declustering.cell_sizes),
            anisotropy=spec.declustering.anisotropy,
            n_offsets=spec.declustering.n_offsets,
        )
        comps["weight"] = w
        best = table[table["chosen"]].iloc[0]
        notes.append(
            f"cell declustering: cell {best['cell_size']:g} m, declustered mean "
            f"{best['declustered_mean']:.4g} {spec.grade.unit} (naive {comps['grade'].mean():.4g})"
        )
    else:
        comps["weight"] = 1.0
    return comps, notes


def variogram_for(
    spec: EstimationSpec, comps: pd.DataFrame
) -> tuple[pd.DataFrame | None, VariogramModel]:
    """Experimental variogram(s) (if asked) and the model (given or fitted)."""
    v = spec.variogram
    xyz = comps[["x", "y", "z"]].to_numpy()
    g = comps["grade"].to_numpy()
    exp: pd.DataFrame | None = None
    if v.experimental is not None:
        e = v.experimental
        frames = []
        if not e.directions:
            frames.append(experimental_variogram(xyz, g, e.lag, e.n_lags))
        for d in e.directions:
            frames.append(
                experimental_variogram(
                    xyz,
                    g,
                    e.lag,
                    e.n_lags,
                    azimuth=d.azimuth,
                    dip=d.dip,
                    angle_tolerance=e.angle_tolerance,
                    bandwidth=e.bandwidth,
                )
            )
        exp = pd.concat(frames, ignore_index=True)
    if v.model is not None:
        model = VariogramModel(
            v.model.nugget,
            tuple(
                Structure(s.kind, s.sill, s.ranges, s.azimuth, s.dip, s.rake)
                for s in v.model.structures
            ),
        )
    else:
        assert v.fit is not None and exp is not None
        parts = [grp for _, grp in exp.groupby(["azimuth", "dip"], dropna=False)]
        model = fit_variogram(
            parts,
            list(v.fit.kinds),
            azimuth=v.fit.azimuth,
            dip=v.fit.dip,
            rake=v.fit.rake,
            nugget=v.fit.nugget,
        )
    return exp, model


def searches_for(spec: EstimationSpec) -> list[Search]:
    """Search passes: the nominal ellipsoid times each pass multiplier."""
    s = spec.search
    base = Search(
        ranges=s.ranges,
        azimuth=s.azimuth,
        dip=s.dip,
        rake=s.rake,
        min_samples=s.min_samples,
        max_samples=s.max_samples,
        max_per_hole=s.max_per_hole,
        max_per_octant=s.max_per_octant,
    )
    return [base.scaled(f) for f in s.passes]


def build_block_model(
    spec: EstimationSpec, comps: pd.DataFrame, dh: Drillholes
) -> tuple[BlockModel, np.ndarray | None]:
    """Grid geometry and the wireframe mask (or None)."""
    b = spec.block_model
    if b.origin is not None and b.shape is not None:
        bm = BlockModel(b.origin, b.size, b.shape)
    else:
        bm = BlockModel.from_extent(comps[["x", "y", "z"]].to_numpy(), b.size, b.padding)
    mask = None
    if b.wireframe is not None:
        from critmin.geostats.wireframe import inside_wireframe, read_stl

        mask = inside_wireframe(bm, read_stl(spec.path(b.wireframe), scale=b.wireframe_scale))
    return bm, mask


def _estimate_chunk(
    bm: BlockModel,
    start: int,
    stop: int,
    mask: np.ndarray | None,
    surface: np.ndarray | None,
    comp: dict[str, np.ndarray],
    model: VariogramModel,
    searches: list[Search],
    discretisation: tuple[int, int, int],
    hard: bool,
    dom_dist: float,
) -> pd.DataFrame:
    blocks = bm.to_frame(start, stop)
    keep = np.ones(len(blocks), dtype=bool)
    if mask is not None:
        keep &= mask[start:stop]
    xyz = blocks[["x", "y", "z"]].to_numpy()
    if surface is not None:
        keep &= below_surface(xyz, surface)
    blocks = blocks[keep].reset_index(drop=True)
    xyz = xyz[keep]
    if "domain" in comp:
        blocks["domain"] = nearest_domain(xyz, comp["xyz"], comp["domain"], dom_dist)
    if blocks.empty:
        return blocks
    cols = [
        "estimate",
        "variance",
        "n_samples",
        "n_holes",
        "mean_distance",
        "nearest_distance",
        "sum_weights",
        "search_pass",
    ]
    if hard and "domain" in comp:
        parts = []
        for d in pd.unique(comp["domain"]):
            sel_b = (blocks["domain"] == d).to_numpy()
            sel_c = comp["domain"] == d
            if not sel_b.any():
                continue
            r = ordinary_kriging(
                comp["xyz"][sel_c],
                comp["grade"][sel_c],
                xyz[sel_b],
                model,
                searches,
                holes=comp["hole"][sel_c],
                block_size=bm.size,
                discretisation=discretisation,
            )
            r.index = np.flatnonzero(sel_b)
            parts.append(r)
        res = pd.concat(parts) if parts else pd.DataFrame(columns=cols)
        res = res.reindex(range(len(blocks)))
        res["search_pass"] = res["search_pass"].fillna(0).astype(np.int64)
    else:
        res = ordinary_kriging(
            comp["xyz"],
            comp["grade"],
            xyz,
            model,
            searches,
            holes=comp["hole"],
            block_size=bm.size,
            discretisation=discretisation,
        )
    out = pd.concat([blocks, res.reset_index(drop=True)], axis=1)
    return out[out["search_pass"] > 0].reset_index(drop=True)


def estimate_blocks(
    bm: BlockModel,
    comps: pd.DataFrame,
    model: VariogramModel,
    searches: list[Search],
    discretisation: tuple[int, int, int] = (2, 2, 2),
    mask: np.ndarray | None = None,
    surface: np.ndarray | None = None,
    hard_domains: bool = False,
    domain_distance: float = 50.0,
    chunk_size: int = 100_000,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Krige a block model chunk by chunk; keep only estimated blocks.

    Parameters
    ----------
    bm : BlockModel
        Grid (centres are generated per chunk, never all at once).
    comps : pandas.DataFrame
        Composites with ``x, y, z`` [m], ``grade`` [grade unit], ``hole`` and
        optionally ``domain``.
    model : VariogramModel
        Variogram model.
    searches : list of Search
        Search passes.
    discretisation : tuple of int
        Points per block along x, y, z.
    mask : array of bool, optional
        Blocks to consider (e.g. inside a wireframe), in block-index order.
    surface : array, shape (n, 3), optional
        Topographic points; blocks above are skipped. [m]
    hard_domains : bool
        Estimate each block only from composites of its domain.
    domain_distance : float
        Largest distance for coding a block by its nearest composite. [m]
    chunk_size : int
        Blocks per chunk.
    scheduler : str, optional
        Dask distributed scheduler address; chunks then run on its workers.
    out_dir : path, optional
        Also write each chunk's estimated blocks to ``part-NNNNN.parquet`` here.

    Returns
    -------
    pandas.DataFrame
        Estimated blocks: ``block, i, j, k, x, y, z, [domain]`` and the
        kriging columns of :func:`~critmin.geostats.kriging.ordinary_kriging`.
    """
    comp: dict[str, np.ndarray] = {
        "xyz": comps[["x", "y", "z"]].to_numpy(dtype=float),
        "grade": comps["grade"].to_numpy(dtype=float),
        "hole": comps["hole"].astype(str).to_numpy(),
    }
    if "domain" in comps:
        comp["domain"] = comps["domain"].astype(str).to_numpy()
    args = (comp, model, searches, discretisation, hard_domains, domain_distance)
    ranges = list(bm.chunks(chunk_size))
    chunks = [(bm, s, e, mask, surface, *args) for s, e in ranges]
    parts: list[pd.DataFrame] = list(map_chunks(_estimate_chunk, chunks, scheduler))
    if out_dir is not None:
        od = Path(out_dir)
        od.mkdir(parents=True, exist_ok=True)
        for n, p in enumerate(parts):
            p.to_parquet(od / f"part-{n:05d}.parquet", index=False)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def exploration_stats(spec: EstimationSpec, dh: Drillholes) -> dict[str, Any]:
    """Hit rate, grade summary (length-weighted) and best intercepts of the raw assays."""
    col = spec.grade.column
    assay = dh.table("assay")
    lengths = (assay["to"] - assay["from"]).to_numpy()
    out: dict[str, Any] = {
        "summary": grade_summary(assay[col].to_numpy(dtype=float), lengths),
        "holes_drilled": len(dh.collar),
    }
    if spec.exploration is not None:
        out["hit"] = hit_rate(assay, col, spec.exploration.threshold)
        out["threshold"] = spec.exploration.threshold
        if spec.exploration.intercepts is not None:
            i = spec.exploration.intercepts
            out["intercepts"] = best_intercepts(
                assay, col, i.cutoff, i.min_width, i.max_dilution, unit=spec.grade.unit
            )
    return out


def swath(comps: pd.DataFrame, blocks: pd.DataFrame, axis: str, width: float) -> pd.DataFrame:
    """Swath table: mean composite grade and mean block estimate per slice.

    Parameters
    ----------
    comps : pandas.DataFrame
        Composites with ``x, y, z`` [m] and ``grade`` [grade unit].
    blocks : pandas.DataFrame
        Blocks with ``x, y, z`` [m] and ``estimate`` [grade unit].
    axis : {"x", "y", "z"}
        Slicing axis.
    width : float
        Slice width. [m]

    Returns
    -------
    pandas.DataFrame
        ``axis, centre`` [m], ``composites`` and ``blocks`` (counts),
        ``composite_mean`` and ``block_mean`` [grade unit].
    """
    if axis not in ("x", "y", "z"):
        raise ValidationError(f"axis must be x, y or z, not {axis!r}")
    lo = min(comps[axis].min(), blocks[axis].min())
    ci = np.floor((comps[axis] - lo) / width).astype(int)
    bi = np.floor((blocks[axis] - lo) / width).astype(int)
    c = comps.groupby(ci)["grade"].agg(["count", "mean"])
    b = blocks.groupby(bi)["estimate"].agg(["count", "mean"])
    idx = c.index.union(b.index)
    out = pd.DataFrame({"axis": axis, "centre": lo + (idx.to_numpy() + 0.5) * width})
    out["composites"] = c["count"].reindex(idx).fillna(0).astype(int).to_numpy()
    out["composite_mean"] = c["mean"].reindex(idx).to_numpy()
    out["blocks"] = b["count"].reindex(idx).fillna(0).astype(int).to_numpy()
    out["block_mean"] = b["mean"].reindex(idx).to_numpy()
    return out


@dataclass
class Appraisal:
    """Everything a spec run produces."""

    spec: EstimationSpec
    drillholes: Drillholes
    composites: pd.DataFrame
    experimental: pd.DataFrame | None
    model: VariogramModel
    block_model: BlockModel
    blocks: pd.DataFrame
    grade_tonnage: pd.DataFrame
    resource: pd.DataFrame
    exploration: dict[str, Any]
    validation: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def resource_at_reporting_cutoff(self) -> pd.DataFrame:
        """Resource rows at the reporting cut-off (else the first cut-off)."""
        c = self.spec.report.reporting_cutoff
        if c is None:
            c = self.spec.report.cutoffs[0]
        return self.resource[np.isclose(self.resource["cutoff"], c)].reset_index(drop=True)

    def swath(self, axis: str = "x", width: float | None = None) -> pd.DataFrame:
        """Swath table along an axis (default width: 2 blocks). [m]"""
        w = width or 2 * self.block_model.size["xyz".index(axis)]
        return swath(self.composites, self.blocks, axis, w)

    def cross_validation(self, leave_hole_out: bool = True) -> pd.DataFrame:
        """Cross-validation of the composites with the spec's model and first pass."""
        return cross_validate(
            self.composites[["x", "y", "z"]].to_numpy(),
            self.composites["grade"].to_numpy(),
            self.model,
            searches_for(self.spec)[:1],
            holes=self.composites["hole"].astype(str).to_numpy(),
            leave_hole_out=leave_hole_out,
        )


def run_spec(
    spec: EstimationSpec | str | Path,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
) -> Appraisal:
    """Run a whole estimation spec.

    Parameters
    ----------
    spec : EstimationSpec or path
        The spec or its YAML file.
    scheduler : str, optional
        Dask scheduler address (overrides the spec's).
    out_dir : path, optional
        Write estimated blocks as parquet parts here.

    Returns
    -------
    Appraisal
    """
    sp = _spec(spec)
    dh = load_drillholes(sp)
    notes = list(dh.notes)
    comps, n2 = build_composites(sp, dh)
    notes += n2
    if sp.domain is not None:
        comps = comps[comps["domain"].notna()].reset_index(drop=True)
    exp, model = variogram_for(sp, comps)
    bm, mask = build_block_model(sp, comps, dh)
    surface = dh.collar[["x", "y", "z"]].to_numpy() if sp.block_model.below_collars else None
    blocks = estimate_blocks(
        bm,
        comps,
        model,
        searches_for(sp),
        discretisation=sp.search.discretisation,
        mask=mask,
        surface=surface,
        hard_domains=bool(sp.domain and sp.domain.hard_boundaries),
        domain_distance=sp.domain.block_max_distance if sp.domain else 50.0,
        chunk_size=sp.chunk_size,
        scheduler=scheduler or sp.scheduler,
        out_dir=out_dir,
    )
    if blocks.empty:
        raise ValidationError(
            "no block was estimated: check the search ranges and block model extent"
        )
    dom = blocks.get("domain")
    dens = block_density(dom, sp.block_model.density, sp.block_model.default_density)
    blocks["density"] = np.broadcast_to(dens, (len(blocks),)).copy() if dens.size == 1 else dens
    blocks["tonnes"] = blocks["density"] * bm.block_volume
    c = sp.classification
    rule = ClassificationRule(
        measured=ClassCriteria(**c.measured.model_dump()),
        indicated=ClassCriteria(**c.indicated.model_dump()),
        inferred=ClassCriteria(**c.inferred.model_dump()),
    )
    blocks["class"] = classify(blocks, rule, sill=model.sill)
    gt = grade_tonnage(
        blocks["estimate"].to_numpy(),
        blocks["tonnes"].to_numpy(),
        sp.report.cutoffs,
        sp.grade.unit,
        sp.grade.metal_unit,
    )
    resource = resource_report(
        blocks, sp.report.cutoffs, "estimate", sp.grade.unit, sp.grade.metal_unit
    )
    w = comps["weight"].to_numpy()
    decl_mean = float(np.sum(w * comps["grade"]) / np.sum(w))
    p1 = blocks[blocks["search_pass"] == 1]
    validation = {
        "composite_mean": float(comps["grade"].mean()),
        "declustered_mean": decl_mean,
        "block_mean_pass1": float(np.average(p1["estimate"], weights=p1["tonnes"]))
        if len(p1)
        else float("nan"),
        "block_mean_all": float(np.average(blocks["estimate"], weights=blocks["tonnes"])),
    }
    validation["relative_difference_pass1"] = validation["block_mean_pass1"] / decl_mean - 1.0
    return Appraisal(
        spec=sp,
        drillholes=dh,
        composites=comps,
        experimental=exp,
        model=model,
        block_model=bm,
        blocks=blocks,
        grade_tonnage=gt,
        resource=resource,
        exploration=exploration_stats(sp, dh),
        validation=validation,
        notes=notes,
    )
