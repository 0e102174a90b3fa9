"""Shares, ranks and concentration of supply.

Inputs are observation tables for one commodity, measure, product and year, with
at least the columns ``iso3``, ``entity_type``, ``value`` and ``qualifier``
(:mod:`critmin.data.schema`). Aggregates are never summed with countries: the
world-total row (``WLD``) is only a reference, and the "other countries" row
(``OTH``) counts towards the total but is not ranked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from critmin.errors import ValidationError
from critmin.markets._core import RANK_COLUMNS, rank_records, share_records

__all__ = ["concentration", "hhi", "rank", "shares"]

_VALUED = ("reported", "estimated", "lower_bound", "upper_bound")


def _check_columns(df: pd.DataFrame) -> None:
    missing = {"iso3", "entity_type", "value", "qualifier"} - set(df.columns)
    if missing:
        raise ValidationError(f"table lacks columns {sorted(missing)}")


def _frame(records: list[dict[str, Any]], like: pd.DataFrame, extra: list[str]) -> pd.DataFrame:
    cols = list(like.columns) + [c for c in extra if c not in like.columns]
    out = pd.DataFrame(records, columns=cols)
    if "rank" in out.columns:
        out["rank"] = pd.array(out["rank"], dtype="Int64")
    for c in ("share", "share_before", "value"):
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def shares(df: pd.DataFrame, basis: str = "countries") -> pd.DataFrame:
    """Share of each producer in the total.

    Parameters
    ----------
    df : pandas.DataFrame
        Observations of one table (one commodity, measure, product and year).
    basis : {"countries", "world"}
        Denominator: ``countries`` sums the listed countries and the "other
        countries" row; ``world`` uses the source's world-total row.

    Returns
    -------
    pandas.DataFrame
        Country and ``OTH`` rows with ``share`` (fraction, 0-1) and ``rank`` (1 =
        largest; ties share the best rank; ``OTH`` is not ranked). Withheld,
        not-available and negligible rows keep a null share and rank: they are
        unknown, not zero.

    Notes
    -----
    .. math:: s_i = q_i / Q, \\quad Q = \\sum_{c \\in countries} q_c + q_{other}

    Lower bounds (``>x``) enter with their bound, so shares of the other producers
    are then upper bounds; the ``qualifier`` column says so.
    """
    _check_columns(df)
    recs = share_records(df.to_dict(orient="records"), basis)
    return _frame(recs, df, ["share", "rank"])


def rank(
    df: pd.DataFrame,
    add: Mapping[str, float] | None = None,
    remove: Iterable[str] = (),
    basis: str = "countries",
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Ranked producers, optionally with what-if additions or removals.

    Parameters
    ----------
    df : pandas.DataFrame
        Observations of one table (see :func:`shares`).
    add : mapping of str to float, optional
        ISO3 code to quantity added to that country's production, in the table's
        unit (tonnes for masses). A country absent from the table is added.
    remove : iterable of str
        ISO3 codes whose production is removed (e.g. an export ban seen from outside).
    basis : {"countries", "world"}
        See :func:`shares`. With what-ifs the world total is raised by the additions.
    names : mapping, optional
        ISO3 to display name for added countries.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``iso3``, ``country``, ``value``, ``unit``, ``share``, ``share_before``
        (share in the table as published), ``qualifier`` and ``what_if`` (True for
        rows changed by an assumption), then ``note``, ``edition``, ``source_id``
        where present.
    """
    _check_columns(df)
    recs = rank_records(
        df.to_dict(orient="records"), add=add, remove=remove, basis=basis, names=names
    )
    cols = [*RANK_COLUMNS]
    cols += [c for c in ("note", "edition", "source_id") if c in df.columns]
    out = pd.DataFrame([{c: r.get(c) for c in cols} for r in recs], columns=cols)
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    for c in ("share", "share_before", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["what_if"] = out["what_if"].astype(bool)
    return out


def hhi(share: Iterable[float] | pd.Series | np.ndarray) -> float:
    """Herfindahl-Hirschman index of market shares.

    Parameters
    ----------
    share : array-like
        Shares as fractions (0-1); NaN entries are ignored.

    Returns
    -------
    float
        HHI on the 0-10,000 scale.

    Notes
    -----
    .. math:: HHI = \\sum_i (100\\, s_i)^2

    10,000 is a monopoly; the U.S. DOJ/FTC 2023 Merger Guidelines call a market
    with HHI above 1,800 highly concentrated.

    References
    ----------
    U.S. Department of Justice and Federal Trade Commission, Merger Guidelines (2023), section 2.1.
    """
    s = np.asarray(
        list(share) if not isinstance(share, np.ndarray | pd.Series) else share, dtype=float
    )
    s = s[np.isfinite(s)]
    if (s < -1e-12).any() or s.sum() > 1 + 1e-9:
        raise ValidationError("shares must be non-negative fractions that sum to at most 1")
    return float(np.sum((100.0 * s) ** 2))


def concentration(df: pd.DataFrame, basis: str = "countries") -> dict[str, Any]:
    """Concentration measures of one production table.

    Returns
    -------
    dict
        ``total`` (sum used as denominator, table unit), ``world_total`` (the
        source's world row, if any), ``hhi`` (countries only; the "other
        countries" remainder treated as many small producers), ``hhi_max`` (the
        remainder treated as one producer: an upper bound), ``cr1`` and ``cr3``
        (shares of the largest one and three countries), ``n_producers``,
        ``n_unknown`` (withheld or not-available countries), ``top_iso3`` and
        ``reason``. When no country has a known, positive figure (all withheld, or
        a world-only table) concentration is unknown, not zero: ``total``, ``hhi``,
        ``hhi_max``, ``cr1`` and ``cr3`` are NaN and ``reason`` says why (else None).

    Notes
    -----
    .. math:: HHI = \\sum_{c} (100\\, s_c)^2, \\qquad CR_k = \\sum_{i=1}^{k} s_{(i)}
    """
    sh = shares(df, basis=basis)
    countries = sh[(sh["entity_type"] == "country") & sh["share"].notna()]
    other = sh[(sh["entity_type"] == "other") & sh["share"].notna()]
    world = df[(df["entity_type"] == "world") & df["value"].notna()]
    valued = sh["share"].notna()
    unknown = sh[
        (sh["entity_type"] == "country") & sh["qualifier"].isin(["withheld", "not_available"])
    ]
    out: dict[str, Any] = {
        "total": float(sh.loc[valued, "value"].sum()),
        "world_total": float(world["value"].iloc[0]) if len(world) else None,
    }
    reason = _unknown_reason(sh, countries)
    if reason is not None:
        nan = float("nan")
        out.update(total=nan, hhi=nan, hhi_max=nan, cr1=nan, cr3=nan, n_producers=0)
        out.update(n_unknown=len(unknown), top_iso3=None, reason=reason)
        return out
    s = countries["share"].to_numpy(dtype=float)
    s_sorted = np.sort(s)[::-1]
    h = hhi(s)
    h_max = h + (float((100 * other["share"]).pow(2).sum()) if len(other) else 0.0)
    out.update(
        hhi=h,
        hhi_max=h_max,
        cr1=float(s_sorted[:1].sum()),
        cr3=float(s_sorted[:3].sum()),
        n_producers=int((s > 0).sum()),
        n_unknown=len(unknown),
        top_iso3=str(countries.iloc[0]["iso3"]),
        reason=None,
    )
    return out


def _unknown_reason(sh: pd.DataFrame, countries: pd.DataFrame) -> str | None:
    """Why concentration is unknown (no country share to measure), or None when it is known."""
    if len(countries) and float(countries["share"].sum()) > 0:
        return None
    rows = sh[sh["entity_type"] == "country"]
    if rows.empty:
        return "no country rows in the table (world total only)"
    if not (rows["qualifier"].isin(_VALUED) & rows["value"].notna()).any():
        quals = sorted({str(q).replace("_", " ") for q in rows["qualifier"]})
        return f"all {len(rows)} producing countries are {' or '.join(quals)}: shares unknown"
    return "the listed countries' figures sum to zero"
