"""Self-contained HTML: inline CSS, plotly.js embedded once, no request to any host."""

from __future__ import annotations

import datetime as _dt
import html
import json
from typing import TYPE_CHECKING, Any

from critmin.report.labels import METRICS, WORDED, is_plain, label, metric, unit_of, value_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from critmin.report.section import BriefSection

__all__ = ["Section", "render_document", "render_section", "render_value", "table_html"]

CSS = """
:root { --fg:#1d2430; --muted:#5b6575; --line:#d9dee7; --bg:#ffffff; --accent:#0b5cad;
        --ok:#1b7f3b; --bad:#b42318; --na:#8a6d00; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0; line-height: 1.45; }
header { padding: 24px 32px 12px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 1.6rem; }
header p { margin: 2px 0; color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: .9rem; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
main { padding: 8px 32px 48px; max-width: 1280px; }
section { margin: 28px 0; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--accent); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { font-weight: 700; padding: 1px 8px; border-radius: 10px; font-size: .8rem; white-space: nowrap; }
.supported { color: #fff; background: var(--ok); }
.contradicted { color: #fff; background: var(--bad); }
.not_checkable { color: #fff; background: var(--na); }
.not_independent { color: #fff; background: #6b4fa0; }
.tw { max-width: 100%; overflow-x: auto; }
td, th { overflow-wrap: anywhere; }
td.num { overflow-wrap: normal; }
.summary ul { padding-left: 1.2em; } .summary li { margin: 4px 0; }
.summary a.ref { font-size: .8rem; white-space: nowrap; }
.plotly-graph-div, .js-plotly-plot, svg, img { max-width: 100%; }
nav { display: flex; flex-wrap: wrap; gap: 4px 0; }
@media (max-width: 700px) {
  header, nav, main, footer { padding-left: 12px; padding-right: 12px; }
  header h1 { font-size: 1.25rem; }
  table { font-size: .78rem; } th, td { padding: 3px 4px; }
  .kpi { min-width: 0; flex: 1 1 40%; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; }
  nav, summary::marker { display: none; }
  header, main, footer { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  .tw { overflow: visible; }
  table { font-size: 8pt; page-break-inside: auto; } tr { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; } .chart, .kpis, .assumption { break-inside: avoid; }
  .verdict { border: 1px solid #000; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
.note { color: var(--muted); font-size: .85rem; }
.assumption { background: #fff7e0; border-left: 4px solid #e0a800; padding: 6px 10px; margin: 8px 0; font-size: .88rem; }
details { margin: 2px 0; } summary { cursor: pointer; color: var(--accent); font-size: .82rem; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.kpi b { display: block; font-size: 1.2rem; } .kpi span { color: var(--muted); font-size: .8rem; }
.chart { min-height: 360px; }
footer { color: var(--muted); font-size: .8rem; padding: 16px 32px; border-top: 1px solid var(--line); }
"""


class Section:
    """One section of the document: an id, a title and HTML body parts."""

    def __init__(self, sid: str, title: str) -> None:
        self.sid = sid
        self.title = title
        self.parts: list[str] = []

    def add(self, part: str) -> Section:
        """Append raw HTML (already escaped)."""
        self.parts.append(part)
        return self

    def text(self, s: str, cls: str | None = None) -> Section:
        """Append an escaped paragraph."""
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{html.escape(s)}</p>")
        return self

    def heading(self, s: str) -> Section:
        """Append a sub-heading."""
        self.parts.append(f"<h3>{html.escape(s)}</h3>")
        return self

    def html(self) -> str:
        """The section as HTML."""
        return f'<section id="{self.sid}"><h2>{html.escape(self.title)}</h2>{"".join(self.parts)}</section>'


def _cell(v: Any, col: str) -> tuple[str, bool]:
    import math

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—", True
    if isinstance(v, bool):
        return ("yes" if v else "no"), False
    if is_plain(col) and isinstance(v, int | float):
        return (str(int(v)) if float(v).is_integer() else f"{float(v):.6g}"), True
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}", True
    if isinstance(v, float):
        if (
            col == "share"
            or col.startswith("share")
            or col.endswith("_share")
            or unit_of(col) == "%"
        ):
            return f"{100 * v:.2f} %", True
        if abs(v) >= 1000:
            return f"{v:,.0f}", True
        return f"{v:,.4g}", True
    if isinstance(v, list | tuple):
        items = [value_label(str(x)) if col in WORDED else str(x) for x in v]
        return html.escape(", ".join(items)), False
    if isinstance(v, dict):
        return html.escape(json.dumps(v, ensure_ascii=False, default=str)), False
    s = value_label(str(v)) if col in WORDED else str(v)
    if col == "verdict":
        return (
            f'<span class="verdict {html.escape(s)}">{html.escape(s.replace("_", " "))}</span>',
            False,
        )
    return html.escape(s), False


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """A metric row (``metric, value, unit``) with its human label and unit; an input row
    whose name is a year keeps the year unseparated."""
    if "metric" in row and "value" in row:
        text, value, unit = metric(str(row["metric"]), row["value"], row.get("unit"))
        row = {**row, "metric": text, "value": value, "unit": unit}
    elif "item" in row and "value" in row and str(row["item"]) in METRICS:
        text, value, unit = metric(str(row["item"]), row["value"], row.get("unit"))
        row = {**row, "item": text, "value": value, "unit": unit}
    name = str(row.get("name") or row.get("metric") or "")
    if name.lower().endswith("year") and isinstance(row.get("value"), int | float):
        row = {**row, "value": str(int(row["value"]))}
    return row


