"""Scenario files: validation errors name the file and the field; sources are checked."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from critmin.errors import SpecError
from critmin.scenarios.spec import (
    Param,
    bundled_facts,
    load_scenario,
    month_index,
    month_label,
    parse_scenario,
)

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "scenarios"
    / "gallium-export-restriction.yaml"
)


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    return data


def test_example_loads() -> None:
    s = load_scenario(EXAMPLE)
    assert s.commodity == "gallium" and s.exporter == "CHN"
    assert s.period == "monthly" and s.horizon == 36
    assert s.period_labels()[0] == "2026-01" and s.period_labels()[-1] == "2028-12"
    assert s.shocks[0].destination_codes() is not None  # OECD members
    assert "USA" in (s.shocks[0].destination_codes() or [])


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (lambda d: d["shocks"][0].update(share_allowed=1.5), "shocks.0.share_allowed", "[0, 1]"),
        (lambda d: d["shocks"][0].update(quota_t=5), "shocks.0", "exactly one"),
        (
            lambda d: d["shocks"][0].update(destinations="MARS"),
            "shocks.0.destinations",
            "unknown destination",
        ),
        (
            lambda d: d["shocks"][1].update(country="Atlantis"),
            "shocks.1.country",
            "unknown country",
        ),
        (
            lambda d: d["shocks"][1].update(tonnes_per_year={"dist": "uniform", "low": 1}),
            "shocks.1.tonnes_per_year",
            "uniform",
        ),
        (lambda d: d.update(start="2026-13"), "start", "month"),
        (
            lambda d: d["parameters"]["demand_elasticity"]["row"].update(high=0.2, mode=0.1),
            "parameters",
            "<= 0",
        ),
        (lambda d: d["baseline"].pop("exports"), "baseline.exports", "required"),
        (
            lambda d: d["shocks"].append({"type": "outage", "country": "CHN", "start": "2026-05"}),
            "shocks.3.share",
            "required",
        ),
        (lambda d: d["shocks"].append({"type": "boom"}), "shocks.3", "type"),
        (lambda d: d.update(extra_key=1), "extra_key", "not allowed here"),
    ],
)
def test_errors_name_file_and_field(mutate: Any, field: str, words: str, tmp_path: Path) -> None:
    d = copy.deepcopy(_base())
    mutate(d)
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d), "utf-8")
    with pytest.raises(SpecError) as ei:
        load_scenario(p)
    msg = str(ei.value)
    assert str(p) in msg
    assert ei.value.field is not None and ei.value.field.startswith(field), msg
    assert words.lower() in msg.lower()


def test_unknown_source_and_fact_line_rejected() -> None:
    d = _base()
    d["baseline"]["exports"]["source"] = "facts:99999"
    with pytest.raises(SpecError, match=r"baseline\.exports\.source.*line 99999"):
        parse_scenario(d, "x.yaml")
    d["baseline"]["exports"]["source"] = "my_blog"
    with pytest.raises(SpecError, match="unknown source 'my_blog'"):
        parse_scenario(d, "x.yaml")
    d["sources"] = {"my_blog": {"title": "A blog"}}
    assert parse_scenario(d, "x.yaml").baseline.exports.source == "my_blog"


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")
    p = tmp_path / "b.yaml"
    p.write_text("a: [1,\n", "utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_scenario(p)
    p.write_text("- 1\n", "utf-8")
    with pytest.raises(SpecError, match="mapping"):
        load_scenario(p)


def test_param_forms_and_sampling() -> None:
    import numpy as np

    p = Param.model_validate(3)
    assert p.is_assumption and p.central() == 3.0 and p.describe() == "3"
    t = Param(dist="triangular", low=0, mode=1, high=4)
    assert t.central() == 1.0
    u = Param(dist="uniform", low=2, high=4)
    assert u.central() == 3.0
    n = Param(dist="normal", value=0.0, sd=1.0, low=-0.5, high=0.5)
    rng = np.random.default_rng(0)
    x = n.sample(rng, 1000)
    assert x.min() >= -0.5 and x.max() <= 0.5
    assert Param(series="usgs_gallium_low_purity").source == "store:usgs_gallium_low_purity"
    with pytest.raises(ValueError):
        Param(dist="triangular", low=0, mode=5, high=4)


def test_months() -> None:
    assert month_index("2026-03") == 2026 * 12 + 2
    assert month_index(2026) == 2026 * 12
    assert month_label(month_index("2026-12")) == "2026-12"
    facts = bundled_facts()
    assert facts[167]["value"] == "15" and facts[167]["unit"] == "t/yr"


@pytest.mark.reference
def test_baseline_rows_say_how_they_were_changed() -> None:
    """A producer's baseline that is not the store's figure says why: a missing figure
    counted as 0, an output reduced by the concentrate shipped to the exporter."""
    from critmin.scenarios.calibration import prepare

    prep = prepare(EXAMPLE.parent / "antimony-2024-controls.yaml")
    src = prep.producers.set_index("iso3")["source"]
    assert "counted as 0 t" in src["CAN"]
    assert "shipped to CHN as concentrate" in src["AUS"]
    assert "concentrate" not in src["CHN"]
