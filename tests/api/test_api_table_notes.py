"""Table notes in HTTP responses: what the CLI says about a table, the API says too.

The CLI prints a table's notes (the measure used when the default falls back from the
primary one, no shares or ranks for a non-additive table, open QA findings, the what-if
ASSUMPTION line) in its caption, and on stderr for CSV and JSON. The API sends the same
strings in the ``X-Critmin-Notes`` header, after the name notes. The reference for each
header is the CLI's stderr for the same table: ``"note: "`` and the notes, each followed
by ``". "``. Both are worded once, by :mod:`critmin.markets.notes`; its wording is
checked here against the literal strings the CLI printed before it existed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from critmin.api.names import NOTES_HEADER
from critmin.cli.main import run
from critmin.markets.notes import assumption_note, caption, qa_note, table_notes

COBALT_MEASURE = (
    "measure: primary measure refinery_production has no country rows; used mine_production"
)


def _notes(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    raw = r.headers.get(NOTES_HEADER)
    return [] if raw is None else list(json.loads(raw))


def _cli_stderr(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert run(args) == 0
    return capsys.readouterr().err


def _as_cli(notes: list[str]) -> str:
    """The CLI's stderr line for these notes (no name note among them)."""
    return f"note: {caption(notes).strip()}\n"


@pytest.mark.parametrize(
    ("url", "args", "expected"),
    [
        (
            "/api/v1/rank/gallium?add=KAZ=15t",
            ["rank", "gallium", "--add", "KAZ=15t", "--format", "json"],
            ["ASSUMPTION (what-if): add 15 t to KAZ"],
        ),
        (
            "/api/v1/rank/gallium?year=2024&add=KAZ=15000kg&remove=USA&format=csv",
            [
                "rank",
                "gallium",
                "--year",
                "2024",
                "--add",
                "KAZ=15000kg",
                "--remove",
                "USA",
                "--format",
                "csv",
            ],
            ["ASSUMPTION (what-if): add 15 t to KAZ; remove USA"],
        ),
        (
            "/api/v1/production/cobalt",
            ["production", "cobalt", "--format", "json"],
            [COBALT_MEASURE],
        ),
        (
            "/api/v1/rank/cobalt?add=KAZ=1000t&format=csv",
            ["rank", "cobalt", "--add", "KAZ=1000t", "--format", "csv"],
            [COBALT_MEASURE, "ASSUMPTION (what-if): add 1000 t to KAZ"],
        ),
        (
            "/api/v1/reserves/cobalt",
            ["reserves", "cobalt", "--format", "json"],
            [COBALT_MEASURE],
        ),
        (
            "/api/v1/production/boron",
            ["production", "boron", "--format", "json"],
            [
                "no shares or ranks: world total is 'XX' in the source (not applicable): "
                "country rows report different forms and must not be summed, shared or ranked"
            ],
        ),
        (
            "/api/v1/rank/antimony?year=2024",
            ["rank", "antimony", "--year", "2024", "--format", "json"],
            [
                "QA: 2 finding(s) on this table: edition_jump (explained); "
                "see critmin data qa antimony"
            ],
        ),
    ],
)
def test_table_notes_are_the_clis(
    client: Any, capsys: pytest.CaptureFixture[str], url: str, args: list[str], expected: list[str]
) -> None:
    """The header holds the table's notes, word for word the CLI's stderr line."""
    notes = _notes(client.get(url))
    assert notes == expected
    assert _cli_stderr(args, capsys) == _as_cli(notes)


def test_concentration_says_the_measure_used(client: Any) -> None:
    """As the CLI's caption: the measure used (the reason of a null HHI is in the row)."""
    assert _notes(client.get("/api/v1/concentration/cobalt")) == [COBALT_MEASURE]
    r = client.get("/api/v1/concentration/boron")
    assert _notes(r) == [] and r.json()[0]["hhi"] is None
    assert r.json()[0]["reason"].startswith("not additive: ")


def test_primary_table_without_what_if_has_no_note(client: Any) -> None:
    for url in ("/api/v1/rank/gallium", "/api/v1/production/tin?format=csv"):
        assert NOTES_HEADER not in client.get(url).headers


def test_name_notes_come_first(client: Any) -> None:
    notes = _notes(client.get("/api/v1/rank/cobalt", params={"add": "Korea=1000t"}))
    assert len(notes) == 3 and "KOR" in notes[0] and "PRK" in notes[0]
    assert notes[1:] == [COBALT_MEASURE, "ASSUMPTION (what-if): add 1000 t to KOR"]


def test_cached_answer_carries_the_same_notes(client: Any) -> None:
    """The notes are cached with the body: a second request (a cache hit) says the same."""
    cache = client.app.state.cache
    for url in (
        "/api/v1/rank/gallium?year=2024&add=KAZ=33t",
        "/api/v1/production/cobalt?year=2024&format=csv",
        "/api/v1/concentration/cobalt?year=2024",
    ):
        first = client.get(url)
        hits = cache.hits
        second = client.get(url)
        assert cache.hits == hits + 1  # answered from the cache, nothing computed
        assert second.content == first.content
        assert second.headers[NOTES_HEADER] == first.headers[NOTES_HEADER]
        assert _notes(second)


def test_json_and_csv_rank_agree(client: Any) -> None:
    url = "/api/v1/rank/cobalt?year=2024&add=KAZ=1000t&remove=CHN"
    assert _notes(client.get(url)) == _notes(client.get(url + "&format=csv"))


# --- the wording itself: the CLI's strings before the shared function existed ---------


def _old_note(key: dict[str, Any]) -> str:
    """``cli.markets._note`` as it was (a second implementation, kept as the reference)."""
    note = key.get("note")
    out = f"measure: {note}. " if isinstance(note, str) and note else ""
    name_note = key.get("name_note")
    flag = key.get("not_additive")
    if isinstance(flag, str) and flag:
        out += f"no shares or ranks: {flag.split('; rows:')[0]}. "
    return (f"note: {name_note}. " if isinstance(name_note, str) and name_note else "") + out


@pytest.mark.parametrize(
    "key",
    [
        {"commodity": "x"},
        {"commodity": "x", "note": "used mine_production"},
        {"commodity": "x", "name_note": "Korea read as KOR", "note": float("nan")},
        {"commodity": "x", "not_additive": "world total is 'XX'; rows: A; B", "note": "m"},
        {"commodity": "x", "name_note": "h", "note": "m", "not_additive": "r"},
        {"commodity": "x", "note": "", "name_note": None, "not_additive": ""},
    ],
)
def test_wording_matches_the_old_cli(key: dict[str, Any]) -> None:
    assert caption(table_notes(key, assumptions=False)) == _old_note(key)


def test_qa_and_assumption_wording() -> None:
    qa = [{"check": "edition_jump", "status": "explained"}] * 2 + [
        {"check": "country_sum", "status": "fail"}
    ]
    assert qa_note("tin", qa) == (
        "QA: 3 finding(s) on this table: country_sum (fail), edition_jump (explained); "
        "see critmin data qa tin"
    )
    assert qa_note("tin", []) is None
    key = {"commodity": "tin", "assumptions": ["add 15 t to KAZ", "remove CHN"]}
    assert assumption_note(key) == "ASSUMPTION (what-if): add 15 t to KAZ; remove CHN"
    assert assumption_note({"assumptions": []}) is None
    assert table_notes(key, qa) == [qa_note("tin", qa), assumption_note(key)]
    assert table_notes(key, qa, assumptions=False) == [qa_note("tin", qa)]
    assert table_notes({"commodity": "t", "name_note": "n"}, names=False) == []
    assert caption([]) == ""