def table_html(df: pd.DataFrame, max_rows: int = 200, row_ids: str | None = None) -> str:
    """An HTML table of a DataFrame: human column labels with units (the label registry),
    numbers right-aligned, years and identifiers unseparated, NaN as an em dash; wrapped so
    that a wide table scrolls inside its box, never the page.

    ``row_ids`` names a column whose value becomes each row's anchor (``row-<value>``).
    """
    from critmin._records import records

    cols = [str(c) for c in df.columns]
    head = "".join(f"<th>{html.escape(label(c))}</th>" for c in cols)
    body = []
    for raw in records(df.head(max_rows)):
        row = _present(raw)
        tds = []
        for c in cols:
            txt, num = _cell(row.get(c), c)
            tds.append(f'<td class="num">{txt}</td>' if num else f"<td>{txt}</td>")
        rid = (
            f' id="row-{html.escape(str(raw.get(row_ids)))}"'
            if row_ids and raw.get(row_ids) is not None
            else ""
        )
        body.append(f"<tr{rid}>" + "".join(tds) + "</tr>")
    more = (
        f'<p class="note">{len(df) - max_rows} more rows not shown.</p>'
        if len(df) > max_rows
        else ""
    )
    return (
        f'<div class="tw"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{more}"
    )


def figure_html(fig: Any) -> str:
    """A plotly figure as a div (plotly.js is embedded once by :func:`render_document`)."""
    return str(
        fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            config={
                "displaylogo": False,
                "responsive": True,
                "toImageButtonOptions": {"format": "png"},
            },
            default_height="380px",
        )
    )


_COLLAPSE_ROWS = 20


def _is_figure(v: Any) -> bool:
    return hasattr(v, "to_plotly_json")


def render_value(v: Any, name: str | None = None) -> str:
    """Render a DataFrame, plotly figure, string or a list of them."""
    import pandas as pd

    if v is None:
        return ""
    if isinstance(v, pd.DataFrame):
        title = html.escape(label(name or "table", with_unit=False))
        if len(v) > _COLLAPSE_ROWS:
            return f"<details><summary>{title} ({len(v)} rows)</summary>{table_html(v)}</details>"
        return (f"<h3>{title}</h3>" if name else "") + table_html(v)
    if _is_figure(v):
        return f'<div class="chart">{figure_html(v)}</div>'
    if isinstance(v, list | tuple):
        return "".join(render_value(x, name) for x in v)
    return f"<p>{html.escape(str(v))}</p>"


def _sentences(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return f'<p class="note">{html.escape(items[0])}</p>'
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>"


def render_section(sec: BriefSection) -> str:
    """HTML of a :class:`~critmin.report.section.BriefSection`.

    Order: title, text, caveat label, notes, figures, key figures (with units), tables
    (long ones collapsed).
    """
    out = [f"<p><b>{html.escape(sec.title)}</b></p>"] if sec.title else []
    out.append(_sentences(sec.text))
    if sec.label:
        out.append(f'<p class="note">{html.escape(sec.label)}</p>')
    out.append(_sentences(sec.notes))
    out.extend(render_value(f) for f in sec.figures.values())
    if sec.key_figures:
        rows = "".join(
            f"<tr><th>{html.escape(label(k.label, with_unit=False))}</th><td>{_cell(k.value, k.label)[0]}"
            f"{' ' + html.escape(k.unit) if k.unit and k.value is not None else ''}"
            f"{' (' + html.escape(k.note) + ')' if k.note else ''}</td></tr>"
            for k in sec.key_figures
        )
        out.append(f"<div class='tw'><table style='width:auto'>{rows}</table></div>")
    out.extend(render_value(t, name) for name, t in sec.tables.items())
    return "".join(out)


def render_document(title: str, subtitle: str, sections: list[Section], footer: str) -> str:
    """The full HTML document with plotly.js inlined (works offline; no network request)."""
    from plotly.offline import get_plotlyjs

    nav = "".join(f'<a href="#{s.sid}">{html.escape(s.title)}</a>' for s in sections)
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f"<script>{get_plotlyjs()}</script>"
        "<script>window.addEventListener('beforeprint',function(){"
        "document.querySelectorAll('details').forEach(function(d){d.open=true;});});</script>"
        "</head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p><p>Generated {now} by critmin.</p></header>"
        f"<nav>{nav}</nav><main>{''.join(s.html() for s in sections)}</main>"
        f"<footer>{footer}</footer></body></html>"
    )
