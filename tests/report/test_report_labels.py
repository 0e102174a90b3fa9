"""Label registry and cell wording of the briefing: no raw identifiers, no float noise."""

from __future__ import annotations

from critmin.report.html import _cell, _present
from critmin.report.labels import label, metric, value_label


def test_identifier_cells_are_worded() -> None:
    assert value_label("primary_production") == "Primary production"
    assert value_label("not_available") == "not available"
    assert _cell("refinery_production", "measure")[0] == "Refinery production"
    txt = _cell(["eol_rir", "si_sr"], "defaults_used")[0]
    assert "recycling input rate" in txt and "substitution index" in txt and "eol_rir" not in txt
    # other text columns are left as written (source ids stay citable)
    assert _cell("usgs_mcs2025_world", "source_id")[0] == "usgs_mcs2025_world"


def test_plain_columns_do_not_print_float_noise() -> None:
    assert _cell(24.049999999999955, "rank_p95")[0] == "24.05"
    assert _cell(2024.0, "year")[0] == "2024"


def test_valuation_explanation_rows_get_labels() -> None:
    row = _present({"item": "gap_from_price_level", "value": -1.5e6, "unit": "USD"})
    assert row["item"] == "Part of the gap from the price level" and row["unit"] == "USD"
    assert metric("npv_deterministic", 1.0, "USD")[0].startswith("NPV on the price deck")
    assert label("share_before") == "Share before the what-if [%]"
