"""Project and deposit specs: YAML files validated by pydantic.

Every numeric input is an :class:`Input`: a value with a ``source`` and a ``note``.
``source`` is either ``assumption`` or the key of an entry in the file's
``sources`` block (a news story, a row of a facts table...). A plain value
(``life_years: 20``) is accepted and treated as an assumption. Validation errors
are :class:`~critmin.errors.SpecError` naming the file and the field path
(``costs.per_t_product``).

Money is in ``currency`` (USD only) of ``base_year``; masses in tonnes (t);
rates and shares as fractions. See ``docs/valuation.md`` for a full example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

from critmin.errors import SpecError
from critmin.params import ASSUMPTION, Source
from critmin.spec import parse_spec as _parse_spec
from critmin.spec import read_yaml
from critmin.valuation._specbase import Input, _Model, _opt, _unit
from critmin.valuation.fiscal import apply_fiscal_template
from critmin.valuation.pricespec import (
    CsvDeck,
    Deck,
    FlatDeck,
    HistoryPart,
    HistoryRef,
    LatestPrice,
    ModelDeck,
    ModelParams,
    PriceBlock,
    PriceModel,
    RegimeBlock,
    ScenarioDeck,
    SeriesDeck,
    StoreDeck,
)

__all__ = [
    "ASSUMPTION",
    "ByProduct",
    "Capex",
    "Costs",
    "CsvDeck",
    "Deck",
    "DepositCommodity",
    "DepositSpec",
    "Discount",
    "Fiscal",
    "FlatDeck",
    "HistoryPart",
    "HistoryRef",
    "Input",
    "LatestPrice",
    "ModelDeck",
    "ModelParams",
    "PriceBlock",
    "PriceModel",
    "Production",
    "ProjectSpec",
    "RegimeBlock",
    "SeriesDeck",
    "Source",
    "StoreDeck",
    "iter_inputs",
    "load_spec",
    "parse_spec",
]


def _require_nonneg(model: BaseModel, names: tuple[str, ...], *, strict: bool = False) -> None:
    """Refuse negative (or, with ``strict``, non-positive) values of the named inputs."""
    for name in names:
        inp = getattr(model, name)
        if inp is None:
            continue
        vals = inp.value.values() if isinstance(inp.value, dict) else [inp.value]
        for v in vals:
            if (v <= 0) if strict else (v < 0):
                bound = "> 0" if strict else ">= 0"
                raise ValueError(f"{name} must be {bound}, got {v:g}")


class Production(_Model):
    """Production schedule.

    ``basis: product``: output = capacity_tpa x ramp-up factor (a plant).
    ``basis: ore``: output = ore_tpa x grade x recovery (a mine). Payable = output x payability.
    Production years are start_year .. start_year + life_years - 1; ramp_up lists the
    fraction of full rate in the first years.
    """

    basis: Literal["product", "ore"] = "product"
    start_year: Input[int] = _unit("yr")
    life_years: Input[int] = _unit("yr")
    capacity_tpa: Input[float] | None = _opt("t/yr")
    ore_tpa: Input[float] | None = _opt("t ore/yr")
    grade: Input[float] | None = _opt("fraction")
    recovery: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    payability: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    ramp_up: Input[list[float]] = Field(
        default_factory=lambda: Input[list[float]](value=[]),
        json_schema_extra={"unit": "fraction of full rate"},
    )

    @field_validator("capacity_tpa", "ore_tpa")
    @classmethod
    def _positive(cls, v: Input[float] | None) -> Input[float] | None:
        if v is not None and v.value <= 0:
            raise ValueError(f"must be > 0, got {v.value:g}")
        return v

    @model_validator(mode="after")
    def _check(self) -> Production:
        if self.basis == "product" and self.capacity_tpa is None:
            raise ValueError("basis 'product' needs capacity_tpa")
        if self.basis == "ore" and (self.ore_tpa is None or self.grade is None):
            raise ValueError("basis 'ore' needs ore_tpa and grade")
        if self.life_years.value < 1:
            raise ValueError("life_years must be >= 1")
        for name in ("recovery", "payability", "grade"):
            inp = getattr(self, name)
            if inp is not None and not 0.0 <= inp.value <= 1.0:
                raise ValueError(f"{name} must be a fraction in [0, 1], got {inp.value}")
        if any(not 0.0 <= f <= 1.0 for f in self.ramp_up.value):
            raise ValueError("ramp_up fractions must be in [0, 1]")
        return self


class Capex(_Model):
    """Capital costs: initial capex, sustaining capex, closure.

    Give the initial capex either as a schedule by year (``initial``) or as a
    ``total`` with a ``phasing`` (fractions by year summing to 1), so that a
    sourced total and an assumed phasing keep their own provenance.
    """

    initial: Input[dict[int, float]] | None = _opt("USD by year")
    total: Input[float] | None = _opt("USD")
    phasing: Input[dict[int, float]] | None = _opt("fraction of total by year")
    sustaining_per_year: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0), json_schema_extra={"unit": "USD/yr"}
    )
    closure_cost: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0), json_schema_extra={"unit": "USD"}
    )

    @model_validator(mode="after")
    def _check(self) -> Capex:
        if (self.initial is None) == (self.total is None):
            raise ValueError("give either initial (schedule by year) or total with phasing")
        if self.total is not None:
            if self.phasing is None or not self.phasing.value:
                raise ValueError("total needs phasing (fractions by year)")
            tot = sum(self.phasing.value.values())
            if abs(tot - 1.0) > 1e-6 or any(f < 0 for f in self.phasing.value.values()):
                raise ValueError(f"phasing fractions must be >= 0 and sum to 1, got sum {tot:g}")
        elif self.phasing is not None:
            raise ValueError("phasing goes with total, not with initial")
        _require_nonneg(self, ("initial", "total", "sustaining_per_year", "closure_cost"))
        return self

    def schedule(self) -> dict[int, float]:
        """Initial capex by year. [USD]"""
        if self.initial is not None:
            return dict(self.initial.value)
        assert self.total is not None and self.phasing is not None
        return {y: self.total.value * f for y, f in self.phasing.value.items()}


class Costs(_Model):
    """Operating costs (real, base-year money)."""

    per_t_product: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "USD/t product"},
    )
    per_t_ore: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0), json_schema_extra={"unit": "USD/t ore"}
    )
    fixed_per_year: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0), json_schema_extra={"unit": "USD/yr"}
    )

    @model_validator(mode="after")
    def _check(self) -> Costs:
        _require_nonneg(self, ("per_t_product", "per_t_ore", "fixed_per_year"))
        return self


class ExcessProfitTax(_Model):
    """Excess-profit tax: ``rate`` on net income above ``threshold`` x deductions."""

    applies: bool = False
    source: str = ASSUMPTION
    note: str = ""
    threshold: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.25),
        json_schema_extra={"unit": "fraction of deductions"},
    )
    rate: Input[float] | None = _opt("fraction of excess net income")

    @model_validator(mode="after")
    def _check(self) -> ExcessProfitTax:
        if self.applies and self.rate is None:
            raise ValueError("an applying excess-profit tax needs a rate")
        if self.rate is not None and not 0.0 <= self.rate.value < 1.0:
            raise ValueError(f"rate must be in [0, 1), got {self.rate.value}")
        if self.threshold.value < 0:
            raise ValueError("threshold must be >= 0")
        return self


class Fiscal(_Model):
    """Royalty or mineral extraction tax, income tax, EPT, depreciation, working capital.

    ``template`` names a fiscal template (:mod:`critmin.valuation.fiscal`) that fills
    every term the spec does not give, with its citations.
    """

    template: str | None = None
    royalty_rate: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of revenue"},
    )
    royalty_label: str = "royalty"
    royalty_note: str = ""
    income_tax_rate: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of taxable income"},
    )
    depreciation_years: Input[int] = Field(
        default_factory=lambda: Input[int](value=10), json_schema_extra={"unit": "yr"}
    )
    loss_carry_forward: bool = True
    loss_carry_forward_years: Input[int] | None = _opt("yr (0 = unlimited)")
    closure_deductible: bool = True
    excess_profit_tax: ExcessProfitTax | None = None
    working_capital: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of annual revenue"},
    )

    @model_validator(mode="after")
    def _check(self) -> Fiscal:
        for name in ("royalty_rate", "income_tax_rate", "working_capital"):
            v = getattr(self, name).value
            if not 0.0 <= v < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {v}")
        if self.depreciation_years.value < 1:
            raise ValueError("depreciation_years must be >= 1")
        lc = self.loss_carry_forward_years
        if lc is not None and lc.value < 0:
            raise ValueError("loss_carry_forward_years must be >= 0 (0 = unlimited)")
        return self


class Discount(_Model):
    """Discount rate and money basis.

    ``real``: all inputs are in base-year money and discounted at ``rate``.
    ``nominal``: prices and costs are escalated by ``inflation`` from base_year and
    the flows discounted at the nominal ``rate``; tax depreciation is not escalated.
    """

    rate: Input[float] = _unit("1/yr, fraction")
    basis: Literal["real", "nominal"] = "real"
    inflation: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "1/yr, fraction"},
    )

    @model_validator(mode="after")
    def _check(self) -> Discount:
        if not 0.0 <= self.rate.value < 1.0:
            raise ValueError(f"rate must be in [0, 1), got {self.rate.value}")
        if not -0.5 < self.inflation.value < 0.5:
            raise ValueError(f"inflation must be in (-0.5, 0.5), got {self.inflation.value}")
        return self


class ByProduct(_Model):
    """A by-product credited at a deterministic price (not simulated)."""

    commodity: str
    grade: Input[float] | None = _opt("fraction")
    output_tpa: Input[float] | None = _opt("t/yr")
    recovery: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    payability: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    price: Input[float] = _unit("price unit")
    unit: str = "USD/t"
    royalty_rate: Input[float] | None = _opt("fraction of by-product revenue")

    @model_validator(mode="after")
    def _check(self) -> ByProduct:
        if (self.grade is None) == (self.output_tpa is None):
            raise ValueError("give exactly one of grade (ore basis) or output_tpa")
        _require_nonneg(self, ("output_tpa", "price"))
        for name in ("grade", "recovery", "payability", "royalty_rate"):
            inp = getattr(self, name)
            if inp is not None and not 0.0 <= inp.value <= 1.0:
                raise ValueError(f"{name} must be a fraction in [0, 1], got {inp.value}")
        return self


class DepositCommodity(_Model):
    """One commodity of a deposit: contained metal (or ore grade), price and recovery."""

    commodity: str
    contained_t: Input[float] | None = _opt("t")
    grade: Input[float] | None = _opt("fraction")
    price: Input[float] = _unit("price unit")
    unit: str = "USD/t"
    recovery: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    payability: Input[float] = Field(
        default_factory=lambda: Input[float](value=1.0), json_schema_extra={"unit": "fraction"}
    )
    selling_cost_per_t: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "USD/t payable"},
    )

    @model_validator(mode="after")
    def _check(self) -> DepositCommodity:
        if (self.contained_t is None) == (self.grade is None):
            raise ValueError("give exactly one of contained_t or grade")
        return self


class DepositBlock(_Model):
    """Tonnages and grades of a deposit, with recovery, payability and unit costs."""

    name: str = ""
    category: str = "reserves"
    ore_t: Input[float] | None = _opt("t ore")
    mining_processing_cost_per_t_ore: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0), json_schema_extra={"unit": "USD/t ore"}
    )
    commodities: list[DepositCommodity]

    @model_validator(mode="after")
    def _check(self) -> DepositBlock:
        if not self.commodities:
            raise ValueError("at least one commodity is needed")
        if any(c.grade is not None for c in self.commodities) and self.ore_t is None:
            raise ValueError("commodities given by grade need ore_t")
        if self.mining_processing_cost_per_t_ore.value and self.ore_t is None:
            raise ValueError("mining_processing_cost_per_t_ore needs ore_t")
        return self


class Sensitivity(_Model):
    """Tornado settings: each input is moved by ± swing (a fraction)."""

    swing: float = Field(default=0.2, gt=0, lt=1)


class MonteCarlo(_Model):
    """Default Monte Carlo settings (the CLI and API can override them)."""

    draws: int = Field(default=10_000, ge=0)
    seed: int = 12345


class _SpecBase(_Model):
    name: str
    currency: Literal["USD"] = "USD"
    base_year: int
    sources: dict[str, Source] = Field(default_factory=dict)
    _path: Path | None = PrivateAttr(default=None)

    @property
    def path(self) -> Path | None:
        """File the spec was read from (None when built in code)."""
        return self._path

    @property
    def base_dir(self) -> Path:
        """Directory relative paths in the spec are resolved against."""
        return self._path.parent if self._path is not None else Path.cwd()

    @model_validator(mode="after")
    def _check_sources(self) -> _SpecBase:
        refs: list[tuple[str, str]] = [(p, i.source) for p, i in iter_inputs(self)]
        price = getattr(self, "price", None)
        if isinstance(price, PriceBlock):
            if isinstance(price.deck, CsvDeck | ScenarioDeck):
                refs.append(("price.deck.source", price.deck.source))
            m = price.model
            if m is not None and m.history is not None:
                refs.append(("price.model.history.source", m.history.source))
                for i, part in enumerate(m.history.parts):
                    refs.append((f"price.model.history.parts.{i}.source", part.source))
            if m is not None and m.latest is not None:
                refs.append(("price.model.latest.source", m.latest.source))
            if m is not None and m.regimes is not None:
                for i, ev in enumerate(m.regimes.events):
                    refs.append((f"price.model.regimes.events.{i}.source", ev.source))
        fiscal = getattr(self, "fiscal", None)
        if isinstance(fiscal, Fiscal) and fiscal.excess_profit_tax is not None:
            refs.append(("fiscal.excess_profit_tax.source", fiscal.excess_profit_tax.source))
        for field_path, src in refs:
            if src.strip().lower() != ASSUMPTION and src not in self.sources:
                raise ValueError(
                    f"{field_path}: source {src!r} is neither 'assumption' nor a key of "
                    f"sources ({', '.join(sorted(self.sources)) or 'none defined'})"
                )
        return self


class ProjectSpec(_SpecBase):
    """A project to value by discounted cash flow."""

    kind: Literal["project"]
    commodity: str
    product: str = ""
    valuation_year: int | None = None
    production: Production
    capex: Capex
    costs: Costs = Field(default_factory=Costs)
    fiscal: Fiscal = Field(default_factory=Fiscal)
    discount: Discount
    price: PriceBlock
    by_products: list[ByProduct] = Field(default_factory=list)
    deposit: DepositBlock | None = None
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)

    @property
    def t0(self) -> int:
        """Valuation year: cash flows of this year are not discounted. [yr]"""
        return self.valuation_year if self.valuation_year is not None else self.base_year

    @model_validator(mode="before")
    @classmethod
    def _fiscal_template(cls, data: Any) -> Any:
        return apply_fiscal_template(data) if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _check_years(self) -> ProjectSpec:
        first = min([self.production.start_year.value, *self.capex.schedule()])
        if first < self.t0:
            raise ValueError(f"cash flows start in {first}, before valuation_year {self.t0}")
        if isinstance(self.price.deck, ModelDeck) and self.price.model is None:
            raise ValueError("price.deck kind 'model' needs price.model")
        if self.price.model is not None:
            m = self.price.model
            if (m.level == "deck" or m.start == "deck") and isinstance(self.price.deck, ModelDeck):
                raise ValueError("price.model level/start 'deck' cannot refer to a 'model' deck")
        bp_ore = [b.commodity for b in self.by_products if b.grade is not None]
        if bp_ore and self.production.basis != "ore":
            raise ValueError(f"by-products {bp_ore} given by grade need production basis 'ore'")
        return self


class DepositSpec(_SpecBase):
    """A deposit to value in situ and by a recoverable-value bridge (not a DCF)."""

    kind: Literal["deposit"]
    deposit: DepositBlock


def iter_inputs(
    model: BaseModel, prefix: str = "", *, explicit_only: bool = False
) -> list[tuple[str, Input[Any]]]:
    """Every :class:`Input` in a spec, with its dotted field path.

    Parameters
    ----------
    model : pydantic.BaseModel
        A spec or any part of it.
    prefix : str
        Path prefix for nested calls.
    explicit_only : bool
        Skip fields left at their defaults (not written in the file).

    Returns
    -------
    list of (str, Input)
        ``("production.capacity_tpa", Input(...))`` pairs, in field order.
    """
    out: list[tuple[str, Input[Any]]] = []
    for name in type(model).model_fields:
        if explicit_only and name not in model.model_fields_set:
            continue
        v = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(v, Input):
            out.append((path, v))
        elif isinstance(v, BaseModel):
            out.extend(iter_inputs(v, path + ".", explicit_only=explicit_only))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                if isinstance(item, BaseModel):
                    out.extend(iter_inputs(item, f"{path}.{i}.", explicit_only=explicit_only))
    return out


def field_unit(model: BaseModel, name: str) -> str:
    """Unit documented for a field (``json_schema_extra['unit']``), or ''."""
    info = type(model).model_fields.get(name)
    extra = info.json_schema_extra if info is not None else None
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def parse_spec(
    data: Any, path: str | Path = "<spec>", *, text: str | None = None
) -> ProjectSpec | DepositSpec:
    """Validate a parsed YAML mapping as a project or deposit spec.

    Parameters
    ----------
    data : dict
        The mapping (``kind: project`` or ``kind: deposit``).
    path : str or pathlib.Path
        File name used in error messages and to resolve relative paths.

    Returns
    -------
    ProjectSpec or DepositSpec

    Raises
    ------
    SpecError
        Naming the file and the first failing field.
    """
    p = str(path)
    if not isinstance(data, dict):
        raise SpecError(p, "the spec must be a YAML mapping")
    kind = data.get("kind")
    cls: type[ProjectSpec] | type[DepositSpec]
    if kind == "project":
        cls = ProjectSpec
        if isinstance(data.get("production"), dict) and "mine_plan" in data["production"]:
            from critmin.valuation.resourceplan import expand_mine_plan

            data = expand_mine_plan(data, p)
    elif kind == "deposit":
        cls = DepositSpec
    elif kind == "published-study":
        raise SpecError(
            p,
            "a published-study spec is reproduced with "
            "critmin.valuation.reproduce_study(FILE), not valued",
            field="kind",
        )
    else:
        raise SpecError(p, f"must be 'project' or 'deposit', got {kind!r}", field="kind")
    spec = _parse_spec(data, cls, p, text=text)
    if path != "<spec>":
        spec._path = Path(path).resolve()
    return spec


def load_spec(path: str | Path) -> ProjectSpec | DepositSpec:
    """Read and validate a project or deposit YAML file.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.

    Returns
    -------
    ProjectSpec or DepositSpec

    Raises
    ------
    SpecError
        Missing file, invalid YAML or a field that fails validation.
    """
    data, text = read_yaml(path)
    return parse_spec(data, path, text=text)
