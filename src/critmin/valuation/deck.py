"""Price deck and price model of a project spec.

:func:`fit_price_model` fits (or assembles from given parameters) the spec's
log-price model on its history; :func:`price_deck` turns the spec's ``price.deck``
into one deterministic real price per production year. Store series are read
through the ``store`` passed in (the process-wide store when None).

All prices here are in [USD/t] of base-year money; the spec's price unit is
converted on the way in.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from critmin.errors import DataNotFoundError, ValidationError
from critmin.units import convert
from critmin.valuation.history import join_series
from critmin.valuation.prices import (
    PriceModelFit,
    deflate,
    expected_log_path,
    fit_log_ou,
    read_price_csv,
    store_history,
)
from critmin.valuation.regimes import RegimeChain, estimate_generator
from critmin.valuation.spec import (
    CsvDeck,
    FlatDeck,
    ModelDeck,
    ProjectSpec,
    ScenarioDeck,
    SeriesDeck,
    StoreDeck,
)

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "FloatArray",
    "fit_price_model",
    "history_joins",
    "model_start",
    "price_deck",
    "regime_chain",
    "regime_offset",
    "to_usd_per_t",
]

FloatArray = npt.NDArray[np.float64]


def to_usd_per_t(unit: str) -> float:
    """Factor from a price unit to [USD/t].

    Parameters
    ----------
    unit : str
        Price unit (``USD/t``, ``USD/kg``, ``USD/lb``...).

    Returns
    -------
    float
        Multiply a price in ``unit`` by this to get [USD/t].
    """
    return 1.0 if unit == "USD/t" else convert(1.0, unit, "USD/t")


def _joined(
    spec: ProjectSpec, store: Store | None
) -> tuple[pd.Series, str, list[dict[str, object]]]:
    """A joined history in [USD/t] (each part converted first) with its join records."""
    m = spec.price.model
    assert m is not None and m.history is not None
    joined: pd.Series | None = None
    recs: list[dict[str, object]] = []
    label = ""
    for part in m.history.parts:
        s, unit = store_history(part.series, store=store)
        s = s[(s.index >= part.start) & (s.index <= part.end)] * to_usd_per_t(unit)
        if joined is None:
            joined, label = s, part.series
            continue
        joined, rec = join_series(joined, s, label_older=label, label_newer=part.series)
        recs.append(rec)
        label = f"{label}+{part.series}"
    assert joined is not None
    return joined, f"store:{label} (joined)", recs


def _history(spec: ProjectSpec, store: Store | None = None) -> tuple[pd.Series, str] | None:
    """Price history for the model fit over its window, in [USD/t] (deflated if asked)."""
    m = spec.price.model
    if m is None or m.history is None:
        return None
    h = m.history
    if h.kind == "csv":
        assert h.path is not None and h.unit is not None
        s = read_price_csv(spec.base_dir / h.path, column=h.column) * to_usd_per_t(h.unit)
        label = h.path
    elif h.kind == "store":
        assert h.series is not None
        s, unit = store_history(h.series, store=store)
        s = s * to_usd_per_t(unit)
        label = f"store:{h.series}"
    else:
        s, label, _ = _joined(spec, store)
    if h.start is not None:
        s = s[s.index >= h.start]
    if h.end is not None:
        s = s[s.index <= h.end]
    label += f", fit window {h.start}-{h.end}"
    if m.deflate_inflation is not None:
        s = deflate(s, m.deflate_inflation.value, spec.base_year)
        label += f" (deflated to {spec.base_year} USD at {m.deflate_inflation.value:.1%}/yr)"
    return s, label


def history_joins(spec: ProjectSpec, store: Store | None = None) -> pd.DataFrame | None:
    """Overlap adjustments of a joined history (None for a single series).

    Returns
    -------
    pandas.DataFrame or None
        ``older, newer, overlap_first, overlap_last, overlap_years, ratio`` per join.
    """
    m = spec.price.model
    if m is None or m.history is None or m.history.kind != "joined":
        return None
    return pd.DataFrame(_joined(spec, store)[2])


def regime_chain(spec: ProjectSpec) -> RegimeChain | None:
    """The spec's regime chain (estimated from its events), or None without regimes."""
    m = spec.price.model
    if m is None or m.regimes is None:
        return None
    r = m.regimes
    return estimate_generator(
        [st.name for st in r.states],
        [st.premium.value for st in r.states],
        r.initial,
        [(e.date, e.to, e.source) for e in r.events],
        r.observed_until,
        [(p.from_, p.to, p.rate.value, p.rate.source) for p in r.prior_rates],
    )


