"""`validate_spec`: every planted defect of a database found in one run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from defect_db import DEFECT_SPEC, defect_db
from geostats_fixtures import REFERENCE, REPO, write

from critmin.errors import InputFileError
from critmin.geostats.intervals import resolve_overlaps
from critmin.geostats.spec import load_spec
from critmin.geostats.validate import exit_status, validate_spec
from critmin.geostats.workflow import load_drillholes


def _has(iss: pd.DataFrame, hole: str | None, text: str, severity: str) -> bool:
    sel = iss["issue"].str.contains(text, regex=False) & (iss["severity"] == severity)
    if hole is not None:
        sel &= iss["hole"] == hole
    return bool(sel.any())


def test_every_planted_defect_in_one_run(tmp_path: Path) -> None:
    db = defect_db(tmp_path)
    iss = validate_spec(load_spec(db["spec"]))  # type: ignore[arg-type]
    assert _has(iss, "H03", "overlaps line", "warning")
    # 2 re-assays + a straddling one that overlaps 3 originals
    assert (iss["issue"].str.contains("overlaps line")).sum() == 5
    assert set(iss.loc[iss["issue"].str.contains("overlaps"), "rule"]) == {
        "overlaps: the interval listed last (re-assay) wins"
    }
    assert _has(iss, "H11", "hole without survey", "warning")
    assert iss.loc[iss["hole"] == "H11", "rule"].str.contains("vertical").all()
    assert _has(iss, "H10", "no station at 0 m", "warning")
    assert _has(iss, "H01", "gap 20-22 m", "info")
    assert (iss["issue"].str.contains("no domain interval")).sum() == 5  # H00 50-60 m
    assert exit_status(iss) == 1
    # the re-assay rows point at their lines in the file
    lines = iss.loc[iss["hole"] == "H03", "line"].dropna().astype(int).tolist()
    assert {361, 362} <= set(lines)


def test_overlaps_without_rule_and_reversed_dips_are_errors(tmp_path: Path) -> None:
    defect_db(tmp_path)
    spec = DEFECT_SPEC.replace("  overlaps: last\n", "  dip_positive_down: false\n")
    write(tmp_path / "spec.yaml", spec)
    iss = validate_spec(load_spec(tmp_path / "spec.yaml"))
    assert _has(iss, "H03", "overlaps line", "error")
    # every surveyed hole points up with the reversed convention (H11 has no survey)
    up = iss[iss["issue"].str.startswith("hole points upward")]
    assert len(up) == 11 and (up["severity"] == "error").all()
    assert _has(iss, None, "dip convention looks reversed", "error")
    assert exit_status(iss) == 2
    # and the run itself stops on the overlap, naming the file, line and the way out
    with pytest.raises(InputFileError, match=r"assay.csv.*line 36\d.*drillholes.overlaps"):
        load_drillholes(load_spec(tmp_path / "spec.yaml"))


def test_clean_database_and_bad_values(tmp_path: Path) -> None:
    db = defect_db(tmp_path, clean=True)
    iss = validate_spec(load_spec(db["spec"]))  # type: ignore[arg-type]
    assert iss.empty and exit_status(iss) == 0
    text = (
        Path(db["assay"])
        .read_text()
        .replace("H05,4,6,", "H05,6,4,")
        .replace("H06,8,10,", "H06,8,10,abc#")
    )
    Path(db["assay"]).write_text(text + "HX,0,2,1.0\n")
    Path(db["collar"]).write_text(Path(db["collar"]).read_text() + "H02,1,1,1,60\n")
    iss = validate_spec(load_spec(db["spec"]))  # type: ignore[arg-type]
    assert _has(iss, "H05", "reversed", "error")
    assert _has(iss, "H06", "not a number in CU", "error")
    assert _has(iss, "HX", "no collar", "error")
    assert _has(iss, "H02", "duplicate hole id", "error")


def test_per_table_column_maps_are_checked(tmp_path: Path) -> None:
    db = defect_db(tmp_path, clean=True)
    write(tmp_path / "spec.yaml", DEFECT_SPEC.replace("DEPTH_TO}", "DEPTH_TOO}"))
    iss = validate_spec(load_spec(db["spec"]))  # type: ignore[arg-type]
    assert _has(iss, None, "missing column(s) DEPTH_TOO", "error")
    assert set(iss["file"]) == {"litho.csv", "collar.csv"}  # and the domain table is missing
    assert _has(iss, None, "no domain table 'litho'", "error")


@pytest.mark.parametrize(
    ("rule", "values"),
    [("first", [1.0]), ("last", [1.0, 9.0, 1.0]), ("longest", [1.0]), ("average", [1.0, 5.0, 1.0])],
)
def test_overlap_rules(rule: str, values: list[float]) -> None:
    df = pd.DataFrame(
        {"hole": ["A", "A"], "from": [0.0, 3.0], "to": [6.0, 4.0], "CU": [1.0, 9.0], "line": [2, 3]}
    )
    out, ov = resolve_overlaps(df, rule, ["CU"])  # type: ignore[arg-type]
    assert len(ov) == 1
    assert out["CU"].tolist() == values
    assert out["to"].iloc[-1] == 6.0 and out["from"].iloc[0] == 0.0
    assert (out["to"] - out["from"]).sum() == 6.0  # metres counted once


@pytest.mark.reference
def test_babbitt_validates(tmp_path: Path) -> None:
    if not (REFERENCE / "drillholes" / "babbitt").exists():
        pytest.skip("no Babbitt database")
    iss = validate_spec(load_spec(REPO / "examples" / "deposits" / "babbitt.yaml"))
    assert exit_status(iss) < 2, iss.head()


def test_below_detection_rule_per_column(tmp_path: Path) -> None:
    from critmin.geostats.drillholes import read_drillholes

    c = write(tmp_path / "c.csv", "HOLEID,X,Y,Z\nA,0,0,0")
    a = write(tmp_path / "a.csv", "HOLEID,FROM,TO,CU,AU\nA,0,1,-0.01,-0.02\nA,1,2,0.5,0.3")
    dh = read_drillholes(c, None, {"assay": a}, below_detection="half", column_rules={"AU": "nan"})
    t = dh.tables["assay"]
    assert t["CU"].tolist() == [0.005, 0.5]
    assert np.isnan(t["AU"].iloc[0]) and t["AU"].iloc[1] == 0.3
    assert any("'AU' replaced by rule 'nan'" in n for n in dh.notes)
