"""QA gate of the bundled dataset: checks on the canonical tables, with rules from data files.

Every check is a pure function over DataFrames in the canonical schema. The rules and their
justifications live in ``critmin/data/registry/qa_rules.yaml``; known, explained failures
(each with its reason) in ``critmin/data/registry/qa_explanations.yaml``. ``critmin data
build`` writes the findings to the bundled ``qa`` table and fails on an unexplained one;
``critmin data qa`` shows them.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import pandas as pd

from critmin.data.readers._rules import registry_yaml

__all__ = [
    "QA_COLUMNS",
    "TABLE_FLAG_COLUMNS",
    "check_country_sums",
    "check_editions",
    "check_qualifiers",
    "check_units",
    "explain",
    "qa_rules",
    "rounding_half_unit",
    "run_qa",
    "table_flags",
]

#: Columns of the ``qa`` table.
QA_COLUMNS = [
    "check",  # country_sum | edition_jump | ds140_jump | unit | qualifier | not_additive
    "status",  # explained | unexplained | info
    "commodity",
    "measure",
    "product",
    "year",
    "edition",
    "iso3",
    "value",  # the figure checked [unit]
    "expected",  # what it was checked against [unit]
    "ratio",  # value / expected
    "tolerance",  # allowed |value - expected| [unit], or the allowed ratio
    "unit",
    "reason",
    "source_id",
    "source_row",
]

#: Columns of the ``table_flags`` table: properties of a whole table (not of a cell).
TABLE_FLAG_COLUMNS = [
    "commodity",
    "measure",
    "product",
    "year",
    "edition",
    "flag",  # not_additive
    "reason",
    "source_id",
    "source_row",
]

_TABLE = ["commodity", "measure", "product", "year", "edition", "source_id"]
_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")
_MISSING = ("withheld", "not_available", "negligible", "qualitative")


def qa_rules() -> dict[str, Any]:
    """The QA rules (``registry/qa_rules.yaml``)."""
    data: dict[str, Any] = registry_yaml("qa_rules.yaml")
    return data


def rounding_half_unit(raw: str) -> float:
    """Half the last significant place of a printed number [same unit as the number].

    Parameters
    ----------
    raw : str
        The cell as printed (``'238000'``, ``'1.57'``, ``'>2000000'``).

    Returns
    -------
    float
        ``0.5 * 10**k`` where ``k`` is the position of the last non-zero digit of the
        integer part (trailing zeros are taken as rounding), or ``-d`` for ``d``
        decimals; 0.5 for a bare ``'0'``; NaN if no number is found.

    Notes
    -----
    ``'238000'`` -> 500, ``'11000000'`` -> 500,000, ``'1.57'`` -> 0.005.
    """
    m = re.search(r"\d[\d,]*(?:\.\d+)?", str(raw))
    if not m:
        return math.nan
    s = m.group(0).replace(",", "")
    if "." in s:
        return 0.5 * 10.0 ** (-len(s.split(".")[1]))
    stripped = s.rstrip("0")
    if not stripped:
        return 0.5
    return 0.5 * 10.0 ** (len(s) - len(stripped))


def _factor(value: float, raw: str) -> float:
    m = re.search(r"\d[\d,]*(?:\.\d+)?", str(raw))
    if not m:
        return 1.0
    r = float(m.group(0).replace(",", ""))
    return value / r if r else 1.0


def table_flags(obs: pd.DataFrame) -> pd.DataFrame:
    """Tables whose world total is ``'XX'``: the country rows are not additive.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations in the canonical schema.

    Returns
    -------
    pandas.DataFrame
        One row per table (commodity, measure, product, year, edition) with
        ``flag = 'not_additive'`` and the forms of its country rows in ``reason``.
    """
    w = obs[(obs["iso3"] == "WLD") & (obs["qualifier"] == "not_available")]
    xx = w[
        w["raw_value"].str.strip().str.lower().eq("xx")
        | w["note"]
        .str.split(" | ", regex=False)
        .apply(lambda p: any(x.strip().lower() == "xx" for x in p))
    ]
    rows = []
    for _, r in xx.iterrows():
        t = obs[
            (obs["commodity"] == r["commodity"])
            & (obs["measure"] == r["measure"])
            & (obs["product"] == r["product"])
            & (obs["year"] == r["year"])
            & (obs["edition"] == r["edition"])
            & (obs["entity_type"] != "world")
        ]
        forms = sorted({x for x in t["note"].tolist() + t["country"].tolist() if x})
        rows.append(
            {
                "commodity": r["commodity"],
                "measure": r["measure"],
                "product": r["product"],
                "year": int(r["year"]),
                "edition": r["edition"],
                "flag": "not_additive",
                "reason": "world total is 'XX' in the source (not applicable): country rows "
                "report different forms and must not be summed, shared or ranked"
                + (f"; rows: {'; '.join(forms)[:300]}" if forms else ""),
                "source_id": r["source_id"],
                "source_row": int(r["source_row"]),
            }
        )
    return pd.DataFrame(rows, columns=TABLE_FLAG_COLUMNS)


def _finding(**kw: Any) -> dict[str, Any]:
    return {k: kw.get(k) for k in QA_COLUMNS}


def _select(df: pd.DataFrame, key: tuple[Any, ...]) -> pd.DataFrame:
    m = pd.Series(True, index=df.index)
    for col, v in zip(_TABLE, key, strict=True):
        m &= df[col] == v
    return df[m]


def check_country_sums(obs: pd.DataFrame, rules: dict[str, Any] | None = None) -> pd.DataFrame:
    """Country rows summed against the world total of the same table.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations in the canonical schema (one or more tables).
    rules : dict, optional
        ``country_sum`` rules; default from ``qa_rules.yaml``.

    Returns
    -------
    pandas.DataFrame
        Findings (:data:`QA_COLUMNS`), one per table whose |sum - world| exceeds the
        tolerance, with ``status`` ``explained`` when the table has rows without a
        value (withheld, NA, negligible: the sum is then a lower bound and may fall
        short) or a world note that excludes a country, else ``unexplained``.

    Notes
    -----
    Tolerance ``tol = h_w + sum_i h_i + r * W`` where ``h`` is half the last printed
    significant place of a cell (:func:`rounding_half_unit`, in canonical units),
    ``W`` the world total and ``r`` the relative allowance of the rules file: the world
    total is rounded independently of the country rows, so the two can disagree by at
    most the sum of the half-units; ``r`` covers "Other countries" rows that the source
    itself rounds to one significant figure.
    """
    r = (rules or qa_rules())["country_sum"]
    rel = float(r["relative"])
    out: list[dict[str, Any]] = []
    ok = obs[obs["source_id"].isin(r["sources"])].copy()
    if not len(ok):
        return pd.DataFrame(columns=QA_COLUMNS)
    num = pd.to_numeric(
        ok["raw_value"].astype(str).str.extract(r"(\d[\d,]*(?:\.\d+)?)")[0].str.replace(",", ""),
        errors="coerce",
    )
    factor = (ok["value"] / num).where(num > 0, 1.0)
    half = ok["raw_value"].astype(str).map(rounding_half_unit) * factor
    valued_q = ok["qualifier"].isin(_VALUED) & ok["value"].notna()
    is_world = (ok["iso3"] == "WLD") & valued_q
    is_row = (ok["entity_type"] != "world") & (ok["qualifier"] != "included_elsewhere")
    ok["_w"] = is_world.astype(int)
    ok["_wv"] = ok["value"].where(is_world, 0.0)
    ok["_wh"] = half.where(is_world, 0.0)
    ok["_n"] = (is_row & valued_q).astype(int)
    ok["_v"] = ok["value"].where(is_row & valued_q, 0.0)
    ok["_h"] = half.where(is_row & valued_q, 0.0).fillna(0.0)
    ok["_m"] = (is_row & ok["qualifier"].isin(_MISSING)).astype(int)
    agg = ok.groupby(_TABLE, sort=False)[["_w", "_wv", "_wh", "_n", "_v", "_h", "_m"]].sum()
    agg = agg[(agg["_w"] == 1) & (agg["_n"] > 0)]
    diff = agg["_v"] - agg["_wv"]
    tol = agg["_wh"] + agg["_h"] + rel * agg["_wv"]
    bad = agg[diff.abs() > tol]
    for key, g in bad.iterrows():
        t = _select(ok, key)
        w = t[(t["iso3"] == "WLD") & t["qualifier"].isin(_VALUED)].iloc[0]
        rows = t[(t["entity_type"] != "world") & (t["qualifier"] != "included_elsewhere")]
        missing = rows[rows["qualifier"].isin(_MISSING)]
        total, world, d = float(g["_v"]), float(g["_wv"]), float(g["_v"] - g["_wv"])
        wnote = str(w["note"]).lower()
        if d < 0 and len(missing) and total >= (1 - float(r["max_missing_share"])) * world:
            status = "explained"
            reason = (
                f"countries sum below world: {len(missing)} row(s) without a value "
                f"({', '.join(sorted(set(missing['qualifier'])))}: "
                f"{', '.join(missing['iso3'].astype(str))[:120]}) are inside the world total"
            )
        elif d > 0 and "exclude" in wnote:
            status = "explained"
            reason = f"world total note: {w['note']}"
        elif d < 0 and not (rows["iso3"] == "OTH").any():
            status = "unexplained"
            reason = "countries sum below world and no 'Other countries' row"
        else:
            status = "unexplained"
            reason = "countries sum differs from world beyond rounding"
        out.append(
            _finding(
                check="country_sum",
                status=status,
                **dict(zip(_TABLE, key, strict=True)),
                iso3="WLD",
                value=total,
                expected=world,
                ratio=total / world if world else math.nan,
                tolerance=float(g["_wh"] + g["_h"] + rel * g["_wv"]),
                unit=w["unit"],
                reason=reason,
                source_row=int(w["source_row"]),
            )
        )
    return pd.DataFrame(out, columns=QA_COLUMNS)


def _ratio_flag(a: float, b: float, limit: float) -> float | None:
    if not (a and b) or a <= 0 or b <= 0 or math.isnan(a) or math.isnan(b):
        return None
    q = a / b
    return q if (q > limit or q < 1 / limit) else None


def check_editions(
    obs: pd.DataFrame, published: dict[str, str], rules: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Magnitude against the previous edition and against DS140.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations in the canonical schema, all editions.
    published : dict
        Edition -> publication date (ISO), to order editions.
    rules : dict, optional
        ``edition_jump`` and ``ds140_jump`` rules; default from ``qa_rules.yaml``.

    Returns
    -------
    pandas.DataFrame
        Findings (:data:`QA_COLUMNS`), ``unexplained``, for a key (commodity, measure,
        product, iso3) whose value in an edition is more than ``ratio`` times (or less
        than 1/``ratio``) its value in the previous edition (same year; for reserves the
        latest year of each edition), and for a world production figure of the latest
        MCS year that far from DS140's latest year.
    """
    rr = rules or qa_rules()
    lim = float(rr["edition_jump"]["ratio"])
    dlim = float(rr["ds140_jump"]["ratio"])
    out: list[dict[str, Any]] = []
    v = obs[obs["qualifier"].isin(_VALUED) & obs["value"].notna()]
    mcs = v[v["edition"].str.startswith("MCS")]
    eds = sorted(set(mcs["edition"]), key=lambda e: published.get(e, e))
    key = ["commodity", "measure", "product", "iso3"]
    for old, new in itertools.pairwise(eds):
        a = mcs[mcs["edition"] == old]
        b = mcs[mcs["edition"] == new]
        res = b["measure"] == "reserves"
        ra = a[a["measure"] == "reserves"].sort_values("year").groupby(key).tail(1)
        pairs = [
            b[~res].merge(a[a["measure"] != "reserves"], on=[*key, "year"], suffixes=("", "_old")),
            b[res].merge(ra, on=key, suffixes=("", "_old")),
        ]
        for m in pairs:
            for x in m.itertuples():
                q = _ratio_flag(float(x.value), float(x.value_old), lim)
                if q is None:
                    continue
                out.append(
                    _finding(
                        check="edition_jump",
                        status="unexplained",
                        commodity=x.commodity,
                        measure=x.measure,
                        product=x.product,
                        year=int(x.year),
                        edition=new,
                        iso3=x.iso3,
                        value=float(x.value),
                        expected=float(x.value_old),
                        ratio=q,
                        tolerance=lim,
                        unit=x.unit,
                        reason=f"{q:.3g}x the {old} figure (limit {lim:g}x): unit or series error?",
                        source_id=x.source_id,
                        source_row=int(x.source_row),
                    )
                )
    ds = v[(v["edition"] == "DS140") & (v["iso3"] == "WLD")]
    wm = mcs[(mcs["iso3"] == "WLD") & (mcs["edition"] == "MCS2025")]
    for (c, meas, dprod), d in ds.groupby(["commodity", "measure", "product"]):
        m = wm[(wm["commodity"] == c) & (wm["measure"] == meas)]
        if dprod:  # a DS140 table on another basis is compared with that product only
            m = m[m["product"] == dprod]
        if not len(m):
            continue
        last_d = d.sort_values("year").iloc[-1]
        for prod, mp in m.groupby("product"):
            x = mp.sort_values("year").iloc[-1]
            q = _ratio_flag(float(x["value"]), float(last_d["value"]), dlim)
            if q is None:
                continue
            out.append(
                _finding(
                    check="ds140_jump",
                    status="unexplained",
                    commodity=c,
                    measure=meas,
                    product=prod,
                    year=int(x["year"]),
                    edition=x["edition"],
                    iso3="WLD",
                    value=float(x["value"]),
                    expected=float(last_d["value"]),
                    ratio=q,
                    tolerance=dlim,
                    unit=x["unit"],
                    reason=f"{q:.3g}x DS140 world {int(last_d['year'])} (limit {dlim:g}x)",
                    source_id=x["source_id"],
                    source_row=int(x["source_row"]),
                )
            )
    return pd.DataFrame(out, columns=QA_COLUMNS)


