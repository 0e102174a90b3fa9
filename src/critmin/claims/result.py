"""The result of checking one claim, and the helpers every claim type shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ClaimResult", "basis", "evidence", "figure", "not_checkable"]

OP_WORDS = {"eq": "", "ge": "at least ", "le": "at most ", "gt": "more than ", "lt": "less than "}


@dataclass
class ClaimResult:
    """Verdict of one claim."""

    id: str
    type: str
    text: str
    verdict: str
    claimed: Any
    computed: Any
    unit: str | None
    explanation: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    basis: str = ""
    revision: str = ""

    @property
    def sources(self) -> list[str]:
        """``source_id (edition)`` of every evidence row, unique, in order."""
        out: list[str] = []
        for e in self.evidence:
            s = e.get("source_id")
            if not s:
                continue
            label = f"{s} ({e['edition']})" if e.get("edition") else str(s)
            if label not in out:
                out.append(label)
        return out

    def as_row(self) -> dict[str, Any]:
        """A flat dict for a DataFrame row."""
        return {
            "id": self.id,
            "type": self.type,
            "verdict": self.verdict,
            "claimed": self.claimed,
            "computed": self.computed,
            "unit": self.unit,
            "text": self.text,
            "explanation": self.explanation,
            "sources": self.sources,
            "assumptions": self.assumptions,
            "basis": self.basis or basis(self.evidence),
            "revision": self.revision,
            "evidence": self.evidence,
        }


def basis(rows: list[dict[str, Any]], iso3: str | None = None) -> str:
    """Edition, source and source row of the evidence that decided ("MCS2026, usgs_x row 7")."""
    sourced = [r for r in rows if r.get("source_row") is not None or r.get("fact_id") is not None]
    pick = [r for r in sourced if iso3 is None or r.get("iso3") == iso3] or sourced[:1] or rows
    out: list[str] = []
    for r in pick[:3]:
        bits = [str(r[k]) for k in ("edition", "source_id") if r.get(k)]
        if r.get("source_row") is not None:
            bits.append(f"row {r['source_row']}")
        elif r.get("fact_id") is not None:
            bits.append(f"fact {r['fact_id']}")
        label = " ".join(bits)
        if label and label not in out:
            out.append(label)
    return "; ".join(out)


def not_checkable(
    claim: Any,
    claimed: Any,
    unit: str | None,
    why: str,
    evidence: list[dict[str, Any]] | None = None,
) -> ClaimResult:
    """A "not checkable" verdict: the data at hand cannot settle the claim (never a pass)."""
    return ClaimResult(
        claim.id, claim.type, claim.text, "not_checkable", claimed, None, unit, why, evidence or []
    )


def evidence(df: pd.DataFrame, cols: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    from critmin._records import records

    base = [
        "iso3",
        "country",
        "year",
        "measure",
        "value",
        "unit",
        "qualifier",
        "edition",
        "source_id",
        "source_row",
    ]
    keep = [c for c in (*base, *cols) if c in df.columns]
    return records(df[keep])


def figure(v: Any, unit: str | None) -> str:
    """A figure as printed in a revision note: "760 t", "98.7 %", "rank 2"."""
    if v is None:
        return "no figure"
    if unit == "rank":
        return f"rank {v}"
    if unit == "fraction":
        return f"{100 * float(v):.1f} %"
    x = float(v)
    s = f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
    return f"{s} {unit}" if unit else s
