"""How the HTTP API says a name was read: the resolver's notes in an ``X-Critmin-Notes`` header.

The CLI prints the note of a name that is not read literally (``hafnium`` -> the
zirconium table, a rare-earth element -> ``rare_earths``, ``lithium carbonate`` ->
lithium content, ``Korea`` -> KOR). Table endpoints answer a bare JSON array or CSV,
which have no place for it, so every market endpoint that takes a name sends the
notes as a header: a JSON array of strings, ASCII-escaped (HTTP header values are
Latin-1), absent when there is nothing to say. The notes come from
:mod:`critmin.data.names`, the resolver the CLI uses, so both say the same thing.
After them come the table's notes (measure used, not additive, QA findings, what-if
assumptions), worded by :mod:`critmin.markets.notes` as in the CLI and cached with
the body (:func:`critmin.api.responses.table_response`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from fastapi.responses import Response

__all__ = ["NOTES_HEADER", "commodity", "country_notes", "with_notes"]

#: Response header with the notes (a JSON array of strings).
NOTES_HEADER = "X-Critmin-Notes"


def commodity(name: str) -> tuple[str, list[str]]:
    """Canonical commodity id of ``name`` and the resolver's note, if any.

    Raises
    ------
    UnknownCommodityError
        As :func:`critmin.resolve_commodity` (the API answers 404 with suggestions).
    """
    from critmin.data.names import commodity as resolve

    hit = resolve(name)
    return hit.id, [hit.note] if hit.note else []


def country_notes(names: Iterable[str]) -> list[str]:
    """Notes of the country names of a request (``Korea`` -> KOR), in order, once each.

    A name the resolver does not know gets no note here: the computation that uses it
    refuses it with its own message.
    """
    from critmin.data.names import country as resolve
    from critmin.errors import CritminError

    out: list[str] = []
    for name in names:
        try:
            note = resolve(name, groups=False).note
        except CritminError:
            continue
        if note and note not in out:
            out.append(note)
    return out


def with_notes(response: Response, notes: Iterable[str]) -> Response:
    """``response`` with ``notes`` in the :data:`NOTES_HEADER`, before the notes it carries.

    A table response carries its table notes (:func:`critmin.api.responses.table_response`);
    a route puts the name notes in front, as the CLI prints a name's note first. Each
    note appears once; no header when there is nothing to say.
    """
    items: list[str] = []
    raw = response.headers.get(NOTES_HEADER)
    for n in [*notes, *(json.loads(raw) if raw else [])]:
        if n and n not in items:
            items.append(n)
    if items:
        response.headers[NOTES_HEADER] = json.dumps(items, ensure_ascii=True)
    return response
