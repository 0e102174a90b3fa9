"""Claims extraction from article text, edition-aware verdicts and the self-support rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from critmin.claims import check_claims, load_claims, parse_claims
from critmin.claims.editions import current_edition, revision_note
from critmin.claims.extract import extract

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "kazakhstan-2025" / "claims.yaml"


def one(text: str, date: str | None = "2025") -> dict[str, Any]:
    claims = [c for c in extract(text, date=date)["claims"] if c["type"] != "untyped"]
    assert len(claims) == 1, claims
    return claims[0]


def test_span_and_quote_are_kept() -> None:
    text = "Intro line\nChina produced 98 % of the world's gallium in 2024. Nothing else."
    doc = extract(text, date="2025")
    c = doc["claims"][0]
    assert text[c["span"][0] : c["span"][1]] == c["text"]
    assert c["type"] == "share" and c["country"] == "CHN" and c["commodity"] == "gallium"
    assert c["year"] == 2024 and c["claimed"] == pytest.approx(0.98)


@pytest.mark.parametrize(
    ("sentence", "op", "tol", "hedge"),
    [
        ("World primary gallium output was about 760 t in 2024.", "eq", 0.10, "about"),
        ("World primary gallium output was 760 t in 2024.", "eq", 0.05, None),
        ("World primary gallium output was more than 760 t in 2024.", "ge", 0.0, "more than"),
        ("World primary gallium output was up to 760 t in 2024.", "le", 0.0, "up to"),
        ("World primary gallium output was nearly 760 t in 2024.", "eq", 0.10, "nearly"),
    ],
)
def test_hedges_map_to_operators_and_tolerances(
    sentence: str, op: str, tol: float, hedge: str | None
) -> None:
    c = one(sentence)
    assert (c["type"], c["country"], c["measure"], c["year"]) == (
        "quantity",
        "WLD",
        "primary_production",
        2024,
    )
    assert (c["op"], c["tolerance"], c.get("hedge")) == (op, tol, hedge)


def test_could_is_a_projection_not_a_statistic() -> None:
    c = one("Kazakhstan's gallium output could reach 15 metric tons a year.")
    assert c["type"] == "value" and c["hedge"] == "could" and c["claimed"] == "15 t/yr"
    assert "projection" in c["reason"]


def test_measure_from_wording_and_country_aliases() -> None:
    mine = one("The DRC mines about three quarters of the world's cobalt.")
    assert (mine["type"], mine["country"], mine["commodity"], mine["measure"]) == (
        "share",
        "COD",
        "cobalt",
        "mine_production",
    )
    assert mine["claimed"] == 0.75 and mine["tolerance"] == 0.05
    ref = one("China refines more than 70 % of the world's cobalt.")
    assert ref["measure"] == "refinery_production" and ref["op"] == "ge"
    v = check_claims(
        parse_claims(
            extract("The DRC mines about three quarters of the world's cobalt.", date="2025")
        )
    )
    assert v["verdict"].iloc[0] == "supported"


def test_untyped_is_kept_with_the_reason() -> None:
    doc = extract("The exploration budget tripled since 2018.", date="2025")
    (c,) = doc["claims"]
    assert c["type"] == "untyped" and c["reason"]
    df = check_claims(parse_claims(doc))
    assert df["verdict"].iloc[0] == "not_checkable"


def test_html_gives_the_same_claims_and_is_deterministic() -> None:
    body = "China produced 98 % of the world's gallium in 2024."
    page = (
        "<!doctype html><html><head><title>t</title><script>var x = 42;</script>"
        '<meta property="article:published_time" content="2025-03-01T10:00:00Z"></head>'
        f"<body><nav>Home 12</nav><h1>Gallium story</h1><p>{body}</p></body></html>"
    )
    a = extract(page)
    assert a["source"]["date"] == "2025-03-01"
    assert [c["type"] for c in a["claims"]] == ["share"]
    assert a == extract(page)


def _match(hand: Any, drafts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The draft quoting the same words whose type, commodity, country and year agree
    (fields the hand-written claim leaves empty are not compared)."""
    words = set(re.findall(r"[a-z0-9$%]{3,}", hand.text.lower()))
    for d in drafts:
        have = set(re.findall(r"[a-z0-9$%]{3,}", d["text"].lower()))
        if len(words & have) < 0.6 * len(words) or d["type"] != hand.type:
            continue
        h_com = getattr(hand, "commodity", None) or getattr(hand, "series", None)
        d_com = d.get("commodity") or d.get("series")
        if h_com and h_com != d_com:
            continue
        if getattr(hand, "country", None) and hand.country != d.get("country"):
            continue
        if getattr(hand, "year", None) and hand.year != d.get("year"):
            continue
        return d
    return None


