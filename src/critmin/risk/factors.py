"""Per-country factor rows of :func:`critmin.risk.explain` (pure, no store access)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from critmin.risk import methods as m
from critmin.risk.config import Governance, Stage

__all__ = ["country_rows"]


def country_rows(
    stage: Stage, gov: Governance, method: str, trade_factors: Mapping[str, float] | None
) -> list[dict[str, Any]]:
    """Per-country factor rows of one stage (shares, WGI, trade factors, contributions)."""
    from critmin.risk.engine import trade_factors as tfs

    gs = stage.global_supply
    s = gs.shares()
    gi = gov.index(gs.iso3)
    w = m.wgi_scaled(gov.mean[gi])
    t = tfs(gs.iso3, stage.members, trade_factors)
    users = {k.upper() for k in (trade_factors or {})}
    for j, c in enumerate(gs.iso3):
        if c in stage.restrictions and c not in users:
            t[j] = stage.restrictions[c].value
    wgi_src = f"worldbank_wgi {gov.years[0]}-{gov.years[1]} (mean of 6 dimensions)"
    rows: list[dict[str, Any]] = []
    unit_s = (
        "fraction of global supply"
        if stage.global_basis == "production"
        else "fraction of world exports"
    )
    for i in np.argsort(-s):
        if s[i] <= 0:
            continue
        c = gs.iso3[i]
        imp = " (WGI imputed: median)" if c in gov.imputed else ""
        rows.append(
            {
                "factor": "global_share",
                "iso3": c,
                "value": s[i],
                "unit": unit_s,
                "source": f"{gs.source[i]} [{gs.qualifier[i]}]",
            }
        )
        if method in ("eu", "eu2020"):
            rows.append(
                {
                    "factor": "wgi_scaled",
                    "iso3": c,
                    "value": w[i],
                    "unit": "0-10",
                    "source": wgi_src + imp,
                }
            )
            rows.append(
                {
                    "factor": "trade_factor",
                    "iso3": c,
                    "value": t[i],
                    "unit": "dimensionless",
                    "source": "user"
                    if c in users
                    else (
                        stage.restrictions[c].source
                        if c in stage.restrictions
                        else "parameters.yaml trade_factor (EC 2017 guidelines)"
                    ),
                }
            )
            rows.append(
                {
                    "factor": "contribution_global",
                    "iso3": c,
                    "value": s[i] ** 2 * w[i] * t[i],
                    "unit": "0-10",
                    "source": "S^2 x WGI_scaled x t",
                }
            )
        elif method == "usgs":
            rows.append(
                {
                    "factor": "governance_0_1",
                    "iso3": c,
                    "value": w[i] / 10,
                    "unit": "0-1",
                    "source": wgi_src + imp,
                }
            )
            rows.append(
                {
                    "factor": "contribution_dp",
                    "iso3": c,
                    "value": s[i] ** 2 * w[i] / 10,
                    "unit": "0-1",
                    "source": "s^2 x g",
                }
            )
    if method in ("eu", "eu2020") and stage.sourcing is not None:
        sup = stage.sourcing
        sh = sup.shares()
        ws = m.wgi_scaled(gov.mean[gov.index(sup.iso3)])
        for i in np.argsort(-sh)[:15]:
            rows += [
                {
                    "factor": "sourcing_share",
                    "iso3": sup.iso3[i],
                    "value": sh[i],
                    "unit": "fraction of EU sourcing (domestic and imports)",
                    "source": sup.source[i],
                },
                {
                    "factor": "wgi_scaled",
                    "iso3": sup.iso3[i],
                    "value": ws[i],
                    "unit": "0-10",
                    "source": wgi_src,
                },
            ]
        return rows
    if method in ("geopolrisk",) or (method in ("eu", "eu2020") and stage.imports is not None):
        if stage.imports is not None:
            imp_sup = stage.imports
            sh = imp_sup.shares()
            codes, srcs = imp_sup.iso3, imp_sup.source
        else:
            mem = np.isin(np.asarray(gs.iso3), stage.members)
            f = np.where(mem, 0.0, s)
            sh = f / f.sum() if f.sum() > 0 else f
            codes, srcs = gs.iso3, gs.source
        ii = gov.index(codes)
        pi = m.political_instability(gov.pv[ii])
        ws = m.wgi_scaled(gov.mean[ii])
        for i in np.argsort(-sh)[:15]:
            if sh[i] <= 0:
                continue
            rows.append(
                {
                    "factor": "import_share",
                    "iso3": codes[i],
                    "value": sh[i],
                    "unit": "fraction of imports from outside the importer",
                    "source": srcs[i],
                }
            )
            if method == "geopolrisk":
                rows.append(
                    {
                        "factor": "political_instability",
                        "iso3": codes[i],
                        "value": pi[i],
                        "unit": "0-1",
                        "source": f"worldbank_wgi PV {gov.years[0]}-{gov.years[1]}",
                    }
                )
            else:
                rows.append(
                    {
                        "factor": "wgi_scaled",
                        "iso3": codes[i],
                        "value": ws[i],
                        "unit": "0-10",
                        "source": wgi_src,
                    }
                )
                if codes[i] in stage.partners and codes[i] not in users:
                    rows.append(
                        {
                            "factor": "trade_factor_sourcing",
                            "iso3": codes[i],
                            "value": 0.8,
                            "unit": "dimensionless",
                            "source": stage.partners[codes[i]],
                        }
                    )
    return rows
