"""Validated, transactional import and removal of user observations.

``critmin data import FILE.csv`` reads a CSV with the columns ``commodity,
measure, iso3, year, value, unit, source`` (optional ``qualifier, edition, note,
product, basis``), checks every row with the rules of :mod:`critmin.data.validate`
and adds all rows in one transaction: a bad file changes nothing, and the error
is one line naming the file, line and column.

What is refused (nothing is guessed or changed silently):

- identical or competing rows for one cell (commodity, measure, product, iso3,
  year), within the file, against earlier user rows and against the official
  table shown by default;
- numbers whose separators are ambiguous (``1,5``) unless ``decimal``/``thousands``
  say what they mean; a file that is not UTF-8 (or UTF-16/32 with a byte-order mark)
  unless ``encoding`` names its encoding;
- units that cannot be converted to the table's unit (values that can are converted
  with pint and counted: 5 t of diamonds become 25,000,000 ct);
- aggregates (WLD, OTH, XAG) as countries, years outside 1800-2100, ragged rows,
  negative or absurd magnitudes, official edition labels (user rows are labelled
  ``user:<source>``).

User rows are keyed by (commodity, measure, product, iso3, year, source);
``replace=True`` replaces rows with the same key, :func:`remove_observations`
removes them. Import then removal restores the store's user data exactly.
"""

from __future__ import annotations

import contextlib
import csv
import operator
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.data import commodities as reg
from critmin.data import validate as v
from critmin.data.schema import AGGREGATE_CODES, MEASURES, OBSERVATION_COLUMNS, QUALIFIERS
from critmin.errors import CritminError, InputFileError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = [
    "KEY_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROW_COLUMNS",
    "ImportContext",
    "ImportResult",
    "Staged",
    "import_file",
    "import_observations",
    "iter_user_rows",
    "read_user_csv",
    "remove_observations",
    "stage_file",
]

REQUIRED_COLUMNS = ["commodity", "measure", "iso3", "year", "value", "unit", "source"]
OPTIONAL_COLUMNS = ["qualifier", "edition", "note", "product", "basis"]
CELL_KEY = ["commodity", "measure", "product", "iso3", "year"]
_NULL_QUALIFIERS = {"withheld", "not_available", "negligible", "qualitative", "included_elsewhere"}
_NULL = "\\N"  # NULL marker in the staging CSV


@dataclass
class ImportContext:
    """What the row checks need from the store.

    Attributes
    ----------
    entity_types : dict
        ISO3 → entity type (``country`` or an aggregate kind).
    names : dict
        ISO3 → display name.
    table_units : dict
        (commodity, measure, product) → unit of the existing table.
    official_editions : frozenset
        Editions of the bundled sources (``MCS2026`` ...), refused on user rows.
    """

    entity_types: dict[str, str | None]
    names: dict[str, str]
    table_units: dict[tuple[str, str, str], str] = field(default_factory=dict)
    official_editions: frozenset[str] = frozenset()

    @classmethod
    def from_store(cls, store: Store) -> ImportContext:
        """Read countries, table units and official editions from ``store``."""
        c = store.records("SELECT iso3, name, entity_type FROM countries")
        units = store.records(
            "SELECT commodity, measure, product, any_value(unit) AS unit FROM "
            "(SELECT commodity, measure, product, unit FROM observations UNION ALL "
            " SELECT commodity, measure, product, unit FROM user_observations) GROUP BY ALL"
        )
        eds = store.records("SELECT DISTINCT edition FROM sources WHERE edition IS NOT NULL")
        return cls(
            entity_types={str(r["iso3"]): r["entity_type"] for r in c},
            names={str(r["iso3"]): str(r["name"]) for r in c},
            table_units={
                (r["commodity"], r["measure"], r["product"] or ""): r["unit"] for r in units
            },
            official_editions=frozenset(str(r["edition"]) for r in eds),
        )

    @classmethod
    def from_codes(cls, known_iso3: set[str] | dict[str, str]) -> ImportContext:
        """Context without a store: aggregates from the schema, canonical units."""
        names = dict(known_iso3) if isinstance(known_iso3, dict) else {k: k for k in known_iso3}
        kinds: dict[str, str | None] = {
            k: ("aggregate" if k in AGGREGATE_CODES else "country") for k in names
        }
        return cls(entity_types=kinds, names=names)