@pytest.mark.reference
def test_seed_article_recall_and_verdicts(reference: Path) -> None:
    text = (reference / "news" / "kazakhstan-gallium-2025.txt").read_text("utf-8")
    doc = extract(text, date="2025")
    hand = load_claims(EXAMPLE)
    pairs = {h.id: _match(h, doc["claims"]) for h in hand.claims}
    missed = sorted(k for k, v in pairs.items() if v is None)
    recall = 1 - len(missed) / len(pairs)
    # one known miss: the Syrymbet tin reserves, a deposit figure, are drafted as a value claim
    assert recall >= 0.9, missed
    assert missed == ["sn-syrymbet-reserves"]
    # end to end: the draft's verdicts equal the hand-written file's
    got = check_claims(parse_claims(doc)).set_index("id")["verdict"]
    want = check_claims(hand).set_index("id")["verdict"]
    diff = {k: (want[k], got[d["id"]]) for k, d in pairs.items() if d and want[k] != got[d["id"]]}
    assert diff == {}
    assert want["ga-output-15t"] == "not_independent"
    assert want["ga-project-20m"] == "not_independent"


def test_gallium_760_decided_by_the_edition_current_at_the_date() -> None:
    text = "World primary gallium output was about 760 t in 2024."
    for date, verdict, edition in (
        ("2025", "supported", "MCS2025"),
        ("2026", "contradicted", "MCS2026"),
    ):
        df = check_claims(parse_claims(extract(text, date=date)))
        r = df.iloc[0]
        assert r["verdict"] == verdict, r["explanation"]
        assert r["basis"].startswith(edition)
        assert r["revision"] == "matches MCS2025 (760 t); revised to 848 t in MCS2026"
        assert "MCS2025 (760 t)" in r["explanation"]


def test_edition_rules() -> None:
    assert current_edition(["MCS2025", "MCS2026"], "2025")[0] == "MCS2025"
    assert current_edition(["MCS2025", "MCS2026"], "2026-02")[0] == "MCS2026"
    assert current_edition(["MCS2025", "MCS2026"], None)[0] == "MCS2026"
    assert current_edition(["MCS2025", "MCS2026"], "2020")[0] == "MCS2025"
    assert revision_note([("A2025", "supported", "1 t"), ("A2026", "supported", "1 t")]) == ""
    assert revision_note([("A2025", "contradicted", "2 t"), ("A2026", "supported", "1 t")]) == (
        "A2025 gave 2 t; matches A2026 (1 t)"
    )


def test_self_support_rule() -> None:
    base = {
        "id": "x",
        "type": "value",
        "text": "annual output could reach 15 metric tons",
        "fact": "^ERG gallium target capacity",
        "claimed": "15 t/yr",
    }
    own = check_claims(
        parse_claims({"source": {"title": "t", "origins": ["ERG"]}, "claims": [base]})
    )
    other = check_claims(parse_claims({"source": {"title": "t"}, "claims": [base]}))
    assert own["verdict"].iloc[0] == "not_independent"
    assert "ERG" in own["explanation"].iloc[0]
    assert other["verdict"].iloc[0] == "supported"


