"""Market commands: commodities, production, rank, concentration, price, country, revisions, sources."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from critmin.cli._output import Format, emit, records
from critmin.markets.whatif import parse_what_ifs
from critmin.views import PRODUCTION_VIEW, RANK_VIEW

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = ["register"]

FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format: table, csv or json.")
]
YearOpt = Annotated[
    int | None, typer.Option("--year", "-y", help="Year (default: latest with data).")
]
MeasureOpt = Annotated[
    str | None,
    typer.Option(
        "--measure",
        "-m",
        help="Measure, e.g. mine_production, refinery_production, reserves, capacity.",
    ),
]
EditionOpt = Annotated[
    str | None, typer.Option("--edition", help="Edition, e.g. MCS2025 (default: latest).")
]
ProductOpt = Annotated[
    str | None, typer.Option("--product", help="Sub-product where a measure has several.")
]


def _period(value: str | None) -> str | None:
    """Check ``--from``/``--to``: a year (2020) or a month (2020-01)."""
    if value is None:
        return None
    m = re.fullmatch(r"\d{4}(?:-(\d{1,2}))?", value.strip())
    if m is None or (m.group(1) is not None and not 1 <= int(m.group(1)) <= 12):
        raise typer.BadParameter(f"{value!r} is not a year or month (2020, 2020-01).")
    return value.strip()


_QUAL_LABEL = {
    "withheld": "W (withheld)",
    "not_available": "NA",
    "negligible": "< 0.5 unit",
    "qualitative": "qualitative",
    "included_elsewhere": "in aggregate",
}


Row = dict[str, Any]


def _value_column(rows: list[Row]) -> list[Row]:
    """Rename ``value`` to ``value_t`` when the table is in tonnes (CLI json convention)."""
    units = {r.get("unit") for r in rows if r.get("unit")}
    if units == {"t"}:
        return [{("value_t" if k == "value" else k): v for k, v in r.items()} for r in rows]
    return rows


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _display(rows: list[Row], fmt: Format) -> list[Row]:
    """For table output only: show withheld/NA/bounds as words, never as 0 or blank; drop provenance columns."""
    if fmt is not Format.table:
        return rows
    out = []
    for r in rows:
        r = {k: v for k, v in r.items() if k not in ("edition", "source_id")}
        vcol = "value_t" if "value_t" in r else "value"
        if vcol in r and "qualifier" in r:
            v, q = r[vcol], r["qualifier"]
            if q in _QUAL_LABEL and _is_missing(v):
                r[vcol] = _QUAL_LABEL[q]
            elif q == "lower_bound":
                r[vcol] = f"> {v:,.6g}"
            elif q == "upper_bound":
                r[vcol] = f"< {v:,.6g}"
            elif _is_missing(v):
                r[vcol] = "—"
            else:
                r[vcol] = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6g}"
        out.append(r)
    return out


def _caption(rows: list[Row]) -> str:
    eds = sorted({str(r["edition"]) for r in rows if not _is_missing(r.get("edition"))})
    srcs = sorted({str(r["source_id"]) for r in rows if not _is_missing(r.get("source_id"))})
    return f"edition: {', '.join(eds) or '—'}; source: {', '.join(srcs) or '—'}"


def _select(rows: list[Row], cols: list[str]) -> list[Row]:
    return [{c: r.get(c) for c in cols} for r in rows]


def _note(key: dict[str, Any]) -> str:
    """The table key's notes (how a name was read, the measure used when the default is not
    the primary one, no shares for a non-additive table), for a caption; worded by
    :func:`critmin.markets.notes.table_notes`, as the HTTP API's ``X-Critmin-Notes``."""
    from critmin.markets.notes import caption, table_notes

    return caption(table_notes(key, assumptions=False))


ProvenanceOpt = Annotated[
    bool,
    typer.Option(
        "--provenance",
        help="Add source_id, edition, file, source_row and url to every row (CSV/JSON: to the line).",
    ),
]

#: Columns ``--provenance`` adds (the bundled dataset keeps them for every observation).
PROVENANCE = ["source_id", "edition", "file", "source_row", "url"]


def _with_provenance(cols: list[str], on: bool) -> list[str]:
    return [*cols, *(c for c in PROVENANCE if c not in cols)] if on else cols


def _table_notes(key: dict[str, Any], fmt: Format | str) -> str:
    """The table's notes (measure used, how a name was read, no shares for a non-additive
    table, QA findings), read once. CSV and JSON carry rows only, so for them the notes and
    any what-if assumptions also go to stderr: nothing that shapes the figures is silent.

    Returns
    -------
    str
        The notes, for the table caption.
    """
    notes = _note(key) + _qa_note(key)
    if Format(fmt) is not Format.table:
        _echo_notes(notes, key)
    return notes


