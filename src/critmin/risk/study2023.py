"""The EU 2023 study's published inputs (Appendix 7) as an input source of the EU method.

Two uses, both through the same code path as :func:`critmin.risk.supply_risk`
(:func:`critmin.risk.engine.evaluate`, :func:`critmin.risk.uncertainty.combine_stages`):

- :func:`apply`: with ``params={"eu_sourcing": "study2023"}`` the EU27's stages without
  EU sourcing data (the EC fallback to global supply, or a pooled code) take the study's
  published EU sourcing shares, and an import reliance at its placeholder takes the value
  bounded by those shares. Off by default (``parameters.yaml`` ``eu_sourcing``).
- :func:`method_check`: a second implementation check of the arithmetic. Every input the
  study publishes (global supply and EU sourcing shares with t) replaces critmin's data,
  and critmin's formula is run on them. The study does not publish IR or SI_SR per material,
  so these stay critmin's (IR bounded by the EU sourcing shares, SI_SR the placeholder).

Source: EC (2023) *Study on the critical raw materials for the EU 2023, final report*,
doi:10.2873/725585, Appendix 7, as transcribed in
github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets (commit ``5938350``,
CC BY 4.0), derived to ``eu2023_appendix7.csv`` by ``scripts/derive_eu2023_inputs.py``.
Reads package files only; :func:`method_check` reads WGI through :mod:`critmin.risk.inputs`.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from critmin.errors import ValidationError
from critmin.risk.config import Param, Stage, Supply, param, parameters

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "CITATION",
    "WGI_YEARS",
    "apply",
    "eu_sourcing",
    "import_reliance",
    "method_check",
    "requested",
    "table",
]

CITATION = (
    "EC (2023) Study on the critical raw materials for the EU 2023, doi:10.2873/725585, "
    "Appendix 7, transcribed in github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-"
    "Reports-Datasets (commit 5938350)"
)
#: WGI years the 2023 study averages (``../shared/reference/eu-crm-method/NOTES.md``).
WGI_YEARS = (2016, 2020)
_OPTIONS = ("critmin", "study2023")


@functools.lru_cache(maxsize=1)
def table() -> pd.DataFrame:
    """The bundled derived table: one row per commodity, stage, side and country.

    Columns ``commodity``, ``material`` (the study's name), ``stage``, ``side``
    (``global`` or ``eu_sourcing``), ``iso3``, ``share`` [fraction; empty where the study
    prints ``<0.1%``], ``t`` [dimensionless], ``line`` (line in the transcription's file),
    ``note``.
    """
    path = resources.files("critmin.risk").joinpath("eu2023_appendix7.csv")
    with path.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, keep_default_na=False, na_values={"share": [""]})
    return df


@functools.lru_cache(maxsize=1)
def _groups() -> dict[tuple[str, str, str], pd.DataFrame]:
    t = table()
    return {
        (str(c), str(s), str(d)): g for (c, s, d), g in t.groupby(["commodity", "stage", "side"])
    }


def _rows(commodity: str, stage: str, side: str) -> pd.DataFrame:
    return _groups().get((commodity, stage, side), table().iloc[0:0])


def _supply(rows: pd.DataFrame, side: str) -> Supply | None:
    """Listed shares as a :class:`Supply` in fractions; the rest is 'other countries'.

    Bounded (``<0.1%``) rows join the remainder. Listed shares adding up to more than 1
    (rounding: at most 1.011) are scaled to 1, and the basis says so.
    """
    ok = rows[rows["share"].notna() & (rows["share"] > 0)].sort_values("share", ascending=False)
    if ok.empty:
        return None
    q = ok["share"].to_numpy(float)
    total = float(q.sum())
    nb = int(rows["share"].isna().sum())
    basis = f"EU 2023 study Appendix 7, {side.replace('_', ' ')} 2016-2020 (listed {total:.0%}"
    if nb:
        basis += f"; {nb} shares < 0.1 % in the remainder"
    if total > 1:
        q = q / total
        basis += "; scaled to 100 %"
    basis += ")"
    file = "fact_EUSupplyShares&t.csv" if side == "eu_sourcing" else "fact_GlobalSupplyShares&t.csv"
    src = [f"EC 2023 study Appendix 7 ({file} line {int(x)})" for x in ok["line"]]
    n = len(ok)
    return Supply(
        list(ok["iso3"]),
        q,
        ["reported"] * n,
        src,
        max(0.0, 1.0 - float(q.sum())),
        0.0,
        "fraction",
        basis,
    )


def _coverage(rows: pd.DataFrame) -> float:
    return float(rows["share"].sum(skipna=True))


def eu_sourcing(commodity: str, stage: str) -> tuple[Supply, dict[str, float]] | None:
    """The study's EU sourcing of one commodity and stage, and its published t per country.

    None when the study (as transcribed) has no EU sourcing for the stage, or when the listed
    shares cover less than ``parameters.yaml`` ``eu_sourcing.min_coverage`` of it.
    """
    got = _eu_sourcing(commodity, stage)
    return None if got is None else (copy.deepcopy(got[0]), dict(got[1]))


@functools.lru_cache(maxsize=256)
def _eu_sourcing(commodity: str, stage: str) -> tuple[Supply, dict[str, float]] | None:
    rows = _rows(commodity, stage, "eu_sourcing")
    if rows.empty or _coverage(rows) < float(parameters()["eu_sourcing"]["min_coverage"]):
        return None
    sup = _supply(rows, "eu_sourcing")
    if sup is None:
        return None
    return sup, dict(zip(rows["iso3"], rows["t"].astype(float), strict=True))


def import_reliance(commodity: str, stage: str, members: Sequence[str]) -> Param | None:
    """IR bounded by the study's EU sourcing shares (None without usable EU sourcing).

    Notes
    -----
    EU sourcing = EU production P + imports M, so the members' share of it is P/(P+M) and

    .. math:: IR = \\frac{M - X}{P + M - X} \\le \\frac{M}{P + M} = 1 - s_{EU}

    (equal when exports X are nil). Shares below 1 % are not listed, so the non-EU share
    lies between the listed non-EU share and ``1 - listed EU share``; the point is the
    centre, drawn uniformly in that range.
    """
    got = eu_sourcing(commodity, stage)
    if got is None:
        return None
    sup = got[0]
    mem = np.isin(np.asarray(sup.iso3), list(members))
    q = sup.quantity
    eu, non = float(q[mem].sum()), float(q[~mem].sum())
    lo, hi = min(non, 1.0), max(0.0, 1.0 - eu)
    lo = min(lo, hi)
    src = (
        f"EU 2023 study EU sourcing ({stage}, 2016-2020): non-EU share between {lo:.2f} "
        f"(listed) and {hi:.2f} (1 - listed EU share); an upper bound of IR when the EU "
        f"exports ({CITATION})"
    )
    return Param.of("import_reliance", (lo + hi) / 2.0, lo, hi, "fraction", src, False)


def requested(overrides: Mapping[str, Any] | None) -> bool:
    """Whether ``params`` asks for the study's EU sourcing (``{"eu_sourcing": "study2023"}``)."""
    raw = (overrides or {}).get("eu_sourcing", parameters()["eu_sourcing"]["default"])
    if raw not in _OPTIONS:
        raise ValidationError(f"eu_sourcing must be one of {list(_OPTIONS)}, not {raw!r}")
    return bool(raw == "study2023")


def apply(stage_list: list[Stage], label: str) -> list[Stage]:
    """Stages with the study's EU sourcing and IR where critmin has none (EU27 only).

    A stage sourced from a clean BACI code keeps it; a stage on the EC fallback (no code,
    or a pooled one) takes the study's EU sourcing for the same stage; an IR at the
    ``parameters.yaml`` placeholder takes :func:`import_reliance`. What was replaced is
    added to the stage's warnings. Other importers are returned unchanged (``supply_risk`` refuses the switch for them).
    """
    if label.upper() != "EU27":
        return stage_list
    out = []
    for s in stage_list:
        s = copy.copy(s)
        s.warnings = list(s.warnings)
        if s.imports is None and s.sourcing is None:
            got = eu_sourcing(s.commodity, s.stage)
            if got is not None:
                s.sourcing = got[0]
                s.warnings.append(
                    f"eu_sourcing=study2023: EU sourcing of the {s.stage} stage from the EU "
                    f"2023 study ({got[0].basis}) instead of the EC fallback"
                )
        if s.import_reliance.default:
            ir = import_reliance(s.commodity, s.stage, s.members)
            if ir is not None:
                s.import_reliance = ir
                s.warnings.append(
                    f"eu_sourcing=study2023: IR {ir.central():.2f} [{ir.low:.2f}, {ir.high:.2f}] "
                    "from the EU 2023 study's EU sourcing instead of the 0.5 placeholder"
                )
        out.append(s)
    return out


def _check_stages(commodity: str, members: list[str]) -> list[tuple[Stage, dict[str, float]]]:
    """Stages built from the study's inputs alone, each with its global-side t per country."""
    out = []
    for stage in ("extraction", "processing"):
        rows = _rows(commodity, stage, "global")
        gs = _supply(rows, "global")
        if gs is None:
            continue
        t_global = dict(zip(rows["iso3"], rows["t"].astype(float), strict=True))
        src = eu_sourcing(commodity, stage)
        warnings = []
        ir = import_reliance(commodity, stage, members)
        if ir is None:
            warnings.append("no EU sourcing in the study's inputs: EC fallback")
            if not np.isin(np.asarray(gs.iso3), members).any():
                ir = Param.of(
                    "import_reliance", 1.0, 1.0, 1.0, "fraction", "no EU member in it", False
                )
            else:
                ir = param("import_reliance", commodity)
        prm = {k: param(k, commodity) for k in ("eol_rir", "si_sr", "economic_vulnerability")}
        st = Stage(
            commodity=commodity,
            stage=stage,
            year=WGI_YEARS[1],
            measure=None,
            product=None,
            global_supply=gs,
            imports=None,
            members=members,
            import_reliance=ir,
            params=prm,
            global_basis="production",
            warnings=warnings,
            domestic="own_governance",
            sourcing=None if src is None else src[0],
            sourcing_t={} if src is None else src[1],
        )
        out.append((st, t_global))
    return out


def method_check(
    commodities: Sequence[str] | None = None, store: Store | None = None
) -> pd.DataFrame:
    """critmin's EU formula on the study's own published inputs (an arithmetic check).

    Global supply and EU sourcing shares and t from Appendix 7; WGI 2016-2020 (the study's
    window) from the store; EoL-RIR critmin's cited value or placeholder, SI_SR the
    placeholder and IR bounded by the study's EU sourcing (the study publishes neither IR
    nor SI_SR). Each stage goes through :func:`critmin.risk.engine.evaluate` and the
    higher stage is kept (:func:`critmin.risk.uncertainty.combine_stages`), as in
    ``supply_risk(..., method="eu")``.

    Parameters
    ----------
    commodities : sequence of str, optional
        Commodities (default: the 51 in the bundled table).

    Returns
    -------
    pandas.DataFrame
        One row per commodity: ``commodity``, ``value`` (SR, 0-10), ``stage``,
        ``value_ir_low`` and ``value_ir_high`` (SR with IR at the ends of its range),
        ``import_reliance``, ``eol_rir``, ``si_sr``, ``inputs_missing`` (what the study
        does not publish and critmin supplied) and ``warnings``.
    """
    from critmin.risk import inputs
    from critmin.risk.engine import evaluate
    from critmin.risk.uncertainty import combine_stages

    data = inputs.load(store)
    members = inputs.importer_members("EU27", data)[1]
    cids = sorted(set(table()["commodity"])) if commodities is None else list(commodities)
    built = {c: _check_stages(c, members) for c in cids}
    codes = sorted(
        {x for sl in built.values() for s, _ in sl for x in s.global_supply.iso3}
        | {x for sl in built.values() for s, _ in sl if s.sourcing for x in s.sourcing.iso3}
    )
    span = WGI_YEARS[1] - WGI_YEARS[0] + 1
    gov = inputs.governance(data, WGI_YEARS[1], span, codes)
    rows = []
    for c, sl in built.items():
        if not sl:
            continue
        vals: dict[str, list[np.ndarray]] = {"mid": [], "low": [], "high": []}
        for s, tg in sl:
            vals["mid"].append(evaluate(s, gov, 1, None, None, None, tg)["eu"])
            ir = s.import_reliance
            for k, b in (("low", ir.low), ("high", ir.high)):
                x = ir.central() if b is None else float(b)
                sk = copy.copy(s)
                sk.import_reliance = Param.of("import_reliance", x, x, x, "fraction", "", False)
                vals[k].append(evaluate(sk, gov, 1, None, None, None, tg)["eu"])
        v, idx = combine_stages(vals["mid"], "eu")
        s = sl[int(idx[0])][0]
        missing = ["si_sr (placeholder)", "import_reliance (bounded by EU sourcing)"]
        if s.params["eol_rir"].default:
            missing.append("eol_rir (placeholder)")
        if s.sourcing is None:
            missing[1] = f"eu_sourcing (EC fallback), import_reliance ({s.import_reliance.source})"
        rows.append(
            {
                "commodity": c,
                "value": float(v[0]),
                "stage": s.stage,
                "value_ir_low": float(combine_stages(vals["low"], "eu")[0][0]),
                "value_ir_high": float(combine_stages(vals["high"], "eu")[0][0]),
                "import_reliance": s.import_reliance.central(),
                "eol_rir": s.params["eol_rir"].value,
                "si_sr": s.params["si_sr"].value,
                "inputs_missing": missing,
                "warnings": sorted({w for x, _ in sl for w in x.warnings}),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs.update(wgi_years=gov.years, wgi_imputed=gov.imputed, source=CITATION)
    return out
