"""The supply-risk section of the HTML briefing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["brief_section"]


def brief_section(
    importer: str = "EU27",
    commodities: Sequence[str] = ("gallium", "germanium", "antimony", "tin", "copper"),
    draws: int = 500,
    seed: int | None = 0,
    top: int = 10,
    store: Store | None = None,
) -> dict[str, Any]:
    """Ranks of selected commodities by every method, among all assessed commodities.

    Parameters
    ----------
    importer : str
        Importer (country, group or list).
    commodities : sequence of str
        Commodities shown.
    draws, seed : int
        Monte Carlo draws and seed.
    top : int
        N of ``p_top`` (probability of a rank <= N).

    Returns
    -------
    dict
        ``title``, ``table`` (DataFrame: ``commodity``, ``method``, ``rank``, ``value``,
        ``p5``, ``p50``, ``p95``, ``rank_p5``, ``rank_p95``, ``p_top``, ``stage``,
        ``defaults_used``), ``figure`` (plotly), ``caption`` (WGI years, stand-ins,
        draws), ``importer`` and ``n_assessed`` (commodities ranked per method).
    """
    from critmin.data.commodities import resolve
    from critmin.risk.api import supply_risk
    from critmin.risk.plot import rank_figure

    df = supply_risk(importer, "all", draws=draws, seed=seed, top=top, store=store)
    cids = [resolve(c) for c in commodities]
    n = df.groupby("method")["commodity"].size().to_dict()
    sub = df[df["commodity"].isin(cids)].copy()
    sub["_o"] = sub["commodity"].map({c: i for i, c in enumerate(cids)})
    sub = sub.sort_values(["_o", "method"]).drop(columns="_o")
    cols = [
        "commodity",
        "method",
        "rank",
        "value",
        "p5",
        "p50",
        "p95",
        "rank_p5",
        "rank_p95",
        "p_top",
        "stage",
        "defaults_used",
    ]
    table = sub[cols].reset_index(drop=True)
    a = df.attrs
    title = f"Supply risk seen from {a['importer']}: rank among assessed commodities"
    caption = (
        f"Ranks out of {', '.join(f'{k} {v}' for k, v in n.items())} commodities; "
        f"P5-P95 from {draws} Monte Carlo draws (seed {seed}) over WGI standard errors, parameter "
        f"ranges and estimated/withheld production. WGI {a['wgi_years'][0]}-{a['wgi_years'][1]}. "
        "Stand-ins: " + "; ".join(a["stand_ins"]) + "."
    )
    return {
        "title": title,
        "table": table,
        "figure": rank_figure(table, title=title),
        "caption": caption,
        "importer": a["importer"],
        "n_assessed": n,
    }
