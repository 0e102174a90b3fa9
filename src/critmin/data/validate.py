"""Rules that user data must pass before it reaches the store.

One place for the checks shared by ``critmin data import``/``data remove`` and the
HTTP API's ``/imports/validate``: text encodings, the CSV delimiter, numbers
with decimal commas or thousands separators, years, magnitudes, country codes
that are really aggregates, ambiguous units and official edition labels.

Every rule either returns the value unchanged in meaning or raises
:class:`~critmin.errors.ValidationError` with a one-line reason; callers add
the file, line and column (see :func:`critmin.data.importer.read_user_csv`).
Nothing is guessed: a comma in a number is refused unless the caller says what
it means, and a file that is not UTF-8 (or UTF-16/32 with a byte-order mark) is
refused unless the caller names its encoding.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from critmin.data.schema import AGGREGATE_CODES
from critmin.errors import InputFileError, UnitError, ValidationError

__all__ = [
    "AMBIGUOUS_UNITS",
    "MAX_MAGNITUDE",
    "YEAR_MAX",
    "YEAR_MIN",
    "check_country",
    "check_edition",
    "check_magnitude",
    "check_unit",
    "check_year",
    "conversion_factor",
    "detect_delimiter",
    "detect_encoding",
    "iter_text_lines",
    "parse_number",
    "plain_number",
]

#: Years accepted in user rows [year]. Assumption: the bundled data span 1900-2025; a
#: year outside 1800-2100 is a typo (``0``, ``99999``, a value in the year column).
YEAR_MIN, YEAR_MAX = 1800, 2100

#: Largest magnitude accepted per canonical unit. Assumption: the largest official
#: figure in the bundled data is 2e11 t (reserves), 2e9 ct and 8.5e9 m3; a country
#: figure above 50 times these is taken as a unit or typing error (``1e300 t``).
MAX_MAGNITUDE: dict[str, float] = {"t": 1e13, "ct": 1e11, "m3": 5e11, "%": 100.0}

#: Unit spellings refused as ambiguous, with what to write instead.
AMBIGUOUS_UNITS: dict[str, str] = {
    "ton": "t (metric tonne), short_ton (2000 lb) or long_ton (2240 lb)",
    "tons": "t (metric tonne), short_ton (2000 lb) or long_ton (2240 lb)",
    "oz": "ozt (troy ounce, precious metals) or avoirdupois_ounce",
    "ounce": "ozt (troy ounce, precious metals) or avoirdupois_ounce",
    "ounces": "ozt (troy ounce, precious metals) or avoirdupois_ounce",
}

_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# ----------------------------------------------------------------- numbers
@functools.lru_cache(maxsize=16)
def _grouped(decimal: str, thousands: str) -> re.Pattern[str]:
    d, t = re.escape(decimal), re.escape(thousands)
    return re.compile(rf"^[+-]?\d{{1,3}}(?:{t}\d{{3}})*(?:{d}\d+)?$")


def parse_number(text: str, decimal: str = ".", thousands: str | None = None) -> float:
    """Read a number, refusing any separator whose meaning is not stated.

    Parameters
    ----------
    text : str
        The cell, stripped.
    decimal : {".", ","}
        Decimal mark of the file.
    thousands : str, optional
        Thousands separator of the file (``","``, ``"."``, ``" "``, ``"'"``, ``"_"``);
        groups must then have exactly three digits (``1,500`` yes, ``1,5`` no).

    Returns
    -------
    float
        The number; never NaN or infinite.

    Raises
    ------
    ValidationError
        If the text holds a separator that was not declared (``"1,5"`` could be
        1.5 or 15), misplaced groups, or is not a finite number.

    Notes
    -----
    Without options only ``[+-]digits[.digits][e±n]`` is read. ``"1,5"`` is never 15.
    """
    if decimal not in (".", ","):
        raise ValidationError(f"decimal mark must be '.' or ',', not {decimal!r}")
    if thousands is not None and thousands == decimal:
        raise ValidationError("the thousands separator and the decimal mark must differ")
    s = text.strip()
    if decimal == "." and thousands is None and _PLAIN.match(s):
        v = float(s)
    else:
        if thousands is not None and thousands in s:
            if not _grouped(decimal, thousands).match(s):
                raise ValidationError(
                    f"value {text!r} does not use {thousands!r} as a thousands separator "
                    "(groups of three digits)"
                )
            s = s.replace(thousands, "")
        other = {",", "."} - {decimal}
        bad = [c for c in other | {" ", "'", "_"} if c in s]
        if bad:
            hint = (
                "pass --decimal , (decimal comma) or --thousands , (thousands separator)"
                if "," in bad
                else f"pass --thousands {bad[0]!r}"
            )
            raise ValidationError(
                f"value {text!r} holds {bad[0]!r}, which is ambiguous "
                f"(decimal mark or thousands separator?); {hint}"
            )
        if decimal == ",":
            s = s.replace(",", ".")
        if not _PLAIN.match(s):
            raise ValidationError(f"value {text!r} is not a number")
        v = float(s)
    if v != v or v in (float("inf"), float("-inf")):
        raise ValidationError(f"value {text!r} is not finite")
    return v


def plain_number(text: str) -> float | None:
    """``float(text)`` for a plain number (``[+-]digits[.digits][e±n]``), else None.

    The fast path of :func:`parse_number`: None means "read it with parse_number".
    """
    return float(text) if _PLAIN.match(text) else None


def check_year(text: str) -> int:
    """An integer year within ``YEAR_MIN``-``YEAR_MAX``.

    Raises
    ------
    ValidationError
        If ``text`` is not an integer or is out of range.
    """
    s = text.strip()
    if not re.fullmatch(r"[+-]?\d+", s):
        raise ValidationError(f"year {text!r} is not an integer")
    y = int(s)
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise ValidationError(f"year {y} is outside {YEAR_MIN}-{YEAR_MAX}")
    return y


def check_magnitude(value: float, unit: str) -> float:
    """Refuse negative and absurd magnitudes.

    Parameters
    ----------
    value : float
        Magnitude in ``unit`` (a canonical table unit: t, ct, m3, %).
    unit : str
        Canonical unit.

    Raises
    ------
    ValidationError
        If ``value`` is negative or above ``MAX_MAGNITUDE[unit]``.
    """
    if value < 0:
        raise ValidationError(f"negative quantity {value:g} {unit}")
    cap = MAX_MAGNITUDE.get(unit)
    if cap is not None and value > cap:
        raise ValidationError(
            f"{value:g} {unit} is implausibly large (over {cap:g} {unit}); check the unit"
        )
    return value


# ------------------------------------------------------------------ codes
def check_country(code: str, entity_types: Mapping[str, str | None]) -> str:
    """An ISO3 country code that names a country, not an aggregate.

    Parameters
    ----------
    code : str
        Code as written (case-insensitive).
    entity_types : mapping
        ISO3 → entity type (``country``, ``world``, ``other``, ``aggregate``), e.g.
        from the store's countries table.

    Returns
    -------
    str
        Upper-case ISO3 code.

    Raises
    ------
    ValidationError
        For an unknown code or one that is an aggregate (WLD, OTH, XAG).
    """
    iso3 = code.strip().upper()
    if iso3 not in entity_types:
        raise ValidationError(f"unknown country code {code!r}")
    kind = entity_types[iso3]
    if kind != "country":
        what = AGGREGATE_CODES.get(iso3, f"entity type {kind}")
        raise ValidationError(
            f"{iso3!r} is an aggregate ({what}), not a country; user rows must name one country"
        )
    return iso3


def check_edition(edition: str, official: set[str] | frozenset[str]) -> str:
    """Refuse an official edition label on a user row.

    Returns
    -------
    str
        ``edition`` stripped (empty when none was given).

    Raises
    ------
    ValidationError
        If ``edition`` is an official edition (e.g. ``MCS2026``) or starts with ``user:``.
    """
    e = edition.strip()
    if e in official or e.upper() in {o.upper() for o in official}:
        raise ValidationError(
            f"edition {e!r} is an official edition; user rows are labelled user:<source> "
            "(leave the edition column empty)"
        )
    if e.lower().startswith("user:"):
        raise ValidationError(f"edition {e!r}: the user: prefix is added by critmin")
    return e


# ------------------------------------------------------------------ units
def check_unit(unit: str) -> str:
    """Refuse empty and ambiguous unit spellings (``tons``, ``oz``).

    Raises
    ------
    ValidationError
        Naming what to write instead.
    """
    u = unit.strip()
    if not u:
        raise ValidationError("empty unit")
    hint = AMBIGUOUS_UNITS.get(u.lower())
    if hint is not None:
        raise ValidationError(f"unit {u!r} is ambiguous; write {hint}")
    return u


@functools.lru_cache(maxsize=256)
def conversion_factor(unit: str, table_unit: str | None) -> tuple[float, str]:
    """Factor that takes a magnitude in ``unit`` to the table's unit.

    Parameters
    ----------
    unit : str
        Unit as written (``kg``, ``thousand metric tons``, ``t``, ``ct`` ...).
    table_unit : str, optional
        Unit of the existing table (``t``, ``ct``, ``m3``, ``%``); None for a new
        table, which then takes the canonical unit of ``unit``'s dimension.

    Returns
    -------
    tuple of (float, str)
        Factor and target unit: ``value_in_table_unit = value * factor``.

    Raises
    ------
    ValidationError
        If the unit is unknown, ambiguous or cannot be converted (``t`` into ``%``).

    Notes
    -----
    Conversion is pint's (``critmin.units``): 1 ct = 0.2 g, so 5 t = 2.5e7 ct.
    """
    from critmin.units import convert, to_canonical

    u = check_unit(unit)
    if u == "%" or table_unit == "%":
        if u != "%" or table_unit not in (None, "%"):
            raise ValidationError(f"cannot convert {u!r} to {table_unit!r}")
        return 1.0, "%"
    pu = "m**3" if u == "m3" else u
    try:
        if table_unit is None:
            return to_canonical(1.0, pu)
        return convert(1.0, pu, "m**3" if table_unit == "m3" else table_unit), table_unit
    except UnitError as exc:
        target = f" to the table's unit {table_unit!r}" if table_unit else ""
        raise ValidationError(f"unit {u!r}{target}: {exc}") from None


# ------------------------------------------------------------- text files
def detect_encoding(path: str | Path, encoding: str | None = None) -> str:
    """The encoding to read ``path`` with: the given one, or from a byte-order mark.

    Parameters
    ----------
    path : str or Path
        The file.
    encoding : str, optional
        Encoding named by the user (``latin-1``, ``cp1252``, ``utf-16-le`` ...).

    Returns
    -------
    str
        A Python codec name; ``utf-8`` when there is no byte-order mark.

    Raises
    ------
    InputFileError
        For an unknown codec name, or NUL bytes without a byte-order mark
        (UTF-16/32 that cannot be told apart safely).
    """
    p = Path(path)
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise InputFileError(str(p), f"unknown encoding {encoding!r}") from None
    with p.open("rb") as fh:
        head = fh.read(4096)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise InputFileError(
            str(p),
            "NUL bytes: the file looks like UTF-16 or UTF-32 without a byte-order mark; "
            "save it as UTF-8 or pass --encoding utf-16-le",
            line=line,
        )
    return "utf-8"


def iter_text_lines(path: str | Path, encoding: str) -> Iterator[str]:
    """Decoded lines of ``path`` (split at ``\\n``, kept), failing on the first bad byte.

    The file is decoded in 1 MiB chunks (memory bounded by the chunk and the longest line).

    Raises
    ------
    InputFileError
        Naming the line and the byte that is not valid in ``encoding``, with a hint
        to pass ``--encoding`` (e.g. a Latin-1 file read as UTF-8).
    """
    p = Path(path)
    name = codecs.lookup(encoding).name
    dec = codecs.getincrementaldecoder(name)(errors="strict")
    pending = ""
    first = True
    with p.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            try:
                text = dec.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise _bad_byte(p, name) from None
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            parts = (pending + text).split("\n")
            pending = parts.pop()
            for part in parts:
                yield part + "\n"
            if not chunk:
                break
    if pending:
        yield pending


def _bad_byte(p: Path, name: str) -> InputFileError:
    """Locate the first byte of ``p`` that is not valid ``name`` (the slow path)."""
    if name.startswith(("utf-16", "utf-32")):
        data = p.read_bytes()
        try:
            data.decode(name)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode(name, errors="replace").count("\n") + 1
            return InputFileError(
                str(p), f"byte {exc.start} is not valid {name} ({exc.reason})", line=line
            )
    with p.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            try:
                raw.decode(name)
            except UnicodeDecodeError as exc:
                b = raw[exc.start : exc.start + 1].hex().upper()
                hint = (
                    "; the file may be Latin-1 or Windows-1252: save it as UTF-8 or pass "
                    "--encoding latin-1 (or cp1252)"
                    if name.startswith("utf-8")
                    else ""
                )
                return InputFileError(
                    str(p),
                    f"byte 0x{b} at position {exc.start + 1} is not valid {name}{hint}",
                    line=lineno,
                )
    return InputFileError(str(p), f"the file ends inside a {name} character")


def detect_delimiter(header: str, required: list[str]) -> str:
    """The field delimiter: the one of ``,``, ``;``, tab that splits the header into
    the required column names.

    Raises
    ------
    ValidationError
        If no delimiter yields all required columns (the message lists what is missing
        with a comma).
    """
    for d in (",", ";", "\t", "|"):
        names = {h.strip().strip('"') for h in header.rstrip("\r\n").split(d)}
        if all(c in names for c in required):
            return d
    found = [h.strip() for h in header.rstrip("\r\n").split(",")]
    missing = [c for c in required if c not in found]
    raise ValidationError(f"missing required column(s) {missing}")
