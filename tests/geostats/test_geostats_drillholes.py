from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from geostats_fixtures import REFERENCE, write

from critmin.errors import InputFileError
from critmin.geostats.drillholes import FEET_TO_METRES, ColumnMap, read_drillholes

COLS = ColumnMap(length="LENGTH")


def _db(tmp_path: Path, assay: str, collar: str | None = None) -> dict[str, Path]:
    c = collar or "HOLEID,X,Y,Z,LENGTH\nA,0,0,100,50\nB,10,0,100,50"
    return {
        "collar": write(tmp_path / "c.csv", c),
        "assay": write(tmp_path / "a.csv", "HOLEID,FROM,TO,CU\n" + assay),
    }


def _read(p: dict[str, Path], **kw: object):  # type: ignore[no-untyped-def]
    return read_drillholes(p["collar"], None, {"assay": p["assay"]}, columns=COLS, **kw)  # type: ignore[arg-type]


def test_reads_and_sorts(tmp_path: Path) -> None:
    dh = _read(_db(tmp_path, "B,0,2,1.0\nA,2,4,0.5\nA,0,2,0.2"))
    a = dh.table("assay")
    assert list(a["hole"]) == ["A", "A", "B"]
    assert list(a["from"]) == [0, 2, 0]
    assert list(a["line"]) == [4, 3, 2]
    assert "vertical" in dh.notes[0]


@pytest.mark.parametrize(
    ("assay", "line", "column", "what"),
    [
        ("A,0,2,1\nC,0,2,1", 3, "HOLEID", "no collar"),
        ("A,0,2,1\nA,3,2,1", 3, "TO", "reversed"),
        ("A,0,2,1\nA,1,3,1", 3, "FROM", "overlaps"),
        ("A,0,2,1\nA,40,55,1", 3, "TO", "beyond the length"),
        ("A,0,2,1\nA,2,4,0.5\nA,4,6,x", 4, "CU", "not a number"),
    ],
)
def test_interval_errors_name_file_line_column(
    tmp_path: Path, assay: str, line: int, column: str, what: str
) -> None:
    with pytest.raises(InputFileError) as e:
        _read(_db(tmp_path, assay))
    assert e.value.line == line
    assert e.value.column == column
    assert what in str(e.value)
    assert "a.csv" in str(e.value)


def test_duplicate_collar(tmp_path: Path) -> None:
    p = _db(tmp_path, "A,0,2,1", collar="HOLEID,X,Y,Z,LENGTH\nA,0,0,1,5\nB,0,0,1,5\nA,1,1,1,5")
    with pytest.raises(InputFileError, match="duplicate hole id 'A' \\(first on line 2\\)") as e:
        _read(p)
    assert e.value.line == 4


def test_missing_column(tmp_path: Path) -> None:
    p = _db(tmp_path, "A,0,2,1", collar="HOLEID,X,Y,LENGTH\nA,0,0,5")
    with pytest.raises(InputFileError, match="missing column") as e:
        _read(p)
    assert e.value.column == "Z"


def test_below_detection_rules(tmp_path: Path) -> None:
    p = _db(tmp_path, "A,0,2,-0.02\nA,2,4,1.0\nA,4,6,")
    half = _read(p)
    assert half.table("assay")["CU"].iloc[0] == pytest.approx(0.01)
    assert np.isnan(half.table("assay")["CU"].iloc[2])  # blank = not assayed
    assert any(
        "1 below-detection value(s) in 'CU' replaced by rule 'half'" in n for n in half.notes
    )
    assert _read(p, below_detection="zero").table("assay")["CU"].iloc[0] == 0.0
    assert np.isnan(_read(p, below_detection="nan").table("assay")["CU"].iloc[0])
    with pytest.raises(InputFileError, match="below-detection") as e:
        _read(p, below_detection="error")
    assert (e.value.line, e.value.column) == (2, "CU")


def test_feet_and_negative_dip(tmp_path: Path) -> None:
    c = write(tmp_path / "c.csv", "BHID,XC,YC,ZC\nA,1000,0,100")
    s = write(tmp_path / "s.csv", "BHID,AT,AZ,DIP\nA,0,90,-60")
    a = write(tmp_path / "a.csv", "BHID,FROM,TO,AU\nA,0,10,1")
    cols = ColumnMap(hole="BHID", x="XC", y="YC", z="ZC", azimuth="AZ", dip_positive_down=False)
    dh = read_drillholes(c, s, {"assay": a}, columns=cols, units="ft")
    assert dh.collar["x"].iloc[0] == pytest.approx(1000 * FEET_TO_METRES)
    assert dh.table("assay")["to"].iloc[0] == pytest.approx(10 * FEET_TO_METRES)
    assert dh.survey["dip"].iloc[0] == 60


@pytest.mark.reference
def test_synthetic_au_demo_validation() -> None:
    d = REFERENCE / "drillholes" / "synthetic-au-demo"
    cols = ColumnMap(
        hole="BHID", x="XCOLLAR", y="YCOLLAR", z="ZCOLLAR", length="LENGTH", azimuth="AZ"
    )
    args = (d / "collar.csv", d / "survey.csv", {"assay": d / "assay.csv"})
    # some final intervals pass the collar length by < 0.45 m: strict reading says where
    with pytest.raises(InputFileError, match="beyond the length") as e:
        read_drillholes(*args, columns=cols)
    assert e.value.column == "TO" and e.value.line is not None
    dh = read_drillholes(*args, columns=cols, length_tolerance=0.5)
    assert len(dh.collar) == 29
    assert len(dh.table("assay")) == 1882


def test_text_codes_of_assays_are_read_and_counted(tmp_path: Path) -> None:
    """'<0.02' follows the below-detection rule, '>10' is taken at the limit, 'NS' is not
    assayed; each kind is counted in the notes, and any other text is still an error."""
    p = _db(tmp_path, "A,0,2,<0.02\nA,2,4,< 0.1\nA,4,6,>10\nA,6,8,NS\nA,8,10,n/a\nA,10,12,0.5")
    dh = _read(p)
    cu = dh.table("assay")["CU"].to_numpy()
    assert cu[:3].tolist() == [0.01, 0.05, 10.0]
    assert np.isnan(cu[3]) and np.isnan(cu[4]) and cu[5] == 0.5
    notes = " | ".join(dh.notes)
    assert "2 '<limit' value(s) read as below detection in 'CU'" in notes
    assert "1 '>limit' value(s) taken at the limit (lower bounds)" in notes
    assert "2 not-assayed code(s)" in notes
    assert "2 below-detection value(s) in 'CU' replaced by rule 'half'" in notes
    with pytest.raises(InputFileError, match="not a number") as e:
        _read(_db(tmp_path, "A,0,2,<0.02\nA,2,4,0.5\nA,4,6,0.3\nA,6,8,bdl?"))
    assert e.value.line == 5 and e.value.column == "CU"
