"""Claims checked against prices and the sourced facts table, with the self-support rule.

A fact whose source (title or address) or subject (item) names one of the story's own
origins (its publisher, the outlets it cites, the companies it quotes) cannot support the
story: such a claim is "not independently checkable" (verdict ``not_independent``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from critmin.claims import checks
from critmin.claims.editions import self_sourced
from critmin.claims.result import ClaimResult, not_checkable
from critmin.claims.spec import MembershipClaim, ValueClaim
from critmin.errors import CritminError, DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.data.store import Store

__all__ = ["membership", "parse_value", "value"]

_FACT_COLS = [
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


def _split_origin(facts: pd.DataFrame, origins: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Facts independent of the story, and a note for each one that is not."""
    if facts.empty or not origins:
        return facts, []
    keep, notes = [], []
    for i, r in facts.iterrows():
        o = self_sourced(origins, r.get("source_title"), r.get("source_url"), r.get("item"))
        if o is None:
            keep.append(i)
        else:
            notes.append(
                f"fact {int(r['fact_id'])} ({r['item']}) comes from {o}, the story's own source"
            )
    return facts.loc[keep], notes


def _unit_family(unit: str) -> str:
    u = unit.lower().replace("million", "").replace("billion", "").replace(" ", "")
    return "usd" if u.startswith(("usd", "us$", "$")) else u


def _same_unit(facts: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Facts whose unit is the claimed unit's kind (USD and "USD million" are one kind)."""
    if not unit or facts.empty:
        return facts
    fam = _unit_family(unit)
    return facts[[_unit_family(str(u)) == fam for u in facts["unit"]]]


def _fact_rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    from critmin._records import records

    return records(df[[k for k in _FACT_COLS if k in df.columns]])


def _not_independent(
    c: Any, claimed: Any, unit: str | None, notes: list[str], ev: list[dict[str, Any]]
) -> ClaimResult:
    return ClaimResult(
        c.id,
        c.type,
        c.text,
        "not_independent",
        claimed,
        None,
        unit,
        "not independently checkable: " + "; ".join(notes) + ".",
        ev,
    )


_MONEY = re.compile(r"^\s*([\d.,]+)\s*(USD|US\$|\$)\s*(million|billion|thousand)?\s*$", re.I)


def parse_value(text: str) -> tuple[float, str]:
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


def value(c: ValueClaim, st: Store, origins: Sequence[str] = ()) -> ClaimResult:
    import critmin

    claimed, unit = parse_value(c.claimed)
    if c.series is not None:
        try:
            df = critmin.price(c.series, c.start, c.end, store=st, unit=unit or None)
        except DataNotFoundError as exc:
            return not_checkable(c, claimed, unit, str(exc))
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
        annual = all(len(str(x)) == 4 for x in df["period"])
        if v == "contradicted" and c.statistic == "any" and annual:
            v = "not_checkable"
            expl += (
                " Only annual averages are available: a price within the year may have reached "
                "the claimed figure, so the average cannot contradict it."
            )
        from critmin._records import records

        return ClaimResult(
            c.id, c.type, c.text, v, claimed, computed, unit, expl, records(ev.head(24))
        )
    if c.fact is not None:
        facts = st.facts(topic=c.fact_topic, pattern=c.fact)
        nums = facts[facts["value_num"].notna()]
        if nums.empty:
            return not_checkable(c, claimed, unit, f"no numeric fact matches {c.fact!r}.")
        nums = _same_unit(nums, unit)
        if nums.empty:
            return not_checkable(c, claimed, unit, f"no fact matching {c.fact!r} is in {unit}.")
        nums, own = _split_origin(nums, origins)
        if nums.empty:
            return _not_independent(c, claimed, unit, own, _fact_rows(facts))
        f0 = nums.iloc[-1]
        fval = float(f0["value_num"])
        funit = str(f0["unit"])
        if "million" in funit.lower() and unit == "USD":
            fval *= 1e6
        v = checks.compare(fval, claimed, c.op, c.tolerance)
        from critmin._records import records

        ev = records(nums[_FACT_COLS])
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
    return not_checkable(c, claimed, unit, c.reason or "no dataset in critmin covers this figure.")


def membership(c: MembershipClaim, st: Store, origins: Sequence[str] = ()) -> ClaimResult:
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
        every = facts
        facts, own = _split_origin(facts, origins)
        if every.shape[0] and facts.empty:
            return _not_independent(c, c.claimed, None, own, _fact_rows(every))
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
        return not_checkable(c, c.claimed, None, "no sourced fact mentions any member.", ev)
    all_in = n_in == len(found)
    verdict = "supported" if all_in == c.claimed else "contradicted"
    missing = [m for m, ok in found.items() if not ok]
    expl = (
        f"{n_in} of {len(found)} members found"
        + (f"; not found: {', '.join(missing)}" if missing else "")
        + "."
    )
    return ClaimResult(c.id, c.type, c.text, verdict, c.claimed, found, None, expl, ev)
