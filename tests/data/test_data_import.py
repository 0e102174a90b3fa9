"""User data is never changed silently: `critmin data import` / `data remove`.

Every corruption case of issue 14 ends in a non-zero exit with a one-line error naming
the file and line, and the store's user data unchanged (``Store.user_data_hash``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import critmin
from critmin.cli.main import run
from critmin.data import validate as v
from critmin.data.importer import import_file, read_user_csv, remove_observations
from critmin.data.store import Store, reset_store
from critmin.errors import StoreError, ValidationError

HEADER = "commodity,measure,iso3,year,value,unit,source"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A module-wide store at ``$CRITMIN_DB`` (the CLI's default store)."""
    path = tmp_path_factory.mktemp("imp") / "critmin.duckdb"
    old = {k: os.environ.get(k) for k in ("CRITMIN_DB", "CRITMIN_LOCK_WAIT")}
    os.environ["CRITMIN_DB"] = str(path)
    os.environ["CRITMIN_LOCK_WAIT"] = "0.3"
    reset_store()
    Store(path).close()
    yield path
    reset_store()
    for k, val in old.items():
        if val is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = val


def _hash(path: Path) -> str:
    reset_store()
    s = Store(path)
    try:
        return s.user_data_hash()
    finally:
        s.close()


def _file(tmp_path: Path, body: str | bytes, name: str = "rows.csv") -> Path:
    p = tmp_path / name
    if isinstance(body, bytes):
        p.write_bytes(body)
    else:
        p.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return p


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


ROW = "gallium,primary_production,KAZ,2026,15,t,ERG"

CORRUPT = [
    # (id, file body, extra options, line, message)
    (
        "identical rows",
        f"{HEADER}\n{ROW}\n{ROW}\n",
        [],
        3,
        "duplicate of line 2 (gallium primary_production KAZ 2026): identical",
    ),
    (
        "two values one cell",
        f"{HEADER}\n{ROW}\ngallium,primary_production,KAZ,2026,16,t,Other\n",
        [],
        3,
        "duplicate of line 2 with a different value for gallium primary_production KAZ 2026",
    ),
    (
        "decimal comma",
        f'{HEADER}\ngallium,primary_production,KAZ,2026,"1,5",t,ERG\n',
        [],
        2,
        "'1,5' holds ',', which is ambiguous",
    ),
    (
        "1,5 is no thousands grouping",
        f'{HEADER}\ngallium,primary_production,KAZ,2026,"1,5",t,ERG\n',
        ["--thousands", ","],
        2,
        "does not use ',' as a thousands separator",
    ),
    (
        "point under --decimal ,",
        f"{HEADER}\ngallium,primary_production,KAZ,2026,1.5,t,ERG\n",
        ["--decimal", ","],
        2,
        "'1.5' holds '.'",
    ),
    (
        "space separator",
        f"{HEADER}\ngallium,primary_production,KAZ,2026,1 500,t,ERG\n",
        [],
        2,
        "ambiguous",
    ),
    (
        "latin-1 bytes",
        (f"{HEADER},note\n{ROW},ok\n{ROW[:-3]}Other,café\n").encode("latin-1"),
        [],
        3,
        "byte 0xE9 at position",
    ),
    (
        "utf-16 without BOM",
        f"{HEADER}\n{ROW}\n".encode("utf-16-le"),
        [],
        1,
        "UTF-16 or UTF-32 without a byte-order mark",
    ),
    (
        "official edition",
        f"{HEADER},edition\n{ROW},MCS2026\n",
        [],
        2,
        "'MCS2026' is an official edition",
    ),
    (
        "XAG as a country",
        f"{HEADER}\n{ROW.replace('KAZ', 'XAG')}\n",
        [],
        2,
        "'XAG' is an aggregate",
    ),
    (
        "WLD as a country",
        f"{HEADER}\n{ROW.replace('KAZ', 'WLD')}\n",
        [],
        2,
        "'WLD' is an aggregate",
    ),
    (
        "OTH as a country",
        f"{HEADER}\n{ROW.replace('KAZ', 'OTH')}\n",
        [],
        2,
        "'OTH' is an aggregate",
    ),
    ("unknown country", f"{HEADER}\n{ROW.replace('KAZ', 'XYZ')}\n", [], 2, "unknown country"),
    ("year 0", f"{HEADER}\n{ROW.replace('2026', '0')}\n", [], 2, "year 0 is outside 1800-2100"),
    ("year 99999", f"{HEADER}\n{ROW.replace('2026', '99999')}\n", [], 2, "year 99999 is outside"),
    ("short ragged row", f"{HEADER}\n{ROW}\n{ROW[:-4]}\n", [], 3, "ragged row: 6 field(s)"),
    ("long ragged row", f"{HEADER}\n{ROW},extra\n", [], 2, "ragged row: 8 field(s)"),
    (
        "absurd magnitude",
        f"{HEADER}\n{ROW.replace(',15,', ',1e300,')}\n",
        [],
        2,
        "implausibly large",
    ),
    ("negative", f"{HEADER}\n{ROW.replace(',15,', ',-3,')}\n", [], 2, "negative quantity"),
    ("ambiguous tons", f"{HEADER}\n{ROW.replace(',t,', ',tons,')}\n", [], 2, "'tons' is ambiguous"),
    (
        "t into a % table",
        f"{HEADER}\ngallium,net_import_reliance,USA,2026,15,t,ERG\n",
        [],
        2,
        "cannot convert 't' to '%'",
    ),
    (
        "conflicts with official",
        f"{HEADER}\ngallium,primary_production,CHN,2024,1,t,ERG\n",
        [],
        2,
        "conflicts with MCS2026 value 839 t for gallium",
    ),
    (
        "duplicates official",
        f"{HEADER}\ngallium,primary_production,CHN,2024,839,t,ERG\n",
        [],
        2,
        "duplicates MCS2026 value 839 t",
    ),
    ("no source", f"{HEADER}\n{ROW[:-3]}\n", [], 2, "every figure needs a source"),
]


