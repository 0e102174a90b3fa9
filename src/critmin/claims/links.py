"""Links between draft claims and the data: facts about a named organisation, the story's
own projection as a what-if, membership patterns, and small helpers of the extractor."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from critmin.claims import rules as R

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["link_fact", "member_patterns", "primary_measure", "shared_unit", "what_ifs"]


def primary_measure(commodity: str, store: Store | None = None) -> str:
    """The measure neutral wording ("output", "production") refers to: the one the CLI's
    ``production`` uses by default (:func:`critmin.data.tables.default_measure`: the
    registry's primary measure unless another has more recent country data), else the
    registry's primary measure, else mine production."""
    from critmin.data.commodities import registry

    if store is not None:
        from critmin.data.tables import commodity_row, default_measure

        measure = default_measure(commodity_row(commodity, store), store)[0]
        if measure:
            return measure
    return registry()[commodity].primary_measure or "mine_production"


def shared_unit(s: str, h: R.Hit) -> str | None:
    """ "from US$12,000 to US$20,000 per ton": the first price takes the second's unit."""
    m = re.match(r"\s+to\s+", s[h.end :])
    if not m:
        return None
    nxt = R.MONEY.match(s, h.end + m.end())
    return nxt.group("per") if nxt else None


def link_fact(store: Store, orgs: list[str], claim: dict[str, Any]) -> None:
    """A company's or project's figure: point it at the sourced facts about the same
    organisation (named in the sentence) and commodity, if there are any."""
    for org in orgs:
        if not re.search(rf"(?<!\w){re.escape(org)}(?!\w)", claim["text"]):
            continue
        name = rf"\b{re.escape(org)}\b" if org[-1].isalnum() else re.escape(org)
        pattern = f"{name}.*{claim['commodity']}|{claim['commodity']}.*{name}"
        n = store.count_facts_matching(pattern)
        if n:
            claim["fact"] = pattern
            claim["note"] = (
                f"Linked to the sourced facts about {org} and {claim['commodity']} "
                "(by subject, not by value); the figure in the claimed unit is compared."
            )
            claim.pop("reason", None)
            return


def what_ifs(claims: list[dict[str, Any]]) -> None:
    """A "could become No. N" rank takes the same story's projected output as a what-if."""
    for c in claims:
        if c["type"] != "rank" or c.get("hedge") is None or R.modal(c["text"]) is None:
            continue
        for v in claims:
            if (
                v["type"] == "value"
                and v.get("commodity") == c["commodity"]
                and v.get("country") == c["country"]
                and str(v.get("claimed", "")).endswith("t/yr")
            ):
                t = str(v["claimed"]).split()[0]
                c["add"] = {c["country"]: f"{t}t"}
                c["note"] = (
                    f"Conditional ('{c['hedge']}'): checked with the story's projected "
                    f"{v['claimed']} added to the latest data (an assumption)."
                )
                break


def member_patterns(ids: list[str]) -> dict[str, str]:
    """Commodity id -> regex on facts (its symbol as a word, or its name)."""
    from critmin.data.commodities import registry

    reg = registry()
    out: dict[str, str] = {}
    for cid in ids:
        sym = reg[cid].symbol
        out[cid] = (rf"\b{sym}\b|" if sym else "") + reg[cid].name.lower()
    return out
