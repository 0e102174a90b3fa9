"""One parser for what-if additions and removals (``KAZ=15t``), shared by CLI and HTTP API.

The strings are checked here (shape, a positive number, a unit); the quantity is
converted to the table's unit and the country resolved by the service layer
(:func:`critmin.rank`), so every entry point refuses the same inputs the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from critmin.errors import ValidationError

__all__ = ["MAX_WHAT_IFS", "parse_what_ifs"]

MAX_WHAT_IFS = 10
"""Most additions plus removals accepted in one request."""

_ADD = re.compile(
    r"^\s*([A-Za-z][A-Za-z0-9 .'()-]{1,59})\s*=\s*(\d{1,12}(?:\.\d{1,9})?(?:[eE][+-]?\d{1,2})?\s*[A-Za-z]{1,10})\s*$"
)
_REMOVE = re.compile(r"[A-Za-z][A-Za-z0-9 .'()-]{1,59}")


def parse_what_ifs(
    add: Iterable[str], remove: Iterable[str] = (), *, max_items: int = MAX_WHAT_IFS
) -> tuple[dict[str, str], list[str]]:
    """Validate ``COUNTRY=QUANTITY`` additions and country removals.

    Parameters
    ----------
    add : iterable of str
        ``"KAZ=15t"``, ``"Kazakhstan = 15000 kg"``: a country (name or code), ``=``,
        a positive number and a unit.
    remove : iterable of str
        Country names or codes.
    max_items : int
        Most additions plus removals. [-]

    Returns
    -------
    adds : dict of str to str
        Country as written to quantity with its unit (summed by the caller when a
        country appears twice is not allowed: a repeated country is an error).
    removes : list of str
        Countries as written.

    Raises
    ------
    critmin.errors.ValidationError
        A malformed item, a quantity that is not positive, a country given twice, or
        more than ``max_items`` items.
    """
    add, remove = list(add), list(remove)
    if len(add) + len(remove) > max_items:
        raise ValidationError(f"at most {max_items} what-if additions and removals")
    adds: dict[str, str] = {}
    for item in add:
        m = _ADD.match(item)
        bare = re.fullmatch(r"\s*[^=]+=\s*([0-9.eE+-]+)\s*", item)
        if m is None and bare is not None:
            raise ValidationError(
                f"quantity {bare.group(1)!r} in {item[:80]!r} has no unit: write e.g. 15t or 15000kg"
            )
        if m is None:
            raise ValidationError(
                f"add expects COUNTRY=QUANTITY with a unit, e.g. KAZ=15t, not {item[:80]!r}"
            )
        name, qty = m.group(1).strip(), m.group(2)
        if float(re.sub(r"[A-Za-z\s]+$", "", qty)) <= 0:
            raise ValidationError(f"what-if quantity must be positive, not {qty!r}")
        if name in adds:
            raise ValidationError(f"{name!r} is added twice; give one quantity per country")
        adds[name] = qty
    removes = []
    for r in remove:
        s = r.strip()
        if not _REMOVE.fullmatch(s):
            raise ValidationError(f"remove expects a country name or ISO3 code, not {r[:80]!r}")
        removes.append(s)
    return adds, removes
