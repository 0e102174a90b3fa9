"""Price part of a project spec: the deck, the history a model is fitted on, the model.

Split from :mod:`critmin.valuation.spec` (which re-exports everything here).

A price history is fitted over a *stated* window (``start`` and ``end`` are
required): one consistent series (``kind: store`` or ``csv``), or several store
series explicitly joined (``kind: joined``) where each pair overlaps and the older
series is rescaled on the overlap (see :func:`critmin.valuation.history.join_series`).

A regime block (``price.model.regimes``) adds a Markov chain of market regimes
(e.g. export controls open / controlled / tightened) on top of the log-price model:
each regime multiplies the base price by a sourced premium, and the transition
rates are estimated from dated, sourced events (see :mod:`critmin.valuation.regimes`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from critmin.params import ASSUMPTION
from critmin.valuation._specbase import Input, _Model, _opt, _unit

__all__ = [
    "CsvDeck",
    "Deck",
    "FlatDeck",
    "HistoryPart",
    "HistoryRef",
    "LatestPrice",
    "ModelDeck",
    "ModelParams",
    "PriceBlock",
    "PriceModel",
    "PriorRate",
    "RegimeBlock",
    "RegimeEvent",
    "RegimeState",
    "ScenarioDeck",
    "SeriesDeck",
    "StoreDeck",
]


class FlatDeck(_Model):
    """The same real price every year."""

    kind: Literal["flat"]
    price: Input[float] = _unit("price unit")

    @model_validator(mode="after")
    def _check(self) -> FlatDeck:
        if self.price.value <= 0:
            raise ValueError(f"price must be > 0, got {self.price.value:g}")
        return self


class SeriesDeck(_Model):
    """Prices given by year; years after the last are held at the last price."""

    kind: Literal["series"]
    prices: Input[dict[int, float]] = _unit("price unit by year")

    @model_validator(mode="after")
    def _check(self) -> SeriesDeck:
        bad = {y: p for y, p in self.prices.value.items() if p <= 0}
        if bad:
            raise ValueError(f"prices must be > 0, got {bad}")
        return self


class CsvDeck(_Model):
    """Prices by year from a ``period,price`` CSV (e.g. a scenario run); path relative to the spec."""

    kind: Literal["csv"]
    path: str
    column: str = "price"
    source: str = ASSUMPTION
    note: str = ""


class ScenarioDeck(_Model):
    """Prices by year taken directly from a scenario run (``critmin.scenarios``), no CSV.

    ``spec`` is the scenario YAML (relative to the project spec); the run is made in-process
    with ``draws`` and ``seed``; ``statistic`` picks the central run (``price``) or a Monte
    Carlo percentile of ``market``; monthly periods are averaged by year, and the scenario's
    own price unit is used (``price.unit`` does not apply).
    """

    kind: Literal["scenario"]
    spec: str
    market: str
    statistic: Literal["price", "p5", "p50", "p95"] = "price"
    draws: int = Field(default=0, ge=0)
    seed: int = 0
    source: str = ASSUMPTION
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> ScenarioDeck:
        if self.statistic != "price" and self.draws == 0:
            raise ValueError(f"statistic {self.statistic!r} needs draws > 0")
        return self


class StoreDeck(_Model):
    """A flat price from the store's history: the last value or the mean of the last N years."""

    kind: Literal["store"]
    series: str
    statistic: Literal["last", "mean"] = "last"
    years: int = Field(default=1, ge=1)


class ModelDeck(_Model):
    """The median path of the fitted price model (needs ``price.model``).

    With ``price.model.start: latest`` the path starts from the latest stored price;
    with a regime block, the regime is held at ``regimes.initial``.
    """

    kind: Literal["model"]


Deck = Annotated[
    FlatDeck | SeriesDeck | CsvDeck | ScenarioDeck | StoreDeck | ModelDeck,
    Field(discriminator="kind"),
]


class HistoryPart(_Model):
    """One store series of a joined history, with the years taken from it."""

    series: str
    start: int
    end: int
    source: str = ASSUMPTION


class HistoryRef(_Model):
    """Price history for fitting the model, over a stated fit window ``start``..``end``.

    ``kind: store``: one store series; ``kind: csv``: one series from a CSV (path
    relative to the spec, ``unit`` required); ``kind: joined``: store series ``parts``
    (oldest first) joined with an overlap adjustment.
    """

    kind: Literal["csv", "store", "joined"]
    path: str | None = None
    column: str = "price"
    series: str | None = None
    unit: str | None = None
    source: str = ASSUMPTION
    start: int | None = None
    end: int | None = None
    parts: list[HistoryPart] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> HistoryRef:
        if self.start is None or self.end is None:
            raise ValueError(
                "history needs start and end: the fit window is a stated input (years)"
            )
        if self.start >= self.end:
            raise ValueError(f"fit window start {self.start} must be before end {self.end}")
        if self.kind == "csv" and (self.path is None or self.unit is None):
            raise ValueError("history kind 'csv' needs path and unit")
        if self.kind == "store" and self.series is None:
            raise ValueError("history kind 'store' needs series")
        if self.kind == "joined":
            if len(self.parts) < 2:
                raise ValueError("history kind 'joined' needs at least two parts")
            for a, b in zip(self.parts, self.parts[1:], strict=False):
                if b.start > a.end:
                    raise ValueError(
                        f"parts {a.series} (to {a.end}) and {b.series} (from {b.start}) do not "
                        "overlap: a join needs at least one common year to adjust the level"
                    )
        elif self.parts:
            raise ValueError("parts go with history kind 'joined'")
        return self


