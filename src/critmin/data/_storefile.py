"""Opening the store file: lock conflicts, unreadable stores, carrying user rows over.

Two rules from the user's side: a lock conflict is one line naming the process that holds
the store and what to do (DuckDB allows many read-only processes or one writer), and a
store that cannot be opened is never rebuilt over the user's rows: it is copied next to
itself and the command stops, saying so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from critmin.errors import StoreError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

__all__ = [
    "UnopenableStore",
    "carry_user_rows",
    "connect",
    "lock_message",
    "one_line",
    "unreadable",
]


class UnopenableStore(StoreError):
    """The store file exists but DuckDB cannot open it (not a lock conflict)."""


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _holder(pid: str) -> str:
    """``PID 123 (command line)`` of the process named in a DuckDB lock message."""
    try:
        cmd = " ".join(
            Path(f"/proc/{pid}/cmdline").read_bytes().decode().replace("\0", " ").split()
        )
    except (OSError, UnicodeDecodeError):
        cmd = ""
    return f"process {pid}" + (f" ({cmd[:80]})" if cmd else "")


def lock_message(path: Path, exc: BaseException, read_only: bool) -> str | None:
    """One line for a DuckDB lock conflict (None for any other error): who holds it, what to do."""
    import re

    text = str(exc)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    m = re.search(r"\(PID (\d+)\)", text)
    who = _holder(m.group(1)) if m else "another process"
    if read_only:
        todo = "it is writing to the store (e.g. `critmin data import`); run this again when it has finished"
    else:
        kill = f"kill {m.group(1)}" if m else "stop it"
        todo = (
            "it has the store open (e.g. `critmin serve`), and a write needs the store to itself; "
            f"stop it ({kill} or Ctrl-C in its terminal) and run this again"
        )
    return f"store {path} is locked by {who}: {todo}"


def _engine() -> Any:
    """DuckDB's C extension ``_duckdb`` where it is a module of its own (DuckDB 2), else ``duckdb``.

    ``import duckdb`` also loads DuckDB's Python relation layer (``_relation``,
    ``_expression``, ``importlib.metadata`` for its version): about 0.1 s of a cold
    ``critmin rank``. The store only runs SQL (``execute``, ``fetchall``, ``fetchone``,
    ``description``, ``df``, ``cursor``), which the extension provides; its classes
    (``DuckDBPyConnection``, ``Error``...) are the ones ``duckdb`` re-exports, and a
    later ``import duckdb`` adds the relation methods (``sql``, ``table``...) to the
    same connection class.
    """
    try:
        import _duckdb

        if hasattr(_duckdb, "connect") and hasattr(_duckdb, "Error"):
            return _duckdb
    except ImportError:
        pass
    import duckdb

    return duckdb


def connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open ``path``; a lock conflict is retried for ``$CRITMIN_LOCK_WAIT`` seconds (3)."""
    import time

    engine = _engine()
    deadline = time.monotonic() + float(os.environ.get("CRITMIN_LOCK_WAIT", "3"))
    while True:
        try:
            con: duckdb.DuckDBPyConnection = engine.connect(str(path), read_only=read_only)
            return con
        except engine.Error as exc:
            lock = lock_message(path, exc, read_only)
            if lock is None:
                raise UnopenableStore(f"cannot open store {path}: {one_line(exc)}") from exc
            if time.monotonic() >= deadline:
                raise StoreError(lock) from exc
            time.sleep(0.1)


def _backup(path: Path) -> str:
    """Copy an unreadable store next to itself (once per version of the file); say where."""
    import shutil
    import time

    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(path.stat().st_mtime))
    dest = path.with_name(f"{path.name}.backup-{stamp}")
    try:
        if not dest.exists():
            shutil.copy2(path, dest)
            wal = Path(str(path) + ".wal")
            if wal.exists():
                shutil.copy2(wal, Path(str(dest) + ".wal"))
    except OSError as exc:
        return f"could not be copied ({one_line(exc)})"
    return f"was copied to {dest}"


def unreadable(path: Path, why: str) -> StoreError:
    """The error for a store that cannot be opened: it is backed up and never rebuilt."""
    return StoreError(
        f"store {path} cannot be opened ({why}); it was not rebuilt, so no user rows are lost, "
        f"and it {_backup(path)}; move it away to start a fresh store, then import your rows again"
    )


def carry_user_rows(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Copy the user tables of the store at ``path`` into ``con``, all rows or an error."""
    import duckdb

    old = str(path).replace("'", "''")
    try:
        con.execute(f"ATTACH '{old}' AS _critmin_previous (READ_ONLY)")
    except duckdb.Error as exc:
        lock = lock_message(path, exc, read_only=True)
        if lock is not None:
            raise StoreError(f"cannot update the store to the bundled dataset: {lock}") from exc
        raise unreadable(path, one_line(exc)) from exc
    tables = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = '_critmin_previous'"
        ).fetchall()
    }
    if not tables & {"meta", "user_observations"}:
        con.execute("DETACH _critmin_previous")
        raise StoreError(
            f"{path} is not a critmin store (no meta or user tables); it was left as is: "
            "move it away or set CRITMIN_DB to another file"
        )
    for t in ("user_observations", "user_sources"):
        if t not in tables:
            continue
        try:
            con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM _critmin_previous.{t}")
            a = con.execute(f"SELECT count(*) FROM _critmin_previous.{t}").fetchone()
            b = con.execute(f"SELECT count(*) FROM {t}").fetchone()
        except duckdb.Error as exc:
            raise unreadable(path, f"its {t} cannot be carried over: {one_line(exc)}") from exc
        if a != b:
            raise unreadable(path, f"{t}: {a} row(s) but {b} carried over")
    con.execute("DETACH _critmin_previous")
