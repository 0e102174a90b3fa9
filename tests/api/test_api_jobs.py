"""Heavy runs through the worker pool: valuation (process pool), scenario, claims."""

from __future__ import annotations

import time
from typing import Any

from api_testkit import make_client
from test_api_auth import PROJECT


def _wait(client: Any, job_id: str, headers: dict[str, str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        st: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if st["status"] in ("done", "failed") or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


def test_valuation_job_in_a_process_pool(api_settings: Any, auth: dict[str, str]) -> None:
    s = api_settings.model_copy(update={"executor": "process", "workers": 1})
    with make_client(s) as c:
        r = c.post(
            "/api/v1/valuations",
            headers=auth,
            files={"spec": ("p.yaml", PROJECT.encode())},
            data={"draws": "500", "seed": "7"},
        )
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["params"]["draws"] == 500 and job["status"] in ("queued", "running", "done")
        early = c.get(job["result_url"], headers=auth)
        assert early.status_code in (200, 409)
        st = _wait(c, job["job_id"], auth)
        assert st["status"] == "done", st
        res = c.get(job["result_url"], headers=auth).json()
    assert res["kind"] == "project"
    assert res["mc_draws"] == 500
    assert res["npv_usd"] > 0
    assert sum(b["count"] for b in res["npv_histogram"]) == 500
    assert {r["metric"] for r in res["summary"]} >= {"npv_usd", "irr"}


def test_failed_job_reports_one_line(client: Any, auth: dict[str, str]) -> None:
    spec = PROJECT.replace(
        "kind: flat\n    price: {value: 30000, source: assumption}",
        "kind: store\n    series: no_such_series",
    )
    r = client.post("/api/v1/valuations", headers=auth, files={"spec": ("p.yaml", spec.encode())})
    assert r.status_code == 202, r.text
    st = _wait(client, r.json()["job_id"], auth)
    assert st["status"] == "failed" and "\n" not in st["error"]
    res = client.get(r.json()["result_url"], headers=auth)
    assert res.status_code in (404, 422)
    assert "Traceback" not in res.text


def test_invalid_spec_is_422_naming_the_field(client: Any, auth: dict[str, str]) -> None:
    bad = PROJECT.replace("rate: {value: 0.08", "rate: {value: -3")
    r = client.post("/api/v1/valuations", headers=auth, files={"spec": ("p.yaml", bad.encode())})
    assert r.status_code == 422
    assert "discount" in r.json()["detail"]
    r = client.post("/api/v1/valuations", headers=auth, files={"spec": ("p.yaml", b"a: [")})
    assert r.status_code == 422 and "not valid YAML" in r.json()["detail"]


def test_scenario_job(client: Any, auth: dict[str, str], repo: Any) -> None:
    assert client.app.state.modules["scenarios"]
    spec = (repo / "examples" / "scenarios" / "gallium-export-restriction.yaml").read_bytes()
    r = client.post(
        "/api/v1/scenarios",
        headers=auth,
        files={"spec": ("s.yaml", spec)},
        data={"draws": "50", "seed": "1"},
    )
    assert r.status_code == 202, r.text
    st = _wait(client, r.json()["job_id"], auth)
    assert st["status"] == "done", st
    res = client.get(r.json()["result_url"], headers=auth).json()
    assert res["draws"] == 50 and res["price_bands"] and res["assumptions"]
    r = client.post(
        "/api/v1/scenarios", headers=auth, files={"spec": ("s.yaml", spec)}, data={"draws": "60000"}
    )
    assert r.status_code == 422


def test_claims_check(client: Any, auth: dict[str, str], repo: Any) -> None:
    assert client.app.state.modules["claims"]
    f = repo / "examples" / "kazakhstan-2025" / "claims.yaml"
    r = client.post(
        "/api/v1/claims/check", headers=auth, files={"file": ("c.yaml", f.read_bytes())}
    )
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {x["verdict"] for x in rows} <= {
        "supported",
        "contradicted",
        "not_checkable",
        "not_independent",
    }
    ga = next(x for x in rows if x["id"] == "ga-second-largest")
    assert ga["verdict"] == "supported"
    r = client.post("/api/v1/claims/check", headers=auth, files={"file": ("c.yaml", b"claims: 3")})
    assert r.status_code == 422


def test_risk_read(client: Any) -> None:
    assert client.app.state.modules["risk"]
    rows = client.get(
        "/api/v1/risk", params={"method": "hhi", "commodity": ["gallium", "tin"]}
    ).json()
    assert {r["commodity"] for r in rows} == {"gallium", "tin"}
    assert rows[0]["rank"] == 1
