"""Assemble supply-risk inputs from the store (the only risk module that reads it).

Production shares come from the observations table (latest edition per table), import
shares from the CEPII BACI extract (``trade``), governance from the WGI table. The
store is imported lazily, inside :func:`load`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from critmin.errors import DataNotFoundError, UnknownCountryError, ValidationError
from critmin.risk.config import (
    Governance,
    Param,
    Stage,
    Supply,
    agreement_partners,
    agreements_applied,
    mapping,
    param,
    parameters,
    restrictions,
)

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["RiskData", "governance", "importer_members", "load", "stages"]

_OBS_COLUMNS = (
    "commodity",
    "measure",
    "product",
    "iso3",
    "entity_type",
    "year",
    "value",
    "qualifier",
    "note",
    "edition",
    "source_id",
    "source_row",
)
_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")
#: BACI pseudo-codes mapped to a country. "Other Asia, n.e.s." is Taiwan in UN Comtrade/BACI.
_BACI_ALIASES = {"S19": "TWN"}


@dataclass
class RiskData:
    """The tables the risk methods read, loaded once per call."""

    obs: pd.DataFrame
    trade: pd.DataFrame
    wgi: pd.DataFrame
    commodities: pd.DataFrame
    countries: pd.DataFrame

    def __post_init__(self) -> None:
        self._obs = {str(k): g for k, g in self.obs.groupby("commodity", sort=False)}
        self._tables = {
            (str(c), str(m), str(p)): g
            for (c, m, p), g in self.obs.groupby(
                ["commodity", "measure", self.obs["product"].fillna("")], sort=False
            )
        }
        self._trade = {
            (str(h), int(y)): g for (h, y), g in self.trade.groupby(["hs6", "year"], sort=False)
        }
        self.trade_years = sorted(int(y) for y in self.trade["year"].unique())

    def cached_stages(self, key: Any) -> list[Stage] | None:
        """Stages assembled earlier for the same arguments (see :func:`stages`)."""
        cache: dict[Any, list[Stage]] = self.__dict__.setdefault("_stages", {})
        return cache.get(key)

    def store_stages(self, key: Any, value: list[Stage]) -> None:
        """Remember assembled stages."""
        self.__dict__.setdefault("_stages", {})[key] = value

    def commodity_obs(self, cid: str) -> pd.DataFrame:
        """Observations of one commodity (empty frame when none)."""
        return self._obs.get(cid, self.obs.iloc[0:0])

    def table(self, cid: str, measure: str, product: str) -> pd.DataFrame:
        """Observations of one commodity, measure and product (empty frame when none)."""
        return self._tables.get((cid, measure, product or ""), self.obs.iloc[0:0])

    def flows(self, hs6: str, year: int) -> pd.DataFrame:
        """Trade rows of one HS6 code and year (empty frame when none)."""
        return self._trade.get((hs6, year), self.trade.iloc[0:0])


_CACHE: dict[tuple[str, str, int], RiskData] = {}


def load(store: Store | None = None) -> RiskData:
    """Read observations (latest editions), trade, WGI, commodities and countries.

    The result is cached per store file, dataset fingerprint and number of user rows,
    so a user import invalidates it.
    """
    if store is None:
        from critmin.data.store import get_store

        store = get_store()
    n_user = store.user_observation_count()
    key = (str(store.path), str(store.fingerprint), n_user)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = _read(store)
    return _CACHE[key]


def _read(store: Store) -> RiskData:
    obs = _plain(store.observations())
    obs = obs[
        obs["measure"].isin(
            [
                "mine_production",
                "refinery_production",
                "primary_production",
                "plant_production",
                "production",
                "net_import_reliance",
            ]
        )
    ].reset_index(drop=True)
    # only the columns the methods read (row selection on a narrow frame is much faster)
    obs = obs[[c for c in _OBS_COLUMNS if c in obs.columns]]
    trade = _plain(store.trade())
    trade = trade.assign(
        exporter=trade["exporter"].replace(_BACI_ALIASES),
        importer=trade["importer"].replace(_BACI_ALIASES),
    )
    return RiskData(
        obs, trade, _plain(store.governance()), store.commodities(), _plain(store.countries())
    )


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed string columns as plain objects (much faster row selection)."""
    for c in df.columns:
        if isinstance(df[c].dtype, pd.StringDtype):
            df[c] = df[c].astype(object)
    return df


