"""The public Python API: thin functions over the store and the pure analytics.

Every function returns pandas objects. Quantities are in the canonical unit of the
table (tonnes of contained content for masses); prices in the series' unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from critmin.data.tables import VALUED as _VALUED
from critmin.data.tables import choose_measure as _choose_measure
from critmin.data.tables import commodity_row as _commodity_row_st
from critmin.data.tables import table_records as _table_records
from critmin.errors import DataNotFoundError, UnknownCountryError, ValidationError
from critmin.views import RANK_TABLE

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = [
    "commodities",
    "concentration",
    "country",
    "price",
    "price_change",
    "price_series",
    "production",
    "rank",
    "reserves_to_production",
    "resolve_commodity",
    "resolve_country",
    "revisions",
    "sources",
]


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from critmin.data.store import get_store

    return get_store()


def _commodity_row(commodity: str, store: Store) -> dict[str, Any]:
    return _commodity_row_st(resolve_commodity(commodity), store)


def table_records(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One table as row dicts and its key (the default-table policy of :mod:`critmin.data.tables`).

    When the name sits inside another table (``"hafnium"`` -> zirconium), the key's
    ``name_note`` says so.
    """
    from critmin.data.names import commodity as _resolve

    hit = _resolve(commodity)
    rows, key = _table_records(hit.id, year, measure, product, edition, _store(store))
    if hit.note:
        key["name_note"] = hit.note
    return rows, key


def resolve_commodity(name: str) -> str:
    """Canonical commodity id for a name, alias, symbol or sub-commodity (``"Ga"`` -> ``"gallium"``).

    See :func:`critmin.data.names.commodity` for the note of a sub-commodity.
    """
    from critmin.data.names import commodity as _resolve

    return _resolve(name).id


def resolve_country(name: str, store: Store | None = None) -> str:
    """ISO3 code for a country name, ISO2/ISO3 code or alias (``"DRC"``, ``"Viet Nam"``).

    One country is expected: a group (``EU27``) raises :class:`ValidationError`. A code
    the resolver does not know is looked up in the store's countries table.
    """
    return _resolve_country(name, store)[0]


def _resolve_country(name: str, store: Store | None = None) -> tuple[str, str | None]:
    """``(iso3, note)``; the note says how an ambiguous alias was read (``"Korea"``)."""
    from critmin.data.names import country as _resolve

    try:
        hit = _resolve(name, groups=False)
    except UnknownCountryError as exc:
        # an ISO3-shaped code the store knows (a pseudo-code of imported data)
        s = name.strip()
        code = None
        if exc.hint is None and re.fullmatch(r"[A-Za-z]{3}", s):
            code = _store(store).resolve_iso3(s)
        if code is None:
            raise
        return code, None
    return hit.id, hit.note


def _name_notes(meta: dict[str, Any], countries: Iterable[str], st: Store) -> None:
    """Add the notes of the country names used (``"Korea"`` -> KOR) to ``meta['name_note']``."""
    notes = [n for n in (_resolve_country(c, st)[1] for c in countries) if n]
    if notes:
        prev = meta.get("name_note")
        meta["name_note"] = "; ".join([prev, *notes] if prev else notes)


def _table(
    commodity: str,
    year: int | None,
    measure: str | None,
    product: str | None,
    edition: str | None,
    store: Store,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pandas as pd

    from critmin.data.schema import OBSERVATION_COLUMNS

    rows, meta = table_records(commodity, year, measure, product, edition, store)
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS), meta


def commodities(store: Store | None = None) -> pd.DataFrame:
    """Commodities with their primary measure, measures present and default price series."""
    return _store(store).commodities()


