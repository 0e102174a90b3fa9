"""Which edition decides a claim, and how to say that another edition revised the figure.

Pure functions over edition labels (``MCS2025``, ``CMO-2026-06``) and claim dates.
An edition is dated by the first year (and month, if given) in its label: ``MCS2025`` is
January 2025 (the Mineral Commodity Summaries appear at the end of January).
A claim dated ``2025`` is read as the end of 2025; ``2025-06`` as June 2025.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["claim_date", "current_edition", "edition_date", "revision_note", "self_sourced"]

_YM = re.compile(r"((?:19|20)\d\d)(?:[-_/]?(0[1-9]|1[0-2]))?")


def edition_date(edition: str) -> tuple[int, int] | None:
    """(year, month) of an edition label, or None when it carries no year."""
    m = _YM.search(edition)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 1)


def claim_date(date: str | None) -> tuple[int, int] | None:
    """(year, month) of a claim date; a bare year means its December."""
    if not date:
        return None
    m = re.match(r"^\s*((?:19|20)\d\d)(?:-(\d\d))?", str(date))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 12)


def current_edition(editions: Sequence[str], date: str | None) -> tuple[str, str]:
    """The edition that decides, and why.

    Returns
    -------
    (edition, reason)
        Without a date: the latest edition. With one: the latest edition published on or
        before it; if none was, the earliest edition (said so in ``reason``).
    """
    dated = sorted(editions, key=lambda e: (edition_date(e) or (0, 0), e))
    when = claim_date(date)
    if when is None:
        return dated[-1], "the latest edition (the claim has no date)"
    before = [e for e in dated if (edition_date(e) or (0, 0)) <= when]
    if before:
        return before[-1], f"the edition current at the claim's date ({date})"
    return dated[0], f"no edition was out by {date}; the earliest one is used"


def revision_note(per_edition: Sequence[tuple[str, str, str]]) -> str:
    """One sentence on how editions disagree.

    Parameters
    ----------
    per_edition : sequence of (edition, verdict, figure)
        In publication order; ``figure`` as printed ("760 t").

    Returns
    -------
    str
        E.g. ``"matches MCS2025 (760 t); revised to 848 t in MCS2026"``; empty when all
        editions give the same verdict.
    """
    verdicts = {v for _, v, _ in per_edition}
    if len(verdicts) <= 1:
        return ""
    parts: list[str] = []
    seen_support = False
    for ed, v, fig in per_edition:
        if v == "supported":
            parts.append(f"matches {ed} ({fig})")
            seen_support = True
        elif seen_support:
            parts.append(f"revised to {fig} in {ed}")
        else:
            parts.append(f"{ed} gave {fig}")
    return "; ".join(parts)


def self_sourced(origins: Sequence[str], *fields: object) -> str | None:
    """The first of the story's ``origins`` named in any of ``fields`` (whole word, any case)."""
    text = " ".join(str(f) for f in fields if f is not None)
    for o in origins:
        o = o.strip()
        if len(o) >= 2 and re.search(rf"(?<![\w]){re.escape(o)}(?![\w])", text, re.I):
            return o
    return None
