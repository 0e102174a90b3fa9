"""Scenario inputs read from the critmin store (the only scenario module that touches it).

- :func:`producers` — baseline output and capacity by country for a commodity.
- :func:`store_price` — one annual price from a store series.
- :func:`trade_shares` — the exporter's destination shares and importers' shares of
  rest-of-world imports (CEPII BACI), with notes on pooled HS codes.
- :func:`host_output` — host-product output by country (alumina, zinc).
- :func:`recovery_capacity` — installed by-product capacity by country.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from critmin.errors import DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = [
    "HS6",
    "host_output",
    "producers",
    "recovery_capacity",
    "store_price",
    "trade_shares",
]

#: HS6 code of each commodity's unwrought metal in the bundled BACI extract, with a
#: warning where the code pools several metals.
HS6: dict[str, tuple[str, str]] = {
    "gallium": (
        "811292",
        "HS 811292 pools unwrought Ga, Ge, Hf, In, Nb, Re and Tl: import shares are a proxy",
    ),
    "germanium": (
        "811292",
        "HS 811292 pools unwrought Ga, Ge, Hf, In, Nb, Re and Tl: import shares are a proxy",
    ),
    "antimony": ("811010", ""),
    "copper": ("740311", ""),
}

_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from critmin.data.store import get_store

    return get_store()


def _primary(commodity: str, st: Store) -> tuple[str, str]:
    rec = st.commodity_record(commodity)
    if rec is None or rec["primary_measure"] is None:
        raise DataNotFoundError(f"{commodity} has no production data in the store")
    return str(rec["primary_measure"]), str(rec["primary_product"] or "")


def _nearest_year(df: pd.DataFrame, year: int) -> int | None:
    valued = df[df["qualifier"].isin(_VALUED) & (df["entity_type"] != "world")]
    if valued.empty:
        return None
    years = sorted(int(y) for y in valued["year"].unique())
    before = [y for y in years if y <= year]
    return before[-1] if before else years[0]


def producers(
    commodity: str, year: int, exporter: str, store: Store | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Baseline output and capacity by country.

    Parameters
    ----------
    commodity : str
        Canonical commodity id.
    year : int
        Baseline year. [year]
    exporter : str
        ISO3 of the country whose market is modelled apart.

    Returns
    -------
    tuple of (pandas.DataFrame, list of str)
        Rows ``iso3``, ``market`` (the exporter's code or ``ROW``), ``production_t``,
        ``capacity_t`` (NaN where the store has none), ``qualifier``, ``source``; and
        notes on what was filled in. Country rows and ``OTH`` (other countries); the
        world total is not summed.
    """
    import pandas as pd

    st = _store(store)
    measure, product = _primary(commodity, st)
    notes: list[str] = []
    prod = st.observations(commodity, measure, product=product)
    if prod.empty:
        raise DataNotFoundError(f"no {measure} data for {commodity}")
    y = _nearest_year(prod, year)
    if y is None:
        raise DataNotFoundError(f"no valued {measure} data for {commodity}")
    if y != year:
        notes.append(f"{commodity} {measure}: no country data for {year}; used {y}")
    p = prod[(prod["year"] == y) & (prod["entity_type"].isin(["country", "other"]))].copy()
    missing = p[~p["qualifier"].isin(_VALUED)]
    for _, r in missing.iterrows():
        notes.append(f"{r['iso3']} {measure} {y} is {r['qualifier']}: counted as 0 t")
    p["production_t"] = p["value"].where(p["qualifier"].isin(_VALUED), 0.0).fillna(0.0)
    src = (
        p["edition"].astype(str)
        + " "
        + p["source_id"].astype(str)
        + " line "
        + p["source_row"].astype(str)
    )
    p["source"] = f"store:{commodity} {measure} {y} (" + src + ")"
    unvalued = ~p["qualifier"].isin(_VALUED)
    p.loc[unvalued, "source"] = (
        p.loc[unvalued, "source"]
        + ": "
        + p.loc[unvalued, "qualifier"].astype(str)
        + ", counted as 0 t"
    )
    out = p[["iso3", "production_t", "qualifier", "source"]].copy()

    cap = st.observations(commodity, "capacity")
    cap_year = _nearest_year(cap, year) if len(cap) else None
    if cap_year is None:
        out["capacity_t"] = float("nan")
        notes.append(f"{commodity}: no capacity in the store; spare capacity must be a parameter")
    else:
        if cap_year != year:
            notes.append(f"{commodity} capacity: none for {year}; used {cap_year}")
        c = cap[(cap["year"] == cap_year) & cap["entity_type"].isin(["country", "other"])]
        c = c[c["qualifier"].isin(_VALUED)][["iso3", "value"]].rename(
            columns={"value": "capacity_t"}
        )
        out = out.merge(c, on="iso3", how="outer")
        out["production_t"] = out["production_t"].fillna(0.0)
        out["qualifier"] = out["qualifier"].fillna("capacity only")
        out["source"] = out["source"].fillna(f"store:{commodity} capacity {cap_year}")
    out["market"] = ["domestic" if c == exporter else "row" for c in out["iso3"]]
    if exporter not in set(out["iso3"]):
        raise DataNotFoundError(f"{exporter} has no {measure} data for {commodity} in {y}")
    return pd.DataFrame(out).sort_values(["market", "iso3"]).reset_index(drop=True), notes


