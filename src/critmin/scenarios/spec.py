"""Scenario files: YAML validated by pydantic.

A scenario names a commodity, the country whose domestic market is modelled apart
(the ``exporter``), a baseline year, a horizon of monthly or annual periods, a list of
shocks and the model parameters. Every number is a :class:`Param`: a value or a
distribution with a ``unit`` and a ``source``. ``source`` is ``assumption``,
``store:<series or table>`` (read from the critmin store), ``facts:<line>[,<line>...]``
(a row of the bundled copy of the gallium/germanium facts table, see
:func:`bundled_facts`) or a key of the file's ``sources`` block. A plain number is
accepted and labelled an assumption.

Validation errors are :class:`~critmin.errors.SpecError` naming the file and the
field path (``shocks.0.share_allowed``).

Shock types
-----------
``export_restriction``
    ``exporter``, ``destinations`` (``all``, a group ``EU27``/``OECD``/``G7`` or a list
    of ISO3 codes), ``share_allowed`` (fraction of the baseline flow) *or* ``quota_t``
    [t/yr], ``start`` (``YYYY-MM``), ``duration_months`` (default: to the end),
    ``licensing_delay_months`` (no exports in the first months).
``capacity_addition``
    ``country``, ``tonnes_per_year`` [t/yr], ``start``, ``ramp_up_months``.
``outage``
    ``country``, ``share`` of its baseline output lost, ``start``, ``duration_months``.
``demand_growth``
    ``market`` (``domestic`` or ``row``), ``rate`` [1/yr], ``start``.
``stock_release``
    ``market``, ``tonnes`` [t] released evenly over ``duration_months`` from ``start``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from critmin.errors import SpecError
from critmin.params import ASSUMPTION, Source, SourcedParam
from critmin.spec import load_spec as _load_spec
from critmin.spec import parse_spec as _parse_spec

__all__ = [
    "ASSUMPTION",
    "CapacityAddition",
    "DemandGrowth",
    "ExportRestriction",
    "Outage",
    "Param",
    "ScenarioSpec",
    "StockRelease",
    "bundled_facts",
    "load_scenario",
    "month_index",
    "month_label",
    "parse_scenario",
]

_ISO3 = re.compile(r"^[A-Z]{3}$")
_FACTS = re.compile(r"^facts:\s*(\d+(?:\s*,\s*\d+)*)$")


@functools.lru_cache(maxsize=1)
def bundled_facts() -> dict[int, dict[str, Any]]:
    """Rows of the gallium/germanium facts table carried in the package, by line.

    Returns
    -------
    dict of int to dict
        ``line`` (1-based line in ``facts.csv``, header = 1) to ``topic``, ``item``,
        ``date``, ``value``, ``unit``, ``source``, ``url`` and ``note``.
    """
    text = resources.files("critmin.scenarios").joinpath("facts.yaml").read_text("utf-8")
    rows: list[dict[str, Any]] = yaml.safe_load(text)
    return {int(r["line"]): r for r in rows}


def month_index(value: Any) -> int:
    """Months since year 0 for ``2025``, ``"2025-03"`` or a date (``2025-03-01``)."""
    if isinstance(value, _dt.date):
        return value.year * 12 + value.month - 1
    if isinstance(value, int) and not isinstance(value, bool):
        return value * 12
    s = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", s)
    if not m:
        raise ValueError(f"expected a year (2025) or a month (2025-03), got {value!r}")
    month = int(m.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range in {value!r}")
    return int(m.group(1)) * 12 + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` for a month index from :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Param = SourcedParam[float]
"""A scenario number: :class:`critmin.params.SourcedParam` with a float value."""


def _p(value: float, unit: str, note: str, **kw: Any) -> Param:
    return Param(value=value, unit=unit, note=note, **kw)


class _Shock(_Model):
    start: int = Field(description="first month, YYYY-MM")

    @field_validator("start", mode="before")
    @classmethod
    def _month(cls, v: Any) -> int:
        return month_index(v)


def _iso3(v: Any) -> str:
    """ISO3 code of a country code or name, through the one resolver (``"DRC"`` -> COD)."""
    from critmin.data.names import country
    from critmin.errors import UnknownCountryError

    s = str(v).strip()
    try:
        hit = country(s, groups=False)
    except UnknownCountryError as exc:
        if _ISO3.match(s.upper()) and exc.hint is None:
            return s.upper()  # a code the store may hold (imported data)
        raise ValueError(str(exc)) from None
    if hit.kind != "country":
        raise ValueError(f"{v!r} ({hit.id}) is an aggregate, not a country")
    return hit.id


class ExportRestriction(_Shock):
    """The exporter allows only part of its baseline exports to some destinations."""

    type: Literal["export_restriction"]
    exporter: str
    destinations: str | list[str] = "all"
    share_allowed: Param | None = None
    quota_t: Param | None = None
    duration_months: int | None = Field(default=None, ge=1)
    licensing_delay_months: Param = Field(default_factory=lambda: Param(value=0.0, unit="month"))

    @field_validator("exporter", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return _iso3(v)

    @field_validator("destinations", mode="before")
    @classmethod
    def _dest(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [_iso3(x) for x in v]
        s = str(v).strip()
        if s.lower() == "all":
            return "all"
        from critmin.data.countries import group_members
        from critmin.errors import UnknownCountryError

        try:
            group_members(s)
        except UnknownCountryError:
            if _ISO3.match(s.upper()):
                return [s.upper()]
            raise ValueError(
                f"unknown destination {v!r}: use 'all', a group (EU27, OECD, G7) or ISO3 codes"
            ) from None
        return s.upper()

    @field_validator("share_allowed", "licensing_delay_months", "quota_t")
    @classmethod
    def _range(cls, p: Param | None, info: Any) -> Param | None:
        if p is None:
            return p
        lo, hi = _bounds(p)
        if info.field_name == "share_allowed" and (lo < 0 or hi > 1):
            raise ValueError("share_allowed must lie in [0, 1]")
        if lo < 0:
            raise ValueError(f"{info.field_name} must be >= 0")
        return p

    @model_validator(mode="after")
    def _one(self) -> ExportRestriction:
        if (self.share_allowed is None) == (self.quota_t is None):
            raise ValueError("give exactly one of 'share_allowed' and 'quota_t'")
        return self

    def destination_codes(self) -> list[str] | None:
        """ISO3 codes of the destinations; ``None`` for all destinations."""
        if self.destinations == "all":
            return None
        if isinstance(self.destinations, list):
            return list(self.destinations)
        from critmin.data.countries import group_members

        return group_members(self.destinations)


class CapacityAddition(_Shock):
    """New capacity in a country, ramping up linearly over ``ramp_up_months``."""

    type: Literal["capacity_addition"]
    country: str
    tonnes_per_year: Param
    ramp_up_months: int = Field(default=0, ge=0)
    name: str = ""

    @field_validator("country", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return _iso3(v)


class Outage(_Shock):
    """Part of a country's baseline output lost for a while."""

    type: Literal["outage"]
    country: str
    share: Param
    duration_months: int | None = Field(default=None, ge=1)

    @field_validator("country", mode="before")
    @classmethod
    def _code(cls, v: Any) -> str:
        return _iso3(v)


