"""Table-level semantics reach the answers: non-additive tables, edition changes, provenance, QA."""

from __future__ import annotations

import json

import pytest

import critmin
from critmin.cli.main import run
from critmin.errors import ValidationError


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_not_additive_table_has_no_shares_hhi_or_ranks() -> None:
    # boron's world total is 'XX' in MCS 2025: country rows are ore, B2O3, refined borates
    p = critmin.production("boron")
    assert p.attrs.get("not_additive") and p["share"].isna().all() and p["rank"].isna().all()
    c = critmin.concentration("kyanite").iloc[0]
    assert c["hhi"] != c["hhi"] and str(c["reason"]).startswith("not additive")
    with pytest.raises(ValidationError, match="cannot be ranked"):
        critmin.rank("boron")


def test_revisions_list_a_country_that_disappears(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "revisions", "gallium")
    kor = [r for r in rows if r["iso3"] == "KOR" and r["measure"] == "primary_production"]
    assert kor and kor[0]["status"] == "disappeared" and kor[0]["value_new"] is None


def test_provenance_columns_to_the_line(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "production", "gallium", "--provenance")
    chn = next(r for r in rows if r["iso3"] == "CHN")
    assert chn["file"] and chn["source_row"] and chn["url"].startswith("https://")
    plain = _json(capsys, "production", "gallium")
    assert "url" not in plain[0]


def test_qa_finding_is_named_under_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["production", "antimony", "--year", "2024", "--edition", "MCS2026"]) == 0
    out = capsys.readouterr().out
    assert "QA:" in out and "edition_jump" in out


def test_reserves_and_capacity_say_what_they_measure() -> None:
    # the MCS row TYPE describes production; the reserves column of that row is not production
    r = critmin.production("tin", measure="reserves")
    assert set(r.loc[r["entity_type"] == "country", "basis"]) == {"Reserves, tin content"}
    c = critmin.production("gallium", measure="capacity")
    assert c["basis"].str.startswith("Capacity").all()


def test_csv_and_json_send_the_table_notes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["production", "cobalt", "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("rank,") and "used mine_production" in out.err
    assert run(["rank", "gallium", "--add", "KAZ=15t", "--format", "json"]) == 0
    out = capsys.readouterr()
    json.loads(out.out)  # stdout stays pure JSON
    assert "ASSUMPTION (what-if): add 15 t to KAZ" in out.err
