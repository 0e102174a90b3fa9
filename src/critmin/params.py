"""One sourced-parameter type and one ``Source`` type for every spec and model input.

A :class:`SourcedParam` is a value or a distribution, with its unit, where it comes
from (``source``: ``assumption`` or a reference the spec explains) and why
(``note``). Scenario parameters, project inputs and supply-risk factors are all
``SourcedParam``; :func:`assumption_rows` lists any of them in one table shape
(``name, value, unit, source, source_title, assumption, note``), so the scenario,
valuation and risk outputs label assumptions the same way.

A plain number in YAML (``life_years: 20``) is accepted and recorded as an
assumption with the note "plain value, no source given".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = [
    "ASSUMPTION",
    "ASSUMPTION_COLUMNS",
    "PLAIN_NOTE",
    "Source",
    "SourcedParam",
    "assumption_row",
    "assumption_rows",
    "assumptions_frame",
]

ASSUMPTION_COLUMNS = ["name", "value", "unit", "source", "source_title", "assumption", "note"]
"""Columns of every assumptions table (scenario, project, deposit)."""

ASSUMPTION = "assumption"
"""The ``source`` of a value nobody has cited."""

PLAIN_NOTE = "plain value, no source given"
"""Note recorded on a parameter written as a bare value."""

_KEYS = {"value", "dist", "low", "mode", "high", "sd", "unit", "source", "series", "note"}

T = TypeVar("T")


class Source(BaseModel):
    """A cited source: a document, a dataset row, a news story.

    Attributes
    ----------
    title : str
        Citation in words.
    url : str, optional
        Where it can be read.
    path : str, optional
        A local file (relative to the spec).
    note : str
        What it says, or how it is used.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    url: str | None = None
    path: str | None = None
    note: str = ""

    def text(self) -> str:
        """``title (url)``."""
        return self.title + (f" ({self.url})" if self.url else "")