class DemandGrowth(_Model):
    """Demand in one market grows at ``rate`` per year from ``start`` (default: scenario start)."""

    type: Literal["demand_growth"]
    market: Literal["domestic", "row"]
    rate: Param
    start: int | None = None

    @field_validator("start", mode="before")
    @classmethod
    def _month(cls, v: Any) -> int | None:
        return None if v is None else month_index(v)


class StockRelease(_Shock):
    """A stockpile releases ``tonnes`` into a market evenly over ``duration_months``."""

    type: Literal["stock_release"]
    market: Literal["domestic", "row"]
    tonnes: Param
    duration_months: int = Field(default=12, ge=1)


Shock = Annotated[
    ExportRestriction | CapacityAddition | Outage | DemandGrowth | StockRelease,
    Field(discriminator="type"),
]


class PerMarket(_Model):
    """One parameter for each market."""

    domestic: Param
    row: Param


class OptPerMarket(_Model):
    """An optional parameter for each market."""

    domestic: Param | None = None
    row: Param | None = None


def _default_supply() -> PerMarket:
    note = (
        "short-run elasticity of by-product supply; published values behind USGS OFR "
        "2024-1057 not available (PROVENANCE gap)"
    )
    return PerMarket(
        domestic=Param(dist="triangular", low=0.1, mode=0.3, high=0.6, unit="1", note=note),
        row=Param(dist="triangular", low=0.1, mode=0.4, high=1.0, unit="1", note=note),
    )


