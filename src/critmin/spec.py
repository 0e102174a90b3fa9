"""One loader for every YAML spec: scenarios, projects, deposits, estimations, claims, briefs.

:func:`load_spec` reads a file safely, validates it with a pydantic model and turns
every failure into one :class:`~critmin.errors.SpecError` line that names

- the file, and the line and column for YAML syntax errors;
- the field path (``shocks.0.share_allowed``) and, where the YAML has it, its line;
- an unknown key as unknown, with the nearest allowed key
  (``field 'compsite' is not allowed here; did you mean 'composite'?``);
- how many further errors pydantic found (``and 2 more errors``).

Domain modules keep their own post-validation checks (a scenario's sources, a
project's ``kind``) but call :func:`parse_spec` or :func:`load_spec` for the parsing,
so the messages have one shape everywhere. The HTTP API uses :func:`yaml_data` on
uploaded text with the same limits (:data:`MAX_DEPTH`, :data:`MAX_BYTES`).
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from critmin.errors import SpecError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "field_path",
    "load_spec",
    "parse_spec",
    "read_yaml",
    "spec_error",
    "yaml_data",
]

M = TypeVar("M", bound=BaseModel)

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists accepted in a spec (a real spec uses under 10)."""

MAX_BYTES = 5_000_000
"""Largest spec accepted [bytes]; the shipped examples are under 20 kB."""


def _depth_check(node: Any, path: str) -> None:
    """Raise when a composed YAML node nests deeper than :data:`MAX_DEPTH` (iteratively)."""
    import yaml

    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        n, d = stack.pop()
        if d > MAX_DEPTH:
            mark = n.start_mark
            raise SpecError(
                path,
                f"nested deeper than {MAX_DEPTH} levels",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        if isinstance(n, yaml.MappingNode):
            stack.extend((v, d + 1) for _k, v in n.value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((v, d + 1) for v in n.value)


def yaml_data(text: str, path: str | Path = "<spec>") -> Any:
    """Parse YAML text safely, with size and depth limits.

    Parameters
    ----------
    text : str
        The YAML document.
    path : str or pathlib.Path
        Name used in messages (a file, or ``<upload>``).

    Returns
    -------
    Any
        The parsed document (``None`` for an empty one).

    Raises
    ------
    SpecError
        Syntax error (with line and column), a document over :data:`MAX_BYTES`, or one
        nested deeper than :data:`MAX_DEPTH`.
    """
    import yaml

    p = str(path)
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise SpecError(p, f"larger than {MAX_BYTES:,} bytes")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, p) from None
    except RecursionError:
        raise SpecError(p, f"nested deeper than {MAX_DEPTH} levels") from None
    if node is None:
        return None
    _depth_check(node, p)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, p) from None


def _syntax_error(exc: Any, path: str) -> SpecError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is None:
        return SpecError(path, f"not valid YAML: {problem}")
    return SpecError(
        path,
        f"not valid YAML: {problem}",
        line=mark.line + 1,
        column=mark.column + 1,
    )