@dataclass
class ImportResult:
    """Outcome of an import: rows added and replaced, unit conversions made.

    ``conversions`` maps (unit as written, table unit) to the number of rows converted.
    """

    added: int = 0
    replaced: int = 0
    conversions: dict[tuple[str, str], int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class Staged:
    """A validated file written to staging CSVs (compact rows and keys), ready to commit."""

    path: Path
    staging: Path
    keys: Path
    rows: int
    conversions: dict[tuple[str, str], int]
    sources: list[str]

    def discard(self) -> None:
        """Delete the staging files."""
        for f in (self.staging, self.keys):
            with contextlib.suppress(FileNotFoundError):
                f.unlink()


#: Columns whose combination repeats across rows: validated once per distinct combination.
_KEY_COLS = (
    "commodity", "measure", "iso3", "qualifier", "unit", "product", "source", "edition", "basis"
)  # fmt: skip
#: Columns of a validated key, in the order of :attr:`_RowChecker.keys` rows.
KEY_COLUMNS = [
    "key_id", "commodity", "measure", "product", "iso3", "entity_type", "country", "unit",
    "qualifier", "raw_unit", "basis", "edition", "source_id",
]  # fmt: skip
#: Per-row columns of the compact staging file (the rest come from the key).
ROW_COLUMNS = ["key_id", "year", "value", "raw_value", "note", "source_row"]


class _RowChecker:
    """Validates rows (lists of cells); columns that repeat are checked once per combination.

    ``check`` returns a compact row (``ROW_COLUMNS``); ``keys`` holds one row per distinct
    combination of the repeating columns (``KEY_COLUMNS``), so that a file of 187,500 rows
    costs one dictionary look-up, a year, and a number per row.
    """

    def __init__(
        self, path: Path, header: list[str], ctx: ImportContext, decimal: str, thousands: str | None
    ) -> None:
        self.path, self.ctx = path, ctx
        self.decimal, self.thousands = decimal, thousands
        self.ncols = len(header)
        idx = {h: i for i, h in enumerate(header)}
        present = [c for c in _KEY_COLS if c in idx]
        self.key_names = present
        self.getter = operator.itemgetter(*[idx[c] for c in present])
        self.iy, self.iv = idx["year"], idx["value"]
        self.inote = idx.get("note")
        self.fast = decimal == "." and thousands is None
        self.index: dict[tuple[Any, ...], tuple[int, float, str, bool]] = {}
        self.keys: list[list[Any]] = []
        self.valued: list[int] = []  # rows with a value per key (for conversion counts)
        self.years: dict[str, int] = {}
        self.sources: dict[str, None] = {}

    def fail(self, line: int, col: str | None, msg: str) -> InputFileError:
        return InputFileError(str(self.path), msg, line=line, column=col)

    def _key(self, k: tuple[Any, ...], line: int) -> tuple[int, float, str, bool]:
        r = {name: str(val).strip() for name, val in zip(self.key_names, k, strict=True)}
        col = "commodity"
        try:
            commodity = reg.resolve(r["commodity"])
            col = "measure"
            measure = r["measure"]
            if measure not in MEASURES:
                raise ValidationError(f"unknown measure {measure!r} (one of {sorted(MEASURES)})")
            col = "iso3"
            iso3 = v.check_country(r["iso3"], self.ctx.entity_types)
            col = "qualifier"
            qualifier = r.get("qualifier") or "reported"
            if qualifier not in QUALIFIERS:
                raise ValidationError(
                    f"unknown qualifier {qualifier!r} (one of {sorted(QUALIFIERS)})"
                )
            col = "unit"
            product = r.get("product", "")
            table_unit = (
                "%"
                if measure == "net_import_reliance"
                else self.ctx.table_units.get((commodity, measure, product))
            )
            fac, unit = v.conversion_factor(r["unit"], table_unit)
            col = "source"
            source = r["source"]
            if not source:
                raise ValidationError("every figure needs a source")
            col = "edition"
            ed = v.check_edition(r.get("edition", ""), self.ctx.official_editions)
        except CritminError as exc:
            raise self.fail(line, col, str(exc)) from None
        self.sources.setdefault(source, None)
        key_id = len(self.keys)
        self.keys.append(
            [key_id, commodity, measure, product, iso3, "country", self.ctx.names.get(iso3, iso3),
             unit, qualifier, r["unit"], r.get("basis") or "not stated",
             f"user:{source}:{ed}" if ed else f"user:{source}", f"user:{source}"]
        )  # fmt: skip
        self.valued.append(0)
        return key_id, fac, unit, qualifier in _NULL_QUALIFIERS

    def check(self, cells: list[str], line: int) -> tuple[Any, ...]:
        """One row: ``(key_id, year, value, raw_value, note, line)``, or InputFileError."""
        if len(cells) != self.ncols:
            raise self.fail(
                line, None, f"ragged row: {len(cells)} field(s), the header has {self.ncols}"
            )
        k = self.getter(cells)
        hit = self.index.get(k)
        if hit is None:
            hit = self.index[k] = self._key(k, line)
        key_id, fac, unit, null_q = hit
        ys = cells[self.iy]
        year = self.years.get(ys)
        if year is None:
            try:
                year = self.years[ys] = v.check_year(ys)
            except ValidationError as exc:
                raise self.fail(line, "year", str(exc)) from None
        raw = cells[self.iv].strip()
        value: float | None = None
        try:
            if raw == "":
                if not null_q:
                    q = self.keys[key_id][8]
                    raise ValidationError(
                        f"empty value needs a qualifier such as withheld, not {q!r}"
                    )
            elif null_q:
                q = self.keys[key_id][8]
                raise ValidationError(f"qualifier {q!r} means no value, but the value is {raw!r}")
            else:
                value = v.plain_number(raw) if self.fast else None
                if value is None:
                    value = v.parse_number(raw, self.decimal, self.thousands)
                value *= fac
                if not 0 <= value <= v.MAX_MAGNITUDE[unit]:
                    v.check_magnitude(value, unit)
                self.valued[key_id] += 1
        except ValidationError as exc:
            raise self.fail(line, "value", str(exc)) from None
        note = cells[self.inote].strip() if self.inote is not None else ""
        return key_id, year, value, raw, note, line

    def conversions(self) -> dict[tuple[str, str], int]:
        """Rows converted per (unit as written, table unit)."""
        out: Counter[tuple[str, str]] = Counter()
        for key, n in zip(self.keys, self.valued, strict=True):
            if n and key[9] != key[7]:
                out[(key[9], key[7])] += n
        return dict(out)

    def expand(self, row: tuple[Any, ...]) -> list[Any]:
        """A compact row as a full row in ``OBSERVATION_COLUMNS`` order."""
        k = self.keys[row[0]]
        return [*k[1:7], row[1], row[2], k[7], k[8], row[3], k[9], k[10], row[4], k[11], k[12],
                row[5]]  # fmt: skip


def iter_user_rows(
    path: str | Path,
    ctx: ImportContext,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
) -> Iterator[list[Any]]:
    """Validated rows of a user CSV, one list per row in ``OBSERVATION_COLUMNS`` order.

    Parameters
    ----------
    path : str or Path
        The CSV (delimiter ``,``, ``;``, tab or ``|``, told from the header).
    ctx : ImportContext
        Countries, table units and official editions.
    decimal, thousands : str
        Decimal mark and thousands separator (see :func:`critmin.data.validate.parse_number`).
    encoding : str, optional
        Encoding; default UTF-8, or UTF-16/32 from a byte-order mark.

    Raises
    ------
    InputFileError
        At the first bad row, naming file, line (header = 1) and column.
    """
    checkers: list[_RowChecker] = []
    for row in _compact_rows(
        path, ctx, decimal=decimal, thousands=thousands, encoding=encoding, checker_out=checkers
    ):
        yield checkers[0].expand(row)


def _compact_rows(
    path: str | Path,
    ctx: ImportContext,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
    checker_out: list[_RowChecker] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Validated compact rows (``ROW_COLUMNS``) of a user CSV; keys go to the checker.

    Parameters
    ----------
    path : str or Path
        The CSV (delimiter ``,``, ``;``, tab or ``|``, told from the header).
    ctx : ImportContext
        Countries, table units and official editions.
    decimal, thousands : str
        Decimal mark and thousands separator (see :func:`critmin.data.validate.parse_number`).
    encoding : str, optional
        Encoding; default UTF-8, or UTF-16/32 from a byte-order mark.
    checker_out : list, optional
        Receives the row checker (for its unit-conversion counts and sources).

    Raises
    ------
    InputFileError
        At the first bad row, naming file, line (header = 1) and column.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(str(p), "file not found")
    enc = v.detect_encoding(p, encoding)
    lines = v.iter_text_lines(p, enc)
    first = next(lines, "")
    if not first.strip():
        raise InputFileError(str(p), "empty file (no header)", line=1)
    try:
        delim = v.detect_delimiter(first, REQUIRED_COLUMNS)
    except ValidationError as exc:
        raise InputFileError(str(p), str(exc), line=1) from None
    header = [h.strip() for h in next(csv.reader([first], delimiter=delim))]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise InputFileError(str(p), f"unknown column(s) {unknown}", line=1)
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputFileError(str(p), f"repeated column(s) {repeated}", line=1)
    checker = _RowChecker(p, header, ctx, decimal, thousands)
    if checker_out is not None:
        checker_out.append(checker)
    reader = csv.reader(lines, delimiter=delim, strict=True)
    line = 2
    n = 0
    try:
        for cells in reader:
            if cells and (len(cells) > 1 or cells[0].strip()):  # blank lines are not rows
                n += 1
                yield checker.check(cells, line)
            line = reader.line_num + 2  # the header was read apart
    except csv.Error as exc:
        raise InputFileError(str(p), f"malformed CSV: {exc}", line=line) from None
    if n == 0:
        raise InputFileError(str(p), "no data rows")


def read_user_csv(
    path: str | Path,
    known_iso3: set[str] | dict[str, str] | None = None,
    *,
    store: Store | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Parse and validate a user observations CSV without writing anything.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    known_iso3 : set of str or dict, optional
        Valid codes (a dict maps them to names); used when ``store`` is None, with
        WLD/OTH/XAG taken as aggregates and units converted to canonical units.
    store : Store, optional
        Take countries, table units and official editions from the store (preferred:
        values are then converted to the unit of the existing table).
    decimal, thousands, encoding
        As for :func:`iter_user_rows`.

    Returns
    -------
    pandas.DataFrame
        Rows in the canonical observation schema.

    Raises
    ------
    InputFileError
        At the first problem, naming file, line and column, including two rows
        for the same cell (commodity, measure, product, iso3, year).
    """
    import pandas as pd

    if store is not None:
        ctx = ImportContext.from_store(store)
    elif known_iso3 is not None:
        ctx = ImportContext.from_codes(known_iso3)
    else:
        raise ValueError("read_user_csv needs known_iso3 or store")
    rows = list(iter_user_rows(path, ctx, decimal=decimal, thousands=thousands, encoding=encoding))
    df = pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)
    dup = df[df.duplicated(CELL_KEY, keep=False)]
    if len(dup):
        second = dup[dup.duplicated(CELL_KEY, keep="first")].sort_values("source_row").iloc[0]
        same = dup[(dup[CELL_KEY] == second[CELL_KEY]).all(axis=1)].iloc[0]
        raise _duplicate_error(Path(path), same.to_dict(), second.to_dict())
    return df


def _label(r: dict[str, Any]) -> str:
    return f"{r['commodity']} {r['measure']}{' ' + r['product'] if r['product'] else ''} {r['iso3']} {r['year']}"


def _fmt(value: Any, unit: Any, qualifier: Any = None) -> str:
    if value is None or value != value:
        return str(qualifier or "no value")
    return f"{value:,.10g} {unit}"


def _duplicate_error(path: Path, first: dict[str, Any], second: dict[str, Any]) -> InputFileError:
    def missing(x: Any) -> bool:
        return x is None or x != x

    same_value = first["value"] == second["value"] or (
        missing(first["value"]) and missing(second["value"])
    )
    line = first["source_row"]
    if same_value and all(first[k] == second[k] for k in ("source_id", "qualifier")):
        msg = f"duplicate of line {line} ({_label(second)}): identical rows would be counted twice"
    else:
        msg = (
            f"duplicate of line {line} with a different value for {_label(second)}: "
            f"{_fmt(second['value'], second['unit'], second['qualifier'])} ({second['source_id']}) "
            f"against {_fmt(first['value'], first['unit'], first['qualifier'])} "
            f"({first['source_id']}); one value per cell"
        )
    return InputFileError(str(path), msg, line=int(second["source_row"]), column="value")


def stage_file(
    path: str | Path,
    ctx: ImportContext,
    *,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Staged:
    """Validate ``path`` row by row into staging CSVs (memory bounded by the distinct keys).

    Returns
    -------
    Staged
        Staging files of compact rows (``ROW_COLUMNS``) and keys (``KEY_COLUMNS``), to be
        deleted with :meth:`Staged.discard`; row count, unit conversions and sources.
    """
    p = Path(path)
    fd, name = tempfile.mkstemp(prefix="critmin-import-", suffix=".csv")
    staged = Staged(p, Path(name), Path(name[:-4] + "-keys.csv"), 0, {}, [])
    checkers: list[_RowChecker] = []
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(ROW_COLUMNS)
            write = w.writerow
            for row in _compact_rows(
                p,
                ctx,
                decimal=decimal,
                thousands=thousands,
                encoding=encoding,
                checker_out=checkers,
            ):
                write(row if row[2] is not None else (*row[:2], _NULL, *row[3:]))
                n += 1
                if progress is not None and not n % 20000:
                    progress(n)
        ch = checkers[0]
        with staged.keys.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(KEY_COLUMNS)
            w.writerows(ch.keys)
    except BaseException:
        staged.discard()
        raise
    staged.rows, staged.conversions, staged.sources = n, ch.conversions(), list(ch.sources)
    return staged


def import_file(
    path: str | Path,
    store: Store,
    *,
    replace: bool = False,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
) -> ImportResult:
    """Validate ``path`` and add its rows to ``store`` (read-write) in one transaction.

    See :func:`stage_file` and :func:`commit_staged`.
    """
    from critmin.data.user_rows import commit_staged

    ctx = ImportContext.from_store(store)
    staged = stage_file(path, ctx, decimal=decimal, thousands=thousands, encoding=encoding)
    try:
        return commit_staged(staged, store, replace=replace)
    finally:
        staged.discard()


def import_observations(path: str | Path, store: Store, **options: Any) -> int:
    """Import ``path`` into ``store``; the number of rows added (see :func:`import_file`)."""
    return import_file(path, store, **options).added


def remove_observations(store: Store, path: str | Path | None = None, **options: Any) -> int:
    """Remove user rows; see :func:`critmin.data.user_rows.remove_observations`."""
    from critmin.data.user_rows import remove_observations as remove

    return remove(store, path, **options)