def _default_demand() -> PerMarket:
    note = "short-run own-price elasticity of demand; not published (PROVENANCE gap)"
    return PerMarket(
        domestic=Param(dist="triangular", low=-0.8, mode=-0.4, high=-0.1, unit="1", note=note),
        row=Param(dist="triangular", low=-0.8, mode=-0.4, high=-0.1, unit="1", note=note),
    )


class Restart(_Model):
    """Idle capacity of one market that restarts once its price passes a threshold.

    ``R = share x (K - S0)`` [t/yr] (capacity minus baseline output; none where the
    capacity is unknown) is decided in the first period whose previous price ratio
    exceeds ``threshold_ratio``, produces nothing for ``lead_months`` and then ramps
    linearly to ``R`` over ``ramp_months``; once decided it runs to the horizon.
    """

    market: Literal["domestic", "row"] = "row"
    share: Param = Field(description="share of the idle capacity that restarts [1]")
    threshold_ratio: Param = Field(description="price / baseline price that triggers it [1]")
    lead_months: Param = Field(description="months from the decision to first output [month]")
    ramp_months: Param = Field(description="months from first to full output [month]")

    @model_validator(mode="after")
    def _ranges(self) -> Restart:
        if not 0.0 <= _bounds(self.share)[0] <= _bounds(self.share)[1] <= 1.0:
            raise ValueError("restart.share must lie in [0, 1]")
        if _bounds(self.threshold_ratio)[0] <= 0:
            raise ValueError("restart.threshold_ratio must be > 0")
        for name, p in (("lead_months", self.lead_months), ("ramp_months", self.ramp_months)):
            if _bounds(p)[0] < 0:
                raise ValueError(f"restart.{name} must be >= 0")
        return self