def read_yaml(path: str | Path) -> tuple[Any, str]:
    """Read a YAML file: the parsed document and its text.

    Raises
    ------
    SpecError
        Missing or unreadable file, not UTF-8, or not valid YAML.
    """
    p = Path(path)
    if not p.is_file():
        raise SpecError(str(p), "file not found")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(str(p), f"not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except OSError as exc:
        raise SpecError(str(p), f"cannot read file: {exc.strerror or exc}") from None
    return yaml_data(text, p), text


# --- pydantic errors -> one line -------------------------------------------------------------


def _models_in(annotation: Any) -> tuple[list[type[BaseModel]], bool, bool]:
    """Model classes inside an annotation, and whether it holds a dict / a list."""
    models: list[type[BaseModel]] = []
    has_dict = has_list = False
    stack = [annotation]
    seen: set[int] = set()
    while stack:
        a = stack.pop()
        if id(a) in seen:
            continue
        seen.add(id(a))
        if isinstance(a, type) and issubclass(a, BaseModel):
            models.append(a)
            continue
        origin = typing.get_origin(a)
        if origin in (dict, typing.Mapping) or (
            isinstance(origin, type) and issubclass(origin, dict)
        ):
            has_dict = True
        if origin in (list, tuple, set, frozenset):
            has_list = True
        if origin is typing.Annotated:
            stack.append(typing.get_args(a)[0])
            continue
        if origin is not None or isinstance(a, types.UnionType):
            args = typing.get_args(a)
            stack.extend(args[1:] if origin in (dict, typing.Mapping) else args)
    return models, has_dict, has_list


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, f in model.model_fields.items():
        out[name] = f.annotation
        if f.alias:
            out[f.alias] = f.annotation
    return out


def _has_tag(model: type[BaseModel], tag: str) -> bool:
    """True when a field of ``model`` is ``Literal[tag]`` (a discriminated-union member)."""
    for f in model.model_fields.values():
        ann = f.annotation
        if typing.get_origin(ann) is typing.Literal and tag in typing.get_args(ann):
            return True
    return False


def field_path(
    model: type[BaseModel], loc: tuple[int | str, ...]
) -> tuple[list[str | int], list[str]]:
    """The user's field path of a pydantic error location, and the keys allowed at its end.

    Pydantic puts union members, tags and validator names into ``loc``
    (``('shocks', 0, 'export_restriction', 'share_allowed')``); this walks the model
    and keeps only what the user wrote.

    Returns
    -------
    path : list of str or int
        Field names, list indices and mapping keys.
    allowed : list of str
        Field names allowed where the last element of ``path`` stands (for "did you mean").
    """
    candidates: list[type[BaseModel]] = [model]
    key_next = False
    out: list[str | int] = []
    allowed: list[str] = sorted(_fields(model))
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(part, int):
            out.append(part)
            continue
        if key_next:
            out.append(part)
            key_next = False
            continue
        allowed = sorted({k for m in candidates for k in _fields(m)})
        owners = [m for m in candidates if part in _fields(m)]
        if owners:
            out.append(part)
            nxt: list[type[BaseModel]] = []
            dict_next = False
            for m in owners:
                ms, has_dict, _ = _models_in(_fields(m)[part])
                nxt.extend(ms)
                dict_next = dict_next or has_dict
            candidates = nxt
            key_next = dict_next
        elif last or not candidates:
            out.append(part)
        else:  # a union member, tag or validator name: narrow to the tagged member
            tagged = [m for m in candidates if _has_tag(m, part) or m.__name__ == part]
            candidates = tagged or candidates
    return out, allowed


def _line_of(text: str | None, path: list[str | int]) -> int | None:
    """1-based line of a field path in YAML text (the deepest node found)."""
    if not text:
        return None
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except Exception:  # the text parsed before; a failure here only loses the line number
        return None
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            hit = next((v for k, v in node.value if str(k.value) == str(part)), None)
            key = next((k for k, v in node.value if str(k.value) == str(part)), None)
            if hit is None:
                return line
            line = (key.start_mark.line if key is not None else hit.start_mark.line) + 1
            node = hit
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _written(data: Any, parts: list[str | int]) -> list[str | int]:
    """Drop a trailing ``value`` that the user did not write (a plain value wrapped as a parameter)."""
    if len(parts) < 2 or parts[-1] != "value":
        return parts
    node = data
    for p in parts[:-1]:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return parts
    return parts if isinstance(node, dict) and "value" in node else parts[:-1]


def _dotted(data: Any, parts: list[str | int]) -> str:
    """``claims.3[ga-output].value``: list items that carry an ``id`` are named by it."""
    out: list[str] = []
    node = data
    for p in parts:
        try:
            node = node[p] if node is not None else None
        except (KeyError, IndexError, TypeError):
            node = None
        ident = node.get("id") if isinstance(p, int) and isinstance(node, dict) else None
        out.append(f"{p}[{ident}]" if isinstance(ident, str | int) else str(p))
    return ".".join(out)


def spec_error(
    exc: PydanticValidationError,
    model: type[BaseModel],
    path: str | Path,
    text: str | None = None,
    data: Any = None,
) -> SpecError:
    """One :class:`SpecError` line for a pydantic ``ValidationError``.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error.
    model : type
        The model that was validated (to tell user fields from pydantic's tags).
    path : str or pathlib.Path
        The file (or ``<upload>``).
    text : str, optional
        The YAML text, to add the line of the first failing field.
    data : Any, optional
        The parsed document, to name a plain value by its own field.
    """
    errors = exc.errors()
    # an unknown key is usually the typo behind a "missing" error: report it first
    errors = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    parts, allowed = field_path(model, tuple(err["loc"]))
    if data is not None:
        parts = _written(data, parts)
    more = len(errors) - 1
    tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
    dotted = _dotted(data, parts) or None
    line = _line_of(text, parts) if parts else None
    if err["type"] == "extra_forbidden" and parts:
        key = str(parts[-1])
        near = difflib.get_close_matches(key, [a for a in allowed if a != key], n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]!r}?" if near else f"; allowed here: {', '.join(allowed)}"
        msg = f"field {dotted!r} is not allowed here{hint}{tail}"
        return SpecError(str(path), msg, line=line, field_name=dotted)
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if err["type"] == "missing":
        parent = tuple(err["loc"][:-1])
        missing = [e for e in errors if e["type"] == "missing" and tuple(e["loc"][:-1]) == parent]
        if len(missing) > 1:  # name every missing sibling: one line, nothing hidden
            names = ", ".join(repr(str(e["loc"][-1])) for e in missing)
            more = len(errors) - len(missing)
            tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
            where = dotted.rpartition(".")[0] if dotted else ""
            return SpecError(
                str(path),
                f"required fields are missing: {names}{tail}",
                field=where or None,
                line=_line_of(text, parts[:-1]) if parts[:-1] else None,
            )
        msg = "required field is missing"
    return SpecError(str(path), msg + tail, field=dotted, line=line)


def parse_spec(
    data: Any,
    model: type[M],
    path: str | Path = "<spec>",
    *,
    text: str | None = None,
    what: str = "spec",
) -> M:
    """Validate a parsed YAML document against ``model``.

    Parameters
    ----------
    data : Any
        The parsed YAML (must be a mapping).
    model : type of pydantic.BaseModel
        The spec model.
    path : str or pathlib.Path
        File name used in messages.
    text : str, optional
        The YAML text, for line numbers of failing fields.
    what : str
        What the document is, for the "must be a mapping" message.

    Raises
    ------
    SpecError
        One line naming the file, the field path (and line) and the problem.
    """
    if not isinstance(data, dict):
        raise SpecError(str(path), f"the {what} must be a YAML mapping")
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise spec_error(exc, model, path, text, data) from None


def load_spec(path: str | Path, model: type[M], *, what: str = "spec") -> M:
    """Read a YAML file and validate it against ``model`` (see the module docstring).

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.
    model : type of pydantic.BaseModel
        The spec model.
    what : str
        What the document is, for messages.

    Returns
    -------
    model
        The validated spec.

    Raises
    ------
    SpecError
        Missing file, invalid YAML (line and column) or a field that fails validation.
    """
    data, text = read_yaml(path)
    return parse_spec(data, model, path, text=text, what=what)