class SourcedParam(BaseModel, Generic[T]):
    """A value or a distribution, with its unit and provenance.

    Attributes
    ----------
    value : T, optional
        Central value (the deterministic run). For a distribution without ``value``:
        the mode (triangular) or the midpoint (uniform).
    dist : {"fixed", "uniform", "triangular", "normal"}
        Distribution for Monte Carlo draws. ``normal`` uses ``value`` and ``sd`` and is
        clipped to ``[low, high]`` where given.
    low, mode, high, sd : float, optional
        Distribution parameters, in ``unit``.
    unit : str
        Unit of the value (``t/yr``, ``USD/kg``, ``1``...).
    source : str
        ``assumption`` or a reference the spec defines (a key of its ``sources``, a
        ``store:`` series, a ``facts:`` line, a dataset row).
    series : str, optional
        A price series in the store from which the value is read.
    note : str
        Why this value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: T | None = None
    dist: Literal["fixed", "uniform", "triangular", "normal"] = "fixed"
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    sd: float | None = None
    unit: str = ""
    source: str = ASSUMPTION
    series: str | None = None
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _wrap_plain(cls, data: Any) -> Any:
        if isinstance(data, dict) and (not data or set(data) & _KEYS):
            return data
        if isinstance(data, BaseModel):
            return data
        return {"value": data, "source": ASSUMPTION, "note": PLAIN_NOTE}

    @model_validator(mode="after")
    def _check(self) -> SourcedParam[T]:
        d = self.dist
        if d == "fixed" and self.value is None and self.series is None:
            raise ValueError("a fixed parameter needs 'value' (or 'series' for a price)")
        if d == "uniform" and (self.low is None or self.high is None):
            raise ValueError("a uniform distribution needs 'low' and 'high'")
        if d == "triangular" and (self.low is None or self.mode is None or self.high is None):
            raise ValueError("a triangular distribution needs 'low', 'mode' and 'high'")
        if d == "normal" and (self.value is None or self.sd is None or self.sd < 0):
            raise ValueError("a normal distribution needs 'value' and 'sd' >= 0")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) > high ({self.high})")
        if (
            d == "triangular"
            and self.low is not None
            and self.mode is not None
            and self.high is not None
            and not self.low <= self.mode <= self.high
        ):
            raise ValueError("triangular needs low <= mode <= high")
        if self.series is not None and self.source == ASSUMPTION:
            object.__setattr__(self, "source", f"store:{self.series}")
        return self

    @property
    def is_assumption(self) -> bool:
        """True when the value comes from no cited source."""
        return self.source.strip().lower() == ASSUMPTION

    @property
    def is_fixed(self) -> bool:
        """True when draws are all the central value."""
        return self.dist == "fixed" or (
            self.dist in ("uniform", "triangular") and self.low == self.high
        )

    def central(self) -> float:
        """The value of the deterministic run."""
        if self.value is not None:
            return float(self.value)  # type: ignore[arg-type]
        if self.dist == "triangular" and self.mode is not None:
            return float(self.mode)
        if self.dist == "uniform" and self.low is not None and self.high is not None:
            return 0.5 * (self.low + self.high)
        raise ValueError("parameter has no value (an unresolved store series?)")

    def with_value(self, value: float, source: str | None = None) -> SourcedParam[T]:
        """A copy with ``value`` set (e.g. resolved from the store)."""
        upd: dict[str, Any] = {"value": float(value)}
        if source is not None:
            upd["source"] = source
        return self.model_copy(update=upd)

    def sample(self, rng: Any, n: int) -> Any:
        """``n`` draws as a NumPy array; the central value when fixed or without ``rng``."""
        import numpy as np

        if rng is None or self.dist == "fixed":
            return np.full(n, self.central())
        if self.dist == "uniform":
            if self.low == self.high:
                return np.full(n, float(self.low))  # type: ignore[arg-type]
            return rng.uniform(self.low, self.high, n)
        if self.dist == "triangular":
            if self.low == self.high:
                return np.full(n, float(self.low))  # type: ignore[arg-type]
            return rng.triangular(self.low, self.mode, self.high, n)
        x = rng.normal(self.central(), self.sd, n)
        lo = -np.inf if self.low is None else self.low
        hi = np.inf if self.high is None else self.high
        return np.clip(x, lo, hi)

    def describe(self) -> str:
        """Short text of the value or distribution (``triangular(-0.6, -0.3, -0.1)``)."""
        if self.dist == "fixed":
            v = self.value
            if isinstance(v, int | float) and not isinstance(v, bool):
                return f"{float(v):g}"
            return str(v)
        if self.dist == "uniform":
            return f"uniform({self.low:g}, {self.high:g})"
        if self.dist == "triangular":
            return f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"
        s = f"normal({self.central():g}, sd {self.sd:g})"
        if self.low is not None or self.high is not None:
            s += f" clipped to [{self.low}, {self.high}]"
        return s


def assumption_row(
    name: str,
    value: Any,
    unit: str,
    source: str,
    source_title: str = "",
    note: str = "",
) -> dict[str, Any]:
    """One row of an assumptions table.

    Parameters
    ----------
    name : str
        Field path or parameter name.
    value : Any
        The value, or a text describing a distribution.
    unit : str
        Unit of the value.
    source : str
        ``assumption`` or the reference (source key, store series, dataset row).
    source_title : str
        The reference in words (citation and URL); empty for assumptions.
    note : str
        Why this value.

    Returns
    -------
    dict
        ``name, value, unit, source, source_title, assumption, note``.
    """
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "source": source,
        "source_title": source_title,
        "assumption": source.strip().lower() == ASSUMPTION,
        "note": note,
    }


def assumption_rows(
    params: Iterable[tuple[str, SourcedParam[Any]]],
    resolve: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
    """Rows of the assumptions table for ``(name, parameter)`` pairs.

    Parameters
    ----------
    params : iterable of (str, SourcedParam)
        Parameters with their field paths, in the order to show.
    resolve : callable, optional
        Turns a ``source`` reference into a citation (``source_title``).

    Returns
    -------
    list of dict
        One :func:`assumption_row` per parameter.
    """
    out = []
    for name, p in params:
        title = "" if p.is_assumption or resolve is None else resolve(p.source)
        out.append(assumption_row(name, p.describe(), p.unit, p.source, title, p.note))
    return out


def assumptions_frame(rows: Iterable[dict[str, Any]]) -> Any:
    """The assumptions table as a DataFrame with :data:`ASSUMPTION_COLUMNS`.

    Parameters
    ----------
    rows : iterable of dict
        Rows from :func:`assumption_row` / :func:`assumption_rows`.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    return pd.DataFrame(list(rows), columns=ASSUMPTION_COLUMNS)