def importer_members(importer: str | Sequence[str], data: RiskData) -> tuple[str, list[str]]:
    """Label and ISO3 members of an importer: a group (EU27, OECD, G7), a country, or a list.

    A string with commas (``"USA,JPN"``) or a sequence is a custom group.
    """
    from critmin.data.names import country

    items = (
        [s.strip() for s in importer.split(",")] if isinstance(importer, str) else list(importer)
    )
    items = [s for s in items if s]
    if not items:
        raise ValidationError("importer is empty")
    codes = set(data.countries["iso3"])
    members: list[str] = []
    for it in items:
        try:  # the one resolver: codes, names, aliases ("DRC", "UK"), groups ("EU27", "EU")
            hit = country(it)
        except UnknownCountryError:
            if it.upper() not in codes or it.upper() in ("WLD", "OTH", "XAG"):
                raise
            members.append(it.upper())
            continue
        if hit.kind == "aggregate":
            raise ValidationError(f"{it!r} ({hit.id}) is an aggregate, not an importer")
        members += list(hit.members) if hit.kind == "group" else [hit.id]
    label = items[0].upper() if len(items) == 1 else ",".join(i.upper() for i in items)
    return label, sorted(set(members))


def governance(data: RiskData, year: int, window: int, extra: Sequence[str] = ()) -> Governance:
    """Mean WGI (six dimensions) and PV over ``window`` years ending at min(year, last WGI year).

    Countries in ``extra`` without WGI get the median of all countries (listed in ``imputed``).
    """
    w = data.wgi
    last = int(min(year, int(w["year"].max())))
    first = last - max(int(window), 1) + 1
    sub = w[(w["year"] >= first) & (w["year"] <= last)]
    if sub.empty:
        raise DataNotFoundError(f"no WGI data for {first}-{last}")
    by = sub.groupby(["iso3", "dimension"]).agg(est=("estimate", "mean"), se=("std_error", "mean"))
    est = by["est"].unstack("dimension")
    se = by["se"].unstack("dimension")
    full = est.dropna()
    mean = full.mean(axis=1)
    mean_se = np.sqrt((se.loc[full.index] ** 2).sum(axis=1)) / 6.0
    pv = est.loc[full.index, "PV"]
    pv_se = se.loc[full.index, "PV"]
    iso = list(full.index)
    missing = sorted({c for c in extra if c not in set(iso)})
    m = np.concatenate([mean.to_numpy(float), np.full(len(missing), float(mean.median()))])
    ms = np.concatenate(
        [mean_se.to_numpy(float), np.full(len(missing), float(mean_se.median()) * 2)]
    )
    p = np.concatenate([pv.to_numpy(float), np.full(len(missing), float(pv.median()))])
    ps = np.concatenate([pv_se.to_numpy(float), np.full(len(missing), float(pv_se.median()) * 2)])
    return Governance(iso + missing, m, ms, p, ps, (first, last), missing)


def _stage_specs(cid: str, data: RiskData) -> list[dict[str, Any]]:
    spec = (mapping().get("commodities") or {}).get(cid)
    if spec:
        return [dict(s) for s in spec]
    row = data.commodities[data.commodities["commodity"] == cid]
    if row.empty:
        raise DataNotFoundError(f"no commodity {cid!r}")
    measure = row["primary_measure"].iloc[0]
    if measure is None or measure != measure:
        return []
    stage = "extraction" if measure == "mine_production" else "processing"
    return [
        {"stage": stage, "measure": str(measure), "product": row["primary_product"].iloc[0] or ""}
    ]