class LatestPrice(_Model):
    """Where the latest price comes from: the last observation of a store series."""

    series: str
    source: str = ASSUMPTION
    note: str = ""


class ModelParams(_Model):
    """Price-model parameters given by hand, overriding the fit."""

    kappa: Input[float] | None = _opt("1/yr")
    sigma: Input[float] | None = _opt("1/sqrt(yr)")
    long_run_price: Input[float] | None = _opt("price unit")

    @model_validator(mode="after")
    def _check(self) -> ModelParams:
        for name in ("kappa", "sigma", "long_run_price"):
            v = getattr(self, name)
            if v is not None and (v.value < 0 if name == "sigma" else v.value <= 0):
                raise ValueError(
                    f"{name} must be {'>= 0' if name == 'sigma' else '> 0'}, got {v.value:g}"
                )
        return self


class RegimeState(_Model):
    """A market regime and its price premium over the base (open-market) price."""

    name: str
    premium: Input[float] = _unit("x base price")

    @model_validator(mode="after")
    def _check(self) -> RegimeState:
        if self.premium.value <= 0:
            raise ValueError(f"premium of {self.name!r} must be > 0, got {self.premium.value:g}")
        return self


class RegimeEvent(_Model):
    """A dated, sourced switch of regime (controls announced, tightened, eased...)."""

    date: dt.date
    to: str
    source: str
    note: str = ""


class PriorRate(_Model):
    """Rate of a transition never observed in the events, given (usually an assumption)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    rate: Input[float] = _unit("1/yr")

    @model_validator(mode="after")
    def _check(self) -> PriorRate:
        if self.rate.value < 0:
            raise ValueError(f"rate must be >= 0, got {self.rate.value:g}")
        return self


class RegimeBlock(_Model):
    """Regimes of a controlled market, their premiums, the events and unobserved rates."""

    initial: str
    states: list[RegimeState]
    events: list[RegimeEvent] = Field(default_factory=list)
    observed_until: dt.date | None = None
    prior_rates: list[PriorRate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> RegimeBlock:
        names = [s.name for s in self.states]
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValueError(f"need at least two regimes with distinct names, got {names}")
        known = set(names)
        if self.initial not in known:
            raise ValueError(f"initial regime {self.initial!r} is not one of {names}")
        for e in self.events:
            if e.to not in known:
                raise ValueError(f"event {e.date} goes to unknown regime {e.to!r}")
        dates = [e.date for e in self.events]
        if dates != sorted(dates):
            raise ValueError("events must be in date order")
        if self.events:
            if self.observed_until is None or self.observed_until < dates[-1]:
                raise ValueError("observed_until must be given and not before the last event")
            if self.events[-1].to != self.initial:
                raise ValueError(
                    f"initial regime {self.initial!r} differs from the last event's regime "
                    f"{self.events[-1].to!r}"
                )
        for p in self.prior_rates:
            if p.from_ not in known or p.to not in known or p.from_ == p.to:
                raise ValueError(f"prior rate {p.from_}->{p.to}: unknown or identical regimes")
        return self


class PriceModel(_Model):
    """Stochastic price model for the Monte Carlo: mean-reverting log price fitted to history.

    ``start``: ``last`` (last price of the fit history), ``deck`` (the deck's first
    year) or ``latest`` (the last observation of ``latest.series`` in the store).
    ``window_sensitivity``: fit-window start years to compare in a table.
    """

    history: HistoryRef | None = None
    deflate_inflation: Input[float] | None = _opt("1/yr, fraction")
    level: Literal["fitted", "deck"] = "fitted"
    start: Literal["last", "deck", "latest"] = "last"
    latest: LatestPrice | None = None
    params: ModelParams = Field(default_factory=ModelParams)
    window_sensitivity: list[int] = Field(default_factory=list)
    regimes: RegimeBlock | None = None

    @model_validator(mode="after")
    def _check(self) -> PriceModel:
        p = self.params
        if self.history is None and (p.kappa is None or p.sigma is None):
            raise ValueError("without history, params.kappa and params.sigma are required")
        if self.history is None and self.level == "fitted" and p.long_run_price is None:
            raise ValueError("without history, set params.long_run_price or level: deck")
        if self.history is None and self.start == "last":
            raise ValueError("without history, start must be 'deck' or 'latest'")
        if self.start == "latest" and self.latest is None:
            raise ValueError("start 'latest' needs latest.series (a store series)")
        if self.window_sensitivity and self.history is None:
            raise ValueError("window_sensitivity needs a history")
        if self.history is not None and self.history.end is not None:
            late = [y for y in self.window_sensitivity if y >= self.history.end - 5]
            if late:
                raise ValueError(
                    f"window_sensitivity start years {late} leave fewer than 5 years before "
                    f"the window end {self.history.end}"
                )
        if self.deflate_inflation is not None and not -0.5 < self.deflate_inflation.value < 0.5:
            raise ValueError("deflate_inflation must be in (-0.5, 0.5)")
        return self


class PriceBlock(_Model):
    """Price deck for the deterministic case and model for the Monte Carlo."""

    unit: str = "USD/t"
    deck: Deck
    model: PriceModel | None = None
