"""Name notes in HTTP responses: what the CLI prints about a name, the API says too.

Table endpoints answer bare JSON arrays or CSV, so the note travels in the
``X-Critmin-Notes`` header (a JSON array of strings); it is absent when a name was
read literally. The reference for each note is the CLI's output for the same name.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from critmin.api.names import NOTES_HEADER
from critmin.cli.main import run


def _notes(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    raw = r.headers.get(NOTES_HEADER)
    return [] if raw is None else list(json.loads(raw))


def _cli_stderr(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert run(args) == 0
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("/api/v1/production/hafnium", "zirconium"),
        ("/api/v1/rank/hafnium?format=csv", "zirconium"),
        ("/api/v1/commodities/hafnium", "zirconium"),
        ("/api/v1/rank/neodymium", "rare_earths"),
        ("/api/v1/concentration/Dy", "rare_earths"),
        ("/api/v1/production/lithium%20carbonate", "lithium content"),
        ("/api/v1/reserves/REO", "rare-earth-oxide"),
        ("/api/v1/revisions/hafnium", "zirconium"),
    ],
)
def test_sub_commodity_note_in_header(client: Any, url: str, word: str) -> None:
    notes = _notes(client.get(url))
    assert len(notes) == 1 and word in notes[0]


@pytest.mark.parametrize(
    ("name", "cid"),
    [("hafnium", "zirconium"), ("neodymium", "rare_earths"), ("lithium carbonate", "lithium")],
)
def test_note_is_the_clis_note_and_rows_are_the_tables(
    client: Any, capsys: pytest.CaptureFixture[str], name: str, cid: str
) -> None:
    r = client.get(f"/api/v1/production/{name}")
    (note,) = _notes(r)
    assert note in _cli_stderr(["production", name, "--format", "json"], capsys)
    assert r.json() == client.get(f"/api/v1/production/{cid}").json()


def test_literal_names_carry_no_note(client: Any) -> None:
    for url in ("/api/v1/rank/gallium", "/api/v1/production/Ga", "/api/v1/countries/KAZ"):
        assert NOTES_HEADER not in client.get(url).headers


def test_dr_congo_resolves_to_cod_like_the_cli(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """'DR Congo' is an unambiguous alias of COD: rows say COD, and, as in the CLI (whose
    title names COD), there is no note to add."""
    r = client.get("/api/v1/countries/DR Congo", params={"top": 3})
    rows = r.json()
    assert rows and {row["iso3"] for row in rows} == {"COD"}
    assert _notes(r) == []
    assert "note:" not in _cli_stderr(["country", "DR Congo", "--format", "json"], capsys)
    # the rank what-if takes the same names
    rank = client.get(
        "/api/v1/rank/cobalt", params={"year": 2024, "remove": "DR Congo", "format": "json"}
    )
    assert rank.status_code == 200
    cod = [x for x in rank.json() if x["iso3"] == "COD"]
    assert cod and cod[0]["rank"] is None  # removed: listed at 0, not ranked


def test_ambiguous_country_name_note(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    (note,) = _notes(client.get("/api/v1/countries/Korea", params={"format": "csv"}))
    assert "KOR" in note and "PRK" in note
    assert note in " ".join(_cli_stderr(["country", "Korea", "--format", "json"], capsys).split())
    notes = _notes(client.get("/api/v1/rank/hafnium", params={"add": "Korea=1000t"}))
    assert len(notes) == 3 and "zirconium" in notes[0] and "KOR" in notes[1]
    assert notes[2] == "ASSUMPTION (what-if): add 1000 t to KOR"  # the table's note follows


def test_unknown_name_is_still_404(client: Any) -> None:
    r = client.get("/api/v1/production/unobtainium")
    assert r.status_code == 404
    assert NOTES_HEADER not in r.headers