def _production(
    cid: str, spec: dict[str, Any], year: int | None, data: RiskData
) -> tuple[Supply, int, str] | None:
    measure = spec["measure"]
    product = spec.get("product")
    if product is None:
        row = data.commodities[data.commodities["commodity"] == cid]
        same = not row.empty and row["primary_measure"].iloc[0] == measure
        product = (row["primary_product"].iloc[0] or "") if same else ""
    t = data.table(cid, measure, product)
    # row selection on NumPy masks: pandas boolean indexing of these small tables was the
    # largest cost of assembling the inputs (same rows, same order)
    user = np.array([isinstance(e, str) and e.startswith("user:") for e in t["edition"]], bool)
    qual = t["qualifier"].to_numpy(object)
    ent = t["entity_type"].to_numpy(object)
    yrs = t["year"].to_numpy(float)
    is_valued = np.isin(qual, _VALUED)
    is_country = ent == "country"
    base = ~user if (~user).any() else np.ones(len(t), bool)
    valued = base & is_valued & is_country
    pool = valued if valued.any() else base & is_country
    if year is not None:
        pool = pool & (yrs <= year)
    if not pool.any():
        return None
    y = int(np.nanmax(yrs[pool]))
    in_y = yrs == y
    rows = t[in_y & is_country & (qual != "included_elsewhere")]
    rows = rows.drop_duplicates("iso3").sort_values("iso3")
    val = np.where(rows["qualifier"].isin(_VALUED), rows["value"].to_numpy(float), np.nan)
    val = np.where(rows["qualifier"] == "negligible", 0.0, val)
    values = t["value"].to_numpy(float)
    oth = np.nansum(values[in_y & (ent == "other") & is_valued])
    wld = values[in_y & (ent == "world") & is_valued]
    listed = float(np.nansum(val) + oth)
    gap = float(wld[0]) - listed if len(wld) else 0.0
    pos = val[np.isfinite(val) & (val > 0)]
    bound = gap if gap > 0 else (float(np.median(pos)) if len(pos) else 0.0)
    if not np.isfinite(val).any() or np.nansum(val) <= 0:
        return None
    src = [
        f"{s}#{int(r)} ({e})" if r == r else f"{s} ({e})"
        for s, r, e in zip(rows["source_id"], rows["source_row"], rows["edition"], strict=True)
    ]
    eds = ",".join(sorted(set(rows["edition"].dropna())))
    basis = f"{measure}{' (' + product + ')' if product else ''} {y}, {eds}"
    supply = Supply(
        list(rows["iso3"]), val, list(rows["qualifier"]), src, float(oth), bound, "t", basis
    )
    return supply, y, product


def _share_fact(fact: Mapping[str, Any], year: int | None) -> tuple[Supply, int, str] | None:
    """Global supply from a sourced country share (``mapping.yaml`` ``share_fact``)."""
    y = int(fact["year"])
    if year is not None and y > year:
        return None
    shares = {str(k): float(v) for k, v in fact["shares"].items()}
    codes = sorted(shares)
    q = np.array([shares[c] for c in codes])
    if not (0 < q.sum() <= 1):
        raise ValidationError(f"share_fact shares must sum to (0, 1], not {q.sum()}")
    src = str(fact["source"])
    basis = ", ".join(f"{c} {shares[c]:.0%}" for c in codes) + f" of world production {y} ({src})"
    return (
        Supply(
            codes,
            q,
            ["estimated"] * len(codes),
            [src] * len(codes),
            1.0 - q.sum(),
            0.0,
            "fraction",
            basis,
        ),
        y,
        "",
    )


def _trade_year(year: int, data: RiskData) -> int:
    ys = data.trade_years
    before = [y for y in ys if y <= year]
    return before[-1] if before else ys[0]


def _flows(
    data: RiskData, hs6: str, ty: int, exporter_out: set[str] | None, importers: set[str] | None
) -> pd.DataFrame:
    t = data.flows(hs6, ty)
    if importers is not None:
        t = t[t["importer"].isin(importers)]
    if exporter_out is not None:
        t = t[~t["exporter"].isin(exporter_out)]
    return t.groupby("exporter", as_index=False)["value_usd"].sum()


def _trade_supply(df: pd.DataFrame, basis: str, hs6: str, ty: int) -> Supply | None:
    df = df[df["value_usd"] > 0].sort_values("value_usd", ascending=False)
    if df.empty:
        return None
    n = len(df)
    return Supply(
        list(df["exporter"]),
        df["value_usd"].to_numpy(float),
        ["reported"] * n,
        [f"cepii_baci hs6={hs6} {ty} exporter={e}" for e in df["exporter"]],
        0.0,
        0.0,
        "USD",
        basis,
    )


