from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "geostats"))
from geostats_fixtures import SMALL_SPEC, small_db, write

from critmin.cli.main import run

__all__ = ["small_db"]


@pytest.fixture
def spec(small_db: dict[str, Path]) -> Path:
    return write(small_db["collar"].parent / "spec.yaml", SMALL_SPEC)


def test_report_json(spec: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = run(["deposit", "report", str(spec), "--format", "json", "--plots", str(tmp_path / "p")])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["class"] for r in rows} == {
        "measured",
        "indicated",
        "inferred",
        "measured+indicated",
        "total",
    }
    assert set(rows[0]) == {
        "cutoff",
        "class",
        "tonnes",
        "grade",
        "grade_unit",
        "metal",
        "metal_unit",
    }
    assert (tmp_path / "p" / "grade_tonnage.png").stat().st_size > 1000
    html = (tmp_path / "p" / "grade_tonnage.html").read_text()
    assert "plotly" in html and len(html) > 1_000_000  # plotly.js embedded


def test_stats_composite_variogram_estimate(
    spec: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["deposit", "stats", str(spec), "-f", "json"]) == 0
    stats = {r["statistic"]: r["value"] for r in json.loads(capsys.readouterr().out)}
    assert stats["holes_assayed"] == 12
    assert run(["deposit", "stats", str(spec), "--intercepts", "-f", "csv"]) == 0
    assert capsys.readouterr().out.startswith("hole,from,to,length,grade")
    assert (
        run(["deposit", "composite", str(spec), "-f", "json", "-o", str(tmp_path / "c.csv")]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["domain"] == "all" and (tmp_path / "c.csv").exists()
    assert run(["deposit", "variogram", str(spec), "-f", "csv", "--plots", str(tmp_path)]) == 0
    assert (tmp_path / "variogram.png").exists() and (tmp_path / "variogram.html").exists()
    capsys.readouterr()
    assert (
        run(
            [
                "deposit",
                "estimate",
                str(spec),
                "-f",
                "json",
                "--cross-validate",
                "--plots",
                str(tmp_path),
            ]
        )
        == 0
    )
    figs = {r["figure"]: r["value"] for r in json.loads(capsys.readouterr().out)}
    assert figs["blocks_estimated"] > 0 and "cv_rmse" in figs
    assert (tmp_path / "swath_z.png").exists() and (tmp_path / "cross_validation.csv").exists()
    assert (tmp_path / "top_cut_logprob.png").exists() and (
        tmp_path / "cross_validation.png"
    ).exists()


def test_user_errors_are_one_line(
    spec: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = write(tmp_path / "bad.yaml", SMALL_SPEC.replace("length: 6", "length: 0"))
    assert run(["deposit", "report", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "composite.length" in err
    assert run(["deposit", "stats", str(tmp_path / "missing.yaml")]) == 1


def test_shipped_cbmina_example_prints_the_classified_resource(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # the command the issue and docs name, on the CC BY 4.0 data shipped in the repo
    spec = Path(__file__).resolve().parents[2] / "examples/deposits/cbmina/estimation.yaml"
    code = run(["deposit", "report", str(spec), "--format", "json", "--plots", str(tmp_path)])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    classes = {r["class"] for r in rows}
    assert {"measured", "indicated", "inferred", "total"} <= classes
    total = [r for r in rows if r["class"] == "total"]
    assert total and all(r["tonnes"] > 0 and r["metal_unit"] == "t" for r in total)


def test_validate_lists_every_issue_and_exits_by_severity(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from defect_db import DEFECT_SPEC, defect_db

    db = defect_db(tmp_path)
    assert run(["deposit", "validate", str(db["spec"]), "-f", "json"]) == 1  # warnings
    rows = json.loads(capsys.readouterr().out)
    assert set(rows[0]) == {"file", "line", "hole", "issue", "severity", "rule"}
    assert {"H03", "H04", "H10", "H11", "H01", "H00"} <= {r["hole"] for r in rows}
    write(tmp_path / "spec.yaml", DEFECT_SPEC.replace("  overlaps: last\n", ""))
    assert run(["deposit", "validate", str(db["spec"]), "--summary"]) == 2  # errors
    out = capsys.readouterr().out
    assert "overlaps" in out and "error" in out


def test_report_ledger_exports_cache_and_kna(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from defect_db import DEFECT_SPEC, defect_db

    defect_db(tmp_path)
    spec = write(tmp_path / "spec.yaml", DEFECT_SPEC + "output: out\n")
    args = ["deposit", "report", str(spec), "--export", "parquet,csv,omf,vtk,html"]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "Ledger" in out and "overlaps resolved by rule 'last'" in out
    assert "reused from the cache" not in out
    for f in (
        "ledger.csv",
        "blocks.parquet",
        "blocks.csv",
        "blocks.omf",
        "blocks.vtu",
        "view.html",
    ):
        assert (tmp_path / "out" / f).stat().st_size > 0, f
    assert list((tmp_path / "out" / ".cache").glob("krige-*.pkl"))
    # a new classification only: the kriged blocks come from the cache
    write(spec, DEFECT_SPEC + "output: out\nclassification: {measured: {min_slope: 0.9}}\n")
    assert run(["deposit", "report", str(spec), "-f", "table", "--no-ledger"]) == 0
    assert "reused from the cache" in capsys.readouterr().out
    assert (
        run(["deposit", "kna", str(spec), "--samples", "4,8", "--scales", "1,2", "-f", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 4 and all(0 < r["kriging_efficiency"] <= 1 for r in rows)


def test_database_commands_need_no_model_sections(
    small_db: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """validate, stats and composite run on the drillhole part alone; estimate says what
    is missing, all of it in one line."""
    head = SMALL_SPEC.split("variogram:")[0]
    minimal = write(small_db["collar"].parent / "minimal.yaml", head)
    assert run(["deposit", "validate", str(minimal), "--format", "json"]) in (0, 1)
    assert run(["deposit", "stats", str(minimal), "--format", "json"]) == 0
    assert run(["deposit", "composite", str(minimal), "--format", "json"]) == 0
    capsys.readouterr()
    assert run(["deposit", "report", str(minimal)]) != 0
    err = capsys.readouterr().err
    assert "required fields are missing: 'variogram', 'block_model', 'search', 'report'" in err
    no_comp = write(minimal.parent / "nocomp.yaml", head.replace("composite: {length: 6}\n", ""))
    assert run(["deposit", "composite", str(no_comp)]) != 0
    assert "needs a 'composite' section" in capsys.readouterr().err


def test_stats_rows_carry_units(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["deposit", "stats", str(spec), "--format", "json"]) == 0
    rows = {r["statistic"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["grade_mean"]["unit"] == "%" and rows["holes_drilled"]["unit"] == "holes"
    assert rows["hit_rate"]["unit"] == "" and rows["threshold"]["unit"] == "%"
