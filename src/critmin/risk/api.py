"""Public functions of :mod:`critmin.risk`: ranked tables, explanations, time series.

The store is read through :mod:`critmin.risk.inputs`, imported inside each function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from critmin.errors import DataNotFoundError, ValidationError
from critmin.risk import methods as m
from critmin.risk.config import Governance, Stage

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store
    from critmin.risk.inputs import RiskData

__all__ = ["explain", "side_by_side", "supply_risk", "timeseries"]

ALL = ("eu", "usgs", "geopolrisk", "hhi")

STAND_INS = (
    "USGS disruption potential: producers' ability/willingness to supply = mean WGI scaled to 0-1 "
    "(stand-in for WGI + Fraser policy-perception index + trade ties)",
    "USGS economic vulnerability: parameter (parameters.yaml), not data",
    "GeoPolRisk: imports/(production + imports) replaced by the import reliance IR; "
    "political instability = (2.5 - WGI PV)/5",
    "EU sourcing without a clean HS6 code: global supply shares (EC 2017 guidelines)",
    "shares leave out the 'other countries' remainder (treated as many small producers)",
)


def _methods(method: str | Sequence[str]) -> list[str]:
    if isinstance(method, str):
        ms = list(ALL) if method == "all" else [s.strip() for s in method.split(",")]
    else:
        ms = list(method)
    for k in ms:
        if k not in m.METHODS:
            raise ValidationError(f"unknown method {k!r}; expected one of {[*m.METHODS, 'all']}")
    return ms


def _prepare(
    importer: str | Sequence[str],
    commodities: Iterable[str] | None,
    year: int | None,
    params: Mapping[str, Any] | None,
    wgi_window: int | None,
    store: Store | None,
    domestic: str = "auto",
) -> tuple[str, list[str], dict[str, list[Stage]], Governance, RiskData]:
    from critmin.risk import inputs, study2023
    from critmin.risk.quality import resolve_domestic

    use_study = study2023.requested(params)
    data = inputs.load(store)
    label, members = inputs.importer_members(importer, data)
    if use_study and label.upper() != "EU27":
        raise ValidationError(
            f"eu_sourcing=study2023 is the EU's own sourcing: it applies to the EU27 importer "
            f"only, not {label}"
        )
    dom = resolve_domestic(domestic, label)
    if commodities is None:
        cids = sorted(data.commodities["commodity"])
        strict = False
    else:
        from critmin.data.commodities import resolve

        cids = [resolve(c) for c in commodities]
        strict = True
    stages: dict[str, list[Stage]] = {}
    for c in cids:
        st = inputs.stages(c, members, data, year, params, dom)
        if use_study:
            st = study2023.apply(st, label)
        if st:
            stages[c] = st
        elif strict:
            raise DataNotFoundError(f"no production or trade data to assess {c}")
    if not stages:
        raise DataNotFoundError("no commodity has enough data")
    codes = sorted(
        {c for sl in stages.values() for s in sl for c in s.global_supply.iso3}
        | {c for sl in stages.values() for s in sl if s.imports for c in s.imports.iso3}
        | {c for sl in stages.values() for s in sl if s.alt_imports for c in s.alt_imports.iso3}
        | {c for sl in stages.values() for s in sl if s.sourcing for c in s.sourcing.iso3}
    )
    last = max(s.year for sl in stages.values() for s in sl)
    gov = inputs.governance(
        data, last if year is None else year, inputs.wgi_window(wgi_window), codes
    )
    return label, members, stages, gov, data


def _defaults(stage_list: list[Stage], method: str) -> list[str]:
    keys = {
        "eu": ("import_reliance", "eol_rir", "si_sr"),
        "eu2020": ("import_reliance", "eol_rir", "si_sr"),
        "usgs": ("import_reliance", "economic_vulnerability"),
        "geopolrisk": ("import_reliance",),
        "hhi": (),
    }[method]
    out: set[str] = set()
    for s in stage_list:
        for k in keys:
            p = s.import_reliance if k == "import_reliance" else s.params[k]
            if p.default:
                out.add(k)
    return sorted(out)


def supply_risk(
    importer: str | Sequence[str] = "EU27",
    method: str | Sequence[str] = "all",
    year: int | None = None,
    *,
    commodities: Iterable[str] | None = None,
    draws: int = 0,
    seed: int | None = None,
    top: int = 10,
    params: Mapping[str, Any] | None = None,
    trade_factors: Mapping[str, float] | None = None,
    wgi_window: int | None = None,
    domestic: str = "auto",
    store: Store | None = None,
) -> pd.DataFrame:
    """Supply-risk indices of every commodity with enough data, ranked, from one importer's view.

    Parameters
    ----------
    importer : str or sequence of str
        ``EU27``, ``OECD``, ``G7``, a country (``USA``, ``Japan``) or a list (``"USA,JPN"``).
    method : str or sequence of str
        ``eu`` (EU 2023: higher of extraction and processing), ``eu2020`` (EU, the
        commodity's first stage), ``usgs``, ``geopolrisk``, ``hhi``, or ``all``
        (eu, usgs, geopolrisk, hhi).
    year : int, optional
        Latest year of production data used (default: latest with data per table). [year]
    commodities : iterable of str, optional
        Restrict to these commodities (default: all with production or trade data).
    draws : int
        Monte Carlo draws (0: point values only).
    seed : int, optional
        Random seed of the Monte Carlo.
    top : int
        N of the rank-stability probability ``p_top`` (rank <= N).
    params : mapping, optional
        Parameter overrides, ``{"eol_rir": 0.1}`` or ``{"eol_rir": {"tin": 0.3}}``;
        ``{"agreement_partners": True}`` gives EU trade-agreement partners t = 0.8 on the
        EU27's sourcing side (off by default, as the 2023 study applies the method);
        ``{"eu_sourcing": "study2023"}`` gives the EU27's stages without EU sourcing data
        the 2023 study's published EU sourcing, and an IR placeholder the IR it bounds
        (:mod:`critmin.risk.study2023`; off by default, ``critmin``).
    trade_factors : mapping, optional
        ISO3 to EU trade factor t (e.g. ``{"CHN": 1.3}`` for export restrictions).
    wgi_window : int, optional
        Years of WGI averaged (default 5, ``parameters.yaml``).
    domestic : str
        How the importer's own production enters its sourcing: ``own_governance``
        (weighted by its own WGI, t = 0.8: the EU method for the EU), ``secure``
        (adds no risk) or ``auto`` (default: ``own_governance`` for the EU27,
        ``secure`` for any other importer). The convention used is in
        ``attrs['domestic_supply']`` and the column ``domestic_supply``.

    Returns
    -------
    pandas.DataFrame
        One row per method and commodity: ``method``, ``rank`` (1 = highest risk),
        ``commodity``, ``value``, ``scale``, ``stage`` (stage that gave the value),
        ``year``, ``import_reliance``, ``sourcing`` (BACI code or production shares),
        ``p5``, ``p50``, ``p95`` (value percentiles), ``rank_p5``, ``rank_p50``,
        ``rank_p95``, ``p_top`` (probability of a rank <= ``top``; null without
        draws), ``defaults_used`` (parameters at their ``parameters.yaml`` default)
        and ``warnings``. ``attrs`` holds the importer, its members, WGI years and
        the stand-ins used.

    Examples
    --------
    >>> critmin.risk.supply_risk("EU27", "eu", draws=500, seed=1).head(10)  # doctest: +SKIP
    """
    from critmin.risk.engine import evaluate
    from critmin.risk.uncertainty import combine_stages, rank_stability, simulate

    ms = _methods(method)
    if draws < 0:
        raise ValidationError("draws must be >= 0")
    if draws:
        from critmin._memory import check_memory, float_arrays_bytes

        # per draw: the value and rank of every method for ~80 commodities and two stages,
        # plus about 40 working arrays per stage (factor draws, shares) [assumption, measured
        # within a factor of two on 2,000 draws]
        check_memory(
            float_arrays_bytes(draws, 80, 2, arrays=40 + 2 * len(ms)),
            f"supply risk with {draws:,} draws",
            "lower --draws (2,000 draws give P5/P95 to about 1 %)",
        )
    from critmin.risk.quality import structural, summary

    label, members, stages, gov, _ = _prepare(
        importer, commodities, year, params, wgi_window, store, domestic
    )
    point = {
        c: [evaluate(s, gov, 1, None, None, None, trade_factors) for s in sl]
        for c, sl in stages.items()
    }
    mc = simulate(stages, gov, ms, draws, seed, trade_factors) if draws > 0 else None
    alts = {c: structural(sl, gov, ms, trade_factors) for c, sl in stages.items()}
    by_source: dict[str, dict[str, Any]] = {}
    if mc is not None:
        nb = min(draws, 500)
        for j, src in enumerate(("governance", "data", "parameters")):
            seed_j = None if seed is None else seed + 1000 * (j + 1)
            by_source[src] = simulate(stages, gov, ms, nb, seed_j, trade_factors, frozenset({src}))
    frames = []
    for meth in ms:
        key = "eu" if meth == "eu2020" else meth
        rows = []
        for c, sl in stages.items():
            v, idx = combine_stages([r[key] for r in point[c]], meth)
            s = sl[int(idx[0])]
            warn = sorted({w for x in sl for w in x.warnings})
            rows.append(
                {
                    "method": meth,
                    "commodity": c,
                    "value": float(v[0]),
                    "scale": m.METHODS[meth]["unit"],
                    "stage": s.stage,
                    "year": s.year,
                    "import_reliance": s.import_reliance.central(),
                    "sourcing": f"BACI {s.hs6} {s.trade_year}"
                    if s.imports is not None
                    else "production shares",
                    "defaults_used": _defaults([s], meth),
                    "warnings": warn,
                    "domestic_supply": s.domestic,
                    **summary(s, meth),
                    **_structural(alts[c][meth], float(v[0])),
                }
            )
        df = pd.DataFrame(rows)
        df = df[df["value"].notna()].reset_index(drop=True)
        if mc is not None:
            order = list(stages)
            vals = mc[meth][[order.index(c) for c in df["commodity"]]]
            st = rank_stability(vals, top)
            for k, arr in st.items():
                df[k] = arr
            with np.errstate(all="ignore"):
                for src, sim in by_source.items():
                    v = sim[meth][[order.index(c) for c in df["commodity"]]]
                    q = np.nanpercentile(v, [5, 95], axis=1)
                    df[f"band_{src}"] = q[1] - q[0]
        else:
            for k in ("p5", "p50", "p95", "rank_p5", "rank_p50", "rank_p95", "p_top"):
                df[k] = np.nan
            for src in ("governance", "data", "parameters"):
                df[f"band_{src}"] = np.nan
        df["rank"] = df["value"].rank(ascending=False, method="min").astype(int)
        frames.append(df.sort_values(["rank", "commodity"]))
    cols = [
        "method",
        "rank",
        "commodity",
        "value",
        "scale",
        "stage",
        "year",
        "p5",
        "p50",
        "p95",
        "rank_p5",
        "rank_p50",
        "rank_p95",
        "p_top",
        "import_reliance",
        "sourcing",
        "band_governance",
        "band_data",
        "band_parameters",
        "structural_low",
        "structural_high",
        "structural",
        "placeholder_share",
        "quality",
        "quality_flag",
        "placeholders",
        "domestic_supply",
        "defaults_used",
        "warnings",
    ]
    out = pd.concat(frames, ignore_index=True)[cols]
    out.attrs.update(
        importer=label,
        members=members,
        wgi_years=gov.years,
        wgi_imputed=gov.imputed,
        draws=draws,
        seed=seed,
        top=top,
        stand_ins=list(STAND_INS),
        domestic_supply=_domestic_text(label, stages),
    )
    return out


def _structural(alts: dict[str, float], value: float) -> dict[str, Any]:
    vals = [value, *alts.values()]
    return {
        "structural_low": min(vals),
        "structural_high": max(vals),
        "structural": [f"{k}: {v:.3g}" for k, v in alts.items()],
    }


def _domestic_text(label: str, stages: Mapping[str, list[Stage]]) -> str:
    conv = next((s.domestic for sl in stages.values() for s in sl), "secure")
    what = {
        "own_governance": "domestic producers weighted by their own scaled WGI (t = 0.8)",
        "secure": "domestic supply treated as secure (adds no sourcing risk)",
    }[conv]
    return f"{conv}: {what}; importer {label} (parameters.yaml domestic_supply, default auto)"


def side_by_side(df: pd.DataFrame) -> pd.DataFrame:
    """Wide view of :func:`supply_risk`: one row per commodity, value and rank per method.

    Rows are ordered by the first method's rank.
    """
    ms = list(dict.fromkeys(df["method"]))
    wide = df.pivot(index="commodity", columns="method", values=["value", "rank"])
    out = pd.DataFrame(index=wide.index)
    for meth in ms:
        out[meth] = wide[("value", meth)]
        out[f"{meth}_rank"] = wide[("rank", meth)].astype("Int64")
    if "p_top" in df and df["p_top"].notna().any():
        for meth in ms:
            out[f"{meth}_p_top"] = df[df["method"] == meth].set_index("commodity")["p_top"]
    out = out.sort_values(f"{ms[0]}_rank", na_position="last").reset_index()
    out.attrs.update(df.attrs)
    return out


def _src(p: Any) -> str:
    """A factor's source, or ``default: <reason>`` for a ``parameters.yaml`` default."""
    return f"default: {p.source}" if p.default else str(p.source)


def explain(
    commodity: str,
    method: str = "eu",
    importer: str | Sequence[str] = "EU27",
    year: int | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    trade_factors: Mapping[str, float] | None = None,
    wgi_window: int | None = None,
    domestic: str = "auto",
    store: Store | None = None,
) -> pd.DataFrame:
    """Every factor of one commodity's index for one method: value, unit and source.

    Parameters
    ----------
    commodity : str
        Name, alias or symbol.
    method : str
        ``eu``, ``eu2020``, ``usgs``, ``geopolrisk`` or ``hhi``.
    importer, year, params, trade_factors, wgi_window, domestic
        As in :func:`supply_risk`.

    Returns
    -------
    pandas.DataFrame
        ``stage``, ``factor``, ``iso3`` (for country rows), ``value``, ``unit``,
        ``source`` (a source row, or ``default: <reason>``) and ``default`` (True
        where the value is a ``parameters.yaml`` default). The row ``factor ==
        "result"`` of each stage is the index; ``data_quality`` gives the stage's
        placeholder share and grade; a ``combined`` row gives the commodity value.
        ``attrs`` holds the warnings, the grade of the combined row (``quality``) and
        the domestic-supply convention.
    """
    from critmin.risk.engine import evaluate
    from critmin.risk.factors import country_rows
    from critmin.risk.quality import summary
    from critmin.risk.uncertainty import combine_stages

    ms = _methods(method)
    if len(ms) != 1:
        raise ValidationError("explain takes one method")
    meth = ms[0]
    label, _members, stages, gov, _ = _prepare(
        importer, [commodity], year, params, wgi_window, store, domestic
    )
    ((cid, sl),) = stages.items()
    rows: list[dict[str, Any]] = []
    grades = []
    results = []
    unit = m.METHODS[meth]["unit"]
    key = "eu" if meth == "eu2020" else meth
    for s in sl:
        r = evaluate(s, gov, 1, None, None, None, trade_factors)
        results.append(r[key])
        ir = s.import_reliance
        base = {"stage": s.stage}
        q = summary(s, meth)
        grades.append(q)
        stage_rows: list[dict[str, Any]] = [
            {
                "factor": "result",
                "value": r[key][0],
                "unit": unit,
                "source": m.METHODS[meth]["label"],
            },
            {
                "factor": "data_quality",
                "value": q["placeholder_share"],
                "unit": "fraction of inputs on placeholders",
                "source": f"grade {q['quality']}"
                + (f" ({q['quality_flag']})" if q["quality_flag"] else "")
                + (
                    "; on placeholders: " + ", ".join(q["placeholders"])
                    if q["placeholders"]
                    else ""
                ),
            },
            {
                "factor": "global_supply_basis",
                "value": None,
                "unit": "",
                "source": s.global_supply.basis,
            },
        ]
        p_ir = {
            "factor": "import_reliance",
            "value": ir.value,
            "unit": ir.unit,
            "source": _src(ir),
            "default": ir.default,
        }
        if meth in ("eu", "eu2020"):
            stage_rows += [
                {
                    "factor": "hhi_wgi_global",
                    "value": r["hhi_wgi_global"][0],
                    "unit": "0-10",
                    "source": "sum S^2 x WGI_scaled x t over global supply",
                },
                {
                    "factor": "hhi_wgi_sourcing",
                    "value": r["hhi_wgi_sourcing"][0],
                    "unit": "0-10",
                    "source": (
                        f"EU sourcing given whole: {s.sourcing.basis}"
                        if s.sourcing is not None
                        else f"domestic (1-IR) + imports (IR) by origin, cepii_baci hs6={s.hs6} {s.trade_year}"
                        if s.imports is not None
                        else "domestic (1-IR) + foreign part of global supply (IR) "
                        "(stand-in: no clean HS6 code for this stage)"
                    ),
                },
                p_ir,
            ]
            for k in ("eol_rir", "si_sr"):
                p = s.params[k]
                stage_rows.append(
                    {
                        "factor": k,
                        "value": p.value,
                        "unit": p.unit,
                        "source": _src(p),
                        "default": p.default,
                    }
                )
        elif meth == "usgs":
            p = s.params["economic_vulnerability"]
            stage_rows += [
                {
                    "factor": "disruption_potential",
                    "value": r["disruption_potential"][0],
                    "unit": "0-1",
                    "source": "sum s^2 x g, g = WGI scaled 0-1 (stand-in)",
                },
                {**p_ir, "factor": "trade_exposure"},
                {
                    "factor": "economic_vulnerability",
                    "value": p.value,
                    "unit": p.unit,
                    "source": _src(p),
                    "default": p.default,
                },
            ]
        elif meth == "geopolrisk":
            stage_rows += [
                {
                    "factor": "hhi_0_1",
                    "value": r["hhi"][0] / 10_000,
                    "unit": "0-1",
                    "source": s.global_supply.basis,
                },
                p_ir,
                {
                    "factor": "weighted_instability",
                    "value": r["weighted_instability"][0],
                    "unit": "0-1",
                    "source": "sum m_c x PI_c over "
                    + (
                        f"imports hs6={s.hs6} {s.trade_year}"
                        if s.imports is not None
                        else "foreign production shares"
                    ),
                },
                {
                    "factor": "import_hhi",
                    "value": r["import_hhi"][0],
                    "unit": "0-10,000",
                    "source": "HHI of import shares",
                },
            ]
        stage_rows += country_rows(s, gov, meth, trade_factors)
        rows += [{**base, "iso3": None, "default": False, **x} for x in stage_rows]
    v, idx = combine_stages(results, meth)
    rule = "first stage (EU 2017/2020)" if meth == "eu2020" else "highest stage"
    rows.append(
        {
            "stage": sl[int(idx[0])].stage,
            "factor": "combined",
            "iso3": None,
            "value": v[0],
            "unit": unit,
            "source": rule,
            "default": False,
        }
    )
    out = pd.DataFrame(rows)[["stage", "factor", "iso3", "value", "unit", "source", "default"]]
    out.attrs.update(
        commodity=cid,
        method=meth,
        importer=label,
        wgi_years=gov.years,
        warnings=sorted({w for s in sl for w in s.warnings}),
        stand_ins=list(STAND_INS),
        quality=grades[int(idx[0])]["quality"],
        placeholder_share=grades[int(idx[0])]["placeholder_share"],
        quality_flag=grades[int(idx[0])]["quality_flag"],
        domestic_supply=_domestic_text(label, stages),
    )
    return out


def timeseries(
    commodity: str,
    method: str = "eu",
    importer: str | Sequence[str] = "EU27",
    years: Iterable[int] | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    trade_factors: Mapping[str, float] | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Index over the WGI years with supply shares fixed at the latest table.

    The dataset's production history by country covers only recent years (DS140 has
    world totals only), so the series shows how the index moves with governance
    alone: shares, import reliance and parameters stay at their latest values and
    the WGI of each year (window 1) is used.

    Returns
    -------
    pandas.DataFrame
        ``year`` (WGI year), ``value``, ``stage``, ``method``; ``attrs['note']`` says
        what is held fixed.
    """
    from critmin.risk import inputs
    from critmin.risk.engine import evaluate
    from critmin.risk.uncertainty import combine_stages

    ms = _methods(method)
    if len(ms) != 1:
        raise ValidationError("timeseries takes one method")
    meth = ms[0]
    label, _members, stages, gov0, data = _prepare(importer, [commodity], None, params, 1, store)
    ((cid, sl),) = stages.items()
    wy = sorted(int(y) for y in data.wgi["year"].unique())
    ys = wy if years is None else sorted(int(y) for y in years)
    bad = [y for y in ys if y not in wy]
    if bad:
        raise DataNotFoundError(f"no WGI for {bad} (WGI years {wy[0]}-{wy[-1]})")
    key = "eu" if meth == "eu2020" else meth
    codes = gov0.iso3
    rows = []
    for y in ys:
        gov = inputs.governance(data, y, 1, codes)
        vals = [evaluate(s, gov, 1, None, None, None, trade_factors)[key] for s in sl]
        v, idx = combine_stages(vals, meth)
        rows.append(
            {"year": y, "value": float(v[0]), "stage": sl[int(idx[0])].stage, "method": meth}
        )
    out = pd.DataFrame(rows)
    out.attrs.update(
        commodity=cid,
        importer=label,
        note=f"shares fixed at {', '.join(s.global_supply.basis for s in sl)}; only the WGI changes by year",
    )
    return out