def _nir_usa(cid: str, year: int, data: RiskData) -> Param | None:
    o = data.commodity_obs(cid)
    t = o[(o["measure"] == "net_import_reliance") & (o["iso3"] == "USA")]
    t = t[t["year"] <= year] if (t["year"] <= year).any() else t
    if t.empty:
        return None
    y = int(t["year"].max())
    t = t[t["year"] == y]
    unit = "fraction"
    if (t["qualifier"] == "qualitative").all() and t["note"].fillna("").str.contains(
        "exporter"
    ).any():
        r = t.iloc[0]
        return Param.of(
            "import_reliance",
            0.0,
            0.0,
            0.0,
            unit,
            f"{r['source_id']}#{r['source_row']} {y}: net exporter",
            False,
        )
    v = t[t["qualifier"].isin(_VALUED)]
    if v.empty:
        return None
    r = v.loc[v["value"].idxmax()]
    x = float(r["value"]) / 100.0
    x = min(max(x, 0.0), 1.0)
    lo, hi = x, x
    if r["qualifier"] == "lower_bound":
        hi = 1.0
    elif r["qualifier"] == "upper_bound":
        lo = 0.0
    many = f", max of {len(v)} products" if len(v) > 1 else ""
    bound = (
        f"; point = centre of [{lo:g}, {hi:g}]"
        if r["qualifier"] in ("lower_bound", "upper_bound")
        else ""
    )
    src = f"{r['source_id']}#{r['source_row']} USGS NIR {y} ({r['qualifier']}{many}{bound})"
    return Param.of("import_reliance", (lo + hi) / 2.0, lo, hi, unit, src, False)


def stages(
    commodity: str,
    members: Sequence[str],
    data: RiskData,
    year: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    domestic: str = "own_governance",
) -> list[Stage]:
    """The assessed stages of a commodity from an importer's point of view.

    Parameters
    ----------
    commodity : str
        Canonical id.
    members : sequence of str
        ISO3 codes of the importer.
    year : int, optional
        Latest year of production figures to use (default: latest with data).
    overrides : mapping, optional
        User parameters (see :func:`critmin.risk.config.param`).
    domestic : str
        ``own_governance`` or ``secure`` (see ``parameters.yaml`` ``domestic_supply``).

    Returns
    -------
    list of Stage
        Empty when the commodity has no usable supply data.
    """
    if domestic not in ("own_governance", "secure"):
        raise ValidationError(f"domestic must be own_governance or secure, not {domestic!r}")
    key = (
        commodity,
        tuple(sorted(set(members))),
        year,
        repr(sorted((overrides or {}).items())),
        domestic,
    )
    hit = data.cached_stages(key)
    if hit is not None:
        return copy.deepcopy(hit)
    out = _assemble(commodity, members, data, year, overrides, domestic)
    data.store_stages(key, out)
    return copy.deepcopy(out)


