"""The notes of a market table, worded once for the CLI and the HTTP API.

A table answered by default can differ from what its name suggests, and the reader
must be told: the measure used when the default falls back from the primary one
(the table key's ``note``), how a name was read (``name_note``), that a table is not
additive (``not_additive``: no shares or ranks), open QA findings on the table, and
the what-if assumptions (``assumptions``). The CLI prints these notes in the table's
caption (each followed by ``". "``) or on stderr; the HTTP API sends them, one string
each, in its ``X-Critmin-Notes`` header. Both build them here, from the table key
(``critmin.production(...).attrs``, the key of ``critmin._api.table_records``) and
the QA rows of :meth:`critmin.data.store.Store.qa_open_records`; nothing here reads
the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["assumption_note", "caption", "qa_note", "table_notes"]


def _text(value: Any) -> str | None:
    """``value`` when it is a non-empty string (a missing key, None or NaN give None)."""
    return value if isinstance(value, str) and value else None


def assumption_note(key: Mapping[str, Any]) -> str | None:
    """``"ASSUMPTION (what-if): add 15 t to KAZ; remove CHN"``, or None without a what-if."""
    items = key.get("assumptions")
    if not items:
        return None
    return "ASSUMPTION (what-if): " + "; ".join(items)


def qa_note(commodity: str, qa: Sequence[Mapping[str, Any]]) -> str | None:
    """The open QA findings on a table in one line, or None when there are none.

    Parameters
    ----------
    commodity : str
        Canonical commodity id (names the ``critmin data qa`` command to see them).
    qa : sequence of mapping
        Rows with ``check`` and ``status`` (``fail`` or ``explained``).
    """
    if not qa:
        return None
    checks = ", ".join(sorted({f"{r['check']} ({r['status']})" for r in qa}))
    return f"QA: {len(qa)} finding(s) on this table: {checks}; see critmin data qa {commodity}"


def table_notes(
    key: Mapping[str, Any],
    qa: Sequence[Mapping[str, Any]] = (),
    *,
    names: bool = True,
    assumptions: bool = True,
) -> list[str]:
    """The notes of one table, in the order the CLI prints them.

    Parameters
    ----------
    key : mapping
        The table key: ``commodity`` and optionally ``name_note``, ``note`` (why the
        default measure is not the primary one), ``not_additive`` (the reason; the part
        from ``"; rows:"`` on is left out) and ``assumptions`` (what-if lines).
    qa : sequence of mapping
        Open QA findings on the table (``check``, ``status``); empty for none.
    names : bool
        Include the note of how a name was read (the HTTP API sends the resolver's
        notes itself, so it leaves this out).
    assumptions : bool
        Include the what-if line (the CLI's table caption places it itself).

    Returns
    -------
    list of str
        ``"note: <name note>"``, ``"measure: <note>"``, ``"no shares or ranks: <reason>"``,
        the :func:`qa_note` and the :func:`assumption_note`, each when it applies.
    """
    out: list[str] = []
    name_note = _text(key.get("name_note"))
    if names and name_note:
        out.append(f"note: {name_note}")
    note = _text(key.get("note"))
    if note:
        out.append(f"measure: {note}")
    flag = _text(key.get("not_additive"))
    if flag:
        out.append(f"no shares or ranks: {flag.split('; rows:')[0]}")
    qa_line = qa_note(str(key.get("commodity")), qa)
    if qa_line:
        out.append(qa_line)
    what_if = assumption_note(key) if assumptions else None
    if what_if:
        out.append(what_if)
    return out


def caption(notes: Iterable[str]) -> str:
    """Notes as caption text: each followed by ``". "`` (``""`` for none)."""
    return "".join(f"{n}. " for n in notes)
