"""Changes of a commodity's tables between editions: revisions, appearances, disappearances.

Pure functions over observations in the canonical schema. Stock measures (reserves,
capacity) are dated by their edition (MCS 2025 reserves at end-2024, MCS 2026 at
end-2025), so they are compared edition to edition at each edition's latest year; flow
measures (production) are compared for the same year.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

__all__ = ["CHANGE_COLUMNS", "STOCK_MEASURES", "UNMARKED_EDITIONS", "edition_changes"]

#: Measures compared at each edition's latest year rather than the same year.
STOCK_MEASURES = ("reserves", "capacity")

#: Editions whose source carries no estimated marks (transcribed extracts): a qualifier
#: change against them is not evidence of a revision.
UNMARKED_EDITIONS = {"MCS2026": "MCS 2026 extract transcribed without 'e' marks"}

CHANGE_COLUMNS = [
    "commodity",
    "measure",
    "product",
    "iso3",
    "country",
    "change",  # revised | appeared | disappeared | qualifier
    "edition_old",
    "year_old",
    "value_old",
    "qualifier_old",
    "edition_new",
    "year_new",
    "value_new",
    "qualifier_new",
    "change_pct",  # (new - old) / old [%]
    "unit",
    "note",
]


def _latest(df: pd.DataFrame) -> pd.DataFrame:
    y = df.groupby(["measure", "product"])["year"].transform("max")
    return df[df["year"] == y]


def edition_changes(obs: pd.DataFrame, published: dict[str, str]) -> pd.DataFrame:
    """Differences of each table between consecutive editions.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations of one or more commodities, all editions (``MCS*`` are compared).
    published : dict
        Edition -> publication date (ISO), to order the editions.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`: ``revised`` (value differs), ``qualifier`` (same value,
        other qualifier; noted when the new edition has no marks), ``appeared`` (a
        country row in the new edition's table only), ``disappeared`` (in the old only).
        Only tables that both editions report are compared; aggregate rows (world,
        other) are compared but never listed as appearing or disappearing.

    Notes
    -----
    ``change_pct = 100 * (value_new - value_old) / value_old``, null when the old value
    is null or zero.
    """
    m = obs[obs["edition"].str.startswith("MCS") & obs["iso3"].notna()]
    eds = sorted(set(m["edition"]), key=lambda e: published.get(e, e))
    out: list[dict[str, Any]] = []
    for old, new in itertools.pairwise(eds):
        a, b = m[m["edition"] == old], m[m["edition"] == new]
        sa, sb = a["measure"].isin(STOCK_MEASURES), b["measure"].isin(STOCK_MEASURES)
        keys = ["commodity", "measure", "product"]
        pairs = [
            (a[~sa], b[~sb], [*keys, "year"]),
            (_latest(a[sa]), _latest(b[sb]), keys),
        ]
        for x, y, on in pairs:
            common = x[on].drop_duplicates().merge(y[on].drop_duplicates(), on=on)
            x = x.merge(common, on=on)
            y = y.merge(common, on=on)
            j = x.merge(y, on=[*on, "iso3"], how="outer", suffixes=("_old", "_new"), indicator=True)
            for r in j.to_dict(orient="records"):
                r.setdefault("year_old", r.get("year"))
                r.setdefault("year_new", r.get("year"))
                both = r["_merge"] == "both"
                vo, vn = r.get("value_old"), r.get("value_new")
                note = ""
                if both:
                    same = (pd.isna(vo) and pd.isna(vn)) or vo == vn
                    if same and r["qualifier_old"] == r["qualifier_new"]:
                        continue
                    change = "qualifier" if same else "revised"
                    if change == "qualifier" and new in UNMARKED_EDITIONS:
                        note = f"unverified: {UNMARKED_EDITIONS[new]}"
                else:
                    ent = (
                        r["entity_type_old"] if r["_merge"] == "left_only" else r["entity_type_new"]
                    )
                    if ent != "country":
                        continue
                    change = "disappeared" if r["_merge"] == "left_only" else "appeared"
                    note = f"row in {old if change == 'disappeared' else new} only"
                pct = (
                    100.0 * (vn - vo) / vo
                    if both and pd.notna(vo) and pd.notna(vn) and vo != 0
                    else None
                )
                out.append(
                    {
                        "commodity": r["commodity"],
                        "measure": r["measure"],
                        "product": r["product"],
                        "iso3": r["iso3"],
                        "country": r["country_old"]
                        if isinstance(r.get("country_old"), str)
                        else r.get("country_new"),
                        "change": change,
                        "edition_old": old,
                        "year_old": _int(r["year_old"]),
                        "value_old": vo,
                        "qualifier_old": r.get("qualifier_old"),
                        "edition_new": new,
                        "year_new": _int(r["year_new"]),
                        "value_new": vn,
                        "qualifier_new": r.get("qualifier_new"),
                        "change_pct": pct,
                        "unit": r["unit_old"]
                        if isinstance(r.get("unit_old"), str)
                        else r["unit_new"],
                        "note": note,
                    }
                )
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)
