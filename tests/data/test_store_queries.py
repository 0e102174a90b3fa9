"""Store query methods used outside the data layer, and the rule that the Store is the
only gateway to the database (on the bundled store of the session's ``CRITMIN_DB``)."""

from __future__ import annotations

import io
import re
import threading
import tokenize
from pathlib import Path

import pandas as pd
import pytest

from critmin.data.importer import import_observations
from critmin.data.store import Store, get_store

SRC = Path(__file__).resolve().parents[2] / "src" / "critmin"


def test_observation_editions_matches_table() -> None:
    st = get_store()
    rows = st.observation_editions("gallium")
    assert rows and set(rows[0]) == {"measure", "edition", "year"}
    keys = [(r["measure"], r["edition"], r["year"]) for r in rows]
    assert keys == sorted(set(keys))
    assert {"MCS2025", "MCS2026"} <= {r["edition"] for r in rows}
    direct = st.sql(
        "SELECT DISTINCT measure, edition, year FROM observations WHERE commodity = 'gallium'"
    )
    assert len(rows) == len(direct)
    assert st.observation_editions("no-such-commodity") == []


def test_observation_editions_bound_parameter() -> None:
    assert get_store().observation_editions("gallium' OR '1'='1") == []


def test_user_observation_count(tmp_path: Path) -> None:
    st = Store(tmp_path / "u.duckdb", read_only=False)
    assert st.user_observation_count() == 0
    f = tmp_path / "u.csv"
    f.write_text(
        "commodity,measure,iso3,year,value,unit,source,qualifier\n"
        "gallium,primary_production,KAZ,2026,15000,kg,ERG plan,estimated\n"
    )
    assert import_observations(f, st) == 1
    assert st.user_observation_count() == 1
    st.close()


def test_commodity_record_primary_table() -> None:
    st = get_store()
    rec = st.commodity_record("gallium")
    assert rec is not None and rec["primary_measure"] == "primary_production"
    assert st.commodity_record("no-such-commodity") is None


def test_for_thread_is_an_independent_cursor() -> None:
    base = get_store()
    out: list[int] = []

    def work() -> None:
        st = base.for_thread()
        assert st is not base and st.con is not base.con
        assert st.path == base.path and st.fingerprint == base.fingerprint
        out.append(len(st.commodities()))
        st.close()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out == [len(base.commodities())]  # the base connection still works


def test_price_csv_reader_lives_in_data_readers(tmp_path: Path) -> None:
    from critmin.data.readers import read_price_csv
    from critmin.valuation import prices

    assert prices.read_price_csv is read_price_csv
    f = tmp_path / "p.csv"
    f.write_text("period,price\n2026-01,10\n2026-02,30\n")
    assert read_price_csv(f).to_dict() == {2026: 20.0}


def test_store_history_takes_a_store() -> None:
    from critmin.valuation.prices import store_history

    s, unit = store_history("wb_tin", store=get_store())
    d, unit_d = store_history("wb_tin")
    assert unit == unit_d == "USD/t"
    pd.testing.assert_series_equal(s, d)


_SQL_STRING = re.compile(r"""^[rbuRBU]*['"]{1,3}\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH)\s""")


def _scan(code: str, label: str) -> list[str]:
    """Code (not comments or docstrings) that touches DuckDB or runs SQL directly."""
    found = []
    toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    for i, tok in enumerate(toks):
        where = f"{label}:{tok.start[0]}"
        if tok.type == tokenize.NAME and tok.string == "duckdb":
            found.append(f"{where}: duckdb")
        elif (
            tok.type == tokenize.NAME
            and tok.string in {"execute", "sql", "con"}
            and i > 0
            and toks[i - 1].string == "."
        ):
            found.append(f"{where}: .{tok.string}")
        elif tok.type == tokenize.STRING and _SQL_STRING.match(tok.string):
            found.append(f"{where}: SQL string")
    return found


def test_store_is_the_only_gateway_to_the_database() -> None:
    data = SRC / "data"
    bad = [
        v
        for p in sorted(SRC.rglob("*.py"))
        if data not in p.parents
        for v in _scan(p.read_text("utf-8"), str(p.relative_to(SRC.parent)))
    ]
    assert bad == [], "direct database use outside critmin.data: " + "; ".join(bad)


@pytest.mark.parametrize(
    ("code", "n"),
    [
        ("import duckdb\n", 1),
        ("df = st.sql('SELECT 1')\n", 2),
        ("cur = st.con.execute(q)\n", 2),
        ('"""Mentions duckdb and .execute( in prose."""  # and st.sql(\n', 0),
    ],
)
def test_gateway_check_finds_direct_use(code: str, n: int) -> None:
    assert len(_scan(code, "probe.py")) == n
