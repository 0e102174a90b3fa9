"""Writing user rows to the store: checks against stored rows, commit, removal.

The second half of ``critmin data import`` (the first, row validation, is
:mod:`critmin.data.importer`): a staged file is loaded into a temporary table and,
in one transaction, checked for two rows on one cell (within the file, against the
official table shown by default, against earlier user rows) and inserted; or, for
``critmin data remove``, deleted by (commodity, measure, product, iso3, year, source).
Sources that no user row uses any more are removed, so import then removal restores
the user tables exactly (:meth:`critmin.data.store.Store.user_data_hash`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.data import commodities as reg
from critmin.data.importer import (
    CELL_KEY,
    KEY_COLUMNS,
    ROW_COLUMNS,
    ImportContext,
    ImportResult,
    Staged,
    _duplicate_error,
    _fmt,
    _label,
    stage_file,
)
from critmin.data.schema import OBSERVATION_COLUMNS
from critmin.errors import InputFileError, StoreError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["commit_staged", "remove_observations"]

_MEMORY_LIMIT = "128MB"  # DuckDB's working memory during an import or removal
_TYPES = {"key_id": "INTEGER", "year": "INTEGER", "value": "DOUBLE", "source_row": "INTEGER"}


def _load_staged(store: Store, staged: Staged) -> None:
    """``_incoming``: the staged rows joined to their keys, in the observation schema."""

    def spec(cols: list[str]) -> str:
        return ", ".join(f"'{c}': '{_TYPES.get(c, 'VARCHAR')}'" for c in cols)

    opts = "header = true, nullstr = '\\N', quote = '\"', escape = '\"', delim = ','"
    store.con.execute("DROP TABLE IF EXISTS _incoming")
    store.con.execute(
        f"""CREATE TEMP TABLE _incoming AS
            SELECT {", ".join(OBSERVATION_COLUMNS)}
            FROM read_csv(?, columns = {{{spec(ROW_COLUMNS)}}}, {opts})
            JOIN read_csv(?, columns = {{{spec(KEY_COLUMNS)}}}, {opts}) USING (key_id)""",
        [str(staged.staging), str(staged.keys)],
    )


_JOIN = " AND ".join(f"o.{c} = i.{c}" for c in CELL_KEY)


def _check_file_duplicates(store: Store, path: Path) -> None:
    part = ", ".join(CELL_KEY)
    any_dup = store.con.execute(
        f"SELECT 1 FROM _incoming GROUP BY {part} HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if any_dup is None:
        return
    rows = store.records(
        f"""WITH d AS (SELECT *, row_number() OVER (PARTITION BY {part} ORDER BY source_row) AS k
                     FROM _incoming),
           s AS (SELECT * FROM d WHERE k = 2 ORDER BY source_row LIMIT 1)
           SELECT d.* FROM d JOIN s USING ({part}) WHERE d.k <= 2 ORDER BY d.k"""
    )
    raise _duplicate_error(path, rows[0], rows[1])


def _check_against_store(store: Store, path: Path, replace: bool) -> int:
    """Refuse cells already held by official or other user rows; count replacements."""
    off = store.records(
        f"""WITH {store._editions_cte()},
           ranked AS (
             SELECT o.*, dense_rank() OVER (
               PARTITION BY o.commodity, o.measure, o.product, o.year
               ORDER BY e.published DESC, o.edition DESC) AS _r
             FROM observations o JOIN editions e USING (edition)
             SEMI JOIN (SELECT DISTINCT commodity, measure, product, year FROM _incoming) k
               ON o.commodity = k.commodity AND o.measure = k.measure
              AND o.product = k.product AND o.year = k.year)
           SELECT i.*, o.value AS old_value, o.unit AS old_unit, o.qualifier AS old_qualifier,
                  o.edition AS old_edition
           FROM _incoming i JOIN ranked o ON {_JOIN} AND o._r = 1
           ORDER BY i.source_row LIMIT 1"""
    )
    if off:
        r = off[0]
        same = r["value"] == r["old_value"] or (r["value"] is None and r["old_value"] is None)
        what = "duplicates" if same else "conflicts with"
        raise InputFileError(
            str(path),
            f"{what} {r['old_edition']} value {_fmt(r['old_value'], r['old_unit'], r['old_qualifier'])} "
            f"for {_label(r)} (official figure); nothing imported",
            line=int(r["source_row"]),
            column="value",
        )
    keep = "" if not replace else " AND o.source_id <> i.source_id"
    user = store.records(
        f"""SELECT i.*, o.value AS old_value, o.unit AS old_unit, o.qualifier AS old_qualifier,
                   o.source_id AS old_source
            FROM _incoming i JOIN user_observations o ON {_JOIN}{keep}
            ORDER BY i.source_row LIMIT 1"""
    )
    if user:
        r = user[0]
        old_src = str(r["old_source"])
        same_src = old_src == r["source_id"]
        same = same_src and (r["value"] == r["old_value"]) and r["qualifier"] == r["old_qualifier"]
        old = _fmt(r["old_value"], r["old_unit"], r["old_qualifier"])
        if same:
            msg = f"duplicates the stored user row for {_label(r)} ({old}, {old_src}); nothing imported"
        elif same_src:
            msg = f"conflicts with the stored user row for {_label(r)} ({old}, {old_src}); use --replace to replace it"
        else:
            msg = (
                f"{_label(r)} already has a user value ({old}, {old_src}); one value per cell: "
                f"remove it first with `critmin data remove --source {old_src[5:]!r}`"
            )
        raise InputFileError(str(path), msg, line=int(r["source_row"]), column="value")
    if not replace:
        return 0
    row = store.con.execute(
        f"SELECT count(*) FROM _incoming i JOIN user_observations o ON {_JOIN} "
        "AND o.source_id = i.source_id"
    ).fetchone()
    return 0 if row is None else int(row[0])


def _in_transaction(store: Store, path: Path, work: Callable[[], Any]) -> Any:
    import duckdb

    con = store.con
    # bounded memory: DuckDB spills to disk beyond this instead of growing with the file
    con.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("BEGIN TRANSACTION")
    try:
        out = work()
        con.execute("COMMIT")
    except BaseException as exc:
        con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise StoreError(f"{path}: nothing written: {' '.join(str(exc).split())}") from exc
        raise
    finally:
        con.execute("DROP TABLE IF EXISTS _incoming")
        con.execute("RESET memory_limit")
        con.execute("RESET preserve_insertion_order")
    return out


def commit_staged(staged: Staged, store: Store, *, replace: bool = False) -> ImportResult:
    """Check a staged file against the store and add its rows in one transaction.

    Parameters
    ----------
    staged : Staged
        From :func:`stage_file`.
    store : Store
        Opened with ``read_only=False``.
    replace : bool
        Replace user rows with the same (commodity, measure, product, iso3, year,
        source); without it such rows are refused as duplicates or conflicts.

    Raises
    ------
    InputFileError
        For a duplicate or conflicting cell (the store is unchanged).
    """
    p = staged.path

    def work() -> ImportResult:
        _load_staged(store, staged)
        _check_file_duplicates(store, p)
        replaced = _check_against_store(store, p, replace)
        if replaced:
            store.con.execute(
                f"DELETE FROM user_observations o USING _incoming i WHERE {_JOIN} "
                "AND o.source_id = i.source_id"
            )
        store.con.execute("INSERT INTO user_observations BY NAME SELECT * FROM _incoming")
        store.con.execute(
            """INSERT INTO user_sources (source_id, edition, title, citation, accessed, note)
               SELECT DISTINCT source_id, 'user:' || substr(source_id, 6), substr(source_id, 6),
                      substr(source_id, 6), current_date::VARCHAR, ?
               FROM _incoming WHERE source_id NOT IN (SELECT source_id FROM user_sources)""",
            [f"user source, first imported from {p.name} by critmin data import"],
        )
        return ImportResult(staged.rows, replaced, staged.conversions, staged.sources)

    result: ImportResult = _in_transaction(store, p, work)
    return result


def remove_observations(
    store: Store,
    path: str | Path | None = None,
    *,
    source: str | None = None,
    commodity: str | None = None,
    measure: str | None = None,
    iso3: str | None = None,
    year: int | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    encoding: str | None = None,
) -> int:
    """Remove user rows keyed by (commodity, measure, product, iso3, year, source).

    Parameters
    ----------
    store : Store
        Opened with ``read_only=False``.
    path : str or Path, optional
        A file in import format: removes exactly its rows (every one must be in the
        store, or nothing is removed).
    source : str, optional
        Without ``path``: the source of the rows to remove (required), narrowed by
        ``commodity``, ``measure``, ``iso3`` and ``year``.

    Returns
    -------
    int
        Rows removed. Sources no longer used by any user row are removed too.

    Raises
    ------
    InputFileError or ValidationError
        If a file row is not in the store or no row matches (the store is unchanged).
    """
    if path is not None:
        p = Path(path)
        staged = stage_file(p, ImportContext.from_store(store), decimal=decimal,
                            thousands=thousands, encoding=encoding)  # fmt: skip

        def work() -> int:
            _load_staged(store, staged)
            _check_file_duplicates(store, p)
            miss = store.records(
                f"""SELECT i.* FROM _incoming i ANTI JOIN user_observations o
                    ON {_JOIN} AND o.source_id = i.source_id ORDER BY i.source_row LIMIT 1"""
            )
            if miss:
                r = miss[0]
                raise InputFileError(
                    str(p),
                    f"no user row for {_label(r)} from {r['source_id']}; nothing removed",
                    line=int(r["source_row"]),
                )
            store.con.execute(
                f"DELETE FROM user_observations o USING _incoming i WHERE {_JOIN} "
                "AND o.source_id = i.source_id"
            )
            _drop_unused_sources(store)
            return staged.rows

        try:
            out: int = _in_transaction(store, p, work)
        finally:
            staged.discard()
        return out
    if not source:
        raise ValidationError("name the rows to remove: a file, or --source (and filters)")
    where = ["source_id = ?"]
    params: list[Any] = [f"user:{source}"]
    for colname, val in (
        ("commodity", reg.resolve(commodity) if commodity else None),
        ("measure", measure),
        ("iso3", iso3.upper() if iso3 else None),
        ("year", year),
    ):
        if val is not None:
            where.append(f"{colname} = ?")
            params.append(val)
    w = " AND ".join(where)

    def work2() -> int:
        row = store.con.execute(
            f"SELECT count(*) FROM user_observations WHERE {w}", params
        ).fetchone()
        n = 0 if row is None else int(row[0])
        if n == 0:
            raise ValidationError(
                f"no user rows match source {source!r} and the filters; nothing removed"
            )
        store.con.execute(f"DELETE FROM user_observations WHERE {w}", params)
        _drop_unused_sources(store)
        return n

    removed: int = _in_transaction(store, Path(store.path), work2)
    return removed


def _drop_unused_sources(store: Store) -> None:
    store.con.execute(
        "DELETE FROM user_sources WHERE source_id NOT IN "
        "(SELECT DISTINCT source_id FROM user_observations)"
    )
