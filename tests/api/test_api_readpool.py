"""Read worker processes (:mod:`critmin.api.readpool`) and the reads they run.

The reference for every answer of the pool is the same app with the thread executor
(reads computed in the server's threads on the plain store): status and body must be
byte-identical. The row-built what-if JSON (:func:`critmin.api.reads.rank_rows`) is
checked against the DataFrame path it replaces (``records(rank_table(...))``), and the
country top-N filtered from cached rows against the filtered DataFrame.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from api_testkit import API_KEY, make_client

from critmin.api import reads
from critmin.api.deps import ReadCache
from critmin.api.names import NOTES_HEADER
from critmin.api.responses import _portable, json_body

URLS = [
    "/api/v1/rank/gallium?year=2024&add=KAZ=15t",
    "/api/v1/rank/gallium?year=2024&add=KAZ=15000kg&remove=USA",
    "/api/v1/rank/tin?add=Chile=3t&format=csv",
    "/api/v1/rank/gallium?year=1850&add=KAZ=1t",
    "/api/v1/rank/gallium?add=WLD=15t",
    "/api/v1/production/gallium",
    "/api/v1/production/copper?format=csv",
    "/api/v1/production/cobalt",
    "/api/v1/production/boron",
    "/api/v1/rank/antimony?year=2024",
    "/api/v1/rank/cobalt?add=Korea=1000t&format=csv",
    "/api/v1/concentration/cobalt",
    "/api/v1/reserves/cobalt?format=csv",
    "/api/v1/concentration/tin",
    "/api/v1/reserves/lithium",
    "/api/v1/prices/tin?start=2015&end=2025&annual=true",
    "/api/v1/price-change/tin?start=2015&end=2020",
    "/api/v1/commodities",
    "/api/v1/commodities/gallium",
    "/api/v1/countries",
    "/api/v1/countries/Kazakhstan?top=3",
    "/api/v1/countries/KAZ?top=50&format=csv",
    "/api/v1/countries/Nowhereland",
    "/api/v1/production/unobtainium",
    "/api/v1/revisions/gallium",
    "/api/v1/sources",
    "/api/v1/risk?importer=EU27&method=hhi",
]


def _settings(executor: str, read_workers: int = 1) -> Any:
    from critmin.api.settings import Settings

    return Settings(
        api_keys=(API_KEY,),
        executor=executor,  # type: ignore[arg-type]
        read_workers=read_workers,
        rate_per_client=0,
        rate_per_key=0,
    )


@pytest.fixture(scope="module")
def pooled() -> Iterator[Any]:
    """An app with the process executor: one read worker process."""
    with make_client(_settings("process")) as c:
        deadline = time.monotonic() + 120
        while c.get("/api/v1/health").json()["read_pool"]["ready"] < 1:
            assert time.monotonic() < deadline, "the read worker did not start"
            time.sleep(0.1)
        yield c


def test_pool_answers_as_threads_do(pooled: Any, client: Any) -> None:
    """Every read, its errors included, is byte-identical with and without the pool, and
    says the same notes (name and table notes, ``X-Critmin-Notes``)."""
    before = pooled.get("/api/v1/health").json()["read_pool"]["calls"]
    for url in URLS:
        a, b = pooled.get(url), client.get(url)
        assert (a.status_code, a.content) == (b.status_code, b.content), url
        assert a.headers.get(NOTES_HEADER) == b.headers.get(NOTES_HEADER), url
        assert a.status_code < 500, url
    pool = pooled.get("/api/v1/health").json()["read_pool"]
    assert pool["calls"] - before >= 15 and pool["broken"] is None and pool["replaced"] == 0


def test_pool_carries_table_notes(pooled: Any) -> None:
    """Notes computed in a read worker come back with the body, and with the cached body."""
    import json

    for url, note in (
        ("/api/v1/rank/gallium?year=2024&add=KAZ=21t", "ASSUMPTION (what-if): add 21 t to KAZ"),
        ("/api/v1/production/cobalt?year=2024&format=csv", "measure: primary measure"),
    ):
        first = pooled.get(url)
        assert first.status_code == 200 and json.loads(first.headers[NOTES_HEADER])[-1].startswith(
            note
        ), url
        hits = pooled.app.state.cache.hits
        second = pooled.get(url)
        assert pooled.app.state.cache.hits == hits + 1
        assert second.headers[NOTES_HEADER] == first.headers[NOTES_HEADER], url


def test_worker_is_tied_to_the_server(pooled: Any) -> None:
    """A read worker carries the server's id (stale-worker report) and runs at niceness 0."""
    from critmin.api.lifecycle import SERVER_ENV

    (pid,) = pooled.app.state.read_pool.pids()
    from pathlib import Path

    env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"{SERVER_ENV}={os.getpid()}".encode() in env
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0)