def _assemble(
    commodity: str,
    members: Sequence[str],
    data: RiskData,
    year: int | None,
    overrides: Mapping[str, Any] | None,
    domestic: str = "own_governance",
) -> list[Stage]:
    mem = set(members)
    out: list[Stage] = []
    codes = mapping().get("hs6") or {}
    for spec in _stage_specs(commodity, data):
        warnings: list[str] = []
        hs6 = str(spec["hs6"]) if "hs6" in spec else None
        prod = _production(commodity, spec, year, data) if "measure" in spec else None
        if prod is None and "share_fact" in spec:
            prod = _share_fact(spec["share_fact"], year)
            if prod is not None:
                warnings.append(
                    "every producer withheld in the production table: global supply from a "
                    "sourced share (" + prod[0].basis + "); the remainder counts as many small "
                    "producers"
                )
        if prod is None and hs6 is None:
            continue
        if prod is not None:
            gsup, y, product = prod
            basis = "production"
            if any(
                q in ("withheld", "not_available") and v != v
                for q, v in zip(gsup.qualifier, gsup.quantity, strict=True)
            ):
                warnings.append(
                    "some producers withheld: at B/2 in point values, drawn in [0, B] in the Monte Carlo"
                )
        else:
            assert hs6 is not None
            y = year if year is not None else int(data.trade["year"].max())
            ty0 = _trade_year(y, data)
            world = _trade_supply(
                _flows(data, hs6, ty0, None, None), f"world exports hs6={hs6} {ty0}", hs6, ty0
            )
            if world is None:
                continue
            gsup, product, basis = world, "", "world exports"
            y = ty0
            warnings.append(
                f"no {spec['stage']} production table: global supply shares are world export shares of HS {hs6} (stand-in; re-exports count)"
            )
        imports = None
        ty = None
        exports_out = 0.0
        imports_in = 0.0
        if hs6 is not None:
            ty = _trade_year(y, data)
            imp = _flows(data, hs6, ty, mem, mem)
            imports = _trade_supply(
                imp, f"imports hs6={hs6} {ty} from outside the importer", hs6, ty
            )
            imports_in = float(imp["value_usd"].sum())
            t = data.flows(hs6, ty)
            ex = t[t["exporter"].isin(mem) & ~t["importer"].isin(mem)]
            exports_out = float(ex["value_usd"].sum())
            pools = codes.get(hs6, {}).get("pools")
            if pools:
                warnings.append(
                    f"HS {hs6} pools several products ({', '.join(pools)}): import shares are those of the pooled code"
                )
            if codes.get(hs6, {}).get("note"):
                warnings.append(f"HS {hs6}: {codes[hs6]['note']}")
            if imports is None:
                warnings.append(f"no imports of HS {hs6} in {ty}: sourcing from production shares")
        # import reliance
        ir: Param | None = None
        if mem == {"USA"}:
            ir = _nir_usa(commodity, y, data)
        pooled = hs6 is not None and bool(codes.get(hs6, {}).get("pools"))
        if ir is None and hs6 is not None and not pooled and exports_out >= imports_in > 0:
            ir = Param.of(
                "import_reliance",
                0.0,
                0.0,
                0.0,
                "fraction",
                f"cepii_baci hs6={hs6} {ty}: net exporter (exports {exports_out:,.0f} >= imports {imports_in:,.0f} USD)",
                False,
            )
        if ir is None and basis == "production":
            dom = [
                (c, q)
                for c, q, ql in zip(gsup.iso3, gsup.quantity, gsup.qualifier, strict=True)
                if c in mem and (q > 0 or ql == "withheld")
            ]
            if not dom:
                ir = Param.of(
                    "import_reliance",
                    1.0,
                    1.0,
                    1.0,
                    "fraction",
                    f"no domestic production in {gsup.basis}",
                    False,
                )
        if ir is None:
            ir = param("import_reliance", commodity, overrides)
        alt_imports = None
        if pooled and imports is not None and basis == "production":
            alt_imports, imports = imports, None
            warnings.append(
                f"HS {hs6} is pooled: central sourcing uses the EC fallback (foreign production "
                "shares); the pooled import shares are a structural alternative"
            )
        prm = {
            k: param(k, commodity, overrides)
            for k in ("eol_rir", "si_sr", "economic_vulnerability")
        }
        out.append(
            Stage(
                commodity=commodity,
                stage=str(spec["stage"]),
                year=int(y),
                measure=spec.get("measure"),
                product=product,
                global_supply=gsup,
                imports=imports,
                members=sorted(mem),
                import_reliance=ir,
                params=prm,
                hs6=hs6,
                trade_year=ty,
                global_basis=basis,
                warnings=warnings,
                restrictions=_restriction_params(commodity, int(y), sorted(mem)),
                domestic=domestic,
                alt_imports=alt_imports,
                partners=(
                    agreement_partners(int(y))
                    if _is_eu27(mem) and agreements_applied(overrides)
                    else {}
                ),
            )
        )
    return out


def _is_eu27(members: set[str]) -> bool:
    from critmin.data.countries import groups

    eu = {k.lower(): v for k, v in groups().items()}.get("eu27")
    return eu is not None and members == set(eu["members"])


def _restriction_params(commodity: str, year: int, members: list[str]) -> dict[str, Param]:
    tf = parameters()["trade_factor"]
    step, cap = float(tf["per_measure"]), float(tf["max"])
    out = {}
    for iso, (n, txt) in restrictions(commodity, year, members).items():
        point = min(1.0 + step * n, cap)
        out[iso] = Param.of(
            "trade_factor",
            point,
            1.0,
            min(1.0 + 2 * step * n, cap),
            "dimensionless",
            f"{n} export restriction(s): " + "; ".join(txt),
            False,
        )
    return out


def wgi_window(override: int | None = None) -> int:
    """Years of WGI averaged (``parameters.yaml`` ``wgi_window``, or the override)."""
    w = int(override if override is not None else parameters()["wgi_window"]["default"])
    if w < 1:
        raise ValidationError("wgi_window must be >= 1")
    return w