def regime_offset(spec: ProjectSpec) -> float:
    """ln premium of the initial regime (0 without regimes). [-]"""
    chain = regime_chain(spec)
    return float(chain.log_premiums[chain.initial]) if chain is not None else 0.0


def _latest(spec: ProjectSpec, store: Store | None) -> tuple[float, str, str]:
    """Latest stored price of ``price.model.latest.series`` [USD/t], its period and label."""
    m = spec.price.model
    assert m is not None and m.latest is not None
    series = m.latest.series
    try:
        s, unit = store_history(series, frequency="M", store=store)
        last = int(s.index[-1])
        period = f"{last // 12}-{last % 12 + 1:02d}"
    except DataNotFoundError:
        s, unit = store_history(series, store=store)
        period = str(int(s.index[-1]))
    price = float(s.iloc[-1]) * to_usd_per_t(unit)
    return price, period, f"store:{series} {period} ({float(s.iloc[-1]):,.6g} {unit})"


def _deck_store(d: StoreDeck, store: Store | None = None) -> tuple[float, str]:
    """Flat price from a store series: its last value or the mean of its last years. [USD/t]"""
    s, unit = store_history(d.series, store=store)
    s = s * to_usd_per_t(unit)
    if d.statistic == "last":
        return float(s.iloc[-1]), f"store:{d.series} last ({s.index[-1]})"
    tail = s.iloc[-d.years :]
    return float(tail.mean()), f"store:{d.series} mean {tail.index[0]}-{tail.index[-1]}"


def price_deck(
    spec: ProjectSpec,
    prod_years: npt.NDArray[np.int64],
    fit: PriceModelFit | None,
    store: Store | None = None,
) -> tuple[FloatArray, str]:
    """Deterministic real price per production year, and a label saying where it comes from.

    Parameters
    ----------
    spec : ProjectSpec
        The project; ``price.deck`` is one of flat, series, csv, store or model.
    prod_years : numpy.ndarray of int
        Production years, ascending.
    fit : PriceModelFit, optional
        Price model; needed for a ``model`` deck. [USD/t]
    store : Store, optional
        Dataset store for a ``store`` deck; default the process-wide store.

    Returns
    -------
    tuple of (numpy.ndarray, str)
        Price per production year [USD/t, base-year money] and the deck label.

    Raises
    ------
    ValidationError
        A series or CSV deck that starts after production starts.

    Notes
    -----
    A series or CSV deck is held at its last price after its last year. A ``model``
    deck is the median path exp(E[ln S_y]) of the fitted model from its start.
    """
    f = to_usd_per_t(spec.price.unit)
    d = spec.price.deck
    if isinstance(d, FlatDeck):
        return np.full(
            prod_years.size, d.price.value * f
        ), f"flat {d.price.value:g} {spec.price.unit}"
    if isinstance(d, SeriesDeck | CsvDeck | ScenarioDeck):
        if isinstance(d, ScenarioDeck):
            from critmin.valuation.scenario_deck import run_scenario_deck

            s, label = run_scenario_deck(d, spec.base_dir)
            f = 1.0  # already USD/t (the scenario's own unit, converted)
        elif isinstance(d, SeriesDeck):
            s = pd.Series(d.prices.value, dtype=float).sort_index()
            label = "series (spec)"
        else:
            s = read_price_csv(spec.base_dir / d.path, column=d.column)
            label = f"csv {d.path}"
        if s.index.min() > prod_years[0]:
            raise ValidationError(
                f"price deck starts in {s.index.min()}, after production starts ({prod_years[0]})"
            )
        full = s.reindex(range(int(s.index.min()), int(prod_years[-1]) + 1)).ffill()
        if s.index.max() < prod_years[-1]:
            label += f", held at the {s.index.max()} price after {s.index.max()}"
        vals = full.to_numpy(dtype=np.float64)[prod_years - int(s.index.min())]
        return vals * f, label
    if isinstance(d, StoreDeck):
        v, label = _deck_store(d, store)
        return np.full(prod_years.size, v), label
    assert isinstance(d, ModelDeck) and fit is not None
    x0, anchor = model_start(spec, fit, None, prod_years)
    off = regime_offset(spec)
    path = np.exp(expected_log_path(x0, fit, int(prod_years[-1] - anchor)) + off)
    label = f"median path of the {fit.model.upper()} model from {anchor}"
    if fit.start_label:
        label += f", starting at the latest stored price ({fit.start_label})"
    if spec.price.model is not None and spec.price.model.regimes is not None:
        label += f", regime held at {spec.price.model.regimes.initial!r}"
    return path[prod_years - anchor - 1], label


