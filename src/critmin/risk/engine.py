"""Evaluate every method for one stage, for a point estimate or a batch of draws.

Pure: takes :class:`~critmin.risk.config.Stage` and
:class:`~critmin.risk.config.Governance` objects and NumPy arrays of governance
draws; no store access.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from critmin.risk import methods as m
from critmin.risk.config import Governance, Stage, parameters

__all__ = ["evaluate", "trade_factors"]

Array = NDArray[np.float64]


def trade_factors(
    codes: list[str], members: list[str], user: Mapping[str, float] | None = None
) -> Array:
    """Trade factor t per country: user value, else 0.8 for importer members, else 1.0."""
    tf = parameters()["trade_factor"]
    user = {k.upper(): float(v) for k, v in (user or {}).items()}
    mem = set(members)
    return np.array(
        [
            user.get(c, float(tf["importer_member"]) if c in mem else float(tf["default"]))
            for c in codes
        ]
    )


def _restricted(
    base: Array,
    codes: list[str],
    stage: Stage,
    rng: np.random.Generator | None,
    n: int,
    user: Mapping[str, float] | None,
) -> Array:
    """Trade factors (n x countries) with documented export restrictions drawn in their range.

    A user value for a country wins over the restriction.
    """
    out = np.broadcast_to(base, (n, len(codes))).copy()
    users = {k.upper() for k in (user or {})}
    pos = {c: i for i, c in enumerate(codes)}
    for iso, prm in stage.restrictions.items():
        if iso in pos and iso not in users:
            out[:, pos[iso]] = prm.draw(rng, n)
    return out


def _partnered(t: Array, codes: list[str], stage: Stage, user: Mapping[str, float] | None) -> Array:
    """Trade factors with the importer's trade-agreement partners at the member value."""
    if not stage.partners:
        return t
    users = {k.upper() for k in (user or {})}
    mask = np.array([c in stage.partners and c not in users for c in codes], dtype=bool)
    if not mask.any():
        return t
    out = np.array(t, dtype=float, copy=True)
    out[..., mask] = float(parameters()["trade_factor"]["importer_member"])
    return out


def _given_sourcing(
    stage: Stage,
    gov: Governance,
    wgi: Array,
    n: int,
    rng: np.random.Generator | None,
    user: Mapping[str, float] | None,
) -> Array:
    """HHI_WGI,t of sourcing shares given whole (``stage.sourcing``), shape (n,).

    Members of the importer are weighted by their own scaled WGI (``own_governance``) or
    by 0 (``secure``); t is the published value of the row (``stage.sourcing_t``), else
    the user's, else the rules (members 0.8, documented restrictions, partners).
    """
    sup = stage.sourcing
    assert sup is not None
    sh = np.broadcast_to(sup.shares(), (n, len(sup.iso3)))
    w = m.wgi_scaled(wgi[:, gov.index(sup.iso3)])
    if stage.domestic != "own_governance":
        w = np.where(np.isin(np.asarray(sup.iso3), stage.members), 0.0, w)
    t = _restricted(trade_factors(sup.iso3, stage.members, user), sup.iso3, stage, rng, n, user)
    t = _partnered(t, sup.iso3, stage, user)
    if stage.sourcing_t:
        pub = np.array([stage.sourcing_t.get(c, np.nan) for c in sup.iso3])
        t = np.where(np.isnan(pub), t, pub)
    out: Array = m.hhi_wgi(sh, w, t)
    return out


