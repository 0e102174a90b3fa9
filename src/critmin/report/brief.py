"""The briefing: one self-contained HTML report and a terminal summary.

``critmin brief DIR`` reads ``DIR/brief.yaml`` (title, claims file, market focus,
and the scenario, deposit and project files of the other modules) and renders
every section whose module is installed and whose input exists. Sections whose
module has not landed are omitted, never faked.
"""

from __future__ import annotations

import functools
import html
import os
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from critmin.errors import CritminError, SpecError
from critmin.report import sections as sections_
from critmin.report.html import Section, render_document, render_section, render_value, table_html
from critmin.report.section import BriefSection
from critmin.report.summary import summary_section
from critmin.views import RANK_COLUMNS

__all__ = ["BriefResult", "BriefSpec", "brief", "demo_folder", "load_brief_spec", "to_pdf"]

DEMO_DIR = Path("examples/kazakhstan-2025")


class MarketSpec(BaseModel):
    """Market focus of the briefing."""

    model_config = ConfigDict(extra="forbid")
    commodity: str = "gallium"
    year: int | None = None
    what_if: dict[str, str] = Field(default_factory=dict)
    also: list[str] = Field(default_factory=list)


class PriceSpec(BaseModel):
    """A price chart."""

    model_config = ConfigDict(extra="forbid")
    series: list[str]
    start: int | None = None
    end: int | None = None
    annual: bool = False
    title: str | None = None


class RiskSpec(BaseModel):
    """Supply-risk section."""

    model_config = ConfigDict(extra="forbid")
    importer: str = "EU27"
    commodities: list[str] = Field(
        default_factory=lambda: ["gallium", "germanium", "antimony", "tin", "copper"]
    )
    draws: int = 500
    seed: int = 1


class BriefSpec(BaseModel):
    """``brief.yaml``: what goes into the briefing."""

    model_config = ConfigDict(extra="forbid")
    title: str
    subtitle: str = ""
    story: str | None = None
    claims: str | None = None
    market: MarketSpec = Field(default_factory=MarketSpec)
    prices: list[PriceSpec] = Field(default_factory=list)
    risk: RiskSpec | None = None
    scenario: str | None = None
    deposit: str | None = None
    projects: list[str] = Field(default_factory=list)
    draws: int = Field(
        2000,
        ge=1,
        le=1_000_000,
        description="Monte Carlo draws for scenario and valuation sections.",
    )
    seed: int = 2025


def load_brief_spec(folder: str | Path) -> tuple[BriefSpec, Path]:
    """Read ``brief.yaml`` in ``folder``; errors name the file and field."""
    from critmin.spec import load_spec

    d = Path(folder)
    f = d / "brief.yaml"
    if not f.exists():
        raise SpecError(str(f), "no brief.yaml in the folder")
    return load_spec(f, BriefSpec, what="briefing spec"), d


