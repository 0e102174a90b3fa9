"""The bundled facts rows equal the reference facts.csv (when the reference is present)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from critmin.scenarios.spec import bundled_facts


@pytest.mark.reference
def test_bundled_facts_match_reference(reference: Path) -> None:
    path = reference / "gallium-germanium-market" / "facts.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for line, fact in bundled_facts().items():
        ref = dict(zip(header, rows[line - 1], strict=True))
        for key in ("topic", "item", "date", "value", "unit", "note"):
            assert str(fact[key]) == ref[key], (line, key)
        assert fact["source"] == ref["source_title"]
        assert fact["url"] == ref["source_url"]
