"""Default-table policy: which table answers "production of X" when the user names only X.

The policy, in one place for every entry point: the commodity's primary production
measure and product; the latest year with official country data (user imports never
move it); the latest edition that reports the table. Queries go through the
:class:`~critmin.data.store.Store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from critmin.errors import DataNotFoundError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from critmin.data.store import Store

__all__ = ["PRODUCTION_MEASURES", "VALUED", "commodity_row", "table_records"]

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


def table_records(
    commodity: str,
    year: int | None,
    measure: str | None,
    product: str | None,
    edition: str | None,
    store: Store,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One table (canonical commodity id, measure, product, year) as row dicts, and its key.

    Defaults: the commodity's primary production measure and product; the latest
    year with official country data (user imports never move it); the latest
    edition that reports the table.
    """
    st = store
    crow = commodity_row(commodity, st)
    cid = crow["commodity"]
    if measure is None:
        measure = crow["primary_measure"]
        if measure is None:
            raise DataNotFoundError(f"{cid} has no production data")
        if product is None:
            product = crow["primary_product"] or ""
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
        official = [r for r in rows if not str(r["edition"] or "").startswith("user:")] or rows
        valued = [
            r["year"]
            for r in official
            if r["qualifier"] in VALUED and r["entity_type"] == "country"
        ]
        year = int(max(valued)) if valued else int(max(r["year"] for r in rows))
    table = [r for r in rows if r["year"] == year]
    if not table:
        years = sorted({int(r["year"]) for r in rows})
        raise DataNotFoundError(
            f"no {measure} data for {cid} in {year} (years with data: {years[0]}-{years[-1]})"
        )
    return table, {"commodity": cid, "measure": measure, "product": product, "year": year}
