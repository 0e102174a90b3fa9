"""Record-level core of shares and ranks: plain Python over lists of row dicts.

The DataFrame functions of :mod:`critmin.markets.structure` wrap these, and
the CLI calls them directly so that a query does not pay pandas' import time.
Tables are small (tens of rows), so plain Python is as fast as vectorised code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from critmin.errors import ValidationError

__all__ = ["VALUED", "rank_records", "share_records"]

#: Qualifiers whose value is a number that enters totals.
VALUED = ("reported", "estimated", "lower_bound", "upper_bound")

Row = dict[str, Any]


#: Columns of a ranking before the provenance columns (the CLI, API and briefing views use it).
RANK_COLUMNS = [
    "rank",
    "iso3",
    "country",
    "value",
    "unit",
    "share",
    "share_before",
    "qualifier",
    "what_if",
]


def _is_valued(r: Row) -> bool:
    v = r.get("value")
    return (
        r.get("qualifier") in VALUED
        and v is not None
        and not (isinstance(v, float) and math.isnan(v))
    )


def share_records(rows: Iterable[Row], basis: str = "countries") -> list[Row]:
    """Shares and ranks of country and "other countries" rows (see :func:`critmin.markets.shares`).

    Returns new dicts (inputs untouched) with ``share`` (fraction or None) and
    ``rank`` (int or None), sorted by rank, then unranked countries, then ``OTH``.
    Only countries with a positive known figure are ranked: zero producers keep a
    share of 0 and no rank; aggregates (``OTH``, ``WLD``) are never ranked.
    """
    if basis not in ("countries", "world"):
        raise ValidationError(f"basis must be 'countries' or 'world', not {basis!r}")
    rows = list(rows)
    for r in rows:
        missing = {"iso3", "entity_type", "value", "qualifier"} - set(r)
        if missing:
            raise ValidationError(f"table lacks columns {sorted(missing)}")
    out = [dict(r) for r in rows if r["entity_type"] in ("country", "other")]
    if basis == "world":
        world = [r for r in rows if r["entity_type"] == "world" and _is_valued(r)]
        if not world or not (float(world[0]["value"]) > 0):
            raise ValidationError("no usable world-total row for basis='world'")
        total = float(world[0]["value"])
    else:
        total = sum(float(r["value"]) for r in out if _is_valued(r))
    for r in out:
        r["share"] = float(r["value"]) / total if _is_valued(r) and total > 0 else None
        r["rank"] = None
    # zero producers are listed (share 0) but not ranked
    countries = [
        r for r in out if r["entity_type"] == "country" and _is_valued(r) and float(r["value"]) > 0
    ]
    for r in countries:  # rank "min": ties share the best rank
        r["rank"] = 1 + sum(1 for o in countries if float(o["value"]) > float(r["value"]))
    big = 10**6
    out.sort(
        key=lambda r: (
            r["entity_type"] == "other",
            r["rank"] if r["rank"] is not None else big,
            str(r["iso3"]),
        )
    )
    return out


def rank_records(
    rows: Iterable[Row],
    add: Mapping[str, float] | None = None,
    remove: Iterable[str] = (),
    basis: str = "countries",
    names: Mapping[str, str] | None = None,
) -> list[Row]:
    """Ranked producers with what-if additions and removals (see :func:`critmin.markets.rank`).

    Each returned row has ``share_before`` (the share as published) and ``what_if``.

    Raises
    ------
    critmin.errors.ValidationError
        A negative quantity; an aggregate (``OTH``, ``WLD`` or any row that is not a
        country) added or removed; a what-if on a table with no country figure.
    """
    rows = [dict(r) for r in rows]
    add = {k.upper(): float(v) for k, v in (add or {}).items()}
    rm = {r.upper() for r in remove}
    for k, v in add.items():
        if not math.isfinite(v) or v < 0:
            raise ValidationError(
                f"what-if quantity for {k} must be a non-negative number, not {v}"
            )
    aggregates = {"OTH", "WLD"} | {
        str(r["iso3"]).upper() for r in rows if r["entity_type"] != "country"
    }
    for code in [*add, *sorted(rm)]:
        if code in aggregates:
            raise ValidationError(
                f"{code} is an aggregate, not a country: a what-if can only add or remove countries"
            )
    if (add or rm) and not any(r["entity_type"] == "country" and _is_valued(r) for r in rows):
        raise ValidationError(
            "the table has no country rows with a known figure (world total or withheld "
            "figures only): a what-if ranking would be meaningless"
        )
    before = {r["iso3"]: r["share"] for r in share_records(rows, basis)}
    for r in rows:
        r.setdefault("country", r["iso3"])
        r["what_if"] = False
    for code, qty in add.items():
        hit = [r for r in rows if r["iso3"] == code and r["entity_type"] == "country"]
        if hit:
            r = hit[0]
            base = float(r["value"]) if _is_valued(r) else 0.0
            r["value"] = base + qty
            if r["qualifier"] not in VALUED:
                r["qualifier"] = "estimated"
            r["what_if"] = True
        else:
            template = dict.fromkeys(rows[0]) if rows else {}
            template.update(
                unit=rows[0].get("unit") if rows else None,
                basis=rows[0].get("basis") if rows else None,
                iso3=code,
                entity_type="country",
                value=qty,
                qualifier="estimated",
                country=(names or {}).get(code, code),
                what_if=True,
            )
            rows.append(template)
        if basis == "world":
            for r in rows:
                if r["entity_type"] == "world" and _is_valued(r):
                    r["value"] = float(r["value"]) + qty
    for r in rows:
        if r["iso3"] in rm and r["entity_type"] == "country":
            r["value"] = 0.0
            r["what_if"] = True
    out = share_records(rows, basis)
    for r in out:
        r["share_before"] = before.get(r["iso3"])
    return out
