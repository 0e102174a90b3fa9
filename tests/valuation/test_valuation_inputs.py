"""Input validation (issue 18): refused values give one line naming file and field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from critmin.errors import SpecError
from critmin.valuation.spec import parse_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "projects"

BASE: dict[str, Any] = {
    "kind": "project",
    "name": "toy",
    "commodity": "tin",
    "base_year": 2025,
    "production": {"start_year": 2026, "life_years": 3, "capacity_tpa": 10},
    "capex": {"initial": {2025: 1000.0}},
    "discount": {"rate": 0.1},
    "price": {"deck": {"kind": "flat", "price": 100.0}},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    cur = d
    parts = path.split(".")
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "field", "match"),
    [
        ("production.capacity_tpa", -15, "production.capacity_tpa", "must be > 0, got -15"),
        ("production.capacity_tpa", 0, "production.capacity_tpa", "must be > 0"),
        ("costs.per_t_product", -1.0, "costs", "per_t_product must be >= 0"),
        ("capex.sustaining_per_year", -5.0, "capex", "sustaining_per_year must be >= 0"),
        ("capex.initial", {2025: -1000.0}, "capex", "initial must be >= 0"),
        ("discount.rate", 1.5, "discount", "rate must be in"),
        ("discount.rate", -0.05, "discount", "rate must be in"),
        ("fiscal.working_capital", 1.2, "fiscal", "working_capital must be in"),
        ("fiscal.royalty_rate", -0.1, "fiscal", "royalty_rate must be in"),
        ("price.deck", {"kind": "flat", "price": -3.0}, "price.deck.flat", "price must be > 0"),
    ],
)
def test_refused_inputs(path: str, value: Any, field: str, match: str) -> None:
    with pytest.raises(SpecError, match=match) as ei:
        parse_spec(_with(path, value), "proj.yaml")
    msg = str(ei.value)
    assert "\n" not in msg and msg.startswith("proj.yaml")
    assert ei.value.field == field


def test_negative_capacity_in_the_gallium_example_is_one_line(tmp_path: Path) -> None:
    text = (EXAMPLES / "erg-gallium-pavlodar.yaml").read_text()
    assert "capacity_tpa: {value: 15," in text
    f = tmp_path / "neg.yaml"
    f.write_text(text.replace("capacity_tpa: {value: 15,", "capacity_tpa: {value: -15,"))
    from critmin.valuation.spec import load_spec

    with pytest.raises(SpecError) as ei:
        load_spec(f)
    msg = str(ei.value)
    assert "\n" not in msg
    assert "neg.yaml" in msg and "line" in msg and "production.capacity_tpa" in msg
    assert "must be > 0, got -15" in msg


def test_history_needs_a_stated_window() -> None:
    d = _with("price.model", {"history": {"kind": "store", "series": "wb_tin"}, "level": "fitted"})
    with pytest.raises(SpecError, match="fit window is a stated input"):
        parse_spec(d)
    d["price"]["model"]["history"].update(start=2000, end=1990)
    with pytest.raises(SpecError, match="must be before end"):
        parse_spec(d)


def test_join_needs_an_overlap() -> None:
    hist = {
        "kind": "joined",
        "start": 1990,
        "end": 2025,
        "parts": [
            {"series": "a", "start": 1990, "end": 2017},
            {"series": "b", "start": 2020, "end": 2025},
        ],
    }
    with pytest.raises(SpecError, match="do not overlap"):
        parse_spec(_with("price.model", {"history": hist}))


def test_window_sensitivity_needs_room() -> None:
    m = {
        "history": {"kind": "store", "series": "wb_tin", "start": 1990, "end": 2025},
        "window_sensitivity": [2022],
    }
    with pytest.raises(SpecError, match="fewer than 5 years"):
        parse_spec(_with("price.model", m))


def test_examples_load_and_state_their_window() -> None:
    from critmin.valuation.spec import ProjectSpec, load_spec

    for name in ("erg-gallium-pavlodar.yaml", "syrymbet-tin.yaml"):
        spec = load_spec(EXAMPLES / name)
        assert isinstance(spec, ProjectSpec)
        m = spec.price.model
        assert m is not None and m.history is not None
        assert m.history.start is not None and m.history.end is not None
        assert m.start == "latest" and m.latest is not None
        assert m.window_sensitivity
        assert spec.price.deck.kind == "model"
        assert yaml.safe_load((EXAMPLES / name).read_text())["fiscal"]["template"] == "kazakhstan"