def _echo_notes(notes: str, key: dict[str, Any]) -> None:
    from critmin.markets.notes import assumption_note, caption

    what_if = assumption_note(key)
    text = notes + (caption([what_if]) if what_if else "")
    if text.strip():
        typer.echo(text.strip() if text.startswith("note:") else f"note: {text.strip()}", err=True)


def _qa_note(key: dict[str, Any]) -> str:
    """Footer warning when the build's QA gate has a finding on this table."""
    from critmin.data.store import get_store
    from critmin.markets.notes import caption, qa_note

    hit = get_store().qa_open_records(key["commodity"], key.get("measure"), key.get("year"))
    line = qa_note(key["commodity"], hit)
    return caption([line]) if line else ""


def _parse_adds(items: list[str]) -> dict[str, str]:
    return parse_what_ifs(items, max_items=10**6)[0]


def register(app: typer.Typer) -> None:
    """Add the market commands to the main app."""

    @app.command()
    def commodities(fmt: FormatOpt = Format.table) -> None:
        """List commodities with their primary measure and default price series.

        Example: critmin commodities --format csv
        """
        import critmin

        df = critmin.commodities()[
            ["commodity", "name", "symbol", "primary_measure", "default_price", "measures"]
        ]
        emit(df, fmt, title="Commodities")

    @app.command()
    def production(
        commodity: str,
        year: YearOpt = None,
        measure: MeasureOpt = None,
        product: ProductOpt = None,
        edition: EditionOpt = None,
        provenance: ProvenanceOpt = False,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Production (or another measure) by country, with shares and qualifiers.

        Example: critmin production gallium --year 2024 --format json --provenance
        """
        from critmin._api import production_records

        rows, a = production_records(commodity, year, measure, product=product, edition=edition)
        notes = _table_notes(a, fmt)
        cols = _with_provenance(PRODUCTION_VIEW, provenance)
        out = _value_column(_select(rows, cols))
        emit(
            _display(out, fmt),
            fmt,
            title=f"{a['commodity']} — {a['measure']}{' (' + a['product'] + ')' if a['product'] else ''}, {a['year']}",
            caption=notes
            + "share: fraction of listed countries plus 'other countries'; WLD is the source's world total. "
            + _caption(rows),
        )

    @app.command()
    def rank(
        commodity: str,
        year: YearOpt = None,
        measure: MeasureOpt = None,
        add: Annotated[
            list[str] | None,
            typer.Option(
                "--add", help="What-if addition ISO3=QTY with a unit, e.g. KAZ=15t (repeatable)."
            ),
        ] = None,
        remove: Annotated[
            list[str] | None,
            typer.Option("--remove", help="What-if removal of a country (repeatable)."),
        ] = None,
        product: ProductOpt = None,
        edition: EditionOpt = None,
        provenance: ProvenanceOpt = False,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Rank producers; --add KAZ=15t shows where a new producer would rank.

        Example: critmin rank gallium --year 2024 --add KAZ=15t
        """
        from critmin._api import rank_records
        from critmin.markets.notes import assumption_note, caption

        rows, a = rank_records(
            commodity,
            year,
            measure,
            add=_parse_adds(add or []),
            remove=remove or [],
            product=product,
            edition=edition,
        )
        notes = _table_notes(a, fmt)
        cols = _with_provenance(RANK_VIEW, provenance)
        if not a.get("assumptions"):
            cols = [c for c in cols if c not in ("share_before", "what_if")]
        out = _value_column(_select(rows, cols))
        cap = notes + _caption(rows)
        what_if = assumption_note(a)
        if what_if:
            cap = caption([what_if]) + "share_before: as published. " + cap
        emit(
            _display(out, fmt),
            fmt,
            title=f"{a['commodity']} — {a['measure']}, {a['year']}",
            caption=cap,
        )

    @app.command()
    def concentration(
        commodity: str,
        year: YearOpt = None,
        measure: MeasureOpt = None,
        product: ProductOpt = None,
        edition: EditionOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """HHI (0-10,000), CR1 and CR3 of a production table.

        Example: critmin concentration copper --year 2024 --format json
        """
        import critmin

        df = critmin.concentration(commodity, year, measure, product=product, edition=edition)
        cap = "hhi: countries only; hhi_max: 'other countries' as one producer"
        if fmt is Format.table:  # long texts go to the caption, not into a narrow column
            row = df.iloc[0]
            if isinstance(row.get("reason"), str):
                cap = f"unknown: {row['reason']}. " + cap
            cap = _note(dict(row)) + cap
            df = df.drop(columns=[c for c in ("reason", "note") if c in df.columns])
        emit(df, fmt, title="Supply concentration", caption=cap)

    @app.command()
    def price(
        series: Annotated[str, typer.Argument(help="Series id (wb_tin) or commodity (tin).")],
        start: Annotated[
            str | None,
            typer.Option("--from", callback=_period, help="First year or month (2020, 2020-01)."),
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", callback=_period, help="Last year or month.")
        ] = None,
        annual: Annotated[bool, typer.Option("--annual", help="Calendar-year averages.")] = False,
        unit: Annotated[
            str | None, typer.Option("--unit", help="Convert to a unit, e.g. USD/kg.")
        ] = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Price history; with --annual, yearly averages and the change between the ends.

        Example: critmin price tin --from 2020 --to 2025 --annual
        """
        import critmin

        df = critmin.price(series, start, end, annual=annual, unit=unit)
        caption = _caption(records(df))
        if annual and len(df) >= 2:
            v0, v1 = float(df["value"].iloc[0]), float(df["value"].iloc[-1])
            y0, y1 = int(df["year"].iloc[0]), int(df["year"].iloc[-1])
            cagr = (v1 / v0) ** (1 / (y1 - y0)) - 1 if v0 > 0 and y1 > y0 else float("nan")
            caption = (
                f"{y0}->{y1}: x{v1 / v0:.2f} ({100 * (v1 / v0 - 1):+.1f} %, CAGR {100 * cagr:.1f} %/yr). "
                + caption
            )
        emit(df, fmt, title=f"Price: {df['series'].iloc[0]}", caption=caption)

    @app.command("prices")
    def prices_list(
        commodity: Annotated[str | None, typer.Argument(help="Commodity (optional).")] = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """List price series.

        Example: critmin prices gallium
        """
        import critmin

        emit(critmin.price_series(commodity), fmt, title="Price series")

    @app.command()
    def country(
        name: Annotated[str, typer.Argument(help="Country name or ISO code.")],
        top: Annotated[int, typer.Option("--top", help="Rank cut-off.")] = 10,
        year: YearOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """Commodities where a country ranks in the top N (production and reserves).

        Example: critmin country "DR Congo" --top 5
        """
        import critmin

        df = critmin.country(name, top=top, year=year)
        notes = _note(df.attrs)  # how the name was read ("Korea" -> KOR)
        if df.empty:
            notes += f"No table ranks {name} in its top {top}; a larger --top lists lower ranks."
        if Format(fmt) is not Format.table:  # CSV/JSON carry rows only: the note goes to stderr
            _echo_notes(notes, {})
        emit(
            _display(records(df), fmt),
            fmt,
            title=f"{df['iso3'].iloc[0] if len(df) else name}: top-{top} positions",
            caption=notes or None,
        )

    @app.command()
    def reserves(commodity: str, year: YearOpt = None, fmt: FormatOpt = Format.table) -> None:
        """Reserves, production and reserve life (years) by country.

        Example: critmin reserves tin --format csv
        """
        import critmin

        df = critmin.reserves_to_production(commodity, year)
        notes = _note(df.attrs)  # the production measure used, how the name was read
        if Format(fmt) is not Format.table:  # CSV/JSON carry rows only: the note goes to stderr
            _echo_notes(notes, {})
        emit(
            df,
            fmt,
            title=f"{df.attrs['commodity']}: reserves / production ({df.attrs['year']})",
            caption=notes or None,
        )

    @app.command()
    def revisions(
        commodity: str, measure: MeasureOpt = None, fmt: FormatOpt = Format.table
    ) -> None:
        """Figures revised between editions (e.g. MCS 2025 -> MCS 2026), and countries that appear or disappear.

        Example: critmin revisions gallium
        """
        import critmin

        df = critmin.revisions(commodity, measure)
        cols = [
            "measure",
            "iso3",
            "country",
            "status",
            "year",
            "unit",
            "edition_old",
            "value_old",
            "qualifier_old",
            "edition_new",
            "value_new",
            "qualifier_new",
            "change",
            "change_pct",
            "note",
        ]
        emit(df[cols], fmt, title=f"Revisions: {critmin.resolve_commodity(commodity)}")

    @app.command()
    def sources(fmt: FormatOpt = Format.table) -> None:
        """Sources of the dataset: citation, licence, URL, publication date.

        Example: critmin sources --format json
        """
        import critmin

        df = critmin.sources()
        cols = (
            ["source_id", "edition", "published", "licence", "citation", "url"]
            if fmt is Format.table
            else list(df.columns)
        )
        emit(df[cols], fmt, title="Sources")
