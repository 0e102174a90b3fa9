"""Read endpoints over the public Python API: commodities, production, rank (with what-ifs),
concentration, reserves, prices, countries, revisions, sources.

All are open (no key), cached, and answer JSON arrays of rows or CSV (``format=csv``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from critmin.api.deps import thread_store
from critmin.api.responses import (
    TABLE_RESPONSES,
    Fmt,
    FmtQuery,
    object_response,
    table_response,
    value_column,
)
from critmin.errors import DataNotFoundError, ValidationError
from critmin.markets.whatif import MAX_WHAT_IFS
from critmin.markets.whatif import parse_what_ifs as _parse_what_ifs
from critmin.views import PRODUCTION_VIEW, RANK_VIEW

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

_PRODUCTION_COLS = PRODUCTION_VIEW
_RANK_COLS = RANK_VIEW


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
    import critmin

    def compute() -> Any:
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

    return await table_response(request, ("commodities",), fmt, compute, "commodities")


@router.get(
    "/commodities/{commodity}",
    summary="Commodity overview",
    responses={404: {"description": "Unknown commodity."}},
)
async def commodity(request: Request, commodity: Commodity) -> Response:
    """One commodity: registry entry, default table (measure, year, unit), HHI/CR, editions,
    sources and price series — what the dashboard's commodity page starts from."""
    import critmin

    cid = critmin.resolve_commodity(commodity)

    def compute() -> dict[str, Any]:
        from critmin._records import records
        from critmin.markets.overview import commodity_overview

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
        return commodity_overview(
            row[0],
            prod,
            conc,
            records(ps[["series", "unit", "frequency", "first", "last", "source_id"]]),
            st.observation_editions(cid),
        )

    return await object_response(request, ("commodity", cid), compute)


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
    import critmin

    cid = critmin.resolve_commodity(commodity)

    def compute() -> Any:
        df = critmin.production(
            cid, year, measure, product=product, edition=edition, store=thread_store()
        )
        return value_column(df[_PRODUCTION_COLS])

    key = ("production", cid, year, measure, product, edition)
    return await table_response(request, key, fmt, compute, f"{cid}-production")


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
    import critmin

    cid = critmin.resolve_commodity(commodity)
    adds, rm = parse_what_ifs(add, remove)

    def compute() -> Any:
        df = critmin.rank(
            cid,
            year,
            measure,
            add=adds,
            remove=rm,
            product=product,
            edition=edition,
            store=thread_store(),
        )
        out = value_column(df[_RANK_COLS])
        if not df.attrs.get("assumptions"):
            out = out.drop(columns=["share_before", "what_if"])
        out.insert(len(out.columns), "year", df.attrs["year"])
        return out

    key = ("rank", cid, year, measure, product, edition, tuple(sorted(adds.items())), tuple(rm))
    return await table_response(request, key, fmt, compute, f"{cid}-rank")


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
    import critmin

    cid = critmin.resolve_commodity(commodity)

    def compute() -> Any:
        return critmin.concentration(
            cid, year, measure, product=product, edition=edition, store=thread_store()
        )

    key = ("concentration", cid, year, measure, product, edition)
    return await table_response(request, key, fmt, compute, f"{cid}-concentration")


@router.get("/reserves/{commodity}", summary="Reserves and reserve life", responses=TABLE_RESPONSES)
async def reserves(
    request: Request, commodity: Commodity, year: YearQ = None, fmt: Fmt = FmtQuery
) -> Response:
    """Reserves, production and reserve life (``rp_years``, years) by country."""
    import critmin

    cid = critmin.resolve_commodity(commodity)

    def compute() -> Any:
        return critmin.reserves_to_production(cid, year, store=thread_store())

    return await table_response(request, ("reserves", cid, year), fmt, compute, f"{cid}-reserves")


@router.get("/prices", summary="Price series", responses=TABLE_RESPONSES)
async def price_series(
    request: Request,
    commodity: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    fmt: Fmt = FmtQuery,
) -> Response:
    """Price series (optionally of one commodity): unit, frequency, first and last period."""
    import critmin

    cid = critmin.resolve_commodity(commodity) if commodity else None

    def compute() -> Any:
        return critmin.price_series(cid, store=thread_store())

    return await table_response(request, ("prices", cid), fmt, compute, "price-series")


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
    import critmin

    def compute() -> Any:
        return critmin.price(series, start, end, annual=annual, unit=unit, store=thread_store())

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
    import critmin

    if end <= start:
        raise ValidationError("end must be after start")

    def compute() -> Any:
        return critmin.price_change(series, start, end, store=thread_store())

    return await table_response(
        request, ("price_change", series, start, end), fmt, compute, f"{series}-change"
    )


@router.get("/countries", summary="Countries", responses=TABLE_RESPONSES)
async def countries(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Country codes and names (ISO 3166-1; aggregates excluded)."""

    def compute() -> Any:
        c = thread_store().countries()
        if "entity_type" in c.columns:
            c = c[c["entity_type"] == "country"]
        return c[["iso3", "name"]].reset_index(drop=True)

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
    import critmin

    cache = request.app.state.cache

    def compute() -> Any:
        # One profile per (country, year) at the largest cut-off, filtered to ``top``:
        # the rank of a row does not depend on the cut-off, so every ``top`` shares it.
        st = thread_store()
        code = critmin.resolve_country(name, store=st)
        full = cache.get(
            ("country-full", str(code), year),
            lambda: critmin.country(code, top=_MAX_TOP, year=year, store=st),
        )
        out = full[full["rank"] <= top].reset_index(drop=True)
        out.attrs = dict(full.attrs)
        return out

    key = ("country", name.strip().lower(), top, year)
    return await table_response(request, key, fmt, compute, f"{name}-profile")


@router.get(
    "/revisions/{commodity}", summary="Revisions between editions", responses=TABLE_RESPONSES
)
async def revisions(
    request: Request, commodity: Commodity, measure: MeasureQ = None, fmt: Fmt = FmtQuery
) -> Response:
    """Figures that changed between editions (e.g. MCS 2025 -> MCS 2026)."""
    import critmin

    cid = critmin.resolve_commodity(commodity)

    def compute() -> Any:
        return critmin.revisions(cid, measure, store=thread_store())

    return await table_response(
        request, ("revisions", cid, measure), fmt, compute, f"{cid}-revisions"
    )


@router.get("/sources", summary="Sources", responses=TABLE_RESPONSES)
async def sources(request: Request, fmt: Fmt = FmtQuery) -> Response:
    """Citations, licences, URLs and publication dates of the dataset's sources."""
    import critmin

    def compute() -> Any:
        return critmin.sources(store=thread_store())

    return await table_response(request, ("sources",), fmt, compute, "sources")
