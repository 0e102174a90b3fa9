"""The appraisal workflow driven by an :class:`~critmin.geostats.spec.EstimationSpec`.

drillholes -> domains -> composites -> desurvey -> top-cut -> declustering ->
variogram -> block model -> ordinary kriging (chunked, optionally on Dask) ->
classification -> grade-tonnage and resource table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from critmin._parallel import map_chunks
from critmin.errors import ValidationError
from critmin.geostats.blockmodel import BlockModel, below_surface, block_density, nearest_domain
from critmin.geostats.classify import ClassCriteria, ClassificationRule, classify
from critmin.geostats.diagnostics import exploration_stats, model_warnings, swath
from critmin.geostats.drillholes import Drillholes
from critmin.geostats.kriging import Search, cross_validate, ordinary_kriging
from critmin.geostats.ledger import Ledger, block_steps
from critmin.geostats.prepare import (
    build_composites,
    cache_key,
    composite_all,
    grade_composites,
    load_drillholes,
    surface_points,
)
from critmin.geostats.report import grade_tonnage, resource_report
from critmin.geostats.spec import EstimationSpec, VariogramSpec, load_spec
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


def variogram_for(
    spec: EstimationSpec, comps: pd.DataFrame, variogram: VariogramSpec | None = None
) -> tuple[pd.DataFrame | None, VariogramModel]:
    """Experimental variogram(s) (if asked) and the model (given or fitted).

    ``variogram`` is the spec of a further grade; the primary grade's by default.
    """
    v = variogram or spec.variogram
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
    if bm.n_blocks > b.max_blocks:
        sx, sy, sz = bm.shape
        raise ValidationError(
            f"the block model would have {bm.n_blocks:,} blocks ({sx} x {sy} x {sz} of "
            f"{b.size[0]:g} x {b.size[1]:g} x {b.size[2]:g} m), above block_model.max_blocks "
            f"{b.max_blocks:,}: use larger blocks, a wireframe or an explicit origin and shape "
            "over the drilled area, or raise max_blocks"
        )
    mask = None
    if b.wireframe is not None:
        from critmin.geostats.wireframe import inside_wireframe, open_edges, read_mesh

        tri = read_mesh(spec.path(b.wireframe), scale=b.wireframe_scale)
        n_open, n_edges = open_edges(tri)
        if n_open > 0.01 * n_edges:
            raise ValidationError(
                f"{b.wireframe}: the wireframe is open ({n_open:,} of {n_edges:,} edges on one "
                "triangle only), so inside is undefined; an open surface belongs in "
                "block_model.topography"
            )
        mask = inside_wireframe(bm, tri)
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
    counts = {"grid": len(blocks), "outside_mask": int((~keep).sum()), "above_surface": 0}
    xyz = blocks[["x", "y", "z"]].to_numpy()
    if surface is not None:
        below = below_surface(xyz, surface)
        counts["above_surface"] = int((keep & ~below).sum())
        keep &= below
    blocks = blocks[keep].reset_index(drop=True)
    xyz = xyz[keep]
    if "domain" in comp:
        blocks["domain"] = nearest_domain(xyz, comp["xyz"], comp["domain"], dom_dist)
    counts["no_domain"] = 0
    if blocks.empty:
        blocks.attrs["counts"] = counts
        return blocks
    if hard and "domain" in comp:
        counts["no_domain"] = int(pd.isna(blocks["domain"]).sum())
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
    out = out[out["search_pass"] > 0].reset_index(drop=True)
    counts["not_estimated"] = len(blocks) - len(out) - counts["no_domain"]
    out.attrs["counts"] = counts
    return out


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
    progress: Callable[[int, int], None] | None = None,
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
    progress : callable, optional
        Called with ``(chunks done, chunks)`` after each chunk.

    Returns
    -------
    pandas.DataFrame
        Estimated blocks: ``block, i, j, k, x, y, z, [domain]`` and the
        kriging columns of :func:`~critmin.geostats.kriging.ordinary_kriging`;
        ``attrs["counts"]``: blocks in the grid, outside the mask, above the
        surface, without a domain (hard boundaries) and not estimated.
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
    parts: list[pd.DataFrame] = []
    for p in map_chunks(_estimate_chunk, chunks, scheduler):
        parts.append(p)
        if progress is not None:
            progress(len(parts), len(chunks))
    counts: dict[str, int] = {}
    for p in parts:
        for k, v in p.attrs.get("counts", {}).items():
            counts[k] = counts.get(k, 0) + int(v)
    if out_dir is not None:
        od = Path(out_dir)
        od.mkdir(parents=True, exist_ok=True)
        for n, p in enumerate(parts):
            p.to_parquet(od / f"part-{n:05d}.parquet", index=False)
    parts = [p for p in parts if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out.attrs = {"counts": counts}
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
    ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    resource_grades: pd.DataFrame | None = None
    models: dict[str, VariogramModel] = field(default_factory=dict)
    from_cache: bool = False

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


def _krige_all(
    sp: EstimationSpec,
    dh: Drillholes,
    ledger: Ledger,
    scheduler: str | None,
    out_dir: str | Path | None,
    step: Callable[[str], None],
    chunk_progress: Callable[[int, int], None] | None,
) -> dict[str, Any]:
    """Composites, variograms and kriged blocks of every grade (the cached part)."""
    notes = list(dh.notes)
    step("composite")
    comps_all = composite_all(sp, dh, ledger)
    grades = sp.grade_list()
    per: dict[str, tuple[pd.DataFrame, VariogramModel, pd.DataFrame | None]] = {}
    for g, cap, vspec in grades:
        step(f"variogram {g.column}")
        c, n2 = grade_composites(sp, comps_all, g, cap, ledger)
        notes += n2
        exp, model = variogram_for(sp, c, vspec)
        notes += [f"{g.column}: {w}" for w in model_warnings(model, exp)]
        per[g.column] = (c, model, exp)
    primary = sp.grade.column
    comps, model, exp = per[primary]
    bm, mask = build_block_model(sp, comps, dh)
    if sp.block_model.wireframe is not None:
        from critmin.geostats.wireframe import open_edges, read_mesh

        bw = sp.block_model
        n_open, n_edges = open_edges(read_mesh(sp.path(bw.wireframe), bw.wireframe_scale))  # type: ignore[arg-type]
        if n_open:
            notes.append(f"wireframe {bw.wireframe}: {n_open} of {n_edges:,} edges open (used)")
    surface = surface_points(sp, dh)
    kw = {
        "discretisation": sp.search.discretisation,
        "hard_domains": bool(sp.domain and sp.domain.hard_boundaries),
        "domain_distance": sp.domain.block_max_distance if sp.domain else 50.0,
        "chunk_size": sp.chunk_size,
        "scheduler": scheduler or sp.scheduler,
    }
    step(f"estimate {primary}")
    blocks = estimate_blocks(bm, comps, model, searches_for(sp), mask=mask, surface=surface,
                             out_dir=out_dir, progress=chunk_progress, **kw)  # type: ignore[arg-type]  # fmt: skip
    if blocks.empty:
        raise ValidationError(
            "no block was estimated: check the search ranges and block model extent"
        )
    counts = blocks.attrs.get("counts", {})
    blocks[primary] = blocks["estimate"]
    for g, _, _ in grades[1:]:
        step(f"estimate {g.column}")
        c, m, _ = per[g.column]
        only = np.zeros(bm.n_blocks, dtype=bool)
        only[blocks["block"].to_numpy()] = True
        r = estimate_blocks(bm, c, m, searches_for(sp), mask=only, surface=None,
                            progress=chunk_progress, **kw)  # type: ignore[arg-type]  # fmt: skip
        keep = ["estimate", "variance", "slope_of_regression", "kriging_efficiency", "search_pass"]
        r = r[["block", *keep]] if not r.empty else pd.DataFrame(columns=["block", *keep])
        r = r.rename(
            columns={k: (g.column if k == "estimate" else f"{g.column}_{k}") for k in keep}
        )
        blocks = blocks.merge(r, on="block", how="left")
    return {"notes": notes, "per": per, "bm": bm, "blocks": blocks, "counts": counts,
            "ledger": ledger.rows, "comps": comps, "model": model, "exp": exp}  # fmt: skip


def run_spec(
    spec: EstimationSpec | str | Path,
    scheduler: str | None = None,
    out_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    step: Callable[[str], None] | None = None,
    chunk_progress: Callable[[int, int], None] | None = None,
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
    cache_dir : path, optional
        Keep the kriged blocks here, keyed by a hash of the inputs they depend
        on (drillhole files' sizes and times, spec without classification,
        report and exploration, critmin version); a rerun that changes only
        those reuses them and does not krige again.
    step : callable, optional
        Called with the name of each step as it starts (progress display).
    chunk_progress : callable, optional
        Called with ``(chunks done, chunks)`` while kriging.

    Returns
    -------
    Appraisal
    """
    import pickle

    sp = _spec(spec)
    say = step or (lambda _s: None)
    say("read")
    dh = load_drillholes(sp)
    cached = None
    cfile = None
    if cache_dir is not None:
        cfile = Path(cache_dir) / f"krige-{cache_key(sp)}.pkl"
        if cfile.exists():
            with cfile.open("rb") as fh:
                cached = pickle.load(fh)
    hit = cached is not None
    if cached is None:
        cached = _krige_all(sp, dh, Ledger(), scheduler, out_dir, say, chunk_progress)
        if cfile is not None:
            cfile.parent.mkdir(parents=True, exist_ok=True)
            with cfile.open("wb") as fh:
                pickle.dump(cached, fh, protocol=5)
    ledger = Ledger()
    ledger.rows = [dict(r) for r in cached["ledger"]]
    say("classify")
    return _finish(sp, dh, cached, ledger, from_cache=hit)