class Parameters(_Model):
    """Model parameters (see ``docs/scenarios.md`` for their role in the equations)."""

    supply_elasticity: PerMarket = Field(default_factory=_default_supply)
    demand_elasticity: PerMarket = Field(default_factory=_default_demand)
    spare_capacity: OptPerMarket = Field(default_factory=OptPerMarket)
    stocks: OptPerMarket = Field(default_factory=OptPerMarket)
    stock_draw_share: Param = Field(
        default_factory=lambda: _p(
            0.5, "1/yr", "share of remaining stocks that holders release per year at most"
        )
    )
    leakage: Param = Field(
        default_factory=lambda: _p(
            0.0, "1", "share of the restricted flow that still arrives via third countries"
        )
    )
    held_back_stocked: Param = Field(
        default_factory=lambda: _p(
            0.0,
            "1",
            "share of the export flow held back by a restriction that exporters keep in "
            "stock (awaiting licences) or state buyers take, instead of selling it at home",
        )
    )
    secondary_supply: OptPerMarket = Field(
        default_factory=OptPerMarket,
        description="baseline secondary supply (recycling, new scrap) per market [t/yr]",
    )
    secondary_elasticity: OptPerMarket = Field(
        default_factory=OptPerMarket,
        description="elasticity of secondary supply to the previous period's price [1]",
    )
    restart: Restart | None = None
    price_ceiling_ratio: float = Field(
        default=50.0, gt=1, description="highest price as a multiple of the baseline price"
    )

    @model_validator(mode="after")
    def _signs(self) -> Parameters:
        for name, p in (
            ("supply_elasticity.domestic", self.supply_elasticity.domestic),
            ("supply_elasticity.row", self.supply_elasticity.row),
            ("secondary_supply.domestic", self.secondary_supply.domestic),
            ("secondary_supply.row", self.secondary_supply.row),
            ("secondary_elasticity.domestic", self.secondary_elasticity.domestic),
            ("secondary_elasticity.row", self.secondary_elasticity.row),
        ):
            if p is not None and _bounds(p)[0] < 0:
                raise ValueError(f"{name} must be >= 0")
        for name, p in (
            ("demand_elasticity.domestic", self.demand_elasticity.domestic),
            ("demand_elasticity.row", self.demand_elasticity.row),
        ):
            if _bounds(p)[1] > 0:
                raise ValueError(f"{name} must be <= 0")
        return self


def _bounds(p: Param) -> tuple[float, float]:
    lo = p.low if p.low is not None else (p.value if p.value is not None else 0.0)
    hi = p.high if p.high is not None else (p.value if p.value is not None else 0.0)
    if p.dist == "normal" and p.sd:
        lo = p.low if p.low is not None else -float("inf")
        hi = p.high if p.high is not None else float("inf")
    return float(lo), float(hi)


class Baseline(_Model):
    """Baseline flows and prices that the store does not hold."""

    exports: Param = Field(description="the exporter's exports in the baseline year [t/yr]")
    price_domestic: Param
    price_row: Param
    price_unit: str = "USD/kg"
    trade_year: int | None = None
    production_domestic: Param | None = Field(
        default=None,
        description="the exporter's output [t/yr] where the store withholds it (replaces the store)",
    )
    production_row: Param | None = Field(
        default=None,
        description="rest-of-world output [t/yr] where the store withholds it (replaces the store)",
    )
    concentrate_to_exporter: Param | None = Field(
        default=None,
        description="metal content of concentrate shipped from the rest of the world to the "
        "exporter's smelters [t/yr]: counted as the exporter's refined supply, not the ROW's",
    )
    concentrate_from: list[str] = Field(
        default_factory=list,
        description="ISO3 codes of the concentrate suppliers (their output is reduced pro rata)",
    )

    @model_validator(mode="after")
    def _pairs(self) -> Baseline:
        if (self.production_domestic is None) != (self.production_row is None):
            raise ValueError("give both 'production_domestic' and 'production_row' or neither")
        if self.concentrate_to_exporter is not None and not self.concentrate_from:
            raise ValueError("'concentrate_to_exporter' needs 'concentrate_from' (ISO3 codes)")
        object.__setattr__(self, "concentrate_from", [_iso3(c) for c in self.concentrate_from])
        return self


