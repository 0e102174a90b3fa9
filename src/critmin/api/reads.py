"""The computations behind the open read endpoints, as module-level functions.

Each function takes only plain, picklable arguments and reads the store through
:func:`critmin.api.deps.thread_store`, so a route can hand
``functools.partial(reads.rank_table, ...)`` either to a worker thread of the server or
to a read worker process (:mod:`critmin.api.readpool`), where the same call runs on
that process's own read-only store. Nothing here caches: the server's read cache
(:class:`critmin.api.deps.ReadCache`) keeps the responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from critmin.api.deps import thread_store
from critmin.errors import DataNotFoundError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: ``DataFrame.attrs`` key of the table notes a read hands to the response
#: (:func:`critmin.api.responses.notes_of`; the ``X-Critmin-Notes`` header).
NOTES_ATTR = "critmin_table_notes"

__all__ = [
    "NOTES_ATTR",
    "NotedRows",
    "commodities_table",
    "commodity_overview",
    "concentration_table",
    "countries_table",
    "country_profile",
    "country_profile_rows",
    "country_top",
    "country_top_of",
    "price_change_table",
    "price_series_table",
    "price_table",
    "production_table",
    "rank_rows",
    "rank_table",
    "reserves_table",
    "revisions_table",
    "sources_table",
    "table_notes",
]


class NotedRows(list[dict[str, Any]]):
    """JSON-ready rows with the table's notes in ``notes`` (a DataFrame keeps them in
    ``attrs[NOTES_ATTR]``). A list, so it pickles (a read worker's answer) and
    serialises as the rows alone."""

    def __init__(self, rows: Iterable[dict[str, Any]] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(rows)
        self.notes = list(notes)


def table_notes(key: Mapping[str, Any], *, qa: bool = True) -> list[str]:
    """The CLI's notes of a table (:func:`critmin.markets.notes.table_notes`): the measure
    used, no shares for a non-additive table, open QA findings (``qa``), what-if
    assumptions. The name notes are left out: the route adds the resolver's own."""
    from critmin.markets.notes import table_notes as notes

    found = (
        thread_store().qa_open_records(key["commodity"], key.get("measure"), key.get("year"))
        if qa
        else []
    )
    return notes(key, found, names=False)


def commodities_table() -> pd.DataFrame:
    """Commodities with primary measure, primary product, default price and measures."""
    import critmin

    return critmin.commodities(store=thread_store())[
        [
            "commodity",
            "name",
            "symbol",
            "primary_measure",
            "primary_product",
            "default_price",
            "measures",
        ]
    ]


def commodity_overview(cid: str) -> dict[str, Any]:
    """The overview document of one (resolved) commodity."""
    import critmin
    from critmin._records import records
    from critmin.markets.overview import commodity_overview as overview

    st = thread_store()
    com = critmin.commodities(store=st)
    row = records(com[com["commodity"] == cid])
    if not row:
        raise DataNotFoundError(f"no data for commodity {cid!r}")
    prod: Any = None
    conc: dict[str, Any] | None = None
    try:
        prod = critmin.production(cid, store=st)
        conc = records(critmin.concentration(cid, store=st))[0]
    except DataNotFoundError:
        pass
    ps = critmin.price_series(cid, store=st)
    return overview(
        row[0],
        prod,
        conc,
        records(ps[["series", "unit", "frequency", "first", "last", "source_id"]]),
        st.observation_editions(cid),
    )


def production_table(
    cid: str, year: int | None, measure: str | None, product: str | None, edition: str | None
) -> pd.DataFrame:
    """Production by country in the production view's columns (``value_t`` in tonnes)."""
    import critmin
    from critmin.api.responses import value_column
    from critmin.views import PRODUCTION_VIEW

    df = critmin.production(
        cid, year, measure, product=product, edition=edition, store=thread_store()
    )
    out = value_column(df[PRODUCTION_VIEW])
    out.attrs[NOTES_ATTR] = table_notes(df.attrs)
    return out


def rank_table(
    cid: str,
    year: int | None,
    measure: str | None,
    product: str | None,
    edition: str | None,
    adds: tuple[tuple[str, str], ...],
    remove: tuple[str, ...],
) -> pd.DataFrame:
    """The ranking with what-ifs (``adds``: (country, quantity) pairs, already parsed)."""
    import critmin
    from critmin.api.responses import value_column
    from critmin.views import RANK_VIEW

    df = critmin.rank(
        cid,
        year,
        measure,
        add=dict(adds),
        remove=list(remove),
        product=product,
        edition=edition,
        store=thread_store(),
    )
    out = value_column(df[RANK_VIEW])
    if not df.attrs.get("assumptions"):
        out = out.drop(columns=["share_before", "what_if"])
    out.insert(len(out.columns), "year", df.attrs["year"])
    out.attrs[NOTES_ATTR] = table_notes(df.attrs)
    return out


def _float(v: Any) -> float | None:
    """``pd.to_numeric(errors="coerce").astype(float)`` of one value, NaN as None."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f


def rank_rows(
    cid: str,
    year: int | None,
    measure: str | None,
    product: str | None,
    edition: str | None,
    adds: tuple[tuple[str, str], ...],
    remove: tuple[str, ...],
) -> NotedRows:
    """The JSON rows of :func:`rank_table`, built from :func:`critmin._api.rank_records`.

    The same rows, keys and JSON values as ``records(rank_table(...))`` (rank an integer
    or null; value, share, share_before floats or null; what_if a bool; ``value`` named
    ``value_t`` when every unit is t; share_before and what_if only with a what-if; the
    table's year), without building DataFrames: a what-if is the one read whose response
    cannot be cached, and pandas was most of its cost. ``tests/api`` checks the two
    agree. The table's notes travel in ``notes`` (:class:`NotedRows`).
    """
    from critmin._api import rank_records
    from critmin.views import RANK_VIEW

    recs, meta = rank_records(
        cid,
        year,
        measure,
        add=dict(adds),
        remove=list(remove),
        product=product,
        edition=edition,
        store=thread_store(),
    )
    units = {r.get("unit") for r in recs} - {None}
    value_key = "value_t" if units == {"t"} else "value"
    cols = [c for c in RANK_VIEW if meta.get("assumptions") or c not in ("share_before", "what_if")]
    out = NotedRows(notes=table_notes(meta))
    for r in recs:
        row: dict[str, Any] = {}
        for c in cols:
            v = r.get(c)
            if c == "rank":
                v = None if v is None or v != v else int(v)
            elif c in ("value", "share", "share_before"):
                v = _float(v)
            elif c == "what_if":
                v = bool(v)
            row[value_key if c == "value" else c] = v
        row["year"] = meta["year"]
        out.append(row)
    return out


def concentration_table(
    cid: str, year: int | None, measure: str | None, product: str | None, edition: str | None
) -> pd.DataFrame:
    """HHI, CR1, CR3 and producer counts (one row); notes as the CLI's caption (the
    measure used; the reason of a null HHI is in the row)."""
    import critmin

    out = critmin.concentration(
        cid, year, measure, product=product, edition=edition, store=thread_store()
    )
    out.attrs[NOTES_ATTR] = table_notes(dict(out.iloc[0]), qa=False) if len(out) else []
    return out


def reserves_table(cid: str, year: int | None) -> pd.DataFrame:
    """Reserves, production and reserve life by country; notes: the production measure used."""
    import critmin

    out = critmin.reserves_to_production(cid, year, store=thread_store())
    out.attrs[NOTES_ATTR] = table_notes(out.attrs, qa=False)
    return out


def price_series_table(cid: str | None) -> pd.DataFrame:
    """Price series (of one commodity when ``cid`` is given)."""
    import critmin

    return critmin.price_series(cid, store=thread_store())


def price_table(
    series: str, start: str | None, end: str | None, annual: bool, unit: str | None
) -> pd.DataFrame:
    """Price history of a series or a commodity's default series."""
    import critmin

    return critmin.price(series, start, end, annual=annual, unit=unit, store=thread_store())


def price_change_table(series: str, start: int, end: int) -> pd.DataFrame:
    """Ratio, percentage change and CAGR between two years."""
    import critmin

    return critmin.price_change(series, start, end, store=thread_store())


def countries_table() -> pd.DataFrame:
    """ISO3 codes and names of countries (aggregates excluded)."""
    c = thread_store().countries()
    if "entity_type" in c.columns:
        c = c[c["entity_type"] == "country"]
    return c[["iso3", "name"]].reset_index(drop=True)


def country_profile(name: str, year: int | None, top: int) -> pd.DataFrame:
    """A country's profile at cut-off ``top`` (the route asks for the largest and filters).

    The rank of a row does not depend on the cut-off, so one profile at the largest
    cut-off serves every smaller ``top`` through :func:`country_top`.
    """
    import critmin

    st = thread_store()
    code = critmin.resolve_country(name, store=st)
    return critmin.country(code, top=top, year=year, store=st)


def country_profile_rows(
    name: str, year: int | None, top: int
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """:func:`country_profile` and its JSON-ready rows (:func:`critmin._records.records`)."""
    from critmin._records import records

    full = country_profile(name, year, top)
    return full, records(full)


def country_top(full: pd.DataFrame, top: int) -> pd.DataFrame:
    """Rows of a profile with ``rank <= top`` (attributes kept)."""
    out = full[full["rank"] <= top].reset_index(drop=True)
    out.attrs = dict(full.attrs)
    return out


def country_top_of(name: str, year: int | None, top: int, cutoff: int) -> pd.DataFrame:
    """:func:`country_top` of :func:`country_profile` at ``cutoff`` (nothing kept)."""
    return country_top(country_profile(name, year, cutoff), top)


def revisions_table(cid: str, measure: str | None) -> pd.DataFrame:
    """Figures revised between editions."""
    import critmin

    return critmin.revisions(cid, measure, store=thread_store())


def sources_table() -> pd.DataFrame:
    """Citations, licences, URLs and dates of the sources."""
    import critmin

    return critmin.sources(store=thread_store())
