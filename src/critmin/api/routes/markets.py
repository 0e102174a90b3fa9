"""Read endpoints over the public Python API: commodities, production, rank (with what-ifs),
concentration, reserves, prices, countries, revisions, sources.

All are open (no key), cached, and answer JSON arrays of rows or CSV (``format=csv``).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from critmin.api import reads
from critmin.api.names import commodity as _commodity
from critmin.api.names import country_notes, with_notes
from critmin.api.responses import (
    TABLE_RESPONSES,
    Fmt,
    FmtQuery,
    cached_value,
    json_body,
    object_response,
    table_response,
)
from critmin.errors import ValidationError
from critmin.markets.whatif import MAX_WHAT_IFS
from critmin.markets.whatif import parse_what_ifs as _parse_what_ifs

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["markets"])

Commodity = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="Commodity id, name, alias or symbol (gallium, Ga, tin).",
        examples=["gallium"],
    ),
]
YearQ = Annotated[
    int | None, Query(ge=1800, le=2100, description="Year (default: latest with country data).")
]
MeasureQ = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z_]{1,40}$",
        description="Measure: mine_production, refinery_production, reserves, capacity...",
    ),
]
ProductQ = Annotated[
    str | None,
    Query(pattern=r"^[a-z0-9_]{0,40}$", description="Sub-product where a measure has several."),
]
EditionQ = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9_:.\-]{1,60}$", description="Edition, e.g. MCS2025 (default latest)."
    ),
]
PeriodQ = Annotated[
    str | None,
    Query(
        pattern=r"^(18|19|20|21)\d{2}(-(0[1-9]|1[0-2]))?$",
        description="Year (2020) or month (2020-01).",
    ),
]

_MAX_WHAT_IFS = MAX_WHAT_IFS


def parse_what_ifs(add: list[str], remove: list[str]) -> tuple[dict[str, str], list[str]]:
    """Validate ``add=ISO3=QTY`` and ``remove=ISO3`` query values (the shared parser)."""
    return _parse_what_ifs(add, remove, max_items=_MAX_WHAT_IFS)


@router.get("/health", tags=["meta"], summary="Server status and optional modules")
async def health(request: Request) -> dict[str, Any]:
    """Status, version, optional modules wired in, job backend, map availability."""
    import critmin

    st = request.app.state
    return {
        "status": "ok",
        "version": critmin.__version__,
        "modules": st.modules,
        "jobs_backend": st.jobs.backend,
        "read_pool": st.read_pool.describe() if getattr(st, "read_pool", None) else None,
        "stale_workers": getattr(st, "stale_workers", []),
        "map": (st.settings.assets() / "topojson" / "world_110m.json").is_file(),
        "auth": bool(st.keys),
        "limits": {
            "max_body_bytes": st.settings.max_body_bytes,
            "max_draws": st.settings.max_draws,
            "max_runs_per_key": st.settings.max_runs_per_key,
            "job_timeout_s": st.settings.job_timeout_s,
            "job_memory_bytes": st.settings.job_memory_bytes,
            "rate_per_client": st.settings.rate_per_client,
            "rate_per_key": st.settings.rate_per_key,
        },
    }


@router.get("/labels", tags=["meta"], summary="Human labels of columns and metrics")
async def labels() -> dict[str, Any]:
    """The label registry shared with the briefing (:mod:`critmin.report.labels`):
    ``columns`` and ``metrics`` map a name to ``{"label", "unit"}``; ``plain`` lists
    columns printed without thousands separators (years, identifiers)."""
    from critmin.report import labels as lab

    def rows(d: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
        return {k: {"label": v[0], "unit": v[1]} for k, v in d.items()}

    plain = [c for c in lab.LABELS if lab.is_plain(c)]
    return {"columns": rows(lab.LABELS), "metrics": rows(lab.METRICS), "plain": plain}


@router.get("/commodities", summary="Commodities", responses=TABLE_RESPONSES)
async def commodities(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Commodities with their primary measure, measures present and default price series."""
    compute = partial(reads.commodities_table)
    return await table_response(request, ("commodities",), fmt, compute, "commodities")