def test_dead_worker_is_replaced(pooled: Any) -> None:
    """A killed worker is replaced; later reads answer 200."""
    pool = pooled.app.state.read_pool
    (pid,) = pool.pids()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 120
    while not (pool.pids() and pool.pids()[0] != pid and pool.describe()["ready"] == 1):
        assert time.monotonic() < deadline, "no replacement worker"
        time.sleep(0.1)
    assert pool.describe()["replaced"] == 1
    r = pooled.get("/api/v1/rank/gallium?year=2024&add=KAZ=77t")
    assert r.status_code == 200 and any(row["what_if"] for row in r.json())


def test_workers_end_with_the_app() -> None:
    with make_client(_settings("process", read_workers=2)) as c:
        pool = c.app.state.read_pool
        deadline = time.monotonic() + 120
        while pool.describe()["ready"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        pids = pool.pids()
        assert c.get("/api/v1/rank/tin?add=KAZ=5t").status_code == 200
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_thread_executor_has_no_pool(client: Any) -> None:
    assert client.get("/api/v1/health").json()["read_pool"] is None


@pytest.mark.parametrize("commodity", ["gallium", "tin", "copper", "lithium", "cobalt"])
@pytest.mark.parametrize("year", [None, 2020])
@pytest.mark.parametrize(
    ("adds", "remove"),
    [((), ()), ((("KAZ", "15t"),), ()), ((("KAZ", "15000 kg"), ("Chile", "3t")), ("CHN",))],
)
def test_rank_rows_match_the_table(
    commodity: str, year: int | None, adds: tuple[tuple[str, str], ...], remove: tuple[str, ...]
) -> None:
    """The row-built what-if JSON equals the DataFrame path's, key for key and value for value."""
    from critmin.errors import CritminError

    args = (commodity, year, None, None, None, adds, remove)
    try:
        table = json_body(reads.rank_table(*args))
    except CritminError as exc:  # no data that year: the same refusal
        with pytest.raises(type(exc), match="^" + re.escape(str(exc)) + "$"):
            reads.rank_rows(*args)
        return
    assert json_body(reads.rank_rows(*args)) == table


@pytest.mark.parametrize("name", ["Kazakhstan", "CHN", "Chile"])
def test_country_rows_filter_matches_the_table(name: str) -> None:
    full, rows = reads.country_profile_rows(name, None, 50)
    for top in (1, 2, 5, 10, 50):
        picked = [r for r in rows if r["rank"] is not None and r["rank"] <= top]
        assert json_body(picked) == json_body(reads.country_top(full, top))


def test_memo_store_hands_out_copies() -> None:
    from critmin.data.memo import MemoStore
    from critmin.data.store import default_path

    st = MemoStore(default_path())
    try:
        q = "SELECT iso3, name FROM countries WHERE iso3 = ?"
        first = st.records(q, ["KAZ"])
        first[0]["name"] = "changed"
        first.append({"iso3": "XXX"})
        again = st.records(q, ["KAZ"])
        assert again == [{"iso3": "KAZ", "name": "Kazakhstan"}] and st.memo_hits == 1
        df = st.sql("SELECT iso3 FROM countries WHERE iso3 IN (?, ?) ORDER BY iso3", ["CHN", "KAZ"])
        df.loc[0, "iso3"] = "ZZZ"
        assert st.sql(
            "SELECT iso3 FROM countries WHERE iso3 IN (?, ?) ORDER BY iso3", ["CHN", "KAZ"]
        )["iso3"].tolist() == ["CHN", "KAZ"]
        names = st.country_names(["KAZ"])
        names["KAZ"] = "changed"
        assert st.country_names(["KAZ"]) == {"KAZ": "Kazakhstan"}
        assert st.resolve_iso3("Kazakhstan") == "KAZ" == st.resolve_iso3("Kazakhstan")
    finally:
        st.close()


def test_portable_calls() -> None:
    def local() -> None:
        pass

    assert _portable(partial(reads.rank_rows, "tin"))
    assert not _portable(local)
    assert not _portable(lambda: None)
    assert not _portable(partial(json_body, local))  # a closure inside a partial


def test_async_single_flight() -> None:
    """Concurrent misses of one key await one computation; a failure is not shared."""
    cache = ReadCache(8)
    calls = 0

    async def make() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return "v"

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ValueError("no")

    async def main() -> None:
        nonlocal calls
        out = await asyncio.gather(*(cache.aget("k", make) for _ in range(10)))
        assert out == ["v"] * 10 and calls == 1
        assert await cache.aget("k", make) == "v" and calls == 1
        calls = 0
        res = await asyncio.gather(
            *(cache.aget("e", failing) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, ValueError) for r in res) and calls == 3

    asyncio.run(main())
