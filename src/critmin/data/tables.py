"""Default-table policy: which table answers "production of X" when the user names only X.

The policy, in one place for every entry point: the commodity's primary production
measure and product, unless another production measure has more recent official
country data (then that one, and the table key says so in ``note``); the latest year
with official country data (user imports never move it); the latest edition that
reports the table. Queries go through the
:class:`~critmin.data.store.Store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from critmin.errors import DataNotFoundError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = [
    "PRODUCTION_MEASURES",
    "VALUED",
    "choose_measure",
    "commodity_row",
    "default_measure",
    "table_records",
]

PRODUCTION_MEASURES = (
    "mine_production",
    "primary_production",
    "refinery_production",
    "plant_production",
    "production",
)
VALUED = ("reported", "estimated", "lower_bound", "upper_bound")


def commodity_row(cid: str, store: Store) -> dict[str, Any]:
    """The registry row of a canonical commodity id, with its measures in the store."""
    row = store.commodity_record(cid)
    if row is None:
        raise DataNotFoundError(f"no data for commodity {cid!r}")
    return row


def _official(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if not str(r["edition"] or "").startswith("user:")]


def _country_years(rows: list[dict[str, Any]]) -> list[int]:
    """Years with a valued country figure in official (non-user) rows."""
    return [
        int(r["year"])
        for r in _official(rows)
        if r["qualifier"] in VALUED and r["entity_type"] == "country"
    ]


def default_measure(
    crow: dict[str, Any], store: Store, product: str | None = None, edition: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """The production measure and product a query uses when it names none.

    The registry's primary measure, unless another production measure
    (:data:`PRODUCTION_MEASURES`) has official country data for a more recent year:
    then the one with the most recent (ties go to the order of
    :data:`PRODUCTION_MEASURES`). When no production measure has country data the
    primary measure is kept.

    Returns
    -------
    measure, product, note
        ``note`` says why the primary measure was not used; ``None`` when it was.
        ``product`` is the given one, else the primary product or the chosen
        measure's product (``""`` when it has an unnamed one).
    """
    rows = store.observation_records(
        crow["commodity"], None, None, product=product, edition=edition
    )
    return choose_measure(crow, rows, product)


def choose_measure(
    crow: dict[str, Any], rows: list[dict[str, Any]], product: str | None = None
) -> tuple[str | None, str | None, str | None]:
    """:func:`default_measure` over a commodity's observation rows already read."""
    primary = crow.get("primary_measure")
    if not isinstance(primary, str):
        primary = None
    best: dict[str, int] = {}
    for m in PRODUCTION_MEASURES:
        sub = [r for r in rows if r["measure"] == m]
        if m == primary and product is None:
            sub = [r for r in sub if r["product"] == (crow.get("primary_product") or "")]
        years = _country_years(sub)
        if years:
            best[m] = max(years)
    if not best or (primary in best and best[primary] >= max(best.values())):
        prod = product if product is not None else (crow.get("primary_product") or "")
        return primary, prod, None
    top = max(best.values())
    measure = next(m for m in PRODUCTION_MEASURES if best.get(m) == top)
    if product is None:
        prods = {
            r["product"]
            for r in rows
            if r["measure"] == measure
            and r["entity_type"] == "country"
            and r["qualifier"] in VALUED
            and int(r["year"]) == top
        }
        product = "" if "" in prods or not prods else sorted(prods)[0]
    if primary is None:
        note = f"no primary measure; used {measure} (latest country data: {top})"
    elif primary in best:
        note = (
            f"primary measure {primary} has country rows up to {best[primary]} only; "
            f"used {measure} (country data to {top})"
        )
    else:
        note = f"primary measure {primary} has no country rows; used {measure}"
    return measure, product, note


def table_records(
    commodity: str,
    year: int | None,
    measure: str | None,
    product: str | None,
    edition: str | None,
    store: Store,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One table (canonical commodity id, measure, product, year) as row dicts, and its key.

    Defaults: the production measure of :func:`default_measure` (the primary one
    unless another has more recent country data; the key then has a ``note``); the
    latest year with official country data (user imports never move it); the latest
    edition that reports the table.
    """
    st = store
    crow = commodity_row(commodity, st)
    cid = crow["commodity"]
    note = None
    if measure is None:
        measure, product, note = default_measure(crow, st, product, edition)
        if measure is None:
            raise DataNotFoundError(f"{cid} has no production data")
    rows = st.observation_records(cid, measure, None, product=product, edition=edition)
    if not rows:
        have = ", ".join(crow.get("measures") or [])
        raise DataNotFoundError(f"no {measure} data for {cid} (measures with data: {have})")
    if product is None:
        prods = sorted({r["product"] for r in rows})
        if len(prods) > 1:
            raise ValidationError(
                f"{cid} {measure} has several products {prods}; choose one with product="
            )
        product = prods[0]
    if year is None:
        official = _official(rows) or rows
        valued = [
            int(r["year"])
            for r in official
            if r["qualifier"] in VALUED and r["entity_type"] == "country"
        ]
        year = max(valued) if valued else int(max(r["year"] for r in rows))
    table = [r for r in rows if r["year"] == year]
    if not table:
        years = sorted({int(r["year"]) for r in rows})
        raise DataNotFoundError(
            f"no {measure} data for {cid} in {year} (years with data: {years[0]}-{years[-1]})"
        )
    key: dict[str, Any] = {"commodity": cid, "measure": measure, "product": product, "year": year}
    if note is not None:
        key["note"] = note
    flag = not_additive_reason(store, cid, measure, product, year, table)
    if flag is not None:
        key["not_additive"] = flag
    return table, key


def not_additive_reason(
    store: Store,
    commodity: str,
    measure: str,
    product: str | None,
    year: int,
    table: list[dict[str, Any]],
) -> str | None:
    """Why a table must not be summed, shared or ranked (the source's world total is 'XX').

    The build's QA gate flags such tables (:meth:`Store.table_flags`); the flag applies
    when it names this table's measure, product and year in an edition of its rows.

    Returns
    -------
    str or None
        The reason, or ``None`` for an additive table.
    """
    editions = {r.get("edition") for r in table}
    for f in store.table_flags(commodity, measure, year):
        if (
            f.get("flag") == "not_additive"
            and (f.get("product") or "") == (product or "")
            and f.get("edition") in editions
        ):
            return str(f["reason"])
    return None
