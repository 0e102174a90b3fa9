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
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from critmin.errors import SpecError
from critmin.params import ASSUMPTION, Source, SourcedParam
from critmin.spec import parse_spec as _parse_spec
from critmin.spec import read_yaml

__all__ = [
    "ASSUMPTION",
    "ByProduct",
    "Capex",
    "Costs",
    "DepositCommodity",
    "DepositSpec",
    "Discount",
    "Fiscal",
    "Input",
    "PriceBlock",
    "Production",
    "ProjectSpec",
    "Source",
    "iter_inputs",
    "load_spec",
    "parse_spec",
]

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Input(SourcedParam[T], Generic[T]):
    """One project input: a :class:`critmin.params.SourcedParam` whose value is required.

    Attributes
    ----------
    value : T
        The number (or schedule) itself, in the unit documented for the field.
    source : str
        ``"assumption"`` or a key of the spec's ``sources`` block.
    note : str
        Why this value (for assumptions: the reasoning or the nearest sourced figure).

    Notes
    -----
    Project inputs are deterministic: uncertainty enters through the price model and
    the sensitivity table, so ``dist`` other than ``fixed`` and ``series`` are refused.
    """

    value: T

    @model_validator(mode="after")
    def _deterministic(self) -> Input[T]:
        if self.dist != "fixed" or self.series is not None:
            raise ValueError(
                "project inputs are single values (uncertainty comes from the price model "
                "and the sensitivity block); remove 'dist'/'series'"
            )
        return self


def _unit(u: str) -> Any:
    return Field(json_schema_extra={"unit": u})


def _opt(u: str) -> Any:
    return Field(default=None, json_schema_extra={"unit": u})


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


class Fiscal(_Model):
    """Royalty or mineral extraction tax, income tax, depreciation, working capital."""

    royalty_rate: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of revenue"},
    )
    royalty_label: str = "royalty"
    income_tax_rate: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of taxable income"},
    )
    depreciation_years: Input[int] = Field(
        default_factory=lambda: Input[int](value=10), json_schema_extra={"unit": "yr"}
    )
    loss_carry_forward: bool = True
    working_capital: Input[float] = Field(
        default_factory=lambda: Input[float](value=0.0),
        json_schema_extra={"unit": "fraction of annual revenue"},
    )

    @model_validator(mode="after")
    def _check(self) -> Fiscal:
        for name in ("royalty_rate", "income_tax_rate"):
            v = getattr(self, name).value
            if not 0.0 <= v < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {v}")
        if self.depreciation_years.value < 1:
            raise ValueError("depreciation_years must be >= 1")
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
        if self.rate.value <= -1 or self.inflation.value <= -1:
            raise ValueError("rate and inflation must be > -1")
        return self


class FlatDeck(_Model):
    """The same real price every year."""

    kind: Literal["flat"]
    price: Input[float] = _unit("price unit")


class SeriesDeck(_Model):
    """Prices given by year; years after the last are held at the last price."""

    kind: Literal["series"]
    prices: Input[dict[int, float]] = _unit("price unit by year")


class CsvDeck(_Model):
    """Prices by year from a ``period,price`` CSV (e.g. a scenario run); path relative to the spec."""

    kind: Literal["csv"]
    path: str
    column: str = "price"
    source: str = ASSUMPTION
    note: str = ""


class StoreDeck(_Model):
    """A flat price from the store's history: the last value or the mean of the last N years."""

    kind: Literal["store"]
    series: str
    statistic: Literal["last", "mean"] = "last"
    years: int = Field(default=1, ge=1)


class ModelDeck(_Model):
    """The median path of the fitted price model (needs ``price.model``)."""

    kind: Literal["model"]


Deck = Annotated[
    FlatDeck | SeriesDeck | CsvDeck | StoreDeck | ModelDeck, Field(discriminator="kind")
]


class HistoryRef(_Model):
    """Price history for fitting the model: a CSV (path relative to the spec) or a store series."""

    kind: Literal["csv", "store"]
    path: str | None = None
    column: str = "price"
    series: str | None = None
    unit: str | None = None
    source: str = ASSUMPTION
    start: int | None = None
    end: int | None = None

    @model_validator(mode="after")
    def _check(self) -> HistoryRef:
        if self.kind == "csv" and (self.path is None or self.unit is None):
            raise ValueError("history kind 'csv' needs path and unit")
        if self.kind == "store" and self.series is None:
            raise ValueError("history kind 'store' needs series")
        return self


class ModelParams(_Model):
    """Price-model parameters given by hand, overriding the fit."""

    kappa: Input[float] | None = _opt("1/yr")
    sigma: Input[float] | None = _opt("1/sqrt(yr)")
    long_run_price: Input[float] | None = _opt("price unit")


class PriceModel(_Model):
    """Stochastic price model for the Monte Carlo: mean-reverting log price fitted to history."""

    history: HistoryRef | None = None
    deflate_inflation: Input[float] | None = _opt("1/yr, fraction")
    level: Literal["fitted", "deck"] = "fitted"
    start: Literal["last", "deck"] = "last"
    params: ModelParams = Field(default_factory=ModelParams)

    @model_validator(mode="after")
    def _check(self) -> PriceModel:
        p = self.params
        if self.history is None and (p.kappa is None or p.sigma is None):
            raise ValueError("without history, params.kappa and params.sigma are required")
        if self.history is None and self.level == "fitted" and p.long_run_price is None:
            raise ValueError("without history, set params.long_run_price or level: deck")
        if self.history is None and self.start == "last":
            raise ValueError("without history, start must be 'deck'")
        return self


class PriceBlock(_Model):
    """Price deck for the deterministic case and model for the Monte Carlo."""

    unit: str = "USD/t"
    deck: Deck
    model: PriceModel | None = None


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

    @model_validator(mode="after")
    def _check(self) -> ByProduct:
        if (self.grade is None) == (self.output_tpa is None):
            raise ValueError("give exactly one of grade (ore basis) or output_tpa")
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
            if isinstance(price.deck, CsvDeck):
                refs.append(("price.deck.source", price.deck.source))
            if price.model is not None and price.model.history is not None:
                refs.append(("price.model.history.source", price.model.history.source))
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
    elif kind == "deposit":
        cls = DepositSpec
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