def check_units(
    obs: pd.DataFrame, prices: pd.DataFrame, rules: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Unit sanity: each observation's unit is allowed for its measure, each price unit known.

    Returns
    -------
    pandas.DataFrame
        Findings (:data:`QA_COLUMNS`), ``unexplained``, one per (commodity, measure,
        unit) or price series with a unit outside ``qa_rules.yaml`` ``units``.
    """
    u = (rules or qa_rules())["units"]
    out: list[dict[str, Any]] = []
    for (c, meas, unit), g in obs.groupby(["commodity", "measure", "unit"]):
        allowed = u.get(meas)
        if allowed is not None and unit not in allowed:
            x = g.iloc[0]
            out.append(
                _finding(
                    check="unit",
                    status="unexplained",
                    commodity=c,
                    measure=meas,
                    product=x["product"],
                    year=int(x["year"]),
                    edition=x["edition"],
                    unit=unit,
                    reason=f"unit {unit!r} not allowed for {meas} ({', '.join(allowed)})",
                    source_id=x["source_id"],
                    source_row=int(x["source_row"]),
                )
            )
    for (series, unit), g in prices.groupby(["series", "unit"]):
        if unit not in u["prices"]:
            x = g.iloc[0]
            out.append(
                _finding(
                    check="unit",
                    status="unexplained",
                    commodity=x["commodity"],
                    measure="price",
                    product=series,
                    edition=x["edition"],
                    unit=unit,
                    reason=f"price unit {unit!r} is not a known price unit",
                    source_id=x["source_id"],
                )
            )
    return pd.DataFrame(out, columns=QA_COLUMNS)


def check_qualifiers(obs: pd.DataFrame, rules: dict[str, Any] | None = None) -> pd.DataFrame:
    """Qualifiers present where the source marks them.

    A value whose TYPE (``basis``) ends with ``', estimated'`` or whose note reads
    ``'estimated <year>'`` for its year must be stored ``estimated``.

    Returns
    -------
    pandas.DataFrame
        Findings (:data:`QA_COLUMNS`), ``unexplained``, one per offending observation.
    """
    qr = (rules or qa_rules())["qualifiers"]
    pat = re.compile(qr["type_suffix"], re.I)
    v = obs[(obs["qualifier"] == "reported") & ~obs["measure"].isin(qr.get("exempt_measures", []))]
    marked = (
        v["basis"].str.strip().str.contains(pat)
        | v.apply(
            lambda r: bool(re.search(rf"estimated\s+{int(r['year'])}", str(r["note"]), re.I)),
            axis=1,
        )
        if len(v)
        else pd.Series(dtype=bool)
    )
    out = (
        [
            _finding(
                check="qualifier",
                status="unexplained",
                commodity=x.commodity,
                measure=x.measure,
                product=x.product,
                year=int(x.year),
                edition=x.edition,
                iso3=x.iso3,
                value=float(x.value),
                unit=x.unit,
                reason="the source marks this value estimated; stored as reported",
                source_id=x.source_id,
                source_row=int(x.source_row),
            )
            for x in v[marked].itertuples()
        ]
        if len(v)
        else []
    )
    return pd.DataFrame(out, columns=QA_COLUMNS)


def explain(
    findings: pd.DataFrame, explanations: list[dict[str, Any]] | None = None
) -> pd.DataFrame:
    """Mark findings listed in ``qa_explanations.yaml`` as explained, with their reason.

    An explanation matches on ``check``, ``commodity`` and each other key it gives
    (``measure``, ``product``, ``year``, ``edition``, ``iso3``).
    """
    exps = (
        explanations if explanations is not None else (registry_yaml("qa_explanations.yaml") or [])
    )
    f = findings.copy()
    for e in exps:
        m = pd.Series(True, index=f.index)
        for k in ("check", "commodity", "measure", "product", "year", "edition", "iso3"):
            if k in e:
                m &= f[k].astype(str) == str(e[k])
        sel = m & (f["status"] == "unexplained")
        f.loc[sel, "status"] = "explained"
        f.loc[sel, "reason"] = f.loc[sel, "reason"].astype(str) + " | explained: " + e["reason"]
    return f


def run_qa(
    obs: pd.DataFrame, prices: pd.DataFrame, published: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All QA checks of a dataset.

    Returns
    -------
    findings : pandas.DataFrame
        :data:`QA_COLUMNS`; ``not_additive`` tables appear with status ``info``.
    flags : pandas.DataFrame
        :data:`TABLE_FLAG_COLUMNS`.
    """
    rules = qa_rules()
    flags = table_flags(obs)
    parts = [
        check_country_sums(obs, rules),
        check_editions(obs, published, rules),
        check_units(obs, prices, rules),
        check_qualifiers(obs, rules),
    ]
    info = pd.DataFrame(
        [
            _finding(
                check="not_additive",
                status="info",
                **{k: r[k] for k in ("commodity", "measure", "product", "year", "edition")},
                reason=r["reason"],
                source_id=r["source_id"],
                source_row=r["source_row"],
            )
            for r in flags.to_dict(orient="records")
        ],
        columns=QA_COLUMNS,
    )
    findings = (
        explain(pd.concat([p for p in [*parts, info] if len(p)], ignore_index=True))
        if any(len(p) for p in [*parts, info])
        else pd.DataFrame(columns=QA_COLUMNS)
    )
    findings = findings.astype({"year": "Int32", "source_row": "Int32"})
    return findings.reset_index(drop=True), flags
