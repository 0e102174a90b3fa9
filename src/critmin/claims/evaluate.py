"""Evaluate claims against the store and the consistency checks.

This is the edge of the claims module: it reads the store through the public API.
Each evaluation returns a :class:`ClaimResult` with the verdict, the claimed and
computed figures, the evidence rows and their sources and editions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from critmin.claims import checks
from critmin.claims.editions import current_edition, edition_date, revision_note
from critmin.claims.facts import membership as _membership
from critmin.claims.facts import parse_value as _parse_value
from critmin.claims.facts import value as _value
from critmin.claims.result import OP_WORDS as _OP_WORDS
from critmin.claims.result import ClaimResult
from critmin.claims.result import basis as _basis
from critmin.claims.result import evidence as _evidence
from critmin.claims.result import figure as _fig
from critmin.claims.result import not_checkable as _not_checkable
from critmin.claims.spec import (
    ClaimsFile,
    ConsistencyClaim,
    GrowthClaim,
    MembershipClaim,
    QuantityClaim,
    RankClaim,
    ShareClaim,
    UntypedClaim,
    ValueClaim,
)
from critmin.errors import CritminError, DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["ClaimResult", "evaluate", "evaluate_file"]

_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")


def _words(measure: object) -> str:
    """A measure id as words, as stated in a verdict ("mine_production" -> "mine production")."""
    return str(measure).replace("_", " ")


def _store(store: Store | None) -> Store:
    if store is not None:
        return store
    from critmin.data.store import get_store

    return get_store()


def _edition_of(table: Any, row: Any) -> str | None:
    """The edition of the claim's row, else the one edition of its table (a what-if row has
    none), else None."""
    if "edition" not in table:
        return None
    own = row["edition"].iloc[0] if len(row) else None
    if isinstance(own, str) and own:
        return own
    eds = {e for e in table["edition"] if isinstance(e, str) and e}
    return eds.pop() if len(eds) == 1 else None


def _rank(c: RankClaim, st: Store, edition: str | None = None) -> ClaimResult:
    import critmin

    r = critmin.rank(c.commodity, c.year, c.measure, add=dict(c.add), edition=edition, store=st)
    code = critmin.resolve_country(c.country, st)
    row = r[r["iso3"] == code]
    a = r.attrs
    what = f"{a['commodity']} {_words(a['measure'])} {a['year']}"
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
    ed = _edition_of(r, row)
    expl = (
        f"{code} ranks {rk} of {n} ranked producers in {what}{f' in {ed}' if ed else ''} "
        f"(claimed {_OP_WORDS[c.op]}{c.claimed})."
    )
    if c.op in ("le", "lt") and n < c.claimed:
        expl += f" The source lists only {n} countries, so a top-{c.claimed} claim is checked among those."
    if assumptions:
        expl += " Conditional on the what-if assumption."
    ev = _evidence(r, ("rank", "share"))
    rows = st.observations(
        critmin.resolve_commodity(c.commodity), a["measure"], a["year"], edition=edition
    )
    where = {(o["iso3"], o["edition"]): o["source_row"] for o in _evidence(rows)}
    for e in ev:
        e.setdefault("source_row", where.get((e.get("iso3"), e.get("edition"))))
        e.setdefault("measure", a["measure"])
        e.setdefault("year", a["year"])
    return ClaimResult(
        c.id, c.type, c.text, v, c.claimed, rk, "rank", expl, ev, assumptions, _basis(ev, code)
    )


def _share(c: ShareClaim, st: Store, edition: str | None = None) -> ClaimResult:
    import critmin

    p = critmin.production(c.commodity, c.year, c.measure, edition=edition, store=st)
    code = critmin.resolve_country(c.country, st)
    row = p[p["iso3"] == code]
    a = p.attrs
    what = f"{a['commodity']} {_words(a['measure'])} {a['year']}"
    if row.empty or row["share"].isna().all():
        return _not_checkable(
            c, c.claimed, "fraction", f"no share for {code} in {what}.", _evidence(p)
        )
    s = float(row["share"].iloc[0])
    v = checks.compare(s, c.claimed, c.op, c.tolerance, relative=False)
    ed = _edition_of(p, row)
    expl = (
        f"{code} has {100 * s:.1f} % of {what}{f' in {ed}' if ed else ''} (sum of the country rows; "
        f"claimed {_OP_WORDS[c.op]}{100 * c.claimed:.1f} % ± {100 * c.tolerance:.1f} points)."
    )
    world = p[(p["iso3"] == "WLD") & p["qualifier"].isin(("reported", "estimated"))]
    mine = float(row["value"].iloc[0])
    if len(world) and float(world["value"].iloc[0]) > 0 and mine == mine:
        w = float(world["value"].iloc[0])
        sw = mine / w
        vw = checks.compare(sw, c.claimed, c.op, c.tolerance, relative=False)
        if abs(sw - s) >= 0.0005:
            expl += f" Against the published world total ({_fig(w, str(world['unit'].iloc[0]))}) it is {100 * sw:.1f} %"
            if vw == "supported" and v != "supported":
                v = vw
                expl += ", which supports the claim (reporters divide by the world total)."
            else:
                expl += "."
    ev = _evidence(p, ("share", "rank"))
    return ClaimResult(
        c.id, c.type, c.text, v, c.claimed, s, "fraction", expl, ev, [], _basis(ev, code)
    )


def _quantity(c: QuantityClaim, st: Store, edition: str | None = None) -> ClaimResult:
    import critmin
    from critmin.units import parse_quantity

    cid = critmin.resolve_commodity(c.commodity)
    code = critmin.resolve_country(c.country, st)
    claimed_t = parse_quantity(c.claimed, "t")
    df = st.observations(cid, c.measure, c.year, edition=edition)
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
            f"the dataset has no {_words(c.measure)} figure for {code} ({q}).{ctx}",
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
        f"{code} {cid} {_words(c.measure)} {int(row['year'].iloc[0])}: {_fig(val, 't')} ({row['qualifier'].iloc[0]}) "
        f"in {row['edition'].iloc[0]} (claimed {_OP_WORDS[c.op]}{_fig(claimed_t, 't')} ± {100 * c.tolerance:.0f} %).",
        _evidence(row),
    )


def _by_edition(
    run: Any, st: Store, key: tuple[str, str | None, int | None], date: str | None
) -> ClaimResult:
    """Evaluate once per edition that reports the table; the edition current at the claim's
    date decides (the latest without a date), and disagreeing editions are named."""
    import critmin

    base: ClaimResult = run(None)
    cid = critmin.resolve_commodity(key[0])
    measure, year = key[1], key[2]
    if measure is None or year is None:
        m = [e for e in base.evidence if e.get("measure") and e.get("year")]
        if not m:
            return base
        measure, year = measure or m[0]["measure"], year or int(m[0]["year"])
    reported = st.observation_editions(cid)  # one query per commodity (memoised)
    eds = sorted(
        {
            str(r["edition"])
            for r in reported
            if r["measure"] == measure and r["year"] == year and r["edition"] is not None
        },
        key=lambda e: (edition_date(e) or (0, 0), e),
    )
    if len(eds) < 2:
        return base
    used = {str(e.get("edition")) for e in base.evidence if e.get("edition")}
    results = {e: base if used == {e} else run(e) for e in eds}
    decide, why = current_edition(eds, date)
    out = results[decide]
    per = [
        (e, r.verdict, _fig(r.computed, r.unit))
        for e, r in results.items()
        if r.verdict != "not_checkable"
    ]
    note = revision_note(per)
    if note:
        out.revision = note
        out.explanation += f" Editions disagree: {note}; {decide} decides ({why})."
    elif decide != eds[-1]:
        out.explanation += f" {decide} used ({why})."
    return out


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
            f"no {cid} {_words(c.measure)} figure for {code} in {missing} (years with data: {yrs or 'none'}).",
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
        f"{code} {cid} {_words(c.measure)}: x{ratio:.2f} from {c.start} to {c.end}.",
        _evidence(df[df["year"].isin([c.start, c.end])]),
    )


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


def evaluate(
    claim: Any,
    store: Store | None = None,
    *,
    date: str | None = None,
    origins: Sequence[str] = (),
) -> ClaimResult:
    """Evaluate one validated claim.

    Parameters
    ----------
    claim : Claim
        A validated claim.
    store : Store, optional
        The data store (default the user's).
    date : str, optional
        When the claim was made (the claim's own ``date`` wins); where editions disagree,
        the edition current at that date decides.
    origins : sequence of str
        Who the story relays; facts from them cannot support it (``not_independent``).
    """
    when = getattr(claim, "date", None) or date
    if isinstance(claim, UntypedClaim):
        return _not_checkable(claim, claim.claimed, None, claim.reason)
    if isinstance(claim, ConsistencyClaim):
        return _consistency(claim)
    st = _store(store)
    try:
        if isinstance(claim, RankClaim):
            return _by_edition(
                lambda e: _rank(claim, st, e),
                st,
                (claim.commodity, claim.measure, claim.year),
                when,
            )
        if isinstance(claim, ShareClaim):
            return _by_edition(
                lambda e: _share(claim, st, e),
                st,
                (claim.commodity, claim.measure, claim.year),
                when,
            )
        if isinstance(claim, QuantityClaim):
            return _by_edition(
                lambda e: _quantity(claim, st, e),
                st,
                (claim.commodity, claim.measure, claim.year),
                when,
            )
        if isinstance(claim, GrowthClaim):
            return _growth(claim, st)
        if isinstance(claim, ValueClaim):
            return _value(claim, st, origins)
        if isinstance(claim, MembershipClaim):
            return _membership(claim, st, origins)
    except DataNotFoundError as exc:
        return _not_checkable(claim, getattr(claim, "claimed", None), None, str(exc))
    raise CritminError(f"unknown claim type {claim.type!r}")


def evaluate_file(claims: ClaimsFile, store: Store | None = None) -> list[ClaimResult]:
    """Evaluate every claim of a file, in order (the source's date and origins apply to all).

    The claims share one memoised view of the store (:func:`critmin.data.memo.memo_view`):
    claims about the same commodity ask the same questions, and each is asked once.
    """
    from critmin.data.memo import memo_view

    src = claims.source
    st = memo_view(_store(store))
    return [evaluate(c, st, date=src.date, origins=src.origins) for c in claims.claims]
