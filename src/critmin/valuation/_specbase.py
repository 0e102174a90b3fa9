"""Shared pieces of the valuation specs: the frozen base model and :class:`Input`."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from critmin.params import SourcedParam

__all__ = ["Input", "_Model", "_opt", "_unit"]

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
