"""The stage mapping and parameter files, and the data structures the methods consume.

Pure: reads ``mapping.yaml`` and ``parameters.yaml`` from the package and never the store.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from critmin.errors import SpecError, ValidationError
from critmin.params import SourcedParam

__all__ = [
    "Governance",
    "Param",
    "Stage",
    "Supply",
    "agreement_partners",
    "agreements_applied",
    "mapping",
    "param",
    "parameters",
    "restrictions",
]

_PARAM_KEYS = ("eol_rir", "si_sr", "economic_vulnerability", "import_reliance")


def _load(name: str) -> dict[str, Any]:
    import yaml

    text = resources.files("critmin.risk").joinpath(name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise SpecError(name, "top level must be a mapping")
    return data


@functools.lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    """The commodity -> stage -> production table / HS6 mapping (``mapping.yaml``)."""
    data = _load("mapping.yaml")
    codes = data.get("hs6") or {}
    for cid, stages in (data.get("commodities") or {}).items():
        for i, st in enumerate(stages):
            if st.get("stage") not in ("extraction", "processing"):
                raise SpecError(
                    "mapping.yaml",
                    "stage must be extraction or processing",
                    f"commodities.{cid}.{i}.stage",
                )
            if "measure" not in st and "hs6" not in st:
                raise SpecError(
                    "mapping.yaml",
                    "a stage needs a measure or an hs6 code",
                    f"commodities.{cid}.{i}",
                )
            if "hs6" in st and str(st["hs6"]) not in codes:
                raise SpecError(
                    "mapping.yaml",
                    f"hs6 {st['hs6']} is not described under hs6",
                    f"commodities.{cid}.{i}.hs6",
                )
    return data


@functools.lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    """The parameter defaults, ranges and sources (``parameters.yaml``)."""
    data = _load("parameters.yaml")
    for k in _PARAM_KEYS:
        spec = data.get(k)
        if not isinstance(spec, dict) or "default" not in spec or "range" not in spec:
            raise SpecError("parameters.yaml", "needs default and range", k)
        lo, hi = (float(x) for x in spec["range"])
        if not lo <= float(spec["default"]) <= hi:
            raise SpecError("parameters.yaml", "default outside range", k)
    return data


@functools.lru_cache(maxsize=1)
def _restrictions() -> tuple[dict[str, Any], ...]:
    data = _load("export_restrictions.yaml").get("restrictions") or []
    for i, r in enumerate(data):
        for k in ("exporter", "commodities", "measure", "effective", "source"):
            if k not in r:
                raise SpecError("export_restrictions.yaml", f"needs {k}", f"restrictions.{i}")
    return tuple(data)


@functools.lru_cache(maxsize=1)
def _agreements() -> dict[str, Any]:
    data = _load("trade_agreements.yaml")
    srcs = data.get("sources") or {}
    for iso, e in (data.get("partners") or {}).items():
        if e.get("source") not in srcs or "since" not in e:
            raise SpecError("trade_agreements.yaml", "needs since and a known source", iso)
    return data


def agreements_applied(overrides: Mapping[str, Any] | None = None) -> bool:
    """Whether EU trade-agreement partners get t = 0.8 on the EU27's sourcing side.

    Default ``parameters.yaml`` ``trade_factor.agreement_partners`` (false: the 2023 study
    gives partners t = 1, see its ``agreement_partners_source``); a user turns the 2017
    guidelines' reduction on with ``params={"agreement_partners": True}``.
    """
    user = (overrides or {}).get("agreement_partners")
    if user is None:
        return bool(parameters()["trade_factor"].get("agreement_partners", False))
    if not isinstance(user, bool):
        raise ValidationError(f"agreement_partners must be true or false, not {user!r}")
    return user


def agreement_partners(year: int) -> dict[str, str]:
    """EU trade-agreement partners in force in ``year`` (ISO3 to the cited source).

    A partial list (``trade_agreements.yaml``): partners not listed keep t = 1.
    """
    data = _agreements()
    srcs = data["sources"]
    return {
        iso: f"EU trade agreement since {e['since']} ({srcs[e['source']]})"
        for iso, e in (data.get("partners") or {}).items()
        if int(e["since"]) <= year
    }


def restrictions(
    commodity: str, year: int, members: Sequence[str]
) -> dict[str, tuple[int, list[str]]]:
    """Documented export restrictions in force in ``year`` for a commodity and importer.

    Parameters
    ----------
    commodity : str
        Canonical id.
    year : int
        Assessment year; a measure counts when it took effect in or before it.
    members : sequence of str
        ISO3 codes of the importer (a measure aimed at named importers counts only
        when one of them is a member).

    Returns
    -------
    dict
        Exporter ISO3 to (number of measures, their descriptions with sources).
    """
    out: dict[str, tuple[int, list[str]]] = {}
    mem = set(members)
    for r in _restrictions():
        if commodity not in r["commodities"]:
            continue
        if int(str(r["effective"])[:4]) > year:
            continue
        if r.get("to") and not mem & set(r["to"]):
            continue
        if r["exporter"] in mem:
            continue
        n, txt = out.get(r["exporter"], (0, []))
        out[r["exporter"]] = (
            n + 1,
            [*txt, f"{r['measure']}, in force {r['effective']} ({r['source']})"],
        )
    return out


class Param(SourcedParam[float]):
    """One supply-risk factor: a :class:`critmin.params.SourcedParam` with a name.

    Attributes
    ----------
    name : str
        Parameter key (``eol_rir``, ``import_reliance``...).
    value : float
        Point value.
    low, high : float
        Range drawn uniformly in the Monte Carlo (``low == high``: fixed).
    unit : str
        Unit in words.
    source : str
        Where the value comes from (a source row, a file, or ``assumption: ...``).
    default : bool
        True when the value is a default of ``parameters.yaml`` rather than data or
        a user's value.
    """

    name: str
    default: bool = False

    @classmethod
    def of(
        cls,
        name: str,
        value: float,
        low: float,
        high: float,
        unit: str,
        source: str,
        default: bool,
    ) -> Param:
        """A factor with a uniform range ``[low, high]`` (fixed when they are equal)."""
        return cls(
            name=name,
            value=float(value),
            low=float(low),
            high=float(high),
            dist="fixed" if low == high else "uniform",
            unit=unit,
            source=source,
            default=default,
        )

    def draw(self, rng: np.random.Generator | None, n: int) -> NDArray[np.float64]:
        """``n`` values: the point value without ``rng``, uniform draws in the range with it."""
        out: NDArray[np.float64] = self.sample(rng, n)
        return out


def param(name: str, commodity: str, overrides: Mapping[str, Any] | None = None) -> Param:
    """Resolve a parameter for a commodity: user override, then ``by_commodity``, then default.

    Parameters
    ----------
    name : str
        One of ``eol_rir``, ``si_sr``, ``economic_vulnerability``, ``import_reliance``.
    commodity : str
        Canonical commodity id.
    overrides : mapping, optional
        ``{name: value}`` or ``{name: {commodity: value}}``; a user value is fixed
        (no range) and not a default.
    """
    if name not in _PARAM_KEYS:
        raise ValidationError(f"unknown parameter {name!r}; expected one of {list(_PARAM_KEYS)}")
    spec = parameters()[name]
    unit = str(spec.get("unit", ""))
    user = (overrides or {}).get(name)
    if isinstance(user, Mapping):
        user = user.get(commodity)
    if user is not None:
        v = float(user)
        if not 0.0 <= v <= 1.0:
            raise ValidationError(f"{name} must be between 0 and 1, not {v}")
        return Param.of(name, v, v, v, unit, "user parameter", False)
    by = spec.get("by_commodity") or {}
    if commodity in by:
        entry = by[commodity]
        v = float(entry["value"])
        lo, hi = (float(x) for x in entry.get("range", (v, v)))
        return Param.of(name, v, lo, hi, unit, str(entry["source"]), False)
    lo, hi = (float(x) for x in spec["range"])
    return Param.of(name, float(spec["default"]), lo, hi, unit, str(spec["source"]), True)


@dataclass
class Supply:
    """Supply of one stage by country: production (t) or trade (USD).

    Attributes
    ----------
    iso3 : list of str
        Countries (no aggregates).
    quantity : numpy.ndarray
        Quantity per country; NaN where withheld or unknown. [``unit``]
    qualifier : list of str
        Data qualifier per country (``reported``, ``estimated``, ``withheld``...).
    source : list of str
        Source row per country (``usgs_mcs2025#412``, ``cepii_baci 811292 2024``).
    other : float
        The "other countries" remainder, treated as many small producers (it counts
        in the denominator, not in squared-share sums). [``unit``]
    withheld_bound : float
        Upper bound B of a withheld producer for the Monte Carlo. [``unit``]
    unit : str
        ``t`` or ``USD``.
    basis : str
        What the figures are, in words.
    """

    iso3: list[str]
    quantity: NDArray[np.float64]
    qualifier: list[str]
    source: list[str]
    other: float
    withheld_bound: float
    unit: str
    basis: str

    def central_quantity(self) -> NDArray[np.float64]:
        """Central quantities: a withheld producer at B/2 (the mean of its uniform draw), a
        lower bound x at x (1 + spread/2), others as reported. [``unit``]"""
        key = (id(self.quantity), self.withheld_bound, tuple(self.qualifier))
        hit = self.__dict__.get("_central")
        if hit is not None and hit[0] == key:
            return hit[1].copy()
        q = self._central_quantity()
        self.__dict__["_central"] = (key, q)
        return q.copy()

    def _central_quantity(self) -> NDArray[np.float64]:
        q = np.nan_to_num(self.quantity, nan=0.0).astype(float)
        qual = np.asarray(self.qualifier, dtype=object)
        wh = np.isin(qual, ["withheld", "not_available"]) & np.isnan(self.quantity)
        if self.withheld_bound > 0:
            q[wh] = self.withheld_bound / 2.0
        spread = float(parameters()["uncertainty"]["lower_bound_spread"]["default"])
        q[qual == "lower_bound"] *= 1.0 + spread / 2.0
        return q

    def withheld_share(self) -> float:
        """Share of the central total that rests on withheld producers' B/2. [fraction]"""
        q = self.central_quantity()
        total = q.sum() + self.other
        wh = np.isin(np.asarray(self.qualifier, dtype=object), ["withheld", "not_available"])
        wh &= np.isnan(self.quantity)
        return float(q[wh].sum() / total) if total > 0 else 0.0

    def shares(self) -> NDArray[np.float64]:
        """Central shares (see :meth:`central_quantity`). [fraction]"""
        q = self.central_quantity()
        total = q.sum() + self.other
        return q / total if total > 0 else np.zeros_like(q)

    def draw_shares(
        self, rng: np.random.Generator, n: int, cfg: Mapping[str, Any]
    ) -> NDArray[np.float64]:
        """``n`` draws of shares (n x countries) with perturbed qualifiers (see ``parameters.yaml``)."""
        k = len(self.iso3)
        q = np.broadcast_to(np.nan_to_num(self.quantity, nan=0.0), (n, k)).copy()
        qual = np.asarray(self.qualifier, dtype=object)
        est = qual == "estimated"
        if est.any():
            cv = float(cfg["estimated_cv"]["default"])
            sigma = np.sqrt(np.log1p(cv * cv))
            q[:, est] *= rng.lognormal(-0.5 * sigma * sigma, sigma, (n, int(est.sum())))
        lb = qual == "lower_bound"
        if lb.any():
            spread = float(cfg["lower_bound_spread"]["default"])
            q[:, lb] *= rng.uniform(1.0, 1.0 + spread, (n, int(lb.sum())))
        wh = np.isin(qual, ["withheld", "not_available"]) & np.isnan(self.quantity)
        if wh.any() and self.withheld_bound > 0:
            q[:, wh] = rng.uniform(0.0, self.withheld_bound, (n, int(wh.sum())))
        total = q.sum(axis=1, keepdims=True) + self.other
        return np.divide(q, total, out=np.zeros_like(q), where=total > 0)


@dataclass
class Governance:
    """WGI per country over a window of years.

    Attributes
    ----------
    iso3 : list of str
        Countries; the position is the country index used by :class:`Stage`.
    mean : numpy.ndarray
        Mean of the six WGI estimates over the window. [-2.5 to 2.5]
    mean_se : numpy.ndarray
        Standard error of that mean, dimensions taken as independent. [WGI units]
    pv, pv_se : numpy.ndarray
        Political Stability and Absence of Violence estimate and standard error.
    years : tuple of int
        First and last WGI year averaged.
    imputed : list of str
        Countries without WGI, given the median of all countries.
    """

    iso3: list[str]
    mean: NDArray[np.float64]
    mean_se: NDArray[np.float64]
    pv: NDArray[np.float64]
    pv_se: NDArray[np.float64]
    years: tuple[int, int]
    imputed: list[str] = field(default_factory=list)

    def index(self, codes: list[str]) -> NDArray[np.int64]:
        """Positions of ``codes`` (each must be present)."""
        pos = {c: i for i, c in enumerate(self.iso3)}
        return np.array([pos[c] for c in codes], dtype=np.int64)


@dataclass
class Stage:
    """Everything one method needs for one commodity, stage and importer.

    Attributes
    ----------
    commodity, stage : str
        Commodity id and ``extraction`` or ``processing``.
    year : int
        Year of the global-supply figures.
    global_supply : Supply
        Producers (or, without a production table, world exporters).
    imports : Supply or None
        The importer's imports by partner outside the group (USD); None when no HS6
        code maps to the stage (sourcing then falls back to production shares).
    members : list of str
        ISO3 codes of the importer (one country or a group).
    import_reliance : Param
        IR with range and source.
    params : dict of str to Param
        ``eol_rir``, ``si_sr``, ``economic_vulnerability``.
    hs6, trade_year : str or None, int or None
        The mapped code and BACI year used.
    global_basis : str
        ``production`` or ``world exports`` (stand-in).
    warnings : list of str
        Pooled codes, stand-ins, imputed WGI.
    restrictions : dict of str to Param
        Exporter ISO3 to its trade factor t raised for documented export restrictions.
    domestic : str
        ``own_governance`` or ``secure`` (how domestic production enters sourcing).
    alt_imports : Supply or None
        Imports of a pooled HS code, kept as a structural alternative when the stage
        has a production table (the central sourcing is then the EC fallback).
    partners : dict of str to str
        Trade-agreement partners (t = 0.8 on the sourcing side) with their source;
        only for the EU27 as importer.
    sourcing : Supply or None
        EU sourcing shares given whole (domestic members and imports together, e.g. the
        2023 study's Appendix 7, :mod:`critmin.risk.study2023`); when set, the EU method
        uses them for HHI_WGI,t(sourcing) instead of composing domestic production and
        imports. The other methods are unchanged.
    sourcing_t : dict of str to float
        Published trade factor t per sourcing country; wins over the rules and a user value
        on the sourcing side (empty: t from the rules).
    """

    commodity: str
    stage: str
    year: int
    measure: str | None
    product: str | None
    global_supply: Supply
    imports: Supply | None
    members: list[str]
    import_reliance: Param
    params: dict[str, Param]
    hs6: str | None = None
    trade_year: int | None = None
    global_basis: str = "production"
    warnings: list[str] = field(default_factory=list)
    restrictions: dict[str, Param] = field(default_factory=dict)
    domestic: str = "own_governance"
    alt_imports: Supply | None = None
    partners: dict[str, str] = field(default_factory=dict)
    sourcing: Supply | None = None
    sourcing_t: dict[str, float] = field(default_factory=dict)
