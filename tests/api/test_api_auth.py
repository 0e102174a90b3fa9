"""API keys, limits (body size, draws, runs per key) and upload safety."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from api_testkit import API_KEY, OTHER_KEY, make_client

PROJECT = """
kind: project
name: Test mine
commodity: tin
currency: USD
base_year: 2025
valuation_year: 2025
production:
  basis: product
  start_year: {value: 2027, source: assumption}
  life_years: {value: 5, source: assumption}
  capacity_tpa: {value: 1000, source: assumption}
capex:
  total: {value: 10000000, source: assumption}
  phasing: {value: {2026: 1.0}, source: assumption}
costs:
  per_t_product: {value: 10000, source: assumption}
fiscal:
  royalty_rate: {value: 0.05, source: assumption}
  income_tax_rate: {value: 0.2, source: assumption}
discount:
  rate: {value: 0.08, source: assumption}
  basis: real
price:
  unit: USD/t
  deck:
    kind: flat
    price: {value: 30000, source: assumption}
  model:
    history: {kind: store, series: wb_tin, source: assumption, start: 1960, end: 2025}
    level: fitted
    start: deck
monte_carlo: {draws: 0, seed: 1}
"""

WRITE_ENDPOINTS = [
    ("post", "/api/v1/valuations", {"files": {"spec": ("p.yaml", PROJECT.encode())}}),
    ("post", "/api/v1/imports/validate", {"files": {"file": ("u.csv", b"a,b\n1,2\n")}}),
    ("get", "/api/v1/jobs", {}),
    ("get", "/api/v1/jobs/abcdefgh12345678", {}),
    ("delete", "/api/v1/jobs/abcdefgh12345678", {}),
]


@pytest.mark.parametrize(("method", "url", "kw"), WRITE_ENDPOINTS)
@pytest.mark.parametrize("key", [None, "wrong-key", API_KEY[:-1], ""])
def test_missing_or_wrong_key_is_401(
    client: Any, method: str, url: str, kw: dict[str, Any], key: str | None
) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    r = getattr(client, method)(url, headers=headers, **kw)
    assert r.status_code == 401, r.text
    assert "key" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "X-API-Key"


def test_right_key_is_accepted(client: Any, auth: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/valuations", headers=auth, files={"spec": ("p.yaml", PROJECT.encode())}
    )
    assert r.status_code == 202, r.text
    assert client.get("/api/v1/jobs", headers=auth).status_code == 200


def test_reads_need_no_key(client: Any) -> None:
    assert client.get("/api/v1/production/tin").status_code == 200


def test_no_keys_configured_refuses_runs(api_settings: Any) -> None:
    s = api_settings.model_copy(update={"api_keys": ()})
    with make_client(s) as c:
        r = c.get("/api/v1/jobs", headers={"X-API-Key": ""})
        assert r.status_code == 401
        assert "none configured" in r.json()["detail"]


def test_keys_from_env_and_file(tmp_path: Any) -> None:
    from critmin.api.settings import Settings
    from critmin.errors import ValidationError

    f = tmp_path / "keys"
    f.write_text("# comment\nfile-key-1\n\nfile-key-2  # trailing\n")
    s = Settings.from_env({"CRITMIN_API_KEYS": "a, b,", "CRITMIN_API_KEYS_FILE": str(f)})
    assert s.api_keys == ("a", "b", "file-key-1", "file-key-2")
    s2 = Settings.from_env({"CRITMIN_API_MAX_DRAWS": "10", "CRITMIN_API_EXECUTOR": "thread"})
    assert s2.max_draws == 10 and s2.executor == "thread"
    with pytest.raises(ValidationError, match="CRITMIN_API_MAX_DRAWS"):
        Settings.from_env({"CRITMIN_API_MAX_DRAWS": "lots"})
    with pytest.raises(ValidationError, match="keys file"):
        Settings.from_env({"CRITMIN_API_KEYS_FILE": str(tmp_path / "missing")})


def test_key_checker_compares_every_key() -> None:
    from critmin.api.security import KeyChecker

    k = KeyChecker(("alpha", "beta"))
    assert k.check("beta") is not None
    assert k.check("alpha").key_id != k.check("beta").key_id  # type: ignore[union-attr]
    assert k.check("gamma") is None and k.check(None) is None and k.check("") is None
    assert k.check("bétà") is None


def test_body_size_limit(client: Any, auth: dict[str, str]) -> None:
    big = b"x" * (client.app.state.settings.max_body_bytes + 10)
    r = client.post("/api/v1/imports/validate", headers=auth, files={"file": ("a.csv", big)})
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(5):
            yield b"y" * (client.app.state.settings.max_body_bytes // 4)

    r = client.post(
        "/api/v1/imports/validate",
        headers={**auth, "Content-Type": "multipart/form-data; boundary=zzz"},
        content=chunks(),
    )
    assert r.status_code == 413


def test_draws_limit(client: Any, auth: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/valuations",
        headers=auth,
        files={"spec": ("p.yaml", PROJECT.encode())},
        data={"draws": "50001"},
    )
    assert r.status_code == 422
    assert "limit of 50000" in r.json()["detail"]
    r = client.post(
        "/api/v1/valuations",
        headers=auth,
        files={"spec": ("p.yaml", PROJECT.replace("draws: 0", "draws: 900000").encode())},
    )
    assert r.status_code == 422


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../etc/passwd", "data/../../x.csv"])
def test_spec_cannot_name_server_paths(client: Any, auth: dict[str, str], path: str) -> None:
    spec = PROJECT.replace(
        "    kind: flat\n    price: {value: 30000, source: assumption}",
        f"    kind: csv\n    path: {path}",
    )
    r = client.post("/api/v1/valuations", headers=auth, files={"spec": ("p.yaml", spec.encode())})
    assert r.status_code == 422, r.text
    assert "upload it with the spec" in r.json()["detail"]


def test_upload_names_are_sanitised(client: Any, auth: dict[str, str]) -> None:
    r = client.post(
        "/api/v1/imports/validate",
        headers=auth,
        files={"file": ("../../etc/.hidden", b"x")},
    )
    assert r.status_code == 422
    assert "not accepted" in r.json()["detail"]


def test_import_validation_names_line_and_column(client: Any, auth: dict[str, str]) -> None:
    good = b"commodity,measure,iso3,year,value,unit,source\ngallium,primary_production,KAZ,2024,15000,kg,news\n"
    r = client.post("/api/v1/imports/validate", headers=auth, files={"file": ("u.csv", good)})
    assert r.status_code == 200, r.text
    row = r.json()[0]
    assert row["value"] == pytest.approx(15.0) and row["unit"] == "t"
    bad = good + b"gallium,primary_production,XXX,2024,1,t,n\n"
    r = client.post("/api/v1/imports/validate", headers=auth, files={"file": ("u.csv", bad)})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert d.startswith("u.csv, line 3, column 'iso3'") and "/tmp" not in d


def test_runs_per_key_limit_and_job_privacy(api_settings: Any) -> None:
    from fastapi import HTTPException

    from critmin.api.jobs import JobManager

    gate = threading.Event()
    jm = JobManager(api_settings.model_copy(update={"max_runs_per_key": 2, "workers": 3}))
    try:
        a = jm.submit("test", "key-a", gate.wait, 10)
        jm.submit("test", "key-a", gate.wait, 10)
        with pytest.raises(HTTPException) as e:
            jm.submit("test", "key-a", gate.wait, 10)
        assert e.value.status_code == 429
        jm.submit("test", "key-b", gate.wait, 10)  # other keys are not blocked
        with pytest.raises(HTTPException) as e:
            jm.get(a.id, "key-b")
        assert e.value.status_code == 404
        assert a.status() in ("queued", "running")
        gate.set()
        deadline = time.monotonic() + 10
        while a.status() != "done" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert a.status() == "done"
        jm.submit("test", "key-a", gate.wait, 10)
    finally:
        gate.set()
        jm.shutdown()


def test_429_over_http(client: Any) -> None:
    gate = threading.Event()
    jobs = client.app.state.jobs
    from critmin.api.security import KeyChecker

    caller = KeyChecker((OTHER_KEY,)).check(OTHER_KEY)
    assert caller is not None
    held = [
        jobs.submit("test", caller.key_id, gate.wait, 10)
        for _ in range(client.app.state.settings.max_runs_per_key)
    ]
    try:
        r = client.post(
            "/api/v1/valuations",
            headers={"X-API-Key": OTHER_KEY},
            files={"spec": ("p.yaml", PROJECT.encode())},
        )
        assert r.status_code == 429
        assert r.headers["retry-after"] == "5"
    finally:
        gate.set()
        deadline = time.monotonic() + 10
        while any(j.status() != "done" for j in held) and time.monotonic() < deadline:
            time.sleep(0.02)
