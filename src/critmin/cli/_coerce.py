"""Option values without pydantic on the common path (cold start of the CLI).

Newer Typer (the releases that carry their own copy of Click) converts every option
value through a pydantic ``TypeAdapter``, built for each parameter of the command
that runs, even for an option that was not given. Importing pydantic and building
the adapters costs about 0.2 s of a cold ``critmin rank gallium``.

:func:`install` puts a lazy runtime parameter in front of Typer's own: an option
that was not given (``None``) needs no conversion; a string for a ``str`` option,
a member or name of an ``Enum`` choice, and a plain decimal integer or number are
converted here exactly as Typer's adapter converts them; anything else (a bad
value, a path, a file, a tuple, a bounded number, a custom parser) goes to Typer's
adapter, built on first use, so that its messages and checks are unchanged.

With an older Typer (plain Click, no adapters) :func:`install` does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["install"]

#: A value that the lean path does not convert (Typer's adapter does).
_MISS = object()

_INT = re.compile(r"[+-]?[0-9]{1,18}")
_FLOAT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?")


def _leaf(annotation: Any, info: Any, value: Any, ctx: Any) -> Any:
    """``value`` converted for a leaf ``annotation``, or ``_MISS``."""
    if annotation is str:
        return value if type(value) is str else _MISS
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        if isinstance(value, annotation):
            return value
        if type(value) is not str:
            return _MISS
        from typer._param_types import coerce_cli_choice

        try:
            return coerce_cli_choice(
                value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
            )
        except ValueError:  # Typer's adapter words the error
            return _MISS
    if annotation is int or annotation is float:
        if info.min is not None or info.max is not None or info.clamp:
            return _MISS
        if type(value) is annotation:
            return value
        if type(value) is str and (_INT if annotation is int else _FLOAT).fullmatch(value):
            return annotation(value)
    return _MISS


def install() -> None:
    """Put the lean runtime parameter in front of Typer's (idempotent)."""
    try:
        from typer import _coercion, core
    except ImportError:  # older Typer: plain Click, no pydantic adapters
        return
    full_build = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if full_build is None or base is None or getattr(full_build, "_critmin_lean", False):
        return
    typer_build: Callable[[Any], Any] = full_build

    @dataclass(frozen=True)
    class LeanRuntimeParam(base):  # type: ignore[misc, valid-type]
        """Converts the common values itself; Typer's adapter does the rest."""

        descriptor: Any = None
        _full: list[Any] = field(default_factory=list, compare=False, repr=False)

        def _fallback(self) -> Any:
            if not self._full:
                self._full.append(typer_build(self.descriptor))
            return self._full[0]

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            ann = self.annotation
            info = self.parameter_info
            if getattr(info, "parser", None) is None:
                origin = getattr(ann, "__origin__", None)
                if origin is list and isinstance(value, list | tuple):
                    (item,) = getattr(ann, "__args__", (None,))
                    out = [_leaf(item, info, v, ctx) for v in value]
                    if all(o is not _MISS for o in out):
                        return out
                elif origin is None:
                    one = _leaf(ann, info, value, ctx)
                    if one is not _MISS:
                        return one
            return self._fallback()._coerce_value(value, param=param, ctx=ctx)

    def lean_build(descriptor: Any) -> Any:
        if descriptor.file_annotation is not None:
            return typer_build(descriptor)
        return LeanRuntimeParam(
            annotation=descriptor.annotation,
            parameter_info=descriptor.parameter_info,
            descriptor=descriptor,
        )

    lean_build._critmin_lean = True  # type: ignore[attr-defined]
    core.build_runtime_param = lean_build