def model_start(
    spec: ProjectSpec,
    fit: PriceModelFit,
    deck: FloatArray | None,
    prod_years: npt.NDArray[np.int64],
) -> tuple[float, int]:
    """Starting log price of simulations and the year it belongs to.

    Parameters
    ----------
    spec : ProjectSpec
        The project (``price.model.start``: ``deck`` or ``last``).
    fit : PriceModelFit
        Price model. [USD/t]
    deck : numpy.ndarray, optional
        Deck per production year, needed for ``start: deck``. [USD/t]
    prod_years : numpy.ndarray of int
        Production years, ascending.

    Returns
    -------
    tuple of (float, int)
        ln S_0 of the *base* process [ln USD/t] and its year (the year before the
        first simulated one). With regimes, the premium of the initial regime is
        taken out of a ``deck`` or ``latest`` start (those prices include it).
    """
    m = spec.price.model
    assert m is not None
    off = regime_offset(spec)
    if m.start == "deck":
        assert deck is not None
        return math.log(deck[0]) - off, int(prod_years[0]) - 1
    if m.start == "latest":
        year = int(fit.start_period[:4])
        return math.log(fit.start_price) - off, min(year, int(prod_years[0]) - 1)
    anchor = int(fit.last_period) if fit.last_period else spec.t0
    return math.log(fit.last_price), min(anchor, int(prod_years[0]) - 1)


def fit_price_model(
    spec: ProjectSpec, *, store: Store | None = None
) -> tuple[PriceModelFit | None, pd.Series | None]:
    """Fit (or assemble from given parameters) the spec's price model.

    Parameters
    ----------
    spec : ProjectSpec
        The project; ``price.model`` may be None.
    store : Store, optional
        Dataset store for a ``store`` history; default the process-wide store.

    Returns
    -------
    tuple of (PriceModelFit or None, pandas.Series or None)
        The model (prices in [USD/t]) and the history it was fitted on.

    Raises
    ------
    ValidationError
        An OU model with κ <= 0.

    Notes
    -----
    Parameters given in the spec (κ, σ, long-run price exp(μ)) override the fitted
    ones; overriding κ or μ of a GBM fit turns it into an OU model with zero drift.
    """
    m = spec.price.model
    if m is None:
        return None, None
    hist = _history(spec, store)
    fit: PriceModelFit
    if hist is not None:
        series, label = hist
        fit = fit_log_ou(series, source=label)
    else:
        fit = PriceModelFit("ou", kappa=1.0, mu=math.nan, sigma=0.0, source="given")
    p = m.params
    changes: dict[str, Any] = {}
    if p.kappa is not None:
        changes["kappa"] = p.kappa.value
    if p.sigma is not None:
        changes["sigma"] = p.sigma.value
    if p.long_run_price is not None:
        changes["mu"] = math.log(p.long_run_price.value * to_usd_per_t(spec.price.unit))
    if changes:
        if fit.model == "gbm" and ("kappa" in changes or "mu" in changes):
            changes["model"] = "ou"
            changes["drift"] = 0.0
        fit = dataclasses.replace(
            fit,
            note=(fit.note + "; " if fit.note else "") + f"overridden: {', '.join(changes)}",
            **changes,
        )
    if fit.model == "ou" and fit.kappa <= 0:
        raise ValidationError("price model kappa must be > 0")
    if m.start == "latest":
        price, period, label = _latest(spec, store)
        fit = dataclasses.replace(fit, start_price=price, start_period=period, start_label=label)
    return fit, (hist[0] if hist is not None else None)