def production_records(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    *,
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """:func:`production` as row dicts and the table key (used by the CLI: no pandas import)."""
    from critmin.markets._core import share_records

    table, meta = table_records(commodity, year, measure, product, edition, store)
    if meta.get("not_additive"):  # forms differ between countries: no shares, no ranks
        return [dict(r, share=None, rank=None) for r in table], meta
    ranked = share_records(table)
    seen = {r["iso3"] for r in ranked}
    rest = [dict(r, share=None, rank=None) for r in table if r["iso3"] not in seen]
    return ranked + rest, meta


def production(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    *,
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Production (or any measure) of a commodity by country for one year.

    Parameters
    ----------
    commodity : str
        Name, alias or symbol.
    year : int, optional
        Year; default the latest year with country data. [year]
    measure : str, optional
        Default: the commodity's primary production measure.
    product : str, optional
        Sub-product where a measure has several.
    edition : str, optional
        Edition (``MCS2025``); default the latest that reports the table.

    Returns
    -------
    pandas.DataFrame
        Rows for countries and aggregates with ``value`` in ``unit``, ``share``
        (fraction of the listed countries plus "other countries"), ``rank``,
        ``qualifier``, ``edition`` and ``source_id``. Aggregate rows (``WLD``,
        ``OTH``) are kept and flagged by ``entity_type``.
    """
    import pandas as pd

    from critmin.data.schema import OBSERVATION_COLUMNS

    rows, meta = production_records(
        commodity, year, measure, product=product, edition=edition, store=store
    )
    out = pd.DataFrame(rows, columns=[*OBSERVATION_COLUMNS, "share", "rank"])
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    out["share"] = pd.to_numeric(out["share"], errors="coerce").astype(float)
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype(float)
    out.attrs.update(meta)
    return out


def _check_countries(st: Store, names: list[str]) -> None:
    """Refuse aggregates (World, Other countries...) in a what-if: only countries can be ranked."""
    codes = {n: resolve_country(n, st) for n in names}
    if not codes:
        return
    uniq = sorted(set(codes.values()))
    kinds = {
        str(r["iso3"]): str(r["entity_type"])
        for r in st.records(
            f"SELECT iso3, entity_type FROM countries WHERE iso3 IN ({', '.join('?' for _ in uniq)})",
            uniq,
        )
    }
    for name, code in codes.items():
        if code in ("WLD", "OTH") or kinds.get(code, "country") != "country":
            raise ValidationError(
                f"{name!r} ({code}) is an aggregate, not a country: "
                "a what-if can only add or remove countries"
            )


def rank_records(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    *,
    add: Mapping[str, float | str] | None = None,
    remove: Iterable[str] = (),
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """:func:`rank` as row dicts and the table key (used by the CLI: no pandas import)."""
    from critmin.markets._core import rank_records as _rank

    st = _store(store)
    table, meta = table_records(commodity, year, measure, product, edition, st)
    if meta.get("not_additive"):
        raise ValidationError(
            f"{meta['commodity']} {meta['measure']} {meta['year']} cannot be ranked: "
            f"{meta['not_additive']}"
        )
    add, remove = dict(add or {}), list(remove)
    if (add or remove) and not any(
        r["entity_type"] == "country" and r["qualifier"] in _VALUED for r in table
    ):
        raise DataNotFoundError(
            f"{meta['commodity']} {meta['measure']} {meta['year']} has no country rows with a "
            "known figure (only a world total or withheld figures): a what-if cannot be ranked; "
            "choose a year with country data"
        )
    units = [r["unit"] for r in table if r.get("unit")]
    unit = str(units[0]) if units else "t"
    _check_countries(st, [*add, *remove])
    adds: dict[str, float] = {}
    for k, v in add.items():
        code = resolve_country(k, st)
        if isinstance(v, str):
            from critmin.units import parse_quantity

            q = parse_quantity(v, to_unit=unit)
        else:
            q = float(v)
        adds[code] = adds.get(code, 0.0) + q
    names = st.country_names(list(adds))
    rm = [resolve_country(r, st) for r in remove]
    out = _rank(table, add=adds, remove=rm, names=names)
    for r in out:
        if not r.get("unit"):
            r["unit"] = unit
    meta["assumptions"] = [f"add {q:g} {unit} to {c}" for c, q in adds.items()] + [
        f"remove {c}" for c in rm
    ]
    _name_notes(meta, [*add, *remove], st)
    return out, meta


def rank(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    *,
    add: Mapping[str, float | str] | None = None,
    remove: Iterable[str] = (),
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Producers ranked by output, with what-if additions or removals.

    Parameters
    ----------
    add : mapping, optional
        Country (ISO3 or name) to added quantity: a float in the table's unit
        (tonnes), or a string with a unit (``"15t"``, ``"15000 kg"``). Marked
        ``what_if`` in the output.
    remove : iterable of str
        Countries whose output is set to zero.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``iso3``, ``country``, ``value``, ``unit``, ``share``,
        ``share_before``, ``qualifier``, ``what_if``, ``note``, ``edition``,
        ``source_id``; ``attrs`` holds the table key and the assumptions. Zero
        producers are listed with no rank.

    Raises
    ------
    critmin.errors.ValidationError
        A what-if that adds or removes an aggregate (World, Other countries).
    critmin.errors.DataNotFoundError
        A what-if on a table with no country figure (world total or withheld only).

    Examples
    --------
    >>> critmin.rank("gallium", 2024, add={"KAZ": "15t"})  # doctest: +SKIP
    """
    import pandas as pd

    recs, meta = rank_records(
        commodity,
        year,
        measure,
        add=add,
        remove=remove,
        product=product,
        edition=edition,
        store=store,
    )
    cols = [*RANK_TABLE, "note", "edition", "source_id"]
    out = pd.DataFrame([{c: r.get(c) for c in cols} for r in recs], columns=cols)
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    for c in ("value", "share", "share_before"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["what_if"] = out["what_if"].astype(bool)
    out.attrs.update(meta)
    return out


def concentration(
    commodity: str,
    year: int | None = None,
    measure: str | None = None,
    *,
    product: str | None = None,
    edition: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """HHI (0-10,000), CR1, CR3 and producer counts for one table, as a one-row DataFrame.

    When no country has a known figure (every producer withheld, or a world-only
    table) ``total``, ``hhi``, ``hhi_max``, ``cr1`` and ``cr3`` are NaN, not 0, and
    ``reason`` says why (``None`` otherwise). A ``note`` column appears when the
    default measure is not the commodity's primary one.
    """
    import pandas as pd

    from critmin.markets import concentration as _conc

    st = _store(store)
    t, meta = _table(commodity, year, measure, product, edition, st)
    c = _conc(t)
    reason = c.pop("reason", None)
    if meta.get("not_additive"):
        for k in ("total", "hhi", "hhi_max", "cr1", "cr3"):
            c[k] = None
        c["top_iso3"] = None
        reason = f"not additive: {meta.pop('not_additive')}"
    unit = str(t["unit"].dropna().iloc[0]) if t["unit"].notna().any() else None
    editions = ",".join(sorted(t["edition"].dropna().unique()))
    out = pd.DataFrame([{**meta, **c, "unit": unit, "edition": editions, "reason": reason}])
    for col in ("total", "hhi", "hhi_max", "cr1", "cr3"):
        out[col] = out[col].astype(float)
    return out


def revisions(
    commodity: str, measure: str | None = None, store: Store | None = None
) -> pd.DataFrame:
    """Figures revised between editions (e.g. MCS 2025 -> MCS 2026), and rows that appear or disappear.

    Returns
    -------
    pandas.DataFrame
        One row per (measure, product, iso3) that differs between two editions:
        ``status`` (``revised``, ``qualifier`` when only the qualifier changed,
        ``appeared``, ``disappeared``), ``year`` (the compared year; reserves and
        capacity are compared at each edition's latest year, see ``year_old`` and
        ``year_new``), ``edition_old``, ``value_old``, ``qualifier_old``,
        ``edition_new``, ``value_new``, ``qualifier_new``, ``change`` (new - old, in
        ``unit``), ``change_pct`` and ``note``.
    """
    cid = resolve_commodity(commodity)
    df = _store(store).edition_changes(cid)
    if measure is not None:
        df = df[df["measure"] == measure]
    df = df.rename(columns={"change": "status"})
    df["change"] = df["value_new"] - df["value_old"]
    df["year"] = df["year_new"].fillna(df["year_old"]).astype("Int64")
    first = ["commodity", "measure", "product", "iso3", "country", "status", "year", "unit"]
    return df[first + [c for c in df.columns if c not in first]].reset_index(drop=True)


def sources(store: Store | None = None) -> pd.DataFrame:
    """Sources of the dataset with citation, licence, URL and publication date."""
    return _store(store).sources()


def price_series(commodity: str | None = None, store: Store | None = None) -> pd.DataFrame:
    """Available price series (optionally for one commodity)."""
    df = _store(store).price_series()
    if commodity is not None:
        df = df[df["commodity"] == resolve_commodity(commodity)]
    return df.reset_index(drop=True)


def _resolve_series(name: str, store: Store) -> str:
    ps = store.price_series()
    if name in set(ps["series"]):
        return name
    cid = resolve_commodity(name)
    crow = _commodity_row(cid, store)
    if crow.get("default_price"):
        return str(crow["default_price"])
    cands = ps[ps["commodity"] == cid]["series"].tolist()
    if not cands:
        raise DataNotFoundError(f"no price series for {cid}")
    raise ValidationError(f"{cid} has several price series; choose one of {cands}")


def price(
    series: str,
    start: int | str | None = None,
    end: int | str | None = None,
    *,
    annual: bool = False,
    unit: str | None = None,
    store: Store | None = None,
) -> pd.DataFrame:
    """Price history of a series or of a commodity's default series.

    Parameters
    ----------
    series : str
        Series id (``wb_tin``) or commodity (``tin``).
    start, end : int or str, optional
        First and last year (``2020``) or month (``"2020-01"``).
    annual : bool
        Calendar-year averages of monthly data.
    unit : str, optional
        Convert to this unit (``"USD/t"``, ``"USD/kg"``) with pint.

    Returns
    -------
    pandas.DataFrame
        ``series``, ``period`` (or ``year`` when annual), ``value``, ``unit`` and
        source columns.
    """
    import pandas as pd

    from critmin.markets import annual_average

    st = _store(store)
    sid = _resolve_series(series, st)
    df = st.prices(series=sid)
    if df.empty:
        raise DataNotFoundError(f"no prices for series {sid!r}")
    if start is not None:
        df = df[df["date"] >= pd.Timestamp(str(start))]
    if end is not None:
        e = str(end)
        upper = pd.Timestamp(e) + (
            pd.DateOffset(years=1) if re.fullmatch(r"\d{4}", e) else pd.DateOffset(months=1)
        )
        df = df[df["date"] < upper]
    if df.empty:
        raise DataNotFoundError(f"no prices for {sid} between {start} and {end}")
    if unit is not None and unit != str(df["unit"].iloc[0]):  # same unit: no pint needed
        from critmin.units import factor

        f = factor(str(df["unit"].iloc[0]), unit)
        df = df.assign(value=df["value"] * f, unit=unit)
    if annual:
        out = annual_average(df)
        out.insert(0, "series", sid)
        out["source_id"] = df["source_id"].iloc[0]
        out["edition"] = df["edition"].iloc[0]
        return out
    return df[
        ["series", "period", "value", "unit", "qualifier", "frequency", "edition", "source_id"]
    ].reset_index(drop=True)


def price_change(
    series: str, start: int, end: int, *, annual: bool = True, store: Store | None = None
) -> pd.DataFrame:
    """Ratio, percentage change and CAGR of a price between two years (one-row DataFrame)."""
    import pandas as pd

    from critmin.markets import price_change as _pc

    st = _store(store)
    sid = _resolve_series(series, st)
    res = _pc(st.prices(series=sid), start, end, annual=annual)
    return pd.DataFrame([{"series": sid, **res}])


def country(
    name: str, top: int = 10, year: int | None = None, store: Store | None = None
) -> pd.DataFrame:
    """Commodities where a country ranks in the top ``top`` (default measure of each commodity).

    Uses each commodity's default production measure (the primary one unless another
    has more recent country data, as in :func:`production`) in ``year`` (default:
    the latest year with country data for that commodity), plus reserves.
    """
    import pandas as pd

    from critmin.markets import country_profile

    st = _store(store)
    code, name_note = _resolve_country(name, st)
    com = st.commodities()
    obs = st.observations()
    by_commodity: dict[str, list[dict[str, Any]]] = {}
    for r in obs[
        ["commodity", "measure", "product", "year", "entity_type", "qualifier", "edition"]
    ].to_dict(orient="records"):
        by_commodity.setdefault(str(r["commodity"]), []).append(r)
    parts = []
    for _, c in com.iterrows():
        cobs = obs[obs["commodity"] == c["commodity"]]
        default, prod, _ = _choose_measure(c.to_dict(), by_commodity.get(c["commodity"], []))
        for measure, product in ((default, prod or ""), ("reserves", None)):
            if measure is None:
                continue
            sub = cobs[cobs["measure"] == measure]
            if product is not None:
                sub = sub[sub["product"] == product]
            valued = sub[sub["qualifier"].isin(_VALUED) & (sub["entity_type"] == "country")]
            if valued.empty:
                continue
            y = year if year is not None else int(valued["year"].max())
            parts.append(sub[sub["year"] == y])
    if not parts:
        raise DataNotFoundError("no production data")
    prof = country_profile(pd.concat(parts, ignore_index=True), code, top=top)
    prof.insert(0, "iso3", code)
    if name_note:
        prof.attrs["name_note"] = name_note
    return prof


def reserves_to_production(
    commodity: str, year: int | None = None, store: Store | None = None
) -> pd.DataFrame:
    """Reserve life in years by country: reserves / production of the same year."""
    from critmin.markets import reserves_to_production as _rp

    st = _store(store)
    prod, meta = _table(commodity, year, None, None, None, st)
    res = st.observations(meta["commodity"], "reserves", meta["year"])
    if res.empty:
        res = st.observations(meta["commodity"], "reserves")
        if res.empty:
            raise DataNotFoundError(f"no reserves for {meta['commodity']}")
        res = res[res["year"] == res["year"].max()]
    out = _rp(res, prod)
    out.attrs.update(meta)
    return out