@router.get(
    "/commodities/{commodity}",
    summary="Commodity overview",
    responses={404: {"description": "Unknown commodity."}},
)
async def commodity(request: Request, commodity: Commodity) -> Response:
    """One commodity: registry entry, default table (measure, year, unit), HHI/CR, editions,
    sources and price series — what the dashboard's commodity page starts from."""
    cid, notes = _commodity(commodity)
    compute = partial(reads.commodity_overview, cid)
    return with_notes(await object_response(request, ("commodity", cid), compute), notes)


@router.get("/production/{commodity}", summary="Production by country", responses=TABLE_RESPONSES)
async def production(
    request: Request,
    commodity: Commodity,
    year: YearQ = None,
    measure: MeasureQ = None,
    product: ProductQ = None,
    edition: EditionQ = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """Production (or another measure) by country with ``share``, ``rank`` and ``qualifier``.

    ``value_t`` (or ``value`` when not in tonnes) is ``null`` for withheld, not available,
    negligible and qualitative figures; the ``qualifier`` says which.
    """
    cid, notes = _commodity(commodity)
    compute = partial(reads.production_table, cid, year, measure, product, edition)
    key = ("production", cid, year, measure, product, edition)
    return with_notes(await table_response(request, key, fmt, compute, f"{cid}-production"), notes)


@router.get("/rank/{commodity}", summary="Ranking with what-ifs", responses=TABLE_RESPONSES)
async def rank(
    request: Request,
    commodity: Commodity,
    year: YearQ = None,
    measure: MeasureQ = None,
    product: ProductQ = None,
    edition: EditionQ = None,
    add: Annotated[
        list[str],
        Query(
            max_length=_MAX_WHAT_IFS,
            description="What-if addition COUNTRY=QUANTITY with a unit, e.g. KAZ=15t (repeatable).",
        ),
    ] = [],  # noqa: B006  (FastAPI copies defaults)
    remove: Annotated[
        list[str],
        Query(max_length=_MAX_WHAT_IFS, description="What-if removal of a country (repeatable)."),
    ] = [],  # noqa: B006
    fmt: Fmt = FmtQuery,
) -> Response:
    """Producers ranked by output. ``add=KAZ=15t`` shows where a new producer would rank:
    its row has ``what_if: true`` and ``share_before`` holds the published shares."""
    cid, notes = _commodity(commodity)
    adds, rm = parse_what_ifs(add, remove)
    notes += country_notes([*adds, *rm])
    # JSON rows straight from the records API (no DataFrame); CSV from the table.
    fn = reads.rank_rows if fmt is Fmt.json else reads.rank_table
    compute = partial(fn, cid, year, measure, product, edition, tuple(adds.items()), tuple(rm))
    key = ("rank", cid, year, measure, product, edition, tuple(sorted(adds.items())), tuple(rm))
    return with_notes(await table_response(request, key, fmt, compute, f"{cid}-rank"), notes)


@router.get("/concentration/{commodity}", summary="HHI, CR1, CR3", responses=TABLE_RESPONSES)
async def concentration(
    request: Request,
    commodity: Commodity,
    year: YearQ = None,
    measure: MeasureQ = None,
    product: ProductQ = None,
    edition: EditionQ = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """HHI (0-10,000, countries only), ``hhi_max`` ("other countries" as one producer),
    CR1, CR3 (fractions) and producer counts, as a one-row table."""
    cid, notes = _commodity(commodity)
    compute = partial(reads.concentration_table, cid, year, measure, product, edition)
    key = ("concentration", cid, year, measure, product, edition)
    return with_notes(
        await table_response(request, key, fmt, compute, f"{cid}-concentration"), notes
    )


@router.get("/reserves/{commodity}", summary="Reserves and reserve life", responses=TABLE_RESPONSES)
async def reserves(
    request: Request, commodity: Commodity, year: YearQ = None, fmt: Fmt = FmtQuery
) -> Response:
    """Reserves, production and reserve life (``rp_years``, years) by country."""
    cid, notes = _commodity(commodity)
    compute = partial(reads.reserves_table, cid, year)
    key = ("reserves", cid, year)
    return with_notes(await table_response(request, key, fmt, compute, f"{cid}-reserves"), notes)


@router.get("/prices", summary="Price series", responses=TABLE_RESPONSES)
async def price_series(
    request: Request,
    commodity: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """Price series (optionally of one commodity): unit, frequency, first and last period."""
    cid, notes = _commodity(commodity) if commodity else (None, [])
    compute = partial(reads.price_series_table, cid)
    return with_notes(
        await table_response(request, ("prices", cid), fmt, compute, "price-series"), notes
    )


@router.get("/prices/{series}", summary="Price history", responses=TABLE_RESPONSES)
async def price(
    request: Request,
    series: Annotated[
        str,
        Path(
            min_length=1,
            max_length=80,
            description="Series id (wb_tin) or commodity (tin).",
            examples=["tin"],
        ),
    ],
    start: PeriodQ = None,
    end: PeriodQ = None,
    annual: Annotated[bool, Query(description="Calendar-year averages.")] = False,
    unit: Annotated[
        str | None,
        Query(pattern=r"^[A-Za-z/ ]{1,20}$", description="Convert, e.g. USD/kg."),
    ] = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """Price history of a series (or a commodity's default series), in its unit or ``unit``."""
    compute = partial(reads.price_table, series, start, end, annual, unit)
    key = ("price", series, start, end, annual, unit)
    return await table_response(request, key, fmt, compute, f"{series}-price")


@router.get("/price-change/{series}", summary="Price change between two years")
async def price_change(
    request: Request,
    series: Annotated[str, Path(min_length=1, max_length=80, examples=["tin"])],
    start: Annotated[int, Query(ge=1800, le=2100, description="First year.")],
    end: Annotated[int, Query(ge=1800, le=2100, description="Last year.")],
    fmt: Fmt = FmtQuery,
) -> Response:
    """Ratio, percentage change and CAGR of annual average prices between two years."""
    if end <= start:
        raise ValidationError("end must be after start")
    compute = partial(reads.price_change_table, series, start, end)
    return await table_response(
        request, ("price_change", series, start, end), fmt, compute, f"{series}-change"
    )


@router.get("/countries", summary="Countries", responses=TABLE_RESPONSES)
async def countries(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Country codes and names (ISO 3166-1; aggregates excluded)."""
    compute = partial(reads.countries_table)
    return await table_response(request, ("countries",), fmt, compute, "countries")


#: Largest ``top`` of the country profile.
_MAX_TOP = 50


@router.get("/countries/{name}", summary="Country profile", responses=TABLE_RESPONSES)
async def country(
    request: Request,
    name: Annotated[
        str,
        Path(min_length=2, max_length=80, description="Name or ISO code.", examples=["Kazakhstan"]),
    ],
    top: Annotated[int, Query(ge=1, le=_MAX_TOP, description="Rank cut-off.")] = 10,
    year: YearQ = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """Commodities where a country ranks in the top ``top`` (primary production and reserves)."""
    # One profile per (country, year) at the largest cut-off, kept in the read cache with
    # its JSON rows; the rank of a row does not depend on the cut-off, so a JSON answer
    # for any ``top`` is those rows filtered on the event loop (well under a millisecond).
    key = ("country", name.strip().lower(), top, year)
    if request.app.state.cache.peek((*key, fmt.value)) is None:
        full, rows = await cached_value(
            request,
            ("country-full", name.strip().lower(), year),
            partial(reads.country_profile_rows, name, year, _MAX_TOP),
        )
        if fmt is Fmt.json:
            body = json_body([r for r in rows if r["rank"] is not None and r["rank"] <= top])
            return with_notes(
                Response(content=body, media_type="application/json"), country_notes([name])
            )
        compute = partial(reads.country_top, full, top)
    else:
        compute = partial(reads.country_top_of, name, year, top, _MAX_TOP)  # cached: not run
    return with_notes(
        await table_response(request, key, fmt, compute, f"{name}-profile"), country_notes([name])
    )


@router.get(
    "/revisions/{commodity}", summary="Revisions between editions", responses=TABLE_RESPONSES
)
async def revisions(
    request: Request, commodity: Commodity, measure: MeasureQ = None, fmt: Fmt = FmtQuery
) -> Response:
    """Figures that changed between editions (e.g. MCS 2025 -> MCS 2026)."""
    cid, notes = _commodity(commodity)
    compute = partial(reads.revisions_table, cid, measure)
    key = ("revisions", cid, measure)
    return with_notes(await table_response(request, key, fmt, compute, f"{cid}-revisions"), notes)


@router.get("/sources", summary="Sources", responses=TABLE_RESPONSES)
async def sources(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Citations, licences, URLs and publication dates of the dataset's sources."""
    compute = partial(reads.sources_table)
    return await table_response(request, ("sources",), fmt, compute, "sources")