class ScenarioSpec(_Model):
    """A validated scenario (see the module docstring for the file format)."""

    name: str
    description: str = ""
    commodity: str
    exporter: str | None = None
    baseline_year: int = Field(ge=1900, le=2100)
    start: int
    horizon: int = Field(ge=1, le=600, description="number of periods")
    period: Literal["monthly", "annual"] = "annual"
    baseline: Baseline
    shocks: list[Shock] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    sources: dict[str, Source] = Field(default_factory=dict)
    report_importers: list[str] = Field(
        default_factory=lambda: ["EU27", "USA", "JPN", "KOR", "OECD"]
    )

    @field_validator("start", mode="before")
    @classmethod
    def _month(cls, v: Any) -> int:
        return month_index(v)

    @field_validator("commodity", mode="before")
    @classmethod
    def _commodity(cls, v: Any) -> str:
        from critmin.data.names import commodity

        hit = commodity(str(v))
        if hit.note:  # a sub-commodity ("hafnium"): a spec names the table it models
            raise ValueError(f"{hit.note}; write commodity: {hit.id} if that is what is meant")
        return hit.id

    @model_validator(mode="after")
    def _check(self) -> ScenarioSpec:
        exporters = {s.exporter for s in self.shocks if isinstance(s, ExportRestriction)}
        if self.exporter is not None:
            object.__setattr__(self, "exporter", _iso3(self.exporter))
            exporters.add(self.exporter)
        if len(exporters) > 1:
            raise ValueError(
                f"all export restrictions must name one exporter (the domestic market), got {sorted(exporters)}"
            )
        if not exporters:
            raise ValueError(
                "name the 'exporter' whose domestic market is modelled apart (or add an export_restriction)"
            )
        object.__setattr__(self, "exporter", exporters.pop())
        if self.period == "annual" and self.start % 12 != 0:
            raise ValueError("annual scenarios start in January (start: YYYY)")
        return self

    @property
    def months_per_period(self) -> int:
        """1 (monthly) or 12 (annual)."""
        return 1 if self.period == "monthly" else 12

    @property
    def n_months(self) -> int:
        """Length of the horizon in months."""
        return self.horizon * self.months_per_period

    def period_labels(self) -> list[str]:
        """``YYYY`` or ``YYYY-MM`` of each period."""
        step = self.months_per_period
        if step == 12:
            return [str((self.start + 12 * i) // 12) for i in range(self.horizon)]
        return [month_label(self.start + i) for i in range(self.horizon)]


def iter_params(spec: ScenarioSpec) -> list[tuple[str, Param]]:
    """Every :class:`Param` of a spec with its field path, in file order."""
    out: list[tuple[str, Param]] = []

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, SourcedParam):
            out.append((path, obj))
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name), f"{path}.{name}" if path else name)
        elif isinstance(obj, list):
            for i, x in enumerate(obj):
                walk(x, f"{path}.{i}")
        elif isinstance(obj, dict):
            for k, x in obj.items():
                walk(x, f"{path}.{k}")

    walk(spec, "")
    return out


def _check_sources(spec: ScenarioSpec, path: str) -> None:
    facts = bundled_facts()
    for field, p in iter_params(spec):
        src = p.source.strip()
        if src.lower() == ASSUMPTION or src.startswith("store:"):
            continue
        m = _FACTS.match(src)
        if m:
            for n in (int(x) for x in m.group(1).split(",")):
                if n not in facts:
                    raise SpecError(
                        path,
                        f"facts.csv line {n} is not in the bundled facts (critmin/scenarios/facts.yaml)",
                        field=f"{field}.source",
                    )
            continue
        if src not in spec.sources:
            raise SpecError(
                path,
                f"unknown source {src!r}: use 'assumption', 'store:<series>', 'facts:<line>' or a key of 'sources'",
                field=f"{field}.source",
            )


def parse_scenario(
    data: Any, path: str | Path = "<scenario>", *, text: str | None = None
) -> ScenarioSpec:
    """Validate a parsed YAML mapping as a scenario.

    Parameters
    ----------
    data : mapping
        The parsed YAML.
    path : str or Path
        File name used in error messages.

    Raises
    ------
    SpecError
        Naming the file and the first failing field.
    """
    spec = _parse_spec(data, ScenarioSpec, path, text=text, what="scenario")
    _check_sources(spec, str(path))
    return spec


def load_scenario(path: str | Path) -> ScenarioSpec:
    """Read and validate a scenario YAML file.

    Raises
    ------
    SpecError
        When the file is missing, is not YAML, or fails validation.
    """
    spec = _load_spec(path, ScenarioSpec, what="scenario")
    _check_sources(spec, str(path))
    return spec
