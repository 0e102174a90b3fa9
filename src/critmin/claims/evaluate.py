"""Evaluate claims against the store and the consistency checks.

This is the edge of the claims module: it reads the store through the public API.
Each evaluation returns a :class:`ClaimResult` with the verdict, the claimed and
computed figures, the evidence rows and their sources and editions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from critmin.claims import checks
from critmin.claims.spec import (
    ClaimsFile,
    ConsistencyClaim,
    GrowthClaim,
    MembershipClaim,
    QuantityClaim,
    RankClaim,
    ShareClaim,
    ValueClaim,
)
from critmin.errors import CritminError, DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["ClaimResult", "evaluate", "evaluate_file"]

_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")
_OP_WORDS = {"eq": "", "ge": "at least ", "le": "at most ", "gt": "more than ", "lt": "less than "}


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
            "evidence": self.evidence,
        }


def _not_checkable(
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


def _evidence(df: pd.DataFrame, cols: tuple[str, ...] = ()) -> list[dict[str, Any]]:
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


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from critmin.data.store import get_store

    return get_store()


def _rank(c: RankClaim, st: Store) -> ClaimResult:
    import critmin

    r = critmin.rank(c.commodity, c.year, c.measure, add=dict(c.add), store=st)
    code = critmin.resolve_country(c.country, st)
    row = r[r["iso3"] == code]
    a = r.attrs
    what = f"{a['commodity']} {a['measure']} {a['year']}"
    assumptions = [f"what-if: {x}" for x in a.get("assumptions", [])]
    if row.empty or row["rank"].isna().all():
        q = row["qualifier"].iloc[0] if len(row) else "absent"
        res = _not_checkable(
            c, c.claimed, "rank", f"{code} has no ranked figure in {what} ({q}).", _evidence(r)
        )
        res.assumptions = assumptions
        return res
    rk = int(row["rank"].iloc[0])
    n = int(r["rank"].notna().sum())
    v = checks.compare(rk, c.claimed, c.op, 0.0)
    expl = f"{code} ranks {rk} of {n} ranked producers in {what} (claimed {_OP_WORDS[c.op]}{c.claimed})."
    if c.op in ("le", "lt") and n < c.claimed:
        expl += f" The source lists only {n} countries, so a top-{c.claimed} claim is checked among those."
    if assumptions:
        expl += " Conditional on the what-if assumption."
    return ClaimResult(
        c.id,
        c.type,
        c.text,
        v,
        c.claimed,
        rk,
        "rank",
        expl,
        _evidence(r, ("rank", "share")),
        assumptions,
    )


def _share(c: ShareClaim, st: Store) -> ClaimResult:
    import critmin

    p = critmin.production(c.commodity, c.year, c.measure, store=st)
    code = critmin.resolve_country(c.country, st)
    row = p[p["iso3"] == code]
    a = p.attrs
    what = f"{a['commodity']} {a['measure']} {a['year']}"
    if row.empty or row["share"].isna().all():
        return _not_checkable(
            c, c.claimed, "fraction", f"no share for {code} in {what}.", _evidence(p)
        )
    s = float(row["share"].iloc[0])
    v = checks.compare(s, c.claimed, c.op, c.tolerance, relative=False)
    expl = f"{code} has {100 * s:.1f} % of {what} (claimed {_OP_WORDS[c.op]}{100 * c.claimed:.1f} % ± {100 * c.tolerance:.1f} points)."
    return ClaimResult(
        c.id, c.type, c.text, v, c.claimed, s, "fraction", expl, _evidence(p, ("share", "rank"))
    )


def _quantity(c: QuantityClaim, st: Store) -> ClaimResult:
    import critmin
    from critmin.units import parse_quantity

    cid = critmin.resolve_commodity(c.commodity)
    code = critmin.resolve_country(c.country, st)
    claimed_t = parse_quantity(c.claimed, "t")
    df = st.observations(cid, c.measure, c.year)
    if c.year is None and len(df):
        df = df[df["year"] == df["year"].max()]
    row = df[df["iso3"] == code]
    if row.empty or not row["qualifier"].isin(_VALUED).any():
        q = row["qualifier"].iloc[0] if len(row) else "no row"
        ctx = ""
        world = df[(df["iso3"] == "WLD") & df["qualifier"].isin(_VALUED)]
        if len(world):
            w = float(world["value"].iloc[0])
            ctx = f" For scale: {claimed_t:,.0f} t would be {100 * claimed_t / w:.1f} % of the world figure ({w:,.0f} t, {world['edition'].iloc[0]})."
        return _not_checkable(
            c,
            claimed_t,
            "t",
            f"the dataset has no {c.measure} figure for {code} ({q}).{ctx}",
            _evidence(df[df["iso3"].isin([code, "WLD"])]),
        )
    val = float(row["value"].iloc[0])
    v = checks.compare(val, claimed_t, c.op, c.tolerance)
    return ClaimResult(
        c.id,
        c.type,
        c.text,
        v,
        claimed_t,
        val,
        "t",
        f"{code} {cid} {c.measure} {int(row['year'].iloc[0])}: {val:,.0f} t ({row['qualifier'].iloc[0]}).",
        _evidence(row),
    )


def _growth(c: GrowthClaim, st: Store) -> ClaimResult:
    import critmin

    if c.series is not None:
        try:
            ann = critmin.price(c.series, c.start, c.end, annual=True, store=st).set_index("year")
        except DataNotFoundError as exc:
            return _not_checkable(c, c.claimed, "ratio", str(exc))
        if c.start not in ann.index or c.end not in ann.index:
            return _not_checkable(
                c, c.claimed, "ratio", f"the series does not cover both {c.start} and {c.end}."
            )
        v0, v1 = float(ann.at[c.start, "value"]), float(ann.at[c.end, "value"])
        ratio = v1 / v0
        ev = [
            {
                "series": ann["series"].iloc[0],
                "year": y,
                "value": float(ann.at[y, "value"]),
                "unit": ann.at[y, "unit"],
                "n_periods": int(ann.at[y, "n_periods"]),
                "edition": ann["edition"].iloc[0],
                "source_id": ann["source_id"].iloc[0],
            }
            for y in (c.start, c.end)
        ]
        verdict = checks.compare(ratio, c.claimed, c.op, c.tolerance)
        expl = (
            f"annual average {v0:,.0f} -> {v1:,.0f} {ann['unit'].iloc[0]} ({c.start}->{c.end}): x{ratio:.2f}; "
            f"claimed x{c.claimed:g} ± {100 * c.tolerance:.0f} %."
        )
        return ClaimResult(c.id, c.type, c.text, verdict, c.claimed, ratio, "ratio", expl, ev)
    if c.commodity is None or c.measure is None or c.country is None:
        return _not_checkable(
            c, c.claimed, "ratio", "no series or quantity to compute the growth from."
        )
    cid = critmin.resolve_commodity(c.commodity)
    code = critmin.resolve_country(c.country, st)
    df = st.observations(cid, c.measure, iso3=code)
    have = df[df["qualifier"].isin(_VALUED)].set_index("year")["value"]
    missing = [y for y in (c.start, c.end) if y not in have.index]
    if missing:
        yrs = sorted(int(y) for y in have.index)
        return _not_checkable(
            c,
            c.claimed,
            "ratio",
            f"no {cid} {c.measure} figure for {code} in {missing} (years with data: {yrs or 'none'}).",
            _evidence(df),
        )
    ratio = float(have[c.end]) / float(have[c.start])
    return ClaimResult(
        c.id,
        c.type,
        c.text,
        checks.compare(ratio, c.claimed, c.op, c.tolerance),
        c.claimed,
        ratio,
        "ratio",
        f"{code} {cid} {c.measure}: x{ratio:.2f} from {c.start} to {c.end}.",
        _evidence(df[df["year"].isin([c.start, c.end])]),
    )


_MONEY = re.compile(r"^\s*([\d.,]+)\s*(USD|US\$|\$)\s*(million|billion|thousand)?\s*$", re.I)


def _parse_value(text: str) -> tuple[float, str]:
    """'33000 USD/t' -> (33000, 'USD/t'); '20 USD million' -> (2e7, 'USD'); '15 t/yr' -> (15, 't/yr')."""
    m = _MONEY.match(text)
    if m:
        mult = {"million": 1e6, "billion": 1e9, "thousand": 1e3}.get(
            (m.group(3) or "").lower(), 1.0
        )
        return float(m.group(1).replace(",", "")) * mult, "USD"
    m2 = re.match(r"^\s*([-+]?[\d.,]+)\s*(.*)$", text)
    if not m2:
        raise CritminError(f"cannot read value {text!r}")
    return float(m2.group(1).replace(",", "")), m2.group(2).strip()


def _value(c: ValueClaim, st: Store) -> ClaimResult:
    import critmin

    claimed, unit = _parse_value(c.claimed)
    if c.series is not None:
        try:
            df = critmin.price(c.series, c.start, c.end, store=st, unit=unit or None)
        except DataNotFoundError as exc:
            return _not_checkable(c, claimed, unit, str(exc))
        vals = df["value"].astype(float)
        if c.statistic == "any":
            dev = (vals - claimed).abs()
            i = int(dev.idxmin())
            computed = float(vals[i])
            ev = df.loc[[i]]
            expl = f"closest period {df.at[i, 'period']}: {computed:,.0f} {df.at[i, 'unit']} (range {vals.min():,.0f}-{vals.max():,.0f} over {df['period'].iloc[0]}..{df['period'].iloc[-1]})."
        else:
            computed = float(
                getattr(vals, c.statistic)() if c.statistic != "last" else vals.iloc[-1]
            )
            ev = df
            expl = f"{c.statistic} over {df['period'].iloc[0]}..{df['period'].iloc[-1]}: {computed:,.0f} {df['unit'].iloc[0]}."
        v = checks.compare(computed, claimed, c.op, c.tolerance)
        from critmin._records import records

        return ClaimResult(
            c.id, c.type, c.text, v, claimed, computed, unit, expl, records(ev.head(24))
        )
    if c.fact is not None:
        facts = st.facts(topic=c.fact_topic, pattern=c.fact)
        nums = facts[facts["value_num"].notna()]
        if nums.empty:
            return _not_checkable(c, claimed, unit, f"no numeric fact matches {c.fact!r}.")
        f0 = nums.iloc[-1]
        fval = float(f0["value_num"])
        funit = str(f0["unit"])
        if "million" in funit.lower() and unit == "USD":
            fval *= 1e6
        v = checks.compare(fval, claimed, c.op, c.tolerance)
        from critmin._records import records

        ev = records(
            nums[
                [
                    "fact_id",
                    "item",
                    "date",
                    "value",
                    "unit",
                    "source_title",
                    "source_url",
                    "edition",
                    "source_id",
                ]
            ]
        )
        return ClaimResult(
            c.id,
            c.type,
            c.text,
            v,
            claimed,
            fval,
            unit,
            f"fact {int(f0['fact_id'])}: {f0['item']} = {f0['value']} {funit} ({f0['date']}; {f0['source_title']}).",
            ev,
        )
    return _not_checkable(c, claimed, unit, c.reason or "no dataset in critmin covers this figure.")


def _consistency(c: ConsistencyClaim) -> ClaimResult:
    from critmin.units import parse_quantity

    inp = c.inputs

    def q(name: str, unit: str) -> float:
        if name not in inp:
            raise CritminError(f"claim {c.id}: consistency check {c.check} needs input {name!r}")
        v = inp[name]
        return (
            float(v)
            if isinstance(v, int | float)
            else parse_quantity(str(v), unit, default_unit=unit)
        )

    if c.check == "grade_tonnage":
        raw = str(inp.get("max_grade", ""))
        grade = (
            float(raw.replace("%", "").strip())
            if isinstance(inp.get("max_grade"), str)
            else q("max_grade", "percent")
        )
        res = checks.grade_tonnage(q("metal", "t"), q("ore", "t"), grade)
        claimed: Any = {k: inp[k] for k in ("metal", "ore", "max_grade") if k in inp}
    elif c.check == "hit_rate":
        res = checks.hit_rate(
            int(q("hits", "dimensionless")),
            int(q("total", "dimensionless")),
            c.claimed,
            c.tolerance,
        )
        claimed = {"hits": inp.get("hits"), "total": inp.get("total")}
    elif c.check == "implied_price":
        value, vunit = _parse_value(str(inp["value"]))
        qty, qunit = _parse_value(str(inp["quantity"]))
        res = checks.implied_price(value, qty, c.claimed, c.tolerance)
        res.unit = f"{vunit}/{qunit}" if qunit else vunit
        claimed = {"value": inp["value"], "quantity": inp["quantity"]}
    else:
        a, b = float(q("start", "dimensionless")), float(q("end", "dimensionless"))
        years = float(inp["years"]) if "years" in inp else None
        res = checks.growth(a, b, years, c.claimed, c.tolerance)
        claimed = {"start": inp["start"], "end": inp["end"]}
    return ClaimResult(
        c.id,
        c.type,
        c.text,
        res.verdict,
        claimed,
        res.computed,
        res.unit,
        res.explanation,
        [
            {
                "check": c.check,
                **{k: v for k, v in res.figures.items()},
                "source_id": "the story itself",
            }
        ],
    )


def _membership(c: MembershipClaim, st: Store) -> ClaimResult:
    from critmin._records import records

    if c.group is not None:
        from critmin.data.countries import group_members

        members = set(group_members(c.group))
        found = {m: (code.upper() in members) for m, code in c.members.items()}
        ev = [
            {
                "member": m,
                "iso3": c.members[m],
                "group": c.group,
                "in_group": ok,
                "source_id": "country_groups",
            }
            for m, ok in found.items()
        ]
    else:
        facts = st.facts(topic=c.fact_topic)
        if c.fact_pattern:
            facts = facts[facts["item"].str.contains(c.fact_pattern, case=False, regex=True)]
        found = {}
        rows = []
        for m, pat in c.members.items():
            hit = facts[facts["item"].str.contains(pat, case=False, regex=True)]
            found[m] = len(hit) > 0
            rows.append(hit)
        import pandas as pd

        allrows = pd.concat(rows).drop_duplicates("fact_id") if rows else facts.head(0)
        ev = records(
            allrows[
                [
                    "fact_id",
                    "item",
                    "date",
                    "value",
                    "source_title",
                    "source_url",
                    "edition",
                    "source_id",
                ]
            ]
        )
    n_in = sum(found.values())
    if c.group is None and n_in == 0:
        return _not_checkable(c, c.claimed, None, "no sourced fact mentions any member.", ev)
    all_in = n_in == len(found)
    verdict = "supported" if all_in == c.claimed else "contradicted"
    missing = [m for m, ok in found.items() if not ok]
    expl = (
        f"{n_in} of {len(found)} members found"
        + (f"; not found: {', '.join(missing)}" if missing else "")
        + "."
    )
    return ClaimResult(c.id, c.type, c.text, verdict, c.claimed, found, None, expl, ev)


def evaluate(claim: Any, store: Store | None = None) -> ClaimResult:
    """Evaluate one validated claim."""
    st = _store(store) if claim.type != "consistency" else None
    try:
        if isinstance(claim, RankClaim):
            return _rank(claim, _store(st))
        if isinstance(claim, ShareClaim):
            return _share(claim, _store(st))
        if isinstance(claim, QuantityClaim):
            return _quantity(claim, _store(st))
        if isinstance(claim, GrowthClaim):
            return _growth(claim, _store(st))
        if isinstance(claim, ValueClaim):
            return _value(claim, _store(st))
        if isinstance(claim, ConsistencyClaim):
            return _consistency(claim)
        if isinstance(claim, MembershipClaim):
            return _membership(claim, _store(st))
    except DataNotFoundError as exc:
        return _not_checkable(claim, getattr(claim, "claimed", None), None, str(exc))
    raise CritminError(f"unknown claim type {claim.type!r}")


def evaluate_file(claims: ClaimsFile, store: Store | None = None) -> list[ClaimResult]:
    """Evaluate every claim of a file, in order."""
    return [evaluate(c, store) for c in claims.claims]
