"""Each claim type with supported, contradicted and not-checkable cases (on the bundled store)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from critmin.claims import check_claims, parse_claims
from critmin.errors import SpecError

SOURCE = {"title": "test story"}


def verdicts(claims: list[dict[str, Any]]) -> dict[str, str]:
    df = check_claims(parse_claims({"source": SOURCE, "claims": claims}))
    return dict(zip(df["id"], df["verdict"], strict=True))


def test_rank() -> None:
    base = {
        "type": "rank",
        "commodity": "gallium",
        "country": "KAZ",
        "year": 2024,
        "add": {"KAZ": "15t"},
        "text": "x x x",
    }
    v = verdicts(
        [
            {**base, "id": "ok", "claimed": 2},
            {**base, "id": "bad", "claimed": 1},
            {**base, "id": "na", "add": {}, "claimed": 2},
            {
                "id": "top",
                "type": "rank",
                "commodity": "gold",
                "measure": "reserves",
                "country": "KAZ",
                "claimed": 20,
                "op": "le",
                "text": "x x x",
            },
        ]
    )
    assert v == {
        "ok": "supported",
        "bad": "contradicted",
        "na": "not_checkable",
        "top": "supported",
    }


def test_share() -> None:
    base = {
        "type": "share",
        "commodity": "gallium",
        "country": "CHN",
        "year": 2024,
        "text": "x x x",
    }
    v = verdicts(
        [
            {**base, "id": "ok", "claimed": 0.98, "tolerance": 0.02},
            {**base, "id": "bad", "claimed": 0.6},
            {**base, "id": "na", "commodity": "germanium", "claimed": 0.6},
        ]
    )
    assert v == {"ok": "supported", "bad": "contradicted", "na": "not_checkable"}


def test_quantity() -> None:
    base = {
        "type": "quantity",
        "commodity": "copper",
        "measure": "mine_production",
        "country": "CHL",
        "year": 2024,
        "text": "x x x",
    }
    v = verdicts(
        [
            {**base, "id": "ok", "claimed": "5.3 Mt"},
            {**base, "id": "bad", "claimed": "8 Mt"},
            {
                **base,
                "id": "na",
                "country": "KAZ",
                "commodity": "tin",
                "measure": "reserves",
                "claimed": "286000 t",
            },
        ]
    )
    assert v == {"ok": "supported", "bad": "contradicted", "na": "not_checkable"}


def test_growth() -> None:
    base = {"type": "growth", "series": "tin", "start": 2020, "end": 2025, "text": "x x x"}
    v = verdicts(
        [
            {**base, "id": "ok", "claimed": 2.0},
            {**base, "id": "bad", "claimed": 3.0},
            {
                "id": "na",
                "type": "growth",
                "commodity": "gold",
                "measure": "mine_production",
                "country": "KAZ",
                "start": 2014,
                "end": 2024,
                "claimed": 2.0,
                "text": "x x x",
            },
        ]
    )
    assert v == {"ok": "supported", "bad": "contradicted", "na": "not_checkable"}


def test_value() -> None:
    v = verdicts(
        [
            {
                "id": "ok",
                "type": "value",
                "series": "tin",
                "start": "2025-01",
                "end": "2025-12",
                "claimed": "33000 USD/t",
                "tolerance": 0.05,
                "text": "x x x",
            },
            {
                "id": "bad",
                "type": "value",
                "fact": "^ERG gallium target capacity",
                "claimed": "50 t/yr",
                "text": "x x x",
            },
            {"id": "na", "type": "value", "claimed": "820 USD million", "text": "x x x"},
        ]
    )
    assert v == {"ok": "supported", "bad": "contradicted", "na": "not_checkable"}


def test_consistency() -> None:
    v = verdicts(
        [
            {
                "id": "ok",
                "type": "consistency",
                "check": "grade_tonnage",
                "inputs": {"metal": "25000 t", "ore": "1 Mt", "max_grade": "6.7 %"},
                "text": "x x x",
            },
            {
                "id": "bad",
                "type": "consistency",
                "check": "grade_tonnage",
                "inputs": {"metal": "250000 t", "ore": "1 Mt", "max_grade": "6.7 %"},
                "text": "x x x",
            },
            {
                "id": "na",
                "type": "consistency",
                "check": "hit_rate",
                "inputs": {"hits": 42, "total": 51},
                "text": "x x x",
            },
            {
                "id": "rate",
                "type": "consistency",
                "check": "hit_rate",
                "inputs": {"hits": 42, "total": 51},
                "claimed": 0.9,
                "text": "x x x",
            },
        ]
    )
    assert v == {
        "ok": "supported",
        "bad": "contradicted",
        "na": "not_checkable",
        "rate": "contradicted",
    }


def test_membership() -> None:
    v = verdicts(
        [
            {
                "id": "ok",
                "type": "membership",
                "fact_topic": "policy",
                "members": {"gallium": "gallium|\\bGa\\b", "antimony": "\\bSb\\b"},
                "text": "x x x",
            },
            {
                "id": "bad",
                "type": "membership",
                "group": "OECD",
                "members": {"Kazakhstan": "KAZ", "Japan": "JPN"},
                "text": "x x x",
            },
            {
                "id": "na",
                "type": "membership",
                "fact_topic": "policy",
                "members": {"unobtainium": "unobtainium"},
                "text": "x x x",
            },
        ]
    )
    assert v == {"ok": "supported", "bad": "contradicted", "na": "not_checkable"}


def test_json_rows_have_required_keys(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import json

    from critmin.cli.main import run

    f = tmp_path / "c.yaml"
    f.write_text(
        yaml.safe_dump(
            {
                "source": SOURCE,
                "claims": [
                    {
                        "id": "a",
                        "type": "growth",
                        "series": "tin",
                        "start": 2020,
                        "end": 2025,
                        "claimed": 2.0,
                        "text": "doubled in five years",
                    }
                ],
            }
        )
    )
    assert run(["claims", "check", str(f), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"id", "verdict", "claimed", "computed", "sources"} <= set(rows[0])
    assert rows[0]["sources"] == ["worldbank_pinksheet (CMO-2026-06)"]


def test_spec_errors_name_the_field(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"claims\.0\[a\]\.claimed"):
        parse_claims(
            {
                "source": SOURCE,
                "claims": [
                    {
                        "id": "a",
                        "type": "share",
                        "commodity": "x",
                        "country": "y",
                        "claimed": 5,
                        "text": "x x x",
                    }
                ],
            },
            "c.yaml",
        )
    with pytest.raises(SpecError, match="duplicate claim id"):
        parse_claims(
            {
                "source": SOURCE,
                "claims": [{"id": "a", "type": "value", "claimed": "1 t", "text": "xxx"}] * 2,
            }
        )


def test_kazakhstan_example_verdicts() -> None:
    ex = Path(__file__).resolve().parents[2] / "examples" / "kazakhstan-2025" / "claims.yaml"
    df = check_claims(ex).set_index("id")
    assert df.loc["cu-tonnage-vs-ore", "verdict"] == "contradicted"
    assert df.loc["ga-second-largest", "verdict"] == "supported"
    assert df.loc["sn-price-doubled", "verdict"] == "supported"
    assert df.loc["au-reserves-top20", "verdict"] == "supported"
    for cid in (
        "cu-hit-rate",
        "cu-max-grade",
        "sn-syrymbet-reserves",
        "exploration-spending",
        "cu-processing-33pct",
    ):
        assert df.loc[cid, "verdict"] == "not_checkable", cid
    # every verdict other than "not checkable" carries evidence with a source
    decided = df[df["verdict"] != "not_checkable"]
    assert all(len(e) > 0 for e in decided["evidence"])