class BriefResult:
    """What a briefing produced: the HTML path, sections, claims table and warnings."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.sections: list[str] = []
        self.omitted: list[tuple[str, str]] = []
        self.claims: Any = None
        self.market: dict[str, Any] = {}


def _claims_section(spec: BriefSpec, base: Path, res: BriefResult) -> Section | None:
    if not spec.claims:
        return None
    from critmin.claims import check_claims

    df = check_claims(base / spec.claims)
    res.claims = df
    counts = df["verdict"].value_counts().to_dict()
    s = Section("claims", "The story's claims, checked")
    src = df.attrs.get("source", {})
    s.text(
        f"Source: {src.get('title', '')} ({src.get('publisher') or ''}, {src.get('date') or ''}).",
        "note",
    )
    kpis = "".join(
        f'<div class="kpi"><b>{counts.get(k, 0)}</b><span>{k.replace("_", " ")}</span></div>'
        for k in ("supported", "contradicted", "not_checkable", "not_independent")
    )
    s.add(f'<div class="kpis">{kpis}</div>')
    s.text(
        "Not checkable is an honest answer: the data at hand cannot settle the figure. "
        "It is never counted as support. Not independent: the only evidence found comes from "
        "the story's own source (its publisher, the outlets it cites or the company it quotes).",
        "note",
    )
    rows = []
    for r in df.to_dict(orient="records"):
        ev = r["evidence"] or []
        import pandas as pd

        evid = table_html(pd.DataFrame(ev)) if ev else "<p class='note'>no evidence rows</p>"
        assumptions = "".join(
            f'<div class="assumption">ASSUMPTION: {html.escape(a)}</div>' for a in r["assumptions"]
        )
        basis = r.get("basis") or ""
        rev = r.get("revision") or ""
        extra = (f"<p class='note'>Basis: {html.escape(basis)}</p>" if basis else "") + (
            f"<p class='note'>Editions: {html.escape(rev)}</p>" if rev else ""
        )
        rows.append(
            f'<tr id="claim-{html.escape(r["id"])}">'
            f"<td>{html.escape(r['id'])}</td>"
            f"<td>&ldquo;{html.escape(r['text'])}&rdquo;</td>"
            f'<td><span class="verdict {r["verdict"]}">{r["verdict"].replace("_", " ")}</span></td>'
            f"<td>{html.escape(r['explanation'])}{extra}{assumptions}"
            f"<details><summary>evidence ({len(ev)} rows; {html.escape(', '.join(r['sources']) or 'no source')})</summary>{evid}</details></td>"
            "</tr>"
        )
    s.add(
        '<div class="tw"><table><thead><tr><th>Claim</th><th>Statement (quoted)</th><th>Verdict</th>'
        "<th>What the data say, with the edition and source row</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return s


def _country_name(iso3: str) -> str:
    """ "China (CHN)" from the countries table; the code alone when it is not there."""
    from critmin.data.store import get_store

    names = get_store().country_names([iso3])
    return f"{names[iso3]} ({iso3})" if iso3 in names else iso3


def _market_section(spec: BriefSpec, res: BriefResult) -> Section:
    import critmin
    from critmin.report.plot import share_chart

    m = spec.market
    s = Section("market", f"Market: {m.commodity}")
    prod = critmin.production(m.commodity, m.year)
    a = prod.attrs
    conc = critmin.concentration(m.commodity, a["year"]).iloc[0]
    s.add(
        '<div class="kpis">'
        f'<div class="kpi"><b>{conc["hhi"]:,.0f}</b><span>HHI (0-10,000), {a["year"]}</span></div>'
        f'<div class="kpi"><b>{100 * conc["cr1"]:.1f} %</b><span>CR1 ({conc["top_iso3"]})</span></div>'
        f'<div class="kpi"><b>{100 * conc["cr3"]:.1f} %</b><span>CR3</span></div>'
        f'<div class="kpi"><b>{conc["total"]:,.0f} t</b><span>{a["measure"].replace("_", " ")}, listed countries</span></div>'
        "</div>"
    )
    res.market = {
        "commodity": a["commodity"],
        "measure": a["measure"],
        "year": a["year"],
        "hhi": float(conc["hhi"]),
        "cr1": float(conc["cr1"]),
        "top_iso3": _country_name(str(conc["top_iso3"])),
        "edition": str(conc.get("edition", "") or ""),
        "assumptions": [],
    }
    if m.what_if:
        r = critmin.rank(m.commodity, a["year"], add=dict(m.what_if))
        s.add(
            '<div class="assumption">ASSUMPTION (what-if): '
            + html.escape("; ".join(r.attrs.get("assumptions", [])))
            + "</div>"
        )
        s.add(
            render_value(share_chart(r, f"{a['commodity']} {a['year']}: shares with the what-if"))
        )
        view = r[[*RANK_COLUMNS, "edition"]]
        s.add(table_html(view))
        kaz = r[r["what_if"]]
        if len(kaz):
            k = kaz.iloc[0]
            res.market["what_if_rank"] = int(k["rank"])
            res.market["what_if_iso3"] = str(k["iso3"])
            res.market["assumptions"] = list(r.attrs.get("assumptions", []))
    else:
        s.add(render_value(share_chart(prod, f"{a['commodity']} {a['year']}: shares")))
    for other in m.also:
        p = critmin.production(other, a["year"] if m.year else None)
        pa = p.attrs
        c = critmin.concentration(other, pa["year"]).iloc[0]
        s.heading(f"{pa['commodity']}: {pa['measure'].replace('_', ' ')} {pa['year']}")
        s.text(
            f"HHI {c['hhi']:,.0f}; CR1 {100 * c['cr1']:.1f} % ({c['top_iso3']}); CR3 {100 * c['cr3']:.1f} %; edition {c['edition']}.",
            "note",
        )
        top = p[p["entity_type"] == "country"].head(6)
        s.add(
            table_html(
                top[["rank", "iso3", "country", "value", "unit", "share", "qualifier", "edition"]]
            )
        )
    return s


def _prices_section(spec: BriefSpec) -> Section | None:
    if not spec.prices:
        return None
    import critmin
    from critmin.report.plot import price_chart

    s = Section("prices", "Prices")
    for p in spec.prices:
        dfs = [critmin.price(x, p.start, p.end, annual=p.annual) for x in p.series]
        title = p.title or ", ".join(p.series)
        s.add(render_value(price_chart(dfs, title)))
        srcs = sorted({f"{d['source_id'].iloc[0]} ({d['edition'].iloc[0]})" for d in dfs})
        s.text("Sources: " + "; ".join(srcs), "note")
    return s


def _module_section(
    sid: str, title: str, make: Callable[[], BriefSection], res: BriefResult
) -> Section | None:
    """A section from an adapter; data or input problems omit it with the reason, never faked."""
    try:
        out = make()
    except (CritminError, OSError) as exc:
        res.omitted.append((title, f"{type(exc).__name__}: {exc}"))
        if os.environ.get("CRITMIN_DEBUG"):
            traceback.print_exc()
        return None
    s = Section(sid, title)
    s.add(render_section(out))
    return s


def brief(folder: str | Path, out: str | Path | None = None) -> BriefResult:
    """Render the briefing of a folder.

    Parameters
    ----------
    folder : str or Path
        Folder with ``brief.yaml``.
    out : str or Path, optional
        HTML path; default ``reports/<folder name>-brief.html``.

    Returns
    -------
    BriefResult
        Path, included sections, omitted sections with the reason, claims table.
    """
    spec, base = load_brief_spec(folder)
    res = BriefResult()
    sections: list[Section] = []
    for make in (
        lambda: _claims_section(spec, base, res),
        lambda: _market_section(spec, res),
        lambda: _prices_section(spec),
    ):
        s = make()
        if s is not None:
            sections.append(s)
    sections.insert(0, summary_section(res.claims, res.market))
    if spec.risk is not None:
        r = spec.risk
        s = _module_section(
            "risk",
            f"Supply risk ({r.importer} perspective)",
            lambda: sections_.risk_section(
                importer=r.importer, commodities=tuple(r.commodities), draws=r.draws, seed=r.seed
            ),
            res,
        )
        if s:
            sections.append(s)
    if spec.scenario and (base / spec.scenario).exists():
        path = base / spec.scenario
        s = _module_section(
            "scenario",
            "Scenario: export restriction",
            lambda: sections_.scenario_section(path, draws=spec.draws, seed=spec.seed),
            res,
        )
        if s:
            sections.append(s)
    elif spec.scenario:
        res.omitted.append(("Scenario", f"{spec.scenario} not found"))
    if spec.deposit and (base / spec.deposit).exists():
        path = base / spec.deposit
        s = _module_section(
            "deposit", "Deposit appraisal", lambda: sections_.deposit_section(path), res
        )
        if s:
            sections.append(s)
    elif spec.deposit:
        res.omitted.append(("Deposit", f"{spec.deposit} not found"))
    for i, proj in enumerate(spec.projects):
        path = base / proj
        if not path.exists():
            res.omitted.append((f"Project {proj}", "file not found"))
            continue
        s = _module_section(
            f"project-{i}",
            f"Project valuation: {path.stem}",
            functools.partial(sections_.valuation_section, path, draws=spec.draws, seed=spec.seed),
            res,
        )
        if s:
            sections.append(s)
    import critmin

    src = Section("sources", "Sources and attribution")
    srcs = critmin.sources()
    src.add(table_html(srcs[["source_id", "edition", "published", "licence", "citation"]]))
    if res.omitted:
        src.text("Sections omitted: " + "; ".join(f"{t} ({why})" for t, why in res.omitted), "note")
    sections.append(src)
    res.sections = [s.title for s in sections]
    from critmin.data.store import get_store

    footer = (
        f"critmin {critmin.__version__}; dataset {get_store().fingerprint}. Figures carry their source and edition; "
        "assumptions are labelled. USGS data public domain; World Bank data CC BY 4.0; CEPII BACI (Gaulier &amp; Zignago 2010)."
    )
    doc = render_document(spec.title, spec.subtitle, sections, footer)
    target = Path(out) if out is not None else Path("reports") / f"{base.resolve().name}-brief.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".brief-", suffix=".html", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(doc)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    res.path = target
    return res


def to_pdf(html_path: str | Path, pdf_path: str | Path | None = None) -> Path:
    """Print a briefing to PDF with headless Chromium (its print stylesheet applies).

    Raises
    ------
    CritminError
        When no Chromium is installed, or it fails (one line, with its exit status).
    """
    import shutil
    import subprocess

    src = Path(html_path).resolve()
    target = Path(pdf_path) if pdf_path is not None else src.with_suffix(".pdf")
    exe = next(
        (
            p
            for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
            if p
        ),
        None,
    )
    if exe is None:
        raise CritminError(
            f"{target}: no headless Chromium installed (chromium); the HTML is at {src}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    args = [
        exe,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--no-pdf-header-footer",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=10000",
        f"--print-to-pdf={target.resolve()}",
        src.as_uri(),
    ]
    try:
        proc = subprocess.run(args, capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired as exc:
        raise CritminError(f"{target}: Chromium did not finish printing in 120 s") from exc
    if proc.returncode != 0 or not target.exists():
        raise CritminError(
            f"{target}: Chromium exited with status {proc.returncode} while printing"
        )
    return target


def demo_folder() -> Path | None:
    """The Kazakhstan example folder (``make demo``), or None when not shipped."""
    folder = DEMO_DIR if DEMO_DIR.exists() else Path(__file__).resolve().parents[3] / DEMO_DIR
    return folder if (folder / "brief.yaml").exists() else None