@pytest.mark.parametrize(
    ("body", "options", "line", "message"),
    [c[1:] for c in CORRUPT],
    ids=[c[0] for c in CORRUPT],
)
def test_corruption_refused_store_unchanged(
    store_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str | bytes,
    options: list[str],
    line: int,
    message: str,
) -> None:
    before = _hash(store_path)
    f = _file(tmp_path, body)
    code, out, err = _cli(capsys, "data", "import", str(f), *options)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {f}, line {line}")
    assert message in err
    assert "internal error" not in err
    assert _hash(store_path) == before


def test_duplicate_against_store_and_replace(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _file(tmp_path, f"{HEADER}\ntin,mine_production,KAZ,2031,10,t,plan A\n")
    code, out, _ = _cli(capsys, "data", "import", str(f))
    assert code == 0 and "imported 1 row(s)" in out and "user:plan A" in out
    after_first = _hash(store_path)
    # the same file again: a duplicate, not a second copy
    code, _, err = _cli(capsys, "data", "import", str(f))
    assert code != 0 and "duplicates the stored user row" in err and err.count("\n") == 1
    assert _hash(store_path) == after_first
    # a corrected value: refused without --replace, replaced with it
    g = _file(tmp_path, f"{HEADER}\ntin,mine_production,KAZ,2031,12,t,plan A\n", "fix.csv")
    code, _, err = _cli(capsys, "data", "import", str(g))
    assert code != 0 and "use --replace" in err
    assert _hash(store_path) == after_first
    code, out, _ = _cli(capsys, "data", "import", str(g), "--replace")
    assert code == 0 and "(1 replaced earlier rows)" in out
    # a second source for the same cell would double-count it
    h = _file(tmp_path, f"{HEADER}\ntin,mine_production,KAZ,2031,12,t,plan B\n", "b.csv")
    before = _hash(store_path)
    code, _, err = _cli(capsys, "data", "import", str(h), "--replace")
    assert code != 0 and "already has a user value" in err and "--source 'plan A'" in err
    assert _hash(store_path) == before
    code, out, _ = _cli(capsys, "data", "remove", "--source", "plan A", "--iso3", "KAZ")
    assert code == 0 and "removed 1 user row(s)" in out


def test_values_converted_to_table_unit(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = _file(tmp_path, f"{HEADER}\ndiamond_industrial,mine_production,KAZ,2030,5,t,survey\n")
    code, _, err = _cli(capsys, "data", "import", str(f))
    assert code == 0 and "converted 1 value(s) from t to ct" in err
    s = Store(store_path)
    row = s.records("SELECT * FROM user_observations WHERE source_id = 'user:survey'")[0]
    s.close()
    assert row["unit"] == "ct" and row["value"] == pytest.approx(25_000_000.0)  # 1 ct = 0.2 g
    assert row["raw_value"] == "5" and row["raw_unit"] == "t"
    assert _cli(capsys, "data", "remove", str(f))[0] == 0


@pytest.mark.parametrize(
    ("body", "options", "value"),
    [
        (
            f'{HEADER}\ngallium,primary_production,KAZ,2032,"1,500",t,S\n',
            ["--thousands", ","],
            1500,
        ),
        (f'{HEADER}\ngallium,primary_production,KAZ,2032,"1,5",t,S\n', ["--decimal", ","], 1.5),
        (
            "commodity;measure;iso3;year;value;unit;source\n"
            "gallium;primary_production;KAZ;2032;1.234,5;t;S\n",
            ["--decimal", ",", "--thousands", "."],
            1234.5,
        ),
        (("\ufeff" + HEADER + "\ngallium,primary_production,KAZ,2032,7,t,S\n").encode(), [], 7),
        ((HEADER + "\ngallium,primary_production,KAZ,2032,8,t,S\n").encode("utf-16"), [], 8),
        (
            (HEADER + ",note\ngallium,primary_production,KAZ,2032,9,t,S,café\n").encode("latin-1"),
            ["--encoding", "latin-1"],
            9,
        ),
    ],
    ids=["thousands", "decimal-comma", "semicolon", "utf8-bom", "utf16-bom", "latin1-declared"],
)
def test_declared_formats_accepted(
    store_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str | bytes,
    options: list[str],
    value: float,
) -> None:
    before = _hash(store_path)
    f = _file(tmp_path, body)
    code, _, err = _cli(capsys, "data", "import", str(f), *options)
    assert code == 0, err
    s = Store(store_path)
    row = s.records("SELECT * FROM user_observations WHERE source_id = 'user:S'")[0]
    s.close()
    assert row["value"] == pytest.approx(value)
    if "latin-1" in options:
        assert row["note"] == "café"
    code, _, err = _cli(capsys, "data", "remove", str(f), *options)
    assert code == 0, err
    assert _hash(store_path) == before


def test_user_rows_carry_their_own_source(store_path: Path, tmp_path: Path) -> None:
    reset_store()
    f = _file(tmp_path, f"{HEADER},edition\n{ROW},2025 plan\n")
    s = Store(store_path, read_only=False)
    try:
        import_file(f, s)
        df = critmin.production("gallium", 2026, store=s)
        kaz = df[df["iso3"] == "KAZ"].iloc[0]
        assert kaz["edition"] == "user:ERG:2025 plan" and kaz["source_id"] == "user:ERG"
        assert not df["edition"].isin(["MCS2025", "MCS2026"]).any()
        assert "user:ERG" in set(s.sources()["source_id"])
        assert remove_observations(s, f) == 1
        assert "user:ERG" not in set(s.sources()["source_id"])
    finally:
        s.close()


def test_remove_refuses_rows_not_in_store(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _hash(store_path)
    f = _file(tmp_path, f"{HEADER}\n{ROW}\n")
    code, _, err = _cli(capsys, "data", "remove", str(f))
    assert code != 0 and "no user row for" in err and err.count("\n") == 1
    code, _, err = _cli(capsys, "data", "remove", "--source", "nobody")
    assert code != 0 and "no user rows match" in err
    code, _, err = _cli(capsys, "data", "remove")
    assert code != 0 and err.count("\n") == 1
    assert _hash(store_path) == before


_CELLS = st.tuples(
    st.sampled_from(["gallium", "tin", "lithium", "cobalt"]),
    st.sampled_from(["KAZ", "AUS", "CHL", "COD", "DEU"]),
    st.integers(2030, 2100),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.tuples(
            _CELLS,
            st.one_of(
                st.floats(0, 1e9, allow_nan=False).map(lambda x: f"{x:.6g}"),
                st.just(""),
            ),
            st.sampled_from(["t", "kg", "kt"]),
            st.sampled_from(["A", "B source", "Ünïcode"]),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda r: r[0],
    )
)
def test_import_then_remove_restores_store_hash(
    store_path: Path, tmp_path: Path, rows: list[tuple[tuple[str, str, int], str, str, str]]
) -> None:
    lines = [HEADER + ",qualifier"]
    for (c, iso3, year), value, unit, src in rows:
        q = "withheld" if value == "" else "estimated"
        lines.append(f"{c},mine_production,{iso3},{year},{value},{unit},{src},{q}")
    f = tmp_path / "prop.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reset_store()
    s = Store(store_path, read_only=False)
    try:
        before = s.user_data_hash()
        assert import_file(f, s).added == len(rows)
        assert s.user_data_hash() != before
        assert remove_observations(s, f) == len(rows)
        assert s.user_data_hash() == before
    finally:
        s.close()


# ------------------------------------------------------------ store opening
def test_unreadable_store_is_backed_up_not_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "broken.duckdb"
    db.write_bytes(b"this is not a database, but it could hold 26 user rows" * 100)
    before = db.read_bytes()
    with pytest.raises(StoreError, match="was not rebuilt") as ei:
        Store(db)
    msg = str(ei.value)
    assert "\n" not in msg and "was copied to" in msg
    assert db.read_bytes() == before
    backups = list(tmp_path.glob("broken.duckdb.backup-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    with pytest.raises(StoreError):  # again: same backup, no second copy, no rebuild
        Store(db)
    assert len(list(tmp_path.glob("broken.duckdb.backup-*"))) == 1


def test_rebuild_carries_every_user_row_or_stops(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    f = _file(tmp_path, f"{HEADER}\n{ROW}\ntin,mine_production,KAZ,2030,3,t,ERG\n")
    s = Store(db, read_only=False)
    import_file(f, s)
    rows = s.records("SELECT * FROM user_observations ORDER BY ALL")
    s.con.execute("UPDATE meta SET value = 'an older dataset'")
    s.close()
    s = Store(db)  # fingerprint differs: rebuilt, user rows carried over
    assert s.records("SELECT * FROM user_observations ORDER BY ALL") == rows
    s.close()
    # a user table that cannot be carried over: stop, back up, keep the file
    s = Store(db, read_only=False)
    s.con.execute("ALTER TABLE user_observations ALTER year TYPE VARCHAR")
    s.con.execute("UPDATE user_observations SET year = 'twenty' WHERE commodity = 'tin'")
    s.con.execute("UPDATE meta SET value = 'an older dataset'")
    s.close()
    with pytest.raises(StoreError, match="cannot be carried over") as ei:
        Store(db)
    assert "\n" not in str(ei.value) and list(tmp_path.glob("old.duckdb.backup-*"))
    s = Store.__new__(Store)  # the file itself is untouched: still the old dataset
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM user_observations").fetchone() == (2,)
    con.close()


def _hold(db: Path, read_only: bool) -> subprocess.Popen[str]:
    code = (
        "import duckdb, sys, time\n"
        f"c = duckdb.connect({str(db)!r}, read_only={read_only})\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    return p


def test_lock_conflict_names_the_process(tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    Store(db).close()
    reader = _hold(db, read_only=True)  # e.g. `critmin serve`
    try:
        Store(db).close()  # reads coexist with it
        with pytest.raises(StoreError) as ei:
            Store(db, read_only=False)
        msg = str(ei.value)
        assert f"locked by process {reader.pid}" in msg and f"kill {reader.pid}" in msg
        assert "\n" not in msg
    finally:
        assert reader.stdin is not None
        reader.communicate("\n")
    writer = _hold(db, read_only=False)  # e.g. a long `critmin data import`
    try:
        with pytest.raises(StoreError, match=f"locked by process {writer.pid}.*writing"):
            Store(db)
    finally:
        assert writer.stdin is not None
        writer.communicate("\n")


# ------------------------------------------------------- shared rules (API)
@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("1500", {}, 1500.0),
        ("1.5e3", {}, 1500.0),
        ("1,500", {"thousands": ","}, 1500.0),
        ("1,5", {"decimal": ","}, 1.5),
        ("1.234.567,8", {"decimal": ",", "thousands": "."}, 1234567.8),
        ("1 234", {"thousands": " "}, 1234.0),
    ],
)
def test_parse_number_declared(text: str, options: dict[str, str], expected: float) -> None:
    assert v.parse_number(text, **options) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "options"),
    [("1,5", {}), ("1,500", {}), ("1,5", {"thousands": ","}), ("1.5", {"decimal": ","}),
     ("nan", {}), ("inf", {}), ("1e400", {}), ("12,34,567", {"thousands": ","})],
)  # fmt: skip
def test_parse_number_refuses_ambiguous(text: str, options: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        v.parse_number(text, **options)


def test_read_user_csv_applies_the_same_rules(store_path: Path, tmp_path: Path) -> None:
    reset_store()
    s = Store(store_path)
    try:
        f = _file(tmp_path, f"{HEADER}\ndiamond_industrial,mine_production,KAZ,2030,5,t,x\n")
        df = read_user_csv(f, store=s)
        assert df.iloc[0]["unit"] == "ct" and df.iloc[0]["value"] == pytest.approx(2.5e7)
        dup = _file(tmp_path, f"{HEADER}\n{ROW}\n{ROW}\n", "dup.csv")
        with pytest.raises(
            critmin.errors.InputFileError,
            match="duplicate of line 2",
        ):
            read_user_csv(dup, store=s)
        with pytest.raises(critmin.errors.InputFileError, match="aggregate"):  # without a store
            read_user_csv(_file(tmp_path, f"{HEADER}\n{ROW.replace('KAZ', 'XAG')}\n"), {"XAG": "x"})
    finally:
        s.close()
