"""The label registry: human labels and units for column and metric names.

One place that turns ``share_before`` into "Share before the what-if [%]" and the metric
``p_npv_negative`` into "Probability that NPV < 0", shared by the briefing and the
dashboard. Names not listed get a rule-based label (underscores to spaces, a unit suffix
such as ``_t``, ``_usd``, ``_pct`` or ``_g_t`` read as the unit).

Identifiers and years (``year``, ``source_row``, ``fact_id``, ``hole``...) are printed
without thousands separators: :func:`is_plain` says which columns those are.
"""

from __future__ import annotations

import re

__all__ = [
    "LABELS",
    "METRICS",
    "WORDED",
    "is_plain",
    "label",
    "metric",
    "unit_of",
    "value_label",
]

#: Column name -> (label, unit). Unit "" for text and counts; "%" for fractions shown as percent.
LABELS: dict[str, tuple[str, str]] = {
    "iso3": ("Country code", ""),
    "country": ("Country", ""),
    "commodity": ("Commodity", ""),
    "measure": ("Measure", ""),
    "year": ("Year", ""),
    "value": ("Value", ""),
    "unit": ("Unit", ""),
    "qualifier": ("Data status", ""),
    "edition": ("Edition", ""),
    "source_id": ("Source", ""),
    "source_row": ("Source row", ""),
    "source_title": ("Source title", ""),
    "source_url": ("Source address", ""),
    "fact_id": ("Fact", ""),
    "item": ("Item", ""),
    "rank": ("Rank", ""),
    "share": ("Share", "%"),
    "share_before": ("Share before the what-if", "%"),
    "what_if": ("What-if row", ""),
    "basis": ("Basis", ""),
    "note": ("Note", ""),
    "id": ("Claim", ""),
    "verdict": ("Verdict", ""),
    "claimed": ("Claimed", ""),
    "computed": ("Computed", ""),
    "explanation": ("Explanation", ""),
    "revision": ("Editions", ""),
    "claim_text": ("Quoted sentence", ""),
    "claim_type": ("Claim type", ""),
    "op": ("Comparison", ""),
    "tolerance": ("Tolerance", "fraction"),
    "hedge": ("Hedge word", ""),
    "reason": ("Why not checkable", ""),
    "n_periods": ("Periods averaged", ""),
    "series": ("Price series", ""),
    "period": ("Period", ""),
    "method": ("Method", ""),
    "p5": ("P5", ""),
    "p50": ("Median (P50)", ""),
    "p95": ("P95", ""),
    "rank_p5": ("Rank, P5", ""),
    "rank_p95": ("Rank, P95", ""),
    "p_top": ("Probability of a top-10 rank", "%"),
    "stage": ("Supply-chain stage", ""),
    "defaults_used": ("Defaults used", ""),
    "importer": ("Importer", ""),
    "import_share": ("Import share", "%"),
    "shortfall_t": ("Shortfall, mean", "t"),
    "shortfall_p50_t": ("Shortfall, median", "t"),
    "shortfall_p95_t": ("Shortfall, P95", "t"),
    "ratio": ("Price ratio", "x"),
    "ratio_p5": ("Price ratio, P5", "x"),
    "ratio_p50": ("Price ratio, median", "x"),
    "ratio_p95": ("Price ratio, P95", "x"),
    "price_domestic": ("Exporter price", ""),
    "probability": ("Probability", "%"),
    "change_pct": ("Change", "%"),
    "implied_grade_pct": ("Implied grade", "%"),
    "max_metal_t": ("Most metal the ore could hold", "t"),
    "name": ("Input", ""),
    "source": ("Source", ""),
    "assumption": ("Assumption?", ""),
    "metric": ("Result", ""),
    "published": ("Published", ""),
    "licence": ("Licence", ""),
    "citation": ("Citation", ""),
    "hole": ("Drillhole", ""),
    "cutoff": ("Cut-off grade", ""),
    "tonnes": ("Tonnage", "t"),
    "grade": ("Mean grade", ""),
    "metal": ("Contained metal", ""),
    "intensity_g_t": ("Gallium per tonne of host", "g/t"),
    "plan_intensity_g_t": ("Planned gallium per tonne of host", "g/t"),
}

