"""No 500 from input, bounded errors, rate limits and fair jobs (issue 17).

The corpus covers encodings, separators, ranges, aggregates, nesting and sizes; every
answer must be a 4xx naming the problem, never a 5xx.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from api_testkit import API_KEY, OTHER_KEY, make_client

H = "commodity,measure,iso3,year,value,unit,source\n"
ROW = "gallium,mine_production,KAZ,2024,{v},t,enquête\n"

#: (name, body, expected status, words the message must contain)
CSV_CORPUS: list[tuple[str, bytes, int, tuple[str, ...]]] = [
    ("utf-8", (H + ROW.format(v="15.5")).encode(), 200, ()),
    ("utf-16 with BOM", (H + ROW.format(v="15.5")).encode("utf-16"), 200, ()),
    ("latin-1", (H + ROW.format(v="15.5")).encode("latin-1"), 422, ("line 2", "Latin-1")),
    ("utf-16 no BOM", (H + ROW.format(v="15.5")).encode("utf-16-le"), 422, ("line 1", "UTF-16")),
    ("decimal comma", (H + ROW.format(v='"15,5"')).encode(), 422, ("line 2", "15,5")),
    ("year 0", (H + ROW.format(v="1").replace("2024", "0")).encode(), 422, ("line 2", "year 0")),
    ("year 99999", (H + ROW.format(v="1").replace("2024", "99999")).encode(), 422, ("99999",)),
    ("ragged short", (H + "gallium,mine_production,KAZ,2024,1,t\n").encode(), 422, ("ragged",)),
    ("ragged long", (H + ROW.format(v="1,x")).encode(), 422, ("ragged",)),
    ("1e300 t", (H + ROW.format(v="1e300")).encode(), 422, ("line 2", "large")),
    ("nan", (H + ROW.format(v="nan")).encode(), 422, ("line 2",)),
    ("inf", (H + ROW.format(v="inf")).encode(), 422, ("line 2",)),
    ("aggregate WLD", (H + ROW.format(v="1").replace("KAZ", "WLD")).encode(), 422, ("aggregate",)),
    ("empty", b"", 422, ("empty",)),
    ("binary", b"\x00\xff\xfe\x00garbage", 422, ()),
    ("header only", H.encode(), 422, ("no data rows",)),
    (
        "semicolons",
        H.replace(",", ";").encode() + b"gallium;mine_production;KAZ;2024;1;t;x\n",
        200,
        (),
    ),
    ("CR line ends", (H + ROW.format(v="1")).replace("\n", "\r\n").encode(), 200, ()),
    ("unknown column", (H.strip() + ",zzz\n" + ROW.format(v="1,z")).encode(), 422, ("zzz",)),
]


@pytest.fixture(scope="module")
def rclient(api_settings: Any) -> Any:
    with make_client(api_settings) as c:
        yield c


@pytest.mark.parametrize(
    ("name", "body", "status", "words"), CSV_CORPUS, ids=[c[0] for c in CSV_CORPUS]
)
def test_csv_corpus_never_500(
    rclient: Any, name: str, body: bytes, status: int, words: tuple[str, ...]
) -> None:
    r = rclient.post(
        "/api/v1/imports/validate",
        headers={"X-API-Key": API_KEY},
        files={"file": ("u.csv", body)},
    )
    assert r.status_code < 500, r.text
    if status == 200 and r.status_code == 422:  # a rule of the shared module may be stricter
        pytest.fail(f"{name}: refused: {r.text}")
    assert r.status_code == status, r.text
    for w in words:
        assert w in r.json()["detail"], r.json()["detail"]


def test_named_encoding_and_decimal_comma_are_accepted(rclient: Any) -> None:
    auth = {"X-API-Key": API_KEY}
    latin = (H + ROW.format(v="15.5")).encode("latin-1")
    r = rclient.post(
        "/api/v1/imports/validate",
        headers=auth,
        files={"file": ("u.csv", latin)},
        data={"encoding": "latin-1"},
    )
    assert r.status_code == 200, r.text
    comma = (H + ROW.format(v='"15,5"')).encode()
    r = rclient.post(
        "/api/v1/imports/validate",
        headers=auth,
        files={"file": ("u.csv", comma)},
        data={"decimal": ","},
    )
    assert r.status_code == 200 and r.json()[0]["value"] == 15.5, r.text
    r = rclient.post(
        "/api/v1/imports/validate",
        headers=auth,
        files={"file": ("u.csv", comma)},
        data={"thousands": ","},
    )
    assert r.status_code == 422  # "15,5" is not a thousands grouping: never 155
    r = rclient.post(
        "/api/v1/imports/validate",
        headers=auth,
        files={"file": ("u.csv", latin)},
        data={"encoding": "rot13"},
    )
    assert r.status_code == 422 and "encoding" in r.json()["detail"]


DEEP = "a: " + "[" * 600 + "]" * 600 + "\n"
DEEP_MAP = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/claims/check", "file"),
        ("/api/v1/scenarios", "spec"),
        ("/api/v1/valuations", "spec"),
    ],
)
@pytest.mark.parametrize(
    "body",
    [DEEP, DEEP_MAP, "a: &x [*x]\n", "\ud800: 1\n"],
    ids=["seq", "map", "alias", "surrogate"],
)
def test_yaml_bodies_are_bounded(
    rclient: Any, url: str, field: str, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        r = rclient.post(
            url,
            headers={"X-API-Key": API_KEY},
            files={field: ("x.yaml", body.encode("utf-8", "surrogatepass"))},
        )
    assert r.status_code == 422, r.text
    assert len(caplog.text) < 5000


def test_latin1_yaml_is_422(rclient: Any) -> None:
    r = rclient.post(
        "/api/v1/claims/check",
        headers={"X-API-Key": API_KEY},
        files={"file": ("c.yaml", "name: enquête\n".encode("latin-1"))},
    )
    assert r.status_code == 422


@pytest.mark.parametrize("add", ["WLD=15t", "KAZ=1e300t", "KAZ=15,5t", "KAZ=-1t", "=15t", "KAZ="])
def test_what_if_refuses(rclient: Any, add: str) -> None:
    r = rclient.get("/api/v1/rank/gallium", params={"add": add})
    assert r.status_code == 422, r.text


def test_unexpected_error_is_one_bounded_500(
    api_settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with make_client(api_settings) as c:

        @c.app.get("/boom")
        def boom() -> None:
            def down(n: int) -> int:
                return down(n + 1)

            down(0)  # RecursionError: a traceback of ~1,000 frames

        with caplog.at_level(logging.ERROR):
            r = c.get("/boom")
        assert r.status_code == 500
        body = r.json()
        assert body["detail"] == "internal error" and len(body["error_id"]) == 12
        assert r.headers["connection"] == "close"
        mine = [rec for rec in caplog.records if body["error_id"] in rec.getMessage()]
        assert len(mine) == 1
        assert len(caplog.text) < 6000
        assert c.get("/api/v1/health").status_code == 200


def test_rate_limits_per_client_and_per_key(api_settings: Any) -> None:
    s = api_settings.model_copy(update={"rate_per_client": 5, "rate_per_key": 3})
    with make_client(s) as c:
        codes = [
            c.get("/api/v1/jobs", headers={"X-API-Key": API_KEY}).status_code for _ in range(4)
        ]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
    with make_client(s) as c:
        codes = [c.get("/api/v1/health").status_code for _ in range(6)]
        assert codes[:5] == [200] * 5
        r = c.get("/api/v1/health")
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 61
        assert "client" in r.json()["detail"]


# ----------------------------------------------------------------- jobs
def _wait_state(job: Any, states: tuple[str, ...], seconds: float = 10) -> str:
    deadline = time.monotonic() + seconds
    while job.status() not in states and time.monotonic() < deadline:
        time.sleep(0.02)
    return str(job.status())


def test_job_states_positions_cancel_and_round_robin(api_settings: Any) -> None:
    from critmin.api.jobs import JobManager

    jm = JobManager(api_settings.model_copy(update={"workers": 1, "max_runs_per_key": 5}))
    gate = threading.Event()
    order: list[str] = []

    def work(tag: str) -> str:
        order.append(tag)
        gate.wait(10)
        return tag

    try:
        a1 = jm.submit("t", "A", work, "a1")
        assert _wait_state(a1, ("running",)) == "running"
        a2 = jm.submit("t", "A", work, "a2")
        a3 = jm.submit("t", "A", work, "a3")
        b1 = jm.submit("t", "B", work, "b1")
        # A was served last, so B's first job goes before A's second and third
        assert b1.status() == "queued" and b1.describe()["queue_position"] == 1
        assert a2.describe()["queue_position"] == 2
        assert a3.describe()["queue_position"] == 3
        jm.cancel(a3.id, "A")
        assert a3.status() == "cancelled" and a3.error() == (409, "the job was cancelled")
        gate.set()
        for j in (a1, a2, b1):
            assert _wait_state(j, ("done",)) == "done"
        assert order == ["a1", "b1", "a2"]  # round-robin between keys
    finally:
        gate.set()
        jm.shutdown()


def test_wall_time_limit_and_memory_budget(api_settings: Any) -> None:
    from critmin.api.jobs import JobManager, estimate_bytes
    from critmin.errors import ResourceLimitError

    jm = JobManager(api_settings.model_copy(update={"job_timeout_s": 0.3, "workers": 1}))
    gate = threading.Event()
    try:
        j = jm.submit("t", "A", gate.wait, 5)
        assert _wait_state(j, ("failed",), 5) == "failed"
        assert j.error() is not None and j.error()[0] == 504 and "wall-time" in j.error()[1]
    finally:
        gate.set()
        jm.shutdown()
    # 40,000 draws x 600 periods measured 2.24 GB (issue 17): the estimate covers it.
    assert estimate_bytes(40_000, 600) >= 2.24e9
    with pytest.raises(ResourceLimitError, match="job budget"):
        JobManager(api_settings).check_budget(40_000, 600, "scenario 'x'")


def test_cancel_and_delete_over_http(client: Any) -> None:
    from critmin.api.security import KeyChecker

    gate = threading.Event()
    jobs = client.app.state.jobs
    caller = KeyChecker((OTHER_KEY,)).check(OTHER_KEY)
    assert caller is not None
    job = jobs.submit("test", caller.key_id, gate.wait, 10)
    try:
        r = client.delete(f"/api/v1/jobs/{job.id}", headers={"X-API-Key": OTHER_KEY})
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        r = client.get(f"/api/v1/jobs/{job.id}/result", headers={"X-API-Key": OTHER_KEY})
        assert r.status_code == 409
        r = client.delete(f"/api/v1/jobs/{job.id}", headers={"X-API-Key": API_KEY})
        assert r.status_code == 404  # another key's job
    finally:
        gate.set()


def test_memory_budget_over_http(api_settings: Any) -> None:
    from pathlib import Path

    spec = (
        Path(__file__).resolve().parents[2] / "examples/scenarios/gallium-export-restriction.yaml"
    )
    with make_client(api_settings.model_copy(update={"job_memory_bytes": 10 * 2**20})) as c:
        r = c.post(
            "/api/v1/scenarios",
            headers={"X-API-Key": API_KEY},
            files={"spec": ("s.yaml", spec.read_bytes())},
            data={"draws": "20000"},  # 20,000 x 36 periods x 12 arrays x 8 B = 66 MiB
        )
    assert r.status_code == 422 and "job budget" in r.json()["detail"], r.text