def evaluate(
    stage: Stage,
    gov: Governance,
    n: int = 1,
    rng: np.random.Generator | None = None,
    wgi: Array | None = None,
    pv: Array | None = None,
    user_trade_factors: Mapping[str, float] | None = None,
    vary: frozenset[str] = frozenset({"data", "parameters"}),
) -> dict[str, Any]:
    """All indices of one stage.

    Parameters
    ----------
    stage : Stage
        Inputs of one commodity stage.
    gov : Governance
        Country index and central WGI values.
    n : int
        Number of draws (1 with ``rng=None``: the point estimate).
    rng : numpy.random.Generator, optional
        When given, production figures and parameters are drawn (see ``parameters.yaml``).
    wgi, pv : numpy.ndarray, optional
        Drawn mean WGI and PV estimates, shape (n, countries of ``gov``); default the
        central values.
    user_trade_factors : mapping, optional
        ISO3 to trade factor t.
    vary : frozenset of str
        With ``rng``: which inputs are drawn, ``data`` (production qualifiers) and/or
        ``parameters`` (IR, EoL-RIR, SI_SR, EV, restricted trade factors); the others
        stay at their central values (used to attribute the band to its sources).

    Returns
    -------
    dict
        Arrays of shape (n,): ``eu`` (SR, 0-10), ``usgs`` (0-1), ``geopolrisk`` (0-1),
        ``hhi`` (0-10,000), and the factors ``hhi_wgi_global``, ``hhi_wgi_sourcing``,
        ``import_reliance``, ``eol_rir``, ``si_sr``, ``disruption_potential``,
        ``economic_vulnerability``, ``import_hhi``, ``weighted_instability``.
    """
    ucfg = parameters()["uncertainty"]
    wgi = np.broadcast_to(gov.mean, (n, len(gov.iso3))) if wgi is None else wgi
    pv = np.broadcast_to(gov.pv, (n, len(gov.iso3))) if pv is None else pv
    gs = stage.global_supply
    rng_d = rng if "data" in vary else None
    rng_p = rng if "parameters" in vary else None
    if rng_d is None:
        s = np.broadcast_to(gs.shares(), (n, len(gs.iso3)))
    else:
        s = gs.draw_shares(rng_d, n, ucfg)
    gi = gov.index(gs.iso3)
    w_g = m.wgi_scaled(wgi[:, gi])
    t_g = _restricted(
        trade_factors(gs.iso3, stage.members, user_trade_factors),
        gs.iso3,
        stage,
        rng_p,
        n,
        user_trade_factors,
    )
    hhi_gs = m.hhi_wgi(s, w_g, t_g)
    # sourcing side: EU trade-agreement partners at the member value (0.8), unless a user value
    t_gs_src = _partnered(t_g, gs.iso3, stage, user_trade_factors)

    ir = stage.import_reliance.draw(rng_p, n)
    p = {k: v.draw(rng_p, n) for k, v in stage.params.items()}
    mem = np.isin(np.asarray(gs.iso3), stage.members)
    dom = s[:, mem]
    tot = dom.sum(axis=1, keepdims=True)
    d = np.divide(dom, tot, out=np.zeros_like(dom), where=tot > 0)
    # domestic convention: own governance (EU method, t = 0.8) or secure (weight 0)
    w_dom = w_g[:, mem] if stage.domestic == "own_governance" else np.zeros_like(w_g[:, mem])

    if stage.imports is not None:
        imp = stage.imports
        mi = imp.shares()
        mi = mi / mi.sum()
        m_sh = np.broadcast_to(mi, (n, len(imp.iso3)))
        ii = gov.index(imp.iso3)
        src_dom, src_imp = m.sourcing_shares(d, m_sh, ir)
        w_src = np.concatenate([w_dom, m.wgi_scaled(wgi[:, ii])], axis=1)
        t_imp = _restricted(
            trade_factors(imp.iso3, stage.members, user_trade_factors),
            imp.iso3,
            stage,
            rng_p,
            n,
            user_trade_factors,
        )
        t_imp = _partnered(t_imp, imp.iso3, stage, user_trade_factors)
        t_src = np.concatenate([np.broadcast_to(t_g, (n, len(gs.iso3)))[:, mem], t_imp], axis=1)
        hhi_src = m.hhi_wgi(np.concatenate([src_dom, src_imp], axis=1), w_src, t_src)
        pi = m.political_instability(pv[:, ii])
        import_hhi = m.hhi(m_sh)
    else:
        # EC guidelines: without sourcing data, imports are proxied by the foreign part of
        # global supply; the 'other countries' remainder stays in the denominator.
        foreign = s[:, ~mem]
        rest = 1.0 - dom.sum(axis=1, keepdims=True)
        m_sh = np.divide(foreign, rest, out=np.zeros_like(foreign), where=rest > 0)
        src_dom, src_imp = m.sourcing_shares(d, np.clip(m_sh, 0.0, 1.0), ir)
        w_src = np.concatenate([w_dom, w_g[:, ~mem]], axis=1)
        tb = np.broadcast_to(t_gs_src, (n, len(gs.iso3)))
        t_src = np.concatenate([tb[:, mem], tb[:, ~mem]], axis=1)
        hhi_src = m.hhi_wgi(np.concatenate([src_dom, src_imp], axis=1), w_src, t_src)
        pi = m.political_instability(pv[:, gi[~mem]])
        import_hhi = np.full(n, np.nan)

    if stage.sourcing is not None:
        hhi_src = _given_sourcing(stage, gov, wgi, n, rng_p, user_trade_factors)
    eu = m.eu_supply_risk(hhi_gs, hhi_src, ir, p["eol_rir"], p["si_sr"])
    dp = m.usgs_disruption_potential(s, w_g / 10.0)
    usgs = m.usgs_supply_risk(dp, ir, p["economic_vulnerability"])
    h = m.hhi(s)
    wpi = np.sum(m_sh * pi, axis=-1)
    gpr = m.geopolrisk(h / 10_000.0, m_sh, pi, ir)
    return {
        "eu": eu,
        "usgs": usgs,
        "geopolrisk": gpr,
        "hhi": h,
        "hhi_wgi_global": hhi_gs,
        "hhi_wgi_sourcing": hhi_src,
        "import_reliance": ir,
        "eol_rir": p["eol_rir"],
        "si_sr": p["si_sr"],
        "disruption_potential": dp,
        "economic_vulnerability": p["economic_vulnerability"],
        "import_hhi": import_hhi,
        "weighted_instability": wpi,
    }