def store_price(series: str, year: int, unit: str, store: Store | None = None) -> tuple[float, str]:
    """Annual price of a store series in ``unit``.

    Returns
    -------
    tuple of (float, str)
        The price [unit] and its source label (``store:usgs_gallium_low_purity 2024 (MCS2025)``).
    """
    from critmin.markets import annual_average
    from critmin.units import factor

    st = _store(store)
    df = st.prices(series=series)
    if df.empty:
        raise DataNotFoundError(f"no price series {series!r} in the store")
    ann = annual_average(df)
    row = ann[ann["year"] == year]
    if row.empty:
        years = sorted(int(y) for y in ann["year"])
        raise DataNotFoundError(f"{series} has no price for {year} (years {years[0]}-{years[-1]})")
    src_unit = str(df["unit"].iloc[0])
    f = 1.0 if src_unit == unit else factor(src_unit, unit)
    edition = str(df["edition"].iloc[0])
    return float(row["value"].iloc[0]) * f, f"store:{series} {year} ({edition})"


def trade_shares(
    commodity: str, exporter: str, year: int, store: Store | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Destination shares of the exporter and import shares of the rest of the world.

    Parameters
    ----------
    commodity : str
        Canonical commodity id (mapped to an HS6 code by :data:`HS6`).
    exporter : str
        ISO3 of the restricting exporter.
    year : int
        Preferred trade year; the latest year <= ``year`` in the extract is used (else
        the earliest). [year]

    Returns
    -------
    tuple
        ``destinations`` (``iso3``, ``share`` of the exporter's exports by value),
        ``importers`` (``iso3``, ``share`` of rest-of-world imports from all partners,
        the exporter itself excluded) and notes. Both empty when the commodity has no
        HS6 mapping or no flows.
    """
    import pandas as pd

    st = _store(store)
    empty = pd.DataFrame({"iso3": pd.Series(dtype=str), "share": pd.Series(dtype=float)})
    if commodity not in HS6:
        return empty, empty.copy(), [f"no HS6 code mapped for {commodity}: no trade shares"]
    hs6, warn = HS6[commodity]
    t = st.trade(hs6=hs6)
    if t.empty:
        return empty, empty.copy(), [f"no BACI flows for HS {hs6}"]
    years = sorted(int(y) for y in t["year"].unique())
    before = [y for y in years if y <= year]
    ty = before[-1] if before else years[0]
    t = t[(t["year"] == ty) & t["importer"].str.fullmatch(r"[A-Z]{3}")]
    notes = [f"trade shares: CEPII BACI HS {hs6}, {ty} (by value)"]
    if warn:
        notes.append(warn)
    ex = t[t["exporter"] == exporter].groupby("importer", as_index=False)["value_usd"].sum()
    dest = pd.DataFrame(
        {"iso3": ex["importer"], "share": ex["value_usd"] / ex["value_usd"].sum()}
    ).sort_values("share", ascending=False)
    imp = t[t["importer"] != exporter].groupby("importer", as_index=False)["value_usd"].sum()
    imps = pd.DataFrame(
        {"iso3": imp["importer"], "share": imp["value_usd"] / imp["value_usd"].sum()}
    ).sort_values("share", ascending=False)
    return dest.reset_index(drop=True), imps.reset_index(drop=True), notes


def host_output(
    host: str, measure: str, year: int | None = None, store: Store | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Host-product output by country (countries only).

    Returns
    -------
    tuple
        ``iso3``, ``country``, ``host_t``, ``qualifier``, ``source``; and metadata
        (``host``, ``measure``, ``year``).
    """
    st = _store(store)
    df = st.observations(host, measure)
    if df.empty:
        raise DataNotFoundError(f"no {measure} data for {host}")
    y = year if year is not None else _nearest_year(df, 9999)
    d = df[(df["year"] == y) & (df["entity_type"] == "country")]
    if d.empty:
        raise DataNotFoundError(f"no {host} {measure} by country in {y}")
    d = d[d["qualifier"].isin(_VALUED)]
    out = d.assign(
        host_t=d["value"],
        source="store:"
        + d["edition"].astype(str)
        + " "
        + d["source_id"].astype(str)
        + " line "
        + d["source_row"].astype(str),
    )[["iso3", "country", "host_t", "qualifier", "source"]]
    return out.reset_index(drop=True), {"host": host, "measure": measure, "year": y}


def recovery_capacity(
    metal: str, year: int, store: Store | None = None
) -> dict[str, tuple[float, str]]:
    """Installed by-product capacity by country from the store (nearest year <= ``year``).

    Returns
    -------
    dict of str to (float, str)
        ISO3 to capacity [t/yr] and source label.
    """
    st = _store(store)
    cap = st.observations(metal, "capacity")
    if cap.empty:
        return {}
    y = _nearest_year(cap, year)
    c = cap[(cap["year"] == y) & (cap["entity_type"] == "country") & cap["qualifier"].isin(_VALUED)]
    return {
        str(r["iso3"]): (float(r["value"]), f"store:{metal} capacity {y} ({r['edition']})")
        for _, r in c.iterrows()
    }