def test_cli_extract_and_check_an_article(tmp_path: Path) -> None:
    from critmin.cli.main import app

    art = tmp_path / "story.txt"
    art.write_text(
        "Gallium story\nWorld primary gallium output was about 760 t in 2024.\n", "utf-8"
    )
    out = tmp_path / "draft.yaml"
    r = CliRunner().invoke(app, ["claims", "extract", str(art), "--date", "2025", "-o", str(out)])
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load(out.read_text("utf-8"))
    assert doc["claims"][0]["type"] == "quantity"
    r = CliRunner().invoke(app, ["claims", "check", str(art), "--date", "2026", "-f", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["verdict"] == "contradicted" and rows[0]["basis"].startswith("MCS2026")


def test_trade_word_in_another_clause_does_not_untype_a_share() -> None:
    """'restricted exports' belongs to the main clause, the share to the relative clause."""
    c = one(
        "China, which mined nearly half of the world's antimony in 2024, "
        "restricted exports of the metal in September 2024."
    )
    assert (c["type"], c["country"], c["commodity"]) == ("share", "CHN", "antimony")
    assert c["claimed"] == pytest.approx(0.5) and c["measure"] == "mine_production"


def test_trade_share_stays_untyped() -> None:
    doc = extract("China supplied 80% of the world's gallium exports in 2024.", date="2025")
    assert [c["type"] for c in doc["claims"]] == ["untyped"]


def test_figure_takes_the_nearest_commodity_of_its_sentence() -> None:
    """The second clause is about platinum, not the palladium named first."""
    doc = extract(
        "Russia produced more than 10% of global palladium, and South Africa remains the "
        "top platinum miner.",
        date="2025",
    )
    typed = {(c["type"], c["commodity"]) for c in doc["claims"]}
    assert ("share", "palladium") in typed and ("rank", "platinum") in typed


@pytest.mark.reference
def test_share_is_also_read_against_the_published_world_total() -> None:
    """MCS 2025: China 60,000 t of a rounded world total of 100,000 t (60 %), but 57.7 %
    of the sum of the country rows; a reporter's "60 %" is supported, both are stated."""
    doc = {
        "source": {"title": "t", "date": "2025-04-01"},
        "claims": [
            {
                "id": "c1",
                "type": "share",
                "commodity": "antimony",
                "country": "CHN",
                "measure": "mine_production",
                "year": 2024,
                "claimed": 0.60,
                "tolerance": 0.01,
                "text": "China mined 60% of the world's antimony in 2024.",
            }
        ],
    }
    r = check_claims(parse_claims(doc, "<test>")).iloc[0]
    assert r["verdict"] == "supported"
    assert "57.7 %" in r["explanation"] and "60.0 %" in r["explanation"]
    assert "MCS2025" in r["explanation"]


@pytest.mark.reference
def test_a_later_clause_keeps_the_sentence_measure() -> None:
    """'with about 3 tonnes' inherits 'primary gallium' from the clause before it."""
    doc = extract(
        "Japan was the second-largest producer of primary gallium in 2024, with about 3 tonnes.",
        date="2025-06-01",
    )
    q = [c for c in doc["claims"] if c["type"] == "quantity"]
    assert len(q) == 1 and q[0]["measure"] == "primary_production" and q[0]["country"] == "JPN"


@pytest.mark.reference
def test_neutral_wording_uses_the_cli_default_measure() -> None:
    """'output' of gallium: the measure `critmin production gallium` uses, not mine production."""
    from critmin.claims.links import primary_measure
    from critmin.data.store import get_store
    from critmin.data.tables import commodity_row, default_measure

    st = get_store()
    assert (
        primary_measure("gallium", st)
        == default_measure(commodity_row("gallium", st), st)[0]
        == "primary_production"
    )


@pytest.mark.reference
def test_no_explanation_prints_nan() -> None:
    """A what-if row has no edition: the verdict names the table's edition, never 'nan'."""
    df = check_claims(load_claims(EXAMPLE))
    assert not df["explanation"].str.contains(r"\bnan\b").any()
    row = df.set_index("id").loc["ga-second-largest"]
    assert "in MCS2025" in row["explanation"]
