"""Country profiles and reserve life."""

from __future__ import annotations

import numpy as np
import pandas as pd

from critmin.markets.structure import shares

__all__ = ["country_profile", "reserves_to_production"]


def reserves_to_production(reserves: pd.DataFrame, production: pd.DataFrame) -> pd.DataFrame:
    """Reserve life (reserves / annual production) per country and for the world.

    Parameters
    ----------
    reserves, production : pandas.DataFrame
        Observations with ``iso3``, ``value``, ``qualifier`` (same unit).

    Returns
    -------
    pandas.DataFrame
        ``iso3``, ``country``, ``reserves``, ``production``, ``rp_years`` [years],
        and the qualifiers of both inputs; null where either is unknown or
        production is zero. Countries come first, by reserve life; the aggregate
        rows (other countries, world) after them.

    Notes
    -----
    .. math:: R/P = R / P \\quad [years]
    """
    keep = ["iso3", "country", "value", "qualifier"]
    r = reserves[[c for c in keep if c in reserves.columns]].rename(
        columns={"value": "reserves", "qualifier": "reserves_qualifier"}
    )
    p = production[[c for c in keep if c in production.columns]].rename(
        columns={"value": "production", "qualifier": "production_qualifier", "country": "country_p"}
    )
    m = r.merge(p, on="iso3", how="outer")
    if "country" not in m.columns:
        m["country"] = None
    if "country_p" in m.columns:
        m["country"] = m["country"].fillna(m["country_p"])
        m = m.drop(columns=["country_p"])
    prod = m["production"].astype(float)
    m["rp_years"] = np.where(prod > 0, m["reserves"].astype(float) / prod.where(prod > 0), np.nan)
    # countries by reserve life; aggregates (other countries, world) after them
    m["_agg"] = m["iso3"].isin(("OTH", "WLD")) | m["iso3"].isna()
    m = m.sort_values(["_agg", "rp_years"], ascending=[True, False], na_position="last")
    return m.drop(columns="_agg").reset_index(drop=True)


def country_profile(tables: pd.DataFrame, iso3: str, top: int = 10) -> pd.DataFrame:
    """Commodities where a country ranks in the top ``top``.

    Parameters
    ----------
    tables : pandas.DataFrame
        Observations of many tables; each (commodity, measure, product, year) is
        ranked separately.
    iso3 : str
        Country code.
    top : int
        Rank cut-off.

    Returns
    -------
    pandas.DataFrame
        ``commodity``, ``measure``, ``product``, ``year``, ``rank``, ``value``,
        ``unit``, ``share``, ``qualifier``, ``n_ranked``.
    """
    rows = []
    keys = ["commodity", "measure", "product", "year"]
    for key, g in tables.groupby(keys, sort=True):
        sh = shares(g)
        hit = sh[sh["iso3"] == iso3]
        if hit.empty:
            continue
        h = hit.iloc[0]
        if pd.isna(h["rank"]) or int(h["rank"]) > top:
            continue
        rows.append(
            dict(
                zip(keys, key, strict=True),
                rank=int(h["rank"]),
                value=h["value"],
                unit=h.get("unit"),
                share=h["share"],
                qualifier=h["qualifier"],
                n_ranked=int(sh["rank"].notna().sum()),
            )
        )
    cols = [*keys, "rank", "value", "unit", "share", "qualifier", "n_ranked"]
    return (
        pd.DataFrame(rows, columns=cols).sort_values(["rank", "commodity"]).reset_index(drop=True)
    )
