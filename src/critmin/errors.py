"""One error hierarchy for critmin, rooted in :class:`CritminError`.

Every error raised on purpose by critmin derives from :class:`CritminError`; most
also derive from a built-in (``ValueError``, ``KeyError``, ``LookupError``) so
that generic handlers keep working. Foreign errors (duckdb, pydantic, pint) are
mapped to these classes at the module edges, with the file, row and column where
they apply.
"""

from __future__ import annotations

__all__ = [
    "CritminError",
    "DataNotFoundError",
    "InputFileError",
    "ResourceLimitError",
    "SpecError",
    "StoreError",
    "UnitError",
    "UnknownCommodityError",
    "UnknownCountryError",
    "ValidationError",
]


class CritminError(Exception):
    """Base class of all errors raised by critmin."""


class ValidationError(CritminError, ValueError):
    """A value is outside what a function accepts."""


class UnitError(CritminError, ValueError):
    """A unit is unknown or has the wrong dimension."""


class _UnknownNameError(CritminError, LookupError):
    """A name that no resolver knows; the message suggests near names or gives a hint."""

    what = "name"

    def __init__(
        self, name: str, suggestions: list[str] | None = None, hint: str | None = None
    ) -> None:
        self.name = name
        self.suggestions = suggestions or []
        self.hint = hint
        msg = f"unknown {self.what} {name!r}"
        if hint:
            msg += f": {hint}"
        elif self.suggestions:
            msg += f" (did you mean: {', '.join(self.suggestions)}?)"
        super().__init__(msg)


class UnknownCommodityError(_UnknownNameError):
    """A commodity name or alias is not in the registry."""

    what = "commodity"


class UnknownCountryError(_UnknownNameError):
    """A country name, code or group is not known."""

    what = "country or group"


class DataNotFoundError(CritminError, LookupError):
    """The store holds no data for the query."""


class ResourceLimitError(CritminError, RuntimeError):
    """A run would need more memory (or time) than the machine has; the message says how to lower it."""


class StoreError(CritminError, RuntimeError):
    """The embedded store could not be created, opened or updated."""


class InputFileError(CritminError, ValueError):
    """A user file is malformed; the message names file, line and column.

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong.
    line : int, optional
        1-based line number in the file (the header is line 1).
    column : str, optional
        Column name.
    """

    def __init__(
        self, path: str, message: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class SpecError(InputFileError):
    """A YAML spec (scenario, project, claims, estimation, brief) failed validation.

    The message names the file, the line where known and the field path
    (``shocks.0.share_allowed``).

    Parameters
    ----------
    path : str
        The file.
    message : str
        What is wrong.
    field : str, optional
        Dotted field path; the message becomes ``field 'a.b': message``.
    line : int, optional
        1-based line in the file.
    field_name : str, optional
        Dotted field path recorded on the error when ``message`` already names it.
    column : int, optional
        1-based column (YAML syntax errors).
    """

    def __init__(
        self,
        path: str,
        message: str,
        field: str | None = None,
        line: int | None = None,
        field_name: str | None = None,
        column: int | None = None,
    ) -> None:
        self.field = field if field is not None else field_name
        msg = message if field is None else f"field {field!r}: {message}"
        super().__init__(path, msg, line=line, column=None)
        if column is not None:  # a YAML column is a number, not a CSV column name
            self.column = str(column)
            self.args = (f"{self.path}, line {line}, column {column}: {msg}",)
