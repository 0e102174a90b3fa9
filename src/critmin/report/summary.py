"""The briefing's summary: the story's bottom line, generated from verdicts and figures.

Every sentence is built from one row of a table further down (a claim's verdict, the
market table) and links to it, so that a reader can trace it. Nothing here computes a new
figure; a sentence is left out when its row is absent.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from critmin.report.html import Section

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["summary_section", "summary_sentences"]

_SHORT = 140


def _quote(text: str) -> str:
    t = " ".join(str(text).split())
    return t if len(t) <= _SHORT else t[: _SHORT - 1].rsplit(" ", 1)[0] + "…"


def summary_sentences(
    claims: pd.DataFrame | None, market: dict[str, Any] | None
) -> list[tuple[str, str, str]]:
    """The summary as (sentence, anchor, what the anchor is) triples, most important first."""
    out: list[tuple[str, str, str]] = []
    if claims is not None and len(claims):
        counts = claims["verdict"].value_counts().to_dict()
        n = len(claims)
        sup, con = counts.get("supported", 0), counts.get("contradicted", 0)
        nc, ni = counts.get("not_checkable", 0), counts.get("not_independent", 0)
        line = (
            f"Of the story's {n} checked statements, {sup} are supported by the data and "
            f"{con} {'is' if con == 1 else 'are'} contradicted; {nc} cannot be settled with the data at hand"
        )
        line += f" and {ni} rest only on the story's own source." if ni else "."
        out.append((line, "claims", "claims table"))
        for r in claims.to_dict(orient="records"):
            if r["verdict"] == "contradicted":
                out.append(
                    (
                        f"Contradicted: “{_quote(r['text'])}” — {r['explanation']}",
                        f"claim-{r['id']}",
                        f"claim {r['id']}",
                    )
                )
        for r in claims.to_dict(orient="records"):
            if r.get("revision"):
                out.append(
                    (
                        f"Editions disagree on “{_quote(r['text'])}”: {r['revision']}; "
                        f"the verdict is {str(r['verdict']).replace('_', ' ')}.",
                        f"claim-{r['id']}",
                        f"claim {r['id']}",
                    )
                )
        for r in claims.to_dict(orient="records"):
            if r["verdict"] == "not_independent":
                out.append(
                    (
                        f"Not independently checkable: “{_quote(r['text'])}” — the only figure "
                        "found comes from the story's own source.",
                        f"claim-{r['id']}",
                        f"claim {r['id']}",
                    )
                )
    if market:
        m = market
        what = f"{m['commodity']} {str(m.get('measure', 'production')).replace('_', ' ')}"
        ed = f", {m['edition']}" if m.get("edition") else ""
        out.append(
            (
                f"{m.get('top_iso3', 'The largest producer')} accounted for {100 * m['cr1']:.1f} % of "
                f"listed {what} in {m['year']} (Herfindahl-Hirschman index {m['hhi']:,.0f} of "
                f"10,000{ed}).",
                "market",
                "market table",
            )
        )
        if "what_if_rank" in m:
            assume = "; ".join(m.get("assumptions", [])) or "the what-if"
            out.append(
                (
                    f"With the story's planned output added ({assume}; an assumption, not data), "
                    f"{m['what_if_iso3']} would rank {m['what_if_rank']} in {m['year']}.",
                    "market",
                    "market what-if table",
                )
            )
    return out


def summary_section(claims: pd.DataFrame | None, market: dict[str, Any] | None) -> Section:
    """The "Summary" section: the bottom line in a few sentences, each linked to its row."""
    s = Section("summary", "Summary")
    items = summary_sentences(claims, market)
    if not items:
        s.text("No claims or market figures were requested for this briefing.", "note")
        return s
    lis = "".join(
        f'<li>{html.escape(text)} <a class="ref" href="#{html.escape(anchor)}">'
        f"(see {html.escape(what)})</a></li>"
        for text, anchor, what in items
    )
    s.add(f'<div class="summary"><ul>{lis}</ul></div>')
    s.text(
        "Each sentence is generated from the row it links to; figures carry their source and "
        "edition there. Assumptions are labelled.",
        "note",
    )
    return s
