"""``POST /api/v1/claims/extract``: pasted text -> the draft claims of ``critmin claims extract``.

The draft must be the CLI's (one extraction, not a second implementation), be a valid
claims file for ``/claims/check`` after a reader's edits, and bad input must answer 401,
413 or 422, never 5xx.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings(
    r"ignore:Using `httpx` with `starlette.testclient` is deprecated"
)

NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"
CNA = NEWS / "cna-gallium-germanium-2023.txt"


def _extract(client: Any, auth: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/claims/extract", headers=auth, json=body)


def test_extract_is_the_cli_extraction(client: Any, auth: dict[str, str]) -> None:
    from critmin.claims.extract import extract

    text = CNA.read_text("utf-8")
    r = _extract(client, auth, text=text, date="2023-07")
    assert r.status_code == 200, r.text
    body = r.json()
    want = extract(text, date="2023-07")
    assert body["claims"] == json.loads(json.dumps(want["claims"]))
    assert body["source"]["origins"] == want["source"]["origins"]
    assert body["n_claims"] == len(want["claims"])
    assert body["n_untyped"] == sum(c["type"] == "untyped" for c in want["claims"])
    for c in body["claims"]:  # each draft claim quotes its sentence at its span
        assert c["text"] and c["id"]
        if c.get("span"):
            a, b = c["span"]
            assert " ".join(text[a:b].split()) == " ".join(c["text"].split())
    # the editable fields are those the claim type's schema has
    assert body["editable"]["share"] == [
        "commodity",
        "country",
        "measure",
        "year",
        "claimed",
        "op",
        "tolerance",
    ]
    assert "tolerance" not in body["editable"]["rank"]
    assert body["editable"]["membership"] == ["claimed"]


def test_edited_draft_checks(client: Any, auth: dict[str, str]) -> None:
    """Extract, edit one field as the page does (a string), check: the verdict follows."""
    body = _extract(client, auth, text=CNA.read_text("utf-8")).json()
    doc = {"source": body["source"], "claims": body["claims"]}

    def check(d: dict[str, Any]) -> dict[str, Any]:
        r = client.post(
            "/api/v1/claims/check",
            headers=auth,
            files={"file": ("draft.json", json.dumps(d).encode())},
        )
        assert r.status_code == 200, r.text
        return {x["id"]: x for x in r.json()}

    before = check(doc)
    share = next(c for c in doc["claims"] if c["type"] == "share" and c["commodity"] == "gallium")
    assert before[share["id"]]["verdict"] == "contradicted"
    computed = before[share["id"]]["computed"]
    share["claimed"] = f"{computed:.3f}"  # the page sends what the reader typed
    after = check(doc)
    assert after[share["id"]]["verdict"] == "supported"
    assert len(after) == len(doc["claims"])
    # a bad edit is a 422 naming the field, not a 500
    share["year"] = "twenty"
    r = client.post(
        "/api/v1/claims/check", headers=auth, files={"file": ("d.json", json.dumps(doc).encode())}
    )
    assert r.status_code == 422 and "year" in r.json()["detail"]


def test_extract_needs_a_key(client: Any) -> None:
    r = client.post("/api/v1/claims/extract", json={"text": "Gallium output was 760 t."})
    assert r.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": 5},
        {"text": "x" * 100_001},
        {"text": "Gallium.", "date": "last year"},
        {"text": "Gallium.", "date": "2025-1"},
        {"text": "Gallium.", "extra": 1},
        {"text": "Gallium.", "title": "t" * 301},
    ],
    ids=["missing", "empty", "number", "too-long", "date-words", "date-short", "extra", "title"],
)
def test_extract_refuses_bad_input(client: Any, auth: dict[str, str], body: Any) -> None:
    r = client.post("/api/v1/claims/extract", headers=auth, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "text",
    [
        "   \n\t ",
        "no figures at all here",
        "<html><body><p>China produces 98 % of gallium.</p></body></html>",
        "<script>alert(1)</script>" * 50,
        "\x00\x01 binary \ufffd " * 100,
        "1 2 3 4 5 6 7 8 9 10 % t kg USD $ million 2024 2025 " * 200,
        "China " * 5000,
    ],
    ids=["blank", "no-figures", "html", "script", "control", "numbers", "repeated"],
)
def test_extract_odd_text_is_never_5xx(client: Any, auth: dict[str, str], text: str) -> None:
    r = client.post("/api/v1/claims/extract", headers=auth, json={"text": text})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["claims"]  # at least the 'no figure' untyped claim, never nothing


def test_extract_body_over_the_limit_is_413(client: Any, auth: dict[str, str]) -> None:
    limit = client.app.state.settings.max_body_bytes
    r = client.post(
        "/api/v1/claims/extract",
        headers={**auth, "Content-Type": "application/json"},
        content=json.dumps({"text": "a" * (limit + 10)}).encode(),
    )
    assert r.status_code == 413