#: Metric name (valuation, scenario results) -> (label, unit shown). Fractions in
#: ``1/yr``, ``probability`` or ``fraction`` are shown as percent.
METRICS: dict[str, tuple[str, str]] = {
    "npv_usd": ("Net present value", "USD"),
    "irr": ("Internal rate of return", "%/yr"),
    "irr_status": ("IRR status", ""),
    "payback_years": ("Payback", "years from the valuation year"),
    "discounted_payback_years": ("Discounted payback", "years from the valuation year"),
    "peak_funding_usd": ("Peak funding need", "USD"),
    "undiscounted_cash_flow_usd": ("Undiscounted cash flow", "USD"),
    "breakeven_price": ("Break-even price", ""),
    "breakeven_price_factor": ("Break-even price / price deck", "x"),
    "discount_rate": ("Discount rate", "%/yr"),
    "mc_draws": ("Monte Carlo price paths", ""),
    "mc_npv_mean_usd": ("NPV, Monte Carlo mean", "USD"),
    "mc_npv_p5_usd": ("NPV, P5", "USD"),
    "mc_npv_p50_usd": ("NPV, median", "USD"),
    "mc_npv_p95_usd": ("NPV, P95", "USD"),
    "p_npv_negative": ("Probability that NPV < 0", "%"),
    "in_situ_value_usd": ("In-situ value (not a valuation)", "USD"),
    "recoverable_value_usd": ("Recoverable value", "USD"),
}

#: Explanation rows of a valuation (deterministic vs Monte Carlo NPV).
METRICS.update(
    {
        "npv_deterministic": ("NPV on the price deck (deterministic)", "USD"),
        "mc_npv_median": ("NPV, Monte Carlo median", "USD"),
        "gap": ("Gap: Monte Carlo median - deterministic", "USD"),
        "deck_mean_price": ("Price deck, mean over the life", ""),
        "mc_median_price_mean": ("Median simulated price, mean over the life", ""),
        "npv_at_mc_median_price_path": ("NPV on the median simulated price path", "USD"),
        "gap_from_price_level": ("Part of the gap from the price level", "USD"),
        "gap_from_dispersion_and_nonlinearity": (
            "Part of the gap from price dispersion and non-linearity",
            "USD",
        ),
        "long_run_price": ("Long-run price of the model", ""),
        "half_life": ("Half-life of price shocks", ""),
    }
)

#: Columns whose cells are identifiers with a reading: printed through :func:`value_label`.
WORDED = frozenset({"measure", "qualifier", "stage", "defaults_used", "irr_status", "status"})

#: Cell values -> human wording (others: underscores to spaces).
VALUES: dict[str, str] = {
    "mine_production": "Mine production",
    "primary_production": "Primary production",
    "refinery_production": "Refinery production",
    "secondary_production": "Secondary production",
    "reserves": "Reserves",
    "capacity": "Capacity",
    "not_available": "not available",
    "lower_bound": "lower bound",
    "upper_bound": "upper bound",
    "si_sr": "substitution index (SI_SR)",
    "eol_rir": "end-of-life recycling input rate (EoL-RIR)",
    "import_reliance": "import reliance",
    "economic_vulnerability": "economic vulnerability",
}


def value_label(value: str) -> str:
    """Human wording of an identifier cell (``primary_production`` -> "Primary production");
    a comma-separated list is worded item by item."""
    parts = [p.strip() for p in str(value).split(",")]
    return ", ".join(VALUES.get(p, p.replace("_", " ")) for p in parts)


_SUFFIX_UNITS: list[tuple[str, str]] = [
    ("_g_t", "g/t"),
    ("_usd", "USD"),
    ("_pct", "%"),
    ("_share", "%"),
    ("_years", "years"),
    ("_t", "t"),
]
_PLAIN = re.compile(
    r"^(?:year|.*_year|start|end|period|id|.*_id|source_row|price_row|fact_id|hole|iso3|iso2|"
    r"edition|rank|rank_p\d+|n_periods|draws|seed|.*_line)$"
)


def label(col: str, with_unit: bool = True) -> str:
    """Human label of a column, with its unit in brackets (``Share [%]``)."""
    name = str(col)
    if name in LABELS:
        text, unit = LABELS[name]
    else:
        text, unit = name, ""
        for suf, u in _SUFFIX_UNITS:
            if name.endswith(suf) and len(name) > len(suf):
                text, unit = name[: -len(suf)], u
                break
        text = text.replace("_", " ").strip()
        text = text[:1].upper() + text[1:]
    return f"{text} [{unit}]" if with_unit and unit else text


def unit_of(col: str) -> str:
    """The unit the label registry gives a column ("" if none)."""
    return LABELS.get(str(col), ("", ""))[1]


def metric(name: str, value: object, unit: str | None) -> tuple[str, object, str]:
    """Label, value and unit of a metric row, fractions turned into percent.

    ``("irr", 0.0872, "1/yr")`` -> ``("Internal rate of return", 8.72, "%/yr")``.
    """
    text, shown = METRICS.get(name, (label(name, with_unit=False), unit or ""))
    u = (unit or "").strip()
    frac = u in ("1/yr", "probability", "fraction") or (shown in ("%", "%/yr") and "%" not in u)
    if isinstance(value, int | float) and not isinstance(value, bool) and frac:
        return text, round(100 * float(value), 2), shown if shown in ("%", "%/yr") else "%"
    if shown in ("", "USD") and u:
        shown = u
    return text, value, shown


def is_plain(col: str) -> bool:
    """Whether a column holds years or identifiers (printed without thousands separators)."""
    return bool(_PLAIN.match(str(col)))
