"""Spec validation: errors name the file and field; provenance of every input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from critmin.errors import SpecError
from critmin.valuation.spec import Input, ProjectSpec, iter_inputs, load_spec, parse_spec

BASE: dict[str, Any] = {
    "kind": "project",
    "name": "toy",
    "commodity": "tin",
    "base_year": 2025,
    "sources": {"doc": {"title": "A report"}},
    "production": {
        "start_year": 2026,
        "life_years": 3,
        "capacity_tpa": {"value": 10, "source": "doc"},
    },
    "capex": {"initial": {2025: 1000.0}},
    "discount": {"rate": 0.1},
    "price": {"deck": {"kind": "flat", "price": 100.0}},
}


def _spec(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    for dotted, v in changes.items():
        cur = d
        parts = dotted.split("__")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = v
    return d


def test_plain_values_are_assumptions() -> None:
    spec = parse_spec(_spec())
    assert isinstance(spec, ProjectSpec)
    assert spec.production.life_years.is_assumption
    assert spec.production.life_years.note.startswith("plain value")
    assert not spec.production.capacity_tpa.is_assumption  # type: ignore[union-attr]
    paths = [p for p, _ in iter_inputs(spec, explicit_only=True)]
    assert "production.capacity_tpa" in paths and "costs.per_t_ore" not in paths


def test_input_wraps_plain_values() -> None:
    assert Input[float].model_validate(3.0).source == "assumption"
    assert Input[dict[int, float]].model_validate({2025: 1.0}).value == {2025: 1.0}


@pytest.mark.parametrize(
    ("changes", "field", "match"),
    [
        ({"costs__per_t_product": "cheap"}, "costs.per_t_product", "number"),
        ({"production__capacity_tpa": {"value": 10, "source": "nowhere"}}, None, "nowhere"),
        ({"production__recovery": 1.5}, "production", "fraction"),
        ({"fiscal__income_tax_rate": 1.2}, "fiscal", "income_tax_rate"),
        ({"capex": {"total": 100.0, "phasing": {2025: 0.5}}}, "capex", "sum to 1"),
        ({"capex": {"initial": {2020: 1.0}}}, None, "before valuation_year"),
        ({"price__deck": {"kind": "spot"}}, "price.deck", "tag"),
        ({"price__deck": {"kind": "model"}}, None, "needs price.model"),
        ({"discount": {}}, "discount.rate", "required"),
        ({"kind": "mine"}, "kind", "project"),
        ({"production__bogus": 1}, "production.bogus", "not allowed here"),
    ],
)
def test_errors_name_the_field(changes: dict[str, Any], field: str | None, match: str) -> None:
    with pytest.raises(SpecError, match=match) as ei:
        parse_spec(_spec(**changes), "proj.yaml")
    assert str(ei.value).startswith("proj.yaml")
    if field is not None:
        assert ei.value.field == field


def test_load_spec_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: project\n  name: [unclosed\n")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(bad)
    ok = tmp_path / "ok.yaml"
    ok.write_text(yaml.safe_dump(_spec()))
    spec = load_spec(ok)
    assert spec.path == ok.resolve() and spec.base_dir == tmp_path.resolve()


def test_capex_total_with_phasing() -> None:
    spec = parse_spec(
        _spec(
            capex={"total": {"value": 200.0, "source": "doc"}, "phasing": {2025: 0.25, 2026: 0.75}}
        )
    )
    assert isinstance(spec, ProjectSpec)
    assert spec.capex.schedule() == {2025: 50.0, 2026: 150.0}
    assert not spec.capex.total.is_assumption  # type: ignore[union-attr]
    assert spec.capex.phasing.is_assumption  # type: ignore[union-attr]


def test_model_without_history_needs_params() -> None:
    with pytest.raises(SpecError, match="kappa"):
        parse_spec(_spec(price__model={"start": "deck", "level": "deck"}))
    spec = parse_spec(
        _spec(
            price__model={"start": "deck", "level": "deck", "params": {"kappa": 0.5, "sigma": 0.2}}
        )
    )
    assert isinstance(spec, ProjectSpec)
