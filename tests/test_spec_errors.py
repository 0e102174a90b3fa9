"""Every spec type reports a malformed file in one line naming the file and the field.

The fixtures in ``tests/fixtures/specs`` are three malformed files per spec type
(scenario, project, estimation, claims, brief): a YAML syntax error, an unknown key
(a typo) and a value that fails validation.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from critmin.claims.spec import load_claims
from critmin.errors import SpecError
from critmin.geostats.spec import load_spec as load_estimation
from critmin.report.brief import load_brief_spec
from critmin.scenarios.spec import load_scenario
from critmin.valuation.spec import load_spec as load_project

SPECS = Path(__file__).resolve().parent / "fixtures" / "specs"


def _brief(path: Path) -> Any:
    d = path.parent / f"brief-{path.stem}"
    d.mkdir()
    shutil.copy(path, d / "brief.yaml")
    return load_brief_spec(d)


LOADERS: dict[str, Callable[[Path], Any]] = {
    "scenario": load_scenario,
    "project": load_project,
    "estimation": load_estimation,
    "claims": load_claims,
    "brief": _brief,
}

# (fixture, expected line, expected field, words in the message)
CASES = [
    ("scenario-syntax", 4, None, "not valid YAML"),
    ("scenario-unknown-key", 15, "shocks.0.share_alowed", "did you mean 'share_allowed'"),
    ("scenario-bad-value", 6, "horizon", "greater than or equal to 1"),
    ("project-syntax", 3, None, "not valid YAML"),
    ("project-unknown-key", 17, "costs.per_t_prodct", "did you mean 'per_t_product'"),
    ("project-bad-value", 7, "production.life_years", "valid integer"),
    ("estimation-syntax", 3, None, "not valid YAML"),
    ("estimation-unknown-key", 6, "compsite", "did you mean 'composite'"),
    ("estimation-bad-value", 5, "drillholes.units", "'m' or 'ft'"),
    ("claims-syntax", 2, None, "not valid YAML"),
    ("claims-unknown-key", 9, "claims.0[ga-rank].claimd", "did you mean 'claimed'"),
    ("claims-bad-value", 2, "claims", "at least 1 item"),
    ("brief-syntax", 2, None, "not valid YAML"),
    ("brief-unknown-key", 2, "claim", "did you mean 'claims'"),
    ("brief-bad-value", 2, "draws", "greater than or equal to 1"),
]


@pytest.mark.parametrize(("name", "line", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_malformed_spec_is_one_line(
    tmp_path: Path, name: str, line: int, field: str | None, words: str
) -> None:
    src = SPECS / f"{name}.yaml"
    path = tmp_path / src.name
    shutil.copy(src, path)
    kind = name.split("-")[0]
    with pytest.raises(SpecError) as ei:
        LOADERS[kind](path)
    msg = str(ei.value)
    assert "\n" not in msg, msg
    assert f"{path.stem}.yaml" in msg or "brief.yaml" in msg, msg
    assert f"line {line}" in msg, msg
    assert words in msg, msg
    if field is not None:
        assert ei.value.field == field, msg
        assert f"field {field!r}" in msg, msg


def test_every_spec_type_has_three_fixtures() -> None:
    kinds = [p.stem.split("-")[0] for p in SPECS.glob("*.yaml")]
    assert {k: kinds.count(k) for k in LOADERS} == dict.fromkeys(LOADERS, 3)


def test_more_errors_are_counted(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("name: x\nshocks: [{kind: nope}]\n", "utf-8")
    with pytest.raises(SpecError, match=r"and \d+ more error"):
        load_scenario(p)


def test_missing_siblings_are_all_named(tmp_path: Path) -> None:
    """Several missing fields of one mapping are listed in the one line, not counted."""
    p = tmp_path / "s.yaml"
    p.write_text("name: x\n", "utf-8")
    with pytest.raises(SpecError, match=r"required fields are missing: '\w+', '\w+'") as e:
        load_scenario(p)
    assert "more error" not in str(e.value)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 600 + "]" * 600 + "\n", "utf-8")
    with pytest.raises(SpecError, match="nested deeper than"):
        load_claims(p)


def test_not_utf8_is_one_line(tmp_path: Path) -> None:
    p = tmp_path / "latin1.yaml"
    p.write_bytes("title: Société\n".encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8"):
        load_claims(p)