def _finish(
    sp: EstimationSpec, dh: Drillholes, k: dict[str, Any], ledger: Ledger, from_cache: bool
) -> Appraisal:
    """Density, tonnes, classification, report and the block steps of the ledger."""
    from critmin.geostats.multigrade import equivalent_grade, multi_resource

    blocks: pd.DataFrame = k["blocks"]  # fresh from the run or the cache file: ours to extend
    bm: BlockModel = k["bm"]
    notes = list(k["notes"])
    primary = sp.grade.column
    dom = blocks.get("domain")
    dens = block_density(dom, sp.block_model.density, sp.block_model.default_density)
    blocks["density"] = np.broadcast_to(dens, (len(blocks),)).copy() if dens.size == 1 else dens
    blocks["tonnes"] = blocks["density"] * bm.block_volume
    if "density" not in sp.block_model.model_fields_set:
        msg = f"density not given: {sp.block_model.density} t/m3 used for every block (assumption)"
        notes.append(msg)
        ledger.note(primary, "estimate", msg)
    c = sp.classification
    rule = ClassificationRule(
        measured=ClassCriteria(**c.measured.model_dump()),
        indicated=ClassCriteria(**c.indicated.model_dump()),
        inferred=ClassCriteria(**c.inferred.model_dump()),
    )
    blocks["class"] = classify(blocks, rule, sill=k["model"].sill)
    units: dict[str, str] = {g.column: g.unit for g, _, _ in sp.grade_list()}
    eq = sp.equivalent
    if eq is not None:
        blocks[eq.name] = equivalent_grade(blocks, eq, units)
    for g, _, _ in sp.grade_list():
        neg = int((blocks[g.column] < 0).sum())
        if neg:
            msg = f"{neg} block(s) with a negative {g.column} estimate (kept; check the neighbourhood)"
            notes.append(msg)
            ledger.note(g.column, "estimate", msg, blocks=float(neg))
    block_steps(sp, ledger, k["counts"], blocks, bm)
    gt = grade_tonnage(blocks["estimate"].to_numpy(), blocks["tonnes"].to_numpy(),
                       sp.report.cutoffs, sp.grade.unit, sp.grade.metal_unit)  # fmt: skip
    # only the columns the tables read (boolean selections copy every column they get)
    slim = blocks[["class", "tonnes", "estimate"]]
    resource = resource_report(
        slim, sp.report.cutoffs, "estimate", sp.grade.unit, sp.grade.metal_unit
    )
    multi = None
    if sp.grades or eq is not None or sp.report.cutoff_on:
        on = sp.report.cutoff_on or primary
        need = list(dict.fromkeys(["class", "tonnes", on, *units, *([eq.name] if eq else [])]))
        multi = multi_resource(blocks[need], sp.report.cutoffs, on, [g for g, _, _ in sp.grade_list()],
                               (eq.name, units[eq.base]) if eq else None)  # fmt: skip
    comps = k["comps"]
    w = comps["weight"].to_numpy()
    decl_mean = float(np.sum(w * comps["grade"]) / np.sum(w))
    est = blocks["estimate"].to_numpy()
    ton = blocks["tonnes"].to_numpy()
    p1 = blocks["search_pass"].to_numpy() == 1
    validation = {
        "composite_mean": float(comps["grade"].mean()),
        "declustered_mean": decl_mean,
        "block_mean_pass1": float(np.average(est[p1], weights=ton[p1]))
        if p1.any()
        else float("nan"),
        "block_mean_all": float(np.average(est, weights=ton)),
    }
    validation["relative_difference_pass1"] = validation["block_mean_pass1"] / decl_mean - 1.0
    # the same check restricted to the estimated volume: composites inside estimated blocks
    ijk = np.floor(
        (comps[["x", "y", "z"]].to_numpy() - np.asarray(bm.origin)) / np.asarray(bm.size)
    )
    shape = np.asarray(bm.shape)
    ok = ((ijk >= 0) & (ijk < shape)).all(axis=1)
    cell = np.where(ok, ijk[:, 0] + shape[0] * (ijk[:, 1] + shape[1] * ijk[:, 2]), -1)
    inside = np.isin(cell.astype(np.int64), blocks["block"].to_numpy())
    if inside.any():
        wi = w[inside]
        gi = comps["grade"].to_numpy()[inside]
        validation["composites_in_estimated_volume"] = float(inside.sum())
        validation["declustered_mean_in_estimated_volume"] = float(np.sum(wi * gi) / np.sum(wi))
        validation["relative_difference_in_estimated_volume"] = (
            validation["block_mean_all"] / validation["declustered_mean_in_estimated_volume"] - 1.0
        )
    return Appraisal(
        spec=sp,
        drillholes=dh,
        composites=comps,
        experimental=k["exp"],
        model=k["model"],
        block_model=bm,
        blocks=blocks,
        grade_tonnage=gt,
        resource=resource,
        exploration=exploration_stats(sp, dh),
        validation=validation,
        notes=notes,
        ledger=ledger.frame(),
        resource_grades=multi,
        models={c: m for c, (_, m, _) in k["per"].items()},
        from_cache=from_cache,
    )
