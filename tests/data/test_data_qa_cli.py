"""``critmin data qa`` and ``critmin data dropped``."""

import json

import pytest

from critmin.cli.main import run


def test_data_qa_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["data", "qa", "boron", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["check"] for r in rows} == {"not_additive"}
    assert {"status", "reason", "source_id", "source_row"} <= set(rows[0])


def test_data_qa_all_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["data", "qa", "--status", "unexplained", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_data_dropped_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["data", "dropped", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "file,row,column,reason"
    assert "RESERVES_2024" in out


def test_data_files_lists_every_file_with_licence(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["data", "files", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    files = {r["file"]: r for r in rows}
    assert all(r["licence"] for r in rows)
    sb = [r for r in rows if r["source_id"] == "usgs_mcs2026_extract"]
    assert {r["url"] for r in sb} >= {
        "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-antimony.pdf",
        "https://pubs.usgs.gov/periodicals/mcs2026/mcs2026-gallium.pdf",
    }
    assert "usgs-mcs2025/world_data/MCS2025_World_Data.csv" in files
