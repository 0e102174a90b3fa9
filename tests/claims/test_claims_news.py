"""Extraction and verdicts on public news texts, against claims written by hand from the data.

The fixtures (tests/fixtures/news) quote the claim-bearing sentences of four stories with
their addresses; the expected claims and verdicts were written before the extractor ran.
``python tests/claims/test_claims_news.py`` prints the precision/recall table of docs/claims.md.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from critmin.claims import check_claims, parse_claims
from critmin.claims.extract import extract

NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"
STORIES = sorted(p.name.removesuffix(".expected.yaml") for p in NEWS.glob("*.expected.yaml"))


def _agrees(exp: dict[str, Any], got: dict[str, Any]) -> bool:
    if exp["quote"] not in got["text"] or exp["type"] != got["type"]:
        return False
    com = got.get("commodity") or got.get("series")
    return all(
        exp.get(k) is None or exp[k] == v
        for k, v in (("commodity", com), ("country", got.get("country")), ("year", got.get("year")))
    )


def measure(name: str) -> dict[str, Any]:
    """Matches between the expected and the extracted claims of one story, with verdicts."""
    exp = yaml.safe_load((NEWS / f"{name}.expected.yaml").read_text("utf-8"))
    doc = extract((NEWS / f"{name}.txt").read_text("utf-8"), date=exp["date"])
    got = doc["claims"]
    verdicts = dict(
        zip(*(check_claims(parse_claims(doc))[k] for k in ("id", "verdict")), strict=True)
    )
    used: set[int] = set()
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for e in exp["expected"]:
        hit = next((i for i, g in enumerate(got) if i not in used and _agrees(e, g)), None)
        if hit is not None:
            used.add(hit)
        pairs.append((e, got[hit] if hit is not None else None))
    extra = [g for i, g in enumerate(got) if i not in used]
    return {"pairs": pairs, "extra": extra, "verdicts": verdicts, "n_got": len(got)}


def _held_out(name: str) -> bool:
    exp = yaml.safe_load((NEWS / f"{name}.expected.yaml").read_text("utf-8"))
    return bool(exp.get("held_out"))


def table(held_out: bool | None = None) -> tuple[str, dict[str, Counter[str]]]:
    """Markdown table of precision, recall and verdict agreement per claim type
    (``held_out``: only the held-out stories, only the others, or all when None)."""
    by: dict[str, Counter[str]] = {}
    for name in STORIES:
        if held_out is not None and _held_out(name) != held_out:
            continue
        m = measure(name)
        for e, g in m["pairs"]:
            c = by.setdefault(e["type"], Counter())
            c["expected"] += 1
            if g is not None:
                c["tp"] += 1
                c["verdict_ok"] += m["verdicts"][g["id"]] == e["verdict"]
        for g in m["extra"]:
            by.setdefault(g["type"], Counter())["fp"] += 1
    lines = [
        "| claim type | expected | extracted | matched | precision | recall | verdict as expected |",
        "|---|---|---|---|---|---|---|",
    ]
    tot: Counter[str] = Counter()
    for t in sorted(by):
        c = by[t]
        tot.update(c)
        lines.append(_row(t, c))
    lines.append(_row("**all**", tot))
    return "\n".join(lines), by


def _row(t: str, c: Counter[str]) -> str:
    got = c["tp"] + c["fp"]
    p = f"{c['tp'] / got:.0%}" if got else "—"
    r = f"{c['tp'] / c['expected']:.0%}" if c["expected"] else "—"
    v = f"{c['verdict_ok']} of {c['tp']}" if c["tp"] else "—"
    return f"| {t} | {c['expected']} | {got} | {c['tp']} | {p} | {r} | {v} |"


def test_news_fixtures_cite_their_source() -> None:
    assert len(STORIES) >= 3
    for name in STORIES:
        exp = yaml.safe_load((NEWS / f"{name}.expected.yaml").read_text("utf-8"))
        assert exp["url"].startswith("https://") and exp["date"] and exp["expected"]


def test_news_extraction_measured() -> None:
    """Floors under the figures reported in docs/claims.md (a regression guard, not a fit)."""
    _, by = table(held_out=False)
    tot: Counter[str] = Counter()
    for c in by.values():
        tot.update(c)
    assert tot["tp"] / tot["expected"] >= 0.9
    assert tot["tp"] / (tot["tp"] + tot["fp"]) >= 0.9
    # one known disagreement: "to US$20,000 per ton" is supported by the 2024 annual average
    # (20,944 USD/t) where the hand-written verdict said an annual figure cannot place it
    assert tot["verdict_ok"] >= tot["tp"] - 1
    # the held-out story (rules not tuned on it): measured, with a low floor
    _, held = table(held_out=True)
    h: Counter[str] = Counter()
    for c in held.values():
        h.update(c)
    assert h["tp"] / h["expected"] >= 0.5 and h["verdict_ok"] == h["tp"]
    for name in STORIES:
        m = measure(name)
        text = (NEWS / f"{name}.txt").read_text("utf-8")
        for g in m["pairs"]:
            if g[1] is not None:
                a, b = g[1]["span"]
                assert text[a:b] == g[1]["text"]


if __name__ == "__main__":  # pragma: no cover
    for part, flag in (("development", False), ("held out", True), ("all", None)):
        md, _ = table(held_out=flag)
        sys.stdout.write(f"\n{part}\n{md}\n")
    if "-v" in sys.argv:
        for name in STORIES:
            m = measure(name)
            for e, g in m["pairs"]:
                tag = "OK " if g else "MISS"
                v = m["verdicts"][g["id"]] if g else "-"
                sys.stdout.write(
                    f"{tag} {name}: {e['type']} {e['quote'][:40]!r} want {e['verdict']} got {v}\n"
                )
            for g in m["extra"]:
                sys.stdout.write(
                    f"EXTRA {name}: {g['type']} {g.get('commodity')} {g.get('country')} {g['text'][:60]!r} {m['verdicts'][g['id']]}\n"
                )
