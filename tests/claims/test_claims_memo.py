"""The memoised store view used while a claims file is checked (:mod:`critmin.claims._memo`).

Invariant: checking through the view gives exactly the verdicts, figures, explanations and
evidence of checking each claim on the plain store; each distinct query runs once; a caller
that changes what it got back does not change what the next caller gets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from critmin.claims import evaluate, load_claims
from critmin.claims.evaluate import evaluate_file
from critmin.data.memo import memo_view as memo_store
from critmin.data.store import Store, get_store

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kazakhstan-2025" / "claims.yaml"
NEWS = Path(__file__).resolve().parents[1] / "fixtures" / "news"


def _rows(results: list[Any]) -> str:
    return json.dumps([r.as_row() for r in results], sort_keys=True, default=str)


def test_memo_gives_the_plain_store_results() -> None:
    from critmin.claims.extract import extract
    from critmin.claims.spec import parse_claims

    st = get_store()
    specs = [load_claims(EXAMPLE)]
    for p in sorted(NEWS.glob("*.txt")):
        specs.append(parse_claims(extract(p.read_text("utf-8"), date="2025"), p.name))
    for spec in specs:
        src = spec.source
        plain = [evaluate(c, st, date=src.date, origins=src.origins) for c in spec.claims]
        assert _rows(evaluate_file(spec, st)) == _rows(plain)


def test_each_query_runs_once_and_answers_are_copies(monkeypatch: Any) -> None:
    base = get_store()
    ran: list[str] = []
    for name in ("sql", "records"):
        orig = getattr(Store, name)

        def counted(self: Store, q: str, p: Any = None, _o: Any = orig) -> Any:
            ran.append(q)
            return _o(self, q, p)

        monkeypatch.setattr(Store, name, counted)
    memo = memo_store(base)
    assert memo is not base and memo.con is base.con
    q = "SELECT iso3, name FROM countries WHERE iso3 = ?"
    a = memo.records(q, ["KAZ"])
    a[0]["name"] = "changed"
    assert memo.records(q, ["KAZ"])[0]["name"] != "changed"
    df = memo.sql(q, ["KAZ"])
    df.loc[0, "name"] = "changed"
    assert memo.sql(q, ["KAZ"]).loc[0, "name"] != "changed"
    assert len(ran) == 2  # one records, one sql: the repeats came from memory
    # a list parameter is part of the key; different parameters are different queries
    q2 = "SELECT iso3 FROM countries WHERE list_contains(?::VARCHAR[], iso3) ORDER BY iso3"
    assert [r["iso3"] for r in memo.records(q2, [["KAZ", "CHN"]])] == ["CHN", "KAZ"]
    assert [r["iso3"] for r in memo.records(q2, [["KAZ"]])] == ["KAZ"]
    assert len(ran) == 4
    assert memo_store(memo) is memo  # wrapping twice is a no-op


def test_a_store_subclass_is_left_alone() -> None:
    class Own(Store):
        pass

    own = Own.__new__(Own)
    own.__dict__.update(get_store().__dict__)
    assert memo_store(own) is own  # it may memoise already (the API's read workers do)
